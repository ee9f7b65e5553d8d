//! What the server knows of the snapshot, indexed once at start: the resource types it serves,
//! the objects of each kind, the logs of each pod.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use kbundle_format::json::{array_at, opt_str_at, str_at};
use kbundle_format::resources::ResourceType;
use kbundle_format::{LogRef, Object, ObjectKey, Snapshot};
use serde_json::Value;

/// The API groups of a Kubernetes API server, in the order it lists them (clients resolve an
/// ambiguous resource name to the first group that has it).
const GROUP_ORDER: &[&str] = &[
    "",
    "apiregistration.k8s.io",
    "apps",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "networking.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "node.k8s.io",
    "discovery.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "resource.k8s.io",
];

/// Resources in the `all` category, as on a real API server.
const CATEGORY_ALL: &[(&str, &str)] = &[
    ("", "pods"),
    ("", "services"),
    ("", "replicationcontrollers"),
    ("apps", "deployments"),
    ("apps", "replicasets"),
    ("apps", "daemonsets"),
    ("apps", "statefulsets"),
    ("batch", "jobs"),
    ("batch", "cronjobs"),
    ("autoscaling", "horizontalpodautoscalers"),
];

/// One API group and its versions, preferred first.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) name: String,
    pub(crate) versions: Vec<String>,
}

/// The index.
#[derive(Debug)]
pub(crate) struct Index {
    /// Served resource types, in discovery order.
    pub(crate) types: Vec<ResourceType>,
    /// Groups (core first), in discovery order.
    pub(crate) groups: Vec<Group>,
    /// Object keys of each (group, kind), sorted by namespace and name, one per name.
    objects: HashMap<(String, String), Vec<ObjectKey>>,
    /// `additionalPrinterColumns` of each CRD version: (group, version, plural) → columns.
    pub(crate) crd_columns: HashMap<(String, String, String), Vec<Value>>,
    /// `selectableFields` of each CRD kind: (group, kind) → field paths.
    pub(crate) crd_fields: HashMap<(String, String), Vec<String>>,
    /// Logs of each (namespace, pod).
    logs: HashMap<(String, String), Vec<LogRef>>,
    /// The resourceVersion of lists: the highest numeric resourceVersion of any object.
    pub(crate) resource_version: String,
    /// The snapshot's "now".
    pub(crate) now: Option<jiff::Timestamp>,
}

fn is_kubernetes_group(group: &str) -> bool {
    group.is_empty()
        || !group.contains('.')
        || (group.ends_with(".k8s.io") && group != "metrics.k8s.io")
}

