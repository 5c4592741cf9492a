//! What each fuzz target checks, in one place: the cargo-fuzz targets in
//! `fuzz_targets/` call these, and the stable test `tests/cli/fuzz.rs`
//! replays `fuzz/seeds/` and `fuzz/regressions/` through them in CI.
//! Every function must return normally for any input; a panic is a bug.

use std::sync::LazyLock;

use policyscan::Matcher;
use policyscan::matcher::compile::compile;
use policyscan::normalize::NormalizedText;
use policyscan::patterns::PatternSet;

static MATCHER: LazyLock<Matcher> =
    LazyLock::new(|| policyscan::load_matcher(None, None).expect("built-in patterns compile"));

/// The pattern-file loader: `PatternSet::from_files` + `compile` on
/// arbitrary bytes (split into up to four files at NUL bytes). Errors are
/// fine; panics are not, and an accepted set must compile or fail cleanly.
pub fn pattern_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let files: Vec<(String, String)> = text
        .split('\0')
        .take(4)
        .enumerate()
        .map(|(i, t)| (format!("fuzz/f{i}.toml"), t.to_string()))
        .collect();
    match PatternSet::from_files("fuzz", &files) {
        Ok(set) => {
            let n = set.rules.len();
            if let Ok(m) = compile(set) {
                assert_eq!(m.rules().len(), n);
                let _ = m.find_all("Ketamine is considered experimental and investigational.");
            }
        }
        Err(e) => {
            // The message names a file of the set.
            assert!(e.to_string().starts_with("fuzz/f"), "{e}");
        }
    }
}

/// Normalization and the offset map: pages split at form feeds, then every
/// offset maps to a page and line inside the document, page ranges tile the
/// text, and re-indexing the normalized text gives the same map.
pub fn normalize(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let pages: Vec<&str> = s.split('\x0c').collect();
    let t = NormalizedText::from_pages(&pages);
    let text = t.text();
    assert_eq!(t.page_count(), pages.len());
    let mut prev_end = None;
    for i in 0..t.page_count() {
        let r = t.page_range(i);
        assert!(r.start <= r.end && r.end <= text.len(), "page {i}: {r:?}");
        if let Some(e) = prev_end {
            assert_eq!(r.start, e + 1, "pages are separated by one form feed");
        }
        prev_end = Some(r.end);
        assert!(
            !t.page_text(i).contains('\x0c'),
            "page {i} holds a form feed"
        );
    }
    let again = NormalizedText::from_normalized(text.to_string());
    assert_eq!(again.page_count(), t.page_count());
    let offsets = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()));
    for off in offsets {
        let (page, line) = t.locate(off);
        assert!(
            page >= 1 && page as usize <= t.page_count(),
            "{off}: page {page}"
        );
        assert!(line >= 1, "{off}: line {line}");
        assert_eq!(t.page_index(off) + 1, page as usize);
        assert_eq!(again.locate(off), (page, line), "{off}");
    }
    for (page, r) in t.lines() {
        assert!(page < t.page_count());
        assert!(r.start <= r.end && r.end <= text.len());
        assert!(!text[r].contains('\n'));
    }
}

/// The matcher on arbitrary text: hits lie inside the text on character
/// boundaries, name real rules, and come sorted without duplicates.
pub fn matcher(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let m = &*MATCHER;
    let hits = m.find_all(&s);
    for h in &hits {
        assert!(h.start < h.end && h.end <= s.len(), "{h:?}");
        assert!(
            s.is_char_boundary(h.start) && s.is_char_boundary(h.end),
            "{h:?}"
        );
        assert!(h.rule < m.rules().len());
    }
    assert!(
        hits.windows(2).all(|w| w[0] < w[1]),
        "sorted, no duplicates"
    );
}

/// The whole text side: normalize, match and classify (sentences,
/// negation, sections, stances, codes) never panic.
pub fn analyze(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let pages: Vec<&str> = s.split('\x0c').collect();
    let t = NormalizedText::from_pages(&pages);
    let a = policyscan::classify::analyze(&t, &MATCHER);
    for f in &a.findings {
        assert!(f.page >= 1 && f.page as usize <= t.page_count(), "{f:?}");
    }
}

/// Limits for the PDF targets: the defaults scaled down so one input stays
/// fast and well under the fuzzer's memory cap, with every kind of limit
/// still reachable.
fn pdf_limits() -> policyscan::extract::lopdf_text::Limits {
    policyscan::extract::lopdf_text::Limits {
        max_stream_bytes: 4 << 20,
        max_doc_bytes: 16 << 20,
        max_ops_per_page: 200_000,
        max_ops_per_doc: 1_000_000,
        max_operands: 20_000,
        max_pages: 2_000,
        max_page_text: 1 << 20,
        ..Default::default()
    }
}

/// A panic caught inside policyscan's own code (its location is in this
/// repository's `src/`) is a bug even when the caller survives it; panics
/// of the PDF libraries carry their registry path instead.
fn assert_no_own_panic(what: &str, msgs: &[String]) {
    for m in msgs {
        assert!(!m.contains(" at src/"), "{what}: {m}");
    }
}

