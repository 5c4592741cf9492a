//! Criteria values: from the sentences that state a topic's criteria to
//! one entry per stated criterion with the values the document gives
//! (failed-trial count and weeks, ages, diagnosis and its codes, scales,
//! prescriber, REMS setting, monitoring, approval periods, limits), and
//! the "all of" / "one of" lists they sit in as groups.
//!
//! The phrases are data (`[criteria_detail]` in the pattern library); this
//! file only applies them. A value the sentence does not state is absent:
//! nothing is filled in from elsewhere.
//!
//! Must not: decide the stance or which sentences belong to a topic (the
//! stance stage does, and hands the sentences over).

use std::collections::BTreeMap;

use super::Context;
use crate::model::{CriterionDetail, DetailValue, GroupOp};
use crate::patterns::DetailVocab;
use crate::patterns::detail::ValueType;

/// How many levels of nested lists a criterion is kept under.
const MAX_DEPTH: usize = 3;

/// The most words a line may have for its heading to count with it.
const MAX_UNDER_HEADING: usize = 6;

/// The longest quote kept for an entry, in characters.
const MAX_QUOTE: usize = 400;

/// The values one sentence states, per criterion kind, in the vocabulary's
/// order.
pub fn read_sentence(
    vocab: &DetailVocab,
    heading: Option<&str>,
    text: &str,
) -> Vec<(String, BTreeMap<String, DetailValue>)> {
    let context = match heading {
        Some(h) => format!("{h} {text}"),
        None => text.to_string(),
    };
    let mut out = Vec::new();
    for k in &vocab.kinds {
        let parts: Vec<(String, &str)> = if k.per_clause {
            text.split_inclusive(['.', ';'])
                .map(|c| (format!("{} {c}", heading.unwrap_or("")), c))
                .collect()
        } else {
            vec![(context.clone(), text)]
        };
        let mut values = BTreeMap::new();
        for (context, part) in &parts {
            if !k.when.is_match(context) || k.unless.as_ref().is_some_and(|u| u.is_match(context)) {
                continue;
            }
            for v in &k.values {
                if values.contains_key(&v.key) {
                    continue;
                }
                if let Some(value) = read_value(vocab, v.kind, &v.regex, part) {
                    values.insert(v.key.clone(), value);
                }
            }
        }
        if !values.is_empty() {
            out.push((k.kind.clone(), values));
        }
    }
    out
}

/// The group `v` (or `v2`, `v3`, ... for alternatives) of a match.
fn group<'t>(c: &regex::Captures<'t>, re: &regex::Regex) -> Option<&'t str> {
    re.capture_names()
        .flatten()
        .filter(|n| n.starts_with('v'))
        .find_map(|n| c.name(n))
        .map(|m| m.as_str())
}

