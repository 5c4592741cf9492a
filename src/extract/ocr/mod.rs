//! OCR for pages without a text layer (`--ocr`, off by default): a step
//! after the extractor chain, run wherever extraction runs (in-process, or
//! inside an extraction worker with its time and memory limits), so its
//! result is cached with the rest of the extraction.
//!
//! Owns: choosing the pages (those with no visible text that draw images,
//! or glyphs without Unicode), choosing how to get each page's pixels (the
//! one embedded image directly, else the whole page rendered), the OCR
//! settings and their identity for the cache key, and merging the result
//! back: page texts, `ocr_pages` with each page's mean confidence, the
//! extractor name (`ocr:tesseract`, or `<extractor>+ocr:tesseract` when
//! the text layer supplied other pages) and warnings (pages not read and
//! why, pages read with low confidence).
//!
//! The parts: `bitmap` (decoding one embedded image and scaling it toward
//! the target resolution), `render` (rasterizing a whole page with hayro)
//! and `tesseract` (the engine, a subprocess). The PDF's structure is read
//! by `lopdf_text::images` with the text layer's loader, page walk and
//! limits.
//!
//! Must not: touch pages that have text, or run when `--ocr` is off.

pub mod bitmap;
pub mod render;
pub mod tesseract;

use std::time::Duration;

use super::lopdf_text::Limits;
use super::lopdf_text::images::{self, Codec, PageImages};
use super::panic::catch;
use super::{ExtractError, ExtractOptions, Extracted};
use crate::model::OcrPage;
use bitmap::{BitmapError, Caps};

/// Language used when `--ocr-lang` is not given.
pub const DEFAULT_LANGUAGE: &str = "eng";
/// Resolution page bitmaps are brought to (Tesseract is trained on
/// text of about this size).
pub const DEFAULT_DPI: u32 = 300;
/// Longest the engine may take on one page.
pub const PAGE_TIMEOUT_SECS: u64 = 60;
/// Pages read with a lower mean word confidence get a warning.
pub const LOW_CONFIDENCE: u8 = 70;
/// The OCR step's summary warning starts with this.
pub const SUMMARY_PREFIX: &str = "OCR (--ocr): ";
/// Version of this module's own processing (bitmap preparation, text
/// assembly), part of the cache key: bump it when their output changes.
pub const OCR_VERSION: u32 = 2;

/// What `--ocr` turns on; travels in [`ExtractOptions`] to wherever
/// extraction runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcrOptions {
    /// Tesseract language(s), e.g. `eng` or `eng+spa`.
    pub language: String,
    /// Target resolution of page bitmaps.
    pub dpi: u32,
    /// Per-page time limit for the engine, in seconds.
    pub page_timeout_secs: u64,
}

impl Default for OcrOptions {
    fn default() -> Self {
        OcrOptions {
            language: DEFAULT_LANGUAGE.to_string(),
            dpi: DEFAULT_DPI,
            page_timeout_secs: PAGE_TIMEOUT_SECS,
        }
    }
}

/// Name written to `extractor` for text that came from OCR.
pub fn extractor_name() -> String {
    format!("ocr:{}", tesseract::ENGINE)
}

/// Validates `--ocr` / `--ocr-lang`: the engine must run and have the
/// language(s). The error says how to install what is missing.
pub fn check(language: &str) -> Result<OcrOptions, String> {
    let language = language.trim();
    if language.is_empty()
        || !language
            .split('+')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        return Err(format!(
            "--ocr-lang {language:?}: expected Tesseract language codes such as eng or eng+spa"
        ));
    }
    let Some(engine) = tesseract::engine() else {
        return Err(format!(
            "--ocr needs the tesseract program, which cannot be run here; install it \
             (Debian/Ubuntu: apt-get install tesseract-ocr tesseract-ocr-eng, or run \
             scripts/setup.sh), or set {} to its path",
            tesseract::PROGRAM_ENV
        ));
    };
    if let Some(missing) = language
        .split('+')
        .find(|l| !engine.languages.iter().any(|have| have == l))
    {
        return Err(format!(
            "--ocr-lang: tesseract has no language data for {missing:?} (installed: {}); \
             Debian packages it as tesseract-ocr-{missing}",
            engine.languages.join(", ")
        ));
    }
    Ok(OcrOptions {
        language: language.to_string(),
        ..OcrOptions::default()
    })
}

