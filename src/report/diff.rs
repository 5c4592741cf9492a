//! `policyscan diff OLD NEW`: what changed between two versions of a
//! policy (two documents, two JSON/JSONL reports, or two folders).
//!
//! Owns: the keys documents are paired by ([`Side`]: two single documents
//! pair with each other; otherwise by path relative to the folder, or to
//! the report's common directory, [`Side::from_report`]), the comparison
//! ([`compare`]: stance, reasons, criteria, metadata, parity limitations,
//! codes, with the evidence on both sides of every changed topic) and its
//! human and JSON renderings. Must not: walk folders or analyse documents
//! (the library does, `policyscan::diff_side`, and hands the documents
//! over), or choose the exit code (that is `app`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use console::Style;
use serde::{Deserialize, Serialize};

use super::read::{self, ReadError};
use crate::model::{
    CodeRef, Criterion, CriterionDetail, DetailValue, Document, Finding, Reason, Stance, Status,
    Topic, TopicResult,
};
use crate::patterns::DetailVocab;
use crate::patterns::detail::Stricter;

use super::human::{
    criterion_label, distinct_evidence, file_name, quote, reason_label, stance_label, topic_label,
    words,
};

/// One side of a diff: its documents, each with the key it is matched by.
#[derive(Debug, Clone)]
pub struct Side {
    /// The path given on the command line.
    pub label: String,
    /// Whether the side is one document given directly (a file, or a
    /// report holding exactly one document).
    pub single: bool,
    /// `(key, document)`, sorted by key.
    pub docs: Vec<(String, Document)>,
}

/// Whether a path names a report (`.json` / `.jsonl`) rather than a
/// document.
pub fn is_report(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "json" | "jsonl"))
}

/// Keys for report documents: paths relative to the documents' common
/// directory (so `scan old/` and the folder `old/` give the same keys).
fn relative_keys(paths: &[&str]) -> Vec<String> {
    let split: Vec<Vec<&str>> = paths
        .iter()
        .map(|p| p.split(['/', '\\']).collect())
        .collect();
    let mut common = split
        .iter()
        .map(|s| s.len().saturating_sub(1))
        .min()
        .unwrap_or(0);
    if let Some(first) = split.first() {
        for s in &split[1..] {
            common = common.min(first.iter().zip(s).take_while(|(a, b)| a == b).count());
        }
    }
    split.iter().map(|s| s[common..].join("/")).collect()
}

impl Side {
    /// A folder's documents, keyed by their path relative to it.
    pub fn folder(label: String, mut docs: Vec<(String, Document)>) -> Side {
        docs.sort_by(|a, b| a.0.cmp(&b.0));
        Side {
            label,
            single: false,
            docs,
        }
    }

    /// One document given directly, keyed by its file name.
    pub fn document(label: String, doc: Document) -> Side {
        Side {
            docs: vec![(file_name(&label).to_string(), doc)],
            label,
            single: true,
        }
    }

    /// The documents of a report written by `scan --format json` or
    /// `--format jsonl`, keyed by their path relative to the documents'
    /// common directory.
    pub fn from_report(path: &Path) -> Result<Side, ReadError> {
        let label = path.to_string_lossy().into_owned();
        let name = path.display().to_string();
        let documents: Vec<Document> = read::read(path, &name)?
            .documents
            .into_iter()
            .map(|r| r.document)
            .collect();
        if documents.is_empty() {
            return Err(ReadError::Invalid(format!(
                "{name}: not a policyscan report (scan --format json or jsonl): no documents in it"
            )));
        }
        let paths: Vec<&str> = documents.iter().map(|d| d.path.as_str()).collect();
        let keys = relative_keys(&paths);
        let single = documents.len() == 1;
        let mut docs: Vec<(String, Document)> = keys.into_iter().zip(documents).collect();
        docs.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Side {
            label,
            single,
            docs,
        })
    }
}

/// A quote from the evidence of one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// 1-based page.
    pub page: u32,
    /// 1-based line on the page.
    pub line: u32,
    /// The rule that matched.
    pub rule: String,
    /// The sentence.
    pub text: String,
}

