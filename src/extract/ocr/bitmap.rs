//! One embedded page image to a grey bitmap for OCR: codec decoding
//! (JPEG with `zune-jpeg`, CCITT G3/G4 with `hayro-ccitt`, raw samples in
//! any bit depth and colour space), turning it upright as the page shows
//! it, and resampling it toward the target resolution (`image`'s
//! Catmull-Rom filter).
//!
//! Owns: the pixel caps. Every size is checked before anything is
//! allocated or inflated: the declared size, then the JPEG's own header
//! (which may disagree with the PDF), and the output size after scaling.
//!
//! Must not: read the PDF's object structure (`lopdf_text::images` hands
//! over the image and its bytes) or run the OCR engine.

use image::GrayImage;
use image::imageops::{self, FilterType};

use crate::extract::lopdf_text::images::{CcittParams, Codec, ColorSpace, ImageInfo, PageImage};

/// Size limits for one page image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// Largest decoded image, in pixels (a 600 dpi A3 scan is 70 M).
    pub max_source_pixels: u64,
    /// Largest image data handed to a decoder, in bytes.
    pub max_source_bytes: usize,
    /// Largest bitmap handed to the OCR engine, in pixels.
    pub max_output_pixels: u64,
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            max_source_pixels: 100_000_000,
            max_source_bytes: 256 << 20,
            max_output_pixels: 36_000_000,
        }
    }
}

/// Why an image was not turned into a bitmap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BitmapError {
    /// Over a cap: the image is not read (the message says which).
    TooLarge(String),
    /// A codec this module leaves to the page renderer (JBIG2, JPX, ...).
    Unsupported(String),
    /// The data is broken.
    Bad(String),
}

impl std::fmt::Display for BitmapError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BitmapError::TooLarge(s) | BitmapError::Unsupported(s) | BitmapError::Bad(s) => {
                f.write_str(s)
            }
        }
    }
}

fn check_pixels(w: u64, h: u64, caps: &Caps, what: &str) -> Result<(), BitmapError> {
    if w == 0 || h == 0 {
        return Err(BitmapError::Bad(format!(
            "{what} has no pixels ({w} x {h})"
        )));
    }
    let px = u128::from(w) * u128::from(h);
    if px > u128::from(caps.max_source_pixels) || w > u64::from(u32::MAX) || h > u64::from(u32::MAX)
    {
        return Err(BitmapError::TooLarge(format!(
            "{what} of {w} x {h} pixels is over the OCR limit of {} megapixels",
            caps.max_source_pixels / 1_000_000
        )));
    }
    Ok(())
}

/// Whether a page image's declared size is within the caps (checked
/// before a page holding it is rendered, too).
pub fn declared_size_ok(info: &ImageInfo, caps: &Caps) -> Result<(), BitmapError> {
    check_pixels(info.width, info.height, caps, "an image")?;
    check_samples(
        info.width,
        info.height,
        info.color.components() as u64,
        u64::from(info.bits),
        caps,
        "an image",
    )?;
    if let Some((w, h)) = info.mask_size {
        check_pixels(w.max(1), h.max(1), caps, "the soft mask of an image")?;
    }
    Ok(())
}

/// The decoded samples of a `w` x `h` image (`comps` components of `bits`
/// bits) must fit the byte cap.
fn check_samples(
    w: u64,
    h: u64,
    comps: u64,
    bits: u64,
    caps: &Caps,
    what: &str,
) -> Result<(), BitmapError> {
    let bytes = (u128::from(w) * u128::from(comps) * u128::from(bits)).div_ceil(8) * u128::from(h);
    if bytes > caps.max_source_bytes as u128 {
        return Err(BitmapError::TooLarge(format!(
            "{what} of {w} x {h} pixels x {comps} components holds {bytes} bytes of samples, \
             over the OCR limit of {} MiB",
            caps.max_source_bytes >> 20
        )));
    }
    Ok(())
}

