//! `kbundle`: the command-line interface. Argument parsing and printing only; the work is done
//! by the library crates.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod inspect;
mod limits;
mod serve;

/// Collect, analyze and serve Kubernetes support bundles.
#[derive(Debug, Parser)]
#[command(name = "kbundle", version, about, long_about = None, propagate_version = true)]
struct Cli {
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
}

/// Exit codes shared by every subcommand.
pub(crate) mod exit {
    /// Usage errors (clap's own code).
    pub const USAGE: u8 = 2;
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Serve(args) => serve::run(args),
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

/// The error and its causes on one line.
pub(crate) fn one_line(err: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    parts.join(": ").replace('\n', " ")
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
