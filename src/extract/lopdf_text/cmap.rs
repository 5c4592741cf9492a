//! CMaps through the `hayro-cmap` crate: embedded ToUnicode and encoding
//! CMaps, the predefined CMaps it ships (Identity, the CJK encodings and
//! the `Adobe-*-UCS2` CID-to-Unicode tables), and splitting a string into
//! character codes.
//!
//! Owns: the glue between PDF CMap bytes/names and `hayro_cmap::CMap`.
//! Ranges stay ranges there (a `<00000000> <FFFFFFFF>` bfrange is one
//! entry), so hostile CMaps cost memory in proportion to their bytes.
//!
//! Must not: read font dictionaries (that is `font`).

use hayro_cmap::{BfString, CMap, CMapName};

/// Parses CMap bytes (an embedded stream); `usecmap` may name a predefined
/// CMap. `None` when the CMap is broken.
pub fn parse(data: &[u8]) -> Option<CMap> {
    CMap::parse(data, hayro_cmap::load_embedded)
}

/// A predefined CMap by name (`Identity-H`, `UniJIS-UCS2-H`, `90ms-RKSJ-H`,
/// `Adobe-Japan1-UCS2`, ...).
pub fn predefined(name: &[u8]) -> Option<CMap> {
    match name {
        b"Identity-H" => Some(CMap::identity_h()),
        b"Identity-V" => Some(CMap::identity_v()),
        _ => parse(hayro_cmap::load_embedded(CMapName::from_bytes(name))?),
    }
}

/// Whether codes of this predefined encoding are themselves UTF-16 code
/// units (`UniJIS-UCS2-H`, `UniGB-UTF16-H`, ...).
pub fn codes_are_unicode(name: &[u8]) -> bool {
    name.starts_with(b"Uni")
        && (name.windows(4).any(|w| w == b"UCS2") || name.windows(5).any(|w| w == b"UTF16"))
}

/// The `Adobe-<ordering>-UCS2` table for a character collection, if the
/// crate ships one.
pub fn ucs2_for(registry: &[u8], ordering: &[u8]) -> Option<CMap> {
    let family = hayro_cmap::CidFamily::from_registry_ordering(registry, ordering);
    let name = family.ucs2_cmap()?;
    parse(hayro_cmap::load_embedded(name)?)
}

/// The Unicode text a ToUnicode CMap gives `code`, appended to `out`.
/// Returns false when the CMap has no entry.
pub fn to_unicode(cmap: &CMap, code: u32, out: &mut String) -> bool {
    match cmap.lookup_bf_string(code) {
        Some(BfString::Char(c)) => {
            out.push(c);
            true
        }
        Some(BfString::String(s)) => {
            out.push_str(&s);
            true
        }
        None => false,
    }
}

/// Splits the next character code off `bytes` with an encoding CMap:
/// the shortest length (1-4 bytes) the CMap maps, else two bytes.
/// Returns `(code, byte length, cid)`.
pub fn next_code(cmap: &CMap, bytes: &[u8]) -> (u32, usize, u32) {
    let mut code = 0u32;
    for len in 1..=bytes.len().min(4) {
        code = code << 8 | u32::from(bytes[len - 1]);
        if let Some(cid) = cmap.lookup_cid_code(code, len as u8) {
            return (code, len, cid);
        }
    }
    let len = bytes.len().min(2);
    let code = bytes[..len]
        .iter()
        .fold(0u32, |acc, &b| acc << 8 | u32::from(b));
    (code, len, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_bfrange_is_one_entry() {
        let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
            1 begincodespacerange <00000000> <FFFFFFFF> endcodespacerange\n\
            1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange\n\
            endcmap CMapName currentdict /CMap defineresource pop end end";
        let c = parse(cmap).expect("parses");
        let mut s = String::new();
        assert!(to_unicode(&c, 1, &mut s));
        assert_eq!(s, "B");
    }

    #[test]
    fn identity_splits_two_bytes() {
        let c = predefined(b"Identity-H").unwrap();
        assert_eq!(next_code(&c, &[0x01, 0x02, 0x03]), (0x0102, 2, 0x0102));
    }

    #[test]
    fn unicode_encodings_are_recognized() {
        assert!(codes_are_unicode(b"UniJIS-UCS2-H"));
        assert!(codes_are_unicode(b"UniGB-UTF16-V"));
        assert!(!codes_are_unicode(b"90ms-RKSJ-H"));
    }
}

#[cfg(test)]
mod hostile {
    use super::*;

    #[test]
    fn deeply_nested_cmap_does_not_overflow() {
        let mut data =
            b"/CIDInit /ProcSet findresource begin begincmap 1 beginbfrange <00> <01> ".to_vec();
        data.extend(std::iter::repeat_n(b'[', 200_000));
        data.extend(std::iter::repeat_n(b']', 200_000));
        data.extend_from_slice(b" endbfrange endcmap");
        let _ = parse(&data);
        let mut dict = b"/CIDInit /ProcSet findresource begin ".to_vec();
        dict.extend(std::iter::repeat_n(b"<<".as_slice(), 100_000).flatten());
        let _ = parse(&dict);
    }
}
