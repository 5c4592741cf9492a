//! The content-stream interpreter: text operators, the graphics-state
//! stack and form XObjects, feeding positioned glyphs to the layout.
//!
//! Owns: BT/ET, Tf, Td/TD/Tm/T*, Tj/TJ/'/", Tc/Tw/Tz/TL/Ts, cm, q/Q and Do
//! (form XObjects, with a depth limit, a recursion check and a per-document
//! cache of decoded forms; image XObjects are only recorded, with the
//! matrix they are drawn with, for OCR), and the per-page and per-document
//! operator limits. Every limit hit is a warning; nothing here panics on bad input
//! (numbers are finite-checked, stacks are bounded, operands are optional).
//!
//! Must not: decode fonts (that is `font`) or decide reading order (that
//! is `layout`).

use std::collections::HashMap;
use std::rc::Rc;

use lopdf::{Dictionary, Object, ObjectId};

use super::font::{Font, FontCache};
use super::layout::{PageBuilder, direction};
use super::lexer::{Lexer, OpBuf, Operand};
use super::limits::{Budget, Warnings};
use super::objects::Doc;

/// A 2-D affine matrix `[a b c d e f]` (PDF row-vector convention).
pub type Matrix = [f64; 6];

/// The identity matrix.
pub const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `m1 × m2`.
#[inline]
pub fn mul(m1: &Matrix, m2: &Matrix) -> Matrix {
    [
        m1[0] * m2[0] + m1[1] * m2[2],
        m1[0] * m2[1] + m1[1] * m2[3],
        m1[2] * m2[0] + m1[3] * m2[2],
        m1[2] * m2[1] + m1[3] * m2[3],
        m1[4] * m2[0] + m1[5] * m2[2] + m2[4],
        m1[4] * m2[1] + m1[5] * m2[3] + m2[5],
    ]
}

/// Text and graphics state saved by `q`.
#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    size: f64,
    char_space: f64,
    word_space: f64,
    hscale: f64,
    leading: f64,
    rise: f64,
    /// The fill colour is white (or near it): fills draw nothing visible.
    fill_white: bool,
}

impl GState {
    fn new(ctm: Matrix) -> Self {
        GState {
            ctm,
            font: None,
            size: 0.0,
            char_space: 0.0,
            word_space: 0.0,
            hscale: 1.0,
            leading: 0.0,
            rise: 0.0,
            fill_white: false,
        }
    }
}

/// Per-page counters the extractor reads after interpretation.
#[derive(Debug, Default, Clone, Copy)]
pub struct PageStats {
    /// Glyphs shown by text operators.
    pub glyphs: usize,
    /// Of those, glyphs whose font gave no Unicode text.
    pub unmapped: usize,
    /// Operators executed on this page.
    pub ops: u64,
    /// Image XObjects drawn (`Do` on an image, in forms too).
    pub images: usize,
    /// Inline images drawn (`BI` ... `EI`).
    pub inline_images: usize,
    /// The largest inline image by its declared size: (width, height,
    /// bytes of decoded samples).
    pub largest_inline: Option<(u64, u64, u128)>,
}

/// An image XObject drawn on a page: the object and the matrix that maps
/// the unit square onto the page (default user space).
#[derive(Debug, Clone, Copy)]
pub struct ImageUse<'a> {
    /// The image object (image XObjects are streams, always indirect).
    pub id: ObjectId,
    /// The image stream.
    pub stream: &'a lopdf::Stream,
    /// The resources in effect, for a named `/ColorSpace`.
    pub resources: Option<&'a Dictionary>,
    /// The current transformation matrix at the `Do`.
    pub ctm: Matrix,
}

/// Image uses recorded per page at most (more are counted, not kept).
const MAX_IMAGE_USES: usize = 1_000;

/// State shared by all pages of one document.
pub struct DocState {
    /// Fonts, parsed once.
    pub fonts: FontCache,
    /// Inflate and operator budget.
    pub budget: Budget,
    /// Warnings.
    pub warnings: Warnings,
    forms: HashMap<ObjectId, Rc<[u8]>>,
    forms_bytes: usize,
}

