//! Label selectors (`metav1.LabelSelector` objects and the textual form), for webhooks and
//! plans.

use serde_json::Value;

/// Labels of an object (`metadata.labels`) as `(key, value)` pairs.
pub(crate) fn labels(object: &Value) -> Vec<(String, String)> {
    object
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn get<'a>(labels: &'a [(String, String)], key: &str) -> Option<&'a str> {
    labels
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Whether a `metav1.LabelSelector` (JSON) matches; an absent or empty selector matches all.
pub(crate) fn selector_matches(selector: Option<&Value>, labels: &[(String, String)]) -> bool {
    let Some(sel) = selector.filter(|s| !s.is_null()) else {
        return true;
    };
    for (k, v) in sel
        .get("matchLabels")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if get(labels, k) != v.as_str() {
            return false;
        }
    }
    for expr in sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = expr.get("key").and_then(Value::as_str).unwrap_or_default();
        let values: Vec<&str> = expr
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let have = get(labels, key);
        let ok = match expr
            .get("operator")
            .and_then(Value::as_str)
            .unwrap_or_default()
        {
            "In" => have.is_some_and(|h| values.contains(&h)),
            "NotIn" => have.is_none_or(|h| !values.contains(&h)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            _ => true,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Whether a textual equality-based selector (`a=b,c!=d,e,!f`) matches. Set-based terms
/// (`in`, `notin`) are treated as matching.
pub(crate) fn text_selector_matches(selector: &str, labels: &[(String, String)]) -> bool {
    selector
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .all(|term| {
            if term.contains(" in ") || term.contains(" notin ") || term.contains('(') {
                return true;
            }
            if let Some((k, v)) = term.split_once("!=") {
                return get(labels, k.trim()) != Some(v.trim());
            }
            if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                return get(labels, k.trim()) == Some(v.trim());
            }
            if let Some(k) = term.strip_prefix('!') {
                return get(labels, k.trim()).is_none();
            }
            get(labels, term).is_some()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn l(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_selectors() {
        let labels = l(&[
            ("k8s-app", "calico-kube-controllers"),
            ("kubernetes.io/metadata.name", "calico-system"),
        ]);
        assert!(selector_matches(None, &labels));
        assert!(selector_matches(Some(&json!({})), &labels));
        assert!(selector_matches(
            Some(&json!({"matchLabels": {"k8s-app": "calico-kube-controllers"}})),
            &labels
        ));
        assert!(!selector_matches(
            Some(&json!({"matchLabels": {"k8s-app": "x"}})),
            &labels
        ));
        let expr = |op: &str, values: &[&str]| json!({"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": op, "values": values}]});
        assert!(!selector_matches(
            Some(&expr("NotIn", &["kube-system", "calico-system"])),
            &labels
        ));
        assert!(selector_matches(
            Some(&expr("In", &["calico-system"])),
            &labels
        ));
        assert!(selector_matches(Some(&expr("Exists", &[])), &labels));
        assert!(!selector_matches(Some(&expr("DoesNotExist", &[])), &labels));
        assert!(text_selector_matches(
            "k8s-app=calico-kube-controllers",
            &labels
        ));
        assert!(text_selector_matches(
            "k8s-app==calico-kube-controllers,!x,k8s-app",
            &labels
        ));
        assert!(!text_selector_matches(
            "k8s-app!=calico-kube-controllers",
            &labels
        ));
    }
}
