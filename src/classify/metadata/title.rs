//! The title: from the title block, never from a table or a date line.
//!
//! In order: the heading of a Summary of Benefits and Coverage with its
//! plan ("Summary of Benefits and Coverage: <plan>"); a labelled title
//! ("Title:", "Policy Name:", "Subject:", "Topic:"); the first line of the
//! title block (page one, above the first section heading) that names the
//! document. A running header, a line that only names the payer, a
//! table's column header, a table row, a date line, a label line and a web
//! page's frame ("Printer Friendly Version", "Home > ...") never name it.
//!
//! Owns: telling a title line from those. Must not: read the payer or the
//! labelled fields (that is `payer` and `metadata`).

use std::sync::LazyLock;

use regex::Regex;

use super::payer::{Payer, is_issuer_line, issuer_of};
use super::vocabulary::Vocabulary;
use super::{DATE, Doc, Found};
use crate::model::MetadataCue;

const SBC: &str = "summary of benefits and coverage";

static TITLE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"(?i)^\s*(?:policy\s+title|title|subject|policy\s+name|topic|re)\s*:\s*(.*?)\s*$",
    )
});

static FIELD_LINE: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"(?i)^\s*(?:date|number|(?:medical\s+|clinical\s+)?policy\s+(?:number|no|num|id)|effective|last|latest|review|revised|origination|category|section|page|reference\s+number|program\s+number)\b[^:]{0,30}:",
    )
});

/// An enumerated or bulleted item ("1. Review the request").
static ENUMERATED: LazyLock<Regex> =
    LazyLock::new(|| crate::textutil::ascii_regex(r"^(?:\d{1,2}[.)]|[•*▪◦-])\s"));

/// A sentence ending inside the line ("Inc. Unauthorized copying").
static SENTENCE_BREAK: LazyLock<Regex> =
    LazyLock::new(|| crate::textutil::ascii_regex(r#"[a-z0-9]{2}['’")]?\.\s+[A-Z][a-z]"#));

static DATE_RE: LazyLock<Regex> =
    LazyLock::new(|| crate::textutil::ascii_regex(&format!("(?i){DATE}")));

static PAGE_OF: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(r"(?i)\s*\bpage\s+\d{1,4}\s*(?:of|/)\s*\d{1,4}\s*$")
});

/// Builds this module's regexes now (see [`super::prepare`]).
pub(super) fn prepare() {
    for re in [
        &TITLE_LABEL,
        &FIELD_LINE,
        &ENUMERATED,
        &SENTENCE_BREAK,
        &DATE_RE,
        &PAGE_OF,
    ] {
        LazyLock::force(re);
    }
}

/// Reads the title of a document.
pub(crate) fn find(doc: &Doc<'_>, vocab: &Vocabulary, payer: Option<&Payer>) -> Option<Found> {
    sbc(doc)
        .or_else(|| labelled(doc, vocab))
        .or_else(|| title_line(doc, vocab, payer))
}

fn sbc(doc: &Doc<'_>) -> Option<Found> {
    let first: Vec<usize> = (0..doc.lines.len().min(6))
        .filter(|&i| doc.lines[i].page == 0)
        .collect();
    let &h = first
        .iter()
        .find(|&&i| doc.line(i).to_lowercase().contains(SBC))?;
    // The plan: after the issuer's colon (or a bare leading colon when the
    // issuer is a logo), up to the form's own labels.
    let plan = first.iter().find_map(|&i| {
        let line = doc.line(i);
        if !is_issuer_line(line) {
            return None;
        }
        let after = match issuer_of(line) {
            Some(issuer) => &line[issuer.len() + (line.len() - line.trim_start().len())..],
            None if line.trim_start().starts_with(':') => line.trim_start(),
            None => return None,
        };
        let after = after.trim_start().strip_prefix(':')?.trim();
        let lower = after.to_lowercase();
        let cut = ["coverage period", "coverage for"]
            .iter()
            .filter_map(|l| lower.find(l))
            .min()
            .unwrap_or(after.len());
        let plan = after[..cut].trim().trim_end_matches(['|', ',']).trim();
        (!plan.is_empty()).then(|| plan.to_string())
    });
    let value = match plan {
        Some(p) => format!("Summary of Benefits and Coverage: {p}"),
        None => "Summary of Benefits and Coverage".to_string(),
    };
    Some(Found {
        value,
        at: doc.lines[h].range.start,
        cue: MetadataCue::SbcHeading,
    })
}

