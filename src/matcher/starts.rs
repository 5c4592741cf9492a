//! Where the regexes' matches start: one lazy DFA of every regex that
//! begins with a word boundary, walked anchored from each ASCII word
//! boundary of a text, names the regexes that match starting there.
//!
//! The walk reports every regex with a match (`MatchKind::All`) that
//! starts at the boundary, whatever its end, so the offsets it gives are
//! exactly those where an anchored try of the regex finds a match: a run
//! tries each regex only where it succeeds. Its states are shared by every
//! text (they stand for prefixes of matches, not for whole texts, as an
//! unanchored automaton's would), so a run builds most of them on its
//! first documents.

use regex_automata::Anchored;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::util::start;

use super::compile::set_dfa;

/// The most a thread's cache of the automaton holds before it is cleared
/// and rebuilt: the dev set and the real payer texts together used 10 MB.
const CACHE_CAPACITY: usize = 16 << 20;

/// The automaton of the regexes that begin with a word boundary.
#[derive(Debug)]
pub(crate) struct Starts {
    dfa: DFA,
    /// For each of the automaton's patterns, its regex.
    regexes: Vec<usize>,
}

/// What a thread walks the automaton with: its cache, and what it has
/// learnt of first steps.
#[derive(Debug)]
pub(crate) struct Walker {
    cache: Cache,
    /// For each byte before a boundary (or none: index 256) and byte
    /// after it, whether a walk from there outlives its first step:
    /// [`UNKNOWN`], [`LIVES`] or [`DIES`]. Most boundaries are a word's
    /// end, followed by a space or a stop, from which no match starts.
    first_step: Vec<u8>,
}

const UNKNOWN: u8 = 0;
const LIVES: u8 = 1;
const DIES: u8 = 2;

/// Whether each byte is an ASCII word byte, as `(?-u:\b)` has it.
pub(super) const WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    table
};

/// The walk could not go on (a state the automaton cannot build): the
/// caller finds the regexes' matches another way.
#[derive(Debug)]
pub(crate) struct GaveUp;

impl Starts {
    /// One automaton of `regexes` (index and source); `None` when it
    /// cannot be built (too large, or a Unicode word boundary).
    pub(crate) fn build(regexes: &[(usize, &str)]) -> Option<Starts> {
        if regexes.is_empty() {
            return None;
        }
        let sources: Vec<&str> = regexes.iter().map(|&(_, s)| s).collect();
        let dfa = set_dfa(&sources, CACHE_CAPACITY)?;
        Some(Starts {
            dfa,
            regexes: regexes.iter().map(|&(i, _)| i).collect(),
        })
    }

    /// The regexes the automaton holds, by their index in the library.
    pub(crate) fn regexes(&self) -> &[usize] {
        &self.regexes
    }

    /// What a thread walks this automaton with.
    pub(crate) fn walker(&self) -> Walker {
        Walker {
            cache: Cache::new(&self.dfa),
            first_step: vec![UNKNOWN; 257 * 256],
        }
    }

    /// Adds to `starts[i]` every offset of `text` where a match of regex
    /// `i` starts, in order and each once (`starts` is indexed by regex and
    /// empty for the automaton's regexes).
    pub(crate) fn find(
        &self,
        walker: &mut Walker,
        text: &[u8],
        starts: &mut [Vec<usize>],
    ) -> Result<(), GaveUp> {
        let mut word_before = false;
        for (p, &b) in text.iter().enumerate() {
            let word = WORD[usize::from(b)];
            if word != word_before {
                let before = p.checked_sub(1).map_or(256, |i| usize::from(text[i]));
                let first = &mut walker.first_step[before * 256 + usize::from(b)];
                if *first != DIES {
                    let lived = self.walk(&mut walker.cache, text, p, starts)?;
                    *first = if lived { LIVES } else { DIES };
                }
            }
            word_before = word;
        }
        Ok(())
    }

    /// One anchored walk from offset `p`, until no regex can match;
    /// whether it outlived its first step.
    fn walk(
        &self,
        cache: &mut Cache,
        text: &[u8],
        p: usize,
        starts: &mut [Vec<usize>],
    ) -> Result<bool, GaveUp> {
        let config = start::Config::new()
            .anchored(Anchored::Yes)
            .look_behind(p.checked_sub(1).map(|i| text[i]));
        let mut sid = self.dfa.start_state(cache, &config).map_err(|_| GaveUp)?;
        let mut at = p;
        loop {
            // The common steps: from a state that is neither a match, nor
            // dead, nor still to be built, to another such state.
            while !sid.is_tagged() && at < text.len() {
                let next = self.dfa.next_state_untagged(cache, sid, text[at]);
                if next.is_tagged() {
                    break;
                }
                sid = next;
                at += 1;
            }
            sid = match text.get(at) {
                Some(&b) => self.dfa.next_state(cache, sid, b),
                None => self.dfa.next_eoi_state(cache, sid),
            }
            .map_err(|_| GaveUp)?;
            if sid.is_tagged() {
                if sid.is_match() {
                    // Matches are seen one byte late: these end at `at`.
                    for k in 0..self.dfa.match_len(cache, sid) {
                        let regex = self.regexes[self.dfa.match_pattern(cache, sid, k).as_usize()];
                        if starts[regex].last() != Some(&p) {
                            starts[regex].push(p);
                        }
                    }
                } else if sid.is_dead() {
                    return Ok(at > p);
                } else if sid.is_quit() {
                    return Err(GaveUp);
                }
            }
            if at == text.len() {
                return Ok(true);
            }
            at += 1;
        }
    }
}
