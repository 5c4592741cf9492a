//! Table detection on one page: which words form a grid, and its rows and
//! cells.
//!
//! Owns: the page's ruling lines and filled rectangles (as the content
//! stream drew them, in device space) and three ways of finding a table,
//! tried in this order, each on the words the previous ones left:
//! - ruled: horizontal and vertical rulings that cross each other; the
//!   rulings bound the cells (a missing vertical inside a row makes a cell
//!   span columns);
//! - banded: horizontal rulings or shaded rectangles of one width stacked
//!   above each other bound the rows; columns come from gutters that no
//!   word of the region crosses;
//! - stream: consecutive text lines sharing at least two gutters (three
//!   columns or more); each line is a row, and a line with nothing in the
//!   first column continues the row above.
//!
//! Columns of a stream table that do not keep to each other's lines are
//! split apart: neighbours whose baselines drift (each keeps its own line
//! spacing). Each run of columns that still keep together is a table of
//! its own; a single column is a list when the columns have headings of
//! their own (capitals, space above), and the page's lists side by side
//! are a `ColumnList`, read a column at a time (a drug list set in
//! newspaper-style columns under class headings).
//!
//! Detection is conservative: running text has no gutter that all its
//! lines share, a frame around a paragraph has one column, and a table
//! needs two rows with two filled cells. Must not: know the words' text
//! (`layout` renders cells; an item only says whether it is in
//! capitals), or fonts and operators (`content` feeds the shapes).

use super::layout::{intersect, uncovered};

/// Rulings and rectangles kept per page at most.
const MAX_SHAPES: usize = 20_000;
/// A rectangle at most this thick (device units) is a ruling.
const RULE_THICKNESS: f32 = 2.5;
/// Positions this close (device units) are one.
const SNAP: f32 = 2.0;
/// Gutters between columns are at least this many font sizes wide.
const GUTTER: f32 = 1.2;

/// An axis-aligned segment: `pos` across, `lo..hi` along.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// y of a horizontal edge, x of a vertical one.
    pub pos: f32,
    /// Start along the edge.
    pub lo: f32,
    /// End along the edge.
    pub hi: f32,
}

/// The shapes of a page that can bound table cells.
#[derive(Debug, Default, Clone)]
pub struct Shapes {
    /// Horizontal rulings.
    pub h: Vec<Edge>,
    /// Vertical rulings.
    pub v: Vec<Edge>,
    /// Filled (non-white) rectangles `[x0, y0, x1, y1]`.
    pub fills: Vec<[f32; 4]>,
}

impl Shapes {
    fn full(&self) -> bool {
        self.h.len() + self.v.len() + self.fills.len() >= MAX_SHAPES
    }

    /// A stroked straight segment from `(x0, y0)` to `(x1, y1)`.
    pub fn segment(&mut self, x0: f64, y0: f64, x1: f64, y1: f64) {
        if self.full() || ![x0, y0, x1, y1].iter().all(|v| v.is_finite()) {
            return;
        }
        let (x0, y0, x1, y1) = (x0 as f32, y0 as f32, x1 as f32, y1 as f32);
        if (y1 - y0).abs() <= 0.5 && (x1 - x0).abs() > 0.5 {
            self.h.push(Edge {
                pos: (y0 + y1) / 2.0,
                lo: x0.min(x1),
                hi: x0.max(x1),
            });
        } else if (x1 - x0).abs() <= 0.5 && (y1 - y0).abs() > 0.5 {
            self.v.push(Edge {
                pos: (x0 + x1) / 2.0,
                lo: y0.min(y1),
                hi: y0.max(y1),
            });
        }
    }

    /// The shapes mapped by `turn` (the layout's turn to a writing
    /// direction), so that a rotated page's rulings meet its text.
    pub fn turned(&self, turn: impl Fn(f64, f64) -> (f32, f32)) -> Shapes {
        let mut out = Shapes::default();
        let p = |x: f32, y: f32| turn(f64::from(x), f64::from(y));
        for e in &self.h {
            let (a, b) = (p(e.lo, e.pos), p(e.hi, e.pos));
            out.segment(a.0.into(), a.1.into(), b.0.into(), b.1.into());
        }
        for e in &self.v {
            let (a, b) = (p(e.pos, e.lo), p(e.pos, e.hi));
            out.segment(a.0.into(), a.1.into(), b.0.into(), b.1.into());
        }
        for f in &self.fills {
            let (a, b) = (p(f[0], f[1]), p(f[2], f[3]));
            out.fills
                .push([a.0.min(b.0), a.1.min(b.1), a.0.max(b.0), a.1.max(b.1)]);
        }
        out
    }

