//! The hostile-input corpus, built by code, against the library: every case ends in a clear
//! one-line error or a clean partial result (entries skipped with a reason), without panics.
//! `tests/e2e/hostile.rs` runs the same kinds of input through the real binary, with CPU-time
//! and memory bounds.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{Read, Write};

use kbundle_format::{Archive, ArchiveKind, Error, Limits, Snapshot};
use kbundle_testkit::hostile::*;
use kbundle_testkit::work::measure;

fn open(name: &str, bytes: Vec<u8>) -> Result<Archive, Error> {
    Archive::from_bytes(name, bytes, Limits::default())
}

fn reasons(a: &Archive) -> Vec<(String, String)> {
    a.skipped()
        .iter()
        .map(|s| (s.name.clone(), s.reason.clone()))
        .collect()
}

fn paths(a: &Archive) -> Vec<&str> {
    a.entries().iter().map(|e| e.path.as_str()).collect()
}

/// Reads every entry to the end (bounded), and imports the input: errors are fine, panics are
/// not. Returns the snapshot when the import succeeded.
fn exercise(archive: Archive) -> Option<Snapshot> {
    let all: Vec<String> = archive.entries().iter().map(|e| e.path.clone()).collect();
    for p in &all {
        let _ = archive.read_with(p, |r| {
            std::io::copy(&mut r.take(1 << 26), &mut std::io::sink())
        });
    }
    let mut snapshot = Snapshot::new();
    snapshot.add_archive(archive).ok().map(|()| snapshot)
}

fn assert_one_line(err: &Error) {
    let s = err.to_string();
    assert!(!s.contains('\n') && !s.contains('\r'), "{s:?}");
    assert!(!s.is_empty());
}

/// A raw deflate stream (no zlib or gzip header).
fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn inflate(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(data)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// A deflate stream of `times` copies of `chunk`, compressing `chunk` once: full-flush blocks
/// are independent, so the same block bytes can be repeated. This is how a 2 GiB entry is made
/// in milliseconds.
fn deflate_repeated(chunk: &[u8], times: usize) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let mut block = Vec::with_capacity(chunk.len() / 100 + 1024);
    c.compress_vec(chunk, &mut block, flate2::FlushCompress::Full)
        .unwrap();
    assert_eq!(c.total_in() as usize, chunk.len());
    let mut out = Vec::with_capacity(block.len() * times + 16);
    for _ in 0..times {
        out.extend_from_slice(&block);
    }
    out.extend_from_slice(&[3, 0]); // a final, empty fixed-Huffman block
    out
}

#[test]
fn deflate_helpers_round_trip() {
    let chunk = vec![b'x'; 4096];
    assert_eq!(inflate(&deflate_repeated(&chunk, 3)), vec![b'x'; 3 * 4096]);
    assert_eq!(inflate(&deflate_run(b'a', 1000)), vec![b'a'; 1000]);
    assert_eq!(inflate(&deflate_run(200, 517)), vec![200; 517]);
    assert_eq!(inflate(&deflate_stored(b"hello")), b"hello");
    let gz = gzip_stored(b"hello\n");
    let mut out = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(out, "hello\n");
}

const OK_JSON: &[u8] =
    br#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"calico-system"}}"#;

