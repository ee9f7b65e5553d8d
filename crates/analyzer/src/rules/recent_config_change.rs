//! Configuration that was created or changed within the window before the reference time.
//!
//! ## What it detects
//!
//! Objects created, or whose configuration (anything but `status`, `metadata` and webhook
//! `caBundle`s, outside the `status` subresource) was last written, within the window,
//! according to `metadata.creationTimestamp` and `metadata.managedFields`:
//!
//! - Calico resources (`crd.projectcalico.org`, `projectcalico.org`, `operator.tigera.io`):
//!   warning; not the data Calico writes itself (`IPAMBlock`, `BlockAffinity`, `IPAMHandle`,
//!   `ClusterInformation`, Calico `Node`, `WorkloadEndpoint`, automatic host endpoints,
//!   status kinds);
//! - NetworkPolicies (`networking.k8s.io`): warning;
//! - webhook configurations (`admissionregistration.k8s.io`): warning;
//! - the expected workload's own spec: warning;
//! - ConfigMaps in the workload's namespace (except `kube-root-ca.crt`): info.
//!
//! The message says when (relative to the reference time) and by which manager and operation
//! (`kubectl-edit Update`, `helm Apply`, ...). Changes older than the window are not
//! reported. The subject is the changed object.
//!
//! ## Why it matters
//!
//! IKS/ROKS deploy and configure Calico themselves; "only Calico settings that are
//! specifically described in the IKS/ROKS documentation should be changed". A change made
//! shortly before the problem started is the first suspect.
//!
//! ## Runbook step
//!
//! "calico-kube-controllers in CrashLoopBackOff or Restarting Often": "examine what changes
//! have been made to the cluster recently that might be directly or indirectly causing the
//! problem": Calico configuration changes, Calico or Kubernetes network policy changes.
//! Revert unsupported changes; a master refresh restores the supported Calico configuration.
//!
//! ## Example
//!
//! ```text
//! WARNING [recent-config-change] FelixConfiguration/default
//!   crd.projectcalico.org FelixConfiguration default changed 2h10m before the reference time by kubectl-edit (Update)
//!   evidence:
//!     cluster.yaml: FelixConfiguration default: changed at 2025-03-14T07:50:00Z
//!   next steps:
//!     - See what changed: kubectl get felixconfiguration default -o yaml --show-managed-fields
//! ```

use crate::facts::Meta;
use crate::report::{Finding, Severity, Subject};
use crate::{Context, report_duration};

/// Calico kinds that hold data Calico writes itself as pods and nodes come and go (IP
/// allocations, endpoints, status), not configuration.
const CALICO_DATA: &[&str] = &[
    "IPAMBlock",
    "BlockAffinity",
    "IPAMHandle",
    "ClusterInformation",
    "Node",
    "WorkloadEndpoint",
    "CalicoNodeStatus",
    "TigeraStatus",
];

fn severity_of(cx: &Context<'_>, m: &Meta) -> Option<Severity> {
    let t = &cx.target;
    let calico = matches!(
        m.group.as_str(),
        "crd.projectcalico.org" | "projectcalico.org" | "operator.tigera.io"
    );
    if calico
        && (CALICO_DATA.contains(&m.kind.as_str())
            || (m.kind == "HostEndpoint" && m.name.ends_with("-auto-hep")))
    {
        return None;
    }
    match (m.group.as_str(), m.kind.as_str()) {
        ("crd.projectcalico.org" | "projectcalico.org" | "operator.tigera.io", _) => {
            Some(Severity::Warning)
        }
        ("networking.k8s.io", "NetworkPolicy") => Some(Severity::Warning),
        (
            "admissionregistration.k8s.io",
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration",
        ) => Some(Severity::Warning),
        (_, kind) if kind == t.kind && m.namespace == t.namespace && m.name == t.name => {
            Some(Severity::Warning)
        }
        ("", "ConfigMap") if m.namespace == t.namespace && m.name != "kube-root-ca.crt" => {
            Some(Severity::Info)
        }
        _ => None,
    }
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if cx.now.is_none() {
        return;
    }
    for m in &cx.facts.metas {
        let Some(severity) = severity_of(cx, m) else {
            continue;
        };
        // The latest configuration write, else the creation.
        let write = m
            .managed
            .iter()
            .filter(|f| f.owns_config && f.subresource.is_empty() && f.time.is_some())
            .max_by_key(|f| f.time);
        let (when, how) = match (write, m.created) {
            (Some(w), Some(c)) if w.time <= Some(c) => (
                Some(c),
                format!("created by {} ({})", w.manager, w.operation),
            ),
            (Some(w), _) => (
                w.time,
                format!("changed by {} ({})", w.manager, w.operation),
            ),
            (None, Some(c)) => {
                let by = m
                    .managed
                    .iter()
                    .min_by_key(|f| f.time)
                    .map(|f| f.manager.clone());
                (
                    Some(c),
                    by.map_or_else(|| "created".to_string(), |b| format!("created by {b}")),
                )
            }
            (None, None) => continue,
        };
        if !cx.in_window(when) {
            continue;
        }
        let age = cx.age(when).map_or_else(String::new, |a| {
            if a.is_negative() {
                format!(" {} after", report_duration(-a))
            } else {
                format!(" {} before", report_duration(a))
            }
        });
        let (verb, by) = how
            .split_once(" by ")
            .map_or((how.as_str(), ""), |(v, b)| (v, b));
        let group = if m.group.is_empty() {
            "core".to_string()
        } else {
            m.group.clone()
        };
        let name = if m.namespace.is_empty() {
            m.name.clone()
        } else {
            format!("{}/{}", m.namespace, m.name)
        };
        let mut message = format!("{group} {} {name} {verb}{age} the reference time", m.kind);
        if !by.is_empty() {
            message.push_str(&format!(" by {by}"));
        }
        let excerpt = format!(
            "{} {}: {} at {}",
            m.kind,
            name,
            verb,
            when.map_or("?".to_string(), |t| t.to_string())
        );
        let mut next_steps = vec![format!(
            "See what changed: kubectl get {} {}{} -o yaml --show-managed-fields",
            m.kind.to_ascii_lowercase(),
            m.name,
            if m.namespace.is_empty() {
                String::new()
            } else {
                format!(" -n {}", m.namespace)
            }
        )];
        if m.group.contains("projectcalico") || m.group == "operator.tigera.io" {
            next_steps.push("Only Calico settings described in the IKS/ROKS documentation may be changed: revert others, or refresh the master to restore them".into());
        }
        out.push(Finding {
            rule: "",
            severity,
            subject: Subject::new(&m.kind, &m.namespace, &m.name),
            message,
            evidence: vec![cx.evidence(&m.source, &excerpt)],
            next_steps,
        });
    }
}
