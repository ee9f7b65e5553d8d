//! troubleshoot.sh support bundles (`kubectl support-bundle`, replicatedhq/troubleshoot).
//!
//! The root is the folder holding `version.yaml` (troubleshoot's own version, `kind:
//! SupportBundle`) next to `cluster-resources/` or `cluster-info/`. Objects are Lists under
//! `cluster-resources/<type>/<namespace>.json` or `cluster-resources/<type>.json`; custom
//! resources are arrays under `cluster-resources/custom-resources/<plural.group>/<ns>.json|yaml`
//! (the JSON is used when both exist); logs are
//! `cluster-resources/pods/logs/<ns>/<pod>/<container>[-previous].log`; the API server's version
//! is `cluster-info/cluster_version.json`; `*-errors.json` and `collector-errors/` list what could
//! not be collected and are noted as ignored entries. `all-logs/` holds symlinks, which the
//! reader skips. Other collectors' files (outside `cluster-resources/`) are texts.

use std::collections::HashSet;

use super::{Class, Detected, Importer, InputView, is_object_file, kubectl_text, parent};
use crate::archive::{Archive, EntryInfo};
use crate::error::Result;
use crate::snapshot::{Layout, TextKind};

pub(crate) struct Troubleshoot;

/// Paths only troubleshoot writes (below the root), for bundles without `version.yaml`.
const TROUBLESHOOT_MARKERS: &[&str] = &[
    "cluster-info/cluster_version.json",
    "cluster-resources/pods/logs",
    "cluster-resources/namespaces.json",
    "cluster-resources/nodes.json",
];

/// How many `version.yaml` files are read to recognise a bundle without `cluster-resources/`.
const MAX_CONTENT_CHECKS: usize = 4;

impl Importer for Troubleshoot {
    fn layout(&self) -> Layout {
        Layout::Troubleshoot
    }

    fn detect(&self, archive: &Archive) -> Result<Option<Detected>> {
        // Folders holding `cluster-resources/` or `cluster-info/`: one pass over the entries.
        let mut structured: HashSet<&str> = HashSet::new();
        for e in archive.entries() {
            let mut at = 0;
            for part in e.path.split('/') {
                if matches!(part, "cluster-resources" | "cluster-info") {
                    let root = e.path.get(..at).unwrap_or_default();
                    structured.insert(root.strip_suffix('/').unwrap_or(root));
                }
                at += part.len() + 1;
            }
        }
        let mut candidates: Vec<&str> = archive
            .entries()
            .iter()
            .filter(|e| e.path == "version.yaml" || e.path.ends_with("/version.yaml"))
            .map(|e| parent(&e.path))
            .collect();
        candidates.sort_by_key(|r| (r.matches('/').count(), r.len()));
        if let Some(root) = candidates.iter().find(|r| structured.contains(*r)) {
            return Ok(Some(Detected {
                root: root.to_string(),
                manifest: None,
            }));
        }
        // Older bundles have no version.yaml: troubleshoot's own paths say what they are.
        let mut marked: Vec<&str> = Vec::new();
        for e in archive.entries() {
            for m in TROUBLESHOOT_MARKERS {
                let Some(at) = e.path.find(m) else { continue };
                let (before, after) = (
                    e.path.get(..at).unwrap_or_default(),
                    e.path.get(at + m.len()..).unwrap_or_default(),
                );
                if (before.is_empty() || before.ends_with('/'))
                    && (after.is_empty() || after.starts_with('/'))
                {
                    marked.push(before.strip_suffix('/').unwrap_or(before));
                }
            }
        }
        marked.sort_by_key(|r| (r.matches('/').count(), r.len()));
        if let Some(root) = marked.first() {
            return Ok(Some(Detected {
                root: root.to_string(),
                manifest: None,
            }));
        }
        // A bundle of host collectors only: troubleshoot's version.yaml says what it is.
        for root in candidates.into_iter().take(MAX_CONTENT_CHECKS) {
            let ours = archive
                .read_bytes(&super::join(root, "version.yaml"), 64 << 10)
                .is_ok_and(|b| {
                    let text = String::from_utf8_lossy(&b);
                    text.contains("troubleshoot.sh/") && text.contains("SupportBundle")
                });
            if ours {
                return Ok(Some(Detected {
                    root: root.to_string(),
                    manifest: None,
                }));
            }
        }
        Ok(None)
    }

