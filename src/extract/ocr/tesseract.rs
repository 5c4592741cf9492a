//! The `tesseract` command (Debian's tesseract-ocr) as a subprocess.
//!
//! Owns: finding the program and describing it once per process (version,
//! language data, for the cache key), running it on one page bitmap with
//! a time limit, and turning its TSV output into the page's text (words,
//! lines and paragraphs in its reading order) and the mean word
//! confidence.
//!
//! Why a subprocess and not a binding crate: nothing to compile or link
//! (no C++ toolchain, no libtesseract-dev headers), a crash or runaway in
//! Tesseract or Leptonica cannot take policyscan down, the time limit is a
//! kill, and the input it reads is a PGM bitmap policyscan wrote itself
//! within its pixel caps, never the untrusted PDF. Spawning costs a few
//! milliseconds; recognizing a page costs about a second.
//!
//! Must not: look at PDFs or choose what to recognize (`ocr` does).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use image::GrayImage;
use wait_timeout::ChildExt;

/// Name of the engine in the report (`ocr:tesseract`).
pub const ENGINE: &str = "tesseract";

/// Environment variable naming the program to run instead of `tesseract`
/// (a full path, or a name looked up in `PATH`).
pub const PROGRAM_ENV: &str = "POLICYSCAN_TESSERACT";

/// The installed engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// The program run.
    pub program: String,
    /// `tesseract 5.3.0; leptonica-1.82.0`.
    pub version: String,
    /// The language-data folder, if it said.
    pub tessdata: Option<PathBuf>,
    /// Installed languages (`eng`, `osd`, ...).
    pub languages: Vec<String>,
}

impl Engine {
    /// A fingerprint of a language's data (its file size), for the cache
    /// key: the same language from another package version reads
    /// differently.
    pub fn language_fingerprint(&self, lang: &str) -> String {
        lang.split('+')
            .map(|l| {
                let size = self
                    .tessdata
                    .as_ref()
                    .and_then(|d| std::fs::metadata(d.join(format!("{l}.traineddata"))).ok())
                    .map_or(0, |m| m.len());
                format!("{l}:{size}")
            })
            .collect::<Vec<_>>()
            .join("+")
    }
}

/// Why a page could not be recognized.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TesseractError {
    /// The program is missing or cannot be started.
    #[error("cannot run {0}")]
    Missing(String),
    /// It ran longer than the limit and was killed.
    #[error("tesseract ran longer than {0} s on the page and was stopped")]
    Timeout(u64),
    /// It failed.
    #[error("tesseract failed: {0}")]
    Failed(String),
}

fn program() -> String {
    std::env::var(PROGRAM_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "tesseract".into())
}

fn run_quick(program: &str, arg: &str) -> Option<String> {
    let out = Command::new(program)
        .arg(arg)
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    // Versions print to stdout (5.x) or stderr (older releases).
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    Some(text)
}

/// The installed engine, found and described once per process; `None`
/// when it cannot be run.
pub fn engine() -> Option<&'static Engine> {
    static ENGINE_INFO: OnceLock<Option<Engine>> = OnceLock::new();
    ENGINE_INFO
        .get_or_init(|| {
            let program = program();
            let version_text = run_quick(&program, "--version")?;
            let mut lines = version_text.lines().map(str::trim);
            let first = lines.find(|l| l.starts_with("tesseract"))?.to_string();
            let lept = version_text
                .lines()
                .map(str::trim)
                .find(|l| l.starts_with("leptonica"));
            let version = match lept {
                Some(l) => format!("{first}; {l}"),
                None => first,
            };
            let langs_text = run_quick(&program, "--list-langs").unwrap_or_default();
            let tessdata = langs_text
                .lines()
                .find(|l| l.starts_with("List of available languages"))
                .and_then(|l| l.split('"').nth(1))
                .map(PathBuf::from);
            let languages = langs_text
                .lines()
                .filter(|l| !l.starts_with("List of") && !l.trim().is_empty())
                .map(|l| l.trim().to_string())
                .collect();
            Some(Engine {
                program,
                version,
                tessdata,
                languages,
            })
        })
        .as_ref()
}

/// What Tesseract read on one page.
#[derive(Debug, Clone, PartialEq)]
pub struct PageText {
    /// The text: words joined by spaces, lines by newlines, paragraphs
    /// and blocks by blank lines.
    pub text: String,
    /// Mean confidence of the words, 0-100 (0 when there are none).
    pub confidence: f64,
    /// Number of words.
    pub words: u32,
}

/// The bitmap as a binary PGM (what Leptonica reads from stdin).
fn pgm(img: &GrayImage) -> Vec<u8> {
    let mut out = format!("P5\n{} {}\n255\n", img.width(), img.height()).into_bytes();
    out.extend_from_slice(img.as_raw());
    out
}

