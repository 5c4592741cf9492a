//! Sentence segmentation that survives PDF text.
//!
//! Owns: turning the line table (`section::layout`) into sentences: lines
//! of a wrapped paragraph are joined (also across page breaks, skipping
//! running headers and footers), bullets and enumerated items start their
//! own sentence and remember their lead-in ("the following are excluded:"),
//! short lines not ending in punctuation (table cells, labels) and table
//! rows (cells separated by " | ", one row per line) stand alone,
//! and terminal punctuation splits sentences except after abbreviations.
//! Each sentence knows its section kind and paragraph block.
//!
//! Must not: look at coverage cues; it only draws boundaries.

use std::ops::Range;

use super::section::Line;
use crate::patterns::{Grammar, SectionKind};

/// What a sentence is, layout-wise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SentenceKind {
    /// A recognized section heading.
    Heading,
    /// A short title-like line.
    Title,
    /// A bullet or enumerated item (or an item of a lead-in list).
    Item,
    /// Running text.
    Body,
}

/// One sentence (or item, heading, table cell).
#[derive(Debug, Clone)]
pub struct Sentence {
    /// Source ranges in the normalized text, in order.
    pub pieces: Vec<Range<usize>>,
    /// The text, pieces joined by single spaces.
    pub text: String,
    /// 0-based page of the first piece.
    pub page: usize,
    /// The section kind in force.
    pub section: SectionKind,
    /// Layout kind.
    pub kind: SentenceKind,
    /// For items: the sentence that introduces the list.
    pub lead_in: Option<usize>,
    /// Paragraph block id: changes at blank lines and headings.
    pub block: usize,
    /// Index of the governing heading or title sentence, if any.
    pub heading: Option<usize>,
}

impl Sentence {
    /// Byte offset of the first piece.
    pub fn start(&self) -> usize {
        self.pieces.first().map_or(0, |r| r.start)
    }

    /// Byte offset of the end of the last piece.
    pub fn end(&self) -> usize {
        self.pieces.last().map_or(0, |r| r.end)
    }

    /// Whether the sentence ends with a colon (it introduces a list).
    pub fn is_lead_in(&self) -> bool {
        self.text.trim_end().ends_with(':')
    }
}

const MAX_SENTENCE: usize = 1500;

/// Fewest lines of a paragraph read as a list of short entries.
const MIN_LIST_LINES: usize = 5;

/// Most words of an entry of a list of short entries.
const MAX_ENTRY_WORDS: usize = 12;

/// Longest unbulleted sentence still read as an item of a lead-in list.
const MAX_ITEM_WORDS: usize = 60;

struct Builder<'a> {
    full: &'a str,
    out: Vec<Sentence>,
    cur: Vec<Range<usize>>,
    cur_len: usize,
    cur_kind: SentenceKind,
    cur_page: usize,
    section: SectionKind,
    block: usize,
    heading: Option<usize>,
    lead_in: Option<usize>,
    /// Whether unbulleted sentences still read as items of `lead_in`
    /// (until a paragraph break after a finished item).
    loose_items: bool,
}

impl Builder<'_> {
    /// A paragraph ends: a list whose last item is finished (no ';', ','
    /// 'and' / 'or' after it) takes no more unbulleted items.
    fn paragraph_break(&mut self) {
        let finished = self.out.last().is_some_and(|s| {
            let t = s.text.trim_end().to_ascii_lowercase();
            s.kind == SentenceKind::Item
                && !(t.ends_with([';', ',', ':']) || t.ends_with(" and") || t.ends_with(" or"))
        });
        if finished {
            self.loose_items = false;
        }
    }

    fn flush(&mut self) {
        if self.cur.is_empty() {
            return;
        }
        let pieces = std::mem::take(&mut self.cur);
        let mut text = String::with_capacity(self.cur_len + pieces.len());
        for r in &pieces {
            let s = self.full[r.clone()].trim();
            if s.is_empty() {
                continue;
            }
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(s);
        }
        self.cur_len = 0;
        if text.is_empty() {
            return;
        }
        let mut kind = self.cur_kind;
        // After a lead-in ("all of the following criteria are met:"),
        // short sentences are its items even without bullet glyphs (table
        // rows, lists whose bullets were lost in extraction); running text
        // ends the list.
        if kind == SentenceKind::Body && self.lead_in.is_some() {
            if self.loose_items && text.split_whitespace().count() <= MAX_ITEM_WORDS {
                kind = SentenceKind::Item;
            } else {
                self.lead_in = None;
            }
        }
        let lead_in = match kind {
            SentenceKind::Item => self.lead_in,
            _ => None,
        };
        let idx = self.out.len();
        self.out.push(Sentence {
            page: self.cur_page,
            section: self.section,
            kind,
            lead_in,
            block: self.block,
            heading: self.heading,
            pieces,
            text,
        });
        if matches!(kind, SentenceKind::Body | SentenceKind::Item) && self.out[idx].is_lead_in() {
            self.lead_in = Some(idx);
            self.loose_items = true;
        }
        self.cur_kind = SentenceKind::Body;
    }

    fn push(&mut self, range: Range<usize>, page: usize) {
        if self.cur.is_empty() {
            self.cur_page = page;
        }
        self.cur_len += range.len() + 1;
        self.cur.push(range);
    }
}

