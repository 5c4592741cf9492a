//! Page layout: positioned glyphs in, page text out.
//!
//! Owns: turning glyphs into word fragments (breaking at space glyphs,
//! baseline changes and gaps wider than a tenth of the font size), dropping
//! glyphs outside the page's crop box and duplicate fragments (fake bold),
//! and the reading order: text is grouped by writing direction (so rotated
//! pages read upright), cut recursively into columns and rows (XY-cut, with
//! rows that share a column gutter kept together so two-column pages read
//! column by column), then each block is read line by line, top to bottom,
//! left to right. Lines end with '\n', words are separated by one space.
//!
//! Tables (`tables` finds them) are written as blocks: one line per row,
//! cells in order separated by " | ", a cell's lines joined. Column lists
//! are written a column at a time: an entry per line (an indented line
//! joined to the entry above), a blank line before a line with more space
//! above it than the column's usual spacing, and between columns.
//!
//! Must not: know about fonts or content streams (glyphs arrive with their
//! text and device-space geometry), or normalize text (a cell's hyphenated
//! line end is joined by `normalize`'s rule, since the cell loses its line
//! ends).

use super::tables::{self, Item, Shapes, Table};

/// Word break: a gap wider than this fraction of the font size.
const WORD_GAP: f32 = 0.1;
/// A glyph belongs to the current fragment's line if its baseline is
/// within this fraction of the font size.
const SAME_BASELINE: f32 = 0.5;
/// Column gutters are at least this many font sizes wide.
const COLUMN_GAP: f32 = 1.2;
/// Fragments equal in text and this close (in font sizes) are one
/// fragment drawn twice (fake bold, shadows).
const DUPLICATE: f32 = 0.3;
/// A glyph this close (in font sizes) to the previous one with the same
/// text is that glyph drawn twice.
const DUPLICATE_GLYPH: f32 = 0.12;
/// How many recent fragments are compared for duplicates.
const DUP_WINDOW: usize = 8;

#[derive(Debug, Clone, Copy)]
struct Frag {
    start: u32,
    end: u32,
    x0: f32,
    x1: f32,
    base: f32,
    size: f32,
    dir: u8,
    space_before: bool,
    /// Extra depth below the last line (a table laid out as one block).
    depth: f32,
    /// A table's rows, already rendered: written on lines of their own.
    block: bool,
}

impl Frag {
    fn top(&self) -> f32 {
        self.base + 0.75 * self.size
    }
    fn bottom(&self) -> f32 {
        self.base - 0.25 * self.size - self.depth
    }
    fn right(&self) -> f32 {
        self.x1.max(self.x0 + 0.01)
    }
}

/// Collects the glyphs of one page and lays them out.
#[derive(Debug)]
pub struct PageBuilder {
    arena: String,
    frags: Vec<Frag>,
    cur: Option<Frag>,
    pending_space: bool,
    /// Arena offset and position of the last glyph of the open fragment.
    last: (u32, f32, f32),
    clip: [f64; 4],
    max_text: usize,
    /// Rulings and filled rectangles drawn on the page.
    pub shapes: Shapes,
    /// Text was dropped because the page exceeded its text limit.
    pub truncated: bool,
}

/// The writing direction of a text matrix's x axis: 0 right, 1 up, 2 left,
/// 3 down.
pub fn direction(a: f64, b: f64) -> u8 {
    if a.abs() >= b.abs() {
        if a >= 0.0 { 0 } else { 2 }
    } else if b > 0.0 {
        1
    } else {
        3
    }
}

/// Device coordinates turned so that direction `dir` runs left to right.
#[inline]
fn canon(dir: u8, x: f64, y: f64) -> (f32, f32) {
    let (u, v) = match dir {
        0 => (x, y),
        1 => (y, -x),
        2 => (-x, -y),
        _ => (-y, x),
    };
    (u as f32, v as f32)
}

impl PageBuilder {
    /// A builder for a page whose visible area is `clip` (`[x0 y0 x1 y1]`
    /// in default user space), keeping at most `max_text` bytes.
    pub fn new(clip: [f64; 4], max_text: usize) -> Self {
        PageBuilder {
            arena: String::new(),
            frags: Vec::new(),
            cur: None,
            pending_space: false,
            last: (0, f32::NAN, f32::NAN),
            clip,
            max_text,
            shapes: Shapes::default(),
            truncated: false,
        }
    }

