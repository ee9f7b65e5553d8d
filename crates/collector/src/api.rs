//! The HTTP layer: bounded concurrency, per-request timeout, retries of transient failures,
//! the collection deadline, bounded answers (a byte cap per answer, a memory budget for the
//! parsed objects held), and failures classified for the manifest.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http_body_util::BodyExt;
use kbundle_format::json::opt_str_at;
use serde_json::Value;
use tokio::time::Instant;

use crate::pace::{Pace, Slot, retry_after};

/// What [`enc`] leaves as it is: RFC 3986's unreserved characters.
const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a query value or a path segment (UTF-8, every byte but the unreserved
/// characters).
pub(crate) fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}

/// Why a request failed, with the class written to the manifest.
#[derive(Debug, Clone)]
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
    /// No answer: the connection could not be made or broke (its cause kept).
    Connection(String, Arc<kube::Error>),
    /// Anything else: an invalid answer.
    Other(String),
    /// An answer over `--max-response-bytes` (declared or read): a smaller page may fit.
    TooLarge(String),
    /// Over a bound of the whole collection (objects held in memory, objects per list, pages
    /// per list): asking again would not help.
    OverLimit(String),
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
            Failure::TooLarge(_) | Failure::OverLimit(_) => "too-large",
            Failure::Connection(..) | Failure::Other(_) | Failure::Local(_) => "other",
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
            | Failure::TooLarge(m)
            | Failure::OverLimit(m)
            | Failure::Connection(m, _)
            | Failure::Other(m)
            | Failure::Local(m) => m,
        }
    }
    fn transient(&self) -> bool {
        matches!(
            self,
            Failure::Server(_) | Failure::Connection(..) | Failure::Other(_)
        )
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
    /// The cap of one answer's body (`--max-response-bytes`).
    pub max_response_bytes: u64,
    /// The plain-`http://` client was given no credentials (they are sent only over TLS):
    /// a 401 or 403 says so.
    pub credentials_withheld: bool,
}

/// The parsed objects held in memory, at most this many times `--max-response-bytes`
/// (estimated by [`held_estimate`]).
pub(crate) const HELD_PER_RESPONSE_CAP: u64 = 16;

/// Bytes read of an error answer (its `Status` message).
const ERROR_BODY_CAP: u64 = 64 << 10;

/// What a parsed JSON value costs beyond its text, at most: the `Value` and, in an object,
/// the map entry and key it sits in.
const PER_VALUE: u64 = (std::mem::size_of::<Value>() + 48) as u64;

#[derive(Clone)]
pub(crate) struct Api {
    client: kube::Client,
    pace: Arc<Pace>,
    settings: Settings,
    ok: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    /// Estimated bytes of the parsed answers held ([`Api::get_held`]).
    held: Arc<AtomicU64>,
}

const JSON: &str = "application/json";

impl Api {
    pub(crate) fn new(client: kube::Client, settings: Settings) -> Api {
        Api {
            client,
            pace: Arc::new(Pace::new(settings.jobs)),
            settings,
            ok: Arc::new(AtomicU64::new(0)),
            failed: Arc::new(AtomicU64::new(0)),
            held: Arc::new(AtomicU64::new(0)),
        }
    }

    fn max_held(&self) -> u64 {
        self.settings
            .max_response_bytes
            .saturating_mul(HELD_PER_RESPONSE_CAP)
    }

