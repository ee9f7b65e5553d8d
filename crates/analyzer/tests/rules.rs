//! One fixture per rule and case under `tests/fixtures/<rule-id>/<case>/` (generic folder
//! layout: YAML objects, `logs/<ns>/<pod>/<container>[.previous].log`). Cases named `fire*`
//! snapshot the rule's findings as `kbundle analyze` prints them; cases named `miss*` are near
//! misses and must give no finding of that rule. The fixtures are checked-in files, edited by
//! hand (docs/testing.md); nothing generates them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use kbundle_analyzer::report::finding_text;
use kbundle_analyzer::{Options, RULES, analyze};
use kbundle_format::{ReadOptions, Snapshot};

/// Every fixture is written relative to this reference time.
const NOW: &str = "2025-03-14T10:00:00Z";

fn fixture(rule: &str, case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rule)
        .join(case)
}

fn findings(rule: &str, case: &str) -> String {
    let dir = fixture(rule, case);
    let snapshot = Snapshot::open(&dir, &ReadOptions::default())
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let options = Options::default().with_now(Some(NOW.parse().expect("NOW")));
    let report = analyze(&snapshot, &options);
    let texts: Vec<String> = report
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| finding_text(f, false))
        .collect();
    texts.join("\n")
}

macro_rules! fires {
    ($name:ident, $rule:literal, $case:literal) => {
        #[test]
        fn $name() {
            let text = findings($rule, $case);
            assert!(!text.is_empty(), "{} {}: no finding", $rule, $case);
            insta::assert_snapshot!(concat!($rule, "__", $case), text);
        }
    };
}

macro_rules! misses {
    ($name:ident, $rule:literal, $case:literal) => {
        #[test]
        fn $name() {
            let text = findings($rule, $case);
            assert!(
                text.is_empty(),
                "{} {}: near miss fired:\n{text}",
                $rule,
                $case
            );
        }
    };
}

fires!(workload_missing_absent, "workload-missing", "fire-absent");
fires!(
    workload_missing_scaled_to_zero,
    "workload-missing",
    "fire-scaled-to-zero"
);
fires!(workload_missing_no_pods, "workload-missing", "fire-no-pods");
misses!(workload_missing_running, "workload-missing", "miss-running");
// A `get pods` pasted with calico-node pods and no calico-kube-controllers pod.
fires!(
    workload_missing_text_calico_node,
    "workload-missing",
    "fire-text-calico-node"
);
// A cluster without Calico: one info line, no critical finding.
fires!(
    workload_missing_no_calico,
    "workload-missing",
    "fire-no-calico"
);

fires!(webhook_denied, "webhook-denied", "fire");
fires!(webhook_denied_no_config, "webhook-denied", "fire-no-config");
misses!(webhook_denied_old, "webhook-denied", "miss-old");

fires!(webhook_unreachable, "webhook-unreachable", "fire");
fires!(
    webhook_unreachable_timeout_elsewhere,
    "webhook-unreachable",
    "fire-timeout-elsewhere"
);
misses!(webhook_unreachable_old, "webhook-unreachable", "miss-old");

fires!(pod_pending, "pod-pending", "fire");
fires!(pod_pending_sandbox, "pod-pending", "fire-sandbox");
fires!(pod_pending_volume, "pod-pending", "fire-volume");
misses!(pod_pending_just_created, "pod-pending", "miss-just-created");

fires!(image_pull_failure, "image-pull-failure", "fire");
fires!(
    image_pull_failure_events_only,
    "image-pull-failure",
    "fire-events-only"
);
misses!(
    image_pull_failure_events_pulled,
    "image-pull-failure",
    "miss-events-pulled"
);
// Failed pulls, then the image was pulled and the container started.
misses!(
    image_pull_failure_events_recovered,
    "image-pull-failure",
    "miss-events-recovered"
);
misses!(
    image_pull_failure_recovered,
    "image-pull-failure",
    "miss-recovered"
);

fires!(node_not_ready, "node-not-ready", "fire");
fires!(node_not_ready_cordoned, "node-not-ready", "fire-cordoned");
misses!(
    node_not_ready_other_node,
    "node-not-ready",
    "miss-other-node"
);

fires!(crash_loop, "crash-loop", "fire");
fires!(
    crash_loop_restarting_often,
    "crash-loop",
    "fire-restarting-often"
);
misses!(
    crash_loop_stable_for_a_day,
    "crash-loop",
    "miss-stable-for-a-day"
);

fires!(memory_limit_hit, "memory-limit-hit", "fire");
fires!(
    memory_limit_hit_recovered,
    "memory-limit-hit",
    "fire-recovered"
);
misses!(
    memory_limit_hit_40_days_ago,
    "memory-limit-hit",
    "miss-40-days-ago"
);

