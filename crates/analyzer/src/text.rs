//! Log lines: levels and timestamps of the formats calico-kube-controllers writes (Calico's
//! logrus text format and klog, interleaved), and bounded streaming over a log entry.

use std::io::{BufRead, BufReader, Read};
use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;

/// The longest line kept, in bytes (the rest is cut).
pub(crate) const MAX_LINE: usize = 8 * 1024;

/// A log line's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// No level could be read.
    Unknown,
    /// Debug or info.
    Info,
    /// Warning.
    Warning,
    /// Error.
    Error,
    /// Fatal (the process exits).
    Fatal,
}

/// What was read from one line.
#[derive(Debug, Clone)]
pub struct Parsed<'a> {
    /// The level.
    pub level: Level,
    /// The time, when the line carries one with a full date (klog lines take the reference
    /// year).
    pub time: Option<Timestamp>,
    /// The line without the `--timestamps` prefix.
    pub text: &'a str,
}

static LOGFMT: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:^|\s)level=(debug|info|warning|warn|error|fatal|panic)\b|"level"\s*:\s*"(debug|info|warning|warn|error|fatal|panic)""#).ok()
});

fn level_of(word: &str) -> Level {
    match word.to_ascii_lowercase().as_str() {
        "debug" | "info" | "i" => Level::Info,
        "warning" | "warn" | "w" => Level::Warning,
        "error" | "e" => Level::Error,
        "fatal" | "panic" | "f" => Level::Fatal,
        _ => Level::Unknown,
    }
}

/// Reads a line's level and time. klog lines carry no year: they get the reference time's,
/// or the year before when that would put them more than a day after the reference time (a
/// December line read in January).
pub fn parse_line(line: &str, reference: Option<Timestamp>) -> Parsed<'_> {
    let mut text = line.trim_end_matches(['\r', '\n']);
    let mut time = None;
    // `kubectl logs --timestamps`: an RFC 3339 time, a space, the line.
    if let Some((first, rest)) = text.split_once(' ')
        && first.len() >= 20
        && first.as_bytes().get(4) == Some(&b'-')
        && first.contains('T')
        && let Ok(t) = first.parse::<Timestamp>()
    {
        time = Some(t);
        text = rest;
    }
    // The two formats calico-kube-controllers writes, read by hand: this runs on every line of
    // every log. (The tests hold the regular expressions these parsers must agree with.)
    if let Some((level, t)) = fast_calico(text) {
        return Parsed {
            level,
            time: time.or(t),
            text,
        };
    }
    if let Some((level, klog)) = fast_klog(text.as_bytes()) {
        return Parsed {
            level,
            time: time.or_else(|| klog.near(reference?)),
            text,
        };
    }
    if let Some(re) = LOGFMT.as_ref()
        && let Some(c) = re.captures(text)
    {
        let word = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        return Parsed {
            level: level_of(word),
            time,
            text,
        };
    }
    Parsed {
        level: Level::Unknown,
        time,
        text,
    }
}

/// Whether an ASCII line starts with a Calico or klog header of level debug, info or warning:
/// what [`parse_line`] reads the same way, without computing the time.
pub(crate) fn quiet(line: &[u8]) -> bool {
    let mut b = line;
    while let [rest @ .., b'\r' | b'\n'] = b {
        b = rest;
    }
    let level = calico_shape(b)
        .map(|(level, _)| level)
        .or_else(|| fast_klog(b).map(|(level, _)| level));
    matches!(level, Some(Level::Info | Level::Warning))
}

/// The number in `b[range]` if every byte there is an ASCII digit.
fn digits(b: &[u8], range: std::ops::Range<usize>) -> Option<i32> {
    let part = b.get(range)?;
    part.iter().try_fold(0i32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i32::from(c - b'0'))
    })
}

/// A `.fraction` at `b[at..]`: its end and its value in nanoseconds (`None` past nanoseconds,
/// which the RFC 3339 parser refuses too).
fn fraction(b: &[u8], at: usize) -> (usize, Option<i32>) {
    if b.get(at) != Some(&b'.') {
        return (at, Some(0));
    }
    let start = at + 1;
    let mut end = start;
    while b.get(end).is_some_and(u8::is_ascii_digit) {
        end += 1;
    }
    if end == start {
        return (at, None);
    }
    let n = end - start;
    let nanos = (n <= 9)
        .then(|| digits(b, start..end))
        .flatten()
        .and_then(|v| 10i32.checked_pow(9 - n as u32).map(|m| v * m));
    (end, nanos)
}

