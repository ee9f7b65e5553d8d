//! Deflate (the bundle writer's backend, zlib-rs through flate2) at every level on one core:
//! `cargo run --release -p kbundle-format --example deflate_levels -- FILE...` (used by
//! `benches/compress.sh`). Each file is compressed on its own, as the writer compresses each
//! entry; prints per level the size of all of them against the input and the rate, the best of
//! three runs.

use std::io::Write;
use std::time::Instant;

use flate2::Compression;
use flate2::write::DeflateEncoder;

fn deflate(bytes: &[u8], level: u32) -> usize {
    let mut enc = DeflateEncoder::new(Vec::with_capacity(bytes.len() / 4), Compression::new(level));
    if enc.write_all(bytes).is_err() {
        return bytes.len();
    }
    enc.finish().map_or(bytes.len(), |v| v.len())
}

fn main() {
    let files: Vec<Vec<u8>> = std::env::args()
        .skip(1)
        .filter_map(|f| match std::fs::read(&f) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("deflate_levels: {f}: {e}");
                None
            }
        })
        .collect();
    let input: usize = files.iter().map(Vec::len).sum();
    if input == 0 {
        eprintln!("usage: deflate_levels FILE...");
        std::process::exit(2);
    }
    println!(
        "{} files, {:.1} MB; one core, best of 3",
        files.len(),
        input as f64 / 1e6
    );
    println!("level  compressed      ratio    MB/s");
    for level in 1..=9 {
        let mut best = f64::MAX;
        let mut out = 0;
        for _ in 0..3 {
            let t = Instant::now();
            out = files.iter().map(|f| deflate(f, level)).sum::<usize>();
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{level:>5}  {out:>10}  {:>8.3}  {:>7.1}",
            out as f64 / input as f64,
            input as f64 / 1e6 / best
        );
    }
}
