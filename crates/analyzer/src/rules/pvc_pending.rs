//! A PersistentVolumeClaim is not bound (Pending or Lost), so the pods that mount it cannot
//! start.
//!
//! ## What it detects
//!
//! - A PersistentVolumeClaim in phase `Lost`, or `Pending` with a warning event about it in the
//!   window (`ProvisioningFailed`, `FailedBinding`) or with a pod of the input waiting on it;
//!   a claim Pending only because its StorageClass waits for a first consumer
//!   (`WaitForFirstConsumer`) and no pod uses it yet is normal and not reported, nor is a
//!   claim created less than a minute before the reference time.
//! - A claim the input shows only through such warning events.
//! - A pod the scheduler cannot place because of an unbound claim (`FailedScheduling` with
//!   `pod has unbound immediate PersistentVolumeClaims`) whose claims the input does not hold:
//!   the subject is then the pod.
//!
//! The message gives the phase, the StorageClass (when the claim names one) and the latest
//! provisioner or binder message; the pods waiting on the claim are listed. Critical when a pod
//! of the expected workload waits on it, warning otherwise. `FailedMount` and
//! `FailedAttachVolume` on a pod are reported by `pod-pending`.
//!
//! ### Wordings
//!
//! | Wording | Where it comes from |
//! |---|---|
//! | `ProvisioningFailed`: `storageclass.storage.k8s.io "X" not found` | kube-controller-manager persistentvolume controller, K8s 1.6 to 1.32 |
//! | `ProvisioningFailed`: `failed to provision volume with StorageClass "X": ...` | external-provisioner sidecars (CSI), 1.x to 5.x |
//! | `FailedBinding`: `no persistent volumes available for this claim and no storage class is set` | persistentvolume controller, K8s 1.9 to 1.32 |
//! | `FailedScheduling`: `... pod has unbound immediate PersistentVolumeClaims ...` | kube-scheduler VolumeBinding plugin, K8s 1.17 to 1.32 (`running "VolumeBinding" filter plugin for pod "P": pod has unbound immediate PersistentVolumeClaims` in 1.17 to 1.19) |
//! | `WaitForFirstConsumer` (Normal): `waiting for first consumer to be created before binding` | persistentvolume controller, K8s 1.12 to 1.32 |
//!
//! ## Why it matters
//!
//! A pod whose claim is not bound stays Pending: no node is chosen, nothing starts, and the
//! pod's own events only say the claim is unbound. The claim's events name the provisioner's or
//! the binder's reason.
//!
//! ## Runbook step
//!
//! "If the calico-kube-controllers Pod is Not Running At All" (a Pending pod): when the pod waits on a
//! claim, look at the claim and its StorageClass. Fix the StorageClass or the provisioner, or
//! create a PersistentVolume that matches the claim.
//!
//! ## Example
//!
//! ```text
//! WARNING [pvc-pending] PersistentVolumeClaim/monitoring/data-prometheus-0
//!   Pending for 2h10m, StorageClass fast-ssd: ProvisioningFailed (x31): storageclass.storage.k8s.io "fast-ssd" not found; pods waiting on it: prometheus-0
//!   evidence:
//!     cluster.yaml: PersistentVolumeClaim data-prometheus-0 phase Pending
//!     cluster.yaml: ProvisioningFailed (x31) storageclass.storage.k8s.io "fast-ssd" not found
//!   next steps:
//!     - kubectl describe pvc -n monitoring data-prometheus-0
//!     - kubectl get storageclass (the claim's class must exist and its provisioner run)
//! ```

use std::collections::{BTreeMap, BTreeSet};

use kbundle_format::json::{array_at, str_at, timestamp_at};

use crate::Context;
use crate::facts::Source;
use crate::report::{Finding, Severity, Subject};

const UNBOUND: &str = "unbound immediate persistentvolumeclaims";

