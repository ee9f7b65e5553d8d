//! The pipeline end to end: fixture cluster → `kbundle serve` → `kbundle collect` → bundle →
//! `kbundle analyze`, and the runbook's kubectl text output → archive → `kbundle analyze`.

use std::collections::BTreeSet;

use crate::util::*;

fn reference_time(name: &str) -> &'static str {
    match name {
        "healthy" => "2025-03-11T15:20:00Z",
        "crashloop-oom" => "2025-03-14T09:30:00Z",
        _ => "2025-03-18T16:45:00Z",
    }
}

#[test]
fn collected_bundles_give_the_same_findings_as_the_fixture_folders() {
    for name in FIXTURES {
        let dir = tempfile::tempdir().unwrap();
        let server = Serve::start(kbundle(), &[&fixture(name)], &[]);
        let bundle = dir.path().join("bundle.zip");
        let o = run(kbundle()
            .arg("collect")
            .arg("--kubeconfig")
            .arg(&server.kubeconfig)
            .arg("-o")
            .arg(&bundle)
            .args(["--quiet", "--collected-at", reference_time(name)]));
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let from_folder = findings(&fixture(name), &[]);
        let from_bundle = findings(&bundle, &[]);
        assert_eq!(from_bundle, from_folder, "{name}");
        if *name == "healthy" {
            assert!(from_bundle.is_empty());
        }
    }
}

#[test]
fn the_runbooks_kubectl_output_gives_the_same_diagnosis() {
    // What a support engineer attaches after following the runbook's "Logs and Data to
    // Gather": describe pod, describe node, logs and logs --previous, as files in an archive.
    let name = "crashloop-oom";
    let (ns, pod, node) = (
        "calico-system",
        "calico-kube-controllers-5f6b8d9c47-q4wzn",
        "10.240.64.11",
    );
    let server = Serve::start(kbundle(), &[&fixture(name)], &[]);
    let dir = tempfile::tempdir().unwrap();
    let attach = dir.path().join("case-12345");
    std::fs::create_dir_all(&attach).unwrap();
    let save = |args: &[&str], file: &str| {
        let o = run(server.kubectl().env("TZ", "UTC").args(args));
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        std::fs::write(attach.join(file), &o.stdout).unwrap();
    };
    save(&["describe", "pod", "-n", ns, pod], "describe-pod.txt");
    save(&["describe", "node", node], "describe-node.txt");
    save(&["logs", "-n", ns, pod], &format!("{pod}.log"));
    save(
        &["logs", "-n", ns, pod, "--previous"],
        &format!("{pod}-previous.log"),
    );
    let archive = dir.path().join("case-12345.tar.gz");
    let o = run(std::process::Command::new("tar")
        .arg("czf")
        .arg(&archive)
        .arg("-C")
        .arg(dir.path())
        .arg("case-12345"));
    assert!(o.status.success());

    let from_text = findings(&archive, &[]);
    let rules: BTreeSet<&str> = from_text.iter().map(|f| f.0.as_str()).collect();
    // What the text shows: the crash loop, the OOM kill, the log signatures. (The
    // FelixConfiguration change is not in these four outputs, so it cannot be found.)
    for rule in ["crash-loop", "memory-limit-hit", "log-error-signature"] {
        assert!(rules.contains(rule), "{rule} missing: {from_text:?}");
    }
    let subject = format!("Pod/{ns}/{pod}");
    for f in &from_text {
        if f.0 == "crash-loop" || f.0 == "memory-limit-hit" {
            assert_eq!(f.2, subject, "{f:?}");
            assert_eq!(f.1, "critical", "{f:?}");
        }
    }
    // The same findings, as far as the text shows them, as from the objects.
    let from_objects = findings(&fixture(name), &[]);
    for f in from_text
        .iter()
        .filter(|f| f.0 == "crash-loop" || f.0 == "memory-limit-hit")
    {
        assert!(from_objects.contains(f), "{f:?} not in {from_objects:?}");
    }
}
