//! Turning an opened input into snapshot contents.
//!
//! Each layout is an [`Importer`]: it recognises its input ([`Importer::detect`]) and says what
//! each entry is ([`Importer::classify`]); this module does the reading, once, for all of them.
//! Layouts are tried in [`IMPORTERS`] order; the generic layout, which takes anything, is last.

mod generic;
mod kbundle;
mod objects;

use std::io::Read;

use crate::archive::{Archive, EntryInfo, Skipped};
use crate::error::Result;
use crate::manifest::Manifest;
use crate::snapshot::{EntryRef, Input, Layout, LogRef, Object, Snapshot, TextKind, TextRef};

pub(crate) use objects::{parse_documents, parse_objects};

/// What an entry of a recognised input is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Class {
    /// A JSON or YAML file of objects (one, a list, or several YAML documents).
    Objects,
    /// The API server's `/version` answer (or `kubectl version -o json|yaml` output).
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
}

/// The importers, most specific first.
pub(crate) const IMPORTERS: &[&dyn Importer] = &[&kbundle::Kbundle, &generic::Generic];

/// The part of `path` below `root`, if it is below it.
pub(crate) fn below<'a>(root: &str, path: &'a str) -> Option<&'a str> {
    if root.is_empty() {
        Some(path)
    } else {
        path.strip_prefix(root).and_then(|p| p.strip_prefix('/'))
    }
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

    let classes: Vec<Class> = archive
        .entries()
        .iter()
        .map(|e| match below(&root, &e.path) {
            Some(rel) => importer.classify(rel, e),
            None => Class::Ignore,
        })
        .collect();

    // Logs and texts: by name, nothing read.
    for (entry, class) in archive.entries().iter().zip(&classes) {
        let origin = EntryRef {
            input: input_index,
            path: entry.path.clone(),
        };
        match class {
            Class::Log {
                namespace,
                pod,
                container,
                previous,
            } => snapshot.logs.push(LogRef {
                namespace: namespace.clone(),
                pod: pod.clone(),
                container: container.clone(),
                previous: *previous,
                truncated: below(&root, &entry.path).is_some_and(|rel| truncated.contains(rel)),
                origin,
                range: None,
                size: entry.size,
            }),
            Class::Text(kind) => snapshot.texts.push(TextRef {
                kind: *kind,
                origin,
                size: entry.size,
            }),
            _ => {}
        }
    }

    // Objects and version: parsed, in one pass over the input.
    let parse_wanted = |i: usize| matches!(classes.get(i), Some(Class::Objects | Class::Version));
    let mut index_of = std::collections::HashMap::new();
    for (i, e) in archive.entries().iter().enumerate() {
        if parse_wanted(i) {
            if e.size > limits.max_parse_bytes {
                ignored.push(Skipped {
                    name: e.path.clone(),
                    reason: format!(
                        "{} bytes is more than the {}-byte limit for object files",
                        e.size, limits.max_parse_bytes
                    ),
                });
            } else {
                index_of.insert(e.path.clone(), i);
            }
        }
    }
    let mut read: Vec<(usize, Vec<u8>)> = Vec::new();
    archive.visit(
        |e| index_of.contains_key(&e.path),
        |info, reader: &mut dyn Read| {
            let mut bytes = Vec::with_capacity(usize::try_from(info.size).unwrap_or(0));
            reader.read_to_end(&mut bytes)?;
            if let Some(&i) = index_of.get(&info.path) {
                read.push((i, bytes));
            }
            Ok(())
        },
    )?;
    for (i, bytes) in read {
        let (Some(entry), Some(class)) = (archive.entries().get(i), classes.get(i)) else {
            continue;
        };
        let path = entry.path.clone();
        if *class == Class::Version {
            match parse_documents(&path, &bytes) {
                Ok(docs) => {
                    if let Some(mut v) = docs.into_iter().next() {
                        if let Some(server) = v.get_mut("serverVersion") {
                            v = server.take();
                        }
                        if snapshot.server_version.is_none() {
                            snapshot.server_version = Some(v);
                        }
                    }
                }
                Err(reason) => ignored.push(Skipped { name: path, reason }),
            }
            continue;
        }
        let parsed = match parse_objects(&path, &bytes) {
            Ok(p) => p,
            Err(reason) => {
                ignored.push(Skipped { name: path, reason });
                continue;
            }
        };
        if parsed.values.is_empty() && !parsed.had_list {
            ignored.push(Skipped {
                name: path,
                reason: "no Kubernetes object in it".into(),
            });
            continue;
        }
        for value in parsed.values {
            snapshot.insert(Object {
                value,
                origin: EntryRef {
                    input: input_index,
                    path: path.clone(),
                },
            });
        }
    }
    if let Some(m) = &manifest
        && snapshot.server_version.is_none()
    {
        snapshot.server_version = m.cluster.server_version.clone();
    }
    snapshot.inputs.push(Input {
        archive,
        layout: importer.layout(),
        root,
        manifest,
        ignored,
    });
    Ok(())
}

/// A helper for importers: whether a path names an object file.
pub(crate) fn is_object_file(rel: &str) -> bool {
    rel.ends_with(".json") || rel.ends_with(".yaml") || rel.ends_with(".yml")
}
