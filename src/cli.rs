//! Command-line definitions (clap derive) and nothing else: `app::parse`
//! parses into these types (and fills in the configuration file's
//! defaults), validation into a [`crate::config::Config`] happens in
//! `config`; the completion scripts and the manual page are rendered from
//! them (`app::generate`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Analyze health-insurance policy documents for what they say about
/// ketamine and esketamine (Spravato) coverage, with page-cited evidence.
#[derive(Debug, Parser)]
#[command(name = "policyscan", version, about, long_about = None)]
pub struct Cli {
    /// When to color the table, `diff` and the progress bar: auto (on a
    /// terminal, unless NO_COLOR is set or CLICOLOR=0; CLICOLOR_FORCE=1
    /// forces colors), always, or never.
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorWhen::Auto,
        global = true
    )]
    pub color: ColorWhen,
    /// Do not read the configuration file (POLICYSCAN_CONFIG, else
    /// $XDG_CONFIG_HOME/policyscan/config.toml).
    #[arg(long, global = true)]
    pub no_config: bool,
    /// What to do (default: scan).
    #[command(subcommand)]
    pub command: Command,
}

/// Where the configuration file is read from, for the help of `scan`.
pub const CONFIG_HELP: &str = "\
Configuration: defaults for --jobs, --cache, --max-memory, --timeout, \
--patterns, --ocr, --ocr-lang and --format are read from the TOML file \
named by POLICYSCAN_CONFIG, else $XDG_CONFIG_HOME/policyscan/config.toml \
(~/.config/policyscan/config.toml when XDG_CONFIG_HOME is unset). Flags \
given on the command line win; --no-config ignores the file.";

/// `--color`: when to use ANSI colors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colors on a terminal, unless NO_COLOR is set or CLICOLOR=0
    /// (CLICOLOR_FORCE=1 forces them).
    Auto,
    /// Always use colors, even when piped.
    Always,
    /// Never use colors.
    Never,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan PDFs, .txt and .md files (or folders of them) and write the report.
    #[command(after_help = CONFIG_HELP)]
    Scan(ScanArgs),
    /// Print the normalized text of one document, pages separated by form feeds.
    Extract(ExtractArgs),
    /// Explain, for a person, how a document's stance on a topic was decided.
    Explain(ExplainArgs),
    /// List, test or check the pattern library.
    Patterns(PatternsArgs),
    /// Combine the JSON or JSONL reports of `scan --shard` parts into the
    /// report one unsharded run would write.
    Merge(MergeArgs),
    /// What changed between two versions of a policy: two documents, two
    /// JSON/JSONL reports, or two folders (matched by file name).
    Diff(DiffArgs),
    /// Show the size of the extraction and analysis cache, or trim it.
    Cache(CacheArgs),
    /// Print a shell completion script (bash, zsh, fish or powershell).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `policyscan man | man -l -`.
    Man,
    /// Documents side by side: one row per document and drug topic, one
    /// column per criterion value (documents, JSON/JSONL reports or folders).
    Compare(CompareArgs),
    /// Internal: extract PDFs sent over stdin (started by policyscan itself).
    #[command(name = "__extract-worker", hide = true)]
    ExtractWorker(WorkerArgs),
}

/// `policyscan __extract-worker` (internal).
#[derive(Debug, Clone, Args)]
pub struct WorkerArgs {
    /// Address-space cap in bytes (0 = none).
    #[arg(long, default_value_t = 0)]
    pub max_memory: u64,
}

/// `policyscan completions`.
#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `policyscan merge`.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// The part reports (JSON or JSONL), in any order.
    #[arg(value_name = "REPORT", required = true)]
    pub parts: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Json)]
    pub format: ScanFormat,
}

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// One JSON report (documents sorted by path).
    Json,
    /// One JSON object per line, streamed as each document finishes.
    Jsonl,
    /// A compact table for the terminal (the default when stdout is one).
    Table,
    /// One self-contained HTML page (no scripts, no network).
    Html,
    /// Markdown, for an issue tracker or a letter (see --evidence).
    Markdown,
    /// One row per document and drug topic, for spreadsheets.
    Csv,
}

impl From<ScanFormat> for crate::report::Format {
    fn from(f: ScanFormat) -> Self {
        use crate::report::Format;
        match f {
            ScanFormat::Json => Format::Json,
            ScanFormat::Jsonl => Format::Jsonl,
            ScanFormat::Table => Format::Table,
            ScanFormat::Html => Format::Html,
            ScanFormat::Markdown => Format::Markdown,
            ScanFormat::Csv => Format::Csv,
        }
    }
}

