//! The payer: read from the places a document names the organisation that
//! stands behind it, in order of trust.
//!
//! 1. A listed payer in a running header or footer, then in the title
//!    block (letterhead).
//! 2. The document speaking of itself: "<Payer> considers ...", "<Payer>
//!    will cover ..." (the name said so most often).
//! 3. "underwritten by <Payer>", "insured by <Payer>".
//! 4. The issuer line of a Summary of Benefits and Coverage ("<Issuer>:
//!    <plan>"), for an issuer the vocabulary does not list.
//! 5. An organisation's name (a name ending "Health Plan", "Insurance
//!    Company", ...) in a running header or the title block.
//! 6. A copyright line.
//!
//! Regulators, guideline vendors, manufacturers and benefit-table phrases
//! are never the payer; a PBM is the payer only where the document states
//! it as its own (header, title block, copyright), never from a sentence
//! that names it as an administrator.
//!
//! Owns: those places and their order. Must not: read titles or labelled
//! fields (that is `title` and `metadata`).

use std::sync::LazyLock;

use regex::Regex;

use super::vocabulary::{Kind, NameHit, Vocabulary};
use super::{Doc, Found};

use crate::model::MetadataCue;
use crate::textutil::ascii_regex;

static SUBJECT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(?:subject|re)\s*:").expect("subject"));

/// An organisation's name: capitalised words ending in a suffix of the
/// vocabulary ("Health Plan", "Insurance Company").
static ORG: LazyLock<Regex> = LazyLock::new(|| org_regex(super::vocabulary::builtin()));

/// The verbs a payer's name comes before when a document speaks of its
/// payer ("... considers", "... reserves the right"), from the vocabulary.
static VERBS: LazyLock<Regex> = LazyLock::new(|| {
    let phrases = alternation(&super::vocabulary::builtin().self_reference);
    ascii_regex(&format!(r"(?i)\b(?:{phrases})\b"))
});

/// "Underwritten by", "insured by", from the vocabulary.
static BY: LazyLock<Regex> = LazyLock::new(|| {
    let phrases = alternation(&super::vocabulary::builtin().underwriter);
    ascii_regex(&format!(r"(?i)\b(?:{phrases})\s+(?:the\s+)?"))
});

/// Phrases of the vocabulary as regex alternatives, any run of white
/// space between their words.
fn alternation(phrases: &[String]) -> String {
    phrases
        .iter()
        .map(|v| regex::escape(v).replace(' ', r"\s+"))
        .collect::<Vec<_>>()
        .join("|")
}

/// A copyright notice, up to where its holder's name starts.
static COPYRIGHT: LazyLock<Regex> = LazyLock::new(|| {
    ascii_regex(
        r"(?i)(?:©|\(c\)\s*(?:19|20)\d\d|\bcopyright\b)\s*(?:(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?)?\s*,?\s*",
    )
});

/// Builds this module's regexes now (see [`super::prepare`]).
pub(super) fn prepare() {
    for re in [&SUBJECT, &ORG, &VERBS, &BY, &COPYRIGHT] {
        LazyLock::force(re);
    }
}

/// The payer found, with its canonical name when it is listed.
#[derive(Debug, Clone)]
pub(crate) struct Payer {
    /// The stated form, where and how it was read.
    pub found: Found,
    /// The vocabulary's canonical name.
    pub canonical: Option<String>,
}

/// Reads the payer of a document.
pub(crate) fn find(doc: &Doc<'_>, vocab: &Vocabulary) -> Option<Payer> {
    listed_in_block(doc, vocab)
        .or_else(|| self_reference(doc, vocab))
        .or_else(|| underwriter(doc, vocab))
        .or_else(|| issuer_line(doc, vocab))
        .or_else(|| org_in_block(doc, vocab))
        .or_else(|| copyright(doc, vocab))
}

/// The stated form of a name: trademark signs dropped, spaces collapsed.
fn stated(s: &str) -> String {
    let s: String = s
        .chars()
        .filter(|c| !matches!(c, '®' | '™' | '℠'))
        .collect();
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .trim_end_matches([',', '.', ':', ';'])
        .to_string()
}

