//! The object walk: both snapshots' objects in (group, kind, namespace, name) order, once.

use std::cmp::Ordering;
use std::collections::BTreeSet;

use kbundle_format::{Object, Snapshot};
use serde::Serialize;

use super::ObjectsDiff;
use super::fields::{self, FieldChange};
use super::highlights::{self, Highlight};

/// An object, by kind, namespace and name (its `apiVersion` is NEW's for objects in both): the
/// snapshot's own key.
pub use kbundle_format::ObjectKey as ObjectRef;

/// An object in both snapshots that changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangedObject {
    /// Kind.
    pub kind: String,
    /// `apiVersion` in NEW.
    pub api_version: String,
    /// Namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Whether its `uid` or `creationTimestamp` changed: deleted and created again.
    pub recreated: bool,
    /// The fields that changed, at most [`fields::MAX_FIELDS`].
    pub fields: Vec<FieldChange>,
    /// Changed fields beyond those.
    pub fields_omitted: usize,
}

impl ChangedObject {
    /// The object.
    pub fn object(&self) -> ObjectRef {
        ObjectRef {
            kind: self.kind.clone(),
            api_version: self.api_version.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }
}

/// Objects of one kind and namespace that one side has and the other has none of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotCompared {
    /// Kind.
    pub kind: String,
    /// Namespace, empty for cluster-scoped kinds.
    pub namespace: String,
    /// `old` or `new`: the side that has them.
    pub only_in: &'static str,
    /// How many.
    pub count: usize,
}

/// Whether an object is an event (compared apart, see `events.rs`).
pub(crate) fn is_event(o: &Object) -> bool {
    top(o, "kind") == "Event" && matches!(group(o), "" | "events.k8s.io")
}

/// A string field at the top of an object (without `Value::pointer`, which is slower).
fn top<'a>(o: &'a Object, field: &str) -> &'a str {
    o.value
        .get(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
}

/// A string field of `metadata`.
pub(crate) fn meta<'a>(o: &'a Object, field: &str) -> Option<&'a str> {
    o.value.get("metadata")?.get(field)?.as_str()
}

fn group(o: &Object) -> &str {
    kbundle_format::resources::split_api_version(top(o, "apiVersion")).0
}

type Key<'a> = (&'a str, &'a str, &'a str, &'a str);

fn key(o: &Object) -> Key<'_> {
    (
        group(o),
        top(o, "kind"),
        meta(o, "namespace").unwrap_or_default(),
        meta(o, "name").unwrap_or_default(),
    )
}

/// A side's objects (not events) with their keys, sorted by key: references only.
fn sorted(s: &Snapshot) -> Vec<(Key<'_>, &Object)> {
    let mut v: Vec<(Key<'_>, &Object)> = s
        .objects()
        .filter(|o| !is_event(o))
        .map(|o| (key(o), o))
        .collect();
    // The snapshot is ordered by apiVersion first; one object read at two versions keeps the
    // first met.
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v.dedup_by(|a, b| a.0 == b.0);
    v
}

/// What a side holds: (group, kind, namespace) with at least one object.
fn kinds<'a>(objects: &[(Key<'a>, &'a Object)]) -> BTreeSet<(&'a str, &'a str, &'a str)> {
    objects
        .iter()
        .map(|((g, k, ns, _), _)| (*g, *k, *ns))
        .collect()
}

/// How far the two sides' collections can be compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Two kbundle bundles collected with the same request: they cover the same kinds and
    /// namespaces, so an object missing from one was deleted or created.
    Same,
    /// Two inputs of the same other layout (two troubleshoot.sh bundles, two folders):
    /// alike, but either may lack whole kinds or namespaces (RBAC, filters).
    Alike,
    /// Different tools or requests: one may hold less than the other.
    Different,
}

impl Scope {
    pub(crate) fn of(old: &Snapshot, new: &Snapshot) -> Scope {
        let request = |s: &Snapshot| match s.inputs() {
            [one] => one.manifest.as_ref().map(|m| m.request.clone()),
            _ => None,
        };
        let layouts = |s: &Snapshot| s.inputs().iter().map(|i| i.layout).collect::<Vec<_>>();
        match (request(old), request(new)) {
            (Some(a), Some(b)) if a == b => Scope::Same,
            (None, None) if layouts(old) == layouts(new) => Scope::Alike,
            _ => Scope::Different,
        }
    }
}

/// OLD's reference time, found when first needed (it may take a walk over every object).
pub(crate) struct OldTime<'a> {
    old: &'a Snapshot,
    time: std::cell::OnceCell<Option<jiff::Timestamp>>,
}