    /// A stroked axis-aligned rectangle.
    pub fn stroked_rect(&mut self, r: [f64; 4]) {
        self.segment(r[0], r[1], r[2], r[1]);
        self.segment(r[0], r[3], r[2], r[3]);
        self.segment(r[0], r[1], r[0], r[3]);
        self.segment(r[2], r[1], r[2], r[3]);
    }

    /// A filled axis-aligned rectangle; `visible` is false for white.
    pub fn filled_rect(&mut self, r: [f64; 4], visible: bool) {
        if self.full() || !r.iter().all(|v| v.is_finite()) || !visible {
            return;
        }
        let [x0, y0, x1, y1] = r.map(|v| v as f32);
        let (w, h) = (x1 - x0, y1 - y0);
        if h <= RULE_THICKNESS && w > 2.0 * h {
            self.h.push(Edge {
                pos: (y0 + y1) / 2.0,
                lo: x0,
                hi: x1,
            });
        } else if w <= RULE_THICKNESS && h > 2.0 * w {
            self.v.push(Edge {
                pos: (x0 + x1) / 2.0,
                lo: y0,
                hi: y1,
            });
        } else if w > 0.0 && h > 0.0 {
            self.fills.push([x0, y0, x1, y1]);
        }
    }
}

/// A word fragment as detection sees it.
#[derive(Debug, Clone, Copy)]
pub struct Item {
    /// Left edge.
    pub x0: f32,
    /// Right edge.
    pub x1: f32,
    /// Baseline.
    pub base: f32,
    /// Font size.
    pub size: f32,
    /// Written in capitals only (letters, none lower case): a heading or
    /// a letter of an index, or a name in capitals.
    pub caps: bool,
}

impl Item {
    fn top(&self) -> f32 {
        self.base + 0.75 * self.size
    }
    fn bottom(&self) -> f32 {
        self.base - 0.25 * self.size
    }
    fn cx(&self) -> f32 {
        (self.x0 + self.x1) / 2.0
    }
    fn cy(&self) -> f32 {
        self.base + 0.25 * self.size
    }
}

/// How a table's cells were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Rulings bound the cells.
    Ruled,
    /// Rulings or shading bound the rows; gutters part the columns.
    Banded,
    /// Gutters part the columns; lines are rows.
    Stream,
}

impl Kind {
    /// The name used in `extract --layout rows`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ruled => "ruled",
            Kind::Banded => "banded",
            Kind::Stream => "stream",
        }
    }
}

/// A table found on a page; cells hold indices into the items.
#[derive(Debug, Clone)]
pub struct Found {
    /// How it was found.
    pub kind: Kind,
    /// Column boundaries, left to right (one more than the columns).
    pub columns: Vec<f32>,
    /// Rows top to bottom; each has one cell per column (a cell spanning
    /// columns is the first of them, the others empty).
    pub rows: Vec<Vec<Vec<usize>>>,
    /// `[x0, y0, x1, y1]`.
    pub bbox: [f32; 4],
}

/// Columns of a page that are independent lists (a drug list set in
/// newspaper-style columns): each is read top to bottom on its own.
#[derive(Debug, Clone)]
pub struct ColumnList {
    /// The items of each column, left to right.
    pub columns: Vec<Vec<usize>>,
    /// `[x0, y0, x1, y1]`.
    pub bbox: [f32; 4],
}

/// What `detect` finds on a page.
#[derive(Debug, Default)]
pub struct Detected {
    /// Tables, top first (left first at the same height).
    pub tables: Vec<Found>,
    /// Column lists, top first.
    pub lists: Vec<ColumnList>,
}

