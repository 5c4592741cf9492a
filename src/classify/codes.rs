//! Billing and diagnosis codes stated as codes.
//!
//! Owns: turning code candidates from `patterns/codes.toml` into the
//! report's `codes` list. A candidate is kept when the document states it
//! as a code: a code word nearby (CPT, HCPCS, ICD-10, code, diagnosis,
//! billed...), a coding section, a table row that starts with it, a range
//! ("96365-96368"), or a neighbour that is itself a kept code; ICD-10
//! codes run together ("F0631F0632") are split and judged one by one; a
//! code word naming another kind of code ("zip code") does not count.
//! Phone numbers, zip codes, post office boxes, page and section numbers,
//! doses, money, dates, policy numbers, parts of names and the labeler
//! codes of drug codes (NDCs) are dropped. ICD-10 codes are written with
//! their dot ("F332" becomes "F33.2").
//!
//! Must not: decide stances.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

use super::Context;
use crate::model::{CodeRef, Finding};
use crate::patterns::{Category, SectionKind};

/// Codes and their findings.
#[derive(Debug, Clone, Default)]
pub struct Codes {
    /// One entry per distinct code, in order of first occurrence.
    pub codes: Vec<CodeRef>,
    /// One finding per kept occurrence.
    pub findings: Vec<Finding>,
}

/// Canonical form of a candidate: ICD-10 with a dot, upper case.
fn canonical(raw: &str, system: &str) -> String {
    let up = raw.to_ascii_uppercase();
    if system == "ICD-10-CM" && !up.contains('.') && up.len() > 3 {
        format!("{}.{}", &up[..3], &up[3..])
    } else {
        up
    }
}

/// Extracts the codes of a document.
pub fn extract(ctx: &Context<'_>) -> Codes {
    let flat = ctx.flat;
    let full = ctx.text.text();
    // Candidates: (cue index, system); HCPCS wins over ICD-10 on the same span.
    let mut by_span: BTreeMap<(usize, usize), (usize, String)> = BTreeMap::new();
    for (ci, cue) in ctx.cues.iter().enumerate() {
        let rule = ctx.rule(cue);
        if rule.category != Category::Code {
            continue;
        }
        let system = rule.tag.clone().unwrap_or_else(|| "code".into());
        let rank = |s: &str| match s {
            "HCPCS" => 0,
            "CDT" => 1,
            "CPT" => 2,
            _ => 3,
        };
        let (start, end) = (cue.hit.start, cue.hit.end);
        let pieces = match system.as_str() {
            "ICD-10-CM" => run_of_codes(&flat[start..end]),
            _ => None,
        };
        for key in pieces
            .unwrap_or_else(|| vec![(0, end - start)])
            .into_iter()
            .map(|(s, e)| (start + s, start + e))
        {
            match by_span.get(&key) {
                Some((_, old)) if rank(old) <= rank(&system) => {}
                _ => {
                    by_span.insert(key, (ci, system.clone()));
                }
            }
        }
    }
    // Drop a shorter candidate inside a longer one (F33 inside F33.2).
    let spans: Vec<(usize, usize)> = by_span.keys().copied().collect();
    for &(s, e) in &spans {
        if spans
            .iter()
            .any(|&(s2, e2)| (s2, e2) != (s, e) && s2 <= s && e <= e2)
        {
            by_span.remove(&(s, e));
        }
    }

    let mut accepted: Vec<(usize, usize, String, String)> = Vec::new(); // start, cue, system, code
    let candidates: Vec<((usize, usize), (usize, String))> = by_span.into_iter().collect();
    let mut kept = vec![false; candidates.len()];
    let mut plausible = vec![false; candidates.len()];
    for (k, ((start, end), (ci, system))) in candidates.iter().enumerate() {
        let cue = &ctx.cues[*ci];
        let raw = &flat[*start..*end];
        let (ok, strong) = judge(ctx, cue.sentence, *start, *end, raw, system, full);
        plausible[k] = ok;
        kept[k] = ok && strong;
    }
    // A plausible candidate next to a kept one (a list or a range) is kept:
    // one pass forward and one backward carry it along a list.
    let order: Vec<usize> = (0..candidates.len())
        .chain((0..candidates.len()).rev())
        .collect();
    {
        for k in order {
            if kept[k] || !plausible[k] {
                continue;
            }
            let (s, e) = candidates[k].0;
            let near = |j: usize| {
                let (s2, e2) = candidates[j].0;
                let gap = if s2 >= e {
                    &flat[e..s2]
                } else if s >= e2 {
                    &flat[e2..s]
                } else {
                    ""
                };
                kept[j] && gap.len() <= 40 && !gap.contains(['.', ';'])
            };
            if (k > 0 && near(k - 1)) || (k + 1 < candidates.len() && near(k + 1)) {
                kept[k] = true;
            }
        }
    }
    for (k, ((start, end), (ci, system))) in candidates.iter().enumerate() {
        if kept[k] {
            let raw = &flat[*start..*end];
            accepted.push((*start, *ci, system.clone(), canonical(raw, system)));
        }
        let _ = end;
    }
    accepted.sort();
    let mut seen = BTreeSet::new();
    let mut cited = BTreeSet::new();
    let mut out = Codes::default();
    for (start, ci, system, code) in accepted {
        let cue = &ctx.cues[ci];
        // One finding per occurrence: the codes of a run share one.
        if cited.insert(ci) {
            out.findings.push(ctx.finding(cue, None));
        }
        if seen.insert(code.clone()) {
            let (page, line) = ctx.text.locate(start);
            out.codes.push(CodeRef {
                code,
                system,
                page,
                line,
            });
        }
    }
    out
}

