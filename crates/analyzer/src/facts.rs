//! The facts the rules work on: a small, forgiving model of workloads, pods, nodes, events,
//! webhooks and changes. Built here from a snapshot's objects ([`Facts::from_snapshot`]); a
//! builder from parsed `kubectl describe` text can fill the same structs, which is why every
//! field is optional or defaulted and every fact carries the [`Source`] it came from.

use std::collections::BTreeMap;

use jiff::Timestamp;
use kbundle_format::json::{
    array_at, bool_at, i64_at, nonempty_str_at, opt_str_at, str_at, timestamp_at, u64_at,
};
use kbundle_format::{LogRef, Object, Snapshot};
use serde_json::Value;

/// Where a fact was read: input index, entry path, and line for text entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Source {
    /// Index of the input.
    pub input: usize,
    /// Entry path inside the input.
    pub path: String,
    /// 1-based line, for text entries.
    pub line: Option<u64>,
}

impl Source {
    pub(crate) fn of(o: &Object) -> Source {
        Source {
            input: o.origin.input,
            path: o.origin.path.clone(),
            line: None,
        }
    }
}

/// A reference to an object.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjRef {
    /// Kind.
    pub kind: String,
    /// Namespace (empty: cluster-scoped).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// UID, when known.
    pub uid: Option<String>,
}

/// A status condition (pods, nodes, deployments, replica sets).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Condition {
    /// `type`.
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// Reason.
    pub reason: String,
    /// Message.
    pub message: String,
    /// When it last changed.
    pub last_transition: Option<Timestamp>,
}

/// An owner reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owner {
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// UID.
    pub uid: Option<String>,
}

/// A Deployment (or other controller) and its status.
#[derive(Debug, Clone, Default)]
pub struct Workload {
    /// Kind, e.g. `Deployment`.
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// UID.
    pub uid: Option<String>,
    /// `spec.replicas` (1 when absent, as the API defaults it).
    pub desired: Option<i64>,
    /// `status.replicas`.
    pub current: i64,
    /// `status.readyReplicas`.
    pub ready: i64,
    /// `status.availableReplicas`.
    pub available: i64,
    /// `spec.selector.matchLabels`.
    pub selector: BTreeMap<String, String>,
    /// Status conditions.
    pub conditions: Vec<Condition>,
    /// Where it came from.
    pub source: Source,
}

/// A ReplicaSet.
#[derive(Debug, Clone, Default)]
pub struct ReplicaSet {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// UID.
    pub uid: Option<String>,
    /// Controlling owner.
    pub owner: Option<Owner>,
    /// `spec.replicas`.
    pub desired: i64,
    /// Status conditions.
    pub conditions: Vec<Condition>,
    /// Where it came from.
    pub source: Source,
}

/// A container's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum State {
    /// Not known.
    #[default]
    Unknown,
    /// Running since.
    Running {
        /// Start.
        started: Option<Timestamp>,
    },
    /// Waiting.
    Waiting {
        /// Reason, e.g. `CrashLoopBackOff`.
        reason: String,
        /// Message.
        message: String,
    },
    /// Terminated.
    Terminated {
        /// Reason, e.g. `OOMKilled`, `Error`.
        reason: String,
        /// Exit code.
        exit_code: Option<i64>,
        /// Start.
        started: Option<Timestamp>,
        /// End.
        finished: Option<Timestamp>,
        /// Message.
        message: String,
    },
}

impl State {
    /// The waiting reason, if waiting.
    pub fn waiting_reason(&self) -> Option<&str> {
        match self {
            State::Waiting { reason, .. } => Some(reason),
            _ => None,
        }
    }
    /// The waiting or terminated message.
    pub fn message(&self) -> &str {
        match self {
            State::Waiting { message, .. } | State::Terminated { message, .. } => message,
            _ => "",
        }
    }
    /// The terminated reason, if terminated.
    pub fn terminated_reason(&self) -> Option<&str> {
        match self {
            State::Terminated { reason, .. } => Some(reason),
            _ => None,
        }
    }
}

/// A container's memory limit, as far as the input shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum MemoryLimit {
    /// The input does not show the container's resources (a table, a describe cut short).
    #[default]
    Unknown,
    /// The input shows the container's resources, and they hold no memory limit.
    None,
    /// The limit, as written (e.g. `128Mi`).
    Set(String),
}

impl MemoryLimit {
    /// The limit, when there is one.
    pub fn set(&self) -> Option<&str> {
        match self {
            MemoryLimit::Set(l) => Some(l),
            _ => None,
        }
    }
}