/// Finds the tables and column lists among `items` (indices into `all`).
pub fn detect(all: &[Item], items: &[usize], shapes: &Shapes) -> Detected {
    if items.len() < 4 {
        return Detected::default();
    }
    let mut sizes: Vec<f32> = items.iter().map(|&i| all[i].size).collect();
    sizes.sort_by(f32::total_cmp);
    let m = sizes[sizes.len() / 2];
    let mut free: Vec<usize> = items.to_vec();
    let mut found = Vec::new();
    let h = merge(&shapes.h);
    let v = merge(&shapes.v);
    let mut used_h = vec![false; h.len()];
    for (hs, vs) in components(&h, &v) {
        if let Some(t) = ruled(all, &free, &h, &v, &hs, &vs) {
            for &k in &hs {
                used_h[k] = true;
            }
            claim(&mut free, &t);
            found.push(t);
        }
    }
    let rest_h: Vec<Edge> = (0..h.len()).filter(|&k| !used_h[k]).map(|k| h[k]).collect();
    for (ys, lo, hi) in bands(&rest_h, &shapes.fills, m, &found) {
        if let Some(t) = banded(all, &free, &ys, lo, hi, m) {
            claim(&mut free, &t);
            found.push(t);
        }
    }
    let (tables, lists) = stream(all, &free, m);
    found.extend(tables);
    found.sort_by(|a, b| {
        b.bbox[3]
            .total_cmp(&a.bbox[3])
            .then(a.bbox[0].total_cmp(&b.bbox[0]))
    });
    Detected {
        tables: found,
        lists,
    }
}

fn claim(free: &mut Vec<usize>, t: &Found) {
    let mut taken: Vec<usize> = t.rows.iter().flatten().flatten().copied().collect();
    taken.sort_unstable();
    free.retain(|i| taken.binary_search(i).is_err());
}

/// Collinear edges that touch or overlap joined into one.
fn merge(edges: &[Edge]) -> Vec<Edge> {
    let mut e = edges.to_vec();
    e.sort_by(|a, b| a.pos.total_cmp(&b.pos).then(a.lo.total_cmp(&b.lo)));
    // Group by position first, then join along.
    let mut out: Vec<Edge> = Vec::new();
    let mut k = 0;
    while k < e.len() {
        let mut j = k + 1;
        while j < e.len() && e[j].pos - e[j - 1].pos <= 1.0 {
            j += 1;
        }
        let mut group = e[k..j].to_vec();
        let pos = group.iter().map(|g| g.pos).sum::<f32>() / group.len() as f32;
        group.sort_by(|a, b| a.lo.total_cmp(&b.lo));
        let mut cur = group[0];
        for g in &group[1..] {
            if g.lo <= cur.hi + SNAP {
                cur.hi = cur.hi.max(g.hi);
            } else {
                out.push(Edge { pos, ..cur });
                cur = *g;
            }
        }
        out.push(Edge { pos, ..cur });
        k = j;
    }
    out.retain(|g| g.hi - g.lo >= 3.0);
    out
}

fn crosses(h: &Edge, v: &Edge) -> bool {
    v.pos >= h.lo - SNAP && v.pos <= h.hi + SNAP && h.pos >= v.lo - SNAP && h.pos <= v.hi + SNAP
}

