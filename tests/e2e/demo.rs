//! `kbundle demo`: the whole pipeline on the embedded cluster, from any directory.

use crate::util::*;

#[test]
fn demo_runs_anywhere_and_names_the_runbook_findings() {
    let cwd = tempfile::tempdir().unwrap();
    let out = cwd.path().join("out/demo.zip");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let o = run(kbundle()
        .current_dir(cwd.path())
        .arg("demo")
        .arg("--out")
        .arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for rule in ["memory-limit-hit", "crash-loop", "recent-config-change"] {
        assert!(
            text.contains(&format!("[{rule}]")),
            "{rule} missing:\n{text}"
        );
    }
    assert!(text.contains("FelixConfiguration/default"), "{text}");
    assert!(
        text.contains(&format!("Bundle: {}", out.display())),
        "{text}"
    );
    assert!(out.is_file());
    // Nothing else was written in the working directory.
    let left: Vec<_> = std::fs::read_dir(cwd.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("out")]);

    // The bundle is a complete kbundle bundle that analyze reads the same way.
    let o = run(kbundle().args(["analyze", "--format", "json"]).arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"memory-limit-hit"), "{rules:?}");
}

#[test]
fn demo_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.zip");
    let b = dir.path().join("b.zip");
    for out in [&a, &b] {
        let o = run(kbundle()
            .args(["demo", "--format", "json", "--out"])
            .arg(out));
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}