    /// Adds one glyph: its text, the device-space origin `(ox, oy)` and end
    /// of its advance `(ex, ey)`, device font size and direction.
    #[inline]
    #[allow(clippy::too_many_arguments)]
    pub fn glyph(&mut self, text: &str, ox: f64, oy: f64, ex: f64, ey: f64, size: f64, dir: u8) {
        if !(ox.is_finite() && oy.is_finite() && ex.is_finite() && ey.is_finite()) {
            return;
        }
        let c = self.clip;
        let tol = 1.0;
        let inside = ox.max(ex) >= c[0] - tol
            && ox.min(ex) <= c[2] + tol
            && oy.max(ey) >= c[1] - tol
            && oy.min(ey) <= c[3] + tol;
        if !inside {
            self.close();
            return;
        }
        if text.is_empty() {
            // Unmapped glyph: it still takes room on the line.
            if let Some(cur) = &mut self.cur {
                let (x1, _) = canon(dir, ex, ey);
                if cur.dir == dir {
                    cur.x1 = cur.x1.max(x1);
                }
            }
            return;
        }
        if text.chars().all(char::is_whitespace) {
            self.close();
            self.pending_space = true;
            return;
        }
        let size = (size as f32).clamp(0.01, 1.0e6);
        let (x0, base) = canon(dir, ox, oy);
        let (x1, _) = canon(dir, ex, ey);
        if let Some(cur) = &self.cur {
            // The same glyph drawn again on top of itself (fake bold).
            let (at, lx, ly) = self.last;
            if cur.dir == dir
                && (x0 - lx).abs() < DUPLICATE_GLYPH * size
                && (base - ly).abs() < DUPLICATE_GLYPH * size
                && self.arena.get(at as usize..) == Some(text)
            {
                return;
            }
            let tol = cur.size.max(size);
            let same = cur.dir == dir
                && (base - cur.base).abs() < SAME_BASELINE * tol
                && x0 >= cur.x1 - 0.6 * tol
                && x0 - cur.x1 <= WORD_GAP * tol;
            if !same {
                self.close();
            }
        }
        if self.arena.len() + text.len() > self.max_text {
            self.truncated = true;
            return;
        }
        let cur = self.cur.get_or_insert_with(|| {
            let f = Frag {
                start: self.arena.len() as u32,
                end: 0,
                x0,
                x1,
                base,
                size,
                dir,
                space_before: self.pending_space,
                depth: 0.0,
                block: false,
            };
            self.pending_space = false;
            f
        });
        cur.x1 = cur.x1.max(x1);
        self.last = (self.arena.len() as u32, x0, base);
        self.arena.push_str(text);
    }

    /// Ends the current fragment (a space, a jump, or the end of a text
    /// object).
    pub fn close(&mut self) {
        let Some(mut f) = self.cur.take() else { return };
        f.end = self.arena.len() as u32;
        if f.end == f.start {
            return;
        }
        let text = &self.arena[f.start as usize..f.end as usize];
        let dup = self.frags.iter().rev().take(DUP_WINDOW).any(|g| {
            g.dir == f.dir
                && (g.x0 - f.x0).abs() < DUPLICATE * f.size
                && (g.base - f.base).abs() < DUPLICATE * f.size
                && &self.arena[g.start as usize..g.end as usize] == text
        });
        if dup {
            self.arena.truncate(f.start as usize);
            return;
        }
        self.frags.push(f);
    }

    /// Lays the page out and returns its text.
    pub fn finish(self) -> String {
        self.finish_tables(0).0
    }