/// Extracts with the own text layer and checks the result's shape.
fn own_layer(data: &[u8]) {
    use policyscan::extract::lopdf_text::LopdfText;
    use policyscan::extract::{ExtractError, ExtractOptions};
    let limits = pdf_limits();
    let layer = LopdfText { limits };
    match layer.extract_detailed(data, &ExtractOptions::default()) {
        Ok(d) => {
            let e = &d.extracted;
            assert!(e.pages.len() <= limits.max_pages, "{} pages", e.pages.len());
            for (i, p) in e.pages.iter().enumerate() {
                // The layout may finish the line it was on.
                assert!(
                    p.len() <= limits.max_page_text + 4096,
                    "page {i}: {}",
                    p.len()
                );
            }
            assert!(e.warnings.len() <= limits.max_warnings + 1);
            assert!(d.pages_without_text.iter().all(|&i| i < e.pages.len()));
            assert_no_own_panic("warning", &e.warnings);
        }
        Err(
            ExtractError::Malformed(m) | ExtractError::Encrypted(m) | ExtractError::TooLarge(m),
        ) => {
            assert!(!m.is_empty());
            assert_no_own_panic("error", &[m]);
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

/// The content-stream lexer and the text operators: arbitrary bytes as the
/// content of one page with no resources (fonts fall back to a default).
pub fn content(data: &[u8]) {
    let text = policyscan::extract::lopdf_text::interpret_content(data);
    assert!(
        text.len() <= (16 << 20) + 4096,
        "{} bytes of text",
        text.len()
    );
}

/// Builds a one-page PDF from parts split at NUL bytes: the body of the
/// font dictionary /F1 (object 5), the codes shown with it (as the hex
/// digits of a hex string; other bytes are dropped),
/// and up to three streams (objects 6, 7, 8) the dictionary may refer to
/// (`/ToUnicode 6 0 R`, `/FontFile2 7 0 R`, `/DescendantFonts [8 0 R]`, ...).
/// A stream part that starts with `<<` and holds `>>` gives its own
/// dictionary (filters, `/Subtype`); its `/Length` is added.
pub fn font_pdf(data: &[u8]) -> Vec<u8> {
    let mut parts = data.splitn(5, |&b| b == 0);
    let font = parts.next().unwrap_or_default();
    let shown = parts.next().unwrap_or_default();
    let hex: String = shown
        .iter()
        .filter(|b| b.is_ascii_hexdigit() || **b == b' ')
        .map(|&b| char::from(b))
        .collect();
    let content =
        format!("BT /F1 12 Tf 72 700 Td <{hex}> Tj 0 -14 Td [<{hex}> -300 <{hex}>] TJ ET");
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
           /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_vec(),
        stream_object(b"", content.as_bytes()),
        [b"<< ".as_slice(), font, b" >>"].concat(),
    ];
    for _ in 0..3 {
        let part = parts.next().unwrap_or_default();
        let (dict, body) = match part.windows(2).position(|w| w == b">>") {
            Some(end) if part.starts_with(b"<<") => (&part[2..end], &part[end + 2..]),
            _ => (&b""[..], part),
        };
        objects.push(stream_object(dict, body));
    }
    let mut pdf = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend_from_slice(o);
        pdf.extend_from_slice(b"\nendobj\n");
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

fn stream_object(dict: &[u8], body: &[u8]) -> Vec<u8> {
    let mut o = b"<< ".to_vec();
    o.extend_from_slice(dict);
    o.extend_from_slice(format!(" /Length {} >>\nstream\n", body.len()).as_bytes());
    o.extend_from_slice(body);
    o.extend_from_slice(b"\nendstream");
    o
}

/// The font, encoding and CMap readers: a font dictionary and its streams
/// from the input (see [`font_pdf`]), used to show text.
pub fn font(data: &[u8]) {
    own_layer(&font_pdf(data));
}

/// The whole own-layer extraction of one PDF from bytes: lopdf's loader
/// and repair, the page walk, content, fonts and layout, in process.
pub fn pdf(data: &[u8]) {
    own_layer(data);
}

/// The OCR page-image reader without the engine: the page walk, image
/// descriptions, declared-size checks, codec decoding (JPEG, CCITT, raw
/// samples), scaling, and the whole-page renderer, at a low resolution.
/// Every bitmap stays within the output cap.
pub fn page_images(data: &[u8]) {
    use policyscan::extract::ocr::bitmap::Caps;
    let caps = Caps {
        max_source_pixels: 4_000_000,
        max_source_bytes: 4 << 20,
        max_output_pixels: 250_000,
    };
    if let Ok(lines) = policyscan::extract::ocr::page_bitmaps(data, caps, 36) {
        assert_no_own_panic("page", &lines);
        for l in &lines {
            if let Some((w, rest)) = l.split_once(": ").and_then(|(_, r)| r.split_once(" x ")) {
                let (Ok(w), Some(Ok(h))) = (
                    w.parse::<u64>(),
                    rest.split(' ').next().map(str::parse::<u64>),
                ) else {
                    continue;
                };
                // Rounding of the scaled sides may add a row and a column.
                assert!(w * h <= caps.max_output_pixels + w + h + 1, "{l}");
            }
        }
    }
}