fn payer_hits(vocab: &Vocabulary, line: &str, any_case: bool, pbm: bool) -> Vec<NameHit> {
    vocab
        .find(line, any_case)
        .into_iter()
        .filter(|h| {
            let k = vocab.entries[h.entry].kind;
            k.is_payer() && (pbm || k != Kind::Pbm)
        })
        .collect()
}

fn listed(vocab: &Vocabulary, line: &str, hit: NameHit, at: usize, cue: MetadataCue) -> Payer {
    Payer {
        found: Found {
            value: stated(&line[hit.start..hit.end]),
            at: at + hit.start,
            cue,
        },
        canonical: Some(vocab.entries[hit.entry].name.clone()),
    }
}

/// The running headers and footers, then the title block.
/// A running header counts on the first pages: a header that starts
/// later names a part of the document (a carrier's chapter of a benefits
/// guide), not the document. A "Subject:" or "Re:" line names what the
/// document is about, not who issues it.
fn block_lines(doc: &Doc<'_>) -> Vec<(usize, MetadataCue)> {
    let headers = (0..doc.lines.len())
        .filter(|&i| {
            doc.lines[i].boilerplate
                && doc.lines[i].page < 3
                && doc.line(i).chars().any(char::is_alphabetic)
        })
        .map(|i| (i, MetadataCue::RunningHeader));
    let block = doc
        .title_block(6)
        .into_iter()
        .map(|i| (i, MetadataCue::TitleBlock));
    headers
        .chain(block)
        .filter(|&(i, _)| !SUBJECT.is_match(doc.line(i)))
        .collect()
}

fn listed_in_block(doc: &Doc<'_>, vocab: &Vocabulary) -> Option<Payer> {
    for (i, cue) in block_lines(doc) {
        let line = doc.line(i);
        // A header written all in lower case ("acme | news") names its
        // payer in lower case too.
        let any_case = !line.chars().any(char::is_uppercase);
        if let Some(&h) = payer_hits(vocab, line, any_case, true).first() {
            return Some(listed(vocab, line, h, doc.lines[i].range.start, cue));
        }
        // An organisation's name in a letterhead written in capitals.
        let capitals = !line.chars().any(char::is_lowercase);
        if capitals && let Some(p) = org_at(doc, vocab, i, cue) {
            return Some(p);
        }
    }
    None
}

fn org_at(doc: &Doc<'_>, vocab: &Vocabulary, i: usize, cue: MetadataCue) -> Option<Payer> {
    let (start, name) = org_name(vocab, &ORG, doc.line(i))?;
    Some(Payer {
        found: Found {
            value: name,
            at: doc.lines[i].range.start + start,
            cue,
        },
        canonical: None,
    })
}

/// Finds a listed payer that ends right before `end` in `flat`.
fn payer_ending_at(vocab: &Vocabulary, flat: &str, end: usize) -> Option<(NameHit, usize)> {
    let mut from = end.saturating_sub(90);
    while !flat.is_char_boundary(from) {
        from += 1;
    }
    let window = &flat[from..end];
    let hit = *payer_hits(vocab, window, false, false).last()?;
    let gap = &window[hit.end..];
    gap.chars()
        .all(|c| c.is_whitespace() || matches!(c, '®' | '™' | '℠' | ','))
        .then_some((hit, from))
}

fn self_reference(doc: &Doc<'_>, vocab: &Vocabulary) -> Option<Payer> {
    let flat = doc.flat();
    // Count per canonical name; the first occurrence gives the stated form.
    let mut counts: Vec<(usize, usize, Payer)> = Vec::new();
    for m in VERBS.find_iter(flat) {
        let Some((hit, from)) = payer_ending_at(vocab, flat, m.start()) else {
            continue;
        };
        let window = &flat[from..];
        let p = listed(vocab, window, hit, from, MetadataCue::SelfReference);
        match counts.iter_mut().find(|(e, _, _)| *e == hit.entry) {
            Some(c) => c.1 += 1,
            None => counts.push((hit.entry, 1, p)),
        }
    }
    let best = counts.iter().map(|c| c.1).max()?;
    counts.into_iter().find(|c| c.1 == best).map(|c| c.2)
}

