//! Document metadata the document states about itself: title, payer,
//! policy number, effective date, last review date.
//!
//! Owns: reading labelled fields ("Policy Number: MP-311", "Effective
//! Date: March 1, 2024", "Last Reviewed: 01/15/2025"), a title from a
//! "Title:" / "Subject:" / "Re:" label or the first title line of page one,
//! and the payer from a labelled field or the organisation named most often
//! (payer names are `context` rules tagged `payer`). Nothing is guessed:
//! a field the document does not state stays empty. Dates are written as
//! ISO 8601 when they parse, otherwise as printed.
//!
//! Must not: decide stances.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::Context;
use super::sentence::SentenceKind;
use crate::model::Metadata;

const DATE: &str = r"(?:(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?,?\s+\d{4}|\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}-\d{1,2}-\d{4}|(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+\d{4})";

static EFFECTIVE: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(&format!(
        r"(?i)\b(?:original\s+)?effective(?:\s+date)?(?:\s+of\s+(?:this\s+)?(?:policy|version))?\s*(?::|-|is|on|as\s+of)?\s*({DATE})"
    ))
});

static REVIEWED: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(&format!(
        r"(?i)\b(?:last\s+(?:reviewed|review(?:\s+date)?|revised|revision(?:\s+date)?|updated)|date\s+(?:of\s+)?last\s+review|review(?:ed)?\s+date|reviewed(?:\s+on)?|revised(?:\s+on)?)\s*(?::|-|on)?\s*({DATE})"
    ))
});

static POLICY_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"(?i)\b(?:(?:medical|clinical|pharmacy|payment|reimbursement|coverage|drug)\s+)?(?:policy|guideline|bulletin|document|criteria|cpb|reference)\s*(?:number|no\.?|num\.?|#|id|code)\s*[:#.]?\s*([A-Z0-9][A-Z0-9.\-/]{1,24}[A-Z0-9])",
    )
});

static POLICY_ID_INLINE: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"\b((?:MP|CP|RX|PA|BH|MED|PHARM|CPB|UM|CG|DRUG|POL|MM|PHA)(?:-[A-Z]{1,5})*-?\d{2,6}(?:[-.][A-Z0-9]{1,6})?)\b",
    )
});

static TITLE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"(?im)^\s*(?:policy\s+title|title|subject|policy\s+name|re)\s*:\s*(.{4,160}?)\s*$",
    )
});

static PAYER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"(?im)^\s*(?:health\s+plan|plan\s+name|payer|insurer|carrier|issued\s+by|plan)\s*:\s*(.{3,80}?)\s*$",
    )
});

/// Reads the metadata of a document.
pub fn extract(ctx: &Context<'_>) -> Metadata {
    let full = ctx.text.text();
    let first_pages_end = if ctx.text.page_count() > 2 {
        ctx.text.page_range(1).end
    } else {
        full.len()
    };
    let head = &full[..first_pages_end];
    Metadata {
        title: title(ctx, head),
        payer: payer(ctx, head),
        policy_number: POLICY_NUMBER
            .captures_iter(head)
            .map(|c| c[1].to_string())
            .find(|v| v.chars().any(|c| c.is_ascii_digit()))
            .or_else(|| POLICY_ID_INLINE.captures(head).map(|c| c[1].to_string())),
        effective_date: EFFECTIVE
            .captures(head)
            .or_else(|| EFFECTIVE.captures(full))
            .map(|c| iso_date(&c[1])),
        last_reviewed: REVIEWED
            .captures(head)
            .or_else(|| REVIEWED.captures(full))
            .map(|c| iso_date(&c[1])),
    }
}

fn title(ctx: &Context<'_>, head: &str) -> Option<String> {
    if let Some(c) = TITLE_LABEL.captures(head) {
        return Some(c[1].trim().to_string());
    }
    // The first title-like line of page one, joined with a second title
    // line right below it.
    let first: Vec<usize> = ctx
        .sentences
        .iter()
        .enumerate()
        .filter(|(_, s)| s.page == 0)
        .take(8)
        .filter(|(_, s)| s.kind == SentenceKind::Title)
        .map(|(i, _)| i)
        .collect();
    let &i = first.first()?;
    let mut t = ctx.sentences[i].text.clone();
    // A title wrapped onto a second line: the first ends with a joining
    // word or the second starts in lower case.
    if let Some(&j) = first.get(1) {
        let next = &ctx.sentences[j].text;
        let last = t.rsplit(' ').next().unwrap_or("").to_lowercase();
        let joins = matches!(
            last.as_str(),
            "and" | "or" | "of" | "for" | "with" | "the" | "in" | "to" | "-" | "–" | ":"
        );
        let continues = next.chars().next().is_some_and(char::is_lowercase);
        if j == i + 1 && (joins || continues) && t.len() + next.len() < 160 {
            t.push(' ');
            t.push_str(next);
        }
    }
    Some(t)
}