impl DocState {
    /// Empty state keeping at most `max_warnings` warnings.
    pub fn new(max_warnings: usize) -> Self {
        DocState {
            fonts: FontCache::default(),
            budget: Budget::default(),
            warnings: Warnings::new(max_warnings),
            forms: HashMap::new(),
            forms_bytes: 0,
        }
    }
}

/// Decoded forms are cached up to this many bytes per document.
const FORM_CACHE_BYTES: usize = 64 << 20;

/// Interprets the content of one page.
pub struct Interp<'a, 'b> {
    d: &'b Doc<'a>,
    st: &'b mut DocState,
    out: &'b mut PageBuilder,
    page_no: usize,
    /// Counters for this page.
    pub stats: PageStats,
    /// The image XObjects drawn, in drawing order (at most
    /// `MAX_IMAGE_USES`).
    pub images: Vec<ImageUse<'a>>,
    form_stack: Vec<ObjectId>,
    stopped: bool,
}

fn num(buf: &OpBuf, from_end: usize) -> f64 {
    let ops = &buf.operands;
    if from_end == 0 || from_end > ops.len() {
        return 0.0;
    }
    match ops[ops.len() - from_end] {
        Operand::Num(n) => n,
        _ => 0.0,
    }
}

fn nums<const N: usize>(buf: &OpBuf) -> Option<[f64; N]> {
    if buf.operands.len() < N {
        return None;
    }
    let mut out = [0.0; N];
    for (k, v) in out.iter_mut().enumerate() {
        match buf.operands[buf.operands.len() - N + k] {
            Operand::Num(n) => *v = n,
            _ => return None,
        }
    }
    Some(out)
}

fn last_name(buf: &OpBuf) -> Option<&[u8]> {
    buf.operands.iter().rev().find_map(|o| match *o {
        Operand::Name(s, e) => Some(buf.bytes(s, e)),
        _ => None,
    })
}

fn last_str(buf: &OpBuf) -> Option<&[u8]> {
    match buf.operands.last()? {
        Operand::Str(s, e) => Some(buf.bytes(*s, *e)),
        _ => None,
    }
}

impl<'a, 'b> Interp<'a, 'b> {
    /// An interpreter for page `page_no` (1-based, for warnings).
    pub fn new(
        d: &'b Doc<'a>,
        st: &'b mut DocState,
        out: &'b mut PageBuilder,
        page_no: usize,
    ) -> Self {
        Interp {
            d,
            st,
            out,
            page_no,
            stats: PageStats::default(),
            images: Vec::new(),
            form_stack: Vec::new(),
            stopped: false,
        }
    }

    /// Runs a page's content with its resources.
    pub fn run_page(&mut self, data: &[u8], resources: Option<&'a Dictionary>) {
        self.run(data, resources, GState::new(IDENTITY), 0);
    }

    fn warn(&mut self, kind: &'static str, msg: impl FnOnce() -> String) {
        let page = self.page_no;
        self.st
            .warnings
            .once(kind, || format!("page {page}: {}", msg()));
    }

