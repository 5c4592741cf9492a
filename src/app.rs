//! The subcommands, as library functions the thin `main` calls.
//!
//! Owns: wiring validated configuration to the pipeline and the report
//! writers, stderr warnings, and the exit status each command returns
//! (0 ok, 1 a `--fail-on` / `--strict` condition or a failed `extract` /
//! `patterns test`, 2 usage errors), which flags the command line gave
//! (the configuration file fills in the others) and when to use colors.
//! Must not: define arguments (that is `cli`) or call
//! `std::process::exit` (that is `main`).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

use crate::cli::{
    CacheAction, CacheArgs, Cli, ColorWhen, Command, CompareArgs, DiffArgs, DiffFormat,
    ExplainArgs, ExtractArgs, ExtractFormat, ExtractLayout, InputArgs, MergeArgs, PatternsAction,
    PatternsArgs, ScanArgs,
};
use crate::config::{Config, UsageError};
use crate::extract::{ExtractOptions, FileOptions};
use crate::model::{Document, Status, Summary, Topic};
use crate::report::json::Sink;
use crate::scan::ExtractSettings;
use crate::scan::pool::WorkerPool;
use crate::scan::resume::Resume;
use crate::{Matcher, load_matcher, patterns, report, scan, walk};

pub mod args;
pub mod config_file;
pub mod generate;

/// A parsed command line: the command, and the ids of the arguments the
/// command line gave (the configuration file fills in the others).
#[derive(Debug)]
pub struct Invocation {
    /// The parsed command line.
    pub cli: Cli,
    /// Ids of the arguments given on the command line (not defaults).
    pub given: BTreeSet<String>,
}

/// The line `scan --help` ends with: the configuration file of this
/// machine's environment, and whether it is there.
fn config_here() -> String {
    match config_file::current_location() {
        Some(loc) if loc.path.is_file() => {
            format!("Configuration file here: {}", loc.path.display())
        }
        Some(loc) => format!(
            "Configuration file here: {} (no such file)",
            loc.path.display()
        ),
        None => "Configuration file here: none (no POLICYSCAN_CONFIG, XDG_CONFIG_HOME or \
                 home directory)"
            .into(),
    }
}

/// Parses the command line (with the subcommand already in place).
pub fn parse(args: Vec<OsString>) -> Result<Invocation, clap::Error> {
    let cmd = Cli::command().mut_subcommand("scan", |s| {
        let help = s
            .get_after_help()
            .map(|h| h.to_string())
            .unwrap_or_default();
        s.after_help(format!("{help}\n{}", config_here()))
    });
    let matches = cmd.try_get_matches_from(args)?;
    let cli = Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut Cli::command()))?;
    let mut given = BTreeSet::new();
    let mut level = Some(&matches);
    while let Some(m) = level {
        for id in m.ids() {
            if m.value_source(id.as_str()) == Some(ValueSource::CommandLine) {
                given.insert(id.to_string());
            }
        }
        level = m.subcommand().map(|(_, sub)| sub);
    }
    Ok(Invocation { cli, given })
}

