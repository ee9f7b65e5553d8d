//! The bundle written from what the phases collected: every entry redacted, the logs fitted
//! to the size budget, the entries compressed on every core and written in path order, the
//! manifest last.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use kbundle_format::manifest::{CollectError, Manifest, Redaction, Truncation};
use kbundle_format::{BundleWriter, MANIFEST_PATH, PreparedEntry};
use kbundle_redact::{Counts, Mark, Redactor};
use serde_json::{Value, json};

use super::targets::{Targets, Workload};
use super::{Store, shown};
use crate::budget::{self, Tier};
use crate::spill::{self, Buffers, Finished, Spill, Spilled};
use crate::{Options, Result, Summary};

/// A collected log.
pub(super) struct LogFile {
    pub kept: Kept,
    /// The bytes the server sent.
    pub original: u64,
    /// Its place in the order of trimming.
    pub tier: Tier,
}

/// Where a collected log's newest bytes are.
pub(super) enum Kept {
    /// In the spill file, as the server sent them.
    Spilled(Spilled),
    /// Redacted and compressed as it arrived (a small log): only its entry is kept.
    Arrived(Arrived),
}

/// A log of at most this many bytes (as kept, before redaction) is small: redacted whole
/// before the size budget trims it, so a trimmed small log keeps the newest bytes of its
/// redacted text, and its counts are those of the marks left. A longer log is trimmed first
/// and what it keeps is redacted. Which way a log goes depends on its size only, never on
/// where its bytes were kept, so a bundle does not depend on the order logs arrived in.
const SMALL: u64 = spill::WHOLE as u64;

/// A small log redacted whole: its counts, where its marks are (to count what a trimmed
/// tail keeps), and the redacted text's length.
#[derive(Clone)]
struct Marked {
    counts: Counts,
    marks: Vec<Mark>,
    len: u64,
}

impl Marked {
    /// The counts of the redacted text's tail `kept`.
    fn of_tail(&self, kept: &[u8]) -> Counts {
        let from = usize::try_from(self.len.saturating_sub(kept.len() as u64)).unwrap_or(0);
        self.counts.of_tail(kept, &self.marks, from)
    }

    /// `entry`, made of the whole redacted text, with its counts.
    fn whole(&self, entry: Result<PreparedEntry, String>) -> PreparedLog {
        PreparedLog {
            kept: self.len,
            entry,
            counts: self.counts.clone(),
        }
    }
}

/// Redacts a small log's kept bytes whole (borrowed when nothing is redacted: most logs, and
/// a copy of each was a fresh 256 KiB `mmap` and its page faults).
fn redact_small<'a>(redactor: &Redactor, kept: &'a [u8]) -> (Cow<'a, [u8]>, Marked) {
    let (mut counts, mut marks) = (Counts::new(), Vec::new());
    let text = redact_log(redactor, kept, &mut counts, &mut marks);
    let len = text.len() as u64;
    (text, Marked { counts, marks, len })
}

/// The newest `n` bytes of `text` (all of it if it has fewer).
fn newest(text: &[u8], n: u64) -> &[u8] {
    let from = text
        .len()
        .saturating_sub(usize::try_from(n).unwrap_or(usize::MAX));
    text.get(from..).unwrap_or_default()
}

/// A small log's entry made as it arrived, with what trimming it needs.
pub(super) struct Arrived {
    entry: Result<PreparedEntry, String>,
    marked: Marked,
}

impl Arrived {
    /// Redacts and compresses a small log's kept bytes.
    fn new(redactor: &Redactor, path: &str, kept: &[u8]) -> Arrived {
        let (text, marked) = redact_small(redactor, kept);
        Arrived {
            entry: PreparedEntry::new(path, &text).map_err(|e| e.to_string()),
            marked,
        }
    }

    /// Its entry, whole.
    fn prepared(&self) -> PreparedLog {
        self.marked.whole(self.entry.clone())
    }

