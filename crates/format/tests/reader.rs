//! The safe reader against hostile and broken inputs, and the writer → reader round trip.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Cursor, Write};

use kbundle_format::{Archive, ArchiveKind, BundleWriter, Error, Limits, Manifest, Snapshot};

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn open(name: &str, bytes: Vec<u8>) -> Result<Archive, Error> {
    Archive::from_bytes(name, bytes, Limits::default())
}

fn skipped_reasons(a: &Archive) -> Vec<(String, String)> {
    a.skipped()
        .iter()
        .map(|s| (s.name.clone(), s.reason.clone()))
        .collect()
}

#[test]
fn zip_slip_and_absolute_names_are_skipped() {
    let bytes = zip_of(&[
        ("../../etc/passwd", b"x"),
        ("/etc/shadow", b"x"),
        ("ok/pod.json", b"{}"),
        ("a\\..\\b", b"x"),
        ("C:/win.ini", b"x"),
    ]);
    let a = open("slip.zip", bytes).unwrap();
    assert_eq!(a.kind(), ArchiveKind::Zip);
    let paths: Vec<_> = a.entries().iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, vec!["ok/pod.json"]);
    let reasons = skipped_reasons(&a);
    assert_eq!(
        reasons,
        vec![
            (
                "../../etc/passwd".to_string(),
                "parent-directory (..) component".to_string()
            ),
            ("/etc/shadow".into(), "absolute path".into()),
            ("a\\\\..\\\\b".into(), "backslash in name".into()),
            ("C:/win.ini".into(), "drive-letter path".into()),
        ]
    );
}

#[test]
fn zip_bomb_entry_is_skipped() {
    let zeros = vec![0u8; 64 << 20];
    let bytes = zip_of(&[("bomb.log", &zeros), ("small.log", b"hello\n")]);
    assert!(bytes.len() < 200_000, "compressed to {}", bytes.len());
    let a = open("bomb.zip", bytes).unwrap();
    let paths: Vec<_> = a.entries().iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, vec!["small.log"]);
    let reasons = skipped_reasons(&a);
    assert_eq!(reasons.len(), 1);
    assert!(reasons[0].1.contains("compression ratio"), "{reasons:?}");
}

#[test]
fn truncated_zip_is_one_clear_error() {
    let bytes = zip_of(&[("a.json", b"{\"kind\":\"x\"}"), ("b.log", &[b'x'; 5000])]);
    let cut = bytes[..bytes.len() / 2].to_vec();
    let err = open("cut.zip", cut).unwrap_err().to_string();
    assert!(
        err.starts_with("cut.zip: corrupt or truncated zip archive"),
        "{err}"
    );
    assert!(!err.contains('\n'));
}

#[test]
fn random_bytes_and_empty_input_are_refused() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let random: Vec<u8> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    let err = open("random.bin", random).unwrap_err().to_string();
    assert_eq!(
        err,
        "random.bin: not a supported input (binary data that is not zip, tar, tar.gz, tar.xz, tar.zst, gzip, xz or zstd)"
    );
    let err = open("empty.zip", Vec::new()).unwrap_err().to_string();
    assert_eq!(err, "empty.zip: the input is empty");
}

fn tar_with_links() -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Symlink);
    h.set_size(0);
    h.set_mode(0o777);
    b.append_link(&mut h, "bundle/evil.log", "/etc/passwd")
        .unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Link);
    h.set_size(0);
    b.append_link(&mut h, "bundle/hard.log", "/etc/shadow")
        .unwrap();
    let data = b"{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\"}}";
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    b.append_data(&mut h, "bundle/ns.json", &data[..]).unwrap();
    b.into_inner().unwrap()
}

#[test]
fn tar_symlinks_and_hard_links_are_skipped() {
    let a = open("links.tar", tar_with_links()).unwrap();
    assert_eq!(a.kind(), ArchiveKind::Tar);
    assert_eq!(
        skipped_reasons(&a),
        vec![
            ("bundle/evil.log".to_string(), "symbolic link".to_string()),
            ("bundle/hard.log".into(), "hard link".into()),
        ]
    );
    let bytes = a.read_bytes("bundle/ns.json", 1 << 20).unwrap();
    assert!(bytes.starts_with(b"{\"apiVersion\""));
}

#[test]
fn tar_gz_is_read_and_gzip_garbage_tail_ignored() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar_with_links()).unwrap();
    let mut bytes = gz.finish().unwrap();
    let mut snapshot = Snapshot::new();
    snapshot
        .add_archive(open("links.tar.gz", bytes.clone()).unwrap())
        .unwrap();
    assert_eq!(snapshot.of_kind("", "Namespace").count(), 1);
    bytes.extend_from_slice(b"trailing garbage that is not gzip");
    let a = open("garbage.tar.gz", bytes).unwrap();
    assert_eq!(a.kind(), ArchiveKind::TarGz);
    assert_eq!(a.entries().len(), 1);
}