    fn run(&mut self, data: &[u8], resources: Option<&'a Dictionary>, gs: GState, depth: usize) {
        let limits = self.d.limits;
        let mut lexer = Lexer::new(data);
        let mut buf = OpBuf::default();
        let mut gs = gs;
        let mut stack: Vec<GState> = Vec::new();
        let mut q_overflow: usize = 0;
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        let mut font_names: HashMap<Vec<u8>, Rc<Font>> = HashMap::new();
        let mut path = Path::default();
        while !self.stopped {
            let Some(op) = lexer.next_op(&mut buf, limits.max_operands) else {
                break;
            };
            self.stats.ops += 1;
            self.st.budget.ops += 1;
            if self.stats.ops > limits.max_ops_per_page
                || self.st.budget.ops > limits.max_ops_per_doc
            {
                let (p, dd) = (limits.max_ops_per_page, limits.max_ops_per_doc);
                self.warn("op-limit", || {
                    format!("more than {p} operators on a page or {dd} in the document; rest of page skipped")
                });
                self.stopped = true;
                break;
            }
            if buf.overflowed {
                let m = limits.max_operands;
                self.warn("operand-limit", || {
                    format!("more than {m} operands before one operator; extras dropped")
                });
            }
            match op {
                b"Tj" => {
                    if let Some(s) = last_str(&buf) {
                        self.show(s, &gs, &mut tm);
                    }
                }
                b"TJ" => self.show_array(&buf, &gs, &mut tm),
                b"'" | b"\"" => {
                    if op == b"\"" {
                        let mut ns = buf.operands.iter().filter_map(|o| match o {
                            Operand::Num(n) => Some(*n),
                            _ => None,
                        });
                        if let (Some(aw), Some(ac)) = (ns.next(), ns.next()) {
                            gs.word_space = aw;
                            gs.char_space = ac;
                        }
                    }
                    translate(&mut tlm, 0.0, -gs.leading);
                    tm = tlm;
                    if let Some(s) = last_str(&buf) {
                        self.show(s, &gs, &mut tm);
                    }
                }
                b"Td" | b"TD" => {
                    if let Some([tx, ty]) = nums::<2>(&buf) {
                        if op == b"TD" {
                            gs.leading = -ty;
                        }
                        translate(&mut tlm, tx, ty);
                        tm = tlm;
                    }
                }
                b"Tm" => {
                    if let Some(m) = nums::<6>(&buf) {
                        tlm = m;
                        tm = m;
                    }
                }
                b"T*" => {
                    translate(&mut tlm, 0.0, -gs.leading);
                    tm = tlm;
                }
                b"BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                b"ET" => self.out.close(),
                b"m" | b"l" | b"c" | b"v" | b"y" | b"h" | b"re" => {
                    path.build(op, &buf, &gs.ctm);
                }
                b"S" | b"s" | b"f" | b"F" | b"f*" | b"B" | b"B*" | b"b" | b"b*" | b"n" => {
                    if op == b"s" || op == b"b" || op == b"b*" {
                        path.build(b"h", &buf, &gs.ctm);
                    }
                    let stroke = matches!(op, b"S" | b"s" | b"B" | b"B*" | b"b" | b"b*");
                    let fill = !matches!(op, b"S" | b"s" | b"n");
                    path.paint(&mut self.out.shapes, stroke, fill && !gs.fill_white);
                }
                b"g" | b"rg" | b"k" | b"sc" | b"scn" => {
                    let n: Vec<f64> = buf
                        .operands
                        .iter()
                        .filter_map(|o| match o {
                            Operand::Num(n) => Some(*n),
                            _ => None,
                        })
                        .collect();
                    gs.fill_white = match (op, n.len()) {
                        (b"k", _) | (_, 4) => n.iter().all(|&c| c <= 0.03),
                        (_, 1 | 3) => n.iter().all(|&c| c >= 0.97),
                        _ => false,
                    };
                }
                b"cs" => gs.fill_white = false,
                b"Tf" => {
                    gs.size = num(&buf, 1);
                    if let Some(name) = last_name(&buf) {
                        gs.font = Some(self.font(resources, name, &mut font_names));
                    }
                }
                b"Tc" => gs.char_space = num(&buf, 1),
                b"Tw" => gs.word_space = num(&buf, 1),
                b"Tz" => gs.hscale = num(&buf, 1) / 100.0,
                b"TL" => gs.leading = num(&buf, 1),
                b"Ts" => gs.rise = num(&buf, 1),
                b"cm" => {
                    if let Some(m) = nums::<6>(&buf) {
                        gs.ctm = mul(&m, &gs.ctm);
                    }
                }
                b"q" => {
                    if stack.len() < limits.max_q_depth {
                        stack.push(gs.clone());
                    } else {
                        q_overflow += 1;
                        let m = limits.max_q_depth;
                        self.warn("q-limit", || {
                            format!("graphics state nested deeper than {m}; extra q ignored")
                        });
                    }
                }
                b"Q" => {
                    if q_overflow > 0 {
                        q_overflow -= 1;
                    } else if let Some(g) = stack.pop() {
                        gs = g;
                    }
                }
                b"Do" => {
                    if let Some(name) = last_name(&buf) {
                        let name = name.to_vec();
                        self.do_xobject(resources, &name, &gs, depth);
                    }
                }
                b"BI" => {
                    self.stats.inline_images += 1;
                    let dict = data.get(lexer.inline_dict.clone()).unwrap_or_default();
                    let size = inline_image_size(dict);
                    if self
                        .stats
                        .largest_inline
                        .is_none_or(|(w, h, b)| (size.0 * size.1, size.2) > (w * h, b))
                    {
                        self.stats.largest_inline = Some(size);
                    }
                }
                _ => {}
            }
        }
        self.out.close();
    }