/// Whether an inline image's declared size (width, height, bytes of
/// samples) is within the caps.
pub fn inline_size_ok(size: (u64, u64, u128), caps: &Caps) -> Result<(), BitmapError> {
    let (w, h, bytes) = size;
    check_pixels(w, h, caps, "an inline image")?;
    if bytes > caps.max_source_bytes as u128 {
        return Err(BitmapError::TooLarge(format!(
            "an inline image of {w} x {h} pixels holds {bytes} bytes of samples, over the OCR \
             limit of {} MiB",
            caps.max_source_bytes >> 20
        )));
    }
    Ok(())
}

/// Whether the size a JPEG, JPEG 2000 or JBIG2 image declares in its own
/// header is within the caps (the renderer decodes it at that size,
/// whatever the PDF declares). Other codecs have no header of their own.
/// Only the header is read.
pub fn codec_size_ok(img: &PageImage<'_>, caps: &Caps) -> Result<(), BitmapError> {
    match img.info.codec {
        Codec::Dct => jpeg_size_ok(img, caps),
        Codec::Jpx => {
            let data = img
                .encoded(caps.max_source_bytes)
                .map_err(BitmapError::Bad)?;
            let settings = hayro_jpeg2000::DecodeSettings::default();
            let jpx = hayro_jpeg2000::Image::new(&data, &settings)
                .map_err(|e| BitmapError::Bad(format!("JPEG 2000: {e:?}")))?;
            let (w, h) = (u64::from(jpx.width()), u64::from(jpx.height()));
            check_pixels(w, h, caps, "a JPEG 2000 image")?;
            check_samples(
                w,
                h,
                u64::from(jpx.color_space().num_channels()) + u64::from(jpx.has_alpha()),
                u64::from(jpx.original_bit_depth()).clamp(8, 16),
                caps,
                "a JPEG 2000 image",
            )
        }
        Codec::Jbig2 => {
            let data = img
                .encoded(caps.max_source_bytes)
                .map_err(BitmapError::Bad)?;
            let settings = hayro_jbig2::DecodeSettings::default();
            let page = hayro_jbig2::Page::new_embedded(&data, None, &settings)
                .map_err(|e| BitmapError::Bad(format!("JBIG2: {e:?}")))?;
            check_pixels(
                u64::from(page.width()),
                u64::from(page.height()),
                caps,
                "a JBIG2 image",
            )
        }
        _ => Ok(()),
    }
}

/// Decodes a page image into grey pixels, 0 = black, at its own
/// resolution and orientation.
pub fn decode(img: &PageImage<'_>, caps: &Caps) -> Result<GrayImage, BitmapError> {
    let info = &img.info;
    declared_size_ok(info, caps)?;
    match &info.codec {
        Codec::Raw => {
            let comps = info.color.components() as u128;
            let row = (u128::from(info.width) * comps * u128::from(info.bits)).div_ceil(8);
            let expected = row * u128::from(info.height);
            if expected > caps.max_source_bytes as u128 {
                return Err(BitmapError::TooLarge(format!(
                    "image {} holds {expected} bytes of samples, over the OCR limit",
                    img.object
                )));
            }
            // Some writers pad the data; allow a little slack.
            let expected = expected as usize;
            let data = img
                .encoded(expected + expected / 8 + 1024)
                .map_err(BitmapError::Bad)?;
            let mut g = samples_to_gray(&data, info);
            if info.bits == 1 && info.color.components() == 1 {
                despeckle(&mut g);
            }
            Ok(g)
        }
        Codec::Dct => {
            let data = img
                .encoded(caps.max_source_bytes)
                .map_err(BitmapError::Bad)?;
            let mut g = jpeg_to_gray(&data, caps)?;
            if info.inverted {
                imageops::invert(&mut g);
            }
            Ok(g)
        }
        Codec::Ccitt(p) => {
            let data = img
                .encoded(caps.max_source_bytes)
                .map_err(BitmapError::Bad)?;
            let mut g = ccitt_to_gray(&data, p, info, caps)?;
            despeckle(&mut g);
            Ok(g)
        }
        Codec::Jbig2 => Err(BitmapError::Unsupported("JBIG2 image".into())),
        Codec::Jpx => Err(BitmapError::Unsupported("JPEG 2000 image".into())),
        Codec::Unknown(f) => Err(BitmapError::Unsupported(format!("image filter {f}"))),
    }
}

