//! Aggregation: from a topic's statements to its stance, reasons, criteria
//! and evidence, encoding how analysts read policies (decisions in letters
//! decide, catch-alls and sub-population limits do not undo a covered use,
//! two named uses or plans with opposite stances are mixed).
//!
//! Must not: attribute sentences or read cues.

use super::*;

pub(super) fn matched_lower(ctx: &Context<'_>, st: &Statement) -> String {
    ctx.matched(&ctx.cues[st.source.unwrap_or(st.cue)])
        .to_ascii_lowercase()
}

pub(super) fn uses_disjoint(a: &Statement, b: &Statement) -> bool {
    (a.psychiatric || a.pain)
        && (b.psychiatric || b.pain)
        && !(a.psychiatric && b.psychiatric)
        && !(a.pain && b.pain)
}

/// Whether a denial names, in its own right, a condition other than the
/// ones the covered use names ("covered for CRPS" / "unproven for
/// fibromyalgia"). For a drug with approved uses (a topic's
/// `approved_uses`) only those count: denying it beyond them is a
/// limit of the coverage.
pub(super) fn names_another_condition(
    ctx: &Context<'_>,
    topic: Topic,
    pos: &Statement,
    neg: &Statement,
) -> bool {
    if neg.catch_all
        || neg.reason == Some(Reason::OffLabel)
        || (neg.conditional && !neg.decision)
        || pos.conditions.is_empty()
        || neg.conditions.is_empty()
        || !pos.conditions.is_disjoint(&neg.conditions)
    {
        return false;
    }
    let Some(def) = ctx.topic_def(topic).filter(|d| !d.approved_uses.is_empty()) else {
        return true;
    };
    pos.conditions
        .iter()
        .chain(&neg.conditions)
        .all(|c| def.is_approved_use(c))
}

/// Whether a statement is an announcement of approval criteria.
pub(super) fn announces_criteria(ctx: &Context<'_>, st: &Statement) -> bool {
    let cue = &ctx.cues[st.source.unwrap_or(st.cue)];
    ctx.rule(cue).tag.as_deref() == Some("approval_criteria")
}

/// Whether two statements are about two different named plans or
/// formularies ("excluded on the Core plans" / "covered on the Select
/// plans").
pub(super) fn plans_differ(a: &Statement, b: &Statement) -> bool {
    matches!((&a.plan, &b.plan), (Some(x), Some(y)) if x != y)
}

