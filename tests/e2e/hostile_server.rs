//! `kbundle collect` against a hostile API server: a small HTTP/1.1 server in this file that
//! answers one namespace (`good`: a pod with a log, a node, an event) and, on chosen resources,
//! misbehaves: a 10 GB declared body, an endless chunked list, endless pagination, an endless
//! JSON string, a request that never answers. Each case alone, then all at once: exit 3, a
//! valid bundle holding everything the good requests fetched, the bad requests as errors in
//! the manifest, the peak memory of the child (`VmHWM`, polled) under 256 MiB, and no
//! credential sent over plain http. Also: pods, containers and nodes with hostile names.
//!
//! Nothing here depends on timing but `--request-timeout 5s` for the request that never
//! answers; the runs take seconds.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kbundle_format::{Archive, Limits};
use serde_json::{Value, json};

use crate::util::*;

/// How a resource misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    /// `Content-Length: 10000000000`, then bytes for as long as they are read.
    DeclaredHuge,
    /// A chunked list whose items never end.
    EndlessList,
    /// Pages of `limit` objects (500 at most, 6 KB each), each with a new `continue` token,
    /// forever.
    EndlessPages,
    /// A list whose first object's name is a string that never ends.
    EndlessString,
    /// Headers, then nothing, ever.
    Stuck,
    /// The log of the good pod's container `endless` never ends (not in [`CASES`]).
    EndlessLog,
    /// 401 for the node list (not in [`CASES`]).
    Unauthorized,
}

/// Each case, on the list it takes over in namespace `good`.
const CASES: [(Case, &str); 5] = [
    (Case::DeclaredHuge, "/api/v1/namespaces/good/configmaps"),
    (Case::EndlessList, "/api/v1/namespaces/good/services"),
    (
        Case::EndlessPages,
        "/apis/apps/v1/namespaces/good/deployments",
    ),
    (
        Case::EndlessString,
        "/apis/apps/v1/namespaces/good/replicasets",
    ),
    (Case::Stuck, "/apis/apps/v1/namespaces/good/daemonsets"),
];

/// Plurals answered with an empty list when nothing else is said about them.
const LISTS: &[&str] = &[
    "pods",
    "nodes",
    "namespaces",
    "events",
    "configmaps",
    "services",
    "endpoints",
    "endpointslices",
    "deployments",
    "replicasets",
    "daemonsets",
    "statefulsets",
    "validatingwebhookconfigurations",
    "mutatingwebhookconfigurations",
    "networkpolicies",
    "persistentvolumeclaims",
    "resourcequotas",
    "limitranges",
    "poddisruptionbudgets",
    "jobs",
    "leases",
    "customresourcedefinitions",
];

struct Fake {
    addr: SocketAddr,
    saw_credentials: Arc<AtomicBool>,
}

fn pod(name: &str, node: &str, containers: &[&str]) -> Value {
    json!({
        "metadata": {"name": name, "namespace": "good", "uid": format!("uid-{name}")},
        "spec": {
            "nodeName": node,
            "containers": containers.iter().map(|c| json!({"name": c, "image": "example/app:1"})).collect::<Vec<_>>(),
        },
        "status": {"phase": "Running"},
    })
}

fn good_pod() -> Value {
    pod("good-pod", "node-1", &["app", "endless"])
}

/// Every case: the lists of [`CASES`] and the endless log.
const ALL: [Case; 6] = [
    Case::DeclaredHuge,
    Case::EndlessList,
    Case::EndlessPages,
    Case::EndlessString,
    Case::Stuck,
    Case::EndlessLog,
];

fn start(cases: &[Case], pods: Vec<Value>) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let saw_credentials = Arc::new(AtomicBool::new(false));
    let (cases, pods, saw) = (cases.to_vec(), Arc::new(pods), saw_credentials.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (cases, pods, saw) = (cases.clone(), pods.clone(), saw.clone());
            std::thread::spawn(move || {
                let _ = serve(stream, &cases, &pods, &saw);
            });
        }
    });
    Fake {
        addr,
        saw_credentials,
    }
}

fn reply(s: &mut TcpStream, status: u16, body: &[u8], kind: &str) -> std::io::Result<()> {
    write!(
        s,
        "HTTP/1.1 {status} X\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    s.write_all(body)
}

fn chunk(s: &mut TcpStream, data: &[u8]) -> std::io::Result<()> {
    write!(s, "{:x}\r\n", data.len())?;
    s.write_all(data)?;
    s.write_all(b"\r\n")
}

fn chunked_head(s: &mut TcpStream) -> std::io::Result<()> {
    s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
}

/// Sends `head` then `repeat` until the client goes away.
fn endless(s: &mut TcpStream, head: &[u8], repeat: &[u8]) -> std::io::Result<()> {
    chunked_head(s)?;
    chunk(s, head)?;
    let block = repeat.repeat((64 << 10) / repeat.len().max(1) + 1);
    loop {
        chunk(s, &block)?;
    }
}

fn list(items: &[Value], cont: Option<String>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "kind": "List", "apiVersion": "v1",
        "metadata": {"continue": cont.unwrap_or_default()},
        "items": items,
    }))
    .unwrap()
}

