//! Document metadata the document states about itself: title, payer
//! (with its canonical name), policy number, effective date, last review
//! date, and where each was read.
//!
//! Owns: the line table the metadata places are read from, the labelled
//! fields ("Policy Number: MP-311", "Effective Date: March 1, 2024", "Last
//! Reviewed: 01/15/2025"), dates as ISO 8601, and the order of the stages:
//! `payer` (places a document names its payer, in order of trust), `title`
//! (the title block), with the words of `data/metadata.toml` loaded by
//! `vocabulary`. Nothing is guessed: a field the document does not state
//! stays empty, and each stated value records its page, line and cue.
//!
//! Must not: decide stances.

mod payer;
mod title;
pub mod vocabulary;

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::Context;
use super::section;
use crate::model::{Metadata, MetadataCue, MetadataField, MetadataSource};
use crate::patterns::SectionKind;

const DATE: &str = r"(?:(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?\s+\d{4}|\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}-\d{1,2}-\d{4}|\d{1,2}\.\d{1,2}\.\d{2,4}|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+\d{4}|\d{1,2}/\d{4})";

/// "Effective Date: ...", "Original Effective Date ...", "Effective: ...",
/// "Date Effective: ..."; the value may sit in the next table cell
/// ("Effective Date | 11/14/2022"), as may the review date's and the policy
/// number's.
static EFFECTIVE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(&format!(
        r"(?i)\b(?:(?:original|policy|current)\s+)?(?:effective\s+date(?:\s+of\s+(?:this\s+)?(?:policy|version|change|revision))?\s*(?::|-|\||is|on)?|effective\s*[:|]|date\s+effective\s*[:|]?)\s*({DATE})\b"
    ))
});

/// "Effective May 1, 2025" as a headline or at the start of a line, and
/// "Effective for dates of service on or after ...": capitalised, so a
/// sentence's "archived effective ..." is not the document's date.
static EFFECTIVE_HEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(&format!(
        r"\bEffective\s+(?:(?i:for\s+dates\s+of\s+service\s+)?(?i:on\s+or\s+after|on|as\s+of)\s+)?((?i){DATE})\b"
    ))
});

static REVIEWED_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(&format!(
        r"(?i)\b(?:last\s+(?:reviewed(?:\s+date)?|review(?:ed)?\s+date|review|revised(?:\s+date)?|revision\s+date|revision|updated(?:\s+on)?|cap\s+review)|latest\s+review\s+date|(?:annual\s+)?review\s+date|date\s+(?:of\s+)?last\s+review(?:ed)?|date\s+reviewed|reviewed\s+date)\s*(?::|-|\||on)?\s*({DATE})\b"
    ))
});

static REVIEWED_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(&format!(
        r"(?i)({DATE})\s*\(\s*last\s+(?:updated|reviewed|revised)\s*\)"
    ))
});

/// "Policy Number: MP-170", "Policy #087", "Reference Number: ERX.SPA.241".
static POLICY_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"(?i)\b(?:(?:medical|clinical|pharmacy|payment|reimbursement|coverage|drug|corporate)\s+)?(?:policy|guideline|bulletin|cpb|reference|program|document)\s*(?:number|no\.|num\.?|#|id)\s*[:#.|]?\s*([A-Z0-9][A-Z0-9.\-/]{0,24}[A-Z0-9])\b",
    )
});

/// A line that is only a label ("Number:", "Medical Policy:") with its
/// value on the same or the next line.
static NUMBER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"(?i)^\s*(?:number|(?:medical|clinical|pharmacy|drug)\s+policy|policy)\s*:\s*([A-Z0-9][A-Z0-9.\-/]{0,24}[A-Z0-9])\s*$",
    )
});

/// A title block's "... Pharmacy Policy RX-2207": the document naming
/// itself with its identifier (letters and digits, case as printed).
static POLICY_IN_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"\b(?i:policy|bulletin|guideline)\s+([A-Z]{1,6}(?:[-.][A-Z0-9]{1,6})*[-.]\d{1,6}(?:[-.][A-Z0-9]{1,6})*)\b",
    )
});

static PHONE: LazyLock<Regex> =
    LazyLock::new(|| crate::textutil::ascii_regex(r"^(?:1-)?\d{3}[-.]\d{3}[-.]\d{4}$"));

/// Builds now the vocabulary and every regex reading metadata uses, which
/// are otherwise built on first use: [`super::analyze`] runs it beside a
/// document's layout and matching, so that the first document does not
/// wait for them on one core.
pub(super) fn prepare() {
    vocabulary::builtin();
    for re in [
        &EFFECTIVE_LABEL,
        &EFFECTIVE_HEADLINE,
        &REVIEWED_LABEL,
        &REVIEWED_AFTER,
        &POLICY_NUMBER,
        &NUMBER_LINE,
        &POLICY_IN_TITLE,
        &PHONE,
    ] {
        LazyLock::force(re);
    }
    title::prepare();
    payer::prepare();
}

