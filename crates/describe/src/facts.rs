//! What [`crate::parse`] reads back from describe text.
//!
//! Values are kept as kubectl printed them (quantities such as `100m`, ages
//! such as `4m58s`), except dates, which are parsed into instants, and counts
//! and flags, which are parsed into numbers and booleans. A field is `None`
//! (or empty) when the text did not show it.

use std::collections::BTreeMap;

use jiff::Timestamp;

/// One described object found in the text.
///
/// An excerpt pasted without its `Name:` header (a container's state, a
/// conditions or events table) is returned as a pod or node with an empty
/// name.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Described {
    /// A `kubectl describe pod` block.
    Pod(PodFacts),
    /// A `kubectl describe node` block.
    Node(NodeFacts),
    /// A `kubectl describe deployment` block.
    Deployment(WorkloadFacts),
    /// A `kubectl describe replicaset` block.
    ReplicaSet(WorkloadFacts),
    /// A `kubectl describe daemonset` block.
    DaemonSet(DaemonSetFacts),
    /// A `kubectl describe statefulset` block.
    StatefulSet(StatefulSetFacts),
    /// A `kubectl describe service` block.
    Service(ServiceFacts),
    /// A `kubectl describe job` block.
    Job(JobFacts),
    /// A `kubectl describe persistentvolumeclaim` block.
    PersistentVolumeClaim(PersistentVolumeClaimFacts),
}

impl Described {
    /// The 1-based line of the input where the object's `Name:` line is.
    pub fn line(&self) -> usize {
        match self {
            Described::Pod(p) => p.line,
            Described::Node(n) => n.line,
            Described::Deployment(w) | Described::ReplicaSet(w) => w.line,
            Described::DaemonSet(d) => d.line,
            Described::StatefulSet(s) => s.line,
            Described::Service(s) => s.line,
            Described::Job(j) => j.line,
            Described::PersistentVolumeClaim(c) => c.line,
        }
    }

    /// The object's name.
    pub fn name(&self) -> &str {
        match self {
            Described::Pod(p) => &p.name,
            Described::Node(n) => &n.name,
            Described::Deployment(w) | Described::ReplicaSet(w) => &w.name,
            Described::DaemonSet(d) => &d.name,
            Described::StatefulSet(s) => &s.name,
            Described::Service(s) => &s.name,
            Described::Job(j) => &j.name,
            Described::PersistentVolumeClaim(c) => &c.name,
        }
    }

    /// The kind, as `kubectl describe` names it (`Pod`, `PersistentVolumeClaim`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Described::Pod(_) => "Pod",
            Described::Node(_) => "Node",
            Described::Deployment(_) => "Deployment",
            Described::ReplicaSet(_) => "ReplicaSet",
            Described::DaemonSet(_) => "DaemonSet",
            Described::StatefulSet(_) => "StatefulSet",
            Described::Service(_) => "Service",
            Described::Job(_) => "Job",
            Described::PersistentVolumeClaim(_) => "PersistentVolumeClaim",
        }
    }
}

