#![allow(clippy::unwrap_used, clippy::expect_used)]

use kbundle_format::{EntryRef, Object, Snapshot};
use serde_json::{Value, json};

use super::*;

fn snapshot(values: Vec<Value>) -> Snapshot {
    let mut s = Snapshot::new();
    for (i, value) in values.into_iter().enumerate() {
        assert!(s.insert(Object::new(
            value,
            EntryRef {
                input: 0,
                path: format!("o{i}.json"),
            },
        )));
    }
    s
}

fn pod(restarts: i64, state: Value, last: Value, image: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "calico-kube-controllers-5f6b8d9c47-q4wzn", "namespace": "calico-system",
                     "uid": "u1", "creationTimestamp": "2025-03-14T08:00:00Z", "resourceVersion": format!("{restarts}")},
        "spec": {"nodeName": "10.240.64.11", "containers": [{"name": "calico-kube-controllers", "image": image}]},
        "status": {"phase": "Running",
            "conditions": [{"type": "Ready", "status": if restarts > 0 { "False" } else { "True" },
                            "lastProbeTime": null, "lastTransitionTime": "2025-03-14T08:00:00Z"}],
            "containerStatuses": [{"name": "calico-kube-controllers", "restartCount": restarts,
                                   "image": image, "state": state, "lastState": last}]}
    })
}

fn node(unschedulable: bool, taints: Value, kubelet: &str, heartbeat: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "10.240.64.11", "uid": "n1", "creationTimestamp": "2025-01-01T00:00:00Z",
                     "labels": {"ibm-cloud.kubernetes.io/worker-version": format!("{kubelet}_1550_iks")}},
        "spec": {"unschedulable": unschedulable, "taints": taints},
        "status": {"nodeInfo": {"kubeletVersion": kubelet},
                   "images": [{"names": [heartbeat]}],
                   "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": heartbeat}]}
    })
}

fn event(name: &str, count: u64, last: &str, reason: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": "calico-system", "uid": name},
        "involvedObject": {"kind": "Pod", "namespace": "calico-system", "name": "calico-kube-controllers-5f6b8d9c47-q4wzn"},
        "reason": reason, "type": "Warning", "count": count, "lastTimestamp": last,
        "message": format!("{reason} x{count}")
    })
}

fn before_and_after() -> (Snapshot, Snapshot) {
    let old = snapshot(vec![
        pod(
            2,
            json!({"running": {"startedAt": "2025-03-14T09:00:00Z"}}),
            json!({"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": "2025-03-14T08:59:00Z"}}),
            "icr.io/ext/calico/kube-controllers:v3.28.1",
        ),
        node(false, json!([]), "v1.30.5+IKS", "t1"),
        event("e1", 3, "2025-03-14T09:00:00Z", "BackOff"),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "gone", "namespace": "calico-system"}, "data": {"a": "1"}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "again", "namespace": "calico-system", "uid": "c1"}, "data": {"a": "1"}}),
    ]);
    let new = snapshot(vec![
        pod(
            5,
            json!({"waiting": {"reason": "CrashLoopBackOff"}}),
            json!({"terminated": {"reason": "OOMKilled", "exitCode": 137, "finishedAt": "2025-03-14T09:40:00Z"}}),
            "icr.io/ext/calico/kube-controllers:v3.28.2",
        ),
        node(
            true,
            json!([{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]),
            "v1.30.6+IKS",
            "t2",
        ),
        event("e1", 7, "2025-03-14T09:41:00Z", "BackOff"),
        event("e2", 1, "2025-03-14T09:42:00Z", "Unhealthy"),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "again", "namespace": "calico-system", "uid": "c2"}, "data": {"a": "1"}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "fresh", "namespace": "calico-system"}, "data": {"token": "<redacted:2f1c>"}}),
    ]);
    (old, new)
}

fn diff_of(old: &Snapshot, new: &Snapshot) -> Diff {
    let mut d = diff(old, new, &DiffOptions::default());
    d.set_inputs(vec!["before".into()], vec!["after".into()]);
    d
}

#[test]
fn pods_nodes_events_and_objects() {
    let (old, new) = before_and_after();
    let d = diff_of(&old, &new);
    let names = |l: &[ObjectRef]| l.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(names(&d.objects.added), ["ConfigMap/calico-system/fresh"]);
    assert_eq!(names(&d.objects.removed), ["ConfigMap/calico-system/gone"]);
    let recreated: Vec<String> = d
        .objects
        .changed
        .iter()
        .filter(|c| c.recreated)
        .map(|c| c.object().to_string())
        .collect();
    assert_eq!(recreated, ["ConfigMap/calico-system/again"]);
    let lights: Vec<String> = d
        .highlights
        .iter()
        .map(|h| format!("{}/{} {:?}: {}", h.kind, h.name, h.change, h.message))
        .collect();
    insta::assert_debug_snapshot!(lights);
    let events: Vec<(String, u64)> = d
        .events
        .new
        .iter()
        .map(|e| (e.reason.clone(), e.count))
        .collect();
    assert_eq!(
        events,
        [("BackOff".to_string(), 4), ("Unhealthy".to_string(), 1)]
    );
    assert!(!d.is_empty());
}

#[test]
fn the_same_snapshot_has_no_changes() {
    let (_, new) = before_and_after();
    let d = diff_of(&new, &new);
    assert!(d.is_empty(), "{}", d.to_text(false));
    assert!(d.to_text(false).contains("\nNo changes.\n"));
    assert_eq!(d.max_new_severity(), None);
}

