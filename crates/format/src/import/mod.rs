//! Turning an opened input into snapshot contents.
//!
//! Each layout is an [`Importer`]: it recognises its input ([`Importer::detect`]) and says what
//! each entry is ([`Importer::classify`], or [`Importer::classify_in`] when it needs to see the
//! entry's siblings); this module does the reading, once, for all of them. Entries whose nature
//! only their content tells ([`Class::Sniff`]) are decided by [`Importer::sniff`] from their first
//! bytes, in the same pass. Layouts are tried in [`IMPORTERS`] order; the generic layout, which
//! takes anything, is last.

mod cluster_info_dump;
mod crust_gather;
mod generic;
mod kbundle;
mod kubectl_text;
mod must_gather;
mod objects;
mod troubleshoot;

use std::io::Read;

use serde_json::Value;

use crate::archive::{Archive, EntryInfo, Skipped};
use crate::error::Result;
use crate::json::opt_str_at;
use crate::manifest::Manifest;
use crate::snapshot::{
    EntryRef, Input, Layout, LogRef, Object, ReferenceTimeSource, Snapshot, TextKind, TextRef,
};

pub(crate) use objects::{parse_documents, parse_objects};

/// What an entry of a recognised input is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Class {
    /// A JSON or YAML file of objects (one, a list, a top-level array, or several YAML
    /// documents).
    Objects,
    /// The API server's `/version` answer (or `kubectl version -o json|yaml` output, or
    /// troubleshoot's `cluster_version.json`).
    Version,
    /// One container log.
    Log {
        namespace: String,
        pod: String,
        container: Option<String>,
        previous: bool,
    },
    /// A text file.
    Text(TextKind),
    /// Not used.
    Ignore,
    /// A list of what a collector could not collect (troubleshoot's `*-errors.json`): each
    /// message is noted in [`Input::ignored`].
    Errors,
    /// `kubectl cluster-info dump` output: object lists (JSON, one after another, or YAML) and
    /// container logs between `==== START logs ...` and `==== END logs ...` lines. Read as a
    /// stream; each log becomes a [`LogRef`] with a byte range.
    Dump,
    /// A must-gather's `timestamp` file: when the gathering started and ended.
    MustGatherStamp,
    /// Decided by content: the engine reads the entry's first bytes and asks
    /// [`Importer::sniff`].
    Sniff,
}

/// What [`Importer::detect`] found.
#[derive(Debug, Default)]
pub(crate) struct Detected {
    /// The folder inside the input that holds the layout (empty: the top).
    pub root: String,
    /// The kbundle manifest, when there is one.
    pub manifest: Option<Manifest>,
}

/// One input layout.
pub(crate) trait Importer: Sync {
    /// The layout's name.
    fn layout(&self) -> Layout;
    /// Whether the input is of this layout, and where its root is. Errors are for inputs that
    /// are of this layout but unusable (a newer bundle format, say).
    fn detect(&self, archive: &Archive) -> Result<Option<Detected>>;
    /// What an entry is, by its path relative to the root.
    fn classify(&self, rel: &str, entry: &EntryInfo) -> Class;
    /// What an entry is, with the whole input in view (to prefer one of two siblings, say).
    fn classify_in(&self, rel: &str, entry: &EntryInfo, _input: &InputView<'_>) -> Class {
        self.classify(rel, entry)
    }
    /// What a [`Class::Sniff`] entry is, from its first bytes (at most [`SNIFF_BYTES`]).
    fn sniff(&self, _rel: &str, _head: &[u8]) -> Class {
        Class::Ignore
    }
    /// The `apiVersion` and `kind` of the objects of an object file whose list and items do
    /// not say them (older troubleshoot bundles), by its path.
    fn type_hint(&self, _rel: &str) -> Option<(&'static str, &'static str)> {
        None
    }
}

/// The input as an importer sees it while classifying.
pub(crate) struct InputView<'a> {
    archive: &'a Archive,
    root: &'a str,
}

