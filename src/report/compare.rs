//! `policyscan compare`: documents side by side, one row per document and
//! drug topic, one column per criterion value (`failed_trials.min_count`,
//! `age.min`, `initial_approval.months`, ...), as CSV, Markdown or one
//! self-contained HTML page, sorted and grouped by payer.
//!
//! Owns: the matrix ([`Matrix`]: rows, the value columns in the criteria
//! vocabulary's order) and its three renderings. A cell is blank where the
//! document states nothing: values come only from `criteria_detail`.
//! Must not: decide anything about documents.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};

use crate::model::{CriterionDetail, Document, Status, Topic};
use crate::patterns::DetailVocab;

use super::csv::cell;
use super::html::escape as html;
use super::markdown::escape as md;

/// The columns every row has, before the value columns.
pub const FIXED: [&str; 10] = [
    "payer",
    "policy_number",
    "effective_date",
    "path",
    "topic",
    "status",
    "stance",
    "coverage",
    "pa_needed",
    "criteria",
];

/// How rows are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    /// Payer, then effective date (newest first), then path.
    Payer,
    /// Effective date (newest first), then payer, then path.
    EffectiveDate,
    /// Path.
    Path,
}

/// One stated value and where it is stated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cited {
    /// The value as shown.
    pub value: String,
    /// 1-based page.
    pub page: u32,
    /// 1-based line.
    pub line: u32,
    /// The sentence.
    pub quote: String,
}

/// One document and topic.
#[derive(Debug, Clone)]
pub struct Row {
    /// The fixed columns, in [`FIXED`] order.
    pub fixed: [String; 10],
    /// Values by column name (`kind.key`); a column absent here is blank.
    pub values: BTreeMap<String, Vec<Cited>>,
}

impl Row {
    /// The payer shown (canonical name when known).
    pub fn payer(&self) -> &str {
        &self.fixed[0]
    }

    /// A value column as one cell: distinct values joined with " / ".
    pub fn cell(&self, column: &str) -> String {
        self.values
            .get(column)
            .map(|v| {
                let mut seen: Vec<&str> = Vec::new();
                for c in v {
                    if !seen.contains(&c.value.as_str()) {
                        seen.push(&c.value);
                    }
                }
                seen.join(" / ")
            })
            .unwrap_or_default()
    }
}

/// Rows and the value columns they use.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// Rows in the chosen order.
    pub rows: Vec<Row>,
    /// Value columns, in the vocabulary's order (kinds, then their values);
    /// names not in the vocabulary follow, sorted.
    pub columns: Vec<String>,
}

fn row(d: &Document, topic: Topic) -> Option<Row> {
    let t = d.topics.drug(topic)?;
    let m = &d.metadata;
    let ok = d.status == Status::Ok;
    let when_ok = |s: String| if ok { s } else { String::new() };
    let mut values: BTreeMap<String, Vec<Cited>> = BTreeMap::new();
    for top in &t.criteria_detail {
        for e in top.flatten() {
            if e.kind == CriterionDetail::GROUP {
                continue;
            }
            for (key, v) in &e.values {
                values
                    .entry(format!("{}.{key}", e.kind))
                    .or_default()
                    .push(Cited {
                        value: v.display(),
                        page: e.page,
                        line: e.line,
                        quote: e.quote.clone(),
                    });
            }
        }
    }
    Some(Row {
        fixed: [
            m.payer_canonical
                .clone()
                .or_else(|| m.payer.clone())
                .unwrap_or_default(),
            m.policy_number.clone().unwrap_or_default(),
            m.effective_date.clone().unwrap_or_default(),
            d.path.clone(),
            topic.as_str().to_string(),
            d.status.as_str().to_string(),
            when_ok(t.stance.as_str().to_string()),
            t.coverage
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            t.pa_needed.map(|b| b.to_string()).unwrap_or_default(),
            t.criteria
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(";"),
        ],
        values,
    })
}

