//! End-to-end tests: the real `kbundle` binary, real `kubectl`, fixture clusters.
//!
//! One test binary, one module per topic (see `util.rs` for the shared helpers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod analyze;
mod batch;
mod collect;
mod demo;
mod describe;
mod diff;
mod health;
mod hostile;
mod hostile_server;
mod html;
mod inspect;
mod neutral;
mod pipeline;
mod redaction;
mod serve;
mod util;
mod ux;
mod workloads;