impl InputView<'_> {
    /// Whether the input has an entry at `rel` (relative to the root).
    pub fn has(&self, rel: &str) -> bool {
        self.archive.entry(&join(self.root, rel)).is_some()
    }
}

/// How many bytes [`Importer::sniff`] gets.
pub(crate) const SNIFF_BYTES: usize = 8192;

/// The importers, most specific first.
pub(crate) const IMPORTERS: &[&dyn Importer] = &[
    &kbundle::Kbundle,
    &troubleshoot::Troubleshoot,
    &must_gather::MustGather,
    &crust_gather::CrustGather,
    &cluster_info_dump::DumpDirectory,
    &cluster_info_dump::DumpStream,
    &kubectl_text::KubectlText,
    &generic::Generic,
];

/// The part of `path` below `root`, if it is below it.
pub(crate) fn below<'a>(root: &str, path: &'a str) -> Option<&'a str> {
    if root.is_empty() {
        Some(path)
    } else {
        path.strip_prefix(root).and_then(|p| p.strip_prefix('/'))
    }
}

/// `root/rel`, or `rel` when the root is the top.
pub(crate) fn join(root: &str, rel: &str) -> String {
    if root.is_empty() {
        rel.to_string()
    } else {
        format!("{root}/{rel}")
    }
}

/// The folder part of a path (empty at the top).
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map(|(p, _)| p).unwrap_or_default()
}

/// Splits `<container>[.previous].log` into the container and whether it is the previous log.
pub(crate) fn split_log_name(file: &str) -> Option<(String, bool)> {
    let stem = file.strip_suffix(".log")?;
    let (container, previous) = match stem.strip_suffix(".previous") {
        Some(c) => (c, true),
        None => (stem, false),
    };
    (!container.is_empty()).then(|| (container.to_string(), previous))
}

