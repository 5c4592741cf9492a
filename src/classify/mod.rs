//! From rule hits to decisions: sentences, cues with their negation and
//! hedging, topic attribution, stances, codes and metadata.
//!
//! Owns: the order of the classification stages and the [`Analysis`] they
//! produce. Each stage lives in its own file: `section` (layout, headers,
//! headings), `sentence` (segmentation), `negation` (scope), `stance/`
//! (context, attribution, statements, aggregation, trace: one file each),
//! `parity`, `codes`, `metadata`. The words these steps read structure
//! from are data (`patterns/grammar.toml`), not Rust.
//!
//! Must not: read files or extract text (that is `extract`), or format
//! output (that is `report`).

pub mod codes;
pub mod criteria_detail;
pub mod kind;
pub mod metadata;
pub mod negation;
pub mod parity;
pub mod section;
pub mod sentence;
#[cfg(test)]
mod snippets;
pub mod stance;

use std::collections::BTreeSet;

use crate::matcher::{Hit, Matcher};
use crate::model::{CodeRef, Finding, Metadata, Topic, Topics};
use crate::normalize::NormalizedText;
use crate::patterns::{Category, Direction};

use self::negation::{Scope, Triggers};
use self::sentence::Sentence;

/// The classification of one document.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Per-topic decisions.
    pub topics: Topics,
    /// Every reportable hit, in document order.
    pub findings: Vec<Finding>,
    /// Codes, once each.
    pub codes: Vec<CodeRef>,
    /// Stated metadata.
    pub metadata: Metadata,
    /// Every hit considered per topic, for `explain`.
    pub trace: Vec<stance::TraceEntry>,
    /// What the document is, read from its title block.
    pub kind: kind::DocumentKind,
}

/// What `explain` shows beside the report: the document's kind and every
/// hit considered per topic.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// What the document is.
    pub kind: kind::DocumentKind,
    /// Every hit considered per topic.
    pub trace: Vec<stance::TraceEntry>,
}

/// The text the matcher scans: line and page breaks become spaces, so
/// phrases match across wrapped lines while byte offsets stay those of the
/// normalized text.
pub fn flatten(text: &str) -> String {
    text.replace(['\n', '\x0c'], " ")
}

/// A hit with its sentence and its negation / hedge scope.
#[derive(Debug, Clone, Copy)]
pub struct Cue {
    /// The hit.
    pub hit: Hit,
    /// Index of the sentence.
    pub sentence: usize,
    /// Negation and hedging.
    pub scope: Scope,
}

/// Everything the stance stage needs about one document.
pub struct Context<'a> {
    /// The normalized text with its offset map.
    pub text: &'a NormalizedText,
    /// The flattened text the hits refer to.
    pub flat: &'a str,
    /// The compiled rules.
    pub matcher: &'a Matcher,
    /// The sentences.
    pub sentences: Vec<Sentence>,
    /// Hits per sentence (indices into `cues`), in order.
    pub by_sentence: Vec<Vec<usize>>,
    /// Every kept hit with its scope.
    pub cues: Vec<Cue>,
    /// Context tags present per sentence.
    pub tags: Vec<BTreeSet<String>>,
    /// What the document is.
    pub kind: kind::DocumentKind,
    /// Whether the document speaks as a letter (read once, used by the kind
    /// and by the stance stage).
    pub letter: bool,
}

impl Context<'_> {
    /// The rule of a cue.
    pub fn rule(&self, cue: &Cue) -> &crate::patterns::Rule {
        &self.matcher.rules()[cue.hit.rule]
    }

    /// The matched text of a cue.
    pub fn matched(&self, cue: &Cue) -> &str {
        &self.flat[cue.hit.start..cue.hit.end]
    }

    /// The definition of a drug or treatment topic.
    pub fn topic_def(&self, topic: Topic) -> Option<&crate::patterns::TopicDef> {
        self.matcher.pattern_set().topic_def(topic)
    }

    /// The sentence-structure vocabulary of the pattern library.
    pub fn grammar(&self) -> &crate::patterns::Grammar {
        &self.matcher.pattern_set().grammar
    }

    /// How many words sentence `si` has.
    pub fn word_count(&self, si: usize) -> usize {
        self.sentences[si].text.split_whitespace().count()
    }

    /// Whether sentence `s` carries a context tag.
    pub fn has_tag(&self, s: usize, tag: &str) -> bool {
        self.tags[s].contains(tag)
    }

    /// Builds the report form of a cue.
    pub fn finding(&self, cue: &Cue, topic: Option<Topic>) -> Finding {
        let rule = self.rule(cue);
        let (page, line) = self.text.locate(cue.hit.start);
        let s = &self.sentences[cue.sentence];
        Finding {
            rule: rule.id.clone(),
            category: rule.category_name().to_string(),
            topic,
            page,
            line,
            start: cue.hit.start,
            end: cue.hit.end,
            text: self.text.text()[cue.hit.start..cue.hit.end].replace(['\n', '\x0c'], " "),
            sentence: s.text.clone(),
            negated: cue.scope.negated,
            hedged: cue.scope.hedged,
            section: s.section.as_str().to_string(),
            ocr: false,
        }
    }
}

