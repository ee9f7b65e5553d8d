//! The workload, storage and policy rules end to end: the `workloads-storage` fixture cluster →
//! `kbundle serve` → `kbundle collect -n ...` → bundle → `kbundle analyze`. The bundle must hold
//! the kinds these rules read (PVCs, ResourceQuotas, LimitRanges, PodDisruptionBudgets, Jobs,
//! Endpoints) and give the same findings as the fixture folder.

use crate::util::*;

const NOW: &str = "2025-03-20T12:00:00Z";

#[test]
fn workload_storage_and_policy_rules_fire_on_a_collected_bundle() {
    let cluster = fixture("workloads-storage");
    let dir = tempfile::tempdir().unwrap();
    let server = Serve::start(kbundle(), &[&cluster], &[]);
    // Real kubectl lists the kinds the rules read from the server.
    let o = run(server.kubectl().args([
        "get",
        "pvc,pdb,resourcequota,limitrange,jobs,endpoints",
        "-A",
        "-o",
        "name",
    ]));
    assert!(o.status.success(), "kubectl: {}", stderr(&o));
    let listed = stdout(&o);
    for name in [
        "persistentvolumeclaim/data-prometheus-0",
        "poddisruptionbudget.policy/web",
        "resourcequota/compute",
        "limitrange/defaults",
        "job.batch/report-28923840",
        "endpoints/gatekeeper-webhook-service",
    ] {
        assert!(
            listed.lines().any(|l| l == name),
            "{name} not in:\n{listed}"
        );
    }
    let bundle = dir.path().join("bundle.zip");
    let o = run(kbundle()
        .arg("collect")
        .arg("--kubeconfig")
        .arg(&server.kubeconfig)
        .arg("-o")
        .arg(&bundle)
        .args([
            "-n",
            "shop",
            "-n",
            "monitoring",
            "-n",
            "jobs",
            "-n",
            "gatekeeper-system",
            "--quiet",
            "--collected-at",
            NOW,
        ]));
    // The fixture pods have no logs: a partial bundle (exit 3) is expected.
    assert!(
        matches!(o.status.code(), Some(0 | 3)),
        "collect: {}",
        stderr(&o)
    );
    let from_bundle = findings(&bundle, &["--now", NOW]);
    let expected = [
        ("quota-exceeded", "warning", "ResourceQuota/shop/compute"),
        (
            "service-no-endpoints",
            "warning",
            "Service/gatekeeper-system/gatekeeper-webhook-service",
        ),
        ("service-no-endpoints", "warning", "Service/shop/web-canary"),
        (
            "pvc-pending",
            "warning",
            "PersistentVolumeClaim/monitoring/data-prometheus-0",
        ),
        ("job-failed", "warning", "Job/jobs/report-28923840"),
        ("drain-blocked", "warning", "PodDisruptionBudget/shop/web"),
    ];
    for (rule, severity, subject) in expected {
        assert!(
            from_bundle.contains(&(rule.into(), severity.into(), subject.into())),
            "{rule} {severity} {subject} not in {from_bundle:#?}"
        );
    }
    // The Service whose pods are ready, and the Job-less namespaces, give nothing.
    assert!(
        !from_bundle.iter().any(|(_, _, s)| s == "Service/shop/web"),
        "{from_bundle:#?}"
    );
    assert_eq!(from_bundle, findings(&cluster, &["--now", NOW]));
}
