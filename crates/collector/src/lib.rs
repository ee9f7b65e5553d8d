//! # kbundle-collector
//!
//! Collects a `kbundle/1` support bundle from a live cluster through a [`kube::Client`]:
//! the target workload's pods (objects, `describe` text, current and previous logs of every
//! container), the nodes they run on, their owners, the events, ConfigMaps, Services and
//! NetworkPolicies of the target namespaces, the admission webhooks that could act on the pods
//! (with their backends), and the Calico configuration found by discovery.
//!
//! Secrets are never read; credentials are redacted from objects and logs before anything is
//! written (the rules of `kbundle-redact`, plus [`Options::redact`]). Logs are bounded per log
//! and by a size budget for the whole zip. Whatever the server sends is bounded too: the
//! bytes of one answer, the objects of one list, the objects held, the bytes read of one log,
//! the time of one request ([`Options::max_response_bytes`], [`Options::max_objects`]). Failures (403, 404, timeouts,
//! cut streams, answers over a bound, names that cannot name a file) are recorded in the
//! manifest and the collection goes on. Credentials go only over TLS ([`client`]). See
//! `docs/collect.md`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use kbundle_collector::{collect, NoProgress, Options, Plan};
//!
//! let (client, withheld) = kbundle_collector::client(kube::Config::infer().await?)?;
//! let plan = Plan::preset_calico_kube_controllers();
//! let options = Options::default()
//!     .with_credentials_withheld(withheld)
//!     .with_max_size(10_000_000);
//! let summary = collect(client, &plan, &options, "bundle.zip".as_ref(), &NoProgress).await?;
//! println!("{} ({} bytes, {} errors)", summary.path.display(), summary.size, summary.errors.len());
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![deny(clippy::indexing_slicing)]

mod api;
mod budget;
mod gather;
mod pace;
mod spill;

mod discovery;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use kbundle_format::manifest::{CollectError, Truncation};
pub use kbundle_redact::RedactionMap;

/// The Calico CRD group.
const CALICO_GROUP: &str = "crd.projectcalico.org";
/// The Tigera operator group.
const OPERATOR_GROUP: &str = "operator.tigera.io";

