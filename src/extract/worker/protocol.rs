//! The framing between the parent and an extraction worker.
//!
//! Owns: the byte layout of every message on the worker's stdin/stdout
//! pipes and nothing else. A frame is `[tag: u8][len: u32 LE][payload]`;
//! payloads are sequences of fields (`u8`, `u64 LE`, and byte strings as
//! `[len: u32 LE][bytes]`). Paths travel as raw bytes, so file names that
//! are not UTF-8 survive the trip. Text fields are UTF-8 (the worker only
//! sends Rust strings) and are checked on decode.
//!
//! Must not: spawn, kill or time anything (that is `worker`), or know what
//! the extractors do.

use std::io::{self, Read, Write};

use crate::extract::ocr::OcrOptions;
use crate::extract::{ExtractError, Extracted};
use crate::model::OcrPage;

/// Largest frame either side accepts (a 35 MB text dump fits many times).
pub const MAX_FRAME: usize = 1 << 30;

const TAG_JOB: u8 = b'J';
const TAG_STAGE: u8 = b'S';
const TAG_PAGES: u8 = b'P';
const TAG_OCR_PAGE: u8 = b'O';
const TAG_RESULT: u8 = b'R';

/// One document for a worker to extract.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Job {
    /// The file, as raw OS bytes.
    pub path: Vec<u8>,
    /// Password for encrypted PDFs.
    pub password: Option<String>,
    /// Extractors not to try (they crashed on this document before).
    pub skip: Vec<String>,
    /// `--max-filesize` in bytes (0 = no limit).
    pub max_filesize: u64,
    /// OCR settings when `--ocr` is on.
    pub ocr: Option<OcrOptions>,
}

/// A message from a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// The named extractor is starting on the current document.
    Stage(String),
    /// The current document has this many pages.
    Pages(u64),
    /// OCR starts on one more page of the current document.
    OcrPage,
    /// The document is done: its sha256 and the extraction result.
    Result(String, Result<Extracted, ExtractError>),
}

/// A malformed or oversized frame.
fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// Writes one frame and flushes.
pub fn write_frame(w: &mut impl Write, tag: u8, payload: &[u8]) -> io::Result<()> {
    if payload.len() > MAX_FRAME {
        return Err(bad(format!(
            "frame of {} bytes is too large",
            payload.len()
        )));
    }
    let len = u32::try_from(payload.len()).map_err(|_| bad("frame too large"))?;
    let mut head = [0u8; 5];
    head[0] = tag;
    head[1..].copy_from_slice(&len.to_le_bytes());
    w.write_all(&head)?;
    w.write_all(payload)?;
    w.flush()
}

/// Reads one frame; `Ok(None)` on a clean end of stream before a frame.
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<(u8, Vec<u8>)>> {
    let mut head = [0u8; 5];
    let mut got = 0;
    while got < head.len() {
        match r.read(&mut head[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
    if len > MAX_FRAME {
        return Err(bad(format!("frame of {len} bytes is too large")));
    }
    let mut payload = vec![0u8; len];
    r.read_exact(&mut payload)?;
    Ok(Some((head[0], payload)))
}

/// Builds a payload field by field.
#[derive(Debug, Default)]
struct Enc(Vec<u8>);

impl Enc {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, b: &[u8]) {
        // Fields never exceed MAX_FRAME, which fits in u32.
        self.0
            .extend_from_slice(&u32::try_from(b.len()).unwrap_or(u32::MAX).to_le_bytes());
        self.0.extend_from_slice(b);
    }
    fn strs(&mut self, items: &[String]) {
        self.u64(items.len() as u64);
        for s in items {
            self.bytes(s.as_bytes());
        }
    }
}

/// Reads a payload field by field; every read checks the bounds.
struct Dec<'a>(&'a [u8]);

impl<'a> Dec<'a> {
    fn take(&mut self, n: usize) -> io::Result<&'a [u8]> {
        if n > self.0.len() {
            return Err(bad("truncated payload"));
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    fn u8(&mut self) -> io::Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u64(&mut self) -> io::Result<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    fn bytes(&mut self) -> io::Result<&'a [u8]> {
        let b = self.take(4)?;
        let n = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        self.take(n)
    }
    fn string(&mut self) -> io::Result<String> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| bad("text field is not UTF-8"))
    }
    fn strs(&mut self) -> io::Result<Vec<String>> {
        let n = self.u64()?;
        // Each string takes at least 4 bytes: refuse counts the payload cannot hold.
        if n > (self.0.len() / 4) as u64 {
            return Err(bad("list longer than its payload"));
        }
        (0..n).map(|_| self.string()).collect()
    }
    fn end(&self) -> io::Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(bad("trailing bytes in payload"))
        }
    }
}

impl Job {
    /// Writes this job as one frame.
    pub fn write(&self, w: &mut impl Write) -> io::Result<()> {
        let mut e = Enc::default();
        e.bytes(&self.path);
        match &self.password {
            Some(p) => {
                e.u8(1);
                e.bytes(p.as_bytes());
            }
            None => e.u8(0),
        }
        e.strs(&self.skip);
        e.u64(self.max_filesize);
        match &self.ocr {
            Some(o) => {
                e.u8(1);
                e.bytes(o.language.as_bytes());
                e.u64(u64::from(o.dpi));
                e.u64(o.page_timeout_secs);
            }
            None => e.u8(0),
        }
        write_frame(w, TAG_JOB, &e.0)
    }

