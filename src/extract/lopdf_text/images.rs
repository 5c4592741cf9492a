//! The images each page draws, for OCR: the same load, page walk, limits
//! and content interpreter as the text layer, run again on the pages OCR
//! asks about, reporting which image XObjects each page draws and where.
//!
//! Owns: describing an image XObject (declared size, bits per component,
//! colour space, `/ImageMask`, `/Decode` inversion, soft masks, which
//! codec its last filter is, CCITT parameters), and handing out its bytes
//! with the general-purpose filters in front of the codec (Flate, LZW,
//! ASCII85, ASCIIHex, RunLength) removed, under a byte limit the caller
//! sets before anything is inflated.
//!
//! Must not: decode image codecs or pixels, or decide what to OCR (both
//! are `extract::ocr`'s).

use lopdf::{Dictionary, Object, Stream};

use super::content::{DocState, Interp};
use super::layout::PageBuilder;
use super::objects::Doc;
use super::{Limits, load, page_content};
use crate::extract::panic::catch;
use crate::extract::{ExtractError, ExtractOptions};

/// What one page draws, as far as OCR cares.
#[derive(Debug)]
pub struct PageImages<'a> {
    /// 0-based page index in the page tree.
    pub index: usize,
    /// The visible area (CropBox within MediaBox), default user space.
    pub clip: [f64; 4],
    /// Clockwise display rotation: 0, 90, 180 or 270.
    pub rotate: u16,
    /// Glyphs shown by text operators.
    pub glyphs: usize,
    /// Of those, glyphs without Unicode text.
    pub unmapped: usize,
    /// Inline images (`BI` ... `EI`) drawn.
    pub inline_images: usize,
    /// The largest inline image's declared size: (width, height, bytes of
    /// decoded samples).
    pub largest_inline: Option<(u64, u64, u128)>,
    /// Image XObjects drawn, counting ones not kept in `images`.
    pub image_draws: usize,
    /// The image XObjects drawn, in drawing order.
    pub images: Vec<PageImage<'a>>,
    /// The page could not be interpreted (a panic, with its message).
    pub failed: Option<String>,
}

/// One drawn image XObject.
#[derive(Debug)]
pub struct PageImage<'a> {
    /// Its description.
    pub info: ImageInfo,
    /// Maps the unit square onto the page (default user space).
    pub ctm: [f64; 6],
    /// Object number, for messages.
    pub object: u32,
    /// Generation number of the object.
    pub generation: u16,
    stream: &'a Stream,
    filters: Vec<Vec<u8>>,
    params: Vec<Option<Dictionary>>,
}

/// The codec of an image's last filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Codec {
    /// Raw samples (no codec; general-purpose filters at most).
    Raw,
    /// `DCTDecode`: a JPEG file.
    Dct,
    /// `CCITTFaxDecode`, with its parameters.
    Ccitt(CcittParams),
    /// `JBIG2Decode`.
    Jbig2,
    /// `JPXDecode`: JPEG 2000.
    Jpx,
    /// Something else (the filter's name).
    Unknown(String),
}

/// `CCITTFaxDecode` parameters (PDF 32000-1, table 11), with defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CcittParams {
    /// `/K`: < 0 Group 4, 0 Group 3 one-dimensional, > 0 Group 3 mixed.
    pub k: i64,
    /// `/Columns` (default 1728).
    pub columns: u32,
    /// `/Rows` (0 = unknown).
    pub rows: u32,
    /// `/BlackIs1`: 1 bits are black (default false: 0 bits are black).
    pub black_is_1: bool,
    /// `/EncodedByteAlign`.
    pub byte_align: bool,
    /// `/EndOfBlock` (default true).
    pub end_of_block: bool,
    /// `/EndOfLine`.
    pub end_of_line: bool,
}

/// An image colour space, reduced to what turning it into grey needs.
#[derive(Debug, Clone, PartialEq)]
pub enum ColorSpace {
    /// One component, 0 = black.
    Gray,
    /// Three components.
    Rgb,
    /// Four components, 0 = no ink.
    Cmyk,
    /// CIE L*a*b*: the first component is lightness.
    Lab,
    /// A palette: each sample indexes `lookup` (entries in `base`).
    Indexed {
        /// The colour space of the palette entries.
        base: Box<ColorSpace>,
        /// The palette, `base` components per entry.
        lookup: Vec<u8>,
    },
    /// `/Separation` or `/DeviceN` with this many colorants: tints,
    /// 1 = full ink (dark).
    Ink(u8),
}

