//! Render and parse `kubectl describe` text for pods, nodes, Deployments,
//! ReplicaSets, DaemonSets, StatefulSets, Services, Jobs and
//! PersistentVolumeClaims. Pure: no I/O, no clock, no environment.
//!
//! # Rendering
//!
//! [`describe_pod`], [`describe_node`], [`describe_deployment`],
//! [`describe_replicaset`], [`describe_daemonset`], [`describe_statefulset`],
//! [`describe_service`], [`describe_job`] and
//! [`describe_persistentvolumeclaim`] produce the text `kubectl describe`
//! v1.32 prints for the same objects, byte for byte: the same sections and placeholders
//! (`<none>`, `<unknown>`, `<unset>`), quantities in canonical form (`0.5` is
//! printed `500m`), ages with apimachinery's `HumanDuration` (`4m58s`,
//! `3h2m`, `44d`), and the column alignment of Go's `text/tabwriter` as
//! kubectl configures it. Conventions:
//!
//! - **Time zone**: dates are printed in UTC (`Mon, 31 Aug 2020 16:32:42
//!   +0000`); kubectl uses the local zone, so compare with `TZ=UTC kubectl`.
//! - **Clock**: ages are computed against the `now` argument.
//! - **Fetched data is an argument**: kubectl fetches more than the object.
//!   The caller passes the object's events (for a node, kubectl merges the
//!   events found by the node's UID and by its name), the node's `Lease` from
//!   `kube-node-lease` (`None` prints kubectl's line for a lease that is not
//!   found), the pods bound to the node (terminated ones are dropped here, as
//!   kubectl's field selector would), the namespace's ReplicaSets for a
//!   Deployment, the candidate pods for a ReplicaSet, DaemonSet or StatefulSet
//!   (kubectl lists them by the selector; ownership is checked here, as
//!   kubectl does), the EndpointSlices for a Service (those labelled
//!   `kubernetes.io/service-name` with its name are used) and the namespace's
//!   pods for a PersistentVolumeClaim (those using or owning it are listed
//!   under `Used By`). A Job needs nothing but its events: its pod counts come
//!   from its status.
//! - **Order of inputs does not matter**: events and a node's pods are first
//!   put in the order the API server lists them (`namespace/name`; for a
//!   node, the events naming it by UID before those naming it by name), then
//!   events are sorted by `lastTimestamp` with Go's unstable sort, as kubectl
//!   1.32 does, so ties come out in kubectl's order.
//!
//! Known differences from kubectl 1.32:
//! - a projected volume's `secret`/`configMap` source with `optional` set:
//!   kubectl prints the address of the Go pointer; we print the value;
//! - annotation values longer than 140 bytes are cut at a character boundary
//!   (kubectl cuts at the byte, possibly inside a UTF-8 sequence);
//! - quantities that do not parse are printed as written (kubectl cannot
//!   decode such objects at all); exotic exponents (`1e40`) are not
//!   supported;
//! - a Deployment's new ReplicaSet is matched on the pod template with Rust
//!   equality, where an unset list and an empty list differ (Go's semantic
//!   equality treats them alike);
//! - unset fields that Go would dereference and crash on (e.g. a
//!   Deployment's or StatefulSet's `spec.replicas`, a gRPC probe's `service`,
//!   an EndpointSlice port's `port`) take their API default, and an
//!   EndpointSlice endpoint without an address is skipped;
//! - a pod counted in a DaemonSet's or StatefulSet's `Pods Status` must be
//!   controlled by it; that it matches the selector is the caller's part;
//! - kubectl's error branches (`Pods: not authorized` on a node, `error in
//!   fetching pods` on a ReplicaSet, a lease lookup failing for another
//!   reason than "not found") are not produced.
//!
//! How this is checked: the workspace's e2e test `tests/e2e/describe.rs`
//! (run in CI) serves objects with `kbundle serve` to the real
//! `kubectl.1.32 describe` and diffs its output with ours, byte for byte:
//! every object of the nine kinds in the fixture clusters, in
//! `fixtures/describe/` (odd Services, Jobs, PVCs, StatefulSets and
//! DaemonSets), in the two troubleshoot.sh bundles in
//! `/work/shared/data/troubleshoot` and in this crate's hand-built objects
//! (`tests/common`) comes out identical.
//!
//! # Parsing
//!
//! [`parse`] reads describe text (ours or kubectl's, as pasted by people)
//! back into [`Described`] facts, with the 1-based line each object starts
//! at, so an analyzer can cite its evidence. It accepts CRLF, tabs, trailing
//! spaces, shell prompts, k9s borders, several describes in one text,
//! truncated output, and excerpts without their `Name:` header (returned
//! with an empty name). Describes of other kinds (ConfigMaps,
//! PersistentVolumes, ...) are skipped. Older kubectl layouts of the same
//! kinds are read too (`Mounted By:` for `Used By:`, `Running` for `Active`
//! in a Job's `Pods Statuses:`). Multi-line values (wrapped messages) keep
//! their first line. It never panics.
//!
//! # Example
//!
//! ```
//! use k8s_openapi::api::core::v1::Pod;
//! use kbundle_describe::{Described, describe_pod, parse};
//!
//! let mut pod = Pod::default();
//! pod.metadata.name = Some("web-0".to_string());
//! pod.metadata.namespace = Some("shop".to_string());
//! let now = jiff::Timestamp::from_second(1_700_000_000).unwrap_or_default();
//!
//! let text = describe_pod(&pod, &[], now);
//! assert!(text.starts_with("Name:         web-0\nNamespace:    shop\n"));
//! assert!(text.ends_with("Events:          <none>\n"));
//!
//! let found = parse(&text);
//! let [Described::Pod(facts)] = found.as_slice() else { panic!("one pod") };
//! assert_eq!((facts.line, facts.name.as_str()), (1, "web-0"));
//! assert_eq!(facts.qos_class.as_deref(), Some("BestEffort"));
//! ```
#![deny(missing_docs)]
#![deny(clippy::indexing_slicing)]

mod facts;
mod gosort;
mod parse;
mod quantity;
mod render;
mod tabwriter;
mod timefmt;

pub use facts::{
    AllocatedFacts, ContainerFacts, ContainerStateFacts, DaemonSetFacts, Described, EventFacts,
    JobFacts, JobPodsFacts, NodeConditionFacts, NodeFacts, NodePodFacts,
    PersistentVolumeClaimFacts, PodConditionFacts, PodFacts, PodsStatusFacts, ReplicaFacts,
    ResourceCell, ServiceFacts, ServicePortFacts, StatefulSetFacts, TaintFacts,
    WorkloadConditionFacts, WorkloadFacts,
};
pub use parse::{is_elision, parse};
pub use render::apps::{describe_deployment, describe_replicaset};
pub use render::daemonset::describe_daemonset;
pub use render::job::describe_job;
pub use render::node::describe_node;
pub use render::pod::describe_pod;
pub use render::pvc::describe_persistentvolumeclaim;
pub use render::service::describe_service;
pub use render::statefulset::describe_statefulset;
pub use timefmt::{kubectl_duration, parse_kubectl_duration};