/// Classifies one document.
pub fn analyze(text: &NormalizedText, matcher: &Matcher) -> Analysis {
    let flat = flatten(text.text());
    // What metadata reading builds on first use is built on another core
    // meanwhile (a no-op once built).
    let ((sentences, hits), ()) = rayon::join(
        || {
            let lines = section::layout(text, matcher);
            let sentences = sentence::segment(text.text(), &lines, &matcher.pattern_set().grammar);
            let hits = resolve_overlaps(matcher, matcher.find_all(&flat));
            (sentences, hits)
        },
        metadata::prepare,
    );

    // Map each hit to the sentence holding its start; drop hits outside
    // any sentence (running headers, footers, page numbers).
    let mut pieces: Vec<(usize, usize, usize)> = sentences
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.pieces.iter().map(move |r| (r.start, r.end, i)))
        .collect();
    pieces.sort_unstable();
    let sentence_of = |offset: usize| -> Option<usize> {
        let k = pieces.partition_point(|&(start, _, _)| start <= offset);
        let &(start, end, i) = pieces.get(k.checked_sub(1)?)?;
        (start <= offset && offset < end.max(start + 1)).then_some(i)
    };

    let mut by_sentence: Vec<Vec<Hit>> = vec![Vec::new(); sentences.len()];
    // Running headers and footers are no sentences, but they are where a
    // document often says what it is ("Medical Policy", "Provider Alert").
    let mut running_kinds = BTreeSet::new();
    for h in hits {
        if let Some(s) = sentence_of(h.start) {
            by_sentence[s].push(h);
        } else if let Some(tag) = matcher.rules()[h.rule].tag.as_deref()
            && kind::is_kind_tag(tag)
        {
            running_kinds.insert(tag.to_string());
        }
    }

    let mut cues = Vec::new();
    let mut cue_index: Vec<Vec<usize>> = vec![Vec::new(); sentences.len()];
    let mut tags: Vec<BTreeSet<String>> = vec![BTreeSet::new(); sentences.len()];
    for (si, shits) in by_sentence.iter().enumerate() {
        let mut t = Triggers::default();
        let mut pseudo = Vec::new();
        for h in shits {
            let rule = &matcher.rules()[h.rule];
            match rule.category {
                Category::Negation => match rule.direction {
                    Direction::Forward => t.forward.push(*h),
                    Direction::Backward => t.backward.push(*h),
                },
                Category::PseudoNegation => pseudo.push(*h),
                Category::Hedge => t.hedge.push(*h),
                Category::Termination => t.termination.push(*h),
                Category::Context => {
                    if let Some(tag) = &rule.tag {
                        tags[si].insert(tag.clone());
                    }
                }
                _ => {}
            }
        }
        t.remove_pseudo(&pseudo);
        for h in shits {
            let rule = &matcher.rules()[h.rule];
            let scope = if rule.category.is_reported()
                || matches!(rule.category, Category::Context | Category::Limitation)
            {
                negation::scope(&flat, h, &t, rule.negative)
            } else {
                Scope::default()
            };
            cue_index[si].push(cues.len());
            cues.push(Cue {
                hit: *h,
                sentence: si,
                scope,
            });
        }
    }

    let mut ctx = Context {
        text,
        flat: &flat,
        matcher,
        sentences,
        by_sentence: cue_index,
        cues,
        tags,
        kind: kind::DocumentKind::Unknown,
        letter: false,
    };
    ctx.letter = kind::letter_voice(&ctx);
    ctx.kind = kind::detect(&ctx, &running_kinds);
    let mut decided = stance::decide(&ctx);
    let (parity, parity_trace) = parity::decide(&ctx);
    decided.topics.mental_health_parity = parity;
    decided.trace.extend(parity_trace);
    let codes = codes::extract(&ctx);
    let metadata = metadata::extract(&ctx);

    let mut findings = Vec::new();
    for (ci, cue) in ctx.cues.iter().enumerate() {
        let rule = ctx.rule(cue);
        if !rule.category.is_reported() || rule.category == Category::Code {
            continue;
        }
        let topic = rule.topic.or_else(|| decided.cue_topic(ci));
        findings.push(ctx.finding(cue, topic));
    }
    findings.extend(codes.findings.iter().cloned());
    findings.sort_by(|a, b| (a.start, a.end, &a.rule).cmp(&(b.start, b.end, &b.rule)));

    Analysis {
        topics: decided.topics,
        findings,
        codes: codes.codes,
        metadata,
        trace: decided.trace,
        kind: ctx.kind,
    }
}