fn utc(y: i32, mo: i32, d: i32, h: i32, mi: i32, s: i32, nanos: i32) -> Option<Timestamp> {
    // A leap second, as the RFC 3339 parser reads it: the minute's last second.
    let s = if s == 60 { 59 } else { s };
    let dt = jiff::civil::DateTime::new(
        i16::try_from(y).ok()?,
        i8::try_from(mo).ok()?,
        i8::try_from(d).ok()?,
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(s).ok()?,
        nanos,
    )
    .ok()?;
    // Offset arithmetic, not a `Zoned`: this runs on every dated log line.
    jiff::tz::Offset::UTC.to_timestamp(dt).ok()
}

/// `YYYY-MM-DD HH:MM:SS[.frac] [LEVEL]`: Calico's logrus format (the tests' `CALICO` expression).
fn fast_calico(text: &str) -> Option<(Level, Option<Timestamp>)> {
    calico_header(text.as_bytes()).map(|(level, time)| (level, time.at()))
}

/// A Calico header's time, computed only when asked for.
#[derive(Clone, Copy)]
struct CalicoTime([i32; 6], Option<i32>);

impl CalicoTime {
    fn at(self) -> Option<Timestamp> {
        let [y, mo, d, h, mi, s] = self.0;
        self.1.and_then(|n| utc(y, mo, d, h, mi, s, n))
    }
}

/// [`fast_calico`] on bytes, the time not yet computed.
fn calico_header(b: &[u8]) -> Option<(Level, CalicoTime)> {
    let (level, _) = calico_shape(b)?;
    let (y, mo, d) = (digits(b, 0..4)?, digits(b, 5..7)?, digits(b, 8..10)?);
    let (h, mi, s) = (digits(b, 11..13)?, digits(b, 14..16)?, digits(b, 17..19)?);
    let (_, nanos) = fraction(b, 19);
    Some((level, CalicoTime([y, mo, d, h, mi, s], nanos)))
}

/// A Calico header's level and where its time ends, the numbers not read: this runs on every
/// line of every log.
fn calico_shape(b: &[u8]) -> Option<(Level, usize)> {
    let head = b.get(..19)?;
    let mut shaped = true;
    for (c, want) in head.iter().zip(b"0000-00-00 00:00:00") {
        shaped &= if *want == b'0' {
            c.is_ascii_digit()
        } else {
            c == want
        };
    }
    if !shaped {
        return None;
    }
    // A fraction needs a digit (a `.` alone is no time); more than nanoseconds is a header
    // still, without a time.
    let mut end = 19;
    if b.get(end) == Some(&b'.') {
        end += 1;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        if end == 20 {
            return None;
        }
    }
    let rest = b.get(end..)?.strip_prefix(b" [")?;
    let level = [
        (&b"INFO]"[..], Level::Info),
        (b"DEBUG]", Level::Info),
        (b"WARNING]", Level::Warning),
        (b"WARN]", Level::Warning),
        (b"ERROR]", Level::Error),
        (b"FATAL]", Level::Fatal),
        (b"PANIC]", Level::Fatal),
    ]
    .into_iter()
    .find(|(word, _)| rest.starts_with(word))?
    .1;
    Some((level, end))
}

/// A klog header's time without its year: month, day, hour, minute, second, nanoseconds.
#[derive(Clone, Copy)]
struct KlogTime([i32; 5], Option<i32>);

impl KlogTime {
    fn at(self, year: i16) -> Option<Timestamp> {
        let [mo, d, h, mi, s] = self.0;
        self.1
            .and_then(|n| utc(i32::from(year), mo, d, h, mi, s, n))
    }

    /// The time in the reference time's year, or the year before when that would put it more
    /// than a day after the reference time (a December line read in January).
    fn near(self, reference: Timestamp) -> Option<Timestamp> {
        let year = jiff::tz::Offset::UTC.to_datetime(reference).year();
        match self.at(year) {
            Some(t) if reference.duration_until(t) > jiff::SignedDuration::from_hours(24) => {
                self.at(year - 1)
            }
            other => other,
        }
    }
}

