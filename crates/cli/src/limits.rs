//! Reader limits as command-line flags, shared by every subcommand that reads inputs.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use kbundle_format::{Archive, Limits, ReadOptions, Snapshot};

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
        Limits::default()
            .with_max_entries(self.max_entries)
            .with_max_entry_bytes(self.max_entry_bytes)
            .with_max_total_bytes(self.max_total_bytes)
            .with_max_ratio(self.max_ratio)
    }
}

/// Reads the inputs into one snapshot, as [`Snapshot::open_many`]; `-` is stdin (once): an
/// archive (zip, tar, tar.gz, gzip) or a text, told apart by content as for a file, read into
/// memory up to `--max-total-bytes`. An input of which nothing is recognised is an error, unless
/// `any` (`kbundle inspect`, which shows what each entry was read as).
pub fn open_inputs(
    paths: &[PathBuf],
    options: &ReadOptions,
    any: bool,
) -> anyhow::Result<Snapshot> {
    let stdin = Path::new("-");
    if paths.iter().filter(|p| p.as_path() == stdin).count() > 1 {
        anyhow::bail!("stdin (-) can be read only once");
    }
    let mut snapshot = Snapshot::new();
    for path in paths {
        let archive = if path.as_path() == stdin {
            let max = options.limits.max_total_bytes;
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(max.saturating_add(1))
                .read_to_end(&mut bytes)
                .context("cannot read stdin")?;
            if bytes.len() as u64 > max {
                anyhow::bail!("stdin is over --max-total-bytes ({max} bytes)");
            }
            Archive::from_bytes("-", bytes, options.limits)?
        } else {
            Archive::open(path, options.limits)?
        };
        if any {
            snapshot.add_archive(archive)?;
        } else {
            snapshot.add_input(archive)?;
        }
    }
    Ok(snapshot)
}
