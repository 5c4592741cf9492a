//! poppler's `pdftotext` as an optional last-resort extractor, run as a
//! subprocess when it is installed.
//!
//! Owns: finding the program (once per process), running it on a temporary
//! copy of the document with a time limit (poppler hangs on some hostile
//! files), and splitting its output into pages at form feeds.
//! Must not: be required: without pdftotext installed the chain simply
//! skips it.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use wait_timeout::ChildExt;

use super::{ExtractError, ExtractOptions, Extracted, Extractor};

/// Name written to the report.
pub const NAME: &str = "pdftotext";

/// The pdftotext backend.
#[derive(Debug, Clone, Copy)]
pub struct PdfToText {
    /// Longest a single run may take.
    pub timeout: Duration,
}

impl Default for PdfToText {
    fn default() -> Self {
        PdfToText {
            timeout: Duration::from_secs(30),
        }
    }
}

/// Whether `pdftotext` can be run (checked once, without starting a
/// process: every run asks, for its cache key).
pub fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| on_path(std::env::var_os("PATH").as_deref()))
}

/// Whether an executable file named `pdftotext` is in one of the
/// directories of `path` (a `PATH` value), where running it finds it.
fn on_path(path: Option<&std::ffi::OsStr>) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.is_some_and(|path| {
        std::env::split_paths(path).any(|dir| {
            std::fs::metadata(dir.join("pdftotext"))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

impl Extractor for PdfToText {
    fn name(&self) -> &'static str {
        NAME
    }

    fn extract(&self, data: &[u8], opts: &ExtractOptions) -> Result<Extracted, ExtractError> {
        if !available() {
            return Err(ExtractError::Unsupported(
                "pdftotext is not installed".into(),
            ));
        }
        let tmp = tempfile::Builder::new()
            .prefix("policyscan-")
            .suffix(".pdf")
            .tempfile()
            .map_err(|e| {
                ExtractError::Unsupported(format!("cannot create a temporary file: {e}"))
            })?;
        std::fs::write(tmp.path(), data).map_err(|e| {
            ExtractError::Unsupported(format!("cannot write a temporary file: {e}"))
        })?;
        let mut cmd = Command::new("pdftotext");
        cmd.arg("-enc").arg("UTF-8").arg("-q");
        if let Some(p) = &opts.password {
            cmd.arg("-upw").arg(p);
        }
        let mut child = cmd
            .arg(tmp.path())
            .arg("-")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| ExtractError::Unsupported(format!("cannot run pdftotext: {e}")))?;
        // Read stdout on a thread so a large output cannot block the child.
        let mut stdout = child
            .stdout
            .take()
            .ok_or_else(|| ExtractError::Unsupported("pdftotext gave no output pipe".into()))?;
        let reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = stdout.read_to_end(&mut buf);
            buf
        });
        let status = match child.wait_timeout(self.timeout) {
            Ok(Some(status)) => status,
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = reader.join();
                return Err(ExtractError::Timeout(format!(
                    "pdftotext ran longer than {} s",
                    self.timeout.as_secs()
                )));
            }
        };
        let out = reader.join().unwrap_or_default();
        match status.code() {
            Some(0) => {}
            Some(1) if opts.password.is_none() => {
                // Exit 1 is "cannot open": damaged, or encrypted with a password.
                return Err(ExtractError::Malformed(
                    "pdftotext cannot open the file".into(),
                ));
            }
            Some(c) => {
                return Err(ExtractError::Malformed(format!(
                    "pdftotext exited with status {c}"
                )));
            }
            None => {
                return Err(ExtractError::Crashed(
                    "pdftotext was killed by a signal".into(),
                ));
            }
        }
        let text = String::from_utf8_lossy(&out);
        let mut pages: Vec<String> = text.split('\x0c').map(str::to_string).collect();
        if pages.len() > 1 && pages.last().is_some_and(|p| p.trim().is_empty()) {
            pages.pop();
        }
        Ok(Extracted {
            pages,
            extractor: NAME.to_string(),
            warnings: Vec::new(),
            ocr_pages: Vec::new(),
            transient: false,
            textless: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::on_path;

    #[test]
    fn only_an_executable_file_on_the_path_counts() {
        let dirs: Vec<_> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
        let [exe, plain, folder, empty] = [0, 1, 2, 3].map(|i| dirs[i].path());
        let write = |dir: &std::path::Path, mode: u32| {
            let f = dir.join("pdftotext");
            std::fs::write(&f, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(mode)).unwrap();
        };
        write(exe, 0o755);
        write(plain, 0o644);
        std::fs::create_dir(folder.join("pdftotext")).unwrap();
        let path = |ds: &[&std::path::Path]| std::env::join_paths(ds).unwrap();
        assert!(on_path(Some(&path(&[empty, exe]))));
        assert!(!on_path(Some(&path(&[plain, folder, empty]))));
        assert!(!on_path(None));
    }
}
