//! Property tests: no input, however broken, makes the reader panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Read, Write};

use kbundle_format::{Archive, Limits, Snapshot};
use proptest::prelude::*;

fn small_zip() -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for (name, body) in [
        ("pods.json", &br#"{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"p","namespace":"n"}}]}"#[..]),
        ("logs/n/p/c.log", b"hello\nworld\n"),
    ] {
        let _ = zip.start_file(name, options);
        let _ = zip.write_all(body);
    }
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}

/// Opens the bytes and reads everything; errors are fine, panics are not.
fn exercise(bytes: Vec<u8>) {
    let limits = Limits::default().with_max_total_bytes(1 << 24);
    if let Ok(archive) = Archive::from_bytes("fuzz.bin", bytes, limits) {
        let paths: Vec<String> = archive.entries().iter().map(|e| e.path.clone()).collect();
        for p in &paths {
            let _ = archive.read_with(p, |r| {
                let mut sink = Vec::new();
                r.take(1 << 22).read_to_end(&mut sink)
            });
        }
        let mut snapshot = Snapshot::new();
        let _ = snapshot.add_archive(archive);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        exercise(bytes);
    }

    #[test]
    fn mutated_zip_never_panics(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..16), cut in any::<usize>()) {
        let mut bytes = small_zip();
        let len = bytes.len();
        for (at, value) in flips {
            bytes[at % len] = value;
        }
        bytes.truncate(len - cut % (len / 4));
        exercise(bytes);
    }

    #[test]
    fn mutated_tar_gz_never_panics(flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(5);
        let _ = b.append_data(&mut h, "x/y.json", &b"{}   "[..]);
        let tar = b.into_inner().unwrap_or_default();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let _ = gz.write_all(&tar);
        let mut bytes = gz.finish().unwrap_or_default();
        let len = bytes.len();
        for (at, value) in flips {
            bytes[at % len] = value;
        }
        exercise(bytes);
    }
}