/// Errors that stop a collection (everything else is recorded in the manifest).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client could not be created from the configuration ([`client`]).
    #[error("cannot create the client")]
    Client(#[source] kube::Error),
    /// The API server could not be reached at all: `GET /version` had no answer.
    #[error("cannot reach the API server")]
    Unreachable(#[source] RequestError),
    /// Every request failed: the first failure, when there is one.
    #[error("nothing could be collected")]
    NothingCollected(#[source] Option<RequestError>),
    /// An option or the plan is invalid.
    #[error("invalid option: {0}")]
    Invalid(String),
    /// A label selector of the plan does not parse.
    #[error("invalid option: label selector {selector:?}")]
    Selector {
        /// The selector.
        selector: String,
        /// Why it does not parse.
        #[source]
        source: kbundle_format::selector::SelectorError,
    },
    /// [`Options::collected_at`] cannot be rounded to the second.
    #[error("invalid option: collected-at")]
    Time(#[source] jiff::Error),
    /// The bundle could not be written.
    #[error(transparent)]
    Write(#[from] kbundle_format::Error),
}

impl Error {
    /// Whether the error is in the caller's options or plan (rather than in the cluster, the
    /// connection or the disk): a usage error.
    pub fn is_invalid_option(&self) -> bool {
        matches!(
            self,
            Error::Invalid(_) | Error::Selector { .. } | Error::Time(_)
        )
    }
}

/// A request that failed, as the manifest records it. Its source, when the request had no
/// answer, is the connection's [`kube::Error`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RequestError {
    /// The class written to the manifest (`forbidden`, `not-found`, `timeout`,
    /// `server-error`, `other`...).
    pub class: String,
    /// What the server (or the connection) said, with the request (`GET /version: ...`).
    pub message: String,
    /// The connection's error, when the request had no answer.
    source: Option<std::sync::Arc<kube::Error>>,
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RequestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<api::Failure> for RequestError {
    fn from(f: api::Failure) -> RequestError {
        let (class, message) = (f.class().to_string(), f.message().to_string());
        let source = match f {
            api::Failure::Connection(_, e) => Some(e),
            _ => None,
        };
        RequestError {
            class,
            message,
            source,
        }
    }
}

impl From<CollectError> for RequestError {
    fn from(e: CollectError) -> RequestError {
        RequestError {
            class: e.class.unwrap_or_default(),
            message: e.message,
            source: None,
        }
    }
}

/// A `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What to collect. Made by its constructors ([`Plan::preset`], [`Plan::namespaces`],
/// [`Plan::all_namespaces`]) and `with_` methods.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Plan {
    /// The preset name, recorded in the manifest.
    pub preset: Option<String>,
    /// The target pods.
    pub target: Target,
    /// Pods of the target namespaces, selected by this label selector and running on a node
    /// that hosts a target pod, whose logs are collected too (as context, trimmed first).
    pub context_selector: Option<String>,
    /// With [`Target::Namespaces`]: every namespace the server lists, besides the named ones
    /// (`kbundle collect -A`).
    pub all_namespaces: bool,
    /// With [`Target::Namespaces`]: only these pods (`NS/NAME`); a named pod not found is an
    /// error in the manifest. Empty: every pod (matching the selector).
    pub pods: Vec<String>,
}

/// How the target pods are found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// A Deployment and its pods, in the first of several candidate namespaces that has them.
    Workload {
        /// The Deployment's name.
        deployment: String,
        /// The label selector of its pods.
        selector: String,
        /// Candidate namespaces, in order.
        namespaces: Vec<String>,
    },
    /// The pods of these namespaces (all, or those matching the selector).
    Namespaces {
        /// The namespaces.
        namespaces: Vec<String>,
        /// A label selector, or every pod.
        selector: Option<String>,
    },
}

/// The presets known to [`Plan::preset`].
pub const PRESETS: &[&str] = &["calico-kube-controllers"];

impl Plan {
    /// The `calico-kube-controllers` preset (the runbook's "Logs and Data to Gather"):
    /// Deployment `calico-kube-controllers`, pods labelled `k8s-app=calico-kube-controllers`,
    /// in `kube-system` (IKS 1.28 and older) or `calico-system` (IKS 1.29 and newer, ROKS).
    /// Add context logs with [`Plan::with_context_logs`] (e.g. `k8s-app=calico-node`).
    pub fn preset_calico_kube_controllers() -> Plan {
        Plan {
            preset: Some("calico-kube-controllers".into()),
            target: Target::Workload {
                deployment: "calico-kube-controllers".into(),
                selector: "k8s-app=calico-kube-controllers".into(),
                namespaces: vec!["kube-system".into(), "calico-system".into()],
            },
            context_selector: None,
            all_namespaces: false,
            pods: Vec::new(),
        }
    }

    /// A preset by name.
    pub fn preset(name: &str) -> Option<Plan> {
        match name {
            "calico-kube-controllers" => Some(Plan::preset_calico_kube_controllers()),
            _ => None,
        }
    }

    /// Every pod of these namespaces.
    pub fn namespaces<I, S>(namespaces: I) -> Plan
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Plan {
            preset: None,
            target: Target::Namespaces {
                namespaces: namespaces.into_iter().map(Into::into).collect(),
                selector: None,
            },
            context_selector: None,
            all_namespaces: false,
            pods: Vec::new(),
        }
    }

    /// The pods of every namespace the server lists (all, or those matching a selector set
    /// with [`Plan::with_selector`]).
    pub fn all_namespaces() -> Plan {
        Plan {
            all_namespaces: true,
            ..Plan::namespaces(Vec::<String>::new())
        }
    }

    /// Restricts a [`Target::Namespaces`] plan to these pods (`NS/NAME`); their namespaces
    /// are added to the plan's.
    pub fn with_pods<I, S>(mut self, pods: I) -> Plan
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.pods = pods.into_iter().map(Into::into).collect();
        if let Target::Namespaces { namespaces, .. } = &mut self.target {
            for ns in self
                .pods
                .iter()
                .filter_map(|p| p.split_once('/').map(|(ns, _)| ns))
            {
                if !namespaces.iter().any(|n| n == ns) {
                    namespaces.push(ns.to_string());
                }
            }
        }
        self
    }

    /// Also collects the logs of the pods of the target namespaces that match `selector` and
    /// run on a node hosting a target pod (context; trimmed before the targets' logs).
    pub fn with_context_logs(mut self, selector: impl Into<String>) -> Plan {
        self.context_selector = Some(selector.into());
        self
    }

    /// Restricts a [`Target::Namespaces`] plan to pods matching `selector`.
    pub fn with_selector(mut self, selector: impl Into<String>) -> Plan {
        if let Target::Namespaces { selector: s, .. } = &mut self.target {
            *s = Some(selector.into());
        }
        self
    }
}

