//! The scan pipeline: inputs → extract → normalize → match → classify →
//! documents, in parallel, streamed to a report sink.
//!
//! Owns: the per-document stages in order ([`analyze_file`]), turning every
//! failure into a document with a status (nothing is ever dropped), the
//! rayon pool (largest documents first, so the tail is short), handing
//! finished documents to the sink as they complete, and what the parent
//! process keeps around extraction: the extraction [`cache`], the [`pool`]
//! of worker processes, and the documents of an interrupted run
//! ([`resume`]).
//!
//! Must not: format output (that is `report`), parse flags (`config`), or
//! extract text itself (`extract` does, in this process or in a worker).

pub mod cache;
pub mod pool;
pub mod resume;

use std::path::Path;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use self::pool::WorkerPool;
use self::resume::Resume;
use crate::classify;
use crate::extract::{self, ExtractError, Extracted, FileOptions};
use crate::hash::{sha256_file, sha256_hex};
use crate::matcher::Matcher;
use crate::model::{Document, Status};
use crate::normalize::NormalizedText;
use crate::walk::Input;

/// Hint attached to documents without a text layer.
pub const NO_TEXT_HINT: &str = "no extractable text: no page has a text layer (scans, or only images, drawings or form fields); run with --ocr to read page images";

/// Hint attached to documents without text after OCR (`--ocr`) ran.
pub const NO_TEXT_OCR_HINT: &str =
    "no extractable text, and OCR (--ocr) read none from the page images (see warnings)";

/// The `error` of a document that has no text: [`NO_TEXT_OCR_HINT`] when
/// OCR ran on it, [`NO_TEXT_HINT`] otherwise.
pub fn no_text_hint(e: &Extracted) -> &'static str {
    if extract::ocr::ran(e) {
        NO_TEXT_OCR_HINT
    } else {
        NO_TEXT_HINT
    }
}

/// Extraction settings shared by every document of a run.
#[derive(Debug, Clone, Default)]
pub struct ExtractSettings {
    /// What every extraction is given, in this process or in a worker.
    pub file: FileOptions,
    /// The extraction cache, if enabled.
    pub cache: Option<cache::Cache>,
    /// Worker processes that extract PDFs; `None` extracts in-process.
    pub workers: Option<Arc<WorkerPool>>,
}

impl ExtractSettings {
    /// Identity of the extraction pipeline: what a cached result depends on.
    pub fn pipeline(&self) -> String {
        format!(
            "policyscan {}; normalization {}; {}; password {}",
            env!("CARGO_PKG_VERSION"),
            crate::normalize::NORMALIZATION_VERSION,
            extract::backends_identity(),
            match &self.file.extract.password {
                Some(p) => sha256_hex(p.as_bytes()),
                None => "none".into(),
            }
        ) + &match &self.file.extract.ocr {
            Some(o) => format!("; {}", extract::ocr::pipeline(o)),
            None => String::new(),
        }
    }
}

/// Reads a file and extracts its text, mapping every failure to a status:
/// from the cache when it holds the file, otherwise in a worker process
/// (PDFs, when `settings.workers` is set) or in this process.
pub fn extract_file(
    path: &Path,
    settings: &ExtractSettings,
) -> (String, Result<Extracted, ExtractError>) {
    if let Some((sha, e)) = extract::over_size_limit(path, settings.file.max_filesize) {
        return (sha, Err(e));
    }
    let sha = settings.cache.as_ref().and_then(|_| sha256_file(path).ok());
    extract_known(path, sha, settings)
}

/// [`extract_file`] for a file within the size limit whose sha256 is
/// known when the cache is on.
fn extract_known(
    path: &Path,
    sha: Option<String>,
    settings: &ExtractSettings,
) -> (String, Result<Extracted, ExtractError>) {
    // The cache is consulted (and filled) here, in the process that owns
    // the run, whichever process extracts.
    let cache = settings
        .cache
        .as_ref()
        .and_then(|c| Some((c, sha?, settings.pipeline())));
    if let Some((c, sha, pipeline)) = &cache
        && let Some(hit) = c.get(sha, pipeline)
    {
        return (sha.clone(), hit);
    }
    let (sha, result) = match &settings.workers {
        Some(pool) if pool::wants_worker(path, settings.file.max_filesize) => {
            pool.extract(path, &settings.file)
        }
        _ => extract::extract_file(path, &settings.file),
    };
    if let Some((c, _, pipeline)) = &cache {
        // A cache that cannot be written only costs speed.
        let _ = c.put(&sha, pipeline, &result);
    }
    (sha, result)
}