/// Every hostile name in a zip: refused with its reason, the rest of the input still read.
#[test]
fn zip_hostile_names() {
    let names: Vec<(&[u8], Option<&str>)> = vec![
        (b"../../etc/passwd", Some("parent-directory (..) component")),
        (b"a/../../b.log", Some("parent-directory (..) component")),
        (b"/etc/shadow", Some("absolute path")),
        (b"//server/share/x", Some("absolute path")),
        (b"C:/Windows/win.ini", Some("drive-letter path")),
        (b"c:evil.log", Some("drive-letter path")),
        (b"./C:/x.log", Some("drive-letter path")),
        (b"a\\..\\..\\b.log", Some("backslash in name")),
        (b"a\0b.log", Some("NUL byte in name")),
        (b"a\x1b[31mred.log", Some("control character in name")),
        (b"a\nb.log", Some("control character in name")),
        (b"a\rb.log", Some("control character in name")),
        (b"a\x7fb.log", Some("control character in name")),
        (b"\xff\xfe.log", Some("name is not valid UTF-8")),
        (b"a/\xc0\xaf/b.log", Some("name is not valid UTF-8")),
        (b"", Some("empty name")),
        (b"././", Some("empty name")),
        (b"./ok/./a.json", None),
        (b"ok//b.log", None),
        (b"ok/\xe2\x80\xaetxt.exe", None), // right-to-left override: printable, kept
        (
            b"ok/a.json",
            Some("duplicate name (the first entry of that name is kept)"),
        ),
    ];
    let entries: Vec<ZipEntry> = names
        .iter()
        .map(|(n, _)| ZipEntry::stored(n, OK_JSON))
        .collect();
    let a = open("names.zip", zip(&entries, &[])).unwrap();
    let got = reasons(&a);
    let want: Vec<(String, String)> = names
        .iter()
        .filter_map(|(n, r)| {
            r.map(|r| {
                (
                    String::from_utf8_lossy(n).escape_debug().to_string(),
                    r.to_string(),
                )
            })
        })
        .collect();
    // Empty names are directories to the zip reader (they end with `/` or are empty): those
    // are not listed at all.
    let got_set: Vec<_> = got.iter().filter(|(n, _)| !n.is_empty()).cloned().collect();
    let want_set: Vec<_> = want
        .iter()
        .filter(|(n, _)| !n.is_empty() && n != "././")
        .cloned()
        .collect();
    assert_eq!(got_set, want_set);
    assert_eq!(
        paths(&a),
        vec!["ok/a.json", "ok/b.log", "ok/\u{202e}txt.exe"]
    );
    for s in a.skipped() {
        assert!(!s.name.contains('\n') && !s.name.contains('\x1b'), "{s:?}");
    }
    let snapshot = exercise(a).unwrap();
    assert_eq!(snapshot.len(), 1);
}

/// The same names in a tar (plain, GNU long name and PAX path), plus links and devices.
#[test]
fn tar_hostile_names_links_and_devices() {
    let mut t = Vec::new();
    tar_entry(&mut t, b"../../etc/passwd", TAR_FILE, b"x", b"");
    tar_entry(&mut t, b"/etc/shadow", TAR_FILE, b"x", b"");
    tar_entry(&mut t, b"C:/x.log", TAR_FILE, b"x", b"");
    tar_entry(&mut t, b"a\x1bb.log", TAR_FILE, b"x", b"");
    tar_entry(&mut t, b"\xff.log", TAR_FILE, b"x", b"");
    let long = format!("{}../../../etc/cron.d/x", "a/".repeat(60));
    tar_entry(&mut t, long.as_bytes(), TAR_FILE, b"x", b"");
    tar_pax_path(&mut t, b"../../pax-escape");
    tar_entry(&mut t, b"innocent.log", TAR_FILE, b"x", b"");
    tar_entry(&mut t, b"b/link", TAR_SYMLINK, b"", b"/etc");
    tar_entry(&mut t, b"b/link/passwd", TAR_FILE, OK_JSON, b""); // a name, never a path on disk
    tar_entry(&mut t, b"b/hard", TAR_HARDLINK, b"", b"/etc/shadow");
    tar_entry(&mut t, b"b/tty", TAR_CHAR, b"", b"");
    tar_entry(&mut t, b"b/fifo", TAR_FIFO, b"", b"");
    tar_entry(&mut t, b"b/dir", TAR_DIR, b"", b"");
    tar_entry(&mut t, b"b/ns.json", TAR_FILE, OK_JSON, b"");
    tar_end(&mut t);
    let a = open("names.tar", t.clone()).unwrap();
    assert_eq!(a.kind(), ArchiveKind::Tar);
    assert_eq!(paths(&a), vec!["b/link/passwd", "b/ns.json"]);
    let got: Vec<String> = reasons(&a).into_iter().map(|(_, r)| r).collect();
    assert_eq!(
        got,
        vec![
            "parent-directory (..) component",
            "absolute path",
            "drive-letter path",
            "control character in name",
            "name is not valid UTF-8",
            "parent-directory (..) component",
            "parent-directory (..) component",
            "symbolic link",
            "hard link",
            "not a regular file (Char)",
            "not a regular file (Fifo)",
        ]
    );
    assert_eq!(exercise(a).unwrap().len(), 1);
    // The same as tar.gz.
    let a = open("names.tar.gz", gzip_stored(&t)).unwrap();
    assert_eq!(a.kind(), ArchiveKind::TarGz);
    assert_eq!(paths(&a), vec!["b/link/passwd", "b/ns.json"]);
    assert_eq!(exercise(a).unwrap().len(), 1);
}