/// Options shared by every subcommand that reads documents.
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// Replace the built-in pattern library with the *.toml files of DIR.
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
    /// Add the topics of the *.toml topic files of DIR (a topic with the id
    /// of a built-in one replaces it).
    #[arg(long, value_name = "DIR")]
    pub topics: Option<PathBuf>,
    /// Password for encrypted PDFs (the empty password is always tried).
    #[arg(long, value_name = "PASSWORD")]
    pub password: Option<String>,
    /// Skip files larger than this (e.g. 200M, 1G); they are reported as too_large.
    #[arg(long, value_name = "SIZE", default_value = "512M")]
    pub max_filesize: String,
    /// Time limit per document in seconds (default: 30 s + 1 s per MiB,
    /// raised to 30 s + 50 ms per page once the page count is known); a
    /// document over it is reported as timeout.
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<String>,
    /// Memory cap (address space) of each PDF extraction worker, e.g. 2G,
    /// 512M, or "unlimited"; a document that needs more is reported as
    /// too_large.
    #[arg(long, value_name = "SIZE", default_value = "2G")]
    pub max_memory: String,
    /// Extract PDFs inside this process instead of isolated worker
    /// processes: no time limit or memory cap, and a PDF that crashes the
    /// extractor ends the whole run. For debugging.
    #[arg(long)]
    pub in_process: bool,
    /// Read pages that have no text layer (scans, faxes) with OCR
    /// (Tesseract); slow, about a second a page.
    #[arg(long, overrides_with = "no_ocr")]
    pub ocr: bool,
    /// No OCR, even when the configuration file sets `ocr = true`.
    #[arg(long, overrides_with = "ocr")]
    pub no_ocr: bool,
    /// OCR language(s) as Tesseract names them, e.g. eng or eng+spa.
    #[arg(long, value_name = "LANG", default_value = "eng", requires = "ocr")]
    pub ocr_lang: String,
}

/// `policyscan scan`.
#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Files or folders to scan (default: the current directory).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format [default: table when stdout is a terminal, json
    /// otherwise].
    #[arg(long, value_enum)]
    pub format: Option<ScanFormat>,
    /// An evidence packet for an appeal, in Markdown (implies --format
    /// markdown): sha256, title, payer, policy number, effective date, and
    /// each deciding quote with its page.
    #[arg(long)]
    pub evidence: bool,
    /// Exit with status 1 when a document takes this stance; STANCE or
    /// TOPIC:STANCE (e.g. not_covered, ketamine:not_covered); repeatable.
    #[arg(long, value_name = "STANCE", value_delimiter = ',')]
    pub fail_on: Vec<String>,
    /// Exit with status 1 when any document could not be analysed.
    #[arg(long)]
    pub strict: bool,
    /// Number of documents processed in parallel (default: number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Do not print warnings on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Also scan the paths listed in FILE (one per line; `-` reads stdin).
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<PathBuf>,
    /// The --files-from list is NUL-separated (as from `find -print0`).
    #[arg(long = "null", short = '0', requires = "files_from")]
    pub null: bool,
    /// Include only walked files matching GLOB; `!GLOB` excludes (repeatable).
    #[arg(long = "glob", short = 'g', value_name = "GLOB")]
    pub globs: Vec<String>,
    /// Do not skip hidden files or files ignored by .gitignore / .ignore.
    #[arg(long)]
    pub no_ignore: bool,
    /// Scan only shard K of N (a stable split by path), e.g. --shard 2/8;
    /// combine the parts with `policyscan merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Extraction cache directory (default: the user cache directory).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache: Option<PathBuf>,
    /// Do not read or write the extraction cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Resume from FILE, the JSONL output of an earlier (possibly
    /// interrupted) run: documents recorded there with the same path and
    /// sha256 are not scanned again, their recorded lines are re-emitted.
    /// Write the new output to a different file.
    #[arg(long, value_name = "FILE")]
    pub resume: Option<PathBuf>,
    /// Write per-document timings (path, status, seconds, time limit) as
    /// TSV to FILE, one line as each document finishes.
    #[arg(long, value_name = "FILE")]
    pub timings: Option<PathBuf>,
    /// Input options.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Output formats of `extract`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractFormat {
    /// Plain text, pages separated by form feeds (like pdftotext).
    Text,
    /// `{"path", "status", "error", "extractor", "pages": [{"number", "text"}]}`.
    Json,
}

/// What `extract` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractLayout {
    /// The document's text in reading order (a table's rows one per line,
    /// cells separated by " | ").
    Text,
    /// Only the tables found in a PDF, row by row with their cells (read
    /// by policyscan's own text layer in this process).
    Rows,
}

/// `policyscan extract`.
#[derive(Debug, Clone, Args)]
pub struct ExtractArgs {
    /// The document.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExtractFormat::Text)]
    pub format: ExtractFormat,
    /// What to print: the text, or the tables as rows and cells.
    #[arg(long, value_enum, default_value_t = ExtractLayout::Text)]
    pub layout: ExtractLayout,
    /// Input options.
    #[command(flatten)]
    pub input: InputArgs,
}

