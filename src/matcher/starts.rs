//! Where the regexes' matches start: one lazy DFA of every regex that
//! begins with a word boundary, walked anchored from each ASCII word
//! boundary of a text, names the regexes that can match starting there.
//!
//! The walk reports every regex with a match (`MatchKind::All`) that
//! starts at the boundary, and the ends it sees. Its regexes are widened
//! (`widen.rs`: any character outside ASCII for another), so on a text of
//! ASCII it gives exactly the offsets where an anchored try of the regex
//! finds a match; elsewhere it may give a few more, which the try rejects.
//! Its states are shared by every text (they stand for prefixes of
//! matches, not for whole texts, as an unanchored automaton's would), so a
//! run builds most of them on its first documents.

use regex_automata::Anchored;
use regex_automata::hybrid::LazyStateID;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::util::start;

use super::compile::set_dfa_of;
use super::widen::widened;
use super::{Candidate, UNKNOWN_END};

/// The most a thread's cache of the automaton holds before it is cleared
/// and rebuilt: the dev set uses 4.8 MB.
const CACHE_CAPACITY: usize = 16 << 20;

/// The automaton of the regexes that begin with a word boundary, and of
/// the rules' literals that begin with a word byte.
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
    /// Where a text's walks start.
    origins: Vec<usize>,
    /// The regexes whose starts a text's walks found out of order.
    disordered: Vec<usize>,
    /// The cache's clear count when every start state was last built in
    /// it ([`Starts::build_start_states`]).
    starts_built: Option<usize>,
    /// The start state of a walk after each byte (and after none: index
    /// 256), as last built.
    start_states: Vec<LazyStateID>,
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

