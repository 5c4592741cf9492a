//! The progress bar on stderr while `scan` runs.
//!
//! Owns: whether a bar is shown at all (only when stderr is a terminal and
//! `--quiet` is not given; never on stdout, so it cannot mix with a
//! report), its look (colors only when stderr's colors are on: see
//! `--color`, `NO_COLOR`), and printing warnings
//! without tearing the bar. Must not: write to stdout or change what a run
//! reports.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::human::file_name;

/// The bar on screen, if any, so warnings from anywhere print above it.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Prints a line on stderr; while a bar is shown, above the bar (so the
/// bar is not torn).
pub fn eprintln(line: &str) {
    let active = ACTIVE.lock().ok().and_then(|a| a.clone());
    match active {
        Some(bar) => bar.suspend(|| eprintln!("{line}")),
        None => eprintln!("{line}"),
    }
}

/// A progress bar over the documents of a run, or nothing.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar over `total` documents, shown only when `enabled` (not
    /// `--quiet`) and stderr is a terminal.
    pub fn new(total: usize, enabled: bool) -> Progress {
        if !enabled || total == 0 || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let color = console::colors_enabled_stderr();
        let template = if color {
            "{spinner:.cyan} {pos:>5}/{len} [{bar:30.cyan/blue}] {elapsed_precise} eta {eta}  {wide_msg:.dim}"
        } else {
            "{spinner} {pos:>5}/{len} [{bar:30}] {elapsed_precise} eta {eta}  {wide_msg}"
        };
        let style = ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(
            Some(total as u64),
            ProgressDrawTarget::stderr_with_hz(8),
        )
        .with_style(style);
        bar.enable_steady_tick(Duration::from_millis(125));
        if let Ok(mut a) = ACTIVE.lock() {
            *a = Some(bar.clone());
        }
        Progress { bar: Some(bar) }
    }

    /// One more document finished.
    pub fn inc(&self, path: &str) {
        if let Some(b) = &self.bar {
            b.set_message(file_name(path).to_string());
            b.inc(1);
        }
    }

    /// Runs `f` (which writes to stderr) with the bar hidden.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(b) => b.suspend(f),
            None => f(),
        }
    }

    /// Removes the bar from the screen.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            if let Ok(mut a) = ACTIVE.lock() {
                *a = None;
            }
            b.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