/// `[IWEF]MMDD HH:MM:SS[.frac] <spaces>PID `: klog's header (the tests' `KLOG` expression). The
/// time needs a year, which the line does not carry.
fn fast_klog(b: &[u8]) -> Option<(Level, KlogTime)> {
    let level = match b.first()? {
        b'I' => Level::Info,
        b'W' => Level::Warning,
        b'E' => Level::Error,
        b'F' => Level::Fatal,
        _ => return None,
    };
    let (mo, d) = (digits(b, 1..3)?, digits(b, 3..5)?);
    let (h, mi, s) = (digits(b, 6..8)?, digits(b, 9..11)?, digits(b, 12..14)?);
    if b.get(5) != Some(&b' ') || b.get(8) != Some(&b':') || b.get(11) != Some(&b':') {
        return None;
    }
    let (mut i, nanos) = fraction(b, 14);
    if nanos.is_none() && i == 14 {
        return None;
    }
    let spaces = i;
    while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    let pid = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if i == spaces || pid == spaces || i == pid || b.get(i) != Some(&b' ') {
        return None;
    }
    Some((level, KlogTime([mo, d, h, mi, s], nanos)))
}

/// Logs larger than this are not read for their newest time.
const MAX_STAMP_LOG: u64 = 16 << 20;
/// The most log bytes read for their newest time, over all logs.
const MAX_STAMP_TOTAL: u64 = 64 << 20;

/// The newest time a log line carries with its full date (`--timestamps` prefixes, Calico's
/// format; klog's yearless headers do not count), over the snapshot's logs of at most 16 MiB
/// (64 MiB in all): when the input has no other clock, the last thing it saw happening.
pub(crate) fn newest_log_time(snapshot: &kbundle_format::Snapshot) -> Option<Timestamp> {
    let mut budget = MAX_STAMP_TOTAL;
    let mut newest: Option<Timestamp> = None;
    for log in snapshot.logs() {
        if log.size > MAX_STAMP_LOG || log.size > budget {
            continue;
        }
        budget -= log.size;
        let _ = snapshot.read_log(log, |r| {
            lines(r, |_, line| {
                if let Some(t) = parse_line(line, None).time
                    && newest.is_none_or(|n| t > n)
                {
                    newest = Some(t);
                }
                true
            })
        });
    }
    newest
}

/// Streams lines (bounded line length: the rest of a longer line is skipped without being
/// buffered; lossy UTF-8), with 1-based numbers. Stops early when `f` returns false.
pub fn lines(r: &mut dyn Read, mut f: impl FnMut(u64, &str) -> bool) -> std::io::Result<()> {
    let mut reader = BufReader::with_capacity(64 * 1024, r);
    let mut buf = Vec::new();
    let mut n = 0u64;
    loop {
        buf.clear();
        let read = (&mut reader)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut buf)?;
        if read == 0 {
            break;
        }
        if read == MAX_LINE && buf.last() != Some(&b'\n') {
            skip_line(&mut reader)?;
        }
        n += 1;
        // `str::from_utf8` first: most lines are valid, and its check is faster than the
        // lossy conversion's.
        let go = match std::str::from_utf8(&buf) {
            Ok(line) => f(n, line),
            Err(_) => f(n, &String::from_utf8_lossy(&buf)),
        };
        if !go {
            break;
        }
    }
    Ok(())
}

/// The bytes [`blocks`] holds at once.
const BLOCK: usize = 128 * 1024;

/// Streams a log a block at a time, in bounded memory (at most [`BLOCK`] bytes held). Every
/// block is a run of whole lines: each ends with `\n`, except a log's last line without one and
/// the first [`MAX_LINE`] bytes of a longer line, which come alone in a block (the rest of that
/// line is skipped without being held). A line in a block can be longer than [`MAX_LINE`]: a
/// reader of blocks keeps its first `MAX_LINE` bytes, as [`lines`] does.
///
/// On a read error, the lines read whole before it have been given to `f`, as with [`lines`].
pub(crate) fn blocks(r: &mut dyn Read, f: impl FnMut(&[u8])) -> std::io::Result<()> {
    blocks_of(r, BLOCK, f)
}

