//! The collection itself: resolve the targets, list and get in phases (bounded concurrency),
//! then redact, fit the size budget and write the bundle in sorted path order.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard};

use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kbundle_format::manifest::{CollectError, Manifest, Redaction, Truncation};
use kbundle_format::selector::LabelSelector;
use kbundle_format::{BundleWriter, MANIFEST_PATH, PreparedEntry};
use serde_json::{Map, Value, json};
use tokio::time::Instant;

use crate::api::{Api, Failure, Settings};
use crate::budget::{self, Tier};
use crate::discovery::{Discovery, Resource};
use crate::redact::{Counts, Redactor};
use crate::spill::{LogWriter, Spill, Spilled};
use crate::{
    CALICO_GROUP, Error, OPERATOR_GROUP, Options, Plan, Progress, Result, Summary, Target,
};

/// Calico kinds collected when their CRDs exist (cluster-scoped or, when namespaced, in the
/// target namespaces).
const CALICO_KINDS: &[&str] = &[
    "FelixConfiguration",
    "BGPConfiguration",
    "BGPPeer",
    "IPPool",
    "IPAMConfig",
    "KubeControllersConfiguration",
    "GlobalNetworkPolicy",
    "NetworkPolicy",
    "HostEndpoint",
    "ClusterInformation",
];
const OPERATOR_KINDS: &[&str] = &["Installation", "TigeraStatus"];

/// Pages of one list, at most.
const MAX_PAGES: u32 = 1000;

type Job<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// A collected log: its bytes are in the spill file.
struct LogFile {
    spilled: Spilled,
    original: u64,
    tier: Tier,
}

#[derive(Default)]
struct Store {
    lists: BTreeMap<String, BTreeMap<(String, String), Value>>,
    objects: BTreeMap<String, Value>,
    texts: BTreeMap<String, String>,
    logs: BTreeMap<String, LogFile>,
    errors: Vec<CollectError>,
    /// The tokens of values redacted from objects before describing them (token → rule,
    /// value), so the describe texts' counts are exact.
    tokens: BTreeMap<String, (String, String)>,
}

/// Redacts a log's kept bytes. Text that is not UTF-8 is kept byte for byte unless something
/// had to be redacted.
fn redact_log(redactor: &Redactor, bytes: Vec<u8>, counts: &mut Counts) -> Vec<u8> {
    use std::borrow::Cow;
    match String::from_utf8(bytes) {
        Ok(s) => match redactor.text(&s, counts) {
            Cow::Borrowed(_) => s.into_bytes(),
            Cow::Owned(o) => o.into_bytes(),
        },
        Err(e) => {
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            match redactor.text(&lossy, counts) {
                Cow::Borrowed(_) => e.into_bytes(),
                Cow::Owned(o) => o.into_bytes(),
            }
        }
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
        match self.spill.read_newest(&log.spilled, n) {
            Ok(bytes) if whole => self.keep(path, self.compress(path, bytes)),
            Ok(sample) => budget::estimate(path, &sample, len),
            Err(_) => len,
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

    /// Reads back, redacts and compresses the newest `kept` bytes of a log.
    fn prepare(&self, path: &str, kept: u64) -> PreparedLog {
        let read = match self.logs.get(path) {
            Some(file) => self
                .spill
                .read_newest(&file.spilled, kept)
                .map_err(|e| format!("cannot read the log back from its temporary file: {e}")),
            None => Err("no such log".into()),
        };
        match read {
            Ok(bytes) => self.compress(path, bytes),
            Err(e) => PreparedLog {
                kept,
                entry: Err(e),
                counts: Counts::new(),
            },
        }
    }

    /// Redacts and compresses the bytes a log keeps.
    fn compress(&self, path: &str, kept: Vec<u8>) -> PreparedLog {
        let len = kept.len() as u64;
        let mut counts = Counts::new();
        let bytes = redact_log(self.redactor, kept, &mut counts);
        PreparedLog {
            kept: len,
            entry: PreparedEntry::new(path, &bytes).map_err(|e| e.to_string()),
            counts,
        }
    }

    /// The log's entry as trimmed to `kept`: the one the budget measured, else made now.
    fn take(&self, path: &str, kept: u64) -> PreparedLog {
        let cached = self
            .prepared
            .lock()
            .ok()
            .and_then(|mut p| p.1.remove(path))
            .filter(|p| p.kept == kept);
        cached.unwrap_or_else(|| self.prepare(path, kept))
    }
}

impl budget::Source for LogSource<'_> {
    fn load(&self, log: &budget::Log, n: u64) -> Vec<u8> {
        self.logs
            .get(&log.path)
            .and_then(|file| self.spill.read_newest(&file.spilled, n.min(log.kept)).ok())
            .unwrap_or_default()
    }

    fn measure(&self, log: &budget::Log, kept: Vec<u8>) -> u64 {
        self.keep(&log.path, self.compress(&log.path, kept))
    }
}

struct Ctx<'a> {
    api: Api,
    disc: Discovery,
    options: &'a Options,
    progress: &'a dyn Progress,
    store: Mutex<Store>,
    /// The logs' bytes, on disk.
    spill: Spill,
    redactor: Redactor,
    /// The redactor for objects about to be described: always tokens, settled when the text
    /// is written ([`Redactor::settle`]).
    describe_redactor: Redactor,
    now: Timestamp,
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn str_at<'v>(v: &'v Value, pointer: &str) -> &'v str {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// Whether a name from the cluster can be one component of a bundle path (and of a request
/// path) as it is: what Kubernetes allows in names (ASCII letters, digits, `-`, `.`, `_`; at
/// most 253 bytes), never `.` or `..`. Objects with other names (only a hostile or broken
/// server sends them) are kept in their list's JSON; the files and requests named after
/// them are skipped, each with an error in the manifest.
pub(crate) fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
}

