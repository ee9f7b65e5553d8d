//! Built-in knowledge of Kubernetes resource types: kind, plural, scope, short names.
//!
//! The snapshot stores objects by apiVersion and kind; the server and the importers of foreign
//! layouts (which name files by resource) need the plural and the scope. Custom resources are
//! described by the `CustomResourceDefinition` objects of the snapshot
//! ([`crate::Snapshot::resource_types`]); this table covers the built-in types and the Calico
//! types that clusters without their CRDs in the input still mention.

/// One resource type.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ResourceType {
    /// API group, empty for the core group.
    pub group: String,
    /// Version, e.g. `v1`.
    pub version: String,
    /// Kind, e.g. `Pod`.
    pub kind: String,
    /// Plural resource name, e.g. `pods`.
    pub plural: String,
    /// Singular name, lowercase kind.
    pub singular: String,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// Short names kubectl accepts, e.g. `po`.
    pub short_names: Vec<String>,
}

impl ResourceType {
    /// A resource type as API discovery describes it: the singular is the lowercase kind;
    /// no short names.
    pub fn new(
        group: &str,
        version: &str,
        kind: &str,
        plural: &str,
        namespaced: bool,
    ) -> ResourceType {
        ResourceType {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: kind.to_ascii_lowercase(),
            namespaced,
            short_names: Vec::new(),
        }
    }

    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// (group, version, kind, plural, namespaced, short names)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
);

const BUILTIN: &[Row] = &[
    ("", "v1", "Pod", "pods", true, &["po"]),
    ("", "v1", "Node", "nodes", false, &["no"]),
    ("", "v1", "Namespace", "namespaces", false, &["ns"]),
    ("", "v1", "Event", "events", true, &["ev"]),
    ("", "v1", "Service", "services", true, &["svc"]),
    ("", "v1", "Endpoints", "endpoints", true, &["ep"]),
    ("", "v1", "ConfigMap", "configmaps", true, &["cm"]),
    ("", "v1", "Secret", "secrets", true, &[]),
    ("", "v1", "ServiceAccount", "serviceaccounts", true, &["sa"]),
    (
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
        &["pvc"],
    ),
    (
        "",
        "v1",
        "PersistentVolume",
        "persistentvolumes",
        false,
        &["pv"],
    ),
    (
        "",
        "v1",
        "ResourceQuota",
        "resourcequotas",
        true,
        &["quota"],
    ),
    ("", "v1", "LimitRange", "limitranges", true, &["limits"]),
    (
        "",
        "v1",
        "ReplicationController",
        "replicationcontrollers",
        true,
        &["rc"],
    ),
    ("apps", "v1", "Deployment", "deployments", true, &["deploy"]),
    ("apps", "v1", "ReplicaSet", "replicasets", true, &["rs"]),
    ("apps", "v1", "DaemonSet", "daemonsets", true, &["ds"]),
    ("apps", "v1", "StatefulSet", "statefulsets", true, &["sts"]),
    (
        "apps",
        "v1",
        "ControllerRevision",
        "controllerrevisions",
        true,
        &[],
    ),
    ("batch", "v1", "Job", "jobs", true, &[]),
    ("batch", "v1", "CronJob", "cronjobs", true, &["cj"]),
    (
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
        &["netpol"],
    ),
    (
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        true,
        &["ing"],
    ),
    (
        "networking.k8s.io",
        "v1",
        "IngressClass",
        "ingressclasses",
        false,
        &[],
    ),
    (
        "discovery.k8s.io",
        "v1",
        "EndpointSlice",
        "endpointslices",
        true,
        &[],
    ),
    ("events.k8s.io", "v1", "Event", "events", true, &["ev"]),
    (
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingWebhookConfiguration",
        "validatingwebhookconfigurations",
        false,
        &[],
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "MutatingWebhookConfiguration",
        "mutatingwebhookconfigurations",
        false,
        &[],
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingAdmissionPolicy",
        "validatingadmissionpolicies",
        false,
        &[],
    ),
    (
        "admissionregistration.k8s.io",
        "v1",
        "ValidatingAdmissionPolicyBinding",
        "validatingadmissionpolicybindings",
        false,
        &[],
    ),
    (
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
        &["crd", "crds"],
    ),
    (
        "apiregistration.k8s.io",
        "v1",
        "APIService",
        "apiservices",
        false,
        &[],
    ),
    (
        "storage.k8s.io",
        "v1",
        "StorageClass",
        "storageclasses",
        false,
        &["sc"],
    ),
    (
        "storage.k8s.io",
        "v1",
        "CSIDriver",
        "csidrivers",
        false,
        &[],
    ),
    ("storage.k8s.io", "v1", "CSINode", "csinodes", false, &[]),
    (
        "storage.k8s.io",
        "v1",
        "VolumeAttachment",
        "volumeattachments",
        false,
        &[],
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        "roles",
        true,
        &[],
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
        &[],
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
        &[],
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
        &[],
    ),
    ("coordination.k8s.io", "v1", "Lease", "leases", true, &[]),
    (
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
        &["pdb"],
    ),
    (
        "scheduling.k8s.io",
        "v1",
        "PriorityClass",
        "priorityclasses",
        false,
        &["pc"],
    ),
    (
        "node.k8s.io",
        "v1",
        "RuntimeClass",
        "runtimeclasses",
        false,
        &[],
    ),
    (
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
        &["hpa"],
    ),
    ("metrics.k8s.io", "v1beta1", "PodMetrics", "pods", true, &[]),
    (
        "metrics.k8s.io",
        "v1beta1",
        "NodeMetrics",
        "nodes",
        false,
        &[],
    ),
    (
        "operator.tigera.io",
        "v1",
        "Installation",
        "installations",
        false,
        &[],
    ),
    (
        "operator.tigera.io",
        "v1",
        "TigeraStatus",
        "tigerastatuses",
        false,
        &[],
    ),
    (
        "crd.projectcalico.org",
        "v1",
        "FelixConfiguration",
        "felixconfigurations",
        false,
        &[],
    ),
    (
        "crd.projectcalico.org",
        "v1",
        "BGPConfiguration",
        "bgpconfigurations",
        false,
        &[],
    ),
    (
        "crd.projectcalico.org",
        "v1",
        "BGPPeer",
        "bgppeers",
        false,
        &[],
    ),
    (
        "crd.projectcalico.org",
        "v1",
        "IPPool",
        "ippools",
        false,
        &[],
    ),
    (
        "crd.projectcalico.org",
        "v1",
        "IPAMBlock",
        "ipamblocks",
        false,
        &[],
    ),
    (
        "crd.projectcalico.org",
        "v1",
        "BlockAffinity",
        "blockaffinities",
        false,
        &[],
    ),
    (
        "crd.projectcalico.org",
        "v1",
        "KubeControllersConfiguration",
        "kubecontrollersconfigurations",
        false,
        &[],
    ),
    (
        "crd.projectcalico.org",
        "v1",
        "ClusterInformation",
        "clusterinformations",
        false,
        &[],
    ),
    (
        "crd.projectcalico.org",
        "v1",
        "GlobalNetworkPolicy",
        "globalnetworkpolicies",
        false,
        &[],
    ),
    (
        "crd.projectcalico.org",
        "v1",
        "GlobalNetworkSet",
        "globalnetworksets",
        false,
        &[],
    ),
    (
        "crd.projectcalico.org",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
        &[],
    ),
    (
        "crd.projectcalico.org",
        "v1",
        "NetworkSet",
        "networksets",
        true,
        &[],
    ),
    (
        "crd.projectcalico.org",
        "v1",
        "HostEndpoint",
        "hostendpoints",
        false,
        &[],
    ),
    (
        "projectcalico.org",
        "v3",
        "FelixConfiguration",
        "felixconfigurations",
        false,
        &[],
    ),
    ("projectcalico.org", "v3", "IPPool", "ippools", false, &[]),
    (
        "projectcalico.org",
        "v3",
        "GlobalNetworkPolicy",
        "globalnetworkpolicies",
        false,
        &[],
    ),
    (
        "projectcalico.org",
        "v3",
        "NetworkPolicy",
        "networkpolicies",
        true,
        &[],
    ),
];

