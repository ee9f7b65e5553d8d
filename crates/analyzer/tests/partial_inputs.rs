//! Only what the input shows: every rule's messages are walked over partial inputs (the rule
//! fixtures' objects with one field removed at a time, and every text fixture and real
//! artefact cut short after each of its lines), and no message may state what its input does
//! not show: no zero for an unknown count, no duration of nothing (`for 0s`), no empty clause
//! (`Unschedulable:` with nothing after it, `(: )`), no exit code, restart count or "no memory
//! limit" that the input does not hold.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use kbundle_analyzer::{Options, analyze};
use kbundle_format::{Object, ReadOptions, Snapshot};
use regex::Regex;
use serde_json::Value;

const NOW: &str = "2025-03-14T10:00:00Z";

fn options() -> Options {
    Options::default().with_now(Some(NOW.parse().unwrap()))
}

/// Fields whose absence a rule must notice rather than fill in.
const REMOVABLE: &[&str] = &[
    "restartCount",
    "exitCode",
    "reason",
    "message",
    "lastTransitionTime",
    "lastUpdateTime",
    "startedAt",
    "finishedAt",
    "resources",
    "limits",
    "memory",
    "state",
    "lastState",
    "containerStatuses",
    "conditions",
    "count",
    "firstTimestamp",
    "lastTimestamp",
    "eventTime",
    "creationTimestamp",
    "nodeName",
    "replicas",
    "readyReplicas",
    "availableReplicas",
    "status",
];

static EMPTY_CLAUSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r":\s*$|:\s*[;,)]|\(\s*:|\(\s*\)|:\s+:").unwrap());
static ZERO_DURATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bfor 0s\b|\b0s before\b").unwrap());
static ZERO_EVENTS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|[\s(])0 (back-off|failed pull|time)").unwrap());
static ZERO_RESTARTS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b0 restarts\b").unwrap());
static UNKNOWN_AS_MARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(^|\s)\?($|[\s,;)])").unwrap());
static EXIT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\bexit (-?\d+)").unwrap());
static RESTARTS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(\d+) restarts?\b").unwrap());

/// What the input holds, as text, to check a message's claims against.
struct Shown {
    text: String,
    /// Whether the input is describe or table text (else objects).
    text_input: bool,
}

impl Shown {
    fn has_exit(&self, code: &str) -> bool {
        if self.text_input {
            self.text.lines().any(|l| {
                let l = l.trim();
                l.strip_prefix("Exit Code:")
                    .is_some_and(|v| v.trim() == code)
            })
        } else {
            self.text.contains(&format!("\"exitCode\":{code}"))
        }
    }

    fn has_restarts(&self, n: &str) -> bool {
        if self.text_input {
            self.text.lines().any(|l| {
                let l = l.trim();
                l.strip_prefix("Restart Count:")
                    .is_some_and(|v| v.trim() == n)
                    || l.split_whitespace().any(|w| w == n)
            })
        } else {
            self.text.contains(&format!("\"restartCount\":{n}"))
        }
    }

    /// Whether a describe shows a container's resources or what kubectl prints after them.
    fn shows_resources(&self) -> bool {
        !self.text_input
            || [
                "Limits:",
                "Requests:",
                "Liveness:",
                "Readiness:",
                "Startup:",
            ]
            .iter()
            .any(|k| self.text.contains(k))
    }
}

/// The problems of one message, given what its input holds.
fn problems(message: &str, shown: &Shown) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |bad: bool, what: &str| {
        if bad {
            out.push(format!("{what}: {message}"));
        }
    };
    check(EMPTY_CLAUSE.is_match(message), "empty clause");
    check(ZERO_DURATION.is_match(message), "zero duration");
    check(ZERO_EVENTS.is_match(message), "zero count of events");
    check(UNKNOWN_AS_MARK.is_match(message), "unknown shown as ?");
    check(
        ZERO_RESTARTS.is_match(message) && !shown.has_restarts("0"),
        "0 restarts the input does not show",
    );
    for c in EXIT.captures_iter(message) {
        check(!shown.has_exit(&c[1]), "exit code the input does not show");
    }
    for c in RESTARTS.captures_iter(message) {
        check(
            !shown.has_restarts(&c[1]),
            "restart count the input does not show",
        );
    }
    check(
        message.contains("no memory limit") && !shown.shows_resources(),
        "no memory limit where the input does not show the resources",
    );
    out
}

fn check_report(snapshot: &Snapshot, shown: &Shown, what: &str, failures: &mut Vec<String>) {
    let report = analyze(snapshot, &options());
    for f in &report.findings {
        for p in problems(&f.message, shown) {
            failures.push(format!("{what}: [{}] {}: {p}", f.rule, f.subject));
        }
    }
}

