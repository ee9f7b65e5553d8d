//! `kbundle analyze PATH...`: run the analyzer's rules over one snapshot and print the report.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use kbundle_analyzer::markdown::{GITHUB_COMMENT_MAX, MIN_MAX_CHARS};
use kbundle_analyzer::{Options, Severity, WorkloadRef, try_analyze};
use kbundle_format::{ReadOptions, Snapshot};

use crate::limits::LimitArgs;

/// Arguments of `kbundle analyze`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Bundles, archives (zip, tar, tar.gz, tar.xz, tar.zst), folders or files; several are read as one snapshot.
    /// `-` reads one archive or text from stdin.
    #[arg(
        required_unless_present = "batch",
        conflicts_with = "batch",
        value_name = "PATH"
    )]
    pub(crate) paths: Vec<PathBuf>,
    /// Analyze every bundle, archive or folder in DIR separately, in parallel: one report per
    /// input in --out, a summary table, throughput. An unreadable input is a row with its
    /// error, never the end of the batch.
    #[arg(long, value_name = "DIR")]
    pub(crate) batch: Option<PathBuf>,
    /// With --batch: where the reports and `summary.md` go (default: `<DIR>.reports` beside
    /// DIR).
    #[arg(long, value_name = "DIR", requires = "batch")]
    pub(crate) out: Option<PathBuf>,
    /// With --batch: inputs analyzed at once (default: the number of cores).
    #[arg(long, value_name = "N", requires = "batch")]
    pub(crate) jobs: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// How far back from the reference time events, restarts, log lines and changes count
    /// (above zero).
    /// Durations: 90 (seconds), 30s, 5m, 1h30m, 2d, 250ms or PT24H (docs/units.md).
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_positive_duration)]
    window: jiff::SignedDuration,
    /// The reference time (RFC 3339). Default: the bundle's collection time, else the newest
    /// timestamp in the input. The wall clock is never used.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    now: Option<jiff::Timestamp>,
    /// Exit 1 when a finding reaches this severity.
    #[arg(long, value_name = "SEVERITY", value_enum)]
    fail_on: Option<FailOn>,
    /// The expected workload, as Kind/namespace/name. Default: the manifest's
    /// request.workload, else the calico-kube-controllers Deployment in calico-system or
    /// kube-system.
    #[arg(long, value_name = "KIND/NAMESPACE/NAME", value_parser = parse_workload)]
    workload: Option<WorkloadRef>,
    /// Restarts at or above which a container counts as restarting often (with its last
    /// termination inside the window).
    #[arg(long, value_name = "N", default_value_t = Options::default().restart_threshold, value_parser = clap::value_parser!(i64).range(1..))]
    restart_threshold: i64,
    /// Run only these rules (ids, comma-separated or repeated; `kbundle rules` lists them).
    #[arg(long, value_name = "ID,...", value_delimiter = ',', value_parser = parse_rule_id)]
    rules: Option<Vec<String>>,
    /// Do not run these rules (ids, comma-separated or repeated).
    #[arg(long, value_name = "ID,...", value_delimiter = ',', value_parser = parse_rule_id)]
    skip: Vec<String>,
    /// A certificate (a webhook's caBundle) expiring within this duration after the reference
    /// time is reported by certificate-expired (above zero).
    /// Durations: 90 (seconds), 30s, 5m, 1h30m, 2d, 250ms or PT24H (docs/units.md).
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = parse_positive_duration)]
    cert_horizon: jiff::SignedDuration,
    /// With --format markdown: the most characters the report may have (GitHub refuses
    /// comments over 65,536). The most severe findings are kept whole, then others as table
    /// rows; a last line says what was left out.
    #[arg(long, value_name = "N", default_value_t = GITHUB_COMMENT_MAX, value_parser = parse_max_chars)]
    max_chars: usize,
    /// Organisation config (TOML; default $KBUNDLE_CONFIG, then
    /// $XDG_CONFIG_HOME/kbundle/config.toml if it exists): who next steps escalate to.
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Colour in text output: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Report formats, for `analyze` and `demo`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
    Markdown,
    Html,
}

