//! Renderers, one per kind.

pub(crate) mod apps;
pub(crate) mod common;
pub(crate) mod legacy_volumes;
pub(crate) mod node;
pub(crate) mod pod;