impl std::fmt::Display for MemoryLimit {
    /// `limit 128Mi`, `no memory limit` or `memory limit unknown`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MemoryLimit::Unknown => f.write_str("memory limit unknown"),
            MemoryLimit::None => f.write_str("no memory limit"),
            MemoryLimit::Set(l) => write!(f, "limit {l}"),
        }
    }
}

/// A container of a pod: spec and status together.
#[derive(Debug, Clone, Default)]
pub struct Container {
    /// Name.
    pub name: String,
    /// Whether it is an init container.
    pub init: bool,
    /// Image.
    pub image: String,
    /// Ready.
    pub ready: bool,
    /// Restart count; `None` when the input does not show it (a describe cut short).
    pub restarts: Option<i64>,
    /// Current state.
    pub state: State,
    /// Last state.
    pub last_state: State,
    /// `resources.limits.memory`, as far as the input shows it.
    pub memory_limit: MemoryLimit,
    /// The line where the container is described, for facts read from text.
    pub line: Option<u64>,
}

impl Container {
    /// `1 restart`, `14 restarts`, or `restarts unknown` when the input does not show the count.
    pub fn restarts_text(&self) -> String {
        match self.restarts {
            Some(1) => "1 restart".to_string(),
            Some(n) => format!("{n} restarts"),
            None => "restarts unknown".to_string(),
        }
    }
}

/// A pod.
#[derive(Debug, Clone, Default)]
pub struct Pod {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// UID.
    pub uid: Option<String>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// Controlling owner.
    pub owner: Option<Owner>,
    /// `spec.nodeName`.
    pub node: Option<String>,
    /// `status.phase`.
    pub phase: String,
    /// `status.reason` (e.g. `Evicted`).
    pub reason: String,
    /// `status.message`.
    pub message: String,
    /// Conditions.
    pub conditions: Vec<Condition>,
    /// Containers (init containers first).
    pub containers: Vec<Container>,
    /// `metadata.creationTimestamp`.
    pub created: Option<Timestamp>,
    /// `metadata.deletionTimestamp`.
    pub deleting: bool,
    /// Volume names that come from PersistentVolumeClaims, ConfigMaps or Secrets.
    pub volumes: Vec<String>,
    /// Whether this pod belongs to the expected workload.
    pub target: bool,
    /// Where it came from.
    pub source: Source,
}

impl Pod {
    /// `namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
    /// The condition of a type.
    pub fn condition(&self, type_: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.type_ == type_)
    }
    /// Where a container of this pod is described (the pod's source, at the container's line
    /// for text).
    pub fn container_source(&self, c: &Container) -> Source {
        Source {
            line: c.line.or(self.source.line),
            ..self.source.clone()
        }
    }
    /// Whether the pod is Running with every (non-init) container ready.
    pub fn is_healthy(&self) -> bool {
        self.phase == "Running" && self.containers.iter().filter(|c| !c.init).all(|c| c.ready)
    }
}

/// A node.
#[derive(Debug, Clone, Default)]
pub struct Node {
    /// Name.
    pub name: String,
    /// UID.
    pub uid: Option<String>,
    /// `metadata.creationTimestamp`.
    pub created: Option<Timestamp>,
    /// `spec.unschedulable` (cordoned).
    pub unschedulable: bool,
    /// Taints, as `key=value:Effect`.
    pub taints: Vec<String>,
    /// Conditions.
    pub conditions: Vec<Condition>,
    /// `status.nodeInfo.kubeletVersion`.
    pub kubelet_version: Option<String>,
    /// Where it came from.
    pub source: Source,
}

impl Node {
    /// The condition of a type.
    pub fn condition(&self, type_: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.type_ == type_)
    }
}

/// An event, from `v1` or `events.k8s.io/v1`, old or new form.
#[derive(Debug, Clone, Default)]
pub struct Event {
    /// Namespace of the event.
    pub namespace: String,
    /// Name of the event.
    pub name: String,
    /// The object it is about.
    pub regarding: ObjRef,
    /// Reason, e.g. `FailedCreate`.
    pub reason: String,
    /// Message (`message` or `note`).
    pub message: String,
    /// `Normal` or `Warning`.
    pub type_: String,
    /// First seen.
    pub first: Option<Timestamp>,
    /// Last seen.
    pub last: Option<Timestamp>,
    /// How many times (at least 1).
    pub count: u64,
    /// The reporting component (`kubelet`, `default-scheduler`, ...).
    pub component: String,
    /// The container it is about, from `fieldPath: spec.containers{NAME}`, when it says.
    pub container: Option<String>,
    /// Where it came from.
    pub source: Source,
}

impl Event {
    /// `Reason (xN) message`, the way evidence shows an event (no `(x1)`).
    pub fn summary(&self) -> String {
        if self.count > 1 {
            format!("{} (x{}) {}", self.reason, self.count, self.message)
        } else {
            format!("{} {}", self.reason, self.message)
        }
    }
}

