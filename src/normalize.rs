//! Text cleanup between extraction and matching, and the offset map back to
//! page and line.
//!
//! Owns: Unicode NFKC (which also expands ligatures such as U+FB01), removal
//! of soft hyphens and zero-width characters, typographic dashes and quotes
//! folded to ASCII, words hyphenated across a line end joined, runs of
//! spaces collapsed. Line breaks are kept one for one, so a line number in
//! the normalized text is the line number in the extracted page: when a
//! hyphenated word is joined, its second half moves up to the first line
//! and the line break moves after the word.
//!
//! Must not: decide anything about meaning (that is `classify`), or know
//! about PDF structure (that is `extract`).

use unicode_normalization::UnicodeNormalization;

/// Version of the normalization rules; part of the extraction cache key.
pub const NORMALIZATION_VERSION: u32 = 1;

/// Words that keep their hyphen when a compound is broken at a line end
/// ("treatment-⏎resistant" stays "treatment-resistant"), because the hyphen
/// is part of the compound rather than a syllable break.
const COMPOUND_PREFIXES: &[&str] = &[
    "non",
    "self",
    "off",
    "well",
    "long",
    "short",
    "high",
    "low",
    "first",
    "second",
    "third",
    "step",
    "fail",
    "treatment",
    "evidence",
    "age",
    "site",
    "out",
    "in",
    "co",
    "semi",
    "multi",
    "post",
    "pre",
    "anti",
    "follow",
    "re",
    "health",
    "mental",
    "behavioral",
    "substance",
    "medical",
    "cost",
    "court",
    "state",
    "plan",
    "peer",
    "open",
    "double",
    "placebo",
    "dose",
    "ketamine",
    "esketamine",
    "drug",
    "nasal",
    "all",
    "non-",
    "sub",
    "inter",
    "intra",
];

/// A document's normalized text with a map from byte offsets to page/line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NormalizedText {
    text: String,
    /// Byte offset where each page starts (pages are joined by `\f`).
    page_starts: Vec<usize>,
    /// Byte offset where each line starts, over the whole text.
    line_starts: Vec<usize>,
    /// For each page, the index into `line_starts` of its first line.
    page_first_line: Vec<usize>,
}

impl NormalizedText {
    /// Normalizes extracted pages.
    pub fn from_pages<S: AsRef<str>>(pages: &[S]) -> NormalizedText {
        let mut text = String::with_capacity(pages.iter().map(|p| p.as_ref().len()).sum());
        let mut page_starts = Vec::with_capacity(pages.len());
        for (i, page) in pages.iter().enumerate() {
            if i > 0 {
                text.push('\x0c');
            }
            page_starts.push(text.len());
            normalize_page_into(page.as_ref(), &mut text);
        }
        Self::index(text, page_starts)
    }

    /// Rebuilds the map from text that is already normalized (pages joined
    /// by `\f`), e.g. text read back from the cache.
    pub fn from_normalized(text: String) -> NormalizedText {
        let mut page_starts = vec![0];
        page_starts.extend(text.match_indices('\x0c').map(|(i, _)| i + 1));
        Self::index(text, page_starts)
    }

    fn index(text: String, page_starts: Vec<usize>) -> NormalizedText {
        let mut line_starts = Vec::new();
        let mut page_first_line = Vec::with_capacity(page_starts.len());
        for (i, &start) in page_starts.iter().enumerate() {
            let end = page_starts
                .get(i + 1)
                .map_or(text.len(), |next| next.saturating_sub(1));
            page_first_line.push(line_starts.len());
            line_starts.push(start);
            line_starts.extend(
                text[start..end]
                    .match_indices('\n')
                    .map(|(j, _)| start + j + 1),
            );
        }
        NormalizedText {
            text,
            page_starts,
            line_starts,
            page_first_line,
        }
    }

    /// The whole normalized text, pages separated by `\f`.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of pages.
    pub fn page_count(&self) -> usize {
        self.page_starts.len()
    }

