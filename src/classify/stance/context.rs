//! Per-document facts the later steps share: the drug mentions that count
//! in each sentence (not anesthetic, not redirected), which sentences hold
//! coverage cues, the drug a document is about, table cells repeated down a
//! column, remark-code legends, and the clause and anaphora tests on the
//! sentence-structure vocabulary (`patterns/grammar.toml`).
//!
//! Must not: tie sentences to topics or read statements.

use super::*;

/// Per-sentence facts used by attribution and statements.
pub(super) struct Facts {
    /// Effective drug mentions: (topic, hit start, cue index).
    pub(super) mentions: Vec<Vec<(Topic, usize, usize)>>,
    /// Whether the sentence holds a coverage cue.
    pub(super) has_cues: Vec<bool>,
    /// Topics mentioned (effectively) outside informative sections.
    pub(super) doc_topics: BTreeSet<Topic>,
}

impl Context<'_> {
    /// Whether a clause boundary lies between two offsets.
    pub(super) fn clause_break(&self, from: usize, to: usize) -> bool {
        let seg = &self.flat[from..to];
        if seg
            .char_indices()
            .any(|(i, c)| c == ';' || (c == '.' && seg[i + 1..].starts_with(' ')))
        {
            return true;
        }
        let lower = seg.to_ascii_lowercase();
        self.grammar()
            .clause_breaks
            .iter()
            .any(|w| lower.contains(w.as_str()))
    }

    /// Whether a sentence refers back to the drug of an earlier statement:
    /// it opens with an anaphor ("It is covered when..."), or a clause
    /// inside it does, shown by a capital after a row label that a grid
    /// flattened into the sentence ("Commercial PPO This is not a covered
    /// service").
    pub(super) fn is_anaphoric(&self, si: usize) -> bool {
        let text = self.sentences[si].text.trim_start();
        let opens = |t: &str| {
            let t = t.to_lowercase();
            self.grammar()
                .anaphora
                .iter()
                .any(|a| t.starts_with(a.as_str()))
        };
        opens(text)
            || ["This ", "These ", "It ", "They "].iter().any(|pronoun| {
                text.match_indices(pronoun)
                    .any(|(i, _)| text[..i].ends_with(' ') && opens(&text[i..]))
            })
    }

    pub(super) fn sentence_cues(&self, si: usize) -> impl Iterator<Item = (usize, &Cue)> + '_ {
        self.by_sentence[si]
            .iter()
            .map(move |&c| (c, &self.cues[c]))
    }
}

/// Drug mentions in a sentence that count: not anesthetic, not redirected
/// to another policy.
pub(super) fn effective_mentions(ctx: &Context<'_>, si: usize) -> Vec<(Topic, usize, usize)> {
    let redirects: Vec<usize> = ctx
        .sentence_cues(si)
        .filter(|(_, c)| ctx.rule(c).tag.as_deref() == Some("redirect"))
        .map(|(_, c)| c.hit.start)
        .collect();
    let mut out = Vec::new();
    for (ci, cue) in ctx.sentence_cues(si) {
        let rule = ctx.rule(cue);
        let (Category::Name, Some(topic)) = (rule.category, rule.topic) else {
            continue;
        };
        let out_of_scope = ctx
            .topic_def(topic)
            .is_none_or(|d| d.sets_aside(|t| ctx.has_tag(si, t)).is_some());
        if out_of_scope {
            continue;
        }
        let redirected = redirects
            .iter()
            .any(|&r| !ctx.clause_break(cue.hit.start.min(r), cue.hit.start.max(r)));
        if !redirected {
            out.push((topic, cue.hit.start, ci));
        }
    }
    out
}

pub(super) fn facts(ctx: &Context<'_>) -> Facts {
    let n = ctx.sentences.len();
    let mentions: Vec<_> = (0..n).map(|si| effective_mentions(ctx, si)).collect();
    let has_cues = (0..n)
        .map(|si| {
            ctx.sentence_cues(si)
                .any(|(_, c)| ctx.rule(c).category.is_coverage())
        })
        .collect();
    let doc_topics = (0..n)
        .filter(|&si| !never_counts(ctx.sentences[si].section))
        .flat_map(|si| mentions[si].iter().map(|m| m.0))
        .collect();
    Facts {
        mentions,
        has_cues,
        doc_topics,
    }
}

pub(super) fn never_counts(section: SectionKind) -> bool {
    matches!(
        section,
        SectionKind::Rationale
            | SectionKind::References
            | SectionKind::History
            | SectionKind::Notices
    )
}

pub(super) fn topics_of(m: &[(Topic, usize, usize)]) -> Vec<Topic> {
    let set: BTreeSet<Topic> = m.iter().map(|x| x.0).collect();
    set.into_iter().collect()
}

/// Short cue-only sentences that repeat on three or more rows of a table
/// ("Not covered" in an out-of-network column).
pub(super) fn repeated_cells(ctx: &Context<'_>) -> BTreeSet<usize> {
    let mut by_text: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (si, s) in ctx.sentences.iter().enumerate() {
        if s.text.split_whitespace().count() <= 5 {
            by_text.entry(s.text.to_lowercase()).or_default().push(si);
        }
    }
    by_text
        .into_values()
        .filter(|v| v.len() >= 3)
        .flatten()
        .collect()
}

/// Remark-code legends: code → sentence that defines it.
pub(super) fn legends(ctx: &Context<'_>, f: &Facts) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for (si, s) in ctx.sentences.iter().enumerate() {
        if !f.has_cues[si] {
            continue;
        }
        if let Some(c) = ctx.grammar().legend.captures(&s.text) {
            out.entry(c[1].to_string()).or_insert(si);
        }
    }
    out
}

/// The drug a document is about: the only drug it names, named in its
/// title block (its first sentences or a title line of its first page), or named again and
/// again in a short document. A long multi-purpose document that names a
/// drug once is not about it.
pub(super) fn subject_of(ctx: &Context<'_>, f: &Facts, single: Option<Topic>) -> Option<Topic> {
    let topic = single?;
    let named = |si: usize| f.mentions[si].iter().any(|m| m.0 == topic);
    let n = ctx.sentences.len();
    let in_title_block = (0..n).any(|si| named(si) && in_title_block(ctx, si));
    let short = ctx.text.page_count() <= SHORT_DOCUMENT_PAGES;
    let repeated = (0..n).filter(|&si| named(si)).count() >= 3;
    (in_title_block || (short && repeated)).then_some(topic)
}

/// A document of at most this many pages that names one drug again and
/// again is about that drug.
pub(super) const SHORT_DOCUMENT_PAGES: usize = 6;