    fn classify(&self, rel: &str, entry: &EntryInfo) -> Class {
        let parts: Vec<&str> = rel.split('/').collect();
        let file = parts.last().copied().unwrap_or_default();
        match parts.as_slice() {
            ["version.yaml"] | ["analysis.json"] => return Class::Ignore,
            ["cluster-info", "cluster_version.json"] => return Class::Version,
            ["cluster-resources", "pods", "logs", ns, pod, file] => {
                return match file.strip_suffix(".log") {
                    Some(stem) => {
                        let (container, previous) = match stem.strip_suffix("-previous") {
                            Some(c) => (c, true),
                            None => (stem, false),
                        };
                        if container.is_empty() || ns.is_empty() || pod.is_empty() {
                            Class::Text(TextKind::Other)
                        } else {
                            Class::Log {
                                namespace: ns.to_string(),
                                pod: pod.to_string(),
                                container: Some(container.to_string()),
                                previous,
                            }
                        }
                    }
                    None => Class::Text(TextKind::Other),
                };
            }
            // API discovery and RBAC self-reviews: not objects.
            ["cluster-resources", "groups.json" | "resources.json"] => return Class::Ignore,
            ["cluster-resources", "auth-cani-list", ..] => return Class::Ignore,
            ["all-logs", ..] => return Class::Ignore,
            ["collector-errors", ..] if file.ends_with(".json") => return Class::Errors,
            _ => {}
        }
        if file == "errors.json" || file.ends_with("-errors.json") {
            return Class::Errors;
        }
        if parts.iter().any(|p| p.ends_with("-errors")) && file.ends_with(".json") {
            return Class::Errors;
        }
        if is_object_file(rel) {
            return if rel.starts_with("cluster-resources/") {
                Class::Objects
            } else {
                // Other collectors' results (database checks, DNS, metrics): not objects.
                Class::Text(TextKind::Other)
            };
        }
        if let Some(log) = logs_collector_log(&parts) {
            return log;
        }
        // Files of other collectors (run-pod logs, host data, command output).
        kubectl_text::classify_loose(rel, entry)
    }

    fn classify_in(&self, rel: &str, entry: &EntryInfo, input: &InputView<'_>) -> Class {
        if rel.starts_with("cluster-resources/custom-resources/")
            && let Some(stem) = rel.strip_suffix(".yaml")
            && input.has(&format!("{stem}.json"))
        {
            return Class::Ignore;
        }
        self.classify(rel, entry)
    }

    fn type_hint(&self, rel: &str) -> Option<(&'static str, &'static str)> {
        let rest = rel.strip_prefix("cluster-resources/")?;
        let kind = rest.split('/').next()?;
        let kind = kind.strip_suffix(".json").unwrap_or(kind);
        TYPES
            .iter()
            .find(|(t, _, _)| *t == kind)
            .map(|(_, a, k)| (*a, *k))
    }

    fn sniff(&self, rel: &str, head: &[u8]) -> Class {
        match kubectl_text::sniff_text(rel, head) {
            // Collector output is not a pod's log unless it is under pods/logs.
            Class::Log { .. } => Class::Text(TextKind::Other),
            other => other,
        }
    }
}

