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
        let mut line = serde_json::to_vec(&Tagged {
            kind: "document",
            inner: doc,
        })?;
        line.push(b'\n');
        // One write per line, flushed, so a killed run or a full disk keeps
        // every line written before whole.
        self.out.write_all(&line)?;
        self.out.flush()
    }

    fn recorded(&mut self, _doc: &Document, line: &str) -> io::Result<()> {
        let mut l = Vec::with_capacity(line.len() + 1);
        l.extend_from_slice(line.as_bytes());
        l.push(b'\n');
        self.out.write_all(&l)?;
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
    /// In an unnamed temporary file: (path, offset, length) per document,
    /// and the end of the last document written whole.
    File(std::fs::File, Vec<(String, u64, u64)>, u64),
}

/// An OS error as in the middle of a sentence ("no space left on device
/// (os error 28)").
fn os_error_text(e: &io::Error) -> String {
    let s = e.to_string();
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// An error of the temporary file, naming its directory.
fn spill_error(e: io::Error) -> io::Error {
    io::Error::new(
        e.kind(),
        format!(
            "cannot write the JSON report's temporary file in {} (set TMPDIR to use another \
             directory): {}",
            std::env::temp_dir().display(),
            os_error_text(&e)
        ),
    )
}

/// Writes `text` at `pos` of the temporary file. A failed write leaves
/// the index untouched: the next document is written at the same place.
fn write_at(file: &mut std::fs::File, pos: u64, text: &[u8]) -> io::Result<()> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(pos))?;
    file.write_all(text)
}

/// Collects documents and writes one report, sorted by path, at the end.
///
/// Each document is serialized as it arrives. Past [`SPILL_THRESHOLD`]
/// bytes the serialized documents go to an unnamed temporary file (in
/// `TMPDIR`) and only an index (path, offset, length) stays in memory, so
/// memory does not grow with the corpus beyond that index; at the end the
/// documents are copied out in path order. If no temporary file can be
/// made, they stay in memory. A failed write (a full disk) is returned
/// naming the directory, and leaves the sink as it was before the call:
/// the documents accepted so far are all still there.
pub struct JsonSink<W: Write> {
    out: W,
    tool: Option<ToolInfo>,
    held: Held,
    threshold: usize,
    /// Makes the temporary file (tests give a file that is always full).
    open_spill: fn() -> io::Result<std::fs::File>,
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
            open_spill: tempfile::tempfile,
        }
    }

    /// Whether the documents have moved to a temporary file.
    pub fn spilled(&self) -> bool {
        matches!(self.held, Held::File(..))
    }

    /// Documents accepted so far.
    pub fn len(&self) -> usize {
        match &self.held {
            Held::Memory(docs, _) => docs.len(),
            Held::File(_, index, _) => index.len(),
        }
    }

    /// Whether no document was accepted yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Moves the documents held in memory to a temporary file; they stay
    /// in memory if that fails.
    fn spill(&mut self) -> io::Result<()> {
        let Held::Memory(docs, _) = &mut self.held else {
            return Ok(());
        };
        let file = match (self.open_spill)() {
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
        for (path, text) in docs.iter() {
            w.write_all(text.as_bytes()).map_err(spill_error)?;
            index.push((path.clone(), pos, text.len() as u64));
            pos += text.len() as u64;
        }
        let file = w.into_inner().map_err(|e| spill_error(e.into_error()))?;
        self.held = Held::File(file, index, pos);
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
                if *bytes > self.threshold
                    && let Err(e) = self.spill()
                {
                    if let Held::Memory(docs, bytes) = &mut self.held
                        && let Some((_, s)) = docs.pop()
                    {
                        *bytes -= s.len();
                    }
                    return Err(e);
                }
            }
            Held::File(file, index, pos) => {
                write_at(file, *pos, s.as_bytes()).map_err(spill_error)?;
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
            Held::File(file, index, _) => {
                use std::io::{Read, Seek, SeekFrom};
                index.sort_by(|a, b| a.0.cmp(&b.0));
                let mut buf = Vec::new();
                for (i, (_, offset, len)) in index.iter().enumerate() {
                    buf.resize(*len as usize, 0);
                    file.seek(SeekFrom::Start(*offset)).map_err(spill_error)?;
                    file.read_exact(&mut buf).map_err(spill_error)?;
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

    /// The temporary file on a device that is always full.
    fn full_device() -> io::Result<std::fs::File> {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/full")
    }

    #[test]
    fn a_failed_spill_names_the_directory_and_keeps_every_document() {
        let docs = many_docs();
        let tool = crate::report::tool_info("builtin@x");
        let mut buf = Vec::new();
        let mut sink = JsonSink::with_spill_threshold(&mut buf, 50_000);
        sink.open_spill = full_device;
        sink.begin(&tool).unwrap();
        let mut accepted = Vec::new();
        let mut failed = None;
        for d in &docs {
            match sink.document(d) {
                Ok(()) => accepted.push(d.clone()),
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        let e = failed.expect("the spill fails on a full device");
        assert_eq!(e.kind(), io::ErrorKind::StorageFull);
        let msg = e.to_string();
        let dir = std::env::temp_dir().display().to_string();
        assert!(msg.contains(&format!("temporary file in {dir} ")), "{msg}");
        assert!(msg.contains("no space left on device"), "{msg}");
        assert!(!sink.spilled());
        assert_eq!(sink.len(), accepted.len());
        // Space again: the same sink goes on and writes a whole report.
        sink.open_spill = tempfile::tempfile;
        for d in &docs[accepted.len()..] {
            sink.document(d).unwrap();
            accepted.push(d.clone());
        }
        assert!(sink.spilled());
        sink.finish(&Summary::of(&accepted)).unwrap();
        let expected = serde_json::to_string_pretty(&report(tool, accepted)).unwrap() + "\n";
        assert!(
            buf == expected.as_bytes(),
            "report differs after a failed spill"
        );
    }

    /// Output that takes `room` more bytes, then fails as a full disk does.
    struct FullAfter {
        data: Vec<u8>,
        room: usize,
    }

    impl Write for FullAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::from(io::ErrorKind::StorageFull));
            }
            let n = buf.len().min(self.room);
            self.data.extend_from_slice(&buf[..n]);
            self.room -= n;
            Ok(n)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn jsonl_on_a_full_disk_keeps_the_lines_written_before_whole() {
        let docs = many_docs();
        let tool = crate::report::tool_info("builtin@x");
        let mut all = Vec::new();
        written(&mut JsonlSink::new(&mut all), &tool, &docs).unwrap();
        let all = String::from_utf8(all).unwrap();
        for room in [0, 10, 5_000, 40_000, all.len() - 1] {
            let mut out = FullAfter {
                data: Vec::new(),
                room,
            };
            let r = written(
                &mut JsonlSink::new(io::BufWriter::new(&mut out)),
                &tool,
                &docs,
            );
            assert_eq!(r.unwrap_err().kind(), io::ErrorKind::StorageFull);
            let text = String::from_utf8_lossy(&out.data);
            let whole = text.rfind('\n').map_or(0, |i| i + 1);
            // The complete lines are the report's first lines, unchanged.
            assert!(all.starts_with(&text[..whole]), "room {room}");
            for line in text[..whole].lines() {
                serde_json::from_str::<serde_json::Value>(line).unwrap();
            }
        }
    }

    fn written(sink: &mut impl Sink, tool: &ToolInfo, docs: &[Document]) -> io::Result<()> {
        sink.begin(tool)?;
        for d in docs {
            sink.document(d)?;
        }
        sink.finish(&Summary::of(docs))
    }
}
