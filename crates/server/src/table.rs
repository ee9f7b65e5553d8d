//! Server-side printing: the `meta.k8s.io` `Table` that `kubectl get` asks for, with the
//! columns of the real API server's printers. Ages are relative to the snapshot's reference
//! time, not the wall clock.

use std::collections::BTreeMap;

use kbundle_format::resources::ResourceType;
use serde::Serialize;
use serde_json::{Value, json};

use crate::index::Index;
use crate::status::ApiError;

/// `includeObject` of a Table request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Include {
    None,
    Metadata,
    Object,
}

impl Include {
    pub(crate) fn parse(v: Option<&str>) -> Result<Include, ApiError> {
        match v.unwrap_or_default() {
            "" | "Metadata" => Ok(Include::Metadata),
            "Object" => Ok(Include::Object),
            "None" => Ok(Include::None),
            other => Err(ApiError::bad_request(format!(
                "includeObject: unsupported value {other:?}, expected one of None, Metadata, Object"
            ))),
        }
    }
}

static EMPTY: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| json!({}));

/// `PartialObjectMetadata` of an object (borrowed, serialized without copies).
#[derive(Debug, Serialize)]
pub(crate) struct PartialMetadata<'a> {
    kind: &'static str,
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    metadata: &'a Value,
}

/// `PartialObjectMetadata` of an object.
pub(crate) fn partial_metadata<'a>(object: &'a Value, version: &str) -> PartialMetadata<'a> {
    PartialMetadata {
        kind: "PartialObjectMetadata",
        api_version: if version == "v1beta1" {
            "meta.k8s.io/v1beta1"
        } else {
            "meta.k8s.io/v1"
        },
        metadata: object.get("metadata").unwrap_or(&EMPTY),
    }
}

/// The object of a Table row.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum RowObject<'a> {
    Full(&'a Value),
    Partial(PartialMetadata<'a>),
}

/// One row of a Table.
#[derive(Debug, Serialize)]
pub(crate) struct Row<'a> {
    cells: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conditions: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<RowObject<'a>>,
}

/// A `meta.k8s.io` Table.
#[derive(Debug, Serialize)]
pub(crate) struct Table<'a> {
    kind: &'static str,
    #[serde(rename = "apiVersion")]
    api_version: String,
    metadata: Value,
    #[serde(rename = "columnDefinitions")]
    pub(crate) column_definitions: Vec<Value>,
    rows: Vec<Row<'a>>,
}

/// `k8s.io/apimachinery/pkg/util/duration.HumanDuration`: `45s`, `3m20s`, `5h`, `2d3h`,
/// `400d`, `3y12d`.
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

struct Ctx<'a> {
    now: jiff::Timestamp,
    #[allow(dead_code)]
    index: &'a Index,
}

impl Ctx<'_> {
    /// A row of the usual shape: the name, `cells`, the age; no object.
    fn named(&self, v: &Value, mut cells: Vec<Value>) -> (Vec<Value>, Option<Value>) {
        cells.insert(0, json!(s(v, "/metadata/name")));
        cells.push(json!(self.since(opt(v, "/metadata/creationTimestamp"))));
        (cells, None)
    }

    /// A workload's row: the name, `cells`, the age, then the wide columns (containers,
    /// images, selector).
    fn workload(&self, v: &Value, cells: Vec<Value>) -> (Vec<Value>, Option<Value>) {
        let (mut cells, object) = self.named(v, cells);
        cells.extend(template_cells(v));
        cells.push(json!(format_label_selector(v.pointer("/spec/selector"))));
        (cells, object)
    }

    /// `translateTimestampSince`.
    fn since(&self, ts: Option<&str>) -> String {
        match ts
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<jiff::Timestamp>())
        {
            Some(Ok(t)) => human_duration(self.now.as_second() - t.as_second()),
            Some(Err(_)) | None => "<unknown>".into(),
        }
    }
}

fn s<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or_default()
}

fn opt<'a>(v: &'a Value, p: &str) -> Option<&'a str> {
    v.pointer(p)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn int(v: &Value, p: &str) -> i64 {
    v.pointer(p).and_then(Value::as_i64).unwrap_or(0)
}

fn arr<'a>(v: &'a Value, p: &str) -> &'a [Value] {
    v.pointer(p)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn none_if_empty(s: String) -> String {
    if s.is_empty() { "<none>".into() } else { s }
}

fn col(name: &str, ty: &str, priority: i64, description: &str) -> Value {
    let mut c = json!({"name": name, "type": ty, "format": "", "description": description, "priority": priority});
    if name == "Name" {
        crate::set_field(&mut c, "format", json!("name"));
    }
    c
}