/// Reads at most `max` bytes (fewer only at the end of the entry).
fn read_head(reader: &mut dyn Read, max: usize) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(max.min(SNIFF_BYTES));
    reader.take(max as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Objects from one file: [`parse_objects`], plus top-level arrays of objects (troubleshoot's
/// custom resources) and, for `sniffed` text files, a leading shell prompt line skipped.
pub(crate) fn parse_any(
    path: &str,
    bytes: &[u8],
    sniffed: bool,
) -> std::result::Result<objects::Parsed, String> {
    let bytes = if sniffed {
        kubectl_text::skip_prompt(bytes)
    } else {
        bytes
    };
    let parsed = parse_objects(path, bytes)?;
    if !parsed.values.is_empty() || parsed.had_list {
        return Ok(parsed);
    }
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'{') && is_empty_list(bytes) {
        // troubleshoot writes empty lists with `"items": null`.
        return Ok(objects::Parsed {
            values: Vec::new(),
            had_list: true,
        });
    }
    let array: Option<Vec<Value>> = if first == Some(b'[') {
        serde_json::from_slice(bytes).ok()
    } else if first == Some(b'-') && !path.ends_with(".json") {
        serde_norway::from_slice(bytes).ok()
    } else {
        None
    };
    match array {
        Some(items) => {
            let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
            let bytes = serde_json::to_vec(&list).map_err(|e| e.to_string())?;
            parse_objects("array.json", &bytes)
        }
        None => Ok(parsed),
    }
}

/// Objects of a file whose list (or top-level array) and items lack `apiVersion` and `kind`:
/// they are taken from the hint.
fn parse_hinted(
    path: &str,
    bytes: &[u8],
    (api_version, kind): (&str, &str),
) -> std::result::Result<objects::Parsed, String> {
    let Some(value) = parse_documents(path, bytes)?.into_iter().next() else {
        return Ok(objects::Parsed::default());
    };
    let mut list = match value {
        Value::Array(items) => serde_json::json!({ "items": items }),
        Value::Object(map) if map.contains_key("items") => Value::Object(map),
        _ => return Ok(objects::Parsed::default()),
    };
    if let Some(map) = list.as_object_mut() {
        map.entry("kind")
            .or_insert_with(|| Value::String(format!("{kind}List")));
        map.entry("apiVersion")
            .or_insert_with(|| Value::String(api_version.to_string()));
        if map.get("items").is_none_or(Value::is_null) {
            map.insert("items".into(), Value::Array(Vec::new()));
        }
    }
    let bytes = serde_json::to_vec(&list).map_err(|e| e.to_string())?;
    parse_objects("hinted.json", &bytes)
}

/// A `...List` whose `items` are null or missing.
fn is_empty_list(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Value>(bytes).is_ok_and(|v| {
        opt_str_at(&v, "/kind").is_some_and(|k| k.ends_with("List"))
            && v.get("items").is_none_or(Value::is_null)
    })
}

/// What the one pass over the input read.
enum Read1 {
    /// Bytes of an object, version or errors file.
    Whole(Class, Vec<u8>, bool),
    /// A scanned `cluster-info dump` stream.
    Dump(cluster_info_dump::Scan),
}

/// What a file of a layout with a fixed log path is: a log when `log_dir` matches the path's
/// folders (`*` matches the namespace, then the pod, in that order), describe text, other
/// text, objects, or nothing.
pub(crate) fn classify_plain(rel: &str, log_dir: &[&str]) -> Class {
    let parts: Vec<&str> = rel.split('/').collect();
    if let Some((file, dirs)) = parts.split_last()
        && dirs.len() == log_dir.len()
        && let Some((container, previous)) = split_log_name(file)
    {
        let mut wild = Vec::new();
        let mut matches = true;
        for (part, want) in dirs.iter().zip(log_dir) {
            if *want == "*" {
                wild.push(*part);
            } else if part != want {
                matches = false;
            }
        }
        if let (true, [namespace, pod]) = (matches, wild.as_slice()) {
            return Class::Log {
                namespace: namespace.to_string(),
                pod: pod.to_string(),
                container: Some(container),
                previous,
            };
        }
    }
    if rel.ends_with("describe.txt") {
        return Class::Text(TextKind::Describe);
    }
    if rel.ends_with(".txt") {
        return Class::Text(TextKind::Other);
    }
    if is_object_file(rel) {
        return Class::Objects;
    }
    Class::Ignore
}

/// The folder holding a layout, found from one of its marker paths: the part of `path` before
/// the first component `i` for which `is_marker(component, the components after it)` holds.
pub(crate) fn root_before_marker(
    path: &str,
    is_marker: impl Fn(&str, &[&str]) -> bool,
) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if is_marker(part, parts.get(i + 1..).unwrap_or_default()) {
            return Some(parts.get(..i).unwrap_or_default().join("/"));
        }
    }
    None
}

/// Detection for layouts without a manifest: the shallowest root any entry gives.
pub(crate) fn shallowest_root(
    archive: &Archive,
    root_of: impl Fn(&str) -> Option<String>,
) -> Option<Detected> {
    archive
        .entries()
        .iter()
        .filter_map(|e| root_of(&e.path))
        .min_by_key(|r| (r.matches('/').count(), r.len()))
        .map(|root| Detected {
            root,
            manifest: None,
        })
}

