//! Turning an opened input into snapshot contents: layout detection and the importers.

use std::io::Read;

use serde::Deserialize;
use serde_json::Value;

use crate::archive::{Archive, EntryInfo, Skipped};
use crate::error::{Error, Result};
use crate::manifest::{FORMAT, Manifest};
use crate::snapshot::{EntryRef, Input, Layout, LogRef, Object, Snapshot, TextKind, TextRef};
use crate::writer::MANIFEST_PATH;

/// Objects found in one file, or why the file held none.
pub(crate) fn parse_objects(path: &str, bytes: &[u8]) -> std::result::Result<Vec<Value>, String> {
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
    let mut out = Vec::new();
    for doc in docs {
        flatten(doc, &mut out);
    }
    Ok(out)
}

/// Expands `List` and typed lists (`PodList`, ...) into their items.
fn flatten(doc: Value, out: &mut Vec<Value>) {
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or_default().to_string();
    let api_version = doc
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    match doc {
        Value::Object(mut map) if kind.ends_with("List") && map.get("items").is_some_and(Value::is_array) => {
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
        v @ Value::Object(_) => out.push(v),
        _ => {}
    }
}

fn extension_is_object(path: &str) -> bool {
    path.ends_with(".json") || path.ends_with(".yaml") || path.ends_with(".yml")
}

/// The part of `path` below `root`, if it is below it.
fn below<'a>(root: &str, path: &'a str) -> Option<&'a str> {
    if root.is_empty() {
        Some(path)
    } else {
        path.strip_prefix(root).and_then(|p| p.strip_prefix('/'))
    }
}

/// (namespace, pod, container, previous) of a log path, relative to the layout's root.
fn log_path(layout: Layout, rel: &str) -> Option<(String, String, Option<String>, bool)> {
    let parts: Vec<&str> = rel.split('/').collect();
    let file = match (layout, parts.as_slice()) {
        (Layout::Kbundle, ["namespaces", ns, "pods", pod, "logs", file]) => Some((*ns, *pod, *file)),
        (Layout::Generic, ["logs", ns, pod, file]) => Some((*ns, *pod, *file)),
        _ => None,
    }?;
    let (ns, pod, file) = file;
    let stem = file.strip_suffix(".log")?;
    let (container, previous) = match stem.strip_suffix(".previous") {
        Some(c) => (c, true),
        None => (stem, false),
    };
    if container.is_empty() {
        return None;
    }
    Some((ns.to_string(), pod.to_string(), Some(container.to_string()), previous))
}

/// Finds the layout and its root folder.
fn detect(archive: &Archive) -> Result<(Layout, String, Option<Manifest>)> {
    let mut candidates: Vec<&EntryInfo> = archive
        .entries()
        .iter()
        .filter(|e| e.path == MANIFEST_PATH || e.path.ends_with("/manifest.json"))
        .collect();
    candidates.sort_by_key(|e| e.path.matches('/').count());
    for entry in candidates {
        let bytes = archive.read_bytes(&entry.path, archive.limits().max_parse_bytes)?;
        let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
            continue;
        };
        let Some(format) = value.get("format").and_then(Value::as_str) else {
            continue;
        };
        if !format.starts_with("kbundle/") {
            continue;
        }
        if format != FORMAT {
            return Err(Error::Unsupported {
                path: archive.path().to_path_buf(),
                reason: format!("bundle format {format} is not {FORMAT}, the one this version reads"),
            });
        }
        let manifest: Manifest = serde_json::from_value(value).map_err(|e| Error::Entry {
            path: archive.path().to_path_buf(),
            entry: entry.path.clone(),
            message: format!("invalid manifest: {e}"),
        })?;
        let root = entry
            .path
            .strip_suffix(MANIFEST_PATH)
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        return Ok((Layout::Kbundle, root, Some(manifest)));
    }
    Ok((Layout::Generic, String::new(), None))
}

