//! The parity lens: mental-health parity language, and treatment
//! limitations set side by side for mental-health / substance-use (MH/SUD)
//! and medical / surgical benefits.
//!
//! Owns: `topics.mental_health_parity` — whether parity is mentioned (with
//! evidence), and one [`Limitation`] per limitation type the document
//! states (visit and day limits, copays, coinsurance, deductibles, prior
//! authorization, concurrent review, step therapy, medical-necessity
//! criteria, experimental determinations, network admission, site of care,
//! reimbursement rates), with the sentence that states it for each side.
//!
//! The benefit a limitation is stated for comes from the clause around it
//! (a benefit named in the same clause), else the sentence, else the table
//! row label before it, else the last heading that names a benefit.
//! Wording stays factual: "stated for MH/SUD only", "stated more strictly
//! for MH/SUD"; never a legal conclusion.
//!
//! Must not: decide drug stances (that is `stance`).

use std::collections::BTreeMap;

use super::kind::DocumentKind;
use super::sentence::SentenceKind;
use super::stance::TraceEntry;
use super::{Context, Cue};
use crate::model::{Finding, Limitation, ParityResult, Topic};
use crate::patterns::Category;

/// Limitation types in report order, and whether they are quantitative.
const TYPES: &[(&str, bool)] = &[
    ("visit_limit", true),
    ("day_limit", true),
    ("copay", true),
    ("coinsurance", true),
    ("deductible", true),
    ("prior_authorization", false),
    ("concurrent_review", false),
    ("step_therapy", false),
    ("medical_necessity_criteria", false),
    ("experimental_determination", false),
    ("network_admission", false),
    ("site_of_care", false),
    ("reimbursement_rates", false),
];

/// Which benefit a statement is made for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    MhSud,
    MedSurg,
    Both,
}

impl Side {
    fn as_str(self) -> &'static str {
        match self {
            Side::MhSud => "stated for MH/SUD benefits",
            Side::MedSurg => "stated for medical/surgical benefits",
            Side::Both => "stated for both",
        }
    }
}

/// One limitation cue with the benefit it is stated for.
struct Record {
    kind: &'static str,
    side: Option<Side>,
    applies: bool,
    cue: usize,
}

const MAX_EVIDENCE: usize = 20;

/// Side cues of a sentence: (offset, side).
fn side_cues(ctx: &Context<'_>, si: usize) -> Vec<(usize, Side)> {
    ctx.by_sentence[si]
        .iter()
        .map(|&c| &ctx.cues[c])
        .filter_map(|c| match ctx.rule(c).tag.as_deref() {
            Some("mhsud" | "use_psychiatric") => Some((c.hit.start, Side::MhSud)),
            Some("medsurg" | "use_pain") => Some((c.hit.start, Side::MedSurg)),
            _ => None,
        })
        .collect()
}

fn combine(sides: impl Iterator<Item = Side>) -> Option<Side> {
    let mut mh = false;
    let mut ms = false;
    for s in sides {
        match s {
            Side::MhSud => mh = true,
            Side::MedSurg => ms = true,
            Side::Both => {
                mh = true;
                ms = true;
            }
        }
    }
    match (mh, ms) {
        (true, true) => Some(Side::Both),
        (true, false) => Some(Side::MhSud),
        (false, true) => Some(Side::MedSurg),
        (false, false) => None,
    }
}

/// Whether a clause boundary separates two offsets.
fn same_clause(ctx: &Context<'_>, a: usize, b: usize) -> bool {
    let (x, y) = (a.min(b), a.max(b));
    let seg = ctx.flat[x..y].to_ascii_lowercase();
    !(seg.contains(';')
        || seg.contains(". ")
        || [
            " but ",
            " while ",
            " whereas ",
            " however",
            " unlike ",
            " except ",
        ]
        .iter()
        .any(|w| seg.contains(w)))
}

/// The first number in a matched text ("$40 copay" → 40).
fn number(s: &str) -> Option<f64> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let rest = &s[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    rest[..end].trim_end_matches('.').parse().ok()
}

