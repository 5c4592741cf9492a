//! Statements: what each coverage cue says (polarity, reason, conditions,
//! decision, by negation), how much it counts (section, voice, hedges,
//! questions, history) and the uses, conditions and plan it names; the
//! builder that turns attributed cues into [`Statement`]s, including the
//! statements made by naming a drug in a list, a formulary row or an
//! exclusions section.
//!
//! Must not: decide stances (that is `aggregation`).

use super::*;

/// What a cue says: (polarity, reason, conditional, decision, by_negation).
pub(super) type Reading = (Polarity, Option<Reason>, bool, bool, bool);

/// Whether a cue states a decision: a decision rule, not hedged ("will be
/// denied if...").
pub(super) fn is_decision(ctx: &Context<'_>, cue: &Cue) -> bool {
    ctx.rule(cue).id.starts_with("decision.") && !cue.scope.hedged
}

/// Whether a cue lies in a clause that gives the grounds of a denial
/// before it, with its own reason ("experimental and investigational
/// because its value has not been established"): the grounds are no
/// reason of their own.
fn explains_a_denial(ctx: &Context<'_>, cue: &Cue) -> bool {
    let si = cue.sentence;
    let start = ctx.sentences[si].start().min(cue.hit.start);
    let before = &ctx.flat[start..cue.hit.start];
    // Where the last "because" or "since" before the cue begins.
    let grounds = before
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.eq_ignore_ascii_case("because") || w.eq_ignore_ascii_case("since"))
        .map(|w| start + (w.as_ptr() as usize - before.as_ptr() as usize))
        .next_back();
    let Some(grounds) = grounds else {
        return false;
    };
    ctx.sentence_cues(si).any(|(_, c)| {
        c.hit.end <= grounds
            && read_cue(ctx, c).is_some_and(|(polarity, reason, ..)| {
                polarity == Polarity::Negative && reason.is_some()
            })
    })
}

/// The reason a sentence's first denial gives, other than a plan
/// exclusion.
fn denial_reason(ctx: &Context<'_>, si: usize) -> Option<Reason> {
    ctx.sentence_cues(si)
        .filter_map(|(_, c)| read_cue(ctx, c))
        .find_map(|(polarity, reason, ..)| {
            reason.filter(|&r| polarity == Polarity::Negative && r != Reason::PlanExclusion)
        })
}

/// Reads one coverage cue. `None` when the cue says nothing either way.
pub(super) fn read_cue(ctx: &Context<'_>, cue: &Cue) -> Option<Reading> {
    let rule = ctx.rule(cue);
    let negated = cue.scope.negated;
    // "Requests will be denied if any apply" is a rule, not a decision.
    let decision = is_decision(ctx, cue);
    if regulator_speaks(ctx, cue) {
        return None;
    }
    Some(match rule.category {
        // "Ketamine for chronic pain is an off-label use" describes the
        // label; it denies nothing unless the document says so in its own
        // voice or beside a denial.
        Category::OffLabel if !negated && !declares(ctx, cue) => return None,
        Category::Experimental | Category::OffLabel | Category::Unproven => {
            if negated {
                (Polarity::Positive, None, cue.scope.hedged, false, true)
            } else {
                (Polarity::Negative, rule.reason, false, false, false)
            }
        }
        Category::MedicalNecessity => {
            if rule.negative {
                (Polarity::Negative, rule.reason, false, false, false)
            } else if negated {
                (
                    Polarity::Negative,
                    Some(Reason::NotMedicallyNecessary),
                    false,
                    false,
                    false,
                )
            } else {
                (Polarity::Positive, None, true, false, false)
            }
        }
        Category::Exclusion => (Polarity::Negative, rule.reason, false, decision, false),
        Category::Coverage => {
            if negated {
                (Polarity::Negative, None, false, decision, false)
            } else {
                let conditional = cue.scope.hedged && criteria_follow(ctx, cue);
                (Polarity::Positive, None, conditional, decision, false)
            }
        }
        Category::Context if rule.tag.as_deref() == Some("cost_share") => {
            (Polarity::Positive, None, false, false, false)
        }
        // Criteria for approving the drug: payable when they are met. A
        // pointer to criteria kept elsewhere says nothing.
        Category::Context
            if rule.tag.as_deref() == Some("approval_criteria")
                && !negated
                && !ctx.has_tag(cue.sentence, "redirect") =>
        {
            (Polarity::Positive, None, true, false, false)
        }
        _ => return None,
    })
}