fn quotes(ev: &[Finding]) -> Vec<Quote> {
    distinct_evidence(ev)
        .into_iter()
        .map(|f| Quote {
            page: f.page,
            line: f.line,
            rule: f.rule.clone(),
            text: quote(f),
        })
        .collect()
}

/// How one drug topic changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicDiff {
    /// The stance in the old version.
    pub old_stance: Stance,
    /// The stance in the new version.
    pub new_stance: Stance,
    /// Whether the stance differs.
    pub stance_changed: bool,
    /// Reasons only in the new version.
    pub reasons_added: Vec<Reason>,
    /// Reasons only in the old version.
    pub reasons_removed: Vec<Reason>,
    /// Criteria only in the new version.
    pub criteria_added: Vec<Criterion>,
    /// Criteria only in the old version.
    pub criteria_removed: Vec<Criterion>,
    /// Criterion values that changed (`criteria_detail`), by kind of
    /// change.
    #[serde(default)]
    pub value_changes: Vec<ValueChange>,
    /// The old deciding evidence (only when something changed).
    pub old_evidence: Vec<Quote>,
    /// The new deciding evidence (only when something changed).
    pub new_evidence: Vec<Quote>,
}

impl TopicDiff {
    /// Whether anything about the decision changed.
    pub fn changed(&self) -> bool {
        self.stance_changed
            || !self.reasons_added.is_empty()
            || !self.reasons_removed.is_empty()
            || !self.criteria_added.is_empty()
            || !self.criteria_removed.is_empty()
            || !self.value_changes.is_empty()
    }
}

/// How one criterion value changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueChange {
    /// The value's column (`failed_trials.min_count`).
    pub column: String,
    /// How a person calls it ("failed-trial count").
    pub label: String,
    /// `added`, `removed`, `stricter`, `looser` or `changed`.
    pub change: String,
    /// The old value(s), as shown.
    pub old: Option<String>,
    /// The new value(s), as shown.
    pub new: Option<String>,
}

/// The distinct values per column of a topic's criteria.
fn detail_values(t: &TopicResult) -> BTreeMap<String, Vec<DetailValue>> {
    let mut out: BTreeMap<String, Vec<DetailValue>> = BTreeMap::new();
    for top in &t.criteria_detail {
        for e in top.flatten() {
            if e.kind == CriterionDetail::GROUP {
                continue;
            }
            for (k, v) in &e.values {
                let vs = out.entry(format!("{}.{k}", e.kind)).or_default();
                if !vs.contains(v) {
                    vs.push(v.clone());
                }
            }
        }
    }
    out
}

fn shown(v: &[DetailValue]) -> String {
    v.iter()
        .map(DetailValue::display)
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The criterion values that differ between two versions of a topic, in
/// the vocabulary's order.
fn value_changes(old: &TopicResult, new: &TopicResult, vocab: &DetailVocab) -> Vec<ValueChange> {
    let (o, n) = (detail_values(old), detail_values(new));
    let mut columns: Vec<(String, String, Option<Stricter>)> = Vec::new();
    for k in &vocab.kinds {
        for v in &k.values {
            columns.push((format!("{}.{}", k.kind, v.key), v.label.clone(), v.stricter));
        }
    }
    let others: BTreeSet<&String> = o
        .keys()
        .chain(n.keys())
        .filter(|c| !columns.iter().any(|x| &x.0 == *c))
        .collect();
    for c in others {
        columns.push((c.clone(), c.replace(['.', '_'], " "), None));
    }
    let mut out = Vec::new();
    for (column, label, stricter) in columns {
        let (a, b) = (o.get(&column), n.get(&column));
        let change = match (a, b) {
            (None, None) => continue,
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            (Some(a), Some(b)) if a == b => continue,
            (Some(a), Some(b)) => match (a.as_slice(), b.as_slice(), stricter) {
                ([DetailValue::Number(x)], [DetailValue::Number(y)], Some(dir)) => {
                    if (y > x) == (dir == Stricter::Higher) {
                        "stricter"
                    } else {
                        "looser"
                    }
                }
                _ => "changed",
            },
        };
        out.push(ValueChange {
            column,
            label,
            change: change.to_string(),
            old: a.map(|v| shown(v)),
            new: b.map(|v| shown(v)),
        });
    }
    out
}

fn added<T: Ord + Copy>(old: &[T], new: &[T]) -> Vec<T> {
    let o: BTreeSet<T> = old.iter().copied().collect();
    let mut v: Vec<T> = new.iter().copied().filter(|x| !o.contains(x)).collect();
    v.sort();
    v.dedup();
    v
}

fn topic_diff(old: &TopicResult, new: &TopicResult, vocab: &DetailVocab) -> TopicDiff {
    let mut d = TopicDiff {
        old_stance: old.stance,
        new_stance: new.stance,
        stance_changed: old.stance != new.stance,
        reasons_added: added(&old.reasons, &new.reasons),
        reasons_removed: added(&new.reasons, &old.reasons),
        criteria_added: added(&old.criteria, &new.criteria),
        criteria_removed: added(&new.criteria, &old.criteria),
        value_changes: value_changes(old, new, vocab),
        old_evidence: Vec::new(),
        new_evidence: Vec::new(),
    };
    if d.changed() {
        d.old_evidence = quotes(&old.evidence);
        d.new_evidence = quotes(&new.evidence);
    }
    d
}

/// A metadata field that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `title`, `payer`, `policy_number`, `effective_date`, `last_reviewed`.
    pub field: String,
    /// The old value.
    pub old: Option<String>,
    /// The new value.
    pub new: Option<String>,
}

