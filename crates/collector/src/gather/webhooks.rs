//! The backends (Service, Endpoints, EndpointSlices) of the admission webhooks that could act
//! on the target pods.

use std::collections::{BTreeMap, BTreeSet};

use kbundle_format::selector::LabelSelector;
use serde_json::Value;

use super::request::list_path;
use super::{Ctx, Job, enc, labels_of, safe_name, str_at};

impl Ctx<'_> {
    /// Backends (Service, Endpoints, EndpointSlices) of the webhooks that could act on the
    /// target pods (or their owners) in the target namespaces.
    pub(super) async fn webhook_backends(&self, namespaces: &[String], pods: &[Value]) {
        let ns_objects = self.list_items("cluster/core/namespaces.json");
        let ns_labels: Vec<BTreeMap<String, String>> = namespaces
            .iter()
            .map(|ns| {
                let mut l: BTreeMap<String, String> = ns_objects
                    .iter()
                    .find(|o| str_at(o, "/metadata/name") == ns)
                    .and_then(|o| o.pointer("/metadata/labels"))
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect();
                l.entry("kubernetes.io/metadata.name".into())
                    .or_insert_with(|| ns.clone());
                l
            })
            .collect();
        let pod_labels: Vec<&Value> = pods.iter().map(labels_of).collect();
        let mut backends: BTreeSet<(String, String)> = BTreeSet::new();
        for kind in [
            "validatingwebhookconfigurations",
            "mutatingwebhookconfigurations",
        ] {
            for config in
                self.list_items(&format!("cluster/admissionregistration.k8s.io/{kind}.json"))
            {
                for wh in config
                    .get("webhooks")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if webhook_could_match(wh, &ns_labels, &pod_labels)
                        && let Some(svc) = wh.pointer("/clientConfig/service")
                    {
                        let (ns, name) = (str_at(svc, "/namespace"), str_at(svc, "/name"));
                        if ns.is_empty() || name.is_empty() {
                            continue;
                        }
                        if let Some(bad) = [ns, name].into_iter().find(|n| !safe_name(n)) {
                            self.refuse_name("webhook service", bad);
                        } else {
                            backends.insert((ns.to_string(), name.to_string()));
                        }
                    }
                }
            }
        }
        let jobs: Vec<Job<'_>> = backends
            .into_iter()
            .map(|(ns, name)| {
                Box::pin(async move {
                    let query = format!(
                        "labelSelector={}",
                        enc(&format!("kubernetes.io/service-name={name}"))
                    );
                    let (_, _, slices) = futures::join!(
                        self.get_into_list("", "services", Some(&ns), &name),
                        self.get_into_list("", "endpoints", Some(&ns), &name),
                        self.list("discovery.k8s.io", "endpointslices", Some(&ns), &query),
                    );
                    if let (Ok(slices), Some(res)) =
                        (slices, self.disc.find("discovery.k8s.io", "endpointslices"))
                    {
                        self.store_items(&list_path(res, Some(&ns)), &slices);
                    }
                }) as Job<'_>
            })
            .collect();
        futures::future::join_all(jobs).await;
    }
}

/// Whether a webhook's rules and selectors could match pods (or the Deployments, ReplicaSets,
/// DaemonSets that create them) in the target namespaces.
fn webhook_could_match(
    wh: &Value,
    ns_labels: &[BTreeMap<String, String>],
    pod_labels: &[&Value],
) -> bool {
    let strings = |v: &Value, key: &str| -> Vec<String> {
        v.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    let rules_match = wh
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|rule| {
            let groups = strings(rule, "apiGroups");
            let resources = strings(rule, "resources");
            let ops = strings(rule, "operations");
            let group_ok = groups
                .iter()
                .any(|g| matches!(g.as_str(), "" | "*" | "apps"));
            let res_ok = resources.iter().any(|r| {
                let base = r.split('/').next().unwrap_or_default();
                matches!(
                    base,
                    "*" | "pods" | "deployments" | "replicasets" | "daemonsets"
                )
            });
            let op_ok = ops.is_empty()
                || ops
                    .iter()
                    .any(|o| matches!(o.as_str(), "*" | "CREATE" | "UPDATE"));
            group_ok && res_ok && op_ok
        });
    if !rules_match {
        return false;
    }
    let ns_selector = LabelSelector::from_object(wh.get("namespaceSelector"));
    let object_selector = LabelSelector::from_object(wh.get("objectSelector"));
    let ns_ok = ns_labels.is_empty() || ns_labels.iter().any(|l| ns_selector.matches(l));
    let obj_ok = pod_labels.is_empty() || pod_labels.iter().any(|l| object_selector.matches(*l));
    ns_ok && obj_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn webhooks_matching_pods() {
        let ns = vec![BTreeMap::from([(
            "kubernetes.io/metadata.name".to_string(),
            "calico-system".to_string(),
        )])];
        let pod = json!({"k8s-app": "calico-kube-controllers"});
        let pods = vec![&pod];
        let pods_rule = json!({"rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}]});
        assert!(webhook_could_match(&pods_rule, &ns, &pods));
        let other = json!({"rules": [{"apiGroups": ["example.com"], "operations": ["CREATE"], "resources": ["things"]}]});
        assert!(!webhook_could_match(&other, &ns, &pods));
        let excluded = json!({"rules": pods_rule["rules"].clone(), "namespaceSelector": {"matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["calico-system"]}]}});
        assert!(!webhook_could_match(&excluded, &ns, &pods));
        let deletes =
            json!({"rules": [{"apiGroups": ["*"], "operations": ["DELETE"], "resources": ["*"]}]});
        assert!(!webhook_could_match(&deletes, &ns, &pods));
    }
}
