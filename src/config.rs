//! Validated configuration, built once from the command line.
//!
//! Owns: turning raw flag strings into typed values (sizes, `--fail-on`
//! conditions, time limits) with clear errors, the usage error type, and
//! the extraction settings a [`Config`] stands for; later code trusts a
//! [`Config`] and never re-checks strings. Must not: know the command
//! line's types (`app::args` fills a `Config` from them).

use std::path::PathBuf;
use std::time::Duration;

use crate::extract::ocr::OcrOptions;
use crate::model::{Stance, Topic};
use crate::scan::pool::Limits;

/// A usage error: a bad flag value or input path. Exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// A bad flag value, explained.
    #[error("{0}")]
    Invalid(String),
    /// A file or directory named on the command line cannot be used.
    #[error("{what}")]
    Io {
        /// The flag and path, as the user wrote them.
        what: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The inputs cannot be collected.
    #[error(transparent)]
    Walk(#[from] crate::walk::WalkError),
    /// A report given to `merge`, `diff` or `--resume` cannot be read.
    #[error(transparent)]
    Report(#[from] crate::report::read::ReadError),
}

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
                // Whether a topic added with --topics exists is checked
                // once the library is loaded (`FailOn::check`).
                let topic = Some(t)
                    .filter(|t| Topic::valid_id(t))
                    .filter(|t| !matches!(*t, "parity" | "mental_health_parity"))
                    .map(Topic::named)
                    .ok_or_else(|| {
                        UsageError::Invalid(format!(
                            "--fail-on {s}: unknown topic {t:?} (expected ketamine, esketamine or a topic added with --topics)"
                        ))
                    })?;
                (Some(topic), st)
            }
            None => (None, s),
        };
        let stance = Stance::parse(stance).ok_or_else(|| {
            UsageError::Invalid(format!(
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
        .map_err(|_| UsageError::Invalid(format!("invalid size {s:?} (e.g. 200M, 1G, 1048576)")))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        _ => {
            return Err(UsageError::Invalid(format!(
                "invalid size unit in {s:?} (use K, M, G or T)"
            )));
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| UsageError::Invalid(format!("size {s:?} is too large")))
}

/// Parses `--timeout`: seconds (fractions allowed, an `s` suffix too),
/// more than zero.
pub fn parse_timeout(s: &str) -> Result<Duration, UsageError> {
    let t = s.trim();
    let t = t.strip_suffix('s').unwrap_or(t).trim();
    let secs: f64 = t.parse().map_err(|_| {
        UsageError::Invalid(format!(
            "--timeout {s:?}: expected a number of seconds (e.g. 30 or 2.5)"
        ))
    })?;
    if !secs.is_finite() || secs <= 0.0 {
        return Err(UsageError::Invalid(format!(
            "--timeout {s:?}: the time limit must be more than 0 seconds"
        )));
    }
    Duration::try_from_secs_f64(secs)
        .map_err(|_| UsageError::Invalid(format!("--timeout {s:?}: too large")))
}

/// Smallest accepted `--max-memory`: below this a worker cannot even load
/// an ordinary PDF.
pub const MIN_MAX_MEMORY: u64 = 64 << 20;

/// Parses `--max-memory`: a size of at least 64M, or `unlimited` (0).
pub fn parse_max_memory(s: &str) -> Result<u64, UsageError> {
    if matches!(s.trim().to_ascii_lowercase().as_str(), "unlimited" | "none") {
        return Ok(0);
    }
    let n = parse_size(s).map_err(|e| UsageError::Invalid(format!("--max-memory: {e}")))?;
    if n < MIN_MAX_MEMORY {
        return Err(UsageError::Invalid(format!(
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

/// Everything `scan` needs, validated.
#[derive(Debug, Clone)]
pub struct Config {
    /// Inputs (files or folders); never empty.
    pub paths: Vec<PathBuf>,
    /// Output format.
    pub format: crate::report::Format,
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
    /// Topic directory adding topics to the library.
    pub topics: Option<PathBuf>,
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
        assert!(
            parse_timeout("0")
                .unwrap_err()
                .to_string()
                .contains("more than 0")
        );
    }

    #[test]
    fn max_memory() {
        assert_eq!(parse_max_memory("2G").unwrap(), 2 << 30);
        assert_eq!(parse_max_memory("unlimited").unwrap(), 0);
        assert!(parse_max_memory("garbage").is_err());
        assert!(
            parse_max_memory("1M")
                .unwrap_err()
                .to_string()
                .contains("too small")
        );
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
                topic: Some(Topic::ESKETAMINE),
                stance: Stance::Covered
            }
        );
        assert!(
            FailOn::parse("nope")
                .unwrap_err()
                .to_string()
                .contains("unknown stance")
        );
        assert!(FailOn::parse("parity:covered").is_err());
        assert!(FailOn::parse("mental_health_parity:covered").is_err());
        assert!(FailOn::parse("Not A Topic:covered").is_err());
        // A topic added with --topics is checked once the library is loaded.
        assert_eq!(
            FailOn::parse("tms:not_covered").unwrap().topic,
            Some(Topic::named("tms"))
        );
    }
}
