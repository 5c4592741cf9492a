//! Validated configuration, built once from the command line.
//!
//! Owns: turning raw flag strings into typed values (sizes, `--fail-on`
//! conditions, job counts) with clear errors; later code trusts a
//! [`Config`] and never re-checks strings.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use crate::cli::{InputArgs, ScanArgs, ScanFormat};
use crate::extract::ocr::OcrOptions;
use crate::model::{Stance, Topic};
use crate::scan::pool::Limits;

/// A usage error: a bad flag value or input path. Exit code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// A `--fail-on` condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailOn {
    /// Restrict to one topic; `None` means either drug topic.
    pub topic: Option<Topic>,
    /// The stance that triggers exit status 1.
    pub stance: Stance,
}

impl FailOn {
    /// Parses `STANCE` or `TOPIC:STANCE`.
    pub fn parse(s: &str) -> Result<FailOn, UsageError> {
        let s = s.trim();
        let (topic, stance) = match s.split_once(':') {
            Some((t, st)) => {
                let topic = Topic::parse(t)
                    .filter(|t| Topic::DRUGS.contains(t))
                    .ok_or_else(|| {
                        UsageError(format!(
                            "--fail-on {s}: unknown topic {t:?} (expected ketamine or esketamine)"
                        ))
                    })?;
                (Some(topic), st)
            }
            None => (None, s),
        };
        let stance = Stance::parse(stance).ok_or_else(|| {
            UsageError(format!(
                "--fail-on {s}: unknown stance {stance:?} (expected one of: {})",
                Stance::ALL.map(Stance::as_str).join(", ")
            ))
        })?;
        Ok(FailOn { topic, stance })
    }
}

/// Parses a size such as `512M`, `1G`, `200k` or `1048576`.
pub fn parse_size(s: &str) -> Result<u64, UsageError> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| UsageError(format!("invalid size {s:?} (e.g. 200M, 1G, 1048576)")))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => {
            return Err(UsageError(format!(
                "invalid size unit in {s:?} (use K, M, G or T)"
            )));
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| UsageError(format!("size {s:?} is too large")))
}

/// The OCR settings of `--ocr` / `--ocr-lang` (`None` without `--ocr`);
/// an error when Tesseract or the language data is missing.
pub fn ocr_options(input: &InputArgs) -> Result<Option<OcrOptions>, UsageError> {
    if !input.ocr {
        return Ok(None);
    }
    crate::extract::ocr::check(&input.ocr_lang)
        .map(Some)
        .map_err(UsageError)
}

/// The format when `--format` is not given: the table for a person at a
/// terminal, the JSON contract for scripts and pipes.
pub fn default_format(stdout_is_terminal: bool) -> ScanFormat {
    if stdout_is_terminal {
        ScanFormat::Table
    } else {
        ScanFormat::Json
    }
}

/// Parses `--timeout`: seconds (fractions allowed, an `s` suffix too),
/// more than zero.
pub fn parse_timeout(s: &str) -> Result<Duration, UsageError> {
    let t = s.trim();
    let t = t.strip_suffix('s').unwrap_or(t).trim();
    let secs: f64 = t.parse().map_err(|_| {
        UsageError(format!(
            "--timeout {s:?}: expected a number of seconds (e.g. 30 or 2.5)"
        ))
    })?;
    if !secs.is_finite() || secs <= 0.0 {
        return Err(UsageError(format!(
            "--timeout {s:?}: the time limit must be more than 0 seconds"
        )));
    }
    Duration::try_from_secs_f64(secs).map_err(|_| UsageError(format!("--timeout {s:?}: too large")))
}

/// Smallest accepted `--max-memory`: below this a worker cannot even load
/// an ordinary PDF.
pub const MIN_MAX_MEMORY: u64 = 64 << 20;

/// Parses `--max-memory`: a size of at least 64M, or `unlimited` (0).
pub fn parse_max_memory(s: &str) -> Result<u64, UsageError> {
    if matches!(s.trim().to_ascii_lowercase().as_str(), "unlimited" | "none") {
        return Ok(0);
    }
    let n = parse_size(s).map_err(|e| UsageError(format!("--max-memory: {e}")))?;
    if n < MIN_MAX_MEMORY {
        return Err(UsageError(format!(
            "--max-memory {s:?} is too small: extraction workers need at least 64M"
        )));
    }
    Ok(n)
}

/// Validated extraction flags shared by `scan`, `extract` and `explain`.
#[derive(Debug, Clone)]
pub struct Extraction {
    /// Time and memory limits for workers.
    pub limits: Limits,
    /// The executable re-invoked as an extraction worker; `None` extracts
    /// in-process (`--in-process`).
    pub worker_exe: Option<PathBuf>,
    /// `--max-filesize` in bytes.
    pub max_filesize: u64,
}

