//! Render and parse `kubectl describe` text.
#![deny(missing_docs)]

mod facts;
mod gosort;
mod parse;
mod quantity;
mod render;
mod tabwriter;
mod timefmt;

pub use facts::{
    AllocatedFacts, ContainerFacts, ContainerStateFacts, Described, EventFacts, NodeConditionFacts,
    NodeFacts, NodePodFacts, PodConditionFacts, PodFacts, PodsStatusFacts, ReplicaFacts,
    ResourceCell, TaintFacts, WorkloadConditionFacts, WorkloadFacts,
};
pub use parse::parse;
pub use render::apps::{describe_deployment, describe_replicaset};
pub use render::node::describe_node;
pub use render::pod::describe_pod;