/// A name from the cluster as a message shows it: escaped (no control character), at most
/// 64 characters.
pub(crate) fn shown(name: &str) -> String {
    let mut out: String = name.chars().take(64).flat_map(char::escape_debug).collect();
    let total = name.chars().count();
    if total > 64 {
        out.push_str(&format!("...({total} characters)"));
    }
    out
}

/// The error recorded for an object whose name cannot name a file.
fn bad_name(what: &str, name: &str) -> CollectError {
    CollectError {
        what: format!("{what} {}", shown(name)),
        message: format!(
            "the name \"{}\" cannot be a file name in the bundle (Kubernetes names are letters, digits, '-', '.' and '_', at most 253 bytes); the object is kept in its list, its files are not collected",
            shown(name)
        ),
        class: Some("other".into()),
    }
}

fn key_of(v: &Value) -> (String, String) {
    (
        str_at(v, "/metadata/namespace").to_string(),
        str_at(v, "/metadata/name").to_string(),
    )
}

/// Gives an item its apiVersion and kind (lists leave them out), first.
fn normalize(item: Value, res: &Resource) -> Value {
    let Value::Object(map) = item else {
        return item;
    };
    let mut out = Map::new();
    let api_version = map
        .get("apiVersion")
        .cloned()
        .unwrap_or_else(|| Value::String(res.api_version()));
    let kind = map
        .get("kind")
        .cloned()
        .unwrap_or_else(|| Value::String(res.kind.clone()));
    out.insert("apiVersion".into(), api_version);
    out.insert("kind".into(), kind);
    for (k, v) in map {
        if k != "apiVersion" && k != "kind" {
            out.insert(k, v);
        }
    }
    Value::Object(out)
}

fn list_path(res: &Resource, ns: Option<&str>) -> String {
    if res.group.is_empty() && res.plural == "nodes" {
        return "cluster/nodes.json".into();
    }
    match ns {
        Some(ns) if res.namespaced => {
            format!("namespaces/{ns}/{}/{}.json", res.group_dir(), res.plural)
        }
        _ => format!("cluster/{}/{}.json", res.group_dir(), res.plural),
    }
}

fn typed<T: serde::de::DeserializeOwned>(v: &Value) -> Option<T> {
    serde_json::from_value(v.clone()).ok()
}

/// An `events.k8s.io/v1` Event in the shape of a core v1 Event (for describe).
fn event_from_events_api(v: &Value) -> Value {
    let g = |p: &str| v.pointer(p).cloned().unwrap_or(Value::Null);
    let mut e = json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": g("/metadata"),
        "involvedObject": g("/regarding"),
        "reason": g("/reason"),
        "message": g("/note"),
        "type": g("/type"),
        "eventTime": g("/eventTime"),
        "reportingComponent": g("/reportingController"),
        "reportingInstance": g("/reportingInstance"),
        "source": {"component": v.pointer("/deprecatedSource/component").cloned().or_else(|| v.get("reportingController").cloned()).unwrap_or(Value::Null)},
        "count": v.pointer("/series/count").or_else(|| v.get("deprecatedCount")).cloned().unwrap_or(Value::Null),
        "firstTimestamp": g("/deprecatedFirstTimestamp"),
        "lastTimestamp": v.pointer("/series/lastObservedTime").or_else(|| v.get("deprecatedLastTimestamp")).cloned().unwrap_or(Value::Null),
    });
    if let Value::Object(m) = &mut e {
        m.retain(|_, v| !v.is_null());
    }
    e
}

impl<'a> Ctx<'a> {
    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn error(&self, what: impl Into<String>, f: &Failure) {
        let what = what.into();
        self.progress.item(&what);
        self.lock().errors.push(CollectError {
            what,
            message: f.message().to_string(),
            class: Some(f.class().to_string()),
        });
    }

    /// Records that an object's name cannot name a file (see [`safe_name`]).
    fn refuse_name(&self, what: &str, name: &str) {
        self.lock().errors.push(bad_name(what, name));
    }

    fn note_error(&self, what: impl Into<String>, message: impl Into<String>, class: &str) {
        self.lock().errors.push(CollectError {
            what: what.into(),
            message: message.into(),
            class: Some(class.to_string()),
        });
    }

    fn store_items(&self, path: &str, items: &[Value]) {
        let mut store = self.lock();
        let list = store.lists.entry(path.to_string()).or_default();
        for item in items {
            list.entry(key_of(item)).or_insert_with(|| item.clone());
        }
    }

