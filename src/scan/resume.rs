//! Resuming from an earlier JSONL report (`scan --resume FILE`).
//!
//! Owns: reading a previous `--format jsonl` output and answering "was
//! this input already done?". The semantics:
//! * Only complete lines count. A last line without its newline (the run
//!   was killed while writing it) is ignored; any other line that is not
//!   JSON makes FILE unusable (a usage error, exit 2). The lines are read
//!   by the one report reader, `report::read`.
//! * FILE must start with a `begin` line. Its records are reused only when
//!   that line names the same policyscan version and pattern library as
//!   the current run; otherwise nothing is reused (with a warning), since
//!   the recorded stances could differ.
//! * A `document` line is reused for an input with the same path (as
//!   reported) and the same sha256 of the file's current bytes; a changed
//!   file is scanned again. Every recorded status is reused, failures
//!   included (filter FILE to retry them). When a path is recorded twice,
//!   the last line wins.
//! * The line is re-emitted byte for byte in JSONL output (and as the
//!   parsed document in JSON output), so the new output is complete on
//!   its own. Recorded documents whose path is not among the current
//!   inputs are dropped.
//!
//! Must not: scan anything, or write output.

use std::collections::HashMap;
use std::path::Path;

use crate::hash::sha256_file;
use crate::model::{Document, ToolInfo};
use crate::report::read::{self, ReadError};
use crate::walk::Input;

/// One recorded document.
#[derive(Debug, Clone)]
pub struct Record {
    /// The document as parsed.
    pub document: Document,
    /// Its line, without the newline.
    pub line: String,
}

/// The documents of an earlier run, by path.
#[derive(Debug, Default)]
pub struct Resume {
    by_path: HashMap<String, Record>,
}

impl Resume {
    /// Reads FILE; `tool` identifies the current run. Returns the records
    /// and warnings for stderr.
    pub fn load(path: &Path, tool: &ToolInfo) -> Result<(Resume, Vec<String>), ReadError> {
        let name = format!("--resume {}", path.display());
        let file = read::read_jsonl(path, &name)?;
        Ok(Self::from_file(file, &name, tool))
    }

    /// Parses the bytes of a JSONL report (see the module docs).
    pub fn parse(
        bytes: &[u8],
        name: &str,
        tool: &ToolInfo,
    ) -> Result<(Resume, Vec<String>), ReadError> {
        let name = format!("--resume {name}");
        let file = read::parse_jsonl(bytes, &name)?;
        Ok(Self::from_file(file, &name, tool))
    }

    fn from_file(file: read::ReportFile, name: &str, tool: &ToolInfo) -> (Resume, Vec<String>) {
        let mut warnings = Vec::new();
        if let Some(n) = file.incomplete_tail {
            warnings.push(format!(
                "{name}: ignored the incomplete last line ({n} bytes)"
            ));
        }
        if file.begins.is_empty() {
            warnings.push(format!("{name}: no complete line; nothing to reuse"));
            return (Resume::default(), warnings);
        }
        if let Some(b) = file.begins.iter().find(|b| b.tool != *tool) {
            warnings.push(format!(
                "{name}: written by {} {} with patterns {}, not {} {} with patterns {}; \
                 nothing is reused",
                b.tool.name,
                b.tool.version,
                b.tool.patterns,
                tool.name,
                tool.version,
                tool.patterns
            ));
            return (Resume::default(), warnings);
        }
        let mut resume = Resume::default();
        for rec in file.documents {
            let Some(line) = rec.line else { continue };
            resume.by_path.insert(
                rec.document.path.clone(),
                Record {
                    document: rec.document,
                    line,
                },
            );
        }
        (resume, warnings)
    }

    /// Documents available for reuse.
    pub fn len(&self) -> usize {
        self.by_path.len()
    }

    /// Whether nothing can be reused.
    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }

    /// The record for an input, when its path is recorded and the file
    /// still has the recorded sha256 (hashed only when the path matches).
    pub fn lookup(&self, input: &Input) -> Option<&Record> {
        let rec = self.by_path.get(&input.display)?;
        if rec.document.sha256.is_empty() {
            return None;
        }
        let sha = sha256_file(&input.path).ok()?;
        (sha == rec.document.sha256).then_some(rec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn tool() -> ToolInfo {
        crate::report::tool_info("builtin@x")
    }

    fn report(docs: &[Document], tool: &ToolInfo) -> String {
        let mut buf = Vec::new();
        let mut sink = crate::report::json::JsonlSink::new(&mut buf);
        use crate::report::json::Sink;
        sink.begin(tool).unwrap();
        for d in docs {
            sink.document(d).unwrap();
        }
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn complete_lines_are_reused_and_a_truncated_tail_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.txt");
        std::fs::write(&a, b"ketamine").unwrap();
        let sha = sha256_file(&a).unwrap();
        let doc = Document::failed(
            a.display().to_string(),
            sha.clone(),
            Status::NoText,
            "x".into(),
        );
        let mut text = report(std::slice::from_ref(&doc), &tool());
        let first_line = text.lines().nth(1).unwrap().to_string();
        text.push_str("{\"type\":\"document\",\"path\":\"b.t");
        let (r, warnings) = Resume::parse(text.as_bytes(), "f", &tool()).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let input = Input {
            path: a.clone(),
            display: a.display().to_string(),
            size: 8,
        };
        let rec = r.lookup(&input).unwrap();
        assert_eq!(rec.line, first_line);
        assert_eq!(rec.document, doc);
        // A changed file is not reused.
        std::fs::write(&a, b"esketamine").unwrap();
        assert!(r.lookup(&input).is_none());
    }

    #[test]
    fn another_tool_version_reuses_nothing() {
        let doc = Document::failed("a.pdf".into(), "aa".into(), Status::NoText, "x".into());
        let mut other = tool();
        other.patterns = "builtin@y".into();
        let text = report(&[doc], &other);
        let (r, warnings) = Resume::parse(text.as_bytes(), "f", &tool()).unwrap();
        assert!(r.is_empty());
        assert!(warnings[0].contains("nothing is reused"), "{warnings:?}");
    }

    #[test]
    fn broken_files_are_usage_errors() {
        assert!(Resume::parse(b"not json\n", "f", &tool()).is_err());
        let doc_first = "{\"type\":\"document\",\"path\":\"a\"}\n";
        assert!(Resume::parse(doc_first.as_bytes(), "f", &tool()).is_err());
        // An empty file (killed before the first line) reuses nothing.
        let (r, _) = Resume::parse(b"", "f", &tool()).unwrap();
        assert!(r.is_empty());
    }
}