fn payer(ctx: &Context<'_>, head: &str) -> Option<String> {
    if let Some(c) = PAYER_LABEL.captures(head) {
        return Some(c[1].trim().to_string());
    }
    // The payer name stated most often; ties go to the first seen.
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for cue in &ctx.cues {
        if ctx.rule(cue).tag.as_deref() != Some("payer") {
            continue;
        }
        // A name never runs across a line break.
        let raw = &ctx.text.text()[cue.hit.start..cue.hit.end];
        let raw = raw.rsplit(['\n', '\x0c']).next().unwrap_or(raw);
        let Some(name) = payer_name(raw) else {
            continue;
        };
        let e = counts.entry(name).or_insert((0, cue.hit.start));
        e.0 += 1;
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.1.1.cmp(&a.1.1)))
        .map(|(name, _)| name)
}

/// Cleans a payer candidate: leading function words dropped, generic
/// phrases ("Mental Health", "Behavioral Health") rejected.
fn payer_name(raw: &str) -> Option<String> {
    const LEADING: &[&str] = &[
        "the",
        "this",
        "our",
        "your",
        "a",
        "an",
        "dear",
        "at",
        "for",
        "by",
        "in",
        "with",
        "from",
        "to",
        "and",
        "of",
        "section",
        "policy",
        "members",
        "member",
        "contact",
        "call",
        "all",
        "if",
        "when",
        "under",
        "about",
        "copyright",
        "©",
    ];
    const GENERIC: &[&str] = &[
        "mental",
        "behavioral",
        "behavioural",
        "public",
        "women's",
        "children's",
        "home",
        "occupational",
        "oral",
        "population",
        "digital",
        "global",
        "allied",
        "primary",
        "preventive",
        "community",
        "substance",
        "family",
        "employee",
        "student",
        "veterans",
        "national",
        "state",
        "world",
        "federal",
        "county",
        "general",
        "physical",
        "sexual",
        "reproductive",
        "maternal",
        "dental",
        "vision",
        "emotional",
        "spiritual",
        "telehealth",
    ];
    let mut words: Vec<&str> = raw.split_whitespace().collect();
    while words
        .first()
        .is_some_and(|w| LEADING.contains(&w.to_lowercase().as_str()))
    {
        words.remove(0);
    }
    let first = words.first()?.to_lowercase();
    if words.len() < 2 || GENERIC.contains(&first.as_str()) {
        return None;
    }
    Some(words.join(" "))
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
        [a, b] => match (month(a), year(b)) {
            (Some(m), Some(y)) => fmt(y, m, None),
            _ => t.to_string(),
        },
        _ => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_to_iso() {
        assert_eq!(iso_date("March 1, 2024"), "2024-03-01");
        assert_eq!(iso_date("03/01/2024"), "2024-03-01");
        assert_eq!(iso_date("2024-03-01"), "2024-03-01");
        assert_eq!(iso_date("1 March 2024"), "2024-03-01");
        assert_eq!(iso_date("Sept. 15, 2023"), "2023-09-15");
        assert_eq!(iso_date("January 2025"), "2025-01");
        assert_eq!(iso_date("13/45/2024"), "13/45/2024");
    }

    #[test]
    fn labelled_fields() {
        let c = EFFECTIVE.captures("Effective Date: 07/01/2025").unwrap();
        assert_eq!(&c[1], "07/01/2025");
        let c = REVIEWED
            .captures("Last Reviewed: January 15, 2025")
            .unwrap();
        assert_eq!(&c[1], "January 15, 2025");
        let c = POLICY_NUMBER.captures("Policy Number: MP-311").unwrap();
        assert_eq!(&c[1], "MP-311");
    }
}
