//! Every input kept under `tests/regressions/` (fuzz crash inputs and cases the hostile corpus
//! found): opened, every entry read, imported. Errors must be one line; nothing may panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::Path;

use kbundle_format::{Archive, Limits, Snapshot};

#[test]
fn regression_inputs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(&path).unwrap();
        let one_line = |e: &kbundle_format::Error| {
            let s = e.to_string();
            assert!(!s.chars().any(char::is_control), "{name}: {s:?}");
        };
        let archive = match Archive::from_bytes(&name, bytes, Limits::default()) {
            Ok(a) => a,
            Err(e) => {
                one_line(&e);
                continue;
            }
        };
        let entries: Vec<String> = archive.entries().iter().map(|e| e.path.clone()).collect();
        for entry in &entries {
            if let Err(e) = archive.read_with(entry, |r| {
                std::io::copy(&mut r.take(1 << 26), &mut std::io::sink())
            }) {
                one_line(&e);
            }
        }
        let mut snapshot = Snapshot::new();
        if let Err(e) = snapshot.add_archive(archive) {
            one_line(&e);
        }
    }
}
