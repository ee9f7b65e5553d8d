//! A node is under memory, disk or PID pressure: its pressure condition is True or it carries
//! the pressure taint.
//!
//! ## What it detects
//!
//! Every node of the input (not only the workload's) with `MemoryPressure`, `DiskPressure` or
//! `PIDPressure` `True`, or with the taint the node lifecycle controller adds for them
//! (`node.kubernetes.io/memory-pressure`, `node.kubernetes.io/disk-pressure`,
//! `node.kubernetes.io/pid-pressure`). The kubelet's events about it within the window
//! (`NodeHasDiskPressure`, `NodeHasInsufficientMemory`, `NodeHasInsufficientPID`,
//! `EvictionThresholdMet`, `FreeDiskSpaceFailed`, `ImageGCFailed`) are added as evidence. How
//! long a condition has held is given only when its transition time is known. Warning; the
//! subject is the Node.
//!
//! ### Wordings
//!
//! | Wording | Where it comes from |
//! |---|---|
//! | `MemoryPressure True ... KubeletHasInsufficientMemory kubelet has insufficient memory available` | kubelet `nodestatus/setters.go`, every version (signatures.md §4) |
//! | `DiskPressure True ... KubeletHasDiskPressure kubelet has disk pressure` | same (canonical/microk8s#29, 2018) |
//! | `PIDPressure True ... KubeletHasInsufficientPID` | same, K8s 1.14+ |
//! | `Taints: node.kubernetes.io/disk-pressure:NoSchedule` | node lifecycle controller, K8s 1.12+ (kubernetes/kubernetes#93711, #112293) |
//! | `EvictionThresholdMet Attempting to reclaim memory`, `NodeHasInsufficientMemory Node X status is now: NodeHasInsufficientMemory` | kubelet eviction manager (easzlab/kubeasz#799) |
//!
//! ## Why it matters
//!
//! A node under pressure evicts pods (see `pod-evicted`) and takes no new ones: the scheduler
//! avoids it and its taint keeps pods that do not tolerate it away. calico-kube-controllers
//! evicted from a node under memory pressure is a known case (projectcalico/kube-controllers#375).
//!
//! ## Runbook step
//!
//! "Check If Worker Is Ready and Healthy": a node under pressure is not healthy. Find what uses
//! the memory, disk or process IDs (`kubectl describe node`, `kubectl top pods -A`), free it,
//! or cordon, drain and reload the worker.
//!
//! ## Example
//!
//! ```text
//! WARNING [node-pressure] Node/10.240.0.7
//!   DiskPressure=True for 2h (KubeletHasDiskPressure); taint node.kubernetes.io/disk-pressure:NoSchedule
//!   evidence:
//!     cluster.yaml: condition DiskPressure=True KubeletHasDiskPressure: kubelet has disk pressure
//!   next steps:
//!     - kubectl describe node 10.240.0.7
//! ```

use crate::Context;
use crate::report::{Finding, Severity, Subject};

const PRESSURES: &[(&str, &str)] = &[
    ("MemoryPressure", "node.kubernetes.io/memory-pressure"),
    ("DiskPressure", "node.kubernetes.io/disk-pressure"),
    ("PIDPressure", "node.kubernetes.io/pid-pressure"),
];

const EVENTS: &[&str] = &[
    "NodeHasDiskPressure",
    "NodeHasInsufficientMemory",
    "NodeHasInsufficientPID",
    "EvictionThresholdMet",
    "FreeDiskSpaceFailed",
    "ImageGCFailed",
];

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for node in &cx.facts.nodes {
        let mut problems = Vec::new();
        let mut evidence = Vec::new();
        for (condition, taint) in PRESSURES {
            if let Some(c) = node.condition(condition).filter(|c| c.status == "True") {
                problems.push(format!(
                    "{condition}=True{}{}",
                    cx.lasting(c.last_transition),
                    super::clause(&[&c.reason], " (", ")")
                ));
                evidence.push(cx.evidence(
                    &node.source,
                    &format!(
                        "condition {condition}=True{}",
                        super::clause(&[&c.reason, &c.message], " ", "")
                    ),
                ));
            }
            for t in node
                .taints
                .iter()
                .filter(|t| t.split([':', '=']).next() == Some(taint))
            {
                problems.push(format!("taint {t}"));
                evidence.push(cx.evidence(&node.source, &format!("taint {t}")));
            }
        }
        if problems.is_empty() {
            continue;
        }
        for (e, replaced) in cx
            .facts
            .events_for("Node", "", &node.name, node.uid.as_deref())
        {
            if !replaced && cx.in_window(e.last) && EVENTS.contains(&e.reason.as_str()) {
                evidence.push(cx.evidence(&e.source, &e.summary()));
            }
        }
        out.push(Finding {
            rule: "",
            severity: Severity::Warning,
            subject: Subject::new("Node", "", &node.name),
            message: problems.join("; "),
            evidence,
            next_steps: vec![
                format!("kubectl describe node {}", node.name),
                "Find what uses the memory, disk or process IDs: kubectl top pods -A --sort-by=memory; on the node, df -h and du of /var/lib/containerd and /var/log".to_string(),
                format!(
                    "If it cannot be freed, cordon, drain and reload the worker: kubectl cordon {n} && kubectl drain {n} --ignore-daemonsets --delete-emptydir-data",
                    n = node.name
                ),
            ],
        });
    }
}
