//! Writing reports: the JSON contract (`json`), streamed JSONL, the
//! `explain` text for people, and reading a JSONL report back to resume
//! an interrupted run (`resume`).
//!
//! Owns: output framing and ordering. Must not: decide anything about
//! documents.

pub mod explain;
pub mod json;
pub mod resume;

use crate::model::ToolInfo;

/// The tool block of every report.
pub fn tool_info(patterns_origin: &str) -> ToolInfo {
    ToolInfo {
        name: "policyscan".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        patterns: patterns_origin.to_string(),
    }
}
