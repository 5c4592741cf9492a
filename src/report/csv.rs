//! `--format csv`: one row per document × drug topic, for a spreadsheet.
//!
//! Owns: the column list ([`HEADER`]), joining lists into one cell, and
//! neutralizing cells a spreadsheet would run as a formula ([`cell`]).
//! Written with the `csv` crate (quoting, embedded newlines). Must not:
//! decide anything about documents.

use std::io::{self, Write};

use crate::model::{Document, Report, Status};

use super::human::{distinct_evidence, quote};

/// The columns, in order.
pub const HEADER: [&str; 16] = [
    "path",
    "title",
    "payer",
    "policy_number",
    "effective_date",
    "topic",
    "stance",
    "reasons",
    "criteria",
    "evidence_page",
    "evidence_line",
    "evidence_quote",
    "parity_mentioned",
    "parity_asymmetric_limitations",
    "status",
    "error",
];

/// A cell made safe for spreadsheets: text starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return would be read as a formula (or DDE
/// command) by Excel, LibreOffice and Google Sheets, so it gets a leading
/// single quote.
pub fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn rows(d: &Document) -> Vec<[String; 16]> {
    let m = &d.metadata;
    let opt = |v: &Option<String>| v.as_deref().map(cell).unwrap_or_default();
    let p = &d.topics.mental_health_parity;
    let ok = d.status == Status::Ok;
    // Asymmetric limitations are listed only for a document that speaks of
    // parity: elsewhere the column would read as a finding it does not make.
    let asym: Vec<&str> = p
        .limitations
        .iter()
        .filter(|l| p.mentioned && l.asymmetric)
        .map(|l| l.kind.as_str())
        .collect();
    d.topics
        .drugs
        .iter()
        .map(|(&topic, t)| {
            let first = distinct_evidence(&t.evidence).into_iter().next();
            let join = |v: Vec<&str>| v.join(";");
            [
                cell(&d.path),
                opt(&m.title),
                opt(&m.payer),
                opt(&m.policy_number),
                opt(&m.effective_date),
                topic.as_str().to_string(),
                if ok {
                    t.stance.as_str().to_string()
                } else {
                    String::new()
                },
                join(t.reasons.iter().map(|r| r.as_str()).collect()),
                join(t.criteria.iter().map(|c| c.as_str()).collect()),
                first.map(|f| f.page.to_string()).unwrap_or_default(),
                first.map(|f| f.line.to_string()).unwrap_or_default(),
                first.map(|f| cell(&quote(f))).unwrap_or_default(),
                if ok {
                    p.mentioned.to_string()
                } else {
                    String::new()
                },
                join(asym.clone()),
                d.status.as_str().to_string(),
                d.error.as_deref().map(cell).unwrap_or_default(),
            ]
        })
        .collect()
}

/// Writes the report as CSV.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for d in &report.documents {
        for row in rows(d) {
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// The report as a CSV string.
pub fn render(report: &Report) -> String {
    let mut buf = Vec::new();
    // Writing to memory cannot fail.
    let _ = write(report, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized() {
        for bad in ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(cell(bad).starts_with('\''), "{bad:?}");
        }
        assert_eq!(cell("Aetna"), "Aetna");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(render(&super::super::sample::report()));
    }

    #[test]
    fn asymmetric_limitations_only_where_parity_is_mentioned() {
        let column = |report: &Report| -> Vec<String> {
            let text = render(report);
            let mut r = ::csv::Reader::from_reader(text.as_bytes());
            let at = HEADER
                .iter()
                .position(|h| *h == "parity_asymmetric_limitations")
                .unwrap();
            r.records()
                .map(|row| row.unwrap()[at].to_string())
                .collect()
        };
        let mut report = super::super::sample::report();
        assert!(column(&report).iter().any(|c| !c.is_empty()));
        for d in &mut report.documents {
            d.topics.mental_health_parity.mentioned = false;
        }
        assert!(column(&report).iter().all(String::is_empty));
    }

    #[test]
    fn rows_parse_back_with_the_header() {
        let text = render(&super::super::sample::report());
        let mut r = ::csv::Reader::from_reader(text.as_bytes());
        assert_eq!(r.headers().unwrap().iter().collect::<Vec<_>>(), HEADER);
        let rows: Vec<_> = r.records().map(Result::unwrap).collect();
        // Three documents, two drug topics each.
        assert_eq!(rows.len(), 6);
        for row in &rows {
            for c in row.iter() {
                assert!(!c.starts_with(['=', '+', '-', '@']), "{c:?}");
            }
        }
    }
}