/// Whether a coverage or decision phrase has a drug regulator for its
/// subject ("the FDA has approved the nasal spray"): label status, not a
/// payer's decision. The regulator must come before the phrase in its
/// clause.
pub(super) fn regulator_speaks(ctx: &Context<'_>, cue: &Cue) -> bool {
    ctx.rule(cue).category == Category::Coverage
        && !cue.scope.negated
        && ctx.sentence_cues(cue.sentence).any(|(_, c)| {
            ctx.rule(c).tag.as_deref() == Some("regulator")
                && c.hit.end <= cue.hit.start
                && !ctx.clause_break(c.hit.end, cue.hit.start)
        })
}

/// Whether a sentence makes a determination of its own: policy voice, or
/// another denial term beside the cue.
pub(super) fn declares(ctx: &Context<'_>, cue: &Cue) -> bool {
    ctx.has_tag(cue.sentence, "policy_voice")
        || ctx.sentence_cues(cue.sentence).any(|(_, c)| {
            c.hit != cue.hit
                && matches!(
                    ctx.rule(c).category,
                    Category::Experimental
                        | Category::Unproven
                        | Category::MedicalNecessity
                        | Category::Exclusion
                )
        })
        || ctx
            .sentence_cues(cue.sentence)
            .any(|(_, c)| ctx.rule(c).category == Category::Coverage && c.scope.negated)
}

/// Whether criteria (or a reference to criteria) follow a cue in its
/// sentence.
pub(super) fn criteria_follow(ctx: &Context<'_>, cue: &Cue) -> bool {
    ctx.sentences[cue.sentence].is_lead_in()
        || ctx.sentence_cues(cue.sentence).any(|(_, c)| {
            c.hit.start >= cue.hit.end
                && (ctx.rule(c).category == Category::Criteria
                    || ctx.rule(c).tag.as_deref() == Some("criteria_reference"))
        })
}

/// Whether a negative cue is lifted by an "unless / except" clause that
/// points at criteria ("not covered unless ALL of the following criteria
/// are met"), as opposed to a clinical-trial exception.
pub(super) fn lifted_by_criteria(ctx: &Context<'_>, cue: &Cue) -> bool {
    let Some(h) = cue.scope.hedged_by else {
        return false;
    };
    if h.start < cue.hit.end {
        return false;
    }
    let word = ctx.flat[h.start..h.end].to_ascii_lowercase();
    if !ctx
        .grammar()
        .exceptions
        .iter()
        .any(|w| word.starts_with(w.as_str()))
    {
        return false;
    }
    let mut criteria = false;
    for (_, c) in ctx.sentence_cues(cue.sentence) {
        if c.hit.start < h.start {
            continue;
        }
        let r = ctx.rule(c);
        match (r.category, r.tag.as_deref()) {
            (Category::Context, Some("clinical_trial")) => return false,
            (Category::Context, Some("criteria_reference")) | (Category::Criteria, _) => {
                criteria = true;
            }
            _ => {}
        }
    }
    criteria || ctx.sentences[cue.sentence].is_lead_in()
}

/// Whether a catch-all context cue belongs with this cue: in the same
/// sentence with no cue of the opposite polarity between them, and no
/// named use between them ("for depression and all other psychiatric
/// conditions" names depression: it is not a catch-all).
pub(super) fn catch_all_for(ctx: &Context<'_>, cue: &Cue, polarity: Polarity) -> bool {
    let cues: Vec<&Cue> = ctx.sentence_cues(cue.sentence).map(|(_, c)| c).collect();
    cues.iter()
        .filter(|c| ctx.rule(c).tag.as_deref() == Some("catch_all"))
        .any(|ca| {
            let (a, b) = if ca.hit.start < cue.hit.start {
                (ca.hit.end, cue.hit.start)
            } else {
                (cue.hit.end, ca.hit.start)
            };
            !cues.iter().any(|o| {
                let inside = o.hit.start >= a && o.hit.end <= b;
                let rule = ctx.rule(o);
                let opposite = rule.category.is_coverage()
                    && read_cue(ctx, o).is_some_and(|r| r.0 != polarity);
                let named_use = matches!(rule.tag.as_deref(), Some("use_psychiatric" | "use_pain"));
                inside && (opposite || named_use)
            })
        })
}

