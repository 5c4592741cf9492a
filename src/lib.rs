//! policyscan: what health-insurance policy documents say about ketamine
//! and esketamine (Spravato) coverage, with page-cited evidence.
//!
//! The pipeline (see `DESIGN.md`): [`walk`] finds inputs, [`extract`] turns
//! PDFs into text per page, [`normalize`] cleans it and keeps an offset map,
//! [`matcher`] finds rule hits from the [`patterns`] library, [`classify`]
//! decides per-topic stances, and [`report`] writes the JSON contract
//! ([`model`]). [`scan`] runs the stages in parallel; the binary in
//! `main.rs` only parses arguments and maps results to exit codes.

#![deny(missing_docs)]

pub mod app;
pub mod classify;
pub mod cli;
pub mod config;
pub mod extract;
pub mod hash;
pub mod matcher;
pub mod model;
pub mod normalize;
pub mod patterns;
pub mod report;
pub mod rule_examples;
pub mod scan;
pub mod textutil;
pub mod walk;

use std::path::Path;

pub use config::{Config, UsageError};
pub use matcher::Matcher;
pub use model::{Document, Report};

/// Loads (from `dir`, or the built-in library) and compiles the patterns.
pub fn load_matcher(dir: Option<&Path>) -> Result<Matcher, patterns::PatternError> {
    let set = match dir {
        Some(d) => patterns::PatternSet::from_dir(d)?,
        None => patterns::PatternSet::builtin()?,
    };
    matcher::compile::compile(set)
}

/// Analyses one file and also returns the classification trace (for
/// `explain`); `None` when the document could not be analysed.
pub fn analyze_with_trace(
    path: &Path,
    settings: &scan::ExtractSettings,
    matcher: &Matcher,
) -> (Document, Option<Vec<classify::stance::TraceEntry>>) {
    let (sha, extracted) = scan::extract_file(path, settings);
    let display = walk::display_path(path);
    scan::analyze_extracted_traced(display, sha, extracted, matcher)
}

#[cfg(test)]
pub(crate) use matcher::test_matcher;