/// Reads an input into the snapshot.
pub(crate) fn import(snapshot: &mut Snapshot, archive: Archive) -> Result<()> {
    let mut found = None;
    for importer in IMPORTERS {
        if let Some(detected) = importer.detect(&archive)? {
            found = Some((*importer, detected));
            break;
        }
    }
    let (importer, detected) = match found {
        Some(f) => f,
        None => (&generic::Generic as &dyn Importer, Detected::default()),
    };
    let Detected { root, manifest } = detected;
    let input_index = snapshot.inputs.len();
    let limits = archive.limits();
    let mut ignored: Vec<Skipped> = Vec::new();
    let truncated: std::collections::HashSet<&str> = manifest
        .iter()
        .flat_map(|m| m.entries.iter())
        .filter(|e| e.truncated.is_some())
        .map(|e| e.path.as_str())
        .collect();

    let view = InputView {
        archive: &archive,
        root: &root,
    };
    let classes: Vec<Class> = archive
        .entries()
        .iter()
        .map(|e| match below(&root, &e.path) {
            Some(rel) => importer.classify_in(rel, e, &view),
            None => Class::Ignore,
        })
        .collect();

    let origin = |entry: &EntryInfo| EntryRef {
        input: input_index,
        path: entry.path.clone(),
    };
    let log_ref = |entry: &EntryInfo, class: &Class| match class {
        Class::Log {
            namespace,
            pod,
            container,
            previous,
        } => Some(LogRef {
            namespace: namespace.clone(),
            pod: pod.clone(),
            container: container.clone(),
            previous: *previous,
            truncated: below(&root, &entry.path).is_some_and(|rel| truncated.contains(rel)),
            origin: origin(entry),
            range: None,
            size: entry.size,
        }),
        _ => None,
    };

    // Logs and texts: by name, nothing read.
    for (entry, class) in archive.entries().iter().zip(&classes) {
        if let Some(log) = log_ref(entry, class) {
            snapshot.logs.push(log);
        } else if let Class::Text(kind) = class {
            snapshot.texts.push(TextRef {
                kind: *kind,
                origin: origin(entry),
                size: entry.size,
            });
        }
    }

    // Objects, version, errors, dumps and sniffed entries: read in one pass over the input.
    let mut index_of = std::collections::HashMap::new();
    for (i, (e, class)) in archive.entries().iter().zip(&classes).enumerate() {
        match class {
            Class::Objects | Class::Version | Class::Errors if e.size > limits.max_parse_bytes => {
                ignored.push(too_big(e, limits.max_parse_bytes));
            }
            Class::Objects
            | Class::Version
            | Class::Errors
            | Class::Dump
            | Class::Sniff
            | Class::MustGatherStamp => {
                index_of.insert(e.path.clone(), i);
            }
            _ => {}
        }
    }
    let mut read: Vec<(usize, Read1)> = Vec::new();
    let mut sniffed_logs: Vec<LogRef> = Vec::new();
    let mut sniffed_texts: Vec<TextRef> = Vec::new();
    let mut stamp: Option<jiff::Timestamp> = None;
    // An entry whose own data is bad (a zip entry failing its CRC check, say) is skipped with
    // its reason; the rest of the input is still read.
    let bad = archive.visit_skipping_bad(
        |e| index_of.contains_key(&e.path),
        |info, reader: &mut dyn Read| {
            let Some(&i) = index_of.get(&info.path) else {
                return Ok(());
            };
            let Some(mut class) = classes.get(i).cloned() else {
                return Ok(());
            };
            let mut head = Vec::new();
            let mut sniffed = false;
            if class == Class::Sniff {
                head = read_head(reader, SNIFF_BYTES)?;
                let rel = below(&root, &info.path).unwrap_or(&info.path);
                class = importer.sniff(rel, &head);
                sniffed = true;
            }
            match class {
                Class::Objects | Class::Version | Class::Errors => {
                    if info.size > limits.max_parse_bytes {
                        ignored.push(too_big(info, limits.max_parse_bytes));
                        return Ok(());
                    }
                    let mut bytes = head;
                    bytes.reserve(
                        usize::try_from(info.size)
                            .unwrap_or(0)
                            .saturating_sub(bytes.len()),
                    );
                    reader.read_to_end(&mut bytes)?;
                    read.push((i, Read1::Whole(class, bytes, sniffed)));
                }
                Class::MustGatherStamp => {
                    let head = read_head(reader, 4096)?;
                    stamp = stamp.max(must_gather::parse_timestamp(&head));
                }
                Class::Dump => {
                    if sniffed && cluster_info_dump::is_dump_transcript(&head) {
                        // The commands before the dump are text the analyzer reads too.
                        sniffed_texts.push(TextRef {
                            kind: TextKind::Other,
                            origin: origin(info),
                            size: info.size,
                        });
                    }
                    let mut chained = std::io::Cursor::new(head).chain(reader);
                    let scan = cluster_info_dump::scan(&mut chained, limits.max_parse_bytes)?;
                    read.push((i, Read1::Dump(scan)));
                }
                Class::Log { .. } => sniffed_logs.extend(log_ref(info, &class)),
                Class::Text(kind) => sniffed_texts.push(TextRef {
                    kind,
                    origin: origin(info),
                    size: info.size,
                }),
                Class::Ignore | Class::Sniff => {}
            }
            Ok(())
        },
    )?;
    snapshot.logs.extend(sniffed_logs);
    snapshot.texts.extend(sniffed_texts);
    read.sort_by_key(|(i, _)| *i);

    let add_objects = |snapshot: &mut Snapshot, path: &str, values: Vec<Value>| {
        for value in values {
            snapshot.insert(Object {
                value,
                origin: EntryRef {
                    input: input_index,
                    path: path.to_string(),
                },
            });
        }
    };
    for (i, what) in read {
        let Some(entry) = archive.entries().get(i) else {
            continue;
        };
        let path = entry.path.clone();
        let (class, bytes, sniffed) = match what {
            Read1::Whole(class, bytes, sniffed) => (class, bytes, sniffed),
            Read1::Dump(scan) => {
                for note in scan.notes {
                    ignored.push(Skipped {
                        name: path.clone(),
                        reason: note,
                    });
                }
                for segment in &scan.segments {
                    let (values, notes) = cluster_info_dump::parse_segment_lossy(segment);
                    add_objects(snapshot, &path, values);
                    ignored.extend(notes.into_iter().map(|reason| Skipped {
                        name: path.clone(),
                        reason,
                    }));
                }
                for log in scan.logs {
                    snapshot.logs.push(LogRef {
                        namespace: log.namespace,
                        pod: log.pod,
                        container: Some(log.container),
                        previous: false,
                        origin: origin(entry),
                        size: log.range.end.saturating_sub(log.range.start),
                        range: Some(log.range),
                        truncated: log.cut,
                    });
                }
                continue;
            }
        };
        if class == Class::Errors {
            for message in error_messages(&bytes) {
                ignored.push(Skipped {
                    name: path.clone(),
                    reason: format!("the collector noted: {message}"),
                });
            }
            continue;
        }
        if class == Class::Version {
            // Not an object: the first document, raw (`kubectl version -o yaml` output, the
            // `/version` answer, troubleshoot's `cluster_version.json`).
            let text = if sniffed {
                kubectl_text::skip_prompt(&bytes)
            } else {
                &bytes
            };
            match parse_documents(&path, text) {
                Ok(docs) => {
                    if let Some(mut v) = docs.into_iter().next() {
                        if let Some(server) = v.get_mut("serverVersion") {
                            v = server.take();
                        } else if v.get("gitVersion").is_none()
                            && let Some(info) = v.get_mut("info")
                        {
                            v = info.take();
                        }
                        if snapshot.server_version.is_none()
                            && (v.get("gitVersion").is_some() || v.get("major").is_some())
                        {
                            snapshot.server_version = Some(v);
                        }
                    }
                }
                Err(reason) => ignored.push(Skipped { name: path, reason }),
            }
            continue;
        }
        let parsed = match parse_any(&path, &bytes, sniffed) {
            Ok(p) => p,
            // Several JSON documents one after another (`kubectl get ... -o json >> all.json`).
            Err(reason) => match cluster_info_dump::parse_segment(&bytes) {
                Ok(values) if class == Class::Objects && !values.is_empty() => objects::Parsed {
                    values,
                    had_list: false,
                },
                _ => {
                    ignored.push(Skipped { name: path, reason });
                    continue;
                }
            },
        };
        let parsed = match below(&root, &path).and_then(|rel| importer.type_hint(rel)) {
            Some(hint) if parsed.values.is_empty() => {
                parse_hinted(&path, &bytes, hint).unwrap_or(parsed)
            }
            _ => parsed,
        };
        if parsed.values.is_empty() && !parsed.had_list {
            ignored.push(Skipped {
                name: path,
                reason: "no Kubernetes object in it".into(),
            });
            continue;
        }
        add_objects(snapshot, &path, parsed.values);
    }
    if let Some(m) = &manifest
        && snapshot.server_version.is_none()
    {
        snapshot.server_version = m.cluster.server_version.clone();
    }
    let collected_at = manifest
        .as_ref()
        .and_then(|m| m.collected_at.parse::<jiff::Timestamp>().ok())
        .map(|t| (t, ReferenceTimeSource::Manifest))
        .or_else(|| stamp.map(|t| (t, ReferenceTimeSource::MustGatherTimestamp)));
    let mut archive = archive;
    archive.refuse(&bad);
    snapshot.inputs.push(Input {
        archive,
        layout: importer.layout(),
        root,
        manifest,
        ignored,
        collected_at,
    });
    Ok(())
}

