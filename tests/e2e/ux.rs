//! The support engineer's path (#16): `collect -o -` into `inspect -`, kubectl habits (-A,
//! -l in the context's namespace, --pod, a missing --context), `--upload` to a local HTTP
//! server, and the in-cluster Job's command under a read-only root.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::mpsc;

use kbundle_format::{Archive, Limits};
use serde_json::Value;

use crate::util::*;

const AT: &str = "2025-03-14T09:30:00Z";

fn collect(kubeconfig: &Path, extra: &[&str]) -> Output {
    run(kbundle()
        .arg("collect")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["--collected-at", AT, "--timeout", "600s"])
        .args(extra))
}

fn manifest(zip: &Path) -> Value {
    let a = Archive::open(zip, Limits::default()).unwrap();
    serde_json::from_slice(&a.read_bytes("manifest.json", 64 << 20).unwrap()).unwrap()
}

/// The namespaces that have an entry under `namespaces/` in the bundle.
fn bundle_namespaces(zip: &Path) -> BTreeSet<String> {
    let a = Archive::open(zip, Limits::default()).unwrap();
    a.entries()
        .iter()
        .filter_map(|e| e.path.strip_prefix("namespaces/"))
        .filter_map(|p| p.split('/').next())
        .map(str::to_string)
        .collect()
}