/// How to collect: [`Options::default`], then the `with_` setters (or assign the fields).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Newest bytes kept of each log (default 4 MiB).
    pub max_log_bytes: u64,
    /// Only log lines newer than this (`sinceSeconds`).
    pub since: Option<Duration>,
    /// Budget of the finished zip (default 25 MB); logs are trimmed to fit.
    pub max_size: u64,
    /// Concurrent requests (default 32; fewer while the API server says it is overloaded).
    pub jobs: usize,
    /// Bound of the whole collection (default 5 minutes); what was collected is written.
    pub timeout: Duration,
    /// Bound of one request, or of a pause in a log stream (default 30 s).
    pub request_timeout: Duration,
    /// Retries of transient failures (5xx, 429, connection errors; default 3).
    pub retries: u32,
    /// Cap of one answer's body (default 8 MiB): an answer over it is an error entry, and a
    /// list page over it is asked again in smaller pages. The parsed objects held while
    /// collecting are bounded by 16 times this (their estimated size in memory).
    pub max_response_bytes: u64,
    /// Cap of the objects of one list (one kind, in one namespace or cluster-wide; default
    /// 10,000): a list over it is an error entry, not kept.
    pub max_objects: u64,
    /// Whether the client was made without the kubeconfig's credentials because the server
    /// is plain `http://` (see [`client`]): a 401 or 403 then says so in the manifest.
    pub credentials_withheld: bool,
    /// Extra redaction patterns.
    pub redact: Vec<regex::Regex>,
    /// With a key: each redacted value becomes `[REDACTED:<hash>]`, a keyed hash of the
    /// value (the same value, the same token), and [`Summary::redaction_map`] says where each
    /// token was used. Give a fresh random key per run.
    pub tokenize: Option<[u8; 32]>,
    /// The collection time written to the manifest and used as the describe reference time
    /// (default: now). Pin it to get byte-identical bundles.
    pub collected_at: Option<jiff::Timestamp>,
    /// The kubeconfig context, recorded in the manifest.
    pub context: Option<String>,
    /// The tool version recorded in the manifest.
    pub tool_version: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            max_log_bytes: 4 << 20,
            since: None,
            max_size: 25_000_000,
            jobs: 32,
            timeout: Duration::from_secs(300),
            request_timeout: Duration::from_secs(30),
            retries: 3,
            max_response_bytes: 8 << 20,
            max_objects: 10_000,
            credentials_withheld: false,
            redact: Vec::new(),
            tokenize: None,
            collected_at: None,
            context: None,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

impl Options {
    /// Newest bytes kept of each log ([`Options::max_log_bytes`]).
    pub fn with_max_log_bytes(mut self, max_log_bytes: u64) -> Options {
        self.max_log_bytes = max_log_bytes;
        self
    }

    /// Only log lines newer than this ([`Options::since`]).
    pub fn with_since(mut self, since: Option<Duration>) -> Options {
        self.since = since;
        self
    }

    /// Budget of the finished zip ([`Options::max_size`]).
    pub fn with_max_size(mut self, max_size: u64) -> Options {
        self.max_size = max_size;
        self
    }

    /// Concurrent requests ([`Options::jobs`]).
    pub fn with_jobs(mut self, jobs: usize) -> Options {
        self.jobs = jobs;
        self
    }

