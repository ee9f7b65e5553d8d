//! The analyzer takes whatever the input holds: objects of the kinds it reads, with any
//! field missing or of the wrong type, never make it panic, and the same input always gives
//! the same report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kbundle_analyzer::{Options, analyze};
use kbundle_format::{EntryRef, Object, Snapshot};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A JSON value of a few shapes: the ones the analyzer expects and the ones it does not.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        Just(json!("2025-03-14T09:56:00Z")),
        Just(json!("2025-02-01T00:00:00Z")),
        Just(json!("not a time")),
        Just(json!("CrashLoopBackOff")),
        Just(json!("OOMKilled")),
        Just(json!("True")),
        Just(json!("128Mi")),
        Just(json!("admission webhook \"x\" denied the request: no")),
        Just(json!(
            "failed calling webhook \"y\": context deadline exceeded"
        )),
        Just(json!("x509: certificate has expired or is not yet valid")),
        Just(json!(
            "Readiness probe failed: calico/node is not ready: BIRD is not ready: BGP not established with"
        )),
        Just(json!(
            "Error getting cluster information config error=Get \"https://\": dial tcp : i/o timeout"
        )),
        Just(json!(
            "Unable to autoassign an address - pools are likely exhausted"
        )),
        Just(json!("Evicted")),
        Just(json!("Failed")),
        Just(json!("DiskPressure")),
        Just(json!("node.kubernetes.io/disk-pressure")),
        Just(json!("Liveness probe failed: x")),
        Just(json!(
            "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
        )),
        ".{0,12}".prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("state".to_string()),
                    Just("lastState".to_string()),
                    Just("waiting".to_string()),
                    Just("terminated".to_string()),
                    Just("running".to_string()),
                    Just("reason".to_string()),
                    Just("exitCode".to_string()),
                    Just("finishedAt".to_string()),
                    Just("conditions".to_string()),
                    Just("containerStatuses".to_string()),
                    Just("containers".to_string()),
                    Just("name".to_string()),
                    Just("status".to_string()),
                    Just("type".to_string()),
                    Just("message".to_string()),
                    Just("managedFields".to_string()),
                    Just("fieldsV1".to_string()),
                    Just("time".to_string()),
                    Just("webhooks".to_string()),
                    Just("rules".to_string()),
                    Just("namespaceSelector".to_string()),
                    Just("matchExpressions".to_string()),
                    Just("series".to_string()),
                    Just("count".to_string()),
                    Just("clientConfig".to_string()),
                    Just("caBundle".to_string()),
                    Just("taints".to_string()),
                    Just("key".to_string()),
                    Just("phase".to_string()),
                ],
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn object() -> impl Strategy<Value = Value> {
    (
        prop_oneof![
            Just(("v1", "Pod")),
            Just(("v1", "Node")),
            Just(("v1", "Event")),
            Just(("events.k8s.io/v1", "Event")),
            Just(("apps/v1", "Deployment")),
            Just(("apps/v1", "ReplicaSet")),
            Just(("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration")),
            Just(("crd.projectcalico.org/v1", "FelixConfiguration")),
            Just(("v1", "Endpoints")),
        ],
        prop_oneof![Just("calico-kube-controllers-6f8c9d7b5-x2x7k"), Just("calico-kube-controllers"), Just("n1")],
        value(),
        value(),
        value(),
    )
        .prop_map(|((api, kind), name, spec, status, extra)| {
            json!({
                "apiVersion": api,
                "kind": kind,
                "metadata": {"name": name, "namespace": "calico-system", "managedFields": extra.clone(),
                             "ownerReferences": [{"kind": "ReplicaSet", "name": "calico-kube-controllers-6f8c9d7b5", "controller": true}]},
                "spec": spec,
                "status": status,
                "involvedObject": extra.clone(),
                "regarding": extra,
                "message": "Back-off restarting failed container",
                "reason": "BackOff",
                "webhooks": [{"name": "x", "rules": [{"operations": ["CREATE"], "resources": ["pods"]}]}],
            })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn any_objects(objects in prop::collection::vec(object(), 0..8)) {
        let mut snapshot = Snapshot::new();
        for (i, value) in objects.into_iter().enumerate() {
            snapshot.insert(Object::new(value, EntryRef { input: 0, path: format!("o{i}.yaml") }));
        }
        let options = Options::default().with_now(Some("2025-03-14T10:00:00Z".parse().unwrap()));
        let a = analyze(&snapshot, &options);
        let b = analyze(&snapshot, &options);
        prop_assert_eq!(a.to_json(), b.to_json());
        let _ = a.to_text(true);
        let _ = a.to_markdown();
    }
}