#[test]
fn per_entry_and_count_limits() {
    let bytes = zip_of(&[("a.log", b"12345"), ("b.log", b"1"), ("c.log", b"1")]);
    let limits = Limits::default().with_max_entries(2);
    let err = Archive::from_bytes("many.zip", bytes.clone(), limits)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "many.zip: number of entries exceeds the limit of 2 (see --help for how to raise limits)"
    );
    let limits = Limits::default().with_max_entry_bytes(4);
    let a = Archive::from_bytes("big.zip", bytes, limits).unwrap();
    assert_eq!(a.entries().len(), 2);
    assert!(a.skipped()[0].reason.contains("per-entry limit"));
}

#[test]
fn directory_symlinks_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("logs/ns/p")).unwrap();
    std::fs::write(dir.path().join("logs/ns/p/c.log"), "line\n").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("/etc/passwd", dir.path().join("logs/ns/p/d.log")).unwrap();
    let a = Archive::open(dir.path(), Limits::default()).unwrap();
    assert_eq!(a.kind(), ArchiveKind::Directory);
    let paths: Vec<_> = a.entries().iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, vec!["logs/ns/p/c.log"]);
    #[cfg(unix)]
    assert_eq!(
        skipped_reasons(&a),
        vec![("logs/ns/p/d.log".to_string(), "symbolic link".to_string())]
    );
}

fn sample_bundle() -> Vec<u8> {
    let mut w = BundleWriter::new(Cursor::new(Vec::new()));
    w.add(
        "cluster/version.json",
        br#"{"major":"1","minor":"30","gitVersion":"v1.30.6+IKS"}"#,
    )
    .unwrap();
    w.add(
        "namespaces/calico-system/pods/ckc-1/pod.json",
        br#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"ckc-1","namespace":"calico-system"}}"#,
    )
    .unwrap();
    w.add(
        "namespaces/calico-system/pods/ckc-1/describe.txt",
        b"Name:         ckc-1\n",
    )
    .unwrap();
    w.add_stream(
        "namespaces/calico-system/pods/ckc-1/logs/calico-kube-controllers.previous.log",
        &mut &b"2025-03-14 09:12:01.123 [INFO][1] main.go 99: Starting\n\xff\xfe\n"[..],
        Some(kbundle_format::manifest::Truncation {
            original_size: 9000,
            reason: "max-log-bytes".into(),
        }),
    )
    .unwrap();
    let manifest = Manifest::new("0.1.0", "2025-03-14T09:30:00Z");
    w.finish_into(manifest).unwrap().into_inner()
}

#[test]
fn writer_is_deterministic_and_round_trips() {
    let a = sample_bundle();
    let b = sample_bundle();
    assert_eq!(a, b, "same input, same bytes");

    let mut snapshot = Snapshot::new();
    snapshot.add_archive(open("b.zip", a).unwrap()).unwrap();
    let input = &snapshot.inputs()[0];
    assert_eq!(input.layout.name(), "kbundle");
    let manifest = input.manifest.as_ref().unwrap();
    assert_eq!(manifest.entries.len(), 4);
    assert_eq!(
        snapshot
            .server_version()
            .and_then(|v| v.get("gitVersion"))
            .and_then(|v| v.as_str()),
        Some("v1.30.6+IKS")
    );
    assert_eq!(snapshot.of_kind("", "Pod").count(), 1);
    assert_eq!(snapshot.texts().len(), 1);
    let log = &snapshot.logs()[0];
    assert_eq!(
        (
            log.pod.as_str(),
            log.container.as_deref(),
            log.previous,
            log.truncated
        ),
        ("ckc-1", Some("calico-kube-controllers"), true, true)
    );
    // Non-UTF-8 bytes are kept as they are.
    let bytes = snapshot
        .read_log(log, |r| {
            let mut v = Vec::new();
            std::io::Read::read_to_end(r, &mut v)?;
            Ok(v)
        })
        .unwrap();
    assert!(bytes.ends_with(b"\xff\xfe\n"));
    // Checksums in the manifest match the bytes.
    for entry in &manifest.entries {
        let bytes = snapshot
            .read_bytes(
                &kbundle_format::EntryRef {
                    input: 0,
                    path: entry.path.clone(),
                },
                1 << 20,
            )
            .unwrap();
        use sha2::Digest;
        assert_eq!(
            kbundle_format::hex(&sha2::Sha256::digest(&bytes)),
            entry.sha256
        );
        assert_eq!(bytes.len() as u64, entry.size);
    }
}

