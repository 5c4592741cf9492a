//! The content-addressed extraction and analysis cache.
//!
//! Owns: storing what extraction produced for a file (its pages, or the
//! status it failed with) under a key made of the file's sha256 and the
//! extraction pipeline's identity (extractor names and versions,
//! normalization version, password use, OCR settings), so a re-scan of an
//! unchanged folder skips extraction; and the analysed document beside it,
//! under the same key extended with the analysis's identity (the pattern
//! library's hash and the build's analysis id), so a re-scan with
//! unchanged patterns skips matching and classification too, while a
//! changed pattern file re-analyses from the cached text. Writes are atomic (a temporary file
//! renamed into place), so processes sharing a cache directory never see a
//! half-written entry; every entry carries a checksum, and an entry that
//! does not parse or does not match it is ignored (and rewritten).
//! Timeouts and crashes are not cached: they depend on the machine.
//!
//! Must not: decide what to extract or how.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::extract::{ExtractError, Extracted};
use crate::model::{Document, OcrPage, Status};

/// The key of a document's analysis: the extraction pipeline's identity,
/// the pattern library's origin (its files' hash) and the build's
/// analysis id (a hash of the program's sources, made by the build
/// script).
pub fn analysis_key(pipeline: &str, patterns_origin: &str) -> String {
    format!(
        "{pipeline}; patterns {patterns_origin}; analysis {}",
        env!("POLICYSCAN_ANALYSIS_ID")
    )
}

/// Version of the entry format.
const FORMAT: &str = "v1";

/// An extraction cache rooted at a directory.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Payload {
    Ok {
        pages: Vec<String>,
        extractor: String,
        warnings: Vec<String>,
        #[serde(default)]
        ocr_pages: Vec<OcrPage>,
    },
    Err {
        status: Status,
        reason: String,
    },
}

/// A file of the cache directory.
struct CacheFile {
    path: PathBuf,
    bytes: u64,
    used: std::time::SystemTime,
    /// A temporary file of a write in progress (or of one that stopped).
    partial: bool,
}

#[derive(Serialize, Deserialize)]
struct Entry {
    sha256: String,
    pipeline: String,
    checksum: String,
    payload: String,
}

fn digest_hex(b: &[u8]) -> String {
    crate::hash::sha256_hex(b)
}

impl Cache {
    /// The default location: the user cache directory's `policyscan`.
    pub fn default_dir() -> Option<PathBuf> {
        dirs::cache_dir().map(|d| d.join("policyscan"))
    }

    /// Opens (creating if needed) a cache directory.
    pub fn open(dir: &Path) -> std::io::Result<Cache> {
        let dir = dir.join(FORMAT);
        std::fs::create_dir_all(&dir)?;
        Ok(Cache { dir })
    }

    fn entry_path(&self, sha256: &str, pipeline: &str) -> PathBuf {
        let key = digest_hex(pipeline.as_bytes());
        let shard = sha256.get(..2).unwrap_or("00");
        self.dir
            .join(shard)
            .join(format!("{sha256}-{}.json", &key[..16]))
    }

    /// The cached result for a file, if a valid entry exists.
    pub fn get(&self, sha256: &str, pipeline: &str) -> Option<Result<Extracted, ExtractError>> {
        match serde_json::from_str(&self.read(sha256, pipeline)?).ok()? {
            Payload::Ok {
                pages,
                extractor,
                warnings,
                ocr_pages,
            } => Some(Ok(Extracted {
                pages,
                extractor,
                warnings,
                ocr_pages,
                transient: false,
                textless: false,
            })),
            Payload::Err { status, reason } => Some(Err(match status {
                Status::Encrypted => ExtractError::Encrypted(reason),
                Status::TooLarge => ExtractError::TooLarge(reason),
                Status::Unsupported => ExtractError::Unsupported(reason),
                _ => ExtractError::Malformed(reason),
            })),
        }
    }

    /// The entry's payload, when a valid entry for this key exists. A hit
    /// marks the entry used now (its modification time), which is what
    /// [`Cache::prune`] keeps the newest of.
    fn read(&self, sha256: &str, key: &str) -> Option<String> {
        let path = self.entry_path(sha256, key);
        let data = std::fs::read(&path).ok()?;
        let entry: Entry = serde_json::from_slice(&data).ok()?;
        let valid = entry.sha256 == sha256
            && entry.pipeline == key
            && entry.checksum == digest_hex(entry.payload.as_bytes());
        if valid && let Ok(f) = std::fs::File::options().append(true).open(&path) {
            // Not being able to mark it (a read-only cache) only makes it
            // an earlier candidate for pruning.
            let _ = f.set_modified(std::time::SystemTime::now());
        }
        valid.then_some(entry.payload)
    }

