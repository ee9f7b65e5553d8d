//! The bundle written from what the phases collected: every entry redacted, the logs fitted
//! to the size budget, the entries compressed on every core and written in path order, the
//! manifest last.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;

use kbundle_format::manifest::{CollectError, Manifest, Redaction, Truncation};
use kbundle_format::{BundleWriter, MANIFEST_PATH, PreparedEntry};
use kbundle_redact::{Counts, Redactor};
use serde_json::{Value, json};

use super::targets::{Targets, Workload};
use super::{Store, shown};
use crate::budget::{self, Tier};
use crate::spill::{Buffers, Spill, Spilled};
use crate::{Options, Result, Summary};

/// A collected log: its bytes are in the spill file.
pub(super) struct LogFile {
    pub spilled: Spilled,
    /// The bytes the server sent.
    pub original: u64,
    /// Its place in the order of trimming.
    pub tier: Tier,
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

/// Redacts a log's kept bytes. Text that is not UTF-8 is kept byte for byte unless something
/// had to be redacted.
fn redact_log<'a>(redactor: &Redactor, bytes: &'a [u8], counts: &mut Counts) -> Cow<'a, [u8]> {
    let lossy;
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(_) => {
            lossy = String::from_utf8_lossy(bytes);
            &*lossy
        }
    };
    match redactor.text(text, counts) {
        Cow::Borrowed(_) => Cow::Borrowed(bytes),
        Cow::Owned(o) => Cow::Owned(o.into_bytes()),
    }
}

/// A log's entry, redacted and compressed, as the size budget measured it.
struct PreparedLog {
    /// The raw bytes it keeps (before redaction).
    kept: u64,
    /// The entry, or why the log cannot be written (recorded in the manifest).
    entry: Result<PreparedEntry, String>,
    counts: Counts,
}

/// The size budget's view of the spilled logs: sizing a log of at most [`LogSource::WHOLE`]
/// bytes, or trimming any log, reads it back, redacts and compresses it (on several threads),
/// and keeps the result for writing, up to `cache` compressed bytes, so a log is compressed
/// once.
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
}

impl LogSource<'_> {
    /// A log of up to this many bytes is sized exactly, compressed whole (at most four times
    /// the cost of a sample; written untrimmed, as most are, it is not compressed again); a
    /// longer one, more likely to be trimmed, is estimated from a sample.
    const WHOLE: u64 = 4 * budget::SAMPLE;

    /// What a log's entry adds to the bundle before any trimming: exact for a log of at most
    /// [`LogSource::WHOLE`] bytes (redacted and compressed whole, and kept for writing), else
    /// estimated from its newest [`budget::SAMPLE`] bytes. A log that cannot be read back
    /// counts its length (writing it reports the error).
    fn size(&self, path: &str, log: &LogFile) -> u64 {
        let len = log.spilled.len;
        let whole = len <= Self::WHOLE;
        let n = if whole { len } else { budget::SAMPLE };
        let mut bytes = self.reads.take();
        let size = match self.spill.read_newest_into(&log.spilled, n, &mut bytes) {
            Ok(()) if whole => self.keep(path, self.compress(path, &bytes)),
            Ok(()) => budget::estimate(path, &bytes, len),
            Err(_) => len,
        };
        self.reads.give(bytes);
        size
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

    /// Reads back, redacts and compresses the newest `kept` bytes of a log.
    fn prepare(&self, path: &str, kept: u64) -> PreparedLog {
        let mut bytes = self.reads.take();
        let read = match self.logs.get(path) {
            Some(file) => self
                .spill
                .read_newest_into(&file.spilled, kept, &mut bytes)
                .map_err(|e| format!("cannot read the log back from its temporary file: {e}")),
            None => Err("no such log".into()),
        };
        let prepared = match read {
            Ok(()) => self.compress(path, &bytes),
            Err(e) => PreparedLog {
                kept,
                entry: Err(e),
                counts: Counts::new(),
            },
        };
        self.reads.give(bytes);
        prepared
    }

    /// Redacts and compresses the bytes a log keeps.
    fn compress(&self, path: &str, kept: &[u8]) -> PreparedLog {
        let len = kept.len() as u64;
        let mut counts = Counts::new();
        let bytes = redact_log(self.redactor, kept, &mut counts);
        PreparedLog {
            kept: len,
            entry: PreparedEntry::new(path, &bytes).map_err(|e| e.to_string()),
            counts,
        }
    }

    /// The log's entry as trimmed to `kept`, if the budget measured it so.
    fn take(&self, path: &str, kept: u64) -> Option<PreparedLog> {
        self.prepared
            .lock()
            .ok()
            .and_then(|mut p| p.1.remove(path))
            .filter(|p| p.kept == kept)
    }
}

impl budget::Source for LogSource<'_> {
    fn load(&self, log: &budget::Log, n: u64) -> Vec<u8> {
        let mut bytes = self.reads.take();
        let read = self.logs.get(&log.path).map(|file| {
            self.spill
                .read_newest_into(&file.spilled, n.min(log.kept), &mut bytes)
        });
        if !matches!(read, Some(Ok(()))) {
            bytes.clear();
        }
        bytes
    }

    fn measure(&self, log: &budget::Log, kept: Vec<u8>) -> u64 {
        let size = self.keep(&log.path, self.compress(&log.path, &kept));
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
    };
    let by_path: Vec<(&String, &LogFile)> = logs.iter().collect();
    let sizes = kbundle_format::par::map(&by_path, |(path, log)| source.size(path, log));
    let mut budget_logs: Vec<budget::Log> = by_path
        .iter()
        .zip(sizes)
        .map(|((path, log), compressed)| budget::Log {
            path: (*path).clone(),
            kept: log.spilled.len,
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
