//! Our own bundle: `manifest.json` with format `kbundle/1` (see docs/bundle-format.md).

use serde_json::Value;

use super::{Class, Detected, Importer, classify_plain};
use crate::archive::{Archive, EntryInfo};
use crate::error::{Error, Result};
use crate::json::opt_str_at;
use crate::manifest::{FORMAT, Manifest};
use crate::snapshot::Layout;
use crate::writer::MANIFEST_PATH;

pub(crate) struct Kbundle;

impl Importer for Kbundle {
    fn layout(&self) -> Layout {
        Layout::Kbundle
    }

    fn detect(&self, archive: &Archive) -> Result<Option<Detected>> {
        let mut candidates: Vec<&EntryInfo> = archive
            .entries()
            .iter()
            .filter(|e| e.path == MANIFEST_PATH || e.path.ends_with("/manifest.json"))
            .collect();
        candidates.sort_by_key(|e| e.path.matches('/').count());
        for entry in candidates {
            // A manifest whose data is bad (CRC mismatch) is not one: another layout takes the
            // input, and the import skips that entry with its reason.
            let Ok(bytes) =
                archive.read_bytes_or_bad(&entry.path, archive.limits().max_parse_bytes)?
            else {
                continue;
            };
            let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
                continue;
            };
            let Some(format) = opt_str_at(&value, "/format") else {
                continue;
            };
            if !format.starts_with("kbundle/") {
                continue;
            }
            if format != FORMAT {
                return Err(Error::Unsupported {
                    path: archive.path().to_path_buf(),
                    reason: format!(
                        "bundle format {format} is not {FORMAT}, the one this version reads"
                    ),
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
            return Ok(Some(Detected {
                root,
                manifest: Some(manifest),
            }));
        }
        Ok(None)
    }

    fn classify(&self, rel: &str, _entry: &EntryInfo) -> Class {
        if rel == MANIFEST_PATH {
            return Class::Ignore;
        }
        if rel == "cluster/version.json" {
            return Class::Version;
        }
        classify_plain(rel, &["namespaces", "*", "pods", "*", "logs"])
    }
}