    /// Gives back what [`Api::get_held`] reserved, once its objects are dropped.
    pub(crate) fn release(&self, held: u64) {
        let _ = self
            .held
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |h| {
                Some(h.saturating_sub(held))
            });
    }

    /// Reserves `n` bytes of the held-objects budget, or says why not.
    fn reserve(&self, path: &str, n: u64) -> Result<(), Failure> {
        let max = self.max_held();
        self.held
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |h| {
                h.checked_add(n).filter(|total| *total <= max)
            })
            .map(|_| ())
            .map_err(|held| {
                let mib = |n: u64| n as f64 / f64::from(1 << 20);
                Failure::OverLimit(format!(
                    "GET {path}: its objects (about {:.1} MiB in memory) do not fit in the {:.0} MiB the collection holds ({:.1} MiB held; 16 x --max-response-bytes)",
                    mib(n),
                    mib(max),
                    mib(held)
                ))
            })
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
        let (value, held) = self.get_held_accept(path, accept).await?;
        // Documents read and dropped (version, discovery) are not held for long.
        self.release(held);
        Ok(value)
    }

    /// GET a JSON document that will be kept: its estimated size in memory stays reserved in
    /// the collection's budget until [`Api::release`].
    pub(crate) async fn get_held(&self, path: &str) -> Result<(Value, u64), Failure> {
        self.get_held_accept(path, JSON).await
    }

    async fn get_held_accept(&self, path: &str, accept: &str) -> Result<(Value, u64), Failure> {
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
                self.pace.success();
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

    /// The start of every request: the collection deadline, a place in flight ([`Pace`], held
    /// until the answer is read), the request.
    async fn begin(
        &self,
        path: &str,
        accept: &str,
    ) -> Result<(Slot<'_>, http::Request<kube::client::Body>), Failure> {
        if self.expired() {
            return Err(self.timed_out(path));
        }
        let permit = self
            .pace
            .slot()
            .await
            .map_err(|e| Failure::Other(e.to_string()))?;
        Ok((permit, Self::request(path, accept)?))
    }

    /// One attempt: the answer read under the byte cap, its parsed size reserved, parsed.
    /// The whole attempt (headers and body) has one deadline, whatever the server sends.
    async fn get_once(&self, path: &str, accept: &str) -> Result<(Value, u64), Failure> {
        let (_permit, req) = self.begin(path, accept).await?;
        let work = async {
            let resp = self
                .client
                .send(req)
                .await
                .map_err(|e| connection_failure(path, e))?;
            let status = resp.status();
            if !status.is_success() {
                self.slow_down(status, resp.headers());
                let body = read_capped(path, resp, ERROR_BODY_CAP, false).await;
                return Err(self.status_failure(path, status.as_u16(), &body.unwrap_or_default()));
            }
            let body = read_capped(path, resp, self.settings.max_response_bytes, true).await?;
            let held = held_estimate(&body);
            self.reserve(path, held)?;
            match serde_json::from_slice::<Value>(&body) {
                Ok(v) => Ok((v, held)),
                Err(e) => {
                    self.release(held);
                    Err(Failure::Other(format!("GET {path}: invalid JSON: {e}")))
                }
            }
        };
        match tokio::time::timeout_at(self.timeout_at(), work).await {
            Ok(r) => r,
            Err(_) => Err(self.timed_out(path)),
        }
    }

    /// A 429 or 5xx answer: fewer requests in flight for a while ([`Pace`]).
    fn slow_down(&self, status: http::StatusCode, headers: &http::HeaderMap) {
        if status == http::StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            self.pace.overloaded(retry_after(headers));
        }
    }

    fn status_failure(&self, path: &str, code: u16, body: &[u8]) -> Failure {
        let failure = status_failure(path, code, body);
        match failure {
            Failure::Forbidden(m) if self.settings.credentials_withheld => {
                Failure::Forbidden(format!(
                    "{m} (no credentials were sent: the server address is plain http://, and kbundle, like kubectl, sends them only over https)"
                ))
            }
            f => f,
        }
    }

    /// GET a log, handing its bytes to `sink` as they arrive, up to `max_read` bytes (a
    /// stream that goes on is cut there, [`Failure::TooLarge`]). A stream that breaks after
    /// some bytes is not retried: what was read is kept and the cut reported. (Retries happen
    /// only before the first byte.)
    pub(crate) async fn get_log(
        &self,
        path: &str,
        max_read: u64,
        sink: &mut LogSink<'_>,
    ) -> Result<LogRead, Failure> {
        let mut attempt = 0;
        loop {
            let result = self.log_once(path, max_read, sink).await;
            if let Some(done) = self.settle(result, &mut attempt).await {
                return done;
            }
        }
    }

    async fn log_once(
        &self,
        path: &str,
        max_read: u64,
        sink: &mut LogSink<'_>,
    ) -> Result<LogRead, Failure> {
        let (_permit, req) = self.begin(path, "*/*").await?;
        let resp = match tokio::time::timeout_at(self.timeout_at(), self.client.send(req)).await {
            Err(_) => return Err(self.timed_out(path)),
            Ok(r) => r.map_err(|e| connection_failure(path, e))?,
        };
        let status = resp.status();
        if !status.is_success() {
            self.slow_down(status, resp.headers());
            let read = read_capped(path, resp, ERROR_BODY_CAP, false);
            let bytes = match tokio::time::timeout_at(self.timeout_at(), read).await {
                Ok(Ok(b)) => b,
                _ => Vec::new(),
            };
            return Err(self.status_failure(path, status.as_u16(), &bytes));
        }
        let mut body = resp.into_body();
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
                        if log.total > max_read {
                            log.cut = Some(Failure::TooLarge(format!(
                                "GET {path}: the log goes on past {max_read} bytes; kept the last bytes read, not the end of the log"
                            )));
                            break;
                        }
                    }
                }
            }
        }
        Ok(log)
    }
}

