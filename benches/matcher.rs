//! Criterion bench of the matcher (`Matcher::find_all`: the Aho-Corasick
//! pass over the literals, then every rule regex) with the built-in pattern
//! library, over normalized real text; throughput is normalized bytes
//! scanned, on one core.

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/corpus.rs"]
mod corpus;

fn bench(c: &mut Criterion) {
    let matcher = policyscan::load_matcher(None, None).expect("built-in patterns compile");
    corpus::bench_normalized(c, "matcher", |t| matcher.find_all(t.text()).len());
}

criterion_group!(benches, bench);
criterion_main!(benches);
