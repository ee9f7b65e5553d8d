//! Property tests that mirror the cargo-fuzz targets in `fuzz/` (which need libFuzzer and a
//! nightly flag), so that a plain `cargo test` explores the same ground: structured zips and
//! tars with any names, types, declared sizes and overlapping records, and single object files
//! of any bytes. CI runs them once more with a fixed `PROPTEST_RNG_SEED` (see `.ci/run`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Read;

use kbundle_format::{Archive, Error, Limits, Snapshot};
use kbundle_testkit::hostile::*;
use proptest::prelude::*;

fn limits() -> Limits {
    Limits::default()
        .with_max_entries(1_000)
        .with_max_total_bytes(1 << 26)
        .with_max_entry_bytes(1 << 24)
        .with_max_parse_bytes(1 << 22)
}

fn one_line(e: &Error) {
    let s = e.to_string();
    assert!(!s.chars().any(char::is_control), "{s:?}");
}

/// Opens, reads every entry, imports: errors must be one line; panics fail the test.
fn exercise(name: &str, bytes: Vec<u8>) {
    let archive = match Archive::from_bytes(name, bytes, limits()) {
        Ok(a) => a,
        Err(e) => return one_line(&e),
    };
    for s in archive.skipped() {
        assert!(!s.name.chars().any(char::is_control), "{s:?}");
    }
    let paths: Vec<String> = archive.entries().iter().map(|e| e.path.clone()).collect();
    for p in &paths {
        assert!(kbundle_format::entry_path::sanitize(p, 64).as_deref() == Ok(p.as_str()));
        if let Err(e) = archive.read_with(p, |r| {
            std::io::copy(&mut r.take(1 << 24), &mut std::io::sink())
        }) {
            one_line(&e);
        }
    }
    let mut snapshot = Snapshot::new();
    match snapshot.add_archive(archive) {
        Ok(()) => {
            let _ = snapshot.reference_time();
            let _ = snapshot.resource_types();
        }
        Err(e) => one_line(&e),
    }
}

