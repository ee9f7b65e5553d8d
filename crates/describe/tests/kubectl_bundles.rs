//! Diff our renderer against a real `kubectl describe` (v1.32) on every pod,
//! node, Deployment and ReplicaSet of a troubleshoot.sh support bundle,
//! served by the fake API server (`tests/kubectl/fake_apiserver.py`).
//!
//! Ignored by default (needs python3, a kubectl binary and an unpacked
//! bundle). `KBUNDLE_CLUSTER_RESOURCES` is the bundle's `cluster-resources`
//! directory:
//!
//! ```text
//! tar xzf /work/shared/data/troubleshoot/baseline.tar.gz -C /tmp/bl
//! KUBECTL=/usr/lib/google-cloud-sdk/bin/kubectl.1.32 \
//! KBUNDLE_CLUSTER_RESOURCES=/tmp/bl/supportbundle/cluster-resources \
//!   cargo test -p kbundle-describe --test kubectl_bundles -- --ignored --nocapture
//! ```

#[path = "kubectl/harness.rs"]
mod harness;

use std::path::Path;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kbundle_describe::{describe_deployment, describe_node, describe_pod, describe_replicaset};
use serde_json::Value;

/// Items of every `List` JSON file for `kind` (`pods/<ns>.json` or `nodes.json`).
fn items(root: &Path, kind: &str) -> Vec<Value> {
    let mut files = Vec::new();
    let dir = root.join(kind);
    if let Ok(rd) = std::fs::read_dir(&dir) {
        files.extend(
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json")),
        );
    }
    let single = root.join(format!("{kind}.json"));
    if single.is_file() {
        files.push(single);
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        if let Some(list) = v.get("items").and_then(Value::as_array) {
            out.extend(list.iter().cloned());
        }
    }
    // The API server lists by namespace, then name.
    out.sort_by_key(|o| {
        let m = &o["metadata"];
        (
            m["namespace"].as_str().unwrap_or("").to_string(),
            m["name"].as_str().unwrap_or("").to_string(),
        )
    });
    out
}

fn typed<T: serde::de::DeserializeOwned>(v: &[Value]) -> Vec<T> {
    v.iter()
        .filter_map(|o| serde_json::from_value(o.clone()).ok())
        .collect()
}

/// The events kubectl's field selector would return for an involved object.
fn events_for(
    events: &[Event],
    name: &str,
    namespace: &str,
    kind: Option<&str>,
    uid: &str,
) -> Vec<Event> {
    events
        .iter()
        .filter(|e| {
            let o = &e.involved_object;
            o.name.as_deref() == Some(name)
                && o.namespace.as_deref().unwrap_or("") == namespace
                && kind.is_none_or(|k| o.kind.as_deref() == Some(k))
                && o.uid.as_deref().unwrap_or("") == uid
        })
        .cloned()
        .collect()
}

