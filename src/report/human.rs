//! What the reports for people (table, HTML, Markdown, CSV) share: the
//! words for the contract's vocabularies, the sink that collects finished
//! documents and renders them once at the end, and small helpers for
//! quoting evidence.
//!
//! Owns: labels ("covered with criteria", "prior authorization", ...) and
//! the collect-then-render framing. Must not: decide anything about a
//! document (every stance, reason and criterion shown comes from the model
//! as the classifier set it) or know any one output syntax.

use std::io::{self, Write};

use crate::model::{
    Criterion, Document, Finding, Limitation, Reason, Report, Stance, Status, Summary, ToolInfo,
    Topic,
};

use super::json::Sink;

/// A stance in words.
pub fn stance_label(s: Stance) -> &'static str {
    match s {
        Stance::Covered => "Covered",
        Stance::CoveredWithCriteria => "Covered with criteria",
        Stance::NotCovered => "Not covered",
        Stance::Mixed => "Mixed",
        Stance::NotAddressed => "Not addressed",
    }
}

/// A reason in words.
pub fn reason_label(r: Reason) -> &'static str {
    match r {
        Reason::ExperimentalInvestigational => "experimental/investigational",
        Reason::OffLabel => "off-label",
        Reason::NotMedicallyNecessary => "not medically necessary",
        Reason::PlanExclusion => "plan exclusion",
        Reason::Unproven => "unproven",
    }
}

/// A criterion in words.
pub fn criterion_label(c: Criterion) -> &'static str {
    match c {
        Criterion::PriorAuthorization => "prior authorization",
        Criterion::DiagnosisTrd => "treatment-resistant depression",
        Criterion::DiagnosisMddSuicidal => "MDD with suicidal ideation",
        Criterion::TrialOfAntidepressants => "failed antidepressant trials",
        Criterion::RemsCertifiedSetting => "REMS-certified setting",
        Criterion::AgeLimit => "age limit",
        Criterion::ConcurrentOralAntidepressant => "with an oral antidepressant",
        Criterion::PrescriberSpecialty => "prescriber specialty",
        Criterion::QuantityLimit => "quantity limit",
        Criterion::Reauthorization => "reauthorization",
        Criterion::Other => "other conditions",
    }
}

/// A topic in words: the name its topic file gives, or the id of a topic
/// read back from a report.
pub fn topic_label(t: Topic) -> &'static str {
    if let Some(name) = t.registered_name() {
        return name;
    }
    match t {
        Topic::KETAMINE => "Ketamine",
        Topic::ESKETAMINE => "Esketamine (Spravato)",
        Topic::MENTAL_HEALTH_PARITY => "Mental-health parity",
        other => other.as_str(),
    }
}

/// A limitation type (`visit_limit`) or class in words (`visit limit`).
pub fn words(id: &str) -> String {
    id.replace("non_", "non-").replace('_', " ")
}

