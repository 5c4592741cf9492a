//! Plain-text inputs (`.txt`, `.md`): no extraction, one page per form
//! feed.
//!
//! Must not: guess encodings beyond UTF-8 with replacement characters.

use super::Extracted;

/// Name written to the report for text inputs.
pub const NAME: &str = "text";

/// Splits a text file into pages at form feeds.
pub fn extract(data: &[u8]) -> Extracted {
    let s = String::from_utf8_lossy(data);
    let s = s.strip_prefix('\u{feff}').unwrap_or(&s);
    let mut pages: Vec<String> = s.split('\x0c').map(str::to_string).collect();
    if pages.len() > 1 && pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    Extracted {
        pages,
        extractor: NAME.to_string(),
        warnings: Vec::new(),
        ocr_pages: Vec::new(),
        transient: false,
        textless: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_feeds_split_pages() {
        let e = extract(b"\xef\xbb\xbfone\x0ctwo\x0c");
        assert_eq!(e.pages, vec!["one", "two"]);
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let e = extract(b"ok \xff here");
        assert_eq!(e.pages, vec!["ok \u{fffd} here"]);
    }
}
