//! Resource limits for hostile PDFs, the per-document budget that tracks
//! them, and the warning list every limit hit is written to.
//!
//! Owns: the numbers (inflated bytes per stream and per document, operator
//! counts, operand-stack size, graphics-state depth, form-XObject depth,
//! page-tree depth, reference hops, text per page) and the bookkeeping that
//! turns a hit into one warning string, deduplicated by kind so a 20,000-page
//! document cannot produce 20,000 copies of the same line.
//!
//! Must not: decide what a limit hit means for the document's status; the
//! extractor in `mod.rs` does that.

use std::collections::HashSet;

/// The limits one extraction runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest inflated size of one stream (content, form, CMap, font).
    pub max_stream_bytes: usize,
    /// Largest inflated size of all streams of one document together.
    pub max_doc_bytes: usize,
    /// Content-stream operators executed per page.
    pub max_ops_per_page: u64,
    /// Content-stream operators executed per document.
    pub max_ops_per_doc: u64,
    /// Operands kept before an operator (TJ arrays count their elements).
    pub max_operands: usize,
    /// Depth of the `q` / `Q` graphics-state stack.
    pub max_q_depth: usize,
    /// Nesting of form XObjects (`Do` inside a form).
    pub max_form_depth: usize,
    /// Depth of the page tree.
    pub max_tree_depth: usize,
    /// Pages read from one document.
    pub max_pages: usize,
    /// Indirect-reference hops followed to resolve one object.
    pub max_ref_hops: usize,
    /// Bytes of text kept per page.
    pub max_page_text: usize,
    /// Distinct fonts loaded per document.
    pub max_fonts: usize,
    /// Warnings kept per document (further ones are counted).
    pub max_warnings: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_stream_bytes: 64 << 20,
            max_doc_bytes: 512 << 20,
            max_ops_per_page: 20_000_000,
            max_ops_per_doc: 100_000_000,
            max_operands: 200_000,
            max_q_depth: 256,
            max_form_depth: 12,
            max_tree_depth: 64,
            max_pages: 1_000_000,
            max_ref_hops: 32,
            max_page_text: 16 << 20,
            max_fonts: 10_000,
            max_warnings: 50,
        }
    }
}

/// Warnings of one document, deduplicated by kind.
#[derive(Debug, Default)]
pub struct Warnings {
    list: Vec<String>,
    kinds: HashSet<&'static str>,
    dropped: usize,
    max: usize,
}

impl Warnings {
    /// An empty list that keeps at most `max` warnings.
    pub fn new(max: usize) -> Self {
        Warnings {
            max,
            ..Warnings::default()
        }
    }

    /// Records a warning of `kind` once per document; later ones of the same
    /// kind are counted, not kept.
    pub fn once(&mut self, kind: &'static str, msg: impl FnOnce() -> String) {
        if self.kinds.insert(kind) {
            self.push(msg());
        } else {
            self.dropped += 1;
        }
    }

    /// Records a warning (up to the cap).
    pub fn push(&mut self, msg: String) {
        if self.list.len() < self.max {
            self.list.push(msg);
        } else {
            self.dropped += 1;
        }
    }

    /// The warnings, with a final count of the ones not kept.
    pub fn into_vec(mut self) -> Vec<String> {
        if self.dropped > 0 {
            self.list
                .push(format!("{} similar warnings not shown", self.dropped));
        }
        self.list
    }
}

/// What one document has used of its limits.
#[derive(Debug, Default)]
pub struct Budget {
    /// Inflated bytes so far.
    pub inflated: usize,
    /// Operators executed so far.
    pub ops: u64,
    /// A stream was dropped because of a size limit (its text is lost).
    pub lost_to_size: bool,
}

impl Budget {
    /// Bytes still allowed for the next stream.
    pub fn stream_allowance(&self, limits: &Limits) -> usize {
        limits
            .max_stream_bytes
            .min(limits.max_doc_bytes.saturating_sub(self.inflated))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_dedupe_by_kind_and_cap() {
        let mut w = Warnings::new(2);
        w.once("a", || "first a".into());
        w.once("a", || "second a".into());
        w.push("x".into());
        w.push("y".into());
        assert_eq!(
            w.into_vec(),
            vec!["first a", "x", "2 similar warnings not shown"]
        );
    }

    #[test]
    fn allowance_shrinks_with_document_budget() {
        let limits = Limits::default();
        let mut b = Budget::default();
        assert_eq!(b.stream_allowance(&limits), limits.max_stream_bytes);
        b.inflated = limits.max_doc_bytes - 10;
        assert_eq!(b.stream_allowance(&limits), 10);
    }
}
