//! Test helpers shared by kbundle's crates. Dev-only (`publish = false`): every crate lists it
//! under `[dev-dependencies]` and nothing else depends on it.
//!
//! - [`paths`]: the repository's fixtures, wherever the test runs from;
//! - [`process`]: a running `kbundle serve` ([`Serve`], stopped on drop), kubectl by version,
//!   waiting for a condition with a hang guard ([`wait_for`]);
//! - `InProcess` (feature `server`): a `kbundle-server` in this process and its kube client;
//! - [`hostile`]: builders of hostile archives (zip and tar bombs, traversal names, links);
//! - [`objects`]: hand-built Kubernetes objects for describe's snapshots and the kubectl oracle;
//! - [`work`]: CPU time and bytes read by the calling thread, for bounds on work.
//!
//! Nothing here judges wall-clock time: waits poll a condition and give up only after
//! [`HANG_GUARD`], which is there to end a hung test, and costs are measured as work
//! ([`work::measure`]), which a busy machine does not stretch.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod hostile;
pub mod objects;
pub mod paths;
pub mod process;
pub mod work;

#[cfg(feature = "server")]
mod in_process;

#[cfg(feature = "server")]
pub use in_process::InProcess;
pub use process::{HANG_GUARD, Serve, kubectl, kubectl_version, wait_exit, wait_for};