/// Reads an input into the snapshot.
pub(crate) fn import(snapshot: &mut Snapshot, archive: Archive) -> Result<()> {
    let (layout, root, manifest) = detect(&archive)?;
    let input_index = snapshot.inputs.len();
    let limits = archive.limits();
    let mut ignored: Vec<Skipped> = Vec::new();
    let version_paths: &[&str] = match layout {
        Layout::Kbundle => &["cluster/version.json"],
        Layout::Generic => &["version.json", "version.yaml"],
    };
    let truncated: std::collections::HashSet<&str> = manifest
        .iter()
        .flat_map(|m| m.entries.iter())
        .filter(|e| e.truncated.is_some())
        .map(|e| e.path.as_str())
        .collect();

    // Logs and texts: by name, no reading.
    for entry in archive.entries() {
        let Some(rel) = below(&root, &entry.path) else {
            continue;
        };
        let origin = EntryRef {
            input: input_index,
            path: entry.path.clone(),
        };
        if let Some((namespace, pod, container, previous)) = log_path(layout, rel) {
            snapshot.logs.push(LogRef {
                namespace,
                pod,
                container,
                previous,
                truncated: truncated.contains(rel),
                origin,
                size: entry.size,
            });
        } else if rel.ends_with(".txt") {
            let kind = if rel.ends_with("describe.txt") {
                TextKind::Describe
            } else {
                TextKind::Other
            };
            snapshot.texts.push(TextRef {
                kind,
                origin,
                size: entry.size,
            });
        }
    }

    // Objects: every JSON or YAML file, in one pass.
    let wanted = |e: &EntryInfo| {
        below(&root, &e.path).is_some_and(|rel| extension_is_object(rel) && rel != MANIFEST_PATH)
    };
    let mut too_big = Vec::new();
    let mut found: Vec<(String, Vec<u8>)> = Vec::new();
    archive.visit(
        |e| {
            let w = wanted(e);
            if w && e.size > limits.max_parse_bytes {
                return false;
            }
            w
        },
        |info, reader: &mut dyn Read| {
            let mut bytes = Vec::with_capacity(usize::try_from(info.size).unwrap_or(0));
            reader.read_to_end(&mut bytes)?;
            found.push((info.path.clone(), bytes));
            Ok(())
        },
    )?;
    for e in archive.entries() {
        if wanted(e) && e.size > limits.max_parse_bytes {
            too_big.push(Skipped {
                name: e.path.clone(),
                reason: format!(
                    "{} bytes is more than the {}-byte limit for object files",
                    e.size, limits.max_parse_bytes
                ),
            });
        }
    }
    ignored.extend(too_big);
    for (path, bytes) in found {
        let rel = below(&root, &path).unwrap_or(&path);
        if version_paths.contains(&rel) {
            match parse_objects(rel, &bytes) {
                Ok(mut docs) if !docs.is_empty() => {
                    let mut v = docs.swap_remove(0);
                    if let Some(server) = v.get_mut("serverVersion") {
                        v = server.take();
                    }
                    if snapshot.server_version.is_none() {
                        snapshot.server_version = Some(v);
                    }
                }
                Ok(_) => {}
                Err(reason) => ignored.push(Skipped { name: path, reason }),
            }
            continue;
        }
        match parse_objects(rel, &bytes) {
            Ok(objects) => {
                let mut any = false;
                for value in objects {
                    any |= snapshot.insert(Object {
                        value,
                        origin: EntryRef {
                            input: input_index,
                            path: path.clone(),
                        },
                    });
                }
                if !any {
                    ignored.push(Skipped {
                        name: path,
                        reason: "no new Kubernetes object in it".into(),
                    });
                }
            }
            Err(reason) => ignored.push(Skipped { name: path, reason }),
        }
    }
    if layout == Layout::Kbundle
        && let Some(m) = &manifest
        && snapshot.server_version.is_none()
    {
        snapshot.server_version = m.cluster.server_version.clone();
    }
    snapshot.inputs.push(Input {
        archive,
        layout,
        root,
        manifest,
        ignored,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_lists_get_kind_and_api_version() {
        let json = br#"{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"a"}}]}"#;
        let objects = parse_objects("pods.json", json).unwrap_or_default();
        assert_eq!(objects.len(), 1);
        assert_eq!(objects[0]["kind"], "Pod");
        assert_eq!(objects[0]["apiVersion"], "v1");
    }

    #[test]
    fn yaml_multi_document() {
        let yaml = b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: b\n";
        let objects = parse_objects("ns.yaml", yaml).unwrap_or_default();
        let names: Vec<_> = objects.iter().map(|o| o["metadata"]["name"].clone()).collect();
        assert_eq!(names, vec!["a", "b"]);
    }

    #[test]
    fn deep_json_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_objects("x.json", deep.as_bytes()).is_err());
        let deep_yaml = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_objects("x.yaml", deep_yaml.as_bytes()).is_err());
    }

    #[test]
    fn log_paths() {
        assert_eq!(
            log_path(Layout::Generic, "logs/ns/p/c.previous.log"),
            Some(("ns".into(), "p".into(), Some("c".into()), true))
        );
        assert_eq!(
            log_path(Layout::Kbundle, "namespaces/ns/pods/p/logs/c.log"),
            Some(("ns".into(), "p".into(), Some("c".into()), false))
        );
        assert_eq!(log_path(Layout::Generic, "logs/ns/c.log"), None);
    }
}
