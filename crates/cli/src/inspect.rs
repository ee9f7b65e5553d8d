//! `kbundle inspect PATH...`

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use kbundle_format::{ReadOptions, Snapshot};
use serde::Serialize;

use crate::limits::LimitArgs;
use crate::safe;

/// Arguments of `kbundle inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Bundles, archives (zip, tar, tar.gz, tar.xz, tar.zst), folders or files; several are read as one snapshot.
    /// `-` reads one archive or text from stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// The version of `inspect --format json`'s layout: adding a field keeps it, removing one or
/// changing its meaning increments it.
const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
struct Report {
    schema_version: u32,
    tool: kbundle_analyzer::report::Tool,
    inputs: Vec<InputReport>,
    objects: usize,
    kinds: BTreeMap<String, usize>,
    logs: Vec<LogReport>,
    texts: Vec<TextReport>,
    server_version: Option<String>,
    reference_time: Option<String>,
    /// Where the reference time came from (`manifest`, `must-gather-timestamp`,
    /// `observations`).
    reference_time_source: Option<&'static str>,
    duplicates: usize,
}

/// What a text file was read as.
#[derive(Debug, Serialize)]
struct TextReport {
    path: String,
    /// The reader's kind: `describe`, `table` or `other`.
    kind: kbundle_format::TextKind,
    /// The parts recognised in it, with line ranges; empty: unrecognised.
    parts: Vec<kbundle_analyzer::reading::TextPart>,
}

/// The largest text read to say what it holds.
const MAX_TEXT: u64 = 16 * 1024 * 1024;

#[derive(Debug, Serialize)]
struct InputReport {
    path: String,
    container: &'static str,
    layout: &'static str,
    root: String,
    entries: usize,
    manifest: Option<ManifestSummary>,
    skipped: Vec<kbundle_format::Skipped>,
    ignored: Vec<kbundle_format::Skipped>,
}

#[derive(Debug, Serialize)]
struct ManifestSummary {
    format: String,
    tool_version: String,
    collected_at: String,
    entries: usize,
    truncated: usize,
    errors: Vec<kbundle_format::manifest::CollectError>,
    redactions: u64,
}

#[derive(Debug, Serialize)]
struct LogReport {
    namespace: String,
    pod: String,
    container: Option<String>,
    previous: bool,
    size: u64,
    truncated: bool,
    path: String,
}

fn report(snapshot: &Snapshot) -> Report {
    let mut kinds = BTreeMap::new();
    for o in snapshot.objects() {
        *kinds
            .entry(format!("{} ({})", o.kind(), o.api_version()))
            .or_insert(0) += 1;
    }
    Report {
        schema_version: SCHEMA_VERSION,
        tool: kbundle_analyzer::report::tool(),
        inputs: snapshot
            .inputs()
            .iter()
            .map(|i| InputReport {
                path: i.path().display().to_string(),
                container: i.kind().name(),
                layout: i.layout.name(),
                root: i.root.clone(),
                entries: i.archive.entries().len(),
                manifest: i.manifest.as_ref().map(|m| ManifestSummary {
                    format: m.format.clone(),
                    tool_version: m.tool.version.clone(),
                    collected_at: m.collected_at.clone(),
                    entries: m.entries.len(),
                    truncated: m.entries.iter().filter(|e| e.truncated.is_some()).count(),
                    errors: m.errors.clone(),
                    redactions: m.redactions.iter().map(|r| r.count).sum(),
                }),
                skipped: i.archive.skipped().to_vec(),
                ignored: i.ignored.clone(),
            })
            .collect(),
        objects: snapshot.len(),
        kinds,
        logs: snapshot
            .logs()
            .iter()
            .map(|l| LogReport {
                namespace: l.namespace.clone(),
                pod: l.pod.clone(),
                container: l.container.clone(),
                previous: l.previous,
                size: l.size,
                truncated: l.truncated,
                path: l.origin.path.clone(),
            })
            .collect(),
        texts: snapshot
            .texts()
            .iter()
            .map(|t| TextReport {
                path: t.origin.path.clone(),
                kind: t.kind,
                parts: snapshot
                    .read_bytes(&t.origin, MAX_TEXT)
                    .map(|b| kbundle_analyzer::reading::text_parts(&String::from_utf8_lossy(&b)))
                    .unwrap_or_default(),
            })
            .collect(),
        server_version: snapshot
            .server_version()
            .and_then(|v| v.get("gitVersion"))
            .and_then(|v| v.as_str())
            .map(String::from),
        reference_time: snapshot.reference_time().map(|t| t.to_string()),
        reference_time_source: snapshot.reference().map(|(_, source)| source.name()),
        duplicates: snapshot.duplicates(),
    }
}