/// Reads an answer's body whole, up to `max` bytes: an answer that declares more
/// (`Content-Length`) is refused before its body is read, one that sends more is cut off there.
/// With `strict`, going over is a [`Failure::TooLarge`]; otherwise the first `max` bytes are
/// returned (an error answer's message).
async fn read_capped(
    path: &str,
    resp: http::Response<kube::client::Body>,
    max: u64,
    strict: bool,
) -> Result<Vec<u8>, Failure> {
    let over = |what: String| {
        Failure::TooLarge(format!(
            "GET {path}: {what}, over --max-response-bytes {max}; not kept"
        ))
    };
    let declared = resp
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if strict && let Some(n) = declared.filter(|n| *n > max) {
        return Err(over(format!("the answer declares {n} bytes")));
    }
    let max_len = usize::try_from(max).unwrap_or(usize::MAX);
    // Never more capacity than the cap, whatever the server declares.
    let mut out: Vec<u8> = Vec::with_capacity(
        declared
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0)
            .min(max_len)
            .min(1 << 20),
    );
    let mut body = resp.into_body();
    while let Some(frame) = body.frame().await {
        let frame =
            frame.map_err(|e| Failure::Other(format!("GET {path}: reading the answer: {e}")))?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let room = max_len - out.len();
        if data.len() > room {
            if !strict {
                out.extend_from_slice(data.get(..room).unwrap_or_default());
                return Ok(out);
            }
            return Err(over(format!(
                "the answer goes on past {} bytes",
                out.len() + room
            )));
        }
        if out.capacity() - out.len() < data.len() {
            // Grow by doubling, never past the cap.
            let want = (out.capacity() * 2)
                .max(out.len() + data.len())
                .min(max_len);
            out.reserve_exact(want - out.len());
        }
        out.extend_from_slice(&data);
    }
    Ok(out)
}

/// The estimated size in memory of a JSON text once parsed: its bytes, plus [`PER_VALUE`]
/// for every value its structure can hold (one per `{`, `[`, `,` and `:` outside strings,
/// plus one). Counted before parsing, so a text of a million empty arrays is refused
/// before it takes a gigabyte.
pub(crate) fn held_estimate(json: &[u8]) -> u64 {
    let mut values: u64 = 1;
    let (mut in_string, mut escaped) = (false, false);
    for &b in json {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else {
            match b {
                b'"' => in_string = true,
                b'{' | b'[' | b',' | b':' => values += 1,
                _ => {}
            }
        }
    }
    json.len() as u64 + values * PER_VALUE
}

fn connection_failure(path: &str, e: kube::Error) -> Failure {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        let s_msg = s.to_string();
        if !msg.contains(&s_msg) {
            msg = format!("{msg}: {s_msg}");
        }
        source = s.source();
    }
    Failure::Connection(
        format!("GET {path}: {}", msg.replace('\n', " ")),
        Arc::new(e),
    )
}

fn status_failure(path: &str, code: u16, body: &[u8]) -> Failure {
    let message = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| opt_str_at(&v, "/message").map(str::to_string))
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

#[cfg(test)]
mod tests {
    use super::{PER_VALUE, held_estimate};
    use proptest::prelude::*;
    use serde_json::Value;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            // Strings full of structure and escapes.
            "[\\[\\]{}:,\"\\\\a-z\\n\\u{1b}]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(5, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-z{\\[\",:\\\\]{0,6}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Values in a parsed document, object keys included.
    fn count(v: &Value) -> u64 {
        match v {
            Value::Array(a) => 1 + a.iter().map(count).sum::<u64>(),
            Value::Object(m) => 1 + m.values().map(|v| 1 + count(v)).sum::<u64>(),
            _ => 1,
        }
    }

    proptest! {
        /// The estimate is never below what parsing makes: one value per value (and key),
        /// compact or pretty.
        #[test]
        fn held_estimate_bounds_every_document(v in json_value()) {
            for text in [serde_json::to_vec(&v).unwrap_or_default(), serde_json::to_vec_pretty(&v).unwrap_or_default()] {
                let values = (held_estimate(&text) - text.len() as u64) / PER_VALUE;
                prop_assert!(values >= count(&v), "{values} < {} for {}", count(&v), String::from_utf8_lossy(&text));
            }
        }

        /// Any bytes: no panic, at least the bytes themselves.
        #[test]
        fn held_estimate_of_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            prop_assert!(held_estimate(&bytes) >= bytes.len() as u64 + PER_VALUE);
        }
    }

    #[test]
    fn encodes_all_but_unreserved() {
        assert_eq!(
            super::enc("k8s-app=calico_kube.x~ a/b,é"),
            "k8s-app%3Dcalico_kube.x~%20a%2Fb%2C%C3%A9"
        );
    }

    #[test]
    fn held_estimate_counts_values_outside_strings() {
        let est = |s: &str| (held_estimate(s.as_bytes()) - s.len() as u64) / PER_VALUE;
        assert_eq!(est("1"), 1);
        assert_eq!(est("[[],[]]"), 5);
        assert_eq!(est(r#"{"a":1,"b":[2]}"#), 6);
        // Structure inside strings, escaped quotes included, is text.
        assert_eq!(est(r#""{[,:]}""#), 1);
        assert_eq!(est(r#"["a\"{,", "\\", 3]"#), 4);
        // A text of empty arrays costs far more than its bytes: it is what the budget sees.
        let arrays = format!("[{}[]]", "[],".repeat(1000));
        assert!(held_estimate(arrays.as_bytes()) > 1000 * PER_VALUE);
    }
}