    /// Its entry, whole, and its marks (the entry not copied).
    fn into_parts(self) -> (PreparedLog, Marked) {
        (self.marked.whole(self.entry), self.marked)
    }
}

/// Makes small logs' entries as they arrive, on worker threads beside the requests (one per
/// core, started on first use, ended when this is dropped): the raw bytes are never written to
/// the spill file and read back. Bounded: [`Arrivals::SLOTS`] logs handed to the workers at a
/// time (past that, the receiving task makes the entry itself), and [`Arrivals::HELD`]
/// compressed bytes held (past that, a log is spilled as it is: the same bundle, see
/// [`SMALL`]).
pub(super) struct Arrivals {
    slots: tokio::sync::Semaphore,
    held: std::sync::atomic::AtomicU64,
    workers: Mutex<Option<std::sync::mpsc::Sender<Job>>>,
}

/// A log to prepare, and where its entry goes (with the buffer, for reuse).
type Job = (
    Redactor,
    String,
    Vec<u8>,
    tokio::sync::oneshot::Sender<(Arrived, Vec<u8>)>,
);

impl Arrivals {
    /// The compressed bytes of arrived entries held in memory at most.
    const HELD: u64 = 64 << 20;
    /// Logs handed to the workers at once, at least (two per core on more than eight cores):
    /// with fewer, on a fast server, the task that received a log made its entry itself
    /// more often, and the requests waited (200 pods on 2 cores: 0.51 s with 2, 0.38 s with
    /// 16, 0.37 s with 32). Each holds its log's bytes, at most [`spill::WHOLE`].
    const SLOTS: usize = 16;

    pub(super) fn new() -> Arrivals {
        Arrivals {
            slots: tokio::sync::Semaphore::new(Self::SLOTS.max(2 * kbundle_format::par::cores())),
            held: std::sync::atomic::AtomicU64::new(0),
            workers: Mutex::new(None),
        }
    }

    /// The workers' queue, the workers started if they are not yet.
    fn queue(&self) -> Option<std::sync::mpsc::Sender<Job>> {
        let mut workers = self.workers.lock().ok()?;
        if workers.is_none() {
            let (tx, rx) = std::sync::mpsc::channel::<Job>();
            let rx = std::sync::Arc::new(Mutex::new(rx));
            for _ in 0..kbundle_format::par::cores() {
                let rx = rx.clone();
                let started = std::thread::Builder::new()
                    .name("kbundle-logs".into())
                    .spawn(move || {
                        loop {
                            let job = match rx.lock() {
                                Ok(rx) => rx.recv(),
                                Err(_) => return,
                            };
                            let Ok((redactor, path, bytes, done)) = job else {
                                return;
                            };
                            let arrived = Arrived::new(&redactor, &path, &bytes);
                            let _ = done.send((arrived, bytes));
                        }
                    });
                if started.is_err() {
                    return None;
                }
            }
            *workers = Some(tx);
        }
        workers.clone()
    }

    /// Keeps a finished log: a whole one is redacted and compressed now if a slot is free.
    pub(super) async fn keep(
        &self,
        finished: Finished,
        spill: &Spill,
        redactor: &Redactor,
        path: &str,
    ) -> std::io::Result<Kept> {
        use std::sync::atomic::Ordering::Relaxed;
        let bytes = match finished {
            Finished::Whole(bytes) if self.held.load(Relaxed) < Self::HELD => bytes,
            f => return f.spill(spill).map(Kept::Spilled),
        };
        let (arrived, bytes) = match (self.slots.try_acquire(), self.queue()) {
            (Ok(_slot), Some(queue)) => {
                let (done, made) = tokio::sync::oneshot::channel();
                queue
                    .send((redactor.clone(), path.to_string(), bytes, done))
                    .map_err(|_| std::io::Error::other("the log workers are gone"))?;
                made.await
                    .map_err(|_| std::io::Error::other("a log worker failed"))?
            }
            // Every worker busy: this task does it (a few milliseconds).
            _ => (Arrived::new(redactor, path, &bytes), bytes),
        };
        spill.give(bytes);
        let size = arrived
            .entry
            .as_ref()
            .map_or(0, PreparedEntry::compressed_len);
        self.held.fetch_add(size, Relaxed);
        Ok(Kept::Arrived(arrived))
    }
}

