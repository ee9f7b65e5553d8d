//! # kbundle-server
//!
//! Serves a [`Snapshot`] (a support bundle, an archive or a folder of Kubernetes objects) as a
//! read-only Kubernetes API, so that real clients (`kubectl`, k9s, kube-rs) can browse it.
//!
//! What is served: `/version`, discovery (classic and aggregated `apidiscovery.k8s.io/v2`),
//! get, list (label and field selectors, pagination), watch (the current objects as `ADDED`
//! events, then the stream ends), server-side printing (`meta.k8s.io/v1` `Table`), pod logs,
//! and real `Status` errors. Every write verb is refused with `405 MethodNotAllowed`.
//! See `docs/serve.md`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), kbundle_server::Error> {
//! use std::sync::Arc;
//! use kbundle_format::{ReadOptions, Snapshot};
//! use kbundle_server::{ServeOptions, Server};
//!
//! let snapshot = Snapshot::open(std::path::Path::new("bundle.zip"), &ReadOptions::default())?;
//! let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
//! let server = Server::bind(Arc::new(snapshot), addr, ServeOptions::default()).await?;
//! println!("{}", kbundle_server::kubeconfig(server.local_addr()));
//! server.run_until(async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]
#![deny(clippy::indexing_slicing)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

mod api;
mod discovery;
mod faults;
mod guard;
mod index;
mod logs;
mod proto;
mod query;
mod select;
mod status;
mod table;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use kbundle_format::Snapshot;
use tokio::net::TcpListener;

pub use faults::{FaultParseError, Faults};

/// Sets `key` on a JSON object: what `v[key] = value` does, without the panic when `v` is not
/// an object (it is left as it is then).
pub(crate) fn set_field(v: &mut serde_json::Value, key: &str, value: serde_json::Value) {
    if let Some(m) = v.as_object_mut() {
        m.insert(key.to_string(), value);
    }
}

/// Errors of the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Accepting connections failed.
    #[error("cannot accept connections: {0}")]
    Accept(#[source] std::io::Error),
    /// The snapshot could not be read (for callers that open it themselves: `?` on
    /// [`Snapshot::open`] converts).
    #[error("cannot read the snapshot: {0}")]
    Snapshot(#[from] kbundle_format::Error),
}

/// Options of the server: `ServeOptions::default()` and the `with_` setters.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServeOptions {
    /// Faults to inject, to test callers (see [`Faults`]).
    pub faults: Faults,
    /// How long a watch that resumes from a resourceVersion (and so has nothing to send) stays
    /// open before it ends (default one second; `timeoutSeconds` shortens it).
    pub watch_hold: Duration,
    /// The time ages are computed from (AGE columns, `sinceSeconds`); default: the snapshot's
    /// reference time ([`Snapshot::reference_time`]), else the wall clock.
    pub now: Option<jiff::Timestamp>,
    /// Lists whose selection holds at most this many objects are answered whole, in one page,
    /// whatever `limit` the client sent: the API lets a server ignore `limit` ("servers may
    /// choose not to support the limit argument and will return all of the available
    /// results"), and kube-apiserver does so when it answers from its watch cache. It matters
    /// because kubectl pages by 500 and throttles itself to 5 requests a second after a burst
    /// of 10: 10,000 pods in 20 pages take over two seconds of waiting, in one page 0.4 s.
    /// Larger selections are paged at the client's `limit`. 0 honours every `limit`
    /// (default [`ServeOptions::DEFAULT_WHOLE_LIST_MAX`]).
    pub whole_list_max: usize,
    /// Host names, besides the listen address's IP and `localhost`, that requests may name in
    /// `Host` (see the DNS-rebinding check in `docs/serve.md`). Empty by default.
    pub allowed_hosts: Vec<String>,
    /// How long a connection may take to send a request's headers (its first request from
    /// the moment it connects, later ones from the end of the previous): slower connections
    /// are closed (default [`ServeOptions::DEFAULT_HEADER_TIMEOUT`]).
    pub header_timeout: Duration,
    /// Connections open at once; more are closed as soon as they are accepted (default
    /// [`ServeOptions::DEFAULT_MAX_CONNECTIONS`]).
    pub max_connections: usize,
}

