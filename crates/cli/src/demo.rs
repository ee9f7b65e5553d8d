//! `kbundle demo`: the whole pipeline on a built-in cluster, with no cluster and no files.
//!
//! Serves the embedded fixture cluster (calico-kube-controllers crash-looping on OOM, with a
//! recent FelixConfiguration change) on loopback with the real server, collects it with the real
//! collector, analyzes the bundle with the real analyzer, and prints the report.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use crate::analyze::Format;
use kbundle_format::{Archive, Limits, ReadOptions, Snapshot};

/// The demo cluster, zipped at build time from `fixtures/clusters/crashloop-oom`.
const DEMO_CLUSTER: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/demo-cluster.zip"));

/// Arguments of `kbundle demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the bundle. Default: `kbundle-demo/calico-kube-controllers-demo.zip` in
    /// the system's temporary folder.
    #[arg(short, long, value_name = "FILE.zip")]
    out: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// The embedded demo cluster as a snapshot.
fn demo_snapshot() -> anyhow::Result<Snapshot> {
    let archive = Archive::from_bytes("demo-cluster.zip", DEMO_CLUSTER.to_vec(), Limits::default())
        .context("embedded demo cluster")?;
    let mut snapshot = Snapshot::new();
    snapshot
        .add_archive(archive)
        .context("embedded demo cluster")?;
    Ok(snapshot)
}

/// Runs `kbundle demo`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let out = match args.out {
        Some(p) => p,
        None => {
            let dir = std::env::temp_dir().join("kbundle-demo");
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            dir.join("calico-kube-controllers-demo.zip")
        }
    };
    let snapshot = demo_snapshot()?;
    // The fixture's own "now", so that the story (a crash loop minutes ago, a configuration
    // change two hours ago) reads the same whenever the demo runs.
    let collected_at = snapshot
        .reference_time()
        .context("the demo cluster has no timestamps")?;
    let tty = std::io::stderr().is_terminal();
    let say = |msg: &str| {
        if tty {
            eprintln!("{msg}");
        }
    };

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let summary = runtime.block_on(async {
        let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
        let server = kbundle_server::Server::bind(Arc::new(snapshot), addr, Default::default())
            .await
            .context("cannot start the demo API server")?;
        let url = server.url();
        say(&format!(
            "demo: serving the built-in cluster (calico-kube-controllers crash-looping on OOM) on {url}"
        ));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.run_until(async {
            let _ = stopped.await;
        }));
        let config = kube::Config::new(url.parse().context("server URL")?);
        let (client, _) = kbundle_collector::client(config).context("cannot create the client")?;
        let options = kbundle_collector::Options::default()
            .with_collected_at(Some(collected_at))
            .with_context(Some("kbundle-demo".into()));
        say("demo: collecting with the calico-kube-controllers preset");
        let summary = kbundle_collector::collect(
            client,
            &kbundle_collector::Plan::preset_calico_kube_controllers(),
            &options,
            &out,
            &kbundle_collector::NoProgress,
        )
        .await
        .context("collection failed");
        let _ = stop.send(());
        let _ = serving.await;
        summary
    })?;

    say(&format!("demo: analyzing {}", summary.path.display()));
    let bundle = Snapshot::open(&summary.path, &ReadOptions::default())
        .context("cannot read the demo bundle")?;
    let report = kbundle_analyzer::analyze(&bundle, &kbundle_analyzer::Options::default());
    let text = args.format.render(
        &bundle,
        &report,
        &kbundle_analyzer::Options::default(),
        crate::analyze::auto_color(),
        kbundle_analyzer::markdown::GITHUB_COMMENT_MAX,
    );
    let stdout = std::io::stdout();
    let mut o = stdout.lock();
    o.write_all(text.as_bytes())?;
    if matches!(args.format, Format::Text) {
        let path = summary.path.display();
        writeln!(o)?;
        writeln!(
            o,
            "Bundle: {path} ({} bytes, {} entries, {} logs, {} errors)",
            summary.size,
            summary.entries,
            summary.logs,
            summary.errors.len()
        )?;
        writeln!(o, "Try next:")?;
        writeln!(o, "  kbundle inspect {path}")?;
        writeln!(o, "  kbundle analyze {path} --format markdown")?;
        writeln!(
            o,
            "  kbundle serve {path} --kubeconfig-out /tmp/kbundle-demo.kubeconfig   # then, in another shell:"
        )?;
        writeln!(
            o,
            "  kubectl --kubeconfig /tmp/kbundle-demo.kubeconfig describe pod -n calico-system -l k8s-app=calico-kube-controllers"
        )?;
    }
    o.flush()?;
    Ok(ExitCode::SUCCESS)
}
