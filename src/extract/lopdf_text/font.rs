//! Fonts: from a font dictionary to, for every character code of a shown
//! string, its Unicode text and advance width. Parsed once per document
//! and cached by object id.
//!
//! Owns: simple fonts (Type 1, TrueType, Type 3; encodings and glyph names
//! through `encoding`, widths from `/Widths`, `/MissingWidth` or the
//! standard-14 metrics), composite fonts (Type 0 with Identity, predefined
//! or embedded encoding CMaps, `/W` widths kept as ranges, Unicode from
//! ToUnicode, `Uni*` encodings or the collection's UCS2 table), and the
//! per-document [`FontCache`].
//!
//! Must not: position glyphs (that is `content`) or lay out text.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use hayro_cmap::CMap;
use lopdf::{Dictionary, Object, ObjectId};

use super::cmap;
use super::encoding::{self, Base, Names};
use super::limits::{Budget, Warnings};
use super::objects::Doc;

/// Width used when a font gives none (a typical Latin average, in text
/// space units per unit of font size).
const DEFAULT_WIDTH: f64 = 0.5;

/// One entry of a simple font's table.
#[derive(Debug, Clone, Default)]
struct SimpleGlyph {
    text: Box<str>,
    width: f64,
}

/// Glyph widths of a CIDFont, as ranges.
#[derive(Debug, Default)]
struct CidWidths {
    default: f64,
    /// `(first cid, last cid, width)`, sorted by first cid.
    ranges: Vec<(u32, u32, f64)>,
}

impl CidWidths {
    fn get(&self, cid: u32) -> f64 {
        let i = self.ranges.partition_point(|r| r.0 <= cid);
        if i > 0 {
            let r = self.ranges[i - 1];
            if cid <= r.1 {
                return r.2;
            }
        }
        self.default
    }
}

#[derive(Debug)]
struct Composite {
    encoding: CMap,
    identity: bool,
    codes_are_unicode: bool,
    to_unicode: Option<CMap>,
    ucs2: Option<CMap>,
    widths: CidWidths,
    /// code -> (text, width), filled as codes are met.
    cache: RefCell<HashMap<u32, (Box<str>, f64)>>,
}

#[derive(Debug)]
enum Kind {
    Simple(Vec<SimpleGlyph>),
    Composite(Box<Composite>),
}

/// A font ready to decode shown strings.
#[derive(Debug)]
pub struct Font {
    /// Em height of the font in text space per unit of font size (1 except
    /// for Type 3 fonts with unusual matrices).
    pub size_scale: f64,
    kind: Kind,
}

impl Font {
    /// A stand-in for a missing or unusable font: StandardEncoding names,
    /// average widths.
    pub fn fallback() -> Font {
        let names = encoding::base_names(Base::WinAnsi);
        let glyphs = names
            .iter()
            .map(|n| SimpleGlyph {
                text: n
                    .as_deref()
                    .and_then(encoding::glyph_text)
                    .unwrap_or_default()
                    .into_boxed_str(),
                width: DEFAULT_WIDTH,
            })
            .collect();
        Font {
            size_scale: 1.0,
            kind: Kind::Simple(glyphs),
        }
    }

    /// Calls `f(text, width, is_single_byte_space)` for every character
    /// code of `bytes`; returns how many codes had no Unicode text.
    #[inline]
    pub fn each_glyph(&self, bytes: &[u8], mut f: impl FnMut(&str, f64, bool)) -> usize {
        let mut unmapped = 0;
        match &self.kind {
            Kind::Simple(table) => {
                for &b in bytes {
                    let g = &table[b as usize];
                    if g.text.is_empty() {
                        unmapped += 1;
                    }
                    f(&g.text, g.width, b == b' ');
                }
            }
            Kind::Composite(c) => {
                let mut rest = bytes;
                let mut cache = c.cache.borrow_mut();
                while !rest.is_empty() {
                    let (code, len, cid) = if c.identity {
                        if rest.len() >= 2 {
                            let code = u32::from(rest[0]) << 8 | u32::from(rest[1]);
                            (code, 2, code)
                        } else {
                            (u32::from(rest[0]), 1, u32::from(rest[0]))
                        }
                    } else {
                        cmap::next_code(&c.encoding, rest)
                    };
                    rest = &rest[len..];
                    let entry = cache.entry(code).or_insert_with(|| {
                        let mut s = String::new();
                        let mapped = c
                            .to_unicode
                            .as_ref()
                            .is_some_and(|t| cmap::to_unicode(t, code, &mut s));
                        if !mapped {
                            if c.codes_are_unicode {
                                if let Some(ch) = char::from_u32(code) {
                                    s.push(ch);
                                }
                            } else if let Some(u) = &c.ucs2
                                && let Some(ch) = u.lookup_cid_code(cid, 2).and_then(char::from_u32)
                            {
                                s.push(ch);
                            }
                        }
                        let s: String = s.chars().filter(|&ch| ch != '\0').collect();
                        (s.into_boxed_str(), c.widths.get(cid) / 1000.0)
                    });
                    if entry.0.is_empty() {
                        unmapped += 1;
                    }
                    f(&entry.0, entry.1, len == 1 && code == 32);
                }
            }
        }
        unmapped
    }
}

