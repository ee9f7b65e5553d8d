//! A container cannot start because its image cannot be pulled.
//!
//! ## What it detects
//!
//! Containers (init containers included) waiting with reason `ErrImagePull`,
//! `ImagePullBackOff`, `InvalidImageName` or `ErrImageNeverPull`, with the kubelet's pull
//! failure event within the window as the explanation (rate limits, missing tags,
//! authorization, registry timeouts, certificates). Critical for a pod of the expected
//! workload, warning for other pods. The subject is the Pod.
//!
//! When the input does not show a pod's container states (an events table pasted alone, a
//! describe whose body was elided, events about a pod the input holds nothing else of), its
//! pull events within the window are enough, unless a later `Pulled` or `Started` event shows
//! it recovered: the message says it comes from events, with the count of failed pulls and the
//! image they name.
//!
//! ### Wordings
//!
//! Event messages (any reason; the kubelet's image manager, `pkg/kubelet/images`, and the
//! runtimes' errors inside them), matched without regard to case:
//!
//! | Wording | Where it was seen |
//! |---|---|
//! | `Failed to pull image "X": ...` (reason `Failed`; `failed` in the K8s 1.0 kubelet) | kubernetes/kubernetes#7968 (2015) to rancher/turtles#1408 (2025) |
//! | `image pull failed for X, this may be because there are no credentials on this request.  details: (...)` inside it | K8s 1.1-era dockertools (UKHomeOffice/kb8or#68, 2016) |
//! | `Error: ErrImagePull`, `Error: ImagePullBackOff` (reason `Failed`), also prefixed `spec.containers{X}: ` | K8s 1.13-era paste (kubernetes-sigs/cluster-api-provider-openstack#244) to kubernetes/website#56173 (2026) |
//! | `Back-off pulling image "X"` (reason `BackOff`, type Normal) | current kubelets (rancher/turtles#1408, 2025; replicatedhq/troubleshoot test data, 2023) |
//! | `Error syncing pod, skipping: failed to "StartContainer" for "X" with ErrImagePull: ...` / `with ImagePullBackOff: ...` (reason `FailedSync`) | older kubelets' `FailedSync` events (the same form as kubernetes-retired/heapster#1140, K8s 1.2) |
//! | `Container image "X" is not present with pull policy of Never` (reason `ErrImageNeverPull`) | kubelet `pkg/kubelet/images/image_manager.go` |
//! | `Failed to apply default image tag "X": ...`, `Failed to inspect image "X": ...` (reason `InspectFailed`) | kubelet `pkg/kubelet/images/image_manager.go` |
//!
//! Causes, from the registry's or the runtime's words in the failure: `toomanyrequests` /
//! `429 Too Many Requests` (rate limit; Docker Hub, k3d-io/k3d#631); `pull access denied` /
//! `repository does not exist or may require 'docker login'` / `... may require authorization`
//! (not found or denied, dockershim and containerd); `manifest unknown`, `not found`,
//! `Tag X not found in repository`, `name unknown` (image or tag missing); `unauthorized`,
//! `authentication required`, `403 Forbidden`, `insufficient_scope: authorization failed`,
//! `no credentials` (authorization); `x509` (registry certificate); `no such host` (DNS);
//! `i/o timeout`, `context deadline exceeded`, `request canceled while waiting for
//! connection`, `connection refused`, `no route to host` (registry not reachable);
//! `invalid reference format` (invalid image name). The `rpc error: code = Unknown desc =`
//! prefix of dockershim and older containerd is optional.
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
//! configuration changes" in the list of recent changes to examine of "calico-kube-controllers
//! in CrashLoopBackOff or Restarting Often").
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
use crate::facts::{Event, Pod};
use crate::report::{Evidence, Finding, Severity, Subject};

use super::namespace_flag;

/// The waiting reasons of a container whose image cannot be pulled.
pub(crate) const REASONS: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
];

/// What an event says about pulling an image, in the kubelet's wordings across versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PullEvent {
    /// The pull failed and the message says why: `Failed to pull image "X": ...`,
    /// `Failed to inspect image`, `Failed to apply default image tag`, `Container image "X" is
    /// not present with pull policy of Never`.
    Failure,
    /// The container waits for its image without saying why: `Error: ErrImagePull`,
    /// `Error: ImagePullBackOff`, `Back-off pulling image "X"`, and older kubelets'
    /// `FailedSync` form.
    Waiting,
}

