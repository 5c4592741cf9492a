//! From parsed flags to validated configuration: the one place that
//! knows both the command line's types ([`crate::cli`]) and the library's
//! ([`Config`], [`Extraction`]).
//!
//! Owns: which flag fills which setting, and the defaults that depend on
//! where the output goes. Must not: parse strings itself (the parsers are
//! `config`'s, and report usage errors there).

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{InputArgs, ScanArgs};
use crate::config::{
    Config, Extraction, FailOn, UsageError, parse_max_memory, parse_size, parse_timeout,
};
use crate::extract::ocr::OcrOptions;
use crate::report::Format;
use crate::scan::pool::Limits;
use crate::walk;

/// The OCR settings of `--ocr` / `--ocr-lang` (`None` without `--ocr`);
/// an error when Tesseract or the language data is missing.
pub fn ocr_options(input: &InputArgs) -> Result<Option<OcrOptions>, UsageError> {
    if !input.ocr {
        return Ok(None);
    }
    crate::extract::ocr::check(&input.ocr_lang)
        .map(Some)
        .map_err(UsageError::Invalid)
}

/// The format when `--format` is not given: the table for a person at a
/// terminal, the JSON contract for scripts and pipes.
pub fn default_format(stdout_is_terminal: bool) -> Format {
    if stdout_is_terminal {
        Format::Table
    } else {
        Format::Json
    }
}

/// Validates the input flags shared by `scan`, `extract`, `explain` and
/// `diff`.
pub fn extraction(a: &InputArgs) -> Result<Extraction, UsageError> {
    let timeout = a.timeout.as_deref().map(parse_timeout).transpose()?;
    let max_memory = parse_max_memory(&a.max_memory)?;
    let max_filesize = parse_size(&a.max_filesize)
        .map_err(|e| UsageError::Invalid(format!("--max-filesize: {e}")))?;
    let worker_exe = if a.in_process {
        None
    } else {
        Some(std::env::current_exe().map_err(|source| {
            UsageError::Io {
                what: "cannot locate the policyscan executable to start extraction workers \
                       (use --in-process)"
                    .into(),
                source,
            }
        })?)
    };
    Ok(Extraction {
        limits: Limits {
            timeout,
            max_memory,
            ..Limits::default()
        },
        worker_exe,
        max_filesize,
    })
}

/// Validates `scan` arguments.
pub fn scan_config(a: &ScanArgs) -> Result<Config, UsageError> {
    let fail_on = a
        .fail_on
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| FailOn::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let jobs = match a.jobs {
        Some(0) => return Err(UsageError::Invalid("--jobs must be at least 1".into())),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(2, |n| n.get()),
    };
    let extraction = extraction(&a.input)?;
    let mut paths = a.paths.clone();
    if let Some(list) = &a.files_from {
        paths.extend(walk::read_list(list, a.null)?);
    } else if paths.is_empty() {
        paths.push(PathBuf::from("."));
    }
    let mut warnings = Vec::new();
    let cache = if a.no_cache {
        None
    } else {
        let dir = a
            .cache
            .clone()
            .or_else(crate::scan::cache::Cache::default_dir);
        match dir.map(|d| (crate::scan::cache::Cache::open(&d), d)) {
            Some((Ok(c), _)) => Some(c),
            Some((Err(e), d)) if a.cache.is_some() => {
                return Err(UsageError::Io {
                    what: format!("--cache {}", d.display()),
                    source: e,
                });
            }
            Some((Err(e), d)) => {
                warnings.push(format!(
                    "cache {} unavailable ({e}); running without it",
                    d.display()
                ));
                None
            }
            None => None,
        }
    };
    let walk = walk::WalkOptions {
        globs: a.globs.clone(),
        no_ignore: a.no_ignore,
        shard: a.shard.as_deref().map(walk::Shard::parse).transpose()?,
    };
    let format = match (a.format, a.evidence) {
        (Some(f), _) => f.into(),
        (None, true) => Format::Markdown,
        (None, false) => default_format(std::io::stdout().is_terminal()),
    };
    if a.evidence && format != Format::Markdown {
        return Err(UsageError::Invalid(
            "--evidence writes a Markdown evidence packet: use it with --format markdown".into(),
        ));
    }
    Ok(Config {
        paths,
        format,
        evidence: a.evidence,
        fail_on,
        strict: a.strict,
        jobs,
        quiet: a.quiet,
        patterns: a.input.patterns.clone(),
        topics: a.input.topics.clone(),
        password: a.input.password.clone(),
        max_filesize: extraction.max_filesize,
        walk,
        cache,
        warnings,
        limits: extraction.limits,
        worker_exe: extraction.worker_exe,
        resume: a.resume.clone(),
        timings: a.timings.clone(),
        ocr: ocr_options(&a.input)?,
    })
}