pub(super) fn aggregate(
    ctx: &Context<'_>,
    f: &Facts,
    attr: &[Vec<(Topic, Via)>],
    subject: Option<Topic>,
    statements: &mut [Statement],
    topic: Topic,
) -> (TopicResult, Vec<(Criterion, usize)>) {
    let active = |statements: &[Statement]| -> Vec<usize> {
        (0..statements.len())
            .filter(|&i| statements[i].topic == topic && statements[i].ignored.is_none())
            .collect()
    };
    // Background statements count only when the policy parts are silent.
    let idx = active(statements);
    if idx.iter().any(|&i| statements[i].weight == Weight::Normal) {
        for &i in &idx {
            if statements[i].weight == Weight::Weak {
                statements[i].ignored =
                    Some("background or listing; the document's statements decide");
            }
        }
    }
    // Decisions in letters and claims.
    let idx = active(statements);
    let decisions: Vec<usize> = idx
        .iter()
        .copied()
        .filter(|&i| statements[i].decision)
        .collect();
    if !decisions.is_empty() {
        let reversal = decisions.iter().any(|&i| {
            let m = matched_lower(ctx, &statements[i]);
            statements[i].polarity == Polarity::Positive
                && ctx
                    .grammar()
                    .reversals
                    .iter()
                    .any(|w| m.contains(w.as_str()))
        });
        let upheld = decisions.iter().any(|&i| {
            statements[i].polarity == Polarity::Negative && {
                let m = matched_lower(ctx, &statements[i]);
                ctx.grammar()
                    .upholdings
                    .iter()
                    .any(|w| m.contains(w.as_str()))
            }
        });
        let polarities: BTreeSet<bool> = decisions
            .iter()
            .map(|&i| statements[i].polarity == Polarity::Positive)
            .collect();
        let winner = if reversal {
            Some(Polarity::Positive)
        } else if upheld {
            Some(Polarity::Negative)
        } else if polarities.len() == 1 {
            Some(if polarities.contains(&true) {
                Polarity::Positive
            } else {
                Polarity::Negative
            })
        } else {
            None
        };
        if let Some(w) = winner {
            for &i in &idx {
                if statements[i].polarity != w
                    && !(w == Polarity::Positive && statements[i].by_negation)
                {
                    statements[i].ignored = Some(if reversal {
                        "the decision overturns this denial"
                    } else if upheld {
                        "the denial was upheld"
                    } else {
                        "the decision of the letter or claim says otherwise"
                    });
                }
            }
        }
    }

    let idx = active(statements);
    let pos: Vec<usize> = idx
        .iter()
        .copied()
        .filter(|&i| statements[i].polarity == Polarity::Positive)
        .collect();
    let neg: Vec<usize> = idx
        .iter()
        .copied()
        .filter(|&i| statements[i].polarity == Polarity::Negative)
        .collect();
    // A negated denial term is weak ("not experimental"), unless it comes
    // with conditions ("not considered experimental when ... criteria"):
    // then it is coverage with criteria in other words.
    let strong_pos: Vec<usize> = pos
        .iter()
        .copied()
        .filter(|&i| !statements[i].by_negation || statements[i].conditional)
        .collect();

    let mut core_neg: Vec<usize> = neg.clone();
    if !strong_pos.is_empty() {
        core_neg.clear();
        for &n in &neg {
            let disjoint = strong_pos.iter().any(|&p| {
                uses_disjoint(&statements[p], &statements[n])
                    || names_another_condition(ctx, topic, &statements[p], &statements[n])
                    || plans_differ(&statements[p], &statements[n])
            });
            if disjoint && !statements[n].catch_all {
                core_neg.push(n);
            } else {
                statements[n].limitation = true;
            }
        }
    }

    let conditional_coverage = pos.iter().any(|&i| statements[i].conditional);
    let mut criteria = criteria_for(ctx, f, attr, subject, topic, conditional_coverage);
    // Criteria for approving a drug are prior-authorization criteria: the
    // plan approves each request against them.
    if let Some(&i) = pos
        .iter()
        .find(|&&i| announces_criteria(ctx, &statements[i]))
    {
        criteria.push((Criterion::PriorAuthorization, statements[i].cue));
    }
    let conditional = pos.iter().any(|&i| statements[i].conditional);
    let positive = if conditional || !criteria.is_empty() {
        Stance::CoveredWithCriteria
    } else {
        Stance::Covered
    };
    let stance = if !strong_pos.is_empty() {
        if core_neg.is_empty() {
            positive
        } else {
            Stance::Mixed
        }
    } else if !neg.is_empty() {
        Stance::NotCovered
    } else if !pos.is_empty() {
        positive
    } else {
        Stance::NotAddressed
    };

    let mut result = TopicResult {
        stance,
        ..TopicResult::default()
    };
    let reason_sources: &[usize] = if stance == Stance::Mixed {
        &neg
    } else {
        &core_neg
    };
    if matches!(stance, Stance::NotCovered | Stance::Mixed) {
        let reasons: BTreeSet<Reason> = reason_sources
            .iter()
            .filter_map(|&i| statements[i].reason)
            .collect();
        result.reasons = reasons.into_iter().collect();
    }
    if matches!(stance, Stance::CoveredWithCriteria | Stance::Mixed) {
        let set: BTreeSet<Criterion> = criteria.iter().map(|c| c.0).collect();
        result.criteria = set.into_iter().collect();
        let mut sentences = criteria_sentences(ctx, attr, subject, topic, conditional_coverage);
        sentences.extend(criteria.iter().map(|c| ctx.cues[c.1].sentence));
        result.criteria_detail = crate::classify::criteria_detail::details(ctx, &sentences);
    }
    result.coverage = Coverage::of(stance);
    result.pa_needed = if result.criteria.contains(&Criterion::PriorAuthorization) {
        Some(true)
    } else if stance != Stance::NotAddressed && says_no_authorization(ctx, attr, topic) {
        Some(false)
    } else {
        None
    };

    let mut evidence_cues: Vec<usize> = Vec::new();
    // How the document bills a drug it pays for: a billing code on a line
    // that names this drug and no other.
    if matches!(stance, Stance::Covered | Stance::CoveredWithCriteria) {
        for (si, m) in f.mentions.iter().enumerate() {
            if m.is_empty() || m.iter().any(|x| x.0 != topic) {
                continue;
            }
            let code = ctx
                .sentence_cues(si)
                .find(|(_, c)| ctx.rule(c).category == Category::Code);
            if let Some((ci, _)) = code
                && weigh(ctx, si, Polarity::Positive, &BTreeSet::new()).is_ok()
            {
                evidence_cues.push(ci);
            }
        }
    }
    let with_anchor = |i: usize| std::iter::once(statements[i].cue).chain(statements[i].anchor);
    match stance {
        Stance::Covered | Stance::CoveredWithCriteria => {
            evidence_cues.extend(pos.iter().flat_map(|&i| with_anchor(i)))
        }
        Stance::NotCovered => evidence_cues.extend(core_neg.iter().flat_map(|&i| with_anchor(i))),
        Stance::Mixed => {
            evidence_cues.extend(strong_pos.iter().flat_map(|&i| with_anchor(i)));
            evidence_cues.extend(neg.iter().flat_map(|&i| with_anchor(i)));
        }
        Stance::NotAddressed => evidence_cues.extend(set_aside_mentions(ctx, topic)),
    }
    if matches!(stance, Stance::CoveredWithCriteria | Stance::Mixed) {
        evidence_cues.extend(criteria.iter().map(|c| c.1));
        // The items of a list whose lead-in grants coverage are its
        // conditions, each shown by its first cue.
        let lead_ins: BTreeSet<usize> = pos
            .iter()
            .map(|&i| ctx.cues[statements[i].cue].sentence)
            .filter(|&si| ctx.sentences[si].is_lead_in())
            .collect();
        evidence_cues.extend(
            ctx.sentences
                .iter()
                .enumerate()
                .filter(|(_, s)| s.lead_in.is_some_and(|l| lead_ins.contains(&l)))
                .filter_map(|(si, _)| ctx.by_sentence[si].first().copied()),
        );
    }
    result.evidence = evidence(ctx, evidence_cues, Some(topic));
    (result, criteria)
}

