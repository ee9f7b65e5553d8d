//! Fault injection, to test how callers (the collector, kube-rs code) handle a difficult API
//! server.
//!
//! The textual form (`kbundle serve --faults SPEC`) is a `;`-separated list of:
//!
//! - `forbid=RES[,RES...]`: `403 Forbidden` on every request for these resources (a plural,
//!   optionally qualified by its group: `pods`, `deployments.apps`, `felixconfigurations.crd.projectcalico.org`);
//!   `NS/RES` forbids them in namespace NS and across all namespaces, not in the others
//!   (`calico-system/pods`), as for a user granted RES in the other namespaces only.
//! - `vanish=NS/POD[,NS/POD...]`: the pod's `GET` (and its log) answers `404 NotFound` once a list
//!   has returned it: the pod "was deleted" between the list and the get.
//! - `error-every=N`: every N-th request (1-based, counted over all requests) answers `500`.
//! - `delay=DURATION`: every response waits this long first (`250ms`, `2s`; under an hour;
//!   the duration grammar of every flag, `kbundle_format::units::parse_duration`): a
//!   per-response latency, as a remote API server adds.
//! - `bandwidth=RATE`: every response body, all connections together, goes out at no more than
//!   RATE bytes per second (`12.5MB`, `100MiB`, `1G`, or bytes, with an optional `/s`; the size
//!   grammar of every flag, `kbundle_format::units::parse_size`; under 1 TB/s): one shared
//!   link, as between a client and a remote API server.
//! - `cut-logs=BYTES`: log streams are cut off (the connection is aborted, no clean end of
//!   body) after this many bytes.
//! - `message=TEXT`: appended to the `Status.message` of every `forbid` answer (to test what
//!   callers do with a server's words, e.g. that a credential in them is redacted).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, BodyStream, StreamBody};
use hyper::body::Frame;
use kbundle_format::units::{parse_duration, parse_size};
use tokio::time::Instant;

use crate::api::Body;

/// A fault specification that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault {part:?}: {why}")]
pub struct FaultParseError {
    /// The offending part.
    pub part: String,
    /// Why.
    pub why: String,
}

/// Faults to inject (see the module docs for the textual syntax): [`Faults::parse`], or
/// `Faults::default()` and the fields set one by one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Faults {
    /// Resources answered with `403` (plural or `plural.group`, each optionally after
    /// `namespace/`).
    pub forbid: Vec<String>,
    /// Pods (`namespace`, `name`) whose `GET` answers `404` once a list has returned them.
    pub vanish: Vec<(String, String)>,
    /// Every n-th request answers `500`.
    pub error_every: Option<u64>,
    /// A delay before every response.
    pub delay: Option<Duration>,
    /// Log streams are aborted after this many bytes.
    pub cut_logs_after: Option<u64>,
    /// Bytes per second for all response bodies together (one shared link).
    pub bandwidth: Option<u64>,
    /// Text appended to the message of every `forbid` answer.
    pub message: Option<String>,
}

