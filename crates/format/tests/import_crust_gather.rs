//! crust-gather archives, hand-made in the layout crust-gather writes
//! (`namespaces/<ns>/<gv>/<kind>/<name>.yaml`, `cluster/<gv>/<kind>/<name>.yaml`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod import_common;

use import_common::{dir_of, inspect, log_text, open_bytes, tar_gz_of, zip_of};
use kbundle_format::{Layout, ReadOptions, Snapshot};

const KCC: &str = "calico-kube-controllers-6d8b9c7f5-abcde";

fn entries(prefix: &str) -> Vec<(String, Vec<u8>)> {
    let e = |path: &str, text: &str| (format!("{prefix}{path}"), text.as_bytes().to_vec());
    let obj = |api: &str, kind: &str, ns: &str, name: &str| {
        let ns = if ns.is_empty() {
            String::new()
        } else {
            format!("\n  namespace: {ns}")
        };
        format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}{ns}\n")
    };
    vec![
        e(
            "cluster/v1/node/10.0.0.1.yaml",
            &obj("v1", "Node", "", "10.0.0.1"),
        ),
        e(
            "cluster/apiextensions.k8s.io-v1/customresourcedefinition/ippools.crd.projectcalico.org.yaml",
            &obj(
                "apiextensions.k8s.io/v1",
                "CustomResourceDefinition",
                "",
                "ippools.crd.projectcalico.org",
            ),
        ),
        e(
            &format!("namespaces/kube-system/v1/pod/{KCC}.yaml"),
            &obj("v1", "Pod", "kube-system", KCC),
        ),
        e(
            &format!("namespaces/kube-system/v1/pod/{KCC}/calico-kube-controllers/current.log"),
            "2024-05-01 10:00:00.000 [INFO][1] main.go 1: started\n",
        ),
        e(
            &format!("namespaces/kube-system/v1/pod/{KCC}/calico-kube-controllers/previous.log"),
            "2024-05-01 09:00:00.000 [FATAL][1] main.go 1: Unauthorized\n",
        ),
        e(
            "namespaces/kube-system/apps-v1/deployment/calico-kube-controllers.yaml",
            &obj(
                "apps/v1",
                "Deployment",
                "kube-system",
                "calico-kube-controllers",
            ),
        ),
        e(
            "namespaces/kube-system/v1/event/e1.yaml",
            &obj("v1", "Event", "kube-system", "e1"),
        ),
        e(
            "app-versions.yaml",
            "- name: p\n  namespace: kube-system\n  container: c\n  version: img:1\n",
        ),
        e("event-filter.html", "<html></html>"),
        e("nodes/10.0.0.1/kubelet.log", "kubelet says hi\n"),
        // Odd names.
        e(&format!("namespaces/kube-system/v1/pod/{KCC}/c/.log"), "x"),
        e(
            &format!("namespaces/kube-system/v1/pod/{KCC}/c/weird.log"),
            "x",
        ),
        e(
            &format!("namespaces/kube-system/v1/pod/{KCC}/c/a/b/c/current.log"),
            "x",
        ),
        e("namespaces/kube-system/v1/pod/-previous.log", "x"),
        e(
            "namespaces/kube-system/v1/pod/x/y/z/w/v/u.yaml",
            "{not yaml: [",
        ),
    ]
}

#[test]
fn crust_gather_in_every_container() {
    let entries = entries("crust-gather/");
    let dir = dir_of(&entries);
    let from_dir = Snapshot::open(dir.path(), &ReadOptions::default()).unwrap();
    let from_tgz = open_bytes("cg.tar.gz", tar_gz_of(&entries));
    let from_zip = open_bytes("cg.zip", zip_of(&entries));
    for s in [&from_dir, &from_tgz, &from_zip] {
        let input = &s.inputs()[0];
        assert_eq!(input.layout, Layout::CrustGather);
        assert_eq!(input.layout.name(), "crust-gather");
        assert_eq!(input.root, "crust-gather");
        let report = inspect(s);
        assert_eq!(
            report.objects,
            [
                "CustomResourceDefinition//ippools.crd.projectcalico.org",
                "Deployment/kube-system/calico-kube-controllers",
                "Event/kube-system/e1",
                "Node//10.0.0.1",
                "Pod/kube-system/calico-kube-controllers-6d8b9c7f5-abcde",
            ]
        );
        assert_eq!(
            report.logs,
            [
                "kube-system/calico-kube-controllers-6d8b9c7f5-abcde/calico-kube-controllers",
                "kube-system/calico-kube-controllers-6d8b9c7f5-abcde/calico-kube-controllers (previous)",
            ]
        );
        let prev = s.logs().iter().find(|l| l.previous).unwrap();
        assert_eq!(
            log_text(s, prev),
            "2024-05-01 09:00:00.000 [FATAL][1] main.go 1: Unauthorized\n"
        );
        assert!(
            report
                .texts
                .iter()
                .any(|t| t.ends_with("nodes/10.0.0.1/kubelet.log"))
        );
        // The broken file is noted; app-versions.yaml (not objects) is not odd.
        assert_eq!(report.ignored.len(), 1, "{:?}", report.ignored);
        assert!(report.ignored[0].0.ends_with("u.yaml"));
    }
}

#[test]
fn crust_gather_at_the_top() {
    let s = open_bytes("cg.zip", zip_of(&entries("")));
    assert_eq!(s.inputs()[0].layout, Layout::CrustGather);
    assert_eq!(s.inputs()[0].root, "");
    assert_eq!(inspect(&s).objects.len(), 5);
}
