//! `policyscan explain`: the decision on one topic, for a person.
//!
//! Prints every hit that went into the decision (or was set aside), with
//! page and line, section, how the sentence was tied to the topic, the
//! negation / hedging decision with its trigger, the rule that fired and
//! its description, then the final stance, reasons and criteria.

use std::fmt::Write;

use crate::classify::Explanation;
use crate::model::{Document, Metadata, MetadataField, Topic};

/// Renders the explanation of `topic` for an analysed document.
pub fn render(doc: &Document, explanation: Option<&Explanation>, topic: Topic) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", doc.path);
    let _ = writeln!(
        s,
        "  status: {}{}  extractor: {}  pages: {}",
        doc.status.as_str(),
        doc.error
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default(),
        doc.extractor.as_deref().unwrap_or("-"),
        doc.pages
    );
    for w in &doc.warnings {
        let _ = writeln!(s, "  warning: {w}");
    }
    metadata(&mut s, &doc.metadata);
    let Some(explanation) = explanation else {
        return s;
    };
    let _ = writeln!(s, "  kind: {}", explanation.kind.as_str());
    let trace = &explanation.trace;
    let _ = writeln!(s, "  topic: {}\n", topic.as_str());
    let entries: Vec<_> = trace.iter().filter(|e| e.topic == topic).collect();
    if entries.is_empty() {
        let _ = writeln!(s, "  no hits for this topic");
    }
    for e in entries {
        let f = &e.finding;
        let _ = writeln!(
            s,
            "  p.{} l.{}  [{}]  {}  \"{}\"",
            f.page, f.line, f.section, e.role, f.text
        );
        let _ = writeln!(s, "      rule {}: {}", f.rule, e.description);
        if let Some(v) = e.via {
            let _ = writeln!(s, "      topic: {v}");
        }
        if let (Some(t), true) = (&e.negated_by, f.negated) {
            let _ = writeln!(s, "      negated by \"{t}\"");
        }
        if let (Some(t), true) = (&e.hedged_by, f.hedged) {
            let _ = writeln!(s, "      hedged by \"{t}\"");
        }
        if let Some(n) = &e.note {
            let _ = writeln!(s, "      {n}");
        }
        let _ = writeln!(s, "      sentence: {}", f.sentence);
    }
    let _ = writeln!(s);
    match topic {
        Topic::MENTAL_HEALTH_PARITY => {
            let p = &doc.topics.mental_health_parity;
            let _ = writeln!(s, "  => mentioned: {}", p.mentioned);
        }
        t => {
            if let Some(r) = doc.topics.drug(t) {
                let _ = writeln!(s, "  => stance: {}", r.stance.as_str());
                if !r.reasons.is_empty() {
                    let reasons: Vec<&str> = r.reasons.iter().map(|x| x.as_str()).collect();
                    let _ = writeln!(s, "     reasons: {}", reasons.join(", "));
                }
                if !r.criteria.is_empty() {
                    let criteria: Vec<&str> = r.criteria.iter().map(|x| x.as_str()).collect();
                    let _ = writeln!(s, "     criteria: {}", criteria.join(", "));
                }
            }
        }
    }
    s
}

/// The stated metadata with where each value was read (page, line, cue),
/// as the classifier recorded it.
fn metadata(s: &mut String, m: &Metadata) {
    if m.sources.is_empty() {
        return;
    }
    let _ = writeln!(s, "  metadata:");
    for src in &m.sources {
        let value = match src.field {
            MetadataField::Title => m.title.as_deref(),
            MetadataField::Payer => m.payer.as_deref(),
            MetadataField::PolicyNumber => m.policy_number.as_deref(),
            MetadataField::EffectiveDate => m.effective_date.as_deref(),
            MetadataField::LastReviewed => m.last_reviewed.as_deref(),
        }
        .unwrap_or("-");
        let canonical = match (src.field, &m.payer_canonical) {
            (MetadataField::Payer, Some(c)) if c != value => format!(" (canonical: {c})"),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "    {}: \"{value}\"{canonical}  p.{} l.{}  [{}]",
            src.field.as_str(),
            src.page,
            src.line,
            src.cue.as_str()
        );
    }
}