/// Fonts of one document, parsed once each.
#[derive(Default)]
pub struct FontCache {
    by_id: HashMap<ObjectId, Rc<Font>>,
    by_addr: HashMap<usize, Rc<Font>>,
    fallback: Option<Rc<Font>>,
    loaded: usize,
}

impl FontCache {
    /// The stand-in font.
    pub fn fallback(&mut self) -> Rc<Font> {
        self.fallback
            .get_or_insert_with(|| Rc::new(Font::fallback()))
            .clone()
    }

    /// The font a resource entry (`/F1 12 0 R` or an inline dictionary)
    /// names.
    pub fn get(
        &mut self,
        d: &Doc<'_>,
        entry: &Object,
        budget: &mut Budget,
        warnings: &mut Warnings,
    ) -> Rc<Font> {
        let id = match entry {
            Object::Reference(id) => Some(*id),
            _ => None,
        };
        if let Some(id) = id
            && let Some(f) = self.by_id.get(&id)
        {
            return f.clone();
        }
        let Some(Object::Dictionary(dict)) = d.resolve(entry) else {
            warnings.once("font-not-dict", || {
                "a font resource is not a dictionary; using a stand-in".into()
            });
            return self.fallback();
        };
        let addr = dict as *const Dictionary as usize;
        if let Some(f) = self.by_addr.get(&addr) {
            return f.clone();
        }
        if self.loaded >= d.limits.max_fonts {
            warnings.once("font-limit", || {
                format!(
                    "more than {} fonts; the rest use a stand-in",
                    d.limits.max_fonts
                )
            });
            return self.fallback();
        }
        self.loaded += 1;
        let font = Rc::new(load(d, dict, budget, warnings));
        match id {
            Some(id) => self.by_id.insert(id, font.clone()),
            None => self.by_addr.insert(addr, font.clone()),
        };
        font
    }
}

fn strip_subset(name: &str) -> &str {
    match name.split_once('+') {
        Some((tag, rest)) if tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()) => rest,
        _ => name,
    }
}

fn to_unicode_cmap(
    d: &Doc<'_>,
    dict: &Dictionary,
    font: &str,
    budget: &mut Budget,
    warnings: &mut Warnings,
) -> Option<CMap> {
    let stream = d.stream(dict, b"ToUnicode")?;
    let data = d.decode(stream, "ToUnicode CMap", budget, warnings)?;
    let parsed = cmap::parse(&data);
    if parsed.is_none() {
        warnings.once("bad-tounicode", || {
            format!("font {font}: broken ToUnicode CMap; using the font's encoding")
        });
    }
    parsed
}

/// Loads a font dictionary.
pub fn load(d: &Doc<'_>, dict: &Dictionary, budget: &mut Budget, warnings: &mut Warnings) -> Font {
    let name = d
        .name(dict, b"BaseFont")
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_default();
    if d.name(dict, b"Subtype") == Some(b"Type0") {
        load_composite(d, dict, name, budget, warnings)
    } else {
        load_simple(d, dict, name, budget, warnings)
    }
}

