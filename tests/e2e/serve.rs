//! `kbundle serve` against real kubectl 1.32: the fixture clusters served as a read-only API.

use std::io::Read;
use std::process::Stdio;

use crate::util::*;

const CRASHING: &str = "calico-kube-controllers-5f6b8d9c47-q4wzn";

fn serve(name: &str) -> Serve {
    serve_with(name, &[])
}

fn serve_with(name: &str, extra: &[&str]) -> Serve {
    let path = fixture(name);
    assert!(path.exists(), "fixture {name} is missing");
    Serve::start(kbundle(), &[&path], extra)
}

/// Runs kubectl with these arguments; returns (success, stdout, stderr).
fn k(s: &Serve, args: &[&str]) -> (bool, String, String) {
    let out = run(s.kubectl().args(args));
    (out.status.success(), stdout(&out), stderr(&out))
}

/// The value of the first `Key:   value` line of describe output.
fn field<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {key}: in {out}"))
}

/// Runs kubectl, which must succeed; returns stdout.
fn ok(s: &Serve, args: &[&str]) -> String {
    let (success, out, err) = k(s, args);
    assert!(success, "kubectl {args:?} failed: {err}\n{out}");
    out
}

#[test]
fn serve_prints_its_address_and_writes_a_kubeconfig() {
    let s = serve("healthy");
    assert!(s.addr.starts_with("127.0.0.1:"), "{}", s.addr);
    let kubeconfig = std::fs::read_to_string(&s.kubeconfig).unwrap();
    assert!(
        kubeconfig.contains(&format!("server: http://{}", s.addr)),
        "{kubeconfig}"
    );
    assert!(
        kubeconfig.contains("current-context: kbundle"),
        "{kubeconfig}"
    );
    let out = ok(&s, &["version", "-o", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["serverVersion"]["gitVersion"], "v1.30.6+IKS");
}

#[test]
fn serve_get_pods_all_namespaces() {
    let s = serve("crashloop-oom");
    let out = ok(&s, &["get", "pods", "-A"]);
    let header = out.lines().next().unwrap_or_default();
    for col in ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"] {
        assert!(header.contains(col), "{out}");
    }
    let line = out
        .lines()
        .find(|l| l.contains(CRASHING))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("0/1"), "{line}");
    assert!(line.contains("CrashLoopBackOff"), "{line}");
    assert!(line.contains("14 ("), "{line}");
    assert!(line.contains(" ago)"), "{line}");
    assert!(out.contains("calico-node-"), "{out}");
    assert!(out.contains("kube-system"), "{out}");
}

#[test]
fn serve_get_nodes_wide() {
    let s = serve("crashloop-oom");
    let out = ok(&s, &["get", "nodes", "-o", "wide"]);
    let header = out.lines().next().unwrap_or_default();
    for col in [
        "NAME",
        "STATUS",
        "ROLES",
        "AGE",
        "VERSION",
        "INTERNAL-IP",
        "EXTERNAL-IP",
        "OS-IMAGE",
        "KERNEL-VERSION",
        "CONTAINER-RUNTIME",
    ] {
        assert!(header.contains(col), "{out}");
    }
    assert!(out.contains("10.240.64.11"), "{out}");
    assert!(out.contains("Ready"), "{out}");
    assert!(out.contains("v1.30.6+IKS"), "{out}");
    assert!(out.contains("containerd://"), "{out}");
    assert_eq!(out.lines().count(), 4, "{out}");
}

#[test]
fn serve_describe_pod() {
    let s = serve("crashloop-oom");
    let out = ok(&s, &["describe", "pod", "-n", "calico-system", CRASHING]);
    assert_eq!(field(&out, "Name"), CRASHING, "{out}");
    assert_eq!(field(&out, "Namespace"), "calico-system", "{out}");
    assert!(out.contains("OOMKilled"), "{out}");
    assert!(out.contains("CrashLoopBackOff"), "{out}");
    assert_eq!(field(&out, "    Restart Count"), "14", "{out}");
    let events = out.split("Events:").nth(1).unwrap_or_default();
    assert!(events.contains("BackOff"), "events not filled: {out}");
    assert!(events.contains("kubelet"), "{out}");
}

#[test]
fn serve_describe_node() {
    let s = serve("healthy");
    let out = ok(&s, &["describe", "node", "10.240.0.15"]);
    assert_eq!(field(&out, "Name"), "10.240.0.15", "{out}");
    assert_eq!(field(&out, "Non-terminated Pods"), "(3 in total)", "{out}");
    assert!(out.contains("calico-node-4kqzt"), "{out}");
    assert!(out.contains("coredns-"), "{out}");
    let events = out.split("Events:").nth(1).unwrap_or_default();
    assert!(
        events.contains("RegisteredNode"),
        "node events not filled: {out}"
    );
    // The node's lease is served from kube-node-lease.
    assert_eq!(field(&out, "  HolderIdentity"), "10.240.0.15", "{out}");
}