#[test]
fn redacted_values_compare_as_written() {
    let cm = |token: &str| {
        snapshot(vec![json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "ns"}, "data": {"token": token}})])
    };
    let same = diff_of(&cm("<redacted:2f1c>"), &cm("<redacted:2f1c>"));
    assert!(same.objects.changed.is_empty());
    let other = diff_of(&cm("<redacted:2f1c>"), &cm("<redacted:9a0b>"));
    assert_eq!(other.objects.changed.len(), 1);
    assert_eq!(other.objects.changed[0].fields[0].path, "data.token");
}

#[test]
fn findings_new_resolved_persisting() {
    let f = |rule: &'static str, name: &str, message: &str| Finding {
        rule,
        severity: Severity::Warning,
        subject: crate::Subject::new("Pod", "ns", name),
        message: message.into(),
        evidence: vec![],
        next_steps: vec![],
    };
    let d = match_findings(
        vec![
            f("crash-loop", "a", "3 restarts"),
            f("crash-loop", "b", "x"),
        ],
        vec![
            f("crash-loop", "a", "9 restarts"),
            f("webhook-denied", "a", "y"),
        ],
    );
    assert_eq!(d.persisting, [f("crash-loop", "a", "9 restarts")]);
    assert_eq!(d.new, [f("webhook-denied", "a", "y")]);
    assert_eq!(d.resolved, [f("crash-loop", "b", "x")]);
}

#[test]
fn narrower_collections_are_not_compared() {
    // OLD is a folder with one namespace; NEW a bundle with two. Objects only in NEW are
    // not compared unless created after OLD's reference time.
    let old = snapshot(vec![json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "a", "namespace": "ns", "creationTimestamp": "2025-03-14T09:00:00Z"}})]);
    let new = snapshot(vec![
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "namespace": "ns", "creationTimestamp": "2025-03-14T09:00:00Z"}}),
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "b", "namespace": "other", "creationTimestamp": "2025-03-14T08:00:00Z"}}),
        json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "c", "namespace": "ns", "creationTimestamp": "2025-03-14T09:30:00Z"}}),
    ]);
    // Two empty snapshots have no inputs, hence the same (no) layout: alike.
    let d = diff_of(&old, &new);
    let added: Vec<String> = d.objects.added.iter().map(ToString::to_string).collect();
    assert_eq!(added, ["Secret/ns/c"]);
    assert_eq!(
        d.objects.not_compared,
        [NotCompared {
            kind: "ConfigMap".into(),
            namespace: "other".into(),
            only_in: "new",
            count: 1
        }]
    );
}

/// A diff whose every input-derived string is hostile.
fn hostile() -> Diff {
    let evil = "x\u{1b}[2J`<script>alert(1)</script>`|\u{202e}rtl\n# heading";
    let cm = |v: &str| {
        snapshot(vec![json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": evil, "namespace": evil}, "data": {evil: v}})])
    };
    diff_of(&cm("a"), &cm(evil))
}

#[test]
fn hostile_strings_stay_inert() {
    let d = hostile();
    let text = d.to_text(false);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}'),
        "{text}"
    );
    assert!(!text.contains("\n# heading"), "{text}");
    let md = d.to_markdown();
    assert!(
        !md.contains('\u{1b}') && !md.contains("\n# heading"),
        "{md}"
    );
    // Every hostile string is inside a code span: outside them no tag survives.
    let outside: String = md.split("``").step_by(2).collect();
    assert!(!outside.contains("<script>"), "{md}");
    let html = d.to_html();
    assert!(
        !html.contains("<script>") && !html.contains('\u{1b}'),
        "{html}"
    );
    assert!(html.contains("&lt;script&gt;"), "{html}");
    insta::assert_snapshot!("hostile_markdown", md);
}

#[test]
fn renderings() {
    let (old, new) = before_and_after();
    let d = diff_of(&old, &new);
    insta::assert_snapshot!("text", d.to_text(false));
    insta::assert_snapshot!("markdown", d.to_markdown());
    let json: Value = serde_json::from_str(&d.to_json()).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(d.to_json(), diff_of(&old, &new).to_json());
    let html = d.to_html();
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    for tag in ["ul", "li", "p", "h2", "code"] {
        let open = html.matches(&format!("<{tag}>")).count();
        assert_eq!(
            open,
            html.matches(&format!("</{tag}>")).count(),
            "{tag}: {html}"
        );
        assert!(open > 0, "{tag}");
    }
    // Field changes are a list inside their object's item.
    assert!(
        html.contains("(recreated: uid or creationTimestamp changed)</li>\n<li>"),
        "{html}"
    );
    assert!(
        html.contains("<code>Node/10.240.64.11</code><ul>\n<li>"),
        "{html}"
    );
}

#[test]
fn markdown_stays_within_a_github_comment() {
    // 400 changed objects with long values: far more than 65,536 characters whole.
    let cms = |v: &str| {
        snapshot(
            (0..400)
                .map(|i| {
                    json!({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": format!("c{i}"), "namespace": "ns"},
                       "data": {"a": v.repeat(50), "b": v.repeat(50)}})
                })
                .collect(),
        )
    };
    let d = diff_of(&cms("x"), &cms("y"));
    assert_eq!(d.objects.changed.len(), 400);
    let md = d.to_markdown();
    assert!(
        md.chars().count() <= crate::markdown::GITHUB_COMMENT_MAX,
        "{}",
        md.len()
    );
    assert!(
        md.ends_with("`--format json` has the whole diff._\n"),
        "{}",
        &md[md.len() - 300..]
    );
    let small = d.to_markdown_within(5_000);
    assert!(small.chars().count() <= 5_000);
    assert!(small.starts_with("## kbundle diff\n"));
    // Small diffs are whole.
    let (old, new) = before_and_after();
    assert!(!diff_of(&old, &new).to_markdown().contains("Left out"));
}