    fn font(
        &mut self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
        names: &mut HashMap<Vec<u8>, Rc<Font>>,
    ) -> Rc<Font> {
        if let Some(f) = names.get(name) {
            return f.clone();
        }
        let entry = resources
            .and_then(|r| self.d.dict(r, b"Font"))
            .and_then(|fonts| fonts.get(name).ok());
        let font = match entry {
            Some(e) => {
                let st = &mut *self.st;
                st.fonts.get(self.d, e, &mut st.budget, &mut st.warnings)
            }
            None => {
                let n = String::from_utf8_lossy(name).into_owned();
                self.warn("font-missing", || {
                    format!("font /{n} is not in the resources; using a stand-in")
                });
                self.st.fonts.fallback()
            }
        };
        names.insert(name.to_vec(), font.clone());
        font
    }

    fn show_array(&mut self, buf: &OpBuf, gs: &GState, tm: &mut Matrix) {
        for o in &buf.operands {
            match *o {
                Operand::Str(s, e) => self.show(buf.bytes(s, e), gs, tm),
                Operand::Num(n) => {
                    let tx = -n / 1000.0 * gs.size * gs.hscale;
                    if tx.is_finite() {
                        translate(tm, tx, 0.0);
                    }
                }
                _ => {}
            }
        }
    }

    fn show(&mut self, bytes: &[u8], gs: &GState, tm: &mut Matrix) {
        if bytes.is_empty() {
            return;
        }
        let font = match &gs.font {
            Some(f) => f.clone(),
            None => self.st.fonts.fallback(),
        };
        let m = mul(tm, &gs.ctm);
        let size = gs.size;
        let th = gs.hscale;
        let rise = gs.rise;
        let (tc, tw) = (gs.char_space, gs.word_space);
        let dev_size = (size * font.size_scale).abs() * (m[2] * m[2] + m[3] * m[3]).sqrt();
        // Glyphs advance along the text x axis scaled by size × Tz; a
        // negative size or scaling (both appear together in mirrored
        // text) turns the direction around.
        let sign = (size * th).signum();
        let dir = direction(m[0] * sign, m[1] * sign);
        let ry_x = rise * m[2] + m[4];
        let ry_y = rise * m[3] + m[5];
        let mut x = 0.0f64;
        let out = &mut *self.out;
        let mut glyphs = 0usize;
        let unmapped = font.each_glyph(bytes, |text, w, is_space| {
            glyphs += 1;
            let adv = (w * size + tc + if is_space { tw } else { 0.0 }) * th;
            let ox = x * m[0] + ry_x;
            let oy = x * m[1] + ry_y;
            let x2 = x + adv;
            out.glyph(
                text,
                ox,
                oy,
                x2 * m[0] + ry_x,
                x2 * m[1] + ry_y,
                dev_size,
                dir,
            );
            x = x2;
        });
        self.stats.glyphs += glyphs;
        self.stats.unmapped += unmapped;
        if x.is_finite() {
            translate(tm, x, 0.0);
        }
    }