#[test]
fn prepared_entries_write_the_same_bytes_as_streamed_ones() {
    use kbundle_format::PreparedEntry;
    let entries: Vec<(String, Vec<u8>)> = vec![
        ("a.txt".into(), Vec::new()),
        (
            "logs/b.log".into(),
            b"2025-03-14 09:12:01.123 [INFO][1] x\n".repeat(5000),
        ),
        (
            "c/d.bin".into(),
            (0..70_000u32).map(|i| (i * 7919 % 251) as u8).collect(),
        ),
    ];
    let truncation = || kbundle_format::manifest::Truncation {
        original_size: 1 << 20,
        reason: "max-size".into(),
    };
    let streamed = {
        let mut w = BundleWriter::new(std::io::Cursor::new(Vec::new()));
        for (path, bytes) in &entries {
            w.add_stream(path, &mut bytes.as_slice(), Some(truncation()))
                .unwrap();
        }
        w.finish_into(Manifest::new("0.1.0", "2025-03-14T09:30:00Z"))
            .unwrap()
            .into_inner()
    };
    let prepared = || {
        // Prepared on other threads, in any order, written in order.
        let mut prepared: Vec<PreparedEntry> = std::thread::scope(|s| {
            let handles: Vec<_> = entries
                .iter()
                .rev()
                .map(|(p, b)| s.spawn(move || PreparedEntry::new(p, b).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        prepared.reverse();
        let sizes: Vec<u64> = prepared.iter().map(PreparedEntry::compressed_len).collect();
        let mut w = BundleWriter::new(std::io::Cursor::new(Vec::new()));
        let mut before = 0;
        for (entry, (path, bytes)) in prepared.into_iter().zip(&entries) {
            assert_eq!(entry.path(), path);
            assert_eq!(entry.size(), bytes.len() as u64);
            w.add_prepared(entry, Some(truncation())).unwrap();
            // The announced size is an upper bound of what the entry adds.
            let added = w.bytes_written() - before;
            before = w.bytes_written();
            assert!(added <= sizes[w.entries().len() - 1], "{added} > {sizes:?}");
        }
        assert!(
            w.add_prepared(PreparedEntry::new("a.txt", b"").unwrap(), None)
                .is_err()
        );
        w.finish_into(Manifest::new("0.1.0", "2025-03-14T09:30:00Z"))
            .unwrap()
            .into_inner()
    };
    let bytes = prepared();
    assert_eq!(bytes, prepared(), "same input, same bytes");
    // The same entries and manifest as streaming gives (the deflate streams may differ: the
    // encoder's output depends on how its input arrives).
    let read = |bytes: Vec<u8>| {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut v = Vec::new();
                std::io::Read::read_to_end(&mut f, &mut v).unwrap();
                (
                    f.name().unwrap().to_string(),
                    f.last_modified(),
                    f.unix_mode(),
                    v,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(read(bytes), read(streamed));
    assert!(PreparedEntry::new("../x", b"").is_err());
    assert!(PreparedEntry::new("manifest.json", b"").is_err());
}

#[test]
fn writer_refuses_bad_names_and_removes_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.zip");
    {
        let mut w = BundleWriter::create(&out).unwrap();
        assert!(w.add("../x", b"").is_err());
        assert!(w.add("manifest.json", b"").is_err());
        w.add("a.txt", b"a").unwrap();
        assert!(w.add("a.txt", b"a").is_err());
        assert!(dir.path().join("b.zip.partial").exists());
        // dropped without finish
    }
    assert!(!dir.path().join("b.zip.partial").exists());
    assert!(!out.exists());
    let mut w = BundleWriter::create(&out).unwrap();
    w.add("a.txt", b"a").unwrap();
    let path = w
        .finish(Manifest::new("0.1.0", "2025-01-01T00:00:00Z"))
        .unwrap();
    assert_eq!(path, out);
    assert!(out.exists());
    assert!(!dir.path().join("b.zip.partial").exists());
}

#[test]
fn newer_bundle_format_is_refused() {
    let bytes = zip_of(&[("manifest.json", br#"{"format":"kbundle/2"}"#)]);
    let mut snapshot = Snapshot::new();
    let err = snapshot
        .add_archive(open("new.zip", bytes).unwrap())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "new.zip: not a supported input (bundle format kbundle/2 is not kbundle/1, the one this version reads)"
    );
}

fn compressed(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/data/compressed/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn tar_xz_and_tar_zst_are_read_like_tar_gz() {
    for (name, kind) in [
        ("sample.tar.xz", ArchiveKind::TarXz),
        ("sample.tar.zst", ArchiveKind::TarZst),
        ("multi.tar.zst", ArchiveKind::TarZst),
    ] {
        let a = open(name, compressed(name)).unwrap();
        assert_eq!(a.kind(), kind, "{name}");
        let paths: Vec<_> = a.entries().iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["bundle/logs/ns/p/c.log", "bundle/ns.json"],
            "{name}"
        );
        let log = a.read_bytes("bundle/logs/ns/p/c.log", 1 << 20).unwrap();
        assert!(log.ends_with(b"hello\n"), "{name}");
        let mut snapshot = Snapshot::new();
        snapshot.add_archive(a).unwrap();
        assert_eq!(snapshot.of_kind("", "Namespace").count(), 1, "{name}");
        assert_eq!(snapshot.logs().len(), 1, "{name}");
    }
    for (name, kind) in [
        ("note.txt.xz", ArchiveKind::Xz),
        ("note.txt.zst", ArchiveKind::Zst),
    ] {
        let a = open(name, compressed(name)).unwrap();
        assert_eq!(a.kind(), kind);
        assert_eq!(a.entries()[0].path, "note.txt");
        assert_eq!(a.read_bytes("note.txt", 100).unwrap(), b"Name: x\n");
    }
}

#[test]
fn xz_and_zstd_bombs_and_truncations_are_one_line_errors() {
    for name in ["bomb.tar.xz", "bomb.tar.zst"] {
        let err = open(name, compressed(name)).unwrap_err().to_string();
        assert!(err.contains("compression ratio"), "{name}: {err}");
        assert!(!err.contains('\n'));
    }
    for name in [
        "sample.tar.xz",
        "sample.tar.zst",
        "note.txt.xz",
        "note.txt.zst",
    ] {
        let bytes = compressed(name);
        for cut in [6, bytes.len() / 2, bytes.len() - 1] {
            match open(name, bytes[..cut].to_vec()) {
                // A cut inside the trailer may still list every entry; reading must not panic.
                Ok(a) => {
                    for e in a.entries() {
                        let _ = a.read_bytes(&e.path, 1 << 20);
                    }
                }
                Err(e) => assert!(!e.to_string().contains('\n'), "{name}: {e}"),
            }
        }
    }
}

/// `Snapshot::open` refuses an input of which nothing is recognised, with one line that names
/// it, rather than return an empty snapshot; an empty bundle of ours is still ours, and a text
/// file is recognised (whether it says anything is the analyzer's question).
#[test]
fn open_refuses_inputs_of_which_nothing_is_recognised() {
    use kbundle_format::ReadOptions;
    let dir = tempfile::tempdir().unwrap();
    let read = |p: &std::path::Path| Snapshot::open(p, &ReadOptions::default());

    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let err = read(&empty).unwrap_err();
    assert!(matches!(err, Error::Unrecognised { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: nothing recognised: no Kubernetes object, kubectl output, log or known bundle layout",
            empty.display()
        )
    );

    // A word document is a zip of XML parts.
    let docx = dir.path().join("report.docx");
    std::fs::write(
        &docx,
        zip_of(&[
            ("[Content_Types].xml", b"<?xml version=\"1.0\"?><Types/>"),
            ("word/document.xml", b"<?xml version=\"1.0\"?><w:document/>"),
            (
                "docProps/core.xml",
                b"<?xml version=\"1.0\"?><cp:coreProperties/>",
            ),
        ]),
    )
    .unwrap();
    let err = read(&docx).unwrap_err();
    assert!(matches!(err, Error::Unrecognised { .. }), "{err:?}");
    assert!(!err.to_string().contains('\n'));
    // Several inputs: the one not recognised is named.
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "hello\n").unwrap();
    let err = Snapshot::open_many(&[notes.clone(), docx.clone()], &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.starts_with(&docx.display().to_string()), "{err}");
    // A text file is read (as text); `add_archive` takes anything.
    assert_eq!(read(&notes).unwrap().texts().len(), 1);
    let mut any = Snapshot::new();
    any.add_archive(Archive::open(&docx, Limits::default()).unwrap())
        .unwrap();
    assert_eq!(any.inputs().len(), 1);

    // An empty bundle from our collector (nothing could be collected) is ours.
    let bundle = dir.path().join("empty-bundle.zip");
    let writer = BundleWriter::create(&bundle).unwrap();
    writer
        .finish(Manifest::new("0.1.0", "2025-03-14T09:30:00Z"))
        .unwrap();
    let snapshot = read(&bundle).unwrap();
    assert!(snapshot.is_empty());
    assert!(snapshot.manifest().is_some());
}
