//! The collection itself, by phase, over one shared context ([`Ctx`]): the options checked
//! once ([`check`]), the server's version and discovery, the targets resolved into a typed
//! value ([`targets`]), the objects of the cluster and of each target namespace, with a typed
//! state per namespace ([`objects`]), the pods with their logs, the nodes and the webhook
//! backends ([`pods`], [`nodes`], [`webhooks`]), the manifest built from what the phases found
//! ([`manifest`]); then the bundle is redacted, fitted to its size budget and written in
//! sorted path order ([`write`]). Requests and their typed outcomes are in [`request`]. No
//! decision is taken on the text of an error: the phases return what they found.

mod check;
mod manifest;
mod nodes;
mod objects;
mod pods;
mod request;
mod targets;
mod webhooks;
mod write;

use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard};

use jiff::Timestamp;
use kbundle_format::manifest::CollectError;
use kbundle_redact::{Counts, Redactor};
use serde_json::Value;
use tokio::time::Instant;

use crate::api::{Api, Failure, Settings};
use crate::discovery::Discovery;
use crate::spill::Spill;
use crate::{Error, Options, Plan, Progress, Result, Summary};

use check::Checked;
use write::LogFile;

type Job<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

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

/// What every phase shares: the requests, the resources discovered, the store of what was
/// collected, the logs' spill file and the redactors.
struct Ctx<'a> {
    api: Api,
    disc: Discovery,
    options: &'a Options,
    progress: &'a dyn Progress,
    store: Mutex<Store>,
    /// The logs' bytes, on disk.
    spill: Spill,
    /// Small logs redacted and compressed as they arrive.
    arrivals: write::Arrivals,
    redactor: Redactor,
    /// The redactor for objects about to be described: always tokens, settled when the text
    /// is written ([`Redactor::settle`]).
    describe_redactor: Redactor,
    now: Timestamp,
}

pub(crate) use crate::api::enc;
pub(crate) use kbundle_format::json::str_at;

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

fn typed<T: serde::de::DeserializeOwned>(v: Value) -> Option<T> {
    serde_json::from_value(v).ok()
}

impl<'a> Ctx<'a> {
    fn new(
        api: Api,
        disc: Discovery,
        options: &'a Options,
        progress: &'a dyn Progress,
        now: Timestamp,
    ) -> Ctx<'a> {
        let redactor = Redactor::new(options.redact.clone());
        Ctx {
            api,
            disc,
            options,
            progress,
            store: Mutex::new(Store::default()),
            spill: Spill::default(),
            arrivals: write::Arrivals::new(),
            redactor: match options.tokenize {
                Some(key) => redactor.clone().tokenized(key),
                None => redactor.clone(),
            },
            // A clone: the same rules, so the strings both find clean are searched once.
            describe_redactor: redactor.tokenized(options.tokenize.unwrap_or_default()),
            now,
        }
    }

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

    /// The first object of a stored list that `pick` accepts (the list is not copied).
    fn list_item(&self, path: &str, pick: impl Fn(&Value) -> bool) -> Option<Value> {
        self.lock()
            .lists
            .get(path)?
            .values()
            .find(|v| pick(v))
            .cloned()
    }

    fn redacted(&self, mut v: Value) -> Value {
        let mut c = Counts::new();
        self.describe_redactor.value(&mut v, &mut c);
        self.lock().tokens.extend(c.into_tokens());
        v
    }
}

/// An object's `metadata.labels` (null when it has none).
fn labels_of(object: &Value) -> &Value {
    object.pointer("/metadata/labels").unwrap_or(&Value::Null)
}

pub(crate) async fn run(
    client: kube::Client,
    plan: &Plan,
    options: &Options,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Summary> {
    let checked = Checked::new(plan, options, out)?;
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

    // The version and discovery at once: neither needs the other, and on a distant server
    // every round trip in this chain of phases is felt.
    progress.phase("version and discovery");
    let (version, (disc, disc_failures)) =
        futures::join!(api.get_json("/version"), Discovery::run(&api));
    let version = match version {
        Ok(v) => Ok(v),
        // No connection, or no answer at all: nothing else would work either.
        Err(f @ (Failure::Connection(..) | Failure::Other(_) | Failure::Timeout(_))) => {
            return Err(Error::Unreachable(f.into()));
        }
        Err(f) => Err(f),
    };
    let ctx = Ctx::new(api, disc, options, progress, checked.now);
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

    // The cluster-scoped objects do not depend on the targets: listed while they are found.
    progress.phase("targets and cluster objects");
    let (mut targets, ()) = futures::join!(ctx.resolve_targets(plan), ctx.cluster_objects());
    // A workload's pods are known now: their logs and their nodes' pods, events and leases
    // are fetched while the namespaces' objects are listed (describing them needs those).
    progress.phase("namespace objects");
    if targets.pods_known_early() {
        targets.settle_pods();
    }
    let (namespaces, early) = futures::join!(
        ctx.namespace_objects(&targets.namespaces),
        ctx.early(&targets)
    );
    ctx.select_pods(&mut targets, plan, &checked, &namespaces);

    progress.phase("pods, logs and nodes");
    ctx.pods_and_nodes(&targets, early).await;

    if ctx.api.succeeded() == 0 {
        let first = ctx.lock().errors.first().cloned();
        return Err(Error::NothingCollected(first.map(Into::into)));
    }

    progress.phase("writing");
    let manifest = manifest::build(plan, options, &targets, version.ok(), checked.now);
    let store = std::mem::take(&mut *ctx.lock());
    write::write(write::Collected {
        store,
        spill: &ctx.spill,
        redactor: &ctx.redactor,
        manifest,
        options,
        out,
        targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
