//! What one bundle entry costs to prepare (deflate, CRC-32, SHA-256 and its one-entry zip), on
//! one core: `cargo run --release -p kbundle-format --example entry_cost -- FILE...`. Each file
//! is prepared as an entry many times over (as many as make about 64 MiB, at least 100, at
//! most 20,000); prints per file its size and the microseconds per entry, the best of three
//! runs. A `.log` file gets the logs' deflate level, anything else the objects' and texts'
//! (docs/performance.md, "Ninth round": a 0.9 KB describe text costs about 14 µs, mostly
//! deflate's per-stream set-up).

use std::time::Instant;

use kbundle_format::PreparedEntry;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        return Err("usage: entry_cost FILE...".into());
    }
    for file in files {
        let bytes = std::fs::read(&file).map_err(|e| format!("{file}: {e}"))?;
        let path = if file.ends_with(".log") {
            "x/entry.log"
        } else {
            "x/entry.txt"
        };
        let n = ((64usize << 20) / bytes.len().max(1)).clamp(100, 20_000);
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let start = Instant::now();
            for _ in 0..n {
                std::hint::black_box(PreparedEntry::new(path, std::hint::black_box(&bytes))?);
            }
            best = best.min(start.elapsed().as_secs_f64() / n as f64);
        }
        println!(
            "{file}: {} bytes, {:.1} us per entry",
            bytes.len(),
            best * 1e6
        );
    }
    Ok(())
}