/// How the parity lens changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ParityDiff {
    /// Parity mentioned in the old version.
    pub old_mentioned: bool,
    /// Parity mentioned in the new version.
    pub new_mentioned: bool,
    /// Limitation types only in the new version.
    pub limitations_added: Vec<String>,
    /// Limitation types only in the old version.
    pub limitations_removed: Vec<String>,
    /// Limitation types in both versions whose comparison changed.
    pub limitations_changed: Vec<LimitationChange>,
}

/// A limitation type stated in both versions, compared differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitationChange {
    /// The limitation type.
    #[serde(rename = "type")]
    pub kind: String,
    /// Asymmetric (MH/SUD only or stricter) in the old version.
    pub old_asymmetric: bool,
    /// Asymmetric in the new version.
    pub new_asymmetric: bool,
    /// The old comparison note.
    pub old_note: String,
    /// The new comparison note.
    pub new_note: String,
}

impl ParityDiff {
    /// Whether anything changed.
    pub fn changed(&self) -> bool {
        self.old_mentioned != self.new_mentioned
            || !self.limitations_added.is_empty()
            || !self.limitations_removed.is_empty()
            || !self.limitations_changed.is_empty()
    }
}

/// Two versions of one document, compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocDiff {
    /// The matching key (relative path or file name).
    pub key: String,
    /// The old document's path.
    pub old_path: String,
    /// The new document's path.
    pub new_path: String,
    /// The old file's sha256.
    pub old_sha256: String,
    /// The new file's sha256.
    pub new_sha256: String,
    /// The old document's status.
    pub old_status: Status,
    /// The new document's status.
    pub new_status: Status,
    /// Stated metadata that differs.
    pub metadata: Vec<FieldChange>,
    /// Per drug topic (only when both versions were analysed).
    pub topics: BTreeMap<Topic, TopicDiff>,
    /// The parity lens (only when both versions were analysed).
    pub parity: Option<ParityDiff>,
    /// Codes stated only in the new version.
    pub codes_added: Vec<CodeRef>,
    /// Codes stated only in the old version.
    pub codes_removed: Vec<CodeRef>,
}

impl DocDiff {
    /// Number of drug topics whose stance changed.
    pub fn stance_changes(&self) -> usize {
        self.topics.values().filter(|t| t.stance_changed).count()
    }

    /// Whether anything differs.
    pub fn changed(&self) -> bool {
        self.old_status != self.new_status
            || !self.metadata.is_empty()
            || self.topics.values().any(TopicDiff::changed)
            || self.parity.as_ref().is_some_and(ParityDiff::changed)
            || !self.codes_added.is_empty()
            || !self.codes_removed.is_empty()
    }
}