fires!(log_error_signature, "log-error-signature", "fire");
fires!(
    log_error_signature_panic,
    "log-error-signature",
    "fire-panic"
);
// A FATAL line in another pod's log: a warning, not critical.
fires!(
    log_error_signature_fatal_other_pod,
    "log-error-signature",
    "fire-fatal-other-pod"
);
misses!(
    log_error_signature_benign,
    "log-error-signature",
    "miss-benign"
);
misses!(log_error_signature_old, "log-error-signature", "miss-old");
fires!(
    log_error_signature_probe,
    "log-error-signature",
    "fire-probe"
);
fires!(
    log_error_signature_same_log_twice,
    "log-error-signature",
    "fire-same-log-twice"
);

fires!(recent_config_change, "recent-config-change", "fire");
misses!(
    recent_config_change_30_days_ago,
    "recent-config-change",
    "miss-30-days-ago"
);
misses!(
    recent_config_change_calico_data,
    "recent-config-change",
    "miss-calico-data"
);

fires!(recent_cluster_update, "recent-cluster-update", "fire");
fires!(
    recent_cluster_update_calico_redeployed,
    "recent-cluster-update",
    "fire-calico-redeployed"
);
misses!(
    recent_cluster_update_old_nodes,
    "recent-cluster-update",
    "miss-old-nodes"
);

/// Every rule has at least one firing fixture and one near miss.
#[test]
fn every_rule_has_fixtures() {
    for r in RULES {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(r.id);
        let cases: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        assert!(
            cases.iter().any(|c| c.starts_with("fire")),
            "{}: no fire case",
            r.id
        );
        assert!(
            cases.iter().any(|c| c.starts_with("miss")),
            "{}: no miss case",
            r.id
        );
    }
}

// Facts from `kubectl describe` text only (no objects).
fires!(
    memory_limit_hit_describe_text,
    "memory-limit-hit",
    "fire-describe-text"
);

#[test]
fn describe_text_feeds_the_other_rules_too() {
    let crash = findings("crash-loop", "../memory-limit-hit/fire-describe-text");
    assert!(crash.contains("CrashLoopBackOff, 9 restarts"), "{crash}");
    assert!(
        crash.contains("calico-kube-controllers-describe.txt:"),
        "evidence cites the text's lines: {crash}"
    );
}

