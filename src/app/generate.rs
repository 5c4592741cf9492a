//! Files generated from the command-line definitions: shell completion
//! scripts and the manual page.
//!
//! Owns: rendering [`crate::cli::Cli`] with clap_complete and clap_mangen,
//! deterministically (the same bytes on every machine, whatever the
//! environment), so `docs/policyscan.1` can be checked to be current.
//! Must not: read the environment or the configuration file.

use std::io::{self, Write};

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// Writes the completion script for `shell`.
pub fn completions(shell: Shell, out: &mut dyn Write) {
    clap_complete::generate(shell, &mut visible_command(), "policyscan", out);
}

/// The command line without its hidden subcommands (the extraction
/// worker), which completion scripts would otherwise offer.
fn visible_command() -> clap::Command {
    let full = Cli::command();
    let mut cmd = clap::Command::new("policyscan")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true);
    if let Some(about) = full.get_about() {
        cmd = cmd.about(about.clone());
    }
    cmd = cmd.args(full.get_arguments().cloned());
    cmd.subcommands(full.get_subcommands().filter(|s| !s.is_hide_set()).cloned())
}

/// The manual page, in roff: the program's options and subcommands, one
/// section per subcommand with its arguments and options, then the
/// configuration file, the environment and the exit status.
pub fn man_page() -> io::Result<Vec<u8>> {
    let mut cmd = Cli::command();
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    for render in [
        clap_mangen::Man::render_name_section,
        clap_mangen::Man::render_synopsis_section,
        clap_mangen::Man::render_description_section,
        clap_mangen::Man::render_options_section,
    ] {
        let mut part = Vec::new();
        render(&man, &mut part)?;
        out.extend(body(&part, false).bytes());
    }
    let subcommands: Vec<&clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .collect();
    writeln!(out, ".SH SUBCOMMANDS")?;
    for sub in &subcommands {
        writeln!(out, ".TP\n\\fB{}\\fR", roff_escape(sub.get_name()))?;
        writeln!(out, "{}", roff_escape(&about(sub)))?;
    }
    let top: Vec<&str> = cmd.get_arguments().map(|a| a.get_id().as_str()).collect();
    for sub in &subcommands {
        subcommand_sections(sub, "", &top, &mut out)?;
    }
    out.extend_from_slice(TRAILER.as_bytes());
    let mut version = Vec::new();
    man.render_version_section(&mut version)?;
    out.extend(body(&version, false).bytes());
    Ok(out)
}

/// The sections after the subcommands', in roff.
const TRAILER: &str = r#".SH FILES
.TP
\fI$XDG_CONFIG_HOME/policyscan/config.toml\fR (\fI~/.config/policyscan/config.toml\fR when XDG_CONFIG_HOME is unset)
The configuration file: defaults, in TOML, for the flags of the same names without the dashes:
\fBjobs\fR, \fBcache\fR, \fBmax\-memory\fR, \fBtimeout\fR, \fBpatterns\fR, \fBocr\fR, \fBocr\-lang\fR and \fBformat\fR (for \fBscan\fR).
A flag given on the command line wins over the file; \fB\-\-no\-config\fR ignores the file.
Relative paths in it are relative to its folder.
An unknown key or a bad value is an error naming the file and line.
.SH ENVIRONMENT
.TP
\fBPOLICYSCAN_CONFIG\fR
The configuration file to read instead of the one under XDG_CONFIG_HOME; it must exist.
.TP
\fBXDG_CONFIG_HOME\fR, \fBXDG_CACHE_HOME\fR
Where the configuration file and the extraction cache are.
.TP
\fBNO_COLOR\fR, \fBCLICOLOR\fR, \fBCLICOLOR_FORCE\fR
With \fB\-\-color auto\fR: NO_COLOR (not empty) or CLICOLOR=0 turns colors off, CLICOLOR_FORCE (not 0) turns them on even when the output is not a terminal.
.SH "EXIT STATUS"
.TP
0
Success.
.TP
1
A \fB\-\-fail\-on\fR or \fB\-\-strict\fR condition was met, \fBdiff \-\-fail\-on\-change\fR saw a change, \fBpatterns test\fR found a failing example, or \fBextract\fR or \fBexplain\fR could not read its document.
.TP
2
A usage error: a bad flag, configuration file, pattern library or input path, or no input could be read.
"#;

/// A command's one-line description.
fn about(cmd: &clap::Command) -> String {
    cmd.get_about().map(|a| a.to_string()).unwrap_or_default()
}

/// The roff of one rendered section without the string definitions every
/// rendering starts with, and without its `.SH` line when `drop_heading`.
fn body(rendered: &[u8], drop_heading: bool) -> String {
    let text = String::from_utf8_lossy(rendered);
    let mut out = String::new();
    let mut dropped = !drop_heading;
    for line in text.lines() {
        if line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq") {
            continue;
        }
        if !dropped && line.starts_with(".SH") {
            dropped = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The sections of one subcommand (and of its own subcommands), each
/// titled with the command line that reaches it; `shown` are the ids of
/// the arguments an enclosing command's section lists already.
fn subcommand_sections(
    sub: &clap::Command,
    prefix: &str,
    shown: &[&str],
    out: &mut Vec<u8>,
) -> io::Result<()> {
    if sub.get_name() == "help" {
        return Ok(());
    }
    let name = format!("{prefix}{}", sub.get_name());
    let own: Vec<&clap::Arg> = sub
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !shown.contains(&a.get_id().as_str()))
        .filter(|a| {
            !matches!(
                a.get_action(),
                clap::ArgAction::Help
                    | clap::ArgAction::HelpShort
                    | clap::ArgAction::HelpLong
                    | clap::ArgAction::Version
            )
        })
        .collect();
    let mut shown = shown.to_vec();
    shown.extend(own.iter().map(|a| a.get_id().as_str()));
    writeln!(out, ".SH \"POLICYSCAN {}\"", name.to_uppercase())?;
    writeln!(out, "{}", roff_escape(&about(sub)))?;
    if !own.is_empty() {
        let page = clap::Command::new("options")
            .disable_help_flag(true)
            .args(own.into_iter().cloned());
        let mut rendered = Vec::new();
        clap_mangen::Man::new(page).render_options_section(&mut rendered)?;
        out.extend(body(&rendered, true).bytes());
    }
    if let Some(after) = sub.get_after_help() {
        writeln!(out, ".PP")?;
        writeln!(out, "{}", roff_escape(&after.to_string()))?;
    }
    for s in sub.get_subcommands().filter(|s| !s.is_hide_set()) {
        subcommand_sections(s, &format!("{name} "), &shown, out)?;
    }
    Ok(())
}

/// Text safe to put on a roff line of its own.
fn roff_escape(text: &str) -> String {
    let t = text.replace('\\', "\\e").replace('-', "\\-");
    match t.chars().next() {
        Some('.' | '\'') => format!("\\&{t}"),
        _ => t,
    }
}