fn make(row: &Row) -> ResourceType {
    let (group, version, kind, plural, namespaced, short) = *row;
    ResourceType {
        short_names: short.iter().map(|s| s.to_string()).collect(),
        ..ResourceType::new(group, version, kind, plural, namespaced)
    }
}

/// Every built-in resource type this crate knows.
pub fn builtin() -> Vec<ResourceType> {
    BUILTIN.iter().map(make).collect()
}

/// Splits an apiVersion into (group, version): `apps/v1` → (`apps`, `v1`), `v1` → (``, `v1`).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.rsplit_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// The built-in type of a kind in a group (any version).
pub fn by_kind(group: &str, kind: &str) -> Option<ResourceType> {
    BUILTIN
        .iter()
        .find(|r| r.0 == group && r.2 == kind)
        .map(make)
}

/// The built-in type for a plural resource name, optionally in a group (`None`: the first
/// match, core and apps first).
pub fn by_plural(group: Option<&str>, plural: &str) -> Option<ResourceType> {
    BUILTIN
        .iter()
        .find(|r| r.3 == plural && group.is_none_or(|g| g == r.0))
        .map(make)
}

/// A plural for an unknown kind, the way Kubernetes' default naming does it.
pub fn guess_plural(kind: &str) -> String {
    let lower = kind.to_ascii_lowercase();
    if lower.ends_with('s')
        || lower.ends_with("ch")
        || lower.ends_with("sh")
        || lower.ends_with('x')
    {
        format!("{lower}es")
    } else if let Some(stem) = lower.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'i', 'o', 'u'])
    {
        format!("{stem}ies")
    } else {
        format!("{lower}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(by_kind("", "Pod").map(|r| r.plural), Some("pods".into()));
        assert_eq!(
            by_plural(None, "deployments").map(|r| r.api_version()),
            Some("apps/v1".into())
        );
        assert_eq!(guess_plural("NetworkPolicy"), "networkpolicies");
        assert_eq!(guess_plural("Ingress"), "ingresses");
        assert_eq!(guess_plural("Gateway"), "gateways");
        assert_eq!(split_api_version("apps/v1"), ("apps", "v1"));
    }
}