impl Extraction {
    /// Validates the input flags.
    pub fn from_input_args(a: &InputArgs) -> Result<Extraction, UsageError> {
        let timeout = a.timeout.as_deref().map(parse_timeout).transpose()?;
        let max_memory = parse_max_memory(&a.max_memory)?;
        let max_filesize =
            parse_size(&a.max_filesize).map_err(|e| UsageError(format!("--max-filesize: {e}")))?;
        let worker_exe = if a.in_process {
            None
        } else {
            Some(std::env::current_exe().map_err(|e| {
                UsageError(format!(
                    "cannot locate the policyscan executable to start extraction workers ({e}); \
                     use --in-process"
                ))
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
}

/// Everything `scan` needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Inputs (files or folders); never empty.
    pub paths: Vec<PathBuf>,
    /// Output format.
    pub format: ScanFormat,
    /// Markdown evidence packet instead of the Markdown report.
    pub evidence: bool,
    /// Exit-1 conditions.
    pub fail_on: Vec<FailOn>,
    /// Exit 1 when any document failed.
    pub strict: bool,
    /// Parallel documents.
    pub jobs: usize,
    /// No warnings on stderr.
    pub quiet: bool,
    /// Pattern directory replacing the built-in library.
    pub patterns: Option<PathBuf>,
    /// Password for encrypted PDFs.
    pub password: Option<String>,
    /// Larger files are reported as too_large.
    pub max_filesize: u64,
    /// How folders are walked.
    pub walk: crate::walk::WalkOptions,
    /// The extraction cache (`None` with `--no-cache`).
    pub cache: Option<crate::scan::cache::Cache>,
    /// Problems found while configuring that do not stop the run.
    pub warnings: Vec<String>,
    /// Time and memory limits of extraction workers.
    pub limits: Limits,
    /// The executable re-invoked as an extraction worker; `None` extracts
    /// in-process.
    pub worker_exe: Option<PathBuf>,
    /// A JSONL report to resume from.
    pub resume: Option<PathBuf>,
    /// Where to write per-document timings.
    pub timings: Option<PathBuf>,
    /// OCR for pages without text (`--ocr`).
    pub ocr: Option<OcrOptions>,
}

impl Config {
    /// Validates `scan` arguments.
    pub fn from_scan_args(a: &ScanArgs) -> Result<Config, UsageError> {
        let fail_on = a
            .fail_on
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| FailOn::parse(s))
            .collect::<Result<Vec<_>, _>>()?;
        let jobs = match a.jobs {
            Some(0) => return Err(UsageError("--jobs must be at least 1".into())),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(2, |n| n.get()),
        };
        let extraction = Extraction::from_input_args(&a.input)?;
        let mut paths = a.paths.clone();
        if let Some(list) = &a.files_from {
            paths.extend(crate::walk::read_list(list, a.null)?);
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
                    return Err(UsageError(format!("--cache {}: {e}", d.display())));
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
        let walk = crate::walk::WalkOptions {
            globs: a.globs.clone(),
            no_ignore: a.no_ignore,
            shard: a
                .shard
                .as_deref()
                .map(crate::walk::Shard::parse)
                .transpose()?,
        };
        let format = match (a.format, a.evidence) {
            (Some(f), _) => f,
            (None, true) => ScanFormat::Markdown,
            (None, false) => default_format(std::io::stdout().is_terminal()),
        };
        if a.evidence && format != ScanFormat::Markdown {
            return Err(UsageError(
                "--evidence writes a Markdown evidence packet: use it with --format markdown"
                    .into(),
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
}

impl Config {
    /// The extraction settings of the run: the options every document is
    /// extracted with, the cache, and the pool of worker processes (one
    /// per job) unless extraction is in-process.
    pub fn extract_settings(&self) -> crate::scan::ExtractSettings {
        crate::scan::ExtractSettings {
            file: crate::extract::FileOptions {
                extract: crate::extract::ExtractOptions {
                    password: self.password.clone(),
                    ocr: self.ocr.clone(),
                    ..crate::extract::ExtractOptions::default()
                },
                max_filesize: self.max_filesize,
            },
            cache: self.cache.clone(),
            workers: self.worker_exe.as_ref().map(|exe| {
                std::sync::Arc::new(crate::scan::pool::WorkerPool::new(
                    exe.clone(),
                    self.jobs,
                    self.limits.clone(),
                ))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("1g").unwrap(), 1 << 30);
        assert_eq!(parse_size("100").unwrap(), 100);
        assert!(parse_size("12X").is_err());
        assert!(parse_size("M").is_err());
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_timeout("2.5s").unwrap(), Duration::from_millis(2500));
        for bad in ["0", "-1", "abc", "", "inf", "NaN", "0s"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
        assert!(parse_timeout("0").unwrap_err().0.contains("more than 0"));
    }

    #[test]
    fn max_memory() {
        assert_eq!(parse_max_memory("2G").unwrap(), 2 << 30);
        assert_eq!(parse_max_memory("unlimited").unwrap(), 0);
        assert!(parse_max_memory("garbage").is_err());
        assert!(parse_max_memory("1M").unwrap_err().0.contains("too small"));
    }

    #[test]
    fn fail_on_forms() {
        assert_eq!(
            FailOn::parse("not_covered").unwrap(),
            FailOn {
                topic: None,
                stance: Stance::NotCovered
            }
        );
        assert_eq!(
            FailOn::parse("esketamine:covered").unwrap(),
            FailOn {
                topic: Some(Topic::Esketamine),
                stance: Stance::Covered
            }
        );
        assert!(
            FailOn::parse("nope")
                .unwrap_err()
                .0
                .contains("unknown stance")
        );
        assert!(FailOn::parse("parity:covered").is_err());
    }
}
