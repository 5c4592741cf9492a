//! `--ocr`: pages without a text layer read with Tesseract.
//!
//! The documents are image-only PDFs the tests draw themselves (a policy
//! paragraph rasterized with `ab_glyph` from the DejaVu Sans font at 300
//! dpi, embedded as one Flate image, as two image strips, as a 1-bit
//! image on a page shown turned a quarter turn, as a 200 dpi CCITT Group 4
//! fax encoded with the `fax` crate, and as a 150 dpi colour JPEG; and a
//! two-page document whose first page has a text layer), plus the torture files
//! `jpeg_only_scan.pdf` (a 100 dpi JPEG of rendered policy text) and
//! `image_huge_dims.pdf` (an image declaring 10^12 pixels).
//!
//! Tests that need the tesseract program or the font skip with a message
//! when they are missing; `scripts/setup.sh` and `scripts/test.sh` install
//! both (tesseract-ocr, tesseract-ocr-eng, fonts-dejavu-core).

use std::path::{Path, PathBuf};
use std::time::Instant;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::GrayImage;
use lopdf::{Document, Object, Stream, dictionary};
use serde_json::Value;

use super::common::{policyscan, run, stdout_json, temp_with};

/// The paragraph the drawn documents hold, line by line.
const PARAGRAPH: &[&str] = &[
    "Medical Policy: Intravenous Ketamine Infusion",
    "",
    "Intravenous ketamine infusion is considered experimental and",
    "investigational for the treatment of depression, including",
    "treatment-resistant depression, and is not covered.",
];

/// The text `jpeg_only_scan.pdf` was drawn from (make_torture.py's
/// POLICY_TEXT, four times).
const TORTURE_TEXT: &[&str] = &[
    "Medical Policy: Ketamine and Esketamine (Spravato) for Depression",
    "Esketamine nasal spray is considered medically necessary when criteria are met.",
    "Intravenous ketamine is considered experimental and investigational",
    "for treatment-resistant depression and is not covered.",
    "Off-label use is excluded. Mental health parity requirements apply.",
];

fn torture(name: &str) -> Option<PathBuf> {
    let p = super::common::repo()
        .join("../shared/corpus/torture")
        .join(name);
    if p.is_file() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found", p.display());
        None
    }
}

fn tesseract_installed() -> bool {
    let ok = std::process::Command::new("tesseract")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "skipping: the tesseract program is not installed \
             (scripts/setup.sh or scripts/test.sh installs tesseract-ocr)"
        );
    }
    ok
}

const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

fn font_data() -> Option<Vec<u8>> {
    let data = std::fs::read(FONT).ok();
    if data.is_none() {
        eprintln!("skipping: {FONT} not found (Debian package fonts-dejavu-core)");
    }
    data
}

/// Draws `lines` in black on a white letter page at 300 dpi (11 pt text).
fn draw_page(font_data: &[u8], lines: &[&str]) -> GrayImage {
    let font = FontRef::try_from_slice(font_data).expect("a TrueType font");
    let scale = PxScale::from(46.0);
    let sf = font.as_scaled(scale);
    let mut img = GrayImage::from_pixel(2550, 3300, image::Luma([255]));
    let mut baseline = 300.0 + sf.ascent();
    for line in lines {
        let mut x = 300.0f32;
        let mut prev = None;
        for ch in line.chars() {
            let id = font.glyph_id(ch);
            if let Some(p) = prev {
                x += sf.kern(p, id);
            }
            let glyph = id.with_scale_and_position(scale, ab_glyph::point(x, baseline));
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|gx, gy, cov| {
                    let (px, py) = (
                        b.min.x as i64 + i64::from(gx),
                        b.min.y as i64 + i64::from(gy),
                    );
                    if px >= 0 && py >= 0 && (px as u32) < img.width() && (py as u32) < img.height()
                    {
                        let p = img.get_pixel_mut(px as u32, py as u32);
                        let v = 255.0 * (1.0 - cov.clamp(0.0, 1.0));
                        p.0[0] = p.0[0].min(v as u8);
                    }
                });
            }
            x += sf.h_advance(id);
            prev = Some(id);
        }
        baseline += sf.height() + sf.line_gap() + 14.0;
    }
    img
}

