//! Every fixture cluster imports as a generic folder, with the objects and logs it holds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kbundle_format::{ReadOptions, Snapshot};

fn open(name: &str) -> Snapshot {
    let path = kbundle_testkit::paths::cluster(name);
    Snapshot::open(&path, &ReadOptions::default()).unwrap()
}

fn count(s: &Snapshot, group: &str, kind: &str) -> usize {
    s.of_kind(group, kind).count()
}

#[test]
fn every_fixture_imports_cleanly() {
    for name in ["healthy", "crashloop-oom", "webhook-denied"] {
        let s = open(name);
        let input = &s.inputs()[0];
        assert_eq!(input.layout.name(), "generic", "{name}");
        assert!(
            input.archive.skipped().is_empty(),
            "{name}: {:?}",
            input.archive.skipped()
        );
        assert!(input.ignored.is_empty(), "{name}: {:?}", input.ignored);
        assert_eq!(s.duplicates(), 0, "{name}");
        assert_eq!(count(&s, "", "Node"), 3, "{name}");
        assert!(count(&s, "apps", "Deployment") > 0, "{name}");
        assert!(
            count(&s, "apiextensions.k8s.io", "CustomResourceDefinition") >= 8,
            "{name}"
        );
        assert_eq!(
            s.server_version().and_then(|v| v["gitVersion"].as_str()),
            Some("v1.30.6+IKS")
        );
        // Every object's origin names a file of the input.
        for o in s.objects() {
            assert!(input.archive.entry(&o.origin.path).is_some());
        }
        // Custom resources are discoverable from their CRDs.
        let types = s.resource_types();
        let felix = types
            .iter()
            .find(|t| t.kind == "FelixConfiguration" && t.group == "crd.projectcalico.org")
            .unwrap();
        assert_eq!(
            (felix.plural.as_str(), felix.namespaced),
            ("felixconfigurations", false)
        );
    }
}

#[test]
fn reference_times_are_the_newest_timestamps() {
    for (name, t) in [
        ("healthy", "2025-03-11T15:20:00Z"),
        ("crashloop-oom", "2025-03-14T09:30:00Z"),
        ("webhook-denied", "2025-03-18T16:45:00Z"),
    ] {
        let s = open(name);
        assert_eq!(
            s.reference_time().map(|t| t.to_string()).as_deref(),
            Some(t),
            "{name}"
        );
    }
}

#[test]
fn crashloop_fixture_has_current_and_previous_logs() {
    let s = open("crashloop-oom");
    let pod = "calico-kube-controllers-5f6b8d9c47-q4wzn";
    assert!(s.find("", "Pod", "calico-system", pod).is_some());
    let mut logs: Vec<_> = s
        .logs()
        .iter()
        .filter(|l| l.pod == pod)
        .map(|l| {
            (
                l.namespace.as_str(),
                l.pod.as_str(),
                l.container.as_deref(),
                l.previous,
            )
        })
        .collect();
    logs.sort();
    assert_eq!(
        logs,
        vec![
            ("calico-system", pod, Some("calico-kube-controllers"), false),
            ("calico-system", pod, Some("calico-kube-controllers"), true),
        ]
    );
    let first_line = s
        .read_log(&s.logs()[0], |r| {
            let mut line = String::new();
            std::io::BufRead::read_line(&mut std::io::BufReader::new(r), &mut line)?;
            Ok(line)
        })
        .unwrap();
    assert!(first_line.starts_with("2025-03-14"), "{first_line}");
}

#[test]
fn webhook_fixture_has_no_controller_pod() {
    let s = open("webhook-denied");
    assert!(
        s.of_kind("", "Pod")
            .all(|p| !p.name().starts_with("calico-kube-controllers"))
    );
    assert_eq!(
        count(
            &s,
            "admissionregistration.k8s.io",
            "ValidatingWebhookConfiguration"
        ),
        1
    );
}