/// Share of a bilevel image's pixels that must be isolated (no neighbour
/// of their colour) before it is despeckled: clean text has next to none,
/// a noisy fax has percents.
const SPECKLE_SHARE: f64 = 0.002;

/// Clears salt-and-pepper noise from a bilevel scan (pixels 0 or 255): a
/// pixel none of whose eight neighbours shares its value takes theirs.
/// Only when such pixels are common: on a clean page this would nibble at
/// nothing but the odd stroke end. Returns whether it changed the image.
pub fn despeckle(img: &mut GrayImage) -> bool {
    let (w, h) = img.dimensions();
    if w < 3 || h < 3 {
        return false;
    }
    let (w, h) = (w as usize, h as usize);
    let src = img.as_raw().clone();
    let mut isolated = Vec::new();
    for y in 1..h - 1 {
        let rows = [(y - 1) * w, y * w, (y + 1) * w];
        for x in 1..w - 1 {
            let v = src[rows[1] + x];
            let alone = rows
                .iter()
                .all(|&r| (x - 1..=x + 1).all(|nx| (r == rows[1] && nx == x) || src[r + nx] != v));
            if alone {
                isolated.push(rows[1] + x);
            }
        }
    }
    if (isolated.len() as f64) < SPECKLE_SHARE * (w * h) as f64 {
        return false;
    }
    let out: &mut [u8] = img;
    for i in isolated {
        out[i] = 255 - src[i];
    }
    true
}

/// Whether a JPEG image's own header is within the caps (the renderer
/// decodes it at that size, whatever the PDF declares).
pub fn jpeg_size_ok(img: &PageImage<'_>, caps: &Caps) -> Result<(), BitmapError> {
    let data = img
        .encoded(caps.max_source_bytes)
        .map_err(BitmapError::Bad)?;
    jpeg_header(&data, caps).map(|_| ())
}

/// Reads a JPEG's header: decoder options and the size, checked.
fn jpeg_header(
    data: &[u8],
    caps: &Caps,
) -> Result<
    (
        zune_jpeg::zune_core::options::DecoderOptions,
        u64,
        u64,
        zune_jpeg::zune_core::colorspace::ColorSpace,
    ),
    BitmapError,
> {
    use zune_jpeg::JpegDecoder;
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::colorspace::ColorSpace as ZColor;
    use zune_jpeg::zune_core::options::DecoderOptions;

    // The pixel count is checked below, once the header is read; the
    // sides only need to fit JPEG's own 16-bit fields.
    let options = DecoderOptions::default()
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX))
        .set_strict_mode(false);
    let mut probe = JpegDecoder::new_with_options(ZCursor::new(data), options);
    probe
        .decode_headers()
        .map_err(|e| BitmapError::Bad(format!("JPEG: {e:?}")))?;
    let info = probe
        .info()
        .ok_or_else(|| BitmapError::Bad("JPEG without a frame header".into()))?;
    let (w, h) = (u64::from(info.width), u64::from(info.height));
    check_pixels(w, h, caps, "a JPEG")?;
    let input = probe.input_colorspace().unwrap_or(ZColor::YCbCr);
    Ok((options, w, h, input))
}