/// Recognizes one page bitmap rendered at `dpi`.
pub fn recognize(
    img: &GrayImage,
    dpi: u32,
    lang: &str,
    timeout: Duration,
) -> Result<PageText, TesseractError> {
    let program = engine().map_or_else(program, |e| e.program.clone());
    let mut child = Command::new(&program)
        .args(["stdin", "stdout", "-l", lang, "--psm", "3", "--dpi"])
        .arg(dpi.to_string())
        .arg("tsv")
        // Tesseract's OpenMP threads only add overhead when documents are
        // already processed in parallel (measured: 1.3 s vs 4.5 s a page).
        .env("OMP_THREAD_LIMIT", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| TesseractError::Missing(format!("{program}: {e}")))?;
    let input = pgm(img);
    let mut stdin = child.stdin.take();
    let writer = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            // A write error means the child died; its status says why.
            let _ = s.write_all(&input);
        }
    });
    let mut stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_end(&mut buf);
        }
        buf
    });
    let mut stderr = child.stderr.take();
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr.as_mut() {
            // Keep the start; drain the rest, so the engine never dies
            // of a closed pipe.
            let _ = s.by_ref().take(64 << 10).read_to_end(&mut buf);
            let _ = std::io::copy(s, &mut std::io::sink());
        }
        buf
    });
    let status = match child.wait_timeout(timeout) {
        Ok(Some(status)) => status,
        Ok(None) | Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            let _ = writer.join();
            let _ = reader.join();
            let _ = err_reader.join();
            return Err(TesseractError::Timeout(timeout.as_secs()));
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    if !status.success() {
        let msg = String::from_utf8_lossy(&err);
        let msg = msg
            .lines()
            .map(str::trim)
            .rfind(|l| !l.is_empty() && !l.starts_with("Estimating resolution"))
            .unwrap_or("no message")
            .to_string();
        return Err(TesseractError::Failed(match status.code() {
            Some(c) => format!("exit status {c}: {msg}"),
            None => format!("killed by a signal: {msg}"),
        }));
    }
    Ok(parse_tsv(&String::from_utf8_lossy(&out)))
}

/// Builds the page text and mean confidence from `tsv` output.
pub fn parse_tsv(tsv: &str) -> PageText {
    let mut text = String::new();
    let mut last: Option<(u32, u32, u32)> = None;
    let mut conf_sum = 0.0f64;
    let mut words = 0u32;
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.splitn(12, '\t').collect();
        if cols.len() < 12 || cols[0] != "5" {
            continue;
        }
        let word = cols[11].trim();
        if word.is_empty() {
            continue;
        }
        let num = |i: usize| cols[i].parse::<u32>().unwrap_or(0);
        let (block, par, ln) = (num(2), num(3), num(4));
        match last {
            None => {}
            Some((b, p, _)) if (b, p) != (block, par) => text.push_str("\n\n"),
            Some((_, _, l)) if l != ln => text.push('\n'),
            Some(_) => text.push(' '),
        }
        last = Some((block, par, ln));
        text.push_str(word);
        if let Ok(c) = cols[10].trim().parse::<f64>()
            && c >= 0.0
        {
            conf_sum += c.min(100.0);
            words += 1;
        }
    }
    if !text.is_empty() {
        text.push('\n');
    }
    PageText {
        text,
        confidence: if words > 0 {
            conf_sum / f64::from(words)
        } else {
            0.0
        },
        words,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_to_lines_paragraphs_and_confidence() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
            1\t1\t0\t0\t0\t0\t0\t0\t850\t1100\t-1\t\n\
            5\t1\t1\t1\t1\t1\t1\t1\t1\t1\t90\tKetamine\n\
            5\t1\t1\t1\t1\t2\t1\t1\t1\t1\t80\tis\n\
            5\t1\t1\t1\t2\t1\t1\t1\t1\t1\t70\texcluded.\n\
            5\t1\t1\t2\t1\t1\t1\t1\t1\t1\t60\tNext\n\
            5\t1\t1\t2\t1\t2\t1\t1\t1\t1\t-1\t \n";
        let p = parse_tsv(tsv);
        assert_eq!(p.text, "Ketamine is\nexcluded.\n\nNext\n");
        assert_eq!(p.words, 4);
        assert!((p.confidence - 75.0).abs() < 1e-9);
        assert_eq!(parse_tsv("").words, 0);
    }

    #[test]
    fn pgm_header() {
        let img = GrayImage::from_raw(2, 1, vec![0, 255]).unwrap();
        assert_eq!(pgm(&img), b"P5\n2 1\n255\n\x00\xff");
    }
}
