//! Negation and hedging with scope (NegEx / ConText style).
//!
//! Owns: deciding, for one cue in one sentence, whether a negation trigger
//! scopes over it ("is not considered experimental", "no longer
//! investigational", "prior authorization is not required") and whether a
//! hedge makes it conditional ("may be considered medically necessary
//! when", "not covered unless"). The triggers themselves are rules in
//! `patterns/negation.toml`.
//!
//! Must not: decide stances (that is `stance`).

use crate::matcher::Hit;

/// How many words a forward or backward negation trigger reaches.
const NEGATION_WINDOW: usize = 6;

/// The triggers found in one sentence, by role.
#[derive(Debug, Default, Clone)]
pub struct Triggers {
    /// Forward negation triggers ("not", "no longer").
    pub forward: Vec<Hit>,
    /// Backward negation triggers ("is not required").
    pub backward: Vec<Hit>,
    /// Hedge / conditional triggers ("may", "unless", "when").
    pub hedge: Vec<Hit>,
    /// Scope terminators ("but", "however", "and is").
    pub termination: Vec<Hit>,
}

impl Triggers {
    /// Drops negation triggers that sit inside a pseudo-negation phrase
    /// ("not limited to", "not to exceed").
    pub fn remove_pseudo(&mut self, pseudo: &[Hit]) {
        let inside = |h: &Hit| pseudo.iter().any(|p| p.start <= h.start && h.end <= p.end);
        self.forward.retain(|h| !inside(h));
        self.backward.retain(|h| !inside(h));
    }
}

/// The scope decision for one cue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    /// A negation trigger applies.
    pub negated: bool,
    /// A hedge applies.
    pub hedged: bool,
    /// The negation trigger that applied.
    pub negated_by: Option<Hit>,
    /// The hedge trigger that applied.
    pub hedged_by: Option<Hit>,
}

fn words_between(flat: &str, from: usize, to: usize) -> usize {
    if from >= to {
        return 0;
    }
    flat[from..to]
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .filter(|w| !w.is_empty())
        .count()
}

/// Punctuation ends a clause, and so do a table cell boundary (" | ")
/// and a spaced dash ("Not covered - investigational" gives a reason, it
/// does not deny it).
fn has_clause_break(flat: &str, from: usize, to: usize) -> bool {
    if from >= to {
        return false;
    }
    let span = &flat[from..to];
    span.contains([';', ':', '.', '?', '!', '(', ')', '|']) || span.contains(" - ")
}

/// A negation set off by a comma before it (", not the pharmacy benefit,")
/// denies that phrase only: its scope ends at the next comma ("..., and
/// prior authorization is required").
fn contrast_ended(flat: &str, trigger: &Hit, to: usize) -> bool {
    flat[..trigger.start].trim_end().ends_with(',')
        && trigger.end < to
        && flat[trigger.end..to].contains(',')
}

fn terminated(termination: &[Hit], from: usize, to: usize) -> bool {
    termination.iter().any(|t| t.start >= from && t.end <= to)
}