fn too_big(e: &EntryInfo, max: u64) -> Skipped {
    Skipped {
        name: e.path.clone(),
        reason: format!(
            "{} bytes is more than the {max}-byte limit for object files",
            e.size
        ),
    }
}

/// The messages of an errors file: a JSON array of strings (troubleshoot's `*-errors.json`), an
/// object with an `error` field (troubleshoot's `collector-errors/*.json`), or else the text.
fn error_messages(bytes: &[u8]) -> Vec<String> {
    const MAX_MESSAGES: usize = 100;
    const MAX_CHARS: usize = 500;
    let clip = |s: &str| s.chars().take(MAX_CHARS).collect::<String>();
    let messages: Vec<String> = match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => clip(s),
                other => clip(&other.to_string()),
            })
            .collect(),
        Ok(Value::Object(map)) => {
            let text = |k: &str| {
                map.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let (collector, error) = (text("collector"), text("error"));
            match (collector.is_empty(), error.is_empty()) {
                (_, true) => vec![clip(&Value::Object(map.clone()).to_string())],
                (true, false) => vec![clip(&error)],
                (false, false) => vec![clip(&format!("{collector}: {error}"))],
            }
        }
        Ok(other) => vec![clip(&other.to_string())],
        Err(_) => vec![clip(String::from_utf8_lossy(bytes).trim())],
    };
    let total = messages.len();
    let mut messages: Vec<String> = messages
        .into_iter()
        .filter(|m| !m.is_empty())
        .take(MAX_MESSAGES)
        .collect();
    if total > MAX_MESSAGES {
        messages.push(format!("... and {} more", total - MAX_MESSAGES));
    }
    messages
}