fn underwriter(doc: &Doc<'_>, vocab: &Vocabulary) -> Option<Payer> {
    let flat = doc.flat();
    for m in BY.find_iter(flat) {
        let mut end = (m.end() + 90).min(flat.len());
        while !flat.is_char_boundary(end) {
            end -= 1;
        }
        let window = &flat[m.end()..end];
        if let Some(&h) = payer_hits(vocab, window, false, false).first()
            && h.start == 0
        {
            return Some(listed(vocab, window, h, m.end(), MetadataCue::Underwriter));
        }
    }
    None
}

/// An SBC names its issuer before its plan: "<Issuer>: <plan>  Coverage
/// Period: ..." (the colon after "Coverage Period" or "Coverage for" is
/// not the issuer's).
fn issuer_line(doc: &Doc<'_>, vocab: &Vocabulary) -> Option<Payer> {
    let first: Vec<usize> = (0..doc.lines.len().min(6))
        .filter(|&i| doc.lines[i].page == 0)
        .collect();
    let is_sbc = first.iter().any(|&i| {
        doc.line(i)
            .to_lowercase()
            .contains("summary of benefits and coverage")
    });
    if !is_sbc {
        return None;
    }
    for i in first {
        let line = doc.line(i);
        if !is_issuer_line(line) {
            continue;
        }
        let Some(issuer) = issuer_of(line) else {
            continue;
        };
        let name = stated(issuer);
        let words = name.split_whitespace().count();
        let capital = name.chars().next().is_some_and(char::is_uppercase);
        if !(1..=8).contains(&words) || !capital || !acceptable(vocab, &name) {
            continue;
        }
        let at = doc.lines[i].range.start + (issuer.as_ptr() as usize - line.as_ptr() as usize);
        let canonical = vocab
            .lookup(&name)
            .filter(|&e| vocab.entries[e].kind.is_payer())
            .map(|e| vocab.entries[e].name.clone());
        return Some(Payer {
            found: Found {
                value: name,
                at,
                cue: MetadataCue::IssuerLine,
            },
            canonical,
        });
    }
    None
}

/// Whether a line of an SBC's first lines is its issuer line: it carries
/// the form's "Coverage Period" or "Coverage for", or starts with the
/// colon of an issuer printed as a logo.
pub(crate) fn is_issuer_line(line: &str) -> bool {
    let lower = line.to_lowercase();
    line.trim_start().starts_with(':')
        || ((lower.contains("coverage period") || lower.contains("coverage for"))
            && !lower.contains("summary of benefits and coverage"))
}

/// The issuer part of an SBC's issuer line, if the line has one.
pub(crate) fn issuer_of(line: &str) -> Option<&str> {
    let colon = line.find(':')?;
    let before = line[..colon].trim();
    let lower = before.to_lowercase();
    let form_label = [
        "coverage period",
        "coverage for",
        "plan type",
        "summary of benefits",
    ]
    .iter()
    .any(|l| lower.contains(l));
    (!before.is_empty() && !form_label).then_some(before)
}

/// Whether a name that the vocabulary may not list can be a payer: not a
/// regulator, vendor, manufacturer or table phrase, and not a generic
/// phrase ("Mental Health").
fn acceptable(vocab: &Vocabulary, name: &str) -> bool {
    if let Some(e) = vocab.lookup(name) {
        return vocab.entries[e].kind.is_payer();
    }
    // A not-payer covering the whole name.
    let hits = vocab.find(name, true);
    let covered = hits.iter().any(|h| {
        !vocab.entries[h.entry].kind.is_payer() && h.start == 0 && h.end >= name.trim_end().len()
    });
    !covered
}

fn org_regex(vocab: &Vocabulary) -> Regex {
    let mut suffixes: Vec<String> = vocab
        .org_suffixes
        .iter()
        .map(|s| regex::escape(s).replace(' ', r"\s+"))
        .collect();
    suffixes.sort_by_key(|s| std::cmp::Reverse(s.len()));
    Regex::new(&format!(
        r"\b((?:[A-Z][\w'’.&-]*\s+(?:(?i:of|and|&|the)\s+)?){{1,5}}(?i:{}))\b",
        suffixes.join("|")
    ))
    .expect("organisation regex")
}