fn jpeg_to_gray(data: &[u8], caps: &Caps) -> Result<GrayImage, BitmapError> {
    use zune_jpeg::JpegDecoder;
    use zune_jpeg::zune_core::bytestream::ZCursor;
    use zune_jpeg::zune_core::colorspace::ColorSpace as ZColor;

    let (options, w, h, input) = jpeg_header(data, caps)?;
    let bad = |e: zune_jpeg::errors::DecodeErrors| BitmapError::Bad(format!("JPEG: {e:?}"));
    let four = matches!(input, ZColor::CMYK | ZColor::YCCK);
    let out_cs = if four { ZColor::CMYK } else { ZColor::Luma };
    let mut dec =
        JpegDecoder::new_with_options(ZCursor::new(data), options.jpeg_set_out_colorspace(out_cs));
    let pixels = dec.decode().map_err(bad)?;
    let (w, h) = (w as u32, h as u32);
    let n = (w as usize) * (h as usize);
    let gray: Vec<u8> = if four && pixels.len() >= n * 4 {
        // Taken as ink amounts (an inverted Adobe CMYK JPEG reads as a
        // negative, which Tesseract's inversion check still reads).
        pixels
            .chunks_exact(4)
            .take(n)
            .map(|p| cmyk_gray(p[0], p[1], p[2], p[3]))
            .collect()
    } else if pixels.len() >= n {
        pixels[..n].to_vec()
    } else {
        return Err(BitmapError::Bad("JPEG decoded to fewer pixels".into()));
    };
    GrayImage::from_raw(w, h, gray).ok_or_else(|| BitmapError::Bad("JPEG size".into()))
}

fn cmyk_gray(c: u8, m: u8, y: u8, k: u8) -> u8 {
    let ink = (u32::from(c) * 30 + u32::from(m) * 59 + u32::from(y) * 11) / 100 + u32::from(k);
    255 - ink.min(255) as u8
}

fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 299 + u32::from(g) * 587 + u32::from(b) * 114) / 1000) as u8
}

/// Samples of `bits` bits, most significant first, rows padded to a byte.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    bits: u8,
}

impl Bits<'_> {
    fn next(&mut self) -> u16 {
        let b = usize::from(self.bits);
        let v = match self.bits {
            8 => u16::from(self.data.get(self.pos / 8).copied().unwrap_or(0)),
            16 => {
                let i = self.pos / 8;
                let hi = self.data.get(i).copied().unwrap_or(0);
                let lo = self.data.get(i + 1).copied().unwrap_or(0);
                u16::from_be_bytes([hi, lo])
            }
            _ => {
                let byte = self.data.get(self.pos / 8).copied().unwrap_or(0);
                let shift = 8 - b - (self.pos % 8);
                u16::from((byte >> shift) & ((1u8 << b) - 1))
            }
        };
        self.pos += b;
        v
    }
}

/// Raw samples (after general-purpose filters) to grey, 0 = black.
fn samples_to_gray(data: &[u8], info: &ImageInfo) -> GrayImage {
    let (w, h) = (info.width as u32, info.height as u32);
    let comps = info.color.components();
    let bits = info.bits;
    let max = f64::from((1u32 << bits) - 1);
    let scale = |v: u16| -> u8 { (f64::from(v) * 255.0 / max).round() as u8 };
    let row_bytes = (w as usize * comps * usize::from(bits)).div_ceil(8);
    let mut out = vec![255u8; w as usize * h as usize];
    for (y, out_row) in out.chunks_exact_mut(w as usize).enumerate() {
        let start = y * row_bytes;
        if start >= data.len() {
            break; // short data: the rest stays white
        }
        let mut r = Bits {
            data: &data[start..data.len().min(start + row_bytes)],
            pos: 0,
            bits,
        };
        for px in out_row.iter_mut() {
            let v = match &info.color {
                ColorSpace::Gray => {
                    let g = scale(r.next());
                    if info.inverted { 255 - g } else { g }
                }
                ColorSpace::Lab => {
                    let l = scale(r.next());
                    r.next();
                    r.next();
                    l
                }
                ColorSpace::Rgb => {
                    let (cr, cg, cb) = (scale(r.next()), scale(r.next()), scale(r.next()));
                    luma(cr, cg, cb)
                }
                ColorSpace::Cmyk => {
                    let (c, m, yy, k) = (
                        scale(r.next()),
                        scale(r.next()),
                        scale(r.next()),
                        scale(r.next()),
                    );
                    cmyk_gray(c, m, yy, k)
                }
                ColorSpace::Indexed { base, lookup } => {
                    let i = usize::from(r.next());
                    let n = base.components();
                    let e = |k: usize| lookup.get(i * n + k).copied().unwrap_or(0);
                    match base.as_ref() {
                        ColorSpace::Rgb => luma(e(0), e(1), e(2)),
                        ColorSpace::Cmyk => cmyk_gray(e(0), e(1), e(2), e(3)),
                        ColorSpace::Ink(_) => 255 - e(0),
                        _ => e(0),
                    }
                }
                ColorSpace::Ink(n) => {
                    let mut sum = 0u32;
                    for _ in 0..*n {
                        sum += u32::from(scale(r.next()));
                    }
                    255 - (sum / u32::from((*n).max(1))) as u8
                }
            };
            *px = v;
        }
    }
    GrayImage::from_raw(w, h, out).unwrap_or_default()
}