    /// The directory holding the entries.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every entry file with its size and last use, and the temporary
    /// files of writes that never finished.
    fn files(&self) -> std::io::Result<Vec<CacheFile>> {
        let mut out = Vec::new();
        for shard in std::fs::read_dir(&self.dir)? {
            let shard = shard?.path();
            if !shard.is_dir() {
                continue;
            }
            for f in std::fs::read_dir(&shard)? {
                let f = f?;
                let meta = match f.metadata() {
                    Ok(m) if m.is_file() => m,
                    // Removed by another process meanwhile, or not ours.
                    _ => continue,
                };
                let name = f.file_name();
                out.push(CacheFile {
                    path: f.path(),
                    bytes: meta.len(),
                    used: meta.modified().unwrap_or(std::time::UNIX_EPOCH),
                    partial: !name.to_string_lossy().ends_with(".json"),
                });
            }
        }
        Ok(out)
    }

    /// How many entries the cache holds and their total size in bytes.
    pub fn usage(&self) -> std::io::Result<(usize, u64)> {
        let files = self.files()?;
        let entries = files.iter().filter(|f| !f.partial);
        Ok((entries.clone().count(), entries.map(|f| f.bytes).sum()))
    }

    /// Removes the least recently used entries until the cache holds at
    /// most `max_bytes`, and the temporary files of writes that stopped
    /// more than an hour ago. Safe while other processes use the cache:
    /// a removed entry is a miss for them. Returns the entries removed
    /// and the bytes freed.
    pub fn prune(&self, max_bytes: u64) -> std::io::Result<(usize, u64)> {
        let mut files = self.files()?;
        let stale = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let (mut removed, mut freed) = (0, 0);
        let mut remove = |f: &CacheFile| match std::fs::remove_file(&f.path) {
            Ok(()) => {
                freed += f.bytes;
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        };
        for f in files.iter().filter(|f| f.partial && f.used < stale) {
            remove(f)?;
        }
        files.retain(|f| !f.partial);
        // Oldest use first; the path breaks ties, so the order is stable.
        files.sort_by(|a, b| a.used.cmp(&b.used).then_with(|| a.path.cmp(&b.path)));
        let mut total: u64 = files.iter().map(|f| f.bytes).sum();
        for f in &files {
            if total <= max_bytes {
                break;
            }
            total -= f.bytes;
            if remove(f)? {
                removed += 1;
            }
        }
        Ok((removed, freed))
    }

    /// Writes an entry atomically: a temporary file in the entry's
    /// directory, renamed into place.
    fn write(&self, sha256: &str, key: &str, payload: String) -> std::io::Result<()> {
        let entry = Entry {
            sha256: sha256.to_string(),
            pipeline: key.to_string(),
            checksum: digest_hex(payload.as_bytes()),
            payload,
        };
        let path = self.entry_path(sha256, key);
        let parent = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(parent)?;
        let mut tmp = tempfile::NamedTempFile::new_in(parent)?;
        // One write: serialising straight into the file wrote every
        // escaped piece of the payload with a system call of its own.
        tmp.write_all(&serde_json::to_vec(&entry)?)?;
        tmp.flush()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }

    /// The analysed document cached for a file under an analysis key
    /// (see [`analysis_key`]), if a valid entry exists. Its `path` is the
    /// one it was stored with: the caller sets the current one.
    pub fn get_document(&self, sha256: &str, key: &str) -> Option<Document> {
        serde_json::from_str(&self.read(sha256, key)?).ok()
    }

    /// Stores an analysed document under an analysis key.
    pub fn put_document(&self, sha256: &str, key: &str, doc: &Document) -> std::io::Result<()> {
        self.write(sha256, key, serde_json::to_string(doc)?)
    }

    /// Stores a result (timeouts and crashes are not stored).
    pub fn put(
        &self,
        sha256: &str,
        pipeline: &str,
        result: &Result<Extracted, ExtractError>,
    ) -> std::io::Result<()> {
        let payload = match result {
            Ok(e) if e.transient => return Ok(()),
            Ok(e) => Payload::Ok {
                pages: e.pages.clone(),
                extractor: e.extractor.clone(),
                warnings: e.warnings.clone(),
                ocr_pages: e.ocr_pages.clone(),
            },
            Err(ExtractError::Timeout(_) | ExtractError::Crashed(_)) => return Ok(()),
            Err(e) => Payload::Err {
                status: e.status(),
                reason: e.reason().to_string(),
            },
        };
        self.write(sha256, pipeline, serde_json::to_string(&payload)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Extracted {
        Extracted {
            pages: vec!["one".into(), "two".into()],
            extractor: "x".into(),
            warnings: vec!["w".into()],
            ocr_pages: vec![OcrPage {
                page: 2,
                confidence: 91,
                words: 1,
            }],
            transient: false,
            textless: false,
        }
    }

    #[test]
    fn round_trip_and_pipeline_isolation() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::open(dir.path()).unwrap();
        assert!(c.get("ab12", "p1").is_none());
        c.put("ab12", "p1", &Ok(sample())).unwrap();
        assert_eq!(c.get("ab12", "p1").unwrap().unwrap(), sample());
        assert!(c.get("ab12", "p2").is_none());
        // A result of this run's conditions (an OCR timeout) is not kept.
        let transient = Extracted {
            transient: true,
            textless: false,
            ..sample()
        };
        c.put("ef56", "p1", &Ok(transient)).unwrap();
        assert!(c.get("ef56", "p1").is_none());
        c.put("cd34", "p1", &Err(ExtractError::Encrypted("pw".into())))
            .unwrap();
        assert_eq!(
            c.get("cd34", "p1").unwrap().unwrap_err().status(),
            Status::Encrypted
        );
        c.put("ef56", "p1", &Err(ExtractError::Timeout("slow".into())))
            .unwrap();
        assert!(c.get("ef56", "p1").is_none());
    }

    #[test]
    fn documents_are_kept_apart_from_text_and_by_analysis_key() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::open(dir.path()).unwrap();
        let doc = Document::failed("a.pdf".into(), "ab12".into(), Status::NoText, "none".into());
        let key = analysis_key("p1", "builtin@0123");
        c.put("ab12", "p1", &Ok(sample())).unwrap();
        assert!(c.get_document("ab12", &key).is_none());
        c.put_document("ab12", &key, &doc).unwrap();
        assert_eq!(c.get_document("ab12", &key), Some(doc));
        // The text is still there, and another library has no analysis.
        assert_eq!(c.get("ab12", "p1").unwrap().unwrap(), sample());
        assert!(
            c.get_document("ab12", &analysis_key("p1", "builtin@4567"))
                .is_none()
        );
        assert!(
            c.get_document("ab12", &analysis_key("p2", "builtin@0123"))
                .is_none()
        );
        // An extraction entry is not a document.
        assert!(c.get_document("ab12", "p1").is_none());
    }

    #[test]
    fn prune_keeps_the_most_recently_used_entries_within_the_size() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::open(dir.path()).unwrap();
        for sha in ["aa01", "bb02", "cc03"] {
            c.put(sha, "p", &Ok(sample())).unwrap();
        }
        let (entries, bytes) = c.usage().unwrap();
        assert_eq!(entries, 3);
        // Uses far apart, oldest first: bb02, then aa01, then cc03.
        let day = std::time::Duration::from_secs(86_400);
        let now = std::time::SystemTime::now();
        for (sha, age) in [("bb02", 3), ("aa01", 2), ("cc03", 1)] {
            let f = std::fs::File::options()
                .append(true)
                .open(c.entry_path(sha, "p"))
                .unwrap();
            f.set_modified(now - day * age).unwrap();
        }
        // A hit counts as a use: aa01 becomes the newest.
        assert!(c.get("aa01", "p").is_some());
        // A write that stopped long ago is removed; one in progress is not.
        let shard = c.dir().join("aa");
        let stopped = shard.join(".tmpSTOP");
        let writing = shard.join(".tmpLIVE");
        std::fs::write(&stopped, b"{").unwrap();
        std::fs::write(&writing, b"{").unwrap();
        std::fs::File::options()
            .append(true)
            .open(&stopped)
            .unwrap()
            .set_modified(now - day)
            .unwrap();
        let (removed, freed) = c.prune(bytes / 3 + 1).unwrap();
        assert_eq!(removed, 2);
        assert!(freed > 0);
        assert!(c.get("aa01", "p").is_some(), "the newest use is kept");
        assert!(c.get("bb02", "p").is_none());
        assert!(c.get("cc03", "p").is_none());
        assert!(!stopped.exists());
        assert!(writing.exists());
        assert_eq!(c.usage().unwrap().0, 1);
        assert_eq!(c.prune(u64::MAX).unwrap().0, 0);
    }

    #[test]
    fn corrupted_entry_is_a_miss_and_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let c = Cache::open(dir.path()).unwrap();
        c.put("ab12", "p1", &Ok(sample())).unwrap();
        let path = c.entry_path("ab12", "p1");
        let mut text = std::fs::read_to_string(&path).unwrap();
        text = text.replace("one", "0ne");
        std::fs::write(&path, text).unwrap();
        assert!(
            c.get("ab12", "p1").is_none(),
            "checksum must catch the edit"
        );
        std::fs::write(&path, b"{ truncated").unwrap();
        assert!(c.get("ab12", "p1").is_none());
        c.put("ab12", "p1", &Ok(sample())).unwrap();
        assert_eq!(c.get("ab12", "p1").unwrap().unwrap(), sample());
    }
}