#[test]
fn serve_describe_deployment_and_replicaset() {
    let s = serve("healthy");
    let out = ok(
        &s,
        &[
            "describe",
            "deployment",
            "-n",
            "calico-system",
            "calico-kube-controllers",
        ],
    );
    assert_eq!(field(&out, "Name"), "calico-kube-controllers", "{out}");
    assert!(out.contains("NewReplicaSet:"), "{out}");
    assert!(out.contains("calico-kube-controllers-7d9c6bf5d8"), "{out}");
    let out = ok(
        &s,
        &[
            "describe",
            "replicaset",
            "-n",
            "calico-system",
            "calico-kube-controllers-7d9c6bf5d8",
        ],
    );
    assert!(out.contains("Pods Status:"), "{out}");
    assert!(out.contains("1 Running"), "{out}");
}

#[test]
fn serve_logs_current_and_previous() {
    let s = serve("crashloop-oom");
    let out = ok(&s, &["logs", "-n", "calico-system", CRASHING]);
    assert!(
        out.contains("Loaded configuration from environment"),
        "{out}"
    );
    let out = ok(&s, &["logs", "-n", "calico-system", CRASHING, "--tail=2"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    let out = ok(
        &s,
        &[
            "logs",
            "-n",
            "calico-system",
            CRASHING,
            "--previous",
            "--limit-bytes=40",
        ],
    );
    assert_eq!(out.len(), 40, "{out}");
    let (success, _, err) = k(
        &s,
        &[
            "logs",
            "-n",
            "calico-system",
            "calico-node-mx4r9",
            "-c",
            "calico-node",
            "--previous",
        ],
    );
    assert!(!success);
    assert!(
        err.contains(
            "previous terminated container \"calico-node\" in pod \"calico-node-mx4r9\" not found"
        ),
        "{err}"
    );
}

#[test]
fn serve_log_of_an_unknown_container() {
    let s = serve("crashloop-oom");
    let (success, _, err) = k(
        &s,
        &[
            "get",
            "--raw",
            "/api/v1/namespaces/calico-system/pods/calico-node-mx4r9/log?container=nope",
        ],
    );
    assert!(!success);
    assert!(
        err.contains("container nope is not valid for pod calico-node-mx4r9"),
        "{err}"
    );
}

#[test]
fn serve_events_field_selector_and_label_selectors() {
    let s = serve("crashloop-oom");
    let out = ok(
        &s,
        &["get", "events", "-A", "--field-selector", "type=Warning"],
    );
    assert!(out.contains("BackOff"), "{out}");
    assert!(!out.contains("Normal"), "{out}");
    let out = ok(
        &s,
        &[
            "get",
            "events",
            "-n",
            "calico-system",
            "--field-selector",
            &format!("involvedObject.name={CRASHING},reason=BackOff"),
        ],
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    let out = ok(
        &s,
        &[
            "get",
            "events",
            "-A",
            "--field-selector",
            "involvedObject.name=nothing-by-that-name",
        ],
    );
    assert_eq!(out.trim(), "", "{out}");

    let out = ok(
        &s,
        &[
            "get",
            "pods",
            "-A",
            "-l",
            "app.kubernetes.io/name=calico-node",
            "-o",
            "name",
        ],
    );
    assert_eq!(out.lines().count(), 3, "{out}");
    assert!(
        out.lines().all(|l| l.starts_with("pod/calico-node-")),
        "{out}"
    );
    let out = ok(
        &s,
        &[
            "get",
            "pods",
            "-A",
            "-l",
            "app.kubernetes.io/name notin (calico-node),!nonexistent",
            "-o",
            "name",
        ],
    );
    assert!(!out.contains("calico-node-"), "{out}");
    assert!(out.contains(CRASHING), "{out}");
    let out = ok(
        &s,
        &[
            "get",
            "pods",
            "-A",
            "-l",
            "app.kubernetes.io/name!=calico-node",
            "-o",
            "name",
        ],
    );
    assert!(
        !out.contains("calico-node-") && out.contains("coredns-"),
        "{out}"
    );
    let out = ok(
        &s,
        &[
            "get",
            "pods",
            "-A",
            "--field-selector",
            "spec.nodeName=10.240.64.11,status.phase!=Failed",
            "-o",
            "name",
        ],
    );
    assert_eq!(out.lines().count(), 3, "{out}");
}

#[test]
fn serve_chunked_lists() {
    // By default a small list is answered in one page, whatever the chunk size.
    let s = serve("crashloop-oom");
    let (success, whole, err) = k(&s, &["get", "pods", "-A", "--chunk-size=1", "-v=6"]);
    assert!(success, "{err}");
    let pages = |err: &str| {
        err.lines()
            .filter(|l| l.contains("GET") && l.contains("/api/v1/pods?"))
            .count()
    };
    assert_eq!(pages(&err), 1, "one page expected:\n{err}");
    assert!(!err.contains("continue="), "{err}");
    drop(s);

    // `--whole-list-max 0` honours every limit.
    let s = serve_with("crashloop-oom", &["--whole-list-max", "0"]);
    let (success, out, err) = k(&s, &["get", "pods", "-A", "--chunk-size=1", "-v=6"]);
    assert!(success, "{err}");
    let pods = out.lines().count() - 1;
    assert!(pods >= 5, "{out}");
    assert_eq!(pages(&err), pods, "one request per pod expected:\n{err}");
    assert!(err.contains("continue="), "{err}");
    assert_eq!(out, whole);
}

#[test]
fn serve_custom_resources_and_webhooks() {
    let s = serve("webhook-denied");
    let out = ok(&s, &["get", "felixconfigurations"]);
    assert!(out.starts_with("NAME"), "{out}");
    assert!(out.contains("default"), "{out}");
    let out = ok(
        &s,
        &[
            "get",
            "felixconfigurations.crd.projectcalico.org",
            "default",
            "-o",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["kind"], "FelixConfiguration");
    let out = ok(&s, &["get", "validatingwebhookconfigurations"]);
    let header = out.lines().next().unwrap_or_default();
    assert!(
        header.contains("WEBHOOKS") && header.contains("AGE"),
        "{out}"
    );
    assert!(out.lines().count() >= 2, "{out}");
    let out = ok(&s, &["api-resources"]);
    assert!(out.contains("felixconfigurations"), "{out}");
    assert!(out.contains("validatingwebhookconfigurations"), "{out}");
}

#[test]
fn serve_refuses_writes() {
    let s = serve("crashloop-oom");
    let (success, out, err) = k(&s, &["delete", "pod", "-n", "calico-system", CRASHING]);
    assert!(!success, "{out}");
    assert!(err.contains("MethodNotAllowed"), "{err}");
    assert!(err.contains("read-only"), "{err}");
    let out = ok(
        &s,
        &["get", "pod", "-n", "calico-system", CRASHING, "-o", "name"],
    );
    assert_eq!(out.trim(), format!("pod/{CRASHING}"));
    let (success, _, err) = k(&s, &["label", "node", "10.240.64.11", "x=y"]);
    assert!(!success);
    assert!(err.contains("read-only"), "{err}");
}

#[test]
fn serve_not_found_and_yaml() {
    let s = serve("healthy");
    let (success, _, err) = k(&s, &["get", "pod", "-n", "kube-system", "nope"]);
    assert!(!success);
    assert!(err.contains("pods \"nope\" not found"), "{err}");
    let (success, _, err) = k(&s, &["get", "deploy", "-n", "kube-system", "nope"]);
    assert!(!success);
    assert!(err.contains("deployments.apps \"nope\" not found"), "{err}");
    let out = ok(
        &s,
        &[
            "get",
            "deploy",
            "-n",
            "kube-system",
            "coredns",
            "-o",
            "yaml",
        ],
    );
    assert!(
        out.contains("kind: Deployment") && out.contains("name: coredns"),
        "{out}"
    );
    let out = ok(&s, &["get", "all", "-n", "kube-system"]);
    assert!(out.contains("deployment.apps/coredns"), "{out}");
    assert!(out.contains("pod/coredns-"), "{out}");
}

#[test]
fn serve_watch_ends() {
    let s = serve("healthy");
    let mut child = s
        .kubectl()
        .args(["get", "pods", "-n", "kube-system", "-w"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A watch of a snapshot ends (nothing will change): kubectl exits by itself.
    let status = wait_exit(&mut child, "kubectl get -w");
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(status.success(), "{out}");
    assert!(out.contains("coredns-"), "{out}");
}

#[test]
fn serve_faults() {
    let s = serve_with(
        "crashloop-oom",
        &[
            "--faults",
            "forbid=configmaps;vanish=calico-system/calico-node-mx4r9",
        ],
    );
    let (success, _, err) = k(&s, &["get", "configmaps", "-A"]);
    assert!(!success);
    assert!(
        err.contains("Forbidden") || err.contains("forbidden"),
        "{err}"
    );
    ok(
        &s,
        &["get", "pod", "-n", "calico-system", "calico-node-mx4r9"],
    );
    ok(&s, &["get", "pods", "-n", "calico-system"]);
    let (success, _, err) = k(
        &s,
        &["get", "pod", "-n", "calico-system", "calico-node-mx4r9"],
    );
    assert!(!success);
    assert!(err.contains("not found"), "{err}");

    let s = serve_with(
        "crashloop-oom",
        &["--faults", "cut-logs=100;error-every=1000"],
    );
    let (success, out, err) = k(&s, &["logs", "-n", "calico-system", CRASHING]);
    assert!(!success, "{out}");
    assert!(out.len() <= 100, "{out}"); // 100 unless the machine is too busy to flush first
    assert!(err.contains("unexpected EOF"), "{err}");

    let out = run(kbundle()
        .args(["serve", "--faults", "bogus=1"])
        .arg(fixture("healthy")));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bogus"), "{}", stderr(&out));
}

#[test]
fn serve_stops_cleanly_on_ctrl_c() {
    let mut s = serve("healthy");
    ok(&s, &["get", "ns"]);
    let pid = s.child.id().to_string();
    let status = run(std::process::Command::new("kill").args(["-INT", &pid])).status;
    assert!(status.success());
    let exit = wait_exit(&mut s.child, "kbundle serve after SIGINT");
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn serve_refuses_a_missing_input() {
    let out = run(kbundle().args(["serve", "/nonexistent/bundle.zip"]));
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("cannot read input"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
}

#[test]
fn serve_workload_tables_and_auth() {
    let s = serve("healthy");
    let out = ok(&s, &["get", "deploy,rs,ds", "-A"]);
    assert!(out.contains("deployment.apps/coredns"), "{out}");
    assert!(out.contains("UP-TO-DATE"), "{out}");
    assert!(
        out.contains("replicaset.apps/calico-kube-controllers-7d9c6bf5d8"),
        "{out}"
    );
    assert!(out.contains("daemonset.apps/calico-node"), "{out}");
    assert!(out.contains("kubernetes.io/os=linux"), "{out}");
    let out = ok(&s, &["get", "pods", "-A", "-o", "wide"]);
    let header = out.lines().next().unwrap_or_default();
    for col in ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"] {
        assert!(header.contains(col), "{out}");
    }
    assert!(out.contains("10.240.0.15"), "{out}");
    let out = ok(&s, &["get", "events", "-A", "-o", "wide"]);
    assert!(
        out.lines().next().unwrap_or_default().contains("SOURCE"),
        "{out}"
    );
    assert!(out.contains("node-controller"), "{out}");
    assert_eq!(ok(&s, &["auth", "can-i", "list", "pods"]).trim(), "yes");
    let (success, out, _) = k(&s, &["auth", "can-i", "delete", "pods"]);
    assert!(!success);
    assert!(out.starts_with("no"), "{out}");
    let out = ok(&s, &["auth", "whoami"]);
    assert!(out.contains("kbundle"), "{out}");
}

/// Sends raw bytes to the server and reads until it closes (a hang guard ends a read that
/// never does).
fn raw(addr: &str, request: &[u8]) -> String {
    use std::io::Write;
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(HANG_GUARD)).unwrap();
    s.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn serve_refuses_other_hosts_slow_clients_and_too_many_connections() {
    let s = serve_with("healthy", &["--header-timeout", "500ms"]);
    // DNS rebinding: a page on evil.example whose name resolves to 127.0.0.1.
    let port = s.addr.rsplit(':').next().unwrap_or_default();
    let refused = raw(
        &s.addr,
        format!(
            "GET /api/v1/pods HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    );
    assert!(refused.starts_with("HTTP/1.1 403"), "{refused}");
    assert!(refused.contains("\"reason\":\"Forbidden\""), "{refused}");
    assert!(!refused.contains("calico"), "{refused}");
    let served = raw(
        &s.addr,
        format!("GET /version HTTP/1.1\r\nHost: localhost:{port}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert!(served.starts_with("HTTP/1.1 200"), "{served}");
    // A slow client (half its headers) is cut after the header timeout, unanswered.
    let slow = raw(
        &s.addr,
        b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
    );
    assert!(slow.is_empty(), "{slow}");

    // Three silent connections take every slot: a fourth is closed unanswered. (A header
    // timeout longer than any test keeps them: on a busy machine 500 ms could pass before
    // the fourth, and free a slot.) The server accepts in order, so no wait is needed.
    let s = serve_with(
        "healthy",
        &["--max-connections", "3", "--header-timeout", "600s"],
    );
    let held: Vec<_> = (0..3)
        .map(|_| std::net::TcpStream::connect(&s.addr).unwrap())
        .collect();
    let request = b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    let over = raw(&s.addr, request);
    assert!(over.is_empty(), "{over}");
    drop(held);
    // Slots free once the server sees the connections end; then kubectl works as before.
    wait_for("a free connection slot", || {
        raw(&s.addr, request)
            .starts_with("HTTP/1.1 200")
            .then_some(())
    });
    let out = ok(&s, &["get", "pods", "-A"]);
    assert!(out.contains("calico-kube-controllers"), "{out}");
}