impl Matrix {
    /// The matrix of `docs` for `topics`, rows ordered by `sort`.
    pub fn build(docs: &[Document], topics: &[Topic], sort: SortBy, vocab: &DetailVocab) -> Matrix {
        let mut rows: Vec<Row> = docs
            .iter()
            .flat_map(|d| topics.iter().filter_map(move |&t| row(d, t)))
            .collect();
        // Newest first; a blank date last.
        let date_key = |r: &Row| std::cmp::Reverse(r.fixed[2].clone());
        let payer_key = |r: &Row| (r.payer().is_empty(), r.payer().to_lowercase());
        let topic_pos = |r: &Row| topics.iter().position(|t| t.as_str() == r.fixed[4]);
        rows.sort_by(|a, b| {
            let path = (&a.fixed[3], topic_pos(a)).cmp(&(&b.fixed[3], topic_pos(b)));
            match sort {
                SortBy::Payer => payer_key(a)
                    .cmp(&payer_key(b))
                    .then((a.fixed[2].is_empty()).cmp(&b.fixed[2].is_empty()))
                    .then(date_key(a).cmp(&date_key(b)))
                    .then(path),
                SortBy::EffectiveDate => (a.fixed[2].is_empty())
                    .cmp(&b.fixed[2].is_empty())
                    .then(date_key(a).cmp(&date_key(b)))
                    .then(payer_key(a).cmp(&payer_key(b)))
                    .then(path),
                SortBy::Path => path,
            }
        });
        let used: BTreeSet<&String> = rows.iter().flat_map(|r| r.values.keys()).collect();
        let mut columns: Vec<String> = Vec::new();
        for k in &vocab.kinds {
            for v in &k.values {
                let name = format!("{}.{}", k.kind, v.key);
                if used.contains(&name) {
                    columns.push(name);
                }
            }
        }
        for name in used {
            if !columns.contains(name) {
                columns.push(name.clone());
            }
        }
        Matrix { rows, columns }
    }

    /// The header: fixed columns, then value columns.
    pub fn header(&self) -> Vec<String> {
        FIXED
            .iter()
            .map(|s| s.to_string())
            .chain(self.columns.iter().cloned())
            .collect()
    }

    /// The rows grouped by payer, in row order.
    fn by_payer(&self) -> Vec<(&str, Vec<&Row>)> {
        let mut out: Vec<(&str, Vec<&Row>)> = Vec::new();
        for r in &self.rows {
            match out.last_mut() {
                Some((p, rows)) if *p == r.payer() => rows.push(r),
                _ => out.push((r.payer(), vec![r])),
            }
        }
        out
    }
}

/// Writes the matrix as CSV: one row per document and topic.
pub fn write_csv(m: &Matrix, out: &mut dyn Write) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(m.header())?;
    for r in &m.rows {
        let rec: Vec<String> = r
            .fixed
            .iter()
            .map(|s| cell(s))
            .chain(m.columns.iter().map(|c| cell(&r.cell(c))))
            .collect();
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}

