//! The bundle manifest (`manifest.json`), format `kbundle/1`. See `docs/bundle-format.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The format identifier written in every manifest.
pub const FORMAT: &str = "kbundle/1";

/// The manifest: what was asked, what was collected, what failed. Written last.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Manifest {
    /// Always [`FORMAT`] for this version.
    pub format: String,
    /// The tool that wrote the bundle.
    pub tool: Tool,
    /// When collection started, RFC 3339 in UTC. The analyzer's reference time.
    pub collected_at: String,
    /// What is known of the cluster.
    #[serde(default)]
    pub cluster: Cluster,
    /// What the collector was asked for.
    #[serde(default)]
    pub request: Request,
    /// Every entry of the bundle except the manifest itself, in the order written.
    #[serde(default)]
    pub entries: Vec<ManifestEntry>,
    /// What could not be collected.
    #[serde(default)]
    pub errors: Vec<CollectError>,
    /// How many values were redacted, by entry and kind (never the values).
    #[serde(default)]
    pub redactions: Vec<Redaction>,
}

/// The writing tool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Tool {
    /// `kbundle`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Facts about the cluster, as far as they were found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Cluster {
    /// The server's `/version` answer (`gitVersion`, ...), when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version: Option<serde_json::Value>,
    /// The kubeconfig context used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
}

/// What the collector was asked for and what it decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Request {
    /// The preset, e.g. `calico-kube-controllers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preset: Option<String>,
    /// Namespaces asked for or chosen (for the preset: where the workload was found).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    /// The label selector, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Pods asked for by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pods: Vec<String>,
    /// The expected workload (e.g. `Deployment/calico-system/calico-kube-controllers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
    /// Other options, as `name: value` strings (limits, since, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

/// One bundle entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Its path in the bundle.
    pub path: String,
    /// Its size in bytes, as stored (after redaction and trimming).
    pub size: u64,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
    /// Set when the entry was cut to fit a size budget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<Truncation>,
}

/// How an entry was trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truncation {
    /// Bytes the source had (or at least had, when it was cut off while streaming).
    pub original_size: u64,
    /// Why: `max-log-bytes` or `max-size`.
    pub reason: String,
}

/// Something that could not be collected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectError {
    /// What was being collected, e.g. `list nodes` or `logs calico-system/pod/container`.
    pub what: String,
    /// The error, one line.
    pub message: String,
    /// A short machine-readable class: `forbidden`, `not-found`, `bad-request`, `timeout`,
    /// `server-error`, `stream-cut`, `too-large`, `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
}

/// A redaction count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Redaction {
    /// The entry redacted.
    pub path: String,
    /// The kind of value, e.g. `env-value`, `bearer-token`, `private-key`.
    pub kind: String,
    /// How many values.
    pub count: u64,
}

impl Manifest {
    /// A manifest for a new bundle written by this tool version.
    pub fn new(tool_version: &str, collected_at: &str) -> Manifest {
        Manifest {
            format: FORMAT.to_string(),
            tool: Tool {
                name: "kbundle".into(),
                version: tool_version.into(),
            },
            collected_at: collected_at.into(),
            ..Manifest::default()
        }
    }
}
