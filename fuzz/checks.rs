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
    LazyLock::new(|| policyscan::load_matcher(None).expect("built-in patterns compile"));

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
