//! Liveness, readiness or startup probes of a container fail repeatedly.
//!
//! ## What it detects
//!
//! Per pod and probe kind, the `Unhealthy` events within the window (`Liveness probe failed:
//! ...`, `Readiness probe errored: ...`), counted with their `count`, and the kubelet's kills
//! after a failed liveness or startup probe (`Killing`: `Container X failed liveness probe,
//! will be restarted`). It fires when a probe kind failed at least 3 times (the kubelet's
//! default `failureThreshold`) or a probe killed the container. A single recovered blip is not
//! a finding: fewer failures, or readiness failures of a pod that the input shows Ready again
//! with its last failure more than 5 minutes before the reference time, are left out. Probe
//! errors from a container that is not running (`container not running`,
//! `CONTAINER_EXITED`) say nothing about the probe and are not counted.
//!
//! Warning; critical when a probe killed a container of the expected workload. The message
//! gives the counts per probe kind and the last probe output; the subject is the Pod.
//!
//! ### Wordings
//!
//! | Wording | Where it comes from |
//! |---|---|
//! | `Liveness probe failed: ...`, `Readiness probe failed: ...`, `Startup probe failed: ...` (reason `Unhealthy`) | kubelet `prober.go`, every version (projectcalico/calico#6642, K8s 1.24) |
//! | `Readiness probe errored: rpc error: code = Unknown desc = http: invalid Host header` | kubelet, K8s 1.2x (signatures.md §3) |
//! | `Container X failed liveness probe, will be restarted`, `... failed startup probe, will be restarted` (reason `Killing`) | kubelet `kuberuntime_manager.go`, K8s 1.16+ (projectcalico/calico#7992) |
//! | `Readiness probe failed: Error verifying datastore: etcdserver: request timed out`, `Liveness probe failed: command "/usr/bin/check-status -l" timed out` | calico-kube-controllers' `check-status` probe (signatures.md §3, §7) |
//!
//! ## Why it matters
//!
//! A failing liveness probe restarts the container (and a crash loop follows); a failing
//! readiness probe takes the pod out of its Services. The probe output often names the cause
//! (a datastore it cannot reach, a timeout).
//!
//! ## Runbook step
//!
//! "calico-kube-controllers in CrashLoopBackOff or Restarting Often": `kubectl describe pod`
//! shows the probe failures; read the probe output and the container's logs. A probe that
//! times out on a loaded node may need a longer `timeoutSeconds`.
//!
//! ## Example
//!
//! ```text
//! CRITICAL [probe-failure] Pod/calico-system/calico-kube-controllers-6f8c9d7b5-x2x7k
//!   liveness probe failed 6 times, killed 2 times by its liveness probe; last: Liveness probe failed: command "/usr/bin/check-status -l" timed out
//!   evidence:
//!     cluster.yaml: Killing (x2) Container calico-kube-controllers failed liveness probe, will be restarted
//!   next steps:
//!     - See the probes and their failures: kubectl describe pod -n calico-system calico-kube-controllers-6f8c9d7b5-x2x7k
//! ```

use std::collections::BTreeMap;

use jiff::SignedDuration;

use crate::Context;
use crate::facts::Event;
use crate::report::{Finding, Severity, Subject};

/// Failures of one probe kind at or above which it is a finding.
const THRESHOLD: u64 = 3;

const KINDS: &[&str] = &["liveness", "readiness", "startup"];

/// The probe kind of a failed-probe event (`liveness`, `readiness`, `startup`) and whether the
/// container was killed for it.
fn probe(e: &Event) -> Option<(&'static str, bool)> {
    let m = e.message.to_ascii_lowercase();
    match e.reason.as_str() {
        "Unhealthy" => {
            if m.contains("container not running") || m.contains("container_exited") {
                return None;
            }
            KINDS
                .iter()
                .find(|k| {
                    m.starts_with(&format!("{k} probe failed"))
                        || m.starts_with(&format!("{k} probe errored"))
                })
                .map(|k| (*k, false))
        }
        "Killing" => ["liveness", "startup"]
            .into_iter()
            .find(|k| m.contains(&format!("failed {k} probe")))
            .map(|k| (k, true)),
        _ => None,
    }
}

/// A pod's failures by probe kind, and the events that tell them.
type PodProbes<'a> = (BTreeMap<&'static str, Count>, Vec<&'a Event>);

#[derive(Default)]
struct Count {
    failures: u64,
    kills: u64,
    last: Option<jiff::Timestamp>,
    last_output: String,
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // (namespace, pod) -> probe kind -> counts, with the events as evidence.
    let mut pods: BTreeMap<(&str, &str), PodProbes<'_>> = BTreeMap::new();
    for e in &cx.facts.events {
        if e.regarding.kind != "Pod" || !cx.in_window(e.last) {
            continue;
        }
        let Some((kind, kill)) = probe(e) else {
            continue;
        };
        let (kinds, events) = pods
            .entry((e.regarding.namespace.as_str(), e.regarding.name.as_str()))
            .or_default();
        let c = kinds.entry(kind).or_default();
        let n = e.count.max(1);
        if kill {
            c.kills += n;
        } else {
            c.failures += n;
            if c.last.is_none() || e.last > c.last {
                c.last = e.last;
                c.last_output = e.message.clone();
            }
        }
        events.push(e);
    }
    for ((namespace, name), (kinds, events)) in pods {
        let pod = cx
            .facts
            .pods
            .iter()
            .find(|p| p.name == name && (p.namespace == namespace || namespace.is_empty()));
        let ready_now = pod
            .and_then(|p| p.condition("Ready"))
            .is_some_and(|c| c.status == "True");
        let mut parts = Vec::new();
        let mut last_output = String::new();
        let mut kills = 0;
        for (kind, c) in &kinds {
            let recovered = *kind == "readiness"
                && ready_now
                && cx
                    .age(c.last)
                    .is_some_and(|age| age > SignedDuration::from_mins(5));
            if c.kills == 0 && (c.failures < THRESHOLD || recovered) {
                continue;
            }
            kills += c.kills;
            let mut part = String::new();
            if c.failures > 0 {
                part.push_str(&format!(
                    "{kind} probe failed {} time{}",
                    c.failures,
                    if c.failures == 1 { "" } else { "s" }
                ));
            }
            if c.kills > 0 {
                if !part.is_empty() {
                    part.push_str(", ");
                }
                part.push_str(&format!(
                    "killed {} time{} by its {kind} probe",
                    c.kills,
                    if c.kills == 1 { "" } else { "s" }
                ));
            }
            parts.push(part);
            if !c.last_output.is_empty() {
                last_output.clone_from(&c.last_output);
            }
        }
        if parts.is_empty() {
            continue;
        }
        let mut message = parts.join("; ");
        if !last_output.is_empty() {
            message.push_str(&format!("; last: {last_output}"));
        }
        let target = pod.is_some_and(|p| p.target) || super::named_like_target(cx, namespace, name);
        let ns = super::namespace_flag(namespace);
        out.push(Finding {
            rule: "",
            severity: if kills > 0 && target {
                Severity::Critical
            } else {
                Severity::Warning
            },
            subject: Subject::new("Pod", namespace, name),
            message,
            evidence: events
                .iter()
                .map(|e| cx.evidence(&e.source, &e.summary()))
                .collect(),
            next_steps: vec![
                format!("See the probes and their failures: kubectl describe pod{ns} {name}"),
                format!("Read its logs around the failures: kubectl logs{ns} {name} (and --previous after a kill)"),
                "A probe that times out on a loaded node may need a longer timeoutSeconds".to_string(),
            ],
        });
    }
}
