//! PDF and text extraction: bytes in, text per page out.
//!
//! Owns: the [`Extractor`] trait every backend implements, the error type
//! that maps extraction failures onto report statuses, file-type sniffing,
//! the chain that tries backends in order, the default chain
//! ([`default_chain`]) and the extraction of one file in this process
//! from plain options ([`extract_file`]). Backends live in their own
//! files (`lopdf_text`, the own layer; `pdf_extract`; `pdftotext`; `text`),
//! the page-level fallback between the first two in `fallback`, OCR of
//! pages without text (`--ocr`) as a step after the chain in `ocr`; the
//! worker process's side of process isolation in `worker`, which learns
//! what the chain is doing through [`report_progress`]. The pool of
//! workers and the extraction cache belong to the scan pipeline, which
//! calls [`extract_file`] or sends the same options to a worker.
//!
//! Must not: normalize or interpret text (that is `normalize` and
//! `classify`), cache results or start processes (that is `scan`).

pub mod fallback;
pub mod lopdf_text;
pub mod ocr;
pub mod panic;
pub mod pdf_extract;
pub mod pdftotext;
pub mod text;
pub mod worker;

/// The end of every PDF the unit tests build with lopdf: the page tree of
/// `kids` under `pages_id`, the catalog, and the saved bytes.
#[cfg(test)]
pub(crate) fn finish_test_pdf(
    mut doc: lopdf::Document,
    pages_id: lopdf::ObjectId,
    kids: Vec<lopdf::Object>,
) -> Vec<u8> {
    use lopdf::{Object, dictionary};
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => count }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut buf = Vec::new();
    doc.save_to(&mut buf).expect("save");
    buf
}

use std::path::Path;
use std::sync::OnceLock;

use crate::model::{OcrPage, Status};

/// What the extraction of the current document is doing; a worker process
/// forwards these to its parent so a crash can be blamed on the extractor
/// that was running, and the time limit can grow with the page count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    /// The named extractor starts on the document.
    Extractor(&'a str),
    /// The document has this many pages.
    Pages(usize),
    /// OCR starts on one more page.
    OcrPage,
}

/// Receives [`Progress`] events.
pub type ProgressObserver = Box<dyn Fn(Progress<'_>) + Send + Sync>;

static OBSERVER: OnceLock<ProgressObserver> = OnceLock::new();

/// Installs the process-wide progress observer (once; later calls are
/// ignored and return `false`). Only the worker process installs one.
pub fn set_progress_observer(f: ProgressObserver) -> bool {
    OBSERVER.set(f).is_ok()
}

/// Reports progress to the observer, if any.
pub fn report_progress(p: Progress<'_>) {
    if let Some(o) = OBSERVER.get() {
        o(p);
    }
}

/// Text extracted from one document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Extracted {
    /// Raw text of each page, in page order.
    pub pages: Vec<String>,
    /// Name of the extractor that produced it.
    pub extractor: String,
    /// Non-fatal problems (a page that failed, a limit hit).
    pub warnings: Vec<String>,
    /// Pages whose text came from OCR, in page order.
    pub ocr_pages: Vec<OcrPage>,
    /// The result depends on this run's conditions (the OCR engine timed
    /// out, was missing or was killed): it is not cached.
    pub transient: bool,
    /// The backend read every page completely (no warning), no page draws
    /// a single glyph and the file holds no font: the document has no text
    /// layer, and no backend after it can find text ([`extract_chain`]
    /// stops there). Not cached, not sent by workers: it only steers the
    /// chain.
    pub textless: bool,
}

impl Extracted {
    /// Whether any page holds visible text.
    pub fn has_text(&self) -> bool {
        self.pages
            .iter()
            .any(|p| p.chars().any(|c| !c.is_whitespace()))
    }
}

/// Why a document yielded no text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// Encrypted and the password (empty or given) does not open it.
    #[error("encrypted: {0}")]
    Encrypted(String),
    /// Not a well-formed PDF.
    #[error("malformed: {0}")]
    Malformed(String),
    /// A size limit was exceeded.
    #[error("too large: {0}")]
    TooLarge(String),
    /// The time limit was exceeded.
    #[error("timeout: {0}")]
    Timeout(String),
    /// The extraction worker died.
    #[error("crashed: {0}")]
    Crashed(String),
    /// The file type is not supported.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