/// Each rule's documented example is real output: every line of it appears in one of the
/// rule's snapshots.
#[test]
fn documented_examples_are_real_output() {
    let snapshots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    for r in RULES {
        let mut seen = String::new();
        for entry in std::fs::read_dir(&snapshots).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with(&format!("rules__{}__", r.id)) && name.ends_with(".snap") {
                seen.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
        let doc = r.documentation();
        let example = doc
            .split("## Example")
            .nth(1)
            .and_then(|e| e.split("```text\n").nth(1))
            .and_then(|e| e.split("```").next())
            .unwrap_or_else(|| panic!("{}: no ```text example", r.id));
        for line in example.lines().filter(|l| !l.trim().is_empty()) {
            assert!(
                seen.lines().any(|s| s == line),
                "{}: example line not in its snapshots:\n{line}",
                r.id
            );
        }
    }
}

/// Describe text alone: without --now, the newest date in the text is the reference time.
#[test]
fn describe_text_gives_a_reference_time() {
    let dir = fixture("memory-limit-hit", "fire-describe-text");
    let snapshot = Snapshot::open(&dir, &ReadOptions::default()).unwrap();
    let report = analyze(&snapshot, &Options::default());
    assert_eq!(
        report.reference_time_source,
        Some(kbundle_format::ReferenceTimeSource::Describe)
    );
    assert_eq!(
        report.reference_time.as_deref(),
        Some("2025-03-14T09:56:00Z")
    );
    assert!(
        report.findings.iter().any(|f| f.rule == "memory-limit-hit"),
        "{}",
        report.to_text(false)
    );
}

// An events table pasted alone: BackOff events count as restarts.
fires!(crash_loop_events_only, "crash-loop", "fire-events-only");
// Events about a pod the input holds nothing else of.
fires!(
    crash_loop_events_only_objects,
    "crash-loop",
    "fire-events-only-objects"
);
// The image pull back-off is not a restart back-off.
misses!(crash_loop_pull_backoff, "crash-loop", "miss-pull-backoff");

// Facts from a `kubectl get pods` table only.
fires!(
    crash_loop_get_pods_table,
    "crash-loop",
    "fire-get-pods-table"
);

#[test]
fn get_pods_table_feeds_memory_and_pending_rules() {
    let dir = "fire-get-pods-table-oom";
    let oom = findings("memory-limit-hit", dir);
    assert!(oom.contains("OOMKilled"), "{oom}");
    // A table shows neither the exit code nor the limit: neither may be invented.
    assert!(!oom.contains("137"), "{oom}");
    assert!(oom.contains("memory limit unknown"), "{oom}");
    let pull = findings("image-pull-failure", &format!("../memory-limit-hit/{dir}"));
    assert!(pull.contains("ImagePullBackOff"), "{pull}");
}

#[test]
fn get_pods_table_namespace_from_the_command_line() {
    let dir = fixture("crash-loop", "fire-get-pods-kube-system");
    let snapshot = Snapshot::open(&dir, &ReadOptions::default()).unwrap();
    let report = analyze(&snapshot, &Options::default());
    assert_eq!(
        report.workload,
        "Deployment/kube-system/calico-kube-controllers"
    );
    let crash = report
        .findings
        .iter()
        .find(|f| f.rule == "crash-loop")
        .unwrap();
    assert_eq!(crash.subject.namespace.as_deref(), Some("kube-system"));
    assert_eq!(crash.severity, kbundle_analyzer::Severity::Critical);
    // No workload-missing: its pod is there, only its Deployment is not in the input.
    assert!(!report.findings.iter().any(|f| f.rule == "workload-missing"));
}

fires!(quota_exceeded, "quota-exceeded", "fire");
fires!(
    quota_exceeded_limit_range,
    "quota-exceeded",
    "fire-limit-range"
);
misses!(quota_exceeded_old, "quota-exceeded", "miss-old");

fires!(service_no_endpoints, "service-no-endpoints", "fire");
fires!(
    service_no_endpoints_events_only,
    "service-no-endpoints",
    "fire-events-only"
);
fires!(
    service_no_endpoints_selector_matches_nothing,
    "service-no-endpoints",
    "fire-selector-matches-nothing"
);
misses!(
    service_no_endpoints_pods_not_ready,
    "service-no-endpoints",
    "miss-pods-not-ready"
);
misses!(
    service_no_endpoints_ready,
    "service-no-endpoints",
    "miss-ready"
);
// Endpoints not in the input: unknown, not empty.
misses!(
    service_no_endpoints_not_collected,
    "service-no-endpoints",
    "miss-endpoints-not-collected"
);

fires!(pvc_pending, "pvc-pending", "fire");
fires!(
    pvc_pending_scheduler_only,
    "pvc-pending",
    "fire-scheduler-only"
);
misses!(
    pvc_pending_wait_for_first_consumer,
    "pvc-pending",
    "miss-wait-for-first-consumer"
);

fires!(job_failed, "job-failed", "fire");
fires!(job_failed_events_only, "job-failed", "fire-events-only");
misses!(job_failed_complete, "job-failed", "miss-complete");

fires!(drain_blocked, "drain-blocked", "fire");
fires!(drain_blocked_events, "drain-blocked", "fire-events");
misses!(drain_blocked_allowed, "drain-blocked", "miss-allowed");
misses!(
    drain_blocked_not_cordoned,
    "drain-blocked",
    "miss-not-cordoned"
);

fires!(apiserver_unreachable, "apiserver-unreachable", "fire");
// `Unauthorized` is an answer from the API server, not a network path problem.
misses!(
    apiserver_unreachable_unauthorized,
    "apiserver-unreachable",
    "miss-unauthorized"
);

fires!(ipam_exhausted, "ipam-exhausted", "fire");
// Leak lines alone: the garbage collection at work.
misses!(
    ipam_exhausted_leaks_only,
    "ipam-exhausted",
    "miss-leaks-only"
);

fires!(calico_node_not_ready, "calico-node-not-ready", "fire");
fires!(
    calico_node_not_ready_typha,
    "calico-node-not-ready",
    "fire-typha"
);
misses!(
    calico_node_not_ready_recovered,
    "calico-node-not-ready",
    "miss-recovered"
);

fires!(probe_failure, "probe-failure", "fire");
// One readiness failure the pod recovered from, and probe errors of an exited container.
misses!(probe_failure_blip, "probe-failure", "miss-blip");

fires!(node_pressure, "node-pressure", "fire");
misses!(node_pressure_relieved, "node-pressure", "miss-relieved");

fires!(pod_evicted, "pod-evicted", "fire");
misses!(pod_evicted_40_days_ago, "pod-evicted", "miss-40-days-ago");

fires!(certificate_expired, "certificate-expired", "fire");
fires!(
    certificate_expired_expiring,
    "certificate-expired",
    "fire-expiring"
);
misses!(
    certificate_expired_valid,
    "certificate-expired",
    "miss-valid"
);
