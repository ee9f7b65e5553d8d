//! Diagnoses: one snapshot per link of the table (`kbundle_analyzer::diagnose::LINKS`), and a
//! fixture with two independent failures that gives two diagnoses.
//!
//! Links whose rules exist and that a fixture shows are built from that fixture, through
//! `analyze`. The others, links no fixture shows yet, are built from findings constructed here.
//! Each constructed case also has a near miss (the cause about an unrelated object) that must
//! give no such diagnosis.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use kbundle_analyzer::diagnose::{Diagnosis, LINKS, Link, diagnose};
use kbundle_analyzer::facts::{
    Event, Facts, ObjRef, Owner, Pod, ReplicaSet, Webhook, WebhookConfig,
};
use kbundle_analyzer::{Finding, Options, Report, Severity, Subject, analyze};
use kbundle_format::{ReadOptions, Snapshot};

const NOW: &str = "2025-03-14T10:00:00Z";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn report(dir: PathBuf, now: Option<&str>) -> Report {
    let snapshot = Snapshot::open(&dir, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let options = Options::default().with_now(now.map(|n| n.parse().expect("now")));
    analyze(&snapshot, &options)
}

/// The fixture that shows a link, for links whose rules exist.
fn fixture_of(l: &Link) -> Option<Report> {
    let clusters = root().join("../../fixtures/clusters");
    let fixtures = root().join("tests/fixtures");
    Some(match (l.cause, l.effect) {
        ("memory-limit-hit", "crash-loop") | ("recent-config-change", "memory-limit-hit") => {
            report(clusters.join("crashloop-oom"), None)
        }
        ("webhook-denied", "workload-missing") => report(clusters.join("webhook-denied"), None),
        ("webhook-unreachable", "workload-missing") => {
            report(fixtures.join("webhook-unreachable/fire"), Some(NOW))
        }
        ("node-not-ready", "pod-pending") => {
            report(fixtures.join("diagnoses/two-failures"), Some(NOW))
        }
        _ => return None,
    })
}

fn finding(rule: &'static str, subject: Subject) -> Finding {
    Finding {
        rule,
        severity: Severity::Critical,
        message: format!("{rule} (constructed in tests/diagnoses.rs)"),
        subject,
        evidence: Vec::new(),
        next_steps: Vec::new(),
    }
}

fn event(regarding: Subject, reason: &str, message: &str) -> Event {
    let namespace = regarding.namespace_str().to_string();
    Event {
        namespace: namespace.clone(),
        regarding: ObjRef {
            kind: regarding.kind,
            namespace,
            name: regarding.name,
            uid: None,
        },
        reason: reason.into(),
        message: message.into(),
        type_: "Warning".into(),
        count: 1,
        ..Event::default()
    }
}

/// The cause's subject, the effect's subject and the facts that relate them, for links no
/// fixture shows. Real wordings: the `exceeded quota` message of the ResourceQuota admission
/// plugin, the scheduler's `persistentvolumeclaim "NAME" not found`.
fn constructed(l: &Link) -> (Subject, Subject, Facts) {
    let pod = Subject::new("Pod", "shop", "frontend-5c7d8f9b6-q2w3e");
    let deployment = Subject::new("Deployment", "shop", "frontend");
    let config = Subject::new(
        "ValidatingWebhookConfiguration",
        "",
        "gatekeeper-validating-webhook-configuration",
    );
    let node = Subject::new("Node", "", "10.240.0.4");
    let mut facts = Facts::default();
    let (cause, effect) = match (l.cause, l.effect) {
        ("service-no-endpoints", _) => {
            facts.webhook_configs.push(WebhookConfig {
                kind: config.kind.clone(),
                name: config.name.clone(),
                webhooks: vec![Webhook {
                    name: "validation.gatekeeper.sh".into(),
                    service: Some((
                        "gatekeeper-system".into(),
                        "gatekeeper-webhook-service".into(),
                    )),
                    ..Webhook::default()
                }],
                ..WebhookConfig::default()
            });
            (
                Subject::new("Service", "gatekeeper-system", "gatekeeper-webhook-service"),
                config,
            )
        }
        ("certificate-expired", _) => (config.clone(), config),
        ("webhook-unreachable", "pod-pending") => {
            facts.webhook_configs.push(WebhookConfig {
                kind: config.kind.clone(),
                name: config.name.clone(),
                webhooks: vec![Webhook {
                    name: "validation.gatekeeper.sh".into(),
                    ..Webhook::default()
                }],
                ..WebhookConfig::default()
            });
            facts.events.push(event(
                pod.clone(),
                "FailedCreatePodSandBox",
                "Internal error occurred: failed calling webhook \"validation.gatekeeper.sh\": \
                 failed to call webhook: Post \"https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s\": \
                 context deadline exceeded",
            ));
            (config, pod)
        }
        ("quota-exceeded", _) => {
            let rs = Subject::new("ReplicaSet", "shop", "frontend-5c7d8f9b6");
            facts.replica_sets.push(ReplicaSet {
                namespace: rs.namespace_str().to_string(),
                name: rs.name.clone(),
                owner: Some(Owner {
                    kind: "Deployment".into(),
                    name: "frontend".into(),
                    uid: None,
                }),
                ..ReplicaSet::default()
            });
            facts.events.push(event(
                rs,
                "FailedCreate",
                "Error creating: pods \"frontend-5c7d8f9b6-z8k2p\" is forbidden: exceeded quota: \
                 compute-resources, requested: limits.memory=1Gi, used: limits.memory=3Gi, \
                 limited: limits.memory=4Gi",
            ));
            (
                Subject::new("ResourceQuota", "shop", "compute-resources"),
                deployment,
            )
        }
        ("pvc-pending", _) => {
            facts.events.push(event(
                pod.clone(),
                "FailedScheduling",
                "0/3 nodes are available: persistentvolumeclaim \"data-frontend\" not found. \
                 preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
            ));
            (
                Subject::new("PersistentVolumeClaim", "shop", "data-frontend"),
                pod,
            )
        }
        (_, "recent-cluster-update") => (node.clone(), node),
        ("node-not-ready" | "node-pressure", _) => {
            facts.pods.push(Pod {
                namespace: pod.namespace_str().to_string(),
                name: pod.name.clone(),
                node: Some(node.name.clone()),
                ..Pod::default()
            });
            (node, pod)
        }
        ("recent-config-change", "workload-missing") => (
            Subject::new("FelixConfiguration", "", "default"),
            deployment,
        ),
        ("recent-config-change", "webhook-denied" | "webhook-unreachable") => (
            Subject::new("ConfigMap", "", "cluster-scoped-change"),
            config,
        ),
        ("recent-config-change", _) => (Subject::new("ConfigMap", "shop", "frontend-config"), pod),
        // Same object: the same pod.
        _ => (pod.clone(), pod),
    };
    (cause, effect, facts)
}

/// Whether a diagnosis holds the link: its cause explains the effect, directly or as a step of
/// a longer chain (a root cause above the link's cause explains both).
fn has_link(diagnoses: &[Diagnosis], l: &Link) -> bool {
    diagnoses.iter().any(|d| {
        (d.cause.rule == l.cause || d.effects.iter().any(|e| e.rule == l.cause))
            && d.effects.iter().any(|e| e.rule == l.effect)
    })
}

fn render(diagnoses: &[Diagnosis]) -> String {
    serde_json::to_string_pretty(diagnoses).expect("JSON")
}

#[test]
fn every_link_gives_its_diagnosis() {
    let mut names = std::collections::BTreeSet::new();
    for l in LINKS {
        let name = format!("link__{}__{}", l.cause, l.effect);
        assert!(names.insert(name.clone()), "{name} twice in the table");
        let text = match fixture_of(l) {
            Some(r) => {
                assert!(
                    has_link(&r.diagnoses, l),
                    "{name}: no diagnosis\n{}",
                    r.to_text(false)
                );
                format!("from a fixture\n{}", render(&r.diagnoses))
            }
            None => {
                let (cause, effect, facts) = constructed(l);
                let findings = vec![finding(l.cause, cause), finding(l.effect, effect.clone())];
                let d = diagnose(&findings, &facts);
                assert!(has_link(&d, l), "{name}: no diagnosis from {findings:#?}");
                // Near miss: the cause about an unrelated object.
                let miss = vec![
                    finding(
                        l.cause,
                        Subject::new(&findings[0].subject.kind, "elsewhere", "unrelated"),
                    ),
                    finding(l.effect, effect),
                ];
                let d_miss = diagnose(&miss, &facts);
                assert!(
                    !has_link(&d_miss, l),
                    "{name}: near miss linked {d_miss:#?}"
                );
                format!(
                    "constructed findings (no fixture shows it yet)\n{}",
                    render(&d)
                )
            }
        };
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn two_independent_failures_give_two_diagnoses() {
    let r = report(
        root().join("tests/fixtures/diagnoses/two-failures"),
        Some(NOW),
    );
    let causes: Vec<(&str, &str)> = r
        .diagnoses
        .iter()
        .map(|d| (d.cause.rule, d.cause.subject.name.as_str()))
        .collect();
    assert_eq!(
        causes,
        [
            (
                "memory-limit-hit",
                "calico-kube-controllers-6f8c9d7b5-x2x7k"
            ),
            ("node-not-ready", "10.240.0.4")
        ],
        "{}",
        r.to_text(false)
    );
    insta::assert_snapshot!("two_failures_text", r.to_text(false));
}

#[test]
fn a_chain_is_one_diagnosis_with_the_root_cause() {
    // service-no-endpoints -> webhook-unreachable -> pod-pending (constructed: the first rule
    // is not written yet).
    let l = LINKS
        .iter()
        .find(|l| l.cause == "service-no-endpoints")
        .expect("link");
    let (service, config, mut facts) = constructed(l);
    let l2 = LINKS
        .iter()
        .find(|l| l.cause == "webhook-unreachable" && l.effect == "pod-pending")
        .expect("link");
    let (_, pod, more) = constructed(l2);
    facts.events.extend(more.events);
    if let Some(w) = facts
        .webhook_configs
        .first_mut()
        .and_then(|c| c.webhooks.first_mut())
    {
        w.name = "validation.gatekeeper.sh".into();
    }
    let findings = vec![
        finding("webhook-unreachable", config),
        finding("pod-pending", pod),
        finding("service-no-endpoints", service),
    ];
    let d = diagnose(&findings, &facts);
    assert_eq!(d.len(), 1, "{d:#?}");
    assert_eq!(d[0].cause.rule, "service-no-endpoints");
    let effects: Vec<&str> = d[0].effects.iter().map(|e| e.rule).collect();
    assert_eq!(effects, ["webhook-unreachable", "pod-pending"]);
    // Every finding once in the text: the root, then its effects.
    let report = Report {
        diagnoses: d,
        findings,
        ..report(root().join("../../fixtures/clusters/healthy"), None)
    };
    let text = report.to_text(false);
    for rule in ["service-no-endpoints", "webhook-unreachable", "pod-pending"] {
        assert_eq!(
            text.matches(&format!("CRITICAL [{rule}]")).count(),
            1,
            "{text}"
        );
    }
    assert!(!text.contains("NOT EXPLAINED"), "{text}");
}

#[test]
fn selection_chooses_rules_and_refuses_unknown_ids() {
    let dir = root().join("../../fixtures/clusters/crashloop-oom");
    let snapshot = Snapshot::open(&dir, &ReadOptions::default()).expect("open");
    let options = Options::default().with_skip(["memory-limit-hit"]);
    let r = analyze(&snapshot, &options);
    assert!(!r.rules.contains(&"memory-limit-hit"));
    assert!(r.findings.iter().all(|f| f.rule != "memory-limit-hit"));
    assert!(r.findings.iter().any(|f| f.rule == "crash-loop"));
    let options = Options::default().with_rules(Some(vec!["crash-loop".into()]));
    let r = analyze(&snapshot, &options);
    assert_eq!(r.rules, ["crash-loop"]);
    assert!(r.findings.iter().all(|f| f.rule == "crash-loop"));
    let bad = Options::default().with_rules(Some(vec!["crash-loops".into()]));
    let e = bad.select().expect_err("unknown id").to_string();
    assert!(
        e.contains("\"crash-loops\"") && e.contains("memory-limit-hit"),
        "{e}"
    );
}