fn flate(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, data).unwrap();
    enc.finish().unwrap()
}

/// An 8-bit grey image XObject, Flate-compressed.
fn gray_image(img: &GrayImage) -> Stream {
    Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image",
            "Width" => i64::from(img.width()), "Height" => i64::from(img.height()),
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
            "Filter" => "FlateDecode",
        },
        flate(img.as_raw()),
    )
}

/// A 1-bit image XObject (threshold at half grey), Flate-compressed.
fn bilevel_image(img: &GrayImage) -> Stream {
    let row = img.width().div_ceil(8) as usize;
    let mut bits = vec![0u8; row * img.height() as usize];
    for (x, y, p) in img.enumerate_pixels() {
        if p.0[0] >= 128 {
            bits[y as usize * row + x as usize / 8] |= 0x80 >> (x % 8);
        }
    }
    Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image",
            "Width" => i64::from(img.width()), "Height" => i64::from(img.height()),
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 1,
            "Filter" => "FlateDecode",
        },
        flate(&bits),
    )
}

/// A CCITT Group 4 image XObject (text pixels black), encoded with the
/// `fax` crate: an encoder independent of the decoder under test.
fn g4_image(img: &GrayImage) -> Stream {
    let mut enc = fax::encoder::Encoder::new(fax::VecWriter::new());
    for row in img.rows() {
        let pels = row.map(|p| {
            if p.0[0] < 128 {
                fax::Color::Black
            } else {
                fax::Color::White
            }
        });
        enc.encode_line(pels, img.width()).unwrap();
    }
    let data = enc.finish().unwrap().finish();
    Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image",
            "Width" => i64::from(img.width()), "Height" => i64::from(img.height()),
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 1,
            "Filter" => "CCITTFaxDecode",
            "DecodeParms" => dictionary! {
                "K" => -1, "Columns" => i64::from(img.width()), "Rows" => i64::from(img.height()),
            },
        },
        data,
    )
}

/// An RGB JPEG image XObject (dark blue text on cream paper).
fn color_jpeg(img: &GrayImage) -> Stream {
    let rgb = image::RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let v = f32::from(img.get_pixel(x, y).0[0]) / 255.0;
        let mix = |ink: f32, paper: f32| (ink + (paper - ink) * v) as u8;
        image::Rgb([mix(20.0, 250.0), mix(30.0, 244.0), mix(110.0, 225.0)])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 75)
        .encode_image(&rgb)
        .unwrap();
    dct_xobject(jpeg, img.width(), img.height(), "DeviceRGB")
}

/// A JPEG (DCTDecode) image XObject of 8-bit samples.
fn dct_xobject(jpeg: Vec<u8>, width: u32, height: u32, color_space: &str) -> Stream {
    Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image",
            "Width" => i64::from(width), "Height" => i64::from(height),
            "ColorSpace" => color_space, "BitsPerComponent" => 8,
            "Filter" => "DCTDecode",
        },
        jpeg,
    )
}

/// A one-page PDF drawing `images` (each with its `cm` matrix).
fn image_pdf(media: [i64; 4], rotate: i64, images: Vec<Placed>) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut xobjects = lopdf::Dictionary::new();
    let mut content = Vec::new();
    for (i, (stream, m)) in images.into_iter().enumerate() {
        let id = doc.add_object(stream);
        let name = format!("Im{i}");
        xobjects.set(name.as_bytes(), id);
        content.extend_from_slice(
            format!(
                "q {} {} {} {} {} {} cm /{name} Do Q\n",
                m[0], m[1], m[2], m[3], m[4], m[5]
            )
            .as_bytes(),
        );
    }
    let contents = doc.add_object(Stream::new(dictionary! {}, content));
    let page = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => media.iter().map(|&v| Object::Integer(v)).collect::<Vec<_>>(),
        "Rotate" => rotate,
        "Resources" => dictionary! { "XObject" => xobjects },
        "Contents" => contents,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Word accuracy: 1 - (word edit distance / reference words).
fn word_accuracy(reference: &str, got: &str) -> f64 {
    let (r, g) = (words(reference), words(got));
    let mut prev: Vec<usize> = (0..=g.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut cur = vec![i + 1; g.len() + 1];
        for (j, gw) in g.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(rw != gw))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    1.0 - prev[g.len()] as f64 / r.len().max(1) as f64
}

