//! `kbundle collect` against `kbundle serve` on the fixture clusters (and generated ones): the
//! bundle entry by entry, fault modes, redaction, reproducibility and the size budget.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use kbundle_format::{Archive, Limits};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::util::*;

const AT: &str = "2025-03-14T09:30:00Z";

fn collect(s: &Serve, out: &Path, extra: &[&str]) -> Output {
    run(kbundle()
        .arg("collect")
        .arg("--kubeconfig")
        .arg(&s.kubeconfig)
        .arg("-o")
        .arg(out)
        .args(["--collected-at", AT])
        .args(if extra.contains(&"--timeout") {
            &[][..]
        } else {
            &["--timeout", "600s"][..]
        })
        .args(extra))
}

/// Collects from `s` into `out`, expects one of the exit codes `want`, and opens the bundle,
/// its manifest checked against the entries.
fn collect_bundle(s: &Serve, out: &Path, extra: &[&str], want: &[i32]) -> Bundle {
    let o = collect(s, out, extra);
    assert!(
        want.contains(&code(&o)),
        "exit {}\nstdout: {}\nstderr: {}",
        code(&o),
        stdout(&o),
        stderr(&o)
    );
    let b = Bundle::open(out);
    b.check_manifest();
    b
}

struct Bundle {
    archive: Archive,
    manifest: Value,
}

impl Bundle {
    fn open(path: &Path) -> Bundle {
        assert!(path.is_file(), "no bundle at {}", path.display());
        let partial = PathBuf::from(format!("{}.partial", path.display()));
        assert!(!partial.exists(), "a .partial file was left behind");
        let archive = Archive::open(path, Limits::default()).unwrap();
        let manifest =
            serde_json::from_slice(&archive.read_bytes("manifest.json", 64 << 20).unwrap())
                .unwrap();
        Bundle { archive, manifest }
    }

    fn paths(&self) -> BTreeSet<String> {
        self.archive
            .entries()
            .iter()
            .map(|e| e.path.clone())
            .collect()
    }

    fn has(&self, path: &str) -> bool {
        self.archive.entry(path).is_some()
    }

    fn bytes(&self, path: &str) -> Vec<u8> {
        self.archive
            .read_bytes(path, 1 << 30)
            .unwrap_or_else(|e| panic!("{path}: {e}; entries: {:?}", self.paths()))
    }

    fn json(&self, path: &str) -> Value {
        serde_json::from_slice(&self.bytes(path)).unwrap()
    }

