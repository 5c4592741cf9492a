//! Writing reports, and reading them back: the JSON contract (`json`),
//! streamed JSONL, the one reader of both (`read`), the `explain` text,
//! combining shard reports (`merge`), and the formats for people: a terminal `table`, a self-contained `html` page, `markdown`
//! (and the evidence packet), `csv` for spreadsheets, the `diff` between
//! two versions of a policy, and the `progress` bar on stderr.
//!
//! Owns: output framing and ordering. Must not: decide anything about
//! documents.

pub mod compare;
pub mod csv;
pub mod diff;
pub mod explain;
pub mod html;
pub mod human;
pub mod json;
pub mod markdown;
pub mod merge;
pub mod progress;
pub mod read;
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

/// The formats a report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON report (documents sorted by path): the contract.
    Json,
    /// One JSON object per line, streamed as each document finishes.
    Jsonl,
    /// A compact table for the terminal.
    Table,
    /// One self-contained HTML page.
    Html,
    /// Markdown (the report, or the evidence packet).
    Markdown,
    /// One row per document and drug topic.
    Csv,
}

/// The sink for a format: JSON and JSONL stream as the contract says; the
/// formats for people collect every document and render once.
pub fn sink<'a, W: std::io::Write + 'a>(
    format: Format,
    evidence: bool,
    out: W,
) -> Box<dyn json::Sink + 'a> {
    use human::CollectSink;
    match format {
        Format::Json => Box::new(json::JsonSink::new(out)),
        Format::Jsonl => Box::new(json::JsonlSink::new(out)),
        Format::Table => Box::new(CollectSink::new(out, table::write)),
        Format::Html => Box::new(CollectSink::new(out, html::write)),
        Format::Markdown if evidence => Box::new(CollectSink::new(out, markdown::write_evidence)),
        Format::Markdown => Box::new(CollectSink::new(out, markdown::write)),
        Format::Csv => Box::new(CollectSink::new(out, csv::write)),
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Report;

    fn empty() -> Report {
        super::json::report(super::tool_info("builtin@test"), Vec::new())
    }

    #[test]
    fn every_format_renders_an_empty_report() {
        let r = empty();
        assert!(super::html::render(&r).contains("No documents."));
        assert!(super::markdown::render(&r).contains("No documents."));
        assert!(super::markdown::render_evidence(&r).contains("No documents."));
        assert_eq!(super::csv::render(&r).lines().count(), 1);
        let t = super::table::render(
            &r,
            super::table::Options {
                color: false,
                width: 100,
            },
        );
        assert!(t.contains("0 documents"), "{t}");
    }

    #[test]
    fn formats_agree_on_the_sample() {
        let r = super::sample::report();
        let html = super::html::render(&r);
        let md = super::markdown::render(&r);
        let csv = super::csv::render(&r);
        for d in r
            .documents
            .iter()
            .filter(|d| d.status == crate::model::Status::Ok)
        {
            for topic in crate::model::Topic::BUILTIN {
                let t = d.topics.drug(topic).unwrap();
                let label = super::human::stance_label(t.stance);
                let heading = format!("### {}: {label}", super::human::topic_label(topic));
                assert!(md.contains(&heading), "{heading}");
                assert!(html.contains(&format!("st-{}", t.stance.as_str())));
                let row = format!("{},{}", topic.as_str(), t.stance.as_str());
                assert!(csv.contains(&row), "{row}");
            }
        }
    }
}