fn codes_only_in(a: &[CodeRef], b: &[CodeRef]) -> Vec<CodeRef> {
    let keys: BTreeSet<(&str, &str)> = b
        .iter()
        .map(|c| (c.code.as_str(), c.system.as_str()))
        .collect();
    a.iter()
        .filter(|c| !keys.contains(&(c.code.as_str(), c.system.as_str())))
        .cloned()
        .collect()
}

/// Compares two versions of one document.
pub fn compare_documents(
    key: &str,
    old: &Document,
    new: &Document,
    vocab: &DetailVocab,
) -> DocDiff {
    let mut metadata = Vec::new();
    let (o, n) = (&old.metadata, &new.metadata);
    for (field, a, b) in [
        ("title", &o.title, &n.title),
        ("payer", &o.payer, &n.payer),
        ("policy_number", &o.policy_number, &n.policy_number),
        ("effective_date", &o.effective_date, &n.effective_date),
        ("last_reviewed", &o.last_reviewed, &n.last_reviewed),
    ] {
        if a != b {
            metadata.push(FieldChange {
                field: field.to_string(),
                old: a.clone(),
                new: b.clone(),
            });
        }
    }
    let both_ok = old.status == Status::Ok && new.status == Status::Ok;
    let mut topics = BTreeMap::new();
    let mut parity = None;
    if both_ok {
        for t in Topic::drugs() {
            if let (Some(a), Some(b)) = (old.topics.drug(t), new.topics.drug(t)) {
                topics.insert(t, topic_diff(a, b, vocab));
            }
        }
        let (pa, pb) = (
            &old.topics.mental_health_parity,
            &new.topics.mental_health_parity,
        );
        let la: BTreeMap<&str, &crate::model::Limitation> = pa
            .limitations
            .iter()
            .map(|l| (l.kind.as_str(), l))
            .collect();
        let lb: BTreeMap<&str, &crate::model::Limitation> = pb
            .limitations
            .iter()
            .map(|l| (l.kind.as_str(), l))
            .collect();
        parity = Some(ParityDiff {
            old_mentioned: pa.mentioned,
            new_mentioned: pb.mentioned,
            limitations_added: lb
                .keys()
                .filter(|k| !la.contains_key(*k))
                .map(|k| k.to_string())
                .collect(),
            limitations_removed: la
                .keys()
                .filter(|k| !lb.contains_key(*k))
                .map(|k| k.to_string())
                .collect(),
            limitations_changed: la
                .iter()
                .filter_map(|(k, a)| {
                    let b = lb.get(k)?;
                    (a.asymmetric != b.asymmetric || a.note != b.note).then(|| LimitationChange {
                        kind: k.to_string(),
                        old_asymmetric: a.asymmetric,
                        new_asymmetric: b.asymmetric,
                        old_note: a.note.clone(),
                        new_note: b.note.clone(),
                    })
                })
                .collect(),
        });
    }
    DocDiff {
        key: key.to_string(),
        old_path: old.path.clone(),
        new_path: new.path.clone(),
        old_sha256: old.sha256.clone(),
        new_sha256: new.sha256.clone(),
        old_status: old.status,
        new_status: new.status,
        metadata,
        topics,
        parity,
        codes_added: if both_ok {
            codes_only_in(&new.codes, &old.codes)
        } else {
            Vec::new()
        },
        codes_removed: if both_ok {
            codes_only_in(&old.codes, &new.codes)
        } else {
            Vec::new()
        },
    }
}

/// A document present in only one version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unpaired {
    /// The matching key.
    pub key: String,
    /// The document's path.
    pub path: String,
    /// Its status.
    pub status: Status,
    /// Its stance per drug topic (when analysed).
    pub stances: BTreeMap<Topic, Stance>,
}

fn unpaired(key: &str, d: &Document) -> Unpaired {
    let mut stances = BTreeMap::new();
    if d.status == Status::Ok {
        for t in Topic::drugs() {
            if let Some(r) = d.topics.drug(t) {
                stances.insert(t, r.stance);
            }
        }
    }
    Unpaired {
        key: key.to_string(),
        path: d.path.clone(),
        status: d.status,
        stances,
    }
}

