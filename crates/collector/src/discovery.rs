//! API discovery: aggregated (`apidiscovery.k8s.io/v2`) when the server offers it, the classic
//! `/api` + `/apis` + `/apis/<group>/<version>` walk otherwise. Only the groups the collector
//! uses are walked.

use kbundle_format::json::{array_at, bool_at, opt_str_at, str_at};
use kbundle_format::resources::{self, ResourceType};
use serde_json::Value;

use crate::api::{Api, Failure};

/// The discovered resources.
#[derive(Debug, Clone, Default)]
pub(crate) struct Discovery {
    pub resources: Vec<ResourceType>,
    /// Whether aggregated discovery answered.
    pub aggregated: bool,
}

/// The groups the collector walks in classic discovery.
pub(crate) const GROUPS: &[&str] = &[
    "",
    "apps",
    "admissionregistration.k8s.io",
    "networking.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "apiextensions.k8s.io",
    "coordination.k8s.io",
    crate::CALICO_GROUP,
    crate::OPERATOR_GROUP,
];

const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

impl Discovery {
    /// Discovers the resources; the failures that made it incomplete are returned alongside.
    pub(crate) async fn run(api: &Api) -> (Discovery, Vec<(String, Failure)>) {
        let mut failures = Vec::new();
        let mut d = Discovery::default();
        let (core, apis) = futures::join!(
            api.get_json_accept("/api", AGGREGATED),
            api.get_json_accept("/apis", AGGREGATED)
        );
        for (what, answer) in [("/api", core), ("/apis", apis)] {
            match answer {
                Ok(v) if opt_str_at(&v, "/kind") == Some("APIGroupDiscoveryList") => {
                    d.aggregated = true;
                    d.add_aggregated(&v);
                }
                Ok(v) => {
                    let versions = if what == "/api" {
                        classic_core_versions(&v)
                    } else {
                        classic_group_versions(&v)
                    };
                    let fetches = versions.into_iter().map(|gv| async move {
                        let url = if gv.contains('/') {
                            format!("/apis/{gv}")
                        } else {
                            format!("/api/{gv}")
                        };
                        (url.clone(), api.get_json(&url).await)
                    });
                    for (url, r) in futures::future::join_all(fetches).await {
                        match r {
                            Ok(list) => d.add_resource_list(&list),
                            Err(f) => failures.push((format!("discover {url}"), f)),
                        }
                    }
                }
                Err(f) => failures.push((format!("discover {what}"), f)),
            }
        }
        // Without discovery, fall back to the built-in core resources (they exist everywhere).
        // (The groups discovered are taken before: the first built-in of a group must not hide
        // the others.)
        let discovered: std::collections::BTreeSet<String> =
            d.resources.iter().map(|r| r.group.clone()).collect();
        for r in builtin() {
            if !discovered.contains(&r.group) {
                d.resources.push(r);
            }
        }
        (d, failures)
    }

    fn push(&mut self, r: ResourceType) {
        // Plural and version name folders of the bundle: a hostile server's are dropped.
        if !crate::gather::safe_name(&r.plural)
            || !crate::gather::safe_name(&r.version)
            || !GROUPS.contains(&r.group.as_str())
        {
            return;
        }
        if !self
            .resources
            .iter()
            .any(|x| x.group == r.group && x.plural == r.plural)
        {
            self.resources.push(r);
        }
    }

    fn add_aggregated(&mut self, list: &Value) {
        for item in array_at(list, "/items") {
            let group = str_at(item, "/metadata/name");
            // Versions are listed in preference order.
            for version in array_at(item, "/versions").iter().take(1) {
                let v = str_at(version, "/version");
                for res in array_at(version, "/resources") {
                    let plural = str_at(res, "/resource");
                    let kind = str_at(res, "/responseKind/kind");
                    let namespaced = opt_str_at(res, "/scope") == Some("Namespaced");
                    if !plural.is_empty() && !kind.is_empty() {
                        self.push(ResourceType::new(group, v, kind, plural, namespaced));
                    }
                }
            }
        }
    }

    fn add_resource_list(&mut self, list: &Value) {
        let gv = str_at(list, "/groupVersion");
        let (group, version) = gv.split_once('/').unwrap_or(("", gv));
        for res in array_at(list, "/resources") {
            let plural = str_at(res, "/name");
            let kind = str_at(res, "/kind");
            let namespaced = bool_at(res, "/namespaced").unwrap_or(false);
            if !plural.is_empty() && !kind.is_empty() {
                self.push(ResourceType::new(group, version, kind, plural, namespaced));
            }
        }
    }

    /// The resource `plural` of `group`.
    pub(crate) fn find(&self, group: &str, plural: &str) -> Option<&ResourceType> {
        self.resources
            .iter()
            .find(|r| r.group == group && r.plural == plural)
    }

    /// The resource of `group` whose kind is `kind`.
    pub(crate) fn find_kind(&self, group: &str, kind: &str) -> Option<&ResourceType> {
        self.resources
            .iter()
            .find(|r| r.group == group && r.kind == kind)
    }

    /// Every resource of `group`.
    pub(crate) fn group(&self, group: &str) -> impl Iterator<Item = &ResourceType> {
        self.resources.iter().filter(move |r| r.group == group)
    }
}

