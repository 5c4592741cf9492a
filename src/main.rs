//! The `policyscan` binary: parse arguments, run the command, map the
//! result to an exit code. Everything else lives in the library.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use policyscan::app;
use policyscan::cli::{Cli, SUBCOMMANDS};

/// `policyscan PATH...` means `policyscan scan PATH...`, as with ripgrep.
fn with_default_subcommand(mut args: Vec<OsString>) -> Vec<OsString> {
    let first = args.get(1).and_then(|a| a.to_str()).map(str::to_string);
    let is_known = first.as_deref().is_some_and(|f| {
        SUBCOMMANDS.contains(&f) || matches!(f, "-h" | "--help" | "-V" | "--version")
    });
    if !is_known {
        args.insert(1, OsString::from("scan"));
    }
    args
}

fn main() -> ExitCode {
    let args = with_default_subcommand(std::env::args_os().collect());
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match app::run(cli.command) {
        Ok(code) => ExitCode::from(code),
        Err(e) if app::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("policyscan: error: {}", app::error_message(&e));
            ExitCode::from(app::exit_code(&e))
        }
    }
}