fn serve(
    mut s: TcpStream,
    cases: &[Case],
    pods: &[Value],
    saw: &AtomicBool,
) -> std::io::Result<()> {
    let mut head = Vec::new();
    let mut buf = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head).to_string();
    if head
        .lines()
        .any(|l| l.to_ascii_lowercase().starts_with("authorization:"))
    {
        saw.store(true, Ordering::SeqCst);
    }
    let target = head.split(' ').nth(1).unwrap_or("/").to_string();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let case = CASES
        .iter()
        .find(|(c, p)| *p == path && cases.contains(c))
        .map(|(c, _)| *c);
    let json_kind = "application/json";
    if cases.contains(&Case::EndlessLog)
        && path.ends_with("/log")
        && query.contains("container=endless")
        && !query.contains("previous=true")
    {
        chunked_head(&mut s)?;
        let line = b"2025-03-14T09:30:00Z endless log line\n".repeat(1000);
        loop {
            chunk(&mut s, &line)?;
        }
    }
    if cases.contains(&Case::Unauthorized) && path == "/api/v1/nodes" {
        let status = json!({"kind": "Status", "code": 401, "message": "Unauthorized"});
        return reply(&mut s, 401, status.to_string().as_bytes(), json_kind);
    }
    match case {
        Some(Case::DeclaredHuge) => {
            write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n"
            )?;
            s.write_all(b"{\"kind\":\"List\",\"items\":[")?;
            let block = vec![b' '; 64 << 10];
            loop {
                s.write_all(&block)?;
            }
        }
        Some(Case::EndlessList) => endless(
            &mut s,
            b"{\"kind\":\"ServiceList\",\"items\":[",
            b"{\"metadata\":{\"name\":\"s\",\"namespace\":\"good\"}},",
        ),
        Some(Case::EndlessString) => endless(
            &mut s,
            b"{\"kind\":\"List\",\"items\":[{\"metadata\":{\"name\":\"",
            b"a",
        ),
        Some(Case::EndlessPages) => {
            let page: u64 = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("continue=p"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let limit: u64 = query
                .split('&')
                .find_map(|kv| kv.strip_prefix("limit="))
                .and_then(|n| n.parse().ok())
                .unwrap_or(500);
            let filler = "x".repeat(6000);
            let items: Vec<Value> = (0..limit.min(500))
                .map(|i| json!({"metadata": {"name": format!("d-{page}-{i}"), "namespace": "good", "annotations": {"filler": filler}}}))
                .collect();
            reply(
                &mut s,
                200,
                &list(&items, Some(format!("p{}", page + 1))),
                json_kind,
            )
        }
        Some(Case::Unauthorized | Case::EndlessLog) => unreachable!("not in CASES"),
        Some(Case::Stuck) => {
            chunked_head(&mut s)?;
            // Nothing more, until the client gives up (or the hang guard ends the wait).
            s.set_read_timeout(Some(Duration::from_millis(100)))?;
            let started = Instant::now();
            while started.elapsed() < HANG_GUARD {
                match s.read(&mut buf) {
                    Ok(0) => break,
                    Err(e)
                        if e.kind() == std::io::ErrorKind::WouldBlock
                            || e.kind() == std::io::ErrorKind::TimedOut => {}
                    _ => break,
                }
            }
            Ok(())
        }
        None => {
            let segments: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
            let body = match segments.as_slice() {
                ["version"] => json!({"major": "1", "minor": "32", "gitVersion": "v1.32.0"}),
                ["api"] => json!({"kind": "APIVersions", "versions": []}),
                ["apis"] => json!({"kind": "APIGroupList", "groups": []}),
                ["api", "v1", "namespaces", "good"] => {
                    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "good"}})
                }
                ["api", "v1", "namespaces", "good", "pods"] | ["api", "v1", "pods"] => {
                    return reply(&mut s, 200, &list(pods, None), json_kind);
                }
                ["api", "v1", "nodes"] => {
                    return reply(
                        &mut s,
                        200,
                        &list(
                            &[json!({"metadata": {"name": "node-1", "uid": "n1"}})],
                            None,
                        ),
                        json_kind,
                    );
                }
                ["api", "v1", "namespaces", "good", "events"] => {
                    let e = json!({"metadata": {"name": "e1", "namespace": "good"},
                        "involvedObject": {"kind": "Pod", "name": "good-pod", "namespace": "good", "uid": "uid-good-pod"},
                        "reason": "Started", "message": "Started container app", "type": "Normal"});
                    return reply(&mut s, 200, &list(&[e], None), json_kind);
                }
                ["api", "v1", "namespaces", "good", "pods", name, "log"] => {
                    if query.contains("previous=true") {
                        let status = json!({"kind": "Status", "code": 400, "message": "previous terminated container not found"});
                        return reply(&mut s, 400, status.to_string().as_bytes(), json_kind);
                    }
                    return reply(
                        &mut s,
                        200,
                        format!("hello from {name}\n").as_bytes(),
                        "text/plain",
                    );
                }
                [.., last] if LISTS.contains(last) => {
                    return reply(&mut s, 200, &list(&[], None), json_kind);
                }
                _ => {
                    let status = json!({"kind": "Status", "code": 404, "message": "not found"});
                    return reply(&mut s, 404, status.to_string().as_bytes(), json_kind);
                }
            };
            reply(&mut s, 200, body.to_string().as_bytes(), json_kind)
        }
    }
}