fn labelled(doc: &Doc<'_>, vocab: &Vocabulary) -> Option<Found> {
    let page_one: Vec<usize> = (0..doc.lines.len())
        .filter(|&i| doc.lines[i].page == 0)
        .collect();
    for (k, &i) in page_one.iter().enumerate() {
        let Some(c) = TITLE_LABEL.captures(doc.line(i)) else {
            continue;
        };
        // A bullet in mid-line starts a second column.
        let column = |s: &'_ str| s.split(" • ").next().unwrap_or("").trim().to_string();
        let mut t = column(&c[1]);
        let next = page_one.get(k + 1).map(|&j| column(doc.line(j)));
        let next = next.as_deref();
        if t.is_empty() {
            // "Topic:" with its value on the next line.
            t = next?.to_string();
        } else if let Some(n) = next
            && wraps(&t, n)
        {
            t = format!("{t} {n}");
        }
        if is_title(vocab, &t) {
            return Some(Found {
                value: t,
                at: doc.lines[i].range.start,
                cue: MetadataCue::Label,
            });
        }
    }
    None
}

/// Whether `next` continues a title line that wrapped.
fn wraps(t: &str, next: &str) -> bool {
    let last = t.rsplit(' ').next().unwrap_or("").to_lowercase();
    let joins = matches!(
        last.as_str(),
        "and" | "or" | "of" | "for" | "with" | "the" | "in" | "to" | "-" | "–" | ":"
    );
    let continues = next.chars().next().is_some_and(char::is_lowercase);
    (joins || continues) && t.len() + next.len() < 160 && !next.ends_with('.')
}

fn title_line(doc: &Doc<'_>, vocab: &Vocabulary, payer: Option<&Payer>) -> Option<Found> {
    let block = doc.title_block(12);
    // The line the payer was read from in the header or title block is
    // the running header or letterhead.
    let payer_line = payer
        .filter(|p| {
            matches!(
                p.found.cue,
                MetadataCue::RunningHeader | MetadataCue::TitleBlock
            )
        })
        .map(|p| p.found.at);
    for (k, &i) in block.iter().enumerate() {
        let range = doc.lines[i].range.clone();
        if payer_line.is_some_and(|at| range.contains(&at)) {
            continue;
        }
        if continues_a_paragraph(doc, vocab, i, payer_line) {
            continue;
        }
        let line = PAGE_OF.replace(doc.line(i), "");
        // A bullet in mid-line starts a second column.
        let line = line.split(" • ").next().unwrap_or("").trim();
        if !is_title(vocab, line) || names_only_an_organisation(vocab, line) {
            continue;
        }
        let mut t = line.to_string();
        let next = block
            .get(k + 1)
            .filter(|&&j| j == i + 1)
            .map(|&j| doc.line(j).split(" • ").next().unwrap_or("").trim());
        if let Some(next) = next {
            let lower = next.chars().next().is_some_and(char::is_lowercase);
            if lower {
                // The first line of a paragraph, unless the two lines read
                // together as a title.
                let joined = format!("{t} {next}");
                if reads_as_sentence(vocab, &joined) {
                    continue;
                }
                t = joined;
            } else if wraps(&t, next) && is_title(vocab, next) {
                t = format!("{t} {next}");
            }
        }
        return Some(Found {
            value: t,
            at: range.start,
            cue: MetadataCue::TitleLine,
        });
    }
    None
}

