//! Whole-page rasterizing for OCR with `hayro` (a pure-Rust PDF
//! renderer), for pages that are not one embedded image: scans cut into
//! strips, images with masks, JBIG2 or JPEG 2000 codecs, inline images,
//! text in fonts without Unicode mappings.
//!
//! Owns: loading the document into hayro once per document, choosing the
//! scale (target resolution, capped by the output pixel limit and by
//! hayro's 65,535-pixel side), and turning the RGBA pixmap into grey.
//!
//! Must not: be asked to render a page before `ocr` has checked the
//! declared size of every image the page draws (hayro decodes images at
//! their full size).

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use image::GrayImage;

/// A document loaded into the renderer.
pub struct Renderer {
    pdf: Pdf,
}

impl Renderer {
    /// Loads a document (with the password, when one is given).
    pub fn load(data: &[u8], password: Option<&str>) -> Result<Renderer, String> {
        let pdf = Pdf::new_with_password(data.to_vec(), password.unwrap_or(""))
            .map_err(|e| format!("the renderer cannot open the document: {e:?}"))?;
        Ok(Renderer { pdf })
    }

    /// Number of pages the renderer sees.
    pub fn page_count(&self) -> usize {
        self.pdf.pages().len()
    }

    /// Renders page `index` (0-based) at `dpi`, or less when the bitmap
    /// would exceed `max_pixels`. Returns the grey bitmap and its
    /// resolution.
    pub fn render(
        &self,
        index: usize,
        dpi: u32,
        max_pixels: u64,
    ) -> Result<(GrayImage, u32), String> {
        let pages = self.pdf.pages();
        let page = pages
            .get(index)
            .ok_or_else(|| format!("the renderer has no page {}", index + 1))?;
        let (w_pt, h_pt) = page.render_dimensions();
        let (w_pt, h_pt) = (f64::from(w_pt), f64::from(h_pt));
        if !(w_pt.is_finite() && h_pt.is_finite() && w_pt >= 1.0 && h_pt >= 1.0) {
            return Err("the page has no usable size".into());
        }
        let mut scale = f64::from(dpi) / 72.0;
        let pixels = w_pt * h_pt * scale * scale;
        if pixels > max_pixels as f64 {
            scale *= (max_pixels as f64 / pixels).sqrt();
        }
        let side = w_pt.max(h_pt) * scale;
        if side > f64::from(u16::MAX) {
            scale *= f64::from(u16::MAX) / side;
        }
        let cache = RenderCache::new();
        let pixmap = hayro::render(
            page,
            &cache,
            &InterpreterSettings::default(),
            &RenderSettings::default(),
            &PixmapSettings {
                x_scale: scale as f32,
                y_scale: scale as f32,
                bg_color: WHITE,
            },
        );
        let (w, h) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
        // Premultiplied RGBA over an opaque white background: alpha is
        // 255, so the channels are plain colour.
        let gray: Vec<u8> = pixmap
            .data_as_u8_slice()
            .chunks_exact(4)
            .map(|p| {
                ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000)
                    as u8
            })
            .collect();
        let img = GrayImage::from_raw(w, h, gray)
            .ok_or_else(|| "the renderer returned a short pixmap".to_string())?;
        Ok((img, (scale * 72.0).round().max(1.0) as u32))
    }
}