    fn list_items(&self, path: &str) -> Vec<Value> {
        self.lock()
            .lists
            .get(path)
            .map(|l| l.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Lists a resource (all pages), items normalized. Bounded: a page over
    /// `--max-response-bytes` is asked again with a smaller `limit` (down to one object), a
    /// list over `--max-objects` or [`MAX_PAGES`] pages, or one whose server repeats a
    /// `continue` token, is a failure; the objects of a failed list are not kept.
    async fn list_raw(
        &self,
        res: &Resource,
        ns: Option<&str>,
        query: &str,
    ) -> Result<Vec<Value>, Failure> {
        let mut items = Vec::new();
        let mut held = 0u64;
        let result = self.list_pages(res, ns, query, &mut items, &mut held).await;
        if let Err(f) = result {
            self.api.release(held);
            return Err(f);
        }
        self.progress.item(&res.plural);
        Ok(items)
    }

    async fn list_pages(
        &self,
        res: &Resource,
        ns: Option<&str>,
        query: &str,
        items: &mut Vec<Value>,
        held: &mut u64,
    ) -> Result<(), Failure> {
        let mut cont: Option<String> = None;
        let mut limit: u32 = 500;
        let mut pages = 0;
        loop {
            pages += 1;
            let mut url = format!("{}?limit={limit}", res.url(ns));
            if !query.is_empty() {
                url.push('&');
                url.push_str(query);
            }
            if let Some(c) = &cont {
                url.push_str(&format!("&continue={}", enc(c)));
            }
            if pages > MAX_PAGES {
                return Err(Failure::OverLimit(format!(
                    "GET {}: more than {MAX_PAGES} pages; not kept",
                    res.url(ns)
                )));
            }
            let mut v = match self.api.get_held(&url).await {
                Ok((v, h)) => {
                    *held += h;
                    v
                }
                Err(Failure::TooLarge(_)) if limit > 1 => {
                    // The same page again, in smaller pieces.
                    limit = (limit / 4).max(1);
                    pages -= 1;
                    continue;
                }
                Err(f) => return Err(f),
            };
            // The items are moved out of the page, not copied.
            if let Some(Value::Array(page)) = v.get_mut("items") {
                items.extend(std::mem::take(page).into_iter().map(|i| normalize(i, res)));
            }
            let max = self.options.max_objects;
            if items.len() as u64 > max {
                return Err(Failure::OverLimit(format!(
                    "GET {}: more than --max-objects {max} objects; not kept",
                    res.url(ns)
                )));
            }
            let next = v
                .pointer("/metadata/continue")
                .and_then(Value::as_str)
                .filter(|c| !c.is_empty())
                .map(str::to_string);
            if next.is_some() && next == cont {
                return Err(Failure::OverLimit(format!(
                    "GET {}: the server gave the same continue token twice; not kept",
                    res.url(ns)
                )));
            }
            cont = next;
            if cont.is_none() {
                return Ok(());
            }
        }
    }

    fn describe_list(res: &Resource, ns: Option<&str>, query: &str) -> String {
        let mut what = format!("list {}/{}", res.group_dir(), res.plural);
        if let Some(ns) = ns.filter(|_| res.namespaced) {
            what.push_str(&format!(" in {ns}"));
        }
        if !query.is_empty() {
            what.push_str(&format!(" ({query})"));
        }
        what
    }

    /// Lists and records a failure; `None` when the resource is unknown or the list failed.
    async fn list(
        &self,
        group: &str,
        plural: &str,
        ns: Option<&str>,
        query: &str,
    ) -> Option<Vec<Value>> {
        let res = self.disc.find(group, plural)?.clone();
        match self.list_raw(&res, ns, query).await {
            Ok(items) => Some(items),
            Err(f) => {
                self.error(Self::describe_list(&res, ns, query), &f);
                None
            }
        }
    }

    /// Lists `res` and stores the list at its bundle path.
    async fn collect_resource(&self, res: &Resource, ns: Option<&str>) -> Option<Vec<Value>> {
        match self.list_raw(res, ns, "").await {
            Ok(items) => {
                self.store_items(&list_path(res, ns), &items);
                Some(items)
            }
            Err(f) => {
                self.error(Self::describe_list(res, ns, ""), &f);
                None
            }
        }
    }

    async fn collect_list(
        &self,
        group: &str,
        plural: &str,
        ns: Option<&str>,
    ) -> Option<Vec<Value>> {
        let res = self.disc.find(group, plural)?.clone();
        self.collect_resource(&res, ns).await
    }

    /// Gets one object and stores it in the list of its kind; `Ok(None)` on 404.
    async fn get_into_list(
        &self,
        group: &str,
        plural: &str,
        ns: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let res = self.disc.find(group, plural)?.clone();
        let url = format!("{}/{name}", res.url(ns));
        let path = list_path(&res, ns);
        match self.api.get_held(&url).await {
            Ok((v, _held)) => {
                let v = normalize(v, &res);
                self.store_items(&path, std::slice::from_ref(&v));
                Some(v)
            }
            Err(Failure::NotFound(_)) => {
                // Known not to exist: the (possibly empty) list says so.
                self.store_items(&path, &[]);
                None
            }
            Err(f) => {
                let mut what = format!("get {}/{}", res.group_dir(), res.plural);
                if let Some(ns) = ns {
                    what.push_str(&format!(" {ns}/{name}"));
                } else {
                    what.push_str(&format!(" {name}"));
                }
                self.error(what, &f);
                None
            }
        }
    }

    /// Core v1 events of a namespace (or, when the server has no core events, events.k8s.io).
    async fn collect_events(&self, ns: &str) {
        if self.disc.find("", "events").is_some() {
            self.collect_list("", "events", Some(ns)).await;
        } else {
            self.collect_list("events.k8s.io", "events", Some(ns)).await;
        }
    }

    /// The events of a namespace, typed, for describe.
    fn typed_events(&self, ns: &str) -> Vec<Event> {
        let core = self.list_items(&format!("namespaces/{ns}/core/events.json"));
        let api = self.list_items(&format!("namespaces/{ns}/events.k8s.io/events.json"));
        core.iter()
            .map(|e| self.redacted(e))
            .chain(api.iter().map(|e| self.redacted(&event_from_events_api(e))))
            .filter_map(|e| typed(&e))
            .collect()
    }

    fn redacted(&self, v: &Value) -> Value {
        let mut v = v.clone();
        let mut c = Counts::new();
        self.describe_redactor.value(&mut v, &mut c);
        self.lock().tokens.extend(c.into_tokens());
        v
    }

    async fn log(&self, ns: &str, pod: &str, container: &str, previous: bool, tier: Tier) {
        let mut url = format!(
            "/api/v1/namespaces/{ns}/pods/{pod}/log?container={}",
            enc(container)
        );
        if previous {
            url.push_str("&previous=true");
        }
        if let Some(since) = self.options.since {
            url.push_str(&format!("&sinceSeconds={}", since.as_secs().max(1)));
        }
        let suffix = if previous { ".previous" } else { "" };
        let path = format!("namespaces/{ns}/pods/{pod}/logs/{container}{suffix}.log");
        let what = format!(
            "logs {ns}/{pod}/{container}{}",
            if previous { " (previous)" } else { "" }
        );
        let mut writer = LogWriter::new(&self.spill, self.options.max_log_bytes);
        let mut sink = |data: &[u8]| writer.push(data);
        // A log is read up to 64 times what is kept (1 MiB at least): an endless stream
        // ends there.
        let max_read = self.options.max_log_bytes.saturating_mul(64).max(1 << 20);
        let read = self.api.get_log(&url, max_read, &mut sink).await;
        match read {
            Ok(log) => {
                if previous && log.total == 0 && log.cut.is_none() {
                    return;
                }
                if let Some(cut) = &log.cut {
                    self.error(what.clone(), cut);
                }
                self.progress.item(&what);
                match writer.finish() {
                    Ok(spilled) => {
                        self.lock().logs.insert(
                            path,
                            LogFile {
                                spilled,
                                original: log.total,
                                tier,
                            },
                        );
                    }
                    Err(e) => self.note_error(
                        what,
                        format!("cannot keep the log in a temporary file: {e}"),
                        "other",
                    ),
                }
            }
            // No previous container: normal.
            Err(Failure::BadRequest(_) | Failure::NotFound(_)) if previous => {}
            Err(f) => self.error(what, &f),
        }
    }

    async fn pod(&self, pod: &Value, target: bool, ns_events: &BTreeMap<String, Vec<Event>>) {
        let (ns, name) = key_of(pod);
        if !safe_name(&ns) || !safe_name(&name) {
            let bad = if safe_name(&ns) { &name } else { &ns };
            self.refuse_name("pod", bad);
            return;
        }
        let dir = format!("namespaces/{ns}/pods/{name}");
        self.lock()
            .objects
            .insert(format!("{dir}/pod.json"), pod.clone());
        if let Some(p) = typed::<Pod>(&self.redacted(pod)) {
            let uid = p.metadata.uid.clone().unwrap_or_default();
            let events: Vec<Event> = ns_events
                .get(&ns)
                .into_iter()
                .flatten()
                .filter(|e| {
                    // What kubectl asks for: name, namespace, kind and uid of the pod.
                    let o = &e.involved_object;
                    o.kind.as_deref() == Some("Pod")
                        && o.name.as_deref() == Some(name.as_str())
                        && (uid.is_empty() || o.uid.as_deref() == Some(uid.as_str()))
                })
                .cloned()
                .collect();
            let text = kbundle_describe::describe_pod(&p, &events, self.now);
            self.lock()
                .texts
                .insert(format!("{dir}/describe.txt"), text);
        } else {
            self.note_error(
                format!("describe pod {ns}/{name}"),
                "the pod object could not be read",
                "other",
            );
        }
        let mut containers: Vec<String> = Vec::new();
        for field in ["initContainers", "containers", "ephemeralContainers"] {
            for c in pod
                .pointer(&format!("/spec/{field}"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let n = str_at(c, "/name");
                if !n.is_empty() && !safe_name(n) {
                    self.refuse_name(&format!("logs {ns}/{name} container"), n);
                } else if !n.is_empty() && !containers.iter().any(|x| x == n) {
                    containers.push(n.to_string());
                }
            }
        }
        let jobs: Vec<Job<'_>> = containers
            .iter()
            .flat_map(|c| {
                let (ns, name) = (ns.clone(), name.clone());
                [false, true].map(move |previous| {
                    let tier = match (target, previous) {
                        (true, false) => Tier::TargetCurrent,
                        (true, true) => Tier::TargetPrevious,
                        (false, false) => Tier::ContextCurrent,
                        (false, true) => Tier::ContextPrevious,
                    };
                    let (ns, name, c) = (ns.clone(), name.clone(), c.clone());
                    Box::pin(async move { self.log(&ns, &name, &c, previous, tier).await })
                        as Job<'_>
                })
            })
            .collect();
        futures::future::join_all(jobs).await;
    }

    async fn node(&self, node_name: &str) {
        if !safe_name(node_name) {
            self.refuse_name("describe node", node_name);
            return;
        }
        let nodes = self.list_items("cluster/nodes.json");
        let mut node = nodes
            .iter()
            .find(|n| str_at(n, "/metadata/name") == node_name)
            .cloned();
        if node.is_none() {
            node = self.get_into_list("", "nodes", None, node_name).await;
        }
        let field = format!(
            "fieldSelector={}",
            enc(&format!(
                // As kubectl: the node's non-terminated pods.
                "spec.nodeName={node_name},status.phase!=Succeeded,status.phase!=Failed"
            ))
        );
        let event_field = format!(
            "fieldSelector={}",
            enc(&format!(
                "involvedObject.kind=Node,involvedObject.name={node_name}"
            ))
        );
        let (pods, events, lease) = futures::join!(
            self.list("", "pods", None, &field),
            self.list("", "events", None, &event_field),
            self.get_into_list(
                "coordination.k8s.io",
                "leases",
                Some("kube-node-lease"),
                node_name
            ),
        );
        // Node events live in some namespace (usually `default`): add them to its list.
        if let Some(events) = &events
            && let Some(res) = self.disc.find("", "events")
        {
            for e in events {
                let ns = str_at(e, "/metadata/namespace");
                if !ns.is_empty() && !safe_name(ns) {
                    self.refuse_name("event namespace", ns);
                    continue;
                }
                self.store_items(
                    &list_path(res, Some(if ns.is_empty() { "default" } else { ns })),
                    std::slice::from_ref(e),
                );
            }
        }
        let Some(node) = node else {
            self.note_error(
                format!("describe node {node_name}"),
                "the node object could not be read (see the errors of the node list)",
                "other",
            );
            return;
        };
        let Some(node) = typed::<Node>(&self.redacted(&node)) else {
            self.note_error(
                format!("describe node {node_name}"),
                "the node object could not be read",
                "other",
            );
            return;
        };
        let pods: Vec<Pod> = pods
            .unwrap_or_default()
            .iter()
            .filter_map(|p| typed(&self.redacted(p)))
            .collect();
        // As kubectl: events whose involvedObject.uid is the node's uid (controllers) or its
        // name (the kubelet).
        let node_uid = node.metadata.uid.clone().unwrap_or_default();
        let events: Vec<Event> = events
            .unwrap_or_default()
            .iter()
            .filter_map(|e| typed::<Event>(&self.redacted(e)))
            .filter(|e| {
                let uid = e.involved_object.uid.as_deref().unwrap_or_default();
                (!node_uid.is_empty() && uid == node_uid) || uid == node_name
            })
            .collect();
        let lease: Option<Lease> = lease.and_then(|l| typed(&l));
        let text = kbundle_describe::describe_node(&node, lease.as_ref(), &pods, &events, self.now);
        self.lock()
            .texts
            .insert(format!("cluster/nodes/{node_name}.describe.txt"), text);
    }

    /// Namespaced objects of one target namespace.
    async fn namespace(&self, ns: &str) {
        let mut jobs: Vec<Job<'_>> = vec![
            Box::pin(async move {
                self.get_into_list("", "namespaces", None, ns).await;
            }),
            Box::pin(self.collect_events(ns)),
        ];
        for (group, plural) in [
            ("", "pods"),
            ("", "configmaps"),
            ("", "services"),
            // What the workload, storage and policy rules read (#14): whether Services have
            // ready endpoints, claims are bound, quotas and limits refuse pods, budgets block
            // drains, Jobs failed.
            ("", "endpoints"),
            ("discovery.k8s.io", "endpointslices"),
            ("", "persistentvolumeclaims"),
            ("", "resourcequotas"),
            ("", "limitranges"),
            ("policy", "poddisruptionbudgets"),
            ("batch", "jobs"),
            ("apps", "deployments"),
            ("apps", "replicasets"),
            ("apps", "daemonsets"),
            ("networking.k8s.io", "networkpolicies"),
        ] {
            jobs.push(Box::pin(async move {
                self.collect_list(group, plural, Some(ns)).await;
            }));
        }
        for kind in CALICO_KINDS {
            if let Some(res) = self
                .disc
                .find_kind(CALICO_GROUP, kind)
                .filter(|r| r.namespaced)
            {
                jobs.push(Box::pin(async move {
                    self.collect_resource(res, Some(ns)).await;
                }));
            }
        }
        futures::future::join_all(jobs).await;
    }

    /// Cluster-scoped objects.
    async fn cluster(&self) {
        let mut jobs: Vec<Job<'_>> = vec![
            Box::pin(async move {
                self.collect_list("", "nodes", None).await;
            }),
            Box::pin(async move {
                self.collect_list(
                    "admissionregistration.k8s.io",
                    "validatingwebhookconfigurations",
                    None,
                )
                .await;
            }),
            Box::pin(async move {
                self.collect_list(
                    "admissionregistration.k8s.io",
                    "mutatingwebhookconfigurations",
                    None,
                )
                .await;
            }),
        ];
        for (group, kinds) in [
            (CALICO_GROUP, CALICO_KINDS),
            (OPERATOR_GROUP, OPERATOR_KINDS),
        ] {
            for kind in kinds {
                if let Some(res) = self.disc.find_kind(group, kind).filter(|r| !r.namespaced) {
                    jobs.push(Box::pin(async move {
                        self.collect_resource(res, None).await;
                    }));
                }
            }
            // The CRDs of the collected groups.
            for res in self.disc.group(group) {
                let name = format!("{}.{}", res.plural, res.group);
                jobs.push(Box::pin(async move {
                    self.get_into_list(
                        "apiextensions.k8s.io",
                        "customresourcedefinitions",
                        None,
                        &name,
                    )
                    .await;
                }));
            }
        }
        futures::future::join_all(jobs).await;
    }

    /// Backends (Service, Endpoints, EndpointSlices) of the webhooks that could act on the
    /// target pods (or their owners) in the target namespaces.
    async fn webhook_backends(&self, namespaces: &[String], pods: &[Value]) {
        let ns_objects = self.list_items("cluster/core/namespaces.json");
        let ns_labels: Vec<BTreeMap<String, String>> = namespaces
            .iter()
            .map(|ns| {
                let mut l: BTreeMap<String, String> = ns_objects
                    .iter()
                    .find(|o| str_at(o, "/metadata/name") == ns)
                    .and_then(|o| o.pointer("/metadata/labels"))
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect();
                l.entry("kubernetes.io/metadata.name".into())
                    .or_insert_with(|| ns.clone());
                l
            })
            .collect();
        let pod_labels: Vec<&Value> = pods.iter().map(labels_of).collect();
        let mut backends: BTreeSet<(String, String)> = BTreeSet::new();
        for kind in [
            "validatingwebhookconfigurations",
            "mutatingwebhookconfigurations",
        ] {
            for config in
                self.list_items(&format!("cluster/admissionregistration.k8s.io/{kind}.json"))
            {
                for wh in config
                    .get("webhooks")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if webhook_could_match(wh, &ns_labels, &pod_labels)
                        && let Some(svc) = wh.pointer("/clientConfig/service")
                    {
                        let (ns, name) = (str_at(svc, "/namespace"), str_at(svc, "/name"));
                        if ns.is_empty() || name.is_empty() {
                            continue;
                        }
                        if let Some(bad) = [ns, name].into_iter().find(|n| !safe_name(n)) {
                            self.refuse_name("webhook service", bad);
                        } else {
                            backends.insert((ns.to_string(), name.to_string()));
                        }
                    }
                }
            }
        }
        let jobs: Vec<Job<'_>> = backends
            .into_iter()
            .map(|(ns, name)| {
                Box::pin(async move {
                    let query = format!(
                        "labelSelector={}",
                        enc(&format!("kubernetes.io/service-name={name}"))
                    );
                    let (_, _, slices) = futures::join!(
                        self.get_into_list("", "services", Some(&ns), &name),
                        self.get_into_list("", "endpoints", Some(&ns), &name),
                        self.list("discovery.k8s.io", "endpointslices", Some(&ns), &query),
                    );
                    if let (Some(slices), Some(res)) =
                        (slices, self.disc.find("discovery.k8s.io", "endpointslices"))
                    {
                        self.store_items(&list_path(res, Some(&ns)), &slices);
                    }
                }) as Job<'_>
            })
            .collect();
        futures::future::join_all(jobs).await;
    }
}