/// Facts of a described pod.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodFacts {
    /// 1-based line of `Name:`.
    pub line: usize,
    /// `Name:`.
    pub name: String,
    /// `Namespace:`.
    pub namespace: Option<String>,
    /// `Priority:`.
    pub priority: Option<i64>,
    /// `Priority Class Name:`.
    pub priority_class_name: Option<String>,
    /// `Service Account:`.
    pub service_account: Option<String>,
    /// Node name from `Node:` (`None` for `<none>`).
    pub node: Option<String>,
    /// Host IP from `Node: name/ip`, when shown.
    pub host_ip: Option<String>,
    /// `Start Time:`.
    pub start_time: Option<Timestamp>,
    /// `Labels:`.
    pub labels: BTreeMap<String, String>,
    /// `Status:` (phase, or `Terminating (lasts ...)`).
    pub status: Option<String>,
    /// `Reason:` (pod level, e.g. `Evicted`).
    pub reason: Option<String>,
    /// `Message:` (pod level).
    pub message: Option<String>,
    /// `IP:` (`None` when empty).
    pub ip: Option<String>,
    /// `Controlled By:` (`Kind/Name`).
    pub controlled_by: Option<String>,
    /// `Init Containers:`.
    pub init_containers: Vec<ContainerFacts>,
    /// `Containers:`.
    pub containers: Vec<ContainerFacts>,
    /// `Conditions:` rows.
    pub conditions: Vec<PodConditionFacts>,
    /// `QoS Class:`.
    pub qos_class: Option<String>,
    /// `Node-Selectors:`.
    pub node_selectors: BTreeMap<String, String>,
    /// `Tolerations:` lines as printed.
    pub tolerations: Vec<String>,
    /// `Events:` rows (empty for `<none>` or when absent).
    pub events: Vec<EventFacts>,
}

/// Facts of one container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerFacts {
    /// 1-based line of the container's name.
    pub line: usize,
    /// Container name.
    pub name: String,
    /// `Container ID:`.
    pub container_id: Option<String>,
    /// `Image:`.
    pub image: Option<String>,
    /// `Image ID:`.
    pub image_id: Option<String>,
    /// `State:`.
    pub state: Option<ContainerStateFacts>,
    /// `Last State:`.
    pub last_state: Option<ContainerStateFacts>,
    /// `Ready:`.
    pub ready: Option<bool>,
    /// `Restart Count:`.
    pub restart_count: Option<i64>,
    /// `Limits:` (resource name to quantity text).
    pub limits: BTreeMap<String, String>,
    /// `Requests:` (resource name to quantity text).
    pub requests: BTreeMap<String, String>,
    /// `Liveness:` probe description.
    pub liveness: Option<String>,
    /// `Readiness:` probe description.
    pub readiness: Option<String>,
    /// `Startup:` probe description.
    pub startup: Option<String>,
}

/// A container state (`State:` or `Last State:`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerStateFacts {
    /// `Running`, `Waiting` or `Terminated`.
    pub state: String,
    /// 1-based line of the `State:`/`Last State:` line.
    pub line: usize,
    /// `Reason:`.
    pub reason: Option<String>,
    /// `Message:` (first line).
    pub message: Option<String>,
    /// `Exit Code:`.
    pub exit_code: Option<i64>,
    /// `Signal:`.
    pub signal: Option<i64>,
    /// `Started:`.
    pub started: Option<Timestamp>,
    /// `Finished:`.
    pub finished: Option<Timestamp>,
}

/// A pod condition row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodConditionFacts {
    /// Condition type.
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
}

/// One row of an `Events:` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFacts {
    /// 1-based line of the row.
    pub line: usize,
    /// `Normal` or `Warning`.
    pub type_: String,
    /// Reason, e.g. `BackOff`.
    pub reason: String,
    /// Age as printed before any `(x..)`, e.g. `4m58s` or `<unknown>`.
    pub age: String,
    /// `N` of `(xN over M)`; `None` for a single occurrence.
    pub count: Option<u64>,
    /// `M` of `(xN over M)`: the age of the first occurrence.
    pub over: Option<String>,
    /// Source component, e.g. `kubelet` or `kubelet, node1`.
    pub from: String,
    /// Message (first line).
    pub message: String,
}