/// One line of the document with its layout role.
#[derive(Debug, Clone)]
pub(crate) struct DocLine {
    /// Byte range in the normalized text.
    pub range: Range<usize>,
    /// 0-based page.
    pub page: usize,
    /// A running header or footer.
    pub boilerplate: bool,
    /// A recognized section heading.
    pub heading: bool,
    /// The section in force.
    pub section: SectionKind,
}

/// The document as the metadata places see it.
pub(crate) struct Doc<'a> {
    /// The normalized text.
    pub text: &'a str,
    /// Its non-blank lines.
    pub lines: Vec<DocLine>,
    ctx: &'a Context<'a>,
}

impl<'a> Doc<'a> {
    fn new(ctx: &'a Context<'a>) -> Doc<'a> {
        let text = ctx.text.text();
        let mut section = SectionKind::Unknown;
        let lines = section::layout(ctx.text, ctx.matcher)
            .into_iter()
            .filter(|l| !l.blank)
            .map(|l| {
                if let Some(k) = l.section {
                    section = k;
                }
                DocLine {
                    range: l.range,
                    page: l.page,
                    boilerplate: l.boilerplate,
                    heading: l.section.is_some(),
                    section,
                }
            })
            .collect();
        Doc { text, lines, ctx }
    }

    /// The text of line `i`.
    pub fn line(&self, i: usize) -> &'a str {
        &self.text[self.lines[i].range.clone()]
    }

    /// The flattened text (line breaks as spaces, same offsets).
    pub fn flat(&self) -> &'a str {
        self.ctx.flat
    }

    /// Page and line (1-based) of a byte offset.
    pub fn locate(&self, offset: usize) -> (u32, u32) {
        self.ctx.text.locate(offset)
    }

    /// Indices of the title block: the non-boilerplate lines of page one
    /// up to the first section heading, at most `max`.
    pub fn title_block(&self, max: usize) -> Vec<usize> {
        (0..self.lines.len())
            .take_while(|&i| self.lines[i].page == 0 && !self.lines[i].heading)
            .filter(|&i| !self.lines[i].boilerplate)
            .take(max)
            .collect()
    }
}

/// A value found at a place.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    /// The value.
    pub value: String,
    /// Byte offset it was read at.
    pub at: usize,
    /// The kind of place.
    pub cue: MetadataCue,
}

/// Reads the metadata of a document.
pub fn extract(ctx: &Context<'_>) -> Metadata {
    let doc = Doc::new(ctx);
    let vocab = vocabulary::builtin();
    let mut m = Metadata::default();
    let mut sources = Vec::new();
    let mut record = |field: MetadataField, f: &Found| {
        let (page, line) = doc.locate(f.at);
        sources.push(MetadataSource {
            field,
            page,
            line,
            cue: f.cue,
        });
    };
    let payer = payer::find(&doc, vocab);
    let title = title::find(&doc, vocab, payer.as_ref());
    if let Some(t) = &title {
        record(MetadataField::Title, t);
        m.title = Some(t.value.clone());
    }
    if let Some(p) = &payer {
        record(MetadataField::Payer, &p.found);
        m.payer = Some(p.found.value.clone());
        m.payer_canonical = p.canonical.clone();
    }
    if let Some(f) = policy_number(&doc) {
        record(MetadataField::PolicyNumber, &f);
        m.policy_number = Some(f.value);
    }
    if let Some(f) = effective_date(&doc) {
        record(MetadataField::EffectiveDate, &f);
        m.effective_date = Some(f.value);
    }
    if let Some(f) = last_reviewed(&doc) {
        record(MetadataField::LastReviewed, &f);
        m.last_reviewed = Some(f.value);
    }
    m.sources = sources;
    m
}

/// The lines labelled fields are read from: the first two pages, outside
/// history and reference sections (a history table's dates are not the
/// document's).
fn field_lines<'d>(doc: &'d Doc<'_>) -> impl Iterator<Item = usize> + 'd {
    (0..doc.lines.len()).filter(|&i| {
        let l = &doc.lines[i];
        l.page < 2 && !matches!(l.section, SectionKind::History | SectionKind::References)
    })
}

/// A line with the next one, so a label at the end of a line reads the
/// value on the next ("Effective Date:" / "August 29, 2022").
struct Joined {
    text: String,
    first_len: usize,
    first_start: usize,
    next_start: usize,
}

impl Joined {
    /// The byte offset in the document of a position in `text`.
    fn offset(&self, pos: usize) -> usize {
        if pos <= self.first_len {
            self.first_start + pos
        } else {
            self.next_start + (pos - self.first_len - 1)
        }
    }
}