/// Whether line `i` continues the text of the line above: the tail of a
/// hyphenated word, or the rest of a sentence (the line above starts in
/// lower case, or holds a verb and does not end its sentence).
fn continues_a_paragraph(
    doc: &Doc<'_>,
    vocab: &Vocabulary,
    i: usize,
    payer_line: Option<usize>,
) -> bool {
    let Some(p) = i.checked_sub(1) else {
        return false;
    };
    let l = &doc.lines[p];
    if l.page != doc.lines[i].page
        || l.boilerplate
        || payer_line.is_some_and(|at| l.range.contains(&at))
    {
        return false;
    }
    let prev = doc.line(p).split(" • ").next().unwrap_or("").trim();
    if prev.ends_with('-') && !prev.ends_with(" -") {
        return true;
    }
    if prev.ends_with(['.', '!', '?', ':']) {
        return false;
    }
    let ws = words(prev);
    let lower_start = prev.chars().next().is_some_and(char::is_lowercase);
    let verb = ws.iter().any(|w| vocab.sentence_verbs.contains(*w));
    lower_start || (verb && ws.len() >= 6)
}

/// Whether text reads as a sentence: a lower-case finite verb, a sentence
/// ending inside or at its end.
fn reads_as_sentence(vocab: &Vocabulary, t: &str) -> bool {
    t.trim_end().ends_with('.')
        || SENTENCE_BREAK.is_match(t)
        || words(t).iter().any(|w| vocab.sentence_verbs.contains(*w))
}

/// A line that names an organisation and hardly anything else ("Acme |
/// News"): a letterhead or running header.
fn names_only_an_organisation(vocab: &Vocabulary, line: &str) -> bool {
    let hits = vocab.find(line, !line.chars().any(char::is_uppercase));
    if hits.is_empty() {
        return false;
    }
    let mut rest = String::new();
    let mut from = 0;
    for h in &hits {
        rest.push_str(&line[from..h.start]);
        rest.push(' ');
        from = h.end;
    }
    rest.push_str(&line[from..]);
    words(&rest).len() <= 3
}

fn words(s: &str) -> Vec<&str> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
        .collect()
}

const FUNCTION: &[&str] = &[
    "and", "or", "of", "the", "for", "in", "to", "a", "an", "with", "on", "by", "at", "vs",
];

/// Whether a line can be a document's title.
pub(crate) fn is_title(vocab: &Vocabulary, line: &str) -> bool {
    let t = line.trim();
    let ws = words(t);
    if ws.len() < 2 || ws.len() > 24 || t.len() > 200 {
        return false;
    }
    if !t
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
    {
        return false;
    }
    if t.ends_with(['.', ',', ';', ':']) || t.contains(" > ") || t.contains("<<") {
        return false;
    }
    let lower = t.to_lowercase();
    if vocab
        .frame_lines
        .contains(lower.trim_matches(|c: char| !c.is_alphanumeric()))
    {
        return false;
    }
    if FIELD_LINE.is_match(t) || ENUMERATED.is_match(t) || SENTENCE_BREAK.is_match(t) {
        return false;
    }
    if ws.iter().any(|w| vocab.sentence_verbs.contains(*w)) {
        return false;
    }
    // Cells of a table: "a | b |".
    if t.matches('|').count() >= 2 {
        return false;
    }
    !is_date_line(t) && !is_table_header(vocab, &ws) && !is_table_row(&ws)
}

/// A line that is a date with at most two other words ("July 2026",
/// "January 1 - December 31, 2026", "March 16, 2023 (last updated)").
fn is_date_line(t: &str) -> bool {
    if !DATE_RE.is_match(t) {
        return false;
    }
    let rest = DATE_RE.replace_all(t, " ");
    let month = |w: &str| {
        let w = w.to_lowercase();
        w.len() >= 3
            && [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ]
            .iter()
            .any(|m| m.starts_with(&w))
    };
    words(&rest)
        .iter()
        .filter(|w| w.chars().any(char::is_alphabetic) && !month(w))
        .count()
        <= 2
}