    fn do_xobject(
        &mut self,
        resources: Option<&'a Dictionary>,
        name: &[u8],
        gs: &GState,
        depth: usize,
    ) {
        let d = self.d;
        let Some(entry) = resources
            .and_then(|r| d.dict(r, b"XObject"))
            .and_then(|x| x.get(name).ok())
        else {
            return;
        };
        let id = match entry {
            Object::Reference(id) => Some(*id),
            _ => None,
        };
        let Some(Object::Stream(stream)) = d.resolve(entry) else {
            return;
        };
        match d.name(&stream.dict, b"Subtype") {
            Some(b"Form") => {}
            Some(b"Image") => {
                self.stats.images += 1;
                if let Some(id) = id
                    && self.images.len() < MAX_IMAGE_USES
                {
                    self.images.push(ImageUse {
                        id,
                        stream,
                        resources,
                        ctm: gs.ctm,
                    });
                }
                return;
            }
            _ => return,
        }
        let matrix = self.form_matrix(stream);
        let mut inner = gs.clone();
        inner.ctm = mul(&matrix, &gs.ctm);
        self.run_form(stream, id, resources, inner, depth);
    }

    fn form_matrix(&self, stream: &'a lopdf::Stream) -> Matrix {
        let d = self.d;
        d.array(&stream.dict, b"Matrix")
            .map(|a| d.nums(a))
            .filter(|v| v.len() == 6 && v.iter().all(|x| x.is_some_and(f64::is_finite)))
            .map(|v| {
                let mut m = IDENTITY;
                for (k, x) in v.into_iter().enumerate() {
                    m[k] = x.unwrap_or(0.0);
                }
                m
            })
            .unwrap_or(IDENTITY)
    }

    /// Runs a form (XObject or annotation appearance) whose full matrix
    /// is already in `gs.ctm`.
    fn run_form(
        &mut self,
        stream: &'a lopdf::Stream,
        id: Option<ObjectId>,
        resources: Option<&'a Dictionary>,
        gs: GState,
        depth: usize,
    ) {
        let d = self.d;
        if depth + 1 > d.limits.max_form_depth {
            let m = d.limits.max_form_depth;
            self.warn("form-depth", || {
                format!("form XObjects nested deeper than {m}; inner forms skipped")
            });
            return;
        }
        if let Some(id) = id
            && self.form_stack.contains(&id)
        {
            self.warn("form-recursion", || {
                format!(
                    "form XObject {} {} R draws itself; recursion cut",
                    id.0, id.1
                )
            });
            return;
        }
        let cached = id.and_then(|id| self.st.forms.get(&id).cloned());
        let data: Rc<[u8]> = match cached {
            Some(data) => data,
            None => {
                let st = &mut *self.st;
                let Some(decoded) =
                    d.decode(stream, "form XObject", &mut st.budget, &mut st.warnings)
                else {
                    return;
                };
                let data: Rc<[u8]> = Rc::from(decoded.as_ref());
                if let Some(id) = id
                    && st.forms_bytes + data.len() <= FORM_CACHE_BYTES
                {
                    st.forms_bytes += data.len();
                    st.forms.insert(id, data.clone());
                }
                data
            }
        };
        let form_res = d.dict(&stream.dict, b"Resources").or(resources);
        if let Some(id) = id {
            self.form_stack.push(id);
        }
        self.out.close();
        self.run(&data, form_res, gs, depth + 1);
        if id.is_some() {
            self.form_stack.pop();
        }
    }