/// Facts of a described node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeFacts {
    /// 1-based line of `Name:`.
    pub line: usize,
    /// `Name:`.
    pub name: String,
    /// `Roles:` (empty for `<none>`).
    pub roles: Vec<String>,
    /// `Labels:`.
    pub labels: BTreeMap<String, String>,
    /// `CreationTimestamp:`.
    pub creation_timestamp: Option<Timestamp>,
    /// `Taints:`.
    pub taints: Vec<TaintFacts>,
    /// `Unschedulable:`.
    pub unschedulable: Option<bool>,
    /// `Conditions:` rows.
    pub conditions: Vec<NodeConditionFacts>,
    /// `Addresses:` (type to address).
    pub addresses: BTreeMap<String, String>,
    /// `Capacity:`.
    pub capacity: BTreeMap<String, String>,
    /// `Allocatable:`.
    pub allocatable: BTreeMap<String, String>,
    /// `Kubelet Version:` under `System Info:`.
    pub kubelet_version: Option<String>,
    /// `Container Runtime Version:` under `System Info:`.
    pub container_runtime_version: Option<String>,
    /// `Non-terminated Pods:` rows.
    pub pods: Vec<NodePodFacts>,
    /// `Allocated resources:` rows.
    pub allocated: Vec<AllocatedFacts>,
    /// `Events:` rows.
    pub events: Vec<EventFacts>,
}

/// A node taint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaintFacts {
    /// Taint key.
    pub key: String,
    /// Taint value, if any.
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute` (empty if none).
    pub effect: String,
}

/// A node condition row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeConditionFacts {
    /// 1-based line of the row.
    pub line: usize,
    /// Condition type, e.g. `MemoryPressure`.
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// `LastHeartbeatTime`.
    pub last_heartbeat: Option<Timestamp>,
    /// `LastTransitionTime`.
    pub last_transition: Option<Timestamp>,
    /// Reason.
    pub reason: String,
    /// Message.
    pub message: String,
}

/// A quantity with the percentage of allocatable kubectl shows next to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceCell {
    /// Quantity text, e.g. `500m`.
    pub quantity: String,
    /// The `(25%)` part.
    pub percent: Option<i64>,
}

/// A `Non-terminated Pods:` row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodePodFacts {
    /// 1-based line of the row.
    pub line: usize,
    /// Pod namespace.
    pub namespace: String,
    /// Pod name.
    pub name: String,
    /// CPU requests.
    pub cpu_requests: ResourceCell,
    /// CPU limits.
    pub cpu_limits: ResourceCell,
    /// Memory requests.
    pub memory_requests: ResourceCell,
    /// Memory limits.
    pub memory_limits: ResourceCell,
    /// Age, when shown.
    pub age: Option<String>,
}

/// An `Allocated resources:` row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllocatedFacts {
    /// Resource name.
    pub resource: String,
    /// Total requests.
    pub requests: ResourceCell,
    /// Total limits.
    pub limits: ResourceCell,
}

/// Facts of a described Deployment or ReplicaSet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkloadFacts {
    /// 1-based line of `Name:`.
    pub line: usize,
    /// `Name:`.
    pub name: String,
    /// `Namespace:`.
    pub namespace: Option<String>,
    /// `Selector:`.
    pub selector: Option<String>,
    /// `Controlled By:` (ReplicaSets).
    pub controlled_by: Option<String>,
    /// `Replicas:` counts.
    pub replicas: ReplicaFacts,
    /// `Pods Status:` counts (ReplicaSets).
    pub pods_status: Option<PodsStatusFacts>,
    /// `Conditions:` rows.
    pub conditions: Vec<WorkloadConditionFacts>,
    /// `NewReplicaSet:` (Deployments), without the `(n/m replicas created)` part.
    pub new_replicaset: Option<String>,
    /// `OldReplicaSets:` names (Deployments).
    pub old_replicasets: Vec<String>,
    /// `Events:` rows.
    pub events: Vec<EventFacts>,
}

/// `Replicas:` as printed for Deployments (`desired | updated | total |
/// available | unavailable`) or ReplicaSets (`current / desired`, where
/// current is reported as `total`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplicaFacts {
    /// Desired replicas.
    pub desired: Option<i64>,
    /// Updated replicas (Deployments).
    pub updated: Option<i64>,
    /// Total (Deployments) or current (ReplicaSets) replicas.
    pub total: Option<i64>,
    /// Available replicas (Deployments).
    pub available: Option<i64>,
    /// Unavailable replicas (Deployments).
    pub unavailable: Option<i64>,
}

