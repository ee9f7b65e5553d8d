//! Neutral output through the real binary: the hostile fixture (`fixtures/hostile-output`) and a
//! bundle whose manifest holds hostile server messages reach the terminal with no control
//! character (`analyze` in every colour mode, `inspect`, error lines, `collect`'s output), and
//! `analyze --format markdown` respects `--max-chars`.

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
    let s = Serve::start(&[&hostile()], &[]);
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