/// Splits the text into sentences using the line table.
pub fn segment(full: &str, lines: &[Line], g: &Grammar) -> Vec<Sentence> {
    let typical = typical_line_lengths(full, lines);
    let list = list_entries(full, lines, g);
    let mut b = Builder {
        full,
        out: Vec::new(),
        cur: Vec::new(),
        cur_len: 0,
        cur_kind: SentenceKind::Body,
        cur_page: 0,
        section: SectionKind::Unknown,
        block: 0,
        heading: None,
        lead_in: None,
        loose_items: false,
    };
    let mut prev: Option<usize> = None; // previous content line index
    let mut pending_blank = false;
    for (i, line) in lines.iter().enumerate() {
        if line.boilerplate {
            continue;
        }
        if line.blank {
            pending_blank = true;
            continue;
        }
        if pending_blank {
            pending_blank = false;
            // A blank line ends a paragraph, except the blank lines around
            // a page break and its running header / footer.
            let same_page = prev.is_some_and(|p| lines[p].page == line.page);
            if same_page || prev.is_none() {
                b.flush();
                b.paragraph_break();
                b.block += 1;
                prev = None;
            }
        }
        if let Some(kind) = line.section {
            b.flush();
            b.block += 1;
            b.section = kind;
            b.lead_in = None;
            b.cur_kind = SentenceKind::Heading;
            b.push(line.range.clone(), line.page);
            b.heading = Some(b.out.len());
            b.flush();
            prev = None;
            continue;
        }
        if line.title_like && !list[i] && !continues(full, lines, prev, i, &typical, g) {
            b.flush();
            b.block += 1;
            // A new titled part ends a history, notice, reference, coding or
            // definitions section ("Summary of changes" then "A. Esketamine").
            let table_header = b.section == SectionKind::Coding
                && is_code_table_header(&full[line.range.clone()], g);
            if !table_header
                && matches!(
                    b.section,
                    SectionKind::History
                        | SectionKind::Notices
                        | SectionKind::References
                        | SectionKind::Coding
                        | SectionKind::Definitions
                )
            {
                b.section = SectionKind::Unknown;
            }
            b.cur_kind = SentenceKind::Title;
            b.push(line.range.clone(), line.page);
            b.heading = Some(b.out.len());
            b.flush();
            prev = None;
            continue;
        }
        if list[i] {
            // An entry of a list of short entries is a unit of its own.
            b.flush();
            b.cur_kind = SentenceKind::Item;
            b.push(line.range.clone(), line.page);
            b.flush();
            prev = None;
            continue;
        }
        let mut start = line.range.start;
        if let Some(len) = line.bullet {
            b.flush();
            b.cur_kind = SentenceKind::Item;
            start += len;
        } else if !b.cur.is_empty() && !continues(full, lines, prev, i, &typical, g) {
            b.flush();
        }
        // Split inside the line at sentence ends.
        let text = &full[start..line.range.end];
        let mut piece_start = start;
        for end in sentence_ends(text, g) {
            let abs = start + end;
            b.push(piece_start..abs, line.page);
            b.flush();
            piece_start = abs;
            // Skip the space after the terminal.
            while piece_start < line.range.end && full.as_bytes()[piece_start] == b' ' {
                piece_start += 1;
            }
        }
        if piece_start < line.range.end {
            b.push(piece_start..line.range.end, line.page);
        }
        if b.cur_len > MAX_SENTENCE {
            b.flush();
        }
        prev = Some(i);
    }
    b.flush();
    b.out
}

