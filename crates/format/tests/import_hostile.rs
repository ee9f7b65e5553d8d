//! Hostile and random inputs for every importer: never a panic, logs always readable.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod import_common;

use import_common::{tar_gz_of, zip_of};
use kbundle_format::{Archive, Limits, Snapshot};
use proptest::prelude::*;

/// Path pieces that steer the input towards each layout, and odd ones.
const PIECES: &[&str] = &[
    "cluster-resources",
    "pods",
    "logs",
    "ns",
    "p",
    "c.log",
    "c-previous.log",
    "-previous.log",
    ".log",
    "version.yaml",
    "cluster-info",
    "cluster_version.json",
    "custom-resources",
    "x-errors.json",
    "collector-errors",
    "namespaces",
    "core",
    "pods.yaml",
    "cluster-scoped-resources",
    "current.log",
    "previous.log",
    "previous.insecure.log",
    "cluster",
    "v1",
    "apps-v1",
    "pod",
    "nodes.json",
    "logs.txt",
    "describe.txt",
    "p_c_previous.log",
    "a b",
    "UPPER.LOG",
    "_",
    "-",
    "..log",
    "x.json",
    "y.yaml",
];

const CONTENTS: &[&str] = &[
    "",
    "{}",
    "[]",
    "null",
    "[\"a\", 1, null, {}]",
    "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":null}",
    "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":[{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\"}}]}",
    "- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: p\n",
    "apiVersion: troubleshoot.sh/v1beta2\nkind: SupportBundle\n",
    "{\n    \"kind\": \"NodeList\",\n    \"apiVersion\": \"v1\",\n    \"items\": []\n}\n{\n}\n",
    "==== START logs for container c of pod ns/p ====\nx\n==== END logs for container c of pod ns/p ====\n",
    "==== START logs for container c of pod ns/p ====\nx",
    "Name: x\nNamespace: y\n",
    "NAME   READY   STATUS\n",
    "$ kubectl get pods\n",
    "2024-01-01 log line\n",
    "\u{feff}\0\u{1}",
    "{\"collector\": 1, \"error\": [1]}",
];

fn entries_strategy() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    let path = prop::collection::vec(prop::sample::select(PIECES), 1..8).prop_map(|p| p.join("/"));
    let content = prop_oneof![
        prop::sample::select(CONTENTS).prop_map(|c| c.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..300),
    ];
    prop::collection::vec((path, content), 1..24)
}

fn read_everything(s: &Snapshot) {
    for log in s.logs() {
        let n = s
            .read_log(log, |r| std::io::copy(r, &mut std::io::sink()))
            .unwrap_or(0);
        assert!(n <= log.size || log.range.is_none());
    }
    let _ = s.len();
}

fn import(name: &str, bytes: Vec<u8>) {
    let Ok(archive) = Archive::from_bytes(name, bytes, Limits::default()) else {
        return;
    };
    let mut s = Snapshot::new();
    if s.add_archive(archive).is_ok() {
        read_everything(&s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn random_trees_never_panic(entries in entries_strategy(), wrap in any::<bool>()) {
        let mut seen = std::collections::HashSet::new();
        let entries: Vec<(String, Vec<u8>)> =
            entries.into_iter().filter(|(p, _)| seen.insert(p.clone())).collect();
        let entries: Vec<(String, Vec<u8>)> = if wrap {
            entries.into_iter().map(|(p, b)| (format!("top/{p}"), b)).collect()
        } else {
            entries
        };
        import("t.zip", zip_of(&entries));
        import("t.tar.gz", tar_gz_of(&entries));
    }

    #[test]
    fn random_single_files_never_panic(
        parts in prop::collection::vec(
            prop_oneof![
                prop::sample::select(CONTENTS).prop_map(String::from),
                "[ -~\n]{0,80}",
            ],
            0..12,
        ),
        name in prop::sample::select(PIECES),
    ) {
        import(name, parts.concat().into_bytes());
    }
}

/// Detection is linear in the number of entries: many would-be roots do not make it quadratic.
#[test]
fn many_would_be_roots_stay_linear() {
    let entries: Vec<(String, Vec<u8>)> = (0..20_000)
        .flat_map(|i| {
            [
                (format!("d{i}/nodes.json"), b"{}".to_vec()),
                (format!("d{i}/version.yaml"), b"x: 1".to_vec()),
            ]
        })
        .collect();
    let big = zip_of(&entries);
    let small = zip_of(&entries[..entries.len() / 5]);
    // CPU time of this thread, not wall time: five times the entries cost about five times
    // the work (quadratic detection would cost 25 times).
    let ((), small) = kbundle_testkit::work::measure(|| import("few.zip", small));
    let ((), big) = kbundle_testkit::work::measure(|| import("many.zip", big));
    assert!(big.cpu < small.cpu * 10, "{small:?} then {big:?}");
}