impl ExtractError {
    /// The report status for this error.
    pub fn status(&self) -> Status {
        match self {
            ExtractError::Encrypted(_) => Status::Encrypted,
            ExtractError::Malformed(_) => Status::Malformed,
            ExtractError::TooLarge(_) => Status::TooLarge,
            ExtractError::Timeout(_) => Status::Timeout,
            ExtractError::Crashed(_) => Status::Crashed,
            ExtractError::Unsupported(_) => Status::Unsupported,
        }
    }

    /// The human-readable reason, without the status prefix.
    pub fn reason(&self) -> &str {
        match self {
            ExtractError::Encrypted(s)
            | ExtractError::Malformed(s)
            | ExtractError::TooLarge(s)
            | ExtractError::Timeout(s)
            | ExtractError::Crashed(s)
            | ExtractError::Unsupported(s) => s,
        }
    }
}

/// What extracted text depends on besides the file and the options: the
/// backends' versions (the own text layer's layout version included) and
/// whether pdftotext is installed (part of the extraction cache key).
pub fn backends_identity() -> String {
    format!(
        "{} layout {}; pdf-extract {}; pdftotext {}",
        lopdf_text::NAME,
        lopdf_text::LAYOUT_VERSION,
        pdf_extract::VERSION,
        if pdftotext::available() { "yes" } else { "no" }
    )
}

/// Options every extractor honours.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtractOptions {
    /// Password for encrypted PDFs (the empty password is always tried).
    pub password: Option<String>,
    /// Extractors (by name) the chain must not try, because they crashed
    /// a worker on this document before.
    pub skip: Vec<String>,
    /// OCR for pages without text (`--ocr`); `None` leaves them empty.
    pub ocr: Option<ocr::OcrOptions>,
}

/// How to extract one file in this process: plain options only, so a
/// worker process that receives them cannot hand the file on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileOptions {
    /// Passed to the backends.
    pub extract: ExtractOptions,
    /// Larger files are not opened (`--max-filesize`); 0 means no limit.
    pub max_filesize: u64,
}

/// A PDF text backend.
pub trait Extractor: Send + Sync {
    /// Name written to the report's `extractor` field.
    fn name(&self) -> &'static str;
    /// Extracts the text of every page.
    fn extract(&self, data: &[u8], opts: &ExtractOptions) -> Result<Extracted, ExtractError>;
}

/// What a file is, judged from its bytes (and its name for text files).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Starts with `%PDF-` (within the first KiB, as viewers accept).
    Pdf,
    /// A `.txt` or `.md` file.
    Text,
}

/// Sniffs a file: PDFs by their header, text by extension. A `.pdf` name
/// without a PDF header is an error, never read as text.
pub fn sniff(name: &std::path::Path, data: &[u8]) -> Result<Kind, ExtractError> {
    let head = &data[..data.len().min(1024)];
    if head.windows(5).any(|w| w == b"%PDF-") {
        return Ok(Kind::Pdf);
    }
    let ext = name
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("txt" | "md" | "markdown" | "text") => Ok(Kind::Text),
        Some("pdf") if data.is_empty() => {
            Err(ExtractError::Malformed("empty file (0 bytes)".into()))
        }
        Some("pdf") => Err(ExtractError::Malformed(
            "no %PDF- header in the first 1024 bytes: not a PDF".into(),
        )),
        _ => Err(ExtractError::Unsupported(
            "not a PDF, .txt or .md file".into(),
        )),
    }
}

/// The PDF backends, in the order they are tried: the own text layer
/// (with the pages it finds no Unicode text on read by pdf-extract), then
/// pdf-extract, then pdftotext.
pub fn default_chain() -> Vec<Box<dyn Extractor>> {
    vec![
        Box::new(fallback::WithPageFallback {
            own: lopdf_text::LopdfText::default(),
            other: pdf_extract::PdfExtract,
        }),
        Box::new(pdf_extract::PdfExtract),
        Box::new(pdftotext::PdfToText::default()),
    ]
}

