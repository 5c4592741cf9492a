//! Build script: names the analysis this binary performs, for the
//! analysis cache. The identity is a hash of every file of the program's
//! source, pattern library and data, and of the locked dependency
//! versions, so a cached analysis is reused only by a binary built from
//! the same sources.

use std::path::{Path, PathBuf};

/// Directories and files that decide what an analysis produces.
const INPUTS: [&str; 4] = ["src", "patterns", "data", "Cargo.lock"];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// 64-bit FNV-1a: enough to tell builds apart, and needs no crate here.
fn fnv1a(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= u64::from(b);
        *hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
}

fn main() {
    let mut paths = Vec::new();
    for dir in INPUTS {
        println!("cargo:rerun-if-changed={dir}");
        files(Path::new(dir), &mut paths);
    }
    paths.sort();
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for path in &paths {
        fnv1a(&mut hash, path.to_string_lossy().as_bytes());
        fnv1a(&mut hash, &[0]);
        fnv1a(&mut hash, &std::fs::read(path).unwrap_or_default());
        fnv1a(&mut hash, &[0]);
    }
    println!(
        "cargo:rustc-env=POLICYSCAN_ANALYSIS_ID={}-{hash:016x}",
        std::env::var("CARGO_PKG_VERSION").unwrap_or_default()
    );
}
