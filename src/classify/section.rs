//! Page layout: which lines are running headers/footers, which are
//! headings (and of which section kind), which are bullet items.
//!
//! Owns: boilerplate detection (lines repeated at the top or bottom of many
//! pages, page-number lines), heading recognition with the section rules of
//! `patterns/sections.toml`, title-like lines, bullet and enumerator
//! prefixes. Must not: split sentences (that is `sentence`) or judge
//! coverage.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::matcher::Matcher;
use crate::normalize::NormalizedText;
use crate::patterns::{Grammar, SectionKind};

/// One line of the normalized text with its layout role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Byte range in the normalized text (without the line break).
    pub range: Range<usize>,
    /// 0-based page index.
    pub page: usize,
    /// A running header/footer or page-number line, ignored by analysis.
    pub boilerplate: bool,
    /// Empty (after trimming).
    pub blank: bool,
    /// A recognized section heading and its kind.
    pub section: Option<SectionKind>,
    /// A short title-like line (a heading the section rules do not name).
    pub title_like: bool,
    /// Byte length of a bullet or enumerator prefix, if the line starts an
    /// item.
    pub bullet: Option<usize>,
}

static PAGE_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"(?i)^(?:-\s*)?(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?(?:\s*-)?$|(?i)^page\s+\d{1,4}\b",
    )
});

static NUMBERING: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"^(?:(?i:section|part|article)\s+[0-9IVXA-Z]{1,5}[.:)]?\s*[-:]?\s*|[IVX]{1,5}\.\s*|\d{1,2}(?:\.\d{1,2}){0,3}\.?\s+|[A-Z][.)]\s+|\(?[a-z0-9]{1,3}\)\s+)",
    )
});

static BULLET: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"^(?:[•*▪◦○●✓✔➢►§-]\s*|o\s+|\d{1,2}[.)]\s+|[a-z][.)]\s+|\([a-z0-9]{1,4}\)\s+|[ivx]{1,5}[.)]\s+|[A-Z][.)]\s+)",
    )
});

/// Builds the line table for a document.
pub fn layout(text: &NormalizedText, headings: &Matcher) -> Vec<Line> {
    let full = text.text();
    let mut lines: Vec<Line> = text
        .lines()
        .map(|(page, range)| {
            let s = &full[range.clone()];
            Line {
                blank: s.trim().is_empty(),
                bullet: BULLET.find(s).map(|m| m.end()),
                range,
                page,
                boilerplate: false,
                section: None,
                title_like: false,
            }
        })
        .collect();
    mark_boilerplate(full, &mut lines, text.page_count());
    let content: Vec<usize> = (0..lines.len())
        .filter(|&i| !lines[i].blank && !lines[i].boilerplate)
        .collect();
    for (k, &i) in content.iter().enumerate() {
        let s = &full[lines[i].range.clone()];
        let prev = k.checked_sub(1).map(|p| content[p]);
        let kind = heading_kind(s, headings).filter(|&kind| {
            // A heading right under a coding heading is a table header
            // ("Code / Description"), not a new section.
            let under_coding = prev.is_some_and(|p| lines[p].section == Some(SectionKind::Coding));
            // A descriptive heading must introduce running text; otherwise
            // it is a table column header ("Description", "Summary").
            let introduces_text = content[k + 1..]
                .iter()
                .take(2)
                .any(|&n| full[lines[n].range.clone()].split_whitespace().count() >= 6);
            let table_header = under_coding && kind != SectionKind::Coding;
            let column_header =
                kind.is_informative() && kind != SectionKind::Coding && !introduces_text;
            !table_header && !column_header
        });
        lines[i].section = kind;
        if kind.is_none() {
            let next = content.get(k + 1).map(|&n| &full[lines[n].range.clone()]);
            lines[i].title_like = is_title_like(s, next, &headings.pattern_set().grammar);
        }
    }
    lines
}

/// The section kind of a heading line, if the whole line (numbering and a
/// trailing colon stripped) is a heading.
pub fn heading_kind(line: &str, headings: &Matcher) -> Option<SectionKind> {
    // Markdown headings ("## Coding") and emphasis ("**Policy**").
    let t = line
        .trim()
        .trim_start_matches('#')
        .trim_matches(|c: char| c == '*' || c == '_' || c.is_whitespace());
    // Headings start with a capital ("Coding", "CODING"); a lower-case
    // "code" is a table column header.
    if t.is_empty()
        || t.len() > 90
        || t.ends_with('.')
        || t.ends_with(',')
        || t.chars().next().is_some_and(char::is_lowercase)
    {
        return None;
    }
    let t = NUMBERING.find(t).map_or(t, |m| &t[m.end()..]);
    let t = t
        .trim_end_matches(|c: char| c == ':' || c.is_whitespace())
        .trim();
    // "Initial authorization (up to 6 months)": the parenthetical is not
    // part of the heading's name.
    let t = match (t.ends_with(')'), t.rfind(" (")) {
        (true, Some(i)) if i > 0 => t[..i].trim(),
        _ => t,
    };
    if t.is_empty() || t.split_whitespace().count() > 10 {
        return None;
    }
    headings.heading(t)
}

