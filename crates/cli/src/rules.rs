//! `kbundle rules [ID]`: list the analyzer's rules, or explain one.

use std::io::Write;
use std::process::ExitCode;

use kbundle_analyzer::{RULES, rule};

/// Arguments of `kbundle rules`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A rule id (e.g. crash-loop): print its documentation.
    #[arg(value_name = "ID")]
    id: Option<String>,
    /// Print every rule's documentation as Markdown (the text of docs/rules.md).
    #[arg(long, conflicts_with = "id")]
    markdown: bool,
}

/// Runs `kbundle rules`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.markdown {
        out.write_all(kbundle_analyzer::docs::rules_markdown().as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    match args.id {
        Some(id) => {
            let Some(r) = rule(&id) else {
                anyhow::bail!(
                    "unknown rule {id:?}; known rules: {}",
                    RULES.iter().map(|r| r.id).collect::<Vec<_>>().join(", ")
                );
            };
            writeln!(out, "# {}\n\nSeverities: {}.\n", r.id, r.severities)?;
            out.write_all(r.documentation().as_bytes())?;
        }
        None => {
            let width = RULES.iter().map(|r| r.id.len()).max().unwrap_or(0);
            let sev = RULES.iter().map(|r| r.severities.len()).max().unwrap_or(0);
            writeln!(out, "{:width$}  {:sev$}  DETECTS", "RULE", "SEVERITIES")?;
            for r in RULES {
                writeln!(
                    out,
                    "{:width$}  {:sev$}  {}",
                    r.id,
                    r.severities,
                    r.summary()
                )?;
            }
            writeln!(out, "\nkbundle rules ID explains one.")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