    /// Lays page `page` (1-based) out and returns its text and tables.
    /// A table's rows are read as lines of their own, the cells of a row
    /// in order, separated by " | ".
    pub fn finish_tables(mut self, page: usize) -> (String, Vec<Table>) {
        self.close();
        if self.frags.is_empty() {
            return (String::new(), Vec::new());
        }
        let tables = self.find_tables(page);
        let mut counts = [0usize; 4];
        for f in &self.frags {
            counts[f.dir as usize] += 1;
        }
        let mut dirs: Vec<u8> = (0..4u8).filter(|&d| counts[d as usize] > 0).collect();
        dirs.sort_by_key(|&d| std::cmp::Reverse(counts[d as usize]));
        let mut out = String::with_capacity(self.arena.len() + self.arena.len() / 4);
        for dir in dirs {
            if !out.is_empty() {
                out.push('\n');
            }
            let items: Vec<usize> = (0..self.frags.len())
                .filter(|&i| self.frags[i].dir == dir)
                .collect();
            let mut sizes: Vec<f32> = items.iter().map(|&i| self.frags[i].size).collect();
            sizes.sort_by(f32::total_cmp);
            let median = sizes[sizes.len() / 2];
            let cutter = Cutter {
                frags: &self.frags,
                col_gap: COLUMN_GAP * median,
            };
            let mut blocks = Vec::new();
            cutter.cut(items, 0, &mut blocks);
            let mut prev_bottom: Option<f32> = None;
            for block in blocks {
                if block.is_empty() {
                    continue;
                }
                let top = block
                    .iter()
                    .map(|&i| self.frags[i].top())
                    .fold(f32::MIN, f32::max);
                let bottom = block
                    .iter()
                    .map(|&i| self.frags[i].bottom())
                    .fold(f32::MAX, f32::min);
                if let Some(pb) = prev_bottom {
                    let gap = pb - top;
                    if (gap > 0.7 * median || gap < -median) && !out.ends_with("\n\n") {
                        out.push('\n');
                    }
                }
                prev_bottom = Some(bottom);
                self.write_lines(block, &mut out);
            }
        }
        (out, tables)
    }

    /// Detects the tables among the upright fragments, renders each as a
    /// block fragment, and drops the fragments it holds.
    fn find_tables(&mut self, page: usize) -> Vec<Table> {
        let items: Vec<Item> = self
            .frags
            .iter()
            .map(|f| {
                let text = &self.arena[f.start as usize..f.end as usize];
                Item {
                    x0: f.x0,
                    x1: f.right(),
                    base: f.base,
                    size: f.size,
                    caps: text.chars().any(char::is_alphabetic)
                        && !text.chars().any(char::is_lowercase),
                }
            })
            .collect();
        // Tables are looked for in the main writing direction (a landscape
        // page drawn rotated reads upright), with the shapes turned to it.
        let mut counts = [0usize; 4];
        for f in &self.frags {
            counts[f.dir as usize] += 1;
        }
        let dir = (0..4u8)
            .max_by_key(|&d| (counts[d as usize], std::cmp::Reverse(d)))
            .unwrap_or(0);
        let upright: Vec<usize> = (0..self.frags.len())
            .filter(|&i| self.frags[i].dir == dir)
            .collect();
        let shapes = if dir == 0 {
            std::borrow::Cow::Borrowed(&self.shapes)
        } else {
            std::borrow::Cow::Owned(self.shapes.turned(|x, y| canon(dir, x, y)))
        };
        let found = tables::detect(&items, &upright, &shapes);
        if found.tables.is_empty() && found.lists.is_empty() {
            return Vec::new();
        }
        let mut drop = vec![false; self.frags.len()];
        let mut out = Vec::with_capacity(found.tables.len());
        let mut blocks = Vec::new();
        for list in found.lists {
            let text: Vec<String> = list.columns.iter().map(|c| self.list_text(c)).collect();
            let mut size = f32::MAX;
            for &i in list.columns.iter().flatten() {
                drop[i] = true;
                size = size.min(self.frags[i].size);
            }
            let [x0, y0, x1, y1] = list.bbox;
            blocks.push((text.join("\n\n"), x0, x1, y0, y1, size));
        }
        for t in found.tables {
            let rows: Vec<Vec<String>> = t
                .rows
                .iter()
                .map(|r| r.iter().map(|c| self.cell_text(c)).collect())
                .collect();
            let mut text = String::new();
            for r in &rows {
                if !text.is_empty() {
                    text.push('\n');
                }
                let cells: Vec<&str> = r
                    .iter()
                    .map(String::as_str)
                    .filter(|c| !c.is_empty())
                    .collect();
                text.push_str(&cells.join(" | "));
            }
            let mut size = f32::MAX;
            for &i in t.rows.iter().flatten().flatten() {
                drop[i] = true;
                size = size.min(self.frags[i].size);
            }
            let [x0, y0, x1, y1] = t.bbox;
            blocks.push((text, x0, x1, y0, y1, size));
            out.push(Table {
                page,
                kind: t.kind,
                columns: t.columns,
                rows,
                header: false,
                continues: false,
            });
        }
        let mut k = 0;
        self.frags.retain(|_| {
            k += 1;
            !drop[k - 1]
        });
        for (text, x0, x1, y0, y1, size) in blocks {
            let start = self.arena.len() as u32;
            self.arena.push_str(&text);
            let base = y1 - 0.75 * size;
            self.frags.push(Frag {
                start,
                end: self.arena.len() as u32,
                x0,
                x1,
                base,
                size,
                dir,
                space_before: true,
                depth: (base - 0.25 * size - y0).max(0.0),
                block: true,
            });
        }
        out
    }

