//! Renderers, one per kind.

pub(crate) mod apps;
pub(crate) mod common;
pub(crate) mod daemonset;
pub(crate) mod job;
pub(crate) mod legacy_volumes;
pub(crate) mod node;
pub(crate) mod pod;
pub(crate) mod pvc;
pub(crate) mod service;
pub(crate) mod statefulset;
