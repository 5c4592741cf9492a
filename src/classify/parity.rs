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

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

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

/// The benefit classification a statement is made in; limitations are
/// compared only within one classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    Inpatient,
    OutpatientOffice,
    OutpatientOther,
    /// Outpatient, with no subclassification named.
    Outpatient,
    Emergency,
    PrescriptionDrugs,
}

impl Class {
    fn from_tag(tag: &str) -> Option<Class> {
        Some(match tag {
            "class_inpatient" => Class::Inpatient,
            "class_outpatient_office" => Class::OutpatientOffice,
            "class_outpatient_other" => Class::OutpatientOther,
            "class_outpatient" => Class::Outpatient,
            "class_emergency" => Class::Emergency,
            "class_prescription_drugs" => Class::PrescriptionDrugs,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Class::Inpatient => "inpatient",
            Class::OutpatientOffice => "outpatient_office",
            Class::OutpatientOther => "outpatient_other",
            Class::Outpatient => "outpatient",
            Class::Emergency => "emergency",
            Class::PrescriptionDrugs => "prescription_drugs",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Class::Inpatient => "inpatient",
            Class::OutpatientOffice => "outpatient office visits",
            Class::OutpatientOther => "other outpatient",
            Class::Outpatient => "outpatient",
            Class::Emergency => "emergency care",
            Class::PrescriptionDrugs => "prescription drugs",
        }
    }
}

/// One limitation cue with the benefit it is stated for.
struct Record {
    kind: &'static str,
    side: Option<Side>,
    class: Option<Class>,
    /// Whether the benefit is named in the statement's own sentence (not
    /// lent by a row label, a heading or a comparison table).
    local: bool,
    /// What a quantity is counted per ("visit", "day", "year"), when stated.
    unit: Option<&'static str>,
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

/// Classification cues of a sentence: (offset, class). An unqualified
/// "outpatient" inside a more specific cue is dropped.
fn class_cues(ctx: &Context<'_>, si: usize) -> Vec<(usize, Class)> {
    let all: Vec<(usize, usize, Class)> = ctx.by_sentence[si]
        .iter()
        .map(|&c| &ctx.cues[c])
        .filter_map(|c| {
            let class = Class::from_tag(ctx.rule(c).tag.as_deref()?)?;
            Some((c.hit.start, c.hit.end, class))
        })
        .collect();
    all.iter()
        .filter(|&&(start, end, class)| {
            class != Class::Outpatient
                || !all
                    .iter()
                    .any(|&(s, e, c)| c != Class::Outpatient && s < end && start < e)
        })
        .map(|&(start, _, class)| (start, class))
        .collect()
}

/// Whether a sentence names a benefit that is not health care.
fn non_health(ctx: &Context<'_>, si: usize) -> bool {
    ctx.has_tag(si, "non_health")
}

/// The classification nearest before `at` (else the first after it) among
/// `cues`, preferring one in the same clause.
fn nearest_class(ctx: &Context<'_>, cues: &[(usize, Class)], at: usize) -> Option<Class> {
    let pick = |pool: Vec<&(usize, Class)>| {
        pool.iter()
            .filter(|(o, _)| *o <= at)
            .max_by_key(|(o, _)| *o)
            .or_else(|| pool.iter().filter(|(o, _)| *o > at).min_by_key(|(o, _)| *o))
            .map(|(_, c)| *c)
    };
    pick(
        cues.iter()
            .filter(|(o, _)| same_clause(ctx, *o, at))
            .collect(),
    )
    .or_else(|| pick(cues.iter().collect()))
}

/// What a stated quantity is counted per: the first "per X", "/X" or
/// "each X" in the matched text or just after it.
fn unit(ctx: &Context<'_>, cue: &Cue) -> Option<&'static str> {
    static UNIT: LazyLock<regex::Regex> = LazyLock::new(|| {
        crate::textutil::ascii_regex(
            r"(?i)(?:/|\bper\b|\beach\b|\bevery\b|\ba\b)\s*(?:calendar\s+|plan\s+|benefit\s+|contract\s+)?(visit|session|day|admission|stay|year|month|week|lifetime|prescription|script|fill|trip)s?\b",
        )
    });
    let piece_end = ctx.sentences[cue.sentence]
        .pieces
        .iter()
        .find(|r| r.start <= cue.hit.start && cue.hit.start < r.end)
        .map_or(cue.hit.end, |r| r.end);
    let mut end = (cue.hit.end + 24)
        .min(piece_end.max(cue.hit.end))
        .min(ctx.flat.len());
    while !ctx.flat.is_char_boundary(end) {
        end -= 1;
    }
    let window = &ctx.flat[cue.hit.start..end];
    let m = UNIT.captures(window)?;
    Some(match m[1].to_ascii_lowercase().as_str() {
        "visit" | "session" => "visit",
        "day" => "day",
        "admission" | "stay" => "admission",
        "year" => "year",
        "month" => "month",
        "week" => "week",
        "lifetime" => "lifetime",
        "trip" => "trip",
        _ => "prescription",
    })
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
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(rest.len());
    rest[..end]
        .trim_end_matches(['.', ','])
        .replace(',', "")
        .parse()
        .ok()
}

/// The limitation records, and the classifications in which the document
/// describes medical/surgical benefits.
fn records(ctx: &Context<'_>) -> (Vec<Record>, BTreeSet<Class>) {
    let mut out = Vec::new();
    let mut medsurg_classes = BTreeSet::new();
    let mut heading_side: Option<Side> = None;
    let mut heading_class: Option<Class> = None;
    let mut row: Option<(Side, Option<Class>, usize)> = None;
    // A comparison table: one column header names MH/SUD and the next the
    // medical/surgical benefits; its rows state each limitation for both.
    let mut comparison = false;
    let mut last_header: Option<(usize, Side)> = None;
    for si in 0..ctx.sentences.len() {
        let s = &ctx.sentences[si];
        // A benefit that is not health care is evidence for neither side.
        let off_topic = non_health(ctx, si);
        let sides = if off_topic {
            Vec::new()
        } else {
            side_cues(ctx, si)
        };
        let sentence_side = combine(sides.iter().map(|x| x.1));
        let classes = class_cues(ctx, si);
        let words = s.text.split_whitespace().count();
        if s.kind == SentenceKind::Heading {
            comparison = false;
        }
        if matches!(s.kind, SentenceKind::Heading | SentenceKind::Title) {
            if sentence_side.is_some() || off_topic {
                heading_side = sentence_side;
            }
            if let Some(&(_, class)) = classes.first() {
                heading_class = Some(class);
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
        for &(at, side) in &sides {
            if side == Side::MedSurg
                && let Some(class) = nearest_class(ctx, &classes, at).or(heading_class)
            {
                medsurg_classes.insert(class);
            }
        }
        let limits: Vec<(usize, &Cue)> = ctx.by_sentence[si]
            .iter()
            .map(|&c| (c, &ctx.cues[c]))
            .filter(|(_, c)| ctx.rule(c).category == Category::Limitation)
            .collect();
        if limits.is_empty() {
            // A short benefit label opens a table row for the cells after it.
            row = match sentence_side {
                Some(side) if words <= 10 => Some((side, classes.first().map(|c| c.1), 4)),
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
            let side = if off_topic {
                None
            } else {
                in_clause
                    .or(sentence_side)
                    .or(table)
                    .or(row.map(|r| r.0))
                    .or(heading_side)
            };
            let class = nearest_class(ctx, &classes, cue.hit.start)
                .or(row.and_then(|r| r.1))
                .or(heading_class);
            out.push(Record {
                kind,
                side,
                class,
                unit: unit(ctx, cue),
                local: !off_topic && (in_clause.is_some() || sentence_side.is_some()),
                applies: !cue.scope.negated,
                cue: ci,
            });
        }
        row = match row {
            Some((side, class, left)) if left > 0 && words <= 20 => Some((side, class, left - 1)),
            _ => None,
        };
    }
    (out, medsurg_classes)
}

/// The quantity a record states, with whether a lower value is the
/// stricter one.
fn value(ctx: &Context<'_>, r: &Record) -> Option<f64> {
    number(ctx.matched(&ctx.cues[r.cue]))
}

/// Whether MH/SUD's quantity `a` is stricter than medical/surgical's `b`.
fn stricter(kind: &str, a: f64, b: f64) -> bool {
    if matches!(kind, "visit_limit" | "day_limit") {
        a < b
    } else {
        a > b
    }
}

/// One limitation type set side by side, within one classification or
/// across the document.
struct Comparison<'r> {
    mh: Option<&'r Record>,
    ms: Option<&'r Record>,
    class: Option<Class>,
    asymmetric: bool,
    note: String,
}

/// Sets the records of one limitation type side by side. With `class`,
/// `rs` are the ones stated in that classification; without, all of them,
/// read across the document, and nothing is asymmetric: a comparison needs
/// one classification. `all` is every record of the type.
///
/// Asymmetric, within one classification, only when the MH/SUD statement
/// names its benefit in its own sentence and
/// - a quantity is stricter for MH/SUD than every medical/surgical one
///   counted per the same unit, or
/// - the document states the limitation as not applying to medical/surgical
///   benefits, or
/// - it describes medical/surgical benefits of the classification (in
///   their own sentences) and states the limitation for none of them, nor
///   for benefits in general.
fn weigh<'r>(
    ctx: &Context<'_>,
    kind: &str,
    quantitative: bool,
    rs: &[&'r Record],
    all: &[&'r Record],
    class: Option<Class>,
    medsurg_classes: &BTreeSet<Class>,
) -> Option<Comparison<'r>> {
    let first = |pred: &dyn Fn(&Record) -> bool| rs.iter().copied().find(|r| pred(r));
    let for_mh = |r: &Record| matches!(r.side, Some(Side::MhSud | Side::Both));
    let for_ms = |r: &Record| matches!(r.side, Some(Side::MedSurg | Side::Both));
    let own = |r: &Record| r.local && r.side == Some(Side::MhSud);
    let mh = first(&|r| r.applies && own(r)).or_else(|| first(&|r| r.applies && for_mh(r)));
    let ms = first(&|r| r.applies && for_ms(r));
    let ms_not = first(&|r| !r.applies && r.side == Some(Side::MedSurg));
    let mh_not = first(&|r| !r.applies && r.side == Some(Side::MhSud));
    let words = class
        .map(|c| format!(" ({})", c.words()))
        .unwrap_or_default();
    let (mh, ms, asymmetric, note) = match (mh, ms) {
        (Some(a), Some(b)) => {
            if std::ptr::eq(a, b) {
                (
                    Some(a),
                    Some(b),
                    false,
                    "stated for both in one statement".to_string(),
                )
            } else if class.is_none() {
                let note = match (a.class, b.class) {
                    (Some(x), Some(y)) if x != y => format!(
                        "stated for MH/SUD ({}) and for medical/surgical ({}): not the same classification",
                        x.words(),
                        y.words()
                    ),
                    _ => "stated for both; not in one classification".to_string(),
                };
                (Some(a), Some(b), false, note)
            } else if quantitative {
                let same_unit: Vec<&Record> = rs
                    .iter()
                    .copied()
                    .filter(|r| r.applies && for_ms(r) && r.unit == a.unit)
                    .filter(|r| value(ctx, r).is_some())
                    .collect();
                match value(ctx, a) {
                    Some(x) if !same_unit.is_empty() => {
                        // The medical/surgical statement closest to MH/SUD's.
                        let lenient = same_unit
                            .iter()
                            .copied()
                            .find(|r| value(ctx, r).is_some_and(|y| !stricter(kind, x, y)));
                        match lenient {
                            Some(b) => (Some(a), Some(b), false, "stated for both".to_string()),
                            None => {
                                let b = same_unit
                                    .iter()
                                    .copied()
                                    .reduce(|p, q| {
                                        let (vp, vq) = (value(ctx, p), value(ctx, q));
                                        if vq.zip(vp).is_some_and(|(vq, vp)| stricter(kind, vq, vp))
                                        {
                                            q
                                        } else {
                                            p
                                        }
                                    })
                                    .unwrap_or(b);
                                let (m, n) =
                                    (ctx.matched(&ctx.cues[a.cue]), ctx.matched(&ctx.cues[b.cue]));
                                (
                                    Some(a),
                                    Some(b),
                                    own(a),
                                    format!(
                                        "stated more strictly for MH/SUD ({m} vs {n} for medical/surgical)"
                                    ),
                                )
                            }
                        }
                    }
                    _ => (
                        Some(a),
                        Some(b),
                        false,
                        format!(
                            "stated for both, counted per {} for MH/SUD and per {} for medical/surgical: not compared",
                            a.unit.unwrap_or("an unstated unit"),
                            b.unit.unwrap_or("an unstated unit")
                        ),
                    ),
                }
            } else {
                (Some(a), Some(b), false, "stated for both".to_string())
            }
        }
        (Some(a), None) => match ms_not {
            Some(b) => (
                Some(a),
                Some(b),
                class.is_some() && own(a) && b.local,
                "stated for MH/SUD; stated as not applying to medical/surgical".to_string(),
            ),
            None => {
                let general = all.iter().any(|r| {
                    r.applies && matches!(r.side, None | Some(Side::MedSurg | Side::Both))
                });
                let described = class.is_some_and(|c| medsurg_classes.contains(&c));
                if described && !general && own(a) {
                    (
                        Some(a),
                        None,
                        true,
                        "stated for MH/SUD only; the document describes medical/surgical benefits of this classification without it".to_string(),
                    )
                } else if general {
                    (
                        Some(a),
                        None,
                        false,
                        "stated for MH/SUD; the document also states it for other benefits or without naming a side".to_string(),
                    )
                } else {
                    (Some(a), None, false, "stated for MH/SUD only".to_string())
                }
            }
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
        (None, None) => return None,
    };
    Some(Comparison {
        mh,
        ms,
        class,
        asymmetric,
        note: format!("{note}{words}"),
    })
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
        .map(|&c| ctx.finding(&ctx.cues[c], Some(Topic::MENTAL_HEALTH_PARITY)))
        .collect();

    let (recs, medsurg_classes) = records(ctx);
    let mut by_kind: BTreeMap<&str, Vec<&Record>> = BTreeMap::new();
    for r in &recs {
        by_kind.entry(r.kind).or_default().push(r);
    }
    let finding = |r: &Record| ctx.finding(&ctx.cues[r.cue], Some(Topic::MENTAL_HEALTH_PARITY));
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
        let mut classes: Vec<Class> = rs.iter().filter_map(|r| r.class).collect();
        classes.sort();
        classes.dedup();
        let comparisons: Vec<Comparison> = classes
            .iter()
            .filter_map(|&c| {
                let within: Vec<&Record> =
                    rs.iter().copied().filter(|r| r.class == Some(c)).collect();
                weigh(
                    ctx,
                    kind,
                    quantitative,
                    &within,
                    rs,
                    Some(c),
                    &medsurg_classes,
                )
            })
            .collect();
        // The comparison reported: an asymmetric one, else one stating both
        // sides in one classification, else the document-wide reading.
        let chosen = comparisons.iter().position(|c| c.asymmetric).or_else(|| {
            comparisons
                .iter()
                .position(|c| c.mh.is_some() && c.ms.is_some())
        });
        let cmp = match chosen {
            Some(i) => comparisons.into_iter().nth(i),
            None => weigh(ctx, kind, quantitative, rs, rs, None, &medsurg_classes),
        };
        let Some(mut cmp) = cmp else {
            continue;
        };
        if cmp.class.is_none() {
            // One side only, or both in one classification: name it.
            let mut named = [cmp.mh, cmp.ms].into_iter().flatten().map(|r| r.class);
            let first = named.next().flatten();
            if named.all(|c| c == first) {
                cmp.class = first;
            }
        }
        let (asymmetric, note) = if cmp.asymmetric && !comparison_document {
            (
                false,
                format!(
                    "{}; a {} is not a benefits comparison",
                    cmp.note,
                    ctx.kind.as_str()
                ),
            )
        } else {
            (cmp.asymmetric, cmp.note)
        };
        limitations.push(Limitation {
            kind: kind.to_string(),
            class: if quantitative {
                "quantitative"
            } else {
                "non_quantitative"
            }
            .to_string(),
            mh_sud: cmp.mh.map(finding),
            med_surg: cmp.ms.map(finding),
            asymmetric,
            note,
            classification: cmp.class.map(|c| c.as_str().to_string()),
        });
    }

    let mut trace = Vec::new();
    for &c in &parity_cues {
        trace.push(entry(ctx, c, "parity".into(), None));
    }
    for r in &recs {
        let role = format!("limitation ({})", r.kind);
        let class = r
            .class
            .map(|c| format!(" ({})", c.words()))
            .unwrap_or_default();
        let note = match (r.side, r.applies) {
            (Some(side), true) => format!("{}{class}", side.as_str()),
            (Some(side), false) => format!("{}{class}, as not applying", side.as_str()),
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
        topic: Topic::MENTAL_HEALTH_PARITY,
        finding: ctx.finding(cue, Some(Topic::MENTAL_HEALTH_PARITY)),
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
        assert_eq!(number("$1,500 copayment"), Some(1500.0));
    }
}