/// The `too_large` result (with the file's sha256) for a file over
/// `max_filesize` bytes; `None` when it is within the limit (or there is
/// none).
pub fn over_size_limit(path: &Path, max_filesize: u64) -> Option<(String, ExtractError)> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if max_filesize == 0 || size <= max_filesize {
        return None;
    }
    let sha = crate::hash::sha256_file(path).unwrap_or_default();
    Some((
        sha,
        ExtractError::TooLarge(format!(
            "file is {size} bytes, over the --max-filesize limit of {max_filesize} bytes"
        )),
    ))
}

/// Reads a file and extracts its text in this process: text files as
/// they are, PDFs through the [`default_chain`] and then OCR (when
/// asked). Returns the sha256 of the bytes read (empty when the file
/// could not be read) and the result, every failure a status.
pub fn extract_file(path: &Path, opts: &FileOptions) -> (String, Result<Extracted, ExtractError>) {
    if let Some((sha, e)) = over_size_limit(path, opts.max_filesize) {
        return (sha, Err(e));
    }
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            return (
                String::new(),
                Err(ExtractError::Unsupported(format!("cannot read file: {e}"))),
            );
        }
    };
    let sha = crate::hash::sha256_hex(&data);
    let result = match sniff(path, &data) {
        Ok(Kind::Text) => Ok(text::extract(&data)),
        Ok(Kind::Pdf) => {
            let chain = default_chain();
            let chain: Vec<&dyn Extractor> = chain.iter().map(|e| e.as_ref()).collect();
            let result = extract_chain(&chain, &data, &opts.extract);
            ocr::apply(result, &data, &opts.extract)
        }
        Err(e) => Err(e),
    };
    (sha, result)
}