    fn names(&self, path: &str) -> Vec<String> {
        let list = self.json(path);
        assert_eq!(list["kind"], "List", "{path}");
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                assert!(
                    i["apiVersion"].is_string() && i["kind"].is_string(),
                    "{path}: {i}"
                );
                i["metadata"]["name"].as_str().unwrap().to_string()
            })
            .collect()
    }

    fn errors(&self) -> Vec<(String, String, String)> {
        self.manifest["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| {
                        (
                            e["what"].as_str().unwrap_or_default().to_string(),
                            e["message"].as_str().unwrap_or_default().to_string(),
                            e["class"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every entry is in the manifest with the right size and SHA-256, and vice versa.
    fn check_manifest(&self) {
        assert_eq!(self.manifest["format"], "kbundle/1");
        let entries = self.manifest["entries"].as_array().unwrap();
        let listed: BTreeSet<String> = entries
            .iter()
            .map(|e| e["path"].as_str().unwrap().to_string())
            .collect();
        let mut present = self.paths();
        assert!(present.remove("manifest.json"));
        assert_eq!(listed, present);
        let mut previous = String::new();
        for e in entries {
            let path = e["path"].as_str().unwrap();
            assert!(
                path > previous.as_str(),
                "entries not sorted: {path} after {previous}"
            );
            previous = path.to_string();
            let bytes = self.bytes(path);
            assert_eq!(e["size"].as_u64(), Some(bytes.len() as u64), "{path}");
            let digest = kbundle_format::hex(&Sha256::digest(&bytes));
            assert_eq!(e["sha256"].as_str(), Some(digest.as_str()), "{path}");
        }
    }
}

fn serve(name: &str, extra: &[&str]) -> Serve {
    Serve::start(kbundle(), &[&fixture(name)], extra)
}

#[test]
fn collect_healthy_entry_by_entry() {
    let s = serve("healthy", &[]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.zip");
    let o = collect(&s, &out, &[]);
    assert_eq!(
        code(&o),
        0,
        "stdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    assert!(stdout(&o).contains("b.zip"), "{}", stdout(&o));
    let b = Bundle::open(&out);
    b.check_manifest();
    assert_eq!(b.errors(), vec![]);
    let m = &b.manifest;
    assert_eq!(m["collected_at"], AT);
    assert_eq!(m["request"]["preset"], "calico-kube-controllers");
    assert_eq!(m["request"]["namespaces"], json!(["calico-system"]));
    assert_eq!(
        m["request"]["workload"],
        "Deployment/calico-system/calico-kube-controllers"
    );
    assert_eq!(m["cluster"]["server_version"]["gitVersion"], "v1.30.6+IKS");
    assert_eq!(m["cluster"]["context"], "kbundle");

    let pod = "calico-kube-controllers-7d9c6bf5d8-x7m2q";
    let dir_ = format!("namespaces/calico-system/pods/{pod}");
    assert_eq!(b.json(&format!("{dir_}/pod.json"))["metadata"]["name"], pod);
    let describe = String::from_utf8(b.bytes(&format!("{dir_}/describe.txt"))).unwrap();
    assert!(describe.starts_with("Name:"), "{describe}");
    assert!(
        describe.contains(pod) && describe.contains("10.240.0.15"),
        "{describe}"
    );
    let log = b.bytes(&format!("{dir_}/logs/calico-kube-controllers.log"));
    let want = std::fs::read(fixture("healthy").join(format!(
        "logs/calico-system/{pod}/calico-kube-controllers.log"
    )))
    .unwrap();
    assert_eq!(log, want, "log differs from the fixture");
    assert!(!b.has(&format!("{dir_}/logs/calico-kube-controllers.previous.log")));

    let node = String::from_utf8(b.bytes("cluster/nodes/10.240.0.15.describe.txt")).unwrap();
    assert!(node.contains("10.240.0.15") && node.contains(pod), "{node}");
    let nodes = b.names("cluster/nodes.json");
    assert_eq!(nodes.len(), 3, "{nodes:?}");
    let v = b.json("cluster/version.json");
    assert_eq!(v["gitVersion"], "v1.30.6+IKS");
    for path in [
        "namespaces/calico-system/core/events.json",
        "namespaces/calico-system/core/pods.json",
        "namespaces/calico-system/apps/deployments.json",
        "namespaces/calico-system/apps/replicasets.json",
        "namespaces/calico-system/apps/daemonsets.json",
        "cluster/admissionregistration.k8s.io/validatingwebhookconfigurations.json",
        "cluster/admissionregistration.k8s.io/mutatingwebhookconfigurations.json",
        "cluster/crd.projectcalico.org/felixconfigurations.json",
        "cluster/crd.projectcalico.org/ippools.json",
        "cluster/operator.tigera.io/installations.json",
        "cluster/apiextensions.k8s.io/customresourcedefinitions.json",
        "cluster/core/namespaces.json",
    ] {
        assert!(b.has(path), "{path} missing: {:?}", b.paths());
        b.names(path);
    }
    assert!(
        b.names("namespaces/calico-system/apps/deployments.json")
            .contains(&"calico-kube-controllers".to_string())
    );
    let crds = b.names("cluster/apiextensions.k8s.io/customresourcedefinitions.json");
    assert!(
        crds.iter()
            .all(|c| c.ends_with(".crd.projectcalico.org") || c.ends_with(".operator.tigera.io")),
        "{crds:?}"
    );
    assert!(
        crds.contains(&"felixconfigurations.crd.projectcalico.org".to_string()),
        "{crds:?}"
    );
}

#[test]
fn collect_crashloop_has_previous_log() {
    let s = serve("crashloop-oom", &[]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.zip");
    let b = collect_bundle(&s, &out, &[], &[0]);
    let pod = "calico-kube-controllers-5f6b8d9c47-q4wzn";
    for name in [
        "calico-kube-controllers.log",
        "calico-kube-controllers.previous.log",
    ] {
        let got = b.bytes(&format!("namespaces/calico-system/pods/{pod}/logs/{name}"));
        let want = std::fs::read(
            fixture("crashloop-oom").join(format!("logs/calico-system/{pod}/{name}")),
        )
        .unwrap();
        assert_eq!(got, want, "{name}");
    }
    let describe =
        String::from_utf8(b.bytes(&format!("namespaces/calico-system/pods/{pod}/describe.txt")))
            .unwrap();
    assert!(
        describe.contains("OOMKilled") && describe.contains("BackOff"),
        "{describe}"
    );
    assert!(
        b.has("cluster/nodes/10.240.64.11.describe.txt"),
        "{:?}",
        b.paths()
    );
    let felix = b.json("cluster/crd.projectcalico.org/felixconfigurations.json");
    assert!(
        felix["items"][0]["metadata"]["managedFields"].is_array(),
        "managedFields must be kept"
    );
}

#[test]
fn collect_webhook_denied_gets_the_webhook_backend() {
    let s = serve("webhook-denied", &[]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.zip");
    let b = collect_bundle(&s, &out, &[], &[0]);
    assert_eq!(
        b.manifest["request"]["workload"],
        "Deployment/calico-system/calico-kube-controllers"
    );
    let hooks =
        b.names("cluster/admissionregistration.k8s.io/validatingwebhookconfigurations.json");
    assert!(
        hooks.contains(&"kyverno-resource-validating-webhook-cfg".to_string()),
        "{hooks:?}"
    );
    assert_eq!(
        b.names("namespaces/kyverno/core/services.json"),
        vec!["kyverno-svc".to_string()]
    );
    assert!(
        b.has("namespaces/kyverno/core/endpoints.json")
            || b.has("namespaces/kyverno/discovery.k8s.io/endpointslices.json"),
        "{:?}",
        b.paths()
    );
    let events = b.json("namespaces/calico-system/core/events.json");
    assert!(events.to_string().contains("FailedCreate"));
}

#[test]
fn collect_reports_each_fault_and_still_writes_a_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let pod = "calico-kube-controllers-5f6b8d9c47-q4wzn";
    // 403 on nodes.
    let s = serve("crashloop-oom", &["--faults", "forbid=nodes"]);
    let out = dir.path().join("forbid.zip");
    let b = collect_bundle(&s, &out, &[], &[3]);
    let errors = b.errors();
    assert!(
        errors
            .iter()
            .any(|(w, _, c)| w.contains("nodes") && c == "forbidden"),
        "{errors:?}"
    );
    assert!(b.has(&format!(
        "namespaces/calico-system/pods/{pod}/logs/calico-kube-controllers.log"
    )));
    drop(s);

    // The pod disappears after the list.
    let s = serve(
        "crashloop-oom",
        &["--faults", &format!("vanish=calico-system/{pod}")],
    );
    let out = dir.path().join("vanish.zip");
    let b = collect_bundle(&s, &out, &[], &[3]);
    let errors = b.errors();
    assert!(
        errors
            .iter()
            .any(|(w, _, c)| w.contains(pod) && c == "not-found"),
        "{errors:?}"
    );
    drop(s);

    // Every 5th request fails: retried, complete.
    let s = serve("crashloop-oom", &["--faults", "error-every=5"]);
    let out = dir.path().join("errors.zip");
    let b = collect_bundle(&s, &out, &[], &[0, 3]);
    assert_eq!(b.errors(), vec![], "retries should absorb 1 error in 5");
    drop(s);

    // A log cut mid-stream.
    let s = serve("crashloop-oom", &["--faults", "cut-logs=200"]);
    let out = dir.path().join("cut.zip");
    let b = collect_bundle(&s, &out, &[], &[3]);
    let errors = b.errors();
    assert!(
        errors
            .iter()
            .any(|(w, _, c)| w.contains(pod) && (c == "stream-cut")),
        "{errors:?}"
    );
    let log = b.bytes(&format!(
        "namespaces/calico-system/pods/{pod}/logs/calico-kube-controllers.log"
    ));
    let want = std::fs::read(fixture("crashloop-oom").join(format!(
        "logs/calico-system/{pod}/calico-kube-controllers.log"
    )))
    .unwrap();
    assert!(
        log.len() <= 200 && want.starts_with(&log),
        "{} bytes",
        log.len()
    );
}

#[test]
fn collect_unreachable_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kc");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:9\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user: {}\n",
    )
    .unwrap();
    let out = dir.path().join("b.zip");
    let o = run(kbundle()
        .arg("collect")
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .arg("-o")
        .arg(&out)
        .args(["--timeout", "20s"]));
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
    assert!(!out.exists());
    let o = run(kbundle()
        .arg("collect")
        .arg("--kubeconfig")
        .arg(dir.path().join("missing")));
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let o = run(kbundle().args(["collect", "--max-size", "lots"]));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
}

const PRIVATE_KEY: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0IzW7yWR7QkrmBL7jTKEn5uqKhbwKfBstIsbMY2Zkp18gnTxKPLANTED\n-----END RSA PRIVATE KEY-----";

#[test]
fn collect_redacts_planted_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = dir.path().join("cluster");
    copy_dir(&fixture("healthy"), &cluster);
    let secrets = [
        "PLANTEDtoken0123456789abcdef",
        "PlantedPassw0rd!",
        "VTLw7onLRnrq0IzW7yWR7QkrmBL7jTKEn5uqKhbwKfBstIsbMY2Zkp18gnTxKPLANTED",
        "kubeconfigPLANTEDtoken42",
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJQTEFOVEVEIn0.UExBTlRFRHNpZ25hdHVyZQ",
    ];
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "calico-kube-controllers-planted", "namespace": "calico-system",
            "labels": {"k8s-app": "calico-kube-controllers"},
            "annotations": {"example.com/auth-token": secrets[0],
                "kubectl.kubernetes.io/last-applied-configuration": format!("{{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"stringData\":{{\"p\":\"{}\"}}}}", secrets[1])}},
        "spec": {"nodeName": "10.240.0.15", "containers": [{"name": "c", "image": "x",
            "env": [{"name": "DB_PASSWORD", "value": secrets[1]}, {"name": "MODE", "value": "plain"}],
            "args": [format!("--token={}", secrets[0])]}]},
        "status": {"phase": "Running"}
    });
    let cm = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "planted", "namespace": "calico-system"},
        "data": {
            "kubeconfig": format!("apiVersion: v1\nusers:\n- name: u\n  user:\n    token: {}\n", secrets[3]),
            "key.pem": PRIVATE_KEY,
        }
    });
    std::fs::write(
        cluster.join("calico-system/planted.json"),
        serde_json::to_vec(&json!({"apiVersion": "v1", "kind": "List", "items": [pod, cm]}))
            .unwrap(),
    )
    .unwrap();
    let log_dir = cluster.join("logs/calico-system/calico-kube-controllers-planted");
    std::fs::create_dir_all(&log_dir).unwrap();
    std::fs::write(
        log_dir.join("c.log"),
        format!(
            "starting\nAuthorization: Bearer {}\nconnecting with password={}\n{PRIVATE_KEY}\ntoken: {}\nsa token {}\nsecret-customer-12345 done\n",
            secrets[0], secrets[1], secrets[3], secrets[4]
        ),
    )
    .unwrap();
    let s = Serve::start(kbundle(), &[&cluster], &[]);
    let out = dir.path().join("b.zip");
    let b = collect_bundle(&s, &out, &["--redact", "customer-[0-9]+"], &[0, 3]);
    let log_path = "namespaces/calico-system/pods/calico-kube-controllers-planted/logs/c.log";
    let log = String::from_utf8(b.bytes(log_path)).unwrap();
    assert!(
        log.contains("starting") && log.contains("[REDACTED]"),
        "{log}"
    );
    for path in b.paths() {
        let text = String::from_utf8_lossy(&b.bytes(&path)).into_owned();
        for s in secrets.iter().chain(["customer-12345"].iter()) {
            assert!(!text.contains(s), "{s} leaked into {path}");
        }
    }
    assert!(
        !b.paths().iter().any(|p| p.contains("secrets")),
        "{:?}",
        b.paths()
    );
    let redactions = b.manifest["redactions"].as_array().unwrap();
    let kinds: BTreeSet<&str> = redactions
        .iter()
        .filter(|r| r["path"] == log_path)
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    for k in [
        "authorization-header",
        "key-name",
        "private-key",
        "jwt",
        "custom",
    ] {
        assert!(kinds.contains(k), "{k} not counted: {kinds:?}");
    }
    assert!(
        redactions
            .iter()
            .all(|r| r["count"].as_u64().unwrap_or(0) > 0)
    );
    assert!(
        b.bytes("namespaces/calico-system/core/pods.json")
            .windows(4)
            .any(|w| w == b"MODE")
    );
}