impl ColorSpace {
    /// Components per sample.
    pub fn components(&self) -> usize {
        match self {
            ColorSpace::Gray | ColorSpace::Indexed { .. } => 1,
            ColorSpace::Rgb | ColorSpace::Lab => 3,
            ColorSpace::Cmyk => 4,
            ColorSpace::Ink(n) => usize::from((*n).max(1)),
        }
    }
}

/// What an image XObject declares about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageInfo {
    /// `/Width` in samples (as declared; may lie).
    pub width: u64,
    /// `/Height` in samples.
    pub height: u64,
    /// `/BitsPerComponent` (1 for image masks).
    pub bits: u8,
    /// The colour space (`Gray` for image masks).
    pub color: ColorSpace,
    /// `/ImageMask true`: 1-bit stencil, 0 samples are painted.
    pub mask: bool,
    /// `/Decode` starts with `[1 0]`: the first component is inverted.
    pub inverted: bool,
    /// An `/SMask` or `/Mask` is attached (transparency).
    pub masked: bool,
    /// The declared size of an `/SMask` or `/Mask` image attached (the
    /// renderer decodes it too).
    pub mask_size: Option<(u64, u64)>,
    /// The codec of its last filter.
    pub codec: Codec,
    /// General-purpose filters in front of the codec.
    pub prefilters: usize,
}

/// Filters lopdf decodes itself.
const GENERAL_FILTERS: &[&[u8]] = &[
    b"FlateDecode",
    b"Fl",
    b"LZWDecode",
    b"LZW",
    b"ASCII85Decode",
    b"A85",
    b"ASCIIHexDecode",
    b"AHx",
    b"RunLengthDecode",
    b"RL",
    b"BrotliDecode",
];

/// Long names for the abbreviations lopdf does not know.
fn long_filter_name(f: &[u8]) -> &[u8] {
    match f {
        b"Fl" => b"FlateDecode",
        b"LZW" => b"LZWDecode",
        b"A85" => b"ASCII85Decode",
        b"AHx" => b"ASCIIHexDecode",
        b"RL" => b"RunLengthDecode",
        b"DCT" => b"DCTDecode",
        b"CCF" => b"CCITTFaxDecode",
        other => other,
    }
}

impl<'a> PageImage<'a> {
    /// The image's bytes with the general-purpose filters removed: a JPEG,
    /// JBIG2 or JPX file, CCITT data, or raw samples. Nothing larger than
    /// `max_bytes` is inflated or copied.
    pub fn encoded(&self, max_bytes: usize) -> Result<Vec<u8>, String> {
        let n = self.info.prefilters;
        if n == 0 {
            if self.stream.content.len() > max_bytes {
                return Err(format!(
                    "image data of {} bytes is over the limit of {max_bytes}",
                    self.stream.content.len()
                ));
            }
            return Ok(self.stream.content.clone());
        }
        let mut dict = Dictionary::new();
        let names: Vec<Object> = self.filters[..n]
            .iter()
            .map(|f| Object::Name(long_filter_name(f).to_vec()))
            .collect();
        dict.set("Filter", Object::Array(names));
        let params: Vec<Object> = self.params[..n]
            .iter()
            .map(|p| p.clone().map_or(Object::Null, Object::Dictionary))
            .collect();
        dict.set("DecodeParms", Object::Array(params));
        let tmp = Stream::new(dict, self.stream.content.clone());
        tmp.decompressed_content_with_limit(max_bytes)
            .map_err(|e| match e {
                lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                    ..
                }) => {
                    format!("image data inflates to more than {max_bytes} bytes")
                }
                other => format!("cannot decode the image data: {other}"),
            })
    }
}

fn ccitt_params(d: &Doc<'_>, p: Option<&Dictionary>) -> CcittParams {
    let int = |k: &[u8], def: i64| {
        p.and_then(|p| d.num_key(p, k))
            .filter(|v| v.is_finite())
            .map_or(def, |v| v as i64)
    };
    let flag = |k: &[u8], def: bool| match p.and_then(|p| d.key(p, k)) {
        Some(Object::Boolean(b)) => *b,
        _ => def,
    };
    CcittParams {
        k: int(b"K", 0),
        columns: u32::try_from(int(b"Columns", 1728)).unwrap_or(0),
        rows: u32::try_from(int(b"Rows", 0)).unwrap_or(0),
        black_is_1: flag(b"BlackIs1", false),
        byte_align: flag(b"EncodedByteAlign", false),
        end_of_block: flag(b"EndOfBlock", true),
        end_of_line: flag(b"EndOfLine", false),
    }
}