/// What a collection gathered, to be written.
pub(super) struct Collected<'a> {
    /// The objects, texts, logs and errors.
    pub store: Store,
    /// The logs' bytes.
    pub spill: &'a Spill,
    /// The redactor of every entry.
    pub redactor: &'a Redactor,
    /// The manifest, without its errors and redactions (added here).
    pub manifest: Manifest,
    /// The options (budgets).
    pub options: &'a Options,
    /// The bundle's path.
    pub out: &'a Path,
    /// The targets, for the summary.
    pub targets: Targets,
}

/// Redacts a log's kept bytes; `marks` says where the marks went. Text that is not UTF-8 is
/// kept byte for byte unless something had to be redacted.
fn redact_log<'a>(
    redactor: &Redactor,
    bytes: &'a [u8],
    counts: &mut Counts,
    marks: &mut Vec<Mark>,
) -> Cow<'a, [u8]> {
    let lossy;
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => {
            lossy = String::from_utf8_lossy(bytes);
            &*lossy
        }
    };
    match redactor.text_with_marks(text, counts, marks) {
        Cow::Borrowed(_) => Cow::Borrowed(bytes),
        Cow::Owned(o) => Cow::Owned(o.into_bytes()),
    }
}

/// A log's entry, redacted and compressed, as the size budget measured it.
struct PreparedLog {
    /// The bytes it keeps: redacted for a small log ([`SMALL`]), raw for a longer one.
    kept: u64,
    /// The entry, or why the log cannot be written (recorded in the manifest).
    entry: Result<PreparedEntry, String>,
    counts: Counts,
}

/// Whether a log is small ([`SMALL`]).
fn small(file: &LogFile) -> bool {
    match &file.kept {
        Kept::Arrived(_) => true,
        Kept::Spilled(s) => s.len <= SMALL,
    }
}

/// The size budget's view of the logs: sizing a spilled log of at most [`LogSource::WHOLE`]
/// bytes, or trimming any log, reads it back, redacts and compresses it (on several threads),
/// and keeps the result for writing, up to `cache` compressed bytes, so a log is compressed
/// once. A small log made as it arrived ([`Arrived`]) is its own entry.
struct LogSource<'a> {
    logs: &'a BTreeMap<String, LogFile>,
    spill: &'a Spill,
    redactor: &'a Redactor,
    prepared: Mutex<(u64, BTreeMap<String, PreparedLog>)>,
    /// At most this many compressed bytes are kept from the budget to the writing (twice
    /// `--max-size`: more can never be written); beyond it, a log is compressed again when
    /// written.
    cache: u64,
    /// The buffers logs are read back into, reused from log to log and from one parallel step
    /// to the next (a buffer per thread was new, and faulted in, with every batch's threads).
    reads: Buffers,
    /// The counts, marks and redacted length of the spilled small logs redacted whole so
    /// far, for counting what a trimmed one keeps.
    marks: Mutex<BTreeMap<String, Marked>>,
}