/// `Pods Status: N Running / N Waiting / N Succeeded / N Failed`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodsStatusFacts {
    /// Running pods.
    pub running: i64,
    /// Pending pods.
    pub waiting: i64,
    /// Succeeded pods.
    pub succeeded: i64,
    /// Failed pods.
    pub failed: i64,
}

/// A Deployment/ReplicaSet condition row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkloadConditionFacts {
    /// Condition type.
    pub type_: String,
    /// Condition status.
    pub status: String,
    /// Reason.
    pub reason: String,
}

/// Facts of a described DaemonSet. kubectl prints no `Namespace:` for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DaemonSetFacts {
    /// 1-based line of `Name:`.
    pub line: usize,
    /// `Name:`.
    pub name: String,
    /// `Selector:` (`None` when empty).
    pub selector: Option<String>,
    /// `Node-Selector:` (`None` for `<none>`).
    pub node_selector: Option<String>,
    /// `Desired Number of Nodes Scheduled:`.
    pub desired_scheduled: Option<i64>,
    /// `Current Number of Nodes Scheduled:`.
    pub current_scheduled: Option<i64>,
    /// `Number of Nodes Scheduled with Up-to-date Pods:`.
    pub updated_scheduled: Option<i64>,
    /// `Number of Nodes Scheduled with Available Pods:`.
    pub available: Option<i64>,
    /// `Number of Nodes Misscheduled:`.
    pub misscheduled: Option<i64>,
    /// `Pods Status:` counts.
    pub pods_status: Option<PodsStatusFacts>,
    /// `Events:` rows.
    pub events: Vec<EventFacts>,
}

/// Facts of a described StatefulSet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatefulSetFacts {
    /// 1-based line of `Name:`.
    pub line: usize,
    /// `Name:`.
    pub name: String,
    /// `Namespace:`.
    pub namespace: Option<String>,
    /// `CreationTimestamp:`.
    pub creation_timestamp: Option<Timestamp>,
    /// `Selector:` (`None` when empty).
    pub selector: Option<String>,
    /// `Replicas: N desired | M total`: N.
    pub desired: Option<i64>,
    /// `Replicas: N desired | M total`: M.
    pub total: Option<i64>,
    /// `Update Strategy:`.
    pub update_strategy: Option<String>,
    /// `Partition:` under `Update Strategy:`.
    pub partition: Option<i64>,
    /// `Pods Status:` counts.
    pub pods_status: Option<PodsStatusFacts>,
    /// The names under `Volume Claims:`.
    pub volume_claims: Vec<String>,
    /// `Events:` rows.
    pub events: Vec<EventFacts>,
}

/// Facts of a described Service.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceFacts {
    /// 1-based line of `Name:`.
    pub line: usize,
    /// `Name:`.
    pub name: String,
    /// `Namespace:`.
    pub namespace: Option<String>,
    /// `Selector:` (`None` for `<none>`: a service without a selector).
    pub selector: Option<String>,
    /// `Type:` (`ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`).
    pub type_: Option<String>,
    /// `IP:` (`None` when empty; a headless service shows `IP: None`, kept as
    /// `Some("None")`).
    pub cluster_ip: Option<String>,
    /// `External IPs:`.
    pub external_ips: Vec<String>,
    /// `External Name:`.
    pub external_name: Option<String>,
    /// `LoadBalancer Ingress:` (IP or hostname, as printed).
    pub load_balancer_ingress: Vec<String>,
    /// One entry per `Port:` line.
    pub ports: Vec<ServicePortFacts>,
    /// `Session Affinity:`.
    pub session_affinity: Option<String>,
    /// `External Traffic Policy:`.
    pub external_traffic_policy: Option<String>,
    /// `Events:` rows.
    pub events: Vec<EventFacts>,
}

