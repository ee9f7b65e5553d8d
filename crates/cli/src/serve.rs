//! `kbundle serve PATH... [--addr 127.0.0.1:0] [--kubeconfig-out FILE] [--faults SPEC]`

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use kbundle_format::units::parse_duration;
use kbundle_format::{ReadOptions, Snapshot};
use kbundle_server::{Faults, ServeOptions, Server};

use crate::analyze::parse_time;
use crate::limits::LimitArgs;

/// Arguments of `kbundle serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Bundles, archives (zip, tar, tar.gz, tar.xz, tar.zst), folders or files; several are
    /// served as one snapshot.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Address to listen on (port 0: any free port). Loopback by default: the API has no
    /// authentication.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0", value_parser = parse_addr)]
    addr: SocketAddr,
    /// Write a kubeconfig for the server to FILE (context `kbundle`).
    #[arg(long, value_name = "FILE")]
    kubeconfig_out: Option<PathBuf>,
    /// Inject faults, to test API clients: `forbid=RES,..;vanish=NS/POD;error-every=N;delay=250ms;bandwidth=100MB;cut-logs=BYTES`
    /// (see docs/serve.md).
    #[arg(long, value_name = "SPEC")]
    faults: Option<String>,
    /// The time ages (AGE columns, `sinceSeconds`) are computed from (RFC 3339). Default: the
    /// bundle's collection time, else the newest timestamp in the input.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    now: Option<jiff::Timestamp>,
    /// Lists of at most N objects are answered in one page whatever `limit` the client asks
    /// for (as the API allows), so kubectl's self-throttling to 5 pages a second does not slow
    /// `get pods -A`; larger lists are paged at the client's `limit`. 0 honours every `limit`.
    #[arg(long, value_name = "N", default_value_t = ServeOptions::DEFAULT_WHOLE_LIST_MAX)]
    whole_list_max: usize,
    /// Also accept requests whose Host header is NAME (repeatable). By default only the
    /// listen address's IP and `localhost` are: a request naming another host is refused
    /// (403), which stops web pages from reaching the server by DNS rebinding.
    #[arg(long, value_name = "NAME")]
    allow_host: Vec<String>,
    /// How long a connection may take to send a request's headers before it is closed.
    /// Durations: 90 (seconds), 30s, 5m, 1h30m, 2d, 250ms or PT24H (docs/units.md).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    header_timeout: std::time::Duration,
    /// Connections open at once; further ones are closed as soon as they are accepted.
    #[arg(long, value_name = "N", default_value_t = ServeOptions::DEFAULT_MAX_CONNECTIONS as u32, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    #[command(flatten)]
    limits: LimitArgs,
}

/// Runs `kbundle serve` until Ctrl-C (or SIGTERM).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let faults = match &args.faults {
        Some(spec) => Faults::parse(spec).context("--faults")?,
        None => Faults::default(),
    };
    let options = ReadOptions::default().with_limits(args.limits.limits());
    let snapshot = Snapshot::open_many(&args.paths, &options).context("cannot read input")?;
    let objects = snapshot.len();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let server = Server::bind(
            Arc::new(snapshot),
            args.addr,
            ServeOptions::default()
                .with_faults(faults)
                .with_now(args.now)
                .with_whole_list_max(args.whole_list_max)
                .with_allowed_hosts(args.allow_host.clone())
                .with_header_timeout(args.header_timeout)
                .with_max_connections(args.max_connections as usize),
        )
        .await?;
        let addr = server.local_addr();
        if !addr.ip().is_loopback() {
            eprintln!(
                "kbundle serve: warning: listening on {addr}, which is not a loopback address: \
                 anyone who can reach it can read the whole snapshot (there is no authentication)"
            );
        }
        if let Some(path) = &args.kubeconfig_out {
            std::fs::write(path, kbundle_server::kubeconfig(addr))
                .with_context(|| format!("cannot write the kubeconfig {}", path.display()))?;
        }
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "listening on http://{addr}")?;
            out.flush()?;
        }
        match &args.kubeconfig_out {
            Some(path) => eprintln!(
                "kbundle serve: read-only API of {} objects; try: kubectl --kubeconfig {} get pods -A (Ctrl-C stops)",
                objects,
                crate::safe(&path.display().to_string())
            ),
            None => eprintln!(
                "kbundle serve: read-only API of {objects} objects; try: kubectl --server http://{addr} get pods -A \
                 (or --kubeconfig-out FILE; Ctrl-C stops)"
            ),
        }
        server.run_until(shutdown_signal()).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// `IP:PORT`, or `HOST:PORT` (the first address the host resolves to, e.g. `localhost:8080`).
fn parse_addr(s: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = s.parse() {
        return Ok(addr);
    }
    use std::net::ToSocketAddrs;
    s.to_socket_addrs()
        .map_err(|e| format!("expected IP:PORT or HOST:PORT: {e}"))?
        .next()
        .ok_or_else(|| format!("{s} resolves to no address"))
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