#[test]
fn zip_symlink_entries_are_skipped() {
    let mut link = ZipEntry::stored("logs/ns/p/c.log", b"/etc/passwd");
    link.unix_mode = Some(0o120777);
    let a = open(
        "links.zip",
        zip(&[link, ZipEntry::stored("ns.json", OK_JSON)], &[]),
    )
    .unwrap();
    assert_eq!(paths(&a), vec!["ns.json"]);
    assert_eq!(
        reasons(&a),
        vec![("logs/ns/p/c.log".to_string(), "symbolic link".to_string())]
    );
}

#[test]
fn deep_nesting() {
    let deep = format!("{}x.json", "d/".repeat(10_000));
    let at_limit = format!("{}x.json", "d/".repeat(63));
    let over = format!("{}x.json", "d/".repeat(64));
    let a = open(
        "deep.zip",
        zip(
            &[
                ZipEntry::stored(&deep, OK_JSON),
                ZipEntry::stored(&at_limit, OK_JSON),
                ZipEntry::stored(&over, OK_JSON),
            ],
            &[],
        ),
    )
    .unwrap();
    assert_eq!(paths(&a), vec![at_limit.as_str()]);
    assert!(reasons(&a).iter().all(|(_, r)| r == "nested too deeply"));
    let mut t = Vec::new();
    tar_entry(&mut t, deep.as_bytes(), TAR_FILE, OK_JSON, b"");
    tar_end(&mut t);
    let a = open("deep.tar", t).unwrap();
    assert!(a.entries().is_empty());
    assert_eq!(reasons(&a)[0].1, "nested too deeply");

    // A folder 100 levels deep: read down to the limit, the rest skipped with a reason.
    let dir = tempfile::tempdir().unwrap();
    let mut p = dir.path().to_path_buf();
    for _ in 0..100 {
        p.push("d");
    }
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("x.json"), OK_JSON).unwrap();
    std::fs::write(dir.path().join("top.json"), OK_JSON).unwrap();
    let a = Archive::open(dir.path(), Limits::default()).unwrap();
    assert_eq!(paths(&a), vec!["top.json"]);
    assert_eq!(reasons(&a).len(), 1);
    assert_eq!(reasons(&a)[0].1, "nested too deeply");
}

fn tiny_entries(n: usize) -> Vec<ZipEntry> {
    (0..n)
        .map(|i| ZipEntry::stored(format!("logs/ns/p{}/c{}.log", i / 100, i % 100), b"x\n"))
        .collect()
}

#[test]
fn a_hundred_thousand_tiny_entries() {
    let bytes = zip(&tiny_entries(100_000), &[]);
    let a = open("many.zip", bytes).unwrap();
    assert_eq!(a.entries().len(), 100_000);
    let snapshot = exercise(a).unwrap();
    assert_eq!(snapshot.logs().len(), 100_000);

    let err = open("too-many.zip", zip(&tiny_entries(100_001), &[])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "too-many.zip: number of entries exceeds the limit of 100000 (see --help for how to raise limits)"
    );

    // tar.gz: one pass at open, and one pass to import.
    let mut t = Vec::new();
    for i in 0..100_000 {
        tar_entry(
            &mut t,
            format!("o/{i}.json").as_bytes(),
            TAR_FILE,
            b"{}",
            b"",
        );
    }
    tar_end(&mut t);
    let a = open("many.tar.gz", gzip_stored(&t)).unwrap();
    assert_eq!(a.entries().len(), 100_000);
    let mut snapshot = Snapshot::new();
    snapshot.add_archive(a).unwrap();
}

/// Declared sizes patched to 10 GiB (zip64 fields): skipped, never allocated.
#[test]
fn ten_gib_declared_entry() {
    let data = deflate(b"small");
    let mut big = ZipEntry::deflated("logs/ns/p/c.log", data.clone(), crc32(b"small"), 10 << 30);
    big.size = 10 << 30;
    let bytes = zip(&[big, ZipEntry::stored("ns.json", OK_JSON)], &[]);
    let a = open("10g.zip", bytes.clone()).unwrap();
    assert_eq!(paths(&a), vec!["ns.json"]);
    assert!(
        reasons(&a)[0].1.contains("compression ratio"),
        "{:?}",
        reasons(&a)
    );
    // Without the ratio limit, the per-entry size limit skips it.
    let limits = Limits::default().with_max_ratio(u64::MAX);
    let a = Archive::from_bytes("10g.zip", bytes, limits).unwrap();
    assert_eq!(
        reasons(&a)[0].1,
        "declared size 10737418240 bytes exceeds the per-entry limit of 4294967296 bytes"
    );
    // Five entries that each pass, but not together: the input is refused.
    let entries: Vec<ZipEntry> = (0..5)
        .map(|i| ZipEntry::deflated(format!("{i}.log"), data.clone(), 0, 4 << 30))
        .collect();
    let err = Archive::from_bytes("20g.zip", zip(&entries, &[]), limits).unwrap_err();
    assert_eq!(
        err.to_string(),
        "20g.zip: total uncompressed size exceeds the limit of 17179869184 bytes (see --help for how to raise limits)"
    );
}