fn pull_event(e: &Event) -> Option<PullEvent> {
    let m = e.message.to_ascii_lowercase();
    if m.contains("failed to pull image")
        || m.contains("failed to inspect image")
        || m.contains("failed to apply default image tag")
        || m.contains("with pull policy of never")
        || e.reason == "InspectFailed"
        || e.reason == "ErrImageNeverPull"
    {
        return Some(PullEvent::Failure);
    }
    let waiting = REASONS.iter().any(|r| {
        let r = r.to_ascii_lowercase();
        m.contains(&format!("error: {r}")) || m.contains(&format!("with {r}"))
    }) || m.contains("back-off pulling image");
    waiting.then_some(PullEvent::Waiting)
}

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
            let mut detail = c.state.message().to_string();
            for (e, replaced) in
                cx.facts
                    .events_for("Pod", &pod.namespace, &pod.name, pod.uid.as_deref())
            {
                if replaced || !cx.in_window(e.last) {
                    continue;
                }
                let about_image = c.image.is_empty() || e.message.contains(&c.image);
                if about_image && pull_event(e) == Some(PullEvent::Failure) {
                    evidence.push(cx.evidence(&e.source, &e.summary()));
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
            out.push(finding(
                pod.target,
                &pod.namespace,
                &pod.name,
                message,
                evidence,
            ));
        }
        if pod
            .containers
            .iter()
            .all(|c| c.state == crate::facts::State::Unknown)
            && let Some(f) = from_events(cx, Some(pod), &pod.namespace, &pod.name)
        {
            out.push(f);
        }
    }
    for (namespace, name) in super::pods_only_in_events(cx.facts) {
        if let Some(f) = from_events(cx, None, namespace, name) {
            out.push(f);
        }
    }
}

/// A pod whose container states the input does not show (an events table, the Events of a
/// describe whose body was elided): its pull failures within the window, from events alone.
fn from_events(
    cx: &Context<'_>,
    pod: Option<&Pod>,
    namespace: &str,
    name: &str,
) -> Option<Finding> {
    let uid = pod.and_then(|p| p.uid.as_deref());
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut failures = 0u64;
    let mut waits = 0u64;
    let mut detail = String::new();
    let mut image = None;
    let mut last_trouble = None;
    let mut last_success = None;
    for (e, replaced) in cx.facts.events_for("Pod", namespace, name, uid) {
        if replaced || !cx.in_window(e.last) {
            continue;
        }
        if matches!(e.reason.as_str(), "Pulled" | "Started") {
            last_success = last_success.max(e.last);
            continue;
        }
        match pull_event(e) {
            Some(PullEvent::Failure) => {
                failures += e.count;
                detail = e.message.clone();
                image = quoted_image(&e.message).or(image);
            }
            Some(PullEvent::Waiting) => {
                waits += e.count;
                image = image.or_else(|| quoted_image(&e.message));
            }
            None => continue,
        }
        last_trouble = last_trouble.max(e.last);
        evidence.push(cx.evidence(&e.source, &e.summary()));
    }
    // Pulled or started after the last failure: it recovered.
    let recovered = matches!((last_trouble, last_success), (Some(t), Some(s)) if s > t);
    if (failures == 0 && waits == 0) || recovered {
        return None;
    }
    let what = image.map_or_else(|| "an image".to_string(), |i| format!("image \"{i}\""));
    let mut message = if failures > 0 {
        format!(
            "cannot pull {what}: {failures} failed pull{}",
            if failures == 1 { "" } else { "s" }
        )
    } else {
        format!("waits for {what}, which the kubelet cannot pull")
    };
    if let Some(why) = pull_cause(&detail) {
        message.push_str(&format!(" ({why})"));
    }
    message.push_str(" (from events: the input does not show its container states)");
    let target = pod.map_or_else(
        || super::named_like_target(cx, namespace, name),
        |p| p.target,
    );
    Some(finding(target, namespace, name, message, evidence))
}

