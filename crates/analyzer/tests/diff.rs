//! `kbundle diff`'s library API over the fixture clusters and the rules' fixtures: the JSON
//! matches `docs/diff-schema.json` and is the same bytes run after run; any objects on either
//! side never make it panic, and a snapshot against itself has no changes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use kbundle_analyzer::diff::{DiffOptions, diff};
use kbundle_format::{EntryRef, Object, ReadOptions, Snapshot};
use proptest::prelude::*;
use serde_json::{Value, json};

mod schema;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn open(dir: &Path) -> Snapshot {
    Snapshot::open(dir, &ReadOptions::default()).expect("open")
}

/// Every fixture cluster and every rule fixture, in a fixed order.
fn inputs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for name in ["healthy", "crashloop-oom", "webhook-denied"] {
        out.push(root().join("../../fixtures/clusters").join(name));
    }
    let mut cases = Vec::new();
    for rule in std::fs::read_dir(root().join("tests/fixtures")).expect("fixtures") {
        for case in std::fs::read_dir(rule.expect("entry").path()).expect("rule dir") {
            let case = case.expect("entry").path();
            // certificate-expired/certs holds the PEM files its cases embed: not an input (the
            // reader refuses it as nothing recognised).
            if !case.ends_with("certs") {
                cases.push(case);
            }
        }
    }
    cases.sort();
    out.extend(cases);
    out
}

#[test]
fn json_matches_the_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("../../docs/diff-schema.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let inputs = inputs();
    let mut checked = 0;
    // Each input against the next one: clusters against clusters, rule fixtures against
    // each other, both directions.
    for pair in inputs.windows(2) {
        let (a, b) = (open(&pair[0]), open(&pair[1]));
        for (old, new) in [(&a, &b), (&b, &a)] {
            let d = diff(old, new, &DiffOptions::default());
            let text = d.to_json();
            assert_eq!(text, diff(old, new, &DiffOptions::default()).to_json());
            let json: Value = serde_json::from_str(&text).expect("JSON");
            let mut errors = Vec::new();
            schema::check(&schema, &schema, &json, "", &mut errors);
            assert!(
                errors.is_empty(),
                "{} -> {}: {errors:#?}",
                pair[0].display(),
                pair[1].display()
            );
            checked += 1;
        }
    }
    assert!(checked > 40);
}

#[test]
fn clusters_against_themselves_have_no_changes() {
    for dir in inputs().iter().take(3) {
        let s = open(dir);
        let d = diff(&s, &s, &DiffOptions::default());
        assert!(d.is_empty(), "{}: {}", dir.display(), d.to_text(false));
        assert!(d.objects.not_compared.is_empty());
    }
}

/// Object values of a few shapes, the usual ones and broken ones.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        Just(json!("2025-03-14T09:56:00Z")),
        Just(json!("not a time")),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("name".to_string()),
                    Just("type".to_string()),
                    Just("key".to_string()),
                    Just("state".to_string()),
                    Just("lastState".to_string()),
                    Just("terminated".to_string()),
                    Just("restartCount".to_string()),
                    Just("containerStatuses".to_string()),
                    Just("conditions".to_string()),
                    Just("status".to_string()),
                    Just("taints".to_string()),
                    Just("image".to_string()),
                    Just("count".to_string()),
                    ".{0,6}",
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
        ],
        prop_oneof![Just("a"), Just("b")],
        value(),
        value(),
        value(),
    )
        .prop_map(|((api, kind), name, metadata, spec, status)| {
            let mut metadata = match metadata {
                Value::Object(m) => m,
                _ => Default::default(),
            };
            metadata.insert("name".into(), json!(name));
            metadata.insert("namespace".into(), json!("ns"));
            json!({"apiVersion": api, "kind": kind, "metadata": metadata, "spec": spec,
                   "status": status, "involvedObject": spec, "count": status})
        })
}

fn snapshot(values: Vec<Value>) -> Snapshot {
    let mut s = Snapshot::new();
    for (i, value) in values.into_iter().enumerate() {
        s.insert(Object::new(
            value,
            EntryRef {
                input: 0,
                path: format!("o{i}.json"),
            },
        ));
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn any_objects(old in prop::collection::vec(object(), 0..6), new in prop::collection::vec(object(), 0..6)) {
        let (old, new) = (snapshot(old), snapshot(new));
        let d = diff(&old, &new, &DiffOptions::default());
        prop_assert_eq!(d.to_json(), diff(&old, &new, &DiffOptions::default()).to_json());
        let _ = (d.to_text(true), d.to_markdown(), d.to_html());
        let same = diff(&new, &new, &DiffOptions::default());
        prop_assert!(same.is_empty(), "{}", same.to_text(false));
    }
}