/// `policyscan explain`.
#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// The document.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The topic to explain: ketamine, esketamine, mental_health_parity
    /// (or parity), or a topic added with --topics.
    #[arg(long, value_name = "TOPIC", default_value = "ketamine")]
    pub topic: String,
    /// Input options.
    #[command(flatten)]
    pub input: InputArgs,
}

/// `policyscan patterns`.
#[derive(Debug, Clone, Args)]
pub struct PatternsArgs {
    /// What to do with the pattern library.
    #[command(subcommand)]
    pub action: PatternsAction,
    /// Use the *.toml files of DIR instead of the built-in library.
    #[arg(long, value_name = "DIR", global = true)]
    pub patterns: Option<PathBuf>,
    /// Add the topics of the *.toml topic files of DIR.
    #[arg(long, value_name = "DIR", global = true)]
    pub topics: Option<PathBuf>,
}

/// `policyscan cache`.
#[derive(Debug, Clone, Args)]
pub struct CacheArgs {
    /// What to do with the cache.
    #[command(subcommand)]
    pub action: CacheAction,
    /// The cache directory (default: the user cache directory, as `scan`).
    #[arg(long, value_name = "DIR", global = true)]
    pub cache: Option<PathBuf>,
}

/// `policyscan cache` actions.
#[derive(Debug, Clone, Subcommand)]
pub enum CacheAction {
    /// Print the cache's directory, its number of entries and their size.
    Info,
    /// Remove the least recently used entries until the cache is at most
    /// SIZE (safe while scans use it: a removed entry is a miss).
    Prune {
        /// The size to keep, such as 500M or 2G (0 empties the cache).
        #[arg(long, value_name = "SIZE", default_value = "2G")]
        max_size: String,
    },
}

/// `policyscan patterns` actions.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum PatternsAction {
    /// Every rule with its id, category and description.
    List {
        /// Also print each rule's rationale and patterns.
        #[arg(long, short = 'v')]
        verbose: bool,
    },
    /// Run every rule's match / no_match examples; report every failure.
    Test,
    /// Load and compile the library; report the first problem.
    Check,
}

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// For people: what changed, with the evidence on both sides.
    Human,
    /// One JSON object.
    Json,
}

/// `policyscan diff`.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The old version: a PDF/.txt/.md document, a JSON or JSONL report,
    /// or a folder.
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The new version (the same kind as OLD).
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
    /// Exit with status 1 when a stance changed (or a document was added,
    /// removed, or could be analysed in only one version).
    #[arg(long)]
    pub fail_on_change: bool,
    /// Input options.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Flags valid before the subcommand, with whether each takes a value,
/// for the default-subcommand rewrite in `main`.
pub const GLOBAL_FLAGS: &[(&str, bool)] = &[("--color", true), ("--no-config", false)];
/// Output formats of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    /// One table per payer, in Markdown.
    Markdown,
    /// One row per document and topic, for a spreadsheet.
    Csv,
    /// One self-contained HTML page.
    Html,
}

/// Row order of `compare`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareSort {
    /// Payer, then effective date (newest first), then path.
    Payer,
    /// Effective date (newest first), then payer.
    EffectiveDate,
    /// Path.
    Path,
}

/// `policyscan compare`.
#[derive(Debug, Clone, Args)]
pub struct CompareArgs {
    /// Documents (PDF/.txt/.md), JSON or JSONL reports, or folders.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Markdown)]
    pub format: CompareFormat,
    /// Row order (Markdown and HTML group the rows by payer).
    #[arg(long, value_enum, default_value_t = CompareSort::Payer)]
    pub sort: CompareSort,
    /// Only these drug topics (repeatable; default: every drug topic),
    /// built-in or added with --topics.
    #[arg(long, value_name = "TOPIC")]
    pub topic: Vec<String>,
    /// Only rows whose topic the document addresses (stance other than
    /// not_addressed, or a document that could not be read).
    #[arg(long)]
    pub addressed: bool,
    /// Input options.
    #[command(flatten)]
    pub input: InputArgs,
}

/// Subcommand names, for the default-subcommand rewrite in `main`.
pub const SUBCOMMANDS: &[&str] = &[
    "scan",
    "extract",
    "explain",
    "patterns",
    "merge",
    "cache",
    "diff",
    "completions",
    "man",
    "compare",
    "help",
    "__extract-worker",
];

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_default_subcommand_rewrite_knows_every_subcommand() {
        let mut clap_names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .chain(["help".to_string()])
            .collect();
        clap_names.sort();
        let mut listed: Vec<String> = SUBCOMMANDS.iter().map(|s| s.to_string()).collect();
        listed.sort();
        assert_eq!(listed, clap_names);
    }
}
