//! The generic layout (also our fixture format): any JSON or YAML object files, `version.json`
//! at the root, logs at `logs/<namespace>/<pod>/<container>[.previous].log`.

use super::{Class, Detected, Importer, is_object_file, split_log_name};
use crate::archive::{Archive, EntryInfo};
use crate::error::Result;
use crate::snapshot::{Layout, TextKind};

pub(crate) struct Generic;

impl Importer for Generic {
    fn layout(&self) -> Layout {
        Layout::Generic
    }

    fn detect(&self, _archive: &Archive) -> Result<Option<Detected>> {
        Ok(Some(Detected::default()))
    }

    fn classify(&self, rel: &str, _entry: &EntryInfo) -> Class {
        if matches!(rel, "version.json" | "version.yaml") {
            return Class::Version;
        }
        let parts: Vec<&str> = rel.split('/').collect();
        if let ["logs", ns, pod, file] = parts.as_slice()
            && let Some((container, previous)) = split_log_name(file)
        {
            return Class::Log {
                namespace: ns.to_string(),
                pod: pod.to_string(),
                container: Some(container),
                previous,
            };
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
}
