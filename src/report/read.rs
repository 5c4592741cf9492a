//! Reading reports back: the output of `scan --format json` or
//! `--format jsonl`, for `merge`, `diff` and `scan --resume`.
//!
//! Owns: telling the two formats apart, parsing every line, and errors
//! that name the file and the line. In JSONL, only complete lines count:
//! a last line without its newline that is not complete JSON (a run
//! killed while writing it) is set aside and reported, not read; blank
//! lines are skipped; a document before the `begin` line, a line that is
//! not JSON or a line of an unknown type makes the file unusable.
//!
//! Must not: decide what the documents are used for (merging, pairing,
//! reuse) or check that files belong together; callers do.

use std::path::Path;

use serde::Deserialize;

use crate::model::{Document, Report, ToolInfo};

/// Why a report cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file cannot be read.
    #[error("{name}: cannot read")]
    Io {
        /// The file, as named to the user.
        name: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A line (or the whole JSON report) does not parse.
    #[error("{name}:{line}: {what}")]
    Json {
        /// The file, as named to the user.
        name: String,
        /// 1-based line.
        line: usize,
        /// What the line should have been.
        what: &'static str,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The file parses, but is not a usable policyscan report.
    #[error("{0}")]
    Invalid(String),
}

/// A `begin` line (or the head of a JSON report).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Begin {
    /// The report's schema version.
    pub schema_version: String,
    /// The tool that wrote it.
    pub tool: ToolInfo,
}

/// One document read back.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The document as parsed.
    pub document: Document,
    /// Its JSONL line, without the newline (`None` in a JSON report).
    pub line: Option<String>,
}

/// A report read back.
#[derive(Debug, Clone, Default)]
pub struct ReportFile {
    /// The report's head, or each JSONL `begin` line, in file order.
    pub begins: Vec<Begin>,
    /// The documents, in file order.
    pub documents: Vec<Recorded>,
    /// Bytes of a last JSONL line without its newline that was set aside.
    pub incomplete_tail: Option<usize>,
}

#[derive(Deserialize)]
struct Tag {
    #[serde(rename = "type")]
    kind: String,
}

/// Reads a file written by `scan --format json` or `--format jsonl`;
/// `name` is how errors name it.
pub fn read(path: &Path, name: &str) -> Result<ReportFile, ReadError> {
    parse(&read_bytes(path, name)?, name)
}

/// Reads a file written by `scan --format jsonl` (see [`parse_jsonl`]).
pub fn read_jsonl(path: &Path, name: &str) -> Result<ReportFile, ReadError> {
    parse_jsonl(&read_bytes(path, name)?, name)
}

fn read_bytes(path: &Path, name: &str) -> Result<Vec<u8>, ReadError> {
    std::fs::read(path).map_err(|source| ReadError::Io {
        name: name.to_string(),
        source,
    })
}

/// Parses a JSON report, or a JSONL one when its first line is a JSON
/// object with a `type`.
pub fn parse(bytes: &[u8], name: &str) -> Result<ReportFile, ReadError> {
    let first = bytes
        .split(|&b| b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace));
    let Some(first) = first else {
        return Ok(ReportFile::default());
    };
    let is_jsonl =
        serde_json::from_slice::<serde_json::Value>(first).is_ok_and(|v| v.get("type").is_some());
    if is_jsonl {
        return parse_jsonl(bytes, name);
    }
    let r: Report = serde_json::from_slice(bytes).map_err(|source| ReadError::Json {
        name: name.to_string(),
        line: source.line(),
        what: "not a policyscan report (scan --format json or jsonl)",
        source,
    })?;
    Ok(ReportFile {
        begins: vec![Begin {
            schema_version: r.schema_version,
            tool: r.tool,
        }],
        documents: r
            .documents
            .into_iter()
            .map(|document| Recorded {
                document,
                line: None,
            })
            .collect(),
        incomplete_tail: None,
    })
}

