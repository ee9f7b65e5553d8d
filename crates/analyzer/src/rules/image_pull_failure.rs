//! A container cannot start because its image cannot be pulled.
//!
//! ## What it detects
//!
//! Containers (init containers included) waiting with reason `ErrImagePull`,
//! `ImagePullBackOff`, `InvalidImageName` or `ErrImageNeverPull`, with the kubelet's
//! `Failed to pull image "...": ...` event within the window as the explanation (rate limits,
//! missing tags, authorization, registry timeouts). The subject is the Pod. Critical for a pod
//! of the expected workload, warning for other pods.
//!
//! ## Why it matters
//!
//! The pod never runs. On IKS/ROKS the Calico images come with the master version: a pull
//! failure points at registry access from the workers (firewall, gateway, proxy, pull
//! secrets), or at a manifest changed by hand to an image that does not exist.
//!
//! ## Runbook step
//!
//! The runbook says not to change or update Calico yourself: if the image reference was
//! edited, refresh the master (`ibmcloud ks cluster-refresh --cluster <CLUSTER_NAME>`) to
//! restore it; otherwise check the workers' access to the registry ("Firewall/Gateway device
//! configuration changes" in the list of recent changes to examine).
//!
//! ## Example
//!
//! ```text
//! CRITICAL [image-pull-failure] Pod/calico-system/calico-kube-controllers-6f8c9d7b5-x2x7k
//!   container calico-kube-controllers cannot pull image "icr.io/ext/calico/kube-controllers:v3.99.0": ImagePullBackOff (image or tag not found)
//!   evidence:
//!     cluster.yaml: container calico-kube-controllers waiting: ImagePullBackOff Back-off pulling image "icr.io/ext/calico/kube-controllers:v3.99.0"
//!   next steps:
//!     - Check that the image exists and the workers can reach its registry: kubectl describe pod -n calico-system calico-kube-controllers-6f8c9d7b5-x2x7k
//! ```

use crate::Context;
use crate::report::{Finding, Severity, Subject};

const REASONS: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
];

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for pod in cx.facts.pods.iter().filter(|p| !p.deleting) {
        for c in &pod.containers {
            let Some(reason) = c.state.waiting_reason().filter(|r| REASONS.contains(r)) else {
                continue;
            };
            let mut evidence = vec![cx.evidence(
                &pod.container_source(c),
                &format!(
                    "container {} waiting: {} {}",
                    c.name,
                    reason,
                    c.state.message()
                ),
            )];
            let mut detail = String::new();
            for (e, replaced) in
                cx.facts
                    .events_for("Pod", &pod.namespace, &pod.name, pod.uid.as_deref())
            {
                if replaced || !cx.in_window(e.last) {
                    continue;
                }
                let about_image = e.message.contains(&c.image) || c.image.is_empty();
                if !about_image {
                    continue;
                }
                if e.message.starts_with("Failed to pull image")
                    || e.reason == "InspectFailed"
                    || e.reason == "ErrImageNeverPull"
                {
                    let count = if e.count > 1 {
                        format!(" (x{})", e.count)
                    } else {
                        String::new()
                    };
                    evidence.push(
                        cx.evidence(&e.source, &format!("{}{} {}", e.reason, count, e.message)),
                    );
                    detail = e.message.clone();
                }
            }
            let image = if c.image.is_empty() {
                "its image".to_string()
            } else {
                format!("image \"{}\"", c.image)
            };
            let mut message = format!("container {} cannot pull {image}: {}", c.name, reason);
            if let Some(why) = pull_cause(&detail) {
                message.push_str(&format!(" ({why})"));
            }
            let mut next_steps = vec![format!(
                "Check that the image exists and the workers can reach its registry: kubectl describe pod -n {} {}",
                pod.namespace, pod.name
            )];
            if pod.target {
                next_steps.push("If the image reference was changed by hand, restore it: ibmcloud ks cluster-refresh --cluster <CLUSTER_NAME>".into());
            }
            out.push(Finding {
                rule: "",
                severity: if pod.target {
                    Severity::Critical
                } else {
                    Severity::Warning
                },
                subject: Subject::new("Pod", &pod.namespace, &pod.name),
                message,
                evidence,
                next_steps,
            });
        }
    }
}

fn pull_cause(detail: &str) -> Option<&'static str> {
    let d = detail.to_ascii_lowercase();
    if d.is_empty() {
        return None;
    }
    Some(if d.contains("toomanyrequests") || d.contains("429") {
        "registry rate limit"
    } else if d.contains("not found")
        || d.contains("manifest unknown")
        || d.contains("does not exist")
    {
        "image or tag not found"
    } else if d.contains("unauthorized") || d.contains("denied") || d.contains("authorization") {
        "registry authorization failed"
    } else if d.contains("timeout") || d.contains("i/o timeout") || d.contains("deadline") {
        "registry not reachable (timeout)"
    } else if d.contains("x509") {
        "registry TLS certificate error"
    } else {
        return None;
    })
}