/// Groups of horizontal and vertical edges connected by crossings, with
/// at least three of each.
fn components(h: &[Edge], v: &[Edge]) -> Vec<(Vec<usize>, Vec<usize>)> {
    if h.len() < 3 || v.len() < 3 || h.len() * v.len() > 4_000_000 {
        return Vec::new();
    }
    let n = h.len() + v.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for (a, he) in h.iter().enumerate() {
        for (b, ve) in v.iter().enumerate() {
            if crosses(he, ve) {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, h.len() + b));
                if ra != rb {
                    parent[ra] = rb;
                }
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, (Vec<usize>, Vec<usize>)> =
        std::collections::BTreeMap::new();
    for i in 0..n {
        let r = root(&mut parent, i);
        let g = groups.entry(r).or_default();
        if i < h.len() {
            g.0.push(i);
        } else {
            g.1.push(i - h.len());
        }
    }
    groups
        .into_values()
        .filter(|(a, b)| a.len() >= 2 && b.len() >= 2)
        .collect()
}

/// Positions clustered within `SNAP`, ascending.
fn cluster(mut p: Vec<f32>) -> Vec<f32> {
    p.sort_by(f32::total_cmp);
    let mut out: Vec<f32> = Vec::new();
    for x in p {
        match out.last() {
            Some(&l) if x - l <= SNAP => {}
            _ => out.push(x),
        }
    }
    out
}

fn inside(it: &Item, bbox: [f32; 4]) -> bool {
    let (cx, cy) = (it.cx(), it.cy());
    cx > bbox[0] && cx < bbox[2] && cy > bbox[1] && cy < bbox[3]
}

/// Rows that hold text, and the table if it has two rows with two filled
/// cells (empty columns dropped).
fn finish(kind: Kind, columns: Vec<f32>, rows: Vec<Vec<Vec<usize>>>) -> Option<Found> {
    let mut rows: Vec<Vec<Vec<usize>>> = rows
        .into_iter()
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .collect();
    let ncols = columns.len() - 1;
    let keep: Vec<bool> = (0..ncols)
        .map(|c| rows.iter().any(|r| !r[c].is_empty()))
        .collect();
    let mut cols = vec![columns[0]];
    for c in 0..ncols {
        if keep[c] {
            cols.push(columns[c + 1]);
        } else if let Some(l) = cols.last_mut() {
            *l = columns[c + 1];
        }
    }
    for r in &mut rows {
        let mut k = 0;
        r.retain(|_| {
            k += 1;
            keep[k - 1]
        });
    }
    let wide = rows
        .iter()
        .filter(|r| r.iter().filter(|c| !c.is_empty()).count() >= 2)
        .count();
    let filled: usize = rows
        .iter()
        .map(|r| r.iter().filter(|c| !c.is_empty()).count())
        .sum();
    // Text set in a diagram's rulings, or beside a formula, leaves most
    // cells empty; a stream table's rows mostly have two cells or more.
    let (density, wide_share) = match kind {
        Kind::Stream => (0.5, 0.75),
        _ => (0.4, 0.0),
    };
    let cells = rows.len() * (cols.len() - 1);
    if cols.len() < 3
        || rows.len() < 2
        || wide < 2
        || (filled as f32) < density * cells as f32
        || (wide as f32) < wide_share * rows.len() as f32
    {
        return None;
    }
    Some(Found {
        kind,
        bbox: [0.0; 4],
        columns: cols,
        rows,
    })
}

fn ruled(
    all: &[Item],
    free: &[usize],
    h: &[Edge],
    v: &[Edge],
    hs: &[usize],
    vs: &[usize],
) -> Option<Found> {
    let xs = cluster(vs.iter().map(|&k| v[k].pos).collect());
    let mut ys = cluster(hs.iter().map(|&k| h[k].pos).collect());
    if xs.len() < 3 || ys.len() < 3 {
        return None;
    }
    ys.reverse();
    let bbox = [xs[0], ys[ys.len() - 1], xs[xs.len() - 1], ys[0]];
    let ncols = xs.len() - 1;
    let mut rows = vec![vec![Vec::new(); ncols]; ys.len() - 1];
    // Which column each column's text belongs to in each row: a missing
    // vertical ruling joins a column to the one on its left.
    let owner: Vec<Vec<usize>> = (0..ys.len() - 1)
        .map(|r| {
            let mid = (ys[r] + ys[r + 1]) / 2.0;
            let mut own = vec![0usize; ncols];
            for c in 1..ncols {
                let present = vs
                    .iter()
                    .any(|&k| (v[k].pos - xs[c]).abs() <= SNAP && v[k].lo <= mid && v[k].hi >= mid);
                own[c] = if present { c } else { own[c - 1] };
            }
            own
        })
        .collect();
    for &i in free {
        let it = &all[i];
        if !inside(it, bbox) {
            continue;
        }
        let (cx, cy) = (it.cx(), it.cy());
        let r = (0..ys.len() - 1).find(|&r| cy <= ys[r] && cy > ys[r + 1]);
        let c = (0..ncols).find(|&c| cx >= xs[c] && cx < xs[c + 1]);
        if let (Some(r), Some(c)) = (r, c) {
            rows[r][owner[r][c]].push(i);
        }
    }
    let mut t = finish(Kind::Ruled, xs, rows)?;
    t.bbox = bbox;
    Some(t)
}

/// Stacks of horizontal rulings and shaded rectangles of one width: the
/// row boundaries (top first) and the x extent.
fn bands(h: &[Edge], fills: &[[f32; 4]], m: f32, taken: &[Found]) -> Vec<(Vec<f32>, f32, f32)> {
    let in_table = |x: f32, y: f32| {
        taken
            .iter()
            .any(|t| x >= t.bbox[0] && x <= t.bbox[2] && y >= t.bbox[1] && y <= t.bbox[3])
    };
    // (y, lo, hi) separators.
    let mut seps: Vec<(f32, f32, f32)> = Vec::new();
    for e in h {
        if e.hi - e.lo >= 8.0 * m && !in_table((e.lo + e.hi) / 2.0, e.pos) {
            seps.push((e.pos, e.lo, e.hi));
        }
    }
    for f in fills {
        if f[2] - f[0] >= 8.0 * m
            && f[3] - f[1] >= 0.8 * m
            && !in_table((f[0] + f[2]) / 2.0, (f[1] + f[3]) / 2.0)
        {
            seps.push((f[3], f[0], f[2]));
            seps.push((f[1], f[0], f[2]));
        }
    }
    seps.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out = Vec::new();
    let mut group: Vec<(f32, f32, f32)> = Vec::new();
    let close = |group: &mut Vec<(f32, f32, f32)>, out: &mut Vec<(Vec<f32>, f32, f32)>| {
        let mut ys: Vec<f32> = cluster(group.iter().map(|s| s.0).collect());
        ys.reverse();
        if ys.len() >= 3 {
            let lo = group.iter().map(|s| s.1).fold(f32::MAX, f32::min);
            let hi = group.iter().map(|s| s.2).fold(f32::MIN, f32::max);
            out.push((ys, lo, hi));
        }
        group.clear();
    };
    for s in seps {
        if let Some(&last) = group.last() {
            let lo = group[0].1;
            let hi = group[0].2;
            let overlap = hi.min(s.2) - lo.max(s.1);
            let same_width = overlap >= 0.9 * (hi - lo).max(s.2 - s.1);
            if !(same_width && last.0 - s.0 <= 12.0 * m) {
                close(&mut group, &mut out);
            }
        }
        group.push(s);
    }
    close(&mut group, &mut out);
    out
}

/// Text lines of `items` (top first), each sorted left to right.
fn lines(all: &[Item], items: &[usize]) -> Vec<Vec<usize>> {
    let mut sorted = items.to_vec();
    sorted.sort_by(|&a, &b| all[b].base.total_cmp(&all[a].base));
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut base = f32::NAN;
    for i in sorted {
        let g = &all[i];
        if out.is_empty() || (base - g.base).abs() >= 0.5 * g.size {
            out.push(Vec::new());
            base = g.base;
        }
        if let Some(l) = out.last_mut() {
            l.push(i);
        }
    }
    for l in &mut out {
        l.sort_by(|&a, &b| all[a].x0.total_cmp(&all[b].x0));
    }
    out
}

/// The gaps between `lo` and `hi` that no item covers.
fn gaps(all: &[Item], items: &[usize], lo: f32, hi: f32) -> Vec<(f32, f32)> {
    uncovered(
        items.iter().map(|&i| (all[i].x0, all[i].x1)).collect(),
        lo,
        hi,
    )
}

/// Interior gutters (at least `min` wide, strictly inside `lo..hi`).
fn interior(g: &[(f32, f32)], lo: f32, hi: f32, min: f32) -> Vec<(f32, f32)> {
    g.iter()
        .copied()
        .filter(|&(a, b)| b - a >= min && a > lo && b < hi)
        .collect()
}

fn columns_of(gutters: &[(f32, f32)], lo: f32, hi: f32) -> Vec<f32> {
    let mut c = vec![lo];
    c.extend(gutters.iter().map(|&(a, b)| (a + b) / 2.0));
    c.push(hi);
    c
}

fn column_of(columns: &[f32], x: f32) -> usize {
    (1..columns.len() - 1)
        .take_while(|&c| x >= columns[c])
        .count()
}

fn extent(all: &[Item], items: &[usize]) -> (f32, f32) {
    items.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &i| {
        (lo.min(all[i].x0), hi.max(all[i].x1))
    })
}