/// Collects CCITT rows into a grey bitmap.
struct FaxSink {
    width: usize,
    rows: usize,
    black: u8,
    out: Vec<u8>,
    filled: usize,
}

impl hayro_ccitt::Decoder for FaxSink {
    fn push_row(&mut self, changes: &[u32]) {
        if self.filled >= self.rows {
            return;
        }
        let row = &mut self.out[self.filled * self.width..(self.filled + 1) * self.width];
        for span in changes.chunks(2) {
            let a = (span[0] as usize).min(self.width);
            let b = span
                .get(1)
                .map_or(self.width, |&e| (e as usize).min(self.width));
            if a < b {
                row[a..b].fill(self.black);
            }
        }
        self.filled += 1;
    }
}

fn ccitt_to_gray(
    data: &[u8],
    p: &CcittParams,
    info: &ImageInfo,
    caps: &Caps,
) -> Result<GrayImage, BitmapError> {
    use hayro_ccitt::{DecodeSettings, DecoderContext, EncodingMode};
    let columns = if p.columns > 0 {
        u64::from(p.columns)
    } else {
        info.width
    };
    let rows = if p.rows > 0 {
        u64::from(p.rows).min(info.height.max(1))
    } else {
        info.height
    };
    check_pixels(columns, rows, caps, "a CCITT image")?;
    // A CCITT "black" pixel is sample 0 unless /BlackIs1; sample 0 is
    // black in DeviceGray and painted in an image mask, unless /Decode
    // swaps it.
    let black_is_dark = !(p.black_is_1 ^ info.inverted);
    let (paper, ink) = if black_is_dark { (255, 0) } else { (0, 255) };
    let (w, h) = (columns as usize, rows as usize);
    let mut sink = FaxSink {
        width: w,
        rows: h,
        black: ink,
        out: vec![paper; w * h],
        filled: 0,
    };
    let settings = DecodeSettings {
        columns: columns as u32,
        rows: rows as u32,
        end_of_block: p.end_of_block,
        end_of_line: p.end_of_line,
        rows_are_byte_aligned: p.byte_align,
        encoding: match p.k {
            k if k < 0 => EncodingMode::Group4,
            0 => EncodingMode::Group3_1D,
            _ => EncodingMode::Group3_2D,
        },
        strict: false,
    };
    let mut ctx = DecoderContext::new(settings);
    // A broken stream keeps the rows decoded before the damage.
    let result = hayro_ccitt::decode(data, &mut sink, &mut ctx);
    if sink.filled == 0 {
        return Err(BitmapError::Bad(match result {
            Err(e) => format!("CCITT data: {e:?}"),
            Ok(_) => "CCITT data holds no rows".into(),
        }));
    }
    GrayImage::from_raw(w as u32, h as u32, sink.out)
        .ok_or_else(|| BitmapError::Bad("CCITT size".into()))
}

/// Largest float buffer `resize` may need before a wide source is first
/// narrowed (see [`upright_and_scaled`]).
const RESIZE_SCRATCH_BYTES: u64 = 256 << 20;