impl Faults {
    /// Parses the textual form.
    pub fn parse(spec: &str) -> Result<Faults, FaultParseError> {
        let mut faults = Faults::default();
        for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let err = |why: &str| FaultParseError {
                part: part.to_string(),
                why: why.to_string(),
            };
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| err("expected KEY=VALUE"))?;
            let value = value.trim();
            match key.trim() {
                "forbid" => faults.forbid.extend(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from),
                ),
                "vanish" => {
                    for pod in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let (ns, name) = pod
                            .split_once('/')
                            .ok_or_else(|| err("expected NAMESPACE/POD"))?;
                        faults.vanish.push((ns.to_string(), name.to_string()));
                    }
                }
                "error-every" => {
                    let n: u64 = value
                        .parse()
                        .map_err(|_| err("expected a positive integer"))?;
                    if n == 0 {
                        return Err(err("expected a positive integer"));
                    }
                    faults.error_every = Some(n);
                }
                "delay" => {
                    faults.delay = Some(
                        parse_duration(value)
                            .ok()
                            .filter(|d| *d < Duration::from_secs(3600))
                            .ok_or_else(|| err("expected a duration under 1h like 250ms or 2s"))?,
                    )
                }
                "cut-logs" => {
                    faults.cut_logs_after = Some(
                        value
                            .parse()
                            .map_err(|_| err("expected a number of bytes"))?,
                    );
                }
                "bandwidth" => {
                    faults.bandwidth =
                        Some(parse_rate(value).filter(|r| *r > 0).ok_or_else(|| {
                            err("expected bytes per second like 12.5MB or 100MiB")
                        })?);
                }
                "message" => faults.message = Some(value.to_string()),
                _ => {
                    return Err(err(
                        "unknown fault (known: forbid, vanish, error-every, delay, bandwidth, cut-logs, message)",
                    ));
                }
            }
        }
        Ok(faults)
    }

    /// Whether no fault is set.
    pub fn is_empty(&self) -> bool {
        *self == Faults::default()
    }

    /// Whether a request for `plural` of `group` in `namespace` (empty: across all
    /// namespaces, or a cluster-scoped resource) is forbidden.
    pub(crate) fn forbids(&self, group: &str, plural: &str, namespace: &str) -> bool {
        self.forbid.iter().any(|f| {
            let f = match f.split_once('/') {
                Some((ns, f)) if ns == namespace || namespace.is_empty() => f,
                Some(_) => return false,
                None => f,
            };
            match f.split_once('.') {
                Some((p, g)) => p == plural && g == group,
                None => f == plural,
            }
        })
    }
}

/// `12.5MB`, `100MiB`, `1G`, `4096` (bytes); an optional `/s` is accepted.
fn parse_rate(s: &str) -> Option<u64> {
    let s = s.trim();
    let bytes = parse_size(s.strip_suffix("/s").unwrap_or(s)).ok()?;
    // Up to 1 TB/s.
    (bytes < 1_000_000_000_000).then_some(bytes)
}

/// One link shared by every response (the `bandwidth` fault): each piece of a body is sent
/// when the link has carried every piece reserved before it, at `rate` bytes per second.
pub(crate) struct Link {
    rate: u64,
    free_at: Mutex<Instant>,
}

/// The size of the pieces a throttled body is cut into (a few milliseconds of the link at
/// typical rates, so that connections share it fairly).
const PIECE: usize = 16 * 1024;

impl Link {
    pub(crate) fn new(rate: u64) -> Arc<Link> {
        Arc::new(Link {
            rate: rate.max(1),
            free_at: Mutex::new(Instant::now()),
        })
    }

    /// Reserves the link for `len` bytes; returns when they are through.
    async fn carry(&self, len: usize) {
        let done = {
            let mut free_at = match self.free_at.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            let start = (*free_at).max(Instant::now());
            *free_at = start + Duration::from_secs_f64(len as f64 / self.rate as f64);
            *free_at
        };
        tokio::time::sleep_until(done).await;
    }

