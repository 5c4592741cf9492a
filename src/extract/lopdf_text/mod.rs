//! policyscan's own PDF text layer on lopdf 0.47: fonts parsed once per
//! document, a content-stream interpreter for the text operators, and a
//! layout pass that rebuilds words, lines and reading order.
//!
//! Owns: loading and decrypting the document (empty user password, then
//! `--password`), walking pages, running each page under `catch_unwind`
//! with the document's limits, and mapping failures onto
//! [`ExtractError`]s (a decompression bomb that loses all the text is
//! `TooLarge`). The parts live in small files: `lexer` (tokens), `content`
//! (operators), `font` / `encoding` / `cmap` (character codes to Unicode
//! and widths), `layout` (words, lines, reading order), `tables` (rows
//! and cells from rulings, shading and gutters), `pages` (page
//! tree), `objects` (bounded object access and stream decoding) and
//! `limits`; `images` reuses them to tell OCR which images a page draws.
//!
//! Crates doing the parts that exist elsewhere: `lopdf` 0.47 (objects,
//! xref repair, decryption, bounded stream decoding), `hayro-cmap`
//! (CMap parsing with ranges kept as ranges, plus the predefined CJK and
//! `Adobe-*-UCS2` CMaps it embeds) and `pdfboss-encoding` (Standard /
//! WinAnsi / MacRoman / Symbol / ZapfDingbats tables, the Adobe Glyph
//! List with TeX names, Type 1 built-in encodings, standard-14 widths).
//!
//! Must not: normalize text (ligatures, NFKC and hyphen joins are
//! `normalize`'s), or call other backends (the chain in `extract` does).

mod cmap;
mod content;
mod encoding;
mod font;
pub mod images;
mod layout;
mod lexer;
mod limits;
mod objects;
mod pages;
pub mod tables;

use std::borrow::Cow;

use lopdf::{Document, LoadOptions, Object};

use super::panic::catch;
use super::{ExtractError, ExtractOptions, Extracted, Extractor};
use content::{DocState, Interp, PageStats};
use layout::PageBuilder;
pub use limits::Limits;
use objects::Doc;

/// Name written to the report's `extractor` field.
pub const NAME: &str = "policyscan-lopdf";

/// Version of the text this layer writes (reading order, tables); part
/// of the extraction cache key, so text cached by an older layout is not
/// reused. Raise it whenever the output for a given PDF changes.
pub const LAYOUT_VERSION: u32 = 3;

/// Content streams read per page at most.
const MAX_STREAMS_PER_PAGE: usize = 10_000;

/// The text layer.
#[derive(Debug, Default, Clone, Copy)]
pub struct LopdfText {
    /// Limits for hostile documents.
    pub limits: Limits,
}

/// The text of a document plus what the fallback logic needs to know.
#[derive(Debug, Clone)]
pub struct Detailed {
    /// The text and warnings.
    pub extracted: Extracted,
    /// 0-based pages that drew glyphs but yielded no text (fonts without
    /// Unicode mappings): candidates for another backend.
    pub pages_without_text: Vec<usize>,
    /// A stream was skipped for exceeding an inflate limit: another
    /// backend without limits must not be run on this document.
    pub hit_size_limit: bool,
    /// The tables found, in page order (headers and continuations
    /// marked).
    pub tables: Vec<tables::Table>,
}

/// Lexes and interprets `data` as the content of an otherwise empty
/// letter-size page with no resources; for the interpreter benchmark.
pub fn interpret_content(data: &[u8]) -> String {
    let doc = Document::with_version("1.5");
    let d = Doc {
        doc: &doc,
        limits: Limits::default(),
    };
    let mut st = DocState::new(d.limits.max_warnings);
    let mut out = PageBuilder::new([0.0, 0.0, 612.0, 792.0], d.limits.max_page_text);
    Interp::new(&d, &mut st, &mut out, 1).run_page(data, None);
    out.finish()
}