/// The normalized text `policyscan extract --ocr` prints.
fn extract_text(path: &Path, ocr: bool) -> (String, std::time::Duration) {
    let mut args = vec!["extract", path.to_str().unwrap()];
    if ocr {
        args.push("--ocr");
    }
    let t = Instant::now();
    let out = run(&args);
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        t.elapsed(),
    )
}

fn scan(dir: &Path, ocr: bool) -> Value {
    let mut args = vec![
        "scan",
        "--format",
        "json",
        "--no-cache",
        dir.to_str().unwrap(),
    ];
    if ocr {
        args.push("--ocr");
    }
    let out = run(&args);
    stdout_json(&out)
}

fn doc<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"].as_str().unwrap().ends_with(name))
        .unwrap_or_else(|| panic!("{name} not in the report"))
}

/// The drawn paragraph as a single Flate image, as two strips (so the
/// page is rendered, not taken from one image), and as a 1-bit image on a
/// landscape page with `/Rotate 90`.
fn drawn_documents(font: &[u8]) -> tempfile::TempDir {
    let page = draw_page(font, PARAGRAPH);
    let letter = [0, 0, 612, 792];
    let single = image_pdf(
        letter,
        0,
        vec![(gray_image(&page), [612.0, 0.0, 0.0, 792.0, 0.0, 0.0])],
    );
    let top = image::imageops::crop_imm(&page, 0, 0, 2550, 1650).to_image();
    let bottom = image::imageops::crop_imm(&page, 0, 1650, 2550, 1650).to_image();
    let strips = image_pdf(
        letter,
        0,
        vec![
            (gray_image(&top), [612.0, 0.0, 0.0, 396.0, 0.0, 396.0]),
            (gray_image(&bottom), [612.0, 0.0, 0.0, 396.0, 0.0, 0.0]),
        ],
    );
    // Stored turned a quarter turn counter-clockwise on a landscape page;
    // /Rotate 90 shows it upright.
    let turned = image::imageops::rotate270(&page);
    let rotated = image_pdf(
        [0, 0, 792, 612],
        90,
        vec![(bilevel_image(&turned), [792.0, 0.0, 0.0, 612.0, 0.0, 0.0])],
    );
    // A 200 dpi fax (Group 4) and a 150 dpi colour JPEG: both brought up
    // toward 300 dpi before OCR.
    let fax_res = image::imageops::resize(&page, 1700, 2200, image::imageops::FilterType::Triangle);
    let fax = image_pdf(
        letter,
        0,
        vec![(g4_image(&fax_res), [612.0, 0.0, 0.0, 792.0, 0.0, 0.0])],
    );
    let jpeg_res =
        image::imageops::resize(&page, 1275, 1650, image::imageops::FilterType::Triangle);
    let jpeg = image_pdf(
        letter,
        0,
        vec![(color_jpeg(&jpeg_res), [612.0, 0.0, 0.0, 792.0, 0.0, 0.0])],
    );
    temp_with(&[
        ("single_image.pdf", &single),
        ("two_strips.pdf", &strips),
        ("rotated_bilevel.pdf", &rotated),
        ("fax_g4.pdf", &fax),
        ("color_jpeg.pdf", &jpeg),
    ])
}

/// The names `drawn_documents` writes, and whether the page is rendered
/// whole (rather than taken from its one embedded image).
const DRAWN: &[(&str, bool)] = &[
    ("single_image.pdf", false),
    ("two_strips.pdf", true),
    ("rotated_bilevel.pdf", false),
    ("fax_g4.pdf", false),
    ("color_jpeg.pdf", false),
];

