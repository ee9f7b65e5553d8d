//! The snapshot: every Kubernetes object of one or more inputs in memory, keyed by apiVersion,
//! kind, namespace and name, plus references to logs and text files that are read lazily.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::archive::{Archive, ArchiveKind, Skipped};
use crate::error::Result;
use crate::json::{array_at, bool_at, object_at, opt_str_at, str_at};
use crate::limits::Limits;
use crate::manifest::Manifest;
use crate::resources::{self, ResourceType};

/// Where something was read: which input (index into [`Snapshot::inputs`]) and which entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct EntryRef {
    /// Index of the input.
    pub input: usize,
    /// The entry's sanitized path inside that input.
    pub path: String,
}

/// The identity of an object in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectKey {
    /// `apiVersion`, e.g. `apps/v1`.
    pub api_version: String,
    /// `kind`, e.g. `Deployment`.
    pub kind: String,
    /// Namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjectKey {
    /// The API group (empty for core).
    pub fn group(&self) -> &str {
        resources::split_api_version(&self.api_version).0
    }
}

impl std::fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind, self.name)
        } else {
            write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// One Kubernetes object as read (JSON value), with where it came from: [`Object::new`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Object {
    /// The object, as the API server would serve it.
    pub value: Value,
    /// The entry it was read from.
    pub origin: EntryRef,
}

impl Object {
    /// An object read from `origin` (for [`Snapshot::insert`]).
    pub fn new(value: Value, origin: EntryRef) -> Object {
        Object { value, origin }
    }

    /// `apiVersion`.
    pub fn api_version(&self) -> &str {
        str_at(&self.value, "/apiVersion")
    }
    /// `kind`.
    pub fn kind(&self) -> &str {
        str_at(&self.value, "/kind")
    }
    /// `metadata.name`.
    pub fn name(&self) -> &str {
        str_at(&self.value, "/metadata/name")
    }
    /// `metadata.namespace`, empty when cluster-scoped.
    pub fn namespace(&self) -> &str {
        str_at(&self.value, "/metadata/namespace")
    }
    /// `metadata.uid`.
    pub fn uid(&self) -> Option<&str> {
        opt_str_at(&self.value, "/metadata/uid")
    }
    /// `metadata.labels`.
    pub fn labels(&self) -> BTreeMap<&str, &str> {
        object_at(&self.value, "/metadata/labels")
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                    .collect()
            })
            .unwrap_or_default()
    }
    /// The key this object is stored under.
    pub fn key(&self) -> ObjectKey {
        ObjectKey {
            api_version: self.api_version().to_string(),
            kind: self.kind().to_string(),
            namespace: self.namespace().to_string(),
            name: self.name().to_string(),
        }
    }
    /// Deserializes the object into a typed struct (k8s-openapi types, for example).
    pub fn to_typed<T: serde::de::DeserializeOwned>(
        &self,
    ) -> std::result::Result<T, serde_json::Error> {
        T::deserialize(&self.value)
    }
}

/// A container log found in an input: [`LogRef::new`], then the fields that differ from its
/// defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LogRef {
    /// Pod namespace (empty when the input does not say).
    pub namespace: String,
    /// Pod name.
    pub pod: String,
    /// Container name, when the input says.
    pub container: Option<String>,
    /// Whether this is the previous (terminated) container's log.
    pub previous: bool,
    /// Where the bytes are.
    pub origin: EntryRef,
    /// The byte range of the entry that holds this log, when the entry holds several logs
    /// (a `kubectl cluster-info dump` `logs.txt`); `None`: the whole entry.
    pub range: Option<std::ops::Range<u64>>,
    /// Size in bytes.
    pub size: u64,
    /// Whether the bundle's manifest says the log was trimmed.
    pub truncated: bool,
}

impl LogRef {
    /// The current container's log of pod `namespace/pod` (`namespace` empty when the input
    /// does not say), the whole entry at `origin`, of `size` bytes, not trimmed.
    pub fn new(
        namespace: impl Into<String>,
        pod: impl Into<String>,
        container: Option<String>,
        origin: EntryRef,
        size: u64,
    ) -> LogRef {
        LogRef {
            namespace: namespace.into(),
            pod: pod.into(),
            container,
            previous: false,
            origin,
            range: None,
            size,
            truncated: false,
        }
    }
}