impl<'a> OldTime<'a> {
    pub(crate) fn new(old: &'a Snapshot) -> OldTime<'a> {
        OldTime {
            old,
            time: std::cell::OnceCell::new(),
        }
    }

    /// Whether the RFC 3339 time `t` is after OLD's reference time: the thing happened after
    /// OLD was taken, whatever OLD's collection held.
    pub(crate) fn is_after(&self, t: Option<&str>) -> bool {
        let Some(t) = t.and_then(|t| t.parse::<jiff::Timestamp>().ok()) else {
            return false;
        };
        self.time
            .get_or_init(|| self.old.reference_time())
            .is_some_and(|r| t > r)
    }
}

fn recreated(old: &Object, new: &Object) -> bool {
    ["/metadata/uid", "/metadata/creationTimestamp"].iter().any(|p| {
        let (a, b) = (old.value.pointer(p), new.value.pointer(p));
        matches!((a.and_then(|v| v.as_str()), b.and_then(|v| v.as_str())), (Some(a), Some(b)) if a != b)
    })
}

/// Compares the objects of both sides. An object in one side only is added or removed when
/// the scope is [`Scope::Same`]; with [`Scope::Alike`] when the other side holds objects of its
/// kind in its namespace; and added, whatever the scope, when it was created after OLD's
/// reference time. Otherwise it is counted as not compared.
pub(crate) fn walk<'a>(
    old: &'a Snapshot,
    new: &'a Snapshot,
    scope: Scope,
    old_time: &OldTime<'_>,
) -> (ObjectsDiff, Vec<Highlight>) {
    let (a, b) = (sorted(old), sorted(new));
    let (kinds_a, kinds_b) = match scope {
        Scope::Alike => (kinds(&a), kinds(&b)),
        _ => (BTreeSet::new(), BTreeSet::new()),
    };
    let covered = |kinds: &BTreeSet<(&str, &str, &str)>, o: &Object| match scope {
        Scope::Same => true,
        Scope::Alike => {
            let (g, k, ns, _) = key(o);
            kinds.contains(&(g, k, ns))
        }
        Scope::Different => false,
    };
    let mut out = ObjectsDiff::default();
    let mut lights = Vec::new();
    let mut not_compared = std::collections::BTreeMap::<(&str, &str, &'static str), usize>::new();
    let mut skip = |o: &'a Object, side: &'static str| {
        *not_compared
            .entry((o.kind(), o.namespace(), side))
            .or_default() += 1;
    };
    let (mut i, mut j) = (0, 0);
    loop {
        let order = match (a.get(i), b.get(j)) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => x.0.cmp(&y.0),
        };
        match order {
            Ordering::Less => {
                if let Some((_, o)) = a.get(i) {
                    if covered(&kinds_b, o) {
                        out.removed.push(o.key());
                    } else {
                        skip(o, "old");
                    }
                }
                i += 1;
            }
            Ordering::Greater => {
                if let Some((_, n)) = b.get(j) {
                    if covered(&kinds_a, n) || old_time.is_after(meta(n, "creationTimestamp")) {
                        out.added.push(n.key());
                    } else {
                        skip(n, "new");
                    }
                }
                j += 1;
            }
            Ordering::Equal => {
                if let (Some((_, o)), Some((_, n))) = (a.get(i), b.get(j))
                    && o.value != n.value
                {
                    let recreated = recreated(o, n);
                    let (fields, fields_omitted) = fields::compare(&o.value, &n.value);
                    if recreated || !fields.is_empty() || fields_omitted > 0 {
                        highlights::of(o, n, recreated, &fields, &mut lights);
                        let r = n.key();
                        out.changed.push(ChangedObject {
                            kind: r.kind,
                            api_version: r.api_version,
                            namespace: r.namespace,
                            name: r.name,
                            recreated,
                            fields,
                            fields_omitted,
                        });
                    }
                }
                i += 1;
                j += 1;
            }
        }
    }
    // Reported by kind, then namespace and name.
    for list in [&mut out.added, &mut out.removed] {
        list.sort_by(|x, y| {
            (&x.kind, &x.namespace, &x.name).cmp(&(&y.kind, &y.namespace, &y.name))
        });
    }
    out.changed
        .sort_by(|x, y| (&x.kind, &x.namespace, &x.name).cmp(&(&y.kind, &y.namespace, &y.name)));
    out.not_compared = not_compared
        .into_iter()
        .map(|((kind, namespace, only_in), count)| NotCompared {
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            only_in,
            count,
        })
        .collect();
    (out, lights)
}
