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
    /// Stop before the engine: a bitmap ready for it counts as read (its
    /// size is the text).
    dry: bool,
    /// Pages rendered without images too large to decode: (0-based page,
    /// what was left out).
    skipped_images: Vec<(usize, String)>,
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
        // An inline image too large is taken out of the page's content
        // before it is rendered.
        let inline_too_large = match p
            .largest_inline
            .map(|s| bitmap::inline_size_ok(s, &self.caps))
        {
            Some(Err(BitmapError::TooLarge(m))) => Some(m),
            _ => None,
        };
        if let Some(m) = &inline_too_large
            && p.glyphs == 0
            && p.image_draws == 0
            && p.inline_images == 1
        {
            // Nothing would be left to read.
            return Outcome::Skipped(m.clone());
        }
        let mut oversized: Vec<(u32, u16, String)> = Vec::new();
        for img in &p.images {
            if let Err(BitmapError::TooLarge(m)) = bitmap::declared_size_ok(&img.info, &self.caps) {
                oversized.push((img.object, img.generation, m));
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
        if single && oversized.is_empty() && inline_too_large.is_none() {
            let img = &p.images[0];
            let caps = self.caps;
            match catch(|| bitmap::decode(img, &caps)) {
                Ok(Ok(gray)) => {
                    let (gray, dpi) =
                        bitmap::upright_and_scaled(gray, img.ctm, p.rotate, self.ocr.dpi, &caps);
                    return self.recognize(&gray, dpi, EMBEDDED);
                }
                Ok(Err(BitmapError::TooLarge(m))) => return Outcome::Skipped(m),
                Err(panic) if self.dry => {
                    return Outcome::Skipped(format!("the image decoder failed: {panic}"));
                }
                // Broken or unusual data: the renderer may still manage.
                Ok(Err(_)) | Err(_) => {}
            }
        }
        self.render(p, oversized, inline_too_large)
    }

    fn render(
        &mut self,
        p: &PageImages<'_>,
        mut oversized: Vec<(u32, u16, String)>,
        inline_too_large: Option<String>,
    ) -> Outcome {
        // JPEG, JPEG 2000 and JBIG2 headers may declare more pixels than
        // the PDF says; the renderer would decode them in full.
        for img in &p.images {
            if oversized
                .iter()
                .any(|o| (o.0, o.1) == (img.object, img.generation))
            {
                continue;
            }
            let caps = self.caps;
            match catch(|| bitmap::codec_size_ok(img, &caps)) {
                Ok(Err(BitmapError::TooLarge(m))) => {
                    oversized.push((img.object, img.generation, m));
                }
                // A header that breaks its parser is not handed to the
                // renderer's decoder either.
                Err(panic) => oversized.push((
                    img.object,
                    img.generation,
                    format!("its header cannot be read: {panic}"),
                )),
                Ok(_) => {}
            }
        }
        oversized.sort();
        oversized.dedup_by(|a, b| (a.0, a.1) == (b.0, b.1));
        let every_image_too_large = p.images.len() == p.image_draws
            && p.images.iter().all(|i| {
                oversized
                    .iter()
                    .any(|o| (o.0, o.1) == (i.object, i.generation))
            });
        if !oversized.is_empty() && p.glyphs == 0 && p.inline_images == 0 && every_image_too_large {
            // Nothing would be left to read.
            return Outcome::Skipped(oversized.swap_remove(0).2);
        }
        let (data, opts) = (self.data, self.opts);
        let fresh;
        let r = if oversized.is_empty() && inline_too_large.is_none() {
            let password = opts.password.as_deref();
            let renderer = self.renderer.get_or_insert_with(|| {
                match catch(|| render::Renderer::load(data, password)) {
                    Ok(r) => r,
                    Err(panic) => Err(format!("the renderer failed: {panic}")),
                }
            });
            match renderer {
                Ok(r) => r,
                Err(e) => return Outcome::Skipped(e.clone()),
            }
        } else {
            // The page without its large images: the rest is still read.
            let ids: Vec<(u32, u16)> = oversized.iter().map(|o| (o.0, o.1)).collect();
            let caps = self.caps;
            let too_large = |size| bitmap::inline_size_ok(size, &caps).is_err();
            let leave_out = images::LeaveOut {
                images: &ids,
                inline: inline_too_large
                    .is_some()
                    .then_some((p.index, &too_large as &dyn Fn(images::InlineSize) -> bool)),
            };
            let removed;
            (fresh, removed) = match catch(|| {
                let (copy, removed) = images::without_images(data, opts, &leave_out)?;
                render::Renderer::load(&copy, None).map(|r| (r, removed))
            }) {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => return Outcome::Skipped(e),
                Err(panic) => return Outcome::Skipped(format!("the renderer failed: {panic}")),
            };
            if let Some(m) = inline_too_large {
                if removed == 0 {
                    // Drawn from a form the page shares with others: the
                    // page is not rendered.
                    return Outcome::Skipped(m);
                }
                let what = if removed == 1 {
                    "1 inline image".to_string()
                } else {
                    format!("{removed} inline images")
                };
                self.skipped_images.push((
                    p.index,
                    format!("{what} not drawn for OCR ({m}); the rest of the page is read"),
                ));
            }
            if !oversized.is_empty() {
                let count = oversized.len();
                let what = if count == 1 {
                    "1 image".to_string()
                } else {
                    format!("{count} images")
                };
                self.skipped_images.push((
                    p.index,
                    format!(
                        "{what} not drawn for OCR (image {}: {}); the rest of the page is read",
                        oversized[0].0, oversized[0].2
                    ),
                ));
            }
            &fresh
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
        if self.dry {
            let text = format!("{} x {} at {dpi} dpi", gray.width(), gray.height());
            return Outcome::Read(
                tesseract::PageText {
                    text,
                    confidence: 0.0,
                    words: 0,
                },
                how,
            );
        }
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
        dry: false,
        skipped_images: Vec::new(),
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
    let mut details: Vec<String> = reader
        .skipped_images
        .iter()
        .map(|(i, what)| format!("page {}: {what}", i + 1))
        .collect();
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

/// The page-image reader on every page of `data` without the engine: what
/// OCR would do with each page that draws something (the bitmap's size,
/// or why the page is not read), under `caps` and at `dpi`. For the fuzz
/// target and tests of the size checks.
#[doc(hidden)]
pub fn page_bitmaps(data: &[u8], caps: Caps, dpi: u32) -> Result<Vec<String>, ExtractError> {
    let opts = ExtractOptions::default();
    let ocr = OcrOptions {
        dpi,
        ..OcrOptions::default()
    };
    let mut reader = Reader {
        data,
        opts: &opts,
        ocr: &ocr,
        caps,
        page_count: 0,
        renderer: None,
        dry: true,
        skipped_images: Vec::new(),
    };
    let mut out = Vec::new();
    images::visit_pages(
        data,
        &opts,
        Limits::default(),
        &|_, _| true,
        &mut |p, total| {
            reader.page_count = total;
            let page = p.index + 1;
            out.push(match reader.read(&p) {
                Outcome::Nothing => format!("page {page}: nothing to read"),
                Outcome::Read(t, how) => format!("page {page}: {} from the {how}", t.text),
                Outcome::Skipped(why) | Outcome::Interrupted(why) => {
                    format!("page {page}: not read: {why}")
                }
            });
        },
    )?;
    out.extend(
        reader
            .skipped_images
            .iter()
            .map(|(i, what)| format!("page {}: {what}", i + 1)),
    );
    Ok(out)
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
            textless: false,
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

    use lopdf::{Document, Object, Stream, dictionary};

    /// A PDF with one page per entry: its content and its image XObjects
    /// (named /Im0, /Im1, ...), Helvetica as /F1.
    fn pdf(pages: Vec<(&[u8], Vec<Stream>)>) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        });
        let mut kids = Vec::new();
        for (content, images) in pages {
            let mut xobjects = lopdf::Dictionary::new();
            for (i, img) in images.into_iter().enumerate() {
                xobjects.set(format!("Im{i}"), doc.add_object(img));
            }
            let contents = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
            kids.push(Object::from(doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id,
                "MediaBox" => vec![0.into(), 0.into(), 200.into(), 200.into()],
                "Resources" => dictionary! { "Font" => dictionary! { "F1" => font }, "XObject" => xobjects },
                "Contents" => contents,
            })));
        }
        crate::extract::finish_test_pdf(doc, pages_id, kids)
    }

    /// A grey image declaring `w` x `h` pixels, holding `data`.
    fn image(w: i64, h: i64, data: Vec<u8>) -> Stream {
        Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => w, "Height" => h,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            },
            data,
        )
    }

    const DRAW_BOTH: &[u8] = b"q 100 0 0 100 0 0 cm /Im0 Do Q q 100 0 0 100 100 100 cm /Im1 Do Q";

    fn read(data: &[u8]) -> Vec<String> {
        page_bitmaps(data, Caps::default(), 72).unwrap()
    }

    #[test]
    fn an_image_declaring_a_huge_size_is_left_out_and_the_rest_is_read() {
        let huge = image(200_000, 200_000, vec![0; 64]);
        let small = image(4, 4, vec![0; 16]);
        let doc = pdf(vec![
            (DRAW_BOTH, vec![huge, small.clone()]),
            // A page with nothing but the huge image, then a normal one.
            (
                b"q 100 0 0 100 0 0 cm /Im0 Do Q",
                vec![image(200_000, 200_000, vec![])],
            ),
            (b"q 100 0 0 100 0 0 cm /Im0 Do Q", vec![small]),
        ]);
        let lines = read(&doc);
        assert_eq!(lines.len(), 4, "{lines:#?}");
        assert_eq!(
            lines[0],
            "page 1: 200 x 200 at 72 dpi from the rendered page"
        );
        assert!(
            lines[1].starts_with(
                "page 2: not read: an image of 200000 x 200000 pixels is over the OCR limit"
            ),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].starts_with("page 3: ") && lines[2].contains(" from the embedded image"),
            "{}",
            lines[2]
        );
        assert!(
            lines[3].starts_with("page 1: 1 image not drawn for OCR (image ")
                && lines[3].contains("200000 x 200000 pixels")
                && lines[3].ends_with("the rest of the page is read"),
            "{}",
            lines[3]
        );
    }

    #[test]
    fn samples_over_the_byte_cap_count_components_and_depth() {
        // 9,000 x 9,000 is under the pixel cap; as 16-bit CMYK its samples
        // are 648 MB.
        let mut big = image(9_000, 9_000, vec![0; 64]);
        big.dict.set("ColorSpace", "DeviceCMYK");
        big.dict.set("BitsPerComponent", 16);
        let lines = read(&pdf(vec![(b"q 100 0 0 100 0 0 cm /Im0 Do Q", vec![big])]));
        assert!(
            lines[0].contains("x 4 components holds 648000000 bytes"),
            "{lines:?}"
        );
    }

    #[test]
    fn a_huge_soft_mask_leaves_out_its_image_only() {
        let mask = image(300_000, 300_000, vec![0; 8]);
        let mut doc = pdf(vec![(
            DRAW_BOTH,
            vec![image(4, 4, vec![9; 16]), image(4, 4, vec![0; 16])],
        )]);
        // Attach the mask to the first image by rewriting the document.
        let mut d = Document::load_mem(&doc).unwrap();
        let mask_id = d.add_object(mask);
        let first = d
            .objects
            .iter()
            .find_map(|(id, o)| match o {
                Object::Stream(s) if s.content == vec![9; 16] => Some(*id),
                _ => None,
            })
            .unwrap();
        if let Some(Object::Stream(s)) = d.objects.get_mut(&first) {
            s.dict.set("SMask", mask_id);
        }
        doc.clear();
        d.save_to(&mut doc).unwrap();
        let lines = read(&doc);
        assert_eq!(
            lines[0],
            "page 1: 200 x 200 at 72 dpi from the rendered page"
        );
        assert!(
            lines[1].contains("the soft mask of an image of 300000 x 300000 pixels"),
            "{lines:?}"
        );
    }

    #[test]
    fn an_inline_image_declaring_a_huge_size_is_left_out_and_the_rest_of_the_page_read() {
        let content = b"BT /F1 12 Tf 10 10 Td (x) Tj ET q 100 0 0 100 0 0 cm \
            BI /W 150000 /H 150000 /CS /G /BPC 8 ID \x00\x00 EI Q \
            q 10 0 0 10 0 0 cm BI /W 2 /H 1 /CS /G /BPC 8 ID \x00\x00 EI Q";
        let lines = read(&pdf(vec![(content.as_slice(), vec![]), (b"", vec![])]));
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert_eq!(
            lines[0],
            "page 1: 200 x 200 at 72 dpi from the rendered page"
        );
        assert_eq!(lines[1], "page 2: nothing to read");
        assert!(
            lines[2].starts_with(
                "page 1: 1 inline image not drawn for OCR (an inline image of 150000 x 150000 pixels"
            ),
            "{lines:?}"
        );
    }

    #[test]
    fn a_page_that_is_only_a_huge_inline_image_is_not_read() {
        let content = b"q 100 0 0 100 0 0 cm BI /W 150000 /H 150000 /CS /G /BPC 8 ID \x00\x00 EI Q";
        let lines = read(&pdf(vec![(content.as_slice(), vec![])]));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("page 1: not read: an inline image of 150000 x 150000 pixels"),
            "{lines:?}"
        );
    }

    #[test]
    fn a_jbig2_header_larger_than_declared_is_left_out() {
        // An embedded JBIG2 stream: one page-information segment saying
        // 60,000 x 60,000 pixels, where the PDF says 8 x 8.
        let mut seg = vec![0, 0, 0, 0, 48, 0, 1, 0, 0, 0, 19];
        seg.extend_from_slice(&60_000u32.to_be_bytes());
        seg.extend_from_slice(&60_000u32.to_be_bytes());
        seg.extend_from_slice(&[0; 11]);
        let mut jbig2 = image(8, 8, seg);
        jbig2.dict.set("Filter", "JBIG2Decode");
        jbig2.dict.set("BitsPerComponent", 1);
        let lines = read(&pdf(vec![(
            DRAW_BOTH,
            vec![jbig2, image(4, 4, vec![0; 16])],
        )]));
        assert_eq!(
            lines[0],
            "page 1: 200 x 200 at 72 dpi from the rendered page"
        );
        assert!(
            lines[1].contains("a JBIG2 image of 60000 x 60000 pixels"),
            "{lines:?}"
        );
    }

    #[test]
    fn a_jpeg2000_header_larger_than_declared_is_left_out() {
        // A raw codestream whose SIZ marker says 50,000 x 50,000 pixels,
        // where the PDF says 8 x 8: SOC, SIZ, COD, QCD, then one empty tile.
        let mut j2k = vec![0xFF, 0x4F, 0xFF, 0x51, 0, 41, 0, 0];
        for v in [50_000u32, 50_000, 0, 0, 50_000, 50_000, 0, 0] {
            j2k.extend_from_slice(&v.to_be_bytes());
        }
        j2k.extend_from_slice(&[0, 1, 7, 1, 1]);
        j2k.extend_from_slice(&[0xFF, 0x52, 0, 12, 0, 0, 0, 1, 0, 0, 4, 4, 0, 1]);
        j2k.extend_from_slice(&[0xFF, 0x5C, 0, 4, 0x40, 0x40]);
        j2k.extend_from_slice(&[0xFF, 0x90, 0, 10, 0, 0, 0, 0, 0, 0, 0, 1]);
        j2k.extend_from_slice(&[0xFF, 0x93, 0xFF, 0xD9]);
        let mut jpx = image(8, 8, j2k);
        jpx.dict.set("Filter", "JPXDecode");
        let lines = read(&pdf(vec![(DRAW_BOTH, vec![jpx, image(4, 4, vec![0; 16])])]));
        assert_eq!(
            lines[0],
            "page 1: 200 x 200 at 72 dpi from the rendered page"
        );
        assert!(
            lines
                .get(1)
                .is_some_and(|l| l.contains("a JPEG 2000 image of 50000 x 50000 pixels")),
            "{lines:?}"
        );
    }
}
