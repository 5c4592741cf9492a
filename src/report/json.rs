//! The JSON contract (`--format json`) and its streamed form
//! (`--format jsonl`).
//!
//! Owns: framing (`begin` / `document` / `summary` lines for JSONL; one
//! object for JSON), deterministic order (JSON documents sorted by path),
//! and byte-stable serialization. Each finished document is serialized at
//! once, so the JSON writer holds compact strings, not document trees.

use std::io::{self, Write};

use serde::Serialize;

use crate::model::{Document, Report, SCHEMA_VERSION, Summary, ToolInfo};

#[derive(Serialize)]
struct Begin<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    schema_version: &'static str,
    tool: &'a ToolInfo,
}

#[derive(Serialize)]
struct Tagged<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    inner: &'a T,
}

/// A sink for finished documents.
pub trait Sink {
    /// Called once before any document.
    fn begin(&mut self, tool: &ToolInfo) -> io::Result<()>;
    /// Called for each document as it finishes.
    fn document(&mut self, doc: &Document) -> io::Result<()>;
    /// Called once at the end.
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
    /// Called for a document taken from a resumed report, with the line
    /// recorded for it there (JSONL re-emits it byte for byte).
    fn recorded(&mut self, doc: &Document, _line: &str) -> io::Result<()> {
        self.document(doc)
    }
}

/// Streams one JSON object per line.
pub struct JsonlSink<W: Write> {
    out: W,
}

impl<W: Write> JsonlSink<W> {
    /// Writes to `out`.
    pub fn new(out: W) -> Self {
        JsonlSink { out }
    }
}

impl<W: Write> Sink for JsonlSink<W> {
    fn begin(&mut self, tool: &ToolInfo) -> io::Result<()> {
        let b = Begin {
            kind: "begin",
            schema_version: SCHEMA_VERSION,
            tool,
        };
        serde_json::to_writer(&mut self.out, &b)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }

    fn document(&mut self, doc: &Document) -> io::Result<()> {
        serde_json::to_writer(
            &mut self.out,
            &Tagged {
                kind: "document",
                inner: doc,
            },
        )?;
        self.out.write_all(b"\n")?;
        // Flushed per line, so a killed run keeps every finished document.
        self.out.flush()
    }

    fn recorded(&mut self, _doc: &Document, line: &str) -> io::Result<()> {
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        serde_json::to_writer(
            &mut self.out,
            &Tagged {
                kind: "summary",
                inner: summary,
            },
        )?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}

/// Collects documents and writes one report, sorted by path, at the end.
pub struct JsonSink<W: Write> {
    out: W,
    tool: Option<ToolInfo>,
    docs: Vec<(String, String)>,
}

impl<W: Write> JsonSink<W> {
    /// Writes to `out` when finished.
    pub fn new(out: W) -> Self {
        JsonSink {
            out,
            tool: None,
            docs: Vec::new(),
        }
    }
}

impl<W: Write> Sink for JsonSink<W> {
    fn begin(&mut self, tool: &ToolInfo) -> io::Result<()> {
        self.tool = Some(tool.clone());
        Ok(())
    }

    fn document(&mut self, doc: &Document) -> io::Result<()> {
        let s = serde_json::to_string_pretty(doc)?;
        self.docs.push((doc.path.clone(), s));
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.docs.sort_by(|a, b| a.0.cmp(&b.0));
        let tool = self
            .tool
            .clone()
            .unwrap_or_else(|| super::tool_info("unknown"));
        let o = &mut self.out;
        write!(o, "{{\n  \"schema_version\": ")?;
        serde_json::to_writer(&mut *o, SCHEMA_VERSION)?;
        write!(o, ",\n  \"tool\": ")?;
        write_indented(o, &serde_json::to_string_pretty(&tool)?)?;
        write!(o, ",\n  \"documents\": [")?;
        for (i, (_, d)) in self.docs.iter().enumerate() {
            o.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            write_indented_by(o, d, "    ")?;
        }
        if !self.docs.is_empty() {
            o.write_all(b"\n  ")?;
        }
        write!(o, "],\n  \"summary\": ")?;
        write_indented(o, &serde_json::to_string_pretty(summary)?)?;
        o.write_all(b"\n}\n")?;
        o.flush()
    }
}

fn write_indented(o: &mut impl Write, s: &str) -> io::Result<()> {
    write_indented_by(o, s, "  ")
}

/// Writes a pretty-printed JSON value nested at `indent`.
fn write_indented_by(o: &mut impl Write, s: &str, indent: &str) -> io::Result<()> {
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            o.write_all(b"\n")?;
            o.write_all(indent.as_bytes())?;
        }
        o.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Builds a whole report in memory (used by tests and `merge`).
pub fn report(tool: ToolInfo, mut documents: Vec<Document>) -> Report {
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    let summary = Summary::of(&documents);
    Report {
        schema_version: SCHEMA_VERSION.to_string(),
        tool,
        documents,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    #[test]
    fn json_sink_output_equals_serde_pretty_of_the_report() {
        let tool = crate::report::tool_info("builtin@x");
        let docs = vec![
            Document::failed("b.pdf".into(), "bb".into(), Status::Malformed, "bad".into()),
            Document::failed("a.pdf".into(), "aa".into(), Status::NoText, "none".into()),
        ];
        let mut buf = Vec::new();
        let mut sink = JsonSink::new(&mut buf);
        sink.begin(&tool).unwrap();
        for d in &docs {
            sink.document(d).unwrap();
        }
        let r = report(tool, docs);
        sink.finish(&r.summary).unwrap();
        let expected = serde_json::to_string_pretty(&r).unwrap() + "\n";
        assert_eq!(String::from_utf8(buf).unwrap(), expected);
    }

    #[test]
    fn jsonl_lines_are_tagged() {
        let tool = crate::report::tool_info("builtin@x");
        let mut buf = Vec::new();
        let mut sink = JsonlSink::new(&mut buf);
        sink.begin(&tool).unwrap();
        let d = Document::failed("a.pdf".into(), "aa".into(), Status::NoText, "none".into());
        sink.document(&d).unwrap();
        sink.finish(&Summary::of([&d])).unwrap();
        let text = String::from_utf8(buf).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["type"], "begin");
        assert_eq!(lines[0]["schema_version"], "1");
        assert_eq!(lines[1]["type"], "document");
        assert_eq!(lines[1]["path"], "a.pdf");
        assert_eq!(lines[2]["type"], "summary");
        assert_eq!(lines[2]["documents"], 1);
    }
}