    /// The lines of `items`, top to bottom, each left to right.
    fn lines_of(&self, items: &[usize]) -> Vec<Vec<usize>> {
        let f = &self.frags;
        let mut sorted = items.to_vec();
        sorted.sort_by(|&a, &b| f[b].base.total_cmp(&f[a].base));
        let mut lines: Vec<Vec<usize>> = Vec::new();
        let mut base = f32::NAN;
        for i in sorted {
            if lines.is_empty() || (base - f[i].base).abs() >= SAME_BASELINE * f[i].size {
                lines.push(Vec::new());
                base = f[i].base;
            }
            if let Some(l) = lines.last_mut() {
                l.push(i);
            }
        }
        for l in &mut lines {
            l.sort_by(|&a, &b| f[a].x0.total_cmp(&f[b].x0));
        }
        lines
    }

    /// Appends `line` to the text of `out`'s last line: joined with a
    /// space, or as `normalize` joins a word hyphenated across a line end.
    fn join_line(&self, line: &[usize], out: &mut String) {
        let f = &self.frags;
        let first = &self.arena[f[line[0]].start as usize..f[line[0]].end as usize];
        if !out.is_empty() && !out.ends_with('\n') {
            match crate::normalize::hyphen_keeps(out, first) {
                Some(true) => {}
                Some(false) => {
                    out.pop();
                }
                None => out.push(' '),
            }
        }
        self.append_line(line, out);
    }

    /// The text of one cell: its lines top to bottom joined by spaces (a
    /// word hyphenated across a line end is joined as `normalize` joins
    /// it across lines).
    fn cell_text(&self, cell: &[usize]) -> String {
        let mut out = String::new();
        for line in self.lines_of(cell) {
            self.join_line(&line, &mut out);
        }
        out
    }

    /// The text of one column of a column list: an entry per line, top to
    /// bottom. A line indented from where the column's lines usually start
    /// goes on with the entry above (a wrapped entry); a gap wider than
    /// the column's usual line spacing (the space around a heading) is a
    /// blank line.
    fn list_text(&self, column: &[usize]) -> String {
        let f = &self.frags;
        let lines = self.lines_of(column);
        let mut starts: Vec<f32> = lines.iter().map(|l| f[l[0]].x0).collect();
        let mut pitches: Vec<f32> = lines
            .windows(2)
            .map(|w| f[w[0][0]].base - f[w[1][0]].base)
            .collect();
        starts.sort_by(f32::total_cmp);
        pitches.sort_by(f32::total_cmp);
        // The most common start (within a point).
        let mut margin = starts.first().copied().unwrap_or(0.0);
        let mut best = 0;
        for (k, &x) in starts.iter().enumerate() {
            let n = starts[k..].iter().take_while(|&&y| y - x <= 1.0).count();
            if n > best {
                best = n;
                margin = x;
            }
        }
        let pitch = pitches.get(pitches.len() / 2).copied().unwrap_or(0.0);
        let mut out = String::new();
        let mut prev: Option<&Frag> = None;
        for line in &lines {
            let g = &f[line[0]];
            if let Some(p) = prev {
                let gap = p.base - g.base;
                let wrapped = g.x0 > margin + 0.5 * g.size && gap <= 1.5 * pitch;
                if !wrapped {
                    out.push('\n');
                    if gap > 1.3 * pitch {
                        out.push('\n');
                    }
                }
            }
            self.join_line(line, &mut out);
            prev = Some(g);
        }
        out
    }

