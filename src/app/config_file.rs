//! The configuration file: defaults for the flags an analyst gives on
//! every run (`--jobs`, `--cache`, `--max-memory`, `--timeout`,
//! `--patterns`, `--topics`, `--ocr`, `--ocr-lang`, `--format`).
//!
//! Owns: where the file is (`POLICYSCAN_CONFIG`, else
//! `$XDG_CONFIG_HOME/policyscan/config.toml`, else
//! `~/.config/policyscan/config.toml`), reading it as TOML with unknown
//! keys refused, checking every value with the flag's own parser so that a
//! bad one is reported as `file:line: key: reason`, and filling in the
//! flags the command line left out. Must not: override a flag given on the
//! command line, or touch a command that has no such flag.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::ops::Range;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde::Deserialize;
use toml::Spanned;

use crate::cli::{Command, InputArgs, ScanFormat};
use crate::config::{UsageError, parse_max_memory, parse_timeout};

/// The environment variable naming the configuration file.
pub const ENV_VAR: &str = "POLICYSCAN_CONFIG";

/// Where the configuration file is looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub path: PathBuf,
    /// Named by `POLICYSCAN_CONFIG`: then a missing file is an error,
    /// while the default file may simply not exist.
    pub explicit: bool,
}

/// The configuration file's location, from the environment (`var`) and
/// the home directory; `None` when neither names a place.
pub fn location(var: impl Fn(&str) -> Option<OsString>, home: Option<PathBuf>) -> Option<Location> {
    let set = |name: &str| var(name).filter(|v| !v.is_empty());
    if let Some(p) = set(ENV_VAR) {
        return Some(Location {
            path: PathBuf::from(p),
            explicit: true,
        });
    }
    let base = set("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home.map(|h| h.join(".config")))?;
    Some(Location {
        path: base.join("policyscan").join("config.toml"),
        explicit: false,
    })
}

/// The location for this process's environment.
pub fn current_location() -> Option<Location> {
    location(|name| std::env::var_os(name), dirs::home_dir())
}

/// The file as written: every key optional, none other allowed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    jobs: Option<Spanned<usize>>,
    cache: Option<Spanned<PathBuf>>,
    max_memory: Option<Spanned<String>>,
    timeout: Option<Spanned<toml::Value>>,
    patterns: Option<Spanned<PathBuf>>,
    topics: Option<Spanned<PathBuf>>,
    ocr: Option<Spanned<bool>>,
    ocr_lang: Option<Spanned<String>>,
    format: Option<Spanned<String>>,
}

/// A read and checked configuration file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    /// `jobs`: documents processed in parallel, at least 1.
    pub jobs: Option<usize>,
    /// `cache`: the extraction cache directory.
    pub cache: Option<PathBuf>,
    /// `max-memory`: as `--max-memory` takes it.
    pub max_memory: Option<String>,
    /// `timeout`: seconds, as `--timeout` takes it.
    pub timeout: Option<String>,
    /// `patterns`: a pattern directory replacing the built-in library.
    pub patterns: Option<PathBuf>,
    /// `topics`: a folder of topic files added to the library.
    pub topics: Option<PathBuf>,
    /// `ocr`: read pages without text with OCR.
    pub ocr: Option<bool>,
    /// `ocr-lang`: Tesseract language(s).
    pub ocr_lang: Option<String>,
    /// `format`: the report format of `scan`.
    pub format: Option<ScanFormat>,
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// An error in the file at `span`, as `path:line: message`.
fn at(path: &Path, text: &str, span: Option<Range<usize>>, message: &str) -> UsageError {
    let place = match span {
        Some(s) => format!("{}:{}", path.display(), line_of(text, s.start)),
        None => path.display().to_string(),
    };
    UsageError::Invalid(format!(
        "configuration file {place}: {message} (--no-config ignores the file)"
    ))
}

/// A path from the file: `~/` is the home directory, and a relative path
/// is relative to the file's folder.
fn resolve(path: &Path, file: &Path) -> PathBuf {
    if let Ok(rest) = path.strip_prefix("~")
        && let Some(home) = dirs::home_dir()
    {
        return home.join(rest);
    }
    if path.is_relative() {
        return file.parent().unwrap_or(Path::new(".")).join(path);
    }
    path.to_path_buf()
}