/// The OCR part of the extraction pipeline's identity (the cache key):
/// engine version, language data, resolution and this module's version.
pub fn pipeline(o: &OcrOptions) -> String {
    let (version, langs) = match tesseract::engine() {
        Some(e) => (e.version.clone(), e.language_fingerprint(&o.language)),
        None => ("none".to_string(), o.language.clone()),
    };
    format!("ocr v{OCR_VERSION} {version} lang {langs} dpi {}", o.dpi)
}

/// How a page's pixels were got: its one embedded image, decoded.
const EMBEDDED: &str = "embedded image";
/// How a page's pixels were got: the whole page, rendered.
const RENDERED: &str = "rendered page";

/// How one page went.
#[derive(Debug)]
enum Outcome {
    /// The page draws nothing OCR could read.
    Nothing,
    /// Read: text, mean confidence, words, and how the pixels were got.
    Read(tesseract::PageText, &'static str),
    /// Not read, and why.
    Skipped(String),
    /// Not read for a reason of this run (the engine timed out, could not
    /// be started or was killed): another run may read it.
    Interrupted(String),
}

fn visible(s: &str) -> bool {
    s.chars().any(|c| !c.is_whitespace())
}

/// Per-document state of the OCR step.
struct Reader<'a> {
    data: &'a [u8],
    opts: &'a ExtractOptions,
    ocr: &'a OcrOptions,
    caps: Caps,
    page_count: usize,
    renderer: Option<Result<render::Renderer, String>>,
}

impl Reader<'_> {
    fn read(&mut self, p: &PageImages<'_>) -> Outcome {
        if let Some(panic) = &p.failed {
            return Outcome::Skipped(format!("the page cannot be interpreted: {panic}"));
        }
        if p.image_draws + p.inline_images == 0 && p.unmapped == 0 {
            return Outcome::Nothing;
        }
        // Sizes first: nothing below allocates for an image over the caps.
        for img in &p.images {
            if let Err(BitmapError::TooLarge(m)) = bitmap::declared_size_ok(&img.info, &self.caps) {
                return Outcome::Skipped(m);
            }
        }
        let single = p.images.len() == 1
            && p.image_draws == 1
            && p.inline_images == 0
            && p.glyphs == 0
            && !p.images[0].info.masked
            && matches!(
                p.images[0].info.codec,
                Codec::Raw | Codec::Dct | Codec::Ccitt(_)
            );
        if single {
            let img = &p.images[0];
            let caps = self.caps;
            match catch(|| bitmap::decode(img, &caps)) {
                Ok(Ok(gray)) => {
                    let (gray, dpi) =
                        bitmap::upright_and_scaled(gray, img.ctm, p.rotate, self.ocr.dpi, &caps);
                    return self.recognize(&gray, dpi, EMBEDDED);
                }
                Ok(Err(BitmapError::TooLarge(m))) => return Outcome::Skipped(m),
                // Broken or unusual data: the renderer may still manage.
                Ok(Err(_)) | Err(_) => {}
            }
        }
        self.render(p)
    }

    fn render(&mut self, p: &PageImages<'_>) -> Outcome {
        // JPEG headers may declare more pixels than the PDF says; the
        // renderer would decode them in full.
        for img in p.images.iter().filter(|i| i.info.codec == Codec::Dct) {
            if let Err(BitmapError::TooLarge(m)) = bitmap::jpeg_size_ok(img, &self.caps) {
                return Outcome::Skipped(m);
            }
        }
        let (data, password) = (self.data, self.opts.password.as_deref());
        let renderer = self.renderer.get_or_insert_with(|| {
            match catch(|| render::Renderer::load(data, password)) {
                Ok(r) => r,
                Err(panic) => Err(format!("the renderer failed: {panic}")),
            }
        });
        let r = match renderer {
            Ok(r) => r,
            Err(e) => return Outcome::Skipped(e.clone()),
        };
        if r.page_count() != self.page_count {
            return Outcome::Skipped(format!(
                "the renderer sees {} pages where the text layer sees {}; pages are not matched",
                r.page_count(),
                self.page_count
            ));
        }
        let (dpi, max) = (self.ocr.dpi, self.caps.max_output_pixels);
        match catch(|| r.render(p.index, dpi, max)) {
            Ok(Ok((gray, dpi))) => self.recognize(&gray, dpi, RENDERED),
            Ok(Err(e)) => Outcome::Skipped(e),
            Err(panic) => Outcome::Skipped(format!("the renderer failed: {panic}")),
        }
    }

    fn recognize(&self, gray: &image::GrayImage, dpi: u32, how: &'static str) -> Outcome {
        let timeout = Duration::from_secs(self.ocr.page_timeout_secs.max(1));
        match tesseract::recognize(gray, dpi, &self.ocr.language, timeout) {
            Ok(t) => Outcome::Read(t, how),
            Err(
                e @ (tesseract::TesseractError::Timeout(_) | tesseract::TesseractError::Missing(_)),
            ) => Outcome::Interrupted(e.to_string()),
            Err(e @ tesseract::TesseractError::Failed(_))
                if e.to_string().contains("killed by a signal") =>
            {
                Outcome::Interrupted(e.to_string())
            }
            Err(e) => Outcome::Skipped(e.to_string()),
        }
    }
}