/// What a text file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum TextKind {
    /// `kubectl describe` output.
    Describe,
    /// A `kubectl get` table (`-o wide` or not).
    Table,
    /// Anything else worth showing (notes, other command output).
    Other,
}

/// A text file found in an input: [`TextRef::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TextRef {
    /// What it holds.
    pub kind: TextKind,
    /// Where the bytes are.
    pub origin: EntryRef,
    /// Size in bytes.
    pub size: u64,
}

impl TextRef {
    /// A text of `kind` at `origin`, of `size` bytes.
    pub fn new(kind: TextKind, origin: EntryRef, size: u64) -> TextRef {
        TextRef { kind, origin, size }
    }
}

/// The layout an input was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Layout {
    /// A kbundle bundle (`manifest.json` with format `kbundle/1`).
    Kbundle,
    /// A folder or archive of Kubernetes object files and `logs/<ns>/<pod>/<container>.log`.
    Generic,
    /// A troubleshoot.sh support bundle (`version.yaml` next to `cluster-resources/`).
    Troubleshoot,
    /// `kubectl cluster-info dump` output: its `--output-directory` folder or its stdout stream.
    ClusterInfoDump,
    /// An OpenShift must-gather (`cluster-scoped-resources/`, `namespaces/<ns>/core/`).
    MustGather,
    /// A crust-gather archive (`cluster/<gv>/<kind>/<name>.yaml`).
    CrustGather,
    /// A customer's folder or archive of kubectl output: describe texts, tables, `-o json|yaml`
    /// output and `kubectl logs` files (the generic layout plus content sniffing).
    KubectlText,
}

impl Layout {
    /// A short name.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Kbundle => "kbundle",
            Layout::Generic => "generic",
            Layout::Troubleshoot => "troubleshoot",
            Layout::ClusterInfoDump => "cluster-info-dump",
            Layout::MustGather => "must-gather",
            Layout::CrustGather => "crust-gather",
            Layout::KubectlText => "kubectl-text",
        }
    }
}

/// One input of a snapshot, with what the reader made of it.
#[derive(Debug)]
pub struct Input {
    /// The opened container.
    pub archive: Archive,
    /// The recognised layout.
    pub layout: Layout,
    /// The folder inside the container that holds the layout (empty: the top).
    pub root: String,
    /// The bundle manifest, for kbundle inputs.
    pub manifest: Option<Manifest>,
    /// Entries that were not used, and why (parse errors, unknown files).
    pub ignored: Vec<Skipped>,
    /// When the input says it was collected (a kbundle manifest's `collected_at`, a
    /// must-gather's `timestamp` file), and which of these said it.
    pub collected_at: Option<(jiff::Timestamp, ReferenceTimeSource)>,
}

/// Where a reference time (the "now" ages and windows are relative to) came from. A snapshot's
/// own ([`Snapshot::reference`]) comes from its inputs' stamps or objects; an analysis may also
/// take it from the caller, from describe texts or from log lines (`kbundle-analyzer`'s
/// `Report::reference_time_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ReferenceTimeSource {
    /// Given by the caller (`kbundle analyze --now`, the analyzer's `Options::now`); named
    /// `option`.
    #[serde(rename = "option")]
    Given,
    /// The kbundle manifest's `collected_at`.
    Manifest,
    /// A must-gather's `timestamp` file (the time the gathering ended).
    MustGatherTimestamp,
    /// The newest time at which the objects record an observation (event times, condition
    /// transitions and heartbeats, container starts and ends, creations, managed-field
    /// updates), a lone value far beyond all others set aside. Future-dated fields
    /// (expirations, rotations, schedules, certificate validity) never count.
    Observations,
    /// The newest date in the `kubectl describe` texts (container starts and ends, node
    /// heartbeats), for inputs without objects.
    Describe,
    /// The newest dated log line, for inputs without objects.
    Logs,
}

impl ReferenceTimeSource {
    /// A short name, as serialized: `option`, `manifest`, `must-gather-timestamp`,
    /// `observations`, `describe`, `logs`.
    pub fn name(self) -> &'static str {
        match self {
            ReferenceTimeSource::Given => "option",
            ReferenceTimeSource::Manifest => "manifest",
            ReferenceTimeSource::MustGatherTimestamp => "must-gather-timestamp",
            ReferenceTimeSource::Observations => "observations",
            ReferenceTimeSource::Describe => "describe",
            ReferenceTimeSource::Logs => "logs",
        }
    }
}