fn finding(
    target: bool,
    namespace: &str,
    name: &str,
    message: String,
    evidence: Vec<Evidence>,
) -> Finding {
    let mut next_steps = vec![format!(
        "Check that the image exists and the workers can reach its registry: kubectl describe pod{} {name}",
        namespace_flag(namespace)
    )];
    if target {
        next_steps.push("If the image reference was changed by hand, restore it: ibmcloud ks cluster-refresh --cluster <CLUSTER_NAME>".into());
    }
    Finding {
        rule: "",
        severity: if target {
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

/// The first double-quoted string of an event message: the image in the kubelet's wordings.
fn quoted_image(message: &str) -> Option<String> {
    let (_, rest) = message.split_once('"')?;
    let (image, _) = rest.split_once('"')?;
    (!image.is_empty() && !image.contains(char::is_whitespace)).then(|| image.to_string())
}

/// Why a pull failed, from the registry's or the runtime's words.
fn pull_cause(detail: &str) -> Option<&'static str> {
    let d = detail.to_ascii_lowercase();
    if d.is_empty() {
        return None;
    }
    Some(
        if d.contains("toomanyrequests") || d.contains("429 too many requests") {
            "registry rate limit"
        } else if d.contains("pull access denied")
            || d.contains("repository does not exist or may require")
        {
            "image not found, or the registry denies access to it"
        } else if d.contains("manifest unknown")
            || d.contains("not found")
            || d.contains("does not exist")
            || d.contains("name unknown")
        {
            "image or tag not found"
        } else if d.contains("unauthorized")
            || d.contains("denied")
            || d.contains("authorization failed")
            || d.contains("authentication required")
            || d.contains("403 forbidden")
            || d.contains("no credentials")
        {
            "registry authorization failed"
        } else if d.contains("x509") || d.contains("certificate") {
            "registry TLS certificate error"
        } else if d.contains("no such host") {
            "registry name not resolved (DNS)"
        } else if d.contains("timeout")
            || d.contains("deadline exceeded")
            || d.contains("request canceled")
            || d.contains("connection refused")
            || d.contains("network is unreachable")
            || d.contains("no route to host")
        {
            "registry not reachable"
        } else if d.contains("with pull policy of never") {
            "image not on the node, and pull policy Never"
        } else if d.contains("invalid reference format")
            || d.contains("failed to apply default image tag")
        {
            "invalid image name"
        } else {
            return None;
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real messages (see the rule's documentation for their sources).
    #[test]
    fn causes() {
        let cases = [
            (
                "Failed to pull image \"calico/cni:v3.15.0\": rpc error: code = Unknown desc = failed to pull and unpack image \"docker.io/calico/cni:v3.15.0\": failed to copy: httpReaderSeeker: failed open: unexpected status code https://registry-1.docker.io/v2/calico/cni/manifests/sha256:0534: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull rate limit.",
                "registry rate limit",
            ),
            (
                "Failed to pull image \"rmeuser-auth:latest\": rpc error: code = Unknown desc = Error response from daemon: pull access denied for rmeuser-auth, repository does not exist or may require 'docker login'",
                "image not found, or the registry denies access to it",
            ),
            (
                "Failed to pull image \"quay.io/ukhomeofficedigital/s3registry:v2.0.0-bob\": image pull failed for quay.io/ukhomeofficedigital/s3registry:v2.0.0-bob, this may be because there are no credentials on this request.  details: (Tag v2.0.0-bob not found in repository quay.io/ukhomeofficedigital/s3registry)",
                "image or tag not found",
            ),
            (
                "Failed to pull image \"quay.io/calico/cni:v3.1.3\": rpc error: code = Unknown desc = Error response from daemon: Get https://quay.io/v2/calico/cni/manifests/v3.1.3: net/http: request canceled while waiting for connection (Client.Timeout exceeded while awaiting headers)",
                "registry not reachable",
            ),
            (
                "Failed to pull image \"noimage.com/no-such-image\": rpc error: code = Unknown desc = Error response from daemon: Get \"https://noimage.com/v2/\": x509: certificate is not valid for any names, but wanted to match noimage.com",
                "registry TLS certificate error",
            ),
            (
                "Container image \"x:1\" is not present with pull policy of Never",
                "image not on the node, and pull policy Never",
            ),
        ];
        for (message, cause) in cases {
            assert_eq!(pull_cause(message), Some(cause), "{message}");
        }
        assert_eq!(pull_cause("Error: ImagePullBackOff"), None);
    }

    #[test]
    fn wordings() {
        let event = |reason: &str, message: &str| Event {
            reason: reason.into(),
            message: message.into(),
            ..Event::default()
        };
        for (reason, message, want) in [
            (
                "Failed",
                "Failed to pull image \"a:1\": x",
                Some(PullEvent::Failure),
            ),
            (
                "failed",
                "Failed to pull image \"a:1\": x",
                Some(PullEvent::Failure),
            ),
            ("Failed", "Error: ErrImagePull", Some(PullEvent::Waiting)),
            (
                "Failed",
                "spec.containers{a}: Error: ImagePullBackOff",
                Some(PullEvent::Waiting),
            ),
            (
                "BackOff",
                "Back-off pulling image \"a:1\"",
                Some(PullEvent::Waiting),
            ),
            (
                "FailedSync",
                "Error syncing pod, skipping: failed to \"StartContainer\" for \"a\" with ErrImagePull: \"x\"",
                Some(PullEvent::Waiting),
            ),
            (
                "InspectFailed",
                "Failed to apply default image tag \"A\": couldn't parse image reference \"A\": invalid reference format: repository name must be lowercase",
                Some(PullEvent::Failure),
            ),
            ("Pulling", "pulling image \"a:1\"", None),
            ("Pulled", "Successfully pulled image \"a:1\"", None),
            ("BackOff", "Back-off restarting failed container", None),
        ] {
            assert_eq!(
                pull_event(&event(reason, message)),
                want,
                "{reason} {message}"
            );
        }
        assert_eq!(
            quoted_image("Back-off pulling image \"a/b:1\""),
            Some("a/b:1".into())
        );
        assert_eq!(quoted_image("Error: ErrImagePull"), None);
    }
}