#[test]
fn collect_twice_gives_identical_bytes() {
    let s = serve("crashloop-oom", &[]);
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.zip"), dir.path().join("b.zip"));
    assert_eq!(code(&collect(&s, &a, &["--quiet"])), 0);
    assert_eq!(code(&collect(&s, &b, &["--quiet", "--jobs", "3"])), 0);
    assert!(
        std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
        "bundles differ"
    );
}

/// Poorly compressible log lines, deterministic.
fn noise_log(bytes: usize, seed: u64) -> Vec<u8> {
    let alphabet = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(bytes);
    let mut line = 0u64;
    while out.len() < bytes {
        out.extend_from_slice(
            format!("I0314 09:{:02}:00.000000 1 line {line} ", line % 60).as_bytes(),
        );
        for _ in 0..80 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.push(alphabet[(x % 64) as usize]);
        }
        out.push(b'\n');
        line += 1;
    }
    out.truncate(bytes);
    out
}

/// A cluster of one node `n1` and one namespace of pods, each with one container `c` and its
/// log: (name, labels, log).
fn pods_cluster(cluster: &Path, ns: &str, pods: Vec<(String, Value, Vec<u8>)>) {
    std::fs::create_dir_all(cluster.join("ns")).unwrap();
    let node =
        json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}, "status": {}});
    std::fs::write(
        cluster.join("ns/node.json"),
        serde_json::to_vec(&node).unwrap(),
    )
    .unwrap();
    let mut items = Vec::new();
    for (i, (name, labels, log)) in pods.into_iter().enumerate() {
        items.push(json!({"metadata": {"name": name, "namespace": ns, "uid": format!("uid-{i}"), "labels": labels},
            "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "x"}]},
            "status": {"phase": "Running"}}));
        let logs = cluster.join(format!("logs/{ns}/{name}"));
        std::fs::create_dir_all(&logs).unwrap();
        std::fs::write(logs.join("c.log"), log).unwrap();
    }
    std::fs::write(
        cluster.join("ns/pods.json"),
        serde_json::to_vec(&json!({"apiVersion": "v1", "kind": "PodList", "items": items}))
            .unwrap(),
    )
    .unwrap();
}

