//! Text pasted into support cases as people paste it, through the reader and the analyzer:
//! events tables are events, table rows keep only the namespace the text shows, and a text of
//! which nothing is recognised is an error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use kbundle_analyzer::{Error, Options, try_analyze};
use kbundle_format::{Archive, Limits, Snapshot};

fn snapshot_of(name: &str, text: &str) -> Snapshot {
    let mut s = Snapshot::new();
    s.add_archive(Archive::from_bytes(name, text.as_bytes().to_vec(), Limits::default()).unwrap())
        .unwrap();
    s
}

/// The message is the one of auto-tracing-webhook issue #5 (notmattlucas/auto-tracing-webhook,
/// 2021), as a ReplicaSet's FailedCreate event; here in a `kubectl get events -o wide` table
/// pasted behind a root prompt, with CRLF line ends.
const EVENTS_WIDE: &str = "[root@master-1 ~]# kubectl get events -n default -o wide\r
LAST SEEN   TYPE      REASON         OBJECT                            SUBOBJECT   SOURCE                  MESSAGE                                                                                                                                                                                                                                   FIRST SEEN   COUNT   NAME\r
2m          Warning   FailedCreate   replicaset/demo-app-5d8f7c9b44                replicaset-controller   Error creating: Internal error occurred: failed calling webhook \"auto-tracing-mutating-webhook.default.svc.cluster.local\": Post \"https://auto-tracing-mutating-webhook.default.svc:443/decorate?timeout=30s\": dial tcp 10.103.71.227:443: connect: connection refused   20m          17      demo-app-5d8f7c9b44.1663a2\r
";

#[test]
fn webhook_failures_in_an_events_table_are_found() {
    let s = snapshot_of("events.txt", EVENTS_WIDE);
    let report = try_analyze(&s, &Options::default()).unwrap();
    let webhook: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("webhook"))
        .collect();
    assert!(!webhook.is_empty(), "{}", report.to_text(false));
    assert!(
        webhook[0]
            .evidence
            .iter()
            .any(|e| e.path == "events.txt" && e.line == Some(3)),
        "{:?}",
        webhook[0].evidence
    );
}

/// `kubectl get pods` without `-n` (a coredns row from kubernetes/kubernetes issues, the
/// usual shape): the namespace is unknown, and the report says so rather than guess.
#[test]
fn rows_without_a_namespace_stay_without_one() {
    let text = "user@host:~$ kubectl get pods\n\
NAME                       READY   STATUS             RESTARTS      AGE\n\
coredns-5d78c9869d-x2x8p   0/1     CrashLoopBackOff   9 (2m ago)    25m\n";
    let s = snapshot_of("pods.txt", text);
    let report = try_analyze(&s, &Options::default()).unwrap();
    let crash = report
        .findings
        .iter()
        .find(|f| f.rule == "crash-loop")
        .unwrap_or_else(|| panic!("{}", report.to_text(false)));
    assert_eq!(crash.subject.namespace, None);
    assert_eq!(crash.subject.to_string(), "Pod/?/coredns-5d78c9869d-x2x8p");
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    let subject = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "crash-loop")
        .unwrap()["subject"]
        .clone();
    assert_eq!(subject["namespace"], serde_json::Value::Null);

    // The same rows under `-n kube-system` are in kube-system.
    let s = snapshot_of(
        "pods.txt",
        &text.replace("get pods", "get pods -n kube-system"),
    );
    let report = try_analyze(&s, &Options::default()).unwrap();
    let crash = report
        .findings
        .iter()
        .find(|f| f.rule == "crash-loop")
        .unwrap();
    assert_eq!(crash.subject.namespace.as_deref(), Some("kube-system"));
}

#[test]
fn nothing_recognised_is_an_error() {
    let s = snapshot_of("hello.txt", "hello\n");
    match try_analyze(&s, &Options::default()) {
        Err(e @ Error::NothingRecognised { .. }) => {
            assert!(
                e.to_string().starts_with("nothing recognised in hello.txt"),
                "{e}"
            );
        }
        Ok(r) => panic!("{}", r.to_text(false)),
        Err(e) => panic!("{e}"),
    }
    // A describe excerpt the reader could not tell is still recognised by the analyzer.
    let s = snapshot_of(
        "notes.txt",
        "    State:          Waiting\n      Reason:       CrashLoopBackOff\n    Restart Count:  12\n",
    );
    assert!(try_analyze(&s, &Options::default()).is_ok());
}

/// A log alone (real lines: signatures.md 7.2, from kubesphere/kubekey#146, with the klog
/// line between them, which has no year and does not count): its newest dated line is the
/// reference time, and the report says so.
#[test]
fn a_log_alone_gives_its_newest_line_as_the_reference_time() {
    let log = "2020-07-12 10:16:26.146 [INFO][1] main.go 109: Ensuring Calico datastore is initialized\n\
W0712 10:16:26.145282       1 client_config.go:541] Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  This might not work.\n\
2020-07-12 10:16:27.148 [FATAL][1] main.go 114: Failed to initialize Calico datastore error=Get https://10.233.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default: dial tcp 10.233.0.1:443: connect: no route to host\n";
    let s = snapshot_of("calico-kube-controllers-6946cb87d6-nkzdc.log", log);
    let report = try_analyze(&s, &Options::default()).unwrap();
    assert_eq!(
        report.reference_time_source,
        Some(kbundle_format::ReferenceTimeSource::Logs)
    );
    assert_eq!(
        report.reference_time.as_deref(),
        Some("2020-07-12T10:16:27.148Z")
    );
}
