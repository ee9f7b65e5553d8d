//! `kbundle analyze --batch DIR`: every input in DIR analyzed on its own, in parallel, with a
//! report each and a summary table.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use kbundle_analyzer::markdown::cell;
use kbundle_analyzer::{Report, Severity, try_analyze};
use kbundle_format::Snapshot;

use crate::analyze::Args;
use crate::safe;

/// One row of the summary.
struct Row {
    input: String,
    outcome: Result<Counts, String>,
}

struct Counts {
    critical: usize,
    warning: usize,
    info: usize,
    top: String,
    report: String,
}

/// The inputs of a batch folder: every file and sub-folder, sorted by name (hidden ones
/// skipped).
fn inputs(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .collect();
    paths.sort();
    Ok(paths)
}

/// A report file name for an input: its name with a format extension.
fn report_name(input: &Path, ext: &str) -> String {
    let name = input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "input".into());
    format!("{name}.{ext}")
}

fn analyze_one(args: &Args, input: &Path, out: &Path) -> Result<Counts, String> {
    let snapshot = Snapshot::open(input, &args.read_options()).map_err(|e| e.to_string())?;
    let options = args.options().map_err(|e| crate::one_line(&e))?;
    let mut report: Report = try_analyze(&snapshot, &options).map_err(|e| e.to_string())?;
    report.inputs = vec![input.display().to_string()];
    let text = args.render(&snapshot, &report, &options, false);
    let name = report_name(input, args.extension());
    std::fs::write(out.join(&name), text)
        .map_err(|e| format!("cannot write {}: {e}", out.join(&name).display()))?;
    let top = report
        .findings
        .iter()
        .min_by_key(|f| std::cmp::Reverse(f.severity))
        .map(|f| format!("{} {} {}", f.severity.as_str(), f.rule, f.subject))
        .unwrap_or_default();
    Ok(Counts {
        critical: report.summary.critical,
        warning: report.summary.warning,
        info: report.summary.info,
        top,
        report: name,
    })
}

/// Runs a batch.
pub fn run(args: &Args, dir: &Path) -> anyhow::Result<ExitCode> {
    // A bad config is one error, before any input.
    args.options()?;
    let out = match &args.out {
        Some(o) => o.clone(),
        None => {
            let mut name = dir
                .file_name()
                .map(|n| n.to_os_string())
                .unwrap_or_else(|| "batch".into());
            name.push(".reports");
            dir.parent().unwrap_or(Path::new(".")).join(name)
        }
    };
    let inputs = inputs(dir)?;
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let jobs = args.jobs.unwrap_or_else(kbundle_format::par::cores).max(1);
    let start = Instant::now();
    let rows = kbundle_format::par::map_on(&inputs, jobs, |input| {
        // A panic in one input must not end the batch: it becomes that row's error.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            analyze_one(args, input, &out)
        }))
        .unwrap_or_else(|_| Err("internal error while analyzing (a bug)".into()));
        Row {
            input: input
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            outcome,
        }
    });
    let elapsed = start.elapsed().as_secs_f64();

    let mut md = String::from(
        "| input | critical | warning | info | top finding | report |\n|---|---:|---:|---:|---|---|\n",
    );
    let mut failed = 0usize;
    let mut worst: Option<Severity> = None;
    for row in &rows {
        match &row.outcome {
            Ok(c) => {
                md.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} |\n",
                    cell(&row.input),
                    c.critical,
                    c.warning,
                    c.info,
                    if c.top.is_empty() {
                        String::new()
                    } else {
                        cell(&c.top)
                    },
                    report_link(&c.report)
                ));
                let sev = if c.critical > 0 {
                    Some(Severity::Critical)
                } else if c.warning > 0 {
                    Some(Severity::Warning)
                } else if c.info > 0 {
                    Some(Severity::Info)
                } else {
                    None
                };
                worst = worst.max(sev);
            }
            Err(e) => {
                failed += 1;
                md.push_str(&format!(
                    "| {} | | | | error: {} | |\n",
                    cell(&row.input),
                    cell(e)
                ));
            }
        }
    }
    std::fs::write(out.join("summary.md"), &md)
        .with_context(|| format!("cannot write {}", out.join("summary.md").display()))?;

    let stdout = std::io::stdout();
    let mut o = stdout.lock();
    let width = rows
        .iter()
        .map(|r| safe(&r.input).chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(o, "{:<width$}  CRIT  WARN  INFO  TOP FINDING", "INPUT")?;
    for row in &rows {
        match &row.outcome {
            Ok(c) => writeln!(
                o,
                "{:<width$}  {:>4}  {:>4}  {:>4}  {}",
                safe(&row.input),
                c.critical,
                c.warning,
                c.info,
                safe(&c.top)
            )?,
            Err(e) => writeln!(o, "{:<width$}  error: {}", safe(&row.input), safe(e))?,
        }
    }
    writeln!(o)?;
    writeln!(
        o,
        "{} inputs ({} unreadable) in {:.2} s with {} jobs: {:.1} archives/s; reports and summary.md in {}",
        rows.len(),
        failed,
        elapsed,
        jobs,
        if elapsed > 0.0 {
            rows.len() as f64 / elapsed
        } else {
            0.0
        },
        safe(&out.display().to_string())
    )?;
    o.flush()?;
    if let Some(fail_on) = args.fail_on_severity()
        && worst.is_some_and(|w| w >= fail_on)
    {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// A report's name as a link to it when the name is plain, else as a code span (a name
/// taken from an input file could hold Markdown).
fn report_link(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        format!("[{name}]({name})")
    } else {
        cell(name)
    }
}
