//! `kbundle diff`: one fixture cluster collected through `kbundle serve` before and after a
//! change (a FelixConfiguration edit, a memory limit lowered, a node cordoned, a webhook
//! added) gives exactly those changes and the matching new findings, also against a
//! troubleshoot.sh-style export of the cluster after; identical inputs give no changes; a
//! bundle against a plain folder of the same cluster gives no spurious changes.

use std::path::Path;
use std::process::Output;

use serde_json::{Value, json};

use crate::util::*;

const BEFORE: &str = "2025-03-11T15:20:00Z";
const AFTER: &str = "2025-03-11T16:00:00Z";
const EDITED: &str = "2025-03-11T15:40:00Z";

/// Collects from `s` at `at` into `out`.
fn collect(s: &Serve, out: &Path, at: &str) {
    let o = run(kbundle()
        .arg("collect")
        .arg("--kubeconfig")
        .arg(&s.kubeconfig)
        .arg("-o")
        .arg(out)
        .args(["--collected-at", at, "--timeout", "600s"]));
    assert_eq!(
        code(&o),
        0,
        "stdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
}

/// Serves `dir` and collects it at `at` into `out`.
fn serve_and_collect(dir: &Path, out: &Path, at: &str) {
    collect(&Serve::start(kbundle(), &[dir], &[]), out, at);
}

/// A troubleshoot.sh-style export of what `s` serves, made with kubectl: every listable
/// type in one List under `cluster-resources/` (with managedFields, as troubleshoot.sh keeps
/// them), and troubleshoot's `version.yaml`.
fn export_troubleshoot(s: &Serve, out: &Path) {
    let o = run(s
        .kubectl()
        .args(["api-resources", "--verbs=list", "-o", "name"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let types = stdout(&o).split_whitespace().collect::<Vec<_>>().join(",");
    let o = run(s
        .kubectl()
        .args(["get", &types, "-A", "-o", "json", "--show-managed-fields"]));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::create_dir_all(out.join("cluster-resources")).unwrap();
    std::fs::write(out.join("cluster-resources/all.json"), &o.stdout).unwrap();
    std::fs::write(
        out.join("version.yaml"),
        "apiVersion: troubleshoot.sh/v1beta2\nkind: SupportBundle\nspec: {}\n",
    )
    .unwrap();
}

/// Replaces `from` by `to` in the YAML document of `file` that contains `doc`, once.
fn edit(file: &Path, doc: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    let mut docs: Vec<String> = text.split("\n---\n").map(String::from).collect();
    let d = docs
        .iter_mut()
        .find(|d| d.contains(doc))
        .unwrap_or_else(|| panic!("{doc} not in {}", file.display()));
    assert!(
        d.contains(from),
        "{from:?} not in {doc} of {}",
        file.display()
    );
    *d = d.replacen(from, to, 1);
    std::fs::write(file, docs.join("\n---\n")).unwrap();
}

/// The healthy cluster after four changes, each written at `EDITED`.
fn change(dir: &Path) {
    let felix = dir.join("cluster/calico.yaml");
    edit(
        &felix,
        "kind: FelixConfiguration",
        "logSeverityScreen: Info",
        "logSeverityScreen: Debug",
    );
    edit(
        &felix,
        "kind: FelixConfiguration",
        "- manager: operator\n    operation: Update\n    apiVersion: crd.projectcalico.org/v1\n    time: '2024-05-14T13:09:54Z'",
        &format!(
            "- manager: kubectl-edit\n    operation: Update\n    apiVersion: crd.projectcalico.org/v1\n    time: '{EDITED}'"
        ),
    );
    let apps = dir.join("calico-system/apps.yaml");
    let deployment = "kind: Deployment\nmetadata:\n  name: calico-kube-controllers";
    edit(&apps, deployment, "memory: 128Mi", "memory: 96Mi");
    edit(
        &apps,
        deployment,
        "time: '2024-12-03T20:15:06Z'",
        &format!("time: '{EDITED}'"),
    );
    edit(
        &dir.join("cluster/nodes.yaml"),
        "kind: NodeList",
        "  spec:\n    podCIDR: 172.30.0.0/24\n",
        &format!(
            "  spec:\n    unschedulable: true\n    taints:\n    - key: node.kubernetes.io/unschedulable\n      effect: NoSchedule\n      timeAdded: '{EDITED}'\n    podCIDR: 172.30.0.0/24\n"
        ),
    );
    let webhooks =
        std::fs::read_to_string(fixture("webhook-denied").join("cluster/webhooks.yaml")).unwrap();
    let validating = webhooks.split("\n---\n").next().unwrap();
    assert!(validating.contains("kind: ValidatingWebhookConfiguration"));
    let validating = validating.replace(
        "creationTimestamp: '2025-02-03T10:13:22Z'",
        &format!("creationTimestamp: '{EDITED}'"),
    );
    std::fs::write(dir.join("cluster/webhooks.yaml"), validating).unwrap();
}

fn diff(old: &Path, new: &Path, extra: &[&str]) -> Output {
    run(kbundle().arg("diff").arg(old).arg(new).args(extra))
}

fn diff_json(old: &Path, new: &Path) -> Value {
    let o = diff(old, new, &["--format", "json"]);
    assert_eq!(code(&o), 0, "stderr: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let ns = o["namespace"].as_str().unwrap();
            let kind = o["kind"].as_str().unwrap();
            let name = o["name"].as_str().unwrap();
            if ns.is_empty() {
                format!("{kind}/{name}")
            } else {
                format!("{kind}/{ns}/{name}")
            }
        })
        .collect()
}

#[test]
fn diff_before_and_after_a_change() {
    let tmp = tempfile::tempdir().unwrap();
    let cluster = tmp.path().join("cluster");
    copy_dir(&fixture("healthy"), &cluster);
    let (before, after) = (tmp.path().join("before.zip"), tmp.path().join("after.zip"));
    serve_and_collect(&cluster, &before, BEFORE);
    change(&cluster);
    let export = tmp.path().join("troubleshoot");
    {
        let s = Serve::start(kbundle(), &[&cluster], &[]);
        collect(&s, &after, AFTER);
        export_troubleshoot(&s, &export);
    }

    let d = diff_json(&before, &after);
    assert_eq!(d["schema_version"], 1);
    assert_eq!(d["old"]["reference_time"], BEFORE);
    assert_eq!(d["new"]["reference_time"], AFTER);
    let objects = &d["objects"];
    assert_eq!(
        names(&objects["added"]),
        ["ValidatingWebhookConfiguration/kyverno-resource-validating-webhook-cfg"]
    );
    assert_eq!(names(&objects["removed"]), Vec::<String>::new());
    assert_eq!(objects["not_compared"], json!([]));
    let changed: Vec<(String, Value)> = names(&objects["changed"])
        .into_iter()
        .zip(objects["changed"].as_array().unwrap())
        .map(|(n, c)| {
            assert_eq!(c["recreated"], false, "{n}");
            (n, c["fields"].clone())
        })
        .collect();
    assert_eq!(
        changed,
        [
            (
                "Deployment/calico-system/calico-kube-controllers".to_string(),
                json!([{"path": "spec.template.spec.containers[name=calico-kube-controllers].resources.limits.memory", "old": "128Mi", "new": "96Mi"}])
            ),
            (
                "FelixConfiguration/default".to_string(),
                json!([{"path": "spec.logSeverityScreen", "old": "Info", "new": "Debug"}])
            ),
            (
                "Node/10.240.0.15".to_string(),
                json!([
                    {"path": "spec.taints", "new": [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": EDITED}]},
                    {"path": "spec.unschedulable", "new": true}
                ])
            ),
        ]
    );
    let highlights: Vec<(&str, &str)> = d["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["change"].as_str().unwrap(),
                h["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        highlights,
        [
            ("cordon", "cordoned (unschedulable)"),
            (
                "taint",
                "taint added node.kubernetes.io/unschedulable:NoSchedule"
            ),
        ]
    );
    assert_eq!(d["events"]["new"], json!([]));
    let new: Vec<(&str, String)> = d["findings"]["new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = &f["subject"];
            (
                f["rule"].as_str().unwrap(),
                format!(
                    "{}/{}",
                    s["kind"].as_str().unwrap(),
                    s["name"].as_str().unwrap()
                ),
            )
        })
        .collect();
    assert_eq!(
        new,
        [
            ("node-not-ready", "Node/10.240.0.15".to_string()),
            (
                "recent-config-change",
                "Deployment/calico-kube-controllers".to_string()
            ),
            (
                "recent-config-change",
                "FelixConfiguration/default".to_string()
            ),
            (
                "recent-config-change",
                "ValidatingWebhookConfiguration/kyverno-resource-validating-webhook-cfg"
                    .to_string()
            ),
        ]
    );
    assert_eq!(d["findings"]["resolved"], json!([]));

    // The text says the same, and --fail-on-new trips on the new warnings only.
    let o = diff(&before, &after, &[]);
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    assert!(
        text.contains("Objects: 1 added, 0 removed, 3 changed"),
        "{text}"
    );
    assert!(
        text.contains("spec.template.spec.containers[name=calico-kube-controllers].resources.limits.memory: \"128Mi\" -> \"96Mi\""),
        "{text}"
    );
    assert!(
        text.contains("Findings: 4 new, 0 resolved, 0 persisting"),
        "{text}"
    );
    assert_eq!(
        code(&diff(&before, &after, &["--fail-on-new", "warning"])),
        1
    );
    assert_eq!(
        code(&diff(&before, &after, &["--fail-on-new", "critical"])),
        0
    );
    // Backwards, the changes undo themselves and the findings are resolved.
    let back = diff_json(&after, &before);
    assert_eq!(names(&back["objects"]["removed"]), names(&objects["added"]));
    assert_eq!(back["findings"]["resolved"].as_array().unwrap().len(), 4);
    assert_eq!(code(&diff(&after, &before, &["--fail-on-new", "info"])), 0);

    // The bundle from before against a troubleshoot.sh-style export of the cluster after:
    // the same changes and new findings. The export holds more (kube-system, every Lease),
    // which is not compared; the webhook is added because it was created after the bundle.
    let cross = diff_json(&before, &export);
    assert_eq!(cross["new"]["layouts"], json!(["troubleshoot"]));
    assert_eq!(cross["objects"]["added"], objects["added"]);
    assert_eq!(cross["objects"]["removed"], json!([]));
    assert_eq!(cross["objects"]["changed"], objects["changed"]);
    assert_eq!(cross["highlights"], d["highlights"]);
    assert_eq!(cross["events"]["new"], json!([]));
    let rules = |d: &Value, which: &str| -> Vec<(String, String)> {
        d["findings"][which]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["rule"].to_string(), f["subject"].to_string()))
            .collect()
    };
    assert_eq!(rules(&cross, "new"), rules(&d, "new"));
    assert_eq!(rules(&cross, "resolved"), vec![]);
    assert!(
        !cross["objects"]["not_compared"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn diff_identical_and_across_formats() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("b.zip");
    serve_and_collect(&fixture("crashloop-oom"), &bundle, "2025-03-14T09:30:00Z");
    let o = diff(&bundle, &bundle, &["--fail-on-new", "info"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("\nNo changes.\n"), "{}", stdout(&o));
    // Every finding persists (crash-loop, memory-limit-hit, recent-config-change,
    // log-error-signature, and the datastore timeouts' apiserver-unreachable and probe-failure).
    let d = diff_json(&bundle, &bundle);
    assert_eq!(
        d["findings"]["persisting"].as_array().unwrap().len(),
        6,
        "{d:#}"
    );

    // The bundle against the folder it was collected from: the folder holds more (other
    // namespaces, every lease), which is not compared, and nothing else differs.
    for (old, new) in [
        (&bundle, &fixture("crashloop-oom")),
        (&fixture("crashloop-oom"), &bundle),
    ] {
        let d = diff_json(old, new);
        assert_eq!(d["objects"]["added"], json!([]), "{d:#}");
        assert_eq!(d["objects"]["removed"], json!([]), "{d:#}");
        assert_eq!(d["objects"]["changed"], json!([]), "{d:#}");
        assert_eq!(d["highlights"], json!([]), "{d:#}");
        assert_eq!(d["events"]["new"], json!([]), "{d:#}");
        assert_eq!(d["findings"]["new"], json!([]), "{d:#}");
        assert_eq!(d["findings"]["resolved"], json!([]), "{d:#}");
        assert!(!d["objects"]["not_compared"].as_array().unwrap().is_empty());
    }
}

#[test]
fn diff_unusable_input_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let junk = tmp.path().join("junk.zip");
    std::fs::write(&junk, b"PK\x03\x04 not a zip").unwrap();
    for (old, new) in [
        (junk.as_path(), fixture("healthy")),
        (tmp.path().join("missing").as_path(), fixture("healthy")),
    ] {
        let o = diff(old, &new, &[]);
        assert_eq!(code(&o), 2, "stdout: {}", stdout(&o));
        let err = stderr(&o);
        assert!(
            err.starts_with("kbundle: ") && err.lines().count() == 1,
            "{err}"
        );
    }
}
