//! Attribution: which drug each sentence speaks about, and through which
//! scope (the sentence names it, a list's lead-in, a table row's label, a
//! heading, the statement in focus), and for a cue in a sentence naming
//! both drugs, which of them its clause is about.
//!
//! Must not: read what a cue says or aggregate.

use super::*;

/// A short line with no digits and no cues, starting upper case: a table
/// row label for something else ("Vagus nerve stimulation").
pub(super) fn is_row_label(ctx: &Context<'_>, f: &Facts, si: usize) -> bool {
    let t = &ctx.sentences[si].text;
    ctx.word_count(si) <= 6
        && !t.chars().any(|c| c.is_ascii_digit())
        && !f.has_cues[si]
        && !t.ends_with('.')
        && t.chars().next().is_some_and(char::is_uppercase)
}

/// The topics of each sentence, and for sentences that took their topic
/// from another sentence (a row label, a lead-in, a heading, the sentence
/// in focus), that sentence.
pub(super) struct Attributed {
    pub(super) topics: Vec<Vec<(Topic, Via)>>,
    pub(super) lender: Vec<Option<usize>>,
}

/// Ties every sentence to the topics it speaks about.
pub(super) fn attribute(ctx: &Context<'_>, f: &Facts) -> Attributed {
    let n = ctx.sentences.len();
    let mut attr: Vec<Vec<(Topic, Via)>> = vec![Vec::new(); n];
    let mut lender: Vec<Option<usize>> = vec![None; n];
    let mut focus: Option<(Vec<Topic>, usize)> = None;
    // The open table row: its topics, its label and how many cells it may
    // still take.
    let mut row: Option<(Vec<Topic>, usize, usize)> = None;
    for si in 0..n {
        let s = &ctx.sentences[si];
        let topics = topics_of(&f.mentions[si]);
        match s.kind {
            SentenceKind::Heading => {
                if s.section.is_informative() || s.section == SectionKind::Exclusions {
                    focus = None;
                }
                row = None;
                // "Continuation Criteria: Spravato" lends its drug like a title.
                if !topics.is_empty() {
                    focus = Some((topics.clone(), si));
                    attr[si] = topics.iter().map(|&t| (t, Via::Mention)).collect();
                }
                continue;
            }
            SentenceKind::Title => {
                row = None;
                if !topics.is_empty() {
                    focus = Some((topics.clone(), si));
                    attr[si] = topics.iter().map(|&t| (t, Via::Mention)).collect();
                }
                continue;
            }
            _ => {}
        }
        if !topics.is_empty() {
            attr[si] = topics.iter().map(|&t| (t, Via::Mention)).collect();
            // A statement on the drug (with a cue, or negated or hedged
            // without one: "members may NOT be eligible for ketamine") is
            // what a following "This is..." refers to.
            let speaks = f.has_cues[si]
                || s.is_lead_in()
                || s.kind == SentenceKind::Item
                || (!s.section.is_informative()
                    && f.mentions[si]
                        .iter()
                        .any(|&(_, _, c)| ctx.cues[c].scope.negated));
            if speaks {
                focus = Some((topics.clone(), si));
            }
            // A short line without a full stop labels a table row.
            let label = ctx.word_count(si) <= 16 && !s.text.trim_end().ends_with('.');
            row = label.then_some((topics, si, 6));
            continue;
        }
        // No mention of its own. A remark-code legend line speaks through
        // the claim lines that cite its code, not through its neighbours.
        if ctx.grammar().legend.is_match(&s.text) && f.has_cues[si] {
            row = None;
            continue;
        }
        if let Some((rt, label, left)) = &mut row {
            if *left > 0 && ctx.word_count(si) <= 20 && !is_row_label(ctx, f, si) {
                *left -= 1;
                attr[si] = rt.iter().map(|&t| (t, Via::TableCell)).collect();
                lender[si] = Some(*label);
                continue;
            }
            row = None;
        }
        if let Some(l) = s.lead_in
            && !attr[l].is_empty()
        {
            attr[si] = attr[l].iter().map(|&(t, _)| (t, Via::LeadIn)).collect();
            lender[si] = if f.mentions[l].is_empty() {
                lender[l]
            } else {
                Some(l)
            };
            continue;
        }
        if let Some((ft, fsi)) = &focus {
            let recent = si - fsi <= 3 || ctx.sentences[*fsi].block == s.block;
            if recent && (ctx.is_anaphoric(si) || ctx.grammar().demonstrative.is_match(&s.text)) {
                attr[si] = ft.iter().map(|&t| (t, Via::Focus)).collect();
                lender[si] = Some(*fsi);
                continue;
            }
        }
        if let Some(h) = s.heading
            && !attr[h].is_empty()
        {
            attr[si] = attr[h].iter().map(|&(t, _)| (t, Via::Heading)).collect();
            lender[si] = Some(h);
            continue;
        }
        if s.section == SectionKind::Criteria
            && let Some((ft, fsi)) = &focus
        {
            attr[si] = ft.iter().map(|&t| (t, Via::Focus)).collect();
            lender[si] = Some(*fsi);
        }
    }
    Attributed {
        topics: attr,
        lender,
    }
}

