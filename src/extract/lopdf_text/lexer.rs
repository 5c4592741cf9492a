//! Content-stream lexer: bytes in, one operator with its operands out.
//!
//! Owns: PDF content-stream tokens (numbers, names, literal and hex
//! strings, arrays, dictionaries, comments, inline images) without
//! recursion: nesting of arrays, dictionaries and string parentheses is a
//! counter, so 100,000 nested `[` cost nothing but time. Operands are kept
//! in a reusable buffer; string and name bytes live in one arena per
//! operator, so lexing allocates nothing in the steady state.
//!
//! Must not: interpret operators (that is `content`) or know about fonts.

/// One operand before an operator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operand {
    /// A number (integers and reals alike).
    Num(f64),
    /// A name; the bytes (after `#xx` decoding) are `arena[start..end]`.
    Name(u32, u32),
    /// A string; the bytes are `arena[start..end]`.
    Str(u32, u32),
    /// `[` (only top-level arrays are kept; nested ones are flattened).
    ArrOpen,
    /// `]`.
    ArrClose,
    /// Anything else (booleans, null, dictionaries).
    Other,
}

/// The operands of one operator and the bytes they refer to.
#[derive(Debug, Default)]
pub struct OpBuf {
    /// Operands in order.
    pub operands: Vec<Operand>,
    /// String and name bytes.
    pub arena: Vec<u8>,
    /// Operands were dropped because of the operand limit.
    pub overflowed: bool,
}

impl OpBuf {
    /// The bytes of a string or name operand.
    pub fn bytes(&self, start: u32, end: u32) -> &[u8] {
        self.arena.get(start as usize..end as usize).unwrap_or(&[])
    }

    fn clear(&mut self) {
        self.operands.clear();
        self.arena.clear();
        self.overflowed = false;
    }

    fn push(&mut self, op: Operand, max: usize) {
        if self.operands.len() < max {
            self.operands.push(op);
        } else {
            self.overflowed = true;
        }
    }
}

/// A lexer over one content stream.
pub struct Lexer<'a> {
    data: &'a [u8],
    pos: usize,
    /// Where the dictionary of the last inline image (`BI` ... `ID`) lies.
    pub inline_dict: std::ops::Range<usize>,
    /// Where the whole of the last inline image (`BI` to the end of `EI`)
    /// lies.
    pub inline_span: std::ops::Range<usize>,
}

#[inline]
fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0')
}

#[inline]
fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