/// [`blocks`] of `size` bytes (at least twice [`MAX_LINE`]; tests take small ones).
pub(crate) fn blocks_of(
    r: &mut dyn Read,
    size: usize,
    mut f: impl FnMut(&[u8]),
) -> std::io::Result<()> {
    let mut buf = vec![0u8; size.max(2 * MAX_LINE)];
    // `buf[..held]` is the start of a line, with no line end in it; with `cut`, the first
    // `MAX_LINE` bytes of a longer line whose rest is being skipped.
    let mut held = 0;
    let mut cut = false;
    loop {
        let (read, error) = fill(r, buf.get_mut(held..).unwrap_or_default());
        let end = held + read;
        // `fill` stops short of a full buffer only at the end or on an error.
        let at_end = error.is_none() && end < buf.len();
        let data = buf.get(..end).unwrap_or_default();
        let mut from = 0;
        if cut {
            let head = data.get(..MAX_LINE).unwrap_or_default();
            match memchr::memchr(b'\n', data.get(held..).unwrap_or_default()) {
                Some(i) => {
                    f(head);
                    cut = false;
                    from = held + i + 1;
                }
                None => {
                    if let Some(e) = error {
                        return Err(e);
                    }
                    if at_end {
                        f(head);
                        return Ok(());
                    }
                    continue;
                }
            }
        }
        let lines = data.get(from..).unwrap_or_default();
        let whole = memchr::memrchr(b'\n', lines).map_or(0, |i| i + 1);
        let (complete, rest) = lines.split_at_checked(whole).unwrap_or((lines, &[]));
        if !complete.is_empty() {
            f(complete);
        }
        let rest_at = end - rest.len();
        if rest.len() >= MAX_LINE {
            if let Some(e) = error {
                return Err(e);
            }
            if at_end {
                f(rest.get(..MAX_LINE).unwrap_or_default());
                return Ok(());
            }
            buf.copy_within(rest_at..rest_at + MAX_LINE, 0);
            held = MAX_LINE;
            cut = true;
            continue;
        }
        if let Some(e) = error {
            return Err(e);
        }
        if at_end {
            if !rest.is_empty() {
                f(rest);
            }
            return Ok(());
        }
        held = rest.len();
        buf.copy_within(rest_at..end, 0);
    }
}

/// Reads until `buf` is full, the end, or an error: how much was read, and the error.
fn fill(r: &mut dyn Read, buf: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut n = 0;
    while let Some(free) = buf.get_mut(n..).filter(|b| !b.is_empty()) {
        match r.read(free) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (n, Some(e)),
        }
    }
    (n, None)
}