fn with_next(doc: &Doc<'_>, i: usize) -> Joined {
    let first = doc.line(i);
    let mut j = Joined {
        text: first.to_string(),
        first_len: first.len(),
        first_start: doc.lines[i].range.start,
        next_start: doc.lines[i].range.end,
    };
    let label_only = first.trim_end().ends_with(':') || first.split_whitespace().count() <= 3;
    if label_only && let Some(n) = doc.lines.get(i + 1) {
        j.text.push(' ');
        j.text.push_str(&doc.text[n.range.clone()]);
        j.next_start = n.range.start;
    }
    j
}

fn labelled_number(doc: &Doc<'_>) -> Option<Found> {
    let ok = |v: &str| {
        v.chars().any(|c| c.is_ascii_digit())
            && !PHONE.is_match(v)
            && !(v.len() == 4
                && (v.starts_with("19") || v.starts_with("20"))
                && v.chars().all(|c| c.is_ascii_digit()))
    };
    for i in field_lines(doc) {
        let j = with_next(doc, i);
        // "Number: 0938" alone on its line, then a label with its value on
        // the same or the next line.
        let alone = Joined {
            text: doc.line(i).to_string(),
            ..j
        };
        let caps = NUMBER_LINE
            .captures_iter(&alone.text)
            .chain(POLICY_NUMBER.captures_iter(&j.text))
            .chain(NUMBER_LINE.captures_iter(&j.text));
        for c in caps {
            let v = c[1].trim_end_matches(['.', '-', '/']);
            if ok(v) {
                return Some(Found {
                    value: v.to_string(),
                    at: j.offset(c.get(1).map_or(0, |m| m.start())),
                    cue: MetadataCue::Label,
                });
            }
        }
    }
    None
}

fn policy_number(doc: &Doc<'_>) -> Option<Found> {
    labelled_number(doc).or_else(|| {
        doc.title_block(8).into_iter().find_map(|i| {
            let c = POLICY_IN_TITLE.captures(doc.line(i))?;
            let m = c.get(1)?;
            Some(Found {
                value: m.as_str().to_string(),
                at: doc.lines[i].range.start + m.start(),
                cue: MetadataCue::TitleBlock,
            })
        })
    })
}

fn effective_date(doc: &Doc<'_>) -> Option<Found> {
    let block = doc.title_block(8);
    for i in field_lines(doc) {
        let j = with_next(doc, i);
        if let Some(c) = EFFECTIVE_LABEL.captures(&j.text) {
            return Some(Found {
                value: iso_date(&c[1]),
                at: j.offset(c.get(1).map_or(0, |m| m.start())),
                cue: MetadataCue::Label,
            });
        }
        let line = doc.line(i);
        if let Some(c) = EFFECTIVE_HEADLINE.captures(line) {
            let (m, d) = (c.get(0).expect("match"), c.get(1).expect("date"));
            // "Effective May 1, 2025" alone on its line, or in a headline of
            // the title block; "Effective 10/18/2023 the bullet was
            // changed" is a revision note.
            let alone = line[..m.start()].trim().is_empty()
                && line[m.end()..].split_whitespace().count() <= 2;
            if alone || block.contains(&i) {
                let cue = if alone {
                    MetadataCue::Label
                } else {
                    MetadataCue::TitleBlock
                };
                return Some(Found {
                    value: iso_date(d.as_str()),
                    at: doc.lines[i].range.start + d.start(),
                    cue,
                });
            }
        }
    }
    None
}

fn last_reviewed(doc: &Doc<'_>) -> Option<Found> {
    for i in field_lines(doc) {
        let j = with_next(doc, i);
        if let Some(c) = REVIEWED_LABEL
            .captures(&j.text)
            .or_else(|| REVIEWED_AFTER.captures(&j.text))
        {
            return Some(Found {
                value: iso_date(&c[1]),
                at: j.offset(c.get(1).map_or(0, |m| m.start())),
                cue: MetadataCue::Label,
            });
        }
    }
    None
}

