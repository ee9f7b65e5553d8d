//! `kbundle`: the command-line interface. Argument parsing and printing only; the work is done
//! by the library crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod analyze;
mod batch;
mod collect;
mod completions;
mod config;
mod demo;
mod diff;
mod inspect;
mod limits;
mod log;
mod malloc;
mod redact;
mod rules;
mod serve;
mod upload;

/// Collect, analyze and serve Kubernetes support bundles.
#[derive(Debug, Parser)]
#[command(name = "kbundle", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
    /// More of the tool's own diagnostics on stderr: -v info, -vv debug, -vvv trace.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,
    /// Diagnostics as text lines or JSON lines (with json, collect's progress lines are JSON
    /// events too).
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = log::LogFormat::Text, global = true)]
    log_format: log::LogFormat,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show what a bundle or archive holds: format, manifest, objects by kind, logs, skipped
    /// entries.
    Inspect(inspect::Args),
    /// Serve bundles or archives as a read-only Kubernetes API, for kubectl, k9s and kube-rs.
    Serve(serve::Args),
    /// Analyze bundles, archives or folders: run the calico-kube-controllers runbook's rules
    /// and report findings (exit 1 with --fail-on when one reaches that severity).
    Analyze(analyze::Args),
    /// What changed between two bundles or archives: objects, pods and nodes, events, and
    /// new, resolved and persisting findings (exit 1 with --fail-on-new).
    Diff(diff::Args),
    /// List the analyzer's rules, or explain one (`kbundle rules ID`).
    Rules(rules::Args),
    /// Collect a support bundle from a live cluster (default preset: calico-kube-controllers).
    Collect(collect::Args),
    /// Redact any supported input (troubleshoot.sh bundle, must-gather, folder of kubectl
    /// output, kbundle) into a kbundle, so it can be attached safely.
    Redact(redact::Args),
    /// Run the whole pipeline on a built-in example cluster: serve it, collect it, analyze the
    /// bundle, print the report. Needs no cluster.
    Demo(demo::Args),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(completions::CompletionArgs),
    /// Print the man page (roff): `kbundle man > kbundle.1`.
    Man,
}

/// Exit codes shared by every subcommand.
pub(crate) mod exit {
    /// Usage errors (clap's own code).
    pub const USAGE: u8 = 2;
}

/// How the user runs this program: `kubectl kbundle` when installed as the kubectl plugin
/// `kubectl-kbundle` (kubectl runs plugins under that file name), else `kbundle`.
pub(crate) fn invoked_as() -> &'static str {
    static NAME: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();
    NAME.get_or_init(|| {
        let argv0 = std::env::args_os().next().unwrap_or_default();
        let file = std::path::Path::new(&argv0)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if file == "kubectl-kbundle" {
            "kubectl kbundle"
        } else {
            "kbundle"
        }
    })
}

fn main() -> ExitCode {
    malloc::tune();
    let name = invoked_as();
    let matches = <Cli as clap::CommandFactory>::command()
        .name(name)
        .bin_name(name)
        .get_matches();
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    log::init(cli.verbose, cli.log_format);
    tracing::debug!(
        version = env!("CARGO_PKG_VERSION"),
        invoked_as = name,
        "start"
    );
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Analyze(args) => analyze::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Collect(args) => collect::run(args),
        Command::Redact(args) => redact::run(args),
        Command::Demo(args) => demo::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man => completions::man(),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            let message = one_line(&err);
            if log::json() {
                tracing::error!(error = %message, "failed");
            }
            eprintln!("{}: {message}", invoked_as());
            ExitCode::from(exit::USAGE)
        }
    }
}

/// Input-derived text made safe for a terminal: control characters, escape sequences and BiDi
/// controls shown as visible escapes, on one line (`kbundle_format::neutral`).
pub(crate) fn safe(s: &str) -> std::borrow::Cow<'_, str> {
    kbundle_format::neutral::escape_controls(s)
}

/// The error and its causes on one line, safe for a terminal.
pub(crate) fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    safe(&parts.join(": ").replace('\n', " ")).into_owned()
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
