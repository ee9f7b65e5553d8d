//! `kbundle collect [--kubeconfig FILE] [--context NAME] [-o FILE.zip|-] [--preset NAME | -n NS... | -A]
//! [-l SEL] [--pod [NS/]NAME...] [--upload URL]`
//!
//! Exit codes: 0 complete, 3 partial (bundle written, the manifest says what is missing),
//! 1 nothing collected (no kubeconfig, unreachable server) or the upload failed, 2 usage,
//! 130 interrupted.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use kbundle_collector::{Options, PRESETS, Plan, Progress, Summary};
use kbundle_format::units::{parse_duration, parse_size};
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
    /// FILE.partial and renamed when complete. `-` streams the finished zip to stdout (the
    /// summary then goes to stderr).
    #[arg(short, long, value_name = "FILE.zip")]
    output: Option<PathBuf>,
    /// What to collect when no --namespace is given.
    #[arg(long, value_name = "NAME", default_value = "calico-kube-controllers", value_parser = clap::builder::PossibleValuesParser::new(PRESETS))]
    preset: String,
    /// Collect every pod (or those matching --selector) of these namespaces instead of a
    /// preset. Repeatable.
    #[arg(
        short = 'n',
        long = "namespace",
        value_name = "NS",
        conflicts_with = "all_namespaces"
    )]
    namespaces: Vec<String>,
    /// Collect the pods (or those matching --selector) of every namespace, as kubectl's -A.
    #[arg(short = 'A', long)]
    all_namespaces: bool,
    /// Label selector of the pods to collect; without --namespace or -A, in the kubeconfig
    /// context's namespace (as kubectl).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    selector: Option<String>,
    /// Collect this pod: `NS/NAME`, or NAME in the --namespace (or the context's namespace).
    /// Repeatable.
    #[arg(
        long = "pod",
        value_name = "[NS/]NAME",
        conflicts_with = "all_namespaces"
    )]
    pods: Vec<String>,
    /// Also collect the logs of pods matching SELECTOR in the target namespaces on the nodes
    /// of the target pods (e.g. `k8s-app=calico-node`); trimmed first when over --max-size.
    #[arg(long, value_name = "SELECTOR")]
    context_logs: Option<String>,
    /// Newest bytes kept of each log.
    #[arg(long, value_name = "SIZE", default_value = "4MiB", value_parser = parse_size)]
    max_log_bytes: u64,
    /// Only log lines newer than this.
    /// Durations: 90 (seconds), 30s, 5m, 1h30m, 2d, 250ms or PT24H (docs/units.md).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    since: Option<Duration>,
    /// Size budget of the zip; logs are trimmed (oldest bytes first) to fit.
    #[arg(long, value_name = "SIZE", default_value = "25MB", value_parser = parse_size)]
    max_size: u64,
    /// Concurrent requests at most; halved on each 429 or 5xx answer, raised back one by one as
    /// requests succeed. 32: the fastest of 8, 16, 32 and 64 at 0 to 50 ms per answer (see
    /// docs/performance.md).
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=64))]
    jobs: u16,
    /// Bound of the whole collection; what was collected by then is written.
    /// Durations: 90 (seconds), 30s, 5m, 1h30m, 2d, 250ms or PT24H (docs/units.md).
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = parse_duration)]
    timeout: Duration,
    /// Bound of one request (or of a pause in a log stream).
    /// Durations: 90 (seconds), 30s, 5m, 1h30m, 2d, 250ms or PT24H (docs/units.md).
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
    /// Once the bundle is written, PUT it to this pre-signed object-storage URL (retried on
    /// transient failures; the URL's query, its signature, is never printed). Exit 1 if the
    /// upload fails (the bundle stays on disk).
    #[arg(long, value_name = "URL", value_parser = crate::upload::parse_url)]
    upload: Option<http::Uri>,
    /// No progress and no summary.
    #[arg(short, long)]
    quiet: bool,
}

struct Bar(ProgressBar);

impl Progress for Bar {
    fn phase(&self, name: &str) {
        tracing::info!(phase = name, "phase");
        self.0.set_message(name.to_string());
    }
    fn item(&self, what: &str) {
        tracing::debug!(what = %safe(what), "collected");
        self.0.inc(1);
    }
}

