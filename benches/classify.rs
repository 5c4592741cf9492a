//! Criterion bench of the whole analysis of one document
//! (`classify::analyze`: layout, sentences, the matcher, cues, stances,
//! parity, codes) with the built-in pattern library, over normalized real
//! text; throughput is normalized bytes analysed, on one core. The
//! `matcher` bench is the matching part alone.

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/corpus.rs"]
mod corpus;

fn bench(c: &mut Criterion) {
    let matcher = policyscan::load_matcher(None, None).expect("built-in patterns compile");
    corpus::bench_normalized(c, "classify", |t| {
        policyscan::classify::analyze(t, &matcher).findings.len()
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