/// A banded table, with one more band of the usual height above and
/// below when its text keeps to the same columns (alternate shading
/// leaves the first or last row unshaded).
fn banded(all: &[Item], free: &[usize], ys: &[f32], lo: f32, hi: f32, m: f32) -> Option<Found> {
    let t = banded_in(all, free, ys, lo, hi, m)?;
    let mut heights: Vec<f32> = ys.windows(2).map(|w| w[0] - w[1]).collect();
    heights.sort_by(f32::total_cmp);
    let h = heights[heights.len() / 2];
    let mut grown = Vec::with_capacity(ys.len() + 2);
    grown.push(ys[0] + h);
    grown.extend_from_slice(ys);
    grown.push(ys[ys.len() - 1] - h);
    match banded_in(all, free, &grown, lo, hi, m) {
        Some(g) if g.columns.len() == t.columns.len() => Some(g),
        _ => Some(t),
    }
}

fn banded_in(all: &[Item], free: &[usize], ys: &[f32], lo: f32, hi: f32, m: f32) -> Option<Found> {
    let bbox = [lo, ys[ys.len() - 1], hi, ys[0]];
    let region: Vec<usize> = free
        .iter()
        .copied()
        .filter(|&i| inside(&all[i], bbox))
        .collect();
    if region.len() < 4 {
        return None;
    }
    let (tlo, thi) = extent(all, &region);
    let mut common = vec![(tlo, thi)];
    for l in lines(all, &region) {
        common = intersect(&common, &gaps(all, &l, tlo, thi));
    }
    let gutters = interior(&common, tlo, thi, GUTTER * m);
    if gutters.is_empty() {
        return None;
    }
    let columns = columns_of(&gutters, lo, hi);
    let mut rows = vec![vec![Vec::new(); columns.len() - 1]; ys.len() - 1];
    for i in region {
        let cy = all[i].cy();
        if let Some(r) = (0..ys.len() - 1).find(|&r| cy <= ys[r] && cy > ys[r + 1]) {
            rows[r][column_of(&columns, all[i].cx())].push(i);
        }
    }
    let mut t = finish(Kind::Banded, columns, rows)?;
    t.bbox = bbox;
    Some(t)
}

