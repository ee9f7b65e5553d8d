//! The object importers: the bytes as one file (JSON, YAML, a kubectl text or a cluster-info
//! dump, by the name the first byte picks), imported into a snapshot.
#![no_main]

use kbundle_format::{Archive, Limits, Snapshot};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "objects.json",
    "objects.yaml",
    "pods.yml",
    "describe.txt",
    "kubectl-get-pods.txt",
    "cluster-info.dump",
    "version.json",
    "manifest.json",
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(pick) % NAMES.len()];
    let Ok(archive) = Archive::from_bytes(name, body.to_vec(), Limits::default()) else {
        return;
    };
    let mut snapshot = Snapshot::new();
    if snapshot.add_archive(archive).is_ok() {
        let _ = snapshot.reference_time();
        let _ = snapshot.resource_types();
    }
});
