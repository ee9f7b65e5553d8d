//! The corpus of real material in `fixtures/real/` (see its README): every artefact is read and
//! analyzed as `kbundle analyze` would, with the reference time it carries, and checked against
//! the `expect.txt` written from reading it. One test, which lists every failing artefact and
//! every unmet expectation at once, so that a run shows the whole state of the corpus.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use kbundle_analyzer::{Finding, Options, Severity, analyze};
use kbundle_format::{ReadOptions, Snapshot};

fn corpus() -> PathBuf {
    kbundle_testkit::paths::real()
}

/// One `finding` or `absent` line of `expect.txt`.
#[derive(Debug)]
struct Expectation {
    present: bool,
    rule: String,
    subject: Option<String>,
    severity: Option<Severity>,
    line: String,
}

/// The expectations of `expect.txt`, and the prefix the reference time must have.
fn expectations(path: &Path) -> (Vec<Expectation>, Option<String>) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    let mut reference_time = None;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if let ["reference-time", prefix] = words.as_slice() {
            reference_time = Some(prefix.to_string());
            continue;
        }
        let present = match words.first() {
            Some(&"finding") => true,
            Some(&"absent") => false,
            _ => panic!("{}: bad line {line:?}", path.display()),
        };
        let rule = words
            .get(1)
            .unwrap_or_else(|| panic!("{}: no rule in {line:?}", path.display()));
        assert!(
            kbundle_analyzer::rule(rule).is_some(),
            "{}: unknown rule {rule}",
            path.display()
        );
        let subject = words.get(2).filter(|s| **s != "*").map(|s| s.to_string());
        if present {
            assert!(
                words.get(2).is_some(),
                "{}: a finding line names its subject (or *): {line:?}",
                path.display()
            );
        }
        let severity = words.get(3).map(|s| {
            s.parse::<Severity>()
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        });
        assert!(words.len() <= 4, "{}: bad line {line:?}", path.display());
        out.push(Expectation {
            present,
            rule: rule.to_string(),
            subject,
            severity,
            line: line.to_string(),
        });
    }
    (out, reference_time)
}

fn matches(e: &Expectation, f: &Finding) -> bool {
    f.rule == e.rule
        && e.subject
            .as_ref()
            .is_none_or(|s| *s == f.subject.to_string())
        && e.severity.is_none_or(|s| s == f.severity)
}

/// The input to open: the only entry of `input/` (a text file, an archive, a bundle folder), else
/// `input/` itself.
fn input_of(dir: &Path) -> PathBuf {
    let input = dir.join("input");
    let entries: Vec<PathBuf> = std::fs::read_dir(&input)
        .unwrap_or_else(|e| panic!("{}: {e}", input.display()))
        .map(|e| e.unwrap().path())
        .collect();
    match entries.as_slice() {
        [only] => only.clone(),
        _ => input,
    }
}

/// The problems of one artefact, empty when it meets every expectation.
fn check(dir: &Path) -> Vec<String> {
    let (expected, reference_time) = expectations(&dir.join("expect.txt"));
    let snapshot = match Snapshot::open(&input_of(dir), &ReadOptions::default()) {
        Ok(s) => s,
        Err(e) => return vec![format!("not read: {e}")],
    };
    let report = analyze(&snapshot, &Options::default());
    let mut problems = Vec::new();
    if let Some(prefix) = reference_time {
        let have = report.reference_time.as_deref().unwrap_or("none");
        if !have.starts_with(&prefix) {
            problems.push(format!(
                "reference time {have} ({}), expected {prefix}",
                kbundle_analyzer::report::source_name(report.reference_time_source)
            ));
        }
    }
    for e in &expected {
        let found = report.findings.iter().any(|f| matches(e, f));
        if e.present && !found {
            problems.push(format!("missing: {}", e.line));
        }
        if !e.present && found {
            let which: Vec<String> = report
                .findings
                .iter()
                .filter(|f| matches(e, f))
                .map(|f| format!("{} {} {}: {}", f.severity, f.rule, f.subject, f.message))
                .collect();
            problems.push(format!("unexpected ({}): {}", e.line, which.join(" | ")));
        }
    }
    if !problems.is_empty() {
        let all: Vec<String> = report
            .findings
            .iter()
            .map(|f| format!("{} {} {}", f.severity, f.rule, f.subject))
            .collect();
        problems.push(format!("reported: [{}]", all.join(", ")));
    }
    problems
}

#[test]
fn every_artefact_meets_its_expectations() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 25,
        "the corpus holds {} artefacts",
        dirs.len()
    );
    let mut failing = Vec::new();
    for dir in &dirs {
        for f in ["SOURCE.md", "expect.txt"] {
            assert!(dir.join(f).is_file(), "{}: no {f}", dir.display());
        }
        let problems = check(dir);
        if !problems.is_empty() {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            failing.push(format!("{name}:\n    {}", problems.join("\n    ")));
        }
    }
    assert!(
        failing.is_empty(),
        "{} of {} artefacts in fixtures/real fail their expectations:\n{}",
        failing.len(),
        dirs.len(),
        failing.join("\n")
    );
}