    /// Reads the next job; `Ok(None)` when the parent closed the pipe.
    pub fn read(r: &mut impl Read) -> io::Result<Option<Job>> {
        let Some((tag, payload)) = read_frame(r)? else {
            return Ok(None);
        };
        if tag != TAG_JOB {
            return Err(bad(format!("unexpected frame tag {tag:#04x} for a job")));
        }
        let mut d = Dec(&payload);
        let path = d.bytes()?.to_vec();
        let password = match d.u8()? {
            0 => None,
            1 => Some(d.string()?),
            x => return Err(bad(format!("bad password flag {x}"))),
        };
        let skip = d.strs()?;
        let max_filesize = d.u64()?;
        let ocr = match d.u8()? {
            0 => None,
            1 => Some(OcrOptions {
                language: d.string()?,
                dpi: u32::try_from(d.u64()?).map_err(|_| bad("OCR resolution out of range"))?,
                page_timeout_secs: d.u64()?,
            }),
            x => return Err(bad(format!("bad OCR flag {x}"))),
        };
        d.end()?;
        Ok(Some(Job {
            path,
            password,
            skip,
            max_filesize,
            ocr,
        }))
    }
}

fn error_code(e: &ExtractError) -> u8 {
    match e {
        ExtractError::Encrypted(_) => 1,
        ExtractError::Malformed(_) => 2,
        ExtractError::TooLarge(_) => 3,
        ExtractError::Timeout(_) => 4,
        ExtractError::Crashed(_) => 5,
        ExtractError::Unsupported(_) => 6,
    }
}

fn error_from_code(code: u8, reason: String) -> io::Result<ExtractError> {
    Ok(match code {
        1 => ExtractError::Encrypted(reason),
        2 => ExtractError::Malformed(reason),
        3 => ExtractError::TooLarge(reason),
        4 => ExtractError::Timeout(reason),
        5 => ExtractError::Crashed(reason),
        6 => ExtractError::Unsupported(reason),
        x => return Err(bad(format!("unknown error code {x}"))),
    })
}

impl Reply {
    /// Writes this reply as one frame (flushed, so the parent sees a stage
    /// before the worker can die in it).
    pub fn write(&self, w: &mut impl Write) -> io::Result<()> {
        let mut e = Enc::default();
        let tag = match self {
            Reply::Stage(name) => {
                e.bytes(name.as_bytes());
                TAG_STAGE
            }
            Reply::Pages(n) => {
                e.u64(*n);
                TAG_PAGES
            }
            Reply::OcrPage => TAG_OCR_PAGE,
            Reply::Result(sha, result) => {
                e.bytes(sha.as_bytes());
                match result {
                    Ok(x) => {
                        e.u8(0);
                        e.bytes(x.extractor.as_bytes());
                        e.strs(&x.warnings);
                        e.strs(&x.pages);
                        e.u64(x.ocr_pages.len() as u64);
                        for p in &x.ocr_pages {
                            e.u64(u64::from(p.page));
                            e.u8(p.confidence);
                            e.u64(u64::from(p.words));
                        }
                        e.u8(u8::from(x.transient));
                    }
                    Err(err) => {
                        e.u8(error_code(err));
                        e.bytes(err.reason().as_bytes());
                    }
                }
                TAG_RESULT
            }
        };
        write_frame(w, tag, &e.0)
    }