/// One `kbundle collect -n good` against the fake, its peak memory polled from `VmHWM`.
struct Collected {
    code: i32,
    stderr: String,
    peak_mib: u64,
    out: PathBuf,
    _dir: tempfile::TempDir,
}

fn collect(fake: &Fake, extra: &[&str]) -> Collected {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    // A token, which must not be sent to a plain-http server.
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters: [{{name: c, cluster: {{server: \"http://{}\"}}}}]\nusers: [{{name: u, user: {{token: not-for-plain-http}}}}]\ncontexts: [{{name: x, context: {{cluster: c, user: u}}}}]\ncurrent-context: x\n",
            fake.addr
        ),
    )
    .unwrap();
    let out = dir.path().join("b.zip");
    let mut child = kbundle()
        .args([
            "collect",
            "-n",
            "good",
            "--request-timeout",
            "5s",
            "--timeout",
            "600s",
        ])
        // Logs read up to 64 x 64 KiB (4 MiB).
        .args(["--max-log-bytes", "64KiB"])
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .arg("-o")
        .arg(&out)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut v = String::new();
        let _ = err.read_to_string(&mut v);
        v
    });
    let mut peak_kib = 0u64;
    let started = Instant::now();
    let status = loop {
        // VmHWM only grows: the last reading before the exit is the peak (short of the last
        // few milliseconds).
        if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status"))
            && let Some(kib) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > HANG_GUARD {
            let _ = child.kill();
            panic!("hung: kbundle collect still running after {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Collected {
        code: status.code().unwrap_or(-1),
        stderr: reader.join().unwrap(),
        peak_mib: peak_kib / 1024,
        out,
        _dir: dir,
    }
}

/// The bundle: valid, nothing left beside it, the good data all there. Returns the manifest's
/// errors as (what, class, message).
fn check_good(c: &Collected) -> Vec<(String, String, String)> {
    let left: Vec<String> = std::fs::read_dir(c.out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !left.iter().any(|n| n.ends_with(".partial")),
        "left behind: {left:?}"
    );
    let archive = Archive::open(&c.out, Limits::default())
        .unwrap_or_else(|e| panic!("no valid bundle ({e}); stderr: {}", c.stderr));
    let read = |p: &str| {
        archive
            .read_bytes(p, 64 << 20)
            .unwrap_or_else(|e| panic!("{p}: {e}; stderr: {}", c.stderr))
    };
    let manifest: Value = serde_json::from_slice(&read("manifest.json")).unwrap();
    eprintln!("manifest errors: {}", manifest["errors"]);
    for e in manifest["entries"].as_array().unwrap() {
        let p = e["path"].as_str().unwrap();
        assert_eq!(read(p).len() as u64, e["size"].as_u64().unwrap(), "{p}");
    }
    let dir = "namespaces/good/pods/good-pod";
    assert_eq!(
        read(&format!("{dir}/logs/app.log")),
        b"hello from good-pod\n"
    );
    let endless = read(&format!("{dir}/logs/endless.log"));
    assert!(endless.len() <= 64 << 10, "{}", endless.len());
    let pod: Value = serde_json::from_slice(&read(&format!("{dir}/pod.json"))).unwrap();
    assert_eq!(pod["metadata"]["name"], "good-pod");
    let describe = String::from_utf8(read(&format!("{dir}/describe.txt"))).unwrap();
    assert!(
        describe.starts_with("Name:         good-pod\n"),
        "{describe}"
    );
    let nodes: Value = serde_json::from_slice(&read("cluster/nodes.json")).unwrap();
    assert_eq!(nodes["items"][0]["metadata"]["name"], "node-1");
    assert!(!read("cluster/nodes/node-1.describe.txt").is_empty());
    let events: Value = serde_json::from_slice(&read("namespaces/good/core/events.json")).unwrap();
    assert_eq!(events["items"][0]["metadata"]["name"], "e1");
    read("cluster/version.json");
    manifest["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("what"), s("class"), s("message"))
        })
        .collect()
}

/// The manifest error of a case's list, and that its list is not in the bundle.
fn check_case(c: &Collected, errors: &[(String, String, String)], case: Case) {
    let (plural, class, says) = match case {
        Case::DeclaredHuge => ("configmaps", "too-large", "declares 10000000000 bytes"),
        Case::EndlessList => ("services", "too-large", "goes on past"),
        Case::EndlessPages => ("deployments", "too-large", "--max-objects"),
        Case::EndlessString => ("replicasets", "too-large", "goes on past"),
        Case::Stuck => ("daemonsets", "timeout", "no answer within 5s"),
        Case::EndlessLog => {
            let (_, class, message) = errors
                .iter()
                .find(|(what, _, _)| what == "logs good/good-pod/endless")
                .unwrap_or_else(|| panic!("no error for the endless log in {errors:?}"));
            assert_eq!(class, "too-large", "{message}");
            assert!(
                message.contains("the log goes on past 4194304 bytes"),
                "{message}"
            );
            return;
        }
        Case::Unauthorized => unreachable!("checked by its own test"),
    };
    let found = errors
        .iter()
        .find(|(what, _, _)| what.contains(&format!("/{plural} in good")));
    let Some((_, got_class, message)) = found else {
        panic!("{case:?}: no error for {plural} in {errors:?}");
    };
    assert_eq!(got_class, class, "{case:?}: {message}");
    assert!(message.contains(says), "{case:?}: {message}");
    let archive = Archive::open(&c.out, Limits::default()).unwrap();
    let group = if plural == "configmaps" || plural == "services" {
        "core"
    } else {
        "apps"
    };
    assert!(
        archive
            .entry(&format!("namespaces/good/{group}/{plural}.json"))
            .is_none(),
        "{case:?}: a list that failed is in the bundle"
    );
}

#[test]
fn good_fake_server_gives_a_complete_bundle() {
    let fake = start(&[], vec![good_pod()]);
    let c = collect(&fake, &[]);
    let errors = check_good(&c);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(c.code, 0, "{}", c.stderr);
    assert!(!fake.saw_credentials.load(Ordering::SeqCst));
    assert!(c.stderr.contains("plain http://"), "{}", c.stderr);
}

#[test]
fn hostile_server_each_case_alone_then_all_at_once() {
    let mut runs: Vec<Vec<Case>> = ALL.iter().map(|c| vec![*c]).collect();
    runs.push(ALL.to_vec());
    for cases in runs {
        let fake = start(&cases, vec![good_pod()]);
        let c = collect(&fake, &[]);
        eprintln!("{cases:?}: exit {}, peak {} MiB", c.code, c.peak_mib);
        assert_eq!(c.code, 3, "{cases:?}: {}", c.stderr);
        assert!(
            c.peak_mib < 256,
            "{cases:?}: peak memory {} MiB",
            c.peak_mib
        );
        let errors = check_good(&c);
        for case in &cases {
            check_case(&c, &errors, *case);
        }
        assert_eq!(errors.len(), cases.len(), "{cases:?}: {errors:?}");
        assert!(!fake.saw_credentials.load(Ordering::SeqCst), "{cases:?}");
    }
}

#[test]
fn a_401_over_plain_http_says_no_credentials_were_sent() {
    let fake = start(&[Case::Unauthorized], vec![good_pod()]);
    let c = collect(&fake, &[]);
    assert_eq!(c.code, 3, "{}", c.stderr);
    let archive = Archive::open(&c.out, Limits::default()).unwrap();
    let manifest: Value =
        serde_json::from_slice(&archive.read_bytes("manifest.json", 1 << 20).unwrap()).unwrap();
    let nodes = manifest["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["what"] == "list core/nodes")
        .unwrap_or_else(|| panic!("{}", manifest["errors"]));
    assert_eq!(nodes["class"], "forbidden");
    let message = nodes["message"].as_str().unwrap();
    assert!(
        message.contains(
            "HTTP 401: Unauthorized (no credentials were sent: the server address is plain http://"
        ),
        "{message}"
    );
    assert!(!fake.saw_credentials.load(Ordering::SeqCst));
}

#[test]
fn a_smaller_response_cap_is_honoured() {
    // Pages of 500 objects of 6 KB (3 MB) are over 1 MiB: asked again in pages of 125
    // (750 KB), which fit; the list then stops at --max-objects.
    let fake = start(&[Case::EndlessPages], vec![good_pod()]);
    let c = collect(
        &fake,
        &["--max-response-bytes", "1MiB", "--max-objects", "2000"],
    );
    assert_eq!(c.code, 3, "{}", c.stderr);
    let errors = check_good(&c);
    let (_, class, message) = &errors[0];
    assert_eq!(class, "too-large");
    assert!(message.contains("--max-objects 2000"), "{message}");
    // With a 256 KiB cap, the objects held are bounded by 4 MiB: the endless pages hit that
    // bound first.
    let c = collect(&fake, &["--max-response-bytes", "256KiB"]);
    assert_eq!(c.code, 3, "{}", c.stderr);
    let errors = check_good(&c);
    let (_, class, message) = &errors[0];
    assert_eq!(class, "too-large");
    assert!(
        message.contains("do not fit in the 4 MiB the collection holds"),
        "{message}"
    );
}

#[test]
fn hostile_names_never_abort_a_collection() {
    let long = "p".repeat(70_000);
    let bad_names = [
        "../evil",
        "a/b",
        "new\nline",
        "\u{1b}]52;c;aGk=\u{7}",
        &long,
    ];
    let mut pods = vec![pod("good-pod", "node-1", &["app", "endless", "../c"])];
    for (i, name) in bad_names.iter().enumerate() {
        let node = if i == 0 { "../../node" } else { "node-1" };
        pods.push(pod(name, node, &["app"]));
    }
    let fake = start(&[], pods);
    let c = collect(&fake, &[]);
    assert_eq!(c.code, 3, "{}", c.stderr);
    let errors = check_good(&c);
    let archive = Archive::open(&c.out, Limits::default()).unwrap();
    // Every pod is kept in the list, its name exact.
    let list: Value = serde_json::from_slice(
        &archive
            .read_bytes("namespaces/good/core/pods.json", 64 << 20)
            .unwrap(),
    )
    .unwrap();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap())
        .collect();
    for name in bad_names {
        assert!(names.contains(&name), "{name:?} not in the pod list");
    }
    // No file is named after them; each is an error of one line.
    for e in archive.entries() {
        assert!(
            e.path
                .split('/')
                .all(|part| part.len() < 254 && part != ".."),
            "{}",
            e.path
        );
        assert!(
            !e.path.contains("evil") && !e.path.contains('\n'),
            "{:?}",
            e.path
        );
    }
    assert!(!archive.entries().iter().any(|e| e.path.contains("/c.log")));
    // Five pods, the container `../c`, the node `../../node`.
    assert_eq!(errors.len(), 7, "{errors:?}");
    for (what, class, message) in &errors {
        assert_eq!(class, "other");
        for s in [what, message] {
            assert!(!s.chars().any(char::is_control), "{s:?}");
            assert!(s.len() < 600, "{} bytes", s.len());
        }
    }
}

#[test]
fn output_naming_a_directory_is_a_usage_error_before_any_request() {
    // No server at all: exit 2 comes before any request.
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: \"http://127.0.0.1:9\"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let o = run(kbundle()
        .args(["collect", "-n", "good", "--kubeconfig"])
        .arg(&kubeconfig)
        .arg("-o")
        .arg(&out));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is a directory"), "{}", stderr(&o));
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["kubeconfig", "out"]);
    assert!(std::fs::read_dir(&out).unwrap().next().is_none());
}

#[cfg(unix)]
#[test]
fn a_symlink_at_the_partial_path_is_not_followed() {
    let fake = start(&[], vec![good_pod()]);
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    let out: &Path = &dir.path().join("b.zip");
    std::os::unix::fs::symlink(&victim, dir.path().join("b.zip.partial")).unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters: [{{name: c, cluster: {{server: \"http://{}\"}}}}]\nusers: [{{name: u, user: {{}}}}]\ncontexts: [{{name: x, context: {{cluster: c, user: u}}}}]\ncurrent-context: x\n",
            fake.addr
        ),
    )
    .unwrap();
    let o = run(kbundle()
        .args(["collect", "-n", "good", "--kubeconfig"])
        .arg(&kubeconfig)
        .arg("-o")
        .arg(out));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert!(!out.exists());
}