/// `m = [a b c d e f]` maps the image's unit square onto the page; the
/// page is shown turned `rotate` degrees clockwise. Returns the bitmap
/// upright as shown, resampled toward `target_dpi`, with the resolution
/// it ends up at.
pub fn upright_and_scaled(
    img: GrayImage,
    m: [f64; 6],
    rotate: u16,
    target_dpi: u32,
    caps: &Caps,
) -> (GrayImage, u32) {
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    // Lengths of the image's column and row axes on the page, in points.
    let col_len = m[0].hypot(m[1]);
    let row_len = m[2].hypot(m[3]);
    let target = f64::from(target_dpi.max(50));
    let factor = |px: f64, len: f64| -> f64 {
        if !(len.is_finite() && len >= 1.0) {
            return 1.0; // unknown placement: take the image as it is
        }
        let dpi = px * 72.0 / len;
        let s = target / dpi;
        if (0.8..=1.34).contains(&s) {
            1.0 // close enough: resampling would only blur
        } else {
            s.clamp(1.0 / 8.0, 4.0)
        }
    };
    let (mut sx, mut sy) = (factor(w, col_len), factor(h, row_len));
    let pixels = (w * sx) * (h * sy);
    let cap = caps.max_output_pixels as f64;
    // Rounded to whole pixels, or down when the cap applies.
    let mut to_px: fn(f64) -> f64 = f64::round;
    if pixels > cap {
        let k = (cap / pixels).sqrt();
        sx *= k;
        sy *= k;
        to_px = f64::floor;
    }
    let nw = (to_px(w * sx) as u32).max(1);
    let nh = (to_px(h * sy) as u32).max(1);
    let scaled = if (nw, nh) == (img.width(), img.height()) {
        img
    } else {
        // `resize` passes through a float image of the source width and
        // the target height (16 bytes a pixel): narrow a very wide source
        // first, with the integer box filter of `thumbnail`, so that
        // buffer stays within budget.
        let scratch = u64::from(img.width()) * u64::from(nh) * 16;
        let img = if scratch > RESIZE_SCRATCH_BYTES && nw < img.width() {
            imageops::thumbnail(&img, nw, img.height())
        } else {
            img
        };
        imageops::resize(&img, nw, nh, FilterType::CatmullRom)
    };
    // The resolution along the columns, after scaling (rows are close to
    // it unless the image is anisotropic, like a standard-mode fax).
    let dpi = if col_len.is_finite() && col_len >= 1.0 {
        (f64::from(nw) * 72.0 / col_len).round()
    } else {
        target
    };
    (orient(scaled, m, rotate), dpi.clamp(50.0, 2400.0) as u32)
}