/// Criteria cues attributed to a topic: (criterion, cue index). A letter,
/// or a document that speaks of one drug and makes its coverage
/// conditional (`lend`), lends that drug the criteria no sentence names a
/// drug for.
pub(super) fn criteria_for(
    ctx: &Context<'_>,
    f: &Facts,
    attr: &[Vec<(Topic, Via)>],
    subject: Option<Topic>,
    topic: Topic,
    lend: bool,
) -> Vec<(Criterion, usize)> {
    let none = BTreeSet::new();
    let mut out = Vec::new();
    for (si, a) in attr.iter().enumerate() {
        // A letter about one drug, or a criteria section of a document about
        // one drug, lends it the criteria no sentence names a drug for.
        let lent = a.is_empty()
            && subject == Some(topic)
            && (ctx.letter || lend || ctx.sentences[si].section == SectionKind::Criteria);
        let attributed = a.iter().any(|&(t, _)| t == topic) || lent;
        if !attributed || ctx.has_tag(si, "justification") {
            continue;
        }
        if weigh(ctx, si, Polarity::Positive, &none).is_err()
            && ctx.sentences[si].kind != SentenceKind::Title
        {
            continue;
        }
        let mentions = &f.mentions[si];
        for (ci, cue) in ctx.sentence_cues(si) {
            let rule = ctx.rule(cue);
            let Some(criterion) = rule.criterion else {
                continue;
            };
            if rule.category != Category::Criteria || cue.scope.negated || describes_label(ctx, cue)
            {
                continue;
            }
            // A criterion about another drug named beside it is not this
            // drug's; one whose clause names no drug keeps the sentence's
            // attribution ("no history of psychosis, or the prescriber
            // judges that the benefits of the drug outweigh the risks").
            let about = topics_for_cue(ctx, cue, mentions);
            if !about.is_empty() && !about.contains(&topic) {
                continue;
            }
            out.push((criterion, ci));
        }
    }
    out
}