#[test]
fn collect_200mb_of_logs_fits_in_25mb() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = dir.path().join("big");
    let pods = 50;
    pods_cluster(
        &cluster,
        "big",
        (0..pods)
            .map(|i| {
                let log = noise_log(4 << 20, i + 1);
                (format!("big-{i:02}"), json!({"app": "big"}), log)
            })
            .collect(),
    );
    std::fs::write(
        cluster.join("version.json"),
        r#"{"major":"1","minor":"30","gitVersion":"v1.30.6"}"#,
    )
    .unwrap();
    let s = Serve::start(kbundle(), &[&cluster], &[]);
    let out = dir.path().join("b.zip");
    let o = collect(&s, &out, &["-n", "big", "--timeout", "300s"]);
    assert!(matches!(code(&o), 0 | 3), "{}{}", stdout(&o), stderr(&o));
    let size = std::fs::metadata(&out).unwrap().len();
    assert!(size < 25_000_000, "{size} bytes");
    let b = Bundle::open(&out);
    b.check_manifest();
    let entries = b.manifest["entries"].as_array().unwrap();
    let logs: Vec<&Value> = entries
        .iter()
        .filter(|e| e["path"].as_str().unwrap().ends_with("/logs/c.log"))
        .collect();
    assert_eq!(logs.len(), pods as usize);
    for e in &logs {
        assert_eq!(e["truncated"]["reason"], "max-size", "{e}");
        assert_eq!(e["truncated"]["original_size"], 4 << 20, "{e}");
        let kept = b.bytes(e["path"].as_str().unwrap());
        let pod = e["path"].as_str().unwrap().split('/').nth(3).unwrap();
        let full = noise_log(4 << 20, 1 + pod["big-".len()..].parse::<u64>().unwrap());
        assert!(full.ends_with(&kept), "newest bytes must be kept");
    }
    assert!(stdout(&o).contains("trimmed:"), "{}", stdout(&o));
}