/// Tries extractors in order and returns the first that yields text; when
/// none does, the earlier of the first success without text and the first
/// error (a document the leading backend cannot parse is `malformed`, not
/// `no_text` because a later backend skipped what it could not read).
pub fn extract_chain(
    chain: &[&dyn Extractor],
    data: &[u8],
    opts: &ExtractOptions,
) -> Result<Extracted, ExtractError> {
    let mut first_ok: Option<Extracted> = None;
    let mut first_err: Option<ExtractError> = None;
    let mut err_first = false;
    let mut notes: Vec<String> = Vec::new();
    for ex in chain {
        if opts.skip.iter().any(|s| s == ex.name()) {
            continue;
        }
        report_progress(Progress::Extractor(ex.name()));
        match ex.extract(data, opts) {
            Ok(mut e) if e.has_text() => {
                notes.append(&mut e.warnings);
                e.warnings = notes;
                return Ok(e);
            }
            Ok(e) => {
                notes.push(format!("{}: no text", ex.name()));
                if first_ok.is_none() && first_err.is_none() {
                    err_first = false;
                }
                let textless = e.textless;
                first_ok.get_or_insert(e);
                if textless {
                    break;
                }
            }
            Err(err) => {
                // An encrypted file stays encrypted whatever backend comes
                // next, and a decompression bomb stays a bomb (the next
                // backend may have no inflate limit at all).
                let stop = matches!(err, ExtractError::Encrypted(_) | ExtractError::TooLarge(_));
                notes.push(format!("{}: {err}", ex.name()));
                if first_ok.is_none() && first_err.is_none() {
                    err_first = true;
                }
                first_err.get_or_insert(err);
                if stop {
                    break;
                }
            }
        }
    }
    if err_first && let Some(err) = first_err.take() {
        return Err(err);
    }
    match (first_ok, first_err) {
        (Some(mut e), _) => {
            e.warnings = notes;
            Ok(e)
        }
        (None, Some(err)) => Err(err),
        (None, None) => Err(ExtractError::Unsupported(
            "no extractor left to try (every one was skipped)".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn sniff_by_header_not_extension() {
        assert_eq!(
            sniff(Path::new("a.bin"), b"junk%PDF-1.4").unwrap(),
            Kind::Pdf
        );
        assert_eq!(sniff(Path::new("a.md"), b"# hi").unwrap(), Kind::Text);
        assert_eq!(
            sniff(Path::new("a.pdf"), b"ketamine text")
                .unwrap_err()
                .status(),
            Status::Malformed
        );
        assert_eq!(
            sniff(Path::new("a.pdf"), b"").unwrap_err().status(),
            Status::Malformed
        );
        assert_eq!(
            sniff(Path::new("a.docx"), b"PK").unwrap_err().status(),
            Status::Unsupported
        );
    }

    struct Fixed(Result<Extracted, ExtractError>, &'static str);
    impl Extractor for Fixed {
        fn name(&self) -> &'static str {
            self.1
        }
        fn extract(&self, _: &[u8], _: &ExtractOptions) -> Result<Extracted, ExtractError> {
            self.0.clone()
        }
    }

    /// An extractor `name` that reads one page of text.
    fn reads_text(name: &'static str) -> Fixed {
        Fixed(
            Ok(Extracted {
                pages: vec!["text".into()],
                extractor: name.into(),
                ..Extracted::default()
            }),
            name,
        )
    }

    #[test]
    fn a_backend_that_proved_there_is_no_text_ends_the_chain() {
        let textless = |proved: bool| {
            Fixed(
                Ok(Extracted {
                    pages: vec![" ".into()],
                    extractor: "a".into(),
                    textless: proved,
                    ..Extracted::default()
                }),
                "a",
            )
        };
        let b = reads_text("b");
        let (a, opts) = (textless(true), ExtractOptions::default());
        let got = extract_chain(&[&a, &b], b"", &opts).unwrap();
        assert_eq!((got.extractor.as_str(), got.has_text()), ("a", false));
        assert_eq!(got.warnings, vec!["a: no text".to_string()]);
        let a = textless(false);
        assert_eq!(extract_chain(&[&a, &b], b"", &opts).unwrap().extractor, "b");
    }

    #[test]
    fn chain_falls_back_until_text() {
        let a = Fixed(Err(ExtractError::Malformed("bad xref".into())), "a");
        let b = reads_text("b");
        let got = extract_chain(&[&a, &b], b"", &ExtractOptions::default()).unwrap();
        assert_eq!(got.extractor, "b");
        assert_eq!(got.warnings, vec!["a: malformed: bad xref".to_string()]);
    }

    #[test]
    fn leading_parse_error_beats_a_later_empty_read() {
        let a = Fixed(
            Err(ExtractError::Malformed("100k nested arrays".into())),
            "a",
        );
        let b = Fixed(
            Ok(Extracted {
                pages: vec![String::new()],
                extractor: "b".into(),
                warnings: vec![],
                ocr_pages: vec![],
                transient: false,
                textless: false,
            }),
            "b",
        );
        let got = extract_chain(&[&a, &b], b"", &ExtractOptions::default());
        assert_eq!(got.unwrap_err().status(), Status::Malformed);
        let got = extract_chain(&[&b, &a], b"", &ExtractOptions::default());
        assert_eq!(got.unwrap().extractor, "b");
    }

    #[test]
    fn chain_stops_on_too_large() {
        let a = Fixed(Err(ExtractError::TooLarge("bomb".into())), "a");
        let b = reads_text("b");
        let got = extract_chain(&[&a, &b], b"", &ExtractOptions::default());
        assert_eq!(got.unwrap_err().status(), Status::TooLarge);
    }

    #[test]
    fn chain_stops_on_encrypted() {
        let a = Fixed(Err(ExtractError::Encrypted("password".into())), "a");
        let b = reads_text("b");
        let got = extract_chain(&[&a, &b], b"", &ExtractOptions::default());
        assert_eq!(got.unwrap_err().status(), Status::Encrypted);
    }

    #[test]
    fn chain_skips_named_extractors() {
        let a = Fixed(Err(ExtractError::Crashed("never run".into())), "a");
        let b = reads_text("b");
        let opts = ExtractOptions {
            skip: vec!["a".into()],
            ..ExtractOptions::default()
        };
        let got = extract_chain(&[&a, &b], b"", &opts).unwrap();
        assert_eq!(got.extractor, "b");
        assert!(got.warnings.is_empty());
        let none = extract_chain(&[&a], b"", &opts).unwrap_err();
        assert_eq!(none.status(), Status::Unsupported);
    }
}
