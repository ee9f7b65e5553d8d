//! `kubectl cluster-info dump` output: the `--output-directory` folder and the stdout stream,
//! written here the way kubectl writes them (4-space indented JSON lists whose items have no
//! kind, logs between START and END lines).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod import_common;

use import_common::{dir_of, inspect, log_text, open_bytes, tar_gz_of, zip_of};
use kbundle_format::{Layout, ReadOptions, Snapshot};
use serde_json::json;

/// A list as kubectl's JSON printer writes it.
fn list(kind: &str, api_version: &str, items: serde_json::Value) -> String {
    let v = json!({"kind": kind, "apiVersion": api_version, "metadata": {"resourceVersion": "1"}, "items": items});
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    serde::Serialize::serialize(&v, &mut ser).unwrap();
    String::from_utf8(out).unwrap() + "\n"
}

fn meta(ns: &str, name: &str) -> serde_json::Value {
    json!({"metadata": {"name": name, "namespace": ns}})
}

fn start(c: &str, ns: &str, p: &str) -> String {
    format!("==== START logs for container {c} of pod {ns}/{p} ====\n")
}

fn end(c: &str, ns: &str, p: &str) -> String {
    format!("==== END logs for container {c} of pod {ns}/{p} ====\n")
}

const KCC: &str = "calico-kube-controllers-6d8b9c7f5-abcde";
const NODE: &str = "calico-node-x7k2p";

/// The lists of one namespace, in kubectl's order, and the pod logs.
fn namespace_parts(ns: &str) -> Vec<(&'static str, String)> {
    let pods = if ns == "kube-system" {
        json!([meta(ns, KCC), meta(ns, NODE)])
    } else {
        json!([])
    };
    vec![
        (
            "events",
            list(
                "EventList",
                "v1",
                json!([{"metadata": {"name": "e1", "namespace": ns}, "reason": "BackOff", "involvedObject": {"kind": "Pod", "name": KCC}}]),
            ),
        ),
        (
            "replication-controllers",
            list("ReplicationControllerList", "v1", json!([])),
        ),
        (
            "services",
            list("ServiceList", "v1", json!([meta(ns, "svc")])),
        ),
        ("daemonsets", list("DaemonSetList", "apps/v1", json!([]))),
        (
            "deployments",
            list(
                "DeploymentList",
                "apps/v1",
                if ns == "kube-system" {
                    json!([meta(ns, "calico-kube-controllers")])
                } else {
                    json!([])
                },
            ),
        ),
        ("replicasets", list("ReplicaSetList", "apps/v1", json!([]))),
        ("pods", list("PodList", "v1", pods)),
    ]
}

fn kcc_logs() -> String {
    let ns = "kube-system";
    format!(
        "{}2024-05-01 10:00:00.000 [INFO][1] main.go 100: Starting\n{{\n}}\n==== not a marker\n2024-05-01 10:00:01.000 [ERROR][1] client.go 1: Unauthorized{}",
        start("calico-kube-controllers", ns, KCC),
        // no newline at the end of the log: the END line is glued
        end("calico-kube-controllers", ns, KCC)
    )
}

fn node_logs() -> String {
    let ns = "kube-system";
    format!(
        "{}init done\n{}{}Create log request error: container not ready\n{}",
        start("install-cni", ns, NODE),
        end("install-cni", ns, NODE),
        start("calico-node", ns, NODE),
        end("calico-node", ns, NODE)
    )
}

fn directory_entries(prefix: &str) -> Vec<(String, Vec<u8>)> {
    let mut entries = vec![(
        format!("{prefix}nodes.json"),
        list(
            "NodeList",
            "v1",
            json!([{"metadata": {"name": "10.0.0.1"}}]),
        )
        .into_bytes(),
    )];
    for ns in ["kube-system", "default"] {
        for (name, text) in namespace_parts(ns) {
            entries.push((format!("{prefix}{ns}/{name}.json"), text.into_bytes()));
        }
    }
    entries.push((
        format!("{prefix}kube-system/{KCC}/logs.txt"),
        kcc_logs().into_bytes(),
    ));
    entries.push((
        format!("{prefix}kube-system/{NODE}/logs.txt"),
        node_logs().into_bytes(),
    ));
    // Added by hand next to kubectl's files.
    entries.push((
        format!("{prefix}kube-system/{KCC}/logs-calico-kube-controllers-previous.txt"),
        b"2024-05-01 09:00:00.000 [FATAL][1] main.go 1: bye\n".to_vec(),
    ));
    entries
}

fn stream() -> String {
    let mut out = list(
        "NodeList",
        "v1",
        json!([{"metadata": {"name": "10.0.0.1"}}]),
    );
    for ns in ["kube-system", "default"] {
        for (_, text) in namespace_parts(ns) {
            out += &text;
        }
        if ns == "kube-system" {
            out += &kcc_logs();
            out += &node_logs();
        }
    }
    out
}