#[test]
#[ignore = "needs python3, a kubectl binary and KBUNDLE_CLUSTER_RESOURCES"]
fn bundle_objects_match_kubectl() {
    let Ok(root) = std::env::var("KBUNDLE_CLUSTER_RESOURCES") else {
        panic!("set KBUNDLE_CLUSTER_RESOURCES to a bundle's cluster-resources directory");
    };
    let root = Path::new(&root);
    let world_v = serde_json::json!({
        "pods": items(root, "pods"),
        "nodes": items(root, "nodes"),
        "events": items(root, "events"),
        "leases": items(root, "leases"),
        "deployments": items(root, "deployments"),
        "replicasets": items(root, "replicasets"),
    });
    let world = std::env::temp_dir().join(format!(
        "kbundle-describe-bundle-{}.json",
        std::process::id()
    ));
    std::fs::write(&world, world_v.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let (dir, _server, port) = harness::start(&world);

    let pods: Vec<Pod> = typed(world_v["pods"].as_array().map_or(&[][..], |v| v));
    let nodes: Vec<Node> = typed(world_v["nodes"].as_array().map_or(&[][..], |v| v));
    let events: Vec<Event> = typed(world_v["events"].as_array().map_or(&[][..], |v| v));
    let leases: Vec<Lease> = typed(world_v["leases"].as_array().map_or(&[][..], |v| v));
    let deployments: Vec<Deployment> =
        typed(world_v["deployments"].as_array().map_or(&[][..], |v| v));
    let replicasets: Vec<ReplicaSet> =
        typed(world_v["replicasets"].as_array().map_or(&[][..], |v| v));
    let s = |o: &Option<String>| o.clone().unwrap_or_default();

    let mut ok = true;
    let mut compared = 0;
    for p in &pods {
        let (name, ns) = (s(&p.metadata.name), s(&p.metadata.namespace));
        let uid = p
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("kubernetes.io/config.mirror").cloned())
            .unwrap_or_else(|| s(&p.metadata.uid));
        let evs = events_for(&events, &name, &ns, None, &uid);
        let now = harness::second_start();
        let want = harness::run_kubectl(&dir, &port, &["describe", "pod", "-n", &ns, &name]);
        let got = describe_pod(p, &evs, harness::render_now(now));
        let label = format!("pod {ns}.{name}");
        harness::keep(&dir, &label, &want, &got);
        ok &= harness::diff(&label, &want, &got);
        compared += 1;
    }
    for n in &nodes {
        let name = s(&n.metadata.name);
        let mut evs = events_for(&events, &name, "", Some("Node"), &s(&n.metadata.uid));
        evs.extend(events_for(&events, &name, "", Some("Node"), &name));
        let on_node: Vec<Pod> = pods
            .iter()
            .filter(|p| {
                p.spec.as_ref().and_then(|sp| sp.node_name.as_deref()) == Some(name.as_str())
            })
            .cloned()
            .collect();
        let lease = leases.iter().find(|l| {
            l.metadata.name.as_deref() == Some(&name)
                && l.metadata.namespace.as_deref() == Some("kube-node-lease")
        });
        let now = harness::second_start();
        let want = harness::run_kubectl(&dir, &port, &["describe", "node", &name]);
        let got = describe_node(n, lease, &on_node, &evs, harness::render_now(now));
        let label = format!("node {name}");
        harness::keep(&dir, &label, &want, &got);
        ok &= harness::diff(&label, &want, &got);
        compared += 1;
    }
    for d in &deployments {
        let (name, ns) = (s(&d.metadata.name), s(&d.metadata.namespace));
        let evs = events_for(&events, &name, &ns, Some("Deployment"), &s(&d.metadata.uid));
        let now = harness::second_start();
        let want = harness::run_kubectl(&dir, &port, &["describe", "deployment", "-n", &ns, &name]);
        let got = describe_deployment(d, &replicasets, &evs, harness::render_now(now));
        let label = format!("deployment {ns}.{name}");
        harness::keep(&dir, &label, &want, &got);
        ok &= harness::diff(&label, &want, &got);
        compared += 1;
    }
    for rs in &replicasets {
        let (name, ns) = (s(&rs.metadata.name), s(&rs.metadata.namespace));
        let evs = events_for(
            &events,
            &name,
            &ns,
            Some("ReplicaSet"),
            &s(&rs.metadata.uid),
        );
        let now = harness::second_start();
        let want = harness::run_kubectl(&dir, &port, &["describe", "replicaset", "-n", &ns, &name]);
        let got = describe_replicaset(rs, &pods, &evs, harness::render_now(now));
        let label = format!("replicaset {ns}.{name}");
        harness::keep(&dir, &label, &want, &got);
        ok &= harness::diff(&label, &want, &got);
        compared += 1;
    }
    println!(
        "{compared} objects compared; outputs kept in {}",
        dir.display()
    );
    assert!(compared > 0, "no objects found under {}", root.display());
    assert!(ok, "renderer differs from kubectl");
}
