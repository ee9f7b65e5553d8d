//! `kbundle redact INPUT... -o OUT.zip`: any supported input, redacted into a kbundle. And the
//! redaction flags `collect` shares (`--tokenize`, `--redaction-map`).
//!
//! Exit codes: 0 written, 3 written but something could not be (the manifest's errors), 1 the
//! input could not be read or the bundle not written, 2 usage.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use kbundle_format::units::parse_size;
use kbundle_format::{BundleWriter, ReadOptions, Snapshot};
use kbundle_redact::{RedactionMap, Redactor, bundle};

use crate::limits::LimitArgs;
use crate::safe;

/// Exit code: bundle written, something missing.
const PARTIAL: u8 = 3;

pub(crate) fn parse_regex(s: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(s).map_err(|e| e.to_string())
}

/// Redaction flags shared by `collect` and `redact`.
#[derive(Debug, Clone, clap::Args)]
pub struct RedactArgs {
    /// Also redact every match of REGEX, in objects, logs and texts. Repeatable.
    #[arg(long, value_name = "REGEX", value_parser = parse_regex)]
    pub redact: Vec<regex::Regex>,
    /// Replace each value with a short token, `[REDACTED:3f9a1c2b]` (a keyed hash with a random
    /// key of this run): the same value gets the same token everywhere in the bundle.
    #[arg(long)]
    pub tokenize: bool,
    /// Write which rule made each token and where it was used to FILE (JSON, mode 0600, a new
    /// file; never inside the bundle). Needs --tokenize.
    #[arg(long, value_name = "FILE", requires = "tokenize")]
    pub redaction_map: Option<PathBuf>,
    /// Also write each token's original value into the redaction map. Keep that file as
    /// secret as the values themselves.
    #[arg(long, requires = "redaction_map")]
    pub redaction_map_values: bool,
}

impl RedactArgs {
    /// A fresh random key when tokens are asked for.
    pub fn key(&self) -> anyhow::Result<Option<[u8; 32]>> {
        if !self.tokenize {
            return Ok(None);
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no random key: {e}"))?;
        Ok(Some(key))
    }

    /// Refuses a map path that is the output or exists already, before any work.
    pub fn check(&self, out: &Path) -> Result<(), String> {
        if let Some(map) = &self.redaction_map {
            if map == out {
                return Err("--redaction-map must not be the bundle itself".into());
            }
            if std::fs::symlink_metadata(map).is_ok() {
                return Err(format!(
                    "--redaction-map {}: the file exists; give a new file",
                    map.display()
                ));
            }
        }
        Ok(())
    }

    /// Writes the map, if asked.
    pub fn write_map(&self, map: &RedactionMap) -> anyhow::Result<()> {
        if let Some(path) = &self.redaction_map {
            map.write(path, self.redaction_map_values)
                .with_context(|| format!("cannot write the redaction map {}", path.display()))?;
        }
        Ok(())
    }
}

/// Arguments of `kbundle redact`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Inputs: a kbundle, a troubleshoot.sh bundle, a must-gather, a cluster-info dump, a zip,
    /// tar or tar.gz, or a folder of kubectl output.
    #[arg(required = true, value_name = "INPUT")]
    paths: Vec<PathBuf>,
    /// The redacted bundle to write (written as FILE.partial and renamed when complete).
    #[arg(short, long, value_name = "FILE.zip")]
    output: PathBuf,
    #[command(flatten)]
    redaction: RedactArgs,
    /// Newest bytes kept of each log.
    #[arg(long, value_name = "SIZE", default_value = "64MiB", value_parser = parse_size)]
    max_log_bytes: u64,
    /// No summary.
    #[arg(short, long)]
    quiet: bool,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Runs `kbundle redact`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.output.is_dir() {
        eprintln!(
            "kbundle: -o {}: is a directory; give a file name",
            args.output.display()
        );
        return Ok(ExitCode::from(crate::exit::USAGE));
    }
    if let Err(e) = args.redaction.check(&args.output) {
        eprintln!("kbundle: {e}");
        return Ok(ExitCode::from(crate::exit::USAGE));
    }
    let read = ReadOptions::default().with_limits(args.limits.limits());
    let snapshot = Snapshot::open_many(&args.paths, &read).context("cannot read input")?;
    let mut redactor = Redactor::new(args.redaction.redact.clone());
    if let Some(key) = args.redaction.key()? {
        redactor = redactor.tokenized(key);
    }
    let options = bundle::Options::default()
        .with_tool_version(env!("CARGO_PKG_VERSION"))
        .with_max_log_bytes(args.max_log_bytes)
        .with_max_text_bytes(args.limits.max_entry_bytes);
    let mut writer = BundleWriter::create(&args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    let (manifest, summary) = bundle::write(&snapshot, &redactor, &mut writer, &options)?;
    let path = writer.finish(manifest)?;
    args.redaction.write_map(&summary.map)?;
    if !args.quiet {
        println!("bundle:     {}", safe(&path.display().to_string()));
        println!(
            "written:    {} entries ({} objects, {} logs, {} texts)",
            summary.entries, summary.objects, summary.logs, summary.texts
        );
        println!("redacted:   {} values", summary.redactions);
        if args.redaction.tokenize {
            println!("tokens:     {}", summary.map.len());
        }
        if summary.errors.is_empty() {
            println!("errors:     none");
        } else {
            println!(
                "errors:     {} (listed in manifest.json)",
                summary.errors.len()
            );
            for e in summary.errors.iter().take(10) {
                println!("            {}: {}", safe(&e.what), safe(&e.message));
            }
        }
    }
    Ok(if summary.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(PARTIAL)
    })
}