const OBJECTS: &[&str] = &[
    "Deployment/kube-system/calico-kube-controllers",
    "Event/default/e1",
    "Event/kube-system/e1",
    "Node//10.0.0.1",
    "Pod/kube-system/calico-kube-controllers-6d8b9c7f5-abcde",
    "Pod/kube-system/calico-node-x7k2p",
    "Service/default/svc",
    "Service/kube-system/svc",
];

fn check_logs(s: &Snapshot, with_previous: bool) {
    let report = inspect(s);
    let mut want = vec![
        format!("kube-system/{KCC}/calico-kube-controllers"),
        format!("kube-system/{NODE}/calico-node"),
        format!("kube-system/{NODE}/install-cni"),
    ];
    if with_previous {
        want.insert(
            1,
            format!("kube-system/{KCC}/calico-kube-controllers (previous)"),
        );
    }
    assert_eq!(report.logs, want);
    let kcc = s
        .logs()
        .iter()
        .find(|l| l.pod == KCC && !l.previous)
        .unwrap();
    assert!(kcc.range.is_some());
    assert_eq!(
        log_text(s, kcc),
        "2024-05-01 10:00:00.000 [INFO][1] main.go 100: Starting\n{\n}\n==== not a marker\n2024-05-01 10:00:01.000 [ERROR][1] client.go 1: Unauthorized"
    );
    assert_eq!(kcc.size, log_text(s, kcc).len() as u64);
    let init = s
        .logs()
        .iter()
        .find(|l| l.container.as_deref() == Some("install-cni"))
        .unwrap();
    assert_eq!(log_text(s, init), "init done\n");
    let node = s
        .logs()
        .iter()
        .find(|l| l.container.as_deref() == Some("calico-node"))
        .unwrap();
    assert_eq!(
        log_text(s, node),
        "Create log request error: container not ready\n"
    );
}

#[test]
fn output_directory_in_a_wrapping_folder() {
    let entries = directory_entries("case-1234/cluster-state/");
    let dir = dir_of(&entries);
    let from_dir = Snapshot::open(dir.path(), &ReadOptions::default()).unwrap();
    let from_tgz = open_bytes("dump.tgz", tar_gz_of(&entries));
    let from_zip = open_bytes("dump.zip", zip_of(&entries));
    for s in [&from_dir, &from_tgz, &from_zip] {
        let input = &s.inputs()[0];
        assert_eq!(input.layout, Layout::ClusterInfoDump);
        assert_eq!(input.layout.name(), "cluster-info-dump");
        assert_eq!(input.root, "case-1234/cluster-state");
        let report = inspect(s);
        assert_eq!(report.objects, OBJECTS);
        assert!(report.ignored.is_empty(), "{:?}", report.ignored);
        check_logs(s, true);
        let prev = s.logs().iter().find(|l| l.previous).unwrap();
        assert_eq!(prev.range, None);
        assert_eq!(prev.namespace, "kube-system");
    }
}

#[test]
fn stdout_stream_as_a_file_and_in_archives() {
    let text = stream();
    let single = open_bytes("cluster-info.dump", text.clone().into_bytes());
    let entries = vec![(
        "support/cluster-info-dump.txt".to_string(),
        text.clone().into_bytes(),
    )];
    let zipped = open_bytes("upload.zip", zip_of(&entries));
    let entries = vec![("cluster-info.json".to_string(), text.into_bytes())];
    let tgz = open_bytes("upload.tar.gz", tar_gz_of(&entries));
    for s in [&single, &zipped, &tgz] {
        assert_eq!(s.inputs()[0].layout, Layout::ClusterInfoDump);
        let report = inspect(s);
        assert_eq!(report.objects, OBJECTS);
        assert!(report.ignored.is_empty(), "{:?}", report.ignored);
        check_logs(s, false);
    }
}

#[test]
fn stdout_stream_with_a_prompt_and_yaml() {
    let text = format!(
        "$ kubectl cluster-info dump -o yaml\napiVersion: v1\nitems:\n- metadata:\n    name: n1\nkind: NodeList\n---\napiVersion: v1\nitems:\n- metadata:\n    name: p\n    namespace: ns\nkind: PodList\n{}line\n{}",
        start("c", "ns", "p"),
        end("c", "ns", "p")
    );
    // YAML streams are not detected by their head; in a customer's folder they are still read.
    let entries = vec![
        ("dump.txt".to_string(), text.into_bytes()),
        ("notes.txt".to_string(), b"customer notes\n".to_vec()),
    ];
    let s = open_bytes("x.zip", zip_of(&entries));
    let report = inspect(&s);
    assert_eq!(report.objects, ["Node//n1", "Pod/ns/p"]);
    assert_eq!(report.logs, ["ns/p/c"]);
    assert_eq!(log_text(&s, &s.logs()[0]), "line\n");
}