#[test]
fn collect_trims_small_logs_after_redacting_them() {
    // Logs of at most 512 KiB are redacted whole, then trimmed: what a trimmed one keeps is
    // the tail of its redacted text, counted by the marks left in it (docs/collect.md).
    let dir = tempfile::tempdir().unwrap();
    let cluster = dir.path().join("small");
    let with_secrets = |i: u64| {
        let mut log = format!("{PRIVATE_KEY}\n").into_bytes();
        for (n, line) in noise_log(400 << 10, i + 3)
            .split(|&b| b == b'\n')
            .enumerate()
        {
            log.extend_from_slice(line);
            if n % 50 == 7 {
                log.extend_from_slice(format!(" password=PlantedPassw0rd{n}").as_bytes());
            }
            log.push(b'\n');
        }
        log
    };
    pods_cluster(
        &cluster,
        "small",
        (0..12)
            .map(|i| (format!("small-{i:02}"), json!({}), with_secrets(i)))
            .collect(),
    );
    let s = Serve::start(kbundle(), &[&cluster], &[]);
    let (a, b) = (dir.path().join("a.zip"), dir.path().join("b.zip"));
    for (out, jobs) in [(&a, "1"), (&b, "32")] {
        let o = collect(
            &s,
            out,
            &["-n", "small", "--max-size", "1MB", "--jobs", jobs],
        );
        assert!(matches!(code(&o), 0 | 3), "{}{}", stdout(&o), stderr(&o));
    }
    assert!(
        std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
        "the same bundle whatever the order the logs came in"
    );
    let bundle = Bundle::open(&b);
    bundle.check_manifest();
    let redactions = bundle.manifest["redactions"].as_array().unwrap();
    let mut trimmed = 0;
    for e in bundle.manifest["entries"].as_array().unwrap() {
        let path = e["path"].as_str().unwrap();
        if !path.ends_with("/logs/c.log") {
            continue;
        }
        let text = String::from_utf8(bundle.bytes(path)).unwrap();
        assert!(
            !text.contains("PlantedPassw0rd") && !text.contains("MIIEow"),
            "{path}"
        );
        let counted: u64 = redactions
            .iter()
            .filter(|r| r["path"] == path)
            .map(|r| r["count"].as_u64().unwrap())
            .sum();
        assert_eq!(
            counted as usize,
            text.matches("[REDACTED]").count(),
            "{path}"
        );
        if e.get("truncated").is_some() {
            trimmed += 1;
            assert!(text.len() < 400 << 10, "{path}");
        }
    }
    assert!(trimmed > 0, "the budget trimmed some logs");
}