/// How many columns of a run of lines read as running text: wide, and
/// most of their lines filling the column (a page body in columns, not a
/// table).
fn text_columns(all: &[Item], run: &[Vec<usize>], columns: &[f32], m: f32) -> usize {
    (0..columns.len() - 1)
        .filter(|&c| {
            let parts: Vec<(f32, f32)> = run
                .iter()
                .filter_map(|l| {
                    let mine: Vec<usize> = l
                        .iter()
                        .copied()
                        .filter(|&k| column_of(columns, all[k].cx()) == c)
                        .collect();
                    (!mine.is_empty()).then(|| extent(all, &mine))
                })
                .collect();
            let lo = parts.iter().map(|p| p.0).fold(f32::MAX, f32::min);
            let hi = parts.iter().map(|p| p.1).fold(f32::MIN, f32::max);
            let full = parts
                .iter()
                .filter(|p| p.1 - p.0 >= 0.6 * (hi - lo))
                .count();
            parts.len() >= 3 && hi - lo >= 15.0 * m && full * 3 >= parts.len() * 2
        })
        .count()
}

/// Rows of a stream table: each line a row, a line with nothing in the
/// first column continuing the row above.
fn stream_rows(all: &[Item], run: &[Vec<usize>], columns: &[f32]) -> Vec<Vec<Vec<usize>>> {
    let mut rows: Vec<Vec<Vec<usize>>> = Vec::new();
    for l in run {
        let mut row = vec![Vec::new(); columns.len() - 1];
        for &k in l {
            row[column_of(columns, all[k].cx())].push(k);
        }
        match rows.last_mut() {
            Some(prev) if row[0].is_empty() => {
                for (p, c) in prev.iter_mut().zip(row) {
                    p.extend(c);
                }
            }
            _ => rows.push(row),
        }
    }
    rows
}

fn bbox_of(all: &[Item], items: &[usize]) -> [f32; 4] {
    let (lo, hi) = extent(all, items);
    [
        lo,
        items
            .iter()
            .map(|&k| all[k].bottom())
            .fold(f32::MAX, f32::min),
        hi,
        items.iter().map(|&k| all[k].top()).fold(f32::MIN, f32::max),
    ]
}

/// A line of one column, as the split of a stream table sees it.
#[derive(Debug, Clone, Copy)]
struct ColumnLine {
    /// Baseline and font size of the line's largest item (so a raised
    /// footnote mark does not count).
    base: f32,
    size: f32,
    /// In capitals, with more space above it than the column's usual
    /// line spacing: a heading (a drug class, a letter of an index).
    heading: bool,
}

/// The lines of a column's items, top first.
fn column_lines(all: &[Item], items: &[usize]) -> Vec<ColumnLine> {
    let ls = lines(all, items);
    let top: Vec<(f32, f32)> = ls
        .iter()
        .filter_map(|l| {
            l.iter()
                .map(|&k| (all[k].base, all[k].size))
                .max_by(|a, b| a.1.total_cmp(&b.1))
        })
        .collect();
    let mut pitches: Vec<f32> = top.windows(2).map(|w| w[0].0 - w[1].0).collect();
    pitches.sort_by(f32::total_cmp);
    let pitch = pitches.get(pitches.len() / 2).copied().unwrap_or(0.0);
    (0..ls.len())
        .map(|k| {
            let gap = if k == 0 {
                None
            } else {
                Some(top[k - 1].0 - top[k].0)
            };
            ColumnLine {
                base: top[k].0,
                size: top[k].1,
                heading: gap.is_some_and(|g| g > 1.3 * pitch) && ls[k].iter().all(|&i| all[i].caps),
            }
        })
        .collect()
}

