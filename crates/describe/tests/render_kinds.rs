//! Rendered text of the odd DaemonSets, StatefulSets, Services, Jobs and PVCs of
//! `fixtures/describe/kinds`, as insta snapshots (one per kind), at a fixed "now". The same
//! objects are diffed against a real kubectl 1.32 (served by `kbundle serve`) by the
//! workspace's e2e test `tests/e2e/describe.rs`.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kbundle_describe::{
    Described, describe_daemonset, describe_job, describe_persistentvolumeclaim, describe_service,
    describe_statefulset, parse,
};
use serde::de::DeserializeOwned;

fn now() -> Timestamp {
    "2025-03-07T00:00:00Z"
        .parse()
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The items of a `List` file of the fixture, of `kind`.
fn items<T: DeserializeOwned>(file: &str, kind: &str) -> Vec<T> {
    let path = format!(
        "{}/../../fixtures/describe/kinds/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let list: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["kind"] == kind)
        .map(|i| serde_json::from_value(i.clone()).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

/// The events kubectl asks for: the object's kind, name and uid.
fn events_of(kind: &str, meta: &ObjectMeta) -> Vec<Event> {
    items::<Event>("events.json", "Event")
        .into_iter()
        .filter(|e| {
            let o = &e.involved_object;
            o.kind.as_deref() == Some(kind) && o.name == meta.name && o.uid == meta.uid
        })
        .collect()
}

/// Renders every object, checks that each parses back as one object of its kind and name,
/// and joins the texts.
fn all<T>(
    objects: &[T],
    meta: fn(&T) -> &ObjectMeta,
    render: impl Fn(&T) -> String,
    kind: &str,
) -> String {
    assert!(objects.len() >= 2, "{kind}: {} objects", objects.len());
    let mut out = String::new();
    for o in objects {
        let text = render(o);
        let found = parse(&text);
        let [d] = found.as_slice() else {
            panic!("{kind}: not one object:\n{text}\n{found:#?}");
        };
        assert_eq!(d.kind(), kind, "{text}");
        assert_eq!(Some(d.name()), meta(o).name.as_deref());
        out.push_str(&text);
        out.push_str("---\n");
    }
    out
}

#[test]
fn daemonsets() {
    let pods: Vec<Pod> = items("pods.json", "Pod");
    let text = all(
        &items::<DaemonSet>("workloads.json", "DaemonSet"),
        |d| &d.metadata,
        |d| describe_daemonset(d, &pods, &events_of("DaemonSet", &d.metadata), now()),
        "DaemonSet",
    );
    insta::assert_snapshot!("daemonsets", text);
}

#[test]
fn statefulsets() {
    let pods: Vec<Pod> = items("pods.json", "Pod");
    let text = all(
        &items::<StatefulSet>("workloads.json", "StatefulSet"),
        |s| &s.metadata,
        |s| describe_statefulset(s, &pods, &events_of("StatefulSet", &s.metadata), now()),
        "StatefulSet",
    );
    insta::assert_snapshot!("statefulsets", text);
}

#[test]
fn services() {
    let slices: Vec<EndpointSlice> = items("services.json", "EndpointSlice");
    let text = all(
        &items::<Service>("services.json", "Service"),
        |s| &s.metadata,
        |s| describe_service(s, &slices, &events_of("Service", &s.metadata), now()),
        "Service",
    );
    insta::assert_snapshot!("services", text);
}

#[test]
fn jobs() {
    let text = all(
        &items::<Job>("jobs.json", "Job"),
        |j| &j.metadata,
        |j| describe_job(j, &events_of("Job", &j.metadata), now()),
        "Job",
    );
    insta::assert_snapshot!("jobs", text);
}

#[test]
fn persistentvolumeclaims() {
    let pods: Vec<Pod> = items("pods.json", "Pod");
    let text = all(
        &items::<PersistentVolumeClaim>("storage.json", "PersistentVolumeClaim"),
        |c| &c.metadata,
        |c| {
            let events = events_of("PersistentVolumeClaim", &c.metadata);
            describe_persistentvolumeclaim(c, &pods, &events, now())
        },
        "PersistentVolumeClaim",
    );
    insta::assert_snapshot!("persistentvolumeclaims", text);
}

#[test]
fn facts_read_back_from_the_odd_objects() {
    let pods: Vec<Pod> = items("pods.json", "Pod");
    let slices: Vec<EndpointSlice> = items("services.json", "EndpointSlice");
    let one = |text: String| parse(&text).into_iter().next();
    let svc = items::<Service>("services.json", "Service");
    let public = svc
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some("public"));
    let Some(Described::Service(s)) =
        public.and_then(|s| one(describe_service(s, &slices, &[], now())))
    else {
        panic!("no public service");
    };
    assert_eq!(s.type_.as_deref(), Some("LoadBalancer"));
    assert_eq!(
        s.load_balancer_ingress,
        ["203.0.113.10 (VIP)", "web-lb.eu-de.example.com"]
    );
    assert_eq!(s.ports.len(), 2);
    assert_eq!(s.ports[0].node_port, Some(31080));
    assert_eq!(s.ports[1].target_port.as_deref(), Some("https"));
    assert_eq!(s.ports[1].endpoints, ["[fd00:30::8]:8443"]);
    let headless = svc
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some("headless"));
    let Some(Described::Service(h)) =
        headless.and_then(|s| one(describe_service(s, &slices, &[], now())))
    else {
        panic!("no headless service");
    };
    assert_eq!(h.cluster_ip.as_deref(), Some("None"));
    assert_eq!(h.ports[0].endpoints.len(), 3);
    assert_eq!(h.ports[0].more_endpoints, 2);
    let claims = items::<PersistentVolumeClaim>("storage.json", "PersistentVolumeClaim");
    let shared = claims
        .iter()
        .find(|c| c.metadata.name.as_deref() == Some("shared"));
    let Some(Described::PersistentVolumeClaim(c)) =
        shared.and_then(|c| one(describe_persistentvolumeclaim(c, &pods, &[], now())))
    else {
        panic!("no shared claim");
    };
    assert_eq!(c.used_by, ["web-1", "web-2", "web-2"]);
    assert_eq!(c.access_modes, ["ROX", "RWX"]);
    assert_eq!(c.conditions.len(), 2);
    assert_eq!(c.conditions[1].reason, "Started");
    assert!(
        c.status
            .as_deref()
            .is_some_and(|s| s.starts_with("Terminating"))
    );
}