#[inline]
fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delim(b)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Lexer {
            data,
            pos: 0,
            inline_dict: 0..0,
            inline_span: 0..0,
        }
    }

    /// Reads operands up to the next operator and returns the operator's
    /// keyword, or `None` at the end of the data. Operands beyond `max`
    /// are dropped (and `buf.overflowed` is set).
    pub fn next_op(&mut self, buf: &mut OpBuf, max: usize) -> Option<&'a [u8]> {
        buf.clear();
        let data = self.data;
        let mut depth: usize = 0;
        loop {
            let b = *data.get(self.pos)?;
            match b {
                b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | b'\0' => self.pos += 1,
                b'%' => self.skip_comment(),
                b'(' => {
                    let (s, e) = self.literal_string(&mut buf.arena);
                    if depth <= 1 {
                        buf.push(Operand::Str(s, e), max);
                    }
                }
                b'<' => {
                    if data.get(self.pos + 1) == Some(&b'<') {
                        self.skip_dict();
                        if depth == 0 {
                            buf.push(Operand::Other, max);
                        }
                    } else {
                        let (s, e) = self.hex_string(&mut buf.arena);
                        if depth <= 1 {
                            buf.push(Operand::Str(s, e), max);
                        }
                    }
                }
                b'[' => {
                    self.pos += 1;
                    depth += 1;
                    if depth == 1 {
                        buf.push(Operand::ArrOpen, max);
                    }
                }
                b']' => {
                    self.pos += 1;
                    if depth > 0 {
                        depth -= 1;
                        if depth == 0 {
                            buf.push(Operand::ArrClose, max);
                        }
                    }
                }
                b'/' => {
                    self.pos += 1;
                    let (s, e) = self.name(&mut buf.arena);
                    if depth <= 1 {
                        buf.push(Operand::Name(s, e), max);
                    }
                }
                b'0'..=b'9' | b'+' | b'-' | b'.' => {
                    let n = self.number();
                    if depth <= 1 {
                        buf.push(Operand::Num(n), max);
                    }
                }
                b')' | b'>' | b'{' | b'}' => self.pos += 1,
                _ => {
                    let start = self.pos;
                    while self.pos < data.len() && is_regular(data[self.pos]) {
                        self.pos += 1;
                    }
                    let word = &data[start..self.pos];
                    match word {
                        b"true" | b"false" | b"null" => {
                            if depth <= 1 {
                                buf.push(Operand::Other, max);
                            }
                        }
                        b"BI" => {
                            // The image itself is skipped; the operator
                            // is returned without operands so the
                            // interpreter can count it (OCR wants to know
                            // a page draws images).
                            self.skip_inline_image();
                            self.inline_span = start..self.pos;
                            buf.clear();
                            return Some(b"BI");
                        }
                        _ => {
                            if depth > 0 {
                                // An operator inside an unclosed array: close it.
                                buf.push(Operand::ArrClose, max);
                            }
                            return Some(word);
                        }
                    }
                }
            }
        }
    }

    fn skip_comment(&mut self) {
        while let Some(&b) = self.data.get(self.pos) {
            if b == b'\n' || b == b'\r' {
                break;
            }
            self.pos += 1;
        }
    }

    fn literal_string(&mut self, arena: &mut Vec<u8>) -> (u32, u32) {
        let data = self.data;
        let start = arena.len();
        self.pos += 1; // (
        let mut depth = 1usize;
        while let Some(&b) = data.get(self.pos) {
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    arena.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    arena.push(b);
                }
                b'\\' => {
                    let Some(&e) = data.get(self.pos) else { break };
                    self.pos += 1;
                    match e {
                        b'n' => arena.push(b'\n'),
                        b'r' => arena.push(b'\r'),
                        b't' => arena.push(b'\t'),
                        b'b' => arena.push(8),
                        b'f' => arena.push(12),
                        b'\r' => {
                            if data.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = u32::from(e - b'0');
                            for _ in 0..2 {
                                match data.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + u32::from(d - b'0');
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            arena.push((v & 0xff) as u8);
                        }
                        other => arena.push(other),
                    }
                }
                _ => arena.push(b),
            }
        }
        (start as u32, arena.len() as u32)
    }

    fn hex_string(&mut self, arena: &mut Vec<u8>) -> (u32, u32) {
        let data = self.data;
        let start = arena.len();
        self.pos += 1; // <
        let mut hi: Option<u8> = None;
        while let Some(&b) = data.get(self.pos) {
            self.pos += 1;
            if b == b'>' {
                break;
            }
            if let Some(v) = hex_val(b) {
                match hi.take() {
                    Some(h) => arena.push(h << 4 | v),
                    None => hi = Some(v),
                }
            }
        }
        if let Some(h) = hi {
            arena.push(h << 4);
        }
        (start as u32, arena.len() as u32)
    }

    fn name(&mut self, arena: &mut Vec<u8>) -> (u32, u32) {
        let data = self.data;
        let start = arena.len();
        while let Some(&b) = data.get(self.pos) {
            if !is_regular(b) {
                break;
            }
            self.pos += 1;
            if b == b'#' {
                let h = data.get(self.pos).copied().and_then(hex_val);
                let l = data.get(self.pos + 1).copied().and_then(hex_val);
                if let (Some(h), Some(l)) = (h, l) {
                    arena.push(h << 4 | l);
                    self.pos += 2;
                    continue;
                }
            }
            arena.push(b);
        }
        (start as u32, arena.len() as u32)
    }

    fn number(&mut self) -> f64 {
        let data = self.data;
        let mut neg = false;
        let mut seen_sign = false;
        let mut int: f64 = 0.0;
        let mut frac: f64 = 0.0;
        let mut scale: f64 = 1.0;
        let mut in_frac = false;
        while let Some(&b) = data.get(self.pos) {
            match b {
                b'0'..=b'9' => {
                    let d = f64::from(b - b'0');
                    if in_frac {
                        scale *= 0.1;
                        frac += d * scale;
                    } else {
                        int = int * 10.0 + d;
                    }
                }
                b'.' if !in_frac => in_frac = true,
                b'-' | b'+' if !seen_sign && int == 0.0 && !in_frac => {
                    seen_sign = true;
                    neg ^= b == b'-';
                }
                // Stray signs inside numbers ("5-3", "--5") are ignored, as
                // viewers do.
                b'-' | b'+' | b'.' => {}
                _ => break,
            }
            self.pos += 1;
        }
        let v = int + frac;
        let v = if neg { -v } else { v };
        if v.is_finite() { v } else { 0.0 }
    }

    fn skip_dict(&mut self) {
        let data = self.data;
        self.pos += 2;
        let mut depth = 1usize;
        let mut scratch = Vec::new();
        while let Some(&b) = data.get(self.pos) {
            match b {
                b'<' if data.get(self.pos + 1) == Some(&b'<') => {
                    depth += 1;
                    self.pos += 2;
                }
                b'>' if data.get(self.pos + 1) == Some(&b'>') => {
                    depth -= 1;
                    self.pos += 2;
                    if depth == 0 {
                        return;
                    }
                }
                b'(' => {
                    scratch.clear();
                    self.literal_string(&mut scratch);
                }
                b'<' => {
                    scratch.clear();
                    self.hex_string(&mut scratch);
                }
                b'%' => self.skip_comment(),
                _ => self.pos += 1,
            }
        }
    }

    /// Skips `BI <dict> ID <data> EI`: the image data is binary, so it is
    /// searched for `EI` between whitespace.
    fn skip_inline_image(&mut self) {
        let data = self.data;
        let dict_start = self.pos;
        self.inline_dict = dict_start..dict_start;
        // Find the ID keyword (dictionary entries are plain tokens).
        loop {
            let Some(&b) = data.get(self.pos) else {
                self.inline_dict = dict_start..data.len();
                return;
            };
            if is_white(b) {
                self.pos += 1;
                continue;
            }
            match b {
                b'(' => {
                    let mut s = Vec::new();
                    self.literal_string(&mut s);
                }
                b'<' if data.get(self.pos + 1) == Some(&b'<') => self.skip_dict(),
                b'%' => self.skip_comment(),
                _ if is_delim(b) => self.pos += 1,
                _ => {
                    let start = self.pos;
                    while self.pos < data.len() && is_regular(data[self.pos]) {
                        self.pos += 1;
                    }
                    if &data[start..self.pos] == b"ID" {
                        self.inline_dict = dict_start..start;
                        self.pos += 1; // the single whitespace after ID
                        break;
                    }
                }
            }
        }
        let mut i = self.pos;
        while i + 1 < data.len() {
            if data[i] == b'E'
                && data[i + 1] == b'I'
                && (i == 0 || is_white(data[i - 1]))
                && data.get(i + 2).is_none_or(|&c| is_white(c) || is_delim(c))
            {
                self.pos = i + 2;
                return;
            }
            i += 1;
        }
        self.pos = data.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(data: &[u8]) -> Vec<(String, Vec<String>)> {
        let mut lx = Lexer::new(data);
        let mut buf = OpBuf::default();
        let mut out = Vec::new();
        while let Some(op) = lx.next_op(&mut buf, 1000) {
            let args = buf
                .operands
                .iter()
                .map(|o| match *o {
                    Operand::Num(n) => format!("{n}"),
                    Operand::Name(s, e) => format!("/{}", String::from_utf8_lossy(buf.bytes(s, e))),
                    Operand::Str(s, e) => format!("({})", String::from_utf8_lossy(buf.bytes(s, e))),
                    Operand::ArrOpen => "[".into(),
                    Operand::ArrClose => "]".into(),
                    Operand::Other => "?".into(),
                })
                .collect();
            out.push((String::from_utf8_lossy(op).into_owned(), args));
        }
        out
    }

    #[test]
    fn lexes_operators_and_operands() {
        let got =
            ops(b"BT /F1 12 Tf 1 0 0 1 72.5 -.5 Tm (a\\(b\\)c\\101) Tj [(x) -250 <4142>] TJ ET");
        assert_eq!(got[1], ("Tf".into(), vec!["/F1".into(), "12".into()]));
        assert_eq!(got[2].1[4], "72.5");
        assert_eq!(got[2].1[5], "-0.5");
        assert_eq!(got[3].1, vec!["(a(b)cA)".to_string()]);
        assert_eq!(got[4].1, vec!["[", "(x)", "-250", "(AB)", "]"]);
        assert_eq!(got.len(), 6);
    }

    #[test]
    fn skips_inline_images_dicts_and_comments() {
        let got = ops(
            b"q BI /W 1 /H 1 ID \x00EI\xff EI Q % comment Tj\n/P <</MCID 0 /A (>>)>> BDC (t) Tj",
        );
        let names: Vec<&str> = got.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(names, vec!["q", "BI", "Q", "BDC", "Tj"]);
        assert!(got[1].1.is_empty());
        assert_eq!(got[3].1, vec!["/P", "?"]);
    }

    #[test]
    fn deep_nesting_is_flat_and_bounded() {
        let mut data = Vec::new();
        data.extend(std::iter::repeat_n(b'[', 100_000));
        data.extend(std::iter::repeat_n(b']', 100_000));
        data.extend_from_slice(b" pop (");
        data.extend(std::iter::repeat_n(b'(', 100_000));
        data.extend(std::iter::repeat_n(b')', 100_000));
        data.extend_from_slice(b") Tj");
        let got = ops(&data);
        assert_eq!(got[0].1, vec!["[", "]"]);
        assert_eq!(got[1].0, "Tj");
    }

    #[test]
    fn operand_limit_drops_extras() {
        let data = b"1 2 3 4 5 6 Td";
        let mut lx = Lexer::new(data);
        let mut buf = OpBuf::default();
        assert_eq!(lx.next_op(&mut buf, 3), Some(&b"Td"[..]));
        assert_eq!(buf.operands.len(), 3);
        assert!(buf.overflowed);
    }
}