impl ServeOptions {
    /// These options with the faults to inject ([`ServeOptions::faults`]).
    pub fn with_faults(mut self, faults: Faults) -> ServeOptions {
        self.faults = faults;
        self
    }

    /// These options with [`ServeOptions::watch_hold`].
    pub fn with_watch_hold(mut self, hold: Duration) -> ServeOptions {
        self.watch_hold = hold;
        self
    }

    /// These options with the time ages are computed from ([`ServeOptions::now`]).
    pub fn with_now(mut self, now: Option<jiff::Timestamp>) -> ServeOptions {
        self.now = now;
        self
    }

    /// These options with [`ServeOptions::whole_list_max`].
    pub fn with_whole_list_max(mut self, max: usize) -> ServeOptions {
        self.whole_list_max = max;
        self
    }

    /// These options with the extra host names requests may name ([`ServeOptions::allowed_hosts`]).
    pub fn with_allowed_hosts<S: Into<String>>(
        mut self,
        hosts: impl IntoIterator<Item = S>,
    ) -> ServeOptions {
        self.allowed_hosts = hosts.into_iter().map(Into::into).collect();
        self
    }

    /// These options with [`ServeOptions::header_timeout`].
    pub fn with_header_timeout(mut self, timeout: Duration) -> ServeOptions {
        self.header_timeout = timeout;
        self
    }

    /// These options with [`ServeOptions::max_connections`].
    pub fn with_max_connections(mut self, max: usize) -> ServeOptions {
        self.max_connections = max;
        self
    }

    /// The default [`ServeOptions::whole_list_max`]: 50,000 objects (the Table of 10,000 small
    /// pods is about 3 MB and takes the server under 0.1 s).
    pub const DEFAULT_WHOLE_LIST_MAX: usize = 50_000;
    /// The default [`ServeOptions::header_timeout`]: 10 seconds.
    pub const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default [`ServeOptions::max_connections`]: 256.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            faults: Faults::default(),
            watch_hold: Duration::from_secs(1),
            now: None,
            whole_list_max: ServeOptions::DEFAULT_WHOLE_LIST_MAX,
            allowed_hosts: Vec::new(),
            header_timeout: ServeOptions::DEFAULT_HEADER_TIMEOUT,
            max_connections: ServeOptions::DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// A bound server, ready to serve. Nothing is served until [`Server::run_until`] runs.
pub struct Server {
    listener: TcpListener,
    addr: SocketAddr,
    state: Arc<api::State>,
    allowed_hosts: Arc<[String]>,
    header_timeout: Duration,
    max_connections: usize,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Indexes the snapshot and binds the address (port 0: any free port).
    pub async fn bind(
        snapshot: Arc<Snapshot>,
        addr: SocketAddr,
        options: ServeOptions,
    ) -> Result<Server, Error> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| Error::Bind { addr, source })?;
        let allowed_hosts = options.allowed_hosts.clone().into();
        let (header_timeout, max_connections) = (options.header_timeout, options.max_connections);
        let state = Arc::new(api::State::new(snapshot, options));
        Ok(Server {
            listener,
            addr,
            state,
            allowed_hosts,
            header_timeout,
            max_connections,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Serves until `shutdown` completes, then stops accepting, lets open requests finish for
    /// up to two seconds and returns.
    ///
    /// Each connection must send its first request's headers within
    /// [`ServeOptions::header_timeout`] (HTTP/1 keeps that bound for later requests), at most
    /// [`ServeOptions::max_connections`] are open at once, and a request whose `Host` does not
    /// name this server is refused with `403 Forbidden` (DNS rebinding).
    pub async fn run_until<F: Future<Output = ()>>(self, shutdown: F) -> Result<(), Error> {
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let mut builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(self.header_timeout);
        let slots = Arc::new(tokio::sync::Semaphore::new(self.max_connections));
        let listen = self.addr.ip();
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => break,
                accepted = self.listener.accept() => {
                    let (stream, _) = match accepted {
                        Ok(x) => x,
                        Err(e) if is_transient(&e) => {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            continue;
                        }
                        Err(e) => return Err(Error::Accept(e)),
                    };
                    // Over the cap: closed at once (the client sees the connection reset).
                    let Ok(slot) = slots.clone().try_acquire_owned() else {
                        drop(stream);
                        continue;
                    };
                    let state = self.state.clone();
                    let allowed = self.allowed_hosts.clone();
                    let first_request = Arc::new(tokio::sync::Notify::new());
                    let seen = first_request.clone();
                    let service = service_fn(move |req| {
                        seen.notify_one();
                        let state = state.clone();
                        let allowed = allowed.clone();
                        async move {
                            let host = guard::requested_host(&req);
                            let reply = if guard::host_allowed(host.as_deref(), listen, &allowed) {
                                state.serve(req).await
                            } else {
                                api::refuse_host(host.as_deref())
                            };
                            Ok::<_, std::convert::Infallible>(reply)
                        }
                    });
                    let conn = builder.serve_connection(TokioIo::new(stream), service).into_owned();
                    let conn = graceful.watch(conn);
                    let header_timeout = self.header_timeout;
                    tokio::spawn(async move {
                        let _slot = slot;
                        tokio::pin!(conn);
                        // The first request's headers in time, or the connection is dropped
                        // (hyper's own timeout starts only once it knows the protocol).
                        tokio::select! {
                            _ = conn.as_mut() => return,
                            first = tokio::time::timeout(header_timeout, first_request.notified()) => {
                                if first.is_err() {
                                    return;
                                }
                            }
                        }
                        let _ = conn.await;
                    });
                }
            }
        }
        drop(self.listener);
        let _ = tokio::time::timeout(Duration::from_secs(2), graceful.shutdown()).await;
        Ok(())
    }

