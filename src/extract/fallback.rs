//! Page-level fallback between backends: the own text layer reads the
//! document; pages on which it drew glyphs but found no Unicode text (fonts
//! without usable mappings) are re-read by a second backend, and only those
//! pages are taken from it.
//!
//! Owns: deciding when the second backend runs and merging its pages in.
//! Whole-document failures and documents without any text are left to
//! [`super::extract_chain`], which tries the next backend anyway.
//!
//! Must not: interpret PDFs itself.

use super::lopdf_text::{self, LopdfText};
use super::{ExtractError, ExtractOptions, Extracted, Extractor};

/// Written to the report when some pages came from the second backend.
pub const MIXED_NAME: &str = "policyscan-lopdf+pdf-extract";

/// The own layer, with pages it could not read taken from `other`.
pub struct WithPageFallback<E> {
    /// The own layer.
    pub own: LopdfText,
    /// The backend asked for pages the own layer found no text on.
    pub other: E,
}

impl<E: Extractor> Extractor for WithPageFallback<E> {
    fn name(&self) -> &'static str {
        lopdf_text::NAME
    }

    fn extract(&self, data: &[u8], opts: &ExtractOptions) -> Result<Extracted, ExtractError> {
        let detailed = self.own.extract_detailed(data, opts)?;
        let mut ours = detailed.extracted;
        if detailed.pages_without_text.is_empty() || !ours.has_text() || detailed.hit_size_limit {
            return Ok(ours);
        }
        let Ok(theirs) = self.other.extract(data, opts) else {
            return Ok(ours);
        };
        if theirs.pages.len() != ours.pages.len() {
            return Ok(ours);
        }
        let mut filled = Vec::new();
        for &i in &detailed.pages_without_text {
            let t = &theirs.pages[i];
            if t.chars().any(|c| !c.is_whitespace()) {
                ours.pages[i] = t.clone();
                filled.push((i + 1).to_string());
            }
        }
        if !filled.is_empty() {
            ours.extractor = MIXED_NAME.to_string();
            ours.warnings.push(format!(
                "pages {} read with {} (no Unicode mapping in the own layer)",
                filled.join(", "),
                self.other.name()
            ));
        }
        Ok(ours)
    }
}