fn load_simple(
    d: &Doc<'_>,
    dict: &Dictionary,
    name: String,
    budget: &mut Budget,
    warnings: &mut Warnings,
) -> Font {
    let subtype = d.name(dict, b"Subtype").unwrap_or(b"Type1");
    let is_type3 = subtype == b"Type3";
    let base_font = strip_subset(&name).to_string();
    let lower = base_font.to_ascii_lowercase();
    let descriptor = d.dict(dict, b"FontDescriptor");
    let flags = descriptor
        .and_then(|fd| d.num_key(fd, b"Flags"))
        .unwrap_or(0.0) as i64;
    let symbolic = flags & 4 != 0 && flags & 32 == 0;

    let (base_name, diffs) = match d.key(dict, b"Encoding") {
        Some(Object::Name(n)) => (Some(n.as_slice()), None),
        Some(Object::Dictionary(e)) => (d.name(e, b"BaseEncoding"), d.array(e, b"Differences")),
        _ => (None, None),
    };
    let mut raw_codes = false;
    let mut names: Names = match base_name.and_then(Base::from_name) {
        Some(base) => encoding::base_names(base),
        None => {
            if lower.starts_with("symbol") {
                encoding::base_names(Base::Symbol)
            } else if lower.contains("dingbats") {
                encoding::base_names(Base::ZapfDingbats)
            } else if let Some(names) = descriptor
                .and_then(|fd| d.stream(fd, b"FontFile"))
                .and_then(|s| d.decode(s, "Type 1 font program", budget, warnings))
                .and_then(|p| encoding::type1_builtin(&p))
            {
                names
            } else if subtype == b"TrueType" {
                if symbolic && diffs.is_none() {
                    raw_codes = true;
                }
                encoding::base_names(Base::WinAnsi)
            } else {
                encoding::base_names(Base::Standard)
            }
        }
    };
    if let Some(diffs) = diffs {
        encoding::apply_differences(d, diffs, &mut names);
    }
    let to_unicode = to_unicode_cmap(d, dict, &name, budget, warnings);

    // Widths.
    let font_matrix: Vec<f64> = d
        .array(dict, b"FontMatrix")
        .map(|a| d.nums(a).into_iter().map(|v| v.unwrap_or(0.0)).collect())
        .filter(|v: &Vec<f64>| v.len() == 6 && v.iter().all(|x| x.is_finite()))
        .unwrap_or_else(|| vec![0.001, 0.0, 0.0, 0.001, 0.0, 0.0]);
    let width_scale = if is_type3 {
        font_matrix[0].abs()
    } else {
        0.001
    };
    let first_char = d.num_key(dict, b"FirstChar").unwrap_or(0.0);
    let widths: Vec<Option<f64>> = d
        .array(dict, b"Widths")
        .map(|a| d.nums(a))
        .unwrap_or_default();
    let missing = descriptor
        .and_then(|fd| d.num_key(fd, b"MissingWidth"))
        .filter(|w| *w > 0.0);
    let std14 = pdfboss_encoding::is_standard_14(&base_font);

    let glyphs: Vec<SimpleGlyph> = (0..256usize)
        .map(|code| {
            let glyph_name = names[code].as_deref();
            let mut text = String::new();
            if let Some(t) = &to_unicode {
                cmap::to_unicode(t, code as u32, &mut text);
                text.retain(|c| c != '\0');
            }
            if text.is_empty() {
                if raw_codes {
                    if let Some(c) = pdfboss_encoding::win_ansi(code as u8) {
                        text.push(c);
                    }
                } else if let Some(t) = glyph_name.and_then(encoding::glyph_text) {
                    text = t;
                }
                // Type 3 glyph names are often private ("square", "a12"):
                // like pdftotext, read such codes as ASCII.
                let plain = |t: &str| {
                    t.chars()
                        .all(|c| c.is_alphanumeric() || c.is_ascii_punctuation())
                };
                if is_type3 && (text.is_empty() || !plain(&text)) && (0x20..0x7f).contains(&code) {
                    text = char::from(code as u8).to_string();
                }
            }
            let idx = code as f64 - first_char;
            let w = if idx >= 0.0 && (idx as usize) < widths.len() {
                widths[idx as usize].map(|w| w * width_scale)
            } else {
                None
            };
            let w = w
                .or_else(|| missing.map(|m| m * width_scale))
                .or_else(|| {
                    if std14 {
                        glyph_name
                            .and_then(|g| pdfboss_encoding::standard_14_width(&base_font, g))
                            .map(|w| f64::from(w) / 1000.0)
                    } else {
                        None
                    }
                })
                .filter(|w| w.is_finite())
                .unwrap_or(if is_type3 { 0.0 } else { DEFAULT_WIDTH });
            SimpleGlyph {
                text: text.into_boxed_str(),
                width: w,
            }
        })
        .collect();

    let size_scale = if is_type3 {
        let d_scale = font_matrix[3].abs();
        let bbox_h = d
            .key(dict, b"FontBBox")
            .and_then(|o| d.rect(o))
            .map(|r| r[3] - r[1])
            .filter(|h| *h > 0.0);
        match bbox_h {
            Some(h) => (h * d_scale).clamp(0.01, 1000.0),
            None => (d_scale * 1000.0).clamp(0.01, 1000.0),
        }
    } else {
        1.0
    };
    Font {
        size_scale,
        kind: Kind::Simple(glyphs),
    }
}

