//! The describe oracle: for every object of a described kind (pod, node, Deployment,
//! ReplicaSet, DaemonSet, StatefulSet, Service, Job, PersistentVolumeClaim) of every fixture
//! cluster, of the odd objects under `fixtures/describe/`, of the two troubleshoot.sh bundles in
//! `../shared/data/troubleshoot` and of the describe crate's generated set (init containers, every probe kind, env from ConfigMaps and Secrets,
//! many volume types, tolerations, taints, pressure, unschedulable, terminated and waiting
//! states...), our rendering must equal `kubectl.1.32 describe` run against `kbundle serve`
//! on the same objects, byte for byte.
//!
//! Ages: kubectl computes them from its wall clock at some instant between our reading the
//! clock before starting it and after it exits, however long that takes on a busy machine. We
//! render at the instants of that window where an age can change (whole seconds, the
//! generated MicroTimes' fraction, and a 10 ms grid for other fractions) and the comparison
//! holds when one of them gives kubectl's text.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Event, Node, PersistentVolumeClaim, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kbundle_format::{ReadOptions, Snapshot};
use serde_json::{Value, json};

use crate::util::*;

use kbundle_testkit::objects as generated;

/// The instants between `before` and `after` at which kubectl may have read its clock, one in
/// every interval where rendered ages are constant: `before`, then every whole second and
/// every `.876544` s (the fraction of [`generated::ago_micro`]'s MicroTimes) in the window,
/// then a 10 ms grid over it (real bundles' MicroTimes have other fractions).
fn instants(before: Timestamp, after: Timestamp) -> Vec<Timestamp> {
    let mut out = vec![before];
    for second in before.as_second()..=after.as_second() {
        for micros in [0, 876_544] {
            let t = Timestamp::from_microsecond(second * 1_000_000 + micros).unwrap();
            if before < t && t <= after {
                out.push(t);
            }
        }
    }
    let step = jiff::SignedDuration::from_millis(10);
    let mut t = before;
    while let Ok(next) = t.checked_add(step)
        && next <= after
    {
        out.push(next);
        t = next;
    }
    out
}

fn typed<T: serde::de::DeserializeOwned>(v: &Value) -> T {
    serde_json::from_value(v.clone()).unwrap()
}

/// Events as `kubectl describe` asks for them for a namespaced object: its kind, namespace,
/// name and uid (for a mirror pod, the uid in its `kubernetes.io/config.mirror` annotation).
fn object_events(kind: &str, meta: &ObjectMeta, events: &[Event]) -> Vec<Event> {
    let mirror = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubernetes.io/config.mirror"));
    let uid = match mirror {
        Some(m) if kind == "Pod" => m.as_str(),
        _ => meta.uid.as_deref().unwrap_or_default(),
    };
    events
        .iter()
        .filter(|e| {
            let o = &e.involved_object;
            o.kind.as_deref() == Some(kind)
                && o.namespace == meta.namespace
                && o.name == meta.name
                && o.uid.as_deref().unwrap_or_default() == uid
        })
        .cloned()
        .collect()
}

/// Events as `kubectl describe node` asks for them: a Node with the node's name, no
/// namespace, and the node's uid or its name as uid.
fn node_events(node: &Node, events: &[Event]) -> Vec<Event> {
    let name = node.metadata.name.as_deref().unwrap_or_default();
    let uid = node.metadata.uid.as_deref().unwrap_or_default();
    events
        .iter()
        .filter(|e| {
            let o = &e.involved_object;
            let u = o.uid.as_deref().unwrap_or_default();
            o.kind.as_deref() == Some("Node")
                && o.name.as_deref() == Some(name)
                && o.namespace.as_deref().unwrap_or_default().is_empty()
                && ((!uid.is_empty() && u == uid) || u == name)
        })
        .cloned()
        .collect()
}

/// `describe KIND -n NS NAME`.
fn describe_args(kind: &str, ns: String, name: String) -> Vec<String> {
    vec!["describe".into(), kind.into(), "-n".into(), ns, name]
}

/// One comparison: a name, kubectl's arguments, and our rendering at a given "now".
type Case = (String, Vec<String>, Box<dyn Fn(Timestamp) -> String>);

struct Outcome {
    identical: usize,
    total: usize,
    /// Objects compared, by the kind kubectl was asked to describe.
    by_kind: BTreeMap<String, usize>,
    failures: Vec<String>,
}