/// Turns extracted text into an analysed document.
pub fn analyze_extracted(
    display: String,
    sha256: String,
    extracted: Result<Extracted, ExtractError>,
    matcher: &Matcher,
) -> Document {
    analyze_extracted_traced(display, sha256, extracted, matcher).0
}

/// Like [`analyze_extracted`], also returning the document's kind and the
/// classification trace (for `explain`) when the document had text.
pub fn analyze_extracted_traced(
    display: String,
    sha256: String,
    extracted: Result<Extracted, ExtractError>,
    matcher: &Matcher,
) -> (Document, Option<classify::Explanation>) {
    let e = match extracted {
        Ok(e) => e,
        Err(err) => {
            let doc = Document::failed(display, sha256, err.status(), err.reason().to_string());
            return (doc, None);
        }
    };
    let pages = u32::try_from(e.pages.len()).unwrap_or(u32::MAX);
    if !e.has_text() {
        let hint = no_text_hint(&e).to_string();
        let mut d = Document::failed(display, sha256, Status::NoText, hint);
        d.extractor = Some(e.extractor);
        d.pages = pages;
        d.warnings = e.warnings;
        d.ocr_pages = e.ocr_pages;
        return (d, None);
    }
    let text = NormalizedText::from_pages(&e.pages);
    let a = classify::analyze(&text, matcher);
    let mut doc = Document {
        path: display,
        sha256,
        status: Status::Ok,
        error: None,
        extractor: Some(e.extractor),
        pages,
        metadata: a.metadata,
        topics: a.topics,
        findings: a.findings,
        codes: a.codes,
        warnings: e.warnings,
        ocr_pages: e.ocr_pages,
    };
    doc.mark_ocr_findings();
    let explanation = classify::Explanation {
        kind: a.kind,
        trace: a.trace,
    };
    (doc, Some(explanation))
}

/// Analyses one input file end to end. With the cache on, an unchanged
/// file analysed before with the same patterns and the same build costs a
/// hash and a read; one whose analysis is stale (other patterns, another
/// build) is analysed again from its cached text.
pub fn analyze_file(input: &Input, settings: &ExtractSettings, matcher: &Matcher) -> Document {
    let path = &input.path;
    let cached = settings.cache.as_ref().and_then(|c| {
        if extract::over_size_limit(path, settings.file.max_filesize).is_some() {
            return None;
        }
        let sha = sha256_file(path).ok()?;
        let key = cache::analysis_key(&settings.pipeline(), matcher.origin());
        Some((c, sha, key))
    });
    let Some((c, sha, key)) = cached else {
        let (sha, extracted) = extract_file(path, settings);
        return analyze_extracted(input.display.clone(), sha, extracted, matcher);
    };
    if let Some(mut doc) = c.get_document(&sha, &key) {
        doc.path.clone_from(&input.display);
        return doc;
    }
    let (read_sha, extracted) = extract_known(path, Some(sha.clone()), settings);
    // What depends on this run's conditions (a timeout, a crash, OCR cut
    // short), or on a file that changed between its hash and its reading,
    // is analysed but not kept.
    let keep = read_sha == sha
        && match &extracted {
            Ok(e) => !e.transient,
            Err(e) => !matches!(e, ExtractError::Timeout(_) | ExtractError::Crashed(_)),
        };
    let doc = analyze_extracted(input.display.clone(), read_sha, extracted, matcher);
    if keep {
        // A cache that cannot be written only costs speed.
        let _ = c.put_document(&sha, &key, &doc);
    }
    doc
}

/// Like [`analyze_file`], with a panic turned into a `crashed` document.
pub fn analyze_guarded(input: &Input, settings: &ExtractSettings, matcher: &Matcher) -> Document {
    match extract::panic::catch(|| analyze_file(input, settings, matcher)) {
        Ok(doc) => doc,
        Err(panic) => Document::failed(
            input.display.clone(),
            sha256_file(&input.path).unwrap_or_default(),
            Status::Crashed,
            format!("internal error while analysing: {panic}"),
        ),
    }
}

/// A finished document and how it was obtained.
#[derive(Debug, Clone)]
pub struct Finished {
    /// The document, as reported.
    pub document: Document,
    /// The exact JSONL line recorded for it by the run being resumed
    /// (`--resume`), when it was taken from there instead of scanned.
    pub recorded: Option<String>,
    /// Wall time spent on the document (extraction and analysis).
    pub elapsed: Duration,
    /// Time spent in extraction workers and the limit that applied there
    /// (summed over crash retries); `None` when no worker was involved.
    pub worker: Option<pool::Timing>,
}