/// The named conditions of a sentence (or, when it names none but a
/// generic "pain", of its lead-in): a generic "pain" gives way to a
/// specific pain condition named beside it.
/// The condition key of a generic pain use (`grammar.condition`), which a
/// specific pain condition named beside it replaces.
pub(super) const GENERIC_PAIN: &str = "pain";

pub(super) fn conditions_of(ctx: &Context<'_>, si: usize) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for s in std::iter::once(si).chain(ctx.sentences[si].lead_in) {
        if out.iter().any(|k| k != GENERIC_PAIN) {
            break;
        }
        for (_, c) in ctx.sentence_cues(s) {
            if matches!(
                ctx.rule(c).tag.as_deref(),
                Some("use_psychiatric" | "use_pain")
            ) && let Some(k) = ctx.grammar().condition_key(ctx.matched(c))
            {
                out.insert(k.to_string());
            }
        }
    }
    if out.len() > 1 {
        out.remove(GENERIC_PAIN);
    }
    out
}

pub(super) fn uses_of(ctx: &Context<'_>, si: usize) -> (bool, bool) {
    let mut psych = ctx.has_tag(si, "use_psychiatric");
    let mut pain = ctx.has_tag(si, "use_pain");
    // An item names its use, or takes the one of its lead-in.
    if !(psych || pain)
        && let Some(l) = ctx.sentences[si].lead_in
    {
        psych |= ctx.has_tag(l, "use_psychiatric");
        pain |= ctx.has_tag(l, "use_pain");
    }
    (psych, pain)
}

/// How a sentence's statements count: `Err(reason)` when they do not.
pub(super) fn weigh(
    ctx: &Context<'_>,
    si: usize,
    polarity: Polarity,
    repeated: &BTreeSet<usize>,
) -> Result<Weight, &'static str> {
    let s = &ctx.sentences[si];
    // A heading is not a statement, unless it announces a decision
    // ("APPEAL DECISION: OVERTURNED").
    let decision = ctx.sentence_cues(si).any(|(_, c)| is_decision(ctx, c));
    let announces_criteria = polarity == Polarity::Positive && ctx.has_tag(si, "approval_criteria");
    if matches!(s.kind, SentenceKind::Heading | SentenceKind::Title)
        && !decision
        && !announces_criteria
    {
        return Err("a heading, not a statement");
    }
    if ctx.has_tag(si, "history") {
        return Err("describes a past version");
    }
    if s.text.trim_end().ends_with('?') {
        return Err("a question, not a statement");
    }
    if polarity == Polarity::Negative && ctx.has_tag(si, "out_of_network") {
        return Err("an out-of-network rule, not a stance on the drug");
    }
    if repeated.contains(&si) {
        return Err("a table column value repeated on many rows");
    }
    let voice = ctx.has_tag(si, "policy_voice");
    match s.section {
        SectionKind::Rationale => Err("in a rationale / evidence section"),
        SectionKind::References => Err("in the references"),
        SectionKind::History => Err("in the policy history"),
        SectionKind::Notices => Err("in a member notice"),
        SectionKind::Background if voice => Ok(Weight::Weak),
        SectionKind::Background => Err("in a background section, not in policy voice"),
        SectionKind::Coding | SectionKind::Definitions if !voice => {
            Err("in a coding or definitions section, not in policy voice")
        }
        _ => Ok(Weight::Normal),
    }
}

pub(super) struct Builder<'c, 'a> {
    pub(super) ctx: &'c Context<'a>,
    pub(super) repeated: BTreeSet<usize>,
    pub(super) statements: Vec<Statement>,
    pub(super) cue_topics: Vec<Option<Topic>>,
    /// The sentence each sentence took its topic from, if any.
    pub(super) lender: &'c [Option<usize>],
    /// The drug the document is about, if it is about one.
    pub(super) subject: Option<Topic>,
}

