//! Issue #14's Calico and pod/node health rules, end to end: the `node-trouble` fixture
//! cluster → `kbundle serve` → `kbundle collect` (the default preset) → bundle → `kbundle
//! analyze`.

use crate::util::*;

const REFERENCE_TIME: &str = "2025-03-20T12:00:00Z";

#[test]
fn node_and_calico_health_rules_through_a_collected_bundle() {
    let name = "node-trouble";
    let server = Serve::start(kbundle(), &[&fixture(name)], &[]);
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle.zip");
    let o = run(kbundle()
        .arg("collect")
        .arg("--kubeconfig")
        .arg(&server.kubeconfig)
        .arg("-o")
        .arg(&bundle)
        .args(["--quiet", "--collected-at", REFERENCE_TIME]));
    assert!(o.status.success(), "{}", stderr(&o));
    let got = findings(&bundle, &[]);
    let kc = "Pod/calico-system/calico-kube-controllers-6f8c9d7b5-x2x7k";
    for (rule, severity, subject) in [
        ("apiserver-unreachable", "critical", kc),
        ("probe-failure", "critical", kc),
        (
            "ipam-exhausted",
            "warning",
            "Pod/calico-system/csi-node-driver-7hq2n",
        ),
        (
            "calico-node-not-ready",
            "critical",
            "Pod/calico-system/calico-node-p9x2d",
        ),
        ("node-pressure", "warning", "Node//10.240.0.7"),
        (
            "pod-evicted",
            "warning",
            "Pod/calico-system/calico-typha-7b9d8c6f5-qk4lm",
        ),
        (
            "certificate-expired",
            "critical",
            "ValidatingWebhookConfiguration//gatekeeper-validating-webhook-configuration",
        ),
    ] {
        let want = (rule.to_string(), severity.to_string(), subject.to_string());
        assert!(got.contains(&want), "{want:?} missing from {got:#?}");
    }
    // The healthy node gives no node-pressure finding, the ready calico-node none either.
    assert!(
        !got.iter()
            .any(|f| f.2 == "Node//10.240.0.4" || f.2 == "Pod/calico-system/calico-node-kwvrq"),
        "{got:#?}"
    );
    // What the bundle gives, the fixture folder gives.
    assert_eq!(got, findings(&fixture(name), &[]));
}
