//! troubleshoot.sh support bundles: the two real ones and small hand-made ones.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod import_common;

use import_common::{inspect, tar_gz_of, zip_of};
use kbundle_format::{Layout, ReadOptions, Snapshot};

const DATA: &str = "/work/shared/data/troubleshoot";

fn real(name: &str) -> Option<Snapshot> {
    let path = std::path::Path::new(DATA).join(name);
    if !path.exists() {
        eprintln!("skipped: {} is not here", path.display());
        return None;
    }
    Some(Snapshot::open(&path, &ReadOptions::default()).unwrap())
}

#[test]
fn real_support_bundle() {
    let Some(s) = real("support-bundle.tar.gz") else {
        return;
    };
    let input = &s.inputs()[0];
    assert_eq!(input.layout, Layout::Troubleshoot);
    assert_eq!(input.layout.name(), "troubleshoot");
    assert_eq!(input.root, "support-bundle");
    let pods: Vec<String> = s
        .of_kind("", "Pod")
        .map(|o| format!("{}/{}", o.namespace(), o.name()))
        .collect();
    assert_eq!(
        pods,
        [
            "default/nginx-deployment-7986654d4-ztx2g",
            "kube-system/coredns-b96499967-tncf4",
            "kube-system/helm-install-traefik-2fxbg",
            "kube-system/helm-install-traefik-crd-q2ndn",
            "kube-system/local-path-provisioner-7b7dc8d6f5-45btl",
            "kube-system/metrics-server-668d979685-wttxd",
            "kube-system/svclb-traefik-8ea5448e-d2m74",
            "kube-system/traefik-7cd4fcff68-9blj6",
        ]
    );
    let nodes: Vec<&str> = s.of_kind("", "Node").map(|o| o.name()).collect();
    assert_eq!(nodes, ["k3d-mycluster-server-0"]);
    assert_eq!(s.of_kind("", "Event").count(), 5);
    assert!(s.of_kind("", "Event").any(
        |e| e.value["reason"] == "BackOff" && e.value["involvedObject"]["name"] == "static-hi"
    ));
    assert_eq!(s.of_kind("apps", "Deployment").count(), 5);
    assert_eq!(s.of_kind("apps", "ReplicaSet").count(), 6);
    // Custom resources are YAML arrays here.
    assert_eq!(s.of_kind("k3s.cattle.io", "Addon").count(), 12);
    assert_eq!(s.of_kind("helm.cattle.io", "HelmChart").count(), 2);
    assert_eq!(
        s.server_version().and_then(|v| v["gitVersion"].as_str()),
        Some("v1.24.4+k3s1")
    );
    assert_eq!(s.duplicates(), 0);
    // This bundle's custom resource definitions come without apiVersion and kind.
    assert_eq!(
        s.of_kind("apiextensions.k8s.io", "CustomResourceDefinition")
            .count(),
        12
    );
    assert!(input.ignored.is_empty(), "{:?}", input.ignored);

    let logs = s.logs();
    assert_eq!(logs.len(), 19);
    assert_eq!(logs.iter().filter(|l| l.previous).count(), 8);
    assert!(
        logs.iter()
            .all(|l| l.range.is_none() && !l.namespace.is_empty())
    );
    let nginx_prev = logs
        .iter()
        .find(|l| {
            l.pod == "nginx-deployment-7986654d4-ztx2g"
                && l.container.as_deref() == Some("nginx")
                && l.previous
        })
        .unwrap();
    assert_eq!(nginx_prev.namespace, "default");
    assert!(
        nginx_prev.origin.path.ends_with("nginx/nginx-previous.log")
            || nginx_prev.origin.path.ends_with("/nginx-previous.log")
    );
    let text = s.read_log(nginx_prev, |r| {
        let mut t = String::new();
        std::io::Read::read_to_string(r, &mut t)?;
        Ok(t)
    });
    assert!(text.is_ok());
    // The static pod's log is there, and all-logs/ (symlinks) is not read twice.
    assert!(
        logs.iter()
            .any(|l| l.pod == "static-hi" && l.namespace == "default")
    );
    assert!(logs.iter().all(|l| !l.origin.path.contains("all-logs")));
}