impl LogSource<'_> {
    /// A log of up to this many bytes is sized exactly, compressed whole (at most four times
    /// the cost of a sample; written untrimmed, as most are, it is not compressed again); a
    /// longer one, more likely to be trimmed, is estimated from a sample.
    const WHOLE: u64 = 4 * budget::SAMPLE;

    /// What a log's entry adds to the bundle before any trimming (exact for a log of at most
    /// [`LogSource::WHOLE`] bytes, else estimated from its newest [`budget::SAMPLE`] bytes),
    /// and the bytes it keeps (redacted for a small log). A log that cannot be read back
    /// counts its length (writing it reports the error).
    fn size(&self, path: &str, log: &LogFile) -> (u64, u64) {
        let spilled = match &log.kept {
            Kept::Arrived(a) => {
                return (
                    a.entry.as_ref().map_or(0, PreparedEntry::compressed_len),
                    a.marked.len,
                );
            }
            Kept::Spilled(s) => s,
        };
        let len = spilled.len;
        let n = if len <= Self::WHOLE {
            len
        } else {
            budget::SAMPLE
        };
        let mut bytes = self.reads.take();
        let size = match self.spill.read_newest_into(spilled, n, &mut bytes) {
            Ok(()) if len <= SMALL => {
                let (prepared, marked) = Arrived::new(self.redactor, path, &bytes).into_parts();
                let kept = prepared.kept;
                self.remember(path, marked);
                (self.keep(path, prepared), kept)
            }
            Ok(()) if len <= Self::WHOLE => (self.keep(path, self.compress(path, &bytes)), len),
            Ok(()) => (budget::estimate(path, &bytes, len), len),
            Err(_) => (len, len),
        };
        self.reads.give(bytes);
        size
    }

    fn remember(&self, path: &str, marked: Marked) {
        if let Ok(mut m) = self.marks.lock() {
            m.insert(path.to_string(), marked);
        }
    }

    /// Keeps a prepared log for writing (when the cache has room); returns its size.
    fn keep(&self, path: &str, prepared: PreparedLog) -> u64 {
        let size = prepared
            .entry
            .as_ref()
            .map_or(prepared.kept, PreparedEntry::compressed_len);
        if let Ok(mut p) = self.prepared.lock() {
            let (bytes, map) = &mut *p;
            if let Some(old) = map.remove(path) {
                *bytes -= old.entry.as_ref().map_or(0, PreparedEntry::compressed_len);
            }
            if *bytes + size <= self.cache {
                *bytes += size;
                map.insert(path.to_string(), prepared);
            }
        }
        size
    }

    /// A small log's redacted text, whole, and its marks.
    fn redacted(&self, path: &str, file: &LogFile) -> Result<(Vec<u8>, Marked), String> {
        match &file.kept {
            Kept::Arrived(a) => match &a.entry {
                Ok(entry) => Ok((
                    entry.contents().map_err(|e| e.to_string())?,
                    a.marked.clone(),
                )),
                Err(message) => Err(message.clone()),
            },
            Kept::Spilled(spilled) => {
                let mut raw = self.reads.take();
                let read = self.spill.read_newest_into(spilled, spilled.len, &mut raw);
                let whole = read.map(|()| {
                    let (text, marked) = redact_small(self.redactor, &raw);
                    (text.into_owned(), marked)
                });
                self.reads.give(raw);
                let (text, marked) = whole.map_err(|e| {
                    format!("cannot read the log back from its temporary file: {e}")
                })?;
                self.remember(path, marked.clone());
                Ok((text, marked))
            }
        }
    }

    /// The counts of what a small log keeps: `kept`, the tail of its redacted text.
    fn tail_counts(&self, path: &str, file: &LogFile, kept: &[u8]) -> Counts {
        let known = match &file.kept {
            Kept::Arrived(a) => Some(a.marked.clone()),
            Kept::Spilled(_) => self.marks.lock().ok().and_then(|m| m.get(path).cloned()),
        };
        known
            .or_else(|| self.redacted(path, file).ok().map(|(_, marked)| marked))
            .map_or_else(Counts::new, |marked| marked.of_tail(kept))
    }

    /// Makes the entry of the newest `kept` bytes of a log (redacted bytes for a small log).
    fn prepare(&self, path: &str, kept: u64) -> PreparedLog {
        let failed = |message: String| PreparedLog {
            kept,
            entry: Err(message),
            counts: Counts::new(),
        };
        let Some(file) = self.logs.get(path) else {
            return failed("no such log".into());
        };
        match &file.kept {
            Kept::Spilled(spilled) if !small(file) => {
                let mut bytes = self.reads.take();
                let prepared = match self.spill.read_newest_into(spilled, kept, &mut bytes) {
                    Ok(()) => self.compress(path, &bytes),
                    Err(e) => failed(format!(
                        "cannot read the log back from its temporary file: {e}"
                    )),
                };
                self.reads.give(bytes);
                prepared
            }
            _ => match self.redacted(path, file) {
                Ok((text, marked)) => {
                    let tail = newest(&text, kept);
                    PreparedLog {
                        kept,
                        entry: PreparedEntry::new(path, tail).map_err(|e| e.to_string()),
                        counts: marked.of_tail(tail),
                    }
                }
                Err(message) => failed(message),
            },
        }
    }

    /// Redacts and compresses the bytes a longer log keeps.
    fn compress(&self, path: &str, kept: &[u8]) -> PreparedLog {
        let len = kept.len() as u64;
        let mut counts = Counts::new();
        let bytes = redact_log(self.redactor, kept, &mut counts, &mut Vec::new());
        PreparedLog {
            kept: len,
            entry: PreparedEntry::new(path, &bytes).map_err(|e| e.to_string()),
            counts,
        }
    }

    /// The log's entry as trimmed to `kept`, if the budget measured it so, or as it arrived
    /// if it is kept whole.
    fn take(&self, path: &str, kept: u64) -> Option<PreparedLog> {
        let measured = self
            .prepared
            .lock()
            .ok()
            .and_then(|mut p| p.1.remove(path))
            .filter(|p| p.kept == kept);
        measured.or_else(|| match self.logs.get(path).map(|f| &f.kept) {
            Some(Kept::Arrived(a)) if a.marked.len == kept => Some(a.prepared()),
            _ => None,
        })
    }
}

