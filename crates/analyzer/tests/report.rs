//! The report's renderings: JSON matches `docs/report-schema.json` and is byte-identical run
//! after run; Markdown and text are snapshotted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use kbundle_analyzer::{Options, Report, analyze};
use kbundle_format::{ReadOptions, Snapshot};
use serde_json::Value;

const NOW: &str = "2025-03-14T10:00:00Z";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn report_of(dirs: &[PathBuf]) -> Report {
    let snapshot = Snapshot::open_many(dirs, &ReadOptions::default()).expect("open");
    let options = Options::default().with_now(Some(NOW.parse().expect("NOW")));
    let mut report = analyze(&snapshot, &options);
    // Input paths depend on where the repository is checked out.
    report.inputs = dirs
        .iter()
        .map(|d| d.strip_prefix(root()).unwrap_or(d).display().to_string())
        .collect();
    report
}

fn all_fixture_dirs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for rule in std::fs::read_dir(root().join("tests/fixtures")).expect("fixtures") {
        let rule = rule.expect("entry").path();
        for case in std::fs::read_dir(&rule).expect("rule dir") {
            let case = case.expect("entry").path();
            // certificate-expired/certs holds PEM files, not an input.
            if !case.ends_with("certs") {
                out.push(case);
            }
        }
    }
    out.sort();
    out
}

mod schema;
use schema::check;

#[test]
fn json_matches_the_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("../../docs/report-schema.json")).expect("schema"),
    )
    .expect("schema is JSON");
    let (mut checked, mut diagnosed) = (0, 0);
    for dir in all_fixture_dirs() {
        let json: Value =
            serde_json::from_str(&report_of(std::slice::from_ref(&dir)).to_json()).expect("JSON");
        let mut errors = Vec::new();
        check(&schema, &schema, &json, "", &mut errors);
        assert!(errors.is_empty(), "{}: {errors:#?}", dir.display());
        checked += 1;
        diagnosed += usize::from(json["diagnoses"].as_array().is_some_and(|d| !d.is_empty()));
    }
    assert!(checked > 20);
    // The diagnoses' shape is checked too, not only an empty list.
    assert!(diagnosed > 0);
}

#[test]
fn json_is_byte_identical_for_the_same_input() {
    for dir in all_fixture_dirs() {
        let a = report_of(std::slice::from_ref(&dir)).to_json();
        let b = report_of(std::slice::from_ref(&dir)).to_json();
        assert_eq!(a, b, "{}", dir.display());
    }
}

#[test]
fn several_inputs_are_one_snapshot() {
    // A crash-looping pod in one input, its log in another.
    let fire = root().join("tests/fixtures/crash-loop/fire");
    let report = report_of(&[
        fire.clone(),
        root().join("tests/fixtures/recent-config-change/fire"),
    ]);
    assert_eq!(report.inputs.len(), 2);
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert!(rules.contains(&"crash-loop"), "{rules:?}");
    assert!(rules.contains(&"recent-config-change"), "{rules:?}");
    // Triage order: crash-loop before recent-config-change.
    let pos = |r: &str| rules.iter().position(|x| *x == r);
    assert!(pos("crash-loop") < pos("recent-config-change"));
    // With several inputs, text evidence says which input it is in.
    let text = report.to_text(false);
    assert!(
        text.contains("tests/fixtures/crash-loop/fire#logs/calico-system/"),
        "{text}"
    );
}

#[test]
fn markdown_for_github_issues() {
    let report = report_of(&[root().join("tests/fixtures/webhook-unreachable/fire")]);
    insta::assert_snapshot!("markdown_webhook_unreachable", report.to_markdown());
}

#[test]
fn text_for_terminals() {
    let report = report_of(&[root().join("tests/fixtures/crash-loop/fire")]);
    insta::assert_snapshot!("text_crash_loop", report.to_text(false));
    let colored = report.to_text(true);
    assert!(colored.contains("\x1b[1;31mCRITICAL\x1b[0m"));
}

#[test]
fn no_findings() {
    let report = report_of(&[root().join("tests/fixtures/workload-missing/miss-running")]);
    assert!(report.findings.is_empty(), "{}", report.to_text(false));
    assert!(report.to_text(false).contains("No findings."));
    assert!(report.to_markdown().contains("No findings."));
    assert_eq!(report.max_severity(), None);
}