/// Totals of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct DiffSummary {
    /// Documents in both versions.
    pub compared: usize,
    /// Of those, documents with any difference.
    pub changed: usize,
    /// Drug-topic stances that changed.
    pub stance_changes: usize,
    /// Documents only in the new version.
    pub added: usize,
    /// Documents only in the old version.
    pub removed: usize,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    /// The OLD argument.
    pub old: String,
    /// The NEW argument.
    pub new: String,
    /// Totals.
    pub summary: DiffSummary,
    /// Documents in both versions, by key.
    pub documents: Vec<DocDiff>,
    /// Documents only in the new version.
    pub added: Vec<Unpaired>,
    /// Documents only in the old version.
    pub removed: Vec<Unpaired>,
}

impl Diff {
    /// Whether `--fail-on-change` fails: a stance changed, a document was
    /// added or removed, or one version could not be analysed while the
    /// other could (its stances are then unknown).
    pub fn stance_changed(&self) -> bool {
        self.summary.stance_changes > 0
            || !self.added.is_empty()
            || !self.removed.is_empty()
            || self
                .documents
                .iter()
                .any(|d| (d.old_status == Status::Ok) != (d.new_status == Status::Ok))
    }
}

/// Pairs and compares two sides.
pub fn compare(old: &Side, new: &Side, vocab: &DetailVocab) -> Diff {
    let mut documents = Vec::new();
    let mut added_docs = Vec::new();
    let mut removed_docs = Vec::new();
    if old.single && new.single && old.docs.len() == 1 && new.docs.len() == 1 {
        let (ka, a) = &old.docs[0];
        let (kb, b) = &new.docs[0];
        let key = if ka == kb {
            ka.clone()
        } else {
            format!("{ka} → {kb}")
        };
        documents.push(compare_documents(&key, a, b, vocab));
    } else {
        let o: BTreeMap<&str, &Document> = old.docs.iter().map(|(k, d)| (k.as_str(), d)).collect();
        let n: BTreeMap<&str, &Document> = new.docs.iter().map(|(k, d)| (k.as_str(), d)).collect();
        for (k, a) in &o {
            match n.get(k) {
                Some(b) => documents.push(compare_documents(k, a, b, vocab)),
                None => removed_docs.push(unpaired(k, a)),
            }
        }
        for (k, b) in &n {
            if !o.contains_key(k) {
                added_docs.push(unpaired(k, b));
            }
        }
    }
    let summary = DiffSummary {
        compared: documents.len(),
        changed: documents.iter().filter(|d| d.changed()).count(),
        stance_changes: documents.iter().map(DocDiff::stance_changes).sum(),
        added: added_docs.len(),
        removed: removed_docs.len(),
    };
    Diff {
        old: old.label.clone(),
        new: new.label.clone(),
        summary,
        documents,
        added: added_docs,
        removed: removed_docs,
    }
}

/// The diff as pretty JSON.
pub fn render_json(d: &Diff) -> String {
    serde_json::to_string_pretty(d).unwrap_or_default() + "\n"
}

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, s: &str, style: Style) -> String {
        if self.color {
            style.apply_to(s).force_styling(true).to_string()
        } else {
            s.to_string()
        }
    }
    fn removed(&self, s: &str) -> String {
        self.paint(s, Style::new().red())
    }
    fn added(&self, s: &str) -> String {
        self.paint(s, Style::new().green())
    }
    fn bold(&self, s: &str) -> String {
        self.paint(s, Style::new().bold())
    }
    fn dim(&self, s: &str) -> String {
        self.paint(s, Style::new().dim())
    }
}

fn stance_word(s: Stance) -> String {
    stance_label(s).to_lowercase()
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("(none)")
}

fn write_quotes(out: &mut String, p: &Painter, head: &str, qs: &[Quote], old: bool) {
    if qs.is_empty() {
        let _ = writeln!(out, "    {head}: {}", p.dim("(no deciding evidence)"));
        return;
    }
    let _ = writeln!(out, "    {head}:");
    for q in qs {
        let text = format!("\"{}\"", q.text);
        let _ = writeln!(
            out,
            "      p. {}, l. {}  {}",
            q.page,
            q.line,
            if old {
                p.removed(&text)
            } else {
                p.added(&text)
            }
        );
    }
}

