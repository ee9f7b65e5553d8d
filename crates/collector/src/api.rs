//! The HTTP layer: bounded concurrency, per-request timeout, retries of transient failures,
//! the collection deadline, and failures classified for the manifest.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http_body_util::BodyExt;
use serde_json::Value;
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// Why a request failed, with the class written to the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// 401/403.
    Forbidden(String),
    /// 404 (or 410).
    NotFound(String),
    /// 400 and other client errors.
    BadRequest(String),
    /// The request or the whole collection ran out of time.
    Timeout(String),
    /// 5xx or 429 after the retries.
    Server(String),
    /// A stream (a log) ended without a clean end of body.
    StreamCut(String),
    /// Anything else: connection refused, invalid answer.
    Other(String),
    /// A failure on this side (the temporary file of logs): class `other`, not retried.
    Local(String),
}

impl Failure {
    pub(crate) fn class(&self) -> &'static str {
        match self {
            Failure::Forbidden(_) => "forbidden",
            Failure::NotFound(_) => "not-found",
            Failure::BadRequest(_) => "bad-request",
            Failure::Timeout(_) => "timeout",
            Failure::Server(_) => "server-error",
            Failure::StreamCut(_) => "stream-cut",
            Failure::Other(_) | Failure::Local(_) => "other",
        }
    }
    pub(crate) fn message(&self) -> &str {
        match self {
            Failure::Forbidden(m)
            | Failure::NotFound(m)
            | Failure::BadRequest(m)
            | Failure::Timeout(m)
            | Failure::Server(m)
            | Failure::StreamCut(m)
            | Failure::Other(m)
            | Failure::Local(m) => m,
        }
    }
    fn transient(&self) -> bool {
        matches!(self, Failure::Server(_) | Failure::Other(_))
    }
}

/// A log read: how many bytes the stream had, and how it ended.
#[derive(Debug, Default)]
pub(crate) struct LogRead {
    pub total: u64,
    pub cut: Option<Failure>,
}

/// Where a log's bytes go as they arrive.
pub(crate) type LogSink<'a> = dyn FnMut(&[u8]) -> std::io::Result<()> + Send + 'a;

/// Request settings.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub jobs: usize,
    pub request_timeout: Duration,
    pub retries: u32,
    pub deadline: Instant,
}

#[derive(Clone)]
pub(crate) struct Api {
    client: kube::Client,
    permits: Arc<Semaphore>,
    settings: Settings,
    ok: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
}

const JSON: &str = "application/json";

impl Api {
    pub(crate) fn new(client: kube::Client, settings: Settings) -> Api {
        Api {
            client,
            permits: Arc::new(Semaphore::new(settings.jobs.max(1))),
            settings,
            ok: Arc::new(AtomicU64::new(0)),
            failed: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Requests that succeeded so far.
    pub(crate) fn succeeded(&self) -> u64 {
        self.ok.load(Ordering::Relaxed)
    }

    pub(crate) fn expired(&self) -> bool {
        Instant::now() >= self.settings.deadline
    }

    fn request(path: &str, accept: &str) -> Result<http::Request<kube::client::Body>, Failure> {
        http::Request::get(path)
            .header(http::header::ACCEPT, accept)
            .body(kube::client::Body::empty())
            .map_err(|e| Failure::Other(format!("invalid request {path}: {e}")))
    }

    /// GET a JSON document, with retries.
    pub(crate) async fn get_json(&self, path: &str) -> Result<Value, Failure> {
        self.get_json_accept(path, JSON).await
    }

    /// GET a JSON document with the given Accept header, with retries.
    pub(crate) async fn get_json_accept(&self, path: &str, accept: &str) -> Result<Value, Failure> {
        let mut attempt = 0;
        loop {
            let result = self.get_once(path, accept).await;
            if let Some(done) = self.settle(result, &mut attempt).await {
                return done;
            }
        }
    }

    /// What to do with one attempt's result: `None` to try again (after a backoff, for a
    /// transient failure while retries and time remain), else the result, counted.
    async fn settle<T>(
        &self,
        result: Result<T, Failure>,
        attempt: &mut u32,
    ) -> Option<Result<T, Failure>> {
        match result {
            Err(f) if f.transient() && *attempt < self.settings.retries && !self.expired() => {
                *attempt += 1;
                tokio::time::sleep(Duration::from_millis(100 << (*attempt).min(5))).await;
                None
            }
            Ok(v) => {
                self.ok.fetch_add(1, Ordering::Relaxed);
                Some(Ok(v))
            }
            Err(f) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                Some(Err(f))
            }
        }
    }

    fn timeout_at(&self) -> Instant {
        (Instant::now() + self.settings.request_timeout).min(self.settings.deadline)
    }

    fn timed_out(&self, path: &str) -> Failure {
        if self.expired() {
            Failure::Timeout(format!("GET {path}: the collection timeout expired"))
        } else {
            Failure::Timeout(format!(
                "GET {path}: no answer within {}s",
                self.settings.request_timeout.as_secs_f64()
            ))
        }
    }

    /// The start of every request: the collection deadline, a concurrency permit (held until
    /// the answer is read), the request.
    async fn begin(
        &self,
        path: &str,
        accept: &str,
    ) -> Result<(SemaphorePermit<'_>, http::Request<kube::client::Body>), Failure> {
        if self.expired() {
            return Err(self.timed_out(path));
        }
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| Failure::Other(e.to_string()))?;
        Ok((permit, Self::request(path, accept)?))
    }

