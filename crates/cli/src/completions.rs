//! `kbundle completions SHELL` and `kbundle man`: generated from the clap definitions.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

/// Arguments of `kbundle completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionArgs {
    /// The shell to write completions for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

/// Writes the completion script for a shell to stdout.
pub fn completions(args: CompletionArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = crate::Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "kbundle", &mut out);
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the man page (roff) to stdout: `kbundle man > kbundle.1`.
pub fn man() -> anyhow::Result<ExitCode> {
    let cmd = crate::Cli::command();
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    // One section per subcommand, so the page documents every flag.
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let sub = sub.clone().name(format!("kbundle-{}", sub.get_name()));
        clap_mangen::Man::new(sub).render(&mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