/// The codes of a run printed with nothing between them ("F0631F0632F32A":
/// a table's cells run together), as spans of `raw`: a new code starts at
/// each capital letter followed by a digit. `None` unless there are two or
/// more and each has the shape of an ICD-10-CM code of four to six
/// characters (a category alone is too short to tell from a part number).
fn run_of_codes(raw: &str) -> Option<Vec<(usize, usize)>> {
    static ONE: LazyLock<Regex> =
        LazyLock::new(|| crate::textutil::ascii_regex(r"^[A-TV-Z]\d[0-9A][0-9A-Z]{1,3}$"));
    let bytes = raw.as_bytes();
    let mut cuts: Vec<usize> = (0..bytes.len())
        .filter(|&i| {
            bytes[i].is_ascii_uppercase() && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
        })
        .collect();
    if cuts.len() < 2 || cuts[0] != 0 {
        return None;
    }
    cuts.push(bytes.len());
    let pieces: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    pieces
        .iter()
        .all(|&(s, e)| ONE.is_match(&raw[s..e]))
        .then_some(pieces)
}

/// Judges a candidate: (plausible, stated as a code on its own).
fn judge(
    ctx: &Context<'_>,
    sentence: usize,
    start: usize,
    end: usize,
    raw: &str,
    system: &str,
    full: &str,
) -> (bool, bool) {
    let flat = ctx.flat;
    let before = &flat[floor_char(flat, start.saturating_sub(20))..start];
    let after = &flat[end..ceil_char(flat, end + 12)];
    // Part of a bigger token: "MP-J3490", "12345.67", "$96365", "555-01234", dates.
    let prev = before.chars().next_back();
    let next = after.chars().next();
    if prev.is_some_and(|c| matches!(c, '$' | '#' | '/' | '@' | '_'))
        || (prev == Some('-')
            && before
                .trim_end_matches('-')
                .ends_with(|c: char| c.is_ascii_alphanumeric())
            && !is_range_left(before))
        || next.is_some_and(|c| matches!(c, '/' | '@' | '_'))
        || (next == Some('.')
            && after[1..].starts_with(|c: char| c.is_ascii_digit())
            && system != "ICD-10-CM")
        || (next == Some('-')
            && after[1..].starts_with(|c: char| c.is_ascii_digit())
            && !is_range_right(after))
        || NDC_REST.is_match(after)
        || (system == "CPT" && QUANTITY_AFTER.is_match(after))
        || WORD_AFTER_HYPHEN.is_match(after)
        || (prev == Some('.') && before[..before.len() - 1].ends_with(|c: char| c.is_ascii_digit()))
    {
        return (false, false);
    }
    if system == "CPT" && ctx.grammar().not_a_code_before.is_match(before) {
        return (false, false);
    }
    let line_start = full[..start].rfind(['\n', '\x0c']).map_or(0, |i| i + 1);
    let line_end = full[end..]
        .find(['\n', '\x0c'])
        .map_or(full.len(), |i| end + i);
    let line = &flat[line_start..line_end];
    let sentence_text = &ctx.sentences[sentence].text;
    let in_coding = ctx.sentences[sentence].section == SectionKind::Coding;
    let code_word = has_code_word(ctx, line) || has_code_word(ctx, sentence_text);
    // Markdown and pipe tables: "| 96365 | Intravenous infusion |".
    let row_start = flat[line_start..start]
        .trim_matches(|c: char| c.is_whitespace() || c == '|')
        .is_empty();
    let range = is_range_left(before) || is_range_right(after);
    // A line of codes only ("96365, 96366"), or a claim line (a date, then
    // the code).
    let code_list = CODE_LIST.is_match(line.trim()) && line.split(',').count() >= 2;
    let claim_line = DATE_BEFORE.is_match(before);
    let strong = match system {
        // Letter + digits in these shapes are hardly anything but codes.
        "HCPCS" | "CDT" => true,
        "ICD-10-CM" if raw.contains('.') => true,
        "ICD-10-CM" => code_word || in_coding || code_list,
        _ => {
            code_word
                || in_coding
                || range
                || code_list
                || claim_line
                || (row_start && line.len() > end - start + 8)
        }
    };
    (true, strong)
}