/// Orders Kubernetes versions as the API server does: GA before beta before alpha, higher
/// numbers first, then anything else alphabetically.
pub(crate) fn version_priority(a: &str, b: &str) -> Ordering {
    fn parse(v: &str) -> Option<(u32, u8, u32)> {
        let rest = v.strip_prefix('v')?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let major: u32 = digits.parse().ok()?;
        let tail = &rest[digits.len()..];
        if tail.is_empty() {
            return Some((major, 2, 0));
        }
        let (stage, n) = if let Some(n) = tail.strip_prefix("beta") {
            (1, n)
        } else if let Some(n) = tail.strip_prefix("alpha") {
            (0, n)
        } else {
            return None;
        };
        Some((major, stage, n.parse().ok()?))
    }
    match (parse(a), parse(b)) {
        (Some((ma, sa, na)), Some((mb, sb, nb))) => sb.cmp(&sa).then(mb.cmp(&ma)).then(nb.cmp(&na)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

impl Index {
    pub(crate) fn new(snapshot: &Snapshot) -> Index {
        // Objects by (group, kind), first reading of each namespace/name.
        let mut by_kind: HashMap<(String, String), BTreeMap<(String, String), ObjectKey>> =
            HashMap::new();
        let mut max_rv: u64 = 0;
        for object in snapshot.objects() {
            let key = object.key();
            if let Some(rv) = opt_str_at(&object.value, "/metadata/resourceVersion")
                .and_then(|s| s.parse::<u64>().ok())
            {
                max_rv = max_rv.max(rv);
            }
            by_kind
                .entry((key.group().to_string(), key.kind.clone()))
                .or_default()
                .entry((key.namespace.clone(), key.name.clone()))
                .or_insert(key);
        }
        let objects: HashMap<(String, String), Vec<ObjectKey>> = by_kind
            .into_iter()
            .map(|(k, v)| (k, v.into_values().collect()))
            .collect();

        // CRDs: which (group, plural) they define, and their printer columns.
        let mut crd_defined: BTreeSet<(String, String)> = BTreeSet::new();
        let mut crd_columns = HashMap::new();
        let mut crd_fields: HashMap<(String, String), Vec<String>> = HashMap::new();
        for crd in snapshot.of_kind("apiextensions.k8s.io", "CustomResourceDefinition") {
            let s = |p: &str| str_at(&crd.value, p).to_string();
            let (group, plural) = (s("/spec/group"), s("/spec/names/plural"));
            let top_columns = array_at(&crd.value, "/spec/additionalPrinterColumns");
            for version in array_at(&crd.value, "/spec/versions") {
                let name = str_at(version, "/name");
                let columns = version
                    .get("additionalPrinterColumns")
                    .and_then(Value::as_array)
                    .map_or(top_columns, Vec::as_slice)
                    .to_vec();
                crd_columns.insert((group.clone(), name.to_string(), plural.clone()), columns);
            }
            let kind = s("/spec/names/kind");
            let fields = crd_fields.entry((group.clone(), kind)).or_default();
            for version in array_at(&crd.value, "/spec/versions") {
                for f in array_at(version, "/selectableFields") {
                    if let Some(path) = opt_str_at(f, "/jsonPath") {
                        let path = path.trim_start_matches('.').to_string();
                        if !fields.contains(&path) {
                            fields.push(path);
                        }
                    }
                }
            }
            crd_defined.insert((group, plural));
        }

        let mut types: Vec<ResourceType> = snapshot
            .resource_types()
            .into_iter()
            .filter(|t| {
                is_kubernetes_group(&t.group)
                    || crd_defined.contains(&(t.group.clone(), t.plural.clone()))
                    || objects.contains_key(&(t.group.clone(), t.kind.clone()))
            })
            .collect();
        let group_rank = |g: &str| {
            GROUP_ORDER
                .iter()
                .position(|x| *x == g)
                .unwrap_or(GROUP_ORDER.len())
        };
        types.sort_by(|a, b| {
            group_rank(&a.group)
                .cmp(&group_rank(&b.group))
                .then_with(|| a.group.cmp(&b.group))
                .then_with(|| version_priority(&a.version, &b.version))
                .then_with(|| a.plural.cmp(&b.plural))
        });
        let mut groups: Vec<Group> = Vec::new();
        for t in &types {
            match groups.last_mut() {
                Some(g) if g.name == t.group => {
                    if !g.versions.contains(&t.version) {
                        g.versions.push(t.version.clone());
                    }
                }
                _ => groups.push(Group {
                    name: t.group.clone(),
                    versions: vec![t.version.clone()],
                }),
            }
        }

        let mut logs: HashMap<(String, String), Vec<LogRef>> = HashMap::new();
        for log in snapshot.logs() {
            logs.entry((log.namespace.clone(), log.pod.clone()))
                .or_default()
                .push(log.clone());
        }

        Index {
            types,
            groups,
            objects,
            crd_columns,
            crd_fields,
            logs,
            resource_version: if max_rv == 0 {
                "1".to_string()
            } else {
                max_rv.to_string()
            },
            now: snapshot.reference_time(),
        }
    }

    /// The served type of a resource in a group version.
    pub(crate) fn resource(
        &self,
        group: &str,
        version: &str,
        plural: &str,
    ) -> Option<&ResourceType> {
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
    }

    /// Whether the group version is served.
    pub(crate) fn serves(&self, group: &str, version: &str) -> bool {
        self.groups
            .iter()
            .any(|g| g.name == group && g.versions.iter().any(|v| v == version))
    }

    /// Types of a group version.
    pub(crate) fn types_of<'a>(
        &'a self,
        group: &'a str,
        version: &'a str,
    ) -> impl Iterator<Item = &'a ResourceType> + 'a {
        self.types
            .iter()
            .filter(move |t| t.group == group && t.version == version)
    }

    /// Keys of the objects of a kind, by namespace and name.
    pub(crate) fn keys(&self, group: &str, kind: &str) -> &[ObjectKey] {
        self.objects
            .get(&(group.to_string(), kind.to_string()))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Objects of a kind, optionally in one namespace.
    pub(crate) fn objects<'a>(
        &'a self,
        snapshot: &'a Snapshot,
        group: &str,
        kind: &str,
        namespace: &'a str,
    ) -> impl Iterator<Item = &'a Object> + 'a {
        let keys = self.keys(group, kind);
        let keys = if namespace.is_empty() {
            keys
        } else {
            let start = keys.partition_point(|k| k.namespace.as_str() < namespace);
            let end = keys.partition_point(|k| k.namespace.as_str() <= namespace);
            keys.get(start..end).unwrap_or_default()
        };
        keys.iter().filter_map(move |k| snapshot.get(k))
    }

    /// One object of a kind.
    pub(crate) fn object<'a>(
        &self,
        snapshot: &'a Snapshot,
        group: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Option<&'a Object> {
        let keys = self.keys(group, kind);
        let i = keys
            .binary_search_by(|k| (k.namespace.as_str(), k.name.as_str()).cmp(&(namespace, name)))
            .ok()?;
        snapshot.get(keys.get(i)?)
    }

    /// Logs of a pod.
    pub(crate) fn logs(&self, namespace: &str, pod: &str) -> &[LogRef] {
        self.logs
            .get(&(namespace.to_string(), pod.to_string()))
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// Categories of a resource.
    pub(crate) fn categories(&self, t: &ResourceType) -> Vec<&'static str> {
        if CATEGORY_ALL
            .iter()
            .any(|(g, p)| *g == t.group && *p == t.plural)
        {
            vec!["all"]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let mut v = vec!["v1alpha1", "v1beta1", "v2", "v1", "v1beta2", "foo", "v10"];
        v.sort_by(|a, b| version_priority(a, b));
        assert_eq!(
            v,
            ["v10", "v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "foo"]
        );
    }
}