/// An entry that yields more than it declares is an error when read, never a silent cut.
#[test]
fn entry_larger_than_declared_fails_when_read() {
    let body = vec![b'{'; 100_000];
    let mut e = ZipEntry::deflated("x.json", deflate(&body), crc32(&body), 10);
    e.size = 10;
    let a = open("lie.zip", zip(&[e], &[])).unwrap();
    let err = a.read_bytes("x.json", 1 << 20).unwrap_err();
    assert_one_line(&err);
    assert!(
        err.to_string().starts_with("lie.zip: entry x.json: "),
        "{err}"
    );
    let mut snapshot = Snapshot::new();
    let err = snapshot.add_archive(a).unwrap_err();
    assert_one_line(&err);
}

/// A zip entry whose data is bad (a flipped byte in a stored entry, a wrong CRC on a deflated
/// one, a broken deflate stream) is skipped with its reason when the input is imported; every
/// other entry is still read. A log is read lazily: its bad CRC is a one-line error when read.
#[test]
fn zip_entries_with_bad_data_are_skipped() {
    const POD_YAML: &[u8] =
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: good\n  namespace: ns\n";
    const NODE_JSON: &[u8] = br#"{"apiVersion":"v1","kind":"Node","metadata":{"name":"n1"}}"#;
    const LOG: &[u8] = b"2025-03-14 09:12:01 line one\n2025-03-14 09:12:02 line two\n";
    let deflated = |name: &str, data: &[u8]| {
        ZipEntry::deflated(name, deflate(data), crc32(data), data.len() as u64)
    };
    let bad_json = |name: &str| {
        format!(r#"{{"apiVersion":"v1","kind":"Node","metadata":{{"name":"{name}"}}}}"#)
    };

    // A stored entry with one byte of its data flipped (its CRC is that of the original).
    let mut flipped = ZipEntry::stored("bad-stored.yaml", POD_YAML);
    flipped.data[40] ^= 0x01;
    // A deflated entry whose stored CRC is wrong.
    let mut wrong_crc = deflated("bad-crc.json", bad_json("x").as_bytes());
    wrong_crc.crc ^= 0x8000_0001;
    // A deflated entry whose stream is broken: first block of the reserved type 3.
    let mut broken = deflated("broken.json", bad_json("y").as_bytes());
    broken.data[0] |= 0b110;
    // A kbundle manifest with a bad CRC: not a manifest, the input is read as generic.
    let mut manifest = ZipEntry::stored("manifest.json", br#"{"format":"kbundle/1"}"#);
    manifest.crc ^= 1;
    // A log with a bad CRC: listed by name, its error comes when it is read.
    let mut bad_log = deflated("logs/ns/good/c.previous.log", LOG);
    bad_log.crc ^= 1;

    let entries = vec![
        manifest,
        ZipEntry::stored("pod.yaml", POD_YAML),
        flipped,
        deflated("nodes.json", NODE_JSON),
        wrong_crc,
        broken,
        deflated("logs/ns/good/c.log", LOG),
        bad_log,
    ];
    let a = open("damaged.zip", zip(&entries, &[])).unwrap();
    assert_eq!(
        a.entries().len(),
        8,
        "nothing is read when the input is opened"
    );
    assert!(a.skipped().is_empty(), "{:?}", reasons(&a));
    // Reading a bad entry directly is a one-line error naming it.
    let err = a.read_bytes("bad-crc.json", 1 << 20).unwrap_err();
    assert_one_line(&err);
    assert_eq!(
        err.to_string(),
        "damaged.zip: entry bad-crc.json: corrupt data: CRC-32 mismatch"
    );

    let mut snapshot = Snapshot::new();
    snapshot.add_archive(a).unwrap();
    let input = &snapshot.inputs()[0];
    assert_eq!(input.layout.name(), "generic");
    let mut kinds: Vec<String> = snapshot
        .objects()
        .map(|o| {
            format!(
                "{}/{}",
                o.value["kind"].as_str().unwrap(),
                o.value["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    kinds.sort();
    assert_eq!(kinds, vec!["Node/n1", "Pod/good"]);
    assert_eq!(
        paths(&input.archive),
        vec![
            "pod.yaml",
            "nodes.json",
            "logs/ns/good/c.log",
            "logs/ns/good/c.previous.log"
        ]
    );
    let skipped = reasons(&input.archive);
    assert_eq!(skipped.len(), 4, "{skipped:?}");
    let reason_of = |name: &str| {
        skipped
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, r)| r.as_str())
            .unwrap_or_else(|| panic!("{name} not skipped: {skipped:?}"))
    };
    assert_eq!(reason_of("manifest.json"), "corrupt data: CRC-32 mismatch");
    assert_eq!(
        reason_of("bad-stored.yaml"),
        "corrupt data: CRC-32 mismatch"
    );
    assert_eq!(reason_of("bad-crc.json"), "corrupt data: CRC-32 mismatch");
    let broken = reason_of("broken.json");
    assert!(broken.starts_with("corrupt data: "), "{broken}");
    assert!(input.ignored.is_empty(), "{:?}", ignored_reasons(&snapshot));
    // A skipped entry is no longer an entry.
    assert!(input.archive.entry("bad-crc.json").is_none());

    // Logs: the good one reads; the bad one is a typed one-line error, not a panic.
    assert_eq!(snapshot.logs().len(), 2);
    let read = |previous: bool| {
        let log = snapshot
            .logs()
            .iter()
            .find(|l| l.previous == previous)
            .unwrap();
        snapshot.read_log(log, |r| {
            let mut out = Vec::new();
            r.read_to_end(&mut out)?;
            Ok(out)
        })
    };
    assert_eq!(read(false).unwrap(), LOG);
    let err = read(true).unwrap_err();
    assert_one_line(&err);
    assert!(matches!(err, Error::Entry { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "damaged.zip: entry logs/ns/good/c.previous.log: corrupt data: CRC-32 mismatch"
    );
}

/// Whole-input problems stay errors of the whole input, also with a bad entry in it: a zip whose
/// entries together pass the ratio limit is refused when opened.
#[test]
fn bad_entry_does_not_hide_whole_input_limits() {
    let chunk = vec![0u8; 1 << 20];
    let mut entries: Vec<ZipEntry> = (0..40)
        .map(|i| {
            ZipEntry::deflated(
                format!("logs/ns/p/{i}.log"),
                deflate(&chunk),
                crc32(&chunk),
                1 << 20,
            )
        })
        .collect();
    entries[0].crc ^= 1;
    let err = open("ratio.zip", zip(&entries, &[])).unwrap_err();
    assert_one_line(&err);
    assert!(matches!(err, Error::Limit { .. }), "{err}");
}

#[test]
fn zip_bomb_1000_to_1() {
    let chunk = vec![0u8; 1 << 20];
    let bomb = deflate_repeated(&chunk, 1024); // 1 GiB
    let ratio = (1u64 << 30) / bomb.len() as u64;
    assert!(ratio > 1000, "{ratio}");
    let bytes = zip(
        &[
            ZipEntry::deflated("logs/ns/p/c.log", bomb, 0, 1 << 30),
            ZipEntry::stored("ns.json", OK_JSON),
        ],
        &[],
    );
    let a = open("bomb.zip", bytes).unwrap();
    assert_eq!(paths(&a), vec!["ns.json"]);
    let r = &reasons(&a)[0].1;
    assert!(
        r.starts_with("compression ratio 1")
            && r.ends_with("exceeds the limit of 200:1 (zip bomb?)"),
        "{r}"
    );

    // The same bomb spread over entries of 1 MiB each (under the per-entry floor): the ratio of
    // the whole archive refuses it.
    let small = deflate(&chunk);
    let entries: Vec<ZipEntry> = (0..2048)
        .map(|i| {
            ZipEntry::deflated(
                format!("logs/ns/p/{i}.log"),
                small.clone(),
                crc32(&chunk),
                1 << 20,
            )
        })
        .collect();
    let err = open("spread.zip", zip(&entries, &[])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "spread.zip: zip compression ratio exceeds the limit of 200:1 (see --help for how to raise limits)"
    );
}

/// Many central-directory records pointing at one local header (a non-recursive zip bomb, and
/// a way to show one file under many names): the first is kept, the others skipped.
#[test]
fn overlapping_zip_entries() {
    let chunk = vec![b'a'; 1 << 20];
    let entries = vec![
        ZipEntry::deflated("logs/ns/p/c.log", deflate(&chunk), crc32(&chunk), 1 << 20),
        ZipEntry::stored("ns.json", OK_JSON),
    ];
    let aliases: Vec<(Vec<u8>, usize)> = (0..1000)
        .map(|i| (format!("logs/ns/p/alias{i}.log").into_bytes(), 0))
        .chain([(b"other.json".to_vec(), 1)])
        .collect();
    let a = open("overlap.zip", zip(&entries, &aliases)).unwrap();
    assert_eq!(paths(&a), vec!["logs/ns/p/c.log", "ns.json"]);
    let r = reasons(&a);
    assert_eq!(r.len(), 1001);
    assert!(
        r.iter()
            .all(|(_, r)| r == "overlaps another entry's data (overlapping zip entries)"),
        "{:?}",
        &r[..2]
    );
    assert_eq!(exercise(a).unwrap().len(), 1);
}

#[test]
fn zip_inside_zip_is_not_opened() {
    let inner = sample_zip();
    let a = open(
        "outer.zip",
        zip(
            &[
                ZipEntry::stored("inner.zip", &inner),
                ZipEntry::stored("ns.json", OK_JSON),
            ],
            &[],
        ),
    )
    .unwrap();
    assert_eq!(paths(&a), vec!["inner.zip", "ns.json"]);
    let snapshot = exercise(a).unwrap();
    assert_eq!(snapshot.len(), 1, "the inner zip's objects are not read");
}

/// Every container, truncated at many lengths and bit-flipped at many places: an error of one
/// line or a partial result, never a panic.
#[test]
fn truncated_and_bit_flipped_inputs() {
    let tar = sample_tar();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    let tgz = gz.finish().unwrap();
    let files = sample_files();
    let zipped: Vec<ZipEntry> = files
        .iter()
        .map(|(n, d)| ZipEntry::deflated(n, deflate(d), crc32(d), d.len() as u64))
        .collect();
    let mut single = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    single.write_all(&files[0].1).unwrap();
    let single = single.finish().unwrap();
    let inputs: Vec<(&str, Vec<u8>)> = vec![
        ("stored.zip", sample_zip()),
        ("deflated.zip", zip(&zipped, &[])),
        ("plain.tar", tar),
        ("plain.tar.gz", tgz),
        ("pods.json.gz", single),
    ];
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    let mut check = |name: &str, bytes: Vec<u8>| {
        let outcome = match open(name, bytes) {
            Err(e) => {
                assert_one_line(&e);
                format!("error: {}", kind_of(&e))
            }
            Ok(a) => match exercise(a) {
                Some(_) => "read".to_string(),
                None => "import error".to_string(),
            },
        };
        *outcomes.entry(outcome).or_default() += 1;
    };
    for (name, bytes) in &inputs {
        let len = bytes.len();
        for cut in (0..len).step_by((len / 97).max(1)) {
            check(name, bytes[..cut].to_vec());
        }
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..400 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut b = bytes.clone();
            let at = (state as usize) % len;
            b[at] ^= 1 << ((state >> 40) % 8);
            check(name, b);
        }
    }
    assert!(outcomes.len() > 1, "{outcomes:?}");
}

fn kind_of(e: &Error) -> &'static str {
    match e {
        Error::Empty { .. } => "empty",
        Error::Unsupported { .. } => "unsupported",
        Error::Corrupt { .. } => "corrupt",
        Error::Limit { .. } => "limit",
        Error::Entry { .. } => "entry",
        _ => "other",
    }
}

#[test]
fn gzip_with_trailing_garbage() {
    let files = sample_files();
    let mut gz = gzip_stored(&files[0].1);
    gz.extend_from_slice(b"\x00\x01 trailing garbage, not gzip \xff");
    let a = open("pods.json.gz", gz).unwrap();
    assert_eq!(a.kind(), ArchiveKind::Gzip);
    assert_eq!(paths(&a), vec!["pods.json"]);
    assert_eq!(exercise(a).unwrap().len(), 1);
    // A second gzip member after the first is not read either (one member, one file).
    let mut two = gzip_stored(&files[0].1);
    two.extend(gzip_stored(b"more"));
    let a = open("two.json.gz", two).unwrap();
    assert_eq!(a.entries()[0].size, files[0].1.len() as u64);
}

fn ignored_reasons(s: &Snapshot) -> Vec<String> {
    s.inputs()
        .iter()
        .flat_map(|i| {
            i.ignored
                .iter()
                .map(|s| format!("{}: {}", s.name, s.reason))
        })
        .collect()
}

#[test]
fn documents_nested_ten_thousand_deep() {
    let n = 10_000;
    let json_obj = format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
    let json_arr = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let yaml_flow = format!("{}{}", "[".repeat(n), "]".repeat(n));
    let mut yaml_block = String::new();
    for i in 0..2_000 {
        yaml_block.push_str(&" ".repeat(i));
        yaml_block.push_str("a:\n");
    }
    let entries = vec![
        ZipEntry::stored("deep-object.json", json_obj.as_bytes()),
        ZipEntry::stored("deep-array.json", json_arr.as_bytes()),
        ZipEntry::stored("deep-flow.yaml", yaml_flow.as_bytes()),
        ZipEntry::stored("deep-block.yaml", yaml_block.as_bytes()),
        ZipEntry::stored("ns.json", OK_JSON),
    ];
    let a = open("deep.zip", zip(&entries, &[])).unwrap();
    let snapshot = exercise(a).unwrap();
    assert_eq!(snapshot.len(), 1);
    let ignored = ignored_reasons(&snapshot);
    assert_eq!(ignored.len(), 4, "{ignored:?}");
    for r in &ignored {
        assert!(!r.contains('\n'), "{r}");
    }
}

/// YAML aliases that expand exponentially ("billion laughs").
#[test]
fn yaml_alias_bomb() {
    let mut y = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        y.push_str(&format!(
            "  a{i}: &a{i} [*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p},*a{p}]\n"
        ));
    }
    let a = open("lol.yaml", y.into_bytes()).unwrap();
    let snapshot = exercise(a).unwrap();
    assert_eq!(snapshot.len(), 0, "{:?}", ignored_reasons(&snapshot));
    // The parser stops at its bound on alias expansion instead of expanding 9^10 strings.
    assert_eq!(
        ignored_reasons(&snapshot),
        ["lol.yaml: invalid YAML: repetition limit exceeded"]
    );
}

#[test]
fn invalid_utf8_content() {
    let mut bad_json = OK_JSON.to_vec();
    bad_json.splice(30..30, [0xff, 0xfe]);
    let log = b"2025-03-14 09:12:01.123 [INFO][1] \xff\xfe\xc0 bad bytes\n".to_vec();
    let a = open(
        "utf8.zip",
        zip(
            &[
                ZipEntry::stored("bad.json", &bad_json),
                ZipEntry::stored("bad.yaml", b"kind: \xff\n"),
                ZipEntry::stored("logs/ns/p/c.log", &log),
                ZipEntry::stored("ns.json", OK_JSON),
            ],
            &[],
        ),
    )
    .unwrap();
    let snapshot = exercise(a).unwrap();
    assert_eq!(snapshot.len(), 1);
    assert_eq!(snapshot.logs().len(), 1);
    let ignored = ignored_reasons(&snapshot);
    assert_eq!(ignored.len(), 2, "{ignored:?}");
    // A single file that is not UTF-8 text at all is refused as binary.
    let err = open("x.log", vec![0xff; 600]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "x.log: not a supported input (binary data that is not zip, tar, tar.gz, tar.xz, tar.zst, gzip, xz or zstd)"
    );
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(std::ffi::OsStr::from_bytes(b"\xff.json")),
            OK_JSON,
        )
        .unwrap();
        std::fs::write(dir.path().join("ns.json"), OK_JSON).unwrap();
        let a = Archive::open(dir.path(), Limits::default()).unwrap();
        assert_eq!(paths(&a), vec!["ns.json"]);
        assert_eq!(reasons(&a)[0].1, "name is not valid UTF-8");
    }
}

/// A 2 GiB line of one byte. In a zip at ~1000:1 it is a bomb; at 158:1 (fixed Huffman) it
/// passes the ratio limit and is streamed; in a folder (a sparse file) it is streamed.
#[test]
fn two_gib_single_line_log() {
    const TWO_GIB: u64 = 1 << 31;
    let bomb = deflate_repeated(&vec![b'a'; 1 << 20], 2048);
    let a = open(
        "line.zip",
        zip(
            &[ZipEntry::deflated(
                "logs/calico-system/p/c.log",
                bomb,
                CRC_2GIB_A,
                TWO_GIB,
            )],
            &[],
        ),
    )
    .unwrap();
    assert!(a.entries().is_empty());
    assert!(reasons(&a)[0].1.contains("zip bomb"));

    let run = deflate_run(b'a', TWO_GIB);
    assert!(TWO_GIB / run.len() as u64 <= 200);
    let a = open(
        "line158.zip",
        zip(
            &[ZipEntry::deflated(
                "logs/calico-system/p/c.log",
                run,
                CRC_2GIB_A,
                TWO_GIB,
            )],
            &[],
        ),
    )
    .unwrap();
    assert_eq!(a.entries().len(), 1);
    let snapshot = exercise(a).unwrap();
    assert_eq!(snapshot.logs().len(), 1);
    assert_eq!(snapshot.logs()[0].size, TWO_GIB);

    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("logs/calico-system/p");
    std::fs::create_dir_all(&log).unwrap();
    let f = std::fs::File::create(log.join("c.log")).unwrap();
    f.set_len(TWO_GIB).unwrap();
    let a = Archive::open(dir.path(), Limits::default()).unwrap();
    let n = a
        .read_with("logs/calico-system/p/c.log", |r| {
            std::io::copy(r, &mut std::io::sink())
        })
        .unwrap();
    assert_eq!(n, TWO_GIB);
    let snapshot = exercise(a).unwrap();
    assert_eq!(snapshot.logs()[0].size, TWO_GIB);
}

/// A 100 MB describe text: listed as a text, not parsed in memory by the reader.
#[test]
fn describe_text_of_100_mb() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("describe-pod.txt");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(b"Name:         calico-kube-controllers-7d4f\nNamespace:    calico-system\nEvents:\n  Type     Reason   Age   From     Message\n  ----     ------   ----  ----     -------\n").unwrap();
    let line = b"  Warning  BackOff  2m    kubelet  Back-off restarting failed container calico-kube-controllers in pod calico-kube-controllers-7d4f\n";
    let mut written = 0;
    while written < 100_000_000 {
        f.write_all(line).unwrap();
        written += line.len();
    }
    f.flush().unwrap();
    drop(f);
    let (snapshot, work) =
        measure(|| Snapshot::open(&path, &kbundle_format::ReadOptions::default()).unwrap());
    // Opening classifies the text from its head: it reads a bounded prefix (about 17 KB
    // today), not the 100 MB.
    assert!(work.bytes_read < 1 << 20, "{work:?}");
    assert_eq!(
        snapshot.texts().len(),
        1,
        "{:?}",
        ignored_reasons(&snapshot)
    );
}

