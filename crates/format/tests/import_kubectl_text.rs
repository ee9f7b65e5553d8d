//! A customer's folder or archive of kubectl output: describe texts, tables, `-o json|yaml`
//! output and `kubectl logs` files, detected by content and name.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod import_common;

use import_common::{dir_of, inspect, log_text, open_bytes, tar_gz_of, zip_of};
use kbundle_format::{Layout, ReadOptions, Snapshot};

const KCC: &str = "calico-kube-controllers-6d8b9c7f5-abcde";

const DESCRIBE_POD: &str =
    "$ kubectl describe pod calico-kube-controllers-6d8b9c7f5-abcde -n kube-system
Name:                 calico-kube-controllers-6d8b9c7f5-abcde
Namespace:            kube-system
Priority:             2000000000
Service Account:      calico-kube-controllers
Node:                 10.0.0.1/10.0.0.1
Status:               Running

Name:                 calico-node-x7k2p
Namespace:            kube-system
Status:               Running
";

const DESCRIBE_NODE: &str = "Name:               10.0.0.1
Roles:              <none>
Labels:             arch=amd64
Annotations:        node.alpha.kubernetes.io/ttl: 0
CreationTimestamp:  Mon, 01 Apr 2024 10:00:00 +0000
";

const TABLE: &str = "NAMESPACE     NAME                                      READY   STATUS             RESTARTS        AGE   IP           NODE       NOMINATED NODE   READINESS GATES
kube-system   calico-kube-controllers-6d8b9c7f5-abcde   0/1     CrashLoopBackOff   42 (2m ago)     3d    172.30.0.5   10.0.0.1   <none>           <none>
";

fn entries(prefix: &str) -> Vec<(String, Vec<u8>)> {
    let e = |path: &str, text: &str| (format!("{prefix}{path}"), text.as_bytes().to_vec());
    vec![
        e("describe-kcc.txt", DESCRIBE_POD),
        e("nodes/describe.out", DESCRIBE_NODE),
        e("get-pods-wide.txt", TABLE),
        e(
            "pods.json",
            &format!(
                r#"{{"apiVersion":"v1","kind":"List","items":[{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{KCC}","namespace":"kube-system"}}}}]}}"#
            ),
        ),
        e(
            "deploy.txt",
            "$ kubectl get deploy -n kube-system -o yaml\napiVersion: v1\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: calico-kube-controllers\n    namespace: kube-system\nkind: List\n",
        ),
        e(
            "nodes.txt",
            "{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Node\",\n    \"metadata\": {\"name\": \"10.0.0.1\"}\n}\n",
        ),
        e(
            "kubectl-version.json",
            r#"{"clientVersion":{"gitVersion":"v1.32.0"},"serverVersion":{"gitVersion":"v1.30.4+IKS"}}"#,
        ),
        e(
            &format!("{KCC}.log"),
            "2024-05-01 10:00:00.000 [INFO][1] main.go 1: started\n",
        ),
        e(
            &format!("{KCC}_calico-kube-controllers_previous.log"),
            "2024-05-01 09:00:00.000 [FATAL][1] main.go 1: Unauthorized\n",
        ),
        e(&format!("logs/{KCC}-previous.log"), "previous 1\n"),
        e(&format!("logs/{KCC}.previous.log"), "previous 2\n"),
        e(
            "calico-node-x7k2p_calico-node.txt",
            "2024-05-01 10:00:00.000 [INFO][9] felix/health.go 1: ok\n",
        ),
        e(
            "kcc-logs.txt",
            "$ kubectl logs -n kube-system calico-kube-controllers-6d8b9c7f5-abcde --previous\n2024 bye\n",
        ),
        // The generic layout's place for logs, below the wrapping folder.
        e(
            "logs/kube-system/calico-node-x7k2p/install-cni.log",
            "done\n",
        ),
        e(
            "notes.txt",
            "The customer says the controller restarts since the upgrade.\n",
        ),
        e("screenshot.png", "\u{89}PNG"),
        e(
            "no-resources.txt",
            "No resources found in default namespace.\n",
        ),
        // Odd names: none may panic; none is a log.
        e(".log", "x"),
        e("-previous.log", "x"),
        e("_previous.log", "x"),
        e("a/b/c/d/e/f/g/h/Weird Name.log", "x"),
        e("empty.txt", ""),
        e("binary.log", "\0\0\0"),
    ]
}