impl ConfigFile {
    /// Parses and checks `text`, the contents of the file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<ConfigFile, UsageError> {
        let raw: Raw =
            toml::from_str(text).map_err(|e| at(path, text, e.span(), e.message().trim()))?;
        let err = |span: Range<usize>, key: &str, msg: &str| {
            at(path, text, Some(span), &format!("{key}: {msg}"))
        };
        let mut c = ConfigFile::default();
        if let Some(j) = raw.jobs {
            if *j.get_ref() == 0 {
                return Err(err(j.span(), "jobs", "must be at least 1"));
            }
            c.jobs = Some(j.into_inner());
        }
        if let Some(m) = raw.max_memory {
            parse_max_memory(m.get_ref())
                .map_err(|e| err(m.span(), "max-memory", &e.to_string()))?;
            c.max_memory = Some(m.into_inner());
        }
        if let Some(t) = raw.timeout {
            let span = t.span();
            let s = match t.into_inner() {
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                toml::Value::String(s) => s,
                other => {
                    return Err(err(
                        span,
                        "timeout",
                        &format!(
                            "expected a number of seconds (e.g. 30 or \"2.5s\"), found a {}",
                            other.type_str()
                        ),
                    ));
                }
            };
            parse_timeout(&s).map_err(|e| err(span, "timeout", &e.to_string()))?;
            c.timeout = Some(s);
        }
        if let Some(p) = raw.patterns {
            let dir = resolve(p.get_ref(), path);
            if !dir.is_dir() {
                return Err(err(
                    p.span(),
                    "patterns",
                    &format!("{}: no such directory", dir.display()),
                ));
            }
            c.patterns = Some(dir);
        }
        if let Some(p) = raw.topics {
            let dir = resolve(p.get_ref(), path);
            if !dir.is_dir() {
                return Err(err(
                    p.span(),
                    "topics",
                    &format!("{}: no such directory", dir.display()),
                ));
            }
            c.topics = Some(dir);
        }
        if let Some(d) = raw.cache {
            c.cache = Some(resolve(d.get_ref(), path));
        }
        c.ocr = raw.ocr.map(Spanned::into_inner);
        if let Some(l) = raw.ocr_lang {
            if l.get_ref().trim().is_empty() {
                return Err(err(l.span(), "ocr-lang", "must name a language, e.g. eng"));
            }
            c.ocr_lang = Some(l.into_inner());
        }
        if let Some(f) = raw.format {
            let format = ScanFormat::from_str(f.get_ref(), false).map_err(|_| {
                let names: Vec<String> = ScanFormat::value_variants()
                    .iter()
                    .filter_map(|v| v.to_possible_value())
                    .map(|v| v.get_name().to_string())
                    .collect();
                err(
                    f.span(),
                    "format",
                    &format!(
                        "unknown format {:?} (expected one of: {})",
                        f.get_ref(),
                        names.join(", ")
                    ),
                )
            })?;
            c.format = Some(format);
        }
        Ok(c)
    }

    /// Reads the file at `loc`; `None` when it is the default location and
    /// there is no file there.
    pub fn load(loc: &Location) -> Result<Option<ConfigFile>, UsageError> {
        let text = match std::fs::read_to_string(&loc.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !loc.explicit => {
                return Ok(None);
            }
            Err(source) => {
                let what = if loc.explicit {
                    format!("configuration file {} ({ENV_VAR})", loc.path.display())
                } else {
                    format!("configuration file {}", loc.path.display())
                };
                return Err(UsageError::Io { what, source });
            }
        };
        ConfigFile::parse(&loc.path, &text).map(Some)
    }

    /// Fills in the flags of `command` that `given` (the ids of the
    /// arguments given on the command line) does not hold.
    pub fn apply(&self, command: &mut Command, given: &BTreeSet<String>) {
        let unset = |id: &str| !given.contains(id);
        match command {
            Command::Scan(a) => {
                if unset("jobs") && self.jobs.is_some() {
                    a.jobs = self.jobs;
                }
                if unset("cache") && !a.no_cache && self.cache.is_some() {
                    a.cache.clone_from(&self.cache);
                }
                if unset("format") && !a.evidence && self.format.is_some() {
                    a.format = self.format;
                }
                self.apply_input(&mut a.input, &unset);
            }
            Command::Extract(a) => self.apply_input(&mut a.input, &unset),
            Command::Explain(a) => self.apply_input(&mut a.input, &unset),
            Command::Diff(a) => self.apply_input(&mut a.input, &unset),
            Command::Compare(a) => self.apply_input(&mut a.input, &unset),
            Command::Patterns(a) => {
                if unset("patterns") && self.patterns.is_some() {
                    a.patterns.clone_from(&self.patterns);
                }
                if unset("topics") && self.topics.is_some() {
                    a.topics.clone_from(&self.topics);
                }
            }
            Command::Cache(a) => {
                if unset("cache") && self.cache.is_some() {
                    a.cache.clone_from(&self.cache);
                }
            }
            Command::Merge(_)
            | Command::Completions(_)
            | Command::Man
            | Command::ExtractWorker(_) => {}
        }
    }

    fn apply_input(&self, input: &mut InputArgs, unset: &dyn Fn(&str) -> bool) {
        if unset("patterns") && self.patterns.is_some() {
            input.patterns.clone_from(&self.patterns);
        }
        if unset("topics") && self.topics.is_some() {
            input.topics.clone_from(&self.topics);
        }
        if unset("timeout") && self.timeout.is_some() {
            input.timeout.clone_from(&self.timeout);
        }
        if unset("max_memory")
            && let Some(m) = &self.max_memory
        {
            input.max_memory.clone_from(m);
        }
        if unset("ocr")
            && unset("no_ocr")
            && let Some(o) = self.ocr
        {
            input.ocr = o;
        }
        if unset("ocr_lang")
            && let Some(l) = &self.ocr_lang
        {
            input.ocr_lang.clone_from(l);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile, String> {
        ConfigFile::parse(Path::new("/etc/ps/config.toml"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn every_key_is_read() {
        let c = parse(
            "jobs = 3\ncache = \"/var/cache/ps\"\nmax-memory = \"1G\"\ntimeout = 45\n\
             ocr = true\nocr-lang = \"eng+spa\"\nformat = \"jsonl\"\n",
        )
        .unwrap();
        assert_eq!(
            c,
            ConfigFile {
                jobs: Some(3),
                cache: Some(PathBuf::from("/var/cache/ps")),
                max_memory: Some("1G".into()),
                timeout: Some("45".into()),
                patterns: None,
                topics: None,
                ocr: Some(true),
                ocr_lang: Some("eng+spa".into()),
                format: Some(ScanFormat::Jsonl),
            }
        );
        assert_eq!(
            parse("timeout = 2.5").unwrap().timeout.as_deref(),
            Some("2.5")
        );
        assert_eq!(
            parse("timeout = \"9s\"").unwrap().timeout.as_deref(),
            Some("9s")
        );
        assert_eq!(parse("").unwrap(), ConfigFile::default());
    }

    #[test]
    fn a_relative_cache_is_beside_the_file() {
        let c = parse("cache = \"cache\"").unwrap();
        assert_eq!(c.cache, Some(PathBuf::from("/etc/ps/cache")));
    }

    #[test]
    fn errors_name_the_file_line_and_key() {
        for (text, wanted) in [
            (
                "jobs = 2\njobz = 4\n",
                "config.toml:2: unknown field `jobz`",
            ),
            ("\n\njobs = 0\n", "config.toml:3: jobs: must be at least 1"),
            ("jobs = -2\n", "config.toml:1: invalid value"),
            (
                "format = \"pdf\"\n",
                "config.toml:1: format: unknown format \"pdf\"",
            ),
            (
                "max-memory = \"1M\"\n",
                "config.toml:1: max-memory: --max-memory",
            ),
            ("timeout = 0\n", "config.toml:1: timeout: --timeout"),
            (
                "timeout = [1]\n",
                "config.toml:1: timeout: expected a number",
            ),
            ("ocr = \"yes\"\n", "config.toml:1: invalid type"),
            (
                "patterns = \"/no/such/dir\"\n",
                "config.toml:1: patterns: /no/such/dir",
            ),
            ("jobs = \n", "config.toml:1:"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(
                e.contains(wanted) && e.starts_with("configuration file /etc/ps/config.toml:"),
                "{text:?}: {e}"
            );
        }
    }

    #[test]
    fn the_file_is_found_by_variable_then_xdg_then_home() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let home = Some(PathBuf::from("/home/a"));
        assert_eq!(
            location(
                env(&[(ENV_VAR, "/x/c.toml"), ("XDG_CONFIG_HOME", "/y")]),
                home.clone()
            ),
            Some(Location {
                path: "/x/c.toml".into(),
                explicit: true
            })
        );
        assert_eq!(
            location(
                env(&[(ENV_VAR, ""), ("XDG_CONFIG_HOME", "/y")]),
                home.clone()
            ),
            Some(Location {
                path: "/y/policyscan/config.toml".into(),
                explicit: false
            })
        );
        assert_eq!(
            location(env(&[("XDG_CONFIG_HOME", "relative")]), home.clone()),
            Some(Location {
                path: "/home/a/.config/policyscan/config.toml".into(),
                explicit: false
            })
        );
        assert_eq!(location(env(&[]), None), None);
    }
}
