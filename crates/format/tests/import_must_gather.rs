//! OpenShift must-gather folders, hand-made in the layout `oc adm inspect` writes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod import_common;

use import_common::{dir_of, inspect, log_text, open_bytes, tar_gz_of, zip_of};
use kbundle_format::{Layout, ReadOptions, ReferenceTimeSource, Snapshot};

const ROOT: &str = "must-gather.local.5217838232343/quay-io-openshift-release-dev-ocp-v4-0-art-dev-sha256-0123abcd";

fn pod_yaml(ns: &str, name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  containers:\n  - name: c\n"
    )
}

fn entries() -> Vec<(String, Vec<u8>)> {
    let ns = "calico-system";
    let kcc = "calico-kube-controllers-7d9c4d7b5-q9xzt";
    let e = |path: &str, text: &str| (format!("{ROOT}/{path}"), text.as_bytes().to_vec());
    vec![
        e("timestamp", "2024-05-01 10:00:00.000000 +0000 UTC m=+0.1\n"),
        e("version", "oc-adm-must-gather\n4.14.0\n"),
        e("event-filter.html", "<html></html>"),
        e(
            "cluster-scoped-resources/core/nodes/10.0.0.1.yaml",
            "apiVersion: v1\nkind: Node\nmetadata:\n  name: 10.0.0.1\n",
        ),
        e(
            "cluster-scoped-resources/config.openshift.io/clusterversions/version.yaml",
            "apiVersion: config.openshift.io/v1\nkind: ClusterVersion\nmetadata:\n  name: version\n",
        ),
        e(
            &format!("namespaces/{ns}/{ns}.yaml"),
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: calico-system\n",
        ),
        e(
            &format!("namespaces/{ns}/core/pods.yaml"),
            &format!(
                "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n    name: {kcc}\n    namespace: {ns}\nkind: PodList\nmetadata:\n  resourceVersion: \"1\"\n"
            ),
        ),
        e(
            &format!("namespaces/{ns}/core/events.yaml"),
            "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Event\n  metadata:\n    name: e1\n    namespace: calico-system\n  reason: BackOff\nkind: EventList\n",
        ),
        e(
            &format!("namespaces/{ns}/core/configmaps.yaml"),
            "apiVersion: v1\nitems: []\nkind: ConfigMapList\n",
        ),
        e(
            &format!("namespaces/{ns}/apps/deployments.yaml"),
            "apiVersion: apps/v1\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: calico-kube-controllers\n    namespace: calico-system\nkind: DeploymentList\n",
        ),
        // The pod's own file repeats core/pods.yaml: not read twice.
        e(
            &format!("namespaces/{ns}/pods/{kcc}/{kcc}.yaml"),
            &pod_yaml(ns, kcc),
        ),
        e(
            &format!(
                "namespaces/{ns}/pods/{kcc}/calico-kube-controllers/calico-kube-controllers/logs/current.log"
            ),
            "2024-05-01T10:00:00Z [INFO] started\n",
        ),
        e(
            &format!(
                "namespaces/{ns}/pods/{kcc}/calico-kube-controllers/calico-kube-controllers/logs/previous.log"
            ),
            "2024-05-01T09:00:00Z [FATAL] Unauthorized\n",
        ),
        // A namespace without core/pods.yaml: the pod's own file is read.
        e("namespaces/other/pods/p1/p1.yaml", &pod_yaml("other", "p1")),
        e(
            "namespaces/other/pods/p1/c/c/logs/current.insecure.log",
            "insecure\n",
        ),
        e(
            "host_service_logs/masters/kubelet_service.log",
            "kubelet says hi\n",
        ),
        // Odd names.
        e("namespaces/other/pods/p1/c/c/logs/.log", "x"),
        e("namespaces/other/pods/p1/c/c/logs/weird.log", "x"),
        e("namespaces/other/pods/p1/c/c/logs/a/b/c/d/current.log", "x"),
        e("namespaces/other/pods//c/c/logs/current.log", "x"),
        (
            "must-gather.local.5217838232343/must-gather.logs".into(),
            b"gather output\n".to_vec(),
        ),
    ]
}

#[test]
fn must_gather_in_every_container() {
    let entries = entries();
    let dir = dir_of(&entries);
    let from_dir = Snapshot::open(dir.path(), &ReadOptions::default()).unwrap();
    let from_tgz = open_bytes("mg.tar.gz", tar_gz_of(&entries));
    let from_zip = open_bytes("mg.zip", zip_of(&entries));
    for s in [&from_dir, &from_tgz, &from_zip] {
        let input = &s.inputs()[0];
        assert_eq!(input.layout, Layout::MustGather);
        assert_eq!(input.layout.name(), "must-gather");
        assert_eq!(input.root, ROOT);
        let report = inspect(s);
        assert_eq!(
            report.objects,
            [
                "ClusterVersion//version",
                "Deployment/calico-system/calico-kube-controllers",
                "Event/calico-system/e1",
                "Namespace//calico-system",
                "Node//10.0.0.1",
                "Pod/calico-system/calico-kube-controllers-7d9c4d7b5-q9xzt",
                "Pod/other/p1",
            ]
        );
        assert_eq!(s.duplicates(), 0);
        assert!(report.ignored.is_empty(), "{:?}", report.ignored);
        assert_eq!(
            report.logs,
            [
                "calico-system/calico-kube-controllers-7d9c4d7b5-q9xzt/calico-kube-controllers",
                "calico-system/calico-kube-controllers-7d9c4d7b5-q9xzt/calico-kube-controllers (previous)",
                "other/p1/c",
            ]
        );
        let prev = s.logs().iter().find(|l| l.previous).unwrap();
        assert_eq!(
            log_text(s, prev),
            "2024-05-01T09:00:00Z [FATAL] Unauthorized\n"
        );
        assert!(
            report
                .texts
                .iter()
                .any(|t| t.ends_with("kubelet_service.log"))
        );
        assert!(report.texts.iter().any(|t| t.ends_with("logs/weird.log")));
        assert_eq!(report.version, None);
        // The gathering's own stamp is the reference time.
        assert_eq!(
            s.reference().map(|(t, source)| (t.to_string(), source)),
            Some((
                "2024-05-01T10:00:00Z".to_string(),
                ReferenceTimeSource::MustGatherTimestamp
            ))
        );
    }
}

#[test]
fn must_gather_without_wrapping_folder() {
    let entries: Vec<(String, Vec<u8>)> = entries()
        .into_iter()
        .filter_map(|(p, b)| {
            p.strip_prefix(&format!("{ROOT}/"))
                .map(|p| (p.to_string(), b))
        })
        .collect();
    let s = open_bytes("mg.zip", zip_of(&entries));
    assert_eq!(s.inputs()[0].layout, Layout::MustGather);
    assert_eq!(s.inputs()[0].root, "");
    assert_eq!(inspect(&s).objects.len(), 7);
}