fn pods_of(zip: &Path) -> Vec<String> {
    manifest(zip)["request"]["pods"]
        .as_array()
        .map(|a| a.iter().map(|p| p.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn collect_to_stdout_is_the_same_zip_and_inspect_reads_it_from_stdin() {
    let s = Serve::start(kbundle(), &[&fixture("healthy")], &[]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.zip");
    let o = collect(&s.kubeconfig, &["-o"]).clone();
    assert_eq!(code(&o), 2, "-o needs a value");
    let o = collect(&s.kubeconfig, &["-o", file.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // The next steps, with the real path.
    let out = stdout(&o);
    assert!(out.contains("next steps"), "{out}");
    assert!(
        out.contains(&format!(
            "kbundle analyze {} --format markdown | gh issue comment N --repo ORG/REPO -F -",
            file.display()
        )),
        "{out}"
    );
    let o = collect(&s.kubeconfig, &["-o", "-"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!Path::new("-").exists(), "no file named -");
    assert_eq!(
        o.stdout,
        std::fs::read(&file).unwrap(),
        "the zip on stdout is the one written to a file"
    );
    let err = stderr(&o);
    assert!(err.contains("bundle:     - ("), "summary on stderr: {err}");
    // Not a terminal: one plain progress line per phase.
    assert!(err.contains("kbundle: namespace objects: done ("), "{err}");

    let mut child = kbundle()
        .args(["inspect", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&o.stdout).unwrap();
    let i = child.wait_with_output().unwrap();
    assert_eq!(code(&i), 0, "{}", stderr(&i));
    let report: Value = serde_json::from_slice(&i.stdout).unwrap();
    assert!(
        report.to_string().contains("kbundle (zip)") || report.to_string().contains("\"kbundle\""),
        "{report}"
    );
    // And analyze - gives the same report as analyze FILE (inputs aside).
    let mut child = kbundle()
        .args(["analyze", "-", "--format", "markdown"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&o.stdout).unwrap();
    let a = child.wait_with_output().unwrap();
    assert_eq!(code(&a), 0, "{}", stderr(&a));
    let f = run(kbundle()
        .args(["analyze", "--format", "markdown"])
        .arg(&file));
    assert_eq!(
        stdout(&a).replace(" `-`", ""),
        stdout(&f).replace(&format!(" `{}`", file.display()), ""),
    );
}

#[test]
fn all_namespaces_collects_every_namespace() {
    let s = Serve::start(kbundle(), &[&fixture("healthy")], &[]);
    let listed = run(s.kubectl().args([
        "get",
        "namespaces",
        "-o",
        "jsonpath={.items[*].metadata.name}",
    ]));
    let listed: BTreeSet<String> = stdout(&listed)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert!(listed.len() >= 4, "{listed:?}");
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("a.zip");
    let o = collect(&s.kubeconfig, &["-A", "-o", zip.to_str().unwrap(), "-q"]);
    assert!([0, 3].contains(&code(&o)), "{}", stderr(&o));
    let m = manifest(&zip);
    let asked: BTreeSet<String> = m["request"]["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    assert_eq!(asked, listed);
    // Every pod of every namespace.
    let pods = run(s.kubectl().args([
        "get",
        "pods",
        "-A",
        "-o",
        "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}",
    ]));
    let want: Vec<String> = stdout(&pods)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let mut got = pods_of(&zip);
    let mut want = want;
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert!(bundle_namespaces(&zip).len() > 1);
    // -A and -n together make no sense.
    let o = collect(&s.kubeconfig, &["-A", "-n", "kube-system"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn selector_without_namespace_uses_the_context_namespace() {
    let s = Serve::start(kbundle(), &[&fixture("healthy")], &[]);
    let dir = tempfile::tempdir().unwrap();
    let kc = std::fs::read_to_string(&s.kubeconfig).unwrap();
    let with_ns = kc.replace(
        "    user: kbundle\n",
        "    user: kbundle\n    namespace: calico-system\n",
    );
    assert_ne!(kc, with_ns);
    let kubeconfig = dir.path().join("kc");
    std::fs::write(&kubeconfig, with_ns).unwrap();
    let zip = dir.path().join("l.zip");
    let o = collect(
        &kubeconfig,
        &[
            "-l",
            "k8s-app=calico-node",
            "-o",
            zip.to_str().unwrap(),
            "-q",
        ],
    );
    assert!([0, 3].contains(&code(&o)), "{}", stderr(&o));
    let m = manifest(&zip);
    assert_eq!(
        m["request"]["namespaces"],
        serde_json::json!(["calico-system"])
    );
    let pods = pods_of(&zip);
    let want = run(s.kubectl().args([
        "get",
        "pods",
        "-n",
        "calico-system",
        "-l",
        "k8s-app=calico-node",
        "-o",
        "jsonpath={range .items[*]}calico-system/{.metadata.name} {end}",
    ]));
    let mut want: Vec<String> = stdout(&want)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    want.sort();
    assert!(!want.is_empty());
    assert_eq!(pods, want);

    // No namespace in the context: "default", as kubectl.
    let zip = dir.path().join("d.zip");
    let o = collect(
        &s.kubeconfig,
        &[
            "-l",
            "k8s-app=calico-node",
            "-o",
            zip.to_str().unwrap(),
            "-q",
        ],
    );
    assert!([0, 3].contains(&code(&o)), "{}", stderr(&o));
    assert_eq!(
        manifest(&zip)["request"]["namespaces"],
        serde_json::json!(["default"])
    );
    assert!(pods_of(&zip).is_empty());

    // --pod NAME in the context's namespace, and NS/NAME.
    let first = want[0].clone();
    let name = first.split_once('/').unwrap().1.to_string();
    let zip = dir.path().join("p.zip");
    let o = collect(
        &kubeconfig,
        &["--pod", &name, "-o", zip.to_str().unwrap(), "-q"],
    );
    // Partial: the fixture has no calico-node logs (404), recorded in the manifest.
    assert!([0, 3].contains(&code(&o)), "{}", stderr(&o));
    assert_eq!(pods_of(&zip), vec![first.clone()]);
    assert!(!manifest(&zip)["errors"].to_string().contains("not found\""));
    let zip = dir.path().join("p2.zip");
    let o = collect(
        &s.kubeconfig,
        &[
            "--pod",
            &first,
            "--pod",
            "kube-system/not-there",
            "-o",
            zip.to_str().unwrap(),
            "-q",
        ],
    );
    assert_eq!(
        code(&o),
        3,
        "a named pod not found is partial: {}",
        stderr(&o)
    );
    assert_eq!(pods_of(&zip), vec![first]);
    assert!(
        manifest(&zip)["errors"]
            .to_string()
            .contains("pod kube-system/not-there not found")
    );
}

#[test]
fn a_missing_context_lists_the_contexts() {
    let s = Serve::start(kbundle(), &[&fixture("healthy")], &[]);
    let o = collect(&s.kubeconfig, &["--context", "prod", "-o", "x.zip"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("context \"prod\" not found; the kubeconfig has: kbundle"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn installed_as_a_kubectl_plugin_it_says_kubectl_kbundle() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = dir.path().join("kubectl-kbundle");
    std::fs::copy(env!("CARGO_BIN_EXE_kbundle"), &plugin).unwrap();
    let o = run(std::process::Command::new(&plugin).arg("--help"));
    assert!(
        stdout(&o).contains("Usage: kubectl kbundle"),
        "{}",
        stdout(&o)
    );
    // Through kubectl itself, which finds plugins on PATH.
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap()
    );
    let o = run(std::process::Command::new(kubectl())
        .args(["kbundle", "rules"])
        .env("PATH", path));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("workload-missing"), "{}", stdout(&o));
}

/// A local HTTP server that answers the first `fail` requests with 503, then 200; sends each
/// request's line and body.
fn put_server(fail: usize) -> (String, mpsc::Receiver<(String, Vec<u8>)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0u8; len];
            reader.read_exact(&mut body).unwrap();
            let answer = if n < fail {
                "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\nconnection: close\r\n\r\nbusy"
            } else {
                "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            };
            stream.write_all(answer.as_bytes()).unwrap();
            if tx.send((line.trim().to_string(), body)).is_err() {
                return;
            }
        }
    });
    (addr, rx)
}

#[test]
fn upload_puts_a_byte_identical_zip_and_never_shows_the_signature() {
    let s = Serve::start(kbundle(), &[&fixture("healthy")], &[]);
    let (addr, rx) = put_server(1);
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("u.zip");
    let url = format!("http://{addr}/bucket/u.zip?X-Amz-Signature=SECRETSIG&X-Amz-Expires=600");
    let o = collect(
        &s.kubeconfig,
        &["-o", zip.to_str().unwrap(), "--upload", &url],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (first, _) = rx.recv().unwrap();
    let (line, body) = rx.recv().unwrap();
    assert!(
        first.starts_with("PUT /bucket/u.zip?X-Amz-Signature=SECRETSIG"),
        "{first}"
    );
    assert!(line.starts_with("PUT "), "{line}");
    assert_eq!(body, std::fs::read(&zip).unwrap(), "byte-identical");
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(all.contains("retry 1 of 3"), "{all}");
    assert!(all.contains("uploaded"), "{all}");
    assert!(
        !all.contains("SECRETSIG"),
        "the signature was printed: {all}"
    );

    // A refused upload (403) is not retried: exit 1, the bundle stays.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        if let Ok((mut st, _)) = listener.accept() {
            let mut buf = vec![0u8; 1 << 20];
            let _ = st.read(&mut buf);
            let _ = st.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 26\r\nconnection: close\r\n\r\nSignatureDoesNotMatch SIG1");
        }
    });
    let zip2 = dir.path().join("v.zip");
    let url = format!("http://{addr}/b.zip?sig=SIG1");
    let o = collect(
        &s.kubeconfig,
        &["-o", zip2.to_str().unwrap(), "--upload", &url],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(zip2.is_file());
    assert!(stderr(&o).contains("HTTP 403"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("SIG1"), "{}", stderr(&o));
}

/// The container args and the TMPDIR of docs/deploy/job.yaml.
fn job_args() -> (Vec<String>, String) {
    let job = std::fs::read_to_string(root().join("docs/deploy/job.yaml")).unwrap();
    let args = job
        .lines()
        .find_map(|l| l.trim().strip_prefix("args: ["))
        .and_then(|l| l.strip_suffix(']'))
        .expect("an `args: [...]` line in job.yaml");
    let tmpdir = job
        .lines()
        .find_map(|l| l.trim().strip_prefix("- {name: TMPDIR, value: "))
        .and_then(|l| l.strip_suffix('}'))
        .expect("TMPDIR in job.yaml");
    assert!(job.contains("readOnlyRootFilesystem: true"));
    assert!(
        job.contains(&format!("mountPath: {tmpdir}")),
        "TMPDIR is the emptyDir"
    );
    (
        args.split(", ").map(str::to_string).collect(),
        tmpdir.to_string(),
    )
}

/// Runs kbundle with `args` in a private mount namespace whose root is read-only, with a tmpfs
/// (the emptyDir) mounted at `scratch` and TMPDIR set to `tmpdir`. Needs root (unshare -m).
fn under_read_only_root(scratch: &Path, tmpdir: &str, args: &[String]) -> Output {
    let script = r#"set -e
mount --make-rprivate /
mount --bind / /
mount -o remount,ro,bind /
mount -t tmpfs -o size=200m tmpfs "$SCRATCH"
if touch /kbundle-rofs-probe 2>/dev/null; then echo "the root is writable" >&2; exit 99; fi
export TMPDIR="$JOB_TMPDIR"
exec "$KBUNDLE" "$@""#;
    let o = run(std::process::Command::new("unshare")
        .args(["-m", "sh", "-c", script, "sh"])
        .args(args)
        .env("SCRATCH", scratch)
        .env("JOB_TMPDIR", tmpdir)
        .env("KBUNDLE", env!("CARGO_BIN_EXE_kbundle"))
        .env("NO_COLOR", "1"));
    assert_ne!(
        code(&o),
        99,
        "the simulated root is writable: {}",
        stderr(&o)
    );
    o
}

#[test]
fn the_job_writes_every_log_under_a_read_only_root_and_uploads_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    // A log longer than 512 KiB: only such a log goes through the spill file in TMPDIR (a
    // shorter one is compressed as it arrives).
    let cluster = dir.path().join("cluster");
    copy_dir(&fixture("crashloop-oom"), &cluster);
    let log = cluster.join(
        "logs/calico-system/calico-kube-controllers-5f6b8d9c47-q4wzn/calico-kube-controllers.log",
    );
    let lines = std::fs::read(&log).unwrap();
    std::fs::write(&log, lines.repeat((600 << 10) / lines.len() + 1)).unwrap();
    let s = Serve::start(kbundle(), &[&cluster], &[]);
    let (job, tmpdir) = job_args();
    // The emptyDir: a folder of our own, given the Job's path inside the mount namespace.
    let scratch = dir.path().join("scratch");
    std::fs::create_dir(&scratch).unwrap();
    let scratch_s = scratch.to_str().unwrap();
    let (addr, rx) = put_server(0);
    let url = format!("http://{addr}/bucket/bundle.zip?X-Amz-Signature=JOBSIG");
    let args_with = |tmp: &str| -> Vec<String> {
        let mut args: Vec<String> = job
            .iter()
            .map(|a| a.replace("$(UPLOAD_URL)", &url).replace(&tmpdir, tmp))
            .collect();
        args.extend(
            [
                "--kubeconfig",
                s.kubeconfig.to_str().unwrap(),
                "--collected-at",
                AT,
                "--timeout",
                "600s",
            ]
            .map(String::from),
        );
        args
    };
    let job_args = args_with(scratch_s);
    assert!(job_args.contains(&"--upload".to_string()));
    let o = under_read_only_root(&scratch, scratch_s, &job_args);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (_, uploaded) = rx.recv().unwrap();
    assert!(!stderr(&o).contains("JOBSIG"));
    // The same bundle as a collection on a writable disk, every log in it.
    let reference = dir.path().join("ref.zip");
    let r = collect(&s.kubeconfig, &["-o", reference.to_str().unwrap(), "-q"]);
    assert_eq!(code(&r), 0, "{}", stderr(&r));
    assert_eq!(
        uploaded,
        std::fs::read(&reference).unwrap(),
        "byte-identical"
    );
    let m = manifest(&reference);
    assert!(m["errors"].as_array().is_none_or(Vec::is_empty), "{m}");
    let logs = Archive::open(&reference, Limits::default())
        .unwrap()
        .entries()
        .iter()
        .filter(|e| e.path.ends_with(".log"))
        .count();
    assert!(logs >= 2, "{logs} logs");

    // The simulation bites: with TMPDIR on the read-only root, no log can be spilled.
    let o = under_read_only_root(&scratch, "/tmp", &job_args);
    assert_ne!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Read-only file system")
            || stderr(&o).contains("Read-only file system"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
}

#[test]
fn the_man_page_has_exit_status_environment_files_and_examples_for_every_subcommand() {
    let out = run(kbundle().arg("man"));
    assert!(out.status.success());
    let roff = stdout(&out);
    let pages: Vec<&str> = roff.split(".TH ").skip(1).collect();
    let names: Vec<&str> = pages
        .iter()
        .map(|p| p.split_whitespace().next().unwrap())
        .collect();
    for sub in [
        "collect",
        "analyze",
        "inspect",
        "serve",
        "rules",
        "demo",
        "completions",
        "man",
    ] {
        assert!(
            names.contains(&format!("kbundle\\-{sub}").as_str())
                || names.contains(&format!("kbundle-{sub}").as_str()),
            "{names:?}"
        );
    }
    for (name, page) in names.iter().zip(&pages) {
        for section in ["EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES"] {
            assert!(
                page.contains(&format!(".SH \"{section}\"")),
                "{name} lacks {section}"
            );
        }
    }
    let collect = pages
        .iter()
        .find(|p| p.starts_with("kbundle\\-collect") || p.starts_with("kbundle-collect"))
        .unwrap();
    assert!(collect.contains("TMPDIR"));
    assert!(collect.contains("130"));
    // It renders: man formats it without a warning.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kbundle.1");
    std::fs::write(&file, &out.stdout).unwrap();
    let o = run(std::process::Command::new("man")
        .args(["--warnings", "-l"])
        .arg(&file)
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat"));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "", "roff warnings");
    assert!(stdout(&o).contains("EXIT STATUS"));
}

#[test]
fn verbose_and_json_logs_on_stderr() {
    let s = Serve::start(kbundle(), &[&fixture("healthy")], &[]);
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("j.zip");
    let o = collect(
        &s.kubeconfig,
        &["-o", zip.to_str().unwrap(), "--log-format", "json", "-vv"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let events: Vec<Value> = stderr(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let phases: Vec<&str> = events
        .iter()
        .filter(|e| e["message"] == "phase done")
        .map(|e| e["phase"].as_str().unwrap())
        .collect();
    assert!(
        phases.contains(&"namespace objects") && phases.contains(&"writing"),
        "{phases:?}"
    );
    assert!(
        events.iter().any(|e| e["level"] == "DEBUG"),
        "-vv gives debug events"
    );
    // The summary still goes to stdout.
    assert!(stdout(&o).contains("next steps"));

    // Without -v: no log events, plain progress lines (stderr is not a terminal here).
    let o = collect(
        &s.kubeconfig,
        &["-o", dir.path().join("p.zip").to_str().unwrap()],
    );
    assert!(!stderr(&o).contains(" INFO "), "{}", stderr(&o));
    let err = stderr(&o);
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("kbundle: ") && l.contains(": done (")),
        "{lines:?}"
    );
    // -v: info events as text.
    let o = run(kbundle().args(["analyze", "-v"]).arg(&zip));
    assert!(
        stderr(&o).contains(" INFO ") && stderr(&o).contains("analyzed"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn every_finding_names_its_runbook_step_in_every_format() {
    let s = Serve::start(kbundle(), &[&fixture("crashloop-oom")], &[]);
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("c.zip");
    let o = collect(&s.kubeconfig, &["-o", zip.to_str().unwrap(), "-q"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let analyze = |format: &str| {
        let o = run(kbundle().args(["analyze", "--format", format]).arg(&zip));
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        stdout(&o)
    };
    let json: Value = serde_json::from_str(&analyze("json")).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    let step = "calico-kube-controllers in CrashLoopBackOff or Restarting Often";
    for f in findings {
        let rule = f["rule"].as_str().unwrap();
        assert_eq!(f["runbook"]["link"], format!("docs/rules.md#{rule}"), "{f}");
        assert!(f["runbook"]["title"].is_string(), "{f}");
    }
    assert!(findings.iter().any(|f| f["runbook"]["title"] == step));
    assert_eq!(json["schema_version"], 1);
    let n = findings.len();
    assert_eq!(analyze("text").matches("  runbook: \"").count(), n);
    assert_eq!(analyze("markdown").matches("Runbook step: ").count(), n);
    assert_eq!(
        analyze("html")
            .matches("<p class=\"runbook\">Runbook step: ")
            .count(),
        n
    );
    // The link names a section of docs/rules.md.
    let rules_md = std::fs::read_to_string(root().join("docs/rules.md")).unwrap();
    for f in findings {
        assert!(rules_md.contains(&format!("\n## {}\n", f["rule"].as_str().unwrap())));
    }
}

#[test]
fn the_escalation_comes_from_the_config_file_defaulting_to_the_runbook() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture("crashloop-oom");
    let text = |extra: &[&std::ffi::OsStr], env: Option<&Path>| {
        let mut cmd = kbundle();
        cmd.env_remove("KBUNDLE_CONFIG")
            .env("XDG_CONFIG_HOME", dir.path().join("xdg"))
            .args(["analyze", "--format", "text"])
            .args(extra)
            .arg(&input);
        if let Some(e) = env {
            cmd.env("KBUNDLE_CONFIG", e);
        }
        let o = run(&mut cmd);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        stdout(&o)
    };
    assert!(text(&[], None).contains("escalate to the network squad (#armada-network)"));
    let file = dir.path().join("org.toml");
    std::fs::write(&file, "escalation = \"the SRE team (#sre-oncall)\"\n").unwrap();
    let flag = text(&["--config".as_ref(), file.as_os_str()], None);
    assert!(
        flag.contains("escalate to the SRE team (#sre-oncall)"),
        "{flag}"
    );
    assert!(!flag.contains("armada-network"), "{flag}");
    assert_eq!(text(&[], Some(&file)), flag);
    let xdg = dir.path().join("xdg/kbundle");
    std::fs::create_dir_all(&xdg).unwrap();
    std::fs::copy(&file, xdg.join("config.toml")).unwrap();
    assert_eq!(text(&[], None), flag);
    // A named config that is missing, or has an unknown key, is a one-line error.
    let o = run(kbundle()
        .args(["analyze", "--config", "/nonexistent/kbundle.toml"])
        .arg(&input));
    assert_eq!(code(&o), 2);
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    std::fs::write(&file, "escalaton = \"typo\"\n").unwrap();
    let o = run(kbundle()
        .arg("analyze")
        .arg("--config")
        .arg(&file)
        .arg(&input));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unknown field"), "{}", stderr(&o));
}