    /// Writes a block line by line.
    fn write_lines(&self, mut block: Vec<usize>, out: &mut String) {
        let f = &self.frags;
        block.sort_by(|&a, &b| f[b].base.total_cmp(&f[a].base));
        let mut lines: Vec<Vec<usize>> = Vec::new();
        let mut line_base = f32::NAN;
        let mut line_size = 0f32;
        for i in block {
            let g = &f[i];
            let tol = SAME_BASELINE * line_size.max(g.size);
            if lines.is_empty() || (line_base - g.base).abs() >= tol {
                lines.push(Vec::new());
                line_base = g.base;
                line_size = g.size;
            } else if g.size > line_size {
                line_size = g.size;
            }
            if let Some(l) = lines.last_mut() {
                l.push(i);
            }
        }
        for mut line in lines {
            let tables: Vec<usize> = line.iter().copied().filter(|&i| f[i].block).collect();
            if !tables.is_empty() {
                line.retain(|&i| !f[i].block);
            }
            line.sort_by(|&a, &b| f[a].x0.total_cmp(&f[b].x0));
            self.write_line(&line, out);
            let mut tables = tables;
            tables.sort_by(|&a, &b| f[a].x0.total_cmp(&f[b].x0));
            for i in tables {
                out.push_str(&self.arena[f[i].start as usize..f[i].end as usize]);
                out.push('\n');
            }
        }
    }

    /// Appends the fragments of one line, left to right, with a space
    /// where they stand apart (right-to-left runs in logical order).
    fn append_line(&self, line: &[usize], out: &mut String) {
        let f = &self.frags;
        let line_start = out.len();
        let mut prev: Option<&Frag> = None;
        for &i in line {
            let g = &f[i];
            if let Some(p) = prev {
                let gap = g.x0 - p.x1;
                let size = p.size.max(g.size);
                if g.space_before || gap > WORD_GAP * size || gap < -0.6 * size {
                    out.push(' ');
                }
            }
            out.push_str(&self.arena[g.start as usize..g.end as usize]);
            prev = Some(g);
        }
        if out[line_start..].chars().any(is_rtl) {
            let logical = logical_order(&out[line_start..]);
            out.truncate(line_start);
            out.push_str(&logical);
        }
    }

    /// Writes one line (fragments left to right), if it has any.
    fn write_line(&self, line: &[usize], out: &mut String) {
        if line.is_empty() {
            return;
        }
        self.append_line(line, out);
        out.push('\n');
    }
}

/// Recursive XY-cut over fragment boxes.
struct Cutter<'a> {
    frags: &'a [Frag],
    col_gap: f32,
}