    /// Byte range of a page (0-based index), without the separator.
    pub fn page_range(&self, index: usize) -> std::ops::Range<usize> {
        let start = self.page_starts[index];
        let end = self
            .page_starts
            .get(index + 1)
            .map_or(self.text.len(), |n| n - 1);
        start..end
    }

    /// The text of a page (0-based index).
    pub fn page_text(&self, index: usize) -> &str {
        &self.text[self.page_range(index)]
    }

    /// 0-based page index containing a byte offset.
    pub fn page_index(&self, offset: usize) -> usize {
        self.page_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// 1-based (page, line) of a byte offset.
    pub fn locate(&self, offset: usize) -> (u32, u32) {
        let page = self.page_index(offset);
        let line_idx = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let line = line_idx.saturating_sub(self.page_first_line[page]) + 1;
        (to_u32(page + 1), to_u32(line))
    }

    /// Byte ranges of every line (without the line break), in order, with
    /// their 0-based page index.
    pub fn lines(&self) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + '_ {
        self.line_starts.iter().enumerate().map(move |(i, &start)| {
            let page = self.page_index(start);
            let end = match self.line_starts.get(i + 1) {
                Some(&next) => next - 1,
                None => self.text.len(),
            };
            (page, start..end.max(start))
        })
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Maps one character after NFKC; `None` drops it.
fn fold_char(c: char) -> Option<char> {
    match c {
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => None,
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' | '\u{FE58}' | '\u{FE63}' => Some('-'),
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => Some('\''),
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => Some('"'),
        '\u{2022}' | '\u{2023}' | '\u{25AA}' | '\u{25CF}' | '\u{25E6}' | '\u{2043}'
        | '\u{2219}' | '\u{25A0}' | '\u{25A1}' | '\u{F0B7}' | '\u{F0A7}' => Some('•'),
        '\r' | '\u{2028}' | '\u{2029}' | '\u{0085}' => Some('\n'),
        '\t' | '\u{000B}' => Some(' '),
        '\x0c' => Some('\n'),
        c if c.is_control() && c != '\n' => None,
        c if c.is_whitespace() && c != '\n' => Some(' '),
        c => Some(c),
    }
}

/// Appends the normalized form of one page to `out`.
fn normalize_page_into(raw: &str, out: &mut String) {
    // Pass 1: NFKC + character folding, line by line, spaces collapsed.
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut pending_space = false;
    let raw = raw.replace("\r\n", "\n");
    for c in raw.nfkc().filter_map(fold_char) {
        match c {
            '\n' => {
                lines.push(std::mem::take(&mut cur));
                pending_space = false;
            }
            ' ' => pending_space = !cur.is_empty(),
            c => {
                if pending_space {
                    cur.push(' ');
                    pending_space = false;
                }
                cur.push(c);
            }
        }
    }
    lines.push(cur);
    // A trailing newline in the raw page would add an empty last line that
    // is not a line of the page.
    if lines.len() > 1 && lines.last().is_some_and(String::is_empty) && raw.ends_with('\n') {
        lines.pop();
    }

    // Pass 2: join words hyphenated across a line end.
    for i in 0..lines.len().saturating_sub(1) {
        let (head, tail) = lines.split_at_mut(i + 1);
        let line = &mut head[i];
        let next = &mut tail[0];
        if let Some((keep_hyphen, moved)) = hyphen_join(line, next) {
            if !keep_hyphen {
                line.pop();
            }
            line.push_str(&next[..moved]);
            let rest = next[moved..].trim_start().to_string();
            *next = rest;
        }
    }
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line);
    }
}

/// If `line` ends with a word broken by a hyphen and `next` continues it
/// in lower case, whether the hyphen is kept (a compound) or dropped; the
/// rule hyphen joins follow everywhere, also inside a table cell that the
/// text layer writes on one line.
pub(crate) fn hyphen_keeps(line: &str, next: &str) -> Option<bool> {
    hyphen_join(line, next).map(|(keep, _)| keep)
}