    /// Answers one request without a socket (tests, embedding): the status, the content type
    /// and the whole body.
    pub async fn handle(
        &self,
        method: &str,
        path_and_query: &str,
        accept: &str,
    ) -> (u16, String, Bytes) {
        self.handle_with_body(method, path_and_query, accept, Bytes::new())
            .await
    }

    /// Like [`Server::handle`], with a request body.
    pub async fn handle_with_body(
        &self,
        method: &str,
        path_and_query: &str,
        accept: &str,
        body: Bytes,
    ) -> (u16, String, Bytes) {
        let Ok(req) = hyper::Request::builder()
            .method(method)
            .uri(path_and_query)
            .header(hyper::header::ACCEPT, accept)
            .body(http_body_util::Full::new(body))
        else {
            return (400, String::new(), Bytes::new());
        };
        let resp = self.state.serve(req).await;
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(hyper::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = match resp.into_body().collect().await {
            Ok(b) => b.to_bytes(),
            Err(_) => Bytes::from_static(b"<stream cut>"),
        };
        (status, content_type, body)
    }
}

fn is_transient(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
            | std::io::ErrorKind::Interrupted
            | std::io::ErrorKind::WouldBlock
    ) || e.raw_os_error().is_some_and(|c| c == 24 || c == 23) // EMFILE, ENFILE
}

/// A kubeconfig for a server at `addr`: context, cluster and user named `kbundle`, server
/// `http://ADDR`, no credentials.
pub fn kubeconfig(addr: SocketAddr) -> String {
    let lines = [
        "apiVersion: v1".to_string(),
        "kind: Config".into(),
        "clusters:".into(),
        "- name: kbundle".into(),
        "  cluster:".into(),
        format!("    server: http://{addr}"),
        "contexts:".into(),
        "- name: kbundle".into(),
        "  context:".into(),
        "    cluster: kbundle".into(),
        "    user: kbundle".into(),
        "current-context: kbundle".into(),
        "users:".into(),
        "- name: kbundle".into(),
        "  user: {}".into(),
        "preferences: {}".into(),
    ];
    let mut out = lines.join("\n");
    out.push('\n');
    out
}
