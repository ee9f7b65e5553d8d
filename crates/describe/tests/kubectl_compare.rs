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

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use jiff::Timestamp;
use kbundle_describe::{describe_deployment, describe_node, describe_pod, describe_replicaset};

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn kubectl() -> String {
    std::env::var("KUBECTL").unwrap_or_else(|_| "kubectl.1.32".to_string())
}

/// Waits for the start of the next wall-clock second and returns it, so
/// that kubectl (a few hundred ms later) and we floor ages the same way.
fn second_start() -> Timestamp {
    let now = Timestamp::now();
    let frac = now.subsec_nanosecond();
    std::thread::sleep(Duration::from_nanos(
        1_000_000_000 - frac as u64 + 20_000_000,
    ));
    Timestamp::from_second(Timestamp::now().as_second()).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn write_world(path: &Path, now: Timestamp) {
    let text = serde_json::to_string(&common::world_json(now)).unwrap_or_default();
    std::fs::write(path, text).unwrap_or_else(|e| panic!("write world: {e}"));
}

fn run_kubectl(dir: &Path, port: &str, args: &[&str]) -> String {
    let kubeconfig = dir.join("kubeconfig");
    let out = Command::new(kubectl())
        .env("KUBECONFIG", &kubeconfig)
        .env("TZ", "UTC")
        .env("HOME", dir)
        .arg(format!("--server=http://127.0.0.1:{port}"))
        .arg(format!("--cache-dir={}", dir.join("cache").display()))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run kubectl: {e}"));
    if !out.status.success() {
        panic!(
            "kubectl {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn diff(name: &str, want: &str, got: &str) -> bool {
    if want == got {
        println!("== {name}: identical ({} lines)", want.lines().count());
        return true;
    }
    println!("== {name}: DIFFERS");
    let (w, g): (Vec<&str>, Vec<&str>) = (want.split('\n').collect(), got.split('\n').collect());
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i).copied(), g.get(i).copied());
        if a != b {
            println!(
                "  line {}:\n    kubectl: {:?}\n    ours:    {:?}",
                i + 1,
                a,
                b
            );
        }
    }
    false
}

#[test]
#[ignore = "needs python3 and a kubectl binary (set KUBECTL)"]
fn renderer_matches_kubectl() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("kbundle-describe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("kubeconfig"), "").unwrap_or_else(|e| panic!("{e}"));
    let world = dir.join("world.json");
    write_world(&world, Timestamp::now());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kubectl/fake_apiserver.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .arg(&world)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start server: {e}"));
    let mut port = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut port);
    }
    let _server = Server(child);
    let port = port.trim().to_string();

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
                    &common::events_from(common::noisy_events_json(now)),
                    now,
                )
            },
        ),
        (
            "node worker-1",
            vec!["describe", "node", "worker-1"],
            |now| {
                let lease = common::worker_lease(now);
                describe_node(
                    &common::worker_node(now),
                    Some(&lease),
                    &common::worker_pods(now),
                    &common::node_events(now),
                    now,
                )
            },
        ),
        ("node edge-0", vec!["describe", "node", "edge-0"], |now| {
            describe_node(&common::bare_node(now), None, &[], &[], now)
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
        let now = second_start();
        write_world(&world, now);
        let want = run_kubectl(&dir, &port, &args);
        let render_now = now
            .checked_add(jiff::SignedDuration::from_millis(500))
            .unwrap_or(now);
        let got = render(render_now);
        std::fs::write(dir.join(format!("{name}.kubectl.txt")), &want).unwrap_or_default();
        std::fs::write(dir.join(format!("{name}.ours.txt")), &got).unwrap_or_default();
        ok &= diff(name, &want, &got);
    }
    println!("outputs kept in {}", dir.display());
    assert!(ok, "renderer differs from kubectl");
}