/// If `line` ends with a word broken by a hyphen and `next` continues it in
/// lower case, returns whether to keep the hyphen and how many bytes of
/// `next` to move up.
fn hyphen_join(line: &str, next: &str) -> Option<(bool, usize)> {
    let before = line.strip_suffix('-')?;
    let prev = before.chars().next_back()?;
    if !prev.is_alphabetic() || !prev.is_lowercase() {
        return None;
    }
    let first = next.chars().next()?;
    if !first.is_alphabetic() || !first.is_lowercase() {
        return None;
    }
    let moved = next
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '-' || c == '\''))
        .map_or(next.len(), |(i, _)| i);
    // Keep trailing punctuation of the word on the same line.
    let moved = next[moved..]
        .char_indices()
        .find(|&(_, c)| !matches!(c, '.' | ',' | ';' | ':' | ')' | '?' | '!'))
        .map_or(next.len(), |(i, _)| moved + i);
    let fragment_start = before
        .char_indices()
        .rev()
        .find(|&(_, c)| !c.is_alphabetic())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let fragment = before[fragment_start..].to_ascii_lowercase();
    let keep = COMPOUND_PREFIXES.contains(&fragment.as_str());
    Some((keep, moved))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(pages: &[&str]) -> String {
        NormalizedText::from_pages(pages).text().to_string()
    }

    #[test]
    fn ligatures_and_nfkc() {
        assert_eq!(norm(&["classi\u{FB01}ed \u{FB02}ow"]), "classified flow");
    }

    #[test]
    fn soft_hyphen_and_zero_width_removed() {
        assert_eq!(norm(&["keta\u{00AD}mine\u{200B}"]), "ketamine");
    }

    #[test]
    fn dashes_and_quotes_fold_to_ascii() {
        assert_eq!(
            norm(&["Not covered \u{2013} \u{201C}investigational\u{201D}"]),
            "Not covered - \"investigational\""
        );
    }

    #[test]
    fn hyphenated_line_end_joined_and_line_count_kept() {
        let t = NormalizedText::from_pages(&["Spravato (esket-\namine) nasal spray\nnext line"]);
        assert_eq!(t.text(), "Spravato (esketamine)\nnasal spray\nnext line");
        assert_eq!(t.locate(t.text().find("next").unwrap()), (1, 3));
    }

    #[test]
    fn compound_hyphen_kept() {
        assert_eq!(
            norm(&["treatment-\nresistant depression"]),
            "treatment-resistant\ndepression"
        );
    }

    #[test]
    fn capitalized_continuation_not_joined() {
        assert_eq!(norm(&["Section A-\nBackground"]), "Section A-\nBackground");
    }

    #[test]
    fn whitespace_collapsed_lines_kept() {
        assert_eq!(norm(&["  a \t  b  \n\n c "]), "a b\n\nc");
    }

    #[test]
    fn locate_pages_and_lines() {
        let t = NormalizedText::from_pages(&["one\ntwo", "three\nfour\nfive"]);
        let off = t.text().find("five").unwrap();
        assert_eq!(t.locate(off), (2, 3));
        assert_eq!(t.locate(0), (1, 1));
        assert_eq!(t.locate(t.text().find("two").unwrap()), (1, 2));
        assert_eq!(t.page_count(), 2);
        assert_eq!(t.page_text(1), "three\nfour\nfive");
    }

    #[test]
    fn from_normalized_round_trips() {
        let t = NormalizedText::from_pages(&["a\nb", "", "c"]);
        let u = NormalizedText::from_normalized(t.text().to_string());
        assert_eq!(t, u);
    }

    #[test]
    fn empty_pages_are_pages() {
        let t = NormalizedText::from_pages(&["", ""]);
        assert_eq!(t.page_count(), 2);
        assert_eq!(t.text(), "\x0c");
        assert_eq!(t.locate(1), (2, 1));
    }
}
