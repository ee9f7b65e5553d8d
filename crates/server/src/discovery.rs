//! Discovery documents: classic (`APIVersions`, `APIGroupList`, `APIGroup`, `APIResourceList`)
//! and aggregated (`apidiscovery.k8s.io/v2` `APIGroupDiscoveryList`).

use kbundle_format::resources::ResourceType;
use serde_json::{Value, json};

use crate::index::{Group, Index};

const VERBS: [&str; 3] = ["get", "list", "watch"];

fn group_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

/// `/api`.
pub(crate) fn api_versions() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": ""}],
    })
}

fn api_group(g: &Group) -> Value {
    let versions: Vec<Value> = g
        .versions
        .iter()
        .map(|v| json!({"groupVersion": group_version(&g.name, v), "version": v}))
        .collect();
    let preferred = versions.first().cloned().unwrap_or(Value::Null);
    json!({"name": g.name, "versions": versions, "preferredVersion": preferred})
}

/// `/apis`.
pub(crate) fn api_group_list(index: &Index) -> Value {
    let groups: Vec<Value> = index
        .groups
        .iter()
        .filter(|g| !g.name.is_empty())
        .map(api_group)
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/GROUP`.
pub(crate) fn api_group_doc(index: &Index, group: &str) -> Option<Value> {
    let g = index
        .groups
        .iter()
        .find(|g| g.name == group && !g.name.is_empty())?;
    let mut v = api_group(g);
    if let Some(m) = v.as_object_mut() {
        let mut out = serde_json::Map::new();
        out.insert("kind".into(), json!("APIGroup"));
        out.insert("apiVersion".into(), json!("v1"));
        out.extend(std::mem::take(m));
        return Some(Value::Object(out));
    }
    Some(v)
}

fn classic_resource(index: &Index, t: &ResourceType) -> Value {
    let mut r = json!({
        "name": t.plural,
        "singularName": t.singular,
        "namespaced": t.namespaced,
        "kind": t.kind,
        "verbs": VERBS,
    });
    if !t.short_names.is_empty() {
        crate::set_field(&mut r, "shortNames", json!(t.short_names));
    }
    let categories = index.categories(t);
    if !categories.is_empty() {
        crate::set_field(&mut r, "categories", json!(categories));
    }
    r
}

/// `/api/v1`, `/apis/GROUP/VERSION`.
pub(crate) fn api_resource_list(index: &Index, group: &str, version: &str) -> Value {
    let mut resources = Vec::new();
    for t in index.types_of(group, version) {
        resources.push(classic_resource(index, t));
        if group.is_empty() && t.plural == "pods" {
            resources.push(json!({
                "name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"],
            }));
        }
        resources.push(json!({
            "name": format!("{}/status", t.plural), "singularName": "", "namespaced": t.namespaced,
            "kind": t.kind, "verbs": ["get"],
        }));
    }
    json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version(group, version),
        "resources": resources,
    })
}

fn aggregated_group(index: &Index, g: &Group) -> Value {
    let versions: Vec<Value> = g
        .versions
        .iter()
        .map(|v| {
            let resources: Vec<Value> = index
                .types_of(&g.name, v)
                .map(|t| {
                    let mut subresources = vec![json!({
                        "subresource": "status",
                        "responseKind": {"group": t.group, "version": t.version, "kind": t.kind},
                        "verbs": ["get"],
                    })];
                    if t.group.is_empty() && t.plural == "pods" {
                        subresources.push(json!({
                            "subresource": "log",
                            "responseKind": {"group": "", "version": "", "kind": "Pod"},
                            "verbs": ["get"],
                        }));
                    }
                    let mut r = json!({
                        "resource": t.plural,
                        "responseKind": {"group": t.group, "version": t.version, "kind": t.kind},
                        "scope": if t.namespaced { "Namespaced" } else { "Cluster" },
                        "singularResource": t.singular,
                        "verbs": VERBS,
                        "subresources": subresources,
                    });
                    if !t.short_names.is_empty() {
                        crate::set_field(&mut r, "shortNames", json!(t.short_names));
                    }
                    let categories = index.categories(t);
                    if !categories.is_empty() {
                        crate::set_field(&mut r, "categories", json!(categories));
                    }
                    r
                })
                .collect();
            json!({"version": v, "resources": resources, "freshness": "Current"})
        })
        .collect();
    json!({"metadata": {"name": g.name, "creationTimestamp": null}, "versions": versions})
}

/// Aggregated discovery of `/api` (`core`: the core group only) or `/apis` (every other group).
pub(crate) fn aggregated(index: &Index, core: bool, version: &str) -> Value {
    let items: Vec<Value> = index
        .groups
        .iter()
        .filter(|g| g.name.is_empty() == core)
        .map(|g| aggregated_group(index, g))
        .collect();
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": format!("apidiscovery.k8s.io/{version}"),
        "metadata": {},
        "items": items,
    })
}