/// Lists page numbers compactly: `1-3, 7`.
fn page_list(pages: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < pages.len() {
        let mut j = i;
        while j + 1 < pages.len() && pages[j + 1] == pages[j] + 1 {
            j += 1;
        }
        out.push(if j > i + 1 {
            format!("{}-{}", pages[i], pages[j])
        } else if j == i + 1 {
            format!("{}, {}", pages[i], pages[j])
        } else {
            pages[i].to_string()
        });
        i = j + 1;
    }
    out.join(", ")
}

/// The OCR step: with `--ocr`, reads the pages of a successful PDF
/// extraction that have no text; otherwise returns `result` unchanged.
pub fn apply(
    result: Result<Extracted, ExtractError>,
    data: &[u8],
    opts: &ExtractOptions,
) -> Result<Extracted, ExtractError> {
    let Some(ocr) = &opts.ocr else {
        return result;
    };
    let Ok(mut e) = result else {
        return result;
    };
    let blank: Vec<bool> = e.pages.iter().map(|p| !visible(p)).collect();
    if !e.pages.is_empty() && !blank.contains(&true) {
        return Ok(e);
    }
    if tesseract::engine().is_none() {
        e.warnings.push(format!(
            "{SUMMARY_PREFIX}tesseract cannot be run; no page was read"
        ));
        return Ok(e);
    }
    let name = extractor_name();
    if opts.skip.contains(&name) {
        e.warnings.push(format!(
            "{SUMMARY_PREFIX}reading the page images crashed the extraction worker; no page was read"
        ));
        return Ok(e);
    }
    // A crash from here on is blamed on OCR (the retry goes without it).
    super::report_progress(super::Progress::Extractor(&name));
    let had_text = e.has_text();
    let mut reader = Reader {
        data,
        opts,
        ocr,
        caps: Caps::default(),
        page_count: 0,
        renderer: None,
    };
    let mut outcomes: Vec<(usize, Outcome)> = Vec::new();
    let known = e.pages.len();
    let walked = images::visit_pages(
        data,
        opts,
        Limits::default(),
        &|i, total| {
            // When the backends disagree on the page count, pages can be
            // matched only if the text layer gave nothing at all.
            (total == known || !had_text) && blank.get(i).copied().unwrap_or(true)
        },
        &mut |p, total| {
            reader.page_count = total;
            super::report_progress(super::Progress::OcrPage);
            let outcome = reader.read(&p);
            outcomes.push((p.index, outcome));
        },
    );
    let total = match walked {
        Ok(n) => n,
        Err(err) => {
            e.warnings.push(format!(
                "{SUMMARY_PREFIX}the page images cannot be read ({err}); no page was read"
            ));
            return Ok(e);
        }
    };
    if total != known {
        if had_text {
            e.warnings.push(format!(
                "{SUMMARY_PREFIX}the text came from {known} pages, the page tree has {total}; \
                 pages cannot be matched, no page was read"
            ));
            return Ok(e);
        }
        e.pages = vec![String::new(); total];
    }
    let mut read = Vec::new();
    let mut rendered = Vec::new();
    let mut details = Vec::new();
    let mut empty = Vec::new();
    let mut nothing = Vec::new();
    for (i, outcome) in outcomes {
        let page = i + 1;
        match outcome {
            Outcome::Nothing => nothing.push(page),
            Outcome::Skipped(why) => details.push(format!("page {page}: not read with OCR: {why}")),
            Outcome::Interrupted(why) => {
                e.transient = true;
                details.push(format!("page {page}: not read with OCR: {why}"));
            }
            Outcome::Read(t, how) => {
                let confidence = t.confidence.round().clamp(0.0, 100.0) as u8;
                e.ocr_pages.push(OcrPage {
                    page: u32::try_from(page).unwrap_or(u32::MAX),
                    confidence,
                    words: t.words,
                });
                if t.words == 0 {
                    empty.push(page);
                    continue;
                }
                if confidence < LOW_CONFIDENCE {
                    details.push(format!(
                        "page {page}: OCR confidence is low ({confidence}% mean over {} words, \
                         from the {how}); check the text against the page",
                        t.words
                    ));
                }
                e.pages[i] = t.text;
                read.push(page);
                if how == RENDERED {
                    rendered.push(page);
                }
            }
        }
    }
    let plural = |v: &[usize]| if v.len() == 1 { "page" } else { "pages" };
    let engine = tesseract::engine().map_or("tesseract", |en| en.version.as_str());
    let mut summary = format!("{SUMMARY_PREFIX}{engine}, language {}: ", ocr.language);
    if read.is_empty() {
        summary.push_str("no page was read");
    } else {
        summary.push_str(&format!(
            "{} {} read, their findings are marked ocr",
            plural(&read),
            page_list(&read)
        ));
        if !rendered.is_empty() {
            summary.push_str(&format!(
                " ({} {} rendered whole, the others from their embedded image)",
                plural(&rendered),
                page_list(&rendered)
            ));
        }
        e.extractor = if had_text {
            format!("{}+{}", e.extractor, extractor_name())
        } else {
            extractor_name()
        };
    }
    if !empty.is_empty() {
        summary.push_str(&format!(
            "; no words found on {} {}",
            plural(&empty),
            page_list(&empty)
        ));
    }
    if !nothing.is_empty() {
        summary.push_str(&format!(
            "; {} {} without text draw no image",
            plural(&nothing),
            page_list(&nothing)
        ));
    }
    e.warnings.push(summary);
    e.warnings.extend(details);
    Ok(e)
}

