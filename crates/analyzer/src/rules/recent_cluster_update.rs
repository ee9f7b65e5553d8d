//! Nodes created within the window (reloaded or replaced), kubelet versions that differ
//! between nodes or from the API server, and Calico redeployed within the window.
//!
//! ## What it detects
//!
//! - nodes whose `metadata.creationTimestamp` is within the window before the reference time:
//!   a worker was reloaded, replaced or added (info);
//! - nodes whose kubelet version (`status.nodeInfo.kubeletVersion`, build suffix ignored)
//!   differs from the API server's minor version (warning), from its patch level (info) or
//!   from the version most nodes run (info): an update is in progress or was left half done.
//!
//! - Calico's other workloads (`calico-node`, `calico-typha`, `tigera-operator`...) whose spec
//!   was written within the window (after their creation): Calico was redeployed, as master
//!   updates do (info).
//!
//! The subject is each such Node or workload.
//!
//! ## Why it matters
//!
//! Master and worker updates redeploy and reconfigure Calico. A problem that starts right
//! after an update, or only on the nodes that were updated, points at the update.
//!
//! ## Runbook step
//!
//! "calico-kube-controllers in CrashLoopBackOff or Restarting Often": among the recent changes
//! to examine are "Master or worker updates". Finish the worker updates
//! (`ibmcloud ks worker update`) so that every worker matches the master.
//!
//! ## Example
//!
//! ```text
//! WARNING [recent-cluster-update] Node/10.240.0.6
//!   created 3h before the reference time (reloaded, replaced or added); kubelet v1.30.9 differs from the API server v1.31.4 and from most nodes (v1.31.4)
//!   evidence:
//!     cluster.yaml: Node 10.240.0.6: created 2025-03-14T07:00:00Z, kubeletVersion v1.30.9+IKS
//!   next steps:
//!     - Check whether the problem started with this update: compare its time with the first errors and restarts
//! ```

use std::collections::BTreeMap;

use crate::report::{Finding, Severity, Subject};
use crate::{Context, report_duration};

/// `v1.31.4+IKS` -> `v1.31.4`.
fn base(v: &str) -> &str {
    v.split(['+', '-']).next().unwrap_or(v)
}

/// `v1.31.4` -> `1.31`.
fn minor(v: &str) -> String {
    base(v)
        .trim_start_matches('v')
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".")
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    nodes(cx, out);
    calico_rollouts(cx, out);
}

/// Calico's other workloads (calico-node, calico-typha, the operator) whose spec was written
/// within the window: Calico was redeployed, which is what a master update does.
fn calico_rollouts(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if cx.now.is_none() {
        return;
    }
    let t = &cx.target;
    for m in &cx.facts.metas {
        let calico = m.name.starts_with("calico-") || m.name == "tigera-operator";
        if m.group != "apps"
            || !matches!(m.kind.as_str(), "Deployment" | "DaemonSet")
            || !calico
            || (m.kind == t.kind && m.namespace == t.namespace && m.name == t.name)
        {
            continue;
        }
        let Some(w) = m
            .managed
            .iter()
            .filter(|f| f.owns_config && f.subresource.is_empty() && f.time.is_some())
            .max_by_key(|f| f.time)
        else {
            continue;
        };
        // Its creation is not an update.
        if w.time <= m.created || !cx.in_window(w.time) {
            continue;
        }
        let age = cx.age(w.time).map(report_duration).unwrap_or_default();
        out.push(Finding {
            rule: "",
            severity: Severity::Info,
            subject: Subject::new(&m.kind, &m.namespace, &m.name),
            message: format!(
                "{} {}/{} spec changed {age} before the reference time by {} ({}): Calico was redeployed, as a master update does",
                m.kind, m.namespace, m.name, w.manager, w.operation
            ),
            evidence: vec![cx.evidence(
                &m.source,
                &format!(
                    "{} {}: spec written by {} at {}",
                    m.kind,
                    m.name,
                    w.manager,
                    w.time.map_or("?".to_string(), |t| t.to_string())
                ),
            )],
            next_steps: vec![
                "Check whether the problem started with this update: compare its time with the first errors and restarts".into(),
                format!(
                    "See the rollout: kubectl rollout history {} -n {} {}",
                    m.kind.to_ascii_lowercase(),
                    m.namespace,
                    m.name
                ),
            ],
        });
    }
}

fn nodes(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for n in &cx.facts.nodes {
        if let Some(v) = &n.kubelet_version {
            *counts.entry(base(v)).or_default() += 1;
        }
    }
    // The most common version; ties go to the highest.
    let majority = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| a.0.cmp(b.0)))
        .map(|(v, _)| *v);
    let server = cx.facts.server_version.as_deref();
    for n in &cx.facts.nodes {
        let mut notes: Vec<(Severity, String)> = Vec::new();
        if cx.now.is_some() && n.created.is_some() && cx.in_window(n.created) {
            let age = cx.age(n.created).map(report_duration).unwrap_or_default();
            notes.push((
                Severity::Info,
                format!("created {age} before the reference time (reloaded, replaced or added)"),
            ));
        }
        if let Some(v) = n.kubelet_version.as_deref() {
            let mut diffs = Vec::new();
            let mut sev = Severity::Info;
            if let Some(s) = server {
                if minor(s) != minor(v) {
                    diffs.push(format!("the API server {}", base(s)));
                    sev = Severity::Warning;
                } else if base(s) != base(v) {
                    diffs.push(format!("the API server {} (patch level)", base(s)));
                }
            }
            if let Some(m) = majority
                && counts.len() > 1
                && m != base(v)
            {
                diffs.push(format!("most nodes ({m})"));
            }
            if !diffs.is_empty() {
                notes.push((
                    sev,
                    format!(
                        "kubelet {} differs from {}",
                        base(v),
                        diffs.join(" and from ")
                    ),
                ));
            }
        }
        if notes.is_empty() {
            continue;
        }
        let severity = notes
            .iter()
            .map(|(s, _)| *s)
            .max()
            .unwrap_or(Severity::Info);
        let message = notes
            .iter()
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        out.push(Finding {
            rule: "",
            severity,
            subject: Subject::new("Node", "", &n.name),
            message,
            evidence: vec![cx.evidence(
                &n.source,
                &format!(
                    "Node {}: created {}, kubeletVersion {}",
                    n.name,
                    n.created.map_or("?".to_string(), |t| t.to_string()),
                    n.kubelet_version.as_deref().unwrap_or("?")
                ),
            )],
            next_steps: vec![
                "Check whether the problem started with this update: compare its time with the first errors and restarts".into(),
                "Finish worker updates so every worker matches the master: ibmcloud ks worker ls --cluster <CLUSTER_NAME>, ibmcloud ks worker update".into(),
            ],
        });
    }
}
