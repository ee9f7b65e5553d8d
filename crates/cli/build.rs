//! Embeds the demo cluster (`fixtures/clusters/crashloop-oom`) as a zip, so `kbundle demo`
//! works from any directory with nothing but the binary.

use std::io::Write;
use std::path::{Path, PathBuf};

fn files(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let rel = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if path.is_dir() {
            files(&path, &rel, out);
        } else {
            out.push((rel, path));
        }
    }
}

#[allow(clippy::unwrap_used, clippy::expect_used)]
fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let cluster = manifest_dir.join("../../fixtures/clusters/crashloop-oom");
    println!("cargo:rerun-if-changed={}", cluster.display());
    let mut list = Vec::new();
    files(&cluster, "", &mut list);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (rel, path) in &list {
        println!("cargo:rerun-if-changed={}", path.display());
        zip.start_file(rel.as_str(), options).unwrap();
        zip.write_all(&std::fs::read(path).unwrap()).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("demo-cluster.zip");
    std::fs::write(out, bytes).unwrap();
}
