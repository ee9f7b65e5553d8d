//! `kbundle inspect` on every kind of input.

use crate::util::*;

#[test]
fn inspect_each_fixture_cluster() {
    for name in FIXTURES {
        let path = fixture(name);
        if !path.exists() {
            panic!("fixture {name} is missing");
        }
        let out = run(kbundle().arg("inspect").arg(&path));
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.contains("format:     generic (directory)"),
            "{name}: {text}"
        );
        assert!(text.contains("Pod (v1)"), "{name}: {text}");
        assert!(text.contains("Node (v1)"), "{name}: {text}");
        assert!(text.contains("server:     v1."), "{name}: {text}");

        let out = run(kbundle().args(["inspect", "--format", "json"]).arg(&path));
        assert!(out.status.success());
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(json["objects"].as_u64().unwrap() > 10, "{name}");
        assert_eq!(json["inputs"][0]["layout"], "generic");
        assert!(json["reference_time"].is_string());
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["tool"]["name"], "kbundle");
        assert_eq!(json["tool"]["version"], env!("CARGO_PKG_VERSION"));
    }
}

#[test]
fn inspect_shows_logs_of_crashloop_fixture() {
    let out = run(kbundle()
        .args(["inspect", "--format", "json"])
        .arg(fixture("crashloop-oom")));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let logs = json["logs"].as_array().unwrap();
    assert!(
        logs.iter()
            .any(|l| l["previous"] == true && l["container"] == "calico-kube-controllers"),
        "{logs:?}"
    );
}

#[test]
fn inspect_troubleshoot_bundles() {
    for name in ["support-bundle.tar.gz", "baseline.tar.gz"] {
        let path = root().join("../shared/data/troubleshoot").join(name);
        let out = run(kbundle().args(["inspect", "--format", "json"]).arg(&path));
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["inputs"][0]["container"], "tar.gz");
        assert!(json["kinds"]["Pod (v1)"].as_u64().unwrap() > 0, "{name}");
        // The all-logs/ symlinks inside the tar are refused, with a reason.
        let skipped = json["inputs"][0]["skipped"].as_array().unwrap();
        if name == "support-bundle.tar.gz" {
            assert!(skipped.iter().any(|s| s["reason"] == "symbolic link"));
        }
    }
}

#[test]
fn bad_inputs_give_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.zip");
    std::fs::write(&empty, b"").unwrap();
    let random = dir.path().join("random.bin");
    std::fs::write(
        &random,
        (0..4096u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    let missing = dir.path().join("missing.zip");
    for (path, expect) in [
        (&empty, "the input is empty"),
        (&random, "not a supported input"),
        (&missing, "No such file or directory"),
    ] {
        let out = run(kbundle().arg("inspect").arg(path));
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("kbundle: ") && err.contains(expect),
            "{err}"
        );
    }
}

#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = run(kbundle().args(["completions", shell]));
        assert!(out.status.success(), "{shell}: {}", stderr(&out));
        let text = stdout(&out);
        for sub in ["analyze", "collect", "serve", "inspect", "demo"] {
            assert!(text.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let out = run(kbundle().arg("man"));
    assert!(out.status.success());
    let roff = stdout(&out);
    assert!(
        roff.starts_with(".ie") || roff.contains(".TH kbundle"),
        "{}",
        &roff[..200.min(roff.len())]
    );
    assert!(roff.contains("kbundle\\-analyze") || roff.contains("kbundle-analyze"));
    assert!(roff.contains("fail\\-on") || roff.contains("fail-on"));
}

/// What each text file was read as, with line ranges; a text of nothing known says so.
#[test]
fn inspect_says_what_each_text_was_read_as() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("transcript.txt"),
        "[root@master-1 ~]# kubectl get pods -n kube-system\r\n\
NAME                                       READY   STATUS             RESTARTS   AGE\r\n\
calico-kube-controllers-6946cb87d6-nkzdc   0/1     CrashLoopBackOff   4          26m\r\n\
[root@master-1 ~]# kubectl get events -n kube-system\r\n\
LAST SEEN   TYPE      REASON    OBJECT                                         MESSAGE\r\n\
4m          Warning   BackOff   pod/calico-kube-controllers-6946cb87d6-nkzdc   Back-off restarting failed container\r\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello\n").unwrap();
    let out = run(kbundle().arg("inspect").arg(dir.path()));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for want in [
        "  notes.txt\n    unrecognised\n",
        "  transcript.txt\n    lines 2-3: table of Pod\n    lines 5-6: events table\n",
    ] {
        assert!(text.contains(want), "{want:?} in {text}");
    }
    let out = run(kbundle()
        .args(["inspect", "--format", "json"])
        .arg(dir.path()));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let texts = json["texts"].as_array().unwrap();
    let transcript = texts
        .iter()
        .find(|t| t["path"] == "transcript.txt")
        .unwrap();
    assert_eq!(transcript["parts"][1]["what"], "events table");
    assert_eq!(transcript["parts"][1]["first_line"], 5);
}