#[test]
fn real_baseline() {
    let Some(s) = real("baseline.tar.gz") else {
        return;
    };
    let input = &s.inputs()[0];
    assert_eq!(input.layout, Layout::Troubleshoot);
    assert_eq!(input.root, "supportbundle");
    assert_eq!(
        s.of_kind("", "Pod")
            .filter(|p| p.namespace() == "kube-system")
            .count(),
        7
    );
    let nodes: Vec<&str> = s.of_kind("", "Node").map(|o| o.name()).collect();
    assert_eq!(nodes, ["primary-node"]);
    assert_eq!(s.of_kind("", "Event").count(), 97);
    assert_eq!(s.of_kind("apps", "Deployment").count(), 4);
    assert_eq!(
        s.server_version().and_then(|v| v["gitVersion"].as_str()),
        Some("v1.31.2+k3s1")
    );
    // Custom resources come as JSON and YAML: the JSON is read, the YAML not.
    assert_eq!(s.of_kind("k3s.cattle.io", "Addon").count(), 13);
    assert_eq!(s.duplicates(), 0);
    let mut logs: Vec<(String, String, Option<String>, bool)> = s
        .logs()
        .iter()
        .map(|l| {
            (
                l.namespace.clone(),
                l.pod.clone(),
                l.container.clone(),
                l.previous,
            )
        })
        .collect();
    logs.sort();
    assert_eq!(
        logs,
        [
            (
                "default".into(),
                "run-example".into(),
                Some("collector".into()),
                false
            ),
            (
                "default".into(),
                "run-pod-example".into(),
                Some("example".into()),
                false
            ),
        ]
    );
    // What the collectors could not collect is noted.
    let notes: Vec<(&str, &str)> = input
        .ignored
        .iter()
        .map(|i| (i.name.as_str(), i.reason.as_str()))
        .collect();
    assert!(
        notes.contains(&(
            "supportbundle/secrets-errors/default/example-secret.json",
            "the collector noted: secrets \"example-secret\" not found"
        )),
        "{notes:#?}"
    );
    assert!(
        notes
            .iter()
            .any(|(n, r)| n.ends_with("collector-errors/etcd-error.json")
                && r.contains("etcd: current k8s distribution does not support etcd collector"))
    );
    assert!(notes.iter().any(|(n, _)| n.ends_with("helm/errors.json")));
    // Nothing else is odd: empty lists (`"items": null`) are lists.
    assert_eq!(notes.len(), 6, "{notes:#?}");
    assert!(
        notes
            .iter()
            .all(|(_, r)| r.starts_with("the collector noted: "))
    );
    // version.yaml is troubleshoot's, not the API server's: never an object or a version.
    assert!(notes.iter().all(|(n, _)| !n.ends_with("version.yaml")));
}