/// Decides negation and hedging for a cue. `negative_rule` is true when
/// the cue's own rule already states a negative ("not medically
/// necessary"); such cues are not negated again.
pub fn scope(flat: &str, cue: &Hit, t: &Triggers, negative_rule: bool) -> Scope {
    let mut out = Scope::default();
    let overlaps = |h: &Hit| h.start < cue.end && cue.start < h.end;
    if !negative_rule {
        let forward = t.forward.iter().rfind(|h| {
            h.end <= cue.start
                && !overlaps(h)
                && words_between(flat, h.end, cue.start) <= NEGATION_WINDOW
                && !has_clause_break(flat, h.end, cue.start)
                && !terminated(&t.termination, h.end, cue.start)
                && !contrast_ended(flat, h, cue.start)
        });
        let backward = t
            .backward
            .iter()
            .filter(|h| h.start >= cue.end && !overlaps(h))
            .find(|h| {
                words_between(flat, cue.end, h.start) <= NEGATION_WINDOW
                    && !has_clause_break(flat, cue.end, h.start)
                    && !terminated(&t.termination, cue.end, h.start)
            });
        if let Some(h) = forward.or(backward) {
            out.negated = true;
            out.negated_by = Some(*h);
        }
    }
    let hedge_before = t.hedge.iter().rfind(|h| {
        h.end <= cue.start
            && !overlaps(h)
            && !has_clause_break(flat, h.end, cue.start)
            && !terminated(&t.termination, h.end, cue.start)
    });
    let hedge_after = t
        .hedge
        .iter()
        .filter(|h| h.start >= cue.end && !overlaps(h))
        .find(|h| {
            !has_clause_break(flat, cue.end, h.start)
                && !terminated(&t.termination, cue.end, h.start)
        });
    if let Some(h) = hedge_before.or(hedge_after) {
        out.hedged = true;
        out.hedged_by = Some(*h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::flatten;
    use crate::matcher::Matcher;
    use crate::patterns::Category;

    fn matcher() -> &'static Matcher {
        crate::test_matcher()
    }

    /// Scope of the first hit of `rule` in `sentence`.
    fn scope_of(sentence: &str, rule: &str) -> Scope {
        let m = matcher();
        let flat = flatten(sentence);
        let hits = m.find_all(&flat);
        let mut t = Triggers::default();
        let mut pseudo = Vec::new();
        for h in &hits {
            let r = &m.rules()[h.rule];
            match r.category {
                Category::Negation => match r.direction {
                    crate::patterns::Direction::Forward => t.forward.push(*h),
                    crate::patterns::Direction::Backward => t.backward.push(*h),
                },
                Category::Hedge => t.hedge.push(*h),
                Category::Termination => t.termination.push(*h),
                Category::PseudoNegation => pseudo.push(*h),
                _ => {}
            }
        }
        t.remove_pseudo(&pseudo);
        let ri = m.rule_index(rule).unwrap();
        let cue = hits.iter().find(|h| h.rule == ri).expect("cue present");
        scope(&flat, cue, &t, m.rules()[ri].negative)
    }

    #[test]
    fn not_considered_experimental_is_negated() {
        let s = scope_of(
            "Ketamine is not considered experimental or investigational.",
            "coverage.experimental",
        );
        assert!(s.negated);
        assert!(!s.hedged);
    }

    #[test]
    fn no_longer_investigational_is_negated() {
        assert!(
            scope_of(
                "IV ketamine is no longer considered investigational.",
                "coverage.experimental"
            )
            .negated
        );
    }

    #[test]
    fn plain_experimental_is_not_negated() {
        assert!(
            !scope_of(
                "Ketamine is considered experimental.",
                "coverage.experimental"
            )
            .negated
        );
    }

    #[test]
    fn termination_stops_negation() {
        let s = scope_of(
            "The request does not meet criteria and is considered experimental.",
            "coverage.experimental",
        );
        assert!(!s.negated);
    }

    #[test]
    fn a_negation_set_off_by_a_comma_ends_at_the_next_one() {
        let s = scope_of(
            "The drug is billed to the medical plan, not the drug plan, and prior approval is needed.",
            "criteria.prior_authorization",
        );
        assert!(!s.negated);
        // A negation that opens its clause carries on through a list.
        let s = scope_of(
            "No referral, precertification or prior approval is needed.",
            "criteria.prior_authorization",
        );
        assert!(s.negated);
    }

    #[test]
    fn pseudo_negation_does_not_negate() {
        let s = scope_of(
            "Criteria include but not limited to prior authorization.",
            "criteria.prior_authorization",
        );
        assert!(!s.negated);
    }

    #[test]
    fn backward_negation() {
        assert!(
            scope_of(
                "Prior authorization is not required.",
                "criteria.prior_authorization"
            )
            .negated
        );
    }

    #[test]
    fn hedges() {
        assert!(
            scope_of(
                "Esketamine may be considered medically necessary when criteria are met.",
                "coverage.medically_necessary"
            )
            .hedged
        );
        assert!(
            scope_of(
                "Esketamine is not covered unless all of the following are met:",
                "coverage.not_covered"
            )
            .hedged
        );
        assert!(!scope_of("Ketamine is not covered.", "coverage.not_covered").hedged);
    }

    #[test]
    fn cell_boundary_and_spaced_dash_end_the_scope() {
        assert!(
            !scope_of(
                "Ketamine IV infusion | Not covered - investigational",
                "coverage.experimental"
            )
            .negated
        );
        assert!(
            !scope_of(
                "Ketamine | not on the formulary | investigational",
                "coverage.experimental"
            )
            .negated
        );
        assert!(
            scope_of(
                "Ketamine is not considered investigational",
                "coverage.experimental"
            )
            .negated
        );
    }

    #[test]
    fn negative_rules_are_not_renegated() {
        assert!(
            !scope_of(
                "It is not medically necessary.",
                "coverage.not_medically_necessary"
            )
            .negated
        );
    }
}
