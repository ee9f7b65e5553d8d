//! `kbundle redact`: any input the reader understands, written as a redacted kbundle.
//!
//! What the snapshot holds is written in the `kbundle/1` layout (docs/bundle-format.md):
//! objects as Lists by resource (`cluster/<group>/<plural>.json`,
//! `namespaces/<ns>/<group>/<plural>.json`), pod logs under
//! `namespaces/<ns>/pods/<pod>/logs/`, the server version, and every text file (describe
//! output, tables) under `inputs/<n>/<its path in input n>`. A log whose input does not say its
//! namespace or container is kept the same way, under `inputs/`, rather than guessed into a
//! namespace. Entries the reader did not use (unknown files, parse errors) are not written.
//! Every entry is redacted; the manifest counts what was redacted, per entry and rule.

use std::collections::BTreeMap;
use std::io::{Read, Seek, Write};

use kbundle_format::manifest::{CollectError, Redaction, Truncation};
use kbundle_format::{BundleWriter, Manifest, Snapshot, TextKind};
use serde_json::{Value, json};

use crate::{Counts, RedactionMap, Redactor};

/// Errors of the conversion.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the input or writing the bundle failed.
    #[error(transparent)]
    Format(#[from] kbundle_format::Error),
}

/// Options of the conversion: `Options::default()` and the `with_` setters.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// The writing tool's version (for the manifest).
    pub tool_version: String,
    /// A log longer than this keeps its newest bytes (recorded as truncated, `max-log-bytes`).
    pub max_log_bytes: u64,
    /// A text or object file larger than this is not written (recorded as an error).
    pub max_text_bytes: u64,
}

impl Options {
    /// These options with the writing tool's version ([`Options::tool_version`]).
    pub fn with_tool_version(mut self, version: impl Into<String>) -> Options {
        self.tool_version = version.into();
        self
    }

    /// These options with [`Options::max_log_bytes`].
    pub fn with_max_log_bytes(mut self, max: u64) -> Options {
        self.max_log_bytes = max;
        self
    }

    /// These options with [`Options::max_text_bytes`].
    pub fn with_max_text_bytes(mut self, max: u64) -> Options {
        self.max_text_bytes = max;
        self
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            tool_version: String::new(),
            max_log_bytes: 64 << 20,
            max_text_bytes: 64 << 20,
        }
    }
}

/// What was written.
#[derive(Debug, Default)]
pub struct Summary {
    /// Entries written (the manifest not counted).
    pub entries: usize,
    /// Objects written.
    pub objects: usize,
    /// Pod logs written under `namespaces/`.
    pub logs: usize,
    /// Texts (and logs without a namespace) written under `inputs/`.
    pub texts: usize,
    /// Values redacted.
    pub redactions: u64,
    /// What could not be written, with why (also in the manifest's errors).
    pub errors: Vec<CollectError>,
    /// Tokens made (with `--tokenize`) and where.
    pub map: RedactionMap,
}

/// A path component from the input: kept when it is a plain name, else `None`.
fn component(s: &str) -> Option<&str> {
    let ok = !s.is_empty()
        && s.len() <= 253
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    ok.then_some(s)
}