/// Whether a webhook's rules and selectors could match pods (or the Deployments, ReplicaSets,
/// DaemonSets that create them) in the target namespaces.
fn webhook_could_match(
    wh: &Value,
    ns_labels: &[BTreeMap<String, String>],
    pod_labels: &[&Value],
) -> bool {
    let strings = |v: &Value, key: &str| -> Vec<String> {
        v.get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    let rules_match = wh
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|rule| {
            let groups = strings(rule, "apiGroups");
            let resources = strings(rule, "resources");
            let ops = strings(rule, "operations");
            let group_ok = groups
                .iter()
                .any(|g| matches!(g.as_str(), "" | "*" | "apps"));
            let res_ok = resources.iter().any(|r| {
                let base = r.split('/').next().unwrap_or_default();
                matches!(
                    base,
                    "*" | "pods" | "deployments" | "replicasets" | "daemonsets"
                )
            });
            let op_ok = ops.is_empty()
                || ops
                    .iter()
                    .any(|o| matches!(o.as_str(), "*" | "CREATE" | "UPDATE"));
            group_ok && res_ok && op_ok
        });
    if !rules_match {
        return false;
    }
    let ns_selector = LabelSelector::from_object(wh.get("namespaceSelector"));
    let object_selector = LabelSelector::from_object(wh.get("objectSelector"));
    let ns_ok = ns_labels.is_empty() || ns_labels.iter().any(|l| ns_selector.matches(l));
    let obj_ok = pod_labels.is_empty() || pod_labels.iter().any(|l| object_selector.matches(*l));
    ns_ok && obj_ok
}