/// Consumes the rest of a line, however long, holding no more than the reader's buffer.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let (found, used) = {
            let chunk = reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok(());
            }
            match memchr::memchr(b'\n', chunk) {
                Some(i) => (true, i + 1),
                None => (false, chunk.len()),
            }
        };
        reader.consume(used);
        if found {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    // The regular expressions the hand-written header parsers must agree with.
    static CALICO: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) \[(DEBUG|INFO|WARNING|WARN|ERROR|FATAL|PANIC)\]").ok()
    });
    static KLOG: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(r"^([IWEF])(\d{2})(\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+\d+ ").ok()
    });

    #[test]
    fn calico_lines() {
        let p = parse_line(
            "2022-05-19 13:33:46.856 [FATAL][1] main.go 118: Failed to initialize Calico datastore error=connection is unauthorized: Unauthorized",
            None,
        );
        assert_eq!(p.level, Level::Fatal);
        assert_eq!(
            p.time.map(|t| t.to_string()).as_deref(),
            Some("2022-05-19T13:33:46.856Z")
        );
    }

    #[test]
    fn klog_lines() {
        let p = parse_line(
            "E1101 07:43:27.007813       1 reflector.go:138] Failed to watch *v1.Pod: Unauthorized",
            "2021-12-01T00:00:00Z".parse().ok(),
        );
        assert_eq!(p.level, Level::Error);
        assert_eq!(
            p.time.map(|t| t.to_string()).as_deref(),
            Some("2021-11-01T07:43:27.007813Z")
        );
        assert_eq!(
            parse_line("W0519 13:33:46.828542 1 x.go:1] hi", None).level,
            Level::Warning
        );
    }

    #[test]
    fn klog_lines_from_last_year() {
        let p = parse_line(
            "E1231 23:59:00.000000       1 x.go:1] boom",
            "2025-01-01T00:10:00Z".parse().ok(),
        );
        assert_eq!(
            p.time.map(|t| t.to_string()).as_deref(),
            Some("2024-12-31T23:59:00Z")
        );
    }

    #[test]
    fn timestamps_prefix_and_unknown() {
        let p = parse_line("2025-03-14T09:00:00.5Z panic: boom", None);
        assert_eq!(p.level, Level::Unknown);
        assert_eq!(p.text, "panic: boom");
        assert!(p.time.is_some());
        assert_eq!(
            parse_line("time=x level=error msg=y", None).level,
            Level::Error
        );
    }

    /// The fast paths give exactly what the regular expressions give.
    #[test]
    fn fast_paths_agree_with_the_expressions() {
        let lines = [
            "2022-05-19 13:33:46.856 [FATAL][1] main.go 118: x",
            "2022-05-19 13:33:46 [INFO][1] main.go 118: x",
            "2022-05-19 13:33:46.1234567890 [ERROR][1] x",
            "2022-05-19 13:33:46. [ERROR][1] x",
            "2022-13-45 13:33:46.1 [WARNING][1] x",
            "2022-05-19 13:33:46.1 [NOTICE][1] x",
            "2022-05-19 13:33:46.1 [INFO x",
            "2022-05-19T13:33:46.1 [INFO] x",
            "E1101 07:43:27.007813       1 reflector.go:138] x",
            "W0519 13:33:46 1 x.go:1] hi",
            "I0519 13:33:46.5\t\t12 x",
            "I0519 13:33:46.5 x.go",
            "I0519 13:33:46.5  12x",
            "F0230 25:61:61.1 1 x",
            "X0519 13:33:46.5 1 x",
            "",
            "2",
            "é",
        ];
        for line in lines {
            agree(line);
        }
    }

    /// Panics unless the fast paths read `line` as the regular expressions do.
    fn agree(line: &str) {
        let fast = (
            fast_calico(line),
            fast_klog(line.as_bytes()).map(|(l, k)| (l, k.at(2021))),
        );
        let slow_calico = CALICO.as_ref().and_then(|re| re.captures(line)).map(|c| {
            (
                level_of(&c[3]),
                format!("{}T{}Z", &c[1], &c[2]).parse::<Timestamp>().ok(),
            )
        });
        let slow_klog = KLOG.as_ref().and_then(|re| re.captures(line)).map(|c| {
            (
                level_of(&c[1]),
                format!("2021-{}-{}T{}Z", &c[2], &c[3], &c[4])
                    .parse::<Timestamp>()
                    .ok(),
            )
        });
        assert_eq!(fast, (slow_calico, slow_klog), "{line:?}");
    }

    /// Mostly `good`, sometimes `bad`.
    fn near(good: &'static str, bad: &'static str) -> impl Strategy<Value = &'static str> {
        prop_oneof![8 => Just(good), 1 => Just(bad)]
    }

    /// Lines that start with a Calico or klog header, or nearly.
    fn header_line() -> impl Strategy<Value = String> {
        let calico = (
            ("[0-9]{4}", near("-", "x"), near("03", "3x")),
            (near(" ", "T"), near("09:31:34", "09:3:34")),
            "(\\.[0-9]{0,11})?",
            near(" [", " "),
            "(DEBUG|INFO|WARNING|WARN|ERROR|FATAL|PANIC|NOTICE|INF|info)",
            near("]", ""),
            ".{0,3}",
        )
            .prop_map(|((y, a, mo), (b, hms), frac, open, word, close, rest)| {
                format!("{y}{a}{mo}-14{b}{hms}{frac}{open}{word}{close}{rest}")
            });
        let klog = (
            "[IWEFX]",
            near("0314", "03x4"),
            near(" ", "\t"),
            "[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,8})?",
            "[ \t]{0,3}",
            "[0-9]{0,3}",
            near(" ", "x"),
            ".{0,3}",
        )
            .prop_map(|(l, md, sp, hms, gap, pid, end, rest)| {
                format!("{l}{md}{sp}{hms}{gap}{pid}{end}{rest}")
            });
        prop_oneof![calico, klog]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Header-like lines, near misses included: the fast paths agree with the expressions.
        #[test]
        fn fast_paths_agree_on_generated_headers(line in header_line()) {
            agree(&line);
        }
    }
}