impl Format {
    /// The file extension of the format.
    pub(crate) fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Markdown => "md",
            Format::Html => "html",
        }
    }

    /// Renders a report of `snapshot` (analyzed with `options`, which the HTML timeline uses);
    /// Markdown in at most `max_chars` characters.
    pub(crate) fn render(
        self,
        snapshot: &Snapshot,
        report: &kbundle_analyzer::Report,
        options: &Options,
        color: bool,
        max_chars: usize,
    ) -> String {
        match self {
            Format::Text => report.to_text(color),
            Format::Json => report.to_json(),
            Format::Markdown => report.to_markdown_within(max_chars),
            Format::Html => report.to_html(snapshot, options),
        }
    }
}

/// Whether "auto" colour is on: standard output is a terminal and `NO_COLOR` is unset.
pub(crate) fn auto_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum FailOn {
    Info,
    Warning,
    Critical,
}

impl FailOn {
    pub(crate) fn severity(self) -> Severity {
        match self {
            FailOn::Info => Severity::Info,
            FailOn::Warning => Severity::Warning,
            FailOn::Critical => Severity::Critical,
        }
    }
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum ColorWhen {
    Auto,
    Always,
    Never,
}

impl ColorWhen {
    /// Whether to colour text output.
    pub(crate) fn on(self) -> bool {
        match self {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            ColorWhen::Auto => auto_color(),
        }
    }
}

/// A duration flag of the analysis (`--window`, `--cert-horizon`): the one grammar
/// (`kbundle_format::units::parse_duration`), above zero.
pub(crate) fn parse_positive_duration(s: &str) -> Result<jiff::SignedDuration, String> {
    let d = kbundle_format::units::parse_duration(s).map_err(|e| e.to_string())?;
    if d.is_zero() {
        return Err(format!("duration {s:?} must be above zero"));
    }
    jiff::SignedDuration::try_from(d).map_err(|e| e.to_string())
}

pub(crate) fn parse_time(s: &str) -> Result<jiff::Timestamp, String> {
    s.parse::<jiff::Timestamp>()
        .map_err(|e| format!("{s:?} is not an RFC 3339 time (e.g. 2025-03-14T10:00:00Z): {e}"))
}

fn parse_max_chars(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= MIN_MAX_CHARS => Ok(n),
        _ => Err(format!("expected a number of at least {MIN_MAX_CHARS}")),
    }
}

pub(crate) fn parse_workload(s: &str) -> Result<WorkloadRef, kbundle_analyzer::BadWorkload> {
    s.parse()
}

impl Args {
    /// The analyzer options these flags give.
    pub(crate) fn options(&self) -> anyhow::Result<Options> {
        let config = crate::config::load(self.config.as_deref())?;
        let mut options = Options::default()
            .with_window(self.window)
            .with_now(self.now)
            .with_workload(self.workload.clone())
            .with_restart_threshold(self.restart_threshold)
            .with_cert_horizon(self.cert_horizon)
            .with_rules(self.rules.clone())
            .with_skip(self.skip.clone());
        if let Some(escalation) = config.escalation {
            options = options.with_escalation(escalation);
        }
        Ok(options)
    }

    /// The reader options these flags give.
    pub(crate) fn read_options(&self) -> ReadOptions {
        ReadOptions::default().with_limits(self.limits.limits())
    }

    /// The severity of `--fail-on`, if given.
    pub(crate) fn fail_on_severity(&self) -> Option<Severity> {
        self.fail_on.map(FailOn::severity)
    }