fn classic_core_versions(v: &Value) -> Vec<String> {
    let versions: Vec<String> = array_at(v, "/versions")
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    if versions.iter().any(|x| x == "v1") {
        vec!["v1".into()]
    } else {
        versions.into_iter().take(1).collect()
    }
}

fn classic_group_versions(v: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for g in array_at(v, "/groups") {
        let name = str_at(g, "/name");
        if name.is_empty() || !GROUPS.contains(&name) {
            continue;
        }
        let preferred = opt_str_at(g, "/preferredVersion/groupVersion")
            .or_else(|| opt_str_at(g, "/versions/0/groupVersion"));
        if let Some(gv) = preferred {
            out.push(gv.to_string());
        }
    }
    out
}

/// The resources assumed when discovery does not name a group's (they exist on every server
/// the collector supports): their types come from [`kbundle_format::resources`].
const FALLBACK: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "nodes"),
    ("", "namespaces"),
    ("", "events"),
    ("", "configmaps"),
    ("", "services"),
    ("", "endpoints"),
    ("", "persistentvolumeclaims"),
    ("", "resourcequotas"),
    ("", "limitranges"),
    ("batch", "jobs"),
    ("policy", "poddisruptionbudgets"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "daemonsets"),
    ("apps", "statefulsets"),
    (
        "admissionregistration.k8s.io",
        "validatingwebhookconfigurations",
    ),
    (
        "admissionregistration.k8s.io",
        "mutatingwebhookconfigurations",
    ),
    ("networking.k8s.io", "networkpolicies"),
    ("discovery.k8s.io", "endpointslices"),
    ("coordination.k8s.io", "leases"),
    ("apiextensions.k8s.io", "customresourcedefinitions"),
];

fn builtin() -> impl Iterator<Item = ResourceType> {
    FALLBACK
        .iter()
        .filter_map(|(group, plural)| resources::by_plural(Some(group), plural))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fallback_resources_are_all_known() {
        let b: Vec<ResourceType> = builtin().collect();
        assert_eq!(b.len(), FALLBACK.len());
        assert!(b.iter().all(|r| r.version == "v1"), "{b:?}");
        let cluster_scoped: Vec<&str> = b
            .iter()
            .filter(|r| !r.namespaced)
            .map(|r| r.plural.as_str())
            .collect();
        assert_eq!(
            cluster_scoped,
            [
                "nodes",
                "namespaces",
                "validatingwebhookconfigurations",
                "mutatingwebhookconfigurations",
                "customresourcedefinitions"
            ]
        );
    }

    #[test]
    fn aggregated_and_classic_agree() {
        let mut a = Discovery::default();
        a.add_aggregated(&json!({"kind": "APIGroupDiscoveryList", "items": [
            {"metadata": {"name": "crd.projectcalico.org"}, "versions": [{"version": "v1", "resources": [
                {"resource": "felixconfigurations", "responseKind": {"group": "crd.projectcalico.org", "version": "v1", "kind": "FelixConfiguration"}, "scope": "Cluster"},
                {"resource": "networkpolicies", "responseKind": {"kind": "NetworkPolicy"}, "scope": "Namespaced"}
            ]}]},
            {"metadata": {"name": "example.com"}, "versions": [{"version": "v1", "resources": [
                {"resource": "things", "responseKind": {"kind": "Thing"}, "scope": "Cluster"}]}]}
        ]}));
        let mut c = Discovery::default();
        c.add_resource_list(
            &json!({"groupVersion": "crd.projectcalico.org/v1", "resources": [
                {"name": "felixconfigurations", "kind": "FelixConfiguration", "namespaced": false},
                {"name": "networkpolicies", "kind": "NetworkPolicy", "namespaced": true},
                {"name": "networkpolicies/status", "kind": "NetworkPolicy", "namespaced": true}
            ]}),
        );
        assert_eq!(a.resources, c.resources);
        let felix = a
            .find_kind("crd.projectcalico.org", "FelixConfiguration")
            .cloned();
        assert_eq!(
            felix.map(|r| r.collection_path(Some("x"))).as_deref(),
            Some("/apis/crd.projectcalico.org/v1/felixconfigurations")
        );
        let np = a
            .find("crd.projectcalico.org", "networkpolicies")
            .map(|r| r.collection_path(Some("ns")));
        assert_eq!(
            np.as_deref(),
            Some("/apis/crd.projectcalico.org/v1/namespaces/ns/networkpolicies")
        );
        assert!(a.find("example.com", "things").is_none());
    }

    #[test]
    fn every_fallback_resource_has_a_type() {
        let types: Vec<ResourceType> = builtin().collect();
        assert_eq!(types.len(), FALLBACK.len());
        for (r, (group, plural)) in types.iter().zip(FALLBACK) {
            assert_eq!((r.group.as_str(), r.plural.as_str()), (*group, *plural));
        }
    }

    #[test]
    fn classic_versions() {
        let v = json!({"groups": [
            {"name": "apps", "preferredVersion": {"groupVersion": "apps/v1"}},
            {"name": "example.com", "preferredVersion": {"groupVersion": "example.com/v1"}}
        ]});
        assert_eq!(classic_group_versions(&v), vec!["apps/v1".to_string()]);
        assert_eq!(
            classic_core_versions(&json!({"versions": ["v1"]})),
            vec!["v1".to_string()]
        );
    }
}
