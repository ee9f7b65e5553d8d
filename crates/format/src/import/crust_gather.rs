//! crust-gather archives (crust-gather/crust-gather).
//!
//! One object per file: `namespaces/<ns>/<group-version>/<kind>/<name>.yaml` and, cluster-scoped,
//! `cluster/<group-version>/<kind>/<name>.yaml`, where `<group-version>` is the lowercased
//! apiVersion with `/` turned into `-` (`v1`, `apps-v1`) and `<kind>` the lowercased kind.
//! Logs are `namespaces/<ns>/<gv>/pod/<pod>/<container>/{current,previous}.log`. The root is
//! the folder holding `cluster/` or `namespaces/`.

use super::{
    Class, Detected, Importer, is_object_file, kubectl_text, root_before_marker, shallowest_root,
};
use crate::archive::{Archive, EntryInfo};
use crate::error::Result;
use crate::snapshot::{Layout, TextKind};

pub(crate) struct CrustGather;

/// `v1`, `v1beta2`, `v2alpha1`.
fn is_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return false;
    }
    let tail = rest.get(digits..).unwrap_or_default();
    if tail.is_empty() {
        return true;
    }
    ["alpha", "beta"].iter().any(|p| {
        tail.strip_prefix(p)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// `v1`, `apps-v1`, `rbac.authorization.k8s.io-v1`.
fn is_group_version(s: &str) -> bool {
    is_version(s.rsplit('-').next().unwrap_or_default())
}

/// The root of a crust-gather object path, if it is one.
fn root_of(path: &str) -> Option<String> {
    root_before_marker(path, |part, rest| match (part, rest) {
        ("cluster", [gv, _, file]) => is_group_version(gv) && is_object_file(file),
        ("namespaces", [_, gv, _, file]) => is_group_version(gv) && is_object_file(file),
        _ => false,
    })
}

impl Importer for CrustGather {
    fn layout(&self) -> Layout {
        Layout::CrustGather
    }

    fn detect(&self, archive: &Archive) -> Result<Option<Detected>> {
        Ok(shallowest_root(archive, root_of))
    }

    fn classify(&self, rel: &str, entry: &EntryInfo) -> Class {
        let parts: Vec<&str> = rel.split('/').collect();
        if let ["namespaces", ns, gv, "pod", pod, container, file] = parts.as_slice()
            && is_group_version(gv)
        {
            return match *file {
                "current.log" | "previous.log"
                    if !ns.is_empty() && !pod.is_empty() && !container.is_empty() =>
                {
                    Class::Log {
                        namespace: ns.to_string(),
                        pod: pod.to_string(),
                        container: Some(container.to_string()),
                        previous: *file == "previous.log",
                    }
                }
                _ => Class::Text(TextKind::Other),
            };
        }
        if is_object_file(rel) {
            return Class::Objects;
        }
        match kubectl_text::classify_loose(rel, entry) {
            Class::Sniff => Class::Text(TextKind::Other),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_versions() {
        for yes in [
            "v1",
            "apps-v1",
            "rbac.authorization.k8s.io-v1",
            "x-v1beta2",
            "v2alpha1",
        ] {
            assert!(is_group_version(yes), "{yes}");
        }
        for no in ["", "v", "core", "pods", "v1beta", "apps-", "vx1", "-"] {
            assert!(!is_group_version(no), "{no}");
        }
    }

    #[test]
    fn roots() {
        assert_eq!(root_of("x/cluster/v1/node/n.yaml").as_deref(), Some("x"));
        assert_eq!(
            root_of("namespaces/ns/apps-v1/deployment/d.yaml").as_deref(),
            Some("")
        );
        assert_eq!(root_of("namespaces/ns/core/pods.yaml"), None);
        assert_eq!(root_of("namespaces/ns/pods/p/p.yaml"), None);
    }
}