    /// Reads the next reply; `Ok(None)` when the worker closed its stdout.
    pub fn read(r: &mut impl Read) -> io::Result<Option<Reply>> {
        let Some((tag, payload)) = read_frame(r)? else {
            return Ok(None);
        };
        let mut d = Dec(&payload);
        let reply = match tag {
            TAG_STAGE => Reply::Stage(d.string()?),
            TAG_PAGES => Reply::Pages(d.u64()?),
            TAG_OCR_PAGE => Reply::OcrPage,
            TAG_RESULT => {
                let sha = d.string()?;
                let result = match d.u8()? {
                    0 => {
                        let extractor = d.string()?;
                        let warnings = d.strs()?;
                        let pages = d.strs()?;
                        let n = d.u64()?;
                        if n > pages.len() as u64 {
                            return Err(bad("more OCR pages than pages"));
                        }
                        let ocr_pages = (0..n)
                            .map(|_| {
                                let too_big = |_| bad("OCR page field out of range");
                                Ok(OcrPage {
                                    page: u32::try_from(d.u64()?).map_err(too_big)?,
                                    confidence: d.u8()?,
                                    words: u32::try_from(d.u64()?).map_err(too_big)?,
                                })
                            })
                            .collect::<io::Result<Vec<_>>>()?;
                        let transient = match d.u8()? {
                            0 => false,
                            1 => true,
                            x => return Err(bad(format!("bad transient flag {x}"))),
                        };
                        Ok(Extracted {
                            pages,
                            extractor,
                            warnings,
                            ocr_pages,
                            transient,
                            // The chain has run in the worker.
                            textless: false,
                        })
                    }
                    code => Err(error_from_code(code, d.string()?)?),
                };
                Reply::Result(sha, result)
            }
            x => return Err(bad(format!("unexpected frame tag {x:#04x} from a worker"))),
        };
        d.end()?;
        Ok(Some(reply))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip_reply(r: Reply) {
        let mut buf = Vec::new();
        r.write(&mut buf).unwrap();
        let mut cur = io::Cursor::new(buf);
        assert_eq!(Reply::read(&mut cur).unwrap(), Some(r));
        assert_eq!(Reply::read(&mut cur).unwrap(), None);
    }

    #[test]
    fn job_roundtrip_with_non_utf8_path() {
        let job = Job {
            path: b"/tmp/policy-caf\xe9-\xff.pdf".to_vec(),
            password: Some("s\u{e9}cret".into()),
            skip: vec!["pdf-extract".into(), "other".into()],
            max_filesize: 512 << 20,
            ocr: Some(OcrOptions {
                language: "eng+spa".into(),
                ..OcrOptions::default()
            }),
        };
        let mut buf = Vec::new();
        job.write(&mut buf).unwrap();
        Job::default().write(&mut buf).unwrap();
        let mut cur = io::Cursor::new(buf);
        assert_eq!(Job::read(&mut cur).unwrap(), Some(job));
        assert_eq!(Job::read(&mut cur).unwrap(), Some(Job::default()));
        assert_eq!(Job::read(&mut cur).unwrap(), None);
    }

    #[test]
    fn replies_roundtrip() {
        roundtrip_reply(Reply::Stage("pdf-extract".into()));
        roundtrip_reply(Reply::Pages(20_000));
        roundtrip_reply(Reply::OcrPage);
        roundtrip_reply(Reply::Result(
            "ab".repeat(32),
            Ok(Extracted {
                pages: vec!["one".into(), String::new(), "three\u{fb01}".into()],
                extractor: "pdf-extract".into(),
                warnings: vec!["page 2: boom".into()],
                ocr_pages: vec![OcrPage {
                    page: 2,
                    confidence: 91,
                    words: 312,
                }],
                transient: true,
                textless: false,
            }),
        ));
        for err in [
            ExtractError::Encrypted("e".into()),
            ExtractError::Malformed("m".into()),
            ExtractError::TooLarge("t".into()),
            ExtractError::Timeout("o".into()),
            ExtractError::Crashed("c".into()),
            ExtractError::Unsupported("u".into()),
        ] {
            roundtrip_reply(Reply::Result(String::new(), Err(err)));
        }
    }

    #[test]
    fn large_payload_survives() {
        let big = "x".repeat(3 << 20);
        roundtrip_reply(Reply::Result(
            String::new(),
            Ok(Extracted {
                pages: vec![big],
                extractor: "e".into(),
                warnings: vec![],
                ..Extracted::default()
            }),
        ));
    }

    #[test]
    fn truncation_is_an_error_not_a_clean_end() {
        let mut buf = Vec::new();
        Reply::Stage("pdf-extract".into()).write(&mut buf).unwrap();
        for cut in 1..buf.len() {
            let r = Reply::read(&mut io::Cursor::new(&buf[..cut]));
            assert!(r.is_err(), "cut at {cut} gave {r:?}");
        }
        assert_eq!(Reply::read(&mut io::Cursor::new(&[][..])).unwrap(), None);
    }

    #[test]
    fn oversized_and_garbled_frames_are_rejected() {
        let mut head = vec![TAG_RESULT];
        head.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(Reply::read(&mut io::Cursor::new(head)).is_err());
        // A list count far larger than the payload must not allocate.
        let mut e = Enc::default();
        e.bytes(b"sha");
        e.u8(0);
        e.bytes(b"x");
        e.u64(u64::MAX);
        let mut buf = Vec::new();
        write_frame(&mut buf, TAG_RESULT, &e.0).unwrap();
        assert!(Reply::read(&mut io::Cursor::new(buf)).is_err());
        // Unknown tag, trailing bytes, bad error code.
        let mut buf = Vec::new();
        write_frame(&mut buf, b'?', b"").unwrap();
        assert!(Reply::read(&mut io::Cursor::new(buf)).is_err());
        let mut buf = Vec::new();
        write_frame(&mut buf, TAG_PAGES, &[0; 9]).unwrap();
        assert!(Reply::read(&mut io::Cursor::new(buf)).is_err());
        let mut e = Enc::default();
        e.bytes(b"");
        e.u8(99);
        e.bytes(b"why");
        let mut buf = Vec::new();
        write_frame(&mut buf, TAG_RESULT, &e.0).unwrap();
        assert!(Reply::read(&mut io::Cursor::new(buf)).is_err());
    }

    #[test]
    fn a_job_frame_is_not_a_reply() {
        let mut buf = Vec::new();
        Job::default().write(&mut buf).unwrap();
        assert!(Reply::read(&mut io::Cursor::new(buf)).is_err());
    }
}
