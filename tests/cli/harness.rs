//! Helpers of the isolation, resume, usage and corpus tests: the binary
//! with the fault hook off, tiny PDFs, JSONL parsing.

use std::path::{Path, PathBuf};

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_policyscan")
}

/// A fresh, empty user cache directory for one command: these tests
/// watch workers crash and hang, which a cached result would skip.
pub fn fresh_cache_home() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "policyscan-isolation-cache-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a test cache directory");
    dir
}

/// `policyscan` as an `assert_cmd` command, with the test fault hook off,
/// an empty cache of its own and no configuration file.
pub fn policyscan() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(bin());
    c.env_remove("POLICYSCAN_TEST_FAULT")
        .env("XDG_CACHE_HOME", fresh_cache_home())
        .env("XDG_CONFIG_HOME", super::common::config_home())
        .env_remove("POLICYSCAN_CONFIG");
    c
}

/// The shared folder beside the repository (`../shared`), if present.
pub fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    p.join("corpus").is_dir().then_some(p)
}

/// A minimal one-page PDF whose page shows `text` (Helvetica), with a
/// correct cross-reference table.
pub fn tiny_pdf(text: &str) -> Vec<u8> {
    let content = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
         /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len() + 1
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_string(),
    ];
    let objects: Vec<Option<&str>> = objects.iter().map(|o| Some(o.as_str())).collect();
    pdf_of(&objects)
}

/// A PDF of numbered object bodies (`None`: an object the
/// cross-reference table lists as in use, at an offset that holds none),
/// with a correct cross-reference table; object 1 is the catalog.
pub fn pdf_of(objects: &[Option<&str>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        match o {
            Some(o) => out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes()),
            None => out.extend_from_slice(b"% no object here\n"),
        }
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// The document lines of a JSONL report.
pub fn documents(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("a JSON line"))
        .filter(|v| v["type"] == "document")
        .collect()
}

/// The document for a file name in a JSONL report.
pub fn doc_named<'a>(docs: &'a [serde_json::Value], name: &str) -> &'a serde_json::Value {
    let hits: Vec<&serde_json::Value> = docs
        .iter()
        .filter(|d| d["path"].as_str().is_some_and(|p| p.ends_with(name)))
        .collect();
    assert_eq!(hits.len(), 1, "{name} appears {} times", hits.len());
    hits[0]
}
