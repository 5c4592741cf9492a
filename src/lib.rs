//! policyscan: what health-insurance policy documents say about ketamine
//! and esketamine (Spravato) coverage, with page-cited evidence.
//!
//! The pipeline (the layers, the data between them and where to add a
//! rule, an extractor or a report format are in `docs/ARCHITECTURE.md`):
//! [`walk`] finds inputs, [`extract`] turns PDFs into text per page,
//! [`normalize`] cleans it and keeps an offset map, [`matcher`] finds rule
//! hits from the [`patterns`] library, [`classify`] decides per-topic
//! stances, and [`report`] writes the JSON contract ([`model`]). [`scan`]
//! runs the stages in parallel; [`app`] wires the commands, and the binary
//! in `main.rs` only parses arguments and maps results to exit codes.

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

/// Loads the pattern library (from `dir`, or the built-in one) with the
/// topic files of `topics`, if given.
pub fn load_patterns(
    dir: Option<&Path>,
    topics: Option<&Path>,
) -> Result<patterns::PatternSet, patterns::PatternError> {
    let set = match dir {
        Some(d) => patterns::PatternSet::from_dir(d)?,
        None => patterns::PatternSet::builtin()?,
    };
    match topics {
        Some(t) => set.with_topics(t),
        None => Ok(set),
    }
}

/// Loads (from `dir`, or the built-in library, with the topic files of
/// `topics`) and compiles the patterns, and registers their topics for the
/// run.
pub fn load_matcher(
    dir: Option<&Path>,
    topics: Option<&Path>,
) -> Result<Matcher, patterns::PatternError> {
    let set = load_patterns(dir, topics)?;
    set.register_topics();
    if dir.is_some() || topics.is_some() {
        // A library of the user's is built whole now, so that a regex that
        // cannot be built is reported before any document is read.
        matcher::compile::compile(set)
    } else {
        // The built-in one (built whole by a unit test) is built as texts
        // need it.
        Ok(matcher::compile::compile_lazy(set))
    }
}

/// Analyses one file and also returns its kind and classification trace (for
/// `explain`); `None` when the document could not be analysed.
pub fn analyze_with_trace(
    path: &Path,
    settings: &scan::ExtractSettings,
    matcher: &Matcher,
) -> (Document, Option<classify::Explanation>) {
    let (sha, extracted) = scan::extract_file(path, settings);
    let display = walk::display_path(path);
    scan::analyze_extracted_traced(display, sha, extracted, matcher)
}

/// Reads one side of a `diff`: a folder (walked, and every document
/// analysed in parallel), a `.json` / `.jsonl` report, or one document.
pub fn diff_side(
    path: &Path,
    settings: &scan::ExtractSettings,
    matcher: &Matcher,
) -> Result<report::diff::Side, UsageError> {
    use rayon::prelude::*;
    let label = path.to_string_lossy().into_owned();
    let meta = std::fs::metadata(path).map_err(|source| UsageError::Io {
        what: path.display().to_string(),
        source,
    })?;
    if meta.is_dir() {
        let walked = walk::walk(&[path.to_path_buf()], &walk::WalkOptions::default())?;
        let docs = walked
            .inputs
            .par_iter()
            .map(|i| {
                let key = i
                    .path
                    .strip_prefix(path)
                    .unwrap_or(&i.path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                (key, scan::analyze_guarded(i, settings, matcher))
            })
            .collect();
        return Ok(report::diff::Side::folder(label, docs));
    }
    if report::diff::is_report(path) {
        return Ok(report::diff::Side::from_report(path)?);
    }
    let input = walk::Input {
        path: path.to_path_buf(),
        display: label.clone(),
        size: meta.len(),
    };
    let doc = scan::analyze_guarded(&input, settings, matcher);
    Ok(report::diff::Side::document(label, doc))
}

#[cfg(test)]
pub(crate) use matcher::test_matcher;

#[cfg(test)]
mod layering;