fn load(data: &[u8], opts: &ExtractOptions, limits: &Limits) -> Result<Document, ExtractError> {
    let options = LoadOptions {
        password: opts.password.clone(),
        max_decompressed_size: Some(limits.max_stream_bytes),
        ..LoadOptions::default()
    };
    let doc = match catch(|| Document::load_mem_with_options(data, options)) {
        Ok(Ok(doc)) => doc,
        Ok(Err(e)) => {
            let msg = e.to_string();
            let lower = msg.to_ascii_lowercase();
            return Err(if lower.contains("password") || lower.contains("decrypt") {
                ExtractError::Encrypted(msg)
            } else {
                ExtractError::Malformed(format!("cannot parse: {msg}"))
            });
        }
        Err(panic) => return Err(ExtractError::Malformed(format!("parser panicked: {panic}"))),
    };
    if doc.trailer.get(b"Encrypt").is_ok() && !doc.was_encrypted() {
        return Err(ExtractError::Encrypted(if opts.password.is_some() {
            "the given password does not open this document".into()
        } else {
            "a password is required (use --password)".into()
        }));
    }
    Ok(doc)
}

/// Whether every object the cross-reference table lists as in use was
/// loaded and none of them is or holds a font dictionary: then no reader
/// can draw a glyph from the file, whatever its content streams say.
fn fontless(doc: &Document) -> bool {
    use lopdf::xref::XrefEntry;
    let loaded: std::collections::HashSet<u32> = doc.objects.keys().map(|&(n, _)| n).collect();
    let all_loaded = doc.reference_table.entries.iter().all(|(n, e)| {
        !matches!(e, XrefEntry::Normal { .. } | XrefEntry::Compressed { .. }) || loaded.contains(n)
    });
    all_loaded && !doc.objects.values().any(|o| holds_font(o, 0))
}

/// Whether `o` is a font dictionary or holds one among its direct
/// values (a page's resources written inline). Sloppy producers leave out
/// `/Type /Font`; the keys only fonts have count too.
fn holds_font(o: &Object, depth: usize) -> bool {
    const FONT_KEYS: [&[u8]; 4] = [
        b"BaseFont",
        b"FontDescriptor",
        b"CharProcs",
        b"DescendantFonts",
    ];
    if depth > 32 {
        // Deeper than any real document nests: assume the worst.
        return true;
    }
    let dict = match o {
        Object::Dictionary(d) => d,
        Object::Stream(s) => &s.dict,
        Object::Array(a) => return a.iter().any(|x| holds_font(x, depth + 1)),
        _ => return false,
    };
    let is_font = matches!(dict.get(b"Type"), Ok(Object::Name(n)) if n == b"Font")
        || FONT_KEYS.iter().any(|k| dict.has(k));
    is_font || dict.iter().any(|(_, v)| holds_font(v, depth + 1))
}