impl Input {
    /// The input's path.
    pub fn path(&self) -> &Path {
        self.archive.path()
    }
    /// The container kind.
    pub fn kind(&self) -> ArchiveKind {
        self.archive.kind()
    }
}

/// Options for reading inputs: `ReadOptions::default().with_limits(limits)`.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct ReadOptions {
    /// The limits for every input.
    pub limits: Limits,
}

impl ReadOptions {
    /// These options with `limits`.
    pub fn with_limits(mut self, limits: Limits) -> ReadOptions {
        self.limits = limits;
        self
    }
}

/// Every object, log and text of one or more inputs. See the crate docs for an example.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub(crate) inputs: Vec<Input>,
    pub(crate) objects: BTreeMap<ObjectKey, Object>,
    pub(crate) logs: Vec<LogRef>,
    pub(crate) texts: Vec<TextRef>,
    pub(crate) server_version: Option<Value>,
    pub(crate) duplicates: usize,
}

impl Snapshot {
    /// An empty snapshot, to fill with [`Snapshot::insert`] (tests, generated data).
    pub fn new() -> Snapshot {
        Snapshot::default()
    }

    /// Reads one input (a directory, zip, tar, tar.gz, tar.xz, tar.zst, gzip, xz, zstd or text
    /// file). An input of which nothing is recognised (see [`Snapshot::open_many`]) is an
    /// [`Error::Unrecognised`](crate::Error::Unrecognised).
    pub fn open(path: &Path, options: &ReadOptions) -> Result<Snapshot> {
        Snapshot::open_many(&[path.to_path_buf()], options)
    }

    /// Reads several inputs into one snapshot (a customer's describe texts and logs sent
    /// apart, say). Objects found twice keep their first reading.
    ///
    /// Each input must be recognised, else [`Error::Unrecognised`](crate::Error::Unrecognised):
    /// it has a known bundle layout (a kbundle manifest, even of an empty bundle; troubleshoot.sh,
    /// must-gather, crust-gather, cluster-info dump), or something in it was read as an object,
    /// a log, a text file or a server version. An empty folder, a `.docx` or a binary file is
    /// not. (Whether a text file holds anything an analysis can use is the analyzer's question.)
    pub fn open_many(paths: &[PathBuf], options: &ReadOptions) -> Result<Snapshot> {
        let mut snapshot = Snapshot::new();
        for path in paths {
            snapshot.add_input(Archive::open(path, options.limits)?)?;
        }
        Ok(snapshot)
    }

    /// Adds an opened input to the snapshot, refusing it with
    /// [`Error::Unrecognised`](crate::Error::Unrecognised) when nothing in it is recognised (see
    /// [`Snapshot::open_many`]); what [`Snapshot::open`] does for each input.
    pub fn add_input(&mut self, archive: Archive) -> Result<()> {
        let path = archive.path().to_path_buf();
        let had_version = self.server_version.is_some();
        self.add_archive(archive)?;
        let gave_version = !had_version && self.server_version.is_some();
        if gave_version || self.recognised(self.inputs.len().saturating_sub(1)) {
            Ok(())
        } else {
            Err(crate::Error::Unrecognised { path })
        }
    }

    /// Whether input `index` has a known layout or gave an object, a log or a text. (An object
    /// read before from another input keeps that input as its origin.)
    fn recognised(&self, index: usize) -> bool {
        let Some(input) = self.inputs.get(index) else {
            return false;
        };
        let from_it = |e: &EntryRef| e.input == index;
        !matches!(input.layout, Layout::Generic | Layout::KubectlText)
            || input.manifest.is_some()
            || self.logs.iter().any(|l| from_it(&l.origin))
            || self.texts.iter().any(|t| from_it(&t.origin))
            || self.objects.values().any(|o| from_it(&o.origin))
    }

    /// Adds an opened input to the snapshot, whatever it holds (unlike [`Snapshot::add_input`],
    /// which refuses an input of which nothing is recognised).
    pub fn add_archive(&mut self, archive: Archive) -> Result<()> {
        crate::import::import(self, archive)
    }

