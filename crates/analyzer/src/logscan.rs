//! One pass over every log, in parallel: what the log rules need, gathered while the bytes
//! stream by, so that no log is read twice and no rule reads a log itself.
//!
//! Each log is scanned once, a block of lines at a time (bounded line length, lossy UTF-8), by
//! one of a few worker threads (as many as the machine has cores). A scan keeps only what rules use: the
//! lines that carry a known error signature, the last error or fatal line, and the last few
//! non-empty lines (what came just before a crash).

use std::borrow::Cow;
use std::collections::VecDeque;

use jiff::Timestamp;
use kbundle_format::{LogRef, Snapshot};

use crate::rules::wordings::Candidates;
use crate::text::{Level, MAX_LINE, parse_line};

/// The last non-empty lines kept of every log.
pub const TAIL: usize = 5;

/// A line with a known error signature.
#[derive(Debug, Clone, PartialEq)]
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
#[derive(Debug, Clone, Default, PartialEq)]
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
#[derive(Debug, Clone, PartialEq)]
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
    let mut scanner = Scanner::new(now);
    let result = snapshot.read_log(log, |r| crate::text::blocks(r, |b| scanner.block(b)));
    scanner.finish(result.err().map(|e| e.to_string()))
}

/// One log's scan, a block of lines at a time. Most lines are info or warning lines of the two
/// formats calico-kube-controllers writes, in ASCII, without a wording: for those, the level is
/// read from the header's fixed positions and nothing else is done (no time, no UTF-8 check of
/// its own, no copy of its own). The wordings are searched once over the whole block ([`Candidates`]). Every other
/// line is read in full, as [`parse_line`] reads it.
struct Scanner {
    now: Option<Timestamp>,
    out: LogScan,
    /// Lines so far.
    lines: u64,
    tail: VecDeque<(u64, String)>,
    candidates: Candidates,
}

impl Scanner {
    fn new(now: Option<Timestamp>) -> Self {
        Scanner {
            now,
            out: LogScan::default(),
            lines: 0,
            tail: VecDeque::with_capacity(TAIL + 1),
            candidates: Candidates::default(),
        }
    }

    /// A block of whole lines (see [`crate::text::blocks`]).
    fn block(&mut self, block: &[u8]) {
        let ascii = block.is_ascii();
        self.candidates.load(block);
        let mut next_candidate = self.candidates.next(block, 0);
        // The block's last non-empty lines: number and range.
        let mut recent = [(0u64, 0usize, 0usize); TAIL];
        let mut kept = 0usize;
        let mut start = 0;
        while start < block.len() {
            let end = memchr::memchr(b'\n', block.get(start..).unwrap_or_default())
                .map_or(block.len(), |i| start + i + 1);
            let line = block
                .get(start..end.min(start + MAX_LINE))
                .unwrap_or_default();
            self.lines += 1;
            let candidate = next_candidate.is_some_and(|c| c < end);
            if candidate {
                next_candidate = self.candidates.next(block, end);
            }
            let line_ascii = ascii || line.is_ascii();
            let plain = !candidate && line_ascii && crate::text::quiet(line);
            if plain || self.line(line, candidate || !line_ascii) {
                if let Some(r) = recent.get_mut(kept % TAIL) {
                    *r = (self.lines, start, start + line.len());
                }
                kept += 1;
            }
            start = end;
        }
        for i in kept.saturating_sub(TAIL)..kept {
            if let Some(&(n, from, to)) = recent.get(i % TAIL) {
                let text = String::from_utf8_lossy(block.get(from..to).unwrap_or_default());
                if self.tail.len() == TAIL {
                    self.tail.pop_front();
                }
                self.tail.push_back((n, text.trim_end().to_string()));
            }
        }
    }

