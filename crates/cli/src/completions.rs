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

/// The man page's own sections of one (sub)command: EXIT STATUS, ENVIRONMENT, FILES and
/// EXAMPLES, as (title, paragraphs); a paragraph starting with `$ ` is an example command.
struct Extra {
    exit: &'static [&'static str],
    environment: &'static [&'static str],
    files: &'static [&'static str],
    examples: &'static [&'static str],
}

const KUBE_ENV: &[&str] = &[
    "KUBECONFIG: the kubeconfig files (colon-separated), when --kubeconfig is not given; else ~/.kube/config, then the in-cluster service account.",
    "TMPDIR: where the logs are spilled while collecting and where -o - writes the bundle before copying it to stdout (default /tmp); in a read-only container, point it at a writable emptyDir.",
    "SSL_CERT_FILE: the CA certificates that check the --upload URL's TLS (default: the system's).",
];
const NO_FILES: &[&str] = &["None besides the inputs named on the command line."];

/// The extra sections of a subcommand (None: the generic ones).
fn extra(name: &str) -> Extra {
    match name {
        "collect" => Extra {
            exit: &[
                "0: complete: the bundle has everything asked for.",
                "3: partial: the bundle is written and valid; its manifest.json errors say what is missing.",
                "1: nothing collected (no kubeconfig, a --context that is not there, unreachable server, every request failed), or --upload failed, or -o - could not write to stdout.",
                "2: usage error.",
                "130: interrupted (Ctrl-C, SIGTERM): no bundle is left behind.",
            ],
            environment: KUBE_ENV,
            files: &[
                "FILE.zip.partial: the bundle while it is written, renamed to FILE.zip when complete; created exclusively, never overwritten.",
                "~/.kube/config: the default kubeconfig.",
                "$TMPDIR: an anonymous temporary file holding the logs while collecting (gone when the command exits).",
            ],
            examples: &[
                "$ kbundle collect -o bundle.zip",
                "$ kbundle analyze bundle.zip --format markdown | gh issue comment 1234 --repo ORG/REPO -F -",
                "$ kbundle collect -n my-app -l app=web --since 1h -o web.zip",
                "$ kbundle collect -A -l app.kubernetes.io/part-of=calico -o calico.zip",
                "$ kbundle collect --pod kube-system/coredns-58c7d9f6b4-bq6zm -o coredns.zip",
                "$ kbundle collect -o - | ssh support@bastion 'cat > case-1234.zip'",
                "$ kbundle collect -o /scratch/bundle.zip --upload \"$PRESIGNED_PUT_URL\"",
            ],
        },
        "analyze" => Extra {
            exit: &[
                "0: the analysis ran (whatever it found, unless --fail-on).",
                "1: --fail-on was given and a finding reached that severity.",
                "2: usage error, or an input that cannot be read (one-line error).",
            ],
            environment: &[
                "NO_COLOR: when set and not empty, no colour in text output (as --color never).",
                "KBUNDLE_CONFIG: the organisation config file, when --config is not given.",
                "XDG_CONFIG_HOME: where the default config is looked for (default ~/.config).",
            ],
            files: &[
                "$XDG_CONFIG_HOME/kbundle/config.toml: the organisation config (who to escalate to), read when it exists and neither --config nor KBUNDLE_CONFIG names one.",
            ],
            examples: &[
                "$ kbundle analyze bundle.zip",
                "$ kbundle analyze bundle.zip --format markdown | gh issue comment 1234 --repo ORG/REPO -F -",
                "$ kbundle analyze customer-describe.txt customer-logs.tar.gz --format html -o report.html",
                "$ kbundle collect -o - | kbundle analyze -",
                "$ kbundle analyze --batch queue/ --format json",
            ],
        },
        "inspect" => Extra {
            exit: &[
                "0: the input was read.",
                "2: usage error, or an input that cannot be read.",
            ],
            environment: &[],
            files: NO_FILES,
            examples: &[
                "$ kbundle inspect bundle.zip",
                "$ kbundle inspect support-bundle.tar.gz --format json",
                "$ kbundle collect -o - | kbundle inspect -",
            ],
        },
        "serve" => Extra {
            exit: &[
                "0: stopped (Ctrl-C).",
                "2: usage error, an input that cannot be read, or an address in use.",
            ],
            environment: &[],
            files: &["--kubeconfig-out FILE: when given, a kubeconfig pointing at the server."],
            examples: &[
                "$ kbundle serve bundle.zip --kubeconfig-out kc",
                "$ kubectl --kubeconfig kc get pods -A",
            ],
        },
        "demo" => Extra {
            exit: &[
                "0: the demo ran.",
                "2: it could not (a folder not writable, say).",
            ],
            environment: &[],
            files: &["The demo bundle, in the folder printed at the end."],
            examples: &["$ kbundle demo"],
        },
        "rules" => Extra {
            exit: &[
                "0: listed or explained.",
                "2: usage error, or an unknown rule id.",
            ],
            environment: &[],
            files: &[],
            examples: &["$ kbundle rules", "$ kbundle rules crash-loop"],
        },
        "completions" => Extra {
            exit: &["0: written.", "2: usage error."],
            environment: &[],
            files: &[],
            examples: &["$ kbundle completions bash > /etc/bash_completion.d/kbundle"],
        },
        "man" => Extra {
            exit: &["0: written."],
            environment: &[],
            files: &[],
            examples: &["$ kbundle man > kbundle.1 && man ./kbundle.1"],
        },
        _ => Extra {
            exit: &[
                "0: success.",
                "1: analyze: --fail-on reached; collect: nothing collected, or --upload failed.",
                "2: usage error, or an input that cannot be read.",
                "3: collect: partial bundle written.",
                "130: collect: interrupted.",
            ],
            environment: &[
                "KUBECONFIG, TMPDIR, SSL_CERT_FILE: see kbundle-collect.",
                "NO_COLOR: see kbundle-analyze.",
                "GH_HOST: not read by kbundle; gh's GitHub Enterprise host in the two-command path (docs/github.md).",
            ],
            files: &["~/.kube/config: the default kubeconfig (collect)."],
            examples: &[
                "$ kbundle collect -o bundle.zip",
                "$ kbundle analyze bundle.zip --format markdown | gh issue comment 1234 --repo ORG/REPO -F -",
                "$ kubectl kbundle collect -o bundle.zip    # installed as the kubectl plugin kubectl-kbundle",
            ],
        },
    }
}

