//! Parsing object files: JSON or YAML, one object, a `List`, a typed list, several documents.

use serde::Deserialize;
use serde_json::Value;

use crate::json::str_at;

/// What one file held.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// The objects, lists expanded.
    pub values: Vec<Value>,
    /// Whether a list (possibly empty) was seen: an empty list is not an odd file.
    pub had_list: bool,
}

/// Objects found in one file, or why it could not be parsed. JSON and YAML nesting is bounded
/// by the parsers' recursion limits (deep documents are errors, not crashes).
pub(crate) fn parse_objects(path: &str, bytes: &[u8]) -> Result<Parsed, String> {
    let mut parsed = Parsed::default();
    for doc in parse_documents(path, bytes)? {
        flatten(doc, &mut parsed);
    }
    Ok(parsed)
}

/// The documents of a JSON file (one) or a YAML file (any number), as JSON values.
pub(crate) fn parse_documents(path: &str, bytes: &[u8]) -> Result<Vec<Value>, String> {
    let mut docs = Vec::new();
    if path.ends_with(".json") {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("invalid JSON: {e}"))?;
        docs.push(v);
    } else {
        for doc in serde_norway::Deserializer::from_slice(bytes) {
            match Value::deserialize(doc) {
                Ok(Value::Null) => {}
                Ok(v) => docs.push(v),
                Err(e) => return Err(format!("invalid YAML: {e}")),
            }
        }
    }
    Ok(docs)
}

/// Expands `List` and typed lists (`PodList`, ...) into their items, giving items without
/// `kind` or `apiVersion` the list's.
fn flatten(doc: Value, out: &mut Parsed) {
    let kind = str_at(&doc, "/kind").to_string();
    let api_version = str_at(&doc, "/apiVersion").to_string();
    match doc {
        Value::Object(mut map)
            if kind.ends_with("List") && map.get("items").is_some_and(Value::is_array) =>
        {
            out.had_list = true;
            let item_kind = kind.strip_suffix("List").unwrap_or_default().to_string();
            if let Some(Value::Array(items)) = map.remove("items") {
                for mut item in items {
                    if let Value::Object(m) = &mut item {
                        if !m.contains_key("kind") && !item_kind.is_empty() {
                            m.insert("kind".into(), Value::String(item_kind.clone()));
                        }
                        if !m.contains_key("apiVersion") && !api_version.is_empty() {
                            m.insert("apiVersion".into(), Value::String(api_version.clone()));
                        }
                    }
                    flatten(item, out);
                }
            }
        }
        v @ Value::Object(_)
            if v.get("kind").is_some_and(Value::is_string)
                && v.get("apiVersion").is_some_and(Value::is_string)
                && v.pointer("/metadata/name").is_some_and(Value::is_string) =>
        {
            out.values.push(v);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_lists_get_kind_and_api_version() {
        let json = br#"{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"a"}}]}"#;
        let parsed = parse_objects("pods.json", json).unwrap_or_default();
        assert_eq!(parsed.values.len(), 1);
        assert_eq!(parsed.values[0]["kind"], "Pod");
        assert_eq!(parsed.values[0]["apiVersion"], "v1");
    }

    #[test]
    fn empty_list_is_a_list() {
        let parsed = parse_objects("x.json", br#"{"apiVersion":"v1","kind":"List","items":[]}"#)
            .unwrap_or_default();
        assert!(parsed.had_list);
        assert!(parsed.values.is_empty());
    }

    #[test]
    fn yaml_multi_document() {
        let yaml = b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: b\n";
        let parsed = parse_objects("ns.yaml", yaml).unwrap_or_default();
        let names: Vec<_> = parsed
            .values
            .iter()
            .map(|o| o["metadata"]["name"].clone())
            .collect();
        assert_eq!(names, vec!["a", "b"]);
    }

    #[test]
    fn deep_documents_are_errors_not_crashes() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_objects("x.json", deep.as_bytes()).is_err());
        let deep_yaml = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_objects("x.yaml", deep_yaml.as_bytes()).is_err());
    }
}