    /// The inputs, in the order read.
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    /// Every object, ordered by key.
    pub fn objects(&self) -> impl Iterator<Item = &Object> {
        self.objects.values()
    }

    /// The number of objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether there are no objects.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// How many objects were read more than once with different contents (the first reading
    /// is kept).
    pub fn duplicates(&self) -> usize {
        self.duplicates
    }

    /// One object by key.
    pub fn get(&self, key: &ObjectKey) -> Option<&Object> {
        self.objects.get(key)
    }

    /// Objects of a kind in an API group (any version), e.g. `("apps", "Deployment")`.
    pub fn of_kind<'a>(
        &'a self,
        group: &'a str,
        kind: &'a str,
    ) -> impl Iterator<Item = &'a Object> + 'a {
        self.objects
            .iter()
            .filter(move |(k, _)| k.kind == kind && k.group() == group)
            .map(|(_, o)| o)
    }

    /// One object by group, kind, namespace and name (any version).
    pub fn find<'a>(
        &'a self,
        group: &'a str,
        kind: &'a str,
        namespace: &str,
        name: &str,
    ) -> Option<&'a Object> {
        self.of_kind(group, kind)
            .find(|o| o.namespace() == namespace && o.name() == name)
    }

    /// Container logs.
    pub fn logs(&self) -> &[LogRef] {
        &self.logs
    }

    /// Text files (describe output and others).
    pub fn texts(&self) -> &[TextRef] {
        &self.texts
    }

    /// The API server's `/version` answer, when an input has it.
    pub fn server_version(&self) -> Option<&Value> {
        self.server_version.as_ref()
    }

    /// The first manifest among the inputs.
    pub fn manifest(&self) -> Option<&Manifest> {
        self.inputs.iter().find_map(|i| i.manifest.as_ref())
    }

    /// Adds an object (first reading wins). Returns false if it was already there or is not a
    /// Kubernetes object (no apiVersion, kind or name).
    pub fn insert(&mut self, object: Object) -> bool {
        let key = object.key();
        if key.api_version.is_empty() || key.kind.is_empty() || key.name.is_empty() {
            return false;
        }
        if let Some(existing) = self.objects.get(&key) {
            // The same object read twice (a list and a single file of one bundle) is not news;
            // two different readings are, and the first is kept.
            if existing.value != object.value {
                self.duplicates += 1;
            }
            return false;
        }
        self.objects.insert(key, object);
        true
    }

    /// Adds a log reference.
    pub fn add_log(&mut self, log: LogRef) {
        self.logs.push(log);
    }

    /// Adds a text reference.
    pub fn add_text(&mut self, text: TextRef) {
        self.texts.push(text);
    }

    /// Sets the server version.
    pub fn set_server_version(&mut self, version: Value) {
        self.server_version = Some(version);
    }

    /// Runs `f` over a bounded reader of an entry's bytes.
    pub fn read_with<T>(
        &self,
        entry: &EntryRef,
        f: impl FnOnce(&mut dyn Read) -> std::io::Result<T>,
    ) -> Result<T> {
        match self.inputs.get(entry.input) {
            Some(input) => input.archive.read_with(&entry.path, f),
            None => Err(crate::Error::Entry {
                path: PathBuf::from("<snapshot>"),
                entry: entry.path.clone(),
                message: "no such input".into(),
            }),
        }
    }

    /// Runs `f` over a reader of one log's bytes (its range of the entry, if it has one).
    /// Logs are streamed: read them with this, never whole.
    pub fn read_log<T>(
        &self,
        log: &LogRef,
        f: impl FnOnce(&mut dyn Read) -> std::io::Result<T>,
    ) -> Result<T> {
        match &log.range {
            None => self.read_with(&log.origin, f),
            Some(range) => self.read_with(&log.origin, |r| {
                std::io::copy(&mut r.take(range.start), &mut std::io::sink())?;
                f(&mut r.take(range.end.saturating_sub(range.start)))
            }),
        }
    }

    /// Reads a whole entry, refusing entries larger than `max` bytes.
    pub fn read_bytes(&self, entry: &EntryRef, max: u64) -> Result<Vec<u8>> {
        match self.inputs.get(entry.input) {
            Some(input) => input.archive.read_bytes(&entry.path, max),
            None => Err(crate::Error::Entry {
                path: PathBuf::from("<snapshot>"),
                entry: entry.path.clone(),
                message: "no such input".into(),
            }),
        }
    }

    /// The time the snapshot describes ([`Snapshot::reference`] without its source).
    pub fn reference_time(&self) -> Option<jiff::Timestamp> {
        self.reference().map(|(t, _)| t)
    }

    /// The time the snapshot describes and where it came from: the first input's own
    /// collection stamp (kbundle manifest, must-gather `timestamp`) when one has it, else the
    /// newest observation the objects record ([`Snapshot::newest_observation`]). Never the wall
    /// clock.
    pub fn reference(&self) -> Option<(jiff::Timestamp, ReferenceTimeSource)> {
        self.inputs.iter().find_map(|i| i.collected_at).or_else(|| {
            self.newest_observation()
                .map(|t| (t, ReferenceTimeSource::Observations))
        })
    }

    /// The newest time at which an object records an observation, robust to outliers: of the
    /// times in observation fields (see [`ReferenceTimeSource::Observations`]), the newest
    /// that is not a lone value more than a week beyond the next newest.
    pub fn newest_observation(&self) -> Option<jiff::Timestamp> {
        let mut times = Vec::new();
        for o in self.objects.values() {
            observation_times(&o.value, "", &mut times);
        }
        robust_newest(times)
    }

    /// Every resource type the snapshot's objects need: built-in types, plus those defined by
    /// the snapshot's `CustomResourceDefinition`s, plus a guess for any other kind present.
    /// Sorted by group, version and plural.
    pub fn resource_types(&self) -> Vec<ResourceType> {
        let mut types: BTreeMap<(String, String, String), ResourceType> = BTreeMap::new();
        for crd in self.of_kind("apiextensions.k8s.io", "CustomResourceDefinition") {
            let v = &crd.value;
            let s = |p: &str| str_at(v, p).to_string();
            let group = s("/spec/group");
            let kind = s("/spec/names/kind");
            let plural = s("/spec/names/plural");
            if group.is_empty() || kind.is_empty() || plural.is_empty() {
                continue;
            }
            let namespaced = s("/spec/scope") == "Namespaced";
            let singular = match s("/spec/names/singular") {
                x if x.is_empty() => kind.to_ascii_lowercase(),
                x => x,
            };
            let short_names: Vec<String> = array_at(v, "/spec/names/shortNames")
                .iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect();
            for version in array_at(v, "/spec/versions") {
                let served = bool_at(version, "/served").unwrap_or(true);
                let Some(name) = opt_str_at(version, "/name") else {
                    continue;
                };
                if !served {
                    continue;
                }
                types.insert(
                    (group.clone(), name.to_string(), plural.clone()),
                    ResourceType {
                        group: group.clone(),
                        version: name.to_string(),
                        kind: kind.clone(),
                        plural: plural.clone(),
                        singular: singular.clone(),
                        namespaced,
                        short_names: short_names.clone(),
                    },
                );
            }
        }
        for r in resources::builtin() {
            types
                .entry((r.group.clone(), r.version.clone(), r.plural.clone()))
                .or_insert(r);
        }
        // Kinds present but unknown: guess, so every object can be served.
        let mut seen: BTreeMap<(String, String), bool> = BTreeMap::new();
        for key in self.objects.keys() {
            seen.entry((key.api_version.clone(), key.kind.clone()))
                .and_modify(|ns| *ns |= !key.namespace.is_empty())
                .or_insert(!key.namespace.is_empty());
        }
        for ((api_version, kind), namespaced) in seen {
            let (group, version) = resources::split_api_version(&api_version);
            if types
                .values()
                .any(|t| t.group == group && t.version == version && t.kind == kind)
            {
                continue;
            }
            let plural = resources::guess_plural(&kind);
            types
                .entry((group.to_string(), version.to_string(), plural.clone()))
                .or_insert(ResourceType {
                    group: group.to_string(),
                    version: version.to_string(),
                    singular: kind.to_ascii_lowercase(),
                    kind,
                    plural,
                    namespaced,
                    short_names: Vec::new(),
                });
        }
        types.into_values().collect()
    }
}

