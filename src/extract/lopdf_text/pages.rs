//! The page tree: every page in document order with its inherited
//! resources and visible box, read in one iterative walk.
//!
//! Owns: the walk from the catalog's `/Pages` down (never up `/Parent`
//! chains), with a visited set so loops and self-listing nodes are read
//! once, a depth limit, a page-count limit, and inheritance of
//! `/Resources`, `/MediaBox`, `/CropBox` and `/Rotate` passed down the walk. When the
//! catalog has no usable tree, pages are found by `/Type /Page`.
//!
//! Must not: read content streams.

use std::collections::HashSet;

use lopdf::{Dictionary, Object, ObjectId};

use super::limits::Warnings;
use super::objects::Doc;

/// One page to extract.
#[derive(Debug, Clone)]
pub struct Page<'a> {
    /// The page dictionary.
    pub dict: &'a Dictionary,
    /// Its resources (own or inherited).
    pub resources: Option<&'a Dictionary>,
    /// The visible area: CropBox within MediaBox, default user space.
    pub clip: [f64; 4],
    /// Clockwise rotation for display, in degrees: 0, 90, 180 or 270.
    pub rotate: u16,
}

#[derive(Clone, Copy)]
struct Inherited<'a> {
    resources: Option<&'a Dictionary>,
    media: Option<[f64; 4]>,
    crop: Option<[f64; 4]>,
    rotate: Option<f64>,
}

/// `/Rotate` as 0, 90, 180 or 270 (other values round to the nearest
/// quarter turn; missing or absurd values are 0).
fn quarter_turns(rotate: Option<f64>) -> u16 {
    match rotate {
        Some(r) if r.is_finite() && r.abs() < 1e9 => {
            ((r / 90.0).round() as i64).rem_euclid(4) as u16 * 90
        }
        _ => 0,
    }
}

/// Letter size, when a page states no usable box.
const DEFAULT_BOX: [f64; 4] = [0.0, 0.0, 612.0, 792.0];

fn clip_of(inh: &Inherited<'_>) -> [f64; 4] {
    let media = inh
        .media
        .filter(|b| b[2] - b[0] > 1.0 && b[3] - b[1] > 1.0)
        .unwrap_or(DEFAULT_BOX);
    match inh.crop {
        Some(c) => {
            let b = [
                c[0].max(media[0]),
                c[1].max(media[1]),
                c[2].min(media[2]),
                c[3].min(media[3]),
            ];
            if b[2] - b[0] > 1.0 && b[3] - b[1] > 1.0 {
                b
            } else {
                media
            }
        }
        None => media,
    }
}

/// All pages in order. `Err` when the document has no page at all.
pub fn walk<'a>(d: &Doc<'a>, warnings: &mut Warnings) -> Result<Vec<Page<'a>>, String> {
    let root = d
        .doc
        .trailer
        .get(b"Root")
        .ok()
        .and_then(|o| d.resolve(o))
        .and_then(|o| match o {
            Object::Dictionary(dd) => Some(dd),
            _ => None,
        });
    let tree = root.and_then(|r| r.get(b"Pages").ok());
    let mut pages = Vec::new();
    let mut visited: HashSet<ObjectId> = HashSet::new();
    if let Some(tree) = tree {
        let start = Inherited {
            resources: None,
            media: None,
            crop: None,
            rotate: None,
        };
        let mut stack: Vec<(&'a Object, Inherited<'a>, usize)> = vec![(tree, start, 0)];
        while let Some((node, inh, depth)) = stack.pop() {
            if pages.len() >= d.limits.max_pages {
                let m = d.limits.max_pages;
                warnings.once("page-limit", || {
                    format!("more than {m} pages; the rest skipped")
                });
                break;
            }
            if let Object::Reference(id) = node
                && !visited.insert(*id)
            {
                warnings.once("page-tree-loop", || {
                    format!(
                        "page tree lists node {} {} R twice (a loop?); read once",
                        id.0, id.1
                    )
                });
                continue;
            }
            let Some(Object::Dictionary(dict)) = d.resolve(node) else {
                continue;
            };
            let mut here = inh;
            if let Some(r) = d.dict(dict, b"Resources") {
                here.resources = Some(r);
            }
            if let Some(m) = dict.get(b"MediaBox").ok().and_then(|o| d.rect(o)) {
                here.media = Some(m);
            }
            if let Some(c) = dict.get(b"CropBox").ok().and_then(|o| d.rect(o)) {
                here.crop = Some(c);
            }
            if let Some(r) = d.num_key(dict, b"Rotate") {
                here.rotate = Some(r);
            }
            let is_page = d.name(dict, b"Type") == Some(b"Page");
            match d.array(dict, b"Kids") {
                Some(kids) if !is_page => {
                    if depth >= d.limits.max_tree_depth {
                        let m = d.limits.max_tree_depth;
                        warnings.once("page-tree-depth", || {
                            format!("page tree deeper than {m}; deeper pages skipped")
                        });
                        continue;
                    }
                    for kid in kids.iter().rev() {
                        stack.push((kid, here, depth + 1));
                    }
                }
                _ => pages.push(Page {
                    dict,
                    resources: here.resources,
                    clip: clip_of(&here),
                    rotate: quarter_turns(here.rotate),
                }),
            }
        }
    }
    if pages.is_empty() {
        // No usable tree: take every /Type /Page object in object order.
        for obj in d.doc.objects.values() {
            if let Object::Dictionary(dict) = obj
                && d.name(dict, b"Type") == Some(b"Page")
            {
                let inh = Inherited {
                    resources: d.dict(dict, b"Resources"),
                    media: dict.get(b"MediaBox").ok().and_then(|o| d.rect(o)),
                    crop: dict.get(b"CropBox").ok().and_then(|o| d.rect(o)),
                    rotate: d.num_key(dict, b"Rotate"),
                };
                pages.push(Page {
                    dict,
                    resources: inh.resources,
                    clip: clip_of(&inh),
                    rotate: quarter_turns(inh.rotate),
                });
                if pages.len() >= d.limits.max_pages {
                    break;
                }
            }
        }
        if !pages.is_empty() {
            warnings.push("no usable page tree; pages found by /Type /Page".into());
        }
    }
    if pages.is_empty() {
        return Err("no pages (no page tree and no page objects)".into());
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_is_a_quarter_turn() {
        assert_eq!(quarter_turns(None), 0);
        assert_eq!(quarter_turns(Some(90.0)), 90);
        assert_eq!(quarter_turns(Some(-90.0)), 270);
        assert_eq!(quarter_turns(Some(540.0)), 180);
        assert_eq!(quarter_turns(Some(2147483647.0)), 0);
        assert_eq!(quarter_turns(Some(f64::NAN)), 0);
    }
}
