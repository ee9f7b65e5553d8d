//! Whether the input shows that Calico runs in its cluster, which the Calico findings (the
//! missing calico-kube-controllers, the runbook's next steps) need: a text archive of another
//! cluster (OpenShift SDN, flannel, weave) lacks calico-kube-controllers because it never had
//! it.

use crate::facts::{Facts, Source};

/// What shows Calico runs.
#[derive(Debug, Clone)]
pub(crate) struct Shown {
    /// What it is, e.g. `calico-node pod kube-system/calico-node-kwvrq`.
    pub what: String,
    /// Where.
    pub source: Source,
    /// The namespace Calico's workloads run in, when that is what shows it.
    pub namespace: Option<String>,
}

/// Calico's own workloads, by name.
const WORKLOADS: &[&str] = &[
    "calico-node",
    "calico-kube-controllers",
    "calico-typha",
    "tigera-operator",
];

/// Namespaces only Calico creates.
const NAMESPACES: &[&str] = &["calico-system", "tigera-operator"];

/// Whether a pod name belongs to one of Calico's workloads (`calico-node-x2x7k`).
fn calico_pod(name: &str) -> bool {
    WORKLOADS.iter().any(|w| {
        name.strip_prefix(w)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|rest| !rest.is_empty())
    })
}

/// Whether an API group is Calico's or the Tigera operator's.
fn calico_group(group: &str) -> bool {
    group == "projectcalico.org"
        || group == "crd.projectcalico.org"
        || group == "operator.tigera.io"
}

/// The first thing in the input that shows Calico runs: one of its pods or workloads, its
/// custom resources or their definitions, an Installation, the calico-system or
/// tigera-operator namespace, or events about its pods.
pub(crate) fn shown(facts: &Facts) -> Option<Shown> {
    if let Some(p) = facts.pods.iter().find(|p| {
        calico_pod(&p.name) || p.labels.get("k8s-app").is_some_and(|a| a == "calico-node")
    }) {
        return Some(Shown {
            what: format!("pod {}", p.id()),
            source: p.source.clone(),
            namespace: Some(p.namespace.clone()),
        });
    }
    if let Some(w) = facts
        .workloads
        .iter()
        .find(|w| WORKLOADS.contains(&w.name.as_str()))
    {
        return Some(Shown {
            what: format!("{} {}/{}", w.kind, w.namespace, w.name),
            source: w.source.clone(),
            namespace: Some(w.namespace.clone()),
        });
    }
    if let Some(m) = facts.metas.iter().find(|m| {
        calico_group(&m.group)
            || (m.kind == "CustomResourceDefinition"
                && (m.name.ends_with(".projectcalico.org") || m.name.ends_with(".tigera.io")))
            || NAMESPACES.contains(&m.namespace.as_str())
            || (m.kind == "Namespace" && NAMESPACES.contains(&m.name.as_str()))
    }) {
        return Some(Shown {
            what: if m.namespace.is_empty() {
                format!("{} {}", m.kind, m.name)
            } else {
                format!("{} {}/{}", m.kind, m.namespace, m.name)
            },
            source: m.source.clone(),
            namespace: NAMESPACES
                .contains(&m.namespace.as_str())
                .then(|| m.namespace.clone()),
        });
    }
    if let Some(ns) = NAMESPACES
        .iter()
        .find(|ns| facts.namespaces.contains_key(**ns))
    {
        return Some(Shown {
            what: format!("namespace {ns}"),
            source: Source::default(),
            namespace: None,
        });
    }
    facts
        .events
        .iter()
        .find(|e| e.regarding.kind == "Pod" && calico_pod(&e.regarding.name))
        .map(|e| Shown {
            what: format!(
                "events about pod {}/{}",
                e.regarding.namespace, e.regarding.name
            ),
            source: e.source.clone(),
            namespace: Some(e.regarding.namespace.clone()).filter(|n| !n.is_empty()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Meta, Pod};

    #[test]
    fn pods_of_calico_workloads() {
        assert!(calico_pod("calico-node-kwvrq"));
        assert!(calico_pod("calico-kube-controllers-544658cf79-fprvm"));
        assert!(!calico_pod("calico-node"));
        assert!(!calico_pod("calicoctl"));
        assert!(!calico_pod("coredns-d76bd69b-tr9q6"));
    }

    #[test]
    fn what_shows_calico() {
        let mut f = Facts::default();
        assert!(shown(&f).is_none());
        f.pods.push(Pod {
            namespace: "kube-system".into(),
            name: "coredns-d76bd69b-tr9q6".into(),
            ..Pod::default()
        });
        assert!(shown(&f).is_none());
        f.metas.push(Meta {
            group: "crd.projectcalico.org".into(),
            kind: "IPPool".into(),
            name: "default-ipv4-ippool".into(),
            ..Meta::default()
        });
        assert_eq!(
            shown(&f).map(|s| s.what).as_deref(),
            Some("IPPool default-ipv4-ippool")
        );
        f.pods.push(Pod {
            namespace: "kube-system".into(),
            name: "calico-node-kwvrq".into(),
            ..Pod::default()
        });
        let s = shown(&f);
        assert_eq!(
            s.as_ref().and_then(|s| s.namespace.as_deref()),
            Some("kube-system")
        );
    }
}
