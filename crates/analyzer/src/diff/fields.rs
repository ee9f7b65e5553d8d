//! Field-by-field comparison of two readings of one object: paths like
//! `spec.template.spec.containers[name=x].resources.limits.memory`, noise left out, lists of
//! named items compared by name whatever their order.

use serde::Serialize;
use serde_json::{Map, Value};

/// The most field changes kept for one object (the rest are counted).
pub const MAX_FIELDS: usize = 200;

/// Nesting deeper than this is compared as one value.
const MAX_DEPTH: usize = 64;

/// One changed field. `old` is absent for a field that was added, `new` for one that was
/// removed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Where: `spec.template.spec.containers[name=x].image`. Map keys that are not plain words
    /// are quoted (`metadata.labels["app.kubernetes.io/name"]`); list items are named by their
    /// `name`, `type` or `key` field when every item has a distinct one, else by position.
    pub path: String,
    /// The value in OLD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// The value in NEW.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

/// The fields that changed between two readings of one object, at most [`MAX_FIELDS`], and
/// how many more there were. Map keys are visited in sorted order, list items in OLD's order
/// then NEW's.
pub fn compare(old: &Value, new: &Value) -> (Vec<FieldChange>, usize) {
    let mut w = Walker {
        out: Vec::new(),
        omitted: 0,
        names: Vec::new(),
    };
    w.value(&mut String::new(), Some(old), Some(new), 0);
    (w.out, w.omitted)
}

struct Walker<'a> {
    out: Vec<FieldChange>,
    omitted: usize,
    /// The map keys from the top to here (list items add nothing), for the noise rules.
    names: Vec<&'a str>,
}

/// A value that says nothing: null, `{}` or `[]` (inputs differ in writing them or not).
fn empty(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| match v {
        Value::Null => false,
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    })
}

/// Fields that change without anything happening: bookkeeping, heartbeats, probes, renewals.
/// `uid` and `creationTimestamp` are not fields: a change of them means the object was
/// recreated, which is reported as such.
fn noise(names: &[&str], key: &str) -> bool {
    match names {
        ["metadata"] => matches!(
            key,
            "resourceVersion"
                | "managedFields"
                | "generation"
                | "selfLink"
                | "uid"
                | "creationTimestamp"
        ),
        ["metadata", "annotations"] => matches!(
            key,
            "kubectl.kubernetes.io/last-applied-configuration"
                | "control-plane.alpha.kubernetes.io/leader"
                | "endpoints.kubernetes.io/last-change-trigger-time"
        ),
        ["status"] if key == "images" => true,
        ["status", ..] if key == "observedGeneration" => true,
        _ => matches!(
            key,
            "lastHeartbeatTime" | "lastProbeTime" | "lastUpdateTime" | "renewTime"
        ),
    }
}

fn plain(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A list item's name that needs no quotes inside `[field=...]`: `10.240.0.15`, `k8s-app`,
/// `node.kubernetes.io/unschedulable`.
fn item_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | ':' | '/' | '_' | '-'))
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Appends a map key to a path.
fn push_key(path: &mut String, key: &str) {
    if plain(key) {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(&quoted(key));
        path.push(']');
    }
}

/// The field that names the items of a list: the first of `name`, `type`, `key` that every
/// item of both lists has, as a string or number, with no repeats within either list.
fn list_key(old: &[Value], new: &[Value]) -> Option<&'static str> {
    ["name", "type", "key"].into_iter().find(|field| {
        [old, new].iter().all(|list| {
            let mut seen = std::collections::BTreeSet::new();
            list.iter()
                .all(|item| item_name(item, field).is_some_and(|n| seen.insert(n)))
        })
    })
}