/// Turns the bitmap so that it reads as the page is shown.
fn orient(img: GrayImage, m: [f64; 6], rotate: u16) -> GrayImage {
    // Clockwise display rotation of a page-space vector (y up).
    let turn = |x: f64, y: f64| -> (f64, f64) {
        match rotate {
            90 => (y, -x),
            180 => (-x, -y),
            270 => (-y, x),
            _ => (x, y),
        }
    };
    // Columns run along (a, b); rows run from the top of the image, which
    // is the unit square's y = 1, so toward -(c, d).
    let (ux, uy) = turn(m[0], m[1]);
    let (vx, vy) = turn(-m[2], -m[3]);
    if !(ux.is_finite() && uy.is_finite() && vx.is_finite() && vy.is_finite()) {
        return img;
    }
    if ux.abs() >= uy.abs() {
        // Columns run across the shown page.
        match (ux > 0.0, vy < 0.0) {
            (true, true) => img,
            (false, true) => imageops::flip_horizontal(&img),
            (true, false) => imageops::flip_vertical(&img),
            (false, false) => imageops::rotate180(&img),
        }
    } else {
        // Columns run up or down the shown page.
        match (uy < 0.0, vx > 0.0) {
            (true, true) => imageops::flip_horizontal(&imageops::rotate90(&img)),
            (true, false) => imageops::rotate90(&img),
            (false, true) => imageops::rotate270(&img),
            (false, false) => imageops::flip_vertical(&imageops::rotate90(&img)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(w: u64, h: u64, bits: u8, color: ColorSpace) -> ImageInfo {
        ImageInfo {
            width: w,
            height: h,
            bits,
            color,
            mask: false,
            inverted: false,
            masked: false,
            mask_size: None,
            codec: Codec::Raw,
            prefilters: 0,
        }
    }

    #[test]
    fn samples_in_every_depth_and_space() {
        let g = samples_to_gray(&[0b1010_0000], &info(3, 1, 1, ColorSpace::Gray));
        assert_eq!(g.as_raw(), &[255, 0, 255]);
        let g = samples_to_gray(&[0x0f], &info(2, 1, 4, ColorSpace::Gray));
        assert_eq!(g.as_raw(), &[0, 255]);
        let g = samples_to_gray(&[255, 0, 0, 0, 0, 0], &info(2, 1, 8, ColorSpace::Rgb));
        assert_eq!(g.as_raw(), &[76, 0]);
        let g = samples_to_gray(&[0, 0, 0, 255], &info(1, 1, 8, ColorSpace::Cmyk));
        assert_eq!(g.as_raw(), &[0]);
        let g = samples_to_gray(&[0xff, 0xff], &info(1, 1, 16, ColorSpace::Gray));
        assert_eq!(g.as_raw(), &[255]);
        let idx = ColorSpace::Indexed {
            base: Box::new(ColorSpace::Rgb),
            lookup: vec![0, 0, 0, 255, 255, 255],
        };
        let g = samples_to_gray(&[0b0100_0000], &info(2, 1, 1, idx));
        assert_eq!(g.as_raw(), &[0, 255]);
        let mut inv = info(1, 1, 8, ColorSpace::Gray);
        inv.inverted = true;
        assert_eq!(samples_to_gray(&[0], &inv).as_raw(), &[255]);
        // Short data: the missing rows stay white.
        let g = samples_to_gray(&[0], &info(1, 2, 8, ColorSpace::Gray));
        assert_eq!(g.as_raw(), &[0, 255]);
    }

    #[test]
    fn sizes_are_checked_before_allocating() {
        let caps = Caps::default();
        let huge = info(1_000_000, 1_000_000, 8, ColorSpace::Rgb);
        assert!(matches!(
            declared_size_ok(&huge, &caps),
            Err(BitmapError::TooLarge(_))
        ));
        assert!(matches!(
            declared_size_ok(&info(0, 5, 8, ColorSpace::Gray), &caps),
            Err(BitmapError::Bad(_))
        ));
        assert!(declared_size_ok(&info(2550, 3300, 8, ColorSpace::Gray), &caps).is_ok());
    }

    #[test]
    fn ccitt_group4_rows() {
        // Row 1 "BBBBWWWW": horizontal mode 001, white run 0 (00110101),
        // black run 4 (011), then V0 (1). Row 2 all white: pass mode
        // (0001), then V0 (1).
        let data = [0b0010_0110, 0b1010_1110, 0b0011_0000];
        let mut p = CcittParams {
            k: -1,
            columns: 8,
            rows: 2,
            black_is_1: false,
            byte_align: false,
            end_of_block: true,
            end_of_line: false,
        };
        let page = info(8, 2, 1, ColorSpace::Gray);
        let g = ccitt_to_gray(&data, &p, &page, &Caps::default()).unwrap();
        assert_eq!(
            g.as_raw(),
            &[
                0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255
            ]
        );
        // /BlackIs1 without a /Decode swap shows fax black as white.
        p.black_is_1 = true;
        let g = ccitt_to_gray(&data, &p, &page, &Caps::default()).unwrap();
        assert_eq!(g.as_raw()[0], 255);
        assert_eq!(g.as_raw()[4], 0);
    }

    #[test]
    fn orientation_follows_the_matrix_and_page_rotation() {
        // 2x1 image: left pixel black, right white.
        let img = || GrayImage::from_raw(2, 1, vec![0, 255]).unwrap();
        let up = [2.0, 0.0, 0.0, 1.0, 0.0, 0.0];
        assert_eq!(orient(img(), up, 0).as_raw(), &[0, 255]);
        // Mirrored horizontally.
        assert_eq!(
            orient(img(), [-2.0, 0.0, 0.0, 1.0, 2.0, 0.0], 0).as_raw(),
            &[255, 0]
        );
        // Page shown turned 90 degrees clockwise: the image's left edge
        // ends up on top.
        let r = orient(img(), up, 90);
        assert_eq!((r.width(), r.height()), (1, 2));
        assert_eq!(r.as_raw(), &[0, 255]);
        // Drawn rotated a quarter turn counter-clockwise on the page
        // (columns run up): shown with /Rotate 90 it is upright again.
        let ccw = [0.0, 2.0, -1.0, 0.0, 1.0, 0.0];
        assert_eq!(orient(img(), ccw, 90).as_raw(), &[0, 255]);
        assert_eq!(orient(img(), ccw, 90).width(), 2);
    }

    #[test]
    fn resampling_toward_the_target_resolution() {
        // 100 dpi: 850 x 1100 pixels on a letter page.
        let img = GrayImage::new(850, 1100);
        let m = [612.0, 0.0, 0.0, 792.0, 0.0, 0.0];
        let (out, dpi) = upright_and_scaled(img, m, 0, 300, &Caps::default());
        assert_eq!((out.width(), out.height(), dpi), (2550, 3300, 300));
        // 300 dpi already: untouched.
        let img = GrayImage::new(2550, 3300);
        let (out, dpi) = upright_and_scaled(img, m, 0, 300, &Caps::default());
        assert_eq!((out.width(), out.height(), dpi), (2550, 3300, 300));
        // The output cap wins over the target.
        let caps = Caps {
            max_output_pixels: 1_000_000,
            ..Caps::default()
        };
        let img = GrayImage::new(850, 1100);
        let (out, dpi) = upright_and_scaled(img, m, 0, 300, &caps);
        assert!(u64::from(out.width()) * u64::from(out.height()) <= 1_000_000);
        assert!(dpi < 300);
    }

    #[test]
    fn despeckling_clears_isolated_pixels_of_noisy_scans_only() {
        // A black bar on white, with a few isolated specks.
        let mut img = GrayImage::from_pixel(100, 100, image::Luma([255]));
        for y in 40..60 {
            for x in 10..90 {
                img.put_pixel(x, y, image::Luma([0]));
            }
        }
        let clean = img.clone();
        img.put_pixel(5, 5, image::Luma([0]));
        assert!(
            !despeckle(&mut img),
            "one speck in 10,000 pixels is left alone"
        );
        let mut noisy = clean.clone();
        for i in 0..60u32 {
            let (x, y) = (3 + (i * 37) % 94, 3 + (i * 53) % 94);
            if !(38..62).contains(&y) {
                noisy.put_pixel(x, y, image::Luma([0]));
            }
        }
        // A white hole inside the bar.
        noisy.put_pixel(50, 50, image::Luma([255]));
        assert!(despeckle(&mut noisy));
        assert_eq!(noisy, clean);
    }

    #[test]
    fn a_wide_source_scaled_up_in_height_is_narrowed_first() {
        // 2400 dpi across, 75 dpi down: 1/8 and 4 times; straight through
        // `resize` this would need a 512 MB float buffer.
        let img = GrayImage::from_pixel(40_000, 200, image::Luma([255]));
        let m = [1200.0, 0.0, 0.0, 192.0, 0.0, 0.0];
        let (out, dpi) = upright_and_scaled(img, m, 0, 300, &Caps::default());
        assert_eq!((out.width(), out.height(), dpi), (5000, 800, 300));
        assert!(out.pixels().all(|p| p.0[0] == 255));
    }
}