fn is_title_like(line: &str, next: Option<&str>, g: &Grammar) -> bool {
    let t = line.trim();
    if t.len() > 80 || t.ends_with(['.', ',', ';', ':']) {
        return false;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.is_empty() || words.len() > 10 {
        return false;
    }
    let first = t.chars().next().unwrap_or(' ');
    if !(first.is_uppercase() || first.is_ascii_digit()) {
        return false;
    }
    // Words, not codes: a line of codes ("F0631 F0632", "J3490") is no
    // title.
    let alpha_words: Vec<&&str> = words
        .iter()
        .filter(|w| {
            w.chars().next().is_some_and(char::is_alphabetic)
                && !w.contains(|c: char| c.is_ascii_digit())
        })
        .collect();
    if alpha_words.is_empty() {
        return false;
    }
    let capitalized = alpha_words
        .iter()
        .filter(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                || g.title_small_words.contains(&w.to_lowercase())
        })
        .count();
    let next_starts_upper = next
        .and_then(|n| n.trim().chars().next())
        .is_none_or(|c| !c.is_lowercase());
    capitalized * 10 >= alpha_words.len() * 8 && next_starts_upper
}

/// Shape of a line for header/footer comparison: lower case, digits folded.
fn shape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Marks page-number lines and lines repeated near the top or bottom of
/// many pages.
fn mark_boilerplate(full: &str, lines: &mut [Line], pages: usize) {
    const EDGE: usize = 4;
    for l in lines.iter_mut() {
        if !l.blank && PAGE_NUMBER.is_match(full[l.range.clone()].trim()) {
            l.boilerplate = true;
        }
    }
    if pages < 2 {
        return;
    }
    // Candidate edge lines per page.
    let mut by_page: Vec<Vec<usize>> = vec![Vec::new(); pages];
    for (i, l) in lines.iter().enumerate() {
        if !l.blank {
            by_page[l.page].push(i);
        }
    }
    let mut count: HashMap<String, usize> = HashMap::new();
    let mut edge_lines: Vec<(usize, String)> = Vec::new();
    for idx in &by_page {
        let n = idx.len();
        let mut seen_here = std::collections::HashSet::new();
        for (k, &i) in idx.iter().enumerate() {
            if k < EDGE || k + EDGE >= n {
                let sh = shape(&full[lines[i].range.clone()]);
                if sh.len() < 3 {
                    continue;
                }
                if seen_here.insert(sh.clone()) {
                    *count.entry(sh.clone()).or_default() += 1;
                }
                edge_lines.push((i, sh));
            }
        }
    }
    let pages_with_text = by_page.iter().filter(|p| !p.is_empty()).count();
    let threshold = if pages_with_text <= 3 {
        pages_with_text.max(2)
    } else {
        (pages_with_text * 2).div_ceil(5).max(3)
    };
    for (i, sh) in edge_lines {
        if count.get(&sh).copied().unwrap_or(0) >= threshold {
            lines[i].boilerplate = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headings() -> &'static Matcher {
        crate::test_matcher()
    }

    #[test]
    fn headings_with_numbering_and_colons() {
        let m = headings();
        assert_eq!(heading_kind("III. Policy", m), Some(SectionKind::Policy));
        assert_eq!(
            heading_kind("2.1 Background:", m),
            Some(SectionKind::Background)
        );
        assert_eq!(heading_kind("References", m), Some(SectionKind::References));
        assert_eq!(
            heading_kind("Section 4: Exclusions", m),
            Some(SectionKind::Exclusions)
        );
        assert_eq!(
            heading_kind("Policy History", m),
            Some(SectionKind::History)
        );
        assert_eq!(
            heading_kind("Background information is given below.", m),
            None
        );
    }

    #[test]
    fn repeated_headers_and_page_numbers_are_boilerplate() {
        let pages: Vec<String> = (1..=4)
            .map(|p| {
                let w = ["Alpha", "Beta", "Gamma", "Delta"][p - 1];
                format!("Westbrook Health Ketamine Policy MP-{p}\nBody text about {w} here.\n{w} more.\nPage {p} of 4")
            })
            .collect();
        let t = NormalizedText::from_pages(&pages);
        let lines = layout(&t, headings());
        let full = t.text();
        for l in &lines {
            let s = &full[l.range.clone()];
            let expect = s.starts_with("Westbrook") || s.starts_with("Page");
            assert_eq!(l.boilerplate, expect, "{s}");
        }
    }

    #[test]
    fn bullets_are_detected() {
        let t = NormalizedText::from_pages(&["• one\n1. two\n(a) three\nplain"]);
        let lines = layout(&t, headings());
        let b: Vec<bool> = lines.iter().map(|l| l.bullet.is_some()).collect();
        assert_eq!(b, vec![true, true, true, false]);
    }

    #[test]
    fn a_line_of_codes_is_no_title() {
        let g = &headings().pattern_set().grammar;
        for codes in ["F0631F0632F32A", "J3490 J3499", "G2082 G2083 S0013"] {
            assert!(!is_title_like(codes, None, g), "{codes}");
        }
        assert!(is_title_like("Spravato Dosing Table", None, g));
        assert!(is_title_like("COVID-19 Vaccine Coverage", None, g));
    }
}