/// Lines that are entries of a list of short entries (a drug list read
/// a column at a time): a paragraph of at least `MIN_LIST_LINES` lines,
/// mostly one to three words, none over `MAX_ENTRY_WORDS`, none a table
/// row, none with a bracket left open, and none ending in punctuation or
/// a word that carries the sentence on. Its first line stays a possible title (the heading the
/// entries sit under).
fn list_entries(full: &str, lines: &[Line], g: &Grammar) -> Vec<bool> {
    let mut out = vec![false; lines.len()];
    let mut i = 0;
    while i < lines.len() {
        let para = |l: &Line| !l.blank && !l.boilerplate && l.section.is_none();
        if !para(&lines[i]) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < lines.len() && para(&lines[j]) && lines[j].page == lines[i].page {
            j += 1;
        }
        let texts: Vec<&str> = lines[i..j]
            .iter()
            .map(|l| full[l.range.clone()].trim())
            .collect();
        let mut words: Vec<usize> = texts.iter().map(|t| t.split_whitespace().count()).collect();
        let entry = |t: &&str| {
            let last = t
                .rsplit(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("")
                .to_lowercase();
            !t.contains(" | ")
                && t.matches('(').count() == t.matches(')').count()
                && !t.ends_with(['.', ',', ';', ':', '!', '?', '-', '(', '/', '&'])
                && !g.connectors.contains(&last)
        };
        words.sort_unstable();
        if texts.len() >= MIN_LIST_LINES
            && words[words.len() / 2] <= 3
            && words[words.len() - 1] <= MAX_ENTRY_WORDS
            && texts.iter().all(entry)
        {
            for o in &mut out[i + 1..j] {
                *o = true;
            }
            out[i] = !lines[i].title_like;
        }
        i = j;
    }
    out
}

/// A header row of a code table ("Code Description", "CPT Code Units").
fn is_code_table_header(line: &str, g: &Grammar) -> bool {
    let lower = line.to_lowercase();
    lower
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .all(|w| g.code_table_words.iter().any(|x| x == w))
}

/// Whether line `i` continues the sentence open on line `prev`.
fn continues(
    full: &str,
    lines: &[Line],
    prev: Option<usize>,
    i: usize,
    typical: &[usize],
    g: &Grammar,
) -> bool {
    let Some(p) = prev else { return false };
    let prev_text = full[lines[p].range.clone()].trim_end();
    let next_text = full[lines[i].range.clone()].trim_start();
    if prev_text.ends_with(':') {
        return false;
    }
    // A table row (cells separated by " | ") is a unit of its own.
    if prev_text.contains(" | ") || next_text.contains(" | ") {
        return false;
    }
    if ends_sentence(prev_text, g) {
        return false;
    }
    let first = next_text.chars().next().unwrap_or(' ');
    if first.is_lowercase() {
        return true;
    }
    if prev_text.ends_with([',', '-', '(', '/', '&']) {
        return true;
    }
    let last_word = prev_text
        .rsplit(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("")
        .to_lowercase();
    if g.connectors.contains(&last_word) {
        return true;
    }
    let typical_len = typical.get(lines[p].page).copied().unwrap_or(60);
    prev_text.chars().count() * 10 >= typical_len * 7
}

fn ends_sentence(s: &str, g: &Grammar) -> bool {
    let t = s.trim_end_matches(['"', '\'', ')', ']']);
    if !t.ends_with(['.', '!', '?']) {
        return false;
    }
    !t.ends_with('.') || !is_abbreviation(&t[..t.len() - 1], g)
}

/// Whether the text before a period ends with an abbreviation or initial.
fn is_abbreviation(before: &str, g: &Grammar) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let lower = word.to_lowercase();
    if g.abbreviations.contains(&lower) {
        return true;
    }
    // Single letters (initials) and dotted abbreviations like "U.S".
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    (letters == 1 && word.chars().count() <= 2) || (word.contains('.') && letters <= 4)
}

/// Byte offsets (relative to `text`) just after each sentence end inside a
/// line, excluding the line end itself.
fn sentence_ends(text: &str, g: &Grammar) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut ends = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if matches!(c, b'.' | b'!' | b'?' | b';') {
            let mut j = i + 1;
            while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b')' | b']') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b' ' {
                let rest = &text[j + 1..];
                let next = rest.chars().next().unwrap_or(' ');
                let boundary = match c {
                    b';' => false,
                    b'.' => {
                        (next.is_uppercase() || next == '"' || next == '•' || next == '(')
                            && !is_abbreviation(&text[..i], g)
                    }
                    _ => next.is_uppercase() || next.is_ascii_digit(),
                };
                if boundary {
                    ends.push(j);
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    ends
}

/// The 80th-percentile line length (in chars) of each page.
fn typical_line_lengths(full: &str, lines: &[Line]) -> Vec<usize> {
    let pages = lines.iter().map(|l| l.page + 1).max().unwrap_or(0);
    let mut per: Vec<Vec<usize>> = vec![Vec::new(); pages];
    for l in lines.iter().filter(|l| !l.blank && !l.boilerplate) {
        per[l.page].push(full[l.range.clone()].chars().count());
    }
    per.into_iter()
        .map(|mut v| {
            if v.is_empty() {
                return 60;
            }
            v.sort_unstable();
            v[(v.len() * 4) / 5].max(20)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::section::layout;
    use crate::normalize::NormalizedText;

    fn sentences(pages: &[&str]) -> Vec<Sentence> {
        let t = NormalizedText::from_pages(pages);
        let m = crate::test_matcher();
        let lines = layout(&t, m);
        segment(t.text(), &lines, &m.pattern_set().grammar)
    }

    fn texts(pages: &[&str]) -> Vec<String> {
        sentences(pages).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn wrapped_paragraph_joins_and_splits_on_periods() {
        let s = texts(&[
            "Ketamine infusion therapy is considered experimental and investigational for the\ntreatment of depression. Esketamine is covered. See Dr. Smith for details.",
        ]);
        assert_eq!(
            s,
            vec![
                "Ketamine infusion therapy is considered experimental and investigational for the treatment of depression.",
                "Esketamine is covered.",
                "See Dr. Smith for details.",
            ]
        );
    }

    #[test]
    fn sentence_continues_across_page_break_past_running_header() {
        let p1 = "Westbrook Behavioral Health Policy\nIntro line that is long enough to be a wrapped paragraph line here.\nIntravenous ketamine for treatment-resistant depression, PTSD, or any\nPage 1 of 3";
        let p2 = "Westbrook Behavioral Health Policy\nother psychiatric indication is considered experimental and investigational.\nPage 2 of 3";
        let p3 = "Westbrook Behavioral Health Policy\nThe end of the policy text is here on this last page.\nPage 3 of 3";
        let s = texts(&[p1, p2, p3]);
        assert!(
            s.iter().any(|x| x.starts_with("Intravenous ketamine")
                && x.ends_with("experimental and investigational.")),
            "{s:#?}"
        );
        assert!(!s.iter().any(|x| x.contains("Westbrook")), "{s:#?}");
    }

    #[test]
    fn bullets_are_items_of_their_lead_in() {
        let ss = sentences(&[
            "The following are excluded:\n• ketamine infusions;\n• esketamine.\nOther text follows here.",
        ]);
        assert_eq!(ss[0].text, "The following are excluded:");
        assert_eq!(ss[1].kind, SentenceKind::Item);
        assert_eq!(ss[1].lead_in, Some(0));
        assert_eq!(ss[2].lead_in, Some(0));
        // A short sentence after the list still reads as one of its items
        // (table rows lose their bullets); running text ends the list.
        assert_eq!(ss[3].kind, SentenceKind::Item);
    }

    #[test]
    fn headings_set_section() {
        let ss = sentences(&[
            "Background\nKetamine was investigated in several small randomized trials.\nPolicy\nKetamine is not covered.",
        ]);
        assert_eq!(ss[0].kind, SentenceKind::Heading);
        assert_eq!(ss[1].section, SectionKind::Background);
        assert_eq!(ss[3].section, SectionKind::Policy);
    }

    #[test]
    fn code_table_header_keeps_the_coding_section() {
        let ss = sentences(&[
            "Coding\nCode Description\nG2082 Office visit for esketamine, up to 56 mg, with 2 hours of observation",
        ]);
        assert!(
            ss.iter().skip(1).all(|s| s.section == SectionKind::Coding),
            "{ss:#?}"
        );
    }

    #[test]
    fn short_label_lines_stand_alone() {
        let s = texts(&[
            "This is a long introductory line of running text that wraps to the next line\nand ends here.\nKetamine IV infusion\nNot covered - investigational",
        ]);
        assert_eq!(s.len(), 3, "{s:#?}");
    }

    #[test]
    fn entries_of_a_list_of_short_entries_stand_alone() {
        let s = texts(&[
            "This is a long introductory line of running text that wraps to the next line\nand ends here.\n\nANTIDEPRESSANTS\nbupropion ext-rel\ncitalopram\nesketamine nasal spray\nsertraline\nvenlafaxine\n\nAn infusion of ketamine\nfor depression\nis not covered\nwhen it is given\nat home.",
        ]);
        assert_eq!(
            s[1..],
            [
                "ANTIDEPRESSANTS",
                "bupropion ext-rel",
                "citalopram",
                "esketamine nasal spray",
                "sertraline",
                "venlafaxine",
                "An infusion of ketamine for depression is not covered when it is given at home.",
            ],
            "{s:#?}"
        );
    }

    #[test]
    fn table_rows_stand_alone() {
        let s = texts(&[
            "Esketamine nasal spray | S0013 | Covered - PA required; REMS site only | BH-203\nKetamine IV infusion | 96365 | Not covered - investigational | BH-203\nKetamine IM or oral | 96372 | Not covered - investigational",
        ]);
        assert_eq!(s.len(), 3, "{s:#?}");
        assert!(s[1].starts_with("Ketamine IV infusion | 96365"), "{s:#?}");
    }
}