fn load_composite(
    d: &Doc<'_>,
    dict: &Dictionary,
    name: String,
    budget: &mut Budget,
    warnings: &mut Warnings,
) -> Font {
    let mut codes_are_unicode = false;
    let encoding = match d.key(dict, b"Encoding") {
        Some(Object::Name(n)) => {
            codes_are_unicode = cmap::codes_are_unicode(n);
            cmap::predefined(n).unwrap_or_else(|| {
                warnings.once("unknown-cmap", || {
                    format!(
                        "unknown predefined CMap {}; reading two-byte codes",
                        String::from_utf8_lossy(n)
                    )
                });
                CMap::identity_h()
            })
        }
        Some(Object::Stream(s)) => d
            .decode(s, "encoding CMap", budget, warnings)
            .and_then(|data| cmap::parse(&data))
            .unwrap_or_else(CMap::identity_h),
        _ => CMap::identity_h(),
    };
    let identity = encoding
        .metadata()
        .name
        .as_deref()
        .is_some_and(|n| n.starts_with(b"Identity"));
    let descendant = d
        .array(dict, b"DescendantFonts")
        .and_then(|a| a.first())
        .and_then(|o| d.resolve(o))
        .and_then(|o| match o {
            Object::Dictionary(dd) => Some(dd),
            _ => None,
        });
    let mut widths = CidWidths {
        default: 1000.0,
        ranges: Vec::new(),
    };
    let mut ucs2 = None;
    let to_unicode = to_unicode_cmap(d, dict, &name, budget, warnings);
    if let Some(desc) = descendant {
        if let Some(dw) = d.num_key(desc, b"DW").filter(|w| w.is_finite()) {
            widths.default = dw;
        }
        if let Some(w) = d.array(desc, b"W") {
            parse_w(d, w, &mut widths.ranges);
        }
        if to_unicode.is_none()
            && !codes_are_unicode
            && let Some(info) = d.dict(desc, b"CIDSystemInfo")
        {
            let s = |k: &[u8]| match d.key(info, k) {
                Some(Object::String(s, _)) => Some(s.as_slice()),
                Some(Object::Name(n)) => Some(n.as_slice()),
                _ => None,
            };
            if let (Some(r), Some(o)) = (s(b"Registry"), s(b"Ordering")) {
                ucs2 = cmap::ucs2_for(r, o);
            }
        }
    }
    widths.ranges.sort_by_key(|r| r.0);
    Font {
        size_scale: 1.0,
        kind: Kind::Composite(Box::new(Composite {
            encoding,
            identity,
            codes_are_unicode,
            to_unicode,
            ucs2,
            widths,
            cache: RefCell::new(HashMap::new()),
        })),
    }
}

/// Parses a CIDFont `/W` array: `c [w1 w2 ...]` and `c_first c_last w`.
fn parse_w(d: &Doc<'_>, w: &[Object], out: &mut Vec<(u32, u32, f64)>) {
    const MAX_ENTRIES: usize = 1 << 20;
    let mut i = 0;
    while i < w.len() && out.len() < MAX_ENTRIES {
        let Some(first) = d.num(&w[i]).filter(|v| *v >= 0.0) else {
            i += 1;
            continue;
        };
        let first = first.min(f64::from(u32::MAX)) as u32;
        match w.get(i + 1).and_then(|o| d.resolve(o)) {
            Some(Object::Array(list)) => {
                for (k, o) in list.iter().enumerate().take(MAX_ENTRIES) {
                    if let Some(v) = d.num(o).filter(|v| v.is_finite()) {
                        let cid = first.saturating_add(k as u32);
                        out.push((cid, cid, v));
                    }
                }
                i += 2;
            }
            Some(_) => {
                let last = w.get(i + 1).and_then(|o| d.num(o));
                let v = w.get(i + 2).and_then(|o| d.num(o));
                if let (Some(last), Some(v)) = (last, v)
                    && v.is_finite()
                    && last >= 0.0
                {
                    out.push((first, last.min(f64::from(u32::MAX)) as u32, v));
                }
                i += 3;
            }
            None => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cid_widths_ranges() {
        let doc = lopdf::Document::with_version("1.5");
        let d = Doc {
            doc: &doc,
            limits: Default::default(),
        };
        let w = vec![
            Object::Integer(1),
            Object::Array(vec![Object::Integer(500), Object::Integer(600)]),
            Object::Integer(10),
            Object::Integer(4_000_000_000),
            Object::Integer(250),
        ];
        let mut widths = CidWidths {
            default: 1000.0,
            ranges: Vec::new(),
        };
        parse_w(&d, &w, &mut widths.ranges);
        widths.ranges.sort_by_key(|r| r.0);
        assert_eq!(widths.get(1), 500.0);
        assert_eq!(widths.get(2), 600.0);
        assert_eq!(widths.get(5), 1000.0);
        assert_eq!(widths.get(3_000_000_000), 250.0);
    }

    #[test]
    fn subset_prefix_is_stripped() {
        assert_eq!(strip_subset("ABCDEF+Times-Roman"), "Times-Roman");
        assert_eq!(strip_subset("Times+Roman"), "Times+Roman");
    }
}
