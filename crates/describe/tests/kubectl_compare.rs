//! Diff our renderer against a real `kubectl describe` (v1.32) talking to a
//! tiny fake API server (`tests/kubectl/fake_apiserver.py`) that serves the
//! fixtures of `tests/common`.
//!
//! Needs `python3` and a kubectl binary, so it is ignored by default:
//!
//! ```text
//! KUBECTL=/usr/lib/google-cloud-sdk/bin/kubectl.1.32 \
//!   cargo test -p kbundle-describe --test kubectl_compare -- --ignored --nocapture
//! ```

mod common;

#[path = "kubectl/harness.rs"]
mod harness;

use std::path::Path;

use jiff::Timestamp;
use kbundle_describe::{describe_deployment, describe_node, describe_pod, describe_replicaset};

fn write_world(path: &Path, now: Timestamp) {
    let text = serde_json::to_string(&common::world_json(now)).unwrap_or_default();
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write world: {e}"));
}

#[test]
#[ignore = "needs python3 and a kubectl binary (set KUBECTL)"]
fn renderer_matches_kubectl() {
    let world = std::env::temp_dir().join(format!(
        "kbundle-describe-world-{}.json",
        std::process::id()
    ));
    write_world(&world, Timestamp::now());
    let (dir, _server, port) = harness::start(&world);

    type Case = (&'static str, Vec<&'static str>, fn(Timestamp) -> String);
    let cases: Vec<Case> = vec![
        (
            "pod calico",
            vec![
                "describe",
                "pod",
                "-n",
                "kube-system",
                "calico-kube-controllers-7b8f9c6d5-x2klm",
            ],
            |now| describe_pod(&common::calico_pod(now), &common::calico_events(now), now),
        ),
        (
            "pod web",
            vec!["describe", "pod", "-n", "shop", "web-5d8f7c9b8-abcde"],
            |now| describe_pod(&common::web_pod(now), &[], now),
        ),
        (
            "pod stuck",
            vec!["describe", "pod", "-n", "default", "stuck"],
            |now| describe_pod(&common::stuck_pod(now), &[], now),
        ),
        (
            "pod noisy",
            vec!["describe", "pod", "-n", "default", "noisy"],
            |now| {
                describe_pod(
                    &common::noisy_pod(now),
                    // Any order in: the API order is restored.
                    &common::events_from(
                        common::noisy_events_json(now).into_iter().rev().collect(),
                    ),
                    now,
                )
            },
        ),
        (
            "pod odd",
            vec!["describe", "pod", "-n", "default", "odd"],
            |now| describe_pod(&common::odd_pod(now), &[], now),
        ),
        (
            "node worker-1",
            vec!["describe", "node", "worker-1"],
            |now| {
                let lease = common::worker_lease(now);
                describe_node(
                    &common::worker_node(now),
                    Some(&lease),
                    &common::worker_pods(now)
                        .into_iter()
                        .rev()
                        .collect::<Vec<_>>(),
                    &common::node_events(now)
                        .into_iter()
                        .rev()
                        .collect::<Vec<_>>(),
                    now,
                )
            },
        ),
        ("node edge-0", vec!["describe", "node", "edge-0"], |now| {
            describe_node(&common::bare_node(now), None, &[], &[], now)
        }),
        ("node edge-1", vec!["describe", "node", "edge-1"], |now| {
            describe_node(
                &common::empty_node(now),
                None,
                &[common::edge_pod(now)],
                &[],
                now,
            )
        }),
        (
            "deployment",
            vec![
                "describe",
                "deployment",
                "-n",
                "kube-system",
                "calico-kube-controllers",
            ],
            |now| {
                describe_deployment(
                    &common::calico_deployment(now),
                    &common::calico_replicasets(now),
                    &common::events_from(common::deployment_events_json(now)),
                    now,
                )
            },
        ),
        (
            "replicaset",
            vec![
                "describe",
                "replicaset",
                "-n",
                "kube-system",
                "calico-kube-controllers-7b8f9c6d5",
            ],
            |now| {
                let rs = common::calico_replicasets(now);
                describe_replicaset(
                    &rs[0],
                    &common::worker_pods(now),
                    &common::events_from(common::rs_events_json(now)),
                    now,
                )
            },
        ),
    ];
    let mut ok = true;
    for (name, args, render) in cases {
        let now = harness::second_start();
        write_world(&world, now);
        let want = harness::run_kubectl(&dir, &port, &args);
        let got = render(harness::render_now(now));
        harness::keep(&dir, name, &want, &got);
        ok &= harness::diff(name, &want, &got);
    }
    println!("outputs kept in {}", dir.display());
    assert!(ok, "renderer differs from kubectl");
}
