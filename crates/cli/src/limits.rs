//! Reader limits as command-line flags, shared by every subcommand that reads inputs.

use kbundle_format::Limits;

/// Limits for reading untrusted inputs (see docs/security.md).
#[derive(Debug, Clone, clap::Args)]
pub struct LimitArgs {
    /// Most entries an input may hold.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_entries, help_heading = "Input limits")]
    pub max_entries: usize,
    /// Largest uncompressed entry, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_entry_bytes, help_heading = "Input limits")]
    pub max_entry_bytes: u64,
    /// Largest uncompressed input, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_total_bytes, help_heading = "Input limits")]
    pub max_total_bytes: u64,
    /// Highest compression ratio of an entry.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_ratio, help_heading = "Input limits")]
    pub max_ratio: u64,
}

impl LimitArgs {
    /// The limits these flags give.
    pub fn limits(&self) -> Limits {
        Limits {
            max_entries: self.max_entries,
            max_entry_bytes: self.max_entry_bytes,
            max_total_bytes: self.max_total_bytes,
            max_ratio: self.max_ratio,
            ..Limits::default()
        }
    }
}