impl Builder<'_, '_> {
    /// Adds statements reading `source` (a cue) about `topics`, located at
    /// `cue`, in sentence `si`.
    pub(super) fn add(&mut self, si: usize, cue: usize, source: usize, topics: &[(Topic, Via)]) {
        let ctx = self.ctx;
        let src = &ctx.cues[source];
        let Some((mut polarity, mut reason, mut conditional, decision, by_negation)) =
            read_cue(ctx, src)
        else {
            return;
        };
        if polarity == Polarity::Negative && lifted_by_criteria(ctx, src) {
            polarity = Polarity::Positive;
            reason = None;
            conditional = true;
        }
        if polarity == Polarity::Negative
            && reason.is_none()
            && ctx.sentences[si].section == SectionKind::Exclusions
        {
            reason = Some(Reason::PlanExclusion);
        }
        if polarity == Polarity::Negative && explains_a_denial(ctx, src) {
            reason = None;
        }
        let catch_all = catch_all_for(ctx, src, polarity);
        let (mut psychiatric, mut pain) = uses_of(ctx, si);
        let mut conditions = conditions_of(ctx, si);
        // "This is considered experimental for these conditions": the uses
        // and conditions are those of the sentence referred back to.
        if matches!(topics.first(), Some((_, Via::Focus)))
            && let Some(l) = self.lender[si]
        {
            if !(psychiatric || pain) {
                (psychiatric, pain) = uses_of(ctx, l);
            }
            if conditions.is_empty() {
                conditions = conditions_of(ctx, l);
            }
            // "Ketamine infusion is investigational. ... This is not a
            // covered service": a denial that refers back to a denial
            // restates it, for the reason given there.
            if reason == Some(Reason::PlanExclusion)
                && let Some(given) = denial_reason(ctx, l)
            {
                reason = Some(given);
            }
        }
        // A claim line counts as its remark-code legend does: the line
        // itself is table data wherever the table sits.
        let judged = match topics.first() {
            Some((_, Via::Legend)) => src.sentence,
            _ => si,
        };
        let (weight, mut ignored) = match weigh(ctx, judged, polarity, &self.repeated) {
            Ok(w) => (w, None),
            Err(r) => (Weight::Normal, Some(r)),
        };
        // "Covered when ...", "covered only if ...": coverage on a
        // condition. "may be covered under a plan administered by ...",
        // "to verify that the drug is covered": a possibility, not a
        // statement.
        if ignored.is_none()
            && polarity == Polarity::Positive
            && ctx.rule(src).category == Category::Coverage
            && src.scope.hedged
            && !conditional
            && !decision
        {
            let trigger = src
                .scope
                .hedged_by
                .map(|h| ctx.flat[h.start..h.end].to_ascii_lowercase())
                .unwrap_or_default();
            let on_condition = ctx
                .grammar()
                .condition_hedges
                .iter()
                .any(|w| trigger.starts_with(w.as_str()));
            if on_condition {
                conditional = true;
            } else {
                ignored = Some("hedged: says it may be covered, not that it is");
            }
        }
        let plan = plan_scope(ctx, si);
        for &(topic, via) in topics {
            self.statements.push(Statement {
                cue,
                source: (source != cue).then_some(source),
                topic,
                via,
                polarity,
                reason,
                conditional,
                decision,
                by_negation,
                catch_all,
                psychiatric,
                pain,
                conditions: conditions.clone(),
                weight,
                ignored,
                limitation: false,
                anchor: None,
                plan: plan.clone(),
            });
        }
    }