fn small_bundle(prefix: &str) -> Vec<(String, Vec<u8>)> {
    let p = |s: &str| format!("{prefix}{s}");
    vec![
        (p("version.yaml"), b"apiVersion: troubleshoot.sh/v1beta2\nkind: SupportBundle\nspec:\n  versionNumber: v0.100.0\n".to_vec()),
        (p("cluster-info/cluster_version.json"), br#"{"info":{"major":"1","minor":"30","gitVersion":"v1.30.4+IKS"},"string":"v1.30.4+IKS"}"#.to_vec()),
        (p("cluster-resources/nodes.json"), br#"{"kind":"NodeList","apiVersion":"v1","items":[{"metadata":{"name":"10.0.0.1"}}]}"#.to_vec()),
        (p("cluster-resources/pods/kube-system.json"), br#"{"kind":"PodList","apiVersion":"v1","items":[{"metadata":{"name":"calico-kube-controllers-1","namespace":"kube-system"}}]}"#.to_vec()),
        (p("cluster-resources/pods-errors.json"), br#"["pods is forbidden: User cannot list pods in default"]"#.to_vec()),
        (p("cluster-resources/groups.json"), br#"[{"name":"","versions":[]}]"#.to_vec()),
        (p("cluster-resources/auth-cani-list/default.json"), br#"[{"verbs":["*"]}]"#.to_vec()),
        (p("cluster-resources/custom-resources/ippools.crd.projectcalico.org.yaml"), b"- apiVersion: crd.projectcalico.org/v1\n  kind: IPPool\n  metadata:\n    name: default-ipv4-ippool\n".to_vec()),
        (p("cluster-resources/pods/logs/kube-system/calico-kube-controllers-1/calico-kube-controllers.log"), b"2024-01-01 [INFO] hi\n".to_vec()),
        (p("cluster-resources/pods/logs/kube-system/calico-kube-controllers-1/calico-kube-controllers-previous.log"), b"2024-01-01 [ERROR] bye\n".to_vec()),
        // Odd names: none may panic or become logs.
        (p("cluster-resources/pods/logs/kube-system/calico-kube-controllers-1/.log"), b"x".to_vec()),
        (p("cluster-resources/pods/logs/kube-system/calico-kube-controllers-1/-previous.log"), b"x".to_vec()),
        (p("cluster-resources/pods/logs/kube-system/calico-kube-controllers-1/notes.txt"), b"x".to_vec()),
        (p("cluster-resources/pods/logs/kube-system/a/b/c/d/e.log"), b"x".to_vec()),
        (p("cluster-resources/pods/logs/x.log"), b"x".to_vec()),
        (p("cluster-resources/broken.json"), b"{not json".to_vec()),
        (p("run-pod/run-pod.log"), b"2024-01-01 ran\n".to_vec()),
        // troubleshoot's `logs` collector: `<name>/<pod>.log`, `<name>/<pod>/<container>.log`.
        (p("calico/logs/calico-kube-controllers-6d8b9c7f5-x7k2p.log"), b"2024 hi\n".to_vec()),
        (p("calico/logs/calico-kube-controllers-6d8b9c7f5-x7k2p-previous.log"), b"2024 bye\n".to_vec()),
        (p("calico/node/calico-node-x7k2p/calico-node.log"), b"2024 hi\n".to_vec()),
        (p("calico/node/calico-node-x7k2p-errors.json"), b"[\"failed to get log stream\"]".to_vec()),
        (p("analysis.json"), b"[]".to_vec()),
    ]
}

#[test]
fn hand_made_bundle_in_a_wrapping_folder() {
    let entries = small_bundle("customer-upload/support-bundle-2024-01-01T00_00_00/");
    for bytes in [tar_gz_of(&entries), zip_of(&entries)] {
        let s = import_common::open_bytes("upload.bin", bytes);
        let input = &s.inputs()[0];
        assert_eq!(input.layout, Layout::Troubleshoot);
        assert_eq!(
            input.root,
            "customer-upload/support-bundle-2024-01-01T00_00_00"
        );
        let report = inspect(&s);
        assert_eq!(
            report.objects,
            [
                "IPPool//default-ipv4-ippool",
                "Node//10.0.0.1",
                "Pod/kube-system/calico-kube-controllers-1",
            ]
        );
        assert_eq!(
            report.logs,
            [
                "/calico-kube-controllers-6d8b9c7f5-x7k2p/?",
                "/calico-kube-controllers-6d8b9c7f5-x7k2p/? (previous)",
                "/calico-node-x7k2p/calico-node",
                "kube-system/calico-kube-controllers-1/calico-kube-controllers",
                "kube-system/calico-kube-controllers-1/calico-kube-controllers (previous)",
            ]
        );
        assert_eq!(report.version.as_deref(), Some("v1.30.4+IKS"));
        assert!(report.ignored.iter().any(|(n, r)| n.ends_with("pods-errors.json")
            && r == "the collector noted: pods is forbidden: User cannot list pods in default"));
        assert!(
            report
                .ignored
                .iter()
                .any(|(n, r)| n.ends_with("broken.json") && r.starts_with("invalid JSON"))
        );
        // API discovery and RBAC reviews are not reported as odd files.
        assert!(
            report
                .ignored
                .iter()
                .all(|(n, _)| !n.ends_with("groups.json") && !n.contains("auth-cani-list"))
        );
        // The collector's own run-pod log is a text, not a pod log.
        assert!(
            report
                .texts
                .iter()
                .any(|t| t.ends_with("run-pod/run-pod.log"))
        );
    }
}

#[test]
fn version_yaml_alone_is_checked_by_content() {
    let entries = vec![
        (
            "b/version.yaml".to_string(),
            b"apiVersion: troubleshoot.sh/v1beta2\nkind: SupportBundle\n".to_vec(),
        ),
        (
            "b/host-collectors/run-host/x.txt".to_string(),
            b"hello\n".to_vec(),
        ),
    ];
    let s = import_common::open_bytes("b.zip", zip_of(&entries));
    assert_eq!(s.inputs()[0].layout, Layout::Troubleshoot);
    // A kubectl version file is not a troubleshoot bundle.
    let entries = vec![(
        "version.yaml".to_string(),
        b"serverVersion:\n  gitVersion: v1.30.0\n".to_vec(),
    )];
    let s = import_common::open_bytes("v.zip", zip_of(&entries));
    assert_ne!(s.inputs()[0].layout, Layout::Troubleshoot);
    assert_eq!(
        s.server_version().and_then(|v| v["gitVersion"].as_str()),
        Some("v1.30.0")
    );
}

#[test]
fn old_bundles_without_type_information() {
    let entries = vec![
        (
            "sb/version.yaml".to_string(),
            b"apiVersion: troubleshoot.sh/v1beta2\nkind: SupportBundle\n".to_vec(),
        ),
        (
            "sb/cluster-resources/pods/kube-system.json".to_string(),
            br#"{"metadata":{},"items":[{"metadata":{"name":"p","namespace":"kube-system"}}]}"#
                .to_vec(),
        ),
        (
            "sb/cluster-resources/nodes.json".to_string(),
            br#"[{"metadata":{"name":"10.0.0.1"}}]"#.to_vec(),
        ),
        (
            "sb/cluster-resources/events/default.json".to_string(),
            br#"{"metadata":{},"items":null}"#.to_vec(),
        ),
        (
            "sb/cluster-resources/validating-webhook-configurations.json".to_string(),
            br#"{"items":[{"metadata":{"name":"deny-all"},"webhooks":[]}]}"#.to_vec(),
        ),
        (
            "sb/cluster-resources/unknown-type.json".to_string(),
            br#"{"items":[{"metadata":{"name":"x"}}]}"#.to_vec(),
        ),
    ];
    let s = import_common::open_bytes("sb.zip", zip_of(&entries));
    let report = inspect(&s);
    assert_eq!(
        report.objects,
        [
            "Node//10.0.0.1",
            "Pod/kube-system/p",
            "ValidatingWebhookConfiguration//deny-all",
        ]
    );
    assert_eq!(
        report.ignored,
        [(
            "sb/cluster-resources/unknown-type.json".to_string(),
            "no Kubernetes object in it".to_string()
        )]
    );
}

/// Older troubleshoot versions wrote no `version.yaml`: the bundle is still recognised by
/// troubleshoot's own paths, and its logs keep their namespace and pod.
#[test]
fn bundles_without_version_yaml() {
    let entries: Vec<(String, Vec<u8>)> = small_bundle("support-bundle/")
        .into_iter()
        .filter(|(p, _)| !p.ends_with("version.yaml"))
        .collect();
    for bytes in [tar_gz_of(&entries), zip_of(&entries)] {
        let s = import_common::open_bytes("old.tar.gz", bytes);
        let input = &s.inputs()[0];
        assert_eq!(input.layout, Layout::Troubleshoot);
        assert_eq!(input.root, "support-bundle");
        let report = inspect(&s);
        assert!(
            report
                .logs
                .iter()
                .any(|l| l == "kube-system/calico-kube-controllers-1/calico-kube-controllers"),
            "{:?}",
            report.logs
        );
    }
    // Only the pods' logs of the real bundle, without its version.yaml.
    let only_logs = vec![(
        "sb/cluster-resources/pods/logs/kube-system/p/c.log".to_string(),
        b"2024 hi\n".to_vec(),
    )];
    let s = import_common::open_bytes("sb.zip", zip_of(&only_logs));
    assert_eq!(s.inputs()[0].layout, Layout::Troubleshoot);
    assert_eq!(inspect(&s).logs, ["kube-system/p/c"]);
}
