//! Pod logs: `/api/v1/namespaces/NS/pods/POD/log`, streamed from the archive.
//!
//! Parameters: `container`, `previous`, `tailLines`, `limitBytes`, `sinceSeconds` and
//! `sinceTime` (relative to the snapshot's reference time, and only effective when the log
//! lines carry timestamps), `timestamps`.
//!
//! Timestamps: a log whose first line starts with an RFC 3339 timestamp and a space (what
//! `kubectl logs --timestamps` and the container runtime write) is taken as timestamped; its
//! timestamps are kept with `timestamps=true` and removed otherwise. A log without them is
//! served as it is in both cases (the server cannot invent them).

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;

use bytes::Bytes;
use kbundle_format::json::{array_at, opt_str_at};
use kbundle_format::{LogRef, Snapshot};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::api::{Reply, State};
use crate::query::Query;
use crate::status::ApiError;

const MAX_LINE: usize = 1 << 20;
const CHUNK: usize = 32 * 1024;

/// What to serve of a log.
#[derive(Debug, Clone, Default)]
struct LogOptions {
    tail: Option<u64>,
    limit_bytes: Option<u64>,
    since: Option<jiff::Timestamp>,
    timestamps: bool,
    cut_after: Option<u64>,
}

fn container_names(pod: &Value, field: &str) -> Vec<String> {
    array_at(pod, &format!("/spec/{field}"))
        .iter()
        .filter_map(|c| opt_str_at(c, "/name").map(String::from))
        .collect()
}

fn positive(q: &Query, key: &str) -> Result<Option<u64>, ApiError> {
    match q.get(key).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n >= 0 => Ok(Some(n.unsigned_abs())),
            _ => Err(ApiError::bad_request(format!(
                "{key}: invalid value {v:?}: must be a non-negative integer"
            ))),
        },
    }
}

/// Answers a log request.
pub(crate) fn serve(
    state: &State,
    namespace: &str,
    pod_name: &str,
    q: &Query,
    cut_after: Option<u64>,
) -> Result<Reply, ApiError> {
    let pod = state
        .index
        .object(&state.snapshot, "", "Pod", namespace, pod_name)
        .map(|o| &o.value);
    let logs = state.index.logs(namespace, pod_name);
    if pod.is_none() && logs.is_empty() {
        return Err(ApiError::not_found("", "pods", pod_name));
    }
    let container = match (q.get("container").filter(|c| !c.is_empty()), pod) {
        (Some(c), Some(pod)) => {
            let known = ["containers", "initContainers", "ephemeralContainers"]
                .iter()
                .any(|f| container_names(pod, f).iter().any(|n| n == c));
            if !known {
                return Err(ApiError::bad_request(format!(
                    "container {c} is not valid for pod {pod_name}"
                )));
            }
            c.to_string()
        }
        (Some(c), None) => c.to_string(),
        (None, Some(pod)) => {
            let names = container_names(pod, "containers");
            match names.as_slice() {
                [one] => one.clone(),
                [] => {
                    return Err(ApiError::bad_request(format!(
                        "a container name must be specified for pod {pod_name}"
                    )));
                }
                _ => {
                    let mut msg = format!(
                        "a container name must be specified for pod {pod_name}, choose one of: [{}]",
                        names.join(" ")
                    );
                    let init = container_names(pod, "initContainers");
                    if !init.is_empty() {
                        msg.push_str(&format!(
                            " or one of the init containers: [{}]",
                            init.join(" ")
                        ));
                    }
                    return Err(ApiError::bad_request(msg));
                }
            }
        }
        (None, None) => {
            let mut names: Vec<String> = logs.iter().filter_map(|l| l.container.clone()).collect();
            names.sort();
            names.dedup();
            match names.as_slice() {
                [one] => one.clone(),
                [] => String::new(),
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "a container name must be specified for pod {pod_name}, choose one of: [{}]",
                        names.join(" ")
                    )));
                }
            }
        }
    };
    let previous = q.flag("previous");
    let found: Option<&LogRef> = logs
        .iter()
        .find(|l| l.previous == previous && l.container.as_deref().is_none_or(|c| c == container));
    let Some(log) = found else {
        if previous {
            return Err(ApiError::bad_request(format!(
                "previous terminated container \"{container}\" in pod \"{pod_name}\" not found"
            )));
        }
        let waiting = pod.and_then(|p| {
            ["containerStatuses", "initContainerStatuses"]
                .iter()
                .find_map(|f| {
                    let status = array_at(p, &format!("/status/{f}"))
                        .iter()
                        .find(|s| opt_str_at(s, "/name") == Some(container.as_str()))?;
                    opt_str_at(status, "/state/waiting/reason").map(String::from)
                })
        });
        return Err(match waiting {
            Some(reason) => ApiError::bad_request(format!(
                "container \"{container}\" in pod \"{pod_name}\" is waiting to start: {reason}"
            )),
            None => ApiError::new(
                404,
                "NotFound",
                format!(
                    "the log of container \"{container}\" in pod \"{namespace}/{pod_name}\" is not in the snapshot"
                ),
            ),
        });
    };

    let now = state.index.now.unwrap_or_else(jiff::Timestamp::now);
    let mut since = None;
    if let Some(secs) = positive(q, "sinceSeconds")? {
        let secs = i64::try_from(secs).unwrap_or(i64::MAX).min(315_576_000_000);
        since = now.checked_sub(jiff::SignedDuration::from_secs(secs)).ok();
    }
    if let Some(t) = q.get("sinceTime").filter(|t| !t.is_empty()) {
        since =
            Some(t.parse::<jiff::Timestamp>().map_err(|e| {
                ApiError::bad_request(format!("sinceTime: invalid value {t:?}: {e}"))
            })?);
    }
    let options = LogOptions {
        tail: positive(q, "tailLines")?,
        limit_bytes: positive(q, "limitBytes")?.filter(|n| *n > 0),
        since,
        timestamps: q.flag("timestamps"),
        cut_after,
    };
    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(4);
    let snapshot: Arc<Snapshot> = state.snapshot.clone();
    let origin = log.origin.clone();
    tokio::task::spawn_blocking(move || {
        let result = produce(&snapshot, &origin, &options, &tx);
        if let Err(e) = result {
            let _ = tx.blocking_send(Err(std::io::Error::other(e)));
        }
    });
    Ok(Reply::Stream {
        code: 200,
        content_type: "text/plain".into(),
        rx,
    })
}