fn write_doc(out: &mut String, p: &Painter, diff: &Diff, d: &DocDiff) {
    let _ = writeln!(out, "{}", p.bold(&d.key));
    let same_as_arguments = d.old_path == diff.old && d.new_path == diff.new;
    if !same_as_arguments && (d.old_path != d.key || d.new_path != d.key) {
        let _ = writeln!(out, "  {} {}", p.dim("old:"), d.old_path);
        let _ = writeln!(out, "  {} {}", p.dim("new:"), d.new_path);
    }
    if !d.old_sha256.is_empty() && d.old_sha256 == d.new_sha256 {
        let _ = writeln!(out, "  {}", p.dim("identical files (same sha256)"));
    }
    if d.old_status != d.new_status {
        let _ = writeln!(
            out,
            "  status: {} → {}",
            p.removed(d.old_status.as_str()),
            p.added(d.new_status.as_str())
        );
    }
    for f in &d.metadata {
        let _ = writeln!(
            out,
            "  {}: {} → {}",
            words(&f.field),
            p.removed(opt(&f.old)),
            p.added(opt(&f.new))
        );
    }
    if d.old_status != Status::Ok || d.new_status != Status::Ok {
        let _ = writeln!(
            out,
            "  {}",
            p.dim("stances not compared: a version could not be analysed")
        );
    }
    for (topic, t) in &d.topics {
        let name = topic_label(*topic);
        if t.stance_changed {
            let _ = writeln!(
                out,
                "  {name}: {} → {}   {}",
                p.removed(&stance_word(t.old_stance)),
                p.added(&stance_word(t.new_stance)),
                p.bold("STANCE CHANGED")
            );
        } else {
            let _ = writeln!(
                out,
                "  {name}: {} {}",
                stance_word(t.new_stance),
                p.dim(if t.changed() {
                    "(stance unchanged)"
                } else {
                    "(unchanged)"
                })
            );
        }
        for r in &t.reasons_removed {
            let _ = writeln!(
                out,
                "    {}",
                p.removed(&format!("- reason: {}", reason_label(*r)))
            );
        }
        for r in &t.reasons_added {
            let _ = writeln!(
                out,
                "    {}",
                p.added(&format!("+ reason: {}", reason_label(*r)))
            );
        }
        for c in &t.criteria_removed {
            let _ = writeln!(
                out,
                "    {}",
                p.removed(&format!("- criterion: {}", criterion_label(*c)))
            );
        }
        for c in &t.criteria_added {
            let _ = writeln!(
                out,
                "    {}",
                p.added(&format!("+ criterion: {}", criterion_label(*c)))
            );
        }
        for v in &t.value_changes {
            let old = v.old.as_deref().unwrap_or("");
            let new = v.new.as_deref().unwrap_or("");
            let line = match v.change.as_str() {
                "added" => p.added(&format!("+ {} added: {new}", v.label)),
                "removed" => p.removed(&format!("- {} removed: {old}", v.label)),
                change => format!("~ {change} {}: {old} → {new}", v.label),
            };
            let _ = writeln!(out, "    {line}");
        }
        if t.changed() {
            write_quotes(out, p, "old evidence", &t.old_evidence, true);
            write_quotes(out, p, "new evidence", &t.new_evidence, false);
        }
    }
    if let Some(par) = &d.parity {
        let m = |b: bool| if b { "mentioned" } else { "not mentioned" };
        if par.old_mentioned != par.new_mentioned {
            let _ = writeln!(
                out,
                "  Mental-health parity: {} → {}",
                p.removed(m(par.old_mentioned)),
                p.added(m(par.new_mentioned))
            );
        } else if par.changed() {
            let _ = writeln!(
                out,
                "  Mental-health parity: {} {}",
                m(par.new_mentioned),
                p.dim("(limitations changed)")
            );
        }
        for k in &par.limitations_removed {
            let _ = writeln!(
                out,
                "    {}",
                p.removed(&format!("- limitation: {}", words(k)))
            );
        }
        for k in &par.limitations_added {
            let _ = writeln!(
                out,
                "    {}",
                p.added(&format!("+ limitation: {}", words(k)))
            );
        }
        for c in &par.limitations_changed {
            let _ = writeln!(
                out,
                "    limitation {}: {} → {}",
                words(&c.kind),
                p.removed(&c.old_note),
                p.added(&c.new_note)
            );
        }
    }
    let code = |c: &CodeRef| format!("{} ({}, p. {})", c.code, c.system, c.page);
    if !d.codes_added.is_empty() {
        let list: Vec<String> = d.codes_added.iter().map(code).collect();
        let _ = writeln!(out, "  codes added: {}", p.added(&list.join(", ")));
    }
    if !d.codes_removed.is_empty() {
        let list: Vec<String> = d.codes_removed.iter().map(code).collect();
        let _ = writeln!(out, "  codes removed: {}", p.removed(&list.join(", ")));
    }
}