    /// The statements a sentence makes on its own.
    pub(super) fn own(
        &mut self,
        si: usize,
        attr: &[(Topic, Via)],
        mentions: &[(Topic, usize, usize)],
    ) -> BTreeSet<Topic> {
        let ctx = self.ctx;
        let mut spoke = BTreeSet::new();
        let cues: Vec<usize> = ctx.by_sentence[si].clone();
        for ci in cues {
            let cue = &ctx.cues[ci];
            let rule = ctx.rule(cue);
            let topics: Vec<(Topic, Via)> = if mentions.is_empty() {
                // "Your plan covers other medicines": the object is not the
                // drug the sentence was tied to.
                let mut end = (cue.hit.end + 24).min(ctx.flat.len());
                while !ctx.flat.is_char_boundary(end) {
                    end -= 1;
                }
                let after = &ctx.flat[cue.hit.end..end];
                let other = after.split_whitespace().take(3).any(|w| {
                    let w = w
                        .to_ascii_lowercase()
                        .trim_matches(|c: char| !c.is_alphabetic())
                        .to_string();
                    ctx.grammar().other_objects.contains(&w)
                });
                if other { Vec::new() } else { attr.to_vec() }
            } else {
                topics_for_cue(ctx, cue, mentions)
                    .into_iter()
                    .map(|t| (t, Via::Mention))
                    .collect()
            };
            if topics.len() == 1
                && (rule.category.is_coverage() || rule.category == Category::Criteria)
            {
                self.cue_topics[ci] = Some(topics[0].0);
            }
            if read_cue(ctx, cue).is_none() {
                continue;
            }
            // Approval criteria speak for the drug the sentence names, the
            // list or row it belongs to, or the document's drug; a sentence
            // that only sits near the drug ("criteria are in our policies",
            // under a research heading) does not.
            let topics: Vec<(Topic, Via)> = if rule.tag.as_deref() == Some("approval_criteria")
                && ctx.sentences[si].section != SectionKind::Criteria
            {
                let kept: Vec<(Topic, Via)> = topics
                    .into_iter()
                    .filter(|&(_, via)| !matches!(via, Via::Heading | Via::Focus))
                    .collect();
                match self.subject {
                    Some(t) if kept.is_empty() && mentions.is_empty() => vec![(t, Via::Document)],
                    _ => kept,
                }
            } else {
                topics
            };
            spoke.extend(topics.iter().map(|t| t.0));
            self.add(si, ci, ci, &topics);
        }
        spoke
    }
}

impl Builder<'_, '_> {
    /// A drug listed in a formulary row without a verb of its own: covered
    /// (with the criteria the row's codes carry). Weak: a sentence of the
    /// document that speaks to the drug outweighs its listing.
    pub(super) fn add_listing(&mut self, si: usize, mention_cue: usize, topic: Topic) {
        self.add_verbless(si, mention_cue, topic, Via::Listing, None, Weight::Weak);
    }

    /// An item of an exclusions list that names the drug without a verb of
    /// its own: excluded by the plan.
    pub(super) fn add_exclusion_item(&mut self, si: usize, mention_cue: usize, topic: Topic) {
        let reason = Some(Reason::PlanExclusion);
        self.add_verbless(si, mention_cue, topic, Via::Mention, reason, Weight::Normal);
    }

    /// A statement made by naming the drug where it stands, with no cue:
    /// negative when it carries a reason, positive otherwise.
    pub(super) fn add_verbless(
        &mut self,
        si: usize,
        mention_cue: usize,
        topic: Topic,
        via: Via,
        reason: Option<Reason>,
        weight: Weight,
    ) {
        let polarity = if reason.is_some() {
            Polarity::Negative
        } else {
            Polarity::Positive
        };
        let (psychiatric, pain) = uses_of(self.ctx, si);
        let ignored = weigh(self.ctx, si, polarity, &self.repeated).err();
        self.statements.push(Statement {
            cue: mention_cue,
            source: None,
            topic,
            via,
            polarity,
            reason,
            conditional: false,
            decision: false,
            by_negation: false,
            catch_all: false,
            psychiatric,
            pain,
            conditions: conditions_of(self.ctx, si),
            weight,
            ignored,
            limitation: false,
            anchor: None,
            plan: plan_scope(self.ctx, si),
        });
    }
}

/// The plan, formulary or product line a sentence speaks of ("on the Core
/// Formulary plans"), lower-cased from its first capitalized word (the
/// rule names plans in capitals; the preposition and article before them
/// are lower case).
pub(super) fn plan_scope(ctx: &Context<'_>, si: usize) -> Option<String> {
    ctx.sentence_cues(si)
        .find(|(_, c)| ctx.rule(c).tag.as_deref() == Some("plan_scope"))
        .map(|(_, c)| {
            let words: Vec<String> = ctx
                .matched(c)
                .split_whitespace()
                .skip_while(|w| !w.starts_with(|ch: char| ch.is_uppercase()))
                .map(str::to_ascii_lowercase)
                .collect();
            words.join(" ")
        })
}