#[test]
fn hostile_dumps_do_not_panic() {
    let long_line = "x".repeat(3 << 20);
    let cases: Vec<String> = vec![
        format!("{}{}", start("c", "ns", "p"), long_line),
        format!("{}{long_line}{}", start("c", "ns", "p"), end("c", "ns", "p")),
        "==== START logs for container c of pod ns/p ====".into(),
        "==== START logs for container  of pod / ====\n==== END logs for container  of pod / ====\n".into(),
        "==== START logs for container c of pod nsp ====\n".into(),
        "==== END logs for container c of pod ns/p ====\n".into(),
        "{\n    \"kind\": \"NodeList\",\n".into(),
        "{\n    \"kind\": \"NodeList\",\n    \"items\": []\n}\n{ garbage\n}\n".into(),
        format!("{{\n    \"kind\": \"NodeList\",\n    \"items\": []\n}}\n{}", "[".repeat(100_000)),
        "\u{feff}\n\n".into(),
    ];
    for case in cases {
        let s = open_bytes("dump.txt", case.into_bytes());
        for log in s.logs() {
            let _ = log_text(&s, log);
        }
    }
    // Odd names inside the output directory.
    let mut entries = directory_entries("");
    for odd in [
        "kube-system/p/.log",
        "kube-system/p/-previous.txt",
        "kube-system/p/a/b/c/d/logs.txt",
        "kube-system/logs.txt",
        "logs.txt",
        ".json",
    ] {
        entries.push((
            odd.to_string(),
            b"==== START logs for container c of pod a/b ====\n".to_vec(),
        ));
    }
    let s = open_bytes("odd.zip", zip_of(&entries));
    assert_eq!(s.inputs()[0].layout, Layout::ClusterInfoDump);
    assert!(s.logs().iter().all(|l| !l.pod.is_empty()));
}

/// Real output of kubectl 1.32 (`cluster-info dump --namespaces default`, to stdout and with
/// `--output-directory`), taken from `kbundle serve` of the troubleshoot test bundle.
fn check_real(s: &Snapshot) {
    assert_eq!(s.inputs()[0].layout, Layout::ClusterInfoDump);
    let report = inspect(s);
    assert!(report.ignored.is_empty(), "{:?}", report.ignored);
    assert_eq!(
        s.of_kind("", "Node").map(|o| o.name()).collect::<Vec<_>>(),
        ["k3d-mycluster-server-0"]
    );
    assert_eq!(
        s.of_kind("", "Pod").map(|o| o.name()).collect::<Vec<_>>(),
        ["nginx-deployment-7986654d4-ztx2g"]
    );
    assert_eq!(s.of_kind("", "Event").count(), 5);
    assert_eq!(s.of_kind("apps", "Deployment").count(), 1);
    assert_eq!(s.of_kind("apps", "ReplicaSet").count(), 2);
    assert_eq!(s.of_kind("", "Service").count(), 1);
    assert_eq!(
        report.logs,
        [
            "default/nginx-deployment-7986654d4-ztx2g/hello",
            "default/nginx-deployment-7986654d4-ztx2g/nginx",
        ]
    );
    let nginx = s
        .logs()
        .iter()
        .find(|l| l.container.as_deref() == Some("nginx"))
        .unwrap();
    let text = log_text(s, nginx);
    assert_eq!((nginx.size, text.len()), (1181, 1181));
    assert!(text.starts_with("/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty"));
    assert!(text.ends_with("start worker process 30\n"));
    let hello = s
        .logs()
        .iter()
        .find(|l| l.container.as_deref() == Some("hello"))
        .unwrap();
    let text = log_text(s, hello);
    assert_eq!(text.len(), 274_260);
    assert!(text.starts_with("Hello from k3s (Evans Secret): Wed Dec 21 09:42:42 UTC 2022\n"));
    assert!(!text.contains("===="));
}

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cluster-info-dump");

#[test]
fn real_kubectl_stdout() {
    let path = std::path::Path::new(REAL).join("kubectl-1.32-stdout.txt.gz");
    check_real(&Snapshot::open(&path, &ReadOptions::default()).unwrap());
}

#[test]
fn real_kubectl_output_directory() {
    let path = std::path::Path::new(REAL).join("kubectl-1.32-output-directory.tar.gz");
    let s = Snapshot::open(&path, &ReadOptions::default()).unwrap();
    assert_eq!(s.inputs()[0].root, "cluster-state");
    check_real(&s);
}

#[test]
fn stdout_stream_next_to_other_files_in_a_tar_gz() {
    let entries = vec![
        (
            "case/README.txt".to_string(),
            b"dump taken at 10:00\n".to_vec(),
        ),
        ("case/cluster-info.txt".to_string(), stream().into_bytes()),
        ("case/notes.md".to_string(), b"# notes\n".to_vec()),
    ];
    let s = open_bytes("case.tar.gz", tar_gz_of(&entries));
    assert_eq!(s.inputs()[0].layout, Layout::ClusterInfoDump);
    assert_eq!(inspect(&s).objects, OBJECTS);
    check_logs(&s, false);
    assert!(inspect(&s).texts.iter().any(|t| t == "case/README.txt"));
}