/// Every path to a removable field in a value.
fn removable_paths(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                path.push(k.clone());
                if REMOVABLE.contains(&k.as_str()) {
                    out.push(path.clone());
                }
                removable_paths(child, path, out);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                path.push(i.to_string());
                removable_paths(child, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn remove(v: &mut Value, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = v;
    for p in parents {
        at = match at {
            Value::Object(m) => m.get_mut(p).unwrap(),
            Value::Array(a) => a.get_mut(p.parse::<usize>().unwrap()).unwrap(),
            _ => return,
        };
    }
    if let Value::Object(m) = at {
        m.remove(last);
    }
}

fn fixture_cases() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut cases = Vec::new();
    for rule in std::fs::read_dir(&root).unwrap() {
        let rule = rule.unwrap().path();
        if !rule.is_dir() {
            continue;
        }
        for case in std::fs::read_dir(&rule).unwrap() {
            let case = case.unwrap().path();
            // certificate-expired/certs holds PEM files, not an input.
            if case.is_dir() && !case.ends_with("certs") {
                cases.push(case);
            }
        }
    }
    cases.sort();
    cases
}

/// The rule fixtures' objects, one removable field taken away at a time.
#[test]
fn objects_with_a_field_removed() {
    let mut failures = Vec::new();
    let mut runs = 0;
    for case in fixture_cases() {
        let snapshot = Snapshot::open(&case, &ReadOptions::default()).unwrap();
        let objects: Vec<Object> = snapshot.objects().cloned().collect();
        for (i, o) in objects.iter().enumerate() {
            let mut paths = Vec::new();
            removable_paths(&o.value, &mut Vec::new(), &mut paths);
            for path in paths {
                let mut partial = Snapshot::new();
                let mut text = String::new();
                for (j, other) in objects.iter().enumerate() {
                    let mut other = other.clone();
                    if i == j {
                        remove(&mut other.value, &path);
                    }
                    text.push_str(&other.value.to_string());
                    partial.insert(other);
                }
                let shown = Shown {
                    text,
                    text_input: false,
                };
                let what = format!(
                    "{} without {}/{}",
                    case.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                        .unwrap_or(&case)
                        .display(),
                    o.name(),
                    path.join(".")
                );
                check_report(&partial, &shown, &what, &mut failures);
                runs += 1;
            }
        }
    }
    assert!(runs > 100, "only {runs} partial inputs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Text files of the rule fixtures and of the real corpus.
fn text_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = fixture_cases();
    let real = kbundle_testkit::paths::real();
    for d in std::fs::read_dir(real).unwrap() {
        dirs.push(d.unwrap().path().join("input"));
    }
    for d in dirs {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "txt") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Every text fixture and real text artefact, cut short after each of its lines.
#[test]
fn texts_cut_short() {
    let scratch = std::env::temp_dir().join(format!("kbundle-partial-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut failures = Vec::new();
    let mut runs = 0;
    for file in text_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let name = file.file_name().unwrap();
        for n in 1..=lines.len() {
            let cut = lines[..n].join("\n") + "\n";
            let path: &Path = &scratch.join(name);
            std::fs::write(path, &cut).unwrap();
            // A cut that leaves nothing recognisable is an error, not a report.
            let Ok(snapshot) = Snapshot::open(path, &ReadOptions::default()) else {
                continue;
            };
            let shown = Shown {
                text: cut,
                text_input: true,
            };
            let what = format!("{} cut after line {n}", file.display());
            check_report(&snapshot, &shown, &what, &mut failures);
            runs += 1;
        }
    }
    std::fs::remove_dir_all(&scratch).unwrap();
    assert!(runs > 100, "only {runs} cut texts");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_checks_catch_what_they_are_for() {
    let objects = Shown {
        text: r#"{"restartCount":3,"exitCode":1}"#.into(),
        text_input: false,
    };
    for bad in [
        "Pending: Unschedulable:",
        "Ready=Unknown for 0s",
        "Ready=Unknown (: )",
        "now waiting ()",
        "container a in CrashLoopBackOff, 0 restarts",
        "container a in CrashLoopBackOff, 5 restarts",
        "OOMKilled (exit 137)",
        "last exit ? (Error)",
        "restarting: 0 back-off events",
    ] {
        assert!(!problems(bad, &objects).is_empty(), "{bad}");
    }
    for good in [
        "container a in CrashLoopBackOff, 3 restarts; last exit 1 (Error) 3m before the reference time",
        "container a in CrashLoopBackOff, restarts unknown",
        "blocking ReplicaSet/?/argo-ui-55b859f7d7",
    ] {
        assert!(problems(good, &objects).is_empty(), "{good}");
    }
    let cut = Shown {
        text: "    State:          Waiting\n".into(),
        text_input: true,
    };
    assert!(!problems("OOMKilled, no memory limit", &cut).is_empty());
    assert!(problems("OOMKilled, memory limit unknown", &cut).is_empty());
}