/// Describe text with ages (relative to the wall clock for kubectl, to `collected_at` for the
/// bundle) masked and blanks collapsed.
fn without_ages(text: &str) -> String {
    let age = regex::Regex::new(r"\b\d+(y|d|h|m|s)(\d+(d|h|m|s))?\b").unwrap();
    text.lines()
        .map(|l| {
            age.replace_all(l, "AGE")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn collect_describe_matches_kubectl() {
    for (name, pod, node) in [
        (
            "crashloop-oom",
            "calico-kube-controllers-5f6b8d9c47-q4wzn",
            "10.240.64.11",
        ),
        (
            "healthy",
            "calico-kube-controllers-7d9c6bf5d8-x7m2q",
            "10.240.0.15",
        ),
    ] {
        let s = serve(name, &[]);
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("b.zip");
        assert_eq!(code(&collect(&s, &out, &["--quiet"])), 0);
        let b = Bundle::open(&out);
        let ours = String::from_utf8(
            b.bytes(&format!("namespaces/calico-system/pods/{pod}/describe.txt")),
        )
        .unwrap();
        let theirs = run(s
            .kubectl()
            .args(["describe", "pod", "-n", "calico-system", pod]));
        assert_eq!(
            without_ages(&ours),
            without_ages(&stdout(&theirs)),
            "{name}: describe pod"
        );
        let ours =
            String::from_utf8(b.bytes(&format!("cluster/nodes/{node}.describe.txt"))).unwrap();
        let theirs = run(s.kubectl().args(["describe", "node", node]));
        assert_eq!(
            without_ages(&ours),
            without_ages(&stdout(&theirs)),
            "{name}: describe node"
        );
    }
}

#[test]
fn collect_timeout_writes_what_was_collected() {
    let s = serve("crashloop-oom", &["--faults", "delay=400ms"]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.zip");
    let o = collect(&s, &out, &["--timeout", "2500ms", "--jobs", "2"]);
    assert_eq!(code(&o), 3, "{}{}", stdout(&o), stderr(&o));
    let b = Bundle::open(&out);
    b.check_manifest();
    assert!(b.has("cluster/version.json"));
    let errors = b.errors();
    assert!(
        errors
            .iter()
            .any(|(_, m, c)| c == "timeout" && m.contains("collection timeout")),
        "{errors:?}"
    );
    // It stopped at the timeout: a collection without delays has more.
    let full = collect_bundle(
        &serve("crashloop-oom", &[]),
        &dir.path().join("full.zip"),
        &[],
        &[0],
    );
    assert!(
        b.paths().len() < full.paths().len(),
        "{} of {} entries",
        b.paths().len(),
        full.paths().len()
    );
}

#[test]
fn collect_interrupted_leaves_no_bundle() {
    let s = serve("crashloop-oom", &["--faults", "delay=2s"]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.zip");
    let mut child = kbundle()
        .arg("collect")
        .arg("--kubeconfig")
        .arg(&s.kubeconfig)
        .arg("-o")
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Ready to be interrupted mid-collection: the first phase has ended (its line is printed
    // after answers that took 2 s each, so the Ctrl-C handler is set up), and the next phases
    // still have requests of 2 s to make.
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    while !seen.contains(": done (") {
        let mut line = String::new();
        let n = std::io::BufRead::read_line(&mut err, &mut line).unwrap();
        assert!(
            n > 0,
            "kbundle collect ended before its first phase did: {seen}"
        );
        seen.push_str(&line);
    }
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::io::Read::read_to_string(&mut err, &mut seen).unwrap();
    let status = wait_exit(&mut child, "kbundle collect after SIGINT");
    assert_eq!(status.code(), Some(130), "{seen}");
    assert!(seen.contains("interrupted"), "{seen}");
    assert!(!out.exists());
    assert!(!dir.path().join("b.zip.partial").exists());
}

#[test]
fn collect_trims_context_logs_before_target_logs() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = dir.path().join("mix");
    pods_cluster(
        &cluster,
        "mix",
        ["target", "ctx", "ctx", "ctx", "ctx"]
            .iter()
            .enumerate()
            .map(|(i, role)| {
                let log = noise_log(1 << 20, i as u64 + 7);
                (format!("{role}-{i}"), json!({"role": role}), log)
            })
            .collect(),
    );
    let s = Serve::start(kbundle(), &[&cluster], &[]);
    let out = dir.path().join("b.zip");
    let o = collect(
        &s,
        &out,
        &[
            "-n",
            "mix",
            "-l",
            "role=target",
            "--context-logs",
            "role=ctx",
            "--max-size",
            "2MB",
        ],
    );
    assert!(matches!(code(&o), 0 | 3), "{}{}", stdout(&o), stderr(&o));
    assert!(std::fs::metadata(&out).unwrap().len() < 2_000_000);
    let b = Bundle::open(&out);
    b.check_manifest();
    let entries = b.manifest["entries"].as_array().unwrap();
    for e in entries
        .iter()
        .filter(|e| e["path"].as_str().unwrap().ends_with("/logs/c.log"))
    {
        let path = e["path"].as_str().unwrap();
        if path.contains("/target-") {
            assert!(e.get("truncated").is_none(), "{e}");
            assert_eq!(e["size"], 1 << 20);
        } else {
            assert_eq!(e["truncated"]["reason"], "max-size", "{e}");
        }
    }
    assert_eq!(b.manifest["request"]["pods"], json!(["mix/target-0"]));
}