    /// The file extension of the chosen format.
    pub(crate) fn extension(&self) -> &'static str {
        self.format.extension()
    }

    /// Renders a report in the chosen format.
    pub(crate) fn render(
        &self,
        snapshot: &Snapshot,
        report: &kbundle_analyzer::Report,
        options: &Options,
        color: bool,
    ) -> String {
        self.format
            .render(snapshot, report, options, color, self.max_chars)
    }
}

/// Exit code when `--fail-on` is reached.
const FAILED: u8 = 1;

/// A rule id of the registry; an unknown one is a usage error listing the known ones.
fn parse_rule_id(s: &str) -> Result<String, String> {
    let id = s.trim();
    match kbundle_analyzer::rule(id) {
        Some(r) => Ok(r.id.to_string()),
        None => Err(kbundle_analyzer::UnknownRule(id.to_string()).to_string()),
    }
}

/// Runs `kbundle analyze`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(dir) = &args.batch {
        return crate::batch::run(&args, dir);
    }
    let read = args.read_options();
    let snapshot =
        crate::limits::open_inputs(&args.paths, &read, false).context("cannot read input")?;
    let options = args.options()?;
    tracing::info!(
        inputs = snapshot.inputs().len(),
        objects = snapshot.len(),
        logs = snapshot.logs().len(),
        texts = snapshot.texts().len(),
        "read"
    );
    let mut report = try_analyze(&snapshot, &options)?;
    tracing::info!(findings = report.findings.len(), "analyzed");
    // Inputs as the user named them, so that the output does not depend on the cwd.
    report.inputs = args.paths.iter().map(|p| p.display().to_string()).collect();
    let color = args.color.on();
    let out = args.render(&snapshot, &report, &options, color);
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(out.as_bytes())?;
    lock.flush()?;
    if let Some(fail_on) = args.fail_on
        && report
            .max_severity()
            .is_some_and(|s| s >= fail_on.severity())
    {
        return Ok(ExitCode::from(FAILED));
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grammar's sentence in the help of every DURATION flag of every command.
    #[test]
    fn duration_flags_say_the_grammar() {
        let sentence =
            "Durations: 90 (seconds), 30s, 5m, 1h30m, 2d, 250ms or PT24H (docs/units.md)";
        let cli = <crate::Cli as clap::CommandFactory>::command();
        let mut flags = Vec::new();
        for command in cli.get_subcommands() {
            for arg in command.get_arguments() {
                if arg
                    .get_value_names()
                    .is_some_and(|names| names.iter().any(|n| n == "DURATION"))
                {
                    let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                    assert!(
                        help.contains(sentence),
                        "{} --{}: {help}",
                        command.get_name(),
                        arg.get_id()
                    );
                    flags.push(format!("{} --{}", command.get_name(), arg.get_id()));
                }
            }
        }
        // analyze --window and --cert-horizon, diff --window, collect --since, --timeout and
        // --request-timeout, serve --header-timeout.
        assert_eq!(flags.len(), 7, "{flags:?}");
    }

    /// `--window 90` is 90 seconds, as `collect --since 90` is: one grammar.
    #[test]
    fn window_and_since_agree() {
        use clap::Parser as _;
        let window = parse_positive_duration("90").map(|d| d.as_secs());
        assert_eq!(window, Ok(90));
        let since = kbundle_format::units::parse_duration("90").map(|d| d.as_secs());
        assert_eq!(since, Ok(90));
        for args in [
            ["kbundle", "analyze", "x.zip", "--window", "90"].as_slice(),
            &["kbundle", "diff", "a.zip", "b.zip", "--window", "90"],
            &["kbundle", "collect", "--since", "90"],
            &[
                "kbundle",
                "analyze",
                "x.zip",
                "--window",
                "1.5h",
                "--cert-horizon",
                "PT720H",
            ],
        ] {
            assert!(crate::Cli::try_parse_from(args).is_ok(), "{args:?}");
        }
        for bad in ["0", "0s", "soon", "-1h"] {
            assert!(parse_positive_duration(bad).is_err(), "{bad}");
        }
    }
}