/// Words that start a phrase, not a name.
const LEADING: &[&str] = &[
    "the",
    "this",
    "your",
    "our",
    "a",
    "an",
    "welcome",
    "to",
    "from",
    "by",
    "for",
    "with",
    "and",
    "all",
    "any",
    "each",
    "every",
    "if",
    "when",
    "under",
    "about",
    "important",
    "notice",
    "my",
];

/// An organisation's name in a line, when it is one.
fn org_name(vocab: &Vocabulary, re: &Regex, line: &str) -> Option<(usize, String)> {
    for c in re.captures_iter(line) {
        let m = c.get(1)?;
        let mut s = m.as_str();
        let mut start = m.start();
        while let Some((w, rest)) = s.split_once(char::is_whitespace) {
            if !LEADING.contains(&w.to_lowercase().as_str()) {
                break;
            }
            start += s.len() - rest.trim_start().len();
            s = rest.trim_start();
        }
        let name = stated(s);
        let own_word = name
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| !w.is_empty() && !vocab.org_generic_words.contains(&w.to_lowercase()));
        if name.split_whitespace().count() >= 2 && own_word && acceptable(vocab, &name) {
            return Some((start, name));
        }
    }
    None
}

fn org_in_block(doc: &Doc<'_>, vocab: &Vocabulary) -> Option<Payer> {
    let lines = block_lines(doc);
    lines.iter().enumerate().find_map(|(k, &(i, cue))| {
        org_at(doc, vocab, i, cue).or_else(|| {
            // A letterhead set on two lines ("Northwind Trading" / "Health
            // and Welfare Plan").
            let &(j, _) = lines.get(k + 1).filter(|&&(j, _)| j == i + 1)?;
            let joined = format!("{} {}", doc.line(i).trim_end(), doc.line(j).trim());
            let (start, name) = org_name(vocab, &ORG, &joined)?;
            (start == 0).then(|| Payer {
                found: Found {
                    value: name,
                    at: doc.lines[i].range.start + start,
                    cue,
                },
                canonical: None,
            })
        })
    })
}