/// Drops hits that another hit makes meaningless: a ketamine mention
/// inside an esketamine name ("S-ketamine"), and a positive coverage cue
/// inside a negative one ("covered" inside "not covered").
fn resolve_overlaps(matcher: &Matcher, mut hits: Vec<Hit>) -> Vec<Hit> {
    let rules = matcher.rules();
    let coverage = Category::is_coverage;
    let set = matcher.pattern_set();
    // Whether a name of `x`'s topic yields to an overlapping name of `y`'s.
    let confused = |x: &crate::patterns::Rule, y: &crate::patterns::Rule| {
        x.category == Category::Name
            && y.category == Category::Name
            && matches!((x.topic, y.topic), (Some(tx), Some(ty))
                if set.topic_def(tx).is_some_and(|d| d.not_confused_with.contains(&ty)))
    };
    let mut drop = vec![false; hits.len()];
    for i in 0..hits.len() {
        let a = hits[i];
        let ra = &rules[a.rule];
        for (j, b) in hits.iter().enumerate().skip(i + 1) {
            if b.start >= a.end {
                break;
            }
            let rb = &rules[b.rule];
            let contains = |x: &Hit, y: &Hit| x.start <= y.start && y.end <= x.end;
            // a name inside another topic's name ("ketamine" in "S-ketamine")
            if confused(ra, rb) {
                drop[i] = true;
            }
            if confused(rb, ra) {
                drop[j] = true;
            }
            // Overlapping coverage cues of opposite sense: the negative
            // phrase wins ("not covered for" holds "covered for").
            if coverage(ra.category) && coverage(rb.category) && ra.category == rb.category {
                if ra.negative && !rb.negative {
                    drop[j] = true;
                }
                if rb.negative && !ra.negative {
                    drop[i] = true;
                }
            }
            if coverage(ra.category) && coverage(rb.category) && ra.category != rb.category {
                if ra.negative && !rb.negative && contains(&a, b) {
                    drop[j] = true;
                }
                if rb.negative && !ra.negative && contains(b, &a) {
                    drop[i] = true;
                }
            }
        }
    }
    let mut k = 0;
    hits.retain(|_| {
        let keep = !drop[k];
        k += 1;
        keep
    });
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random text mixing multi-byte letters, digits,
    /// codes, punctuation and policy words: analysis must never panic.
    #[test]
    fn analysis_survives_arbitrary_text() {
        let pieces = [
            "é",
            "á",
            "ü",
            "—",
            "’",
            "ﬁ",
            "\n",
            "\n\n",
            "\x0c",
            " ",
            ". ",
            "; ",
            ": ",
            "(",
            ")",
            "96365",
            "F33.2",
            "F332",
            "J3490",
            "-",
            "ketamine",
            "esketamine",
            "not ",
            "covered",
            "experimental",
            "unless",
            "• ",
            "1. ",
            "Page 2 of 3",
            "$40 copay",
            "EX41 ",
            "WA 98101",
            "Policy",
            "Background",
            "prior authorization",
            "mental health",
            "12/01/2024 ",
        ];
        let m = crate::test_matcher();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..200 {
            let mut text = String::new();
            for _ in 0..120 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            let pages: Vec<&str> = text.split('\x0c').collect();
            let norm = NormalizedText::from_pages(&pages);
            let a = analyze(&norm, m);
            for f in &a.findings {
                assert!(f.start <= f.end && f.end <= norm.text().len());
                assert!(f.page >= 1 && (f.page as usize) <= norm.page_count());
            }
        }
    }
}
