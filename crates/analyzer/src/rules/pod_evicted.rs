//! Pods evicted by the kubelet inside the window, with the eviction message (which resource
//! the node ran low on, which container used more than it requested).
//!
//! ## What it detects
//!
//! Pods with phase `Failed` and reason `Evicted` (objects, `kubectl describe`, or `kubectl get
//! pods` rows whose STATUS is `Evicted`), and pods the input shows only through `Evicted`
//! events. A pod is left out when the latest time the input shows for its eviction (the
//! `Evicted` event, the pod's condition transitions, its containers' termination) lies before
//! the window; when the input shows no time at all it is reported, saying so. Warning, critical
//! when the pod belongs to the expected workload and none of its pods is healthy. The message
//! gives the eviction message and the node; the subject is the Pod.
//!
//! ### Wordings
//!
//! | Wording | Where it comes from |
//! |---|---|
//! | `Status: Failed`, `Reason: Evicted`, `Message: The node was low on resource: memory. Container X was using 1275700Ki, which exceeds its request of 0.` | kubelet `eviction/helpers.go`, K8s 1.x long-standing form (Greenstand/treetracker-infrastructure#49) |
//! | `The node was low on resource: memory. Threshold quantity: 100Mi, available: 87608Ki. Container X was using 48458972Ki, request is 15Gi, has larger consumption of memory.` | kubelet, current form (openshift/release#76967) |
//! | `The node had condition: [MemoryPressure].` (reason `Evicted`) | kubelet admission after an eviction (FederatedAI/KubeFATE#64, AKS 2019) |
//! | `get pods` STATUS `Evicted` | kubectl printer (projectcalico/kube-controllers#375) |
//!
//! ## Why it matters
//!
//! An evicted pod was killed because its node ran low on memory, disk or process IDs; its
//! replacement may be evicted again or not fit anywhere. A pod using far more than it
//! requests (`exceeds its request of 0`) is the first to go; calico-kube-controllers leaking
//! memory was evicted this way (projectcalico/kube-controllers#375).
//!
//! ## Runbook step
//!
//! "Check If Worker Is Ready and Healthy" and "check for memory limits": see the node's
//! pressure (`node-pressure`), set requests that match the pod's use, and delete the evicted
//! pod objects once understood (`kubectl delete pod`).
//!
//! ## Example
//!
//! ```text
//! WARNING [pod-evicted] Pod/calico-system/calico-kube-controllers-6f8c9d7b5-old01
//!   evicted from node 10.240.0.4 1h before the reference time: The node was low on resource: memory. Container calico-kube-controllers was using 1275700Ki, which exceeds its request of 64Mi.
//!   evidence:
//!     cluster.yaml: status phase Failed, reason Evicted: The node was low on resource: memory. Container calico-kube-controllers was using 1275700Ki, which exceeds its request of 64Mi.
//!   next steps:
//!     - See the node's pressure and what runs there: kubectl describe node 10.240.0.4
//! ```

use jiff::Timestamp;

use crate::Context;
use crate::facts::{Event, Pod, State};
use crate::report::{Finding, Severity, Subject};

fn evicted_events<'a>(
    cx: &'a Context<'_>,
    namespace: &'a str,
    name: &'a str,
    uid: Option<&'a str>,
) -> impl Iterator<Item = &'a Event> + 'a {
    cx.facts
        .events_for("Pod", namespace, name, uid)
        .filter(|(e, replaced)| !replaced && e.reason == "Evicted")
        .map(|(e, _)| e)
}

/// The latest time the input shows for a pod's eviction.
fn evicted_at(cx: &Context<'_>, pod: &Pod) -> Option<Timestamp> {
    let events = evicted_events(cx, &pod.namespace, &pod.name, pod.uid.as_deref())
        .filter_map(|e| e.last.or(e.first));
    let conditions = pod.conditions.iter().filter_map(|c| c.last_transition);
    let containers = pod.containers.iter().filter_map(|c| match &c.state {
        State::Terminated { finished, .. } => *finished,
        _ => None,
    });
    events.chain(conditions).chain(containers).max()
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let healthy_target = cx.target_pods().any(|p| p.is_healthy());
    for pod in &cx.facts.pods {
        if pod.reason != "Evicted" || !(pod.phase == "Failed" || pod.phase.is_empty()) {
            continue;
        }
        let at = evicted_at(cx, pod);
        if at.is_some() && !cx.in_window(at) {
            continue;
        }
        let mut evidence = vec![cx.evidence(
            &pod.source,
            &format!(
                "status{}, reason Evicted{}",
                super::clause(&[&pod.phase], " phase ", ""),
                super::clause(&[&pod.message], ": ", "")
            ),
        )];
        let mut message = pod.message.clone();
        for e in evicted_events(cx, &pod.namespace, &pod.name, pod.uid.as_deref()) {
            if message.is_empty() {
                message.clone_from(&e.message);
            }
            evidence.push(cx.evidence(&e.source, &e.summary()));
        }
        let target = pod.target || super::named_like_target(cx, &pod.namespace, &pod.name);
        out.push(finding(
            cx,
            &pod.namespace,
            &pod.name,
            pod.node.as_deref(),
            at,
            &message,
            evidence,
            target && !healthy_target,
        ));
    }
    for (namespace, name) in super::pods_only_in_events(cx.facts) {
        let events: Vec<&Event> = evicted_events(cx, namespace, name, None)
            .filter(|e| cx.in_window(e.last))
            .collect();
        let Some(first) = events.first() else {
            continue;
        };
        let at = events.iter().filter_map(|e| e.last).max();
        let evidence = events
            .iter()
            .map(|e| cx.evidence(&e.source, &e.summary()))
            .collect();
        let target = super::named_like_target(cx, namespace, name);
        out.push(finding(
            cx,
            namespace,
            name,
            None,
            at,
            &first.message,
            evidence,
            target && !healthy_target,
        ));
    }
}

#[allow(clippy::too_many_arguments)]
fn finding(
    cx: &Context<'_>,
    namespace: &str,
    name: &str,
    node: Option<&str>,
    at: Option<Timestamp>,
    eviction: &str,
    evidence: Vec<crate::report::Evidence>,
    critical: bool,
) -> Finding {
    let mut message = "evicted".to_string();
    if let Some(node) = node {
        message.push_str(&format!(" from node {node}"));
    }
    match cx.when(at) {
        Some(when) => message.push_str(&format!(" {when}")),
        None if at.is_none() => message.push_str(" (the input does not show when)"),
        None => {}
    }
    message.push_str(&super::clause(&[eviction], ": ", ""));
    let ns = super::namespace_flag(namespace);
    let mut next_steps = Vec::new();
    if let Some(node) = node {
        next_steps.push(format!(
            "See the node's pressure and what runs there: kubectl describe node {node}"
        ));
    }
    next_steps.push(
        "Set memory and ephemeral-storage requests that match the pod's use; a pod using more than it requests is evicted first".to_string(),
    );
    next_steps.push(format!(
        "Once understood, delete the evicted pod object: kubectl delete pod{ns} {name}"
    ));
    Finding {
        rule: "",
        severity: if critical {
            Severity::Critical
        } else {
            Severity::Warning
        },
        subject: Subject::new("Pod", namespace, name),
        message,
        evidence,
        next_steps,
    }
}