impl Cutter<'_> {
    fn cut(&self, items: Vec<usize>, depth: usize, out: &mut Vec<Vec<usize>>) {
        if items.len() <= 1 || depth > 48 {
            out.push(items);
            return;
        }
        if let Some(cols) = self.split_columns(&items) {
            for c in cols {
                self.cut(c, depth + 1, out);
            }
            return;
        }
        let stripes = self.split_rows(items);
        if stripes.len() <= 1 {
            out.extend(stripes);
            return;
        }
        let (lo, hi) = self.extent(stripes.iter().flatten().copied());
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut common: Vec<(f32, f32)> = Vec::new();
        let mut ext = (f32::MAX, f32::MIN);
        let mut merged_any = false;
        for s in stripes {
            let free = self.free(&s, lo, hi);
            let (s_lo, s_hi) = self.extent(s.iter().copied());
            if let Some(g) = groups.last_mut() {
                let inter = intersect(&common, &free);
                let new_ext = (ext.0.min(s_lo), ext.1.max(s_hi));
                let interior = inter
                    .iter()
                    .any(|&(a, b)| b - a >= self.col_gap && a > new_ext.0 && b < new_ext.1);
                if interior {
                    g.extend(s);
                    common = inter;
                    ext = new_ext;
                    merged_any = true;
                    continue;
                }
            }
            groups.push(s);
            common = free;
            ext = (s_lo, s_hi);
        }
        if groups.len() == 1 && merged_any {
            // No progress possible (should not happen): read as is.
            out.extend(groups);
            return;
        }
        for g in groups {
            self.cut(g, depth + 1, out);
        }
    }

    fn extent(&self, items: impl Iterator<Item = usize>) -> (f32, f32) {
        items.fold((f32::MAX, f32::MIN), |(lo, hi), i| {
            (lo.min(self.frags[i].x0), hi.max(self.frags[i].right()))
        })
    }

    /// Uncovered x intervals of `items` within `[lo, hi]`.
    fn free(&self, items: &[usize], lo: f32, hi: f32) -> Vec<(f32, f32)> {
        uncovered(
            items
                .iter()
                .map(|&i| (self.frags[i].x0, self.frags[i].right()))
                .collect(),
            lo,
            hi,
        )
    }

    /// Splits at the widest vertical gutter (at least `col_gap` wide) when
    /// it separates columns of running text; table columns are not split,
    /// so tables read row by row.
    fn split_columns(&self, items: &[usize]) -> Option<Vec<Vec<usize>>> {
        let f = self.frags;
        let mut sorted = items.to_vec();
        sorted.sort_by(|&a, &b| f[a].x0.total_cmp(&f[b].x0));
        let mut end = f32::MIN;
        let mut best: Option<(f32, f32)> = None; // (width, split x)
        for (k, &i) in sorted.iter().enumerate() {
            let g = &f[i];
            if k > 0 && g.x0 - end >= self.col_gap && best.is_none_or(|b| g.x0 - end > b.0) {
                best = Some((g.x0 - end, g.x0));
            }
            end = end.max(g.right());
        }
        let (_, at) = best?;
        let (lo, hi) = self.extent(items.iter().copied());
        let (left, right): (Vec<usize>, Vec<usize>) = sorted.iter().partition(|&&i| f[i].x0 < at);
        let (l0, l1) = self.extent(left.iter().copied());
        let (r0, r1) = self.extent(right.iter().copied());
        let narrow = (l1 - l0).min(r1 - r0);
        if narrow < 0.25 * (hi - lo) {
            return None;
        }
        if !(self.is_text_column(&left) || self.is_text_column(&right)) {
            return None;
        }
        Some(vec![left, right])
    }

    /// Whether a column reads as running text (most lines fill its width)
    /// rather than as table cells, which stay row by row.
    fn is_text_column(&self, items: &[usize]) -> bool {
        let f = self.frags;
        let mut sorted = items.to_vec();
        sorted.sort_by(|&a, &b| f[b].base.total_cmp(&f[a].base));
        let (lo, hi) = self.extent(items.iter().copied());
        let width = hi - lo;
        let mut lines = 0usize;
        let mut full = 0usize;
        let mut i = 0;
        while i < sorted.len() {
            let first = &f[sorted[i]];
            let (mut l0, mut l1) = (first.x0, first.right());
            let mut j = i + 1;
            while j < sorted.len()
                && (first.base - f[sorted[j]].base).abs() < SAME_BASELINE * first.size
            {
                l0 = l0.min(f[sorted[j]].x0);
                l1 = l1.max(f[sorted[j]].right());
                j += 1;
            }
            lines += 1;
            if l1 - l0 >= 0.6 * width {
                full += 1;
            }
            i = j;
        }
        lines >= 5 && full * 3 >= lines * 2
    }

    /// Splits into rows separated by vertical whitespace, top first.
    fn split_rows(&self, mut items: Vec<usize>) -> Vec<Vec<usize>> {
        let f = self.frags;
        items.sort_by(|&a, &b| f[b].top().total_cmp(&f[a].top()));
        let mut rows: Vec<Vec<usize>> = Vec::new();
        let mut bottom = f32::MAX;
        for i in items {
            let g = &f[i];
            if rows.is_empty() || g.top() < bottom + 0.1 * g.size {
                rows.push(Vec::new());
                bottom = g.bottom();
            } else {
                bottom = bottom.min(g.bottom());
            }
            if let Some(r) = rows.last_mut() {
                r.push(i);
            }
        }
        rows
    }
}