    async fn get_once(&self, path: &str, accept: &str) -> Result<Value, Failure> {
        let (_permit, req) = self.begin(path, accept).await?;
        let work = async {
            let resp = self
                .client
                .send(req)
                .await
                .map_err(|e| connection_failure(path, &e))?;
            let status = resp.status();
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| Failure::Other(format!("GET {path}: reading the answer: {e}")))?
                .to_bytes();
            if !status.is_success() {
                return Err(status_failure(path, status.as_u16(), &body));
            }
            serde_json::from_slice::<Value>(&body)
                .map_err(|e| Failure::Other(format!("GET {path}: invalid JSON: {e}")))
        };
        match tokio::time::timeout_at(self.timeout_at(), work).await {
            Ok(r) => r,
            Err(_) => Err(self.timed_out(path)),
        }
    }

    /// GET a log, handing its bytes to `sink` as they arrive. A stream that breaks after some
    /// bytes is not retried: what was read is kept and the cut reported. (Retries happen
    /// only before the first byte.)
    pub(crate) async fn get_log(
        &self,
        path: &str,
        sink: &mut LogSink<'_>,
    ) -> Result<LogRead, Failure> {
        let mut attempt = 0;
        loop {
            let result = self.log_once(path, sink).await;
            if let Some(done) = self.settle(result, &mut attempt).await {
                return done;
            }
        }
    }

    async fn log_once(&self, path: &str, sink: &mut LogSink<'_>) -> Result<LogRead, Failure> {
        let (_permit, req) = self.begin(path, "*/*").await?;
        let resp = match tokio::time::timeout_at(self.timeout_at(), self.client.send(req)).await {
            Err(_) => return Err(self.timed_out(path)),
            Ok(r) => r.map_err(|e| connection_failure(path, &e))?,
        };
        let status = resp.status();
        let mut body = resp.into_body();
        if !status.is_success() {
            let bytes = match tokio::time::timeout_at(self.timeout_at(), body.collect()).await {
                Ok(Ok(b)) => b.to_bytes(),
                _ => bytes::Bytes::new(),
            };
            return Err(status_failure(path, status.as_u16(), &bytes));
        }
        let mut log = LogRead::default();
        loop {
            // Idle timeout per chunk; the collection deadline bounds the whole stream.
            let next = tokio::time::timeout_at(self.timeout_at(), body.frame()).await;
            match next {
                Err(_) => {
                    log.cut = Some(self.timed_out(path));
                    break;
                }
                Ok(None) => break,
                Ok(Some(Err(e))) => {
                    log.cut = Some(Failure::StreamCut(format!(
                        "GET {path}: the stream broke after {} bytes: {e}",
                        log.total
                    )));
                    break;
                }
                Ok(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        log.total += data.len() as u64;
                        sink(&data).map_err(|e| {
                            Failure::Local(format!(
                                "GET {path}: cannot keep the log in a temporary file: {e}"
                            ))
                        })?;
                    }
                }
            }
        }
        Ok(log)
    }
}

fn connection_failure(path: &str, e: &kube::Error) -> Failure {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_msg = s.to_string();
        if !msg.contains(&s_msg) {
            msg = format!("{msg}: {s_msg}");
        }
        source = s.source();
    }
    Failure::Other(format!("GET {path}: {}", msg.replace('\n', " ")))
}

fn status_failure(path: &str, code: u16, body: &[u8]) -> Failure {
    let message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| {
            String::from_utf8_lossy(body.get(..200).unwrap_or(body))
                .trim()
                .to_string()
        });
    let text = if message.is_empty() {
        format!("GET {path}: HTTP {code}")
    } else {
        format!("GET {path}: HTTP {code}: {}", message.replace('\n', " "))
    };
    match code {
        401 | 403 => Failure::Forbidden(text),
        404 | 410 => Failure::NotFound(text),
        408 | 504 => Failure::Timeout(text),
        429 | 500..=599 => Failure::Server(text),
        _ => Failure::BadRequest(text),
    }
}
