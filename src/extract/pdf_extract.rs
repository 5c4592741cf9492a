//! The pdf-extract backend, driven page by page through its output-device
//! interface.
//!
//! Owns: one pass of `pdf_extract::output_doc` over the document (one font
//! cache for the whole document, unlike the quadratic per-page public
//! call), with page boundaries recorded by an `OutputDev` wrapper around
//! the stock plain-text device. The text buffer lives outside the
//! `catch_unwind` closure, so a panic keeps the pages finished before it;
//! the pages after a panicking page are then retried one at a time, each
//! under its own `catch_unwind`, so one bad page costs only itself.
//!
//! Must not: normalize text or decide statuses beyond load / decrypt
//! failures.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use pdf_extract::{
    ConvertToFmt, Document, MediaBox, OutputDev, OutputError, PlainTextOutput, Transform,
};

use super::panic::catch;
use super::{ExtractError, ExtractOptions, Extracted, Extractor};

/// Name written to the report.
pub const NAME: &str = "pdf-extract";

/// The version of the pdf-extract crate, part of the extraction cache key
/// (a test checks it against Cargo.lock).
pub const VERSION: &str = "0.12.1";

/// Pages after a panic are retried one by one only up to this many, since
/// each retry walks the page tree again.
const MAX_PAGE_RETRIES: usize = 300;

/// The pdf-extract backend.
#[derive(Debug, Default, Clone, Copy)]
pub struct PdfExtract;

#[derive(Clone)]
struct Shared(Rc<RefCell<String>>);

impl fmt::Write for Shared {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.borrow_mut().push_str(s);
        Ok(())
    }
}

impl ConvertToFmt for Shared {
    type Writer = Shared;
    fn convert(self) -> Shared {
        self
    }
}

/// Records where each page's text starts and ends in the shared buffer.
struct Paged {
    inner: PlainTextOutput<Shared>,
    buf: Rc<RefCell<String>>,
    current: Option<(u32, usize)>,
    done: Rc<RefCell<BTreeMap<u32, String>>>,
}

impl OutputDev for Paged {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &MediaBox,
        art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.current = Some((page_num, self.buf.borrow().len()));
        self.inner.begin_page(page_num, media_box, art_box)
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.inner.end_page()?;
        if let Some((n, start)) = self.current.take() {
            let text = self.buf.borrow()[start..].to_string();
            self.done.borrow_mut().insert(n, text);
        }
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        self.inner
            .output_character(trm, width, spacing, font_size, char)
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        self.inner.begin_word()
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        self.inner.end_word()
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        self.inner.end_line()
    }
}

fn device(done: &Rc<RefCell<BTreeMap<u32, String>>>) -> Paged {
    let buf = Rc::new(RefCell::new(String::new()));
    Paged {
        inner: PlainTextOutput::new(Shared(buf.clone())),
        buf,
        current: None,
        done: done.clone(),
    }
}

/// Loads a document, opening it with the empty or the given password.
fn load(data: &[u8], opts: &ExtractOptions) -> Result<Document, ExtractError> {
    let options = match &opts.password {
        Some(p) => pdf_extract::LoadOptions::with_password(p),
        None => pdf_extract::LoadOptions::default(),
    };
    let doc = match catch(|| Document::load_mem_with_options(data, options)) {
        Ok(Ok(doc)) => doc,
        Ok(Err(e)) => return Err(load_error(&e.to_string())),
        Err(panic) => return Err(ExtractError::Malformed(format!("parser panicked: {panic}"))),
    };
    if doc.is_encrypted() {
        return Err(ExtractError::Encrypted(if opts.password.is_some() {
            "the given password does not open this document".into()
        } else {
            "a password is required (use --password)".into()
        }));
    }
    Ok(doc)
}

fn load_error(msg: &str) -> ExtractError {
    let lower = msg.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("decrypt") || lower.contains("encrypt") {
        ExtractError::Encrypted(msg.to_string())
    } else {
        ExtractError::Malformed(format!("cannot parse: {msg}"))
    }
}

impl Extractor for PdfExtract {
    fn name(&self) -> &'static str {
        NAME
    }

    fn extract(&self, data: &[u8], opts: &ExtractOptions) -> Result<Extracted, ExtractError> {
        let doc = load(data, opts)?;
        let page_numbers: Vec<u32> = match catch(|| doc.get_pages()) {
            Ok(p) => p.keys().copied().collect(),
            Err(panic) => {
                return Err(ExtractError::Malformed(format!(
                    "cannot walk the page tree: {panic}"
                )));
            }
        };
        if page_numbers.is_empty() {
            return Err(ExtractError::Malformed(
                "no pages found in the page tree".into(),
            ));
        }
        super::report_progress(super::Progress::Pages(page_numbers.len()));
        let done = Rc::new(RefCell::new(BTreeMap::new()));
        let mut warnings = Vec::new();
        let mut dev = device(&done);
        let first = catch(|| pdf_extract::output_doc(&doc, &mut dev));
        let failed_page = dev.current.map(|(n, _)| n);
        match first {
            Ok(Ok(())) => {}
            Ok(Err(e)) => warnings.push(match failed_page {
                Some(n) => format!("page {n}: {e}"),
                None => format!("pdf-extract: {e}"),
            }),
            Err(panic) => warnings.push(match failed_page {
                Some(n) => format!("page {n}: pdf-extract panicked: {panic}"),
                None => format!("pdf-extract panicked: {panic}"),
            }),
        }
        // Retry the pages that did not finish, one at a time.
        let missing: Vec<u32> = page_numbers
            .iter()
            .copied()
            .filter(|n| !done.borrow().contains_key(n) && Some(*n) != failed_page)
            .collect();
        if !missing.is_empty() {
            if missing.len() > MAX_PAGE_RETRIES {
                warnings.push(format!(
                    "{} pages after the failing page were not retried (limit {MAX_PAGE_RETRIES})",
                    missing.len()
                ));
            }
            for &n in missing.iter().take(MAX_PAGE_RETRIES) {
                let mut dev = device(&done);
                match catch(|| pdf_extract::output_doc_page(&doc, &mut dev, n)) {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => warnings.push(format!("page {n}: {e}")),
                    Err(panic) => warnings.push(format!("page {n}: pdf-extract panicked: {panic}")),
                }
            }
        }
        let done = done.borrow();
        let pages = page_numbers
            .iter()
            .map(|n| done.get(n).cloned().unwrap_or_default())
            .collect();
        Ok(Extracted {
            pages,
            extractor: NAME.to_string(),
            warnings,
            ocr_pages: Vec::new(),
            transient: false,
            textless: false,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_is_the_locked_one() {
        let lock = include_str!("../../Cargo.lock");
        let entry = format!("name = \"pdf-extract\"\nversion = \"{}\"", super::VERSION);
        assert!(lock.contains(&entry), "Cargo.lock has no {entry:?}");
    }
}