/// Compares every object of a described kind of the input at `path`.
fn compare(label: &str, path: &Path, outcome: &mut Outcome) {
    let snapshot = Snapshot::open(path, &ReadOptions::default()).unwrap();
    let server = Serve::start(kbundle(), &[path], &[]);
    let events: Vec<Event> = snapshot
        .of_kind("", "Event")
        .map(|o| typed(&o.value))
        .collect();
    let pods: Vec<Pod> = snapshot
        .of_kind("", "Pod")
        .map(|o| typed(&o.value))
        .collect();
    let leases: BTreeMap<String, Lease> = snapshot
        .of_kind("coordination.k8s.io", "Lease")
        .filter(|o| o.namespace() == "kube-node-lease")
        .map(|o| (o.name().to_string(), typed(&o.value)))
        .collect();
    let mut cases: Vec<Case> = Vec::new();
    for pod in &pods {
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let (pod, ev) = (pod.clone(), object_events("Pod", &pod.metadata, &events));
        cases.push((
            format!("{label}: pod {ns}/{name}"),
            vec!["describe".into(), "pod".into(), "-n".into(), ns, name],
            Box::new(move |now| kbundle_describe::describe_pod(&pod, &ev, now)),
        ));
    }
    for o in snapshot.of_kind("", "Node") {
        let node: Node = typed(&o.value);
        let name = o.name().to_string();
        let on_node: Vec<Pod> = pods
            .iter()
            .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(&name))
            .cloned()
            .collect();
        let ev = node_events(&node, &events);
        let lease = leases.get(&name).cloned();
        cases.push((
            format!("{label}: node {name}"),
            vec!["describe".into(), "node".into(), name],
            Box::new(move |now| {
                kbundle_describe::describe_node(&node, lease.as_ref(), &on_node, &ev, now)
            }),
        ));
    }
    let replicasets: Vec<ReplicaSet> = snapshot
        .of_kind("apps", "ReplicaSet")
        .map(|o| typed(&o.value))
        .collect();
    for o in snapshot.of_kind("apps", "Deployment") {
        let d: Deployment = typed(&o.value);
        let (ns, name) = (o.namespace().to_string(), o.name().to_string());
        let ev = object_events("Deployment", &d.metadata, &events);
        let in_ns: Vec<ReplicaSet> = replicasets
            .iter()
            .filter(|r| r.metadata.namespace.as_deref() == Some(&ns))
            .cloned()
            .collect();
        cases.push((
            format!("{label}: deployment {ns}/{name}"),
            vec![
                "describe".into(),
                "deployment".into(),
                "-n".into(),
                ns,
                name,
            ],
            Box::new(move |now| kbundle_describe::describe_deployment(&d, &in_ns, &ev, now)),
        ));
    }
    for rs in &replicasets {
        let ns = rs.metadata.namespace.clone().unwrap_or_default();
        let name = rs.metadata.name.clone().unwrap_or_default();
        let ev = object_events("ReplicaSet", &rs.metadata, &events);
        let in_ns: Vec<Pod> = pods
            .iter()
            .filter(|p| p.metadata.namespace.as_deref() == Some(&ns))
            .cloned()
            .collect();
        let rs = rs.clone();
        cases.push((
            format!("{label}: replicaset {ns}/{name}"),
            vec![
                "describe".into(),
                "replicaset".into(),
                "-n".into(),
                ns,
                name,
            ],
            Box::new(move |now| kbundle_describe::describe_replicaset(&rs, &in_ns, &ev, now)),
        ));
    }
    let in_ns = |ns: &str| -> Vec<Pod> {
        pods.iter()
            .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
            .cloned()
            .collect()
    };
    let slices: Vec<EndpointSlice> = snapshot
        .of_kind("discovery.k8s.io", "EndpointSlice")
        .map(|o| typed(&o.value))
        .collect();
    for o in snapshot.of_kind("apps", "DaemonSet") {
        let ds: DaemonSet = typed(&o.value);
        let (ns, name) = (o.namespace().to_string(), o.name().to_string());
        let (ev, pods) = (
            object_events("DaemonSet", &ds.metadata, &events),
            in_ns(&ns),
        );
        cases.push((
            format!("{label}: daemonset {ns}/{name}"),
            describe_args("daemonset", ns, name),
            Box::new(move |now| kbundle_describe::describe_daemonset(&ds, &pods, &ev, now)),
        ));
    }
    for o in snapshot.of_kind("apps", "StatefulSet") {
        let sts: StatefulSet = typed(&o.value);
        let (ns, name) = (o.namespace().to_string(), o.name().to_string());
        let (ev, pods) = (
            object_events("StatefulSet", &sts.metadata, &events),
            in_ns(&ns),
        );
        cases.push((
            format!("{label}: statefulset {ns}/{name}"),
            describe_args("statefulset", ns, name),
            Box::new(move |now| kbundle_describe::describe_statefulset(&sts, &pods, &ev, now)),
        ));
    }
    for o in snapshot.of_kind("", "Service") {
        let svc: Service = typed(&o.value);
        let (ns, name) = (o.namespace().to_string(), o.name().to_string());
        let ev = object_events("Service", &svc.metadata, &events);
        let slices = slices.clone();
        cases.push((
            format!("{label}: service {ns}/{name}"),
            describe_args("service", ns, name),
            Box::new(move |now| kbundle_describe::describe_service(&svc, &slices, &ev, now)),
        ));
    }
    for o in snapshot.of_kind("batch", "Job") {
        let job: Job = typed(&o.value);
        let (ns, name) = (o.namespace().to_string(), o.name().to_string());
        let ev = object_events("Job", &job.metadata, &events);
        cases.push((
            format!("{label}: job {ns}/{name}"),
            describe_args("job", ns, name),
            Box::new(move |now| kbundle_describe::describe_job(&job, &ev, now)),
        ));
    }
    for o in snapshot.of_kind("", "PersistentVolumeClaim") {
        let pvc: PersistentVolumeClaim = typed(&o.value);
        let (ns, name) = (o.namespace().to_string(), o.name().to_string());
        let (ev, pods) = (
            object_events("PersistentVolumeClaim", &pvc.metadata, &events),
            in_ns(&ns),
        );
        cases.push((
            format!("{label}: persistentvolumeclaim {ns}/{name}"),
            describe_args("persistentvolumeclaim", ns, name),
            Box::new(move |now| {
                kbundle_describe::describe_persistentvolumeclaim(&pvc, &pods, &ev, now)
            }),
        ));
    }
    for (name, args, render) in cases {
        let before = Timestamp::now();
        let out = run(server.kubectl().env("TZ", "UTC").args(&args));
        let after = Timestamp::now();
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let theirs = stdout(&out);
        outcome.total += 1;
        *outcome.by_kind.entry(args[1].clone()).or_default() += 1;
        if instants(before, after)
            .into_iter()
            .any(|now| render(now) == theirs)
        {
            outcome.identical += 1;
        } else {
            outcome.failures.push(diff(&name, &theirs, &render(before)));
        }
    }
}