    /// Reads one line in full (its marks only if `may_mark`: ASCII lines without a candidate
    /// have none); whether it is not empty.
    fn line(&mut self, bytes: &[u8], may_mark: bool) -> bool {
        let n = self.lines;
        // `str::from_utf8` first: its check is faster than the lossy conversion's.
        let line = match std::str::from_utf8(bytes) {
            Ok(line) => Cow::Borrowed(line),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            return false;
        }
        let p = parse_line(&line, self.now);
        let out = &mut self.out;
        if matches!(p.level, Level::Error | Level::Fatal) {
            out.last_error = Some((n, trimmed.to_string()));
        }
        if may_mark && let Some(mark) = crate::rules::wordings::mark(p.text) {
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
    }

    fn finish(mut self, error: Option<String>) -> LogScan {
        self.out.error = error;
        self.out.tail = self.tail.into();
        self.out
    }
}

/// Scans every log; the result is in the order of `logs`. Logs of a compressed tar, whose
/// entries are read by decompressing its one stream in order, are scanned one after another in
/// the container's order, each decompressed on this thread while another scans it: one pass
/// over the stream (a second thread reading another entry at the same time would decompress
/// the stream again from its start). The others are scanned in parallel.
pub fn scan_all(snapshot: &Snapshot, logs: &[LogRef], now: Option<Timestamp>) -> Vec<LogScan> {
    let streamed = |log: &LogRef| {
        snapshot
            .inputs()
            .get(log.origin.input)
            .is_some_and(|i| i.archive.kind().is_compressed_tar())
    };
    let (mut in_stream, apart): (Vec<usize>, Vec<usize>) =
        (0..logs.len()).partition(|&i| logs.get(i).is_some_and(streamed));
    let mut out: Vec<LogScan> = vec![LogScan::default(); logs.len()];
    let scans = kbundle_format::par::map(&apart, |&i| {
        logs.get(i)
            .map(|log| scan(snapshot, log, now))
            .unwrap_or_default()
    });
    for (i, s) in apart.into_iter().zip(scans) {
        if let Some(slot) = out.get_mut(i) {
            *slot = s;
        }
    }
    // The container's order: each input's entries are listed in it.
    let mut order: std::collections::HashMap<(usize, &str), usize> = Default::default();
    for (n, input) in snapshot.inputs().iter().enumerate() {
        if input.archive.kind().is_compressed_tar() {
            for (at, entry) in input.archive.entries().iter().enumerate() {
                order.insert((n, entry.path.as_str()), at);
            }
        }
    }
    in_stream.sort_by_key(|&i| {
        logs.get(i).map(|log| {
            let at = order.get(&(log.origin.input, log.origin.path.as_str()));
            (
                log.origin.input,
                at.copied(),
                log.range.as_ref().map(|r| r.start),
            )
        })
    });
    for i in in_stream {
        if let (Some(log), Some(slot)) = (logs.get(i), out.get_mut(i)) {
            *slot = if log.size >= BESIDE_MIN {
                scan_beside(snapshot, log, now)
            } else {
                scan(snapshot, log, now)
            };
        }
    }
    out
}

/// The smallest log of a compressed tar scanned on a thread of its own (a thread per small log
/// would cost more than it saves).
const BESIDE_MIN: u64 = 256 << 10;

/// [`scan`], the log read (decompressed) on this thread and scanned on another, a few blocks
/// apart.
fn scan_beside(snapshot: &Snapshot, log: &LogRef, now: Option<Timestamp>) -> LogScan {
    use std::sync::mpsc;
    let mut scanner = Scanner::new(now);
    let (full, to_scan) = mpsc::sync_channel::<Vec<u8>>(2);
    let (done, reuse) = mpsc::channel::<Vec<u8>>();
    std::thread::scope(|s| {
        let scanning = s.spawn(move || {
            for block in to_scan {
                scanner.block(&block);
                // The reader may have finished: then the buffer is dropped.
                let _ = done.send(block);
            }
            scanner
        });
        let result = snapshot.read_log(log, |r| {
            crate::text::blocks(r, |b| {
                let mut block = reuse.try_recv().unwrap_or_default();
                block.clear();
                block.extend_from_slice(b);
                // Fails only if the scanning thread is gone, which `join` reports below.
                let _ = full.send(block);
            })
        });
        drop(full);
        match scanning.join() {
            Ok(scanner) => scanner.finish(result.err().map(|e| e.to_string())),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use proptest::prelude::*;

    use super::*;

    /// The scan as first written, a line at a time (every line split, UTF-8 checked, parsed
    /// and searched for wordings): the reference the block scan must agree with.
    fn scan_by_line(r: &mut dyn Read, now: Option<Timestamp>) -> LogScan {
        let mut out = LogScan::default();
        let mut tail: VecDeque<(u64, String)> = VecDeque::with_capacity(TAIL + 1);
        let result = crate::text::lines(r, |n, line| {
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                return true;
            }
            if tail.len() == TAIL {
                tail.pop_front();
            }
            tail.push_back((n, trimmed.to_string()));
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
        });
        if let Err(e) = result {
            out.error = Some(e.to_string());
        }
        out.tail = tail.into();
        out
    }

    fn scan_by_block(r: &mut dyn Read, block: usize, now: Option<Timestamp>) -> LogScan {
        let mut scanner = Scanner::new(now);
        let result = crate::text::blocks_of(r, block, |b| scanner.block(b));
        scanner.finish(result.err().map(|e| e.to_string()))
    }

    /// Gives `data` a few bytes per read, and an error after `fail_at` bytes if set.
    struct Pieces {
        data: Vec<u8>,
        at: usize,
        step: usize,
        fail_at: Option<usize>,
    }

    impl Read for Pieces {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let mut end = (self.at + self.step).min(self.data.len());
            if let Some(f) = self.fail_at {
                if self.at >= f {
                    return Err(std::io::Error::other("broken entry"));
                }
                end = end.min(f);
            }
            let n = (end - self.at).min(buf.len());
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    const WORDS: &[&str] = &[
        "x509: certificate has expired or is not yet valid",
        "pools are likely exhausted",
        "Garbage collecting leaked IP address",
        "Confirmed IP leak",
        "BGP not established with",
        "felix is not ready",
        "Error getting cluster information config",
        "error getting ClusterInformation",
        "Failed to initialize Calico datastore",
        "Failed to reach apiserver",
        "context deadline exceeded",
        "i/o timeout",
        "dial tcp 10.0.0.1:443: connect: connection refused",
        "panic: boom",
        "Unauthorized",
        "fatal error: x",
    ];

    /// A line: a header of either format (or another, or none), then pieces: wordings in any
    /// case (or with a letter that case folding turns into ASCII), signatures, non-ASCII
    /// letters, whitespace, invalid UTF-8, and fillers that take it near or past 8 KiB.
    fn line() -> impl Strategy<Value = Vec<u8>> {
        let header = prop_oneof![
            Just(String::new()),
            (
                "(DEBUG|INFO|WARNING|WARN|ERROR|FATAL|PANIC|NOTICE)",
                "(|\\.|\\.5|\\.500|\\.1234567890)",
            )
                .prop_map(|(l, f)| format!("2025-03-14 09:31:34{f} [{l}][1] x.go 1: ")),
            "[IWEFX]".prop_map(|l| format!("{l}0314 09:31:34.500000       1 x.go:1] ")),
            "(INFO|ERROR)"
                .prop_map(|l| format!("2025-03-14T09:31:34.5Z 2025-03-14 09:31:34.5 [{l}] ")),
            Just("2025-03-14T09:31:35Z ".to_string()),
            Just("time=x level=error msg=".to_string()),
            Just("2025-13-45 99:31:34.5 [INFO] ".to_string()),
        ];
        let piece = prop_oneof![
            (0..WORDS.len(), 0..4u8).prop_map(|(i, case)| {
                let w = WORDS[i];
                match case {
                    0 => w.to_string(),
                    1 => w.to_ascii_uppercase(),
                    2 => w.to_ascii_lowercase(),
                    // What `(?i)` folds to `s` and `k`: not ASCII, no candidate, yet a wording.
                    _ => w.replacen('s', "\u{17f}", 1).replacen('k', "\u{212a}", 1),
                }
                .into_bytes()
            }),
            "[a-z =:\\[\\]]{0,12}".prop_map(String::into_bytes),
            prop_oneof![
                Just("é"),
                Just("\u{17f}"),
                Just("\u{212a}"),
                Just("\u{3000}"),
                Just(" "),
                Just("\t"),
                Just("\r"),
                Just("\u{b}"),
            ]
            .prop_map(|s| s.as_bytes().to_vec()),
            prop_oneof![Just(&b"\xff"[..]), Just(&b"\xe2\x82"[..])].prop_map(<[u8]>::to_vec),
            (8100usize..8250).prop_map(|n| vec![b'a'; n]),
            (16_000usize..40_000).prop_map(|n| vec![b'b'; n]),
        ];
        (
            header,
            proptest::collection::vec(piece, 0..5),
            any::<bool>(),
        )
            .prop_map(|(header, pieces, crlf)| {
                let mut line = header.into_bytes();
                for p in pieces {
                    line.extend(p);
                }
                if crlf {
                    line.push(b'\r');
                }
                line
            })
    }

    fn log() -> impl Strategy<Value = Vec<u8>> {
        (
            proptest::collection::vec(prop_oneof![4 => line(), 1 => Just(Vec::new())], 0..120),
            any::<bool>(),
        )
            .prop_map(|(lines, last_newline)| {
                let mut log = lines.join(&b"\n"[..]);
                if last_newline {
                    log.push(b'\n');
                }
                log
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The block scan finds exactly what the line-by-line scan finds: whatever the lines,
        /// where the blocks end, how the reader splits its reads, and where it fails.
        #[test]
        fn blocks_agree_with_lines(
            log in log(),
            block in 16_384usize..40_000,
            step in 1usize..70_000,
            fail in proptest::option::of(any::<prop::sample::Index>()),
            dated in any::<bool>(),
        ) {
            let now = dated.then(|| "2025-03-14T10:00:00Z".parse::<Timestamp>().ok()).flatten();
            let fail_at = fail.map(|i| i.index(log.len() + 1));
            let reader = || Pieces { data: log.clone(), at: 0, step, fail_at };
            let want = scan_by_line(&mut reader(), now);
            let got = scan_by_block(&mut reader(), block, now);
            prop_assert_eq!(got, want);
        }
    }

    /// Logs of a tar.gz, scanned in the container's order beside their decompression, give
    /// what scanning each on its own gives.
    #[test]
    fn a_compressed_tar_scanned_in_order() {
        use kbundle_testkit::hostile::{gzip_stored, tar_end, tar_entry};
        let log = |n: usize| {
            let mut text = String::new();
            for i in 0..6000 {
                text.push_str(&format!(
                    "2025-03-14 09:31:{:02}.500 [INFO][1] x.go 1: line {i} of log {n}\n",
                    i % 60
                ));
            }
            text.push_str("2025-03-14 09:32:00.000 [ERROR][1] x.go 2: Failed to reach apiserver: i/o timeout\n");
            text
        };
        let mut tar = Vec::new();
        // Over the size kept in memory at open (each is read from the stream), and scanned
        // beside its decompression.
        for (n, pod) in ["c", "a", "b"].iter().enumerate() {
            let path = format!("logs/calico-system/{pod}/calico-kube-controllers.log");
            tar_entry(&mut tar, path.as_bytes(), b'0', log(n).as_bytes(), b"");
        }
        tar_end(&mut tar);
        let path = std::env::temp_dir().join(format!(
            "kbundle-logscan-{}-{:?}.tar.gz",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::write(&path, gzip_stored(&tar)).unwrap();
        let snapshot = Snapshot::open(&path, &kbundle_format::ReadOptions::default());
        let _ = std::fs::remove_file(&path);
        let snapshot = snapshot.unwrap();
        let logs = snapshot.logs();
        assert_eq!(logs.len(), 3);
        assert!(logs.iter().all(|l| l.size >= BESIDE_MIN));
        let now = "2025-03-14T10:00:00Z".parse().ok();
        let alone: Vec<LogScan> = logs.iter().map(|l| scan(&snapshot, l, now)).collect();
        let all = scan_all(&snapshot, logs, now);
        assert_eq!(all, alone);
        for s in &all {
            assert_eq!(s.error, None);
            assert_eq!(s.hits.len(), 1);
            assert_eq!(s.hits[0].line, 6001);
            assert_eq!(s.tail.len(), TAIL);
        }
    }

    #[test]
    fn a_long_line_across_blocks_is_cut_and_skipped() {
        let mut log = b"2025-03-14 09:31:34.500 [INFO][1] x.go 1: ".to_vec();
        log.extend(vec![b'z'; 100_000]);
        log.extend(b" Failed to reach apiserver: i/o timeout\n2025-03-14 09:31:35.000 [ERROR][1] x.go 2: i/o timeout\n");
        let scan = scan_by_block(&mut &log[..], 16_384, None);
        assert_eq!(scan, scan_by_line(&mut &log[..], None));
        assert!(scan.marks.is_empty());
        assert_eq!(scan.hits.len(), 1);
        assert_eq!(scan.hits[0].line, 2);
        assert_eq!(scan.tail[0].1.len(), crate::text::MAX_LINE);
    }
}