    /// Bound of the whole collection ([`Options::timeout`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Options {
        self.timeout = timeout;
        self
    }

    /// Bound of one request, or of a pause in a log stream ([`Options::request_timeout`]).
    pub fn with_request_timeout(mut self, request_timeout: Duration) -> Options {
        self.request_timeout = request_timeout;
        self
    }

    /// Retries of transient failures ([`Options::retries`]).
    pub fn with_retries(mut self, retries: u32) -> Options {
        self.retries = retries;
        self
    }

    /// Cap of one answer's body ([`Options::max_response_bytes`]).
    pub fn with_max_response_bytes(mut self, max_response_bytes: u64) -> Options {
        self.max_response_bytes = max_response_bytes;
        self
    }

    /// Cap of the objects of one list ([`Options::max_objects`]).
    pub fn with_max_objects(mut self, max_objects: u64) -> Options {
        self.max_objects = max_objects;
        self
    }

    /// Whether the client was made without credentials ([`Options::credentials_withheld`], [`client`]).
    pub fn with_credentials_withheld(mut self, credentials_withheld: bool) -> Options {
        self.credentials_withheld = credentials_withheld;
        self
    }

    /// Extra redaction patterns ([`Options::redact`]).
    pub fn with_redact(mut self, redact: Vec<regex::Regex>) -> Options {
        self.redact = redact;
        self
    }

    /// The key of redaction tokens ([`Options::tokenize`]).
    pub fn with_tokenize(mut self, tokenize: Option<[u8; 32]>) -> Options {
        self.tokenize = tokenize;
        self
    }

    /// The collection time ([`Options::collected_at`]).
    pub fn with_collected_at(mut self, collected_at: Option<jiff::Timestamp>) -> Options {
        self.collected_at = collected_at;
        self
    }

    /// The kubeconfig context, recorded in the manifest ([`Options::context`]).
    pub fn with_context(mut self, context: Option<String>) -> Options {
        self.context = context;
        self
    }

    /// The tool version recorded in the manifest ([`Options::tool_version`]).
    pub fn with_tool_version(mut self, tool_version: impl Into<String>) -> Options {
        self.tool_version = tool_version.into();
        self
    }
}

/// A client for `config` that sends credentials only over TLS, as kubectl does: when the
/// server address is plain `http://`, the kubeconfig's token, basic-auth, client certificate,
/// exec or auth-provider plugin and any `Authorization` header are dropped, and requests go
/// without them. Returns the client and whether credentials were dropped (set
/// [`Options::credentials_withheld`] to it).
pub fn client(mut config: kube::Config) -> Result<(kube::Client, bool)> {
    let plain = config.cluster_url.scheme_str() != Some("https");
    let mut withheld = false;
    if plain {
        let a = &config.auth_info;
        withheld = a.token.is_some()
            || a.token_file.is_some()
            || a.username.is_some()
            || a.password.is_some()
            || a.client_certificate.is_some()
            || a.client_certificate_data.is_some()
            || a.client_key.is_some()
            || a.client_key_data.is_some()
            || a.exec.is_some()
            || a.auth_provider.is_some();
        // Impersonation is not a credential: kept.
        config.auth_info = kube::config::AuthInfo {
            impersonate: a.impersonate.clone(),
            impersonate_uid: a.impersonate_uid.clone(),
            impersonate_groups: a.impersonate_groups.clone(),
            impersonate_user_extra: a.impersonate_user_extra.clone(),
            ..kube::config::AuthInfo::default()
        };
        let before = config.headers.len();
        config
            .headers
            .retain(|(name, _)| name != http::header::AUTHORIZATION);
        withheld |= config.headers.len() != before;
        // No CA in the kubeconfig makes kube load the system's trust store (every file of
        // /etc/ssl/certs: a third of a small collect's fixed CPU) for a TLS configuration a
        // plain server never uses (kube's connector passes `http://` through without TLS).
        // An empty trust store instead: nothing to load, and any TLS it were ever asked for
        // would fail verification. Not with a proxy (its own connection may be TLS).
        if config.root_cert.is_none() && config.proxy_url.is_none() {
            config.root_cert = Some(Vec::new());
        }
    }
    Ok((http_client(config).map_err(Error::Client)?, withheld))
}

/// The bytes of a response each connection reads at a time.
///
/// hyper's default grows a connection's read buffer up to about 400 KiB as logs stream in,
/// each step a new allocation above the allocator's mmap threshold (128 KiB, fixed in
/// `crates/cli/src/malloc.rs`): an `mmap`, its page faults and an `munmap`, again and again
/// (a third of a 50-pod collect's page faults, 7% of its CPU, docs/performance.md). A fixed
/// 64 KiB buffer stays on the heap and is reused once the body chunks read into it are
/// consumed (32 KiB: more reads, no faster).
const READ_BUFFER: usize = 64 << 10;