struct Claim {
    phase: String,
    class: String,
    created: Option<jiff::Timestamp>,
    uid: Option<String>,
    source: Option<Source>,
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // (namespace, claim) -> pods (name, target) that mount it.
    let mut users: BTreeMap<(String, String), Vec<(String, bool)>> = BTreeMap::new();
    for o in super::objects(cx, "", "Pod") {
        let phase = str_at(&o.value, "/status/phase");
        if phase == "Succeeded" || phase == "Failed" {
            continue;
        }
        let target = || {
            cx.target_pods()
                .any(|p| p.namespace == o.namespace() && p.name == o.name())
        };
        for vol in array_at(&o.value, "/spec/volumes") {
            let claim = str_at(vol, "/persistentVolumeClaim/claimName");
            if !claim.is_empty() {
                users
                    .entry((o.namespace().to_string(), claim.to_string()))
                    .or_default()
                    .push((o.name().to_string(), target()));
            }
        }
    }
    let mut claims: BTreeMap<(String, String), Claim> = BTreeMap::new();
    for o in super::objects(cx, "", "PersistentVolumeClaim") {
        claims.insert(
            (o.namespace().to_string(), o.name().to_string()),
            Claim {
                phase: str_at(&o.value, "/status/phase").to_string(),
                class: str_at(&o.value, "/spec/storageClassName").to_string(),
                created: timestamp_at(&o.value, "/metadata/creationTimestamp"),
                uid: o.uid().map(String::from),
                source: Some(Source::of(o)),
            },
        );
    }
    // Claims the input shows only through warning events.
    for e in &cx.facts.events {
        let r = &e.regarding;
        if r.kind == "PersistentVolumeClaim"
            && e.type_ == "Warning"
            && cx.in_window(e.last)
            && !r.namespace.is_empty()
            && !r.name.is_empty()
        {
            claims
                .entry((r.namespace.clone(), r.name.clone()))
                .or_insert_with(|| Claim {
                    phase: String::new(),
                    class: String::new(),
                    created: None,
                    uid: None,
                    source: None,
                });
        }
    }
    let mut reported_pods: BTreeSet<(String, String)> = BTreeSet::new();
    for ((namespace, name), claim) in &claims {
        if !(claim.phase.is_empty() || claim.phase == "Pending" || claim.phase == "Lost") {
            continue;
        }
        let waiting = users
            .get(&(namespace.clone(), name.clone()))
            .cloned()
            .unwrap_or_default();
        let mut warnings = Vec::new();
        let mut evidence = Vec::new();
        if let Some(source) = &claim.source {
            evidence.push(cx.evidence(
                source,
                &format!(
                    "PersistentVolumeClaim {name} phase {}",
                    if claim.phase.is_empty() {
                        "not shown"
                    } else {
                        &claim.phase
                    }
                ),
            ));
        }
        for (e, replaced) in cx.facts.events_for(
            "PersistentVolumeClaim",
            namespace,
            name,
            claim.uid.as_deref(),
        ) {
            if replaced || e.type_ != "Warning" || !cx.in_window(e.last) {
                continue;
            }
            warnings.push(e);
            if evidence.len() < 4 {
                evidence.push(cx.evidence(&e.source, &e.summary()));
            }
        }
        let lost = claim.phase == "Lost";
        if !lost && warnings.is_empty() && waiting.is_empty() {
            continue;
        }
        if !lost && cx.age(claim.created).is_some_and(|a| a.as_secs() < 60) {
            continue;
        }
        let mut parts = vec![if claim.phase.is_empty() {
            "not bound".to_string()
        } else {
            format!("{}{}", claim.phase, cx.lasting(claim.created))
        }];
        if !claim.class.is_empty() {
            parts.push(format!("StorageClass {}", claim.class));
        }
        let mut message = parts.join(", ");
        if let Some(e) = warnings.last() {
            let count = if e.count > 1 {
                format!(" (x{})", e.count)
            } else {
                String::new()
            };
            message.push_str(&format!(": {}{count}", e.reason));
            message.push_str(&super::clause(&[&e.message], ": ", ""));
        }
        if !waiting.is_empty() {
            let names: Vec<&str> = waiting.iter().map(|(p, _)| p.as_str()).collect();
            message.push_str(&format!("; pods waiting on it: {}", names.join(", ")));
            for (p, _) in &waiting {
                reported_pods.insert((namespace.clone(), p.clone()));
            }
        }
        let ns_flag = super::namespace_flag(namespace);
        out.push(Finding {
            rule: "",
            severity: if waiting.iter().any(|(_, t)| *t) {
                Severity::Critical
            } else {
                Severity::Warning
            },
            subject: Subject::new("PersistentVolumeClaim", namespace, name),
            message: crate::report::shorten(&message, 400),
            evidence,
            next_steps: vec![
                format!("kubectl describe pvc{ns_flag} {name}"),
                "kubectl get storageclass (the claim's class must exist and its provisioner run)"
                    .to_string(),
            ],
        });
    }
    // Pods the scheduler holds back for an unbound claim the input does not show.
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for e in &cx.facts.events {
        let r = &e.regarding;
        if r.kind != "Pod"
            || e.reason != "FailedScheduling"
            || !cx.in_window(e.last)
            || !e.message.to_ascii_lowercase().contains(UNBOUND)
        {
            continue;
        }
        let key = (r.namespace.clone(), r.name.clone());
        if reported_pods.contains(&key) || !seen.insert(key) {
            continue;
        }
        let pod = cx
            .facts
            .pods
            .iter()
            .find(|p| p.namespace == r.namespace && p.name == r.name);
        if pod.is_some_and(|p| p.phase != "Pending" || p.deleting) {
            continue;
        }
        let target = pod.map_or_else(
            || super::named_like_target(cx, &r.namespace, &r.name),
            |p| p.target,
        );
        out.push(Finding {
            rule: "",
            severity: if target {
                Severity::Critical
            } else {
                Severity::Warning
            },
            subject: Subject::new("Pod", &r.namespace, &r.name),
            message: "waiting on an unbound PersistentVolumeClaim the input does not hold"
                .to_string(),
            evidence: vec![cx.evidence(&e.source, &e.summary())],
            next_steps: vec![format!(
                "kubectl get pvc{} (and kubectl describe pod{} {})",
                super::namespace_flag(&r.namespace),
                super::namespace_flag(&r.namespace),
                r.name
            )],
        });
    }
}