/// Redacts every object, log and text of `snapshot` into `writer`. Returns the manifest to
/// finish the writer with ([`BundleWriter::finish`]) and what was written.
pub fn write<W: Write + Seek>(
    snapshot: &Snapshot,
    redactor: &Redactor,
    writer: &mut BundleWriter<W>,
    options: &Options,
) -> Result<(Manifest, Summary), Error> {
    let mut summary = Summary::default();
    let mut redactions: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut record = |summary: &mut Summary, path: &str, counts: Counts| {
        summary.map.record(path, &counts);
        for (rule, n) in counts {
            summary.redactions += n;
            *redactions.entry((path.to_string(), rule)).or_insert(0) += n;
        }
    };
    let mut entries: BTreeMap<String, (Vec<u8>, Option<Truncation>)> = BTreeMap::new();

    // Objects, as Lists by resource.
    let types = snapshot.resource_types();
    let mut lists: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for object in snapshot.objects() {
        let key = object.key();
        let group = key.group();
        let plural = types
            .iter()
            .find(|t| t.group == group && t.kind == key.kind)
            .map(|t| t.plural.clone())
            .or_else(|| kbundle_format::resources::by_kind(group, &key.kind).map(|t| t.plural))
            .unwrap_or_else(|| kbundle_format::resources::guess_plural(&key.kind));
        let group_dir = if group.is_empty() { "core" } else { group };
        let path = match (
            component(group_dir),
            component(&plural),
            key.namespace.as_str(),
        ) {
            (Some(g), Some(p), "") => format!("cluster/{g}/{p}.json"),
            (Some(g), Some(p), ns) => match component(ns) {
                Some(ns) => format!("namespaces/{ns}/{g}/{p}.json"),
                None => String::new(),
            },
            _ => String::new(),
        };
        if path.is_empty() {
            summary.errors.push(CollectError {
                what: format!("object {}", object.origin.path),
                message: "its namespace, group or kind cannot be a file name; not written".into(),
                class: Some("other".into()),
            });
            continue;
        }
        lists.entry(path).or_default().push(object.value.clone());
        summary.objects += 1;
    }
    for (path, items) in lists {
        let mut list = json!({"apiVersion": "v1", "kind": "List", "items": items});
        let mut counts = Counts::new();
        redactor.value(&mut list, &mut counts);
        record(&mut summary, &path, counts);
        let mut bytes = serde_json::to_vec_pretty(&list).unwrap_or_default();
        bytes.push(b'\n');
        entries.insert(path, (bytes, None));
    }
    if let Some(version) = snapshot.server_version() {
        let mut bytes = serde_json::to_vec_pretty(version).unwrap_or_default();
        bytes.push(b'\n');
        entries.insert("cluster/version.json".into(), (bytes, None));
    }

    // Logs: the newest max_log_bytes of each.
    for log in snapshot.logs() {
        let canonical = match (
            component(&log.namespace),
            component(&log.pod),
            log.container.as_deref().and_then(component),
        ) {
            (Some(ns), Some(pod), Some(c)) => Some(format!(
                "namespaces/{ns}/pods/{pod}/logs/{c}{}",
                if log.previous {
                    ".previous.log"
                } else {
                    ".log"
                }
            )),
            _ => None,
        };
        let path =
            canonical.unwrap_or_else(|| format!("inputs/{}/{}", log.origin.input, log.origin.path));
        if entries.contains_key(&path) {
            continue;
        }
        let max = options.max_log_bytes;
        let read = snapshot.read_log(log, |r| newest(r, max));
        let (bytes, original) = match read {
            Ok(x) => x,
            Err(e) => {
                summary.errors.push(CollectError {
                    what: format!("read {}", log.origin.path),
                    message: e.to_string(),
                    class: Some("other".into()),
                });
                continue;
            }
        };
        let truncated = (original > bytes.len() as u64).then(|| Truncation {
            original_size: original,
            reason: "max-log-bytes".into(),
        });
        let mut counts = Counts::new();
        let text = String::from_utf8_lossy(&bytes);
        let red = redactor.text(&text, &mut counts);
        let out = match (&red, &text) {
            (std::borrow::Cow::Borrowed(_), std::borrow::Cow::Borrowed(_)) => bytes.clone(),
            _ => red.as_bytes().to_vec(),
        };
        record(&mut summary, &path, counts);
        if path.starts_with("inputs/") {
            summary.texts += 1;
        } else {
            summary.logs += 1;
        }
        entries.insert(path, (out, truncated));
    }

    // Texts, under their input's paths.
    for t in snapshot.texts() {
        let mut path = format!("inputs/{}/{}", t.origin.input, t.origin.path);
        match t.kind {
            TextKind::Describe if !path.ends_with("describe.txt") => path.push_str(".describe.txt"),
            TextKind::Table | TextKind::Other if !path.ends_with(".txt") => path.push_str(".txt"),
            _ => {}
        }
        if entries.contains_key(&path) {
            continue;
        }
        let bytes = match snapshot.read_bytes(&t.origin, options.max_text_bytes) {
            Ok(b) => b,
            Err(e) => {
                summary.errors.push(CollectError {
                    what: format!("read {}", t.origin.path),
                    message: e.to_string(),
                    class: Some("other".into()),
                });
                continue;
            }
        };
        let mut counts = Counts::new();
        let text = String::from_utf8_lossy(&bytes);
        let red = redactor.text(&text, &mut counts).into_owned();
        record(&mut summary, &path, counts);
        summary.texts += 1;
        entries.insert(path, (red.into_bytes(), None));
    }

    for (path, (bytes, truncated)) in entries {
        if let Err(e) = writer.add_stream(&path, &mut &bytes[..], truncated) {
            summary.errors.push(CollectError {
                what: format!("write {path}"),
                message: e.to_string(),
                class: Some("other".into()),
            });
            continue;
        }
        summary.entries += 1;
    }

    // The manifest: the input's time and errors (redacted), this run's counts.
    let input_manifest = snapshot.manifest();
    let collected_at = input_manifest
        .map(|m| m.collected_at.clone())
        .or_else(|| snapshot.reference_time().map(|t| t.to_string()))
        .unwrap_or_default();
    let mut manifest = Manifest::new(&options.tool_version, &collected_at);
    if let Some(m) = input_manifest {
        manifest.cluster = m.cluster.clone();
        manifest.request = m.request.clone();
    }
    manifest.cluster.server_version = snapshot.server_version().cloned();
    let layouts: Vec<&str> = snapshot.inputs().iter().map(|i| i.layout.name()).collect();
    let o = &mut manifest.request.options;
    o.insert("redacted-from".into(), layouts.join(","));
    o.insert(
        "redaction-catalog".into(),
        format!("gitleaks@{}", crate::catalog::GITLEAKS_COMMIT),
    );
    let mut errors: Vec<CollectError> =
        input_manifest.map(|m| m.errors.clone()).unwrap_or_default();
    errors.append(&mut summary.errors.clone());
    let mut counts = Counts::new();
    for e in &mut errors {
        for s in [&mut e.what, &mut e.message] {
            if let std::borrow::Cow::Owned(r) = redactor.text(s, &mut counts) {
                *s = r;
            }
        }
    }
    record(&mut summary, kbundle_format::MANIFEST_PATH, counts);
    summary.errors = errors.clone();
    manifest.errors = errors;
    manifest.redactions = redactions
        .into_iter()
        .map(|((path, kind), count)| Redaction { path, kind, count })
        .collect();
    Ok((manifest, summary))
}

/// The newest `max` bytes of a stream, and how many bytes it had.
fn newest(r: &mut dyn Read, max: u64) -> std::io::Result<(Vec<u8>, u64)> {
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = r.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if buf.len() > max.saturating_mul(2).max(1 << 20) {
            let cut = buf.len() - max;
            buf.drain(..cut);
        }
    }
    if buf.len() > max {
        let cut = buf.len() - max;
        buf.drain(..cut);
    }
    Ok((buf, total))
}
