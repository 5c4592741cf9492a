//! The `explain` trace: every mention (and why it was set aside), every
//! statement with how it was tied to its topic and how it counted, and the
//! criteria that went into each decision.
//!
//! Must not: change a decision.

use super::*;

pub(super) fn trigger_text(ctx: &Context<'_>, h: Option<crate::matcher::Hit>) -> Option<String> {
    h.map(|h| ctx.flat[h.start..h.end].to_string())
}

/// Builds the explain trace from what the decision recorded: mentions (and
/// why they were set aside), statements, and the criteria each topic's
/// aggregation used (topic, criterion, cue).
pub(super) fn trace(
    ctx: &Context<'_>,
    f: &Facts,
    statements: &[Statement],
    criteria: &[(Topic, Criterion, usize)],
) -> Vec<TraceEntry> {
    let mut out = Vec::new();
    let entry =
        |ci: usize, topic: Topic, role: String, via: Option<&'static str>, note: Option<String>| {
            let cue = &ctx.cues[ci];
            TraceEntry {
                topic,
                finding: ctx.finding(cue, Some(topic)),
                description: ctx.rule(cue).description.clone(),
                role,
                via,
                note,
                negated_by: trigger_text(ctx, cue.scope.negated_by),
                hedged_by: trigger_text(ctx, cue.scope.hedged_by),
            }
        };
    let none = BTreeSet::new();
    for (ci, cue) in ctx.cues.iter().enumerate() {
        let rule = ctx.rule(cue);
        let (Category::Name, Some(topic)) = (rule.category, rule.topic) else {
            continue;
        };
        let si = cue.sentence;
        let counted = f.mentions[si].iter().any(|m| m.2 == ci);
        let note = if !counted {
            Some(
                match ctx
                    .topic_def(topic)
                    .and_then(|d| d.set_aside_note(|t| ctx.has_tag(si, t)))
                {
                    Some(note) => format!("set aside: {note}"),
                    None => "set aside: points to another policy or out of scope".to_string(),
                },
            )
        } else {
            weigh(ctx, si, Polarity::Positive, &none)
                .err()
                .map(|r| format!("set aside: {r}"))
        };
        out.push(entry(ci, topic, "mention".into(), None, note));
    }
    for st in statements {
        let role = match (st.polarity, st.reason) {
            (Polarity::Positive, _) if st.by_negation => {
                "positive (a denial term is negated)".to_string()
            }
            (Polarity::Positive, _) if st.conditional => "positive, conditional".to_string(),
            (Polarity::Positive, _) => "positive".to_string(),
            (Polarity::Negative, Some(r)) => format!("negative ({})", r.as_str()),
            (Polarity::Negative, None) => "negative".to_string(),
        };
        let role = match st.source {
            Some(src) => format!("{role}, from \"{}\"", ctx.matched(&ctx.cues[src])),
            None => role,
        };
        let note = st
            .ignored
            .map(|r| format!("does not count: {r}"))
            .or_else(|| {
                st.catch_all
                    .then(|| "catch-all: limits other uses".to_string())
            })
            .or_else(|| {
                st.limitation
                    .then(|| "read as a limit of the covered use".to_string())
            })
            .or_else(|| {
                (st.weight == Weight::Weak)
                    .then(|| "background sentence in policy voice".to_string())
            });
        out.push(entry(st.cue, st.topic, role, Some(st.via.as_str()), note));
    }
    for &(topic, criterion, ci) in criteria {
        out.push(entry(
            ci,
            topic,
            format!("criterion ({})", criterion.as_str()),
            None,
            None,
        ));
    }
    out.sort_by_key(|e| (e.finding.start, e.finding.end));
    out
}