/// A helper for importers: whether a path names an object file.
pub(crate) fn is_object_file(rel: &str) -> bool {
    rel.ends_with(".json") || rel.ends_with(".yaml") || rel.ends_with(".yml")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_of_each_shape() {
        assert_eq!(error_messages(br#"["a", "b"]"#), vec!["a", "b"]);
        assert_eq!(
            error_messages(br#"{"collector":"etcd","error":"not supported"}"#),
            vec!["etcd: not supported"]
        );
        assert_eq!(error_messages(b"plain words\n"), vec!["plain words"]);
        assert!(error_messages(b"").is_empty());
    }

    #[test]
    fn top_level_arrays_are_objects() {
        let json = br#"[{"apiVersion":"k3s.cattle.io/v1","kind":"Addon","metadata":{"name":"a","namespace":"kube-system"}}]"#;
        let parsed = parse_any("x/kube-system.json", json, false).unwrap_or_default();
        assert_eq!(parsed.values.len(), 1);
        let yaml = b"- apiVersion: k3s.cattle.io/v1\n  kind: Addon\n  metadata:\n    name: a\n";
        let parsed = parse_any("x/kube-system.yaml", yaml, false).unwrap_or_default();
        assert_eq!(parsed.values.len(), 1);
        let parsed = parse_any("x.json", b"[1, 2]", false).unwrap_or_default();
        assert!(parsed.values.is_empty());
    }

    #[test]
    fn paths() {
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("r", "a"), "r/a");
        assert_eq!(parent("a/b/c"), "a/b");
        assert_eq!(parent("c"), "");
    }
}
