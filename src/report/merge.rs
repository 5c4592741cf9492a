//! `policyscan merge`: the parts of a sharded scan combined into the report
//! one unsharded run would write (same bytes).
//!
//! Owns: checking that the parts (JSON or JSONL reports, read by
//! [`super::read`]) belong together (same schema version, tool version and
//! pattern library; no document in two parts), and building the combined
//! report sorted by path with its summary recomputed. Errors name the file
//! and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::read::{self, ReadError};
use crate::model::{Document, Report, SCHEMA_VERSION, ToolInfo};

/// One part: its tool block and documents.
struct Part {
    tool: Option<ToolInfo>,
    documents: Vec<Document>,
}

fn read_part(path: &Path) -> Result<Part, ReadError> {
    let name = path.display().to_string();
    let file = read::read(path, &name)?;
    if let Some(b) = file
        .begins
        .iter()
        .find(|b| b.schema_version != SCHEMA_VERSION)
    {
        return Err(ReadError::Invalid(format!(
            "{name}: schema_version {:?}, expected {SCHEMA_VERSION:?}",
            b.schema_version
        )));
    }
    Ok(Part {
        tool: file.begins.into_iter().last().map(|b| b.tool),
        documents: file.documents.into_iter().map(|r| r.document).collect(),
    })
}

/// Merges part reports.
pub fn merge(parts: &[PathBuf]) -> Result<Report, ReadError> {
    let mut tool: Option<(ToolInfo, &Path)> = None;
    let mut docs: BTreeMap<String, (Document, &Path)> = BTreeMap::new();
    for path in parts {
        let part = read_part(path)?;
        if let Some(t) = part.tool {
            match &tool {
                Some((t0, p0)) if *t0 != t => {
                    return Err(ReadError::Invalid(format!(
                        "{} was written by {} {} with patterns {}, but {} by {} {} with patterns {}: scan all parts with the same build and patterns",
                        p0.display(),
                        t0.name,
                        t0.version,
                        t0.patterns,
                        path.display(),
                        t.name,
                        t.version,
                        t.patterns
                    )));
                }
                Some(_) => {}
                None => tool = Some((t, path)),
            }
        }
        for d in part.documents {
            if let Some((_, other)) = docs.get(&d.path) {
                return Err(ReadError::Invalid(format!(
                    "{}: document {:?} is also in {}: parts must not overlap",
                    path.display(),
                    d.path,
                    other.display()
                )));
            }
            docs.insert(d.path.clone(), (d, path));
        }
    }
    let tool = tool
        .map(|t| t.0)
        .ok_or_else(|| ReadError::Invalid("no part has a tool block (empty JSONL part?)".into()))?;
    Ok(super::json::report(
        tool,
        docs.into_values().map(|d| d.0).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use crate::report::json::{JsonSink, JsonlSink, Sink};

    fn write(sink: &mut dyn Sink, tool: &ToolInfo, docs: &[Document]) {
        sink.begin(tool).unwrap();
        for d in docs {
            sink.document(d).unwrap();
        }
        sink.finish(&crate::model::Summary::of(docs)).unwrap();
    }

    fn doc(p: &str) -> Document {
        Document::failed(p.into(), "00".into(), Status::NoText, "none".into())
    }

    #[test]
    fn json_and_jsonl_parts_merge_to_the_unsharded_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let tool = crate::report::tool_info("builtin@abc");
        let all = vec![doc("a.pdf"), doc("b.pdf"), doc("c.pdf")];
        let mut whole = Vec::new();
        write(&mut JsonSink::new(&mut whole), &tool, &all);
        let mut p1 = Vec::new();
        write(
            &mut JsonlSink::new(&mut p1),
            &tool,
            &[all[2].clone(), all[0].clone()],
        );
        let mut p2 = Vec::new();
        write(&mut JsonSink::new(&mut p2), &tool, &[all[1].clone()]);
        std::fs::write(dir.path().join("p1.jsonl"), &p1).unwrap();
        std::fs::write(dir.path().join("p2.json"), &p2).unwrap();
        let merged = merge(&[dir.path().join("p1.jsonl"), dir.path().join("p2.json")]).unwrap();
        let mut out = Vec::new();
        write(
            &mut JsonSink::new(&mut out),
            &merged.tool,
            &merged.documents,
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            String::from_utf8(whole).unwrap()
        );
    }

    #[test]
    fn overlapping_or_mismatched_parts_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let tool = crate::report::tool_info("builtin@abc");
        let mut p = Vec::new();
        write(&mut JsonSink::new(&mut p), &tool, &[doc("a.pdf")]);
        std::fs::write(dir.path().join("p1.json"), &p).unwrap();
        std::fs::write(dir.path().join("p2.json"), &p).unwrap();
        let e = merge(&[dir.path().join("p1.json"), dir.path().join("p2.json")]).unwrap_err();
        assert!(e.to_string().contains("also in"), "{e}");
        let other = crate::report::tool_info("custom@def");
        let mut q = Vec::new();
        write(&mut JsonSink::new(&mut q), &other, &[doc("b.pdf")]);
        std::fs::write(dir.path().join("p3.json"), &q).unwrap();
        let e = merge(&[dir.path().join("p1.json"), dir.path().join("p3.json")]).unwrap_err();
        assert!(e.to_string().contains("same build and patterns"), "{e}");
    }

    #[test]
    fn bad_line_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.jsonl");
        std::fs::write(&p, "{\"type\":\"begin\",\"schema_version\":\"1\",\"tool\":{\"name\":\"policyscan\",\"version\":\"0\",\"patterns\":\"x\"}}\n{\"type\":\"document\",\"path\":3}\n").unwrap();
        let e = merge(&[p]).unwrap_err();
        assert!(e.to_string().contains("bad.jsonl:2"), "{e}");
    }
}
