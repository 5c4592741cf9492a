//! Object access for the text layer: bounded reference resolution, typed
//! getters that never fail loudly, and stream decoding under the
//! document's inflate budget.
//!
//! Owns: every `lopdf` object lookup the layer makes (so reference cycles
//! and decompression bombs are handled in one place).
//!
//! Must not: interpret content streams or fonts.

use std::borrow::Cow;

use lopdf::{Dictionary, Document, Object, Stream};

use super::limits::{Budget, Limits, Warnings};

/// A document with the limits it is read under.
pub struct Doc<'a> {
    /// The parsed document.
    pub doc: &'a Document,
    /// The limits.
    pub limits: Limits,
}

impl<'a> Doc<'a> {
    /// Follows references (at most `max_ref_hops`) to a direct object.
    pub fn resolve(&self, mut obj: &'a Object) -> Option<&'a Object> {
        for _ in 0..self.limits.max_ref_hops {
            match obj {
                Object::Reference(id) => obj = self.doc.objects.get(id)?,
                other => return Some(other),
            }
        }
        None
    }

    /// `dict[key]`, resolved.
    pub fn key(&self, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
        self.resolve(dict.get(key).ok()?)
    }

    /// `dict[key]` as a dictionary (a stream's dictionary counts).
    pub fn dict(&self, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Dictionary> {
        match self.key(dict, key)? {
            Object::Dictionary(d) => Some(d),
            Object::Stream(s) => Some(&s.dict),
            _ => None,
        }
    }

    /// `dict[key]` as an array.
    pub fn array(&self, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [Object]> {
        match self.key(dict, key)? {
            Object::Array(a) => Some(a),
            _ => None,
        }
    }

    /// `dict[key]` as a name.
    pub fn name(&self, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
        match self.key(dict, key)? {
            Object::Name(n) => Some(n),
            _ => None,
        }
    }

    /// `dict[key]` as a stream.
    pub fn stream(&self, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Stream> {
        match self.key(dict, key)? {
            Object::Stream(s) => Some(s),
            _ => None,
        }
    }

    /// A number, resolved.
    pub fn num(&self, obj: &'a Object) -> Option<f64> {
        match self.resolve(obj)? {
            Object::Integer(i) => Some(*i as f64),
            Object::Real(r) => Some(f64::from(*r)),
            _ => None,
        }
    }

    /// `dict[key]` as a number.
    pub fn num_key(&self, dict: &'a Dictionary, key: &[u8]) -> Option<f64> {
        self.num(dict.get(key).ok()?)
    }

    /// An array of numbers (non-numbers become `None`).
    pub fn nums(&self, arr: &'a [Object]) -> Vec<Option<f64>> {
        arr.iter().map(|o| self.num(o)).collect()
    }

    /// A rectangle `[x0 y0 x1 y1]`, normalized.
    pub fn rect(&self, obj: &'a Object) -> Option<[f64; 4]> {
        let Object::Array(a) = self.resolve(obj)? else {
            return None;
        };
        if a.len() != 4 {
            return None;
        }
        let v: Vec<f64> = a.iter().filter_map(|o| self.num(o)).collect();
        if v.len() != 4 || v.iter().any(|x| !x.is_finite()) {
            return None;
        }
        Some([
            v[0].min(v[2]),
            v[1].min(v[3]),
            v[0].max(v[2]),
            v[1].max(v[3]),
        ])
    }

    /// The decoded bytes of a stream, charged to `budget`. `None` (with a
    /// warning) when it cannot be decoded or exceeds the limits.
    pub fn decode(
        &self,
        stream: &'a Stream,
        what: &str,
        budget: &mut Budget,
        warnings: &mut Warnings,
    ) -> Option<Cow<'a, [u8]>> {
        if stream.dict.get(b"Filter").is_err() {
            return Some(Cow::Borrowed(&stream.content));
        }
        let allowance = budget.stream_allowance(&self.limits);
        if allowance == 0 {
            budget.lost_to_size = true;
            warnings.once("doc-budget", || {
                format!(
                    "document inflates to more than {} MiB; later streams skipped",
                    self.limits.max_doc_bytes >> 20
                )
            });
            return None;
        }
        match stream.decompressed_content_with_limit(allowance) {
            Ok(data) => {
                budget.inflated += data.len();
                Some(Cow::Owned(data))
            }
            Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                ..
            })) => {
                budget.lost_to_size = true;
                budget.inflated += allowance;
                warnings.once("stream-too-large", || {
                    format!(
                        "{what} inflates to more than {} MiB; skipped (decompression bomb?)",
                        allowance >> 20
                    )
                });
                None
            }
            Err(e) => {
                warnings.once("stream-decode", || format!("{what}: cannot decode: {e}"));
                None
            }
        }
    }
}