/// Bit `i` set for each word byte `chunk[i]` (at most 64 bytes).
fn word_mask(chunk: &[u8]) -> u64 {
    let mut flags = [0u8; 64];
    for (flag, &b) in flags.iter_mut().zip(chunk) {
        *flag = u8::from(WORD[usize::from(b)]);
    }
    // Eight flags of one byte each become eight bits: the product puts
    // flag `i` at bit `56 + i`, without carries.
    let mut mask = 0;
    for (k, eight) in flags.chunks_exact(8).enumerate() {
        let eight = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
        mask |= (eight.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    mask
}

/// The walk could not go on (a state the automaton cannot build): the
/// caller finds the regexes' matches another way.
#[derive(Debug)]
pub(crate) struct GaveUp;

impl Starts {
    /// One automaton of `regexes` (index and source); `None` when it
    /// cannot be built (too large, or a Unicode word boundary).
    pub(crate) fn build(regexes: &[(usize, String)]) -> Option<Starts> {
        Starts::build_with(regexes, CACHE_CAPACITY)
    }

    /// [`Starts::build`] with a thread's cache holding at most
    /// `cache_capacity` bytes (or the least the automaton needs).
    fn build_with(regexes: &[(usize, String)], cache_capacity: usize) -> Option<Starts> {
        if regexes.is_empty() {
            return None;
        }
        let hirs: Vec<_> = regexes
            .iter()
            .map(|(_, s)| widened(s))
            .collect::<Option<_>>()?;
        let dfa = set_dfa_of(&hirs, cache_capacity)?;
        Some(Starts {
            dfa,
            regexes: regexes.iter().map(|&(i, _)| i).collect(),
        })
    }

    /// The regexes the automaton holds, by their index in the library.
    #[cfg(test)]
    pub(crate) fn regexes(&self) -> &[usize] {
        &self.regexes
    }

    /// What a thread walks this automaton with.
    pub(crate) fn walker(&self) -> Walker {
        Walker {
            cache: Cache::new(&self.dfa),
            first_step: vec![UNKNOWN; 257 * 256],
            origins: Vec::new(),
            disordered: Vec::new(),
            starts_built: None,
            start_states: vec![LazyStateID::default(); 257],
        }
    }

    /// Adds to `starts[i]` every offset of `text` where a match of regex
    /// `i` can start, in order and each once, with the end of its match
    /// when the walk saw only one, which is the match's when the text up to
    /// it is ASCII (`starts` is indexed by regex and empty for the
    /// automaton's regexes); and to `found` each regex it adds a start
    /// for, once.
    ///
    /// [`LANES`] walks go on at once, a step of each in turn: a step
    /// waits on a read of the automaton's table, which is seldom in the
    /// processor's nearest caches, and the reads of different walks do not
    /// wait on each other.
    ///
    /// Never inlined: the loop's code is then the same whatever calls it,
    /// and inlined into its caller it had run 6% slower.
    #[inline(never)]
    pub(crate) fn find(
        &self,
        walker: &mut Walker,
        text: &[u8],
        starts: &mut [Vec<Candidate>],
        found: &mut Vec<usize>,
    ) -> Result<(), GaveUp> {
        // The boundaries, 64 bytes at a time as a mask of bits, without a
        // branch on each byte; then those whose first step is not known to
        // end the walk.
        let origins = &mut walker.origins;
        origins.clear();
        let first_step = &walker.first_step;
        let mut word_before = 0;
        for (c, chunk) in text.chunks(64).enumerate() {
            let words = word_mask(chunk);
            let mut bounds = words ^ (words << 1 | word_before);
            if chunk.len() < 64 {
                bounds &= (1 << chunk.len()) - 1;
            }
            word_before = words >> (chunk.len() - 1) & 1;
            while bounds != 0 {
                let p = c * 64 + bounds.trailing_zeros() as usize;
                if first_step[first_step_key(text, p)] != DIES {
                    origins.push(p);
                }
                bounds &= bounds - 1;
            }
        }
        walker.disordered.clear();
        if walker.starts_built != Some(walker.cache.clear_count()) {
            self.build_start_states(walker)?;
        }
        let mut lanes = [Lane::none(); LANES];
        let mut next = 0;
        let mut clears = walker.cache.clear_count();
        loop {
            let mut busy = false;
            for k in 0..LANES {
                let lane = &mut lanes[k];
                if lane.is_idle() {
                    // Its start state is built already: starting it
                    // clears no cache.
                    match Starts::next_origin(walker, text, &mut next) {
                        Some(started) => *lane = started,
                        None => continue,
                    }
                }
                busy = true;
                let sid = lane.sid;
                if !sid.is_tagged() && lane.at < text.len() {
                    let to = self
                        .dfa
                        .next_state_untagged(&walker.cache, sid, text[lane.at]);
                    if !to.is_tagged() {
                        lane.sid = to;
                        lane.at += 1;
                        continue;
                    }
                    if to.is_dead() {
                        walker.walk_ended(text, lane, lane.at > lane.origin);
                        continue;
                    }
                }
                if let Some(lived) = self.step(walker, text, lane, starts, found)? {
                    walker.walk_ended(text, lane, lived);
                }
                if walker.cache.clear_count() != clears {
                    // The other walks' states went with the cache, and so
                    // did the start states: building those again may clear
                    // it again, and then this walk's state goes too.
                    let cleared = walker.cache.clear_count();
                    self.build_start_states(walker)?;
                    let kept = (walker.cache.clear_count() == cleared).then_some(k);
                    clears = walker.cache.clear_count();
                    for (j, other) in lanes.iter_mut().enumerate() {
                        if Some(j) != kept && !other.is_idle() {
                            *other = Starts::lane(walker, text, other.origin);
                        }
                    }
                }
            }
            if !busy {
                break;
            }
        }
        for &regex in &walker.disordered {
            let list = &mut starts[regex];
            list.sort_unstable();
            // One start with two ends: a try finds which is the match's.
            list.dedup_by(|later, kept| {
                if later.start != kept.start {
                    return false;
                }
                if later.end != kept.end {
                    kept.end = UNKNOWN_END;
                }
                true
            });
        }
        Ok(())
    }

    /// Builds the start state of a walk after every byte (and after none),
    /// so that starting a walk builds no state, which might clear the
    /// cache while other walks are under way.
    fn build_start_states(&self, walker: &mut Walker) -> Result<(), GaveUp> {
        loop {
            let clears = walker.cache.clear_count();
            let before = (0..=255u8).map(Some).chain(std::iter::once(None));
            for (k, byte) in before.enumerate() {
                walker.start_states[k] = self
                    .dfa
                    .start_state(&mut walker.cache, &start_config(byte))
                    .map_err(|_| GaveUp)?;
            }
            if walker.cache.clear_count() == clears {
                walker.starts_built = Some(clears);
                return Ok(());
            }
        }
    }

    /// The next walk to start, from `walker.origins[*next..]`: one whose
    /// first step is not known to end it.
    fn next_origin(walker: &Walker, text: &[u8], next: &mut usize) -> Option<Lane> {
        while let Some(&origin) = walker.origins.get(*next) {
            *next += 1;
            if walker.first_step[first_step_key(text, origin)] == DIES {
                continue;
            }
            return Some(Starts::lane(walker, text, origin));
        }
        None
    }

    /// A walk from `origin`, at its start (whose state is built).
    fn lane(walker: &Walker, text: &[u8], origin: usize) -> Lane {
        Lane {
            origin,
            at: origin,
            sid: walker.start_states[byte_before(text, origin)],
        }
    }

    /// The step of `lane` that is not a plain one (a state to build, a
    /// match, the end): `Some` when the walk is over, with whether it
    /// outlived its first step.
    fn step(
        &self,
        walker: &mut Walker,
        text: &[u8],
        lane: &mut Lane,
        starts: &mut [Vec<Candidate>],
        found: &mut Vec<usize>,
    ) -> Result<Option<bool>, GaveUp> {
        let cache = &mut walker.cache;
        let sid = match text.get(lane.at) {
            Some(&b) => self.dfa.next_state(cache, lane.sid, b),
            None => self.dfa.next_eoi_state(cache, lane.sid),
        }
        .map_err(|_| GaveUp)?;
        if sid.is_tagged() {
            if sid.is_match() {
                // Matches are seen one byte late: these end at `lane.at`.
                for k in 0..self.dfa.match_len(cache, sid) {
                    let pattern = self.dfa.match_pattern(cache, sid, k).as_usize();
                    let end = lane.at;
                    let candidate = Candidate {
                        start: lane.origin,
                        end,
                    };
                    let regex = self.regexes[pattern];
                    let list = &mut starts[regex];
                    match list.last_mut() {
                        Some(last) if last.start == lane.origin => {
                            if last.end != end {
                                last.end = UNKNOWN_END;
                            }
                        }
                        Some(last) if last.start > lane.origin => {
                            if !walker.disordered.contains(&regex) {
                                walker.disordered.push(regex);
                            }
                            list.push(candidate);
                        }
                        Some(_) => list.push(candidate),
                        None => {
                            found.push(regex);
                            list.push(candidate);
                        }
                    }
                }
            } else if sid.is_dead() {
                return Ok(Some(lane.at > lane.origin));
            } else if sid.is_quit() {
                return Err(GaveUp);
            }
        }
        if lane.at == text.len() {
            return Ok(Some(true));
        }
        lane.sid = sid;
        lane.at += 1;
        Ok(None)
    }
}

/// How many walks go on at once.
const LANES: usize = 4;

/// One walk under way.
#[derive(Debug, Clone, Copy)]
struct Lane {
    /// Where it started (`usize::MAX`: no walk).
    origin: usize,
    /// The next byte it reads.
    at: usize,
    sid: LazyStateID,
}

impl Lane {
    fn none() -> Lane {
        Lane {
            origin: usize::MAX,
            at: usize::MAX,
            sid: LazyStateID::default(),
        }
    }

    fn is_idle(&self) -> bool {
        self.origin == usize::MAX
    }
}

/// The start of an anchored walk after byte `before` (or at the text's
/// start).
fn start_config(before: Option<u8>) -> start::Config {
    start::Config::new()
        .anchored(Anchored::Yes)
        .look_behind(before)
}

/// The index in [`Walker::first_step`] of the boundary at `p`.
fn first_step_key(text: &[u8], p: usize) -> usize {
    byte_before(text, p) * 256 + usize::from(text[p])
}

/// The byte before offset `p` of `text`, or 256 at its start: the index of
/// a walk's start state in [`Walker::start_states`].
fn byte_before(text: &[u8], p: usize) -> usize {
    p.checked_sub(1).map_or(256, |i| usize::from(text[i]))
}

impl Walker {
    /// Ends `lane`'s walk, and learns whether a walk from its origin
    /// outlives its first step.
    #[inline]
    fn walk_ended(&mut self, text: &[u8], lane: &mut Lane, lived: bool) {
        self.first_step[first_step_key(text, lane.origin)] = if lived { LIVES } else { DIES };
        *lane = Lane::none();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The starts the walk finds in each text with `starts`, and how many
    /// times its cache was cleared.
    fn walked(
        starts: &Starts,
        texts: &[String],
        count: usize,
    ) -> (Vec<Vec<Vec<Candidate>>>, usize) {
        let mut walker = starts.walker();
        let found = texts
            .iter()
            .map(|text| {
                let mut found = vec![Vec::new(); count];
                starts
                    .find(&mut walker, text.as_bytes(), &mut found, &mut Vec::new())
                    .unwrap();
                found
            })
            .collect();
        (found, walker.cache.clear_count())
    }

    #[test]
    fn walks_start_at_every_word_boundary_whatever_the_text_length() {
        let starts = Starts::build(&[(0, r"(?-u:\b)x".to_string())]).unwrap();
        let alphabet = b"aZ_9 .-\xC3\xA9x";
        let mut seed = 7u32;
        for len in [0, 1, 2, 63, 64, 65, 127, 128, 129, 300] {
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    alphabet[(seed >> 16) as usize % alphabet.len()]
                })
                .collect();
            // A new walker knows no first step: it walks from each.
            let mut walker = starts.walker();
            let mut found = vec![Vec::new()];
            starts
                .find(&mut walker, &text, &mut found, &mut Vec::new())
                .unwrap();
            let boundaries: Vec<usize> = (0..len)
                .filter(|&p| super::super::is_ascii_word_boundary(&text, p))
                .collect();
            assert_eq!(walker.origins, boundaries, "{}", text.escape_ascii());
        }
    }

    #[test]
    fn walks_whose_states_go_with_a_cleared_cache_start_again() {
        let m = crate::matcher::test_matcher();
        let automata = m.automata();
        let count = automata.gate.count;
        let patterns: Vec<(usize, String)> = (0..count)
            .filter(|&i| automata.gate.bounded[i])
            .map(|i| (i, m.regex_src[i].clone()))
            .collect();
        let texts: Vec<String> = crate::matcher::tests::phrasings()
            .into_iter()
            .map(|(_, raw)| {
                let norm = crate::normalize::NormalizedText::from_pages(&[raw]);
                norm.text().to_string()
            })
            .collect();
        let roomy = Starts::build(&patterns).unwrap();
        let cramped = Starts::build_with(&patterns, 0).unwrap();
        let (expected, none) = walked(&roomy, &texts, count);
        let (found, clears) = walked(&cramped, &texts, count);
        assert_eq!(none, 0);
        assert!(clears > 10, "the cache was cleared {clears} times");
        assert_eq!(found, expected);
    }
}
