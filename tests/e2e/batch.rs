//! `kbundle analyze --batch DIR`: one report per input, a summary, unreadable inputs as rows.

use crate::util::*;

#[test]
fn batch_reports_every_input_and_survives_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("queue");
    std::fs::create_dir_all(&inputs).unwrap();
    for name in ["crashloop-oom", "healthy"] {
        let o = run(std::process::Command::new("cp")
            .arg("-r")
            .arg(fixture(name))
            .arg(inputs.join(name)));
        assert!(o.status.success());
    }
    std::fs::copy(
        root().join("../shared/data/troubleshoot/support-bundle.tar.gz"),
        inputs.join("support-bundle.tar.gz"),
    )
    .unwrap();
    std::fs::write(inputs.join("broken.zip"), b"PK\x03\x04 this is not a zip").unwrap();
    std::fs::write(inputs.join("hello.txt"), b"hello\n").unwrap();
    let out = dir.path().join("reports");
    let o = run(kbundle()
        .args(["analyze", "--format", "json", "--batch"])
        .arg(&inputs)
        .arg("--out")
        .arg(&out));
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("5 inputs (2 unreadable)"), "{text}");
    let hello = text.lines().find(|l| l.starts_with("hello.txt")).unwrap();
    assert!(
        hello.contains("error: ") && hello.contains("nothing recognised"),
        "{hello}"
    );
    assert!(text.contains("archives/s"), "{text}");
    let broken = text.lines().find(|l| l.starts_with("broken.zip")).unwrap();
    assert!(
        broken.contains("error: ") && broken.contains("corrupt or truncated zip"),
        "{broken}"
    );
    let crash = text
        .lines()
        .find(|l| l.starts_with("crashloop-oom"))
        .unwrap();
    assert!(crash.contains("critical"), "{crash}");

    // One report per readable input, each the same as a single analysis would give.
    for name in ["crashloop-oom", "healthy", "support-bundle.tar.gz"] {
        let report = std::fs::read_to_string(out.join(format!("{name}.json"))).unwrap();
        let single = run(kbundle()
            .args(["analyze", "--format", "json"])
            .arg(inputs.join(name)));
        assert_eq!(report, stdout(&single), "{name}");
    }
    assert!(!out.join("broken.zip.json").exists());
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert_eq!(summary.lines().count(), 2 + 5, "{summary}");
    assert!(summary.contains("| `healthy` | 0 | 0 | 0 |"), "{summary}");

    // --fail-on applies to the worst input.
    let o = run(kbundle()
        .args(["analyze", "--fail-on", "critical", "--batch"])
        .arg(&inputs)
        .arg("--out")
        .arg(&out));
    assert_eq!(o.status.code(), Some(1));
}