/// A table's column header: its words are column words ("Important
/// Questions Answers", "Drug Name Form Strength").
fn is_table_header(vocab: &Vocabulary, ws: &[&str]) -> bool {
    let alpha: Vec<String> = ws
        .iter()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .map(|w| w.to_lowercase())
        .collect();
    if alpha.is_empty() {
        return true;
    }
    let known = alpha
        .iter()
        .filter(|w| vocab.column_words.contains(*w))
        .count();
    known == alpha.len() || (alpha.len() >= 3 && known * 4 >= alpha.len() * 3)
}

/// A table row: a word repeated across cells, a run of short upper-case
/// codes, or mostly numbers.
fn is_table_row(ws: &[&str]) -> bool {
    let lower: Vec<String> = ws.iter().map(|w| w.to_lowercase()).collect();
    let repeated = lower.iter().enumerate().any(|(i, w)| {
        w.chars().count() >= 2 && !FUNCTION.contains(&w.as_str()) && lower[i + 1..].contains(w)
    });
    let codes = ws
        .iter()
        .filter(|w| {
            (2..=4).contains(&w.len())
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
        .count();
    let numbers = ws
        .iter()
        .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
        .count();
    // A long number is an identifier in a row (NDC, member id).
    let long_number = ws
        .iter()
        .any(|w| w.len() >= 6 && w.chars().all(|c| c.is_ascii_digit()));
    repeated || codes >= 3 || long_number || numbers * 5 >= ws.len() * 2
}

#[cfg(test)]
mod tests {
    use super::super::tests::meta;
    use super::super::vocabulary::builtin;
    use super::*;

    #[test]
    fn table_header_is_not_a_title() {
        assert!(!is_title(
            builtin(),
            "Important Questions Answers Why This Matters"
        ));
        assert!(!is_title(builtin(), "Drug Name Form Strength"));
        let m = meta(&[
            "Drug Name Tier Notes\nAlpha Tablets 10 MG 20 MG\n\nPolicy\nThe drug is covered.\n",
        ]);
        assert_eq!(m.title, None);
    }

    #[test]
    fn table_row_is_not_a_title() {
        assert!(!is_title(builtin(), "BASE CRM FP LITE CRM ORA BASE CRM"));
        assert!(!is_title(builtin(), "Alpha 10 20 30 40"));
    }

    #[test]
    fn date_line_is_not_a_title() {
        assert!(!is_title(builtin(), "August 2027"));
        assert!(!is_title(builtin(), "January 1 - December 31, 2027"));
        assert!(!is_title(builtin(), "April 9, 2026 (last updated)"));
        let m = meta(&[
            "August 2027\nInfusion Coverage for Mood Disorders\n\nPolicy\nThe infusion is covered.\n",
        ]);
        assert_eq!(
            m.title.as_deref(),
            Some("Infusion Coverage for Mood Disorders")
        );
    }

    #[test]
    fn header_naming_the_payer_is_not_the_title() {
        let m = meta(&[
            "UHC | News\n\nInfusion Criteria to Be Updated\n\nThe plan will update its criteria.\n",
        ]);
        assert_eq!(m.title.as_deref(), Some("Infusion Criteria to Be Updated"));
        assert_eq!(m.payer_canonical.as_deref(), Some("UnitedHealthcare"));
    }

    #[test]
    fn sbc_heading_with_its_plan() {
        let m = meta(&[
            "Summary of Benefits and Coverage: What this Plan Covers Coverage Period: 01/01/2026 - 12/31/2026\nLakeshore Teachers Trust: Gold Choice PPO Coverage for: Family | Plan Type: PPO\n\nImportant Questions Answers Why This Matters:\n",
        ]);
        assert_eq!(
            m.title.as_deref(),
            Some("Summary of Benefits and Coverage: Gold Choice PPO")
        );
    }

    #[test]
    fn labelled_title_wraps() {
        let m = meta(&[
            "Policy Name: Infusion Therapy for\nmood disorders in adults\nPolicy Number: AB-1\n",
        ]);
        assert_eq!(
            m.title.as_deref(),
            Some("Infusion Therapy for mood disorders in adults")
        );
    }
}