/// Whether to color output going to a terminal (`terminal`) or not, for
/// `--color WHEN` and the environment (`var`): with `auto`,
/// `CLICOLOR_FORCE` (not 0) turns colors on, then `NO_COLOR` (not empty)
/// or `CLICOLOR=0` off, and otherwise a terminal other than `TERM=dumb`
/// gets them.
pub fn use_colors(when: ColorWhen, terminal: bool, var: impl Fn(&str) -> Option<String>) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            if var("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
                return true;
            }
            if var("NO_COLOR").is_some_and(|v| !v.is_empty())
                || var("CLICOLOR").is_some_and(|v| v == "0")
            {
                return false;
            }
            terminal && var("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

fn set_colors(when: ColorWhen) {
    let var = |name: &str| std::env::var(name).ok();
    console::set_colors_enabled(use_colors(when, io::stdout().is_terminal(), var));
    console::set_colors_enabled_stderr(use_colors(when, io::stderr().is_terminal(), var));
}

/// A command's failure.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad flags or inputs (exit 2).
    #[error(transparent)]
    Usage(#[from] UsageError),
    /// A broken pattern file (exit 2).
    #[error("pattern library")]
    Patterns(#[from] patterns::PatternError),
    /// Writing output failed (a broken pipe is not reported).
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl From<crate::report::read::ReadError> for AppError {
    fn from(e: crate::report::read::ReadError) -> Self {
        AppError::Usage(e.into())
    }
}

impl From<crate::walk::WalkError> for AppError {
    fn from(e: crate::walk::WalkError) -> Self {
        AppError::Usage(e.into())
    }
}

/// The message for an error: it and each error it came from, joined with
/// `: `, so the user sees the path and the OS error (OS errors written as
/// in the middle of a sentence: "no such file or directory (os error 2)").
pub fn error_message(e: &AppError) -> String {
    fn text(e: &(dyn std::error::Error + 'static)) -> String {
        let s = e.to_string();
        match e.downcast_ref::<io::Error>() {
            Some(io) if io.raw_os_error().is_some() => {
                let mut c = s.chars();
                c.next()
                    .map(|f| f.to_lowercase().chain(c).collect())
                    .unwrap_or_default()
            }
            _ => s,
        }
    }
    let mut out = match e {
        AppError::Io(io) => text(io),
        _ => e.to_string(),
    };
    let mut source = match e {
        AppError::Io(_) => None,
        _ => std::error::Error::source(e),
    };
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&text(s));
        source = s.source();
    }
    if is_disk_full(e) {
        out.push_str(
            "; the disk is full: free some space and run again (a JSONL report keeps every \
             line written before; `scan --resume` continues from it)",
        );
    }
    out
}

/// Runs a parsed command line; returns the exit status.
pub fn run(invocation: Invocation) -> Result<u8, AppError> {
    let Invocation { cli, given } = invocation;
    set_colors(cli.color);
    let mut command = cli.command;
    let reads_config = matches!(
        command,
        Command::Scan(_)
            | Command::Extract(_)
            | Command::Explain(_)
            | Command::Diff(_)
            | Command::Compare(_)
            | Command::Patterns(_)
            | Command::Cache(_)
    );
    if reads_config
        && !cli.no_config
        && let Some(loc) = config_file::current_location()
        && let Some(file) = config_file::ConfigFile::load(&loc)?
    {
        file.apply(&mut command, &given);
    }
    match command {
        Command::Completions(a) => {
            let mut out = io::stdout().lock();
            generate::completions(a.shell, &mut out);
            out.flush()?;
            Ok(0)
        }
        Command::Man => {
            let mut out = io::stdout().lock();
            out.write_all(&generate::man_page()?)?;
            out.flush()?;
            Ok(0)
        }
        Command::Scan(a) => run_scan(&a),
        Command::Extract(a) => run_extract(&a),
        Command::Explain(a) => run_explain(&a),
        Command::Patterns(a) => run_patterns(&a),
        Command::Diff(a) => run_diff(&a),
        Command::Compare(a) => run_compare(&a),
        Command::Merge(a) => run_merge(&a),
        Command::Cache(a) => run_cache(&a),
        Command::ExtractWorker(a) => Ok(crate::extract::worker::child::run(a.max_memory)),
    }
}

/// Settings for the one-document commands (`extract`, `explain`): one
/// worker, unless `--in-process`.
fn settings(input: &InputArgs) -> Result<ExtractSettings, UsageError> {
    let x = args::extraction(input)?;
    Ok(ExtractSettings {
        file: FileOptions {
            extract: ExtractOptions {
                password: input.password.clone(),
                ocr: args::ocr_options(input)?,
                ..ExtractOptions::default()
            },
            max_filesize: x.max_filesize,
        },
        cache: None,
        workers: x
            .worker_exe
            .map(|exe| Arc::new(WorkerPool::new(exe, 1, x.limits))),
    })
}

/// Refuses `--resume FILE` when FILE is also where stdout goes (the shell
/// truncated it before policyscan could read it).
fn check_resume_target(path: &Path) -> Result<(), UsageError> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let Ok(resume) = std::fs::metadata(path) else {
        return Ok(());
    };
    let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() else {
        return Ok(());
    };
    if let Ok(out) = std::fs::File::from(fd).metadata()
        && out.is_file()
        && out.dev() == resume.dev()
        && out.ino() == resume.ino()
    {
        return Err(UsageError::Invalid(format!(
            "--resume {}: this is also the output file; write the new output elsewhere",
            path.display()
        )));
    }
    Ok(())
}

/// The `--timings` TSV writer.
struct Timings(io::BufWriter<std::fs::File>);

impl Timings {
    fn create(path: &Path) -> Result<Timings, UsageError> {
        let f = std::fs::File::create(path).map_err(|source| UsageError::Io {
            what: format!("--timings {}", path.display()),
            source,
        })?;
        let mut t = Timings(io::BufWriter::new(f));
        t.write_line("path\tstatus\tseconds\tworker_seconds\tlimit_seconds\tresumed")
            .map_err(|source| UsageError::Io {
                what: format!("--timings {}", path.display()),
                source,
            })?;
        Ok(t)
    }

    fn write_line(&mut self, line: &str) -> io::Result<()> {
        self.0.write_all(line.as_bytes())?;
        self.0.write_all(b"\n")?;
        self.0.flush()
    }

    fn record(&mut self, fin: &scan::Finished) -> io::Result<()> {
        let (worker, limit) = match fin.worker {
            Some(t) => (
                format!("{:.3}", t.elapsed.as_secs_f64()),
                format!("{:.3}", t.limit.as_secs_f64()),
            ),
            None => (String::new(), String::new()),
        };
        let path: String = fin
            .document
            .path
            .chars()
            .map(|c| if c == '\t' || c == '\n' { ' ' } else { c })
            .collect();
        self.write_line(&format!(
            "{path}\t{}\t{:.3}\t{worker}\t{limit}\t{}",
            fin.document.status.as_str(),
            fin.elapsed.as_secs_f64(),
            u8::from(fin.recorded.is_some())
        ))
    }
}

fn warn(quiet: bool, msg: &str) {
    if !quiet {
        report::progress::eprintln(&format!("policyscan: warning: {msg}"));
    }
}

/// Whether a finished document meets a `--fail-on` or `--strict` condition.
fn fails(config: &Config, doc: &Document) -> bool {
    if config.strict && doc.status != Status::Ok {
        return true;
    }
    doc.status == Status::Ok
        && config.fail_on.iter().any(|f| {
            doc.topics
                .drugs
                .iter()
                .any(|(&t, r)| f.topic.is_none_or(|ft| ft == t) && r.stance == f.stance)
        })
}

fn run_scan(a: &ScanArgs) -> Result<u8, AppError> {
    let config = args::scan_config(a)?;
    let matcher = load_matcher(config.patterns.as_deref(), config.topics.as_deref())?;
    for f in &config.fail_on {
        if let Some(t) = f
            .topic
            .filter(|t| matcher.pattern_set().topic_def(*t).is_none())
        {
            return Err(unknown_topic("--fail-on", t.as_str(), &matcher).into());
        }
    }
    let walked = walk::walk(&config.paths, &config.walk)?;
    for w in config.warnings.iter().chain(&walked.warnings) {
        warn(config.quiet, w);
    }
    let tool = report::tool_info(matcher.origin());
    let resume = match &config.resume {
        Some(path) => {
            check_resume_target(path)?;
            let (r, warnings) = Resume::load(path, &tool)?;
            for w in &warnings {
                warn(config.quiet, w);
            }
            Some(r)
        }
        None => None,
    };
    let mut timings = config.timings.as_deref().map(Timings::create).transpose()?;
    let stdout = ReportOut(io::stdout().lock());
    let out = io::BufWriter::with_capacity(1 << 16, stdout);
    let mut sink: Box<dyn Sink> = report::sink(config.format, config.evidence, out);
    let tool = report::tool_info(matcher.origin());
    sink.begin(&tool)?;
    let mut summary = Summary::empty();
    let mut failed_condition = false;
    let total = walked.inputs.len();
    let progress = report::progress::Progress::new(total, !config.quiet);
    let settings = config.extract_settings();
    scan::run(
        settings,
        config.jobs,
        walked.inputs,
        &matcher,
        resume.as_ref(),
        |fin| {
            if let Some(t) = timings.as_mut()
                && let Err(e) = t.record(&fin)
            {
                warn(
                    config.quiet,
                    &format!("--timings: {e}; no more timings written"),
                );
                timings = None;
            }
            let doc = &fin.document;
            if doc.status != Status::Ok {
                warn(
                    config.quiet,
                    &format!(
                        "{}: {}: {}",
                        doc.path,
                        doc.status.as_str(),
                        doc.error.as_deref().unwrap_or("")
                    ),
                );
            }
            failed_condition |= fails(&config, doc);
            summary.add(doc);
            progress.inc(&doc.path);
            match &fin.recorded {
                Some(line) => sink.recorded(doc, line),
                None => sink.document(doc),
            }
        },
    )?;
    progress.finish();
    sink.finish(&summary)?;
    if total > 0 && summary.ok == 0 {
        warn(config.quiet, "no input could be read");
        return Ok(2);
    }
    Ok(u8::from(failed_condition))
}

fn run_extract(a: &ExtractArgs) -> Result<u8, AppError> {
    let settings = settings(&a.input)?;
    if !a.file.is_file() {
        return Err(UsageError::Invalid(format!("{}: no such file", a.file.display())).into());
    }
    if a.layout == ExtractLayout::Rows {
        return run_extract_rows(a, &settings);
    }
    let (_, extracted) = scan::extract_file(&a.file, &settings);
    let mut out = io::BufWriter::new(io::stdout().lock());
    let path = walk::display_path(&a.file);
    let pages: Vec<String> = match &extracted {
        Ok(e) => {
            let text = crate::normalize::NormalizedText::from_pages(&e.pages);
            (0..text.page_count())
                .map(|i| text.page_text(i).to_string())
                .collect()
        }
        Err(_) => Vec::new(),
    };
    match a.format {
        ExtractFormat::Text => {
            for p in &pages {
                out.write_all(p.as_bytes())?;
                out.write_all(b"\n\x0c")?;
            }
        }
        ExtractFormat::Json => {
            let (status, error, extractor) = match &extracted {
                Ok(e) if e.has_text() => (Status::Ok, None, Some(e.extractor.clone())),
                Ok(e) => (
                    Status::NoText,
                    Some(scan::no_text_hint(e).to_string()),
                    Some(e.extractor.clone()),
                ),
                Err(err) => (err.status(), Some(err.reason().to_string()), None),
            };
            let v = serde_json::json!({
                "path": path,
                "status": status,
                "error": error,
                "extractor": extractor,
                "pages": pages.iter().enumerate().map(|(i, t)| serde_json::json!({"number": i + 1, "text": t})).collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut out, &v).map_err(io::Error::from)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(extract_exit(&path, extracted.as_ref().err()))
}

/// `extract`'s exit status: 0, or 1 with the reason on stderr when the
/// document could not be read.
fn extract_exit(path: &str, error: Option<&crate::extract::ExtractError>) -> u8 {
    match error {
        None => 0,
        Some(e) => {
            eprintln!(
                "policyscan: {path}: {}: {}",
                e.status().as_str(),
                e.reason()
            );
            1
        }
    }
}

/// `extract --layout rows`: the tables of a PDF as rows and cells.
fn run_extract_rows(a: &ExtractArgs, settings: &ExtractSettings) -> Result<u8, AppError> {
    use crate::extract::lopdf_text::LopdfText;
    let path = walk::display_path(&a.file);
    let data = std::fs::read(&a.file)?;
    let result = crate::extract::sniff(&a.file, &data).and_then(|kind| match kind {
        crate::extract::Kind::Pdf => LopdfText::default()
            .extract_detailed(&data, &settings.file.extract)
            .map(|d| d.tables),
        _ => Ok(Vec::new()),
    });
    let mut out = io::BufWriter::new(io::stdout().lock());
    let tables = match &result {
        Ok(t) => t.as_slice(),
        Err(_) => &[],
    };
    match a.format {
        ExtractFormat::Text => {
            let mut on_page = 0;
            for (k, t) in tables.iter().enumerate() {
                on_page = if k > 0 && tables[k - 1].page == t.page {
                    on_page + 1
                } else {
                    1
                };
                let mut title = format!(
                    "page {} table {on_page}: {}, {} columns",
                    t.page,
                    t.kind.as_str(),
                    t.rows.first().map_or(0, Vec::len)
                );
                if t.header {
                    title.push_str(", header row");
                }
                if t.continues {
                    title.push_str(&format!(", continues from page {}", t.page - 1));
                }
                writeln!(out, "{title}")?;
                for row in &t.rows {
                    writeln!(out, "  {}", row.join(" | "))?;
                }
                writeln!(out)?;
            }
        }
        ExtractFormat::Json => {
            let v = serde_json::json!({
                "path": path,
                "tables": tables.iter().map(|t| serde_json::json!({
                    "page": t.page,
                    "kind": t.kind.as_str(),
                    "header": t.header,
                    "continues": t.continues,
                    "rows": t.rows,
                })).collect::<Vec<_>>(),
            });
            serde_json::to_writer_pretty(&mut out, &v).map_err(io::Error::from)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(extract_exit(&path, result.as_ref().err()))
}

/// The topic an option names: a topic of the library, or (where `parity`
/// is allowed) the parity lens.
fn topic_of(
    option: &str,
    name: &str,
    matcher: &Matcher,
    parity: bool,
) -> Result<Topic, UsageError> {
    if parity && (name == "parity" || name == Topic::MENTAL_HEALTH_PARITY.as_str()) {
        return Ok(Topic::MENTAL_HEALTH_PARITY);
    }
    Some(name)
        .filter(|n| Topic::valid_id(n))
        .map(Topic::named)
        .filter(|t| matcher.pattern_set().topic_def(*t).is_some())
        .ok_or_else(|| unknown_topic(option, name, matcher))
}

fn unknown_topic(option: &str, name: &str, matcher: &Matcher) -> UsageError {
    let known: Vec<&str> = matcher
        .pattern_set()
        .topics
        .iter()
        .map(|d| d.topic.as_str())
        .collect();
    UsageError::Invalid(format!(
        "{option}: unknown topic {name:?} (expected one of: {})",
        known.join(", ")
    ))
}

fn run_explain(a: &ExplainArgs) -> Result<u8, AppError> {
    let settings = settings(&a.input)?;
    if !a.file.is_file() {
        return Err(UsageError::Invalid(format!("{}: no such file", a.file.display())).into());
    }
    let matcher = load_matcher(a.input.patterns.as_deref(), a.input.topics.as_deref())?;
    let topic = topic_of("--topic", &a.topic, &matcher, true)?;
    let (doc, trace) = crate::analyze_with_trace(&a.file, &settings, &matcher);
    let text = report::explain::render(&doc, trace.as_ref(), topic);
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(u8::from(doc.status != Status::Ok))
}

fn run_cache(a: &CacheArgs) -> Result<u8, AppError> {
    let Some(dir) = a.cache.clone().or_else(scan::cache::Cache::default_dir) else {
        return Err(UsageError::Invalid(
            "no user cache directory on this system: name one with --cache DIR".into(),
        )
        .into());
    };
    let io_error = |source: io::Error| UsageError::Io {
        what: format!("cache {}", dir.display()),
        source,
    };
    let cache = scan::cache::Cache::open(&dir).map_err(io_error)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    match &a.action {
        CacheAction::Info => {
            let (entries, bytes) = cache.usage().map_err(io_error)?;
            writeln!(
                out,
                "{}: {entries} entries, {bytes} bytes",
                cache.dir().display()
            )?;
        }
        CacheAction::Prune { max_size } => {
            let max = crate::config::parse_size(max_size)?;
            let (removed, freed) = cache.prune(max).map_err(io_error)?;
            let (entries, bytes) = cache.usage().map_err(io_error)?;
            writeln!(
                out,
                "{}: removed {removed} entries ({freed} bytes); {entries} entries, {bytes} bytes kept",
                cache.dir().display()
            )?;
        }
    }
    out.flush()?;
    Ok(0)
}

fn run_patterns(a: &PatternsArgs) -> Result<u8, AppError> {
    let set = crate::load_patterns(a.patterns.as_deref(), a.topics.as_deref())?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    match a.action {
        PatternsAction::Check => {
            let n = set.rules.len();
            let origin = set.origin.clone();
            crate::matcher::compile::compile(set)?;
            writeln!(out, "ok: {n} rules ({origin})")?;
            Ok(0)
        }
        PatternsAction::List { verbose } => {
            for d in &set.topics {
                writeln!(
                    out,
                    "{:<38} {:<18} {}",
                    format!("topics.{}", d.topic.as_str()),
                    "topic",
                    d.name
                )?;
                if verbose {
                    if let Some(desc) = &d.description {
                        writeln!(out, "    description: {desc}")?;
                    }
                    for t in &d.not_confused_with {
                        writeln!(out, "    not confused with: {}", t.as_str())?;
                    }
                    for o in &d.out_of_scope {
                        writeln!(out, "    out of scope: {} ({})", o.tag, o.note)?;
                    }
                    if !d.approved_uses.is_empty() {
                        writeln!(out, "    approved uses: {}", d.approved_uses.join(", "))?;
                    }
                    writeln!(out, "    examples: {}", d.examples.len())?;
                    writeln!(out, "    defined at {}:{}", d.file, d.line)?;
                }
            }
            for r in &set.rules {
                writeln!(
                    out,
                    "{:<38} {:<18} {}",
                    r.id,
                    r.category_name(),
                    r.description
                )?;
                if verbose {
                    if let Some(w) = &r.why {
                        writeln!(out, "    why: {w}")?;
                    }
                    for l in &r.literals {
                        writeln!(out, "    literal: {l}")?;
                    }
                    for x in &r.regexes {
                        writeln!(out, "    regex: {x}")?;
                    }
                    writeln!(out, "    defined at {}:{}", r.file, r.line)?;
                }
            }
            Ok(0)
        }
        PatternsAction::Test => {
            let (run, failures) = crate::rule_examples::test_examples(&set)?;
            for f in &failures {
                writeln!(out, "FAIL {f}")?;
            }
            writeln!(
                out,
                "{} examples, {} passed, {} failed",
                run,
                run - failures.len(),
                failures.len()
            )?;
            let (topic_run, topic_failures) = crate::rule_examples::test_topic_examples(&set)?;
            for f in &topic_failures {
                writeln!(out, "FAIL {f}")?;
            }
            writeln!(
                out,
                "{} topic examples, {} passed, {} failed",
                topic_run,
                topic_run - topic_failures.len(),
                topic_failures.len()
            )?;
            Ok(u8::from(!failures.is_empty() || !topic_failures.is_empty()))
        }
    }
}

fn run_merge(a: &MergeArgs) -> Result<u8, AppError> {
    let merged = report::merge::merge(&a.parts)?;
    let out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut sink: Box<dyn Sink> = report::sink(a.format.into(), false, out);
    sink.begin(&merged.tool)?;
    for d in &merged.documents {
        sink.document(d)?;
    }
    sink.finish(&merged.summary)?;
    Ok(0)
}

/// Whether an error is a closed stdout (`policyscan ... | head`).
pub fn is_broken_pipe(e: &AppError) -> bool {
    matches!(e, AppError::Io(io) if io.kind() == io::ErrorKind::BrokenPipe)
}

/// Whether an error is a full disk (or an exhausted quota).
pub fn is_disk_full(e: &AppError) -> bool {
    matches!(e, AppError::Io(io) if matches!(
        io.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
    ))
}

/// The exit status for an error: 2 for usage errors, broken pattern files
/// and a full disk (the run cannot go on as asked); 1 when writing the
/// output failed otherwise.
pub fn exit_code(e: &AppError) -> u8 {
    match e {
        AppError::Usage(_) | AppError::Patterns(_) => 2,
        AppError::Io(_) if is_disk_full(e) => 2,
        AppError::Io(_) => 1,
    }
}

/// Standard output carrying a report: a write error says so (the OS
/// error is kept, and so is its kind, for the exit status).
struct ReportOut<W: Write>(W);

fn report_out_error(e: io::Error) -> io::Error {
    if matches!(
        e.kind(),
        io::ErrorKind::BrokenPipe | io::ErrorKind::Interrupted
    ) {
        return e;
    }
    let os = match e.raw_os_error() {
        Some(_) => {
            let s = e.to_string();
            let mut c = s.chars();
            c.next()
                .map(|f| f.to_lowercase().chain(c).collect())
                .unwrap_or_default()
        }
        None => e.to_string(),
    };
    io::Error::new(
        e.kind(),
        format!("cannot write the report to standard output: {os}"),
    )
}

impl<W: Write> Write for ReportOut<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).map_err(report_out_error)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush().map_err(report_out_error)
    }
}

fn run_compare(a: &CompareArgs) -> Result<u8, AppError> {
    use crate::cli::{CompareFormat, CompareSort};
    use report::compare::{Matrix, SortBy};
    let settings = settings(&a.input)?;
    let matcher = load_matcher(a.input.patterns.as_deref(), a.input.topics.as_deref())?;
    let mut docs: Vec<Document> = Vec::new();
    for p in &a.paths {
        let side = crate::diff_side(p, &settings, &matcher)?;
        docs.extend(side.docs.into_iter().map(|(_, d)| d));
    }
    let chosen: Vec<Topic> = a
        .topic
        .iter()
        .map(|n| topic_of("--topic", n, &matcher, false))
        .collect::<Result<_, _>>()?;
    let topics: Vec<Topic> = Topic::drugs()
        .into_iter()
        .filter(|t| chosen.is_empty() || chosen.contains(t))
        .collect();
    let sort = match a.sort {
        CompareSort::Payer => SortBy::Payer,
        CompareSort::EffectiveDate => SortBy::EffectiveDate,
        CompareSort::Path => SortBy::Path,
    };
    let mut m = Matrix::build(&docs, &topics, sort, &matcher.pattern_set().detail);
    if a.addressed {
        m.rows.retain(|r| r.fixed[6] != "not_addressed");
    }
    let text = match a.format {
        CompareFormat::Csv => report::compare::render_csv(&m),
        CompareFormat::Markdown => report::compare::render_markdown(&m),
        CompareFormat::Html => report::compare::render_html(&m),
    };
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(0)
}

fn run_diff(a: &DiffArgs) -> Result<u8, AppError> {
    let settings = settings(&a.input)?;
    let matcher = load_matcher(a.input.patterns.as_deref(), a.input.topics.as_deref())?;
    let old = crate::diff_side(&a.old, &settings, &matcher)?;
    let new = crate::diff_side(&a.new, &settings, &matcher)?;
    let diff = report::diff::compare(&old, &new, &matcher.pattern_set().detail);
    let text = match a.format {
        DiffFormat::Human => report::diff::render_human(&diff, console::colors_enabled()),
        DiffFormat::Json => report::diff::render_json(&diff),
    };
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(u8::from(a.fail_on_change && diff.stance_changed()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn colors_follow_the_flag_then_the_environment_then_the_terminal() {
        use ColorWhen::{Always, Auto, Never};
        for (when, terminal, vars, wanted) in [
            (Always, false, &[("NO_COLOR", "1")][..], true),
            (Never, true, &[("CLICOLOR_FORCE", "1")][..], false),
            (Auto, true, &[][..], true),
            (Auto, false, &[][..], false),
            (Auto, true, &[("NO_COLOR", "1")][..], false),
            (Auto, true, &[("NO_COLOR", "")][..], true),
            (Auto, true, &[("CLICOLOR", "0")][..], false),
            (Auto, true, &[("CLICOLOR", "1")][..], true),
            (Auto, true, &[("TERM", "dumb")][..], false),
            (Auto, false, &[("CLICOLOR_FORCE", "1")][..], true),
            (Auto, false, &[("CLICOLOR_FORCE", "0")][..], false),
            (
                Auto,
                false,
                &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")][..],
                true,
            ),
        ] {
            let vars: &'static [(&'static str, &'static str)] = vars;
            assert_eq!(
                use_colors(when, terminal, env(vars)),
                wanted,
                "{when:?} terminal={terminal} {vars:?}"
            );
        }
    }
}
