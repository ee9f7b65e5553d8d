//! Redaction: the rules live in the pure crate `kbundle-redact` (shared with `kbundle redact`);
//! re-exported here so the collector's callers keep one import path.

pub use kbundle_redact::*;