/// Whether two neighbouring columns keep their own line spacing. A
/// table's cells share their row's baseline (or keep one offset from it,
/// for a column set in another size, or sit half a line off, for a cell
/// centred beside a taller one); columns that are lists of their own
/// drift apart (a heading with space around it in one column shifts every
/// later line of that column only), so the offset between the lines of
/// one and the nearest lines of the other changes down the page by less
/// than half a line.
fn drifting(a: &[ColumnLine], b: &[ColumnLine]) -> bool {
    let mut offsets: Vec<f32> = Vec::new();
    let mut tol = f32::MAX;
    for (xs, ys, sign) in [(a, b, 1.0), (b, a, -1.0)] {
        for &ColumnLine { base: y, size, .. } in xs {
            let near = ys
                .iter()
                .map(|z| y - z.base)
                .min_by(|p, q| p.abs().total_cmp(&q.abs()));
            if let Some(d) = near.filter(|d| d.abs() < 0.45 * size) {
                offsets.push(sign * d);
                tol = tol.min(0.05 * size);
            }
        }
    }
    offsets.sort_by(f32::total_cmp);
    // The most common offset, and how many lines keep to it.
    let on = (0..offsets.len())
        .map(|k| {
            offsets[k..]
                .iter()
                .take_while(|&&d| d - offsets[k] <= tol)
                .count()
        })
        .max()
        .unwrap_or(0);
    let off = offsets.len() - on;
    off >= 6 && off * 4 >= offsets.len()
}

/// Splits a stream table's columns where neighbours drift apart: runs of
/// columns that keep to each other's lines, as column ranges.
fn aligned_groups(all: &[Item], run: &[Vec<usize>], columns: &[f32]) -> Vec<(usize, usize)> {
    let n = columns.len() - 1;
    let mut per: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &k in run.iter().flatten() {
        per[column_of(columns, all[k].cx())].push(k);
    }
    let lines: Vec<Vec<ColumnLine>> = per.iter().map(|c| column_lines(all, c)).collect();
    let mut groups = Vec::new();
    let mut start = 0;
    for c in 1..n {
        let (a, b) = (&lines[c - 1], &lines[c]);
        if drifting(a, b) {
            groups.push((start, c));
            start = c;
        }
    }
    groups.push((start, n));
    groups
}