/// A service port with its target and ready endpoints.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServicePortFacts {
    /// 1-based line of `Port:`.
    pub line: usize,
    /// Port name (`None` for `<unset>`).
    pub name: Option<String>,
    /// Port number.
    pub port: Option<i64>,
    /// Protocol, e.g. `TCP`.
    pub protocol: String,
    /// `TargetPort:` without the protocol (a number or a named port).
    pub target_port: Option<String>,
    /// `NodePort:` number.
    pub node_port: Option<i64>,
    /// `Endpoints:`: the ready endpoints kubectl listed (`host:port`, or the address of
    /// a headless service without ports). Empty for `<none>` and for an empty line.
    pub endpoints: Vec<String>,
    /// `N` of a trailing `+ N more...`.
    pub more_endpoints: u64,
}

/// Facts of a described Job. kubectl 1.32 prints no conditions for a Job: a failure shows
/// in `Pods Statuses:` and in the events (`BackoffLimitExceeded`, `DeadlineExceeded`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobFacts {
    /// 1-based line of `Name:`.
    pub line: usize,
    /// `Name:`.
    pub name: String,
    /// `Namespace:`.
    pub namespace: Option<String>,
    /// `Selector:` (`None` when empty).
    pub selector: Option<String>,
    /// `Controlled By:` (`CronJob/name` for a scheduled job).
    pub controlled_by: Option<String>,
    /// `Parallelism:`.
    pub parallelism: Option<i64>,
    /// `Completions:` (`None` for `<unset>`).
    pub completions: Option<i64>,
    /// `Completion Mode:`.
    pub completion_mode: Option<String>,
    /// `Suspend:`.
    pub suspend: Option<bool>,
    /// `Backoff Limit:`.
    pub backoff_limit: Option<i64>,
    /// `Start Time:`.
    pub start_time: Option<Timestamp>,
    /// `Completed At:`.
    pub completed_at: Option<Timestamp>,
    /// `Duration:` as printed.
    pub duration: Option<String>,
    /// `Active Deadline Seconds:`.
    pub active_deadline_seconds: Option<i64>,
    /// `Pods Statuses:` counts.
    pub pods: Option<JobPodsFacts>,
    /// `Completed Indexes:` as printed (Indexed jobs).
    pub completed_indexes: Option<String>,
    /// `Events:` rows.
    pub events: Vec<EventFacts>,
}

/// `Pods Statuses: N Active (R Ready) / S Succeeded / F Failed`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobPodsFacts {
    /// Active pods.
    pub active: i64,
    /// Ready pods among the active ones, when shown.
    pub ready: Option<i64>,
    /// Succeeded pods.
    pub succeeded: i64,
    /// Failed pods.
    pub failed: i64,
}

/// Facts of a described PersistentVolumeClaim.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersistentVolumeClaimFacts {
    /// 1-based line of `Name:`.
    pub line: usize,
    /// `Name:`.
    pub name: String,
    /// `Namespace:`.
    pub namespace: Option<String>,
    /// `StorageClass:` (`None` when empty: no class requested).
    pub storage_class: Option<String>,
    /// `Status:` (`Pending`, `Bound`, `Lost`, or `Terminating (lasts ...)`).
    pub status: Option<String>,
    /// `Volume:` (`None` when empty: not bound).
    pub volume: Option<String>,
    /// `Capacity:` (`None` when empty: kubectl shows it only once bound).
    pub capacity: Option<String>,
    /// `Access Modes:` (`RWO`, `ROX`, `RWX`, `RWOP`; empty until bound).
    pub access_modes: Vec<String>,
    /// `VolumeMode:`.
    pub volume_mode: Option<String>,
    /// `Used By:` pod names.
    pub used_by: Vec<String>,
    /// `Conditions:` rows.
    pub conditions: Vec<WorkloadConditionFacts>,
    /// `Events:` rows.
    pub events: Vec<EventFacts>,
}