/// The decoded content of a page (its streams joined by newlines).
fn page_content<'a>(d: &Doc<'a>, page: &pages::Page<'a>, st: &mut DocState) -> Cow<'a, [u8]> {
    let streams: Vec<&'a lopdf::Stream> =
        match page.dict.get(b"Contents").ok().and_then(|o| d.resolve(o)) {
            Some(Object::Stream(s)) => vec![s],
            Some(Object::Array(a)) => a
                .iter()
                .take(MAX_STREAMS_PER_PAGE)
                .filter_map(|o| match d.resolve(o) {
                    Some(Object::Stream(s)) => Some(s),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
    let mut parts = streams
        .into_iter()
        .filter_map(|s| d.decode(s, "content stream", &mut st.budget, &mut st.warnings));
    let Some(first) = parts.next() else {
        return Cow::Borrowed(&[]);
    };
    match parts.next() {
        None => first,
        Some(second) => {
            let mut all = first.into_owned();
            all.push(b'\n');
            all.extend_from_slice(&second);
            for p in parts {
                all.push(b'\n');
                all.extend_from_slice(&p);
            }
            Cow::Owned(all)
        }
    }
}

impl LopdfText {
    /// Extracts every page, reporting pages that drew glyphs without text.
    pub fn extract_detailed(
        &self,
        data: &[u8],
        opts: &ExtractOptions,
    ) -> Result<Detailed, ExtractError> {
        let doc = load(data, opts, &self.limits)?;
        let d = Doc {
            doc: &doc,
            limits: self.limits,
        };
        let mut st = DocState::new(self.limits.max_warnings);
        let pages = walk_pages(&d, &mut st)?;
        let mut texts = Vec::with_capacity(pages.len());
        let mut without_text = Vec::new();
        let mut glyphs = 0;
        let mut found = Vec::new();
        for (i, page) in pages.iter().enumerate() {
            let result = catch(|| {
                let content = page_content(&d, page, &mut st);
                let mut out = PageBuilder::new(page.clip, self.limits.max_page_text);
                let mut interp = Interp::new(&d, &mut st, &mut out, i + 1);
                interp.run_page(&content, page.resources);
                if let Some(annots) = d.array(page.dict, b"Annots") {
                    interp.run_annotations(annots, page.resources);
                }
                let stats: PageStats = interp.stats;
                let truncated = out.truncated;
                let (text, tables) = out.finish_tables(i + 1);
                (text, tables, stats, truncated)
            });
            match result {
                Ok((text, tables, stats, truncated)) => {
                    found.extend(tables);
                    if truncated {
                        let m = self.limits.max_page_text >> 20;
                        st.warnings.once("page-text-limit", || {
                            format!(
                                "page {}: more than {m} MiB of text; the rest dropped",
                                i + 1
                            )
                        });
                    }
                    glyphs += stats.glyphs;
                    if stats.unmapped > 0 && !text.chars().any(|c| !c.is_whitespace()) {
                        without_text.push(i);
                    }
                    texts.push(text);
                }
                Err(panic) => {
                    st.warnings
                        .push(format!("page {}: internal error: {panic}", i + 1));
                    texts.push(String::new());
                }
            }
        }
        let lost = st.budget.lost_to_size;
        let warnings = st.warnings.into_vec();
        let extracted = Extracted {
            // Every page read in full, not one glyph drawn, and no font
            // in the whole file to draw one with.
            textless: glyphs == 0 && warnings.is_empty() && !lost && fontless(&doc),
            pages: texts,
            extractor: NAME.to_string(),
            warnings,
            ocr_pages: Vec::new(),
            transient: false,
        };
        if lost && !extracted.has_text() {
            return Err(ExtractError::TooLarge(
                extracted
                    .warnings
                    .iter()
                    .find(|w| w.contains("MiB"))
                    .cloned()
                    .unwrap_or_else(|| "a stream exceeds the inflate limit".into()),
            ));
        }
        Ok(Detailed {
            extracted,
            pages_without_text: without_text,
            hit_size_limit: lost,
            tables: {
                tables::link(&mut found);
                found
            },
        })
    }
}

impl Extractor for LopdfText {
    fn name(&self) -> &'static str {
        NAME
    }

    fn extract(&self, data: &[u8], opts: &ExtractOptions) -> Result<Extracted, ExtractError> {
        self.extract_detailed(data, opts).map(|d| d.extracted)
    }
}

/// The document's pages in order; a broken or hostile page tree (even one
/// that panics the walk) makes the document malformed.
pub(crate) fn walk_pages<'a>(
    d: &Doc<'a>,
    st: &mut DocState,
) -> Result<Vec<pages::Page<'a>>, ExtractError> {
    match catch(|| pages::walk(d, &mut st.warnings)) {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(e)) => Err(ExtractError::Malformed(e)),
        Err(panic) => Err(ExtractError::Malformed(format!(
            "cannot walk the page tree: {panic}"
        ))),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod table_tests;
