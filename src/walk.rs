//! Finding the inputs: files and folders given on the command line or in a
//! `--files-from` list.
//!
//! Owns: walking folders (the `ignore` crate: hidden files and .gitignore'd
//! files skipped unless `--no-ignore`), include/exclude globs, keeping PDF /
//! .txt / .md files, taking explicitly named files whatever their
//! extension, de-duplicating, sorting by path so output order never depends
//! on the file system, and `--shard K/N` (a stable split by path hash).
//!
//! Must not: open or read the files' contents.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

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

/// What the walk found, and problems that did not stop it.
#[derive(Debug, Clone, Default)]
pub struct Walked {
    /// Inputs sorted by display path.
    pub inputs: Vec<Input>,
    /// Problems that did not stop the walk.
    pub warnings: Vec<String>,
}

/// Why the inputs cannot be collected: a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    /// A bad `--shard`.
    #[error("{0}")]
    Invalid(String),
    /// A bad `--glob`.
    #[error("{what}")]
    Glob {
        /// The flag, as the user wrote it.
        what: String,
        /// Why the glob does not parse.
        #[source]
        source: ignore::Error,
    },
    /// A path (or the `--files-from` list) cannot be read.
    #[error("{what}")]
    Io {
        /// What could not be read: the path, as given.
        what: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// One part of a sharded run: shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based shard number.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// Parses `K/N` (1 <= K <= N).
    pub fn parse(s: &str) -> Result<Shard, WalkError> {
        let err = || {
            WalkError::Invalid(format!(
                "--shard {s:?}: expected K/N with 1 <= K <= N, e.g. 2/8"
            ))
        };
        let (k, n) = s.split_once('/').ok_or_else(err)?;
        let index: u32 = k.trim().parse().map_err(|_| err())?;
        let count: u32 = n.trim().parse().map_err(|_| err())?;
        if index == 0 || count == 0 || index > count {
            return Err(err());
        }
        Ok(Shard { index, count })
    }

    /// Whether a reported path belongs to this shard. The split depends only
    /// on the path, so every machine computes the same one.
    pub fn contains(&self, display: &str) -> bool {
        let digest = Sha256::digest(display.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// How to find inputs.
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    /// Include globs, and exclude globs written `!GLOB` (ripgrep style),
    /// applied to walked files.
    pub globs: Vec<String>,
    /// Do not skip hidden and ignored files.
    pub no_ignore: bool,
    /// Keep only this shard.
    pub shard: Option<Shard>,
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

/// Reads a `--files-from` list: one path per line, or NUL-separated.
pub fn read_list(list: &Path, nul: bool) -> Result<Vec<PathBuf>, WalkError> {
    let data = if list == Path::new("-") {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(|source| {
            WalkError::Io {
                what: "--files-from -: cannot read stdin".into(),
                source,
            }
        })?;
        buf
    } else {
        std::fs::read(list).map_err(|source| WalkError::Io {
            what: format!("--files-from {}", list.display()),
            source,
        })?
    };
    let sep = if nul { b'\0' } else { b'\n' };
    Ok(data
        .split(|&b| b == sep)
        .map(|p| p.strip_suffix(b"\r").unwrap_or(p))
        .filter(|p| !p.is_empty())
        .map(path_from_bytes)
        .collect())
}

#[cfg(unix)]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(OsStr::from_bytes(b))
}

#[cfg(not(unix))]
fn path_from_bytes(b: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

fn overrides(root: &Path, globs: &[String]) -> Result<ignore::overrides::Override, WalkError> {
    let mut b = ignore::overrides::OverrideBuilder::new(root);
    for g in globs {
        b.add(g).map_err(|source| WalkError::Glob {
            what: format!("--glob {g:?}"),
            source,
        })?;
    }
    b.build().map_err(|source| WalkError::Glob {
        what: "--glob".into(),
        source,
    })
}

/// Collects the inputs of the given paths.
pub fn walk(paths: &[PathBuf], opts: &WalkOptions) -> Result<Walked, WalkError> {
    // Keyed by the path itself: the same file named twice is one input.
    let mut found: BTreeMap<PathBuf, Input> = BTreeMap::new();
    let mut warnings = Vec::new();
    for root in paths {
        let meta = std::fs::metadata(root).map_err(|source| WalkError::Io {
            what: root.display().to_string(),
            source,
        })?;
        if meta.is_file() {
            std::fs::File::open(root).map_err(|source| WalkError::Io {
                what: root.display().to_string(),
                source,
            })?;
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
        let mut builder = ignore::WalkBuilder::new(root);
        builder.standard_filters(!opts.no_ignore);
        if !opts.globs.is_empty() {
            builder.overrides(overrides(root, &opts.globs)?);
        }
        for entry in builder.build() {
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
    if let Some(shard) = opts.shard {
        inputs.retain(|i| shard.contains(&i.display));
    }
    Ok(Walked { inputs, warnings })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.pdf"), b"%PDF-1.4").unwrap();
        std::fs::write(dir.path().join("a.txt"), b"x").unwrap();
        std::fs::write(dir.path().join("c.docx"), b"x").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("sub/d.MD"), b"x").unwrap();
        dir
    }

    fn names(dir: &Path, w: &Walked) -> Vec<String> {
        w.inputs
            .iter()
            .map(|i| {
                i.path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn walks_sorted_and_filtered() {
        let dir = tree();
        let w = walk(&[dir.path().to_path_buf()], &WalkOptions::default()).unwrap();
        assert_eq!(names(dir.path(), &w), vec!["a.txt", "b.pdf", "sub/d.MD"]);
    }

    #[test]
    fn globs_include_and_exclude() {
        let dir = tree();
        let opts = WalkOptions {
            globs: vec!["!sub/**".into()],
            ..WalkOptions::default()
        };
        let w = walk(&[dir.path().to_path_buf()], &opts).unwrap();
        assert_eq!(names(dir.path(), &w), vec!["a.txt", "b.pdf"]);
        let opts = WalkOptions {
            globs: vec!["*.pdf".into()],
            ..WalkOptions::default()
        };
        let w = walk(&[dir.path().to_path_buf()], &opts).unwrap();
        assert_eq!(names(dir.path(), &w), vec!["b.pdf"]);
    }

    #[test]
    fn hidden_files_need_no_ignore() {
        let dir = tree();
        std::fs::write(dir.path().join(".hidden.pdf"), b"%PDF-1.4").unwrap();
        let w = walk(&[dir.path().to_path_buf()], &WalkOptions::default()).unwrap();
        assert_eq!(w.inputs.len(), 3);
        let opts = WalkOptions {
            no_ignore: true,
            ..WalkOptions::default()
        };
        assert_eq!(
            walk(&[dir.path().to_path_buf()], &opts)
                .unwrap()
                .inputs
                .len(),
            4
        );
    }

    #[test]
    fn shards_partition_the_inputs() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..40 {
            std::fs::write(dir.path().join(format!("f{i:02}.txt")), b"x").unwrap();
        }
        let all = walk(&[dir.path().to_path_buf()], &WalkOptions::default()).unwrap();
        let mut union = Vec::new();
        for k in 1..=3 {
            let opts = WalkOptions {
                shard: Some(Shard { index: k, count: 3 }),
                ..WalkOptions::default()
            };
            let part = walk(&[dir.path().to_path_buf()], &opts).unwrap();
            assert!(!part.inputs.is_empty() && part.inputs.len() < 40);
            union.extend(part.inputs);
        }
        union.sort_by(|a, b| a.display.cmp(&b.display));
        assert_eq!(union, all.inputs);
    }

    #[test]
    fn shard_parse() {
        assert_eq!(Shard::parse("2/8").unwrap(), Shard { index: 2, count: 8 });
        assert!(Shard::parse("0/8").is_err());
        assert!(Shard::parse("9/8").is_err());
        assert!(Shard::parse("x").is_err());
    }

    #[test]
    fn files_from_lines_and_nul() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("list");
        std::fs::write(&list, b"a.pdf\r\nb c.pdf\n\n").unwrap();
        assert_eq!(
            read_list(&list, false).unwrap(),
            vec![PathBuf::from("a.pdf"), PathBuf::from("b c.pdf")]
        );
        std::fs::write(&list, b"a\nb.pdf\0c.pdf\0").unwrap();
        assert_eq!(
            read_list(&list, true).unwrap(),
            vec![PathBuf::from("a\nb.pdf"), PathBuf::from("c.pdf")]
        );
    }

    #[test]
    fn non_utf8_names_stay_distinct() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        for name in [&b"caf\xe9.pdf"[..], b"caf\xff.pdf"] {
            std::fs::write(dir.path().join(OsStr::from_bytes(name)), b"%PDF-1.4").unwrap();
        }
        let w = walk(&[dir.path().to_path_buf()], &WalkOptions::default()).unwrap();
        let names: Vec<String> = w
            .inputs
            .iter()
            .map(|i| i.display.rsplit('/').next().unwrap().to_string())
            .collect();
        assert_eq!(names, vec!["caf\\xe9.pdf", "caf\\xff.pdf"]);
    }

    #[test]
    fn missing_path_is_a_usage_error() {
        let e = walk(&[PathBuf::from("/no/such/place")], &WalkOptions::default()).unwrap_err();
        let WalkError::Io { what, source } = &e else {
            panic!("not an I/O error: {e}");
        };
        assert_eq!(what, "/no/such/place");
        assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn empty_folder_warns() {
        let dir = tempfile::tempdir().unwrap();
        let w = walk(&[dir.path().to_path_buf()], &WalkOptions::default()).unwrap();
        assert!(w.inputs.is_empty());
        assert_eq!(w.warnings.len(), 1);
    }

    #[test]
    fn explicit_file_of_any_extension_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.bin");
        std::fs::write(&p, b"x").unwrap();
        assert_eq!(walk(&[p], &WalkOptions::default()).unwrap().inputs.len(), 1);
    }
}