/// Whether a criterion cue names what the drug is approved or used for
/// ("FDA approved for treatment-resistant depression", "in addition to its
/// current indication for ..."): a label-use phrase before it in its
/// clause, with no coverage phrase between them ("..., it will also be a
/// benefit for ..." begins the plan's own statement).
fn describes_label(ctx: &Context<'_>, cue: &Cue) -> bool {
    let between = |a: &Cue, b: &Cue| a.hit.end <= b.hit.start;
    ctx.sentence_cues(cue.sentence).any(|(_, label)| {
        ctx.rule(label).tag.as_deref() == Some("label_use")
            && between(label, cue)
            && !ctx.clause_break(label.hit.end, cue.hit.start)
            && !ctx.sentence_cues(cue.sentence).any(|(_, c)| {
                ctx.rule(c).category.is_coverage() && between(label, c) && between(c, cue)
            })
    })
}

/// The sentences that may state a topic's criteria: those attributed to
/// it (or lent to it, as [`criteria_for`] lends criteria), outside
/// justifications, that count as statements.
pub(super) fn criteria_sentences(
    ctx: &Context<'_>,
    attr: &[Vec<(Topic, Via)>],
    subject: Option<Topic>,
    topic: Topic,
    lend: bool,
) -> Vec<usize> {
    let none = BTreeSet::new();
    (0..attr.len())
        .filter(|&si| {
            let a = &attr[si];
            let lent = a.is_empty()
                && subject == Some(topic)
                && (ctx.letter || lend || ctx.sentences[si].section == SectionKind::Criteria);
            (a.iter().any(|&(t, _)| t == topic) || lent)
                && !ctx.has_tag(si, "justification")
                && weigh(ctx, si, Polarity::Positive, &none).is_ok()
        })
        .collect()
}

/// Whether a sentence about the topic says prior authorization is not
/// needed (a negated prior-authorization criterion).
pub(super) fn says_no_authorization(
    ctx: &Context<'_>,
    attr: &[Vec<(Topic, Via)>],
    topic: Topic,
) -> bool {
    ctx.cues.iter().any(|c| {
        c.scope.negated
            && ctx.rule(c).category == Category::Criteria
            && ctx.rule(c).criterion == Some(Criterion::PriorAuthorization)
            && attr[c.sentence].iter().any(|&(t, _)| t == topic)
    })
}

/// Mentions of a topic that were set aside (anesthetic use, pointers to
/// other policies, informative sections): the trail behind `not_addressed`.
pub(super) fn set_aside_mentions(ctx: &Context<'_>, topic: Topic) -> Vec<usize> {
    let mut seen = BTreeSet::new();
    ctx.cues
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            let r = ctx.rule(c);
            r.category == Category::Name && r.topic == Some(topic)
        })
        .filter(|(_, c)| seen.insert(c.sentence))
        .map(|(i, _)| i)
        .take(10)
        .collect()
}

pub(super) const MAX_EVIDENCE: usize = 40;

/// Findings for a set of cues, in document order: a sentence is shown
/// once (by its first cue), and every hit in it stays among the findings.
pub(super) fn evidence(
    ctx: &Context<'_>,
    mut cues: Vec<usize>,
    topic: Option<Topic>,
) -> Vec<Finding> {
    cues.sort_by_key(|&c| (ctx.cues[c].hit.start, ctx.cues[c].hit.rule));
    cues.dedup();
    let mut seen = BTreeSet::new();
    cues.into_iter()
        .map(|c| ctx.finding(&ctx.cues[c], topic))
        .filter(|f| seen.insert((f.page, f.sentence.clone())))
        .take(MAX_EVIDENCE)
        .collect()
}