#[test]
fn ocr_reads_a_drawn_policy_paragraph_and_finds_the_stance() {
    if !tesseract_installed() {
        return;
    }
    let Some(font) = font_data() else { return };
    let dir = drawn_documents(&font);
    let reference = PARAGRAPH.join("\n");
    let t = Instant::now();
    let report = scan(dir.path(), true);
    let elapsed = t.elapsed();
    for &(name, rendered) in DRAWN {
        let d = doc(&report, name);
        assert_eq!(d["status"], "ok", "{name}: {d:#}");
        assert_eq!(d["extractor"], "ocr:tesseract", "{name}");
        let summary = d["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .find(|w| w.starts_with("OCR (--ocr)"))
            .unwrap_or_else(|| panic!("{name}: no OCR summary: {d:#}"));
        assert_eq!(summary.contains("rendered whole"), rendered, "{summary}");
        assert_eq!(
            d["topics"]["ketamine"]["stance"], "not_covered",
            "{name}: {d:#}"
        );
        let reasons = super::common::sorted_strings(&d["topics"]["ketamine"]["reasons"]);
        assert!(
            reasons.contains(&"experimental_investigational".to_string()),
            "{name}: {reasons:?}"
        );
        let ocr_pages = d["ocr_pages"].as_array().unwrap();
        assert_eq!(ocr_pages.len(), 1, "{name}");
        assert_eq!(ocr_pages[0]["page"], 1);
        let confidence = ocr_pages[0]["confidence"].as_u64().unwrap();
        assert!(confidence >= 80, "{name}: confidence {confidence}");
        let findings = d["findings"].as_array().unwrap();
        assert!(!findings.is_empty(), "{name}");
        assert!(findings.iter().all(|f| f["ocr"] == true), "{name}");
        assert!(
            d["topics"]["ketamine"]["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["ocr"] == true),
            "{name}"
        );
        let (text, _) = extract_text(&dir.path().join(name), true);
        let acc = word_accuracy(&reference, &text);
        eprintln!("{name}: word accuracy {acc:.3}, OCR confidence {confidence}");
        assert!(acc >= 0.95, "{name}: word accuracy {acc:.3}: {text}");
    }
    eprintln!(
        "{} drawn pages scanned with --ocr in {:.2} s",
        DRAWN.len(),
        elapsed.as_secs_f64()
    );
}

/// A two-page PDF: page 1 has a text layer (Helvetica), page 2 is the
/// drawn paragraph as an image.
fn mixed_pdf(font: &[u8]) -> Vec<u8> {
    let page2 = draw_page(font, PARAGRAPH);
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let helvetica = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let text = b"BT /F1 12 Tf 72 720 Td (Esketamine \\(Spravato\\) nasal spray requires prior authorization.) Tj ET".to_vec();
    let c1 = doc.add_object(Stream::new(dictionary! {}, text));
    let p1 = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => helvetica } },
        "Contents" => c1,
    });
    let img = doc.add_object(gray_image(&page2));
    let c2 = doc.add_object(Stream::new(
        dictionary! {},
        b"q 612 0 0 792 0 0 cm /Im0 Do Q".to_vec(),
    ));
    let p2 = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => img } },
        "Contents" => c2,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![p1.into(), p2.into()], "Count" => 2,
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn ocr_fills_only_the_pages_without_text() {
    if !tesseract_installed() {
        return;
    }
    let Some(font) = font_data() else { return };
    let dir = temp_with(&[("mixed.pdf", &mixed_pdf(&font))]);
    let report = scan(dir.path(), true);
    let d = doc(&report, "mixed.pdf");
    assert_eq!(d["status"], "ok", "{d:#}");
    assert_eq!(d["extractor"], "policyscan-lopdf+ocr:tesseract");
    assert_eq!(d["ocr_pages"].as_array().unwrap().len(), 1);
    assert_eq!(d["ocr_pages"][0]["page"], 2);
    let findings = d["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["page"] == 1));
    assert!(findings.iter().any(|f| f["page"] == 2));
    for f in findings {
        assert_eq!(f["ocr"], f["page"] == 2, "{f:#}");
    }
    assert_eq!(d["topics"]["ketamine"]["stance"], "not_covered", "{d:#}");
    // Without --ocr the text page is read and the image page stays empty.
    let plain = scan(dir.path(), false);
    let d = doc(&plain, "mixed.pdf");
    assert_eq!(d["status"], "ok");
    assert_eq!(d["extractor"], "policyscan-lopdf");
    assert_eq!(d["ocr_pages"], serde_json::json!([]));
    assert!(
        d["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["page"] == 1)
    );
}

#[test]
fn a_crash_during_ocr_is_retried_without_ocr() {
    if !tesseract_installed() {
        return;
    }
    let Some(font) = font_data() else { return };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("faulty.pdf"), mixed_pdf(&font)).unwrap();
    let out = policyscan()
        .env("POLICYSCAN_TEST_FAULT", "abort-in-ocr:faulty")
        .args(["scan", "--format", "json", "--no-cache", "-j", "1", "--ocr"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = stdout_json(&out);
    let d = &report["documents"][0];
    // The text layer's page is kept; the crash is blamed on OCR, and the
    // retry went without it.
    assert_eq!(d["status"], "ok", "{d}");
    assert_eq!(d["ocr_pages"].as_array().map(Vec::len), Some(0), "{d}");
    let warnings = d["warnings"].to_string();
    assert!(warnings.contains("SIGABRT) in ocr:tesseract"), "{warnings}");
    assert!(
        warnings.contains("crashed the extraction worker"),
        "{warnings}"
    );
}

#[test]
fn jpeg_only_scan_yields_text_with_ocr() {
    if !tesseract_installed() {
        return;
    }
    let Some(path) = torture("jpeg_only_scan.pdf") else {
        return;
    };
    let (text, took) = extract_text(&path, true);
    let reference = TORTURE_TEXT.repeat(4).join("\n");
    let acc = word_accuracy(&reference, &text);
    eprintln!(
        "jpeg_only_scan.pdf: word accuracy {acc:.3}, {:.2} s",
        took.as_secs_f64()
    );
    assert!(text.contains("ketamine"), "{text}");
    assert!(acc >= 0.9, "word accuracy {acc:.3}: {text}");
    let out = run(&["scan", "--format", "json", "--ocr", path.to_str().unwrap()]);
    let report = stdout_json(&out);
    let d = &report["documents"][0];
    assert_eq!(d["status"], "ok", "{d:#}");
    assert_eq!(d["extractor"], "ocr:tesseract");
    assert_eq!(d["topics"]["ketamine"]["stance"], "not_covered", "{d:#}");
    assert!(d["ocr_pages"][0]["confidence"].as_u64().unwrap() >= 70);
}

#[test]
fn without_ocr_image_pages_stay_no_text_with_a_hint() {
    let mut paths: Vec<PathBuf> = torture("jpeg_only_scan.pdf").into_iter().collect();
    let drawn = font_data().map(|f| drawn_documents(&f));
    if let Some(dir) = &drawn {
        paths.push(dir.path().join("single_image.pdf"));
    }
    for path in paths {
        let out = run(&["scan", "--format", "json", path.to_str().unwrap()]);
        let report = stdout_json(&out);
        let d = &report["documents"][0];
        assert_eq!(d["status"], "no_text", "{}: {d:#}", path.display());
        let error = d["error"].as_str().unwrap();
        assert!(error.contains("--ocr"), "{error}");
        assert_eq!(d["ocr_pages"], serde_json::json!([]));
    }
}

#[test]
fn huge_declared_image_is_not_allocated() {
    if !tesseract_installed() {
        return;
    }
    let Some(path) = torture("image_huge_dims.pdf") else {
        return;
    };
    let t = Instant::now();
    let out = run(&["scan", "--format", "json", "--ocr", path.to_str().unwrap()]);
    let took = t.elapsed();
    let report = stdout_json(&out);
    let d = &report["documents"][0];
    assert!(
        d["status"] == "no_text" || d["status"] == "too_large",
        "{d:#}"
    );
    let warnings = d["warnings"].to_string();
    assert!(warnings.contains("OCR limit"), "{warnings}");
    assert!(took.as_secs() < 20, "took {took:?}");
}

#[test]
fn ocr_needs_tesseract_and_says_how_to_get_it() {
    let out = super::common::policyscan()
        .env("POLICYSCAN_TESSERACT", "/nonexistent/tesseract")
        .args(["scan", "--ocr", "fixtures"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tesseract-ocr"), "{err}");
    let out = run(&["scan", "--ocr-lang", "eng", "fixtures"]);
    assert_eq!(out.status.code(), Some(2), "--ocr-lang requires --ocr");
}

#[test]
fn unknown_ocr_language_is_a_usage_error() {
    if !tesseract_installed() {
        return;
    }
    let out = run(&["scan", "--ocr", "--ocr-lang", "xx_none", "fixtures"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("xx_none"), "{err}");
}

#[test]
fn ocr_results_are_cached_under_their_own_key() {
    if !tesseract_installed() {
        return;
    }
    let Some(path) = torture("jpeg_only_scan.pdf") else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let scan_with = |ocr: bool| {
        let mut args = vec![
            "scan",
            "--format",
            "json",
            "--cache",
            cache.path().to_str().unwrap(),
            path.to_str().unwrap(),
        ];
        if ocr {
            args.push("--ocr");
        }
        let t = Instant::now();
        let report = stdout_json(&run(&args));
        (report["documents"][0].clone(), t.elapsed())
    };
    let (plain, _) = scan_with(false);
    assert_eq!(plain["status"], "no_text");
    let (first, _) = scan_with(true);
    assert_eq!(first["status"], "ok");
    let (again, _) = scan_with(true);
    assert_eq!(again, first, "a cache hit gives the same document");
    let (plain_again, _) = scan_with(false);
    assert_eq!(plain_again["status"], "no_text", "the keys are separate");
    let entries = walk_files(cache.path());
    assert_eq!(
        entries, 4,
        "an extraction and an analysis entry per pipeline"
    );
}

#[test]
fn an_interrupted_ocr_page_is_not_cached() {
    if !tesseract_installed() {
        return;
    }
    let Some(path) = torture("jpeg_only_scan.pdf") else {
        return;
    };
    // An engine that answers for its version and languages, then is
    // killed on every page (as by the OOM killer).
    let dir = tempfile::tempdir().unwrap();
    let engine = dir.path().join("tesseract");
    std::fs::write(
        &engine,
        "#!/bin/sh\ncase \"$1\" in --version|--list-langs) exec tesseract \"$@\";; esac\nkill -9 $$\n",
    )
    .unwrap();
    std::fs::set_permissions(&engine, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let cache = dir.path().join("cache");
    let out = policyscan()
        .env("POLICYSCAN_TESSERACT", &engine)
        .args(["scan", "--format", "json", "--ocr", "--cache"])
        .arg(&cache)
        .arg(&path)
        .output()
        .unwrap();
    let report = stdout_json(&out);
    let d = &report["documents"][0];
    assert_eq!(d["status"], "no_text", "{d}");
    assert!(
        d["warnings"].to_string().contains("killed by a signal"),
        "{d}"
    );
    assert_eq!(
        walk_files(&cache),
        0,
        "nothing cached: the next run tries again"
    );
}

fn walk_files(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            n += walk_files(&p);
        } else {
            n += 1;
        }
    }
    n
}

/// An image XObject and the matrix that places it on the page.
type Placed = (Stream, [f64; 6]);

/// A full page of policy prose, for the speed and accuracy measurement.
const FULL_PAGE: &[&str] = &[
    "Clinical Policy Bulletin: Ketamine and Esketamine for Depression",
    "Number: 0938   Effective date: March 1, 2025   Last review: January 9, 2025",
    "",
    "Policy",
    "I. Esketamine nasal spray (Spravato) is considered medically necessary for",
    "adults with treatment-resistant depression when all of the following criteria",
    "are met: the member has a diagnosis of major depressive disorder; the member",
    "has not responded to at least two oral antidepressants of adequate dose and",
    "duration in the current episode; the drug is given under the supervision of a",
    "health care provider at a treatment center certified under the REMS program;",
    "and it is used together with a newly started oral antidepressant.",
    "II. Initial authorization is for six months. Continuation requires",
    "documentation of a response, such as an improvement of at least 50 percent",
    "on a standard depression rating scale.",
    "III. Intravenous ketamine infusion is considered experimental and",
    "investigational for the treatment of depression, including treatment-resistant",
    "depression, bipolar depression, post-traumatic stress disorder and chronic pain,",
    "because its effectiveness for these indications has not been established.",
    "IV. Oral, sublingual and compounded ketamine products are not covered.",
    "",
    "Background",
    "Ketamine is an anesthetic approved by the Food and Drug Administration for",
    "the induction and maintenance of general anesthesia. Its use for depression is",
    "off-label. Esketamine, the S-enantiomer of ketamine, was approved in 2019 as a",
    "nasal spray for treatment-resistant depression in adults, and later for",
    "depressive symptoms in adults with major depressive disorder with acute",
    "suicidal ideation or behavior.",
    "",
    "Codes",
    "CPT 96365 Intravenous infusion, for therapy, prophylaxis, or diagnosis;",
    "initial, up to 1 hour. HCPCS S0013 Esketamine, nasal spray, 1 mg.",
    "ICD-10-CM F33.2 Major depressive disorder, recurrent severe without",
    "psychotic features.",
];

/// Salt-and-pepper noise on `share` of the pixels (deterministic).
fn speckle(img: &mut GrayImage, share: f64) {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for p in img.pixels_mut() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let r = (state >> 33) as f64 / f64::from(1u32 << 31);
        if r < share / 2.0 {
            p.0[0] = 0;
        } else if r < share {
            p.0[0] = 255;
        }
    }
}

/// A gray JPEG image XObject of the given quality.
fn gray_jpeg(img: &GrayImage, quality: u8) -> Stream {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality)
        .encode_image(img)
        .unwrap();
    dct_xobject(jpeg, img.width(), img.height(), "DeviceGray")
}

/// Writes the measurement set (set `OCR_BENCH_DIR`) and prints each
/// variant's word accuracy and OCR confidence; `docs/OCR.md` has the
/// numbers and how the speed was timed. Run with
/// `OCR_BENCH_DIR=DIR cargo test --release --test cli -- --ignored ocr_measurement --nocapture`.
#[test]
#[ignore = "a measurement, not a check: writes files and takes a minute"]
fn ocr_measurement() {
    if !tesseract_installed() {
        return;
    }
    let Some(font) = font_data() else { return };
    let Ok(dir) = std::env::var("OCR_BENCH_DIR") else {
        eprintln!("set OCR_BENCH_DIR to the folder to write the set into");
        return;
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    let page = draw_page(&font, FULL_PAGE);
    let letter = [0, 0, 612, 792];
    let full = [612.0, 0.0, 0.0, 792.0, 0.0, 0.0];
    let at = |w: u32, h: u32| {
        image::imageops::resize(&page, w, h, image::imageops::FilterType::Triangle)
    };
    let mut noisy = at(1700, 2200);
    speckle(&mut noisy, 0.03);
    let top = image::imageops::crop_imm(&page, 0, 0, 2550, 1650).to_image();
    let bottom = image::imageops::crop_imm(&page, 0, 1650, 2550, 1650).to_image();
    let variants: Vec<(&str, Vec<Placed>)> = vec![
        ("gray300_flate", vec![(gray_image(&page), full)]),
        ("fax200_g4", vec![(g4_image(&at(1700, 2200)), full)]),
        ("fax200_g4_speckled3pct", vec![(g4_image(&noisy), full)]),
        ("color150_jpeg75", vec![(color_jpeg(&at(1275, 1650)), full)]),
        (
            "gray100_jpeg50",
            vec![(gray_jpeg(&at(850, 1100), 50), full)],
        ),
        ("gray72_jpeg75", vec![(gray_jpeg(&at(612, 792), 75), full)]),
        (
            "strips300_rendered",
            vec![
                (gray_image(&top), [612.0, 0.0, 0.0, 396.0, 0.0, 396.0]),
                (gray_image(&bottom), [612.0, 0.0, 0.0, 396.0, 0.0, 0.0]),
            ],
        ),
    ];
    let reference = FULL_PAGE.join("\n");
    for (name, images) in variants {
        let path = dir.join(format!("{name}.pdf"));
        std::fs::write(&path, image_pdf(letter, 0, images)).unwrap();
        let t = Instant::now();
        let out = run(&[
            "scan",
            "--format",
            "json",
            "--no-cache",
            "-j",
            "1",
            "--ocr",
            path.to_str().unwrap(),
        ]);
        let took = t.elapsed();
        let report = stdout_json(&out);
        let d = &report["documents"][0];
        let (text, _) = extract_text(&path, true);
        println!(
            "{name}: word accuracy {:.3}, confidence {}, ketamine {}, esketamine {}, {:.2} s",
            word_accuracy(&reference, &text),
            d["ocr_pages"][0]["confidence"],
            d["topics"]["ketamine"]["stance"],
            d["topics"]["esketamine"]["stance"],
            took.as_secs_f64()
        );
    }
}