/// Names: hostile pieces glued together.
fn name() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"..".to_vec()),
        Just(b".".to_vec()),
        Just(b"".to_vec()),
        Just(b"C:".to_vec()),
        Just(b"logs".to_vec()),
        Just(b"ns".to_vec()),
        Just(b"pod.json".to_vec()),
        Just(b"c.log".to_vec()),
        Just(b"version.yaml".to_vec()),
        Just(b"manifest.json".to_vec()),
        Just(b"a\\b".to_vec()),
        Just(vec![0]),
        Just(vec![0xff, 0xfe]),
        Just(b"\x1b[2J".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..6),
    ];
    (any::<bool>(), proptest::collection::vec(piece, 1..8)).prop_map(|(absolute, pieces)| {
        let mut n = if absolute { b"/".to_vec() } else { Vec::new() };
        n.extend(pieces.join(&b'/'));
        n
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(br#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a"}}"#.to_vec()),
        Just(b"apiVersion: v1\nkind: List\nitems:\n- kind: Pod\n  apiVersion: v1\n  metadata: {name: p, namespace: n}\n".to_vec()),
        Just(b"Name:   p\nNamespace:  n\nStatus: Running\n".to_vec()),
        Just(b"apiVersion: troubleshoot.sh/v1beta2\nkind: SupportBundle\n".to_vec()),
        Just(br#"{"format":"kbundle/1","tool_version":"0","collected_at":"2025-01-01T00:00:00Z","entries":[]}"#.to_vec()),
        proptest::collection::vec(any::<u8>(), 0..300),
    ]
}

#[derive(Debug, Clone)]
struct ZipSpec {
    name: Vec<u8>,
    body: Vec<u8>,
    deflated: bool,
    /// Declared size: the real one, or anything.
    size: Option<u64>,
    crc_ok: bool,
    mode: Option<u32>,
}

fn zip_spec() -> impl Strategy<Value = ZipSpec> {
    (
        name(),
        body(),
        any::<bool>(),
        prop_oneof![
            3 => Just(None),
            1 => any::<u64>().prop_map(Some),
            1 => (0u64..1 << 22).prop_map(Some),
        ],
        prop_oneof![5 => Just(true), 1 => Just(false)],
        prop_oneof![4 => Just(None), 1 => Just(Some(0o120777)), 1 => Just(Some(0o40755))],
    )
        .prop_map(|(name, body, deflated, size, crc_ok, mode)| ZipSpec {
            name,
            body,
            deflated,
            size,
            crc_ok,
            mode,
        })
}

#[derive(Debug, Clone)]
struct TarSpec {
    name: Vec<u8>,
    kind: u8,
    body: Vec<u8>,
    pax: Option<Vec<u8>>,
}

fn tar_spec() -> impl Strategy<Value = TarSpec> {
    (
        name(),
        prop_oneof![
            4 => Just(TAR_FILE),
            1 => Just(TAR_SYMLINK),
            1 => Just(TAR_HARDLINK),
            1 => Just(TAR_DIR),
            1 => Just(TAR_FIFO),
            1 => any::<u8>(),
        ],
        body(),
        proptest::option::weighted(0.1, name()),
    )
        .prop_map(|(name, kind, body, pax)| TarSpec {
            name,
            kind,
            body,
            pax,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Zips with any names, declared sizes, CRCs, modes, and records that share data.
    #[test]
    fn structured_zips(
        specs in proptest::collection::vec(zip_spec(), 0..12),
        aliases in proptest::collection::vec((name(), any::<usize>()), 0..4),
        cut in proptest::option::weighted(0.2, any::<usize>()),
    ) {
        let entries: Vec<ZipEntry> = specs
            .iter()
            .map(|s| {
                let mut e = if s.deflated {
                    ZipEntry::deflated(&s.name, deflate_stored(&s.body), crc32(&s.body), s.body.len() as u64)
                } else {
                    ZipEntry::stored(&s.name, &s.body)
                };
                if let Some(size) = s.size {
                    e.size = size;
                }
                if !s.crc_ok {
                    e.crc ^= 1;
                }
                e.unix_mode = s.mode;
                e
            })
            .collect();
        let aliases: Vec<(Vec<u8>, usize)> = if entries.is_empty() {
            Vec::new()
        } else {
            aliases.into_iter().map(|(n, i)| (n, i % entries.len())).collect()
        };
        let mut bytes = zip(&entries, &aliases);
        if let Some(cut) = cut {
            let len = bytes.len();
            bytes.truncate(cut % (len + 1));
        }
        exercise("p.zip", bytes);
    }

    /// Tars (plain and gzip) with any names, entry types and PAX paths.
    #[test]
    fn structured_tars(
        specs in proptest::collection::vec(tar_spec(), 0..12),
        gz in any::<bool>(),
        cut in proptest::option::weighted(0.2, any::<usize>()),
    ) {
        let mut t = Vec::new();
        for s in &specs {
            if let Some(p) = &s.pax {
                tar_pax_path(&mut t, p);
            }
            tar_entry(&mut t, &s.name, s.kind, &s.body, b"/etc/passwd");
        }
        tar_end(&mut t);
        let mut bytes = if gz { gzip_stored(&t) } else { t };
        if let Some(cut) = cut {
            let len = bytes.len();
            bytes.truncate(cut % (len + 1));
        }
        exercise(if gz { "p.tar.gz" } else { "p.tar" }, bytes);
    }

    /// xz and zstd inputs (tars, multi-frame, single files), cut anywhere and with bytes
    /// flipped: decoders' errors are one line, nothing panics.
    #[test]
    fn damaged_xz_and_zstd(
        name in prop::sample::select(vec![
            "sample.tar.xz", "sample.tar.zst", "multi.tar.zst", "note.txt.xz", "note.txt.zst",
        ]),
        cut in proptest::option::weighted(0.5, any::<usize>()),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
    ) {
        let path = format!("{}/tests/data/compressed/{name}", env!("CARGO_MANIFEST_DIR"));
        let mut bytes = std::fs::read(&path).unwrap();
        let len = bytes.len();
        for (at, v) in flips {
            bytes[at % len] = v;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut % (len + 1));
        }
        exercise(name, bytes);
    }

    /// One object file of any bytes, under each name the importers tell apart.
    #[test]
    fn single_object_files(
        name in prop::sample::select(vec![
            "objects.json", "objects.yaml", "describe.txt", "kubectl-get-pods.txt",
            "cluster-info.dump", "version.json", "manifest.json", "c.log",
        ]),
        body in body(),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
    ) {
        let mut body = body;
        if !body.is_empty() {
            let len = body.len();
            for (at, v) in flips {
                body[at % len] = v;
            }
        }
        exercise(name, body);
    }
}
