//! `kbundle`: the command-line interface. Argument parsing and printing only; the work is done
//! by the library crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod analyze;
mod batch;
mod collect;
mod completions;
mod demo;
mod inspect;
mod limits;
mod malloc;
mod redact;
mod rules;
mod serve;

/// Collect, analyze and serve Kubernetes support bundles.
#[derive(Debug, Parser)]
#[command(name = "kbundle", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
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

fn main() -> ExitCode {
    malloc::tune();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Analyze(args) => analyze::run(args),
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
            eprintln!("kbundle: {}", one_line(&err));
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