/// Colour spaces nest (Indexed over ICCBased ...) this deep at most.
const MAX_CS_DEPTH: usize = 4;

fn color_space<'a>(
    d: &Doc<'a>,
    obj: &'a Object,
    resources: Option<&'a Dictionary>,
    depth: usize,
) -> Option<ColorSpace> {
    if depth > MAX_CS_DEPTH {
        return None;
    }
    match d.resolve(obj)? {
        Object::Name(n) => match n.as_slice() {
            b"DeviceGray" | b"G" | b"CalGray" => Some(ColorSpace::Gray),
            b"DeviceRGB" | b"RGB" | b"CalRGB" => Some(ColorSpace::Rgb),
            b"DeviceCMYK" | b"CMYK" => Some(ColorSpace::Cmyk),
            b"Lab" => Some(ColorSpace::Lab),
            other => {
                // A name defined in the resources' /ColorSpace.
                let named = resources
                    .and_then(|r| d.dict(r, b"ColorSpace"))
                    .and_then(|cs| cs.get(other).ok())?;
                color_space(d, named, None, depth + 1)
            }
        },
        Object::Array(a) => {
            let family = a.first().and_then(|o| d.resolve(o)).and_then(|o| match o {
                Object::Name(n) => Some(n.as_slice()),
                _ => None,
            })?;
            match family {
                b"DeviceGray" | b"CalGray" | b"G" => Some(ColorSpace::Gray),
                b"DeviceRGB" | b"CalRGB" | b"RGB" => Some(ColorSpace::Rgb),
                b"DeviceCMYK" | b"CMYK" => Some(ColorSpace::Cmyk),
                b"Lab" => Some(ColorSpace::Lab),
                b"ICCBased" => {
                    let s = a.get(1).and_then(|o| d.resolve(o)).and_then(|o| match o {
                        Object::Stream(s) => Some(s),
                        _ => None,
                    })?;
                    match d.num_key(&s.dict, b"N").map(|n| n as i64) {
                        Some(1) => Some(ColorSpace::Gray),
                        Some(3) => Some(ColorSpace::Rgb),
                        Some(4) => Some(ColorSpace::Cmyk),
                        _ => s
                            .dict
                            .get(b"Alternate")
                            .ok()
                            .and_then(|alt| color_space(d, alt, resources, depth + 1)),
                    }
                }
                b"Indexed" | b"I" => {
                    let base = color_space(d, a.get(1)?, resources, depth + 1)?;
                    if matches!(base, ColorSpace::Indexed { .. }) {
                        return None;
                    }
                    let hival = d.num(a.get(2)?)?.clamp(0.0, 255.0) as usize;
                    let want = (hival + 1) * base.components();
                    let mut lookup = match d.resolve(a.get(3)?)? {
                        Object::String(s, _) => s.clone(),
                        Object::Stream(s) => s
                            .decompressed_content_with_limit(want.max(1) * 2)
                            .ok()
                            .or_else(|| Some(s.content.clone()))?,
                        _ => return None,
                    };
                    lookup.resize(want, 0);
                    Some(ColorSpace::Indexed {
                        base: Box::new(base),
                        lookup,
                    })
                }
                b"Separation" => Some(ColorSpace::Ink(1)),
                b"DeviceN" => {
                    let n = match a.get(1).and_then(|o| d.resolve(o)) {
                        Some(Object::Array(names)) => names.len().clamp(1, 32) as u8,
                        _ => 1,
                    };
                    Some(ColorSpace::Ink(n))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// Describes an image XObject, with its filters and their parameters.
fn describe<'a>(
    d: &Doc<'a>,
    stream: &'a Stream,
    resources: Option<&'a Dictionary>,
) -> (ImageInfo, Vec<Vec<u8>>, Vec<Option<Dictionary>>) {
    let dict = &stream.dict;
    let num = |k: &[u8], alt: &[u8]| {
        d.num_key(dict, k)
            .or_else(|| d.num_key(dict, alt))
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map_or(0, |v| v.min(1e15) as u64)
    };
    let width = num(b"Width", b"W");
    let height = num(b"Height", b"H");
    let mask = matches!(
        d.key(dict, b"ImageMask").or_else(|| d.key(dict, b"IM")),
        Some(Object::Boolean(true))
    );
    let filters: Vec<Vec<u8>> = match d.key(dict, b"Filter").or_else(|| d.key(dict, b"F")) {
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| match d.resolve(o) {
                Some(Object::Name(n)) => Some(n.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let params: Vec<Option<Dictionary>> = {
        let raw = d.key(dict, b"DecodeParms").or_else(|| d.key(dict, b"DP"));
        (0..filters.len())
            .map(|i| {
                let o = match raw {
                    Some(Object::Array(a)) => a.get(i).and_then(|o| d.resolve(o)),
                    Some(o) => Some(o),
                    None => None,
                };
                match o {
                    Some(Object::Dictionary(p)) => Some(p.clone()),
                    _ => None,
                }
            })
            .collect()
    };
    let prefilters = filters
        .iter()
        .take_while(|f| GENERAL_FILTERS.contains(&f.as_slice()))
        .count();
    let codec = match filters.get(prefilters) {
        None => Codec::Raw,
        Some(f) => match long_filter_name(f) {
            b"DCTDecode" => Codec::Dct,
            b"CCITTFaxDecode" => Codec::Ccitt(ccitt_params(
                d,
                params.get(prefilters).and_then(Option::as_ref),
            )),
            b"JBIG2Decode" => Codec::Jbig2,
            b"JPXDecode" => Codec::Jpx,
            other => Codec::Unknown(String::from_utf8_lossy(other).into_owned()),
        },
    };
    let codec = if filters.len() > prefilters + 1 {
        // A filter after the codec: nothing decodes that.
        Codec::Unknown(
            filters
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect::<Vec<_>>()
                .join(" "),
        )
    } else {
        codec
    };
    let color = if mask {
        ColorSpace::Gray
    } else {
        dict.get(b"ColorSpace")
            .or_else(|_| dict.get(b"CS"))
            .ok()
            .and_then(|o| color_space(d, o, resources, 0))
            .unwrap_or(match codec {
                // JPEG and JPX carry their own colour space.
                Codec::Dct | Codec::Jpx => ColorSpace::Rgb,
                _ => ColorSpace::Gray,
            })
    };
    let bits = if mask {
        1
    } else {
        match num(b"BitsPerComponent", b"BPC") {
            b @ (1 | 2 | 4 | 8 | 16) => b as u8,
            _ if matches!(codec, Codec::Ccitt(_) | Codec::Jbig2) => 1,
            _ => 8,
        }
    };
    let inverted = match d.array(dict, b"Decode").or_else(|| d.array(dict, b"D")) {
        Some(a) if a.len() >= 2 => {
            let v = d.nums(&a[..2]);
            matches!((v[0], v[1]), (Some(x), Some(y)) if x > y)
        }
        _ => false,
    };
    let masked = dict.get(b"SMask").is_ok() || dict.get(b"Mask").is_ok();
    // A mask image: its own size (a /Mask colour-key array has none).
    let mask_size = [&b"SMask"[..], b"Mask"]
        .iter()
        .find_map(|k| match d.key(dict, k) {
            Some(Object::Stream(m)) => {
                let n = |k: &[u8]| {
                    d.num_key(&m.dict, k)
                        .filter(|v| v.is_finite() && *v >= 0.0)
                        .map_or(0, |v| v.min(1e15) as u64)
                };
                Some((n(b"Width"), n(b"Height")))
            }
            _ => None,
        });
    (
        ImageInfo {
            width,
            height,
            bits,
            color,
            mask,
            inverted,
            masked,
            mask_size,
            codec,
            prefilters,
        },
        filters,
        params,
    )
}

/// Interprets the pages `want(index, page_count)` selects and calls
/// `f(page, page_count)` with what each one draws. Returns the number of
/// pages in the document. The document is loaded (and decrypted) as the
/// text layer loads it.
pub fn visit_pages(
    data: &[u8],
    opts: &ExtractOptions,
    limits: Limits,
    want: &dyn Fn(usize, usize) -> bool,
    f: &mut dyn FnMut(PageImages<'_>, usize),
) -> Result<usize, ExtractError> {
    let doc = load(data, opts, &limits)?;
    let d = Doc { doc: &doc, limits };
    let mut st = DocState::new(limits.max_warnings);
    let pages = super::walk_pages(&d, &mut st)?;
    let total = pages.len();
    for (i, page) in pages.iter().enumerate() {
        if !want(i, total) {
            continue;
        }
        let result = catch(|| {
            let content = page_content(&d, page, &mut st);
            let mut out = PageBuilder::new(page.clip, limits.max_page_text);
            let mut interp = Interp::new(&d, &mut st, &mut out, i + 1);
            interp.run_page(&content, page.resources);
            (interp.stats, std::mem::take(&mut interp.images))
        });
        let mut found = PageImages {
            index: i,
            clip: page.clip,
            rotate: page.rotate,
            glyphs: 0,
            unmapped: 0,
            inline_images: 0,
            largest_inline: None,
            image_draws: 0,
            images: Vec::new(),
            failed: None,
        };
        match result {
            Ok((stats, uses)) => {
                found.glyphs = stats.glyphs;
                found.unmapped = stats.unmapped;
                found.inline_images = stats.inline_images;
                found.largest_inline = stats.largest_inline;
                found.image_draws = stats.images;
                found.images = uses
                    .into_iter()
                    .map(|u| {
                        let (info, filters, params) = describe(&d, u.stream, u.resources);
                        PageImage {
                            info,
                            ctm: u.ctm,
                            object: u.id.0,
                            generation: u.id.1,
                            stream: u.stream,
                            filters,
                            params,
                        }
                    })
                    .collect();
            }
            Err(panic) => found.failed = Some(panic),
        }
        f(found, total);
    }
    Ok(total)
}

/// An inline image's declared width, height and bytes of samples.
pub type InlineSize = (u64, u64, u128);

/// What to leave out of the copy the page renderer reads.
pub struct LeaveOut<'a> {
    /// Image XObjects, replaced by one white pixel each.
    pub images: &'a [(u32, u16)],
    /// A page (0-based) whose inline images `too_large` says are too large
    /// (given their declared width, height and bytes of samples) are
    /// removed from its content stream.
    pub inline: Option<(usize, &'a dyn Fn(InlineSize) -> bool)>,
}

/// The document without the images `leave_out` names (and decrypted),
/// saved anew: what the page renderer reads when a page draws images too
/// large to decode, so the rest of the page can still be rendered. Also
/// returns how many inline images were removed.
pub fn without_images(
    data: &[u8],
    opts: &ExtractOptions,
    leave_out: &LeaveOut<'_>,
) -> Result<(Vec<u8>, usize), String> {
    use lopdf::dictionary;
    let limits = Limits::default();
    let mut doc = load(data, opts, &limits).map_err(|e| e.to_string())?;
    for &id in leave_out.images {
        let blank = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            },
            vec![255],
        );
        doc.objects.insert(id, Object::Stream(blank));
    }
    let mut removed = 0;
    if let Some((index, too_large)) = leave_out.inline {
        let page_id = u32::try_from(index + 1)
            .ok()
            .and_then(|n| doc.get_pages().get(&n).copied())
            .ok_or_else(|| format!("page {} is not in the page tree", index + 1))?;
        let content = doc
            .get_page_content_with_limit(page_id, limits.max_stream_bytes)
            .map_err(|e| format!("cannot read the content of page {}: {e}", index + 1))?;
        let (kept, n) = without_inline_images(&content, too_large, limits.max_operands);
        if n > 0 {
            doc.change_page_content(page_id, kept)
                .map_err(|e| format!("cannot rewrite the content of page {}: {e}", index + 1))?;
        }
        removed = n;
    }
    // The objects were decrypted on load; the copy is written in clear.
    doc.trailer.remove(b"Encrypt");
    doc.encryption_state = None;
    let mut out = Vec::new();
    doc.save_to(&mut out)
        .map_err(|e| format!("cannot write the page without its large images: {e}"))?;
    Ok((out, removed))
}

/// A content stream without the inline images (`BI` ... `EI`) that
/// `too_large` says are too large, and how many were removed.
fn without_inline_images(
    content: &[u8],
    too_large: &dyn Fn(InlineSize) -> bool,
    max_operands: usize,
) -> (Vec<u8>, usize) {
    use super::lexer::{Lexer, OpBuf};
    let mut lexer = Lexer::new(content);
    let mut buf = OpBuf::default();
    let mut kept = Vec::with_capacity(content.len());
    let (mut from, mut removed) = (0, 0);
    while let Some(op) = lexer.next_op(&mut buf, max_operands) {
        if op != b"BI" {
            continue;
        }
        let dict = content.get(lexer.inline_dict.clone()).unwrap_or_default();
        if too_large(super::content::inline_image_size(dict)) {
            let span = lexer.inline_span.clone();
            kept.extend_from_slice(&content[from..span.start]);
            kept.push(b' ');
            from = span.end;
            removed += 1;
        }
    }
    kept.extend_from_slice(&content[from..]);
    (kept, removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::dictionary;

    fn one_image_pdf(image: Stream, content: &[u8]) -> Vec<u8> {
        let mut doc = lopdf::Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let img = doc.add_object(image);
        let contents = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "Rotate" => 90,
            "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => img } },
            "Contents" => contents,
        });
        crate::extract::finish_test_pdf(doc, pages_id, vec![page.into()])
    }

    #[test]
    fn only_the_inline_images_said_too_large_are_taken_out_of_a_content_stream() {
        let content = b"BT (a) Tj ET BI /W 9000 /H 9000 /BPC 8 /CS /G ID \x00EI\xff EI \
            q BI /W 2 /H 2 /BPC 8 /CS /G ID \x01\x02\x03\x04 EI Q (b) Tj";
        let wide = |(w, _, _): (u64, u64, u128)| w > 100;
        let (kept, removed) = without_inline_images(content, &wide, 100);
        assert_eq!(removed, 1);
        let kept = String::from_utf8_lossy(&kept);
        assert!(!kept.contains("9000"), "{kept}");
        assert!(kept.starts_with("BT (a) Tj ET "), "{kept}");
        assert!(kept.contains("q BI /W 2 /H 2"), "{kept}");
        assert!(kept.ends_with("EI Q (b) Tj"), "{kept}");
        let none = |_: (u64, u64, u128)| false;
        assert_eq!(
            without_inline_images(content, &none, 100),
            (content.to_vec(), 0)
        );
    }

    #[test]
    fn reports_placement_codec_and_raw_bytes() {
        let raw = vec![7u8; 6];
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut enc, &raw).unwrap();
        let img = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 3, "Height" => 2,
                "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
                "Filter" => "FlateDecode", "Decode" => vec![1.into(), 0.into()],
            },
            enc.finish().unwrap(),
        );
        let pdf = one_image_pdf(
            img,
            b"q 300 0 0 200 10 20 cm /Im1 Do Q BI /W 1 /H 1 ID x EI",
        );
        let mut seen = Vec::new();
        let n = visit_pages(
            &pdf,
            &ExtractOptions::default(),
            Limits::default(),
            &|_, _| true,
            &mut |p, _| {
                assert_eq!(p.rotate, 90);
                assert_eq!(p.inline_images, 1);
                assert_eq!(p.image_draws, 1);
                let im = &p.images[0];
                assert_eq!(im.ctm, [300.0, 0.0, 0.0, 200.0, 10.0, 20.0]);
                assert_eq!((im.info.width, im.info.height, im.info.bits), (3, 2, 8));
                assert_eq!(im.info.codec, Codec::Raw);
                assert!(im.info.inverted);
                assert!(im.encoded(5).is_err(), "the limit holds");
                seen.push(im.encoded(6).unwrap());
            },
        )
        .unwrap();
        assert_eq!(n, 1);
        assert_eq!(seen, vec![raw]);
    }

    #[test]
    fn ccitt_parameters_and_huge_declared_sizes() {
        let img = Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Image", "Width" => 1_000_000, "Height" => 1_000_000,
                "ImageMask" => true, "Filter" => "CCITTFaxDecode",
                "DecodeParms" => dictionary! { "K" => -1, "Columns" => 1_000_000, "BlackIs1" => true },
            },
            vec![0u8; 10],
        );
        let pdf = one_image_pdf(img, b"q 612 0 0 792 0 0 cm /Im1 Do Q");
        visit_pages(
            &pdf,
            &ExtractOptions::default(),
            Limits::default(),
            &|_, _| true,
            &mut |p, _| {
                let info = &p.images[0].info;
                assert_eq!((info.width, info.height), (1_000_000, 1_000_000));
                assert!(info.mask);
                let Codec::Ccitt(c) = &info.codec else {
                    panic!("{:?}", info.codec)
                };
                assert_eq!((c.k, c.columns, c.black_is_1), (-1, 1_000_000, true));
            },
        )
        .unwrap();
    }
}