/// Runs of lines that share at least two gutters: tables, or columns
/// that are lists of their own (then each run of columns that keep to
/// each other's lines is a table of its own if it can be, and a single
/// column is a list).
fn stream(all: &[Item], free: &[usize], m: f32) -> (Vec<Found>, Vec<ColumnList>) {
    let ls = lines(all, free);
    let mut out = Vec::new();
    let mut lists = Vec::new();
    let mut i = 0;
    while i < ls.len() {
        let (mut lo, mut hi) = extent(all, &ls[i]);
        let mut common = gaps(all, &ls[i], lo, hi);
        if interior(&common, lo, hi, GUTTER * m).len() < 2 {
            i += 1;
            continue;
        }
        let bottom = |l: &[usize]| l.iter().map(|&k| all[k].bottom()).fold(f32::MAX, f32::min);
        let top = |l: &[usize]| l.iter().map(|&k| all[k].top()).fold(f32::MIN, f32::max);
        let mut j = i + 1;
        while j < ls.len() {
            if bottom(&ls[j - 1]) - top(&ls[j]) > 1.5 * m {
                break;
            }
            let (l2, h2) = extent(all, &ls[j]);
            let (nlo, nhi) = (lo.min(l2), hi.max(h2));
            let widened: Vec<(f32, f32)> = {
                let mut c = common.clone();
                if nlo < lo {
                    c.insert(0, (nlo, lo));
                }
                if nhi > hi {
                    c.push((hi, nhi));
                }
                c
            };
            let next = intersect(&widened, &gaps(all, &ls[j], nlo, nhi));
            if interior(&next, nlo, nhi, GUTTER * m).len() < 2 {
                break;
            }
            common = next;
            lo = nlo;
            hi = nhi;
            j += 1;
        }
        let run = &ls[i..j];
        let gutters = interior(&common, lo, hi, GUTTER * m);
        let columns = columns_of(&gutters, lo, hi);
        let rows = stream_rows(all, run, &columns);
        let enough = run.len() >= 3 && rows.len() >= 3 && text_columns(all, run, &columns, m) == 0;
        let Some(mut t) =
            finish(Kind::Stream, columns.clone(), rows).filter(|t| enough && t.columns.len() >= 4)
        else {
            i += 1;
            continue;
        };
        i = j;
        let groups = aligned_groups(all, run, &columns);
        if groups.len() == 1 {
            let items: Vec<usize> = run.iter().flatten().copied().collect();
            t.bbox = bbox_of(all, &items);
            out.push(t);
            continue;
        }
        let column = |c: usize| -> Vec<usize> {
            run.iter()
                .flatten()
                .copied()
                .filter(|&k| column_of(&columns, all[k].cx()) == c)
                .collect()
        };
        // Each run of columns that keep together is a table if it can be;
        // the other columns are lists, if the columns have headings of
        // their own (a table whose cells hold paragraphs drifts too, but
        // has no such headings).
        let parts: Vec<(usize, usize, Option<Found>)> = groups
            .iter()
            .map(|&(a, b)| {
                let items: Vec<usize> = (a..b).flat_map(column).collect();
                let part = columns[a..=b].to_vec();
                let table = (b - a >= 2)
                    .then(|| {
                        finish(
                            Kind::Stream,
                            part.clone(),
                            stream_rows(all, &lines(all, &items), &part),
                        )
                    })
                    .flatten()
                    .map(|mut t| {
                        t.bbox = bbox_of(all, &items);
                        t
                    });
                (a, b, table)
            })
            .collect();
        let headed = || {
            (0..columns.len() - 1)
                .map(|c| {
                    column_lines(all, &column(c))
                        .iter()
                        .filter(|l| l.heading)
                        .count()
                })
                .sum::<usize>()
                >= 2
        };
        if parts.iter().any(|p| p.2.is_none()) && !headed() {
            let items: Vec<usize> = run.iter().flatten().copied().collect();
            t.bbox = bbox_of(all, &items);
            out.push(t);
            continue;
        }
        let mut list = Vec::new();
        for (a, b, table) in parts {
            match table {
                Some(t) => {
                    out.push(t);
                    push_list(all, &mut list, &mut lists);
                }
                None => list.extend((a..b).map(column)),
            }
        }
        push_list(all, &mut list, &mut lists);
    }
    (out, lists)
}

/// Ends a run of list columns side by side.
fn push_list(all: &[Item], list: &mut Vec<Vec<usize>>, lists: &mut Vec<ColumnList>) {
    list.retain(|c| !c.is_empty());
    if list.is_empty() {
        return;
    }
    let items: Vec<usize> = list.iter().flatten().copied().collect();
    lists.push(ColumnList {
        bbox: bbox_of(all, &items),
        columns: std::mem::take(list),
    });
}

/// A table with its cells' text.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// 1-based page number.
    pub page: usize,
    /// How it was found.
    pub kind: Kind,
    /// Column boundaries (device x), left to right.
    pub columns: Vec<f32>,
    /// Rows top to bottom, one string per column (empty where the row has
    /// nothing in that column).
    pub rows: Vec<Vec<String>>,
    /// The first row names the columns.
    pub header: bool,
    /// The table goes on from the last table of the previous page (same
    /// columns); its header, if any, is that table's.
    pub continues: bool,
}

/// Whether a first row reads as column names: every cell filled, short,
/// and no amounts in it.
fn looks_like_header(row: &[String]) -> bool {
    row.len() >= 2
        && row
            .iter()
            .all(|c| !c.is_empty() && c.chars().count() <= 60 && !c.contains(['$', '%']))
}

/// Marks header rows and tables continued from one page to the next.
/// `tables` are in page order, top first within a page.
pub fn link(tables: &mut [Table]) {
    for k in 0..tables.len() {
        tables[k].header = tables[k].rows.len() >= 3 && looks_like_header(&tables[k].rows[0]);
        if k == 0 {
            continue;
        }
        let (a, b) = (&tables[k - 1], &tables[k]);
        let first_on_page = b.page == a.page + 1;
        let same_columns = a.columns.len() == b.columns.len()
            && a.columns
                .iter()
                .zip(&b.columns)
                .all(|(x, y)| (x - y).abs() <= 3.0 * SNAP);
        if first_on_page && same_columns {
            let repeated = a.header && a.rows.first() == b.rows.first();
            tables[k].continues = true;
            tables[k].header = repeated;
        }
    }
}
