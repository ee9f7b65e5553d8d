//! The generic layout (also our fixture format): any JSON or YAML object files, `version.json`
//! at the root, logs at `logs/<namespace>/<pod>/<container>[.previous].log`.

use super::{Class, Detected, Importer, classify_plain};
use crate::archive::{Archive, EntryInfo};
use crate::error::Result;
use crate::snapshot::Layout;

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
        classify_plain(rel, &["logs", "*", "*"])
    }
}
