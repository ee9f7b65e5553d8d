//! # kbundle-format
//!
//! The ground every other kbundle crate stands on:
//!
//! - [`Archive`]: a safe, bounded, read-only view of a directory, zip, tar, tar.gz, tar.xz,
//!   tar.zst, gzip, xz, zstd or text file. Nothing is extracted to disk; hostile names, links,
//!   bombs and oversized entries are refused with a reason ([`Limits`]).
//! - [`Snapshot`]: every Kubernetes object of one or more inputs, by apiVersion, kind,
//!   namespace and name, with logs and text files read lazily.
//! - [`BundleWriter`] and [`Manifest`]: the deterministic, atomic writer of the `kbundle/1`
//!   format (see `docs/bundle-format.md`).
//! - The helpers every kbundle crate shares, each written once: [`units`] (durations and
//!   sizes as people type them), [`json`] (typed reads of an object by pointer), [`par`]
//!   (an ordered parallel map).
//!
//! ```
//! use kbundle_format::{BundleWriter, Manifest, Snapshot, Archive, Limits};
//!
//! // Write a tiny bundle in memory...
//! let mut writer = BundleWriter::new(std::io::Cursor::new(Vec::new()));
//! writer.add("cluster/nodes.json", br#"{"apiVersion":"v1","kind":"NodeList","items":[{"metadata":{"name":"10.0.0.1"}}]}"#)?;
//! let zip = writer.finish_into(Manifest::new("0.1.0", "2025-03-14T09:30:00Z"))?.into_inner();
//!
//! // ...and read it back.
//! let mut snapshot = Snapshot::new();
//! snapshot.add_archive(Archive::from_bytes("bundle.zip", zip, Limits::default())?)?;
//! assert_eq!(snapshot.of_kind("", "Node").count(), 1);
//! assert_eq!(snapshot.reference_time().map(|t| t.to_string()).as_deref(), Some("2025-03-14T09:30:00Z"));
//! # Ok::<(), kbundle_format::Error>(())
//! ```
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod archive;
pub mod command;
pub mod entry_path;
mod error;
mod import;
pub mod json;
mod limits;
pub mod manifest;
pub mod neutral;
pub mod par;
pub mod resources;
pub mod selector;
mod snapshot;
pub mod units;
mod writer;

pub use archive::{Archive, ArchiveKind, EntryInfo, Skipped};
pub use error::{Error, Result};
pub use limits::Limits;
pub use manifest::Manifest;
pub use snapshot::{
    EntryRef, Input, Layout, LogRef, Object, ObjectKey, ReadOptions, ReferenceTimeSource, Snapshot,
    TextKind, TextRef,
};
pub use writer::{BundleWriter, MANIFEST_PATH, PreparedEntry, hex};
