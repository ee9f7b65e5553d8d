//! Events new in NEW: events OLD does not have, and occurrences an event gained since OLD,
//! grouped by type, reason and object.

use std::collections::{BTreeMap, BTreeSet};

use kbundle_format::json::{str_at, u64_at};
use kbundle_format::{Object, Snapshot};
use serde::Serialize;
use serde_json::Value;

use super::EventsDiff;
use super::objects::{OldTime, Scope, is_event};

/// New occurrences of one reason on one object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventGroup {
    /// `Normal` or `Warning` (empty when the event does not say).
    #[serde(rename = "type")]
    pub type_: String,
    /// Reason, e.g. `BackOff`.
    pub reason: String,
    /// The object the events are about.
    pub object: EventObject,
    /// Occurrences new in NEW.
    pub count: u64,
    /// The latest occurrence's time, when the events say.
    pub last_seen: Option<String>,
    /// The latest occurrence's message (`message` or `note`).
    pub message: String,
}

/// The object of an event (`involvedObject` or `regarding`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EventObject {
    /// Kind.
    pub kind: String,
    /// Namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// How many times the event happened (at least once).
fn count(v: &Value) -> u64 {
    ["/series/count", "/count", "/deprecatedCount"]
        .iter()
        .find_map(|p| u64_at(v, p))
        .unwrap_or(1)
        .max(1)
}

fn last_seen(v: &Value) -> Option<&str> {
    [
        "/series/lastObservedTime",
        "/lastTimestamp",
        "/deprecatedLastTimestamp",
        "/eventTime",
        "/firstTimestamp",
        "/metadata/creationTimestamp",
    ]
    .iter()
    .map(|p| str_at(v, p))
    .find(|t| !t.is_empty())
}

fn object(v: &Value) -> EventObject {
    let r = v
        .get("regarding")
        .or_else(|| v.get("involvedObject"))
        .unwrap_or(&Value::Null);
    EventObject {
        kind: str_at(r, "/kind").to_string(),
        namespace: str_at(r, "/namespace").to_string(),
        name: str_at(r, "/name").to_string(),
    }
}

fn events(s: &Snapshot) -> impl Iterator<Item = &Object> {
    s.objects().filter(|o| is_event(o))
}

/// Events of NEW that OLD has not seen, grouped: occurrences an event of OLD gained, and events
/// OLD does not have when the scope is [`Scope::Same`], or with [`Scope::Alike`] when OLD holds
/// events in their namespace, or whatever the scope when last seen after OLD's reference
/// time. Other events of NEW only are counted as not compared.
pub(crate) fn new_events(
    old: &Snapshot,
    new: &Snapshot,
    scope: Scope,
    old_time: &OldTime<'_>,
) -> EventsDiff {
    let namespaces: BTreeSet<&str> = events(old).map(Object::namespace).collect();
    // (apiVersion, namespace, name) -> (uid, count) of OLD's events.
    let seen: BTreeMap<(&str, &str, &str), (Option<&str>, u64)> = events(old)
        .map(|o| {
            let key = (o.api_version(), o.namespace(), o.name());
            (key, (o.uid(), count(&o.value)))
        })
        .collect();
    let mut groups: BTreeMap<(String, String, EventObject), EventGroup> = BTreeMap::new();
    let mut out = EventsDiff::default();
    for e in events(new) {
        let had = match seen.get(&(e.api_version(), e.namespace(), e.name())) {
            Some((uid, n)) if *uid == e.uid() => *n,
            Some(_) => 0,
            None => {
                let compared = match scope {
                    Scope::Same => true,
                    Scope::Alike => namespaces.contains(e.namespace()),
                    Scope::Different => false,
                };
                if !compared && !old_time.is_after(last_seen(&e.value)) {
                    out.not_compared += 1;
                    continue;
                }
                0
            }
        };
        let gained = count(&e.value).saturating_sub(had);
        if gained == 0 {
            continue;
        }
        let v = &e.value;
        let message = match str_at(v, "/note") {
            "" => str_at(v, "/message"),
            note => note,
        };
        let key = (
            str_at(v, "/type").to_string(),
            str_at(v, "/reason").to_string(),
            object(v),
        );
        let last = last_seen(v);
        let g = groups.entry(key.clone()).or_insert_with(|| EventGroup {
            type_: key.0.clone(),
            reason: key.1.clone(),
            object: key.2.clone(),
            count: 0,
            last_seen: None,
            message: String::new(),
        });
        g.count = g.count.saturating_add(gained);
        // The latest occurrence's message wins.
        let time = |t: Option<&str>| t.and_then(|t| t.parse::<jiff::Timestamp>().ok());
        if g.message.is_empty() || time(last) >= time(g.last_seen.as_deref()) {
            g.last_seen = last.map(String::from);
            g.message = message.to_string();
        }
    }
    out.new = groups.into_values().collect();
    // Warnings first, then by object and reason.
    out.new.sort_by(|a, b| {
        (a.type_ != "Warning", &a.object, &a.reason).cmp(&(
            b.type_ != "Warning",
            &b.object,
            &b.reason,
        ))
    });
    out
}