/// Text made safe for roff: backslashes escaped, hyphens as minus signs, and no line starting
/// with a control character.
fn roff_text(s: &str) -> String {
    let t = s.replace('\\', "\\e").replace('-', "\\-");
    if t.starts_with('.') || t.starts_with('\'') {
        format!("\\&{t}")
    } else {
        t
    }
}

/// Writes the EXIT STATUS, ENVIRONMENT, FILES and EXAMPLES sections.
fn render_extra(out: &mut dyn Write, extra: &Extra) -> std::io::Result<()> {
    let sections = [
        ("EXIT STATUS", extra.exit),
        ("ENVIRONMENT", extra.environment),
        ("FILES", extra.files),
        ("EXAMPLES", extra.examples),
    ];
    for (title, paragraphs) in sections {
        writeln!(out, ".SH \"{title}\"")?;
        if paragraphs.is_empty() {
            writeln!(out, "None.")?;
        }
        for p in paragraphs {
            match p.strip_prefix("$ ") {
                Some(cmd) => writeln!(out, ".PP\n.nf\n.RS 4\n{}\n.RE\n.fi", roff_text(cmd))?,
                None => match p.split_once(": ") {
                    Some((term, text)) => {
                        writeln!(out, ".TP\n\\fB{}\\fR\n{}", roff_text(term), roff_text(text))?
                    }
                    None => writeln!(out, ".PP\n{}", roff_text(p))?,
                },
            }
        }
    }
    Ok(())
}

/// Writes the man page (roff) to stdout: `kbundle man > kbundle.1`. The page of `kbundle`,
/// then one per subcommand (`kbundle-collect`...), each with EXIT STATUS, ENVIRONMENT, FILES
/// and EXAMPLES.
pub fn man() -> anyhow::Result<ExitCode> {
    let cmd = crate::Cli::command();
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    render_extra(&mut out, &extra(""))?;
    // One section per subcommand, so the page documents every flag.
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let name = sub.get_name().to_string();
        let sub = sub.clone().name(format!("kbundle-{name}"));
        clap_mangen::Man::new(sub).render(&mut out)?;
        render_extra(&mut out, &extra(&name))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