fn records(ctx: &Context<'_>) -> Vec<Record> {
    let mut out = Vec::new();
    let mut heading_side: Option<Side> = None;
    let mut row: Option<(Side, usize)> = None;
    // A comparison table: one column header names MH/SUD and the next the
    // medical/surgical benefits; its rows state each limitation for both.
    let mut comparison = false;
    let mut last_header: Option<(usize, Side)> = None;
    for si in 0..ctx.sentences.len() {
        let s = &ctx.sentences[si];
        let sides = side_cues(ctx, si);
        let sentence_side = combine(sides.iter().map(|x| x.1));
        let words = s.text.split_whitespace().count();
        if s.kind == SentenceKind::Heading {
            comparison = false;
        }
        if matches!(s.kind, SentenceKind::Heading | SentenceKind::Title) {
            if sentence_side.is_some() {
                heading_side = sentence_side;
            }
            row = None;
        }
        if words <= 12
            && let Some(side @ (Side::MhSud | Side::MedSurg)) = sentence_side
        {
            if let Some((prev, other)) = last_header
                && si - prev <= 2
                && other != side
            {
                comparison = true;
            }
            last_header = Some((si, side));
        }
        if matches!(s.kind, SentenceKind::Heading | SentenceKind::Title) {
            continue;
        }
        let limits: Vec<(usize, &Cue)> = ctx.by_sentence[si]
            .iter()
            .map(|&c| (c, &ctx.cues[c]))
            .filter(|(_, c)| ctx.rule(c).category == Category::Limitation)
            .collect();
        if limits.is_empty() {
            // A short benefit label opens a table row for the cells after it.
            row = match sentence_side {
                Some(side) if words <= 10 => Some((side, 4)),
                _ => None,
            };
            continue;
        }
        for (ci, cue) in limits {
            let Some(kind) = ctx
                .rule(cue)
                .tag
                .as_deref()
                .and_then(|t| TYPES.iter().find(|(k, _)| *k == t).map(|(k, _)| *k))
            else {
                continue;
            };
            let in_clause = combine(
                sides
                    .iter()
                    .filter(|(at, _)| same_clause(ctx, *at, cue.hit.start))
                    .map(|x| x.1),
            );
            let table = comparison.then_some(Side::Both);
            let side = in_clause
                .or(sentence_side)
                .or(table)
                .or(row.map(|r| r.0))
                .or(heading_side);
            out.push(Record {
                kind,
                side,
                applies: !cue.scope.negated,
                cue: ci,
            });
        }
        row = match row {
            Some((side, left)) if left > 0 && words <= 20 => Some((side, left - 1)),
            _ => None,
        };
    }
    out
}

fn compare(kind: &str, quantitative: bool, mh: &Finding, ms: &Finding) -> (bool, String) {
    if quantitative && let (Some(a), Some(b)) = (number(&mh.text), number(&ms.text)) {
        let lower_is_stricter = matches!(kind, "visit_limit" | "day_limit");
        let stricter = if lower_is_stricter { a < b } else { a > b };
        if stricter {
            return (
                true,
                format!(
                    "stated more strictly for MH/SUD ({} vs {} for medical/surgical)",
                    mh.text, ms.text
                ),
            );
        }
    }
    (false, "stated for both".to_string())
}

