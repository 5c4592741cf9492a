//! The JSON contract (`--format json`) and its streamed form
//! (`--format jsonl`).
//!
//! Owns: framing (`begin` / `document` / `summary` lines for JSONL; one
//! object for JSON), deterministic order (JSON documents sorted by path),
//! and byte-stable serialization. Each finished document is serialized at
//! once, so the JSON writer holds strings, not document trees, and past a
//! few megabytes it spills them to a temporary file and keeps only a sorted
//! index in memory.

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

/// Serialized documents held in memory before they spill to a temporary
/// file: a report of a few thousand documents never touches the disk.
pub const SPILL_THRESHOLD: usize = 8 << 20;

/// Where the serialized documents wait for the sorted write.
enum Held {
    /// In memory: (path, pretty JSON).
    Memory(Vec<(String, String)>, usize),
    /// In an unnamed temporary file: (path, offset, length) per document.
    File(io::BufWriter<std::fs::File>, Vec<(String, u64, u64)>, u64),
}

/// Collects documents and writes one report, sorted by path, at the end.
///
/// Each document is serialized as it arrives. Past [`SPILL_THRESHOLD`]
/// bytes the serialized documents go to an unnamed temporary file and only
/// an index (path, offset, length) stays in memory, so memory does not grow
/// with the corpus beyond that index; at the end the documents are copied
/// out in path order. If no temporary file can be made, they stay in memory.
pub struct JsonSink<W: Write> {
    out: W,
    tool: Option<ToolInfo>,
    held: Held,
    threshold: usize,
}

impl<W: Write> JsonSink<W> {
    /// Writes to `out` when finished.
    pub fn new(out: W) -> Self {
        Self::with_spill_threshold(out, SPILL_THRESHOLD)
    }

    /// Like [`JsonSink::new`], spilling past `threshold` bytes of serialized
    /// documents (0: from the first document).
    pub fn with_spill_threshold(out: W, threshold: usize) -> Self {
        JsonSink {
            out,
            tool: None,
            held: Held::Memory(Vec::new(), 0),
            threshold,
        }
    }

    /// Whether the documents have moved to a temporary file.
    pub fn spilled(&self) -> bool {
        matches!(self.held, Held::File(..))
    }

    /// Moves the documents held in memory to a temporary file.
    fn spill(&mut self) -> io::Result<()> {
        let Held::Memory(docs, _) = &mut self.held else {
            return Ok(());
        };
        let file = match tempfile::tempfile() {
            Ok(f) => f,
            // Memory still works; only the bound is lost.
            Err(_) => {
                self.threshold = usize::MAX;
                return Ok(());
            }
        };
        let mut w = io::BufWriter::with_capacity(1 << 16, file);
        let mut index = Vec::with_capacity(docs.len());
        let mut pos = 0u64;
        for (path, text) in docs.drain(..) {
            w.write_all(text.as_bytes())?;
            index.push((path, pos, text.len() as u64));
            pos += text.len() as u64;
        }
        self.held = Held::File(w, index, pos);
        Ok(())
    }
}

impl<W: Write> Sink for JsonSink<W> {
    fn begin(&mut self, tool: &ToolInfo) -> io::Result<()> {
        self.tool = Some(tool.clone());
        Ok(())
    }

    fn document(&mut self, doc: &Document) -> io::Result<()> {
        let s = serde_json::to_string_pretty(doc)?;
        match &mut self.held {
            Held::Memory(docs, bytes) => {
                *bytes += s.len();
                docs.push((doc.path.clone(), s));
                if *bytes > self.threshold {
                    self.spill()?;
                }
            }
            Held::File(w, index, pos) => {
                w.write_all(s.as_bytes())?;
                index.push((doc.path.clone(), *pos, s.len() as u64));
                *pos += s.len() as u64;
            }
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
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
        // Stable sorts by path, so both ways give the same order.
        let count = match &mut self.held {
            Held::Memory(docs, _) => {
                docs.sort_by(|a, b| a.0.cmp(&b.0));
                for (i, (_, d)) in docs.iter().enumerate() {
                    o.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
                    write_indented_by(o, d, "    ")?;
                }
                docs.len()
            }
            Held::File(w, index, _) => {
                use std::io::{Read, Seek, SeekFrom};
                w.flush()?;
                let file = w.get_mut();
                index.sort_by(|a, b| a.0.cmp(&b.0));
                let mut buf = Vec::new();
                for (i, (_, offset, len)) in index.iter().enumerate() {
                    buf.resize(*len as usize, 0);
                    file.seek(SeekFrom::Start(*offset))?;
                    file.read_exact(&mut buf)?;
                    let d = std::str::from_utf8(&buf).map_err(io::Error::other)?;
                    o.write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
                    write_indented_by(o, d, "    ")?;
                }
                index.len()
            }
        };
        if count > 0 {
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

    /// Documents with paths out of order, one of them large.
    fn many_docs() -> Vec<Document> {
        (0..200)
            .map(|i| {
                let path = format!("dir{}/doc{:03}.pdf", i % 7, (i * 37) % 200);
                let reason = if i == 13 {
                    "x\n\"y\"".repeat(5000)
                } else {
                    format!("reason {i} \u{e9}")
                };
                Document::failed(path, format!("{i:064x}"), Status::Malformed, reason)
            })
            .collect()
    }

    fn write_json(docs: &[Document], threshold: usize) -> (Vec<u8>, bool) {
        let tool = crate::report::tool_info("builtin@x");
        let mut buf = Vec::new();
        let mut sink = JsonSink::with_spill_threshold(&mut buf, threshold);
        sink.begin(&tool).unwrap();
        for d in docs {
            sink.document(d).unwrap();
        }
        let spilled = sink.spilled();
        sink.finish(&Summary::of(docs)).unwrap();
        (buf, spilled)
    }

    #[test]
    fn spilling_to_a_temporary_file_does_not_change_the_bytes() {
        let docs = many_docs();
        let (memory, spilled) = write_json(&docs, usize::MAX);
        assert!(!spilled);
        let expected = serde_json::to_string_pretty(&report(
            crate::report::tool_info("builtin@x"),
            docs.clone(),
        ))
        .unwrap()
            + "\n";
        assert!(memory == expected.as_bytes(), "in-memory output changed");
        // From the first document, and part way through (the large one).
        for threshold in [0, 1000, 50_000] {
            let (file, spilled) = write_json(&docs, threshold);
            assert!(spilled, "threshold {threshold} did not spill");
            assert!(file == memory, "spilled at {threshold}: bytes differ");
        }
        // No documents at all.
        assert_eq!(write_json(&[], 0).0, write_json(&[], usize::MAX).0);
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
