//! `kbundle collect [--kubeconfig FILE] [--context NAME] [-o FILE.zip] [--preset NAME | -n NS...]`
//!
//! Exit codes: 0 complete, 3 partial (bundle written, the manifest says what is missing),
//! 1 nothing collected (no kubeconfig, unreachable server), 2 usage, 130 interrupted.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use kbundle_collector::units::{parse_duration, parse_size};
use kbundle_collector::{Options, PRESETS, Plan, Progress, Summary};
use kube::config::{KubeConfigOptions, Kubeconfig};

use crate::safe;

/// Exit code: bundle written, something missing.
const PARTIAL: u8 = 3;
/// Exit code: nothing collected.
const FAILED: u8 = 1;
/// Exit code: interrupted.
const INTERRUPTED: u8 = 130;

/// Arguments of `kbundle collect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then the in-cluster service
    /// account).
    #[arg(long, value_name = "FILE")]
    kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the current context).
    #[arg(long, value_name = "NAME")]
    context: Option<String>,
    /// Output zip (default: kbundle-PRESET-UTCTIME.zip in the current folder). Written as
    /// FILE.partial and renamed when complete.
    #[arg(short, long, value_name = "FILE.zip")]
    output: Option<PathBuf>,
    /// What to collect when no --namespace is given.
    #[arg(long, value_name = "NAME", default_value = "calico-kube-controllers", value_parser = clap::builder::PossibleValuesParser::new(PRESETS))]
    preset: String,
    /// Collect every pod (or those matching --selector) of these namespaces instead of a
    /// preset. Repeatable.
    #[arg(short = 'n', long = "namespace", value_name = "NS")]
    namespaces: Vec<String>,
    /// Label selector of the pods to collect (with --namespace).
    #[arg(short = 'l', long, value_name = "SELECTOR", requires = "namespaces")]
    selector: Option<String>,
    /// Also collect the logs of pods matching SELECTOR in the target namespaces on the nodes
    /// of the target pods (e.g. `k8s-app=calico-node`); trimmed first when over --max-size.
    #[arg(long, value_name = "SELECTOR")]
    context_logs: Option<String>,
    /// Newest bytes kept of each log.
    #[arg(long, value_name = "SIZE", default_value = "4MiB", value_parser = parse_size)]
    max_log_bytes: u64,
    /// Only log lines newer than this (e.g. 1h).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    since: Option<Duration>,
    /// Size budget of the zip; logs are trimmed (oldest bytes first) to fit.
    #[arg(long, value_name = "SIZE", default_value = "25MB", value_parser = parse_size)]
    max_size: u64,
    /// Concurrent requests.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    jobs: u16,
    /// Bound of the whole collection; what was collected by then is written.
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    timeout: Duration,
    /// Bound of one request (or of a pause in a log stream).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    request_timeout: Duration,
    /// Cap of one answer from the API server; an answer over it is recorded as an error (a
    /// list page over it is asked again in smaller pages). Objects held while collecting are
    /// bounded by 16 times this.
    #[arg(long, value_name = "SIZE", default_value = "8MiB", value_parser = parse_size)]
    max_response_bytes: u64,
    /// Cap of the objects of one list (one kind in one namespace, or cluster-wide); a list
    /// over it is recorded as an error, not kept.
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    max_objects: u64,
    #[command(flatten)]
    redaction: crate::redact::RedactArgs,
    /// Pin the collection time (RFC 3339), e.g. for reproducible bundles.
    #[arg(long, value_name = "TIME")]
    collected_at: Option<jiff::Timestamp>,
    /// No progress and no summary.
    #[arg(short, long)]
    quiet: bool,
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn phase(&self, name: &str) {
        self.0.set_message(name.to_string());
    }
    fn item(&self, _what: &str) {
        self.0.inc(1);
    }
}

struct Quiet;
impl Progress for Quiet {}

/// The client (credentials only over TLS: see `kbundle_collector::client`), the context
/// name, and whether credentials were withheld from a plain-http server.
async fn client(args: &Args) -> Result<(kube::Client, Option<String>, bool), String> {
    let options = KubeConfigOptions {
        context: args.context.clone(),
        ..KubeConfigOptions::default()
    };
    let (config, context) = if let Some(path) = &args.kubeconfig {
        let kc = Kubeconfig::read_from(path)
            .map_err(|e| format!("cannot read the kubeconfig {}: {e}", path.display()))?;
        let context = args.context.clone().or_else(|| kc.current_context.clone());
        let config = kube::Config::from_custom_kubeconfig(kc, &options)
            .await
            .map_err(|e| format!("invalid kubeconfig {}: {e}", path.display()))?;
        (config, context)
    } else if args.context.is_some() {
        let config = kube::Config::from_kubeconfig(&options)
            .await
            .map_err(|e| format!("cannot load the kubeconfig: {e}"))?;
        (config, args.context.clone())
    } else {
        let context = Kubeconfig::read().ok().and_then(|k| k.current_context);
        let config = kube::Config::infer().await.map_err(|e| {
            format!("no kubeconfig and not running in a cluster ({e}); use --kubeconfig FILE")
        })?;
        let context = context.or_else(|| Some("in-cluster".to_string()));
        (config, context)
    };
    let (client, withheld) = kbundle_collector::client(config).map_err(|e| e.to_string())?;
    Ok((client, context, withheld))
}

fn human(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else if bytes >= 1000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        format!("{bytes} B")
    }
}