/// Every string of the report comes from the input: each is printed through [`safe`].
fn print_text(r: &Report, out: &mut impl Write) -> std::io::Result<()> {
    for i in &r.inputs {
        writeln!(out, "input:      {}", safe(&i.path))?;
        writeln!(
            out,
            "format:     {} ({}{})",
            i.layout,
            i.container,
            if i.root.is_empty() {
                String::new()
            } else {
                format!(", root {}", safe(&i.root))
            }
        )?;
        writeln!(out, "entries:    {}", i.entries)?;
        if let Some(m) = &i.manifest {
            writeln!(
                out,
                "manifest:   {} by kbundle {}, collected at {}",
                safe(&m.format),
                safe(&m.tool_version),
                safe(&m.collected_at)
            )?;
            writeln!(
                out,
                "            {} entries, {} truncated, {} errors, {} values redacted",
                m.entries,
                m.truncated,
                m.errors.len(),
                m.redactions
            )?;
            for e in &m.errors {
                writeln!(
                    out,
                    "            error: {}: {}",
                    safe(&e.what),
                    safe(&e.message)
                )?;
            }
        }
        for s in &i.skipped {
            writeln!(out, "skipped:    {}: {}", safe(&s.name), safe(&s.reason))?;
        }
        for s in &i.ignored {
            writeln!(out, "ignored:    {}: {}", safe(&s.name), safe(&s.reason))?;
        }
    }
    if let Some(v) = &r.server_version {
        writeln!(out, "server:     {}", safe(v))?;
    }
    if let Some(t) = &r.reference_time {
        writeln!(
            out,
            "reference:  {t} (from {})",
            r.reference_time_source.unwrap_or("unknown")
        )?;
    }
    writeln!(out, "objects:    {}", r.objects)?;
    for (kind, n) in &r.kinds {
        writeln!(out, "  {n:>6}  {}", safe(kind))?;
    }
    if r.duplicates > 0 {
        writeln!(out, "duplicates: {} (first reading kept)", r.duplicates)?;
    }
    writeln!(out, "logs:       {}", r.logs.len())?;
    for l in &r.logs {
        writeln!(
            out,
            "  {}/{} {}{} {} bytes{} in {}",
            if l.namespace.is_empty() {
                "?".into()
            } else {
                safe(&l.namespace)
            },
            safe(&l.pod),
            safe(l.container.as_deref().unwrap_or("?")),
            if l.previous { " (previous)" } else { "" },
            l.size,
            if l.truncated { ", truncated" } else { "" },
            safe(&l.path)
        )?;
    }
    writeln!(out, "texts:      {}", r.texts.len())?;
    for t in &r.texts {
        writeln!(out, "  {}", safe(&t.path))?;
        if t.parts.is_empty() {
            writeln!(out, "    unrecognised")?;
        }
        for p in &t.parts {
            let lines = if p.first_line == p.last_line {
                format!("line {}", p.first_line)
            } else {
                format!("lines {}-{}", p.first_line, p.last_line)
            };
            match &p.name {
                Some(name) => writeln!(out, "    {lines}: {} {}", p.what, safe(name))?,
                None => writeln!(out, "    {lines}: {}", p.what)?,
            }
        }
    }
    Ok(())
}

/// Runs `kbundle inspect`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = ReadOptions::default().with_limits(args.limits.limits());
    let snapshot =
        crate::limits::open_inputs(&args.paths, &options, true).context("cannot read input")?;
    let report = report(&snapshot);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        Format::Text => print_text(&report, &mut out)?,
    }
    Ok(ExitCode::SUCCESS)
}