/// ISO 8601 for the date forms policies use; the printed form otherwise.
pub fn iso_date(s: &str) -> String {
    let t = s.trim().trim_end_matches(['.', ',']);
    let month = |m: &str| -> Option<u32> {
        let m = m.trim_end_matches('.').to_ascii_lowercase();
        let names = [
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ];
        names
            .iter()
            .position(|n| m.starts_with(n))
            .map(|i| i as u32 + 1)
    };
    let fmt = |y: u32, m: u32, d: Option<u32>| match d {
        Some(d) if (1..=31).contains(&d) && (1..=12).contains(&m) => {
            format!("{y:04}-{m:02}-{d:02}")
        }
        None if (1..=12).contains(&m) => format!("{y:04}-{m:02}"),
        _ => t.to_string(),
    };
    let parts: Vec<&str> = t
        .split(|c: char| c.is_whitespace() || c == ',' || c == '/' || c == '-')
        .filter(|p| !p.is_empty())
        .collect();
    let num = |p: &str| p.parse::<u32>().ok();
    let year = |p: &str| num(p).map(|y| if p.len() == 2 { 2000 + y } else { y });
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && num(y).is_some() => match (year(y), num(m), num(d)) {
            (Some(y), Some(m), Some(d)) => fmt(y, m, Some(d)),
            _ => t.to_string(),
        },
        [a, b, c] => {
            if let Some(m) = month(a) {
                match (num(b), year(c)) {
                    (Some(d), Some(y)) => fmt(y, m, Some(d)),
                    _ => t.to_string(),
                }
            } else if let Some(m) = month(b) {
                match (num(a), year(c)) {
                    (Some(d), Some(y)) => fmt(y, m, Some(d)),
                    _ => t.to_string(),
                }
            } else {
                match (num(a), num(b), year(c)) {
                    (Some(m), Some(d), Some(y)) => fmt(y, m, Some(d)),
                    _ => t.to_string(),
                }
            }
        }
        [a, b] => match (
            month(a).or_else(|| num(a).filter(|_| a.len() <= 2)),
            year(b),
        ) {
            (Some(m), Some(y)) if b.len() == 4 => fmt(y, m, None),
            _ => t.to_string(),
        },
        _ => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::NormalizedText;

    /// The metadata of a document made of `pages`.
    pub(super) fn meta(pages: &[&str]) -> Metadata {
        let norm = NormalizedText::from_pages(pages);
        crate::classify::analyze(&norm, crate::test_matcher()).metadata
    }

    #[test]
    fn dates_to_iso() {
        assert_eq!(iso_date("March 1, 2024"), "2024-03-01");
        assert_eq!(iso_date("03/01/2024"), "2024-03-01");
        assert_eq!(iso_date("2024-03-01"), "2024-03-01");
        assert_eq!(iso_date("1 March 2024"), "2024-03-01");
        assert_eq!(iso_date("Sept. 15, 2023"), "2023-09-15");
        assert_eq!(iso_date("January 2025"), "2025-01");
        assert_eq!(iso_date("4/2021"), "2021-04");
        assert_eq!(iso_date("13/45/2024"), "13/45/2024");
    }

    #[test]
    fn labelled_fields_with_their_source() {
        let m = meta(&[
            "Northwind Health Plan\nInfusion Therapy for Mood Disorders\nPolicy Number: MP-311\nEffective Date: 07/01/2025\nLast Reviewed: January 15, 2025\n\nPolicy\nNorthwind Health Plan considers the infusion experimental.\n",
        ]);
        assert_eq!(m.policy_number.as_deref(), Some("MP-311"));
        assert_eq!(m.effective_date.as_deref(), Some("2025-07-01"));
        assert_eq!(m.last_reviewed.as_deref(), Some("2025-01-15"));
        let s = m
            .sources
            .iter()
            .find(|s| s.field == MetadataField::PolicyNumber)
            .unwrap();
        assert_eq!((s.page, s.line, s.cue), (1, 3, MetadataCue::Label));
    }

    #[test]
    fn label_on_its_own_line_reads_the_next() {
        let m = meta(&["Medical Policy:\nAB-12-003\nEffective Date:\nMarch 3, 2022\n"]);
        assert_eq!(m.policy_number.as_deref(), Some("AB-12-003"));
        assert_eq!(m.effective_date.as_deref(), Some("2022-03-03"));
    }

    #[test]
    fn title_block_names_its_policy() {
        let m = meta(&[
            "Infusion Criteria\nNorthwind Health Plan Pharmacy Policy RX-4410\n\nPolicy\nSee form RX-9 and Policy RX-5512 for more.\n",
        ]);
        assert_eq!(m.policy_number.as_deref(), Some("RX-4410"));
    }

    #[test]
    fn phone_and_form_numbers_and_history_dates_are_not_fields() {
        let m = meta(&[
            "Infusion Therapy Request\nForm No. 4471-B\nCall 1-800-555-0199 for help.\nThe request was archived effective October 1, 2024.\n\nPolicy History\nEffective 01/01/2019: new policy adopted by the committee after its annual review.\n",
        ]);
        assert_eq!(m.policy_number, None);
        assert_eq!(m.effective_date, None);
    }

    #[test]
    fn headline_effective_date_counts() {
        let m = meta(&[
            "Infusion Criteria to Change Effective May 1, 2025\n\nThe plan will update its criteria.\n",
        ]);
        assert_eq!(m.effective_date.as_deref(), Some("2025-05-01"));
    }
}