/// Parses JSONL (see the module docs).
pub fn parse_jsonl(bytes: &[u8], name: &str) -> Result<ReportFile, ReadError> {
    let mut file = ReportFile::default();
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    // The piece after the last newline is empty, or a line cut short.
    if let Some(last) = lines.pop()
        && !last.is_empty()
    {
        if serde_json::from_slice::<serde_json::Value>(last).is_ok() {
            lines.push(last);
        } else {
            file.incomplete_tail = Some(last.len());
        }
    }
    for (i, raw) in lines.iter().enumerate() {
        let no = i + 1;
        let line = std::str::from_utf8(raw).map_err(|_| {
            ReadError::Invalid(format!(
                "{name}:{no}: not UTF-8: not a policyscan JSONL report"
            ))
        })?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let json = |what: &'static str| {
            move |source: serde_json::Error| ReadError::Json {
                name: name.to_string(),
                line: no,
                what,
                source,
            }
        };
        let tag: Tag = serde_json::from_str(line).map_err(json("not a policyscan JSONL line"))?;
        match tag.kind.as_str() {
            "begin" => {
                let b: Begin = serde_json::from_str(line).map_err(json("bad begin line"))?;
                file.begins.push(b);
            }
            "document" => {
                if file.begins.is_empty() {
                    return Err(ReadError::Invalid(format!(
                        "{name}:{no}: a document before the begin line: not a policyscan \
                         JSONL report"
                    )));
                }
                let document: Document =
                    serde_json::from_str(line).map_err(json("bad document line"))?;
                file.documents.push(Recorded {
                    document,
                    line: Some(line.to_string()),
                });
            }
            "summary" => {}
            other => {
                return Err(ReadError::Invalid(format!(
                    "{name}:{no}: unknown line type {other:?}"
                )));
            }
        }
    }
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use crate::report::json::{JsonSink, JsonlSink, Sink};

    fn written(sink: &mut dyn Sink, docs: &[Document]) {
        let tool = crate::report::tool_info("builtin@x");
        sink.begin(&tool).unwrap();
        for d in docs {
            sink.document(d).unwrap();
        }
        sink.finish(&crate::model::Summary::of(docs)).unwrap();
    }

    fn docs() -> Vec<Document> {
        ["a.pdf", "b.pdf"]
            .iter()
            .map(|p| Document::failed(p.to_string(), "aa".into(), Status::NoText, "x".into()))
            .collect()
    }

    #[test]
    fn json_and_jsonl_read_back_the_same_documents() {
        let (mut json, mut jsonl) = (Vec::new(), Vec::new());
        written(&mut JsonSink::new(&mut json), &docs());
        written(&mut JsonlSink::new(&mut jsonl), &docs());
        let a = parse(&json, "r.json").unwrap();
        let b = parse(&jsonl, "r.jsonl").unwrap();
        let paths = |f: &ReportFile| -> Vec<String> {
            f.documents
                .iter()
                .map(|d| d.document.path.clone())
                .collect()
        };
        assert_eq!(paths(&a), ["a.pdf", "b.pdf"]);
        assert_eq!(paths(&a), paths(&b));
        assert_eq!(a.begins, b.begins);
        assert!(a.documents[0].line.is_none());
        let line = b.documents[0].line.as_deref().unwrap();
        assert!(jsonl.starts_with(b"{") && String::from_utf8_lossy(&jsonl).contains(line));
    }

    #[test]
    fn a_cut_last_line_is_set_aside_and_bad_lines_are_named() {
        let mut jsonl = Vec::new();
        written(&mut JsonlSink::new(&mut jsonl), &docs());
        jsonl.extend_from_slice(b"{\"type\":\"document\",\"pa");
        let f = parse_jsonl(&jsonl, "r.jsonl").unwrap();
        assert_eq!(f.documents.len(), 2);
        assert_eq!(f.incomplete_tail, Some(22));
        let e = parse_jsonl(b"{\"type\":\"begin\"}\n", "r.jsonl").unwrap_err();
        assert_eq!(e.to_string(), "r.jsonl:1: bad begin line");
        assert!(std::error::Error::source(&e).is_some());
        let e = parse_jsonl(b"not json\n", "r.jsonl").unwrap_err();
        assert_eq!(e.to_string(), "r.jsonl:1: not a policyscan JSONL line");
        let e = parse_jsonl(b"{\"type\":\"document\"}\n", "r.jsonl").unwrap_err();
        assert!(e.to_string().contains("before the begin line"), "{e}");
        let e = parse(b"[1, 2]", "r.json").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("r.json:1: not a policyscan report"),
            "{e}"
        );
        assert!(parse(b"\n\n", "empty").unwrap().documents.is_empty());
    }
}
