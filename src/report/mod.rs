//! Writing reports: the JSON contract (`json`), streamed JSONL, the
//! `explain` text, and the formats for people: a terminal `table`, a
//! self-contained `html` page, `markdown` (and the evidence packet), `csv`
//! for spreadsheets, the `diff` between two versions of a policy, and the
//! `progress` bar on stderr.
//!
//! Owns: output framing and ordering. Must not: decide anything about
//! documents.

pub mod csv;
pub mod diff;
pub mod explain;
pub mod html;
pub mod human;
pub mod json;
pub mod markdown;
pub mod progress;
#[cfg(test)]
mod sample;
pub mod table;

use crate::model::ToolInfo;

/// The tool block of every report.
pub fn tool_info(patterns_origin: &str) -> ToolInfo {
    ToolInfo {
        name: "policyscan".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        patterns: patterns_origin.to_string(),
    }
}

/// The sink for a `scan --format`: JSON and JSONL stream as the contract
/// says; the formats for people collect every document and render once.
pub fn sink<'a, W: std::io::Write + 'a>(
    format: crate::cli::ScanFormat,
    evidence: bool,
    out: W,
) -> Box<dyn json::Sink + 'a> {
    use crate::cli::ScanFormat;
    use human::CollectSink;
    match format {
        ScanFormat::Json => Box::new(json::JsonSink::new(out)),
        ScanFormat::Jsonl => Box::new(json::JsonlSink::new(out)),
        ScanFormat::Table => Box::new(CollectSink::new(out, table::write)),
        ScanFormat::Html => Box::new(CollectSink::new(out, html::write)),
        ScanFormat::Markdown if evidence => {
            Box::new(CollectSink::new(out, markdown::write_evidence))
        }
        ScanFormat::Markdown => Box::new(CollectSink::new(out, markdown::write)),
        ScanFormat::Csv => Box::new(CollectSink::new(out, csv::write)),
    }
}