    /// Draws the normal appearance of each visible annotation (form field
    /// values, free text, stamps), as viewers and pdftotext do.
    pub fn run_annotations(&mut self, annots: &'a [Object], resources: Option<&'a Dictionary>) {
        const MAX_ANNOTS: usize = 2_000;
        let d = self.d;
        for a in annots.iter().take(MAX_ANNOTS) {
            if self.stopped {
                return;
            }
            let Some(Object::Dictionary(ad)) = d.resolve(a) else {
                continue;
            };
            let flags = d.num_key(ad, b"F").unwrap_or(0.0) as i64;
            if flags & (2 | 32) != 0 || d.name(ad, b"Subtype") == Some(b"Popup") {
                continue;
            }
            let Some(ap) = d.dict(ad, b"AP") else {
                continue;
            };
            let Ok(mut entry) = ap.get(b"N") else {
                continue;
            };
            if let Some(Object::Dictionary(states)) = d.resolve(entry) {
                match d.name(ad, b"AS").and_then(|s| states.get(s).ok()) {
                    Some(e) => entry = e,
                    None => continue,
                }
            }
            let id = match entry {
                Object::Reference(id) => Some(*id),
                _ => None,
            };
            let Some(Object::Stream(stream)) = d.resolve(entry) else {
                continue;
            };
            let (Some(rect), Some(bbox)) = (
                ad.get(b"Rect").ok().and_then(|o| d.rect(o)),
                stream.dict.get(b"BBox").ok().and_then(|o| d.rect(o)),
            ) else {
                continue;
            };
            let m = self.form_matrix(stream);
            let corners = [
                (bbox[0], bbox[1]),
                (bbox[2], bbox[1]),
                (bbox[0], bbox[3]),
                (bbox[2], bbox[3]),
            ]
            .map(|(x, y)| (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]));
            let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
            for (x, y) in corners {
                x0 = x0.min(x);
                y0 = y0.min(y);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
            if !(x1 - x0 > 1e-6 && y1 - y0 > 1e-6) {
                continue;
            }
            let sx = (rect[2] - rect[0]) / (x1 - x0);
            let sy = (rect[3] - rect[1]) / (y1 - y0);
            let fit = [sx, 0.0, 0.0, sy, rect[0] - x0 * sx, rect[1] - y0 * sy];
            let mut gs = GState::new(mul(&m, &fit));
            gs.font = None;
            self.run_form(stream, id, resources, gs, 0);
        }
    }
}

/// `m = translate(tx, ty) × m`.
#[inline]
fn translate(m: &mut Matrix, tx: f64, ty: f64) {
    m[4] += tx * m[0] + ty * m[2];
    m[5] += tx * m[1] + ty * m[3];
}

/// The declared size of an inline image from its dictionary (the bytes
/// between `BI` and `ID`): width, height and bytes of decoded samples.
/// Missing or odd values count as 1 (a size too small to matter).
pub(crate) fn inline_image_size(dict: &[u8]) -> (u64, u64, u128) {
    // Names and numbers in order; anything else separates them.
    enum Word<'d> {
        Name(&'d [u8]),
        Num(f64),
    }
    let regular = |c: u8| !c.is_ascii_whitespace() && !b"()<>[]{}/%".contains(&c) && c != 0;
    let mut words = Vec::new();
    let mut i = 0;
    while i < dict.len() {
        let start = i + usize::from(dict[i] == b'/');
        let mut end = start;
        while end < dict.len() && regular(dict[end]) {
            end += 1;
        }
        if dict[i] == b'/' {
            words.push(Word::Name(&dict[start..end]));
        } else if end > start {
            let n = std::str::from_utf8(&dict[start..end])
                .ok()
                .and_then(|t| t.parse::<f64>().ok());
            if let Some(n) = n {
                words.push(Word::Num(n));
            }
        }
        i = end.max(i + 1);
    }
    let value = |keys: &[&[u8]]| {
        words.windows(2).find_map(|w| match &w[0] {
            Word::Name(k) if keys.contains(k) => Some(&w[1]),
            _ => None,
        })
    };
    let num = |keys: &[&[u8]]| match value(keys) {
        Some(Word::Num(v)) if v.is_finite() && *v >= 1.0 => Some(v.min(1e15) as u64),
        Some(_) => Some(1),
        None => None,
    };
    let name = |keys: &[&[u8]]| match value(keys) {
        Some(Word::Name(v)) => Some(*v),
        _ => None,
    };
    let width = num(&[b"W", b"Width"]).unwrap_or(1);
    let height = num(&[b"H", b"Height"]).unwrap_or(1);
    let bits = num(&[b"BPC", b"BitsPerComponent"]).unwrap_or(8).min(16);
    let comps: u64 = match name(&[b"CS", b"ColorSpace"]) {
        Some(b"RGB" | b"DeviceRGB" | b"CalRGB" | b"Lab") => 3,
        Some(b"CMYK" | b"DeviceCMYK") => 4,
        _ => 1,
    };
    let bytes =
        (u128::from(width) * u128::from(comps) * u128::from(bits)).div_ceil(8) * u128::from(height);
    (width, height, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_product() {
        let t = [1.0, 0.0, 0.0, 1.0, 10.0, 20.0];
        let s = [2.0, 0.0, 0.0, 2.0, 0.0, 0.0];
        assert_eq!(mul(&t, &s), [2.0, 0.0, 0.0, 2.0, 20.0, 40.0]);
        let mut m = s;
        translate(&mut m, 1.0, 1.0);
        assert_eq!(m, [2.0, 0.0, 0.0, 2.0, 2.0, 2.0]);
    }
}

/// The path under construction, in device space: straight segments and
/// axis-aligned rectangles (what can bound table cells); curves only move
/// the current point.
#[derive(Default)]
struct Path {
    segs: Vec<[f64; 4]>,
    rects: Vec<[f64; 4]>,
    /// Corners of the subpath drawn with `m` / `l`, for a rectangle drawn
    /// as four lines.
    cur: Option<(f64, f64)>,
    start: Option<(f64, f64)>,
}

/// Path elements kept per path at most.
const MAX_PATH: usize = 4_096;

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5])
}

