//! Helpers shared by the importer tests: building inputs in memory and an `inspect`-like report.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::io::{Cursor, Write};

use kbundle_format::{Archive, Limits, Snapshot, TextKind};

/// A zip of the entries.
pub fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A tar.gz of the entries.
pub fn tar_gz_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for (name, bytes) in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes.as_slice())
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

/// Writes the entries below a new temporary folder.
pub fn dir_of(entries: &[(String, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in entries {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

/// Reads an in-memory input.
pub fn open_bytes(name: &str, bytes: Vec<u8>) -> Snapshot {
    let mut s = Snapshot::new();
    s.add_archive(Archive::from_bytes(name, bytes, Limits::default()).unwrap())
        .unwrap();
    s
}

/// What `kbundle inspect` would show, in a form easy to compare.
#[derive(Debug, Default)]
pub struct Report {
    /// `Kind/namespace/name`, sorted.
    pub objects: Vec<String>,
    /// `namespace/pod/container[ (previous)]`, sorted (`?` for an unknown container).
    pub logs: Vec<String>,
    /// Paths of texts.
    pub texts: Vec<String>,
    /// `kind path` of texts.
    pub text_kinds: Vec<String>,
    /// The server's gitVersion.
    pub version: Option<String>,
    /// Ignored entries and why.
    pub ignored: Vec<(String, String)>,
}

pub fn inspect(s: &Snapshot) -> Report {
    let mut objects: Vec<String> = s
        .objects()
        .map(|o| format!("{}/{}/{}", o.kind(), o.namespace(), o.name()))
        .collect();
    objects.sort();
    let mut logs: Vec<String> = s
        .logs()
        .iter()
        .map(|l| {
            format!(
                "{}/{}/{}{}",
                l.namespace,
                l.pod,
                l.container.as_deref().unwrap_or("?"),
                if l.previous { " (previous)" } else { "" }
            )
        })
        .collect();
    logs.sort();
    let texts = s.texts().iter().map(|t| t.origin.path.clone()).collect();
    let mut text_kinds: Vec<String> = s
        .texts()
        .iter()
        .map(|t| {
            let kind = match t.kind {
                TextKind::Describe => "describe",
                TextKind::Table => "table",
                _ => "other",
            };
            format!("{kind} {}", t.origin.path)
        })
        .collect();
    text_kinds.sort();
    Report {
        objects,
        logs,
        texts,
        text_kinds,
        version: s
            .server_version()
            .and_then(|v| v["gitVersion"].as_str())
            .map(String::from),
        ignored: s
            .inputs()
            .iter()
            .flat_map(|i| i.ignored.iter())
            .map(|i| (i.name.clone(), i.reason.clone()))
            .collect(),
    }
}

/// The text of a log.
pub fn log_text(s: &Snapshot, log: &kbundle_format::LogRef) -> String {
    s.read_log(log, |r| {
        let mut t = String::new();
        std::io::Read::read_to_string(r, &mut t)?;
        Ok(t)
    })
    .unwrap()
}
