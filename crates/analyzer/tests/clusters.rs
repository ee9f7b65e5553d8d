//! The fixture clusters under `fixtures/clusters/` give the findings their README promises.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use kbundle_analyzer::{Options, Report, analyze};
use kbundle_format::{ReadOptions, Snapshot};

fn report(name: &str) -> Report {
    let dir = kbundle_testkit::paths::cluster(name);
    let snapshot = Snapshot::open(&dir, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    analyze(&snapshot, &Options::default())
}

fn rules(r: &Report) -> BTreeSet<&'static str> {
    r.findings.iter().map(|f| f.rule).collect()
}

#[test]
fn healthy() {
    let r = report("healthy");
    assert!(r.findings.is_empty(), "{}", r.to_text(false));
    assert_eq!(r.reference_time.as_deref(), Some("2025-03-11T15:20:00Z"));
}

#[test]
fn crashloop_oom() {
    let r = report("crashloop-oom");
    assert_eq!(
        rules(&r),
        BTreeSet::from([
            "crash-loop",
            "memory-limit-hit",
            "recent-config-change",
            "log-error-signature",
            // Its logs and readiness probe show the API server timing out while it was
            // starved of memory.
            "apiserver-unreachable",
            "probe-failure"
        ]),
        "{}",
        r.to_text(false)
    );
    let change = r
        .findings
        .iter()
        .find(|f| f.rule == "recent-config-change")
        .unwrap();
    assert_eq!(change.subject.kind, "FelixConfiguration");
    assert_eq!(change.subject.name, "default");
    assert!(
        change.message.contains("kubectl-edit"),
        "{}",
        change.message
    );
    let oom = r
        .findings
        .iter()
        .find(|f| f.rule == "memory-limit-hit")
        .unwrap();
    assert!(oom.message.contains("128Mi"), "{}", oom.message);
}

#[test]
fn webhook_denied() {
    let r = report("webhook-denied");
    assert_eq!(
        rules(&r),
        BTreeSet::from(["workload-missing", "webhook-denied"]),
        "{}",
        r.to_text(false)
    );
    let denied = r
        .findings
        .iter()
        .find(|f| f.rule == "webhook-denied")
        .unwrap();
    assert_eq!(denied.subject.kind, "ValidatingWebhookConfiguration");
    assert_eq!(
        denied.subject.name,
        "kyverno-resource-validating-webhook-cfg"
    );
    assert!(
        denied
            .message
            .contains("namespaceSelector matches calico-system"),
        "{}",
        denied.message
    );
}