/// The summary; names, paths and server messages in it are printed through [`safe`].
fn print_summary(s: &Summary) {
    println!(
        "bundle:     {} ({})",
        safe(&s.path.display().to_string()),
        human(s.size)
    );
    match (&s.workload, s.workload_missing) {
        (Some(w), _) => println!("workload:   {}", safe(w)),
        (None, true) => println!("workload:   NOT FOUND (see errors)"),
        _ => {}
    }
    println!("namespaces: {}", safe(&s.namespaces.join(", ")));
    println!(
        "collected:  {} entries: {} objects, {} pods, {} logs, {} node descriptions",
        s.entries, s.objects, s.pods, s.logs, s.nodes
    );
    println!("redacted:   {} values", s.redactions);
    if !s.redaction_map.is_empty() {
        println!("tokens:     {}", s.redaction_map.len());
    }
    if !s.trimmed.is_empty() {
        println!(
            "trimmed:    {} logs (listed in manifest.json)",
            s.trimmed.len()
        );
        for (path, t) in s.trimmed.iter().take(5) {
            println!(
                "            {} ({}, was {})",
                safe(path),
                safe(&t.reason),
                human(t.original_size)
            );
        }
        if s.trimmed.len() > 5 {
            println!("            ... and {} more", s.trimmed.len() - 5);
        }
    }
    if s.errors.is_empty() {
        println!("errors:     none");
    } else {
        println!("errors:     {} (listed in manifest.json)", s.errors.len());
        for e in s.errors.iter().take(10) {
            let class = e.class.as_deref().unwrap_or("other");
            println!(
                "            [{}] {}: {}",
                safe(class),
                safe(&e.what),
                safe(&e.message)
            );
        }
        if s.errors.len() > 10 {
            println!("            ... and {} more", s.errors.len() - 10);
        }
    }
}

/// Ctrl-C, or SIGTERM (a Job being deleted).
async fn interrupted() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Runs `kbundle collect`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let code = runtime.block_on(run_async(args));
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(code)
}

async fn run_async(args: Args) -> ExitCode {
    let plan = if args.namespaces.is_empty() {
        Plan::preset(&args.preset).unwrap_or_else(Plan::preset_calico_kube_controllers)
    } else {
        let plan = Plan::namespaces(args.namespaces.clone());
        match &args.selector {
            Some(s) => plan.with_selector(s.clone()),
            None => plan,
        }
    };
    let plan = match &args.context_logs {
        Some(sel) => plan.with_context_logs(sel.clone()),
        None => plan,
    };
    let (client, context, credentials_withheld) = match client(&args).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kbundle: {}", safe(&e));
            return ExitCode::from(FAILED);
        }
    };
    if credentials_withheld && !args.quiet {
        eprintln!(
            "kbundle: the server address is plain http://: the kubeconfig's credentials are not sent (only over https, as kubectl)"
        );
    }
    let collected_at = args.collected_at.unwrap_or_else(jiff::Timestamp::now);
    let out = args.output.clone().unwrap_or_else(|| {
        let name = plan.preset.clone().unwrap_or_else(|| "namespaces".into());
        let stamp = collected_at.strftime("%Y%m%dT%H%M%SZ");
        PathBuf::from(format!("kbundle-{name}-{stamp}.zip"))
    });
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        eprintln!(
            "kbundle: cannot write {}: {} is not a directory",
            out.display(),
            parent.display()
        );
        return ExitCode::from(FAILED);
    }
    if let Err(e) = args.redaction.check(&out) {
        eprintln!("kbundle: {e}");
        return ExitCode::from(crate::exit::USAGE);
    }
    let tokenize = match args.redaction.key() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("kbundle: {e}");
            return ExitCode::from(FAILED);
        }
    };
    let options = Options {
        max_log_bytes: args.max_log_bytes,
        since: args.since,
        max_size: args.max_size,
        jobs: usize::from(args.jobs),
        timeout: args.timeout,
        request_timeout: args.request_timeout,
        max_response_bytes: args.max_response_bytes,
        max_objects: args.max_objects,
        credentials_withheld,
        redact: args.redaction.redact.clone(),
        tokenize,
        collected_at: Some(collected_at),
        context,
        ..Options::default()
    };
    let tty = std::io::stderr().is_terminal() && !args.quiet;
    let bar = if tty {
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({pos} requests, {elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.enable_steady_tick(Duration::from_millis(120));
        Some(Bar(pb))
    } else {
        None
    };
    let progress: &dyn Progress = match &bar {
        Some(b) => b,
        None => &Quiet,
    };
    let result = tokio::select! {
        // The collection first: once it has written the bundle, it wins.
        biased;
        r = kbundle_collector::collect(client, &plan, &options, &out, progress) => r,
        _ = interrupted() => {
            if let Some(b) = &bar {
                b.0.finish_and_clear();
            }
            eprintln!("kbundle: interrupted; no bundle written");
            return ExitCode::from(INTERRUPTED);
        }
    };
    if let Some(b) = &bar {
        b.0.finish_and_clear();
    }
    match result {
        Ok(summary) => {
            if let Err(e) = args.redaction.write_map(&summary.redaction_map) {
                eprintln!("kbundle: {}", crate::one_line(&e));
                return ExitCode::from(FAILED);
            }
            if !args.quiet {
                print_summary(&summary);
            }
            if summary.workload_missing {
                eprintln!(
                    "kbundle: the workload was not found in {}; collected what is there (see the manifest)",
                    safe(&summary.namespaces.join(" or "))
                );
            }
            if summary.is_complete() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(PARTIAL)
            }
        }
        Err(e) => {
            // A server's message can hold a credential too.
            let message = e.to_string();
            let message = kbundle_collector::Redactor::new(args.redaction.redact.clone())
                .text(&message, &mut kbundle_collector::redact::Counts::new())
                .into_owned();
            eprintln!("kbundle: {}", safe(&message));
            match e {
                kbundle_collector::Error::Invalid(_) => ExitCode::from(crate::exit::USAGE),
                _ => ExitCode::from(FAILED),
            }
        }
    }
}
