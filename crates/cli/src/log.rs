//! The tool's own diagnostics: `-v` (info), `-vv` (debug), `-vvv` (trace) on stderr, as text or
//! as JSON lines (`--log-format json`), through `tracing`. Only kbundle's own events are shown
//! (the HTTP and TLS libraries' are not), and never an input's text unescaped: fields that
//! come from an input go through [`crate::safe`].

use tracing::Level;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// How log events are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per event.
    #[default]
    Text,
    /// One JSON object per line (timestamp, level, target, fields).
    Json,
}

/// The level shown for a number of `-v`: none (warnings and errors only), info, debug, trace.
fn level(verbose: u8) -> Level {
    match verbose {
        0 => Level::WARN,
        1 => Level::INFO,
        2 => Level::DEBUG,
        _ => Level::TRACE,
    }
}

/// The crates whose events are shown.
const OURS: &[&str] = &[
    "kbundle",
    "kbundle_format",
    "kbundle_analyzer",
    "kbundle_collector",
    "kbundle_server",
    "kbundle_describe",
];

/// Installs the subscriber. With JSON, progress lines are events too (at least info), so
/// that stderr is JSON lines only, but for the final one-line error.
pub fn init(verbose: u8, format: LogFormat) {
    let mut level = level(verbose);
    if format == LogFormat::Json && level < Level::INFO {
        // tracing orders levels from TRACE (most verbose) as the greatest.
        level = Level::INFO;
    }
    let targets = OURS
        .iter()
        .fold(Targets::new(), |t, name| t.with_target(*name, level));
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false);
    let registry = tracing_subscriber::registry().with(targets);
    let _ = match format {
        LogFormat::Text => registry.with(fmt.compact()).try_init(),
        LogFormat::Json => registry.with(fmt.json().flatten_event(true)).try_init(),
    };
    JSON.store(
        format == LogFormat::Json,
        std::sync::atomic::Ordering::Relaxed,
    );
}

static JSON: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether logs are JSON lines (then progress is logged as events, not printed).
pub fn json() -> bool {
    JSON.load(std::sync::atomic::Ordering::Relaxed)
}