fn stances_line(u: &Unpaired) -> String {
    if u.status != Status::Ok {
        return u.status.as_str().to_string();
    }
    u.stances
        .iter()
        .map(|(t, s)| format!("{}: {}", t.as_str(), stance_word(*s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The diff for a person; `color` adds ANSI colors (red old, green new).
pub fn render_human(d: &Diff, color: bool) -> String {
    let p = Painter { color };
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", p.dim("old:"), d.old);
    let _ = writeln!(out, "{} {}\n", p.dim("new:"), d.new);
    let mut unchanged = Vec::new();
    for doc in &d.documents {
        if doc.changed() {
            write_doc(&mut out, &p, d, doc);
            out.push('\n');
        } else {
            unchanged.push(doc.key.as_str());
        }
    }
    for u in &d.removed {
        let _ = writeln!(
            out,
            "{} {}  ({})",
            p.removed("removed:"),
            u.key,
            stances_line(u)
        );
    }
    for u in &d.added {
        let _ = writeln!(
            out,
            "{} {}  ({})",
            p.added("added:"),
            u.key,
            stances_line(u)
        );
    }
    if !d.removed.is_empty() || !d.added.is_empty() {
        out.push('\n');
    }
    if !unchanged.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            p.dim(&format!(
                "unchanged: {} document{}",
                unchanged.len(),
                if unchanged.len() == 1 { "" } else { "s" }
            ))
        );
    }
    let s = &d.summary;
    let _ = writeln!(
        out,
        "{} compared, {} changed, {} stance change{}, {} added, {} removed",
        s.compared,
        s.changed,
        s.stance_changes,
        if s.stance_changes == 1 { "" } else { "s" },
        s.added,
        s.removed
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Metadata;

    fn side(single: bool, docs: Vec<(&str, Document)>) -> Side {
        Side {
            label: "x".into(),
            single,
            docs: docs.into_iter().map(|(k, d)| (k.to_string(), d)).collect(),
        }
    }

    fn vocab() -> DetailVocab {
        crate::patterns::PatternSet::builtin().unwrap().detail
    }

    fn sample(path: &str) -> Document {
        super::super::sample::report()
            .documents
            .into_iter()
            .find(|d| d.path == path)
            .unwrap()
    }

    #[test]
    fn keys_relative_to_common_directory() {
        assert_eq!(
            relative_keys(&["old/a.pdf", "old/sub/b.pdf"]),
            vec!["a.pdf", "sub/b.pdf"]
        );
        assert_eq!(relative_keys(&["a.pdf"]), vec!["a.pdf"]);
        assert_eq!(
            relative_keys(&["x/a.pdf", "y/a.pdf"]),
            vec!["x/a.pdf", "y/a.pdf"]
        );
    }

    #[test]
    fn stance_reason_criteria_and_code_changes() {
        let old = sample("letters/denial.txt");
        let mut new = sample("policies/lakeshore_v2025.pdf");
        new.metadata = Metadata {
            payer: Some("Cascadia Mutual".into()),
            effective_date: Some("2025-01-01".into()),
            ..Metadata::default()
        };
        let d = compare(
            &side(true, vec![("denial.txt", old)]),
            &side(true, vec![("v2.pdf", new)]),
            &vocab(),
        );
        assert_eq!(d.documents.len(), 1);
        let doc = &d.documents[0];
        let k = &doc.topics[&Topic::KETAMINE];
        assert!(k.stance_changed);
        assert_eq!(k.old_stance, Stance::NotCovered);
        assert_eq!(k.new_stance, Stance::CoveredWithCriteria);
        assert_eq!(
            k.reasons_removed,
            vec![Reason::NotMedicallyNecessary, Reason::Unproven]
        );
        assert_eq!(
            k.criteria_added,
            vec![Criterion::PriorAuthorization, Criterion::DiagnosisTrd]
        );
        assert_eq!(k.old_evidence.len(), 1);
        assert_eq!(k.new_evidence.len(), 2);
        assert_eq!(doc.codes_added.len(), 3);
        assert_eq!(doc.metadata.len(), 1);
        assert_eq!(d.summary.stance_changes, 2);
        assert!(d.stance_changed());
        insta::assert_snapshot!(render_human(&d, false));
    }

    #[test]
    fn criterion_values_change_by_kind() {
        let old = sample("policies/lakeshore_v2025.pdf");
        let mut new = old.clone();
        let group = &mut new
            .topics
            .drugs
            .get_mut(&Topic::KETAMINE)
            .unwrap()
            .criteria_detail[0];
        // Three failed trials instead of two, a 3-month approval instead
        // of 6, the weeks per trial no longer stated, an age added.
        let trials = &mut group.items[0].values;
        trials.insert("min_count".into(), DetailValue::Number(3));
        trials.remove("min_weeks");
        group.items[1]
            .values
            .insert("months".into(), DetailValue::Number(3));
        let mut age = group.items[1].clone();
        age.kind = "age".into();
        age.values = BTreeMap::from([("min".to_string(), DetailValue::Number(18))]);
        group.items.push(age);
        let d = compare(
            &side(true, vec![("a", old)]),
            &side(true, vec![("a", new)]),
            &vocab(),
        );
        let k = &d.documents[0].topics[&Topic::KETAMINE];
        let got: Vec<(&str, &str, Option<&str>, Option<&str>)> = k
            .value_changes
            .iter()
            .map(|v| {
                (
                    v.column.as_str(),
                    v.change.as_str(),
                    v.old.as_deref(),
                    v.new.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("failed_trials.min_count", "stricter", Some("2"), Some("3")),
                ("failed_trials.min_weeks", "removed", Some("6"), None),
                ("age.min", "added", None, Some("18")),
                ("initial_approval.months", "stricter", Some("6"), Some("3")),
            ]
        );
        assert!(!k.stance_changed && k.changed());
        let text = render_human(&d, false);
        assert!(
            text.contains("~ stricter failed-trial count: 2 → 3"),
            "{text}"
        );
        assert!(text.contains("+ minimum age added: 18"), "{text}");
    }

    #[test]
    fn folders_pair_by_key_and_list_added_and_removed() {
        let a = sample("letters/denial.txt");
        let b = sample("scans/broken.pdf");
        let d = compare(
            &side(false, vec![("denial.txt", a.clone()), ("broken.pdf", b)]),
            &side(false, vec![("denial.txt", a.clone()), ("new.txt", a)]),
            &vocab(),
        );
        assert_eq!(d.summary.compared, 1);
        assert_eq!(d.summary.changed, 0);
        assert_eq!(d.removed.len(), 1);
        assert_eq!(d.added.len(), 1);
        assert!(d.stance_changed());
        let text = render_human(&d, false);
        assert!(text.contains("removed: broken.pdf  (malformed)"), "{text}");
        assert!(text.contains("unchanged: 1 document"), "{text}");
    }

    #[test]
    fn identical_documents_do_not_change() {
        let a = sample("policies/lakeshore_v2025.pdf");
        let d = compare(
            &side(true, vec![("a", a.clone())]),
            &side(true, vec![("a", a)]),
            &vocab(),
        );
        assert!(!d.stance_changed());
        assert_eq!(d.summary.changed, 0);
        let json: serde_json::Value = serde_json::from_str(&render_json(&d)).unwrap();
        assert_eq!(json["summary"]["stance_changes"], 0);
    }
}
