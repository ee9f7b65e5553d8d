//! `kbundle diff OLD NEW`: what changed between two bundles or archives.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use kbundle_analyzer::diff::{DiffOptions, diff};
use kbundle_analyzer::{Options, WorkloadRef};
use kbundle_format::{ReadOptions, Snapshot};

use crate::analyze::{ColorWhen, FailOn, Format, parse_positive_duration, parse_workload};
use crate::limits::LimitArgs;

/// Arguments of `kbundle diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The earlier bundle, archive (zip, tar, tar.gz), folder or file.
    #[arg(value_name = "OLD")]
    old: PathBuf,
    /// The later one (any supported input: a bundle against a customer's archive works).
    #[arg(value_name = "NEW")]
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Exit 1 when a new finding (in NEW's analysis, not in OLD's) reaches this severity.
    #[arg(long, value_name = "SEVERITY", value_enum)]
    fail_on_new: Option<FailOn>,
    /// How far back from each side's reference time its analysis looks (above zero).
    /// Durations: 90 (seconds), 30s, 5m, 1h30m, 2d, 250ms or PT24H (docs/units.md).
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_positive_duration)]
    window: jiff::SignedDuration,
    /// The expected workload of both analyses, as Kind/namespace/name (default as for
    /// `kbundle analyze`).
    #[arg(long, value_name = "KIND/NAMESPACE/NAME", value_parser = parse_workload)]
    workload: Option<WorkloadRef>,
    /// Colour in text output: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Exit code when `--fail-on-new` is reached.
const FAILED: u8 = 1;

fn open(path: &Path, which: &str, read: &ReadOptions) -> anyhow::Result<Snapshot> {
    let snapshot =
        Snapshot::open(path, read).with_context(|| format!("cannot read {which} input"))?;
    if snapshot.is_empty() && snapshot.logs().is_empty() && snapshot.texts().is_empty() {
        anyhow::bail!(
            "no Kubernetes objects, logs or describe output found in {} ({which})",
            path.display()
        );
    }
    Ok(snapshot)
}

/// Runs `kbundle diff`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let read = ReadOptions::default().with_limits(args.limits.limits());
    // Both inputs are read at the same time.
    let (old, new) = std::thread::scope(|s| {
        let old = s.spawn(|| open(&args.old, "OLD", &read));
        let new = open(&args.new, "NEW", &read);
        (old.join(), new)
    });
    let old = old.unwrap_or_else(|e| std::panic::resume_unwind(e))?;
    let new = new?;
    let options = DiffOptions::default().with_analysis(
        Options::default()
            .with_window(args.window)
            .with_workload(args.workload.clone()),
    );
    let mut d = diff(&old, &new, &options);
    // Inputs as the user named them, so that the output does not depend on the cwd.
    d.set_inputs(
        vec![args.old.display().to_string()],
        vec![args.new.display().to_string()],
    );
    let out = match args.format {
        Format::Text => d.to_text(args.color.on()),
        Format::Json => d.to_json(),
        Format::Markdown => d.to_markdown(),
        Format::Html => d.to_html(),
    };
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(out.as_bytes())?;
    lock.flush()?;
    if let Some(fail) = args.fail_on_new
        && d.max_new_severity().is_some_and(|s| s >= fail.severity())
    {
        return Ok(ExitCode::from(FAILED));
    }
    Ok(ExitCode::SUCCESS)
}
