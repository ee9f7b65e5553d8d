//! Any bytes as an input file: open (zip, tar, tar.gz, gzip or text), read every entry to the
//! end, import into a snapshot. Errors are fine; panics, hangs and runaway memory are not.
#![no_main]

use std::io::Read;

use kbundle_format::{Archive, Limits, Snapshot};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default()
        .with_max_entries(10_000)
        .with_max_total_bytes(64 << 20)
        .with_max_entry_bytes(16 << 20)
        .with_max_parse_bytes(4 << 20);
    let Ok(archive) = Archive::from_bytes("fuzz.bin", data.to_vec(), limits) else {
        return;
    };
    let paths: Vec<String> = archive.entries().iter().map(|e| e.path.clone()).collect();
    for p in &paths {
        let _ = archive.read_with(p, |r| {
            std::io::copy(&mut r.take(16 << 20), &mut std::io::sink())
        });
    }
    let mut snapshot = Snapshot::new();
    if snapshot.add_archive(archive).is_ok() {
        let _ = snapshot.reference_time();
        let _ = snapshot.resource_types();
    }
});