/// The matrix as CSV text.
pub fn render_csv(m: &Matrix) -> String {
    let mut buf = Vec::new();
    // Writing to memory cannot fail.
    let _ = write_csv(m, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

/// The matrix as Markdown: one table per payer.
pub fn render_markdown(m: &Matrix) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Criteria side by side\n");
    let _ = writeln!(
        s,
        "{} rows (document × topic); a blank cell: the document states no such value.\n",
        m.rows.len()
    );
    let header: Vec<String> = m.header().into_iter().skip(1).collect();
    for (payer, rows) in m.by_payer() {
        let name = if payer.is_empty() {
            "(payer not stated)"
        } else {
            payer
        };
        let _ = writeln!(s, "## {}\n", md(name));
        let _ = writeln!(
            s,
            "| {} |",
            header.iter().map(|h| md(h)).collect::<Vec<_>>().join(" | ")
        );
        let _ = writeln!(s, "|{}", " --- |".repeat(header.len()));
        for r in rows {
            let cells: Vec<String> = r.fixed[1..]
                .iter()
                .cloned()
                .chain(m.columns.iter().map(|c| r.cell(c)))
                .map(|c| md(&c))
                .collect();
            let _ = writeln!(s, "| {} |", cells.join(" | "));
        }
        s.push('\n');
    }
    s
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#1b1f23}\
h1{font-size:20px;margin:0 0 4px}p.note{color:#57606a;margin:0 0 12px}\
.wrap{overflow:auto;max-height:calc(100vh - 90px);border:1px solid #d0d7de}\
table{border-collapse:collapse;font-size:12px}\
th,td{border:1px solid #d0d7de;padding:3px 6px;vertical-align:top;text-align:left}\
thead th{position:sticky;top:0;background:#f6f8fa;z-index:1;white-space:nowrap}\
th.kind{background:#eaeef2}\
tr.payer th{background:#ddf4ff;text-align:left;font-size:13px}\
td.v{background:#fff8c5;min-width:70px;max-width:260px}\
td.v div{max-height:6.2em;overflow:auto}\
td.path{white-space:nowrap;max-width:190px;overflow:hidden;text-overflow:ellipsis;color:#57606a}td.crit{min-width:180px;max-width:260px}\
.s-covered{color:#1a7f37}.s-covered_with_criteria{color:#9a6700}.s-not_covered{color:#cf222e}\
.s-mixed{color:#8250df}.s-not_addressed{color:#57606a}";

/// The matrix as one self-contained HTML page (no scripts, no external
/// assets); a value's cell shows its page and sentence on hover.
pub fn render_html(m: &Matrix) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>policyscan: criteria side by side</title><style>{STYLE}</style></head><body>\n\
         <h1>Criteria side by side</h1>\n<p class=\"note\">{} rows (document × topic), grouped by payer. \
         A blank cell: the document states no such value. Hover a value for its page and sentence.</p>\n\
         <div class=\"wrap\"><table>\n<thead><tr>",
        m.rows.len()
    );
    let header = m.header();
    // Two header rows: the criterion kind over its values.
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for c in &m.columns {
        let kind = c.split('.').next().unwrap_or(c).to_string();
        match kinds.last_mut() {
            Some((k, n)) if *k == kind => *n += 1,
            _ => kinds.push((kind, 1)),
        }
    }
    for f in &FIXED[1..] {
        let _ = write!(s, "<th rowspan=\"2\">{}</th>", html(f));
    }
    for (k, n) in &kinds {
        let _ = write!(s, "<th class=\"kind\" colspan=\"{n}\">{}</th>", html(k));
    }
    s.push_str("</tr>\n<tr>");
    for c in &m.columns {
        let key = c.split_once('.').map_or(c.as_str(), |(_, k)| k);
        let _ = write!(s, "<th>{}</th>", html(key));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for (payer, rows) in m.by_payer() {
        let name = if payer.is_empty() {
            "(payer not stated)"
        } else {
            payer
        };
        let _ = writeln!(
            s,
            "<tr class=\"payer\"><th colspan=\"{}\">{} <small>({} row{})</small></th></tr>",
            header.len() - 1,
            html(name),
            rows.len(),
            if rows.len() == 1 { "" } else { "s" }
        );
        for r in rows {
            s.push_str("<tr>");
            for (i, v) in r.fixed[1..].iter().enumerate() {
                match FIXED[i + 1] {
                    // The file name, with the whole path on hover.
                    "path" => {
                        let name = v.rsplit(['/', '\\']).next().unwrap_or(v);
                        let _ = write!(
                            s,
                            "<td class=\"path\" title=\"{}\">{}</td>",
                            html(v),
                            html(name)
                        );
                    }
                    "stance" => {
                        let _ = write!(s, "<td class=\"s-{0}\">{0}</td>", html(v));
                    }
                    "criteria" => {
                        let _ =
                            write!(s, "<td class=\"crit\">{}</td>", html(&v.replace(';', "; ")));
                    }
                    _ => {
                        let _ = write!(s, "<td>{}</td>", html(v));
                    }
                }
            }
            for c in &m.columns {
                match r.values.get(c) {
                    None => s.push_str("<td></td>"),
                    Some(cited) => {
                        let title: Vec<String> = cited
                            .iter()
                            .map(|c| format!("p. {}:{} {}", c.page, c.line, c.quote))
                            .collect();
                        let _ = write!(
                            s,
                            "<td class=\"v\" title=\"{}\"><div>{}</div></td>",
                            html(&title.join("\n")),
                            html(&r.cell(c))
                        );
                    }
                }
            }
            s.push_str("</tr>\n");
        }
    }
    s.push_str("</tbody></table></div>\n</body></html>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::PatternSet;

    fn matrix(sort: SortBy) -> Matrix {
        let r = crate::report::sample::report();
        let vocab = PatternSet::builtin().unwrap().detail;
        Matrix::build(&r.documents, &Topic::drugs(), sort, &vocab)
    }

    #[test]
    fn one_row_per_document_and_topic_with_values_in_vocabulary_order() {
        let m = matrix(SortBy::Path);
        assert_eq!(m.rows.len(), 6);
        assert_eq!(
            m.columns,
            [
                "failed_trials.min_count",
                "failed_trials.min_weeks",
                "initial_approval.months"
            ]
        );
        let k = m
            .rows
            .iter()
            .find(|r| r.fixed[4] == "ketamine" && r.fixed[6] == "covered_with_criteria")
            .unwrap();
        assert_eq!(k.cell("failed_trials.min_count"), "2");
        assert_eq!(k.cell("initial_approval.months"), "6");
        assert_eq!(k.fixed[7], "conditional");
        assert_eq!(k.fixed[8], "true");
        // Silent is blank.
        let e = m.rows.iter().find(|r| r.fixed[4] == "esketamine").unwrap();
        assert_eq!(e.cell("failed_trials.min_count"), "");
    }

    #[test]
    fn sorted_and_grouped_by_payer() {
        let m = matrix(SortBy::Payer);
        let payers: Vec<&str> = m.rows.iter().map(|r| r.payer()).collect();
        let mut sorted = payers.clone();
        sorted.sort_by_key(|p| (p.is_empty(), p.to_lowercase()));
        assert_eq!(payers, sorted);
        let groups = m.by_payer();
        let names: Vec<&str> = groups.iter().map(|g| g.0).collect();
        let distinct: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(
            names.len(),
            distinct.len(),
            "a payer in two groups: {names:?}"
        );
    }

    #[test]
    fn csv_parses_back_one_record_per_row() {
        let m = matrix(SortBy::Payer);
        let text = render_csv(&m);
        let mut rd = ::csv::Reader::from_reader(text.as_bytes());
        let header = rd.headers().unwrap().clone();
        assert_eq!(header.len(), FIXED.len() + m.columns.len());
        let recs: Vec<_> = rd.records().map(Result::unwrap).collect();
        assert_eq!(recs.len(), m.rows.len());
        // A formula in a document's field is neutralized.
        assert!(!text.contains(",=HYPERLINK"));
    }

    #[test]
    fn html_is_self_contained_and_escapes_document_text() {
        let page = render_html(&matrix(SortBy::Payer));
        assert!(!page.contains("<script"));
        assert!(!page.contains("src="));
        assert!(!page.contains("http://") || !page.contains("href="));
        assert!(page.contains("&lt;script&gt;"));
        assert!(page.contains("<th class=\"kind\" colspan=\"2\">failed_trials</th>"));
        let md = render_markdown(&matrix(SortBy::Payer));
        assert!(md.contains("| min") || md.contains("failed\\_trials.min\\_count"));
    }
}