/// Whether `text` has a word that makes a nearby number a billing code,
/// other than in the name of another kind of code ("zip codes").
fn has_code_word(ctx: &Context<'_>, text: &str) -> bool {
    let grammar = ctx.grammar();
    let other: Vec<(usize, usize)> = grammar
        .other_codes
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    grammar
        .code_context
        .find_iter(text)
        .any(|m| !other.iter().any(|&(s, e)| s <= m.start() && m.end() <= e))
}

/// A unit of measure right after a number: a dose or strength ("10000
/// units/mL", "50000 IU"), not a code.
static QUANTITY_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(r"(?i)^\s*(?:units?|ut|iu|mg|mcg|ml|meq|mmol)\b")
});

/// A word joined on by a hyphen and then joined on again
/// ("10010-Benefits-Guide.pdf"): part of a name, not a code. A modifier
/// ("-59", "-GT") is shorter, and a description ("96365-Intravenous
/// infusion") goes on after a space.
static WORD_AFTER_HYPHEN: LazyLock<Regex> =
    LazyLock::new(|| crate::textutil::ascii_regex(r"^-[A-Za-z]{3,}[-_./]"));

static CODE_LIST: LazyLock<Regex> = LazyLock::new(|| {
    crate::textutil::ascii_regex(
        r"^\(?(?:(?:\d{4}[0-9FTU]|[A-Z]\d{4}|[A-Z]\d[0-9A](?:\.[0-9A-Z]{1,4})?)\s*(?:,|-|and|or)?\s*)+\)?$",
    )
});

/// The rest of a National Drug Code after its five-digit labeler code,
/// product and package written out or masked ("10000-XXXX-XX", "20000-
/// XXXX-XX" broken at a line end): the labeler code is no billing code.
static NDC_REST: LazyLock<Regex> =
    LazyLock::new(|| crate::textutil::ascii_regex(r"^-\s*[0-9Xx*]{3,4}-[0-9Xx*]{1,2}\b"));

static DATE_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| crate::textutil::ascii_regex(r"\b\d{1,2}/\d{1,2}/\d{2,4}\s+$"));