/// Hebrew and Arabic letters (drawn left to right, read right to left).
fn is_rtl(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// A line of visually ordered text in reading order: right-to-left words
/// are reversed, and so is the order of words in a right-to-left line.
fn logical_order(line: &str) -> String {
    let mut words: Vec<String> = line
        .split(' ')
        .map(|w| {
            if w.chars().any(is_rtl) && !w.chars().any(|c| c.is_ascii_alphabetic()) {
                w.chars().rev().collect()
            } else {
                w.to_string()
            }
        })
        .collect();
    let rtl = words.iter().filter(|w| w.chars().any(is_rtl)).count();
    if rtl * 2 > words.len() {
        words.reverse();
    }
    words.join(" ")
}

/// The parts of `lo..hi` that none of the intervals `iv` covers, in order.
pub(super) fn uncovered(mut iv: Vec<(f32, f32)>, lo: f32, hi: f32) -> Vec<(f32, f32)> {
    iv.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = Vec::new();
    let mut at = lo;
    for (a, b) in iv {
        if a > at {
            out.push((at, a));
        }
        at = at.max(b);
    }
    if hi > at {
        out.push((at, hi));
    }
    out
}

/// The overlaps of two sorted lists of disjoint intervals.
pub(super) fn intersect(a: &[(f32, f32)], b: &[(f32, f32)]) -> Vec<(f32, f32)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let lo = a[i].0.max(b[j].0);
        let hi = a[i].1.min(b[j].1);
        if hi > lo {
            out.push((lo, hi));
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: [f64; 4] = [0.0, 0.0, 612.0, 792.0];

    /// Places `word` with 6-unit-wide glyphs at (x, y), size 10.
    fn word(b: &mut PageBuilder, word: &str, x: f64, y: f64) {
        let mut x = x;
        for ch in word.chars() {
            let s = ch.to_string();
            b.glyph(&s, x, y, x + 6.0, y, 10.0, 0);
            x += 6.0;
        }
        b.close();
    }

    #[test]
    fn words_and_lines() {
        let mut b = PageBuilder::new(PAGE, 1 << 20);
        word(&mut b, "Ketamine", 72.0, 700.0);
        word(&mut b, "is", 72.0 + 8.0 * 6.0 + 3.0, 700.0);
        word(&mut b, "covered", 72.0, 686.0);
        assert_eq!(b.finish(), "Ketamine is\ncovered\n");
    }

    #[test]
    fn adjacent_glyph_runs_join() {
        let mut b = PageBuilder::new(PAGE, 1 << 20);
        word(&mut b, "Keta", 72.0, 700.0);
        word(&mut b, "mine", 72.0 + 24.0, 700.0);
        assert_eq!(b.finish(), "Ketamine\n");
    }

    #[test]
    fn two_columns_read_column_by_column() {
        let mut b = PageBuilder::new(PAGE, 1 << 20);
        let mut left = String::new();
        let mut right = String::new();
        for i in 0..6 {
            let y = 700.0 - 12.0 * i as f64;
            let (l, r) = (format!("leftcolumntext{i}"), format!("rightcolumntext{i}"));
            word(&mut b, &l, 72.0, y);
            word(&mut b, &r, 320.0, y);
            left.push_str(&l);
            left.push('\n');
            right.push_str(&r);
            right.push('\n');
        }
        assert_eq!(b.finish(), format!("{left}\n{right}"));
    }

    #[test]
    fn table_rows_read_row_by_row() {
        let mut b = PageBuilder::new(PAGE, 1 << 20);
        for (i, (k, v)) in [
            ("Ketamine", "96365"),
            ("Esketamine", "S0013"),
            ("ECT", "90870"),
        ]
        .iter()
        .enumerate()
        {
            let y = 700.0 - 14.0 * i as f64;
            word(&mut b, k, 72.0, y);
            word(&mut b, v, 320.0, y);
        }
        assert_eq!(b.finish(), "Ketamine 96365\nEsketamine S0013\nECT 90870\n");
    }

    #[test]
    fn off_page_and_duplicate_text_is_dropped() {
        let mut b = PageBuilder::new(PAGE, 1 << 20);
        word(&mut b, "bold", 72.0, 700.0);
        word(&mut b, "bold", 72.5, 700.0);
        word(&mut b, "hidden", 9000.0, 700.0);
        assert_eq!(b.finish(), "bold\n");
    }

    #[test]
    fn glyph_drawn_twice_counts_once() {
        let mut b = PageBuilder::new(PAGE, 1 << 20);
        for (ch, x) in [("B", 72.0), ("B", 72.4), ("e", 78.0), ("e", 78.4)] {
            b.glyph(ch, x, 700.0, x + 6.0, 700.0, 10.0, 0);
        }
        assert_eq!(b.finish(), "Be\n");
    }

    #[test]
    fn right_to_left_words_read_in_logical_order() {
        assert_eq!(logical_order("ةمئاق abc"), "قائمة abc");
        assert_eq!(logical_order("بزح ةمئاق"), "قائمة حزب");
    }

    #[test]
    fn rotated_text_reads_upright() {
        let mut b = PageBuilder::new(PAGE, 1 << 20);
        // Text running up the page (direction 1): x fixed, y increasing.
        let mut y = 100.0;
        for ch in "up".chars() {
            b.glyph(&ch.to_string(), 300.0, y, 300.0, y + 6.0, 10.0, 1);
            y += 6.0;
        }
        assert_eq!(b.finish(), "up\n");
    }
}