/// Calls `f` with each line (with its newline; lines longer than [`MAX_LINE`] are split).
/// Stops when `f` answers false.
fn for_each_line(
    r: &mut dyn Read,
    f: &mut dyn FnMut(&[u8]) -> std::io::Result<bool>,
) -> std::io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, r);
    let mut line = Vec::new();
    loop {
        let buf = match reader.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            if !line.is_empty() {
                f(&line)?;
            }
            return Ok(());
        }
        match memchr::memchr(b'\n', buf) {
            Some(i) => {
                line.extend_from_slice(buf.get(..=i).unwrap_or(buf));
                reader.consume(i + 1);
                if !f(&line)? {
                    return Ok(());
                }
                line.clear();
            }
            None => {
                let n = buf.len();
                line.extend_from_slice(buf);
                reader.consume(n);
                if line.len() >= MAX_LINE {
                    if !f(&line)? {
                        return Ok(());
                    }
                    line.clear();
                }
            }
        }
    }
}

/// The leading timestamp of a line and the length of the prefix (with its space).
fn leading_timestamp(line: &[u8]) -> Option<(jiff::Timestamp, usize)> {
    let head = line.get(..48).unwrap_or(line);
    let space = memchr::memchr(b' ', head)?;
    let token = std::str::from_utf8(head.get(..space)?).ok()?;
    if !token.contains('T') {
        return None;
    }
    token
        .parse::<jiff::Timestamp>()
        .ok()
        .map(|t| (t, space + 1))
}

/// Decides, line by line, whether a line passes `since`, and what to print of it.
struct LineFilter {
    since: Option<jiff::Timestamp>,
    timestamps: bool,
    timestamped: Option<bool>,
    last_included: bool,
}

impl LineFilter {
    fn new(o: &LogOptions) -> LineFilter {
        LineFilter {
            since: o.since,
            timestamps: o.timestamps,
            timestamped: None,
            last_included: true,
        }
    }

