//! Neutral output through the real binary: the hostile fixture (`fixtures/hostile-output`) and a
//! bundle whose manifest holds hostile server messages reach the terminal with no control
//! character (`analyze` in every colour mode, `inspect`, error lines, `collect`'s output), and
//! `analyze --format markdown` respects `--max-chars`: 600 findings fit one GitHub comment.

use std::path::PathBuf;

use kbundle_format::manifest::CollectError;
use kbundle_format::{BundleWriter, Manifest};

use crate::util::*;

const H: &str = "\x1b[2J\x1b]52;c;ZXZpbA==\x07 @org/team \u{9b}31m \u{202e}RTL\r\nFORGED LINE";

fn hostile() -> PathBuf {
    root().join("fixtures/hostile-output")
}

/// No control character but line feeds, nothing that a terminal acts on, no forged line.
fn assert_terminal_safe(what: &str, out: &str) {
    for c in out.chars() {
        assert!(
            c == '\n' || !kbundle_format::neutral::is_unsafe(c),
            "{what}: {c:?} reached the terminal:\n{out}"
        );
    }
    assert!(
        !out.lines().any(|l| l.starts_with("FORGED")),
        "{what}: forged line:\n{out}"
    );
}

#[test]
fn analyze_prints_hostile_input_neutrally_in_every_format() {
    for args in [
        &["--color", "never"][..],
        &["--format", "markdown"],
        &["--format", "markdown", "--max-chars", "4000"],
    ] {
        let o = run(kbundle()
            .arg("analyze")
            .arg(hostile())
            .args(["--now", "2025-03-14T10:00:00Z"])
            .args(args));
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let out = stdout(&o);
        assert_terminal_safe(&format!("analyze {args:?}"), &out);
        // The hostile text is there, escaped.
        assert!(out.contains("\\x1b]52;c;ZXZpbA==\\x07"), "{args:?}: {out}");
        if args.contains(&"--max-chars") {
            assert!(out.chars().count() <= 4000, "{}", out.chars().count());
        }
    }
    // With colours, only the report's own SGR sequences remain.
    let o = run(kbundle()
        .arg("analyze")
        .arg(hostile())
        .args(["--color", "always"]));
    let mut out = stdout(&o);
    for code in ["1", "32", "1;31", "1;33", "1;36", "0"] {
        out = out.replace(&format!("\x1b[{code}m"), "");
    }
    assert_terminal_safe("analyze --color always", &out);
    // JSON stays exact.
    let o = run(kbundle()
        .arg("analyze")
        .arg(hostile())
        .args(["--format", "json"]));
    assert!(stdout(&o).contains("\\u001b]52;c;ZXZpbA==\\u0007"));
}

#[test]
fn max_chars_is_bounded_below() {
    let o = run(kbundle().arg("analyze").arg(hostile()).args([
        "--format",
        "markdown",
        "--max-chars",
        "100",
    ]));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("at least 4000"), "{}", stderr(&o));
}

#[test]
fn inspect_and_errors_print_hostile_strings_neutrally() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bundle.zip");
    let mut writer = BundleWriter::new(std::fs::File::create(&bundle).unwrap());
    writer
        .add(
            "cluster/nodes.json",
            br#"{"apiVersion":"v1","kind":"NodeList","items":[{"metadata":{"name":"10.0.0.1"}}]}"#,
        )
        .unwrap();
    let mut manifest = Manifest::new(&format!("0.1.0{H}"), "2025-03-14T09:30:00Z");
    manifest.errors.push(CollectError {
        what: format!("list pods {H}"),
        message: format!("server said {H}"),
        class: Some(format!("other{H}")),
    });
    writer.finish_into(manifest).unwrap();
    let o = run(kbundle().arg("inspect").arg(&bundle));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_terminal_safe("inspect", &out);
    assert!(out.contains("server said \\x1b[2J"), "{out}");

    // inspect of the hostile fixture, and error lines naming a hostile path.
    let o = run(kbundle().arg("inspect").arg(hostile()));
    assert_terminal_safe("inspect hostile-output", &stdout(&o));
    let missing = dir.path().join(format!("missing{H}"));
    for cmd in ["inspect", "analyze", "serve"] {
        let o = run(kbundle().arg(cmd).arg(&missing));
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{cmd}: {err}");
        assert_terminal_safe(cmd, &err);
        assert!(err.contains("missing\\x1b[2J"), "{cmd}: {err}");
    }
}

#[test]
fn collect_of_a_hostile_cluster_prints_neutrally() {
    let s = Serve::start(kbundle(), &[&hostile()], &[]);
    let dir = tempfile::tempdir().unwrap();
    let o = run(kbundle()
        .arg("collect")
        .arg("--kubeconfig")
        .arg(&s.kubeconfig)
        .arg("-o")
        .arg(dir.path().join("b.zip"))
        .args(["--collected-at", "2025-03-14T10:00:00Z"]));
    // Whatever the collection made of it (the node's name holds an escape sequence), what
    // reached the terminal is neutral.
    assert_terminal_safe("collect stdout", &stdout(&o));
    assert_terminal_safe("collect stderr", &stderr(&o));
}

#[test]
fn markdown_of_600_findings_fits_one_github_comment() {
    // 600 calico-kube-controllers pods in CrashLoopBackOff: 600 critical findings.
    let mut items = vec![
        serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "calico-system"}}),
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "calico-kube-controllers", "namespace": "calico-system", "uid": "d"},
            "spec": {"replicas": 600, "selector": {"matchLabels": {"k8s-app": "calico-kube-controllers"}}},
            "status": {"replicas": 600, "readyReplicas": 0}}),
    ];
    for i in 0..600 {
        items.push(serde_json::json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("calico-kube-controllers-6f8c9d7b5-{i:05}"),
                "namespace": "calico-system", "uid": format!("p{i}"),
                "labels": {"k8s-app": "calico-kube-controllers"}},
            "spec": {"containers": [{"name": "calico-kube-controllers", "image": "x"}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "calico-kube-controllers",
                "image": "x", "ready": false, "restartCount": 40 + i,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": format!("back-off 5m0s restarting failed container {H}")}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                    "startedAt": "2025-03-14T09:56:10Z", "finishedAt": "2025-03-14T09:56:41Z"}}}]}}));
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("cluster.json"),
        serde_json::to_vec(
            &serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items}),
        )
        .unwrap(),
    )
    .unwrap();
    let analyze = |args: &[&str]| {
        let o = run(kbundle()
            .arg("analyze")
            .arg(dir.path())
            .args(["--now", "2025-03-14T10:00:00Z"])
            .args(args));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stdout(&o)
    };
    let json: serde_json::Value = serde_json::from_str(&analyze(&["--format", "json"])).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert!(findings.len() >= 600, "{}", findings.len());
    for max in [None, Some("20000")] {
        let mut args = vec!["--format", "markdown"];
        if let Some(m) = max {
            args.extend(["--max-chars", m]);
        }
        let md = analyze(&args);
        let bound: usize = max.map_or(65_536, |m| m.parse().unwrap());
        assert!(
            md.chars().count() <= bound,
            "{} > {bound}",
            md.chars().count()
        );
        assert_terminal_safe("markdown", &md);
        let last = md.lines().last().unwrap_or_default();
        assert!(last.starts_with("**Left out**"), "{last}");
        assert!(last.contains("--format json"), "{last}");
        assert!(md.matches("<details>").count() > 0);
    }
}