impl Path {
    fn build(&mut self, op: &[u8], buf: &OpBuf, ctm: &Matrix) {
        match op {
            b"m" => {
                if let Some([x, y]) = nums::<2>(buf) {
                    let p = apply(ctm, x, y);
                    self.cur = Some(p);
                    self.start = Some(p);
                }
            }
            b"l" => {
                if let (Some([x, y]), Some(c)) = (nums::<2>(buf), self.cur) {
                    let p = apply(ctm, x, y);
                    if self.segs.len() < MAX_PATH {
                        self.segs.push([c.0, c.1, p.0, p.1]);
                    }
                    self.cur = Some(p);
                }
            }
            b"c" | b"v" | b"y" => {
                if let Some([x, y]) = nums::<2>(buf) {
                    self.cur = Some(apply(ctm, x, y));
                }
            }
            b"h" => {
                if let (Some(c), Some(s)) = (self.cur, self.start)
                    && self.segs.len() < MAX_PATH
                    && c != s
                {
                    self.segs.push([c.0, c.1, s.0, s.1]);
                }
                self.cur = self.start;
            }
            b"re" => {
                if let Some([x, y, w, h]) = nums::<4>(buf) {
                    let corners = [
                        apply(ctm, x, y),
                        apply(ctm, x + w, y),
                        apply(ctm, x + w, y + h),
                        apply(ctm, x, y + h),
                    ];
                    let upright = ctm[1].abs() < 1e-9 && ctm[2].abs() < 1e-9
                        || ctm[0].abs() < 1e-9 && ctm[3].abs() < 1e-9;
                    if upright && self.rects.len() < MAX_PATH {
                        let xs = corners.map(|c| c.0);
                        let ys = corners.map(|c| c.1);
                        let lo = |v: [f64; 4]| v.iter().copied().fold(f64::MAX, f64::min);
                        let hi = |v: [f64; 4]| v.iter().copied().fold(f64::MIN, f64::max);
                        self.rects.push([lo(xs), lo(ys), hi(xs), hi(ys)]);
                    }
                    let p = apply(ctm, x, y);
                    self.cur = Some(p);
                    self.start = Some(p);
                }
            }
            _ => {}
        }
    }

    /// Hands the path to the page's shapes and starts a new one.
    fn paint(&mut self, shapes: &mut super::tables::Shapes, stroke: bool, fill: bool) {
        for r in &self.rects {
            if stroke {
                shapes.stroked_rect(*r);
            }
            if fill {
                shapes.filled_rect(*r, true);
            }
        }
        if stroke {
            for s in &self.segs {
                shapes.segment(s[0], s[1], s[2], s[3]);
            }
        }
        *self = Path::default();
    }
}
