//! The `policyscan` binary: parse arguments, run the command, map the
//! result to an exit code. Everything else lives in the library.

use std::ffi::OsString;
use std::process::ExitCode;

use policyscan::app;
use policyscan::cli::{GLOBAL_FLAGS, SUBCOMMANDS};

/// `policyscan PATH...` means `policyscan scan PATH...`, as with ripgrep
/// (after any flags that go before a subcommand, such as `--color`).
fn with_default_subcommand(mut args: Vec<OsString>) -> Vec<OsString> {
    let mut i = 1;
    while let Some(arg) = args.get(i).and_then(|a| a.to_str()) {
        let global = GLOBAL_FLAGS.iter().find(|(flag, _)| {
            arg == *flag || arg.strip_prefix(flag).is_some_and(|r| r.starts_with('='))
        });
        match global {
            Some((_, takes_value)) if *takes_value && !arg.contains('=') => i += 2,
            Some(_) => i += 1,
            None => break,
        }
    }
    let first = args.get(i).and_then(|a| a.to_str()).map(str::to_string);
    let is_known = first.as_deref().is_some_and(|f| {
        SUBCOMMANDS.contains(&f) || matches!(f, "-h" | "--help" | "-V" | "--version")
    });
    if !is_known && i <= args.len() {
        args.insert(i, OsString::from("scan"));
    }
    args
}

fn main() -> ExitCode {
    let args = with_default_subcommand(std::env::args_os().collect());
    let cli = match app::parse(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match app::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if app::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("policyscan: error: {}", app::error_message(&e));
            ExitCode::from(app::exit_code(&e))
        }
    }
}