fn tidy(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read_value(
    vocab: &DetailVocab,
    kind: ValueType,
    re: &regex::Regex,
    text: &str,
) -> Option<DetailValue> {
    match kind {
        ValueType::Flag => re.is_match(text).then_some(DetailValue::Flag(true)),
        ValueType::Number => re
            .captures_iter(text)
            .find_map(|c| group(&c, re).and_then(|s| vocab.number(s)))
            .map(DetailValue::Number),
        ValueType::Text => re
            .captures_iter(text)
            .find_map(|c| group(&c, re))
            .map(|s| DetailValue::Text(tidy(s).to_lowercase())),
        ValueType::List | ValueType::Codes => {
            let mut seen: Vec<String> = Vec::new();
            for c in re.captures_iter(text) {
                if let Some(s) = group(&c, re) {
                    let s = if kind == ValueType::List {
                        tidy(s).to_lowercase()
                    } else {
                        tidy(s).to_uppercase()
                    };
                    if !seen.contains(&s) {
                        seen.push(s);
                    }
                }
            }
            (!seen.is_empty()).then_some(DetailValue::List(seen))
        }
    }
}

/// A node of the tree being built: a group keyed by its lead-in sentence,
/// or an entry.
struct Node {
    lead_in: Option<usize>,
    detail: CriterionDetail,
    children: Vec<Node>,
}

impl Node {
    fn into_detail(self) -> CriterionDetail {
        let mut d = self.detail;
        d.items = self.children.into_iter().map(Node::into_detail).collect();
        d
    }
}

fn quote(s: &str) -> String {
    if s.chars().count() <= MAX_QUOTE {
        return s.to_string();
    }
    let mut q: String = s.chars().take(MAX_QUOTE).collect();
    q.push('…');
    q
}

/// How a list's items combine: the lead-in says, or the items end with
/// "and" / "or".
fn group_op(ctx: &Context<'_>, lead_in: usize) -> Option<GroupOp> {
    let v = &ctx.matcher.pattern_set().detail;
    let text = &ctx.sentences[lead_in].text;
    if v.one_of.is_match(text) {
        return Some(GroupOp::OneOf);
    }
    if v.all_of.is_match(text) {
        return Some(GroupOp::AllOf);
    }
    let items = ctx
        .sentences
        .iter()
        .filter(|s| s.lead_in == Some(lead_in))
        .map(|s| s.text.trim_end());
    let (mut and, mut or) = (false, false);
    for t in items {
        and |= v.item_and.is_match(t);
        or |= v.item_or.is_match(t);
    }
    match (and, or) {
        (true, false) => Some(GroupOp::AllOf),
        (false, true) => Some(GroupOp::OneOf),
        _ => None,
    }
}

/// The criteria values stated in `sentences` (indices, any order), as
/// entries grouped under the lists they sit in.
pub fn details(ctx: &Context<'_>, sentences: &[usize]) -> Vec<CriterionDetail> {
    let vocab = &ctx.matcher.pattern_set().detail;
    let mut order: Vec<usize> = sentences.to_vec();
    order.sort_unstable();
    order.dedup();
    let mut root: Vec<Node> = Vec::new();
    for si in order {
        let s = &ctx.sentences[si];
        // A heading speaks for a short line under it ("Approval duration" /
        // "6 months"), not for the sentences of its section.
        let heading = s
            .heading
            .filter(|_| s.text.split_whitespace().count() <= MAX_UNDER_HEADING)
            .map(|h| ctx.sentences[h].text.as_str());
        let read = read_sentence(vocab, heading, &s.text);
        if read.is_empty() {
            continue;
        }
        let (page, line) = ctx.text.locate(s.start());
        let mut path: Vec<usize> = std::iter::successors(s.lead_in, |&l| ctx.sentences[l].lead_in)
            .take(MAX_DEPTH)
            .collect();
        path.reverse();
        let mut list = &mut root;
        for l in path {
            let at = match list.iter().position(|n| n.lead_in == Some(l)) {
                Some(at) => at,
                None => {
                    let ls = &ctx.sentences[l];
                    let (page, line) = ctx.text.locate(ls.start());
                    list.push(Node {
                        lead_in: Some(l),
                        detail: CriterionDetail {
                            kind: CriterionDetail::GROUP.to_string(),
                            values: BTreeMap::new(),
                            op: group_op(ctx, l),
                            items: Vec::new(),
                            page,
                            line,
                            quote: quote(&ls.text),
                        },
                        children: Vec::new(),
                    });
                    list.len() - 1
                }
            };
            list = &mut list[at].children;
        }
        for (kind, values) in read {
            list.push(Node {
                lead_in: None,
                detail: CriterionDetail {
                    kind,
                    values,
                    op: None,
                    items: Vec::new(),
                    page,
                    line,
                    quote: quote(&s.text),
                },
                children: Vec::new(),
            });
        }
    }
    root.into_iter().map(Node::into_detail).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::PatternSet;

    fn read(heading: Option<&str>, text: &str) -> Vec<(String, BTreeMap<String, DetailValue>)> {
        let set = PatternSet::builtin().expect("the built-in library loads");
        read_sentence(&set.detail, heading, text)
    }

    fn value(heading: Option<&str>, text: &str, kind: &str, key: &str) -> Option<DetailValue> {
        read(heading, text)
            .into_iter()
            .find(|(k, _)| k == kind)
            .and_then(|(_, v)| v.get(key).cloned())
    }

    fn n(v: u32) -> Option<DetailValue> {
        Some(DetailValue::Number(v))
    }

    fn list(v: &[&str]) -> Option<DetailValue> {
        Some(DetailValue::List(v.iter().map(|s| s.to_string()).collect()))
    }

    const YES: Option<DetailValue> = Some(DetailValue::Flag(true));

    #[test]
    fn failed_trials_count_classes_weeks_and_episode() {
        let s = "The member did not respond to three (3) antidepressants of different classes, \
                 each taken for at least eight weeks in the current episode;";
        assert_eq!(value(None, s, "failed_trials", "min_count"), n(3));
        assert_eq!(value(None, s, "failed_trials", "different_classes"), YES);
        assert_eq!(value(None, s, "failed_trials", "min_weeks"), n(8));
        assert_eq!(value(None, s, "failed_trials", "current_episode"), YES);
        let t = "has had an inadequate response to 2 antidepressant trials";
        assert_eq!(value(None, t, "failed_trials", "min_count"), n(2));
        assert_eq!(value(None, t, "failed_trials", "different_classes"), None);
    }

    #[test]
    fn an_oral_antidepressant_taken_alongside_is_not_a_failed_trial() {
        let s = "The drug is taken in combination with an oral antidepressant for 4 weeks.";
        assert!(!read(None, s).iter().any(|(k, _)| k == "failed_trials"));
        assert_eq!(value(None, s, "concurrent_antidepressant", "required"), YES);
    }

    #[test]
    fn ages_minimum_and_maximum() {
        assert_eq!(
            value(
                None,
                "The enrollee is 21 years of age or older",
                "age",
                "min"
            ),
            n(21)
        );
        assert_eq!(value(None, "Patient age >= 18", "age", "min"), n(18));
        let both = "Age at least 18 years and under 70";
        assert_eq!(value(None, both, "age", "min"), n(18));
        assert_eq!(value(None, both, "age", "max"), n(70));
        assert_eq!(
            value(
                None,
                "The patient's age is within the range on the FDA label",
                "age",
                "within_label"
            ),
            YES
        );
    }

    #[test]
    fn diagnosis_codes_and_severity_scales() {
        let s = "Diagnosis of treatment-resistant depression (F32.2, F33.1 or F339)";
        assert_eq!(
            value(None, s, "diagnosis", "conditions"),
            list(&["treatment-resistant depression"])
        );
        assert_eq!(
            value(None, s, "diagnosis", "codes"),
            list(&["F32.2", "F33.1", "F339"])
        );
        let m = "A baseline MADRS score of at least 28 or a PHQ-9 score > 20";
        assert_eq!(
            value(None, m, "severity_scale", "scales"),
            list(&["MADRS", "PHQ-9"])
        );
        assert_eq!(value(None, m, "severity_scale", "threshold"), n(28));
    }

    #[test]
    fn prescriber_setting_monitoring_pdmp_and_exclusions() {
        let p = "It is ordered by or after consulting a psychiatrist";
        assert_eq!(
            value(None, p, "prescriber", "specialty"),
            list(&["psychiatrist"])
        );
        let r = "Given in a REMS-certified treatment setting, with the patient observed by staff for 2 hours";
        assert_eq!(value(None, r, "rems_setting", "certified"), YES);
        assert_eq!(value(None, r, "monitoring", "hours"), n(2));
        assert_eq!(
            value(
                None,
                "The state PDMP was reviewed first",
                "pdmp_check",
                "required"
            ),
            YES
        );
        assert_eq!(
            value(
                None,
                "The member has no current history of psychosis",
                "exclusion",
                "conditions"
            ),
            list(&["psychosis"])
        );
    }

    #[test]
    fn approval_and_reauthorization_periods() {
        assert_eq!(
            value(
                Some("Length of approval"),
                "3 months",
                "initial_approval",
                "months"
            ),
            n(3)
        );
        assert_eq!(
            value(
                None,
                "Initial authorization is for up to 6 months",
                "initial_approval",
                "months"
            ),
            n(6)
        );
        let re = "Reauthorization is for 12 months with documented improvement in symptoms";
        assert_eq!(value(None, re, "reauthorization", "months"), n(12));
        assert_eq!(
            value(None, re, "reauthorization", "conditions"),
            list(&["documented improvement"])
        );
        assert!(!read(None, re).iter().any(|(k, _)| k == "initial_approval"));
        assert_eq!(
            value(
                None,
                "Limited to 24 devices per 28 days",
                "quantity_limit",
                "limit"
            ),
            Some(DetailValue::Text(
                "limited to 24 devices per 28 days".into()
            ))
        );
    }

    #[test]
    fn a_sentence_without_values_gives_no_entry() {
        assert!(read(None, "The plan reviews each request.").is_empty());
    }
}