/// A rule of an admission webhook.
#[derive(Debug, Clone, Default)]
pub struct WebhookRule {
    /// Operations (`CREATE`, `*`, ...).
    pub operations: Vec<String>,
    /// API groups.
    pub api_groups: Vec<String>,
    /// Resources (`pods`, `*`, `pods/*`, ...).
    pub resources: Vec<String>,
}

/// One webhook of a webhook configuration.
#[derive(Debug, Clone, Default)]
pub struct Webhook {
    /// Name, e.g. `validation.gatekeeper.sh`.
    pub name: String,
    /// `Fail` (the default) or `Ignore`.
    pub failure_policy: String,
    /// `namespaceSelector`, raw.
    pub namespace_selector: Option<Value>,
    /// `objectSelector`, raw.
    pub object_selector: Option<Value>,
    /// Rules.
    pub rules: Vec<WebhookRule>,
    /// The backend service (namespace, name), when a service is used.
    pub service: Option<(String, String)>,
    /// The URL, when a URL is used.
    pub url: Option<String>,
    /// `timeoutSeconds`.
    pub timeout_seconds: Option<i64>,
    /// `clientConfig.caBundle` (base64 PEM), when set.
    pub ca_bundle: Option<String>,
}

/// A `ValidatingWebhookConfiguration` or `MutatingWebhookConfiguration`.
#[derive(Debug, Clone, Default)]
pub struct WebhookConfig {
    /// Kind.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Its webhooks.
    pub webhooks: Vec<Webhook>,
    /// Where it came from.
    pub source: Source,
}

/// Endpoints behind a service, from `Endpoints` or `EndpointSlice` objects.
#[derive(Debug, Clone, Default)]
pub struct ServiceEndpoints {
    /// Ready addresses.
    pub ready: usize,
    /// Not-ready addresses.
    pub not_ready: usize,
    /// Where it came from.
    pub source: Source,
}

/// One `managedFields` entry.
#[derive(Debug, Clone, Default)]
pub struct ManagedField {
    /// Manager, e.g. `kubectl-edit`.
    pub manager: String,
    /// `Update` or `Apply`.
    pub operation: String,
    /// When.
    pub time: Option<Timestamp>,
    /// Subresource (`status`, `scale`), empty for the main resource.
    pub subresource: String,
    /// Whether the entry owns fields under `spec` or `data` (or any field other than
    /// `status` and `metadata`).
    pub owns_config: bool,
}

/// Metadata of any object, for change detection.
#[derive(Debug, Clone, Default)]
pub struct Meta {
    /// API group (empty for core).
    pub group: String,
    /// Kind.
    pub kind: String,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `metadata.creationTimestamp`.
    pub created: Option<Timestamp>,
    /// `metadata.managedFields`.
    pub managed: Vec<ManagedField>,
    /// Where it came from.
    pub source: Source,
}

/// Everything the rules look at.
#[derive(Debug, Default)]
pub struct Facts {
    /// Deployments (and other controllers).
    pub workloads: Vec<Workload>,
    /// ReplicaSets.
    pub replica_sets: Vec<ReplicaSet>,
    /// Pods.
    pub pods: Vec<Pod>,
    /// Nodes.
    pub nodes: Vec<Node>,
    /// Events, deduplicated across API versions, oldest first.
    pub events: Vec<Event>,
    /// Webhook configurations.
    pub webhook_configs: Vec<WebhookConfig>,
    /// Endpoints by (namespace, service name).
    pub endpoints: BTreeMap<(String, String), ServiceEndpoints>,
    /// Services present, by (namespace, name).
    pub services: BTreeMap<(String, String), Source>,
    /// Namespace labels, by namespace name.
    pub namespaces: BTreeMap<String, BTreeMap<String, String>>,
    /// Metadata of every object.
    pub metas: Vec<Meta>,
    /// Namespaces whose pods a `kubectl get pods` table lists (its `-n`, or the `NAMESPACE`
    /// cells of `-A`): where a pod's absence from text can be seen.
    pub listed_namespaces: Vec<String>,
    /// Objects whose `status.conditions` carry a message (for webhook errors).
    pub status_messages: Vec<(ObjRef, Condition, Source)>,
    /// Container logs.
    pub logs: Vec<LogRef>,
    /// The API server's `gitVersion`.
    pub server_version: Option<String>,
}

// ---- value helpers ----

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), String::from),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn conditions(v: &Value) -> Vec<Condition> {
    array_at(v, "/status/conditions")
        .iter()
        .map(|c| Condition {
            type_: str_at(c, "/type").to_string(),
            status: str_at(c, "/status").to_string(),
            reason: str_at(c, "/reason").to_string(),
            message: str_at(c, "/message").to_string(),
            last_transition: timestamp_at(c, "/lastTransitionTime")
                .or_else(|| timestamp_at(c, "/lastUpdateTime")),
        })
        .collect()
}

