//! One pass over every log, in parallel: what the log rules need, gathered while the bytes
//! stream by, so that no log is read twice and no rule reads a log itself.
//!
//! Each log is scanned once, line by line (bounded line length, lossy UTF-8), by one of a few
//! worker threads (as many as the machine has cores). A scan keeps only what rules use: the
//! lines that carry a known error signature, the last error or fatal line, and the last few
//! non-empty lines (what came just before a crash).

use std::collections::VecDeque;

use jiff::Timestamp;
use kbundle_format::{LogRef, Snapshot};

use crate::text::{Level, parse_line};

/// The last non-empty lines kept of every log.
pub const TAIL: usize = 5;

/// A line with a known error signature.
#[derive(Debug, Clone)]
pub struct Hit {
    /// 1-based line number.
    pub line: u64,
    /// The line's level.
    pub level: Level,
    /// Its time, when it carries one.
    pub time: Option<Timestamp>,
    /// The line, without a `--timestamps` prefix and line end.
    pub text: String,
    /// The signature id (see the `log-error-signature` rule).
    pub signature: &'static str,
}

/// What one pass over a log found.
#[derive(Debug, Clone, Default)]
pub struct LogScan {
    /// Lines with a known error signature, in order.
    pub hits: Vec<Hit>,
    /// The last error or fatal line (number, text).
    pub last_error: Option<(u64, String)>,
    /// The last [`TAIL`] non-empty lines (number, text).
    pub tail: Vec<(u64, String)>,
    /// Why the log could not be read to its end, if it could not.
    pub error: Option<String>,
    /// Lines with a Calico or TLS failure wording (see `rules::wordings`), at any level, one
    /// entry per wording: how many lines, the first and the last.
    pub marks: Vec<Marked>,
}

/// The lines of a log with one wording.
#[derive(Debug, Clone)]
pub struct Marked {
    /// The wording.
    pub(crate) mark: crate::rules::wordings::Mark,
    /// How many lines.
    pub count: u64,
    /// The first line (number, time, text).
    pub first: (u64, Option<Timestamp>, String),
    /// The last line, when there are several.
    pub last: Option<(u64, Option<Timestamp>, String)>,
}

/// Scans one log.
pub fn scan(snapshot: &Snapshot, log: &LogRef, now: Option<Timestamp>) -> LogScan {
    let mut out = LogScan::default();
    let mut tail: VecDeque<(u64, String)> = VecDeque::with_capacity(TAIL + 1);
    let result = snapshot.read_log(log, |r| {
        crate::text::lines(r, |n, line| {
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                return true;
            }
            // Reuse the oldest tail line's buffer: no allocation per line.
            let mut buf = if tail.len() == TAIL {
                tail.pop_front().map(|(_, s)| s).unwrap_or_default()
            } else {
                String::new()
            };
            buf.clear();
            buf.push_str(trimmed);
            tail.push_back((n, buf));
            let p = parse_line(line, now);
            if matches!(p.level, Level::Error | Level::Fatal) {
                out.last_error = Some((n, trimmed.to_string()));
            }
            if let Some(mark) = crate::rules::wordings::mark(p.text) {
                let line = (n, p.time, p.text.to_string());
                match out.marks.iter_mut().find(|m| m.mark == mark) {
                    Some(m) => {
                        m.count += 1;
                        m.last = Some(line);
                    }
                    None => out.marks.push(Marked {
                        mark,
                        count: 1,
                        first: line,
                        last: None,
                    }),
                }
            }
            if let Some(signature) = crate::rules::log_error_signature::classify(p.level, p.text) {
                out.hits.push(Hit {
                    line: n,
                    level: p.level,
                    time: p.time,
                    text: p.text.to_string(),
                    signature,
                });
            }
            true
        })
    });
    if let Err(e) = result {
        out.error = Some(e.to_string());
    }
    out.tail = tail.into();
    out
}

/// Scans every log, in parallel; the result is in the order of `logs`.
pub fn scan_all(snapshot: &Snapshot, logs: &[LogRef], now: Option<Timestamp>) -> Vec<LogScan> {
    kbundle_format::par::map(logs, |log| scan(snapshot, log, now))
}
