//! Simple-font encodings through the `pdfboss-encoding` crate: the
//! standard tables (Standard, WinAnsi, MacRoman, Symbol, ZapfDingbats),
//! `/Differences`, a Type 1 program's built-in encoding, and glyph names
//! to Unicode via the Adobe Glyph List (plus the TeX names it lacks).
//!
//! Owns: the 256 glyph names of a simple font and their Unicode text.
//!
//! Must not: read widths or ToUnicode CMaps (that is `font`), or touch
//! content streams.

use lopdf::Object;

use super::objects::Doc;

/// A base encoding's table, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// StandardEncoding (Type 1 fonts without an encoding).
    Standard,
    /// WinAnsiEncoding.
    WinAnsi,
    /// MacRomanEncoding.
    MacRoman,
    /// Symbol's built-in encoding.
    Symbol,
    /// ZapfDingbats' built-in encoding.
    ZapfDingbats,
}

impl Base {
    /// The base encoding a PDF `/Encoding` or `/BaseEncoding` name selects.
    pub fn from_name(name: &[u8]) -> Option<Base> {
        match name {
            b"WinAnsiEncoding" | b"PDFDocEncoding" => Some(Base::WinAnsi),
            b"MacRomanEncoding" => Some(Base::MacRoman),
            b"StandardEncoding" | b"MacExpertEncoding" => Some(Base::Standard),
            _ => None,
        }
    }

    /// The glyph name of `code`.
    pub fn glyph_name(self, code: u8) -> Option<&'static str> {
        match self {
            Base::Standard => pdfboss_encoding::standard_encoding_name(code),
            Base::WinAnsi => pdfboss_encoding::win_ansi_glyph_name(code),
            Base::MacRoman => pdfboss_encoding::mac_roman_glyph_name(code),
            Base::Symbol => pdfboss_encoding::symbol_glyph_name(code),
            Base::ZapfDingbats => pdfboss_encoding::zapf_dingbats_glyph_name(code),
        }
    }
}

/// Glyph names of codes 0..=255.
pub type Names = Vec<Option<String>>;

/// The names of a base table.
pub fn base_names(base: Base) -> Names {
    (0..=255u8)
        .map(|c| base.glyph_name(c).map(str::to_string))
        .collect()
}

/// Applies a `/Differences` array (`code /name /name code /name ...`).
pub fn apply_differences(d: &Doc<'_>, diffs: &[Object], names: &mut Names) {
    let mut code: i64 = -1;
    for item in diffs {
        match d.resolve(item) {
            Some(Object::Integer(i)) => code = *i,
            Some(Object::Real(r)) => code = *r as i64,
            Some(Object::Name(n)) => {
                if (0..256).contains(&code) {
                    names[code as usize] = Some(String::from_utf8_lossy(n).into_owned());
                }
                if code >= 0 {
                    code = code.saturating_add(1);
                }
            }
            _ => {}
        }
    }
}

/// The built-in encoding of a Type 1 font program, if it states one.
pub fn type1_builtin(program: &[u8]) -> Option<Names> {
    let table = pdfboss_encoding::type1_builtin_encoding(program)?;
    Some(table.to_vec())
}

/// The Unicode text of a glyph name, if the name is known.
pub fn glyph_text(name: &str) -> Option<String> {
    if name == ".notdef" {
        return None;
    }
    pdfboss_encoding::glyph_to_text(name).or_else(|| numeric_glyph(name))
}

/// Names some producers give glyphs of plain ASCII fonts: `g65`, `G41`
/// (hex), `cid65`, `index65`. Only printable ASCII results are trusted.
fn numeric_glyph(name: &str) -> Option<String> {
    let (digits, radix) = if let Some(r) = name.strip_prefix("cid") {
        (r, 10)
    } else if let Some(r) = name.strip_prefix('G') {
        (r, 16)
    } else if let Some(r) = name.strip_prefix('g') {
        (r, 10)
    } else {
        return None;
    };
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    let v = u32::from_str_radix(digits, radix).ok()?;
    let c = char::from_u32(v)?;
    (c.is_ascii_graphic()).then(|| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_names_and_agl() {
        let names = base_names(Base::WinAnsi);
        assert_eq!(names[b'A' as usize].as_deref(), Some("A"));
        assert_eq!(glyph_text("fi").as_deref(), Some("\u{fb01}"));
        assert_eq!(glyph_text("uni0041").as_deref(), Some("A"));
        assert_eq!(glyph_text("f_f_i").as_deref(), Some("ffi"));
        assert_eq!(glyph_text(".notdef"), None);
        assert_eq!(glyph_text("G41").as_deref(), Some("A"));
    }

    #[test]
    fn differences_override_codes() {
        let doc = lopdf::Document::with_version("1.5");
        let d = Doc {
            doc: &doc,
            limits: Default::default(),
        };
        let mut names = base_names(Base::Standard);
        let diffs = vec![
            Object::Integer(65),
            Object::Name(b"B".to_vec()),
            Object::Name(b"C".to_vec()),
            Object::Integer(300),
            Object::Name(b"X".to_vec()),
        ];
        apply_differences(&d, &diffs, &mut names);
        assert_eq!(names[65].as_deref(), Some("B"));
        assert_eq!(names[66].as_deref(), Some("C"));
    }
}