    /// `None`: skip the line; else the bytes to print.
    fn apply<'a>(&mut self, line: &'a [u8]) -> Option<&'a [u8]> {
        let ts = leading_timestamp(line);
        let timestamped = *self.timestamped.get_or_insert(ts.is_some());
        if !timestamped {
            return Some(line);
        }
        let included = match (ts, self.since) {
            (Some((t, _)), Some(since)) => t >= since,
            (None, Some(_)) => self.last_included,
            (_, None) => true,
        };
        self.last_included = included;
        if !included {
            return None;
        }
        match ts {
            Some((_, prefix)) if !self.timestamps => Some(line.get(prefix..).unwrap_or(line)),
            _ => Some(line),
        }
    }
}

fn produce(
    snapshot: &Snapshot,
    origin: &kbundle_format::EntryRef,
    o: &LogOptions,
    tx: &mpsc::Sender<std::io::Result<Bytes>>,
) -> Result<(), String> {
    let skip = match o.tail {
        None => 0,
        Some(tail) => {
            let mut filter = LineFilter::new(o);
            let mut total: u64 = 0;
            snapshot
                .read_with(origin, |r| {
                    for_each_line(r, &mut |line| {
                        if filter.apply(line).is_some() {
                            total += 1;
                        }
                        Ok(true)
                    })
                })
                .map_err(|e| e.to_string())?;
            total.saturating_sub(tail)
        }
    };
    let mut filter = LineFilter::new(o);
    let mut seen: u64 = 0;
    let mut sent: u64 = 0;
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK);
    let send = |buf: &mut Vec<u8>| -> std::io::Result<()> {
        if buf.is_empty() {
            return Ok(());
        }
        tx.blocking_send(Ok(Bytes::from(std::mem::take(buf))))
            .map_err(|_| std::io::Error::other("client went away"))
    };
    let outcome = snapshot.read_with(origin, |r| {
        for_each_line(r, &mut |line| {
            let Some(out) = filter.apply(line) else {
                return Ok(true);
            };
            seen += 1;
            if seen <= skip {
                return Ok(true);
            }
            let mut out = out;
            let mut more = true;
            if let Some(limit) = o.limit_bytes {
                let room = limit.saturating_sub(sent);
                if (out.len() as u64) >= room {
                    let keep = usize::try_from(room).unwrap_or(out.len());
                    out = out.get(..keep).unwrap_or(out);
                    more = false;
                }
            }
            if let Some(cut) = o.cut_after {
                let room = cut.saturating_sub(sent);
                if (out.len() as u64) > room {
                    let keep = usize::try_from(room).unwrap_or(out.len()).min(out.len());
                    buf.extend_from_slice(out.get(..keep).unwrap_or(out));
                    send(&mut buf)?;
                    // Let the bytes reach the client before the connection is aborted.
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    return Err(std::io::Error::other(
                        "log stream cut (fault injected by kbundle serve)",
                    ));
                }
            }
            buf.extend_from_slice(out);
            sent += out.len() as u64;
            if buf.len() >= CHUNK {
                send(&mut buf)?;
            }
            Ok(more)
        })?;
        send(&mut buf)
    });
    outcome.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let line = b"2025-03-14T09:30:00.123456789Z hello\n";
        let (t, n) = leading_timestamp(line).unwrap();
        assert_eq!(t.to_string(), "2025-03-14T09:30:00.123456789Z");
        assert_eq!(&line[n..], b"hello\n");
        assert!(leading_timestamp(b"2025-03-14 09:30:00 [INFO] x\n").is_none());
        assert!(leading_timestamp(b"hello world\n").is_none());
        assert!(leading_timestamp(b"").is_none());
        assert!(leading_timestamp("\u{e9}\u{e9}T x".as_bytes()).is_none());
    }

    #[test]
    fn lines() {
        let mut out = Vec::new();
        let mut r: &[u8] = b"a\nbb\nccc";
        let res = for_each_line(&mut r, &mut |l| {
            out.push(l.to_vec());
            Ok(true)
        });
        assert!(res.is_ok());
        assert_eq!(
            out,
            vec![b"a\n".to_vec(), b"bb\n".to_vec(), b"ccc".to_vec()]
        );
    }
}