/// tar.gz entries read in any order give their own bytes (the reader resumes its decoder when
/// reads go forward, and starts over when they go back), also when a read stops early.
#[test]
fn tar_gz_reads_in_any_order() {
    let mut t = Vec::new();
    // Every seventh entry is over 64 KiB, so not kept in memory at open: read by streaming.
    let body = |i: usize| {
        let times = if i.is_multiple_of(7) {
            9_000
        } else {
            i * 37 + 1
        };
        format!("entry {i}\n").repeat(times).into_bytes()
    };
    for i in 0..60 {
        tar_entry(
            &mut t,
            format!("logs/ns/p/c{i}.log").as_bytes(),
            TAR_FILE,
            &body(i),
            b"",
        );
    }
    tar_end(&mut t);
    let a = open("order.tar.gz", gzip_stored(&t)).unwrap();
    let read = |i: usize| {
        a.read_bytes(&format!("logs/ns/p/c{i}.log"), 1 << 20)
            .unwrap()
    };
    let order: Vec<usize> = (0..60)
        .chain((0..60).rev())
        .chain((0..60).map(|i| i * 7 % 60))
        .collect();
    for i in order {
        assert_eq!(read(i), body(i), "entry {i}");
        // A partial read, then the next entry.
        let head = a
            .read_with(&format!("logs/ns/p/c{i}.log"), |r| {
                let mut b = [0u8; 3];
                r.read_exact(&mut b)?;
                Ok(b)
            })
            .unwrap();
        assert_eq!(&head[..], &body(i)[..3]);
    }
}