struct Quiet;
impl Progress for Quiet {}

/// Progress when stderr is not a terminal (a Job's log, a pipe): one plain line per phase,
/// with the requests made by then.
#[derive(Default)]
struct Lines {
    requests: std::sync::atomic::AtomicU64,
    phase: std::sync::Mutex<Option<(String, std::time::Instant)>>,
}

impl Lines {
    /// Ends the current phase with a line.
    fn done(&self) {
        let Ok(mut phase) = self.phase.lock() else {
            return;
        };
        if let Some((name, start)) = phase.take() {
            let requests = self.requests.load(std::sync::atomic::Ordering::Relaxed);
            let seconds = start.elapsed().as_secs_f64();
            if crate::log::json() {
                tracing::info!(phase = %name, requests, seconds, "phase done");
            } else {
                eprintln!("kbundle: {name}: done ({requests} requests so far, {seconds:.1}s)");
            }
        }
    }
}

impl Progress for Lines {
    fn phase(&self, name: &str) {
        self.done();
        if let Ok(mut phase) = self.phase.lock() {
            *phase = Some((name.to_string(), std::time::Instant::now()));
        }
    }
    fn item(&self, what: &str) {
        tracing::debug!(what = %safe(what), "collected");
        self.requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Copies the finished bundle to stdout.
fn copy_to_stdout(path: &Path) -> std::io::Result<()> {
    let mut file = std::fs::File::open(path)?;
    let mut stdout = std::io::stdout().lock();
    std::io::copy(&mut file, &mut stdout)?;
    stdout.flush()
}

/// The connection: the client (credentials only over TLS: see `kbundle_collector::client`),
/// the context name, whether credentials were withheld from a plain-http server, and the
/// context's namespace (`default` when it names none, as kubectl).
struct Connection {
    client: kube::Client,
    context: Option<String>,
    withheld: bool,
    namespace: String,
}

/// "context X not found" with the contexts the kubeconfig has, or None when it has X.
fn missing_context(kc: &Kubeconfig, wanted: &str) -> Option<String> {
    if kc.contexts.iter().any(|c| c.name == wanted) {
        return None;
    }
    let names: Vec<&str> = kc.contexts.iter().map(|c| c.name.as_str()).collect();
    Some(if names.is_empty() {
        format!("context {wanted:?} not found: the kubeconfig has no contexts")
    } else {
        format!(
            "context {wanted:?} not found; the kubeconfig has: {}",
            names.join(", ")
        )
    })
}

async fn client(args: &Args) -> Result<Connection, String> {
    let options = KubeConfigOptions {
        context: args.context.clone(),
        ..KubeConfigOptions::default()
    };
    let (config, context) = if let Some(path) = &args.kubeconfig {
        let kc = Kubeconfig::read_from(path)
            .map_err(|e| format!("cannot read the kubeconfig {}: {e}", path.display()))?;
        if let Some(msg) = args
            .context
            .as_deref()
            .and_then(|c| missing_context(&kc, c))
        {
            return Err(msg);
        }
        let context = args.context.clone().or_else(|| kc.current_context.clone());
        let config = kube::Config::from_custom_kubeconfig(kc, &options)
            .await
            .map_err(|e| format!("invalid kubeconfig {}: {e}", path.display()))?;
        (config, context)
    } else if let Some(wanted) = &args.context {
        if let Some(msg) = Kubeconfig::read()
            .ok()
            .and_then(|kc| missing_context(&kc, wanted))
        {
            return Err(msg);
        }
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
    let namespace = config.default_namespace.clone();
    let (client, withheld) =
        kbundle_collector::client(config).map_err(|e| crate::one_line(&anyhow::Error::new(e)))?;
    Ok(Connection {
        client,
        context,
        withheld,
        namespace,
    })
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
fn print_summary(sink: &mut dyn Write, s: &Summary, shown_path: &str) {
    macro_rules! out {
        ($($t:tt)*) => {{
            let _ = writeln!(sink, $($t)*);
        }};
    }
    out!("bundle:     {} ({})", shown_path, human(s.size));
    match (&s.workload, s.workload_missing) {
        (Some(w), _) => out!("workload:   {}", safe(w)),
        (None, true) => out!("workload:   NOT FOUND (see errors)"),
        _ => {}
    }
    out!("namespaces: {}", safe(&s.namespaces.join(", ")));
    out!(
        "collected:  {} entries: {} objects, {} pods, {} logs, {} node descriptions",
        s.entries,
        s.objects,
        s.pods,
        s.logs,
        s.nodes
    );
    out!("redacted:   {} values", s.redactions);
    if !s.redaction_map.is_empty() {
        out!("tokens:     {}", s.redaction_map.len());
    }
    if !s.trimmed.is_empty() {
        out!(
            "trimmed:    {} logs (listed in manifest.json)",
            s.trimmed.len()
        );
        for (path, t) in s.trimmed.iter().take(5) {
            out!(
                "            {} ({}, was {})",
                safe(path),
                safe(&t.reason),
                human(t.original_size)
            );
        }
        if s.trimmed.len() > 5 {
            out!("            ... and {} more", s.trimmed.len() - 5);
        }
    }
    if s.errors.is_empty() {
        out!("errors:     none");
    } else {
        out!("errors:     {} (listed in manifest.json)", s.errors.len());
        for e in s.errors.iter().take(10) {
            let class = e.class.as_deref().unwrap_or("other");
            out!(
                "            [{}] {}: {}",
                safe(class),
                safe(&e.what),
                safe(&e.message)
            );
        }
        if s.errors.len() > 10 {
            out!("            ... and {} more", s.errors.len() - 10);
        }
    }
    out!("next steps (docs/github.md):");
    let attach = if shown_path == "-" {
        "the zip written to stdout".to_string()
    } else {
        shell_word(shown_path)
    };
    out!(
        "  1. attach {attach} to the GitHub issue (drag it into a comment; GitHub takes files up to 25 MB, the --max-size default)"
    );
    let analyzed = if shown_path == "-" {
        "BUNDLE.zip".to_string()
    } else {
        shell_word(shown_path)
    };
    out!(
        "  2. {} analyze {analyzed} --format markdown | gh issue comment N --repo ORG/REPO -F -",
        crate::invoked_as()
    );
    out!("     (GitHub Enterprise: GH_HOST=github.example.com gh issue comment ...)");
}

/// A path as one shell word: as is when it only has safe characters, else single-quoted.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:@%+=,".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
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
    // One thread: the collection waits on the network, and its CPU work (redaction and
    // compression) runs on threads of its own (`kbundle_format::par`). A multi-thread runtime
    // ran the connections on its workers and the collection on this thread, a wake-up across
    // threads for every piece of every answer (780 futex calls per 50-pod collect against
    // 134; docs/performance.md, "sixth round").
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let code = runtime.block_on(run_async(args));
    runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(code)
}

/// What to collect: a preset, or a namespaced selection (-n, -A, -l, --pod); a selection
/// without -n or -A is in the context's namespace, as kubectl.
fn plan(args: &Args, context_namespace: &str) -> Plan {
    let selection = args.all_namespaces || args.selector.is_some() || !args.pods.is_empty();
    let plan = if args.all_namespaces {
        Plan::all_namespaces()
    } else if !args.namespaces.is_empty() || selection {
        let namespaces = if args.namespaces.is_empty()
            && (args.selector.is_some() || args.pods.iter().any(|p| !p.contains('/')))
        {
            vec![context_namespace.to_string()]
        } else {
            args.namespaces.clone()
        };
        let pods: Vec<String> = args
            .pods
            .iter()
            .flat_map(|p| {
                if p.contains('/') {
                    vec![p.clone()]
                } else {
                    namespaces.iter().map(|ns| format!("{ns}/{p}")).collect()
                }
            })
            .collect();
        Plan::namespaces(namespaces).with_pods(pods)
    } else {
        Plan::preset(&args.preset).unwrap_or_else(Plan::preset_calico_kube_controllers)
    };
    let plan = match &args.selector {
        Some(s) => plan.with_selector(s.clone()),
        None => plan,
    };
    match &args.context_logs {
        Some(sel) => plan.with_context_logs(sel.clone()),
        None => plan,
    }
}

async fn run_async(args: Args) -> ExitCode {
    let Connection {
        client,
        context,
        withheld: credentials_withheld,
        namespace: context_namespace,
    } = match client(&args).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kbundle: {}", safe(&e));
            return ExitCode::from(FAILED);
        }
    };
    let plan = plan(&args, &context_namespace);
    tracing::info!(
        context = %safe(context.as_deref().unwrap_or("")),
        context_namespace = %safe(&context_namespace),
        plan = ?plan.target,
        all_namespaces = plan.all_namespaces,
        pods = plan.pods.len(),
        "plan"
    );
    if credentials_withheld && !args.quiet {
        eprintln!(
            "kbundle: the server address is plain http://: the kubeconfig's credentials are not sent (only over https, as kubectl)"
        );
    }
    let collected_at = args.collected_at.unwrap_or_else(jiff::Timestamp::now);
    let to_stdout = args.output.as_deref() == Some(Path::new("-"));
    // `-o -`: the bundle is written whole to a private temporary folder (in $TMPDIR), then
    // copied to stdout: stdout only ever sees a finished, complete zip.
    let spool = if to_stdout {
        match tempfile::Builder::new().prefix("kbundle-").tempdir() {
            Ok(d) => Some(d),
            Err(e) => {
                eprintln!(
                    "kbundle: cannot create a temporary folder in {} for -o - ({e}); set TMPDIR to a writable folder",
                    safe(&std::env::temp_dir().display().to_string())
                );
                return ExitCode::from(FAILED);
            }
        }
    } else {
        None
    };
    let out = match (&spool, &args.output) {
        (Some(dir), _) => dir.path().join("bundle.zip"),
        (None, Some(o)) => o.clone(),
        (None, None) => {
            let name = plan.preset.clone().unwrap_or_else(|| "namespaces".into());
            let stamp = collected_at.strftime("%Y%m%dT%H%M%SZ");
            PathBuf::from(format!("kbundle-{name}-{stamp}.zip"))
        }
    };
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
    let options = Options::default()
        .with_max_log_bytes(args.max_log_bytes)
        .with_since(args.since)
        .with_max_size(args.max_size)
        .with_jobs(usize::from(args.jobs))
        .with_timeout(args.timeout)
        .with_request_timeout(args.request_timeout)
        .with_max_response_bytes(args.max_response_bytes)
        .with_max_objects(args.max_objects)
        .with_credentials_withheld(credentials_withheld)
        .with_redact(args.redaction.redact.clone())
        .with_tokenize(tokenize)
        .with_collected_at(Some(collected_at))
        .with_context(context);
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
    let lines = Lines::default();
    let progress: &dyn Progress = match &bar {
        Some(b) => b,
        None if args.quiet => &Quiet,
        None => &lines,
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
            // The last phase's line; a failure is one error line only.
            lines.done();
            if to_stdout && let Err(e) = copy_to_stdout(&summary.path) {
                eprintln!("kbundle: cannot write the bundle to stdout: {e}");
                return ExitCode::from(FAILED);
            }
            if let Some(url) = &args.upload {
                match crate::upload::put(
                    url,
                    &summary.path,
                    3,
                    args.request_timeout.max(Duration::from_secs(60)),
                )
                .await
                {
                    Ok(status) => {
                        if !args.quiet {
                            eprintln!(
                                "kbundle: uploaded {} to {} (HTTP {status})",
                                human(summary.size),
                                crate::upload::shown(url)
                            );
                        }
                    }
                    Err(e) => {
                        eprintln!("kbundle: {e}");
                        return ExitCode::from(FAILED);
                    }
                }
            }
            let shown = if to_stdout {
                "-".to_string()
            } else {
                safe(&summary.path.display().to_string()).into_owned()
            };
            if !args.quiet {
                if to_stdout {
                    print_summary(&mut std::io::stderr().lock(), &summary, &shown);
                } else {
                    print_summary(&mut std::io::stdout().lock(), &summary, &shown);
                }
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
            let code = if e.is_invalid_option() {
                crate::exit::USAGE
            } else {
                FAILED
            };
            // The error and its causes; a server's message can hold a credential too.
            let message = crate::one_line(&anyhow::Error::new(e));
            let message = kbundle_redact::Redactor::new(args.redaction.redact.clone())
                .text(&message, &mut kbundle_redact::Counts::new())
                .into_owned();
            eprintln!("kbundle: {message}");
            ExitCode::from(code)
        }
    }
}