    /// `body`, cut into pieces that each wait for the link.
    pub(crate) fn throttle(self: &Arc<Link>, body: Body) -> Body {
        let link = Arc::clone(self);
        let pieces = futures::stream::unfold(
            (BodyStream::new(body), Bytes::new()),
            move |(mut frames, mut rest)| {
                let link = Arc::clone(&link);
                async move {
                    use futures::StreamExt;
                    while rest.is_empty() {
                        match frames.next().await? {
                            Ok(frame) => match frame.into_data() {
                                Ok(data) => rest = data,
                                Err(trailers) => return Some((Ok(trailers), (frames, rest))),
                            },
                            Err(e) => return Some((Err(e), (frames, rest))),
                        }
                    }
                    let piece = rest.split_to(rest.len().min(PIECE));
                    link.carry(piece.len()).await;
                    Some((Ok(Frame::data(piece)), (frames, rest)))
                }
            },
        );
        StreamBody::new(pieces).boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        let f = Faults::parse(
            "forbid=secrets,deployments.apps; vanish=kube-system/p1;error-every=3;delay=250ms;cut-logs=100;message=token=abc def",
        );
        assert_eq!(
            f,
            Ok(Faults {
                forbid: vec!["secrets".into(), "deployments.apps".into()],
                vanish: vec![("kube-system".into(), "p1".into())],
                error_every: Some(3),
                delay: Some(Duration::from_millis(250)),
                cut_logs_after: Some(100),
                bandwidth: None,
                message: Some("token=abc def".into()),
            })
        );
        let f = Faults::parse("forbid=secrets,deployments.apps").unwrap_or_default();
        assert!(f.forbids("", "secrets", ""));
        assert!(f.forbids("apps", "deployments", "default"));
        assert!(!f.forbids("extensions", "deployments", ""));
        let f =
            Faults::parse("forbid=calico-system/pods,calico/deployments.apps").unwrap_or_default();
        assert!(f.forbids("", "pods", "calico-system"));
        assert!(!f.forbids("", "pods", "calico"));
        assert!(f.forbids("", "pods", ""), "across all namespaces");
        assert!(f.forbids("apps", "deployments", "calico"));
        assert!(!f.forbids("apps", "deployments", "calico-system"));
        assert_eq!(
            Faults::parse("delay=2s").map(|f| f.delay),
            Ok(Some(Duration::from_secs(2)))
        );
        assert_eq!(Faults::parse(""), Ok(Faults::default()));
        assert!(Faults::parse("error-every=0").is_err());
        assert!(Faults::parse("nope=1").is_err());
        assert!(Faults::parse("vanish=p").is_err());
        assert!(Faults::parse("delay=-1s").is_err());
        assert!(Faults::parse("delay=1h").is_err());
        // The grammar of every duration flag: a bare number is seconds.
        assert_eq!(
            Faults::parse("delay=2").map(|f| f.delay),
            Ok(Some(Duration::from_secs(2)))
        );
        assert!(Faults::parse("forbid").is_err());
        for (spec, rate) in [
            ("bandwidth=12.5MB", 12_500_000),
            ("bandwidth=100MiB/s", 100 << 20),
            ("bandwidth=4096", 4096),
            ("bandwidth=1G", 1_000_000_000),
        ] {
            assert_eq!(
                Faults::parse(spec).map(|f| f.bandwidth),
                Ok(Some(rate)),
                "{spec}"
            );
        }
        for bad in [
            "bandwidth=0",
            "bandwidth=fast",
            "bandwidth=1PB",
            "bandwidth=-1M",
            "bandwidth=1e99",
        ] {
            assert!(Faults::parse(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn bandwidth_keeps_every_byte_and_paces_the_pieces() {
        use http_body_util::Full;
        // 100 KiB at 64 KiB/s on one link: 7 pieces of at most 16 KiB, the last one through
        // after 100/64 s of (paused, auto-advancing) time.
        let data: Vec<u8> = (0..100 * 1024).map(|i| (i % 251) as u8).collect();
        let body: Body = Full::new(Bytes::from(data.clone()))
            .map_err(|e: std::convert::Infallible| match e {})
            .boxed();
        let link = Link::new(64 * 1024);
        let start = Instant::now();
        let mut frames = BodyStream::new(link.throttle(body));
        let mut got = Vec::new();
        let mut pieces = 0;
        while let Some(frame) = futures::StreamExt::next(&mut frames).await {
            let Ok(data) = frame.map(Frame::into_data) else {
                panic!("an error frame");
            };
            let Ok(data) = data else {
                panic!("a trailers frame");
            };
            assert!(data.len() <= PIECE);
            got.extend_from_slice(&data);
            pieces += 1;
        }
        assert_eq!(got, data);
        assert_eq!(pieces, 7);
        let took = start.elapsed().as_secs_f64();
        assert!((took - 100.0 / 64.0).abs() < 0.01, "{took}");
    }
}
