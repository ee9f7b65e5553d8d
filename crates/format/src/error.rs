//! The format crate's typed errors.

use std::path::PathBuf;

/// Everything that can go wrong while reading or writing a bundle.
///
/// Each variant renders as one line that names the input and says what is wrong, so a CLI can
/// print it as-is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input path could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The input is empty.
    #[error("{path}: the input is empty")]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The input is not a format the reader knows.
    #[error("{path}: not a supported input ({reason})")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// Why it was not recognised.
        reason: String,
    },
    /// The archive is corrupt or truncated.
    #[error("{path}: corrupt or truncated {format} archive: {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// `zip`, `tar` or `tar.gz`.
        format: &'static str,
        /// What the decoder said.
        message: String,
    },
    /// A limit from [`crate::Limits`] was exceeded for the whole input.
    #[error("{path}: {what} exceeds the limit of {limit} (see --help for how to raise limits)")]
    Limit {
        /// The file.
        path: PathBuf,
        /// Which limit.
        what: String,
        /// The limit's value, formatted.
        limit: String,
    },
    /// An entry could not be read.
    #[error("{path}: entry {entry}: {message}")]
    Entry {
        /// The archive.
        path: PathBuf,
        /// The entry's (sanitized) path inside the archive.
        entry: String,
        /// What went wrong.
        message: String,
    },
    /// An entry name was refused when writing.
    #[error("invalid entry name {name:?}: {reason}")]
    InvalidName {
        /// The offending name.
        name: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// Nothing in the input was read as a Kubernetes object, log, text file or server version,
    /// and it is not a bundle of a known layout (an empty folder, a `.docx`, a binary file):
    /// [`crate::Snapshot::open`] refuses it rather than give an empty snapshot.
    #[error(
        "{path}: nothing recognised: no Kubernetes object, kubectl output, log or known bundle layout"
    )]
    Unrecognised {
        /// The input.
        path: PathBuf,
    },
    /// Writing the bundle failed.
    #[error("writing {path}: {message}")]
    Write {
        /// The output file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The format crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