impl budget::Source for LogSource<'_> {
    fn load(&self, log: &budget::Log, n: u64) -> Vec<u8> {
        let mut bytes = self.reads.take();
        bytes.clear();
        let Some(file) = self.logs.get(&log.path) else {
            return bytes;
        };
        let n = n.min(log.kept);
        let read = match &file.kept {
            Kept::Spilled(spilled) if !small(file) => {
                self.spill.read_newest_into(spilled, n, &mut bytes).is_ok()
            }
            _ => self.redacted(&log.path, file).is_ok_and(|(text, _)| {
                bytes.extend_from_slice(newest(&text, n));
                true
            }),
        };
        if !read {
            bytes.clear();
        }
        bytes
    }

    fn measure(&self, log: &budget::Log, kept: Vec<u8>) -> u64 {
        let prepared = match self.logs.get(&log.path) {
            Some(file) if small(file) => PreparedLog {
                kept: kept.len() as u64,
                entry: PreparedEntry::new(&log.path, &kept).map_err(|e| e.to_string()),
                counts: self.tail_counts(&log.path, file, &kept),
            },
            _ => self.compress(&log.path, &kept),
        };
        let size = self.keep(&log.path, prepared);
        self.reads.give(kept);
        size
    }
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}

/// Writes the bundle (to `<out>.partial`, renamed when complete) and says what it holds.
pub(super) fn write(collected: Collected<'_>) -> Result<Summary> {
    let Collected {
        store,
        spill,
        redactor,
        mut manifest,
        options,
        out,
        targets,
    } = collected;
    let Store {
        lists,
        objects: single,
        texts,
        logs,
        mut errors,
        tokens,
    } = store;
    let mut redactions: BTreeMap<(String, String), u64> = BTreeMap::new();
    let redaction_map = Mutex::new(kbundle_redact::RedactionMap::new());
    let count = |redactions: &mut BTreeMap<(String, String), u64>, path: &str, counts: Counts| {
        if redactor.tokenizes()
            && let Ok(mut map) = redaction_map.lock()
        {
            map.record(path, &counts);
        }
        for (kind, n) in counts {
            *redactions.entry((path.to_string(), kind)).or_insert(0) += n;
        }
    };
    let mut fixed: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut objects = 0usize;
    for (path, items) in lists {
        objects += items.len();
        let mut list = json!({"apiVersion": "v1", "kind": "List", "items": items.into_values().collect::<Vec<_>>()});
        let mut c = Counts::new();
        redactor.value(&mut list, &mut c);
        count(&mut redactions, &path, c);
        fixed.insert(path, pretty(&list));
    }
    for (path, mut v) in single {
        if path.ends_with("pod.json") {
            objects += 1;
        }
        let mut c = Counts::new();
        redactor.value(&mut v, &mut c);
        count(&mut redactions, &path, c);
        fixed.insert(path, pretty(&v));
    }
    let nodes = texts
        .keys()
        .filter(|p| p.starts_with("cluster/nodes/"))
        .count();
    for (path, text) in texts {
        let mut c = Counts::new();
        let red = redactor.text(&text, &mut c);
        let red = redactor.settle(&red, &tokens, &mut c).into_owned();
        count(&mut redactions, &path, c);
        fixed.insert(path, red.into_bytes());
    }
    let source = LogSource {
        logs: &logs,
        spill,
        redactor,
        prepared: Mutex::new((0, BTreeMap::new())),
        cache: options.max_size.saturating_mul(2),
        reads: Buffers::default(),
        marks: Mutex::new(BTreeMap::new()),
    };
    let by_path: Vec<(&String, &LogFile)> = logs.iter().collect();
    let sizes = kbundle_format::par::map(&by_path, |(path, log)| source.size(path, log));
    let mut budget_logs: Vec<budget::Log> = by_path
        .iter()
        .zip(sizes)
        .map(|((path, log), (compressed, kept))| budget::Log {
            path: (*path).clone(),
            kept,
            tier: log.tier,
            compressed,
            trimmed: false,
        })
        .collect();
    // Server messages reach the manifest and the terminal: redacted like any entry.
    let mut c = Counts::new();
    for e in &mut errors {
        for s in [&mut e.what, &mut e.message] {
            if let std::borrow::Cow::Owned(r) = redactor.text(s, &mut c) {
                *s = r;
            }
        }
    }
    count(&mut redactions, MANIFEST_PATH, c);
    errors.sort_by(|a, b| (&a.what, &a.message).cmp(&(&b.what, &b.message)));
    errors.dedup();

    // Everything but the logs is compressed first (on every core), so its size is exact.
    let fixed: Vec<(String, Vec<u8>)> = fixed.into_iter().collect();
    // An entry that cannot be written (its name refused) is an error, never the end of the
    // collection.
    let mut prepared: BTreeMap<String, PreparedEntry> = BTreeMap::new();
    for ((path, _), entry) in fixed
        .iter()
        .zip(kbundle_format::par::map(&fixed, |(path, bytes)| {
            PreparedEntry::new(path, bytes)
        }))
    {
        match entry {
            Ok(e) => {
                prepared.insert(path.clone(), e);
            }
            Err(e) => errors.push(CollectError {
                what: format!("write {}", shown(path)),
                message: e.to_string(),
                class: Some("other".into()),
            }),
        }
    }
    let fixed = prepared;

    // The size budget. The manifest is estimated generously; lists and texts are never cut.
    let entries = fixed.len() + budget_logs.len();
    let paths_len: u64 = fixed
        .keys()
        .chain(budget_logs.iter().map(|l| &l.path))
        .map(|p| p.len() as u64)
        .sum();
    let errors_len: u64 = errors
        .iter()
        .map(|e| (e.what.len() + e.message.len() + 80) as u64)
        .sum();
    let manifest_estimate =
        (entries as u64 * 220 + paths_len * 2 + errors_len + redactions.len() as u64 * 160 + 8192)
            * 3
            / 4;
    let fixed_size: u64 = fixed
        .values()
        .map(PreparedEntry::compressed_len)
        .sum::<u64>()
        + manifest_estimate;
    let budget_size = options.max_size - options.max_size / 50;
    if !budget::fit(fixed_size, &mut budget_logs, budget_size, &source) {
        errors.push(CollectError {
            what: "size budget".into(),
            message: format!(
                "the bundle is over --max-size {} even with every log trimmed to nothing (about {fixed_size} bytes without logs)",
                options.max_size
            ),
            class: Some("other".into()),
        });
    }

    // Every entry in path order. Logs the budget trimmed were compressed as it measured
    // them; the others are read back from the spill file, redacted (what is kept: a private
    // key whose beginning was trimmed away is still found) and compressed here, a batch at a
    // time on every core, so memory holds one batch.
    enum Entry {
        Fixed(PreparedEntry),
        Log(budget::Log),
    }
    let mut all: BTreeMap<String, Entry> = fixed
        .into_iter()
        .map(|(p, e)| (p, Entry::Fixed(e)))
        .collect();
    for log in budget_logs {
        all.insert(log.path.clone(), Entry::Log(log));
    }
    let entries = all.len();
    let logs_written = all.values().filter(|e| matches!(e, Entry::Log(_))).count();
    let mut trimmed: Vec<(String, Truncation)> = Vec::new();
    let mut writer = BundleWriter::create(out)?;
    let batch = 4 * kbundle_format::par::cores();
    let mut all = all.into_iter();
    loop {
        let chunk: Vec<(String, Entry)> = all.by_ref().take(batch).collect();
        if chunk.is_empty() {
            break;
        }
        // The logs the budget did not keep are made now, on every core (threads are started
        // only for those).
        let mut prepared: Vec<Option<PreparedLog>> = chunk
            .iter()
            .map(|(path, entry)| match entry {
                Entry::Fixed(_) => None,
                Entry::Log(log) => source.take(path, log.kept),
            })
            .collect();
        let missing: Vec<(usize, &str, u64)> = chunk
            .iter()
            .zip(&prepared)
            .enumerate()
            .filter_map(|(i, ((path, entry), p))| match entry {
                Entry::Log(log) if p.is_none() => Some((i, path.as_str(), log.kept)),
                _ => None,
            })
            .collect();
        let made =
            kbundle_format::par::map(&missing, |&(_, path, kept)| source.prepare(path, kept));
        for (&(i, _, _), p) in missing.iter().zip(made) {
            if let Some(slot) = prepared.get_mut(i) {
                *slot = Some(p);
            }
        }
        for ((path, entry), prepared) in chunk.into_iter().zip(prepared) {
            let (log, prepared) = match (entry, prepared) {
                (Entry::Fixed(e), _) => {
                    writer.add_prepared(e, None)?;
                    continue;
                }
                (Entry::Log(log), Some(p)) => (log, p),
                (Entry::Log(_), None) => continue,
            };
            let entry = match prepared.entry {
                Ok(e) => e,
                Err(message) => {
                    errors.push(CollectError {
                        what: format!("write {path}"),
                        message,
                        class: Some("other".into()),
                    });
                    continue;
                }
            };
            count(&mut redactions, &path, prepared.counts);
            let original = logs.get(&path).map_or(0, |f| f.original);
            let truncation = if log.trimmed {
                Some(Truncation {
                    original_size: original,
                    reason: "max-size".into(),
                })
            } else if original > options.max_log_bytes {
                Some(Truncation {
                    original_size: original,
                    reason: "max-log-bytes".into(),
                })
            } else {
                None
            };
            if let Some(t) = &truncation {
                trimmed.push((path.clone(), t.clone()));
            }
            writer.add_prepared(entry, truncation)?;
        }
    }

    manifest.errors = errors.clone();
    manifest.redactions = redactions
        .iter()
        .map(|((path, kind), n)| Redaction {
            path: path.clone(),
            kind: kind.clone(),
            count: *n,
        })
        .collect();
    let path = writer.finish(manifest)?;
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    Ok(Summary {
        path,
        size,
        entries,
        workload: targets.workload.reference(),
        workload_missing: targets.workload == Workload::Missing,
        pods: targets.pods.len() + targets.context_pods.len(),
        namespaces: targets.namespaces,
        logs: logs_written,
        nodes,
        objects,
        errors,
        trimmed,
        redactions: redactions.values().sum(),
        redaction_map: redaction_map.into_inner().unwrap_or_default(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::budget::Source;

    /// A log with a credential every few lines, a private key near its start, and noise
    /// deflate cannot squeeze.
    fn log_with_secrets(lines: usize) -> Vec<u8> {
        let mut out = String::from(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----\n",
        );
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for i in 0..lines {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if i % 7 == 3 {
                out.push_str(&format!("{i} connecting with password=Pl4nted{x:x}\n"));
            } else if i % 11 == 5 {
                out.push_str(&format!("{i} Authorization: Bearer tok{x:016x}abcdef\n"));
            } else {
                out.push_str(&format!(
                    "{i} ordinary line {x:016x} {:x}\n",
                    x.rotate_left(9)
                ));
            }
        }
        out.into_bytes()
    }

    /// The entry, counts and size of every step of the budget, for a log kept either way.
    fn trimmed(kept: Kept, bytes: &[u8], redactor: &Redactor, spill: &Spill) -> Vec<String> {
        let path = "namespaces/a/pods/p/logs/c.log".to_string();
        let logs = BTreeMap::from([(
            path.clone(),
            LogFile {
                kept,
                original: bytes.len() as u64,
                tier: Tier::TargetCurrent,
            },
        )]);
        let source = LogSource {
            logs: &logs,
            spill,
            redactor,
            prepared: Mutex::new((0, BTreeMap::new())),
            cache: 1 << 30,
            reads: Buffers::default(),
            marks: Mutex::new(BTreeMap::new()),
        };
        let file = logs.get(&path).unwrap();
        let (compressed, len) = source.size(&path, file);
        let mut seen = vec![format!("size {compressed} {len}")];
        let show = |p: PreparedLog| {
            let entry = p.entry.unwrap();
            let text = String::from_utf8(entry.contents().unwrap()).unwrap();
            assert_eq!(
                p.counts.total() as usize,
                text.matches("[REDACTED").count(),
                "the counts are those of the marks kept"
            );
            assert!(
                !text.contains("Pl4nted") && !text.contains("MIIEow"),
                "{text}"
            );
            format!(
                "{} {} {:?} {text}",
                p.kept,
                entry.compressed_len(),
                p.counts
            )
        };
        seen.push(show(source.take(&path, len).unwrap()));
        seen.push(show(source.prepare(&path, len)));
        for keep in [len / 2, len / 3 + 17, 1000, 0]
            .into_iter()
            .filter(|&k| k < len)
        {
            let log = budget::Log {
                path: path.clone(),
                kept: len,
                tier: Tier::TargetCurrent,
                compressed,
                trimmed: false,
            };
            let loaded = source.load(&log, keep);
            assert_eq!(loaded.len() as u64, keep);
            let size = source.measure(&log, loaded);
            seen.push(format!("measured {keep}: {size}"));
            seen.push(show(source.take(&path, keep).unwrap()));
            seen.push(show(source.prepare(&path, keep)));
        }
        seen
    }

    #[test]
    fn a_small_log_is_the_same_bundle_made_early_or_spilled() {
        let spill = Spill::default();
        for redactor in [Redactor::default(), Redactor::default().tokenized([7; 32])] {
            for lines in [3, 500, 5000] {
                let bytes = log_with_secrets(lines);
                assert!(bytes.len() as u64 <= SMALL);
                let arrived = Arrived::new(&redactor, "namespaces/a/pods/p/logs/c.log", &bytes);
                let spilled = Finished::Whole(bytes.clone()).spill(&spill).unwrap();
                let a = trimmed(Kept::Arrived(arrived), &bytes, &redactor, &spill);
                let b = trimmed(Kept::Spilled(spilled), &bytes, &redactor, &spill);
                assert_eq!(a, b);
                assert!(a.iter().any(|s| s.contains("private-key")), "{a:?}");
            }
        }
    }
}