#[test]
fn customer_archive_in_every_container() {
    let entries = entries("case-98765/");
    let dir = dir_of(&entries);
    let from_dir = Snapshot::open(dir.path(), &ReadOptions::default()).unwrap();
    let from_tgz = open_bytes("case.tar.gz", tar_gz_of(&entries));
    let from_zip = open_bytes("case.zip", zip_of(&entries));
    for s in [&from_dir, &from_tgz, &from_zip] {
        let input = &s.inputs()[0];
        assert_eq!(input.layout, Layout::KubectlText);
        assert_eq!(input.layout.name(), "kubectl-text");
        assert_eq!(input.root, "case-98765");
        let report = inspect(s);
        assert_eq!(
            report.objects,
            [
                "Deployment/kube-system/calico-kube-controllers",
                "Node//10.0.0.1",
                "Pod/kube-system/calico-kube-controllers-6d8b9c7f5-abcde",
            ]
        );
        assert_eq!(report.version.as_deref(), Some("v1.30.4+IKS"));
        assert_eq!(
            report.logs,
            [
                "/calico-kube-controllers-6d8b9c7f5-abcde/?",
                "/calico-kube-controllers-6d8b9c7f5-abcde/? (previous)",
                "/calico-kube-controllers-6d8b9c7f5-abcde/? (previous)",
                "/calico-kube-controllers-6d8b9c7f5-abcde/calico-kube-controllers (previous)",
                "/calico-node-x7k2p/calico-node",
                "kube-system/calico-kube-controllers-6d8b9c7f5-abcde/? (previous)",
                "kube-system/calico-node-x7k2p/install-cni",
            ]
        );
        let p = |s: &str| format!("case-98765/{s}");
        let mut kinds = report.text_kinds.clone();
        kinds.retain(|k| !k.starts_with("other "));
        assert_eq!(
            kinds,
            [
                format!("describe {}", p("describe-kcc.txt")),
                format!("describe {}", p("nodes/describe.out")),
                format!("table {}", p("get-pods-wide.txt")),
            ]
        );
        for other in [
            "notes.txt",
            "no-resources.txt",
            ".log",
            "-previous.log",
            "_previous.log",
            "a/b/c/d/e/f/g/h/Weird Name.log",
            "empty.txt",
        ] {
            assert!(
                report.text_kinds.contains(&format!("other {}", p(other))),
                "{other}"
            );
        }
        assert!(
            report
                .texts
                .iter()
                .all(|t| !t.ends_with(".png") && !t.ends_with("binary.log"))
        );
        assert!(report.ignored.is_empty(), "{:?}", report.ignored);
        let prev = s
            .logs()
            .iter()
            .find(|l| l.container.is_some() && l.previous)
            .unwrap();
        assert_eq!(
            log_text(s, prev),
            "2024-05-01 09:00:00.000 [FATAL][1] main.go 1: Unauthorized\n"
        );
        assert!(s.logs().iter().all(|l| l.range.is_none()));
        assert_eq!(
            s.logs().iter().filter(|l| !l.namespace.is_empty()).count(),
            2
        );
    }
}

#[test]
fn single_files() {
    let s = open_bytes("describe-pod.txt", DESCRIBE_POD.as_bytes().to_vec());
    assert_eq!(s.inputs()[0].layout, Layout::KubectlText);
    assert_eq!(inspect(&s).text_kinds, ["describe describe-pod.txt"]);

    let s = open_bytes(&format!("{KCC}.log"), b"2024-05-01 started\n".to_vec());
    assert_eq!(inspect(&s).logs, [format!("/{KCC}/?")]);

    let s = open_bytes("pods.txt", TABLE.as_bytes().to_vec());
    assert_eq!(inspect(&s).text_kinds, ["table pods.txt"]);

    // `kubectl get ... -o json >> all.json`: several documents in one JSON file.
    let two = format!(
        "{}\n{}\n",
        r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","namespace":"ns"}}"#,
        r#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b","namespace":"ns"}}]}"#
    );
    let s = open_bytes("all.json", two.into_bytes());
    assert_eq!(inspect(&s).objects, ["Pod/ns/a", "Pod/ns/b"]);
    let s = open_bytes("bad.json", b"{\"a\": 1} garbage".to_vec());
    assert_eq!(inspect(&s).ignored.len(), 1);
}

#[test]
fn generic_inputs_stay_generic() {
    let entries = vec![
        (
            "pods.json".to_string(),
            br#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns"}}"#
                .to_vec(),
        ),
        ("logs/ns/p/c.log".to_string(), b"hi\n".to_vec()),
        ("logs/ns/p/c.previous.log".to_string(), b"bye\n".to_vec()),
    ];
    let s = open_bytes("g.zip", zip_of(&entries));
    assert_eq!(s.inputs()[0].layout, Layout::Generic);
    assert_eq!(inspect(&s).logs, ["ns/p/c", "ns/p/c (previous)"]);

    // With a loose log the same files are read the same way, and the loose log too.
    let mut entries = entries;
    entries.push(("p.log".to_string(), b"hi\n".to_vec()));
    let s = open_bytes("g.zip", zip_of(&entries));
    assert_eq!(s.inputs()[0].layout, Layout::KubectlText);
    assert_eq!(inspect(&s).logs, ["/p/?", "ns/p/c", "ns/p/c (previous)"]);
    assert_eq!(inspect(&s).objects, ["Pod/ns/p"]);

    // One log in the generic place, in a folder: generic.
    let entries = vec![("logs/ns/p/c.log".to_string(), b"\0\0".to_vec())];
    let s = open_bytes("g.zip", zip_of(&entries));
    assert_eq!(s.inputs()[0].layout, Layout::Generic);
    assert_eq!(inspect(&s).logs, ["ns/p/c"]);
    // Wrapped in a case folder: the root stops above logs/.
    let entries = vec![("case/logs/ns/p/c.log".to_string(), b"hi\n".to_vec())];
    let s = open_bytes("g.zip", zip_of(&entries));
    assert_eq!(s.inputs()[0].root, "case");
    assert_eq!(inspect(&s).logs, ["ns/p/c"]);
}

#[test]
fn many_files_are_sniffed_in_one_pass() {
    // More entries than the dump-stream detection looks at; a tar.gz is read once.
    let mut entries: Vec<(String, Vec<u8>)> = (0..200)
        .map(|i| {
            (
                format!("logs-{i}/pod-{i}.log"),
                format!("2024 line {i}\n").into_bytes(),
            )
        })
        .collect();
    entries.push(("describe.txt".into(), DESCRIBE_NODE.as_bytes().to_vec()));
    let s = open_bytes("many.tar.gz", tar_gz_of(&entries));
    assert_eq!(s.inputs()[0].layout, Layout::KubectlText);
    assert_eq!(s.logs().len(), 200);
    assert_eq!(inspect(&s).text_kinds, ["describe describe.txt"]);
    let last = s.logs().iter().find(|l| l.pod == "pod-199").unwrap();
    assert_eq!(log_text(&s, last), "2024 line 199\n");
}