fn copyright(doc: &Doc<'_>, vocab: &Vocabulary) -> Option<Payer> {
    let re = &*ORG;
    for i in 0..doc.lines.len() {
        let line = doc.line(i);
        let Some(m) = COPYRIGHT.find(line) else {
            continue;
        };
        let rest = &line[m.end()..];
        let at = doc.lines[i].range.start + m.end();
        if let Some(&h) = payer_hits(vocab, rest, false, true).first() {
            return Some(listed(vocab, rest, h, at, MetadataCue::Copyright));
        }
        if let Some((start, name)) = org_name(vocab, re, rest) {
            return Some(Payer {
                found: Found {
                    value: name,
                    at: at + start,
                    cue: MetadataCue::Copyright,
                },
                canonical: None,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::tests::meta;

    fn payer(pages: &[&str]) -> (Option<String>, Option<String>) {
        let m = meta(pages);
        (m.payer, m.payer_canonical)
    }

    #[test]
    fn running_header_names_the_payer() {
        let page = |n: u32| {
            format!(
                "Acme Blue Cross Blue Shield of North Dakota | Infusion Policy\n\nThe infusion is reviewed on page {n} of the document.\nMore text follows here in this paragraph.\n"
            )
        };
        let (p, c) = payer(&[&page(1), &page(2), &page(3)]);
        assert_eq!(p.as_deref(), Some("Blue Cross Blue Shield of North Dakota"));
        assert_eq!(c.as_deref(), Some("Blue Cross Blue Shield of North Dakota"));
    }

    #[test]
    fn lower_case_header_alias_maps_to_canonical() {
        let (p, c) =
            payer(&["bcbsnd | infusion notice\n\nThe infusion needs an approval first.\n"]);
        assert_eq!(p.as_deref(), Some("bcbsnd"));
        assert_eq!(c.as_deref(), Some("Blue Cross Blue Shield of North Dakota"));
    }

    #[test]
    fn self_reference_names_the_payer() {
        let (p, c) = payer(&[
            "Infusion Therapy for Mood Disorders\n\nPolicy\nAccording to MCG Health guidelines the infusion is reviewed.\nUHC considers the infusion experimental and investigational.\nUHC will cover the nasal spray when criteria are met.\n",
        ]);
        assert_eq!(p.as_deref(), Some("UHC"));
        assert_eq!(c.as_deref(), Some("UnitedHealthcare"));
    }

    #[test]
    fn self_reference_and_copyright_are_read_in_text_with_non_ascii_characters() {
        // Curly quotes, accents and symbols around the cues: the cue regexes
        // keep ASCII word boundaries, so they stay on the fast engines here
        // and still find the payer.
        let (p, c) = payer(&[
            "Infusion Therapy – “Mood” Disorders\n\nPolicy\nThe member’s café-style résumé is not reviewed.\nUHC considers the infusion experimental and investigational.\nUHC will cover the nasal spray when criteria are met.\n",
        ]);
        assert_eq!(p.as_deref(), Some("UHC"));
        assert_eq!(c.as_deref(), Some("UnitedHealthcare"));
        let (p, _) = payer(&[
            "Infusion Therapy – “Mood” Disorders\n\nThe café résumé is reviewed once.\n\n© 2026 Aetna Inc. All rights reserved.\n",
        ]);
        assert_eq!(p.as_deref(), Some("Aetna"));
    }

    #[test]
    fn guideline_vendor_is_not_a_payer() {
        let (p, _) = payer(&[
            "Infusion Therapy for Mood Disorders\n\nPolicy\nMCG Health considers the infusion experimental.\nInterQual criteria apply to the nasal spray.\n",
        ]);
        assert_eq!(p, None);
    }

    #[test]
    fn sbc_issuer_line_names_the_issuer() {
        let (p, c) = payer(&[
            "Summary of Benefits and Coverage: What this Plan Covers & What You Pay Coverage Period: 01/01/2026 - 12/31/2026\nLakeshore Teachers Trust: Gold Choice PPO Coverage for: Family | Plan Type: PPO\n\nThe Summary of Benefits and Coverage (SBC) document will help you choose a health plan.\nFor questions contact the Department of Managed Health Care at its help line.\n",
        ]);
        assert_eq!(p.as_deref(), Some("Lakeshore Teachers Trust"));
        assert_eq!(c, None);
    }

    #[test]
    fn regulator_is_not_a_payer() {
        let (p, _) = payer(&[
            "Summary of Benefits and Coverage: What this Plan Covers Coverage Period: 01/01/2026 - 12/31/2026\n: Gold Choice PPO Coverage for: Family | Plan Type: PPO\n\nYou can contact the Department of Managed Health Care for help with a grievance.\nThe Department of Managed Health Care has a toll-free telephone number.\n",
        ]);
        assert_eq!(p, None);
    }

    #[test]
    fn copyright_line_names_the_payer() {
        let (p, _) = payer(&[
            "Infusion Therapy for Mood Disorders\n\nPolicy\nThe infusion is experimental and investigational.\n\n© 2025 Northwind Health Plan. All rights reserved.\n",
        ]);
        assert_eq!(p.as_deref(), Some("Northwind Health Plan"));
    }

    #[test]
    fn table_phrases_are_not_payers() {
        let (p, _) = payer(&[
            "Not Covered Health Care Services\nMy Health Plan Tools\nLife Insurance Company\n\nPolicy\nThe infusion is experimental.\n",
        ]);
        assert_eq!(p, None);
    }

    #[test]
    fn pbm_named_as_administrator_is_not_the_payer() {
        let (p, _) = payer(&[
            "Member Handbook for Mood Disorder Care\n\nPolicy\nOptumRx will cover the nasal spray through the mail-order pharmacy.\n",
        ]);
        assert_eq!(p, None);
    }
}
