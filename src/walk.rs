//! Finding the inputs: files and folders given on the command line.
//!
//! Owns: walking folders (the `ignore` crate: hidden files and .gitignore'd
//! files skipped), keeping PDF / .txt / .md files, taking explicitly named
//! files whatever their extension, de-duplicating, and sorting by path so
//! output order never depends on the file system.
//!
//! Must not: open or read the files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::config::UsageError;

/// One file to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path to open.
    pub path: PathBuf,
    /// The path as reported (as given or walked).
    pub display: String,
    /// File size in bytes (0 when unknown).
    pub size: u64,
}

/// What the walk found, and the folders that held nothing to scan.
#[derive(Debug, Clone, Default)]
pub struct Walked {
    /// Inputs sorted by display path.
    pub inputs: Vec<Input>,
    /// Problems that did not stop the walk.
    pub warnings: Vec<String>,
}

/// Whether a walked file is one policyscan reads.
pub fn is_supported(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "pdf" | "txt" | "md"))
}

/// A path as reported: itself when it is UTF-8, otherwise with each byte
/// that is not UTF-8 written as `\xNN`, so two names that differ only in
/// such bytes stay two distinct rows (a lossy conversion would merge them).
pub fn display_path(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    if let Some(s) = path.to_str() {
        return s.to_string();
    }
    let mut out = String::new();
    for chunk in path.as_os_str().as_bytes().utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// Collects the inputs of the given paths.
pub fn walk(paths: &[PathBuf]) -> Result<Walked, UsageError> {
    // Keyed by the path itself: the same file named twice is one input.
    let mut found: BTreeMap<PathBuf, Input> = BTreeMap::new();
    let mut warnings = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root)
            .map_err(|e| UsageError(format!("{}: {}", root.display(), io_reason(&e))))?;
        if meta.is_file() {
            std::fs::File::open(root)
                .map_err(|e| UsageError(format!("{}: {}", root.display(), io_reason(&e))))?;
            let display = display_path(root);
            found.insert(
                root.clone(),
                Input {
                    path: root.clone(),
                    display,
                    size: meta.len(),
                },
            );
            continue;
        }
        let before = found.len();
        for entry in ignore::WalkBuilder::new(root).build() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    warnings.push(format!("{}: {e}", root.display()));
                    continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) || !is_supported(entry.path()) {
                continue;
            }
            let size = entry.metadata().map_or(0, |m| m.len());
            let display = display_path(entry.path());
            found.insert(
                entry.path().to_path_buf(),
                Input {
                    path: entry.into_path(),
                    display,
                    size,
                },
            );
        }
        if found.len() == before {
            warnings.push(format!(
                "{}: no PDF, .txt or .md files found",
                root.display()
            ));
        }
    }
    let mut inputs: Vec<Input> = found.into_values().collect();
    inputs.sort_by(|a, b| a.display.cmp(&b.display).then_with(|| a.path.cmp(&b.path)));
    Ok(Walked { inputs, warnings })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_filtered() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.pdf"), b"%PDF-1.4").unwrap();
        std::fs::write(dir.path().join("a.txt"), b"x").unwrap();
        std::fs::write(dir.path().join("c.docx"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/d.MD"), b"x").unwrap();
        let w = walk(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<String> = w
            .inputs
            .iter()
            .map(|i| {
                i.path
                    .strip_prefix(dir.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, vec!["a.txt", "b.pdf", "sub/d.MD"]);
    }

    #[test]
    fn non_utf8_names_stay_distinct() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        for name in [&b"caf\xe9.pdf"[..], b"caf\xff.pdf"] {
            std::fs::write(dir.path().join(OsStr::from_bytes(name)), b"%PDF-1.4").unwrap();
        }
        let w = walk(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<String> = w
            .inputs
            .iter()
            .map(|i| i.display.rsplit('/').next().unwrap().to_string())
            .collect();
        assert_eq!(names, vec!["caf\\xe9.pdf", "caf\\xff.pdf"]);
    }

    #[test]
    fn missing_path_is_a_usage_error() {
        let e = walk(&[PathBuf::from("/no/such/place")]).unwrap_err();
        assert!(e.0.contains("no such file"), "{e}");
    }

    #[test]
    fn empty_folder_warns() {
        let dir = tempfile::tempdir().unwrap();
        let w = walk(&[dir.path().to_path_buf()]).unwrap();
        assert!(w.inputs.is_empty());
        assert_eq!(w.warnings.len(), 1);
    }

    #[test]
    fn explicit_file_of_any_extension_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.bin");
        std::fs::write(&p, b"x").unwrap();
        assert_eq!(walk(&[p]).unwrap().inputs.len(), 1);
    }
}
