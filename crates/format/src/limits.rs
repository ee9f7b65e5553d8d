//! Bounds applied to every input: archives come from customers and are untrusted.

/// Limits applied while reading an input. Every field is a hard bound: an input that goes past
/// one is refused (whole-input limits) or the entry is skipped with a reason (per-entry limits).
///
/// The defaults suit support bundles: generous for real ones, small enough that a hostile
/// archive cannot exhaust memory, disk or time. Set them with `Limits::default()` and the
/// `with_` setters: `Limits::default().with_max_entries(1_000)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Most entries (files) an input may hold. Default 100,000.
    pub max_entries: usize,
    /// Largest uncompressed size of one entry, in bytes. Default 4 GiB.
    pub max_entry_bytes: u64,
    /// Largest uncompressed size of the whole input, in bytes. Default 16 GiB.
    pub max_total_bytes: u64,
    /// Largest entry that is parsed in memory (object files: JSON, YAML, describe text), in
    /// bytes. Logs are streamed and not bound by this. Default 128 MiB.
    pub max_parse_bytes: u64,
    /// Highest ratio of uncompressed to compressed size for one entry (zip) or for the whole
    /// stream (tar.gz). Default 200. Entries above 1 MiB that exceed it are skipped.
    pub max_ratio: u64,
    /// Deepest folder nesting of an entry path. Default 64.
    pub max_depth: usize,
}

impl Limits {
    /// These limits with [`Limits::max_entries`].
    pub fn with_max_entries(mut self, max: usize) -> Limits {
        self.max_entries = max;
        self
    }

    /// These limits with [`Limits::max_entry_bytes`].
    pub fn with_max_entry_bytes(mut self, max: u64) -> Limits {
        self.max_entry_bytes = max;
        self
    }

    /// These limits with [`Limits::max_total_bytes`].
    pub fn with_max_total_bytes(mut self, max: u64) -> Limits {
        self.max_total_bytes = max;
        self
    }

    /// These limits with [`Limits::max_parse_bytes`].
    pub fn with_max_parse_bytes(mut self, max: u64) -> Limits {
        self.max_parse_bytes = max;
        self
    }

    /// These limits with [`Limits::max_ratio`].
    pub fn with_max_ratio(mut self, max: u64) -> Limits {
        self.max_ratio = max;
        self
    }

    /// These limits with [`Limits::max_depth`].
    pub fn with_max_depth(mut self, max: usize) -> Limits {
        self.max_depth = max;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entries: 100_000,
            max_entry_bytes: 4 << 30,
            max_total_bytes: 16 << 30,
            max_parse_bytes: 128 << 20,
            max_ratio: 200,
            max_depth: 64,
        }
    }
}

/// Entries smaller than this are never refused for their compression ratio: tiny files compress
/// oddly and cannot hurt.
pub(crate) const RATIO_FLOOR_BYTES: u64 = 1 << 20;