/// Fields that hold the time something was observed or done (never a time to come).
const OBSERVATION_FIELDS: &[&str] = &[
    "creationTimestamp",
    "firstTimestamp",
    "lastTimestamp",
    "eventTime",
    "lastObservedTime",
    "deprecatedFirstTimestamp",
    "deprecatedLastTimestamp",
    "lastTransitionTime",
    "lastHeartbeatTime",
    "lastProbeTime",
    "lastUpdateTime",
    "startedAt",
    "finishedAt",
    "startTime",
    "completionTime",
    "lastScheduleTime",
    "lastSuccessfulTime",
    "renewTime",
    "acquireTime",
];

/// The times of observation fields anywhere in a value (`time` only inside `managedFields`).
fn observation_times(v: &Value, key: &str, out: &mut Vec<jiff::Timestamp>) {
    match v {
        Value::Object(m) => {
            let managed = key == "managedFields";
            for (k, child) in m {
                if managed && k == "time" {
                    observation_times(child, "managedFields.time", out);
                } else {
                    observation_times(child, k, out);
                }
            }
        }
        Value::Array(a) => a
            .iter()
            .for_each(|child| observation_times(child, key, out)),
        Value::String(s) if key == "managedFields.time" || OBSERVATION_FIELDS.contains(&key) => {
            if let Ok(t) = s.parse::<jiff::Timestamp>() {
                out.push(t);
            }
        }
        _ => {}
    }
}