fn item_name(item: &Value, field: &str) -> Option<String> {
    match item.get(field)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl<'a> Walker<'a> {
    fn push(&mut self, path: &str, old: Option<&Value>, new: Option<&Value>) {
        if self.out.len() < MAX_FIELDS {
            self.out.push(FieldChange {
                path: path.to_string(),
                old: old.cloned(),
                new: new.cloned(),
            });
        } else {
            self.omitted += 1;
        }
    }

    fn value(
        &mut self,
        path: &mut String,
        old: Option<&'a Value>,
        new: Option<&'a Value>,
        depth: usize,
    ) {
        let (old, new) = (empty(old), empty(new));
        match (old, new) {
            (None, None) => {}
            (Some(o), Some(n)) if o == n => {}
            (Some(Value::Object(o)), Some(Value::Object(n))) if depth < MAX_DEPTH => {
                self.map(path, o, n, depth);
            }
            (Some(Value::Array(o)), Some(Value::Array(n))) if depth < MAX_DEPTH => {
                self.list(path, o, n, depth);
            }
            (o, n) => self.push(path, o, n),
        }
    }

    fn map(
        &mut self,
        path: &mut String,
        old: &'a Map<String, Value>,
        new: &'a Map<String, Value>,
        depth: usize,
    ) {
        // Keys in sorted order, so that inputs that write them in another order (kubectl
        // sorts them, YAML files do not) give the same paths in the same order.
        let mut keys: Vec<&'a String> = old
            .keys()
            .chain(new.keys().filter(|k| !old.contains_key(*k)))
            .collect();
        keys.sort_unstable();
        for key in keys {
            if noise(&self.names, key) {
                continue;
            }
            let len = path.len();
            push_key(path, key);
            self.names.push(key);
            self.value(path, old.get(key), new.get(key), depth + 1);
            self.names.pop();
            path.truncate(len);
        }
    }

    fn list(&mut self, path: &mut String, old: &'a [Value], new: &'a [Value], depth: usize) {
        if let Some(field) = list_key(old, new) {
            let named = |list: &'a [Value]| -> Vec<(String, &'a Value)> {
                list.iter()
                    .filter_map(|v| item_name(v, field).map(|n| (n, v)))
                    .collect()
            };
            let (o, n) = (named(old), named(new));
            let find = |list: &[(String, &'a Value)], name: &str| {
                list.iter().find(|(x, _)| x == name).map(|(_, v)| *v)
            };
            let names = o
                .iter()
                .map(|(x, _)| x)
                .chain(n.iter().map(|(x, _)| x).filter(|x| find(&o, x).is_none()));
            for name in names {
                let len = path.len();
                path.push('[');
                path.push_str(field);
                path.push('=');
                if item_word(name) {
                    path.push_str(name);
                } else {
                    path.push_str(&quoted(name));
                }
                path.push(']');
                self.value(path, find(&o, name), find(&n, name), depth + 1);
                path.truncate(len);
            }
        } else if old.len() == new.len() && old.iter().chain(new).all(Value::is_object) {
            for (i, (o, n)) in old.iter().zip(new).enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                self.value(path, Some(o), Some(n), depth + 1);
                path.truncate(len);
            }
        } else {
            // Lists of words (args, finalizers) or of unnamed items that grew or shrank: the
            // whole list, which reads better than shifted positions.
            self.push(
                path,
                Some(&Value::Array(old.to_vec())),
                Some(&Value::Array(new.to_vec())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn paths(old: Value, new: Value) -> Vec<String> {
        compare(&old, &new)
            .0
            .into_iter()
            .map(|c| {
                format!(
                    "{}: {} -> {}",
                    c.path,
                    c.old.map_or("-".into(), |v| v.to_string()),
                    c.new.map_or("-".into(), |v| v.to_string())
                )
            })
            .collect()
    }

    #[test]
    fn containers_by_name_in_any_order() {
        let old = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "a:1"},
            {"name": "x", "resources": {"limits": {"memory": "256Mi"}}}
        ]}}}});
        let new = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "x", "resources": {"limits": {"memory": "128Mi"}}},
            {"name": "a", "image": "a:1"}
        ]}}}});
        assert_eq!(
            paths(old, new),
            [
                "spec.template.spec.containers[name=x].resources.limits.memory: \"256Mi\" -> \"128Mi\""
            ]
        );
    }

    #[test]
    fn noise_is_ignored() {
        let old = json!({"metadata": {"resourceVersion": "1", "generation": 1, "managedFields": [{"manager": "a"}],
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "status": {"observedGeneration": 1, "images": [{"names": ["a"]}],
                "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": "t1", "lastProbeTime": null}]},
            "spec": {"renewTime": "t1", "finalizers": []}});
        let new = json!({"metadata": {"resourceVersion": "2", "generation": 2, "labels": {},
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"a\":1}"}},
            "status": {"observedGeneration": 2, "images": [{"names": ["b"]}],
                "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": "t2"}]},
            "spec": {"renewTime": "t2"}});
        assert_eq!(paths(old, new), Vec::<String>::new());
    }

    #[test]
    fn keys_quoted_and_lists_whole() {
        let old = json!({"metadata": {"labels": {"app.kubernetes.io/name": "a"}}, "spec": {"args": ["-a"],
            "taints": [{"key": "k", "effect": "NoSchedule"}, {"key": "k", "effect": "NoExecute"}]}});
        let new = json!({"metadata": {"labels": {"app.kubernetes.io/name": "b", "new": "1"}}, "spec": {"args": ["-a", "-b"],
            "taints": [{"key": "k", "effect": "NoSchedule"}]}});
        assert_eq!(
            paths(old, new),
            [
                "metadata.labels[\"app.kubernetes.io/name\"]: \"a\" -> \"b\"",
                "metadata.labels.new: - -> \"1\"",
                "spec.args: [\"-a\"] -> [\"-a\",\"-b\"]",
                "spec.taints: [{\"key\":\"k\",\"effect\":\"NoSchedule\"},{\"key\":\"k\",\"effect\":\"NoExecute\"}] -> [{\"key\":\"k\",\"effect\":\"NoSchedule\"}]",
            ]
        );
    }

    #[test]
    fn hostile_names_are_quoted_and_fields_bounded() {
        let old = json!({"data": {"a]b": "1"}, "items": [{"name": "x]=y", "v": 1}]});
        let new = json!({"data": {"a]b": "2"}, "items": [{"name": "x]=y", "v": 2}]});
        assert_eq!(
            paths(old, new),
            [
                "data[\"a]b\"]: \"1\" -> \"2\"",
                "items[name=\"x]=y\"].v: 1 -> 2"
            ]
        );
        let many = |d: usize| -> Value {
            Value::Object(
                (0..MAX_FIELDS + 5)
                    .map(|i| (format!("k{i}"), json!(i + d)))
                    .collect(),
            )
        };
        let (fields, omitted) = compare(&many(0), &many(1));
        assert_eq!((fields.len(), omitted), (MAX_FIELDS, 5));
    }

    #[test]
    fn deep_nesting_is_one_value() {
        let mut v = json!(1);
        let mut w = json!(2);
        for _ in 0..200 {
            v = json!({"a": v});
            w = json!({"a": w});
        }
        let (fields, _) = compare(&v, &w);
        assert_eq!(fields.len(), 1);
    }
}
