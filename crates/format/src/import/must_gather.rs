//! OpenShift must-gather (`oc adm must-gather`, `oc adm inspect`) output.
//!
//! The root (usually `must-gather.local.<n>/quay-io-...-sha256-<digest>/`, with `timestamp`
//! and `version` files) holds `cluster-scoped-resources/<group>/<resource>/<name>.yaml` and
//! `namespaces/<ns>/`, with `<ns>.yaml`, `<group>/<resource>.yaml` lists (`core/pods.yaml`,
//! `apps/deployments.yaml`, ...), `pods/<pod>/<pod>.yaml` and the logs at
//! `pods/<pod>/<container>/<container>/logs/{current,previous}[.insecure].log`.
//! The root is the folder holding `cluster-scoped-resources/`, or `namespaces/<ns>/core/`.

use super::{
    Class, Detected, Importer, InputView, is_object_file, kubectl_text, root_before_marker,
    shallowest_root,
};
use crate::archive::{Archive, EntryInfo};
use crate::error::Result;
use crate::snapshot::{Layout, TextKind};

pub(crate) struct MustGather;

/// The root of a must-gather path, if the path has a must-gather marker.
fn root_of(path: &str) -> Option<String> {
    root_before_marker(path, |part, rest| match (part, rest) {
        ("cluster-scoped-resources", [_, _, ..]) => true,
        ("namespaces", [_, "core", file]) => file.ends_with(".yaml"),
        _ => false,
    })
}

/// The newest time in a must-gather `timestamp` file: one line when the gathering started
/// and one when it ended, each Go's `time.Time` text (`2023-01-18 14:47:42.036599585 +0000 UTC
/// m=+0.057040434`). Lines that do not read so are passed over.
pub(crate) fn parse_timestamp(bytes: &[u8]) -> Option<jiff::Timestamp> {
    let text = std::str::from_utf8(bytes).ok()?;
    text.lines()
        .filter_map(|line| {
            if let Ok(t) = line.trim().parse() {
                return Some(t);
            }
            let mut words = line.split_whitespace();
            let (date, time, offset) = (words.next()?, words.next()?, words.next()?);
            let time = time.split_once('.').map_or(time, |(t, _)| t);
            jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S %z", format!("{date} {time} {offset}"))
                .ok()?
                .to_timestamp()
                .ok()
        })
        .max()
}

impl Importer for MustGather {
    fn layout(&self) -> Layout {
        Layout::MustGather
    }

    fn detect(&self, archive: &Archive) -> Result<Option<Detected>> {
        Ok(shallowest_root(archive, root_of))
    }

    fn classify(&self, rel: &str, entry: &EntryInfo) -> Class {
        let parts: Vec<&str> = rel.split('/').collect();
        match parts.as_slice() {
            ["timestamp"] => return Class::MustGatherStamp,
            ["version" | "event-filter.html"] => return Class::Ignore,
            ["namespaces", ns, "pods", pod, container, _, "logs", file] => {
                let kind = file
                    .strip_suffix(".log")
                    .map(|s| s.trim_end_matches(".insecure"));
                return match kind {
                    Some(which @ ("current" | "previous"))
                        if !ns.is_empty() && !pod.is_empty() && !container.is_empty() =>
                    {
                        Class::Log {
                            namespace: ns.to_string(),
                            pod: pod.to_string(),
                            container: Some(container.to_string()),
                            previous: which == "previous",
                        }
                    }
                    _ => Class::Text(TextKind::Other),
                };
            }
            _ => {}
        }
        if is_object_file(rel) {
            return Class::Objects;
        }
        // Host service logs, command output and the like.
        match kubectl_text::classify_loose(rel, entry) {
            Class::Sniff => Class::Text(TextKind::Other),
            other => other,
        }
    }

    fn classify_in(&self, rel: &str, entry: &EntryInfo, input: &InputView<'_>) -> Class {
        // The pod's own file repeats its entry of core/pods.yaml.
        if let ["namespaces", ns, "pods", pod, file] = rel.split('/').collect::<Vec<_>>().as_slice()
            && file.strip_suffix(".yaml") == Some(*pod)
            && input.has(&format!("namespaces/{ns}/core/pods.yaml"))
        {
            return Class::Ignore;
        }
        self.classify(rel, entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_files() {
        let file = b"2023-01-18 14:47:42.036599585 +0000 UTC m=+0.057040434\n2023-01-18 14:48:47.557282853 +0000 UTC m=+65.577723704\n";
        assert_eq!(
            parse_timestamp(file).map(|t| t.to_string()).as_deref(),
            Some("2023-01-18T14:48:47Z")
        );
        assert_eq!(
            parse_timestamp(b"2024-02-01 10:00:00 +0200 EET\n")
                .map(|t| t.to_string())
                .as_deref(),
            Some("2024-02-01T08:00:00Z")
        );
        assert_eq!(parse_timestamp(b"garbage\n\xff"), None);
        assert_eq!(parse_timestamp(b""), None);
    }

    #[test]
    fn roots() {
        assert_eq!(
            root_of("mg/quay-io-x-sha256-1/cluster-scoped-resources/core/nodes/n.yaml").as_deref(),
            Some("mg/quay-io-x-sha256-1")
        );
        assert_eq!(root_of("namespaces/ns/core/pods.yaml").as_deref(), Some(""));
        assert_eq!(root_of("namespaces/ns/v1/pod/p.yaml"), None);
        assert_eq!(root_of("cluster-scoped-resources"), None);
        assert_eq!(root_of(""), None);
    }
}