fn controller_owner(v: &Value) -> Option<Owner> {
    let owners = array_at(v, "/metadata/ownerReferences");
    let pick = owners
        .iter()
        .find(|o| bool_at(o, "/controller") == Some(true))
        .or_else(|| owners.first())?;
    Some(Owner {
        kind: str_at(pick, "/kind").to_string(),
        name: str_at(pick, "/name").to_string(),
        uid: opt_str_at(pick, "/uid").map(String::from),
    })
}

fn state(v: Option<&Value>) -> State {
    let Some(v) = v else { return State::Unknown };
    if let Some(r) = v.get("running") {
        return State::Running {
            started: timestamp_at(r, "/startedAt"),
        };
    }
    if let Some(w) = v.get("waiting") {
        return State::Waiting {
            reason: str_at(w, "/reason").to_string(),
            message: str_at(w, "/message").to_string(),
        };
    }
    if let Some(t) = v.get("terminated") {
        return State::Terminated {
            reason: str_at(t, "/reason").to_string(),
            exit_code: i64_at(t, "/exitCode"),
            started: timestamp_at(t, "/startedAt"),
            finished: timestamp_at(t, "/finishedAt"),
            message: str_at(t, "/message").to_string(),
        };
    }
    State::Unknown
}

fn pod(o: &Object) -> Pod {
    let v = &o.value;
    let mut containers = Vec::new();
    for (spec_key, status_key, init) in [
        (
            "/spec/initContainers",
            "/status/initContainerStatuses",
            true,
        ),
        ("/spec/containers", "/status/containerStatuses", false),
    ] {
        let statuses: Vec<&Value> = array_at(v, status_key).iter().collect();
        let specs: Vec<&Value> = array_at(v, spec_key).iter().collect();
        let mut names: Vec<String> = specs
            .iter()
            .map(|c| str_at(c, "/name").to_string())
            .collect();
        for st in &statuses {
            let n = str_at(st, "/name").to_string();
            if !names.contains(&n) {
                names.push(n);
            }
        }
        for name in names {
            let spec = specs.iter().find(|c| str_at(c, "/name") == name);
            let st = statuses.iter().find(|c| str_at(c, "/name") == name);
            let image = st
                .map(|c| str_at(c, "/image"))
                .filter(|x| !x.is_empty())
                .or_else(|| spec.map(|c| str_at(c, "/image")))
                .unwrap_or_default()
                .to_string();
            let memory_limit = match spec.map(|c| c.pointer("/resources/limits/memory")) {
                None => MemoryLimit::Unknown,
                Some(None) => MemoryLimit::None,
                Some(Some(m)) => {
                    MemoryLimit::Set(m.as_str().map_or_else(|| m.to_string(), String::from))
                }
            };
            containers.push(Container {
                name,
                init,
                image,
                ready: st
                    .and_then(|c| c.get("ready"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                restarts: st.and_then(|c| i64_at(c, "/restartCount")),
                state: state(st.and_then(|c| c.get("state"))),
                last_state: state(st.and_then(|c| c.get("lastState"))),
                memory_limit,
                line: None,
            });
        }
    }
    let volumes = array_at(v, "/spec/volumes")
        .iter()
        .filter(|vol| {
            vol.get("persistentVolumeClaim").is_some()
                || vol.get("configMap").is_some()
                || vol.get("secret").is_some()
        })
        .map(|vol| str_at(vol, "/name").to_string())
        .collect();
    Pod {
        namespace: o.namespace().to_string(),
        name: o.name().to_string(),
        uid: o.uid().map(String::from),
        labels: string_map(v.pointer("/metadata/labels")),
        owner: controller_owner(v),
        node: nonempty_str_at(v, "/spec/nodeName").map(String::from),
        phase: str_at(v, "/status/phase").to_string(),
        reason: str_at(v, "/status/reason").to_string(),
        message: str_at(v, "/status/message").to_string(),
        conditions: conditions(v),
        containers,
        created: timestamp_at(v, "/metadata/creationTimestamp"),
        deleting: v
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|d| !d.is_null()),
        volumes,
        target: false,
        source: Source::of(o),
    }
}

fn node(o: &Object) -> Node {
    let v = &o.value;
    let taints = array_at(v, "/spec/taints")
        .iter()
        .map(|t| {
            let value = str_at(t, "/value");
            if value.is_empty() {
                format!("{}:{}", str_at(t, "/key"), str_at(t, "/effect"))
            } else {
                format!("{}={}:{}", str_at(t, "/key"), value, str_at(t, "/effect"))
            }
        })
        .collect();
    Node {
        name: o.name().to_string(),
        uid: o.uid().map(String::from),
        created: timestamp_at(v, "/metadata/creationTimestamp"),
        unschedulable: bool_at(v, "/spec/unschedulable").unwrap_or(false),
        taints,
        conditions: conditions(v),
        kubelet_version: nonempty_str_at(v, "/status/nodeInfo/kubeletVersion").map(String::from),
        source: Source::of(o),
    }
}

fn event(o: &Object) -> Event {
    let v = &o.value;
    let new_api = o.api_version().starts_with("events.k8s.io/");
    let reg = if new_api {
        v.get("regarding")
    } else {
        v.get("involvedObject")
    };
    let regarding = reg
        .map(|r| ObjRef {
            kind: str_at(r, "/kind").to_string(),
            namespace: str_at(r, "/namespace").to_string(),
            name: str_at(r, "/name").to_string(),
            uid: opt_str_at(r, "/uid")
                .map(String::from)
                .filter(|u| !u.is_empty()),
        })
        .unwrap_or_default();
    let message = if new_api {
        str_at(v, "/note")
    } else {
        str_at(v, "/message")
    }
    .to_string();
    let series_count = u64_at(v, "/series/count");
    let count = series_count
        .or_else(|| u64_at(v, "/count"))
        .or_else(|| u64_at(v, "/deprecatedCount"))
        .unwrap_or(1)
        .max(1);
    let first = timestamp_at(v, "/firstTimestamp")
        .or_else(|| timestamp_at(v, "/deprecatedFirstTimestamp"))
        .or_else(|| timestamp_at(v, "/eventTime"))
        .or_else(|| timestamp_at(v, "/metadata/creationTimestamp"));
    let last = timestamp_at(v, "/series/lastObservedTime")
        .or_else(|| timestamp_at(v, "/lastTimestamp"))
        .or_else(|| timestamp_at(v, "/deprecatedLastTimestamp"))
        .or_else(|| timestamp_at(v, "/eventTime"))
        .or(first);
    let component = [
        "/reportingController",
        "/reportingComponent",
        "/source/component",
        "/deprecatedSource/component",
    ]
    .iter()
    .map(|p| str_at(v, p))
    .find(|x| !x.is_empty())
    .unwrap_or_default()
    .to_string();
    let container = reg
        .map(|r| str_at(r, "/fieldPath"))
        .and_then(|p| {
            p.strip_prefix("spec.containers{")
                .or_else(|| p.strip_prefix("spec.initContainers{"))
        })
        .and_then(|p| p.strip_suffix('}'))
        .map(String::from);
    Event {
        namespace: o.namespace().to_string(),
        name: o.name().to_string(),
        container,
        regarding,
        reason: str_at(v, "/reason").to_string(),
        message,
        type_: str_at(v, "/type").to_string(),
        first,
        last,
        count,
        component,
        source: Source::of(o),
    }
}

fn webhook_config(o: &Object) -> WebhookConfig {
    let v = &o.value;
    let webhooks = v
        .get("webhooks")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|w| {
                    let rules = w
                        .get("rules")
                        .and_then(Value::as_array)
                        .map(|rs| {
                            rs.iter()
                                .map(|r| WebhookRule {
                                    operations: strings(r.get("operations")),
                                    api_groups: strings(r.get("apiGroups")),
                                    resources: strings(r.get("resources")),
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let service = w.pointer("/clientConfig/service").map(|svc| {
                        (
                            str_at(svc, "/namespace").to_string(),
                            str_at(svc, "/name").to_string(),
                        )
                    });
                    Webhook {
                        name: str_at(w, "/name").to_string(),
                        failure_policy: nonempty_str_at(w, "/failurePolicy")
                            .unwrap_or("Fail")
                            .to_string(),
                        namespace_selector: w.get("namespaceSelector").cloned(),
                        object_selector: w.get("objectSelector").cloned(),
                        rules,
                        service,
                        url: opt_str_at(w, "/clientConfig/url").map(String::from),
                        timeout_seconds: i64_at(w, "/timeoutSeconds"),
                        ca_bundle: nonempty_str_at(w, "/clientConfig/caBundle").map(String::from),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    WebhookConfig {
        kind: o.kind().to_string(),
        name: o.name().to_string(),
        webhooks,
        source: Source::of(o),
    }
}

/// Whether a `managedFields` entry's `fieldsV1` owns configuration: a field outside `status`
/// and `metadata` that is not a `caBundle` (certificate injectors such as cert-manager's
/// cainjector rewrite webhook `caBundle`s all the time).
fn owns_configuration(fields: &Value) -> bool {
    fn walk(v: &Value, last: &str, depth: usize) -> bool {
        match v.as_object() {
            // A leaf: `{}` (or the `.` marker of a list item).
            Some(m) if m.is_empty() => last != "f:caBundle",
            Some(m) => m.iter().any(|(k, child)| {
                if k == "." {
                    return false;
                }
                if depth == 0 && (k == "f:status" || k == "f:metadata") {
                    return false;
                }
                walk(child, k, depth + 1)
            }),
            None => last != "f:caBundle",
        }
    }
    walk(fields, "", 0)
}

fn meta(o: &Object) -> Meta {
    let v = &o.value;
    let managed = array_at(v, "/metadata/managedFields")
        .iter()
        .map(|m| {
            let owns_config = m.get("fieldsV1").is_some_and(owns_configuration);
            ManagedField {
                manager: str_at(m, "/manager").to_string(),
                operation: str_at(m, "/operation").to_string(),
                time: timestamp_at(m, "/time"),
                subresource: str_at(m, "/subresource").to_string(),
                owns_config,
            }
        })
        .collect();
    Meta {
        group: o.key().group().to_string(),
        kind: o.kind().to_string(),
        namespace: o.namespace().to_string(),
        name: o.name().to_string(),
        created: timestamp_at(v, "/metadata/creationTimestamp"),
        managed,
        source: Source::of(o),
    }
}

impl Facts {
    /// Facts from a snapshot's objects and logs.
    pub fn from_snapshot(snapshot: &Snapshot) -> Facts {
        let mut f = Facts {
            logs: snapshot.logs().to_vec(),
            server_version: snapshot
                .server_version()
                .and_then(|v| v.get("gitVersion"))
                .and_then(Value::as_str)
                .map(String::from),
            ..Facts::default()
        };
        let mut seen_events: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut slices: BTreeMap<(String, String), ServiceEndpoints> = BTreeMap::new();
        for o in snapshot.objects() {
            let group = o.key().group().to_string();
            let v = &o.value;
            f.metas.push(meta(o));
            match (group.as_str(), o.kind()) {
                ("", "Pod") => f.pods.push(pod(o)),
                ("", "Node") => f.nodes.push(node(o)),
                ("", "Event") | ("events.k8s.io", "Event") => {
                    let e = event(o);
                    let key = (e.namespace.clone(), e.name.clone());
                    match seen_events.get(&key) {
                        // The same event under both API versions (objects come ordered by
                        // apiVersion, events.k8s.io first): keep the core one, which has the
                        // old-form fields kubectl shows.
                        Some(&i) => {
                            if group.is_empty()
                                && let Some(slot) = f.events.get_mut(i)
                            {
                                *slot = e;
                            }
                        }
                        None => {
                            seen_events.insert(key, f.events.len());
                            f.events.push(e);
                        }
                    }
                }
                ("", "Namespace") => {
                    let mut labels = string_map(v.pointer("/metadata/labels"));
                    labels
                        .entry("kubernetes.io/metadata.name".into())
                        .or_insert_with(|| o.name().to_string());
                    f.namespaces.insert(o.name().to_string(), labels);
                }
                ("", "Service") => {
                    f.services.insert(
                        (o.namespace().to_string(), o.name().to_string()),
                        Source::of(o),
                    );
                }
                ("", "Endpoints") => {
                    let mut ready = 0;
                    let mut not_ready = 0;
                    for subset in array_at(v, "/subsets") {
                        ready += subset
                            .get("addresses")
                            .and_then(Value::as_array)
                            .map_or(0, Vec::len);
                        not_ready += subset
                            .get("notReadyAddresses")
                            .and_then(Value::as_array)
                            .map_or(0, Vec::len);
                    }
                    f.endpoints.insert(
                        (o.namespace().to_string(), o.name().to_string()),
                        ServiceEndpoints {
                            ready,
                            not_ready,
                            source: Source::of(o),
                        },
                    );
                }
                ("discovery.k8s.io", "EndpointSlice") => {
                    let service = str_at(v, "/metadata/labels/kubernetes.io~1service-name");
                    if service.is_empty() {
                        continue;
                    }
                    let key = (o.namespace().to_string(), service.to_string());
                    let mut ready = 0;
                    let mut not_ready = 0;
                    for ep in array_at(v, "/endpoints") {
                        let n = ep
                            .get("addresses")
                            .and_then(Value::as_array)
                            .map_or(1, Vec::len);
                        if bool_at(ep, "/conditions/ready") != Some(false) {
                            ready += n;
                        } else {
                            not_ready += n;
                        }
                    }
                    // Endpoints objects win; slices add up otherwise (merged below).
                    let entry = slices.entry(key).or_insert_with(|| ServiceEndpoints {
                        source: Source::of(o),
                        ..ServiceEndpoints::default()
                    });
                    entry.ready += ready;
                    entry.not_ready += not_ready;
                }
                ("apps", "Deployment") | ("apps", "StatefulSet") | ("apps", "DaemonSet") => {
                    let desired = if o.kind() == "DaemonSet" {
                        i64_at(v, "/status/desiredNumberScheduled")
                    } else {
                        Some(i64_at(v, "/spec/replicas").unwrap_or(1))
                    };
                    f.workloads.push(Workload {
                        kind: o.kind().to_string(),
                        namespace: o.namespace().to_string(),
                        name: o.name().to_string(),
                        uid: o.uid().map(String::from),
                        desired,
                        current: i64_at(v, "/status/replicas")
                            .or_else(|| i64_at(v, "/status/currentNumberScheduled"))
                            .unwrap_or(0),
                        ready: i64_at(v, "/status/readyReplicas")
                            .or_else(|| i64_at(v, "/status/numberReady"))
                            .unwrap_or(0),
                        available: i64_at(v, "/status/availableReplicas")
                            .or_else(|| i64_at(v, "/status/numberAvailable"))
                            .unwrap_or(0),
                        selector: string_map(v.pointer("/spec/selector/matchLabels")),
                        conditions: conditions(v),
                        source: Source::of(o),
                    });
                }
                ("apps", "ReplicaSet") => f.replica_sets.push(ReplicaSet {
                    namespace: o.namespace().to_string(),
                    name: o.name().to_string(),
                    uid: o.uid().map(String::from),
                    owner: controller_owner(v),
                    desired: i64_at(v, "/spec/replicas").unwrap_or(1),
                    conditions: conditions(v),
                    source: Source::of(o),
                }),
                ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration")
                | ("admissionregistration.k8s.io", "MutatingWebhookConfiguration") => {
                    f.webhook_configs.push(webhook_config(o));
                }
                _ => {}
            }
            for c in conditions(v) {
                if !c.message.is_empty() && !matches!(o.kind(), "Event" | "Node") {
                    f.status_messages.push((
                        ObjRef {
                            kind: o.kind().to_string(),
                            namespace: o.namespace().to_string(),
                            name: o.name().to_string(),
                            uid: o.uid().map(String::from),
                        },
                        c,
                        Source::of(o),
                    ));
                }
            }
        }
        for (key, eps) in slices {
            f.endpoints.entry(key).or_insert(eps);
        }
        f.events
            .sort_by(|a, b| (a.last, &a.namespace, &a.name).cmp(&(b.last, &b.namespace, &b.name)));
        f
    }

    /// Events about an object (by kind, namespace, name). Each comes with whether it is about
    /// an earlier object of the same name (its uid differs from `uid`).
    pub fn events_for<'a>(
        &'a self,
        kind: &'a str,
        namespace: &'a str,
        name: &'a str,
        uid: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a Event, bool)> + 'a {
        self.events
            .iter()
            .filter(move |e| {
                e.regarding.kind == kind
                    && e.regarding.name == name
                    && (e.regarding.namespace == namespace || e.regarding.namespace.is_empty())
            })
            .map(move |e| {
                let replaced = match (uid, e.regarding.uid.as_deref()) {
                    (Some(a), Some(b)) => a != b,
                    _ => false,
                };
                (e, replaced)
            })
    }

    /// Whether any object fact is known (pods, nodes, workloads, replica sets, events,
    /// webhooks, services, namespaces).
    pub fn has_any(&self) -> bool {
        !(self.pods.is_empty()
            && self.nodes.is_empty()
            && self.workloads.is_empty()
            && self.replica_sets.is_empty()
            && self.events.is_empty()
            && self.webhook_configs.is_empty()
            && self.services.is_empty()
            && self.namespaces.is_empty())
    }

    /// The node of a name.
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// The workload of a kind, namespace and name.
    pub fn workload(&self, kind: &str, namespace: &str, name: &str) -> Option<&Workload> {
        self.workloads
            .iter()
            .find(|w| w.kind == kind && w.namespace == namespace && w.name == name)
    }
}

/// Whether a label selector (`matchLabels`, `matchExpressions`) matches labels. An absent or
/// empty selector matches everything.
pub fn selector_matches(selector: Option<&Value>, labels: &BTreeMap<String, String>) -> bool {
    kbundle_format::selector::LabelSelector::from_object(selector).matches(labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(values: Vec<Value>) -> Snapshot {
        let mut s = Snapshot::new();
        for value in values {
            s.insert(Object::new(
                value,
                kbundle_format::EntryRef {
                    input: 0,
                    path: "events.yaml".into(),
                },
            ));
        }
        s
    }

    #[test]
    fn events_old_and_new_forms() {
        let old = serde_json::json!({
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": "a.1", "namespace": "ns"},
            "involvedObject": {"kind": "Pod", "namespace": "ns", "name": "p", "uid": "u1"},
            "reason": "BackOff", "message": "Back-off restarting failed container", "type": "Warning",
            "firstTimestamp": "2025-03-14T09:00:00Z", "lastTimestamp": "2025-03-14T09:50:00Z", "count": 12,
            "source": {"component": "kubelet"}
        });
        let new = serde_json::json!({
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "b.1", "namespace": "ns"},
            "regarding": {"kind": "ReplicaSet", "namespace": "ns", "name": "rs"},
            "reason": "FailedCreate", "note": "Error creating: x", "type": "Warning",
            "eventTime": "2025-03-14T09:10:00.000000Z", "reportingController": "replicaset-controller",
            "series": {"count": 7, "lastObservedTime": "2025-03-14T09:55:00.000000Z"},
            "deprecatedFirstTimestamp": null, "deprecatedCount": 0
        });
        // The same event as both v1 and events.k8s.io/v1: counted once.
        let twin = serde_json::json!({
            "apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "a.1", "namespace": "ns"},
            "regarding": {"kind": "Pod", "namespace": "ns", "name": "p", "uid": "u1"},
            "reason": "BackOff", "note": "Back-off restarting failed container", "type": "Warning",
            "deprecatedFirstTimestamp": "2025-03-14T09:00:00Z", "deprecatedLastTimestamp": "2025-03-14T09:50:00Z",
            "deprecatedCount": 12
        });
        let f = Facts::from_snapshot(&snapshot(vec![old, new, twin]));
        assert_eq!(f.events.len(), 2);
        let backoff = f.events.iter().find(|e| e.reason == "BackOff").unwrap();
        assert_eq!(backoff.count, 12);
        assert_eq!(backoff.component, "kubelet");
        assert_eq!(
            backoff.last.map(|t| t.to_string()).as_deref(),
            Some("2025-03-14T09:50:00Z")
        );
        let created = f
            .events
            .iter()
            .find(|e| e.reason == "FailedCreate")
            .unwrap();
        assert_eq!(created.count, 7);
        assert_eq!(created.message, "Error creating: x");
        assert_eq!(created.regarding.kind, "ReplicaSet");
        assert_eq!(
            created.first.map(|t| t.to_string()).as_deref(),
            Some("2025-03-14T09:10:00Z")
        );
        assert_eq!(
            created.last.map(|t| t.to_string()).as_deref(),
            Some("2025-03-14T09:55:00Z")
        );
        assert_eq!(created.component, "replicaset-controller");
        // An event about an earlier pod of the same name is told apart by its uid.
        let replaced: Vec<bool> = f
            .events_for("Pod", "ns", "p", Some("u2"))
            .map(|(_, r)| r)
            .collect();
        assert_eq!(replaced, vec![true]);
        let same: Vec<bool> = f
            .events_for("Pod", "ns", "p", Some("u1"))
            .map(|(_, r)| r)
            .collect();
        assert_eq!(same, vec![false]);
    }

    #[test]
    fn managed_fields_that_own_configuration() {
        let spec = serde_json::json!({"f:spec": {"f:mtu": {}}});
        assert!(owns_configuration(&spec));
        let status = serde_json::json!({"f:status": {"f:readyReplicas": {}}, "f:metadata": {"f:labels": {".": {}, "f:a": {}}}});
        assert!(!owns_configuration(&status));
        let ca = serde_json::json!({"f:webhooks": {"k:{\"name\":\"x\"}": {".": {}, "f:clientConfig": {"f:caBundle": {}}}}});
        assert!(!owns_configuration(&ca));
        let rules =
            serde_json::json!({"f:webhooks": {"k:{\"name\":\"x\"}": {".": {}, "f:rules": {}}}});
        assert!(owns_configuration(&rules));
        let data = serde_json::json!({"f:data": {".": {}, "f:key": {}}});
        assert!(owns_configuration(&data));
    }

    #[test]
    fn selectors() {
        let labels: BTreeMap<String, String> = [(
            "kubernetes.io/metadata.name".to_string(),
            "calico-system".to_string(),
        )]
        .into();
        let sel: Value = serde_json::json!({"matchExpressions":[{"key":"kubernetes.io/metadata.name","operator":"NotIn","values":["kube-system"]}]});
        assert!(selector_matches(Some(&sel), &labels));
        let sel: Value = serde_json::json!({"matchLabels":{"team":"a"}});
        assert!(!selector_matches(Some(&sel), &labels));
        assert!(selector_matches(None, &labels));
    }
}