/// kube's client stack (`kube::Client::try_from`), with one change: a fixed read buffer
/// ([`READ_BUFFER`]). The same layers in the same order (base URI, kube's retry on 429, 503
/// and 504 when `default_retry`, authentication, extra headers; connect, read and write
/// timeouts), but for kube's tracing layer, whose events kbundle never shows. A proxy is
/// left to kube (it refuses the schemes this build does not support, with its own error).
fn http_client(config: kube::Config) -> Result<kube::Client, kube::Error> {
    use kube::client::ConfigExt;
    use tower::{BoxError, ServiceBuilder};
    if config.proxy_url.is_some() {
        return kube::Client::try_from(config);
    }
    let mut http = hyper_util::client::legacy::connect::HttpConnector::new();
    http.enforce_http(false);
    let mut connector =
        hyper_timeout::TimeoutConnector::new(config.rustls_https_connector_with_connector(http)?);
    connector.set_connect_timeout(config.connect_timeout);
    connector.set_read_timeout(config.read_timeout);
    connector.set_write_timeout(config.write_timeout);
    connector.set_reset_reader_on_write(config.reset_reader_on_write);
    let http = hyper_util::client::legacy::Builder::new(hyper_util::rt::TokioExecutor::new())
        .http1_read_buf_exact_size(READ_BUFFER)
        .build(connector);
    let retry = config
        .default_retry
        .then(|| tower::retry::RetryLayer::new(kube::client::retry::RetryPolicy::server_retry()));
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(retry)
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .map_err(BoxError::from)
        .service(http);
    Ok(kube::Client::new(service, config.default_namespace))
}

/// Receives progress while collecting (for a progress bar). Every method has a no-op default.
pub trait Progress: Sync {
    /// A new phase starts (`discovery`, `logs`, `writing`...).
    fn phase(&self, _name: &str) {}
    /// One item was collected (or failed).
    fn item(&self, _what: &str) {}
}

/// A [`Progress`] that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;
impl Progress for NoProgress {}

/// What a collection produced.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Summary {
    /// The bundle written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Entries in it (manifest excluded).
    pub entries: usize,
    /// The namespaces collected.
    pub namespaces: Vec<String>,
    /// The workload found (`Deployment/<ns>/<name>`), if the plan has one and it was found.
    pub workload: Option<String>,
    /// Whether the plan has a workload and it was not found anywhere.
    pub workload_missing: bool,
    /// Target and context pods collected.
    pub pods: usize,
    /// Log entries written.
    pub logs: usize,
    /// Node descriptions written.
    pub nodes: usize,
    /// Objects written (items of all lists, plus pod objects).
    pub objects: usize,
    /// What could not be collected (as in the manifest).
    pub errors: Vec<CollectError>,
    /// Entries trimmed, with how.
    pub trimmed: Vec<(String, Truncation)>,
    /// Values redacted.
    pub redactions: u64,
    /// With [`Options::tokenize`]: each token, its rule and where it was used (never written
    /// into the bundle).
    pub redaction_map: RedactionMap,
}

impl Summary {
    /// Whether everything asked for was collected (exit code 0 rather than 3).
    pub fn is_complete(&self) -> bool {
        self.errors.is_empty() && !self.workload_missing
    }
}

/// Collects `plan` through `client` into the bundle `out` (written to `<out>.partial`, renamed
/// when complete).
pub async fn collect(
    client: kube::Client,
    plan: &Plan,
    options: &Options,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Summary> {
    gather::run(client, plan, options, out, progress).await
}

#[cfg(test)]
mod tests {
    use super::client;

    fn config(url: &str) -> kube::Config {
        let mut c = kube::Config::new(url.parse().unwrap_or_default());
        c.auth_info.token = Some("tok".to_string().into());
        c.auth_info.impersonate = Some("someone".into());
        c
    }

    #[tokio::test]
    async fn credentials_only_over_tls() {
        let (_, withheld) = client(config("http://127.0.0.1:1")).unwrap_or_else(|e| panic!("{e}"));
        assert!(withheld);
        let (_, withheld) = client(config("https://127.0.0.1:1")).unwrap_or_else(|e| panic!("{e}"));
        assert!(!withheld);
        let plain = kube::Config::new("http://127.0.0.1:1".parse().unwrap_or_default());
        let (_, withheld) = client(plain).unwrap_or_else(|e| panic!("{e}"));
        assert!(!withheld, "nothing to withhold");
    }
}