/// A code-shaped token, then a range word, right before the candidate.
/// The largest char boundary at or before `i`.
fn floor_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary at or after `i`.
fn ceil_char(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn is_range_left(before: &str) -> bool {
    static R: LazyLock<Regex> = LazyLock::new(|| {
        crate::textutil::ascii_regex(
            r"(?i)\b(?:\d{4}[0-9FTU]|[A-Z]\d{4}|[A-Z]\d[0-9A]\.?[0-9A-Z]{0,4})\s*(?:-|through|thru|to)\s*$",
        )
    });
    R.is_match(before)
}

fn is_range_right(after: &str) -> bool {
    static R: LazyLock<Regex> = LazyLock::new(|| {
        crate::textutil::ascii_regex(
            r"(?i)^\s*(?:-|through|thru|to)\s*(?:\d{4}[0-9FTU]|[A-Z]\d{4}|[A-Z]\d[0-9A]\.?[0-9A-Z]{0,4})\b",
        )
    });
    R.is_match(after)
}

#[cfg(test)]
mod tests {
    use crate::normalize::NormalizedText;

    fn codes(text: &str) -> Vec<String> {
        let norm = NormalizedText::from_pages(&[text]);
        crate::classify::analyze(&norm, crate::test_matcher())
            .codes
            .into_iter()
            .map(|c| c.code)
            .collect()
    }

    #[test]
    fn the_labeler_code_of_a_drug_code_is_no_procedure_code() {
        let text = "Billing codes: auto-injectors are on the list, except the NDCs\n\
                    10000-XXXX-XX and 20000-\nXXXX-XX; pens 11111-2222-33 too.\n\
                    Bill CPT 96365 for the first hour.";
        assert_eq!(codes(text), vec!["96365"]);
    }

    #[test]
    fn addresses_pages_and_other_kinds_of_code_are_no_billing_codes() {
        // Post office boxes and suites, in any case, and zip and access
        // codes, even where the text says "code".
        let text = "Billing questions: P.O. Box 10452 or PO BOX 10453, Suite 20410.\n\
                    The zip codes 20110, 20111 and 20112 are served. Your access code is 40321.\n\
                    Bill CPT 96365 for the first hour.";
        assert_eq!(codes(text), vec!["96365"]);
        // "Claims" alone does not make a number a code: it names a
        // department here, and a question's number.
        let text = "Claims Department, 10250 Harbor Road, Lakeside.\n\
                    Q12. When is a claim paid?\nBilled as 96372 with J3490.";
        assert_eq!(codes(text), vec!["96372", "J3490"]);
    }

    #[test]
    fn doses_pages_sections_and_names_are_no_billing_codes() {
        let text = "Heparin solution 10000 units/mL and a 50000 IU capsule are listed.\n\
                    See pp. 10420-10436 and Section 44120 of the Act.\n\
                    The billing guide, version 2107.03374, is at 10010-Member-Guide.pdf.\n\
                    The codes are 96365, 96366 and 96372.";
        assert_eq!(codes(text), vec!["96365", "96366", "96372"]);
    }

    #[test]
    fn codes_printed_with_nothing_between_them_are_each_a_code() {
        // A code table whose cells ran together: each code is read, under
        // the table's heading.
        let text = "Diagnosis Codes\nF0631F0632F32A\nF341F530\n\n\
                    Other diagnoses need a review.";
        assert_eq!(codes(text), ["F06.31", "F06.32", "F32.A", "F34.1", "F53.0"]);
        // A run of three-character pieces is a part number, even beside
        // the word "code".
        assert!(codes("Order code A10B20C30 for the pump.").is_empty());
    }

    #[test]
    fn a_code_with_its_description_after_a_hyphen_is_a_code() {
        let text = "Billing: CPT 96365-Intravenous infusion, first hour; J3490 units of 10 mg.";
        assert_eq!(codes(text), ["96365", "J3490"]);
    }
}
