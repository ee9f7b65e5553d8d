//! Render and parse `kubectl describe` text.
#![deny(missing_docs)]

mod quantity;
mod render;
mod tabwriter;
mod timefmt;

pub use render::apps::{describe_deployment, describe_replicaset};
pub use render::node::describe_node;
pub use render::pod::describe_pod;
