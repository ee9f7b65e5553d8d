//! `kbundle analyze --format html` in a real browser: the report of the crashloop-oom cluster
//! opened in Debian's chromium, headless, offline. The DOM the browser built must hold the
//! findings and the timeline's SVG, and the screenshot must be a real page. Without chromium
//! these tests fail (install it with `apt-get install chromium`, as `.ci/run` does).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::util::{fixture, kbundle, run, stderr, wait_exit};

/// chromium on PATH; panics, failing the test, when missing.
fn chromium() -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join("chromium"))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| {
            panic!(
                "chromium is not on PATH: the HTML end-to-end tests need it \
                 (apt-get install -y chromium)"
            )
        })
}

/// Runs headless chromium on a file with extra arguments, a fresh profile and no network;
/// returns its stdout. Panics after two minutes or on failure.
fn browse(page: &Path, extra: &[String]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("profile");
    let out_path = dir.path().join("stdout");
    let err_path = dir.path().join("stderr");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(File::create(&out_path).unwrap())
        .stderr(File::create(&err_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start chromium: {e}"));
    let status = wait_exit(&mut child, "chromium");
    assert!(
        status.success(),
        "chromium failed ({status}): {}",
        std::fs::read_to_string(&err_path).unwrap_or_default()
    );
    std::fs::read_to_string(&out_path).unwrap()
}

/// Writes the HTML report of `input` to `dir/report.html`.
fn report(input: &Path, dir: &Path) -> PathBuf {
    let o = run(kbundle()
        .arg("analyze")
        .arg(input)
        .args(["--format", "html"]));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let path = dir.join("report.html");
    std::fs::write(&path, &o.stdout).unwrap();
    path
}

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(
        png.len() > 24 && png.starts_with(b"\x89PNG\r\n\x1a\n") && &png[12..16] == b"IHDR",
        "not a PNG"
    );
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

#[test]
fn html_report_renders_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let cluster = fixture("crashloop-oom");
    let page = report(&cluster, dir.path());
    let html = std::fs::read(&page).unwrap();
    // Deterministic: the same input gives the same bytes.
    let again = run(kbundle()
        .arg("analyze")
        .arg(&cluster)
        .args(["--format", "html"]));
    assert_eq!(again.stdout, html, "two runs differ");

    // The DOM the browser built.
    let dom = browse(&page, &["--dump-dom".to_string()]);
    assert!(dom.contains("<svg"), "no SVG in the DOM");
    for want in [
        // Summary and findings.
        "kbundle analyze: <span class=\"workload\">Deployment/calico-system/calico-kube-controllers</span>",
        "<div class=\"count critical\"><b>3</b>critical</div>",
        "<div class=\"count warning\"><b>3</b>warning</div>",
        "crash-loop",
        "memory-limit-hit",
        "log-error-signature",
        "recent-config-change",
        "calico-kube-controllers.previous.log:62",
        "Next steps",
        // The timeline: both charts, the lanes and their labels.
        "id=\"timeline-overview\"",
        "id=\"timeline-detail\"",
        "Containers: restarts and terminations",
        "Nodes: condition changes",
        "Configuration changes",
        "calico-kube-controllers-5f6b8d9c47-q4wzn</text>",
        "class=\"mark oom-killed\"",
        "OOMKilled (exit 137) · 09:26:13</text>",
        "Warning BackOff ×193</text>",
        "Normal Started ×14</text>",
        "class=\"mark event-warning\"",
        "FelixConfiguration default</text>",
        "kubectl-edit Update · 07:29:41</text>",
        "reference time 2025-03-14T09:30:00Z</text>",
        ">−2h</text>",
    ] {
        assert!(dom.contains(want), "DOM lacks {want:?}");
    }
    assert_eq!(dom.matches("<article class=\"finding").count(), 6);
    assert_eq!(
        dom.matches("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\"")
            .count(),
        2
    );
    assert!(dom.matches("<g class=\"lane\">").count() >= 2 * 9);
    assert!(!dom.contains("<script"), "a script in the page");

    // The screenshot: a real, full-size page.
    let shot = dir.path().join("report.png");
    browse(
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".to_string(),
        ],
    );
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot: {e}"));
    assert_eq!(png_size(&png), (1280, 2000));
    assert!(
        png.len() > 100_000,
        "screenshot of {} bytes: a blank page?",
        png.len()
    );
}

#[test]
fn hostile_names_stay_inert() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input");
    std::fs::create_dir_all(input.join("calico-system")).unwrap();
    let evil = "calico-kube-controllers-<script>document.title='pwned'</script><img src=x onerror=alert(1)>";
    let pod = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": evil,
            "namespace": "calico-system",
            "creationTimestamp": "2025-03-14T07:00:00Z"
        },
        "spec": {"nodeName": "10.0.0.1", "containers": [
            {"name": "c<b>x</b>", "image": "i", "resources": {"limits": {"memory": "128Mi"}}}
        ]},
        "status": {"phase": "Running", "containerStatuses": [{
            "name": "c<b>x</b>", "image": "i", "ready": false, "restartCount": 9,
            "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "<script>alert(2)</script>"}},
            "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137,
                "startedAt": "2025-03-14T09:00:00Z", "finishedAt": "2025-03-14T09:10:00Z"}}
        }]}
    });
    std::fs::write(
        input.join("calico-system/pods.json"),
        serde_json::to_string(&pod).unwrap(),
    )
    .unwrap();
    let page = report(&input, dir.path());
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("&lt;script&gt;"),
        "the name is not in the page"
    );
    let dom = browse(&page, &["--dump-dom".to_string()]);
    assert!(!dom.contains("<script"), "a script element in the DOM");
    assert!(!dom.contains("<img"), "an img element in the DOM");
    assert!(
        !dom.contains("<b>x</b>"),
        "markup from the input in the DOM"
    );
    assert!(!dom.contains("<title>pwned</title>"), "the script ran");
    assert!(dom.contains("&lt;script&gt;document.title="), "{dom}");
}