/// An object's `metadata.labels` (null when it has none).
fn labels_of(object: &Value) -> &Value {
    object.pointer("/metadata/labels").unwrap_or(&Value::Null)
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}

pub(crate) async fn run(
    client: kube::Client,
    plan: &Plan,
    options: &Options,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Summary> {
    if options.jobs == 0 {
        return Err(Error::Invalid("jobs must be at least 1".into()));
    }
    if options.max_size < 64 * 1024 {
        return Err(Error::Invalid("max-size must be at least 64KiB".into()));
    }
    if options.max_response_bytes < 64 * 1024 {
        return Err(Error::Invalid(
            "max-response-bytes must be at least 64KiB".into(),
        ));
    }
    if options.max_objects == 0 {
        return Err(Error::Invalid("max-objects must be at least 1".into()));
    }
    if out.is_dir() {
        return Err(Error::Invalid(format!(
            "the output {} is a directory; name the bundle file",
            out.display()
        )));
    }
    if let Target::Namespaces { namespaces, .. } = &plan.target
        && let Some(bad) = namespaces.iter().find(|ns| !safe_name(ns))
    {
        return Err(Error::Invalid(format!(
            "namespace \"{}\" is not a Kubernetes name",
            shown(bad)
        )));
    }
    if let Some(bad) = plan.pods.iter().find(|p| {
        p.split_once('/')
            .is_none_or(|(ns, name)| !safe_name(ns) || !safe_name(name))
    }) {
        return Err(Error::Invalid(format!(
            "pod \"{}\" is not NAMESPACE/NAME",
            shown(bad)
        )));
    }
    let parse_selector = |s: &str| {
        LabelSelector::parse(s).map_err(|e| Error::Invalid(format!("label selector {s:?}: {e}")))
    };
    let pod_selector = match &plan.target {
        Target::Namespaces {
            selector: Some(s), ..
        } => Some(parse_selector(s)?),
        _ => None,
    };
    let context_selector = plan
        .context_selector
        .as_deref()
        .map(parse_selector)
        .transpose()?;
    let now = options
        .collected_at
        .unwrap_or_else(Timestamp::now)
        .round(jiff::Unit::Second)
        .map_err(|e| Error::Invalid(e.to_string()))?;
    let api = Api::new(
        client,
        Settings {
            jobs: options.jobs,
            request_timeout: options.request_timeout,
            retries: options.retries,
            deadline: Instant::now() + options.timeout,
            max_response_bytes: options.max_response_bytes,
            credentials_withheld: options.credentials_withheld,
        },
    );

    progress.phase("version");
    let version = match api.get_json("/version").await {
        Ok(v) => Ok(v),
        // No connection, or no answer at all: nothing else would work either.
        Err(Failure::Other(m) | Failure::Timeout(m)) => return Err(Error::Unreachable(m)),
        Err(f) => Err(f),
    };
    progress.phase("discovery");
    let (disc, disc_failures) = Discovery::run(&api).await;
    let ctx = Ctx {
        api,
        disc,
        options,
        progress,
        store: Mutex::new(Store::default()),
        spill: Spill::default(),
        redactor: match options.tokenize {
            Some(key) => Redactor::new(options.redact.clone()).tokenized(key),
            None => Redactor::new(options.redact.clone()),
        },
        describe_redactor: Redactor::new(options.redact.clone())
            .tokenized(options.tokenize.unwrap_or_default()),
        now,
    };
    match &version {
        Ok(v) => {
            ctx.lock()
                .objects
                .insert("cluster/version.json".into(), v.clone());
        }
        Err(f) => ctx.error("get /version", f),
    }
    for (what, f) in &disc_failures {
        ctx.error(what.clone(), f);
    }

    // Targets.
    progress.phase("targets");
    let mut namespaces: Vec<String>;
    let mut target_pods: Vec<Value> = Vec::new();
    let mut workload: Option<String> = None;
    let mut workload_missing = false;
    let selector: Option<String>;
    match &plan.target {
        Target::Workload {
            deployment,
            selector: sel,
            namespaces: candidates,
        } => {
            selector = Some(sel.clone());
            let query = format!("labelSelector={}", enc(sel));
            let found = futures::future::join_all(candidates.iter().map(|ns| {
                let (ctx, query) = (&ctx, &query);
                async move {
                    let dep_res = ctx.disc.find("apps", "deployments").cloned();
                    let dep = match dep_res {
                        Some(res) => match ctx
                            .api
                            .get_json(&format!("{}/{deployment}", res.url(Some(ns))))
                            .await
                        {
                            Ok(_) => true,
                            Err(Failure::NotFound(_)) => false,
                            Err(f) => {
                                ctx.error(format!("get apps/deployments {ns}/{deployment}"), &f);
                                false
                            }
                        },
                        None => false,
                    };
                    let pods = ctx
                        .list("", "pods", Some(ns), query)
                        .await
                        .unwrap_or_default();
                    (ns.clone(), dep, pods)
                }
            }))
            .await;
            namespaces = Vec::new();
            for (ns, dep, pods) in found {
                if dep || !pods.is_empty() {
                    if workload.is_none() {
                        workload = Some(format!("Deployment/{ns}/{deployment}"));
                    }
                    namespaces.push(ns);
                    target_pods.extend(pods);
                }
            }
            if namespaces.is_empty() {
                workload_missing = true;
                let lookup_failed = ctx.lock().errors.iter().any(|e| {
                    candidates
                        .iter()
                        .any(|ns| e.what.contains(&format!(" {ns}")))
                });
                let (how, class) = if lookup_failed {
                    (
                        "could not be found (some lookups failed, see the other errors)",
                        "other",
                    )
                } else {
                    ("were found", "not-found")
                };
                let neither = if lookup_failed { "the" } else { "neither the" };
                let nor = if lookup_failed { "and" } else { "nor" };
                ctx.note_error(
                    format!("find Deployment {deployment}"),
                    format!(
                        "{neither} Deployment {deployment} {nor} pods labelled {sel} {how} in {}; collected the namespaces' deployments, replicasets, pods and events and the webhook configurations instead",
                        candidates.join(" or ")
                    ),
                    class,
                );
                namespaces = candidates.clone();
            }
        }
        Target::Namespaces {
            namespaces: ns,
            selector: sel,
        } => {
            selector = sel.clone();
            namespaces = ns.clone();
            if plan.all_namespaces {
                ctx.collect_list("", "namespaces", None).await;
                for n in ctx.list_items("cluster/core/namespaces.json") {
                    let name = str_at(&n, "/metadata/name");
                    if !safe_name(name) {
                        ctx.refuse_name("namespace", name);
                    } else if !namespaces.iter().any(|x| x == name) {
                        namespaces.push(name.to_string());
                    }
                }
                namespaces.sort();
            }
        }
    }

    progress.phase("objects");
    {
        let mut jobs: Vec<Job<'_>> = vec![Box::pin(ctx.cluster())];
        for ns in &namespaces {
            jobs.push(Box::pin(ctx.namespace(ns)));
        }
        futures::future::join_all(jobs).await;
    }
    if let Target::Namespaces { .. } = &plan.target {
        let known = ctx.list_items("cluster/core/namespaces.json");
        for ns in &namespaces {
            let asked = ctx
                .lock()
                .errors
                .iter()
                .any(|e| e.what.contains(&format!(" {ns}")));
            if !asked && !known.iter().any(|n| str_at(n, "/metadata/name") == ns) {
                ctx.note_error(
                    format!("get core/namespaces {ns}"),
                    format!("namespace {ns} not found"),
                    "not-found",
                );
            }
            for pod in ctx.list_items(&format!("namespaces/{ns}/core/pods.json")) {
                let (pns, pname) = key_of(&pod);
                if pod_selector
                    .as_ref()
                    .is_none_or(|s| s.matches(labels_of(&pod)))
                    && (plan.pods.is_empty() || plan.pods.contains(&format!("{pns}/{pname}")))
                {
                    target_pods.push(pod);
                }
            }
        }
        for want in &plan.pods {
            if !target_pods.iter().any(|p| {
                let (ns, name) = key_of(p);
                format!("{ns}/{name}") == *want
            }) {
                ctx.note_error(
                    format!("get core/pods {want}"),
                    format!("pod {want} not found"),
                    "not-found",
                );
            }
        }
    }
    target_pods.sort_by_key(key_of);
    target_pods.dedup_by_key(|p| key_of(p));
    let target_nodes: BTreeSet<String> = target_pods
        .iter()
        .map(|p| str_at(p, "/spec/nodeName").to_string())
        .filter(|n| !n.is_empty())
        .collect();
    let mut context_pods: Vec<Value> = Vec::new();
    if let Some(sel) = &context_selector {
        for ns in &namespaces {
            for pod in ctx.list_items(&format!("namespaces/{ns}/core/pods.json")) {
                if sel.matches(labels_of(&pod))
                    && target_nodes.contains(str_at(&pod, "/spec/nodeName"))
                    && !target_pods.iter().any(|t| key_of(t) == key_of(&pod))
                {
                    context_pods.push(pod);
                }
            }
        }
    }

    progress.phase("pods, logs and nodes");
    let ns_events: BTreeMap<String, Vec<Event>> = namespaces
        .iter()
        .map(|ns| (ns.clone(), ctx.typed_events(ns)))
        .collect();
    {
        let mut jobs: Vec<Job<'_>> = Vec::new();
        for pod in &target_pods {
            jobs.push(Box::pin(ctx.pod(pod, true, &ns_events)));
        }
        for pod in &context_pods {
            jobs.push(Box::pin(ctx.pod(pod, false, &ns_events)));
        }
        for node in &target_nodes {
            jobs.push(Box::pin(ctx.node(node)));
        }
        jobs.push(Box::pin(ctx.webhook_backends(&namespaces, &target_pods)));
        futures::future::join_all(jobs).await;
    }

    if ctx.api.succeeded() == 0 {
        let first = ctx
            .lock()
            .errors
            .first()
            .map(|e| e.message.clone())
            .unwrap_or_default();
        return Err(Error::NothingCollected(first));
    }

    progress.phase("writing");
    let mut request = kbundle_format::manifest::Request {
        preset: plan.preset.clone(),
        namespaces: namespaces.clone(),
        selector,
        pods: target_pods
            .iter()
            .map(|p| {
                let (ns, name) = key_of(p);
                format!("{ns}/{name}")
            })
            .collect(),
        workload: workload.clone(),
        options: BTreeMap::new(),
    };
    let o = &mut request.options;
    o.insert("max-log-bytes".into(), options.max_log_bytes.to_string());
    o.insert("max-size".into(), options.max_size.to_string());
    o.insert(
        "max-response-bytes".into(),
        options.max_response_bytes.to_string(),
    );
    o.insert("max-objects".into(), options.max_objects.to_string());
    if let Some(since) = options.since {
        o.insert("since".into(), format!("{}s", since.as_secs()));
    }
    if !options.redact.is_empty() {
        o.insert("redact-patterns".into(), options.redact.len().to_string());
    }
    if let Some(sel) = &plan.context_selector {
        o.insert("context-selector".into(), sel.clone());
    }
    if workload_missing {
        o.insert("workload-found".into(), "false".into());
    }
    let mut manifest = Manifest::new(&options.tool_version, &now.to_string());
    manifest.cluster.server_version = version.ok();
    manifest.cluster.context = options.context.clone();
    manifest.request = request;

    let store = std::mem::take(&mut *ctx.lock());
    write(
        store,
        &ctx.spill,
        &ctx.redactor,
        manifest,
        options,
        out,
        target_pods.len() + context_pods.len(),
        workload,
        workload_missing,
        namespaces,
    )
}

#[allow(clippy::too_many_arguments)]
fn write(
    store: Store,
    spill: &Spill,
    redactor: &Redactor,
    mut manifest: Manifest,
    options: &Options,
    out: &Path,
    pods: usize,
    workload: Option<String>,
    workload_missing: bool,
    namespaces: Vec<String>,
) -> Result<Summary> {
    let Store {
        lists,
        objects: single,
        texts,
        logs,
        mut errors,
        tokens,
    } = store;
    let mut redactions: BTreeMap<(String, String), u64> = BTreeMap::new();
    let redaction_map = Mutex::new(crate::redact::RedactionMap::new());
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
    };
    let by_path: Vec<(&String, &LogFile)> = logs.iter().collect();
    let sizes = crate::par::map(&by_path, |(path, log)| source.size(path, log));
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
    for ((path, _), entry) in fixed.iter().zip(crate::par::map(&fixed, |(path, bytes)| {
        PreparedEntry::new(path, bytes)
    })) {
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
    let batch = 4 * std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut all = all.into_iter();
    loop {
        let chunk: Vec<(String, Entry)> = all.by_ref().take(batch).collect();
        if chunk.is_empty() {
            break;
        }
        let prepared = crate::par::map(&chunk, |(path, entry)| match entry {
            Entry::Fixed(_) => None,
            Entry::Log(log) => Some(source.take(path, log.kept)),
        });
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
        namespaces,
        workload,
        workload_missing,
        pods,
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
mod tests {
    use super::*;

    #[test]
    fn webhooks_matching_pods() {
        let ns = vec![BTreeMap::from([(
            "kubernetes.io/metadata.name".to_string(),
            "calico-system".to_string(),
        )])];
        let pod = json!({"k8s-app": "calico-kube-controllers"});
        let pods = vec![&pod];
        let pods_rule = json!({"rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}]});
        assert!(webhook_could_match(&pods_rule, &ns, &pods));
        let other = json!({"rules": [{"apiGroups": ["example.com"], "operations": ["CREATE"], "resources": ["things"]}]});
        assert!(!webhook_could_match(&other, &ns, &pods));
        let excluded = json!({"rules": pods_rule["rules"].clone(), "namespaceSelector": {"matchExpressions": [
            {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["calico-system"]}]}});
        assert!(!webhook_could_match(&excluded, &ns, &pods));
        let deletes =
            json!({"rules": [{"apiGroups": ["*"], "operations": ["DELETE"], "resources": ["*"]}]});
        assert!(!webhook_could_match(&deletes, &ns, &pods));
    }

    #[test]
    fn names_that_can_name_files() {
        for ok in ["calico-node-x7m2q", "node-1.example.com", "a_b", "A"] {
            assert!(safe_name(ok), "{ok}");
        }
        let long = "a".repeat(254);
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "../x",
            "a\nb",
            "\u{1b}[2J",
            "a b",
            "a:b",
            &long,
        ] {
            assert!(!safe_name(bad), "{bad:?}");
        }
        assert_eq!(shown("a\nb\u{1b}"), "a\\nb\\u{1b}");
        let huge = "x".repeat(70_000);
        assert_eq!(
            shown(&huge),
            format!("{}...(70000 characters)", "x".repeat(64))
        );
    }

    #[test]
    fn paths_and_encoding() {
        let r = Resource {
            group: "".into(),
            version: "v1".into(),
            plural: "events".into(),
            kind: "Event".into(),
            namespaced: true,
        };
        assert_eq!(
            list_path(&r, Some("calico-system")),
            "namespaces/calico-system/core/events.json"
        );
        assert_eq!(
            enc("k8s-app=calico-kube-controllers"),
            "k8s-app%3Dcalico-kube-controllers"
        );
        let item = normalize(json!({"metadata": {"name": "x"}}), &r);
        assert_eq!(
            item.to_string(),
            r#"{"apiVersion":"v1","kind":"Event","metadata":{"name":"x"}}"#
        );
    }

    #[test]
    fn events_api_conversion() {
        let e = event_from_events_api(&json!({
            "metadata": {"name": "e", "namespace": "ns"},
            "regarding": {"kind": "Pod", "name": "p"}, "reason": "BackOff", "note": "Back-off restarting",
            "type": "Warning", "deprecatedCount": 5, "reportingController": "kubelet"
        }));
        let typed: Option<Event> = typed(&e);
        let typed = typed.unwrap_or_default();
        assert_eq!(typed.message.as_deref(), Some("Back-off restarting"));
        assert_eq!(typed.count, Some(5));
        assert_eq!(typed.involved_object.name.as_deref(), Some("p"));
    }
}