/// Whether the OCR step ran on this extraction (it always leaves one
/// summary warning when it does).
pub fn ran(e: &Extracted) -> bool {
    e.warnings.iter().any(|w| w.starts_with(SUMMARY_PREFIX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_lists_are_compact() {
        assert_eq!(page_list(&[1, 2, 3, 5, 7, 8]), "1-3, 5, 7, 8");
        assert_eq!(page_list(&[4]), "4");
        assert_eq!(page_list(&[]), "");
    }

    #[test]
    fn off_or_failed_or_full_documents_are_untouched() {
        let e = Extracted {
            pages: vec![String::new()],
            extractor: "x".into(),
            warnings: vec![],
            ocr_pages: vec![],
            transient: false,
        };
        let off = ExtractOptions::default();
        assert_eq!(apply(Ok(e.clone()), b"", &off).unwrap(), e);
        let on = ExtractOptions {
            ocr: Some(OcrOptions::default()),
            ..ExtractOptions::default()
        };
        let err = apply(Err(ExtractError::Malformed("x".into())), b"", &on);
        assert_eq!(err.unwrap_err(), ExtractError::Malformed("x".into()));
        let full = Extracted {
            pages: vec!["text".into()],
            ..e
        };
        assert_eq!(apply(Ok(full.clone()), b"", &on).unwrap(), full);
    }

    #[test]
    fn language_codes_are_validated_before_the_engine() {
        assert!(check("").unwrap_err().contains("language codes"));
        assert!(check("eng;rm -rf").unwrap_err().contains("language codes"));
    }
}
