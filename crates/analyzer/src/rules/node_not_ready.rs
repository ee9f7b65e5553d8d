//! A node that hosts (or could host) the workload's pod is not ready, under pressure,
//! without network, or cordoned.
//!
//! ## What it detects
//!
//! For each node that runs a pod of the expected workload (or every node, when no pod of it is
//! running on a node), its conditions and spec:
//!
//! - `Ready` is `False` or `Unknown` (critical when it hosts the pod, warning otherwise);
//! - `MemoryPressure`, `DiskPressure` or `PIDPressure` is `True` (warning);
//! - `NetworkUnavailable` is `True` (warning);
//! - it is cordoned (`spec.unschedulable`) (warning).
//!
//! `NodeNotReady` events within the window are added as evidence. How long a condition has
//! held is given only when its transition time is known and before the reference time (never
//! `for 0s`), its reason and message only when the input shows them. The subject is the Node.
//!
//! ## Why it matters
//!
//! "Sometimes the calico-kube-controllers pod having problems is simply caused by the worker
//! node it is running on not being healthy." A pod on a NotReady node is not restarted
//! elsewhere until the node is evicted, and pressure on the node kills or evicts it.
//!
//! ## Runbook step
//!
//! "Check If Worker Is Ready and Healthy": if the worker is not Ready, cordon, drain and
//! reload it, which moves the pod to another node. Even if the node looks healthy, cordon it
//! and delete the pod to reschedule it elsewhere.
//!
//! ## Example
//!
//! ```text
//! CRITICAL [node-not-ready] Node/10.240.0.4
//!   hosts calico-kube-controllers-6f8c9d7b5-x2x7k; Ready=Unknown for 13m (NodeStatusUnknown: Kubelet stopped posting node status.)
//!   evidence:
//!     cluster.yaml: condition Ready=Unknown NodeStatusUnknown: Kubelet stopped posting node status.
//!   next steps:
//!     - kubectl describe node 10.240.0.4
//! ```

use crate::Context;
use crate::report::{Finding, Severity, Subject};

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // Without Calico in the input, its workload could not be hosted anywhere.
    let calico = super::calico::shown(cx.facts).is_some();
    let hosted: Vec<(&str, &str)> = cx
        .target_pods()
        .filter(|p| !p.deleting)
        .filter_map(|p| p.node.as_deref().map(|n| (n, p.name.as_str())))
        .collect();
    let running_somewhere = hosted.iter().any(|(n, _)| cx.facts.node(n).is_some());
    for node in &cx.facts.nodes {
        let pods: Vec<&str> = hosted
            .iter()
            .filter(|(n, _)| *n == node.name)
            .map(|(_, p)| *p)
            .collect();
        if running_somewhere && pods.is_empty() {
            continue;
        }
        let hosts = !pods.is_empty();
        let mut problems: Vec<(Severity, String)> = Vec::new();
        let mut evidence = Vec::new();

        match node.condition("Ready") {
            Some(c) if c.status != "True" => {
                let sev = if hosts {
                    Severity::Critical
                } else {
                    Severity::Warning
                };
                problems.push((
                    sev,
                    format!(
                        "Ready={}{}{}",
                        if c.status.is_empty() {
                            "unknown"
                        } else {
                            &c.status
                        },
                        cx.lasting(c.last_transition),
                        super::clause(&[&c.reason, &c.message], " (", ")")
                    ),
                ));
                evidence.push(cx.evidence(
                    &node.source,
                    &format!(
                        "condition Ready={}{}",
                        c.status,
                        super::clause(&[&c.reason, &c.message], " ", "")
                    ),
                ));
            }
            _ => {}
        }
        for c in &node.conditions {
            let bad = match c.type_.as_str() {
                "MemoryPressure" | "DiskPressure" | "PIDPressure" | "NetworkUnavailable" => {
                    c.status == "True"
                }
                _ => false,
            };
            if bad {
                problems.push((
                    Severity::Warning,
                    format!(
                        "{}=True{}{}",
                        c.type_,
                        cx.lasting(c.last_transition),
                        super::clause(&[&c.reason], " (", ")")
                    ),
                ));
                evidence.push(cx.evidence(
                    &node.source,
                    &format!(
                        "condition {}=True{}",
                        c.type_,
                        super::clause(&[&c.reason, &c.message], " ", "")
                    ),
                ));
            }
        }
        if node.unschedulable {
            problems.push((Severity::Warning, "cordoned (spec.unschedulable)".into()));
            evidence.push(cx.evidence(&node.source, "spec.unschedulable: true"));
        }
        if problems.is_empty() {
            continue;
        }
        for (e, replaced) in cx
            .facts
            .events_for("Node", "", &node.name, node.uid.as_deref())
        {
            if !replaced
                && cx.in_window(e.last)
                && matches!(
                    e.reason.as_str(),
                    "NodeNotReady"
                        | "NodeHasDiskPressure"
                        | "NodeHasInsufficientMemory"
                        | "EvictionThresholdMet"
                        | "SystemOOM"
                )
            {
                evidence.push(cx.evidence(&e.source, &e.summary()));
            }
        }
        let severity = problems
            .iter()
            .map(|(s, _)| *s)
            .max()
            .unwrap_or(Severity::Warning);
        let what = problems
            .iter()
            .map(|(_, p)| p.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        let message = if hosts {
            format!("hosts {}; {}", pods.join(", "), what)
        } else if calico {
            format!("could host the workload's pod; {what}")
        } else {
            what
        };
        let mut next_steps = vec![
            format!("kubectl describe node {}", node.name),
            format!(
                "Cordon and drain the worker: kubectl cordon {n} && kubectl drain {n} --ignore-daemonsets --delete-emptydir-data",
                n = node.name
            ),
            "Reload it: ibmcloud ks worker reload --cluster <CLUSTER_NAME> --worker <WORKER_ID>"
                .to_string(),
        ];
        if hosts {
            next_steps.push(format!(
                "Move the pod: kubectl delete pod -n {} {}",
                cx.target.namespace,
                pods.first().copied().unwrap_or_default()
            ));
        }
        out.push(Finding {
            rule: "",
            severity,
            subject: Subject::new("Node", "", &node.name),
            message,
            evidence,
            next_steps,
        });
    }
}
