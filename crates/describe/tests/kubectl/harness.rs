//! Shared by the kubectl comparison tests: the fake API server process, the
//! kubectl runner and a line diff.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use jiff::Timestamp;

pub struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn kubectl() -> String {
    std::env::var("KUBECTL").unwrap_or_else(|_| "kubectl.1.32".to_string())
}

/// Waits for the start of the next wall-clock second and returns it, so
/// that kubectl (a few hundred ms later) and we floor ages the same way.
pub fn second_start() -> Timestamp {
    let now = Timestamp::now();
    let frac = now.subsec_nanosecond();
    std::thread::sleep(Duration::from_nanos(
        1_000_000_000 - frac as u64 + 20_000_000,
    ));
    Timestamp::from_second(Timestamp::now().as_second()).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub fn run_kubectl(dir: &Path, port: &str, args: &[&str]) -> String {
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

pub fn diff(name: &str, want: &str, got: &str) -> bool {
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

/// A scratch directory with an empty kubeconfig, and the fake API server
/// serving `world` (re-read on every request).
pub fn start(world: &Path) -> (PathBuf, Server, String) {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "kbundle-describe-{}-{}",
        std::process::id(),
        world
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("world")
    ));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("kubeconfig"), "").unwrap_or_else(|e| panic!("{e}"));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kubectl/fake_apiserver.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .arg(world)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start server: {e}"));
    let mut port = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut port);
    }
    (dir, Server(child), port.trim().to_string())
}

/// Renders at half a second into the second kubectl ran in.
pub fn render_now(second: Timestamp) -> Timestamp {
    second
        .checked_add(jiff::SignedDuration::from_millis(500))
        .unwrap_or(second)
}

pub fn keep(dir: &Path, name: &str, want: &str, got: &str) {
    std::fs::write(dir.join(format!("{name}.kubectl.txt")), want).unwrap_or_default();
    std::fs::write(dir.join(format!("{name}.ours.txt")), got).unwrap_or_default();
}