/// troubleshoot's `cluster-resources/<type>` names and what they hold, for lists written without
/// `apiVersion` and `kind` (custom resource definitions in bundles of 2022, everything in older
/// ones).
const TYPES: &[(&str, &str, &str)] = &[
    (
        "clusterrolebindings",
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
    ),
    (
        "clusterRoleBindings",
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
    ),
    (
        "clusterroles",
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
    ),
    ("configmaps", "v1", "ConfigMap"),
    ("cronjobs", "batch/v1", "CronJob"),
    (
        "custom-resource-definitions",
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
    ),
    ("daemonsets", "apps/v1", "DaemonSet"),
    ("deployments", "apps/v1", "Deployment"),
    ("endpoints", "v1", "Endpoints"),
    ("endpointslices", "discovery.k8s.io/v1", "EndpointSlice"),
    ("events", "v1", "Event"),
    ("ingress", "networking.k8s.io/v1", "Ingress"),
    ("jobs", "batch/v1", "Job"),
    ("leases", "coordination.k8s.io/v1", "Lease"),
    ("limitranges", "v1", "LimitRange"),
    (
        "mutating-webhook-configurations",
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
    ),
    ("namespaces", "v1", "Namespace"),
    ("network-policy", "networking.k8s.io/v1", "NetworkPolicy"),
    ("nodes", "v1", "Node"),
    ("pod-disruption-budgets", "policy/v1", "PodDisruptionBudget"),
    ("pods", "v1", "Pod"),
    ("priorityclasses", "scheduling.k8s.io/v1", "PriorityClass"),
    ("pvcs", "v1", "PersistentVolumeClaim"),
    ("pvs", "v1", "PersistentVolume"),
    ("replicasets", "apps/v1", "ReplicaSet"),
    ("resource-quota", "v1", "ResourceQuota"),
    ("resource-quotas", "v1", "ResourceQuota"),
    (
        "rolebindings",
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
    ),
    ("roles", "rbac.authorization.k8s.io/v1", "Role"),
    ("serviceaccounts", "v1", "ServiceAccount"),
    ("services", "v1", "Service"),
    ("statefulsets", "apps/v1", "StatefulSet"),
    ("storage-classes", "storage.k8s.io/v1", "StorageClass"),
    (
        "validating-webhook-configurations",
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    ("volumeattachments", "storage.k8s.io/v1", "VolumeAttachment"),
];

/// A pod name a controller generated: `<base>-<5 random characters>` (ReplicaSet, DaemonSet and
/// Job pods) or `<base>-<ordinal>` (StatefulSet pods).
fn is_generated_pod_name(name: &str) -> bool {
    const RANDOM: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    kubectl_text::is_name(name)
        && name.rsplit_once('-').is_some_and(|(base, suffix)| {
            !base.is_empty()
                && ((suffix.len() == 5 && suffix.bytes().all(|b| RANDOM.contains(&b)))
                    || (!suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit())))
        })
}

/// A log of troubleshoot's `logs` collector, outside `cluster-resources/`:
/// `<name>/<pod>[-previous].log` for single-container pods and
/// `<name>/<pod>/<container>[-previous].log` otherwise (`<name>` is the collector's, possibly
/// with slashes). The path does not tell the namespace; the pod is told apart from the
/// collector's name by its generated suffix.
fn logs_collector_log(parts: &[&str]) -> Option<Class> {
    let (file, dirs) = parts.split_last()?;
    let stem = file.strip_suffix(".log")?;
    let (stem, previous) = match stem.strip_suffix("-previous") {
        Some(s) => (s, true),
        None => (stem, false),
    };
    let parent = dirs.last().copied().unwrap_or_default();
    if dirs.is_empty() || matches!(dirs.first(), Some(&"cluster-resources")) {
        return None;
    }
    if is_generated_pod_name(stem) {
        return Some(Class::Log {
            namespace: String::new(),
            pod: stem.to_string(),
            container: None,
            previous,
        });
    }
    if dirs.len() >= 2 && is_generated_pod_name(parent) && kubectl_text::is_name(stem) {
        return Some(Class::Log {
            namespace: String::new(),
            pod: parent.to_string(),
            container: Some(stem.to_string()),
            previous,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_collector_paths() {
        let log = |pod: &str, container: Option<&str>, previous: bool| {
            Some(Class::Log {
                namespace: String::new(),
                pod: pod.into(),
                container: container.map(String::from),
                previous,
            })
        };
        let at = |p: &str| logs_collector_log(&p.split('/').collect::<Vec<_>>());
        assert_eq!(
            at("calico/logs/calico-kube-controllers-6d8b9c7f5-x7k2p.log"),
            log("calico-kube-controllers-6d8b9c7f5-x7k2p", None, false)
        );
        assert_eq!(
            at("podlogs/calico-node-x7k2p/calico-node-previous.log"),
            log("calico-node-x7k2p", Some("calico-node"), true)
        );
        assert_eq!(at("db/postgres-0.log"), log("postgres-0", None, false));
        assert_eq!(at("run-daemonset-example/primary-node.log"), None);
        assert_eq!(at("calico-node-x7k2p.log"), None);
        assert_eq!(at("cluster-resources/x/calico-node-x7k2p.log"), None);
        for odd in [
            "a/.log",
            "a/-previous.log",
            "a/b-/c.log",
            "a/-x7k2p.log",
            "",
            "a/b",
        ] {
            assert_eq!(at(odd), None, "{odd}");
        }
    }
}
