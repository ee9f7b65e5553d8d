//! A pod is stuck Pending: it cannot be scheduled, its sandbox cannot be created, or its
//! volumes cannot be mounted.
//!
//! ## What it detects
//!
//! Pods in phase `Pending` (and not being deleted) for more than 5 minutes, or with warning
//! events, with the cause from the events about the pod within the window (events about an
//! earlier pod of the same name, told apart by uid, are ignored) and from its conditions:
//!
//! - `FailedScheduling` (the scheduler's `0/N nodes are available: ...` message), or the
//!   `PodScheduled=False` condition;
//! - `FailedCreatePodSandBox` (often the CNI: calico-node not running on that node, where the
//!   input shows Calico runs);
//! - `FailedMount` / `FailedAttachVolume`.
//!
//! Pods waiting only on an image pull are left to `image-pull-failure`. The message says how
//! long the pod has been Pending only when its creation time is known, and gives the reason
//! and message as far as the input shows them (never an empty `Unschedulable:`). The subject
//! is the Pod. Critical for a pod of the expected workload, warning for other pods.
//!
//! ## Why it matters
//!
//! A Pending calico-kube-controllers pod never starts: nothing cleans up Calico data of deleted
//! nodes until it does. The scheduler and kubelet messages name the reason.
//!
//! ## Runbook step
//!
//! "Check If Worker Is Ready and Healthy": scheduling failures and sandbox failures usually
//! point at the workers (not ready, tainted, cordoned, or calico-node down on them). Fix or
//! reload the worker, or move the pod: cordon the node and delete the pod.
//!
//! ## Example
//!
//! ```text
//! CRITICAL [pod-pending] Pod/calico-system/calico-kube-controllers-6f8c9d7b5-x2x7k
//!   Pending for 45m: FailedScheduling (x23): 0/3 nodes are available: 3 node(s) had untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling..
//!   evidence:
//!     cluster.yaml: Pod calico-kube-controllers-6f8c9d7b5-x2x7k phase Pending, node <none>
//!   next steps:
//!     - Check the workers: kubectl get nodes (NotReady, taints, cordoned) and kubectl describe node <node>
//! ```

use crate::Context;
use crate::report::{Finding, Severity, Subject};

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let calico = super::calico::shown(cx.facts).is_some();
    for pod in cx
        .facts
        .pods
        .iter()
        .filter(|p| p.phase == "Pending" && !p.deleting)
    {
        let image_wait = pod.containers.iter().any(|c| {
            c.state
                .waiting_reason()
                .is_some_and(|r| super::image_pull_failure::REASONS.contains(&r))
        });
        let mut causes: Vec<(u8, String)> = Vec::new();
        let mut evidence = Vec::new();
        for (e, replaced) in
            cx.facts
                .events_for("Pod", &pod.namespace, &pod.name, pod.uid.as_deref())
        {
            if replaced || !cx.in_window(e.last) || e.type_ != "Warning" {
                continue;
            }
            let rank = match e.reason.as_str() {
                "FailedScheduling" => 0,
                "FailedCreatePodSandBox" => 1,
                "FailedMount" | "FailedAttachVolume" | "FailedMapVolume" => 2,
                _ => continue,
            };
            let count = if e.count > 1 {
                format!(" (x{})", e.count)
            } else {
                String::new()
            };
            let reason = format!("{}{count}", e.reason);
            causes.push((rank, super::clause(&[&reason, &e.message], "", "")));
            evidence.push(cx.evidence(&e.source, &e.summary()));
        }
        if let Some(c) = pod
            .condition("PodScheduled")
            .filter(|c| c.status == "False")
        {
            evidence.push(cx.evidence(
                &pod.source,
                &format!(
                    "condition PodScheduled=False{}",
                    super::clause(&[&c.reason, &c.message], " ", "")
                ),
            ));
            if causes.is_empty() {
                causes.push((
                    0,
                    format!(
                        "not scheduled{}",
                        super::clause(&[&c.reason, &c.message], ": ", "")
                    ),
                ));
            }
        }
        if image_wait && causes.is_empty() {
            continue;
        }
        let age = cx.age(pod.created);
        if causes.is_empty() && age.is_some_and(|a| a.as_secs() < 300) {
            continue;
        }
        causes.sort();
        let cause = causes.first().map(|(_, c)| c.clone()).unwrap_or_else(|| {
            let waiting: Vec<String> = pod
                .containers
                .iter()
                .filter_map(|c| {
                    c.state
                        .waiting_reason()
                        .map(|r| format!("{} {}", c.name, r))
                })
                .collect();
            if waiting.is_empty() {
                "no event in the input says why".into()
            } else {
                format!("waiting: {}", waiting.join(", "))
            }
        });
        evidence.insert(
            0,
            cx.evidence(
                &pod.source,
                &format!(
                    "Pod {} phase Pending, node {}",
                    pod.name,
                    pod.node.as_deref().unwrap_or("<none>")
                ),
            ),
        );
        let since = cx.lasting(pod.created);
        let rank = causes.first().map_or(9, |(r, _)| *r);
        let mut next_steps = Vec::new();
        match rank {
            0 => {
                next_steps.push("Check the workers: kubectl get nodes (NotReady, taints, cordoned) and kubectl describe node <node>".to_string());
                next_steps.push("Fix or reload the unhealthy workers: ibmcloud ks worker reload --cluster <CLUSTER_NAME> --worker <WORKER_ID>".to_string());
            }
            1 => {
                let node = pod.node.as_deref().unwrap_or("that node");
                next_steps.push(if calico {
                    format!(
                        "Check calico-node on {node}: kubectl get pods -A -o wide | grep calico-node"
                    )
                } else {
                    format!("Check the network plugin's pod on {node}: kubectl get pods -A -o wide")
                });
                next_steps.push("Cordon, drain and reload that worker, or cordon it and delete the pod to move it".to_string());
            }
            2 => next_steps.push(format!(
                "Check the pod's volumes and what they refer to (ConfigMaps, Secrets, PVCs): kubectl describe pod{} {}",
                super::namespace_flag(&pod.namespace),
                pod.name
            )),
            _ => next_steps.push(format!(
                "kubectl describe pod{} {}",
                super::namespace_flag(&pod.namespace),
                pod.name
            )),
        }
        out.push(Finding {
            rule: "",
            severity: if pod.target {
                Severity::Critical
            } else {
                Severity::Warning
            },
            subject: Subject::new("Pod", &pod.namespace, &pod.name),
            message: format!("Pending{since}: {}", crate::report::shorten(&cause, 200)),
            evidence,
            next_steps,
        });
    }
}