/// Runs every input through the pipeline on `jobs` threads and calls
/// `on_document` (on the calling thread) as each document finishes.
/// Inputs recorded in `resume` with the same path and sha256 are not
/// scanned again: their recorded document is passed on instead. The
/// settings' workers are retired when the run ends.
pub fn run<F>(
    settings: ExtractSettings,
    jobs: usize,
    inputs: Vec<Input>,
    matcher: &Matcher,
    resume: Option<&Resume>,
    mut on_document: F,
) -> std::io::Result<()>
where
    F: FnMut(Finished) -> std::io::Result<()>,
{
    let mut order = inputs;
    // Largest first: the long documents start early and the tail is short.
    order.sort_by(|a, b| b.size.cmp(&a.size).then_with(|| a.display.cmp(&b.display)));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("policyscan-{i}"))
        .build()
        .map_err(std::io::Error::other)?;
    let (tx, rx) = mpsc::sync_channel::<Finished>(jobs * 4);
    let mut result = Ok(());
    std::thread::scope(|scope| {
        let settings = &settings;
        scope.spawn(move || {
            pool.install(|| {
                // One document per task: rayon otherwise runs a run of
                // neighbouring documents as one unsplittable task, and the
                // largest ones, sorted together, kept one thread busy
                // long after the others had run out of work.
                order
                    .par_iter()
                    .with_max_len(1)
                    .for_each_with(tx, |tx, input| {
                        let started = Instant::now();
                        if let Some(rec) = resume.and_then(|r| r.lookup(input)) {
                            let _ = tx.send(Finished {
                                document: rec.document.clone(),
                                recorded: Some(rec.line.clone()),
                                elapsed: started.elapsed(),
                                worker: None,
                            });
                            return;
                        }
                        let _ = pool::take_timing();
                        let doc = analyze_guarded(input, settings, matcher);
                        // The receiver is gone only when output failed; stop quietly.
                        let _ = tx.send(Finished {
                            document: doc,
                            recorded: None,
                            elapsed: started.elapsed(),
                            worker: pool::take_timing(),
                        });
                    });
            });
        });
        for fin in rx {
            if result.is_ok() {
                result = on_document(fin);
            }
        }
    });
    // Workers are retired here, when the last reference to the pool goes.
    drop(settings);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dev set read by the own layer gives pdf-extract's stances, except
    /// where pdf-extract's differ from the labels (never a regression).
    #[test]
    fn devset_stances_match_pdf_extract() {
        use crate::extract::lopdf_text::LopdfText;
        use crate::extract::pdf_extract::PdfExtract;
        use crate::extract::{ExtractOptions, Extractor};
        use crate::model::Topic;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/devset/pdf");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("dev set not found at {}; skipped", dir.display());
            return;
        };
        let mut files: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        let labels: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join("../labels.json")).expect("labels.json"),
        )
        .unwrap();
        let matcher = crate::matcher::test_matcher();
        let opts = ExtractOptions::default();
        let mut differences = Vec::new();
        let mut compared = 0;
        for path in files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        {
            let data = std::fs::read(path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let ours = LopdfText::default().extract(&data, &opts);
            assert!(
                ours.as_ref().is_ok_and(|e| e.has_text()),
                "{name}: {ours:?}"
            );
            let theirs = PdfExtract.extract(&data, &opts);
            let a = analyze_extracted(name.clone(), String::new(), ours, matcher);
            let b = analyze_extracted(name.clone(), String::new(), theirs, matcher);
            for t in Topic::drugs() {
                let (sa, sb) = (
                    a.topics.drug(t).unwrap().stance,
                    b.topics.drug(t).unwrap().stance,
                );
                let gold = labels["documents"][&name][t.as_str()]["stance"].as_str();
                if sa != sb && gold == Some(sb.as_str()) {
                    differences.push(format!(
                        "{name} {}: ours {sa:?}, pdf-extract {sb:?}",
                        t.as_str()
                    ));
                }
            }
            let (pa, pb) = (
                &a.topics.mental_health_parity.mentioned,
                &b.topics.mental_health_parity.mentioned,
            );
            let gold = labels["documents"][&name]["mental_health_parity"].as_bool();
            if pa != pb && gold == Some(*pb) {
                differences.push(format!("{name} parity: ours {pa:?}, pdf-extract {pb:?}"));
            }
            compared += 1;
        }
        assert!(compared >= 20, "only {compared} dev-set PDFs");
        assert!(differences.is_empty(), "{differences:#?}");
    }
}