/// The columns and a row builder for a resource type.
type RowFn = fn(&Ctx<'_>, &Value) -> (Vec<Value>, Option<Value>);

fn printer(t: &ResourceType) -> Option<(Vec<Value>, RowFn)> {
    let name = col(
        "Name",
        "string",
        0,
        "Name must be unique within a namespace.",
    );
    let age = col(
        "Age",
        "string",
        0,
        "CreationTimestamp is a timestamp representing the server time when this object was created.",
    );
    let containers = col(
        "Containers",
        "string",
        1,
        "Names of each container in the template.",
    );
    let images = col(
        "Images",
        "string",
        1,
        "Images referenced by each container in the template.",
    );
    let selector = col("Selector", "string", 1, "Label selector for pods.");
    Some(match (t.group.as_str(), t.kind.as_str()) {
        ("", "Pod") => (
            vec![
                name,
                col(
                    "Ready",
                    "string",
                    0,
                    "The aggregate readiness state of this pod for accepting traffic.",
                ),
                col(
                    "Status",
                    "string",
                    0,
                    "The aggregate status of the containers in this pod.",
                ),
                col(
                    "Restarts",
                    "string",
                    0,
                    "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
                ),
                age,
                col(
                    "IP",
                    "string",
                    1,
                    "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
                ),
                col(
                    "Node",
                    "string",
                    1,
                    "NodeName is a request to schedule this pod onto a specific node.",
                ),
                col(
                    "Nominated Node",
                    "string",
                    1,
                    "nominatedNodeName is set only when this pod preempts other pods on the node.",
                ),
                col(
                    "Readiness Gates",
                    "string",
                    1,
                    "If specified, all readiness gates will be evaluated for pod readiness.",
                ),
            ],
            pod_row,
        ),
        ("", "Node") => (
            vec![
                name,
                col("Status", "string", 0, "The status of the node"),
                col("Roles", "string", 0, "The roles of the node"),
                age,
                col(
                    "Version",
                    "string",
                    0,
                    "Kubelet Version reported by the node.",
                ),
                col(
                    "Internal-IP",
                    "string",
                    1,
                    "List of addresses reachable to the node. Queried from cloud provider, if available.",
                ),
                col(
                    "External-IP",
                    "string",
                    1,
                    "List of addresses reachable to the node. Queried from cloud provider, if available.",
                ),
                col(
                    "OS-Image",
                    "string",
                    1,
                    "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
                ),
                col(
                    "Kernel-Version",
                    "string",
                    1,
                    "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
                ),
                col(
                    "Container-Runtime",
                    "string",
                    1,
                    "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
                ),
            ],
            node_row,
        ),
        ("", "Namespace") => (
            vec![
                name,
                col("Status", "string", 0, "The status of the namespace"),
                age,
            ],
            |c, v| c.named(v, vec![json!(s(v, "/status/phase"))]),
        ),
        ("", "ConfigMap") => (
            vec![
                name,
                col("Data", "string", 0, "Data contains the configuration data."),
                age,
            ],
            |c, v| {
                let n = v
                    .get("data")
                    .and_then(Value::as_object)
                    .map_or(0, |m| m.len())
                    + v.get("binaryData")
                        .and_then(Value::as_object)
                        .map_or(0, |m| m.len());
                c.named(v, vec![json!(n)])
            },
        ),
        ("", "Secret") => (
            vec![
                name,
                col("Type", "string", 0, "The type of the secret"),
                col("Data", "string", 0, "The number of entries in the secret"),
                age,
            ],
            |c, v| {
                let n = v
                    .get("data")
                    .and_then(Value::as_object)
                    .map_or(0, |m| m.len());
                c.named(v, vec![json!(s(v, "/type")), json!(n)])
            },
        ),
        ("", "ServiceAccount") => (
            vec![
                name,
                col(
                    "Secrets",
                    "string",
                    0,
                    "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
                ),
                age,
            ],
            |c, v| c.named(v, vec![json!(arr(v, "/secrets").len())]),
        ),
        ("", "Service") => (
            vec![
                name,
                col("Type", "string", 0, "The type of the service."),
                col("Cluster-IP", "string", 0, "The IP address of the service."),
                col(
                    "External-IP",
                    "string",
                    0,
                    "The list of external IP addresses for this service.",
                ),
                col("Port(s)", "string", 0, "The ports of the service."),
                age,
                col(
                    "Selector",
                    "string",
                    1,
                    "Route service traffic to pods with label keys and values matching this selector.",
                ),
            ],
            service_row,
        ),
        ("", "Event") => (
            vec![
                col(
                    "Last Seen",
                    "string",
                    0,
                    "The time at which the most recent occurrence of this event was recorded.",
                ),
                col(
                    "Type",
                    "string",
                    0,
                    "Type of this event (Normal, Warning), new types could be added in the future",
                ),
                col(
                    "Reason",
                    "string",
                    0,
                    "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
                ),
                col(
                    "Object",
                    "string",
                    0,
                    "The object that this event is about.",
                ),
                col(
                    "Subobject",
                    "string",
                    1,
                    "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.",
                ),
                col(
                    "Source",
                    "string",
                    1,
                    "The component reporting this event. Should be a short machine understandable string.",
                ),
                col(
                    "Message",
                    "string",
                    0,
                    "A human-readable description of the status of this operation.",
                ),
                col(
                    "First Seen",
                    "string",
                    1,
                    "The time at which the event was first recorded.",
                ),
                col(
                    "Count",
                    "string",
                    1,
                    "The number of times this event has occurred.",
                ),
                col(
                    "Name",
                    "string",
                    1,
                    "Name must be unique within a namespace.",
                ),
            ],
            event_row,
        ),
        ("apps", "Deployment") => (
            vec![
                name,
                col("Ready", "string", 0, "Number of the pod with ready state"),
                col(
                    "Up-to-date",
                    "string",
                    0,
                    "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
                ),
                col(
                    "Available",
                    "string",
                    0,
                    "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
                ),
                age,
                containers,
                images,
                selector,
            ],
            |c, v| {
                c.workload(
                    v,
                    vec![
                        json!(format!(
                            "{}/{}",
                            int(v, "/status/readyReplicas"),
                            replicas(v)
                        )),
                        json!(int(v, "/status/updatedReplicas")),
                        json!(int(v, "/status/availableReplicas")),
                    ],
                )
            },
        ),
        ("apps", "ReplicaSet") => (
            vec![
                name,
                col(
                    "Desired",
                    "integer",
                    0,
                    "Replicas is the number of desired replicas.",
                ),
                col(
                    "Current",
                    "integer",
                    0,
                    "Replicas is the most recently observed number of replicas.",
                ),
                col(
                    "Ready",
                    "integer",
                    0,
                    "The number of ready replicas for this replica set.",
                ),
                age,
                containers,
                images,
                selector,
            ],
            |c, v| {
                c.workload(
                    v,
                    vec![
                        json!(replicas(v)),
                        json!(int(v, "/status/replicas")),
                        json!(int(v, "/status/readyReplicas")),
                    ],
                )
            },
        ),
        ("apps", "DaemonSet") => (
            vec![
                name,
                col(
                    "Desired",
                    "integer",
                    0,
                    "The total number of nodes that should be running the daemon pod.",
                ),
                col(
                    "Current",
                    "integer",
                    0,
                    "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.",
                ),
                col(
                    "Ready",
                    "integer",
                    0,
                    "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.",
                ),
                col(
                    "Up-to-date",
                    "integer",
                    0,
                    "The total number of nodes that are running updated daemon pod",
                ),
                col(
                    "Available",
                    "integer",
                    0,
                    "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.",
                ),
                col(
                    "Node Selector",
                    "string",
                    0,
                    "NodeSelector is a selector which must be true for the pod to fit on a node.",
                ),
                age,
                containers,
                images,
                selector,
            ],
            |c, v| {
                let node_selector = v
                    .pointer("/spec/template/spec/nodeSelector")
                    .and_then(Value::as_object)
                    .map(|m| {
                        let map: BTreeMap<&str, &str> = m
                            .iter()
                            .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                            .collect();
                        map.iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .unwrap_or_default();
                c.workload(
                    v,
                    vec![
                        json!(int(v, "/status/desiredNumberScheduled")),
                        json!(int(v, "/status/currentNumberScheduled")),
                        json!(int(v, "/status/numberReady")),
                        json!(int(v, "/status/updatedNumberScheduled")),
                        json!(int(v, "/status/numberAvailable")),
                        json!(none_if_empty(node_selector)),
                    ],
                )
            },
        ),
        ("apps", "StatefulSet") => (
            vec![
                name,
                col("Ready", "string", 0, "Number of the pod with ready state"),
                age,
                containers,
                images,
            ],
            |c, v| {
                let mut cells = vec![
                    json!(s(v, "/metadata/name")),
                    json!(format!(
                        "{}/{}",
                        int(v, "/status/readyReplicas"),
                        replicas(v)
                    )),
                    json!(c.since(opt(v, "/metadata/creationTimestamp"))),
                ];
                cells.extend(template_cells(v));
                (cells, None)
            },
        ),
        (
            "admissionregistration.k8s.io",
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration",
        ) => (
            vec![
                name,
                col(
                    "Webhooks",
                    "integer",
                    0,
                    "Webhooks is a list of webhooks and the affected resources and operations.",
                ),
                age,
            ],
            |c, v| c.named(v, vec![json!(arr(v, "/webhooks").len())]),
        ),
        ("coordination.k8s.io", "Lease") => (
            vec![
                name,
                col("Holder", "string", 0, "The holder of the lease"),
                age,
            ],
            |c, v| c.named(v, vec![json!(s(v, "/spec/holderIdentity"))]),
        ),
        ("batch", "Job") => (
            vec![
                name,
                col("Status", "string", 0, "Status of the job."),
                col(
                    "Completions",
                    "string",
                    0,
                    "The desired number of successfully finished pods the job should be run with.",
                ),
                col(
                    "Duration",
                    "string",
                    0,
                    "Time required to complete the job.",
                ),
                age,
                containers,
                images,
                selector,
            ],
            job_row,
        ),
        ("batch", "CronJob") => (
            vec![
                name,
                col("Schedule", "string", 0, "The schedule in Cron format."),
                col(
                    "Timezone",
                    "string",
                    0,
                    "The time zone name for the given schedule.",
                ),
                col(
                    "Suspend",
                    "boolean",
                    0,
                    "This flag tells the controller to suspend subsequent executions.",
                ),
                col(
                    "Active",
                    "integer",
                    0,
                    "A list of pointers to currently running jobs.",
                ),
                col(
                    "Last Schedule",
                    "string",
                    0,
                    "Information when was the last time the job was successfully scheduled.",
                ),
                age,
                containers,
                images,
                selector,
            ],
            |c, v| {
                let suspend = match v.pointer("/spec/suspend").and_then(Value::as_bool) {
                    None => "<unset>",
                    Some(true) => "True",
                    Some(false) => "False",
                };
                let last = match opt(v, "/status/lastScheduleTime") {
                    Some(t) => c.since(Some(t)),
                    None => "<none>".into(),
                };
                let template = v
                    .pointer("/spec/jobTemplate")
                    .cloned()
                    .unwrap_or(Value::Null);
                let mut cells = vec![
                    json!(s(v, "/metadata/name")),
                    json!(s(v, "/spec/schedule")),
                    json!(opt(v, "/spec/timeZone").unwrap_or("<none>")),
                    json!(suspend),
                    json!(arr(v, "/status/active").len()),
                    json!(last),
                    json!(c.since(opt(v, "/metadata/creationTimestamp"))),
                ];
                cells.extend(template_cells(&template));
                cells.push(json!(format_label_selector(
                    template.pointer("/spec/selector")
                )));
                (cells, None)
            },
        ),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => (
            vec![
                name,
                col(
                    "Role",
                    "string",
                    0,
                    "RoleRef references the Role in the current namespace or a ClusterRole in the global namespace.",
                ),
                age,
                col("Users", "string", 1, "Users in the binding"),
                col("Groups", "string", 1, "Groups in the binding"),
                col(
                    "ServiceAccounts",
                    "string",
                    1,
                    "ServiceAccounts in the binding",
                ),
            ],
            |c, v| {
                let mut users = Vec::new();
                let mut groups = Vec::new();
                let mut sas = Vec::new();
                for subject in arr(v, "/subjects") {
                    match s(subject, "/kind") {
                        "User" => users.push(s(subject, "/name").to_string()),
                        "Group" => groups.push(s(subject, "/name").to_string()),
                        "ServiceAccount" => sas.push(format!(
                            "{}/{}",
                            s(subject, "/namespace"),
                            s(subject, "/name")
                        )),
                        _ => {}
                    }
                }
                (
                    vec![
                        json!(s(v, "/metadata/name")),
                        json!(format!(
                            "{}/{}",
                            s(v, "/roleRef/kind"),
                            s(v, "/roleRef/name")
                        )),
                        json!(c.since(opt(v, "/metadata/creationTimestamp"))),
                        json!(users.join(", ")),
                        json!(groups.join(", ")),
                        json!(sas.join(", ")),
                    ],
                    None,
                )
            },
        ),
        ("", "Endpoints") => (
            vec![
                name,
                col(
                    "Endpoints",
                    "string",
                    0,
                    "Endpoints of the endpoints resource.",
                ),
                age,
            ],
            |c, v| c.named(v, vec![json!(format_endpoints(v))]),
        ),
        ("networking.k8s.io", "NetworkPolicy") => (
            vec![
                name,
                col(
                    "Pod-Selector",
                    "string",
                    0,
                    "Selects the pods to which this NetworkPolicy object applies.",
                ),
                age,
            ],
            |c, v| {
                let sel = v
                    .pointer("/spec/podSelector")
                    .cloned()
                    .unwrap_or_else(|| json!({}));
                c.named(v, vec![json!(format_label_selector(Some(&sel)))])
            },
        ),
        ("networking.k8s.io", "Ingress") => (
            vec![
                name,
                col(
                    "Class",
                    "string",
                    0,
                    "The name of the IngressClass resource.",
                ),
                col(
                    "Hosts",
                    "string",
                    0,
                    "Hosts that incoming requests are matched against before the ingress rule",
                ),
                col(
                    "Address",
                    "string",
                    0,
                    "Address is a list containing ingress points for the load-balancer",
                ),
                col(
                    "Ports",
                    "string",
                    0,
                    "Ports of TLS configurations that open",
                ),
                age,
            ],
            |c, v| {
                let rules = arr(v, "/spec/rules");
                const MAX: usize = 3;
                let mut hosts: Vec<&str> = Vec::new();
                let mut more = false;
                for rule in rules {
                    if hosts.len() == MAX {
                        more = true;
                    }
                    if let Some(h) = opt(rule, "/host").filter(|_| !more) {
                        hosts.push(h);
                    }
                }
                let hosts = match (hosts.is_empty(), more) {
                    (true, _) => "*".to_string(),
                    (false, false) => hosts.join(","),
                    (false, true) => format!(
                        "{} + {} more...",
                        hosts.join(","),
                        rules.len().saturating_sub(MAX)
                    ),
                };
                let address: Vec<&str> = arr(v, "/status/loadBalancer/ingress")
                    .iter()
                    .filter_map(|i| opt(i, "/ip").or_else(|| opt(i, "/hostname")))
                    .collect();
                let ports = if arr(v, "/spec/tls").is_empty() {
                    "80"
                } else {
                    "80, 443"
                };
                c.named(
                    v,
                    vec![
                        json!(opt(v, "/spec/ingressClassName").unwrap_or("<none>")),
                        json!(hosts),
                        json!(address.join(",")),
                        json!(ports),
                    ],
                )
            },
        ),
        ("", "PersistentVolume") => (
            vec![
                name,
                col(
                    "Capacity",
                    "string",
                    0,
                    "capacity is the description of the persistent volume's resources and capacity.",
                ),
                col(
                    "Access Modes",
                    "string",
                    0,
                    "accessModes contains all ways the volume can be mounted.",
                ),
                col(
                    "Reclaim Policy",
                    "string",
                    0,
                    "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.",
                ),
                col(
                    "Status",
                    "string",
                    0,
                    "phase indicates if a volume is available, bound to a claim, or released by a claim.",
                ),
                col(
                    "Claim",
                    "string",
                    0,
                    "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.",
                ),
                col("StorageClass", "string", 0, "StorageClass of the pv"),
                col(
                    "VolumeAttributesClass",
                    "string",
                    0,
                    "VolumeAttributesClass of the pv",
                ),
                col(
                    "Reason",
                    "string",
                    0,
                    "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.",
                ),
                age,
                col(
                    "VolumeMode",
                    "string",
                    1,
                    "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.",
                ),
            ],
            |c, v| {
                let claim = match v.pointer("/spec/claimRef").filter(|r| r.is_object()) {
                    Some(r) => format!("{}/{}", s(r, "/namespace"), s(r, "/name")),
                    None => String::new(),
                };
                let phase = if opt(v, "/metadata/deletionTimestamp").is_some() {
                    "Terminating"
                } else {
                    s(v, "/status/phase")
                };
                (
                    vec![
                        json!(s(v, "/metadata/name")),
                        json!(opt(v, "/spec/capacity/storage").unwrap_or("0")),
                        json!(access_modes(arr(v, "/spec/accessModes"))),
                        json!(s(v, "/spec/persistentVolumeReclaimPolicy")),
                        json!(phase),
                        json!(claim),
                        json!(storage_class(v)),
                        json!(opt(v, "/spec/volumeAttributesClassName").unwrap_or("<unset>")),
                        json!(s(v, "/status/reason")),
                        json!(c.since(opt(v, "/metadata/creationTimestamp"))),
                        json!(opt(v, "/spec/volumeMode").unwrap_or("<unset>")),
                    ],
                    None,
                )
            },
        ),
        ("", "PersistentVolumeClaim") => (
            vec![
                name,
                col(
                    "Status",
                    "string",
                    0,
                    "phase represents the current phase of PersistentVolumeClaim.",
                ),
                col(
                    "Volume",
                    "string",
                    0,
                    "volumeName is the binding reference to the PersistentVolume backing this claim.",
                ),
                col(
                    "Capacity",
                    "string",
                    0,
                    "capacity represents the actual resources of the underlying volume.",
                ),
                col(
                    "Access Modes",
                    "string",
                    0,
                    "accessModes contains the desired access modes the volume should have.",
                ),
                col("StorageClass", "string", 0, "StorageClass of the pvc"),
                col(
                    "VolumeAttributesClass",
                    "string",
                    0,
                    "VolumeAttributesClass of the pvc",
                ),
                age,
                col(
                    "VolumeMode",
                    "string",
                    1,
                    "volumeMode defines what type of volume is required by the claim.",
                ),
            ],
            |c, v| {
                let phase = if opt(v, "/metadata/deletionTimestamp").is_some() {
                    "Terminating"
                } else {
                    s(v, "/status/phase")
                };
                let bound = opt(v, "/spec/volumeName").is_some();
                let (capacity, modes) = if bound {
                    (
                        opt(v, "/status/capacity/storage")
                            .unwrap_or("0")
                            .to_string(),
                        access_modes(arr(v, "/status/accessModes")),
                    )
                } else {
                    (String::new(), String::new())
                };
                (
                    vec![
                        json!(s(v, "/metadata/name")),
                        json!(phase),
                        json!(s(v, "/spec/volumeName")),
                        json!(capacity),
                        json!(modes),
                        json!(storage_class(v)),
                        json!(opt(v, "/spec/volumeAttributesClassName").unwrap_or("<unset>")),
                        json!(c.since(opt(v, "/metadata/creationTimestamp"))),
                        json!(opt(v, "/spec/volumeMode").unwrap_or("<unset>")),
                    ],
                    None,
                )
            },
        ),
        ("storage.k8s.io", "StorageClass") => (
            vec![
                name,
                col(
                    "Provisioner",
                    "string",
                    0,
                    "provisioner indicates the type of the provisioner.",
                ),
                col(
                    "ReclaimPolicy",
                    "string",
                    0,
                    "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.",
                ),
                col(
                    "VolumeBindingMode",
                    "string",
                    0,
                    "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.",
                ),
                col(
                    "AllowVolumeExpansion",
                    "string",
                    0,
                    "allowVolumeExpansion shows whether the storage class allow volume expand.",
                ),
                age,
            ],
            |c, v| {
                let default = [
                    "storageclass.kubernetes.io/is-default-class",
                    "storageclass.beta.kubernetes.io/is-default-class",
                ]
                .iter()
                .any(|a| {
                    v.pointer("/metadata/annotations")
                        .and_then(|m| m.get(*a))
                        .and_then(Value::as_str)
                        == Some("true")
                });
                let mut name = s(v, "/metadata/name").to_string();
                if default {
                    name.push_str(" (default)");
                }
                (
                    vec![
                        json!(name),
                        json!(s(v, "/provisioner")),
                        json!(opt(v, "/reclaimPolicy").unwrap_or("Delete")),
                        json!(opt(v, "/volumeBindingMode").unwrap_or("Immediate")),
                        json!(
                            v.get("allowVolumeExpansion")
                                .and_then(Value::as_bool)
                                .unwrap_or(false)
                        ),
                        json!(c.since(opt(v, "/metadata/creationTimestamp"))),
                    ],
                    None,
                )
            },
        ),
        ("policy", "PodDisruptionBudget") => (
            vec![
                name,
                col(
                    "Min Available",
                    "string",
                    0,
                    "The minimum number of pods that must be available.",
                ),
                col(
                    "Max Unavailable",
                    "string",
                    0,
                    "The maximum number of pods that may be unavailable.",
                ),
                col(
                    "Allowed Disruptions",
                    "integer",
                    0,
                    "Calculated number of pods that may be disrupted at this time.",
                ),
                age,
            ],
            |c, v| {
                let int_or_string = |p: &str| match v.pointer(p) {
                    Some(Value::String(x)) => x.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => "N/A".into(),
                };
                c.named(
                    v,
                    vec![
                        json!(int_or_string("/spec/minAvailable")),
                        json!(int_or_string("/spec/maxUnavailable")),
                        json!(int(v, "/status/disruptionsAllowed")),
                    ],
                )
            },
        ),
        _ => return None,
    })
}

/// `GetAccessModesAsString`: `RWO,ROX,RWX,RWOP`, in that order, once each.
fn access_modes(modes: &[Value]) -> String {
    let has = |m: &str| modes.iter().any(|x| x.as_str() == Some(m));
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(m, _)| has(m))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

/// The storage class of a PV or PVC: the beta annotation first, then `spec.storageClassName`.
fn storage_class(v: &Value) -> &str {
    v.pointer("/metadata/annotations")
        .and_then(|a| a.get("volume.beta.kubernetes.io/storage-class"))
        .and_then(Value::as_str)
        .unwrap_or_else(|| s(v, "/spec/storageClassName"))
}

fn job_row(c: &Ctx<'_>, job: &Value) -> (Vec<Value>, Option<Value>) {
    let has = |ty: &str| {
        arr(job, "/status/conditions")
            .iter()
            .any(|cond| s(cond, "/type") == ty && s(cond, "/status") == "True")
    };
    let status = if has("Complete") {
        "Complete"
    } else if has("Failed") {
        "Failed"
    } else if opt(job, "/metadata/deletionTimestamp").is_some() {
        "Terminating"
    } else if has("Suspended") {
        "Suspended"
    } else if has("FailureTarget") {
        "FailureTarget"
    } else if has("SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else {
        "Running"
    };
    let succeeded = int(job, "/status/succeeded");
    let completions = match (
        job.pointer("/spec/completions").and_then(Value::as_i64),
        job.pointer("/spec/parallelism").and_then(Value::as_i64),
    ) {
        (Some(n), _) => format!("{succeeded}/{n}"),
        (None, Some(p)) if p > 1 => format!("{succeeded}/1 of {p}"),
        _ => format!("{succeeded}/1"),
    };
    let ts = |p: &str| opt(job, p).and_then(|t| t.parse::<jiff::Timestamp>().ok());
    let duration = match (ts("/status/startTime"), ts("/status/completionTime")) {
        (None, _) => String::new(),
        (Some(start), None) => human_duration(c.now.as_second() - start.as_second()),
        (Some(start), Some(end)) => human_duration(end.as_second() - start.as_second()),
    };
    let mut cells = vec![
        json!(s(job, "/metadata/name")),
        json!(status),
        json!(completions),
        json!(duration),
        json!(c.since(opt(job, "/metadata/creationTimestamp"))),
    ];
    cells.extend(template_cells(job));
    cells.push(json!(format_label_selector(job.pointer("/spec/selector"))));
    (cells, None)
}

/// `formatEndpoints` of the printers: up to three `ip:port`, then `+ N more...`.
fn format_endpoints(ep: &Value) -> String {
    let subsets = arr(ep, "/subsets");
    if subsets.is_empty() {
        return "<none>".into();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for ss in subsets {
        let addresses = arr(ss, "/addresses");
        let ports = arr(ss, "/ports");
        if ports.is_empty() {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(s(a, "/ip").to_string());
            }
            continue;
        }
        for port in ports {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                let ip = s(a, "/ip");
                let p = int(port, "/port");
                list.push(if ip.contains(':') {
                    format!("[{ip}]:{p}")
                } else {
                    format!("{ip}:{p}")
                });
            }
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count.saturating_sub(MAX))
    } else {
        joined
    }
}

fn replicas(v: &Value) -> i64 {
    v.pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

fn template_cells(v: &Value) -> Vec<Value> {
    let cs = arr(v, "/spec/template/spec/containers");
    let names: Vec<&str> = cs.iter().map(|c| s(c, "/name")).collect();
    let images: Vec<&str> = cs.iter().map(|c| s(c, "/image")).collect();
    vec![json!(names.join(",")), json!(images.join(","))]
}

/// `metav1.FormatLabelSelector`.
fn format_label_selector(sel: Option<&Value>) -> String {
    let Some(sel) = sel.filter(|s| !s.is_null()) else {
        return "<none>".into();
    };
    let mut reqs: Vec<(String, String)> = Vec::new();
    if let Some(m) = sel.get("matchLabels").and_then(Value::as_object) {
        for (k, v) in m {
            reqs.push((k.clone(), format!("{k}={}", v.as_str().unwrap_or_default())));
        }
    }
    for e in arr(sel, "/matchExpressions") {
        let key = s(e, "/key");
        let mut values: Vec<&str> = arr(e, "/values").iter().filter_map(Value::as_str).collect();
        values.sort_unstable();
        let text = match s(e, "/operator") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            _ => return "<error>".into(),
        };
        reqs.push((key.to_string(), text));
    }
    reqs.sort();
    none_if_empty(
        reqs.into_iter()
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
            .join(","),
    )
}

fn pod_row(c: &Ctx<'_>, pod: &Value) -> (Vec<Value>, Option<Value>) {
    let init_specs = arr(pod, "/spec/initContainers");
    let restartable = |name: &str| {
        init_specs
            .iter()
            .any(|ic| s(ic, "/name") == name && s(ic, "/restartPolicy") == "Always")
    };
    let mut total = arr(pod, "/spec/containers").len();
    total += init_specs
        .iter()
        .filter(|ic| s(ic, "/restartPolicy") == "Always")
        .count();
    let mut restarts: i64 = 0;
    let mut sidecar_restarts: i64 = 0;
    let mut ready = 0;
    let mut last_restart: Option<jiff::Timestamp> = None;
    let mut last_sidecar_restart: Option<jiff::Timestamp> = None;
    let ts = |v: &Value, p: &str| opt(v, p).and_then(|s| s.parse::<jiff::Timestamp>().ok());
    let later = |a: Option<jiff::Timestamp>, b: Option<jiff::Timestamp>| match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };

    let phase = s(pod, "/status/phase");
    let mut reason = opt(pod, "/status/reason").unwrap_or(phase).to_string();
    for cond in arr(pod, "/status/conditions") {
        if s(cond, "/type") == "PodScheduled" && s(cond, "/reason") == "SchedulingGated" {
            reason = "SchedulingGated".into();
        }
    }
    let conditions = match phase {
        "Succeeded" => Some(
            json!([{"type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."}]),
        ),
        "Failed" => Some(
            json!([{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]),
        ),
        _ => None,
    };

    let mut initializing = false;
    for (i, st) in arr(pod, "/status/initContainerStatuses").iter().enumerate() {
        let name = s(st, "/name");
        restarts += int(st, "/restartCount");
        let terminated_at = ts(st, "/lastState/terminated/finishedAt");
        last_restart = later(last_restart, terminated_at);
        if restartable(name) {
            sidecar_restarts += int(st, "/restartCount");
            last_sidecar_restart = later(last_sidecar_restart, terminated_at);
        }
        let terminated = st.pointer("/state/terminated").filter(|t| t.is_object());
        let waiting_reason = opt(st, "/state/waiting/reason");
        if terminated.is_some_and(|t| int(t, "/exitCode") == 0) {
            continue;
        }
        if restartable(name) && st.get("started").and_then(Value::as_bool) == Some(true) {
            if st.get("ready").and_then(Value::as_bool) == Some(true) {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = terminated {
            reason = match opt(t, "/reason") {
                Some(r) => format!("Init:{r}"),
                None if int(t, "/signal") != 0 => format!("Init:Signal:{}", int(t, "/signal")),
                None => format!("Init:ExitCode:{}", int(t, "/exitCode")),
            };
        } else if let Some(w) = waiting_reason.filter(|w| *w != "PodInitializing") {
            reason = format!("Init:{w}");
        } else {
            reason = format!("Init:{i}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }

    let initialized = arr(pod, "/status/conditions")
        .iter()
        .any(|c| s(c, "/type") == "Initialized" && s(c, "/status") == "True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        for st in arr(pod, "/status/containerStatuses").iter().rev() {
            restarts += int(st, "/restartCount");
            last_restart = later(last_restart, ts(st, "/lastState/terminated/finishedAt"));
            let terminated = st.pointer("/state/terminated").filter(|t| t.is_object());
            if let Some(w) = opt(st, "/state/waiting/reason") {
                reason = w.to_string();
            } else if let Some(r) = terminated.and_then(|t| opt(t, "/reason")) {
                reason = r.to_string();
            } else if let Some(t) = terminated {
                reason = if int(t, "/signal") != 0 {
                    format!("Signal:{}", int(t, "/signal"))
                } else {
                    format!("ExitCode:{}", int(t, "/exitCode"))
                };
            } else if st.get("ready").and_then(Value::as_bool) == Some(true)
                && st.pointer("/state/running").is_some_and(Value::is_object)
            {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = arr(pod, "/status/conditions")
                .iter()
                .any(|c| s(c, "/type") == "Ready" && s(c, "/status") == "True");
            reason = if pod_ready {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }

    let deleting = opt(pod, "/metadata/deletionTimestamp").is_some();
    if deleting && s(pod, "/status/reason") == "NodeLost" {
        reason = "Unknown".into();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".into();
    }

    let mut restarts_text = restarts.to_string();
    if restarts != 0
        && let Some(t) = last_restart
    {
        restarts_text = format!(
            "{restarts} ({} ago)",
            human_duration(c.now.as_second() - t.as_second())
        );
    }

    let ip = arr(pod, "/status/podIPs")
        .first()
        .map(|p| s(p, "/ip"))
        .filter(|s| !s.is_empty())
        .or_else(|| opt(pod, "/status/podIP"))
        .unwrap_or("<none>");
    let gates = arr(pod, "/spec/readinessGates");
    let gates_text = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let conds = arr(pod, "/status/conditions");
        let true_count = gates
            .iter()
            .filter(|g| {
                conds
                    .iter()
                    .find(|c| s(c, "/type") == s(g, "/conditionType"))
                    .is_some_and(|c| s(c, "/status") == "True")
            })
            .count();
        format!("{true_count}/{}", gates.len())
    };
    let cells = vec![
        json!(s(pod, "/metadata/name")),
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts_text),
        json!(c.since(opt(pod, "/metadata/creationTimestamp"))),
        json!(ip),
        json!(opt(pod, "/spec/nodeName").unwrap_or("<none>")),
        json!(opt(pod, "/status/nominatedNodeName").unwrap_or("<none>")),
        json!(gates_text),
    ];
    (cells, conditions)
}

fn node_row(c: &Ctx<'_>, node: &Value) -> (Vec<Value>, Option<Value>) {
    let mut status: Vec<String> = Vec::new();
    if let Some(cond) = arr(node, "/status/conditions")
        .iter()
        .rev()
        .find(|c| s(c, "/type") == "Ready")
    {
        status.push(if s(cond, "/status") == "True" {
            "Ready".into()
        } else {
            "NotReady".into()
        });
    }
    if status.is_empty() {
        status.push("Unknown".into());
    }
    if node.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true) {
        status.push("SchedulingDisabled".into());
    }
    let mut roles: Vec<String> = Vec::new();
    if let Some(labels) = node.pointer("/metadata/labels").and_then(Value::as_object) {
        for (k, v) in labels {
            if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
                if !role.is_empty() {
                    roles.push(role.to_string());
                }
            } else if k == "kubernetes.io/role"
                && let Some(v) = v.as_str().filter(|v| !v.is_empty())
            {
                roles.push(v.to_string());
            }
        }
    }
    roles.sort();
    roles.dedup();
    let address = |ty: &str| {
        arr(node, "/status/addresses")
            .iter()
            .find(|a| s(a, "/type") == ty)
            .map(|a| s(a, "/address").to_string())
            .unwrap_or_else(|| "<none>".into())
    };
    let unknown = |p: &str| opt(node, p).unwrap_or("<unknown>").to_string();
    let cells = vec![
        json!(s(node, "/metadata/name")),
        json!(status.join(",")),
        json!(none_if_empty(roles.join(","))),
        json!(c.since(opt(node, "/metadata/creationTimestamp"))),
        json!(s(node, "/status/nodeInfo/kubeletVersion")),
        json!(address("InternalIP")),
        json!(address("ExternalIP")),
        json!(unknown("/status/nodeInfo/osImage")),
        json!(unknown("/status/nodeInfo/kernelVersion")),
        json!(unknown("/status/nodeInfo/containerRuntimeVersion")),
    ];
    (cells, None)
}

fn service_row(c: &Ctx<'_>, svc: &Value) -> (Vec<Value>, Option<Value>) {
    let ty = opt(svc, "/spec/type").unwrap_or("ClusterIP");
    let external_ips: Vec<&str> = arr(svc, "/spec/externalIPs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let lb: Vec<&str> = arr(svc, "/status/loadBalancer/ingress")
        .iter()
        .filter_map(|i| opt(i, "/ip").or_else(|| opt(i, "/hostname")))
        .collect();
    let external = match ty {
        "ClusterIP" | "NodePort" => none_if_empty(external_ips.join(",")),
        "LoadBalancer" => {
            let all: Vec<&str> = lb.iter().chain(external_ips.iter()).copied().collect();
            if all.is_empty() {
                "<pending>".into()
            } else {
                all.join(",")
            }
        }
        "ExternalName" => s(svc, "/spec/externalName").to_string(),
        _ => "<unknown>".into(),
    };
    let ports: Vec<String> = arr(svc, "/spec/ports")
        .iter()
        .map(|p| {
            let proto = opt(p, "/protocol").unwrap_or("TCP");
            let node_port = int(p, "/nodePort");
            if node_port > 0 {
                format!("{}:{node_port}/{proto}", int(p, "/port"))
            } else {
                format!("{}/{proto}", int(p, "/port"))
            }
        })
        .collect();
    let selector: BTreeMap<&str, &str> = svc
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                .collect()
        })
        .unwrap_or_default();
    let selector = selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let cells = vec![
        json!(s(svc, "/metadata/name")),
        json!(ty),
        json!(opt(svc, "/spec/clusterIP").unwrap_or("<none>")),
        json!(external),
        json!(none_if_empty(ports.join(","))),
        json!(c.since(opt(svc, "/metadata/creationTimestamp"))),
        json!(none_if_empty(selector)),
    ];
    (cells, None)
}

fn event_row(c: &Ctx<'_>, ev: &Value) -> (Vec<Value>, Option<Value>) {
    let first = match opt(ev, "/firstTimestamp") {
        Some(t) => c.since(Some(t)),
        None => c.since(opt(ev, "/eventTime")),
    };
    let mut last = match opt(ev, "/lastTimestamp") {
        Some(t) => c.since(Some(t)),
        None => first.clone(),
    };
    let mut count = int(ev, "/count");
    if ev.get("series").is_some_and(Value::is_object) {
        last = c.since(opt(ev, "/series/lastObservedTime"));
        count = int(ev, "/series/count");
    } else if count == 0 {
        count = 1;
    }
    let kind = s(ev, "/involvedObject/kind").to_ascii_lowercase();
    let target = match opt(ev, "/involvedObject/name") {
        Some(n) => format!("{kind}/{n}"),
        None => kind,
    };
    let component = opt(ev, "/source/component")
        .or_else(|| opt(ev, "/reportingComponent"))
        .unwrap_or_default();
    let instance = opt(ev, "/source/host")
        .or_else(|| opt(ev, "/reportingInstance"))
        .unwrap_or_default();
    let source = if instance.is_empty() {
        component.to_string()
    } else {
        format!("{component}, {instance}")
    };
    let cells = vec![
        json!(last),
        json!(s(ev, "/type")),
        json!(s(ev, "/reason")),
        json!(target),
        json!(s(ev, "/involvedObject/fieldPath")),
        json!(source),
        json!(s(ev, "/message").trim()),
        json!(first),
        json!(count),
        json!(s(ev, "/metadata/name")),
    ];
    (cells, None)
}

/// Evaluates the simple JSONPath of a CRD printer column (`.a.b`, `.a[0].b`, `.a[*].b`,
/// `.a[?(@.k=="v")].b`), first result only.
fn json_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let path = path
        .trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim();
    let path = path.strip_prefix('$').unwrap_or(path);
    let mut cur = vec![v];
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let (field, r2) = r.split_at(end);
            if !field.is_empty() {
                cur = cur.into_iter().filter_map(|c| c.get(field)).collect();
            }
            rest = r2;
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            // a filter may contain ']' only inside quotes; keep it simple
            let (inside, r2) = r.split_at(end);
            let r2 = &r2[1..];
            let items = cur
                .iter()
                .flat_map(|c| c.as_array().map(|a| a.iter()).into_iter().flatten());
            cur = if inside == "*" {
                items.collect()
            } else if let Ok(i) = inside.parse::<usize>() {
                cur.iter().filter_map(|c| c.get(i)).collect()
            } else if let Some(filter) = inside
                .strip_prefix("?(@.")
                .and_then(|f| f.strip_suffix(')'))
            {
                let (key, want) = filter.split_once("==")?;
                let want = want.trim().trim_matches(['"', '\'']);
                let key = key.trim();
                items
                    .filter(|item| crate::select::field_value(item, key) == want)
                    .collect()
            } else {
                return None;
            };
            rest = r2;
        } else {
            return None;
        }
        if cur.is_empty() {
            return None;
        }
    }
    cur.first().copied()
}

fn crd_cell(c: &Ctx<'_>, column: &Value, object: &Value) -> Value {
    let Some(value) = json_path(object, s(column, "/jsonPath")) else {
        return Value::Null;
    };
    match (s(column, "/type"), value) {
        (_, Value::Null) => Value::Null,
        ("integer", Value::Number(n)) => n
            .as_i64()
            .map(Value::from)
            .unwrap_or_else(|| json!(n.as_f64().map_or(0, |f| f as i64))),
        ("number", Value::Number(n)) => json!(n.as_f64()),
        ("boolean", Value::Bool(b)) => json!(b),
        ("date", Value::String(t)) => json!(c.since(Some(t))),
        ("date", _) => json!("<invalid>"),
        ("string", Value::String(x)) => json!(x),
        ("string", other) => json!(other.to_string()),
        _ => Value::Null,
    }
}

/// A Table of objects of one type. `meta` is the list metadata (lists), else the object's
/// resourceVersion is used.
pub(crate) fn table<'a>(
    index: &Index,
    t: &ResourceType,
    objects: &[&'a Value],
    include: Include,
    version: &str,
    meta: Option<Value>,
) -> Table<'a> {
    let ctx = Ctx {
        now: index.now.unwrap_or_else(jiff::Timestamp::now),
        index,
    };
    let crd = index
        .crd_columns
        .get(&(t.group.clone(), t.version.clone(), t.plural.clone()));
    let mut columns: Vec<Value>;
    let mut rows = Vec::with_capacity(objects.len());
    let object_of = |o: &'a Value| match include {
        Include::None => None,
        Include::Metadata => Some(RowObject::Partial(partial_metadata(o, version))),
        Include::Object => Some(RowObject::Full(o)),
    };
    let mut push = |cells: Vec<Value>, conditions: Option<Value>, o: &'a Value| {
        rows.push(Row {
            cells,
            conditions,
            object: object_of(o),
        });
    };
    if let Some(crd_columns) = crd {
        let mut defs: Vec<Value> = crd_columns.clone();
        if defs.is_empty() {
            defs.push(json!({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
                "description": "CreationTimestamp is a timestamp representing the server time when this object was created."}));
        }
        columns = vec![col(
            "Name",
            "string",
            0,
            "Name must be unique within a namespace.",
        )];
        columns.extend(defs.iter().map(|d| {
            json!({"name": s(d, "/name"), "type": s(d, "/type"), "format": s(d, "/format"),
                   "description": s(d, "/description"), "priority": int(d, "/priority")})
        }));
        for &o in objects {
            let mut cells = vec![json!(s(o, "/metadata/name"))];
            cells.extend(defs.iter().map(|d| crd_cell(&ctx, d, o)));
            push(cells, None, o);
        }
    } else if let Some((defs, row)) = printer(t) {
        columns = defs;
        for &o in objects {
            let (cells, conditions) = row(&ctx, o);
            push(cells, conditions, o);
        }
    } else {
        columns = vec![
            col(
                "Name",
                "string",
                0,
                "Name must be unique within a namespace.",
            ),
            json!({"name": "Created At", "type": "date", "format": "",
                   "description": "CreationTimestamp is a timestamp representing the server time when this object was created.", "priority": 0}),
        ];
        for &o in objects {
            let created = opt(o, "/metadata/creationTimestamp")
                .and_then(|t| t.parse::<jiff::Timestamp>().ok())
                .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                .unwrap_or_default();
            push(vec![json!(s(o, "/metadata/name")), json!(created)], None, o);
        }
    }
    let meta = meta.unwrap_or_else(|| {
        let rv = objects
            .first()
            .map(|o| s(o, "/metadata/resourceVersion"))
            .unwrap_or_default();
        json!({"resourceVersion": rv})
    });
    Table {
        kind: "Table",
        api_version: format!("meta.k8s.io/{version}"),
        metadata: meta,
        column_definitions: columns,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx_at(now: &str) -> Ctx<'static> {
        static INDEX: std::sync::LazyLock<Index> =
            std::sync::LazyLock::new(|| Index::new(&kbundle_format::Snapshot::new()));
        Ctx {
            now: now.parse().unwrap(),
            index: &INDEX,
        }
    }

    #[test]
    fn jobs_and_endpoints() {
        let c = ctx_at("2025-03-14T10:00:00Z");
        let job = json!({"metadata": {"name": "j", "creationTimestamp": "2025-03-14T09:00:00Z"},
            "spec": {"completions": 3, "template": {"spec": {"containers": [{"name": "a", "image": "x"}]}}},
            "status": {"succeeded": 2, "startTime": "2025-03-14T09:00:00Z",
                       "conditions": [{"type": "Failed", "status": "True"}]}});
        let (cells, _) = job_row(&c, &job);
        assert_eq!(
            cells,
            vec![
                json!("j"),
                json!("Failed"),
                json!("2/3"),
                json!("60m"),
                json!("60m"),
                json!("a"),
                json!("x"),
                json!("<none>")
            ]
        );
        let running = json!({"metadata": {"name": "r"}, "spec": {"parallelism": 2}, "status": {}});
        let (cells, _) = job_row(&c, &running);
        assert_eq!(
            cells[1..4],
            [json!("Running"), json!("0/1 of 2"), json!("")]
        );
        let ep = json!({"subsets": [{"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}], "ports": [{"port": 53}, {"port": 9153}]}]});
        assert_eq!(
            format_endpoints(&ep),
            "10.0.0.1:53,10.0.0.2:53,10.0.0.1:9153 + 1 more..."
        );
        assert_eq!(format_endpoints(&json!({})), "<none>");
        assert_eq!(
            format_endpoints(
                &json!({"subsets": [{"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 80}]}]})
            ),
            "[fd00::1]:80"
        );
    }

    #[test]
    fn ingresses_and_network_policies() {
        let c = ctx_at("2025-03-14T10:00:00Z");
        let t = kbundle_format::resources::by_kind("networking.k8s.io", "Ingress").unwrap();
        let (_, row) = printer(&t).unwrap();
        let ing = json!({"metadata": {"name": "i", "creationTimestamp": "2025-03-14T09:59:00Z"},
            "spec": {"ingressClassName": "public-iks-k8s-nginx", "tls": [{}],
                     "rules": [{"host": "a"}, {"host": "b"}, {}, {"host": "c"}, {"host": "d"}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}, {"hostname": "lb.example"}]}}});
        let (cells, _) = row(&c, &ing);
        assert_eq!(
            cells,
            vec![
                json!("i"),
                json!("public-iks-k8s-nginx"),
                json!("a,b,c + 2 more..."),
                json!("1.2.3.4,lb.example"),
                json!("80, 443"),
                json!("60s")
            ]
        );
        let (cells, _) = row(&c, &json!({"metadata": {"name": "j"}}));
        assert_eq!(
            cells[1..5],
            [json!("<none>"), json!("*"), json!(""), json!("80")]
        );
        let t = kbundle_format::resources::by_kind("networking.k8s.io", "NetworkPolicy").unwrap();
        let (_, row) = printer(&t).unwrap();
        let (cells, _) = row(
            &c,
            &json!({"metadata": {"name": "n"}, "spec": {"podSelector": {}}}),
        );
        assert_eq!(cells[1], "<none>");
    }

    #[test]
    fn volumes() {
        let c = ctx_at("2025-03-14T10:00:00Z");
        let t = kbundle_format::resources::by_kind("", "PersistentVolumeClaim").unwrap();
        let (_, row) = printer(&t).unwrap();
        let pvc = json!({"metadata": {"name": "data", "creationTimestamp": "2025-03-14T09:00:00Z"},
            "spec": {"volumeName": "pv-1", "storageClassName": "ibmc-vpc-block-10iops-tier"},
            "status": {"phase": "Bound", "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce"]}});
        let (cells, _) = row(&c, &pvc);
        assert_eq!(
            cells,
            vec![
                json!("data"),
                json!("Bound"),
                json!("pv-1"),
                json!("10Gi"),
                json!("RWO,RWX"),
                json!("ibmc-vpc-block-10iops-tier"),
                json!("<unset>"),
                json!("60m"),
                json!("<unset>")
            ]
        );
        let t = kbundle_format::resources::by_kind("", "PersistentVolume").unwrap();
        let (_, row) = printer(&t).unwrap();
        let pv = json!({"metadata": {"name": "pv-1"}, "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Delete", "claimRef": {"namespace": "app", "name": "data"}}, "status": {"phase": "Bound"}});
        let (cells, _) = row(&c, &pv);
        assert_eq!(
            cells[1..7],
            [
                json!("10Gi"),
                json!("RWO"),
                json!("Delete"),
                json!("Bound"),
                json!("app/data"),
                json!("")
            ]
        );
    }

    #[test]
    fn durations() {
        assert_eq!(human_duration(-5), "<invalid>");
        assert_eq!(human_duration(-1), "0s");
        assert_eq!(human_duration(45), "45s");
        assert_eq!(human_duration(119), "119s");
        assert_eq!(human_duration(200), "3m20s");
        assert_eq!(human_duration(300), "5m");
        assert_eq!(human_duration(3600), "60m");
        assert_eq!(human_duration(3 * 3600 + 60), "3h1m");
        assert_eq!(human_duration(10 * 3600), "10h");
        assert_eq!(human_duration(51 * 3600), "2d3h");
        assert_eq!(human_duration(400 * 86400), "400d");
        assert_eq!(human_duration((3 * 365 + 12) * 86400), "3y12d");
        assert_eq!(human_duration(10 * 365 * 86400), "10y");
    }

    #[test]
    fn selectors() {
        let sel = json!({"matchLabels": {"b": "2", "a": "1"}, "matchExpressions": [{"key": "c", "operator": "In", "values": ["y", "x"]}]});
        assert_eq!(format_label_selector(Some(&sel)), "a=1,b=2,c in (x,y)");
        assert_eq!(format_label_selector(None), "<none>");
        assert_eq!(format_label_selector(Some(&json!({}))), "<none>");
        let sel = json!({"matchExpressions": [{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "DoesNotExist"}]});
        assert_eq!(format_label_selector(Some(&sel)), "a,!b");
    }

    #[test]
    fn json_paths() {
        let v = json!({"status": {"conditions": [{"type": "A", "status": "False"}, {"type": "Ready", "status": "True"}], "n": 3}});
        assert_eq!(json_path(&v, ".status.n"), Some(&json!(3)));
        assert_eq!(
            json_path(&v, ".status.conditions[1].type"),
            Some(&json!("Ready"))
        );
        assert_eq!(
            json_path(&v, ".status.conditions[?(@.type==\"Ready\")].status"),
            Some(&json!("True"))
        );
        assert_eq!(
            json_path(&v, ".status.conditions[*].type"),
            Some(&json!("A"))
        );
        assert_eq!(json_path(&v, ".status.missing"), None);
        assert_eq!(json_path(&v, ".status.conditions[9]"), None);
        assert_eq!(json_path(&v, "garbage"), None);
        assert_eq!(json_path(&v, ".status.conditions[?(@.x)]"), None);
        assert!(json_path(&v, ".status[").is_none());
    }
}