/// Parity mention, limitations and the explain trace.
pub fn decide(ctx: &Context<'_>) -> (ParityResult, Vec<TraceEntry>) {
    let parity_cues: Vec<usize> = ctx
        .cues
        .iter()
        .enumerate()
        .filter(|(_, c)| ctx.rule(c).category == Category::Parity && !c.scope.negated)
        .map(|(i, _)| i)
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let evidence: Vec<Finding> = parity_cues
        .iter()
        .filter(|&&c| seen.insert(ctx.cues[c].sentence))
        .take(MAX_EVIDENCE)
        .map(|&c| ctx.finding(&ctx.cues[c], Some(Topic::MentalHealthParity)))
        .collect();

    let recs = records(ctx);
    let mut by_kind: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for r in &recs {
        by_kind.entry(r.kind).or_default().push(r);
    }
    let finding = |r: &Record| ctx.finding(&ctx.cues[r.cue], Some(Topic::MentalHealthParity));
    // A policy, criteria, form, notice, drug list, billing article or a
    // letter about a treatment is not a benefits comparison: what it
    // states for MH/SUD is not set against medical/surgical benefits.
    let comparison_document = !matches!(
        ctx.kind,
        DocumentKind::Policy
            | DocumentKind::PaCriteria
            | DocumentKind::PaForm
            | DocumentKind::Notice
            | DocumentKind::Formulary
            | DocumentKind::BillingArticle
            | DocumentKind::Letter
            | DocumentKind::ReviewDecision
    );

    let mut limitations = Vec::new();
    for &(kind, quantitative) in TYPES {
        let Some(rs) = by_kind.get(kind) else {
            continue;
        };
        let first =
            |pred: &dyn Fn(&Record) -> bool| rs.iter().find(|r| pred(r)).map(|r| finding(r));
        let for_mh = |r: &Record| matches!(r.side, Some(Side::MhSud | Side::Both));
        let for_ms = |r: &Record| matches!(r.side, Some(Side::MedSurg | Side::Both));
        let mh = first(&|r| r.applies && for_mh(r));
        let ms = first(&|r| r.applies && for_ms(r));
        let ms_not = first(&|r| !r.applies && r.side == Some(Side::MedSurg));
        let mh_not = first(&|r| !r.applies && r.side == Some(Side::MhSud));
        let (mh_sud, med_surg, asymmetric, note) = match (mh, ms) {
            (Some(a), Some(b)) => {
                let (asym, note) = if a == b {
                    (false, "stated for both in one statement".to_string())
                } else {
                    compare(kind, quantitative, &a, &b)
                };
                (Some(a), Some(b), asym, note)
            }
            (Some(a), None) => match ms_not {
                Some(b) => (
                    Some(a),
                    Some(b),
                    true,
                    "stated for MH/SUD; stated as not applying to medical/surgical".to_string(),
                ),
                None => (Some(a), None, true, "stated for MH/SUD only".to_string()),
            },
            (None, Some(b)) => match mh_not {
                Some(a) => (
                    Some(a),
                    Some(b),
                    false,
                    "stated for medical/surgical; stated as not applying to MH/SUD".to_string(),
                ),
                None => (
                    None,
                    Some(b),
                    false,
                    "stated for medical/surgical only".to_string(),
                ),
            },
            (None, None) => continue,
        };
        let (asymmetric, note) = if asymmetric && !comparison_document {
            (
                false,
                format!(
                    "{note}; a {} is not a benefits comparison",
                    ctx.kind.as_str()
                ),
            )
        } else {
            (asymmetric, note)
        };
        limitations.push(Limitation {
            kind: kind.to_string(),
            class: if quantitative {
                "quantitative"
            } else {
                "non_quantitative"
            }
            .to_string(),
            mh_sud,
            med_surg,
            asymmetric,
            note,
        });
    }

    let mut trace = Vec::new();
    for &c in &parity_cues {
        trace.push(entry(ctx, c, "parity".into(), None));
    }
    for r in &recs {
        let role = format!("limitation ({})", r.kind);
        let note = match (r.side, r.applies) {
            (Some(side), true) => side.as_str().to_string(),
            (Some(side), false) => format!("{}, as not applying", side.as_str()),
            (None, _) => "no benefit named: not placed on either side".to_string(),
        };
        trace.push(entry(ctx, r.cue, role, Some(note)));
    }
    trace.sort_by_key(|e| (e.finding.start, e.finding.end));
    (
        ParityResult {
            mentioned: !parity_cues.is_empty(),
            evidence,
            limitations,
        },
        trace,
    )
}

fn entry(ctx: &Context<'_>, ci: usize, role: String, note: Option<String>) -> TraceEntry {
    let cue = &ctx.cues[ci];
    TraceEntry {
        topic: Topic::MentalHealthParity,
        finding: ctx.finding(cue, Some(Topic::MentalHealthParity)),
        description: ctx.rule(cue).description.clone(),
        role,
        via: None,
        note,
        negated_by: cue
            .scope
            .negated_by
            .map(|h| ctx.flat[h.start..h.end].to_string()),
        hedged_by: cue
            .scope
            .hedged_by
            .map(|h| ctx.flat[h.start..h.end].to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_number() {
        assert_eq!(number("$40 copay"), Some(40.0));
        assert_eq!(number("20% coinsurance"), Some(20.0));
        assert_eq!(number("limited to 20 visits"), Some(20.0));
        assert_eq!(number("copay"), None);
    }
}