/// Whether a drug mention can be what a cue speaks of: not itself negated
/// ("visits that are not part of a ketamine program are covered"), and,
/// when it follows the cue, not inside a subordinate clause.
pub(super) fn governs(ctx: &Context<'_>, cue: &Cue, mention: &(Topic, usize, usize)) -> bool {
    // A negation that belongs to a coverage phrase ("Coverage is not
    // provided for ketamine") negates the predicate, not the drug.
    if let Some(neg) = ctx.cues[mention.2].scope.negated_by {
        let in_cue = ctx.sentence_cues(cue.sentence).any(|(_, c)| {
            ctx.rule(c).category.is_coverage() && c.hit.start <= neg.start && neg.end <= c.hit.end
        });
        if !in_cue {
            return false;
        }
    }
    if mention.1 <= cue.hit.start {
        return true;
    }
    let between = &ctx.flat[cue.hit.end.min(mention.1)..mention.1];
    !between.split(|c: char| !c.is_ascii_alphabetic()).any(|w| {
        let w = w.to_ascii_lowercase();
        ctx.grammar().subordinators.contains(&w)
    })
}

/// For a cue in a sentence naming both drugs, the topics its clause is
/// about: the nearest preceding mention in the clause (with mentions
/// coordinated to it, "ketamine and esketamine"), else the nearest
/// following one, else the nearest before it in the sentence.
pub(super) fn topics_for_cue(
    ctx: &Context<'_>,
    cue: &Cue,
    mentions: &[(Topic, usize, usize)],
) -> Vec<Topic> {
    let governing: Vec<(Topic, usize, usize)> = mentions
        .iter()
        .copied()
        .filter(|m| governs(ctx, cue, m))
        .collect();
    let mentions = governing.as_slice();
    let distinct: BTreeSet<Topic> = mentions.iter().map(|m| m.0).collect();
    if distinct.len() <= 1 {
        return distinct.into_iter().collect();
    }
    let at = cue.hit.start;
    let before = mentions
        .iter()
        .filter(|m| m.1 < at && !ctx.clause_break(m.1, at))
        .max_by_key(|m| m.1);
    let after = mentions
        .iter()
        .filter(|m| m.1 > at && !ctx.clause_break(at, m.1))
        .min_by_key(|m| m.1);
    // A phrase that ends waiting for its object ("required for
    // consideration of", "criteria for") is about what follows it.
    let takes_object = ctx
        .matched(cue)
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .next()
        .is_some_and(|w| ctx.grammar().object_words.contains(&w.to_ascii_lowercase()));
    let (first, second) = if takes_object {
        (after, before)
    } else {
        (before, after)
    };
    let anchor = first
        .or(second)
        .or_else(|| mentions.iter().filter(|m| m.1 < at).max_by_key(|m| m.1))
        .or_else(|| mentions.first());
    let Some(&(t0, p0, _)) = anchor else {
        return Vec::new();
    };
    let mut out = vec![t0];
    for &(t, p, _) in mentions {
        if t == t0 {
            continue;
        }
        let (a, b) = (p.min(p0), p.max(p0));
        let between = ctx.flat[a..b].to_ascii_lowercase();
        let g = ctx.grammar();
        let coordinated = between.len() < 60
            && g.coordinators.iter().any(|w| {
                if w.trim().is_empty() || w.starts_with(' ') || w.ends_with(' ') {
                    between.contains(w.as_str())
                } else {
                    between.trim_end().ends_with(w.as_str())
                }
            })
            && !ctx.clause_break(a, b)
            && !g.contrasts.iter().any(|w| between.contains(w.as_str()));
        if coordinated {
            out.push(t);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The cue shown beside a statement: the cue it took its meaning from, the
/// mention in the sentence that lent its topic, or the subject of a
/// sentence that began on an earlier page.
pub(super) fn anchor_of(
    ctx: &Context<'_>,
    f: &Facts,
    lender: &[Option<usize>],
    st: &Statement,
) -> Option<usize> {
    if st.source.is_some() {
        return st.source;
    }
    let si = ctx.cues[st.cue].sentence;
    let mention_in = |s: usize| f.mentions[s].iter().find(|m| m.0 == st.topic).map(|m| m.2);
    match st.via {
        Via::Mention => {
            let m = mention_in(si)?;
            let page = |c: usize| ctx.text.page_index(ctx.cues[c].hit.start);
            (page(m) != page(st.cue)).then_some(m)
        }
        Via::Document | Via::Legend | Via::Listing => None,
        _ => lender[si].and_then(mention_in),
    }
}
