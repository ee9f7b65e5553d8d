//! `kbundle analyze` and `kbundle rules`: findings of the fixture clusters, exit codes,
//! formats, determinism.

use std::process::Output;

use serde_json::Value;

use crate::util::{fixture, kbundle, root, run, stderr, stdout};

fn analyze(args: &[&str]) -> Output {
    run(kbundle().arg("analyze").args(args))
}

fn json_of(cluster: &str) -> Value {
    let path = fixture(cluster);
    let o = analyze(&[path.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

/// (rule, severity) of every finding.
fn findings(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(report: &Value, rule: &str, severity: &str) -> bool {
    findings(report)
        .iter()
        .any(|(r, s)| r == rule && s == severity)
}

#[test]
fn healthy_cluster_has_no_findings() {
    let report = json_of("healthy");
    assert_eq!(findings(&report), Vec::<(String, String)>::new());
    assert_eq!(
        report["workload"],
        "Deployment/calico-system/calico-kube-controllers"
    );
    let path = fixture("healthy");
    let o = analyze(&[path.to_str().unwrap(), "--fail-on", "info"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("No findings."));
}

#[test]
fn crashloop_oom_cluster() {
    let report = json_of("crashloop-oom");
    let mut rules: Vec<String> = findings(&report).into_iter().map(|(r, _)| r).collect();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "apiserver-unreachable",
            "probe-failure",
            "crash-loop",
            "memory-limit-hit",
            "log-error-signature",
            "recent-config-change"
        ],
        "expected by fixtures/clusters/README.md"
    );
    assert!(
        has(&report, "crash-loop", "critical"),
        "{:?}",
        findings(&report)
    );
    assert!(
        has(&report, "memory-limit-hit", "critical"),
        "{:?}",
        findings(&report)
    );
    let crash = &report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "crash-loop")
        .unwrap();
    assert_eq!(crash["subject"]["kind"], "Pod");
    assert_eq!(crash["subject"]["namespace"], "calico-system");
    let msg = crash["message"].as_str().unwrap();
    assert!(
        msg.contains("CrashLoopBackOff") && msg.contains("137"),
        "{msg}"
    );
    // Evidence includes lines of the previous log.
    assert!(
        crash["evidence"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["path"].as_str().unwrap().ends_with(".previous.log") && e["line"].is_u64()),
        "{crash}"
    );
    // Triage order: why it crashes comes before what changed.
    let rules: Vec<String> = findings(&report).into_iter().map(|(r, _)| r).collect();
    let pos = |r: &str| rules.iter().position(|x| x == r);
    assert!(pos("crash-loop") < pos("memory-limit-hit"));
    if let Some(changed) = pos("recent-config-change") {
        assert!(pos("memory-limit-hit") < Some(changed));
    }
}

#[test]
fn webhook_denied_cluster() {
    let report = json_of("webhook-denied");
    let rules: Vec<String> = findings(&report).into_iter().map(|(r, _)| r).collect();
    assert_eq!(
        rules,
        ["workload-missing", "webhook-denied"],
        "expected by fixtures/clusters/README.md"
    );
    assert!(
        has(&report, "webhook-denied", "critical"),
        "{:?}",
        findings(&report)
    );
    assert!(
        has(&report, "workload-missing", "critical"),
        "{:?}",
        findings(&report)
    );
    let denied = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "webhook-denied")
        .unwrap();
    let kind = denied["subject"]["kind"].as_str().unwrap();
    assert!(kind.ends_with("WebhookConfiguration"), "{kind}");
    assert!(
        denied["message"]
            .as_str()
            .unwrap()
            .contains("failurePolicy"),
        "{denied}"
    );
}

#[test]
fn fail_on_sets_the_exit_code() {
    let path = fixture("crashloop-oom");
    let p = path.to_str().unwrap();
    assert_eq!(analyze(&[p]).status.code(), Some(0));
    assert_eq!(
        analyze(&[p, "--fail-on", "critical"]).status.code(),
        Some(1)
    );
    assert_eq!(analyze(&[p, "--fail-on", "warning"]).status.code(), Some(1));
    let healthy = fixture("healthy");
    assert_eq!(
        analyze(&[healthy.to_str().unwrap(), "--fail-on", "info"])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn unusable_input_exits_2_with_one_line() {
    let o = analyze(&["/nonexistent/bundle.zip"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with("kbundle: "), "{err}");

    let empty = tempfile::tempdir().unwrap();
    let o = analyze(&[empty.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert_eq!(stderr(&o).trim_end().lines().count(), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(": nothing recognised: "),
        "{}",
        stderr(&o)
    );
    // A document that is a zip, but of nothing kbundle reads: refused by the reader, for
    // every command that reads inputs; `inspect` still shows what it was read as.
    let docx = empty.path().join("notes.docx");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    std::io::Write::write_all(&mut zip, b"<?xml version=\"1.0\"?><w:document/>").unwrap();
    std::fs::write(&docx, zip.finish().unwrap().into_inner()).unwrap();
    let out = empty.path().join("out.zip");
    for args in [
        vec!["analyze"],
        vec!["serve"],
        vec!["redact", "-o", out.to_str().unwrap()],
    ] {
        let command = args[0];
        let o = run(kbundle().args(&args[..1]).arg(&docx).args(&args[1..]));
        assert_eq!(o.status.code(), Some(2), "{command}: {}", stdout(&o));
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{command}: {err}");
        assert!(
            err.contains("notes.docx: nothing recognised: "),
            "{command}: {err}"
        );
    }
    let o = run(kbundle().arg("inspect").arg(&docx));
    assert!(o.status.success(), "{}", stderr(&o));
    // A text of which nothing is recognised is not "no findings".
    let dir = tempfile::tempdir().unwrap();
    let hello = dir.path().join("hello.txt");
    std::fs::write(&hello, "hello\n").unwrap();
    let o = analyze(&[hello.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("nothing recognised in"), "{err}");
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
}

#[test]
fn json_is_byte_identical_and_now_is_honoured() {
    let path = fixture("crashloop-oom");
    let p = path.to_str().unwrap();
    let a = analyze(&[p, "--format", "json"]);
    let b = analyze(&[p, "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
    // A reference time 60 days later: the crash loop is old news, no longer critical.
    let later = analyze(&[p, "--format", "json", "--now", "2030-01-01T00:00:00Z"]);
    let report: Value = serde_json::from_slice(&later.stdout).unwrap();
    assert_eq!(report["reference_time"], "2030-01-01T00:00:00Z");
    assert_eq!(report["reference_time_source"], "option");
    assert!(
        !has(&report, "memory-limit-hit", "critical"),
        "{:?}",
        findings(&report)
    );
    assert!(
        !has(&report, "recent-config-change", "warning"),
        "{:?}",
        findings(&report)
    );
}

#[test]
fn window_flag() {
    let path = fixture("crashloop-oom");
    let o = analyze(&[path.to_str().unwrap(), "--format", "json", "--window", "2d"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["window"], "48h");
    // A bare number is seconds, as for every duration flag (docs/units.md).
    let o = analyze(&[path.to_str().unwrap(), "--format", "json", "--window", "90"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["window"], "1m30s");
    for bad in ["soon", "0", "-1h"] {
        let o = analyze(&[path.to_str().unwrap(), "--window", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
    }
}

#[test]
fn markdown_and_text_formats() {
    let path = fixture("webhook-denied");
    let md = stdout(&analyze(&[path.to_str().unwrap(), "--format", "markdown"]));
    assert!(
        md.contains("| Severity | Rule | Subject | Message |"),
        "{md}"
    );
    assert!(
        md.contains("<details>") && md.contains("</details>"),
        "{md}"
    );
    let text = stdout(&analyze(&[path.to_str().unwrap()]));
    assert!(text.contains("CRITICAL [webhook-denied]"), "{text}");
    // NO_COLOR is set by the harness, and stdout is not a terminal: no escapes.
    assert!(!text.contains('\x1b'));
    let colored = stdout(&analyze(&[path.to_str().unwrap(), "--color", "always"]));
    assert!(colored.contains('\x1b'));
}

#[test]
fn rules_lists_and_explains() {
    let o = run(kbundle().arg("rules"));
    assert_eq!(o.status.code(), Some(0));
    let list = stdout(&o);
    for id in [
        "workload-missing",
        "pod-pending",
        "crash-loop",
        "memory-limit-hit",
        "webhook-denied",
        "webhook-unreachable",
        "node-not-ready",
        "image-pull-failure",
        "recent-config-change",
        "recent-cluster-update",
        "log-error-signature",
    ] {
        assert!(list.contains(id), "{id} missing from:\n{list}");
    }
    let one = stdout(&run(kbundle().args(["rules", "crash-loop"])));
    for heading in [
        "What it detects",
        "Why it matters",
        "Runbook step",
        "Example",
    ] {
        assert!(one.contains(heading), "{heading}:\n{one}");
    }
    let unknown = run(kbundle().args(["rules", "no-such-rule"]));
    assert_eq!(unknown.status.code(), Some(2));
    // docs/rules.md is what `kbundle rules --markdown` prints.
    let md = stdout(&run(kbundle().args(["rules", "--markdown"])));
    let docs = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    assert_eq!(md, docs);
}

#[test]
fn describe_text_only_input() {
    let dir = root().join("crates/analyzer/tests/fixtures/memory-limit-hit/fire-describe-text");
    let o = analyze(&[
        dir.to_str().unwrap(),
        "--format",
        "json",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["reference_time_source"], "describe");
    assert!(
        has(&report, "memory-limit-hit", "critical"),
        "{:?}",
        findings(&report)
    );
    assert!(
        has(&report, "crash-loop", "critical"),
        "{:?}",
        findings(&report)
    );
    let line = report["findings"][0]["evidence"][0]["line"].as_u64();
    assert!(
        line.is_some_and(|l| l > 1),
        "evidence cites a line: {report}"
    );
}

#[test]
fn rules_and_skip_choose_rules() {
    let path = fixture("crashloop-oom");
    let p = path.to_str().unwrap();
    let o = analyze(&[
        p,
        "--format",
        "json",
        "--skip",
        "memory-limit-hit,log-error-signature",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let ran: Vec<&str> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        !ran.contains(&"memory-limit-hit") && ran.contains(&"crash-loop"),
        "{ran:?}"
    );
    assert!(has(&report, "crash-loop", "critical"));
    assert!(
        !findings(&report)
            .iter()
            .any(|(r, _)| r == "memory-limit-hit")
    );
    let o = analyze(&[
        p,
        "--format",
        "json",
        "--rules",
        "crash-loop",
        "--rules",
        "memory-limit-hit",
    ]);
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        report["rules"],
        serde_json::json!(["crash-loop", "memory-limit-hit"])
    );
    assert_eq!(report["diagnoses"][0]["cause"]["rule"], "memory-limit-hit");
    // An unknown id is a usage error that lists the known ones.
    let bad = analyze(&[p, "--rules", "crash-looop"]);
    assert_eq!(bad.status.code(), Some(2));
    let err = stderr(&bad);
    assert!(
        err.contains("unknown rule \"crash-looop\"") && err.contains("memory-limit-hit"),
        "{err}"
    );
    assert_eq!(analyze(&[p, "--skip", "nope"]).status.code(), Some(2));
}

#[test]
fn reports_open_with_the_diagnoses() {
    let path = fixture("webhook-denied");
    let p = path.to_str().unwrap();
    let text = stdout(&analyze(&[p]));
    let diagnosis = text
        .find("DIAGNOSIS 1 (high confidence): webhook-denied")
        .expect(&text);
    assert!(
        diagnosis < text.find("CRITICAL [webhook-denied]").unwrap(),
        "{text}"
    );
    assert_eq!(
        text.matches("CRITICAL [workload-missing]").count(),
        1,
        "{text}"
    );
    let md = stdout(&analyze(&[p, "--format", "markdown"]));
    let d = md.find("### Diagnoses").expect(&md);
    assert!(d < md.find("| Severity | Rule |").unwrap(), "{md}");
    assert!(md.contains("   - explains: `workload-missing`"), "{md}");
}