/// The newest of `times`, setting aside lone values far beyond the rest: while the newest is
/// more than a week after the next newest, it is dropped (at most a hundredth of the values,
/// and never the last two).
pub(crate) fn robust_newest(mut times: Vec<jiff::Timestamp>) -> Option<jiff::Timestamp> {
    const GAP: jiff::SignedDuration = jiff::SignedDuration::from_hours(7 * 24);
    times.sort_unstable();
    let mut dropped = 0;
    let budget = (times.len() / 100).max(1);
    while times.len() > 2 && dropped < budget {
        let (Some(newest), Some(next)) = (times.last(), times.get(times.len() - 2)) else {
            break;
        };
        if next.duration_until(*newest) > GAP {
            times.pop();
            dropped += 1;
        } else {
            break;
        }
    }
    times.last().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(value: Value) -> Object {
        Object {
            value,
            origin: EntryRef {
                input: 0,
                path: "x.json".into(),
            },
        }
    }

    #[test]
    fn future_dated_fields_and_lone_outliers_are_not_the_present() {
        let mut s = Snapshot::new();
        s.insert(object(serde_json::json!({
            "apiVersion": "operator.example.io/v1", "kind": "Thing",
            "metadata": {"name": "a", "creationTimestamp": "2024-01-01T00:00:00Z"},
            "status": {"certsRotateAt": "2026-05-01T00:00:00Z", "notAfter": "2027-01-01T00:00:00Z",
                       "conditions": [{"type": "Ready", "lastTransitionTime": "2024-03-01T10:00:00Z"}]}
        })));
        s.insert(object(serde_json::json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "e", "namespace": "ns", "creationTimestamp": "2024-03-01T11:00:00Z"},
            "lastTimestamp": "2024-03-01T11:30:00Z"
        })));
        assert_eq!(
            s.reference().map(|(t, src)| (t.to_string(), src)),
            Some((
                "2024-03-01T11:30:00Z".into(),
                ReferenceTimeSource::Observations
            ))
        );
        // A node whose clock ran two years ahead once.
        s.insert(object(serde_json::json!({
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": "n", "creationTimestamp": "2023-01-01T00:00:00Z"},
            "status": {"conditions": [{"type": "Ready", "lastHeartbeatTime": "2026-03-01T11:00:00Z"}]}
        })));
        assert_eq!(
            s.reference_time().map(|t| t.to_string()).as_deref(),
            Some("2024-03-01T11:30:00Z")
        );
    }

    #[test]
    fn robust_newest_keeps_close_values() {
        let t = |s: &str| s.parse::<jiff::Timestamp>().ok();
        let times: Vec<jiff::Timestamp> = [
            "2024-01-01T00:00:00Z",
            "2024-01-05T00:00:00Z",
            "2024-01-09T00:00:00Z",
        ]
        .iter()
        .filter_map(|s| t(s))
        .collect();
        assert_eq!(robust_newest(times), t("2024-01-09T00:00:00Z"));
        assert_eq!(robust_newest(Vec::new()), None);
    }
}