/// The reasons of a topic in words, joined with ", ".
pub fn reasons_text(rs: &[Reason]) -> String {
    rs.iter()
        .map(|r| reason_label(*r))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The criteria of a topic in words, joined with ", ".
pub fn criteria_text(cs: &[Criterion]) -> String {
    cs.iter()
        .map(|c| criterion_label(*c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whitespace (including line breaks inside a sentence) collapsed to single
/// spaces, so a quote stays on one line.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The quotable text of a finding: its sentence, or the matched text when
/// the sentence is empty.
pub fn quote(f: &Finding) -> String {
    let s = one_line(&f.sentence);
    if s.is_empty() { one_line(&f.text) } else { s }
}

/// The deciding evidence of a topic, one finding per sentence (several
/// rule hits often sit in the same sentence), in document order.
pub fn distinct_evidence(ev: &[Finding]) -> Vec<&Finding> {
    let mut out: Vec<&Finding> = Vec::new();
    for f in ev {
        if !out
            .iter()
            .any(|g| g.page == f.page && g.sentence == f.sentence)
        {
            out.push(f);
        }
    }
    out.sort_by_key(|f| (f.page, f.line, f.start));
    out
}

/// Distinct pages of the evidence, ascending.
pub fn evidence_pages(ev: &[Finding]) -> Vec<u32> {
    let mut p: Vec<u32> = ev.iter().map(|f| f.page).collect();
    p.sort_unstable();
    p.dedup();
    p
}

/// "p. 3" or "pp. 2, 5".
pub fn pages_text(pages: &[u32]) -> String {
    match pages {
        [] => String::new(),
        [p] => format!("p. {p}"),
        ps => format!(
            "pp. {}",
            ps.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The file name of a path (the whole path when it has none).
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .unwrap_or(path)
}

/// A one-line factual summary of a drug topic: the stance, its reasons or
/// criteria, and where the deciding evidence is.
pub fn topic_summary(topic: Topic, doc: &Document) -> String {
    let Some(t) = doc.topics.drug(topic) else {
        return String::new();
    };
    let name = topic_label(topic);
    if doc.status != Status::Ok {
        return format!("{name}: not analysed ({}).", doc.status.as_str());
    }
    let mut s = format!("{name}: {}", stance_label(t.stance).to_lowercase());
    if !t.reasons.is_empty() {
        s.push_str(&format!(" — {}", reasons_text(&t.reasons)));
    }
    if !t.criteria.is_empty() {
        s.push_str(&format!(" — criteria: {}", criteria_text(&t.criteria)));
    }
    let pages = evidence_pages(&t.evidence);
    if !pages.is_empty() {
        s.push_str(&format!(" ({})", pages_text(&pages)));
    }
    s.push('.');
    s
}

/// A limitation side: "p. 3: <sentence>", or "" when not stated.
pub fn limitation_side(f: Option<&Finding>) -> Option<(u32, u32, String)> {
    f.map(|f| (f.page, f.line, quote(f)))
}

/// Limitations worth showing first: asymmetric ones, then the rest, each
/// group in the classifier's order.
pub fn ordered_limitations(ls: &[Limitation]) -> Vec<&Limitation> {
    let mut v: Vec<&Limitation> = ls.iter().filter(|l| l.asymmetric).collect();
    v.extend(ls.iter().filter(|l| !l.asymmetric));
    v
}

/// Renders a whole report to a writer.
pub type Render = fn(&Report, &mut dyn Write) -> io::Result<()>;

/// Collects finished documents and renders the whole report, sorted by
/// path, when the run is over. The formats for people need every document
/// (summary tables, sorted order) before they can write anything.
pub struct CollectSink<W: Write> {
    out: W,
    tool: Option<ToolInfo>,
    docs: Vec<Document>,
    render: Render,
}

impl<W: Write> CollectSink<W> {
    /// Renders with `render` into `out` when finished.
    pub fn new(out: W, render: Render) -> Self {
        CollectSink {
            out,
            tool: None,
            docs: Vec::new(),
            render,
        }
    }
}

impl<W: Write> Sink for CollectSink<W> {
    fn begin(&mut self, tool: &ToolInfo) -> io::Result<()> {
        self.tool = Some(tool.clone());
        Ok(())
    }

    fn document(&mut self, doc: &Document) -> io::Result<()> {
        let mut d = doc.clone();
        // The reports for people show decisions, evidence, parity and
        // codes, never the raw hit list: drop it to keep memory small.
        d.findings = Vec::new();
        self.docs.push(d);
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        let tool = self
            .tool
            .clone()
            .unwrap_or_else(|| super::tool_info("unknown"));
        let report = super::json::report(tool, std::mem::take(&mut self.docs));
        (self.render)(&report, &mut self.out)?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(file_name("a/b/c.pdf"), "c.pdf");
        assert_eq!(file_name("c.pdf"), "c.pdf");
        assert_eq!(file_name("dir/"), "dir");
        assert_eq!(file_name("a\\b.pdf"), "b.pdf");
    }

    #[test]
    fn page_lists() {
        assert_eq!(pages_text(&[]), "");
        assert_eq!(pages_text(&[3]), "p. 3");
        assert_eq!(pages_text(&[2, 5]), "pp. 2, 5");
    }

    #[test]
    fn every_vocabulary_word_has_a_label() {
        for s in Stance::ALL {
            assert!(!stance_label(s).is_empty());
        }
        for r in Reason::ALL {
            assert!(!reason_label(r).is_empty());
        }
        for c in Criterion::ALL {
            assert!(!criterion_label(c).is_empty());
        }
    }
}