fn diff(name: &str, theirs: &str, ours: &str) -> String {
    let mut s = format!("== {name}: differs from kubectl 1.32\n");
    let (a, b): (Vec<&str>, Vec<&str>) = (theirs.split('\n').collect(), ours.split('\n').collect());
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        if x != y {
            s.push_str(&format!(
                "  line {}:\n    kubectl: {:?}\n    ours:    {:?}\n",
                i + 1,
                x,
                y
            ));
        }
    }
    s
}

/// Fixture clusters the other e2e tests do not walk through (Jobs, PVCs, services, nodes in
/// trouble).
const MORE_CLUSTERS: &[&str] = &["node-trouble", "workloads-storage"];

/// Folders under `fixtures/describe/` holding odd objects of the described kinds.
const DESCRIBE_FIXTURES: &[&str] = &["kinds"];

/// The describe crate's generated objects, written as a generic folder.
/// The real troubleshoot.sh bundles under `../shared/data/troubleshoot`.
const TROUBLESHOOT_BUNDLES: &[&str] = &["baseline.tar.gz", "support-bundle.tar.gz"];

fn write_generated(dir: &Path) {
    let now = Timestamp::now();
    let world = generated::world_json(now);
    let kinds = [
        ("pods", "v1", "Pod"),
        ("nodes", "v1", "Node"),
        ("leases", "coordination.k8s.io/v1", "Lease"),
        ("deployments", "apps/v1", "Deployment"),
        ("replicasets", "apps/v1", "ReplicaSet"),
        ("events", "v1", "Event"),
    ];
    for (key, api_version, kind) in kinds {
        let items: Vec<Value> = world[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| {
                let mut item = item.clone();
                item["apiVersion"] = json!(api_version);
                item["kind"] = json!(kind);
                item
            })
            .collect();
        let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
        std::fs::write(dir.join(format!("{key}.json")), list.to_string()).unwrap();
    }
}

#[test]
fn describe_matches_kubectl_132_for_every_described_object() {
    let mut outcome = Outcome {
        identical: 0,
        total: 0,
        by_kind: BTreeMap::new(),
        failures: Vec::new(),
    };
    for name in FIXTURES.iter().chain(MORE_CLUSTERS) {
        compare(name, &fixture(name), &mut outcome);
    }
    for name in DESCRIBE_FIXTURES {
        compare(
            name,
            &root().join("fixtures/describe").join(name),
            &mut outcome,
        );
    }
    for name in TROUBLESHOOT_BUNDLES {
        let path = root().join("../shared/data/troubleshoot").join(name);
        compare(name, &path, &mut outcome);
    }
    let dir = tempfile::tempdir().unwrap();
    write_generated(dir.path());
    compare("generated", dir.path(), &mut outcome);
    println!(
        "describe: {}/{} identical to kubectl 1.32 {:?}",
        outcome.identical, outcome.total, outcome.by_kind
    );
    assert!(outcome.total >= 30, "only {} cases", outcome.total);
    for kind in [
        "pod",
        "node",
        "deployment",
        "replicaset",
        "daemonset",
        "statefulset",
        "service",
        "job",
        "persistentvolumeclaim",
    ] {
        let n = outcome.by_kind.get(kind).copied().unwrap_or_default();
        assert!(n >= 2, "only {n} objects of kind {kind} compared");
    }
    assert!(
        outcome.failures.is_empty(),
        "{}/{} identical\n{}",
        outcome.identical,
        outcome.total,
        outcome.failures.join("\n")
    );
}
