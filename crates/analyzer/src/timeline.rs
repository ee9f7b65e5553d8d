//! The incident timeline: what happened, and when, in the window before the reference time.
//!
//! Built from the same [`Facts`] the rules read ([`Facts::from_snapshot`]), never from the raw
//! objects again. Lanes, in drawing order:
//!
//! - **containers**: per pod and container, the last terminated run (start to finish), the
//!   termination (`OOMKilled` kept apart from other reasons), a start while running, and the
//!   current wait (`CrashLoopBackOff`) up to the reference time;
//! - **events**: per type, reason and object; an event seen `count` times between its first and
//!   last time is a span;
//! - **nodes**: condition transitions (`Ready`, the pressure conditions, `NetworkUnavailable`);
//!   the nodes of the workload's pods always have a lane, other nodes only with a transition;
//! - **changes**: configuration writes (`managedFields`) and creations of Calico resources,
//!   network policies, webhook configurations, the workload itself and the ConfigMaps of its
//!   namespace.
//!
//! Only what lies in the window is kept; the order of lanes and marks depends on the input
//! alone, so the same input always gives the same timeline.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use kbundle_format::Snapshot;

use crate::facts::{Container, Facts, Meta, Pod, State};
use crate::report::{Report, shorten};
use crate::{Options, Target, report_duration};

/// The most lanes drawn per group; the rest are counted in [`Timeline::omitted`].
pub const MAX_LANES_PER_GROUP: usize = 25;

/// A group of lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// Container runs, terminations and waits.
    Containers,
    /// Kubernetes events.
    Events,
    /// Node condition transitions.
    Nodes,
    /// Configuration changes.
    Changes,
}

impl Group {
    /// The group's heading.
    pub fn title(self) -> &'static str {
        match self {
            Group::Containers => "Containers: restarts and terminations",
            Group::Events => "Events",
            Group::Nodes => "Nodes: condition changes",
            Group::Changes => "Configuration changes",
        }
    }

    /// All groups, in drawing order.
    pub const ALL: [Group; 4] = [
        Group::Containers,
        Group::Events,
        Group::Nodes,
        Group::Changes,
    ];
}

/// What a mark stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A container run, from its start to its termination (a span).
    Run,
    /// A container was `OOMKilled`.
    OomKilled,
    /// A container terminated for another reason.
    Terminated,
    /// A container (re)started and is running.
    Started,
    /// A container waiting (e.g. `CrashLoopBackOff`) until the reference time (a span).
    Waiting,
    /// A `Normal` event (a span when seen several times).
    NormalEvent,
    /// A `Warning` event (or any type but `Normal`; a span when seen several times).
    WarningEvent,
    /// A node condition turned bad (`Ready` not `True`, a pressure condition `True`).
    ConditionBad,
    /// A node condition turned good.
    ConditionGood,
    /// A configuration write.
    Change,
    /// An object was created.
    Created,
}

impl Kind {
    /// A short CSS-friendly name, e.g. `oom-killed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::OomKilled => "oom-killed",
            Kind::Terminated => "terminated",
            Kind::Started => "started",
            Kind::Waiting => "waiting",
            Kind::NormalEvent => "event-normal",
            Kind::WarningEvent => "event-warning",
            Kind::ConditionBad => "condition-bad",
            Kind::ConditionGood => "condition-good",
            Kind::Change => "change",
            Kind::Created => "created",
        }
    }
}

/// One mark on a lane: a point in time, or a span when `end` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// What it is.
    pub kind: Kind,
    /// When (the start of a span).
    pub at: Timestamp,
    /// The end of a span.
    pub end: Option<Timestamp>,
    /// A short label, e.g. `OOMKilled (exit 137)` or `×193`; may be empty.
    pub label: String,
    /// The whole story, for a tooltip.
    pub detail: String,
}

/// One lane: one container, one kind of event on one object, one node or one object's changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    /// Its group.
    pub group: Group,
    /// First line of its label, e.g. a pod name.
    pub title: String,
    /// Second line, e.g. `calico-kube-controllers · 14 restarts · CrashLoopBackOff`.
    pub subtitle: String,
    /// The marks, oldest first.
    pub marks: Vec<Mark>,
}

/// The timeline of an analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeline {
    /// The reference time; without one there is nothing to draw against.
    pub reference_time: Option<Timestamp>,
    /// The look-back window.
    pub window: SignedDuration,
    /// The lanes, by group.
    pub lanes: Vec<Lane>,
    /// Lanes left out per group (over [`MAX_LANES_PER_GROUP`]).
    pub omitted: BTreeMap<Group, usize>,
    /// Nodes without a condition change in the window and without a pod of the workload
    /// (those that run one get a lane, even a quiet one).
    pub quiet_nodes: usize,
}

impl Timeline {
    /// The start of the window.
    pub fn start(&self) -> Option<Timestamp> {
        self.reference_time?.checked_sub(self.window).ok()
    }

    /// The lanes of a group.
    pub fn lanes_of(&self, group: Group) -> impl Iterator<Item = &Lane> {
        self.lanes.iter().filter(move |l| l.group == group)
    }

    /// Whether there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.lanes.iter().all(|l| l.marks.is_empty())
    }
}

/// The timeline of a snapshot's analysis: facts from [`Facts::from_snapshot`] (and describe
/// text, as [`crate::analyze`] reads them), the reference
/// time and workload of `report`, the window of `options`.
pub fn from_snapshot(snapshot: &Snapshot, report: &Report, options: &Options) -> Timeline {
    let now = report
        .reference_time
        .as_deref()
        .and_then(|t| t.parse::<Timestamp>().ok());
    // The facts exactly as `analyze` builds them: objects, then describe text.
    let mut facts = Facts::from_snapshot(snapshot);
    facts.add_describe_texts(snapshot, now);
    timeline(&facts, &target_of(report), now, options.window)
}

/// The target of a report (`Kind/namespace/name`).
fn target_of(report: &Report) -> Target {
    let mut parts = report.workload.splitn(3, '/');
    let kind = parts.next().unwrap_or_default().to_string();
    let namespace = parts.next().unwrap_or_default().to_string();
    let name = parts.next().unwrap_or_default().to_string();
    Target {
        kind,
        namespace,
        name,
    }
}

/// Whether a pod belongs to the target workload (owner, else name prefix).
fn is_target(pod: &Pod, target: &Target) -> bool {
    if pod.namespace != target.namespace || target.name.is_empty() {
        return false;
    }
    let prefix = format!("{}-", target.name);
    match &pod.owner {
        Some(o) => {
            (o.kind == target.kind && o.name == target.name)
                || (o.kind == "ReplicaSet" && o.name.starts_with(&prefix))
        }
        None => pod.name.starts_with(&prefix),
    }
}

/// `HH:MM:SSZ` of a time.
pub fn clock(t: Timestamp) -> String {
    t.strftime("%H:%M:%SZ").to_string()
}

#[derive(Clone, Copy)]
struct Window {
    start: Timestamp,
    end: Timestamp,
}

impl Window {
    /// Whether a point or span overlaps the window.
    fn holds(&self, at: Timestamp, end: Option<Timestamp>) -> bool {
        end.unwrap_or(at) >= self.start && at <= self.end
    }
}

fn exit_text(reason: &str, exit_code: Option<i64>) -> String {
    let reason = if reason.is_empty() {
        "Terminated"
    } else {
        reason
    };
    match exit_code {
        Some(c) => format!("{reason} (exit {c})"),
        None => reason.to_string(),
    }
}

/// Marks of one container state (current or last).
fn state_marks(c: &Container, state: &State, current: bool, w: &Window, out: &mut Vec<Mark>) {
    match state {
        State::Terminated {
            reason,
            exit_code,
            started,
            finished,
            message,
        } => {
            let what = exit_text(reason, *exit_code);
            if let (Some(s), Some(f)) = (started, finished)
                && s <= f
                && w.holds(*s, Some(*f))
            {
                out.push(Mark {
                    kind: Kind::Run,
                    at: *s,
                    end: Some(*f),
                    label: format!("ran {}", report_duration(f.duration_since(*s))),
                    detail: format!(
                        "container {} ran {} to {} ({})",
                        c.name,
                        clock(*s),
                        clock(*f),
                        report_duration(f.duration_since(*s))
                    ),
                });
            }
            if let Some(f) = finished
                && w.holds(*f, None)
            {
                let oom = reason == "OOMKilled";
                let mut detail = format!(
                    "container {} terminated at {}: {what}",
                    c.name,
                    f.strftime("%Y-%m-%dT%H:%M:%SZ")
                );
                if oom && let Some(limit) = c.memory_limit.set() {
                    detail.push_str(&format!(", memory limit {limit}"));
                }
                if !message.is_empty() {
                    detail.push_str(": ");
                    detail.push_str(&shorten(message, 200));
                }
                out.push(Mark {
                    kind: if oom {
                        Kind::OomKilled
                    } else {
                        Kind::Terminated
                    },
                    at: *f,
                    end: None,
                    label: what,
                    detail,
                });
            }
        }
        State::Running { started: Some(s) } if current && w.holds(*s, None) => {
            out.push(Mark {
                kind: Kind::Started,
                at: *s,
                end: None,
                label: "started".into(),
                detail: format!(
                    "container {} running since {} ({})",
                    c.name,
                    s.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    c.restarts_text()
                ),
            });
        }
        _ => {}
    }
}

fn container_lane(pod: &Pod, c: &Container, w: &Window) -> Lane {
    let mut marks = Vec::new();
    state_marks(c, &c.last_state, false, w, &mut marks);
    state_marks(c, &c.state, true, w, &mut marks);
    if let State::Waiting { reason, message } = &c.state {
        // Waiting since the last termination, when known.
        let since = match (&c.last_state, &c.state) {
            (State::Terminated { finished, .. }, _) => *finished,
            _ => None,
        };
        if let Some(since) = since
            && since <= w.end
            && w.holds(since, Some(w.end))
        {
            let reason = if reason.is_empty() { "Waiting" } else { reason };
            let mut detail = format!(
                "container {} waiting ({reason}) since {}",
                c.name,
                clock(since)
            );
            if !message.is_empty() {
                detail.push_str(": ");
                detail.push_str(&shorten(message, 200));
            }
            marks.push(Mark {
                kind: Kind::Waiting,
                at: since,
                end: Some(w.end),
                label: reason.to_string(),
                detail,
            });
        }
    }
    marks.sort_by_key(|m| (m.at, m.kind));
    let state = match &c.state {
        State::Running { .. } => "running".to_string(),
        State::Waiting { reason, .. } if !reason.is_empty() => reason.clone(),
        State::Waiting { .. } => "waiting".to_string(),
        State::Terminated { reason, .. } if !reason.is_empty() => format!("terminated: {reason}"),
        State::Terminated { .. } => "terminated".to_string(),
        State::Unknown => "state unknown".to_string(),
    };
    let init = if c.init { " (init)" } else { "" };
    let restarts = c.restarts_text();
    Lane {
        group: Group::Containers,
        title: pod.name.clone(),
        subtitle: format!("{}{init} · {restarts} · {state}", c.name),
        marks,
    }
}

fn condition_is_bad(type_: &str, status: &str) -> bool {
    if type_ == "Ready" {
        status != "True"
    } else {
        status == "True"
    }
}

/// Metadata worth watching for changes (the same set as the `recent-config-change` rule).
fn watched(m: &Meta, t: &Target) -> bool {
    match (m.group.as_str(), m.kind.as_str()) {
        ("crd.projectcalico.org" | "projectcalico.org" | "operator.tigera.io", _) => true,
        ("networking.k8s.io", "NetworkPolicy") => true,
        (
            "admissionregistration.k8s.io",
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration",
        ) => true,
        (_, kind) if kind == t.kind && m.namespace == t.namespace && m.name == t.name => true,
        ("", "ConfigMap") => m.namespace == t.namespace && m.name != "kube-root-ca.crt",
        _ => false,
    }
}

/// Keeps the first `MAX_LANES_PER_GROUP` lanes, counting the rest.
fn capped(mut lanes: Vec<Lane>, group: Group, omitted: &mut BTreeMap<Group, usize>) -> Vec<Lane> {
    if lanes.len() > MAX_LANES_PER_GROUP {
        omitted.insert(group, lanes.len() - MAX_LANES_PER_GROUP);
        lanes.truncate(MAX_LANES_PER_GROUP);
    }
    lanes
}

/// The timeline of `facts` in the `window` before `now`, about `target`.
pub fn timeline(
    facts: &Facts,
    target: &Target,
    now: Option<Timestamp>,
    window: SignedDuration,
) -> Timeline {
    let mut tl = Timeline {
        reference_time: now,
        window,
        lanes: Vec::new(),
        omitted: BTreeMap::new(),
        quiet_nodes: 0,
    };
    let (Some(end), Some(start)) = (now, tl.start()) else {
        return tl;
    };
    let w = Window { start, end };

    // Containers: the target's pods first, then by namespace and name.
    let mut pods: Vec<&Pod> = facts.pods.iter().collect();
    pods.sort_by(|a, b| {
        (!is_target(a, target), &a.namespace, &a.name).cmp(&(
            !is_target(b, target),
            &b.namespace,
            &b.name,
        ))
    });
    let containers: Vec<Lane> = pods
        .iter()
        .flat_map(|p| p.containers.iter().map(move |c| container_lane(p, c, &w)))
        .filter(|l| !l.marks.is_empty())
        .collect();
    tl.lanes
        .extend(capped(containers, Group::Containers, &mut tl.omitted));

    // Events: one lane per type, reason and object.
    type EventKey = (bool, bool, String, String, String, String, String);
    let mut by_key: BTreeMap<EventKey, (Option<Timestamp>, Vec<Mark>, u64)> = BTreeMap::new();
    let target_prefix = format!("{}-", target.name);
    for e in &facts.events {
        let (Some(first), last) = (e.first.or(e.last), e.last.or(e.first)) else {
            continue;
        };
        let last = last.unwrap_or(first).max(first);
        if !w.holds(first, Some(last)) {
            continue;
        }
        let warning = e.type_ != "Normal";
        let about_target = e.regarding.namespace == target.namespace
            && (e.regarding.name == target.name || e.regarding.name.starts_with(&target_prefix));
        let key = (
            !warning,
            !about_target,
            if e.type_.is_empty() {
                "Warning".to_string()
            } else {
                e.type_.clone()
            },
            e.reason.clone(),
            e.regarding.kind.clone(),
            e.regarding.namespace.clone(),
            e.regarding.name.clone(),
        );
        let span = e.count > 1 && first < last;
        let when = if span {
            format!("{} to {}", clock(first), clock(last))
        } else {
            clock(first)
        };
        let mut detail = format!("{} {} ×{} ({when})", key.2, e.reason, e.count);
        if !e.message.is_empty() {
            detail.push_str(": ");
            detail.push_str(&shorten(&e.message, 240));
        }
        let entry = by_key.entry(key).or_insert((None, Vec::new(), 0));
        entry.0 = Some(entry.0.map_or(first, |f: Timestamp| f.min(first)));
        entry.2 += e.count;
        entry.1.push(Mark {
            kind: if warning {
                Kind::WarningEvent
            } else {
                Kind::NormalEvent
            },
            at: first,
            end: span.then_some(last),
            // A single event needs no count.
            label: if e.count > 1 {
                format!("×{}", e.count)
            } else {
                String::new()
            },
            detail,
        });
    }
    let mut events: Vec<((bool, bool, Timestamp), Lane)> = by_key
        .into_iter()
        .filter_map(|(key, (first, mut marks, count))| {
            let first = first?;
            marks.sort_by_key(|m| (m.at, m.end));
            let (normal, other, type_, reason, kind, ns, name) = key;
            let object = match (kind.is_empty(), ns.is_empty()) {
                (true, _) => name,
                (false, true) => format!("{kind}/{name}"),
                (false, false) => format!("{kind}/{ns}/{name}"),
            };
            Some((
                (normal, other, first),
                Lane {
                    group: Group::Events,
                    title: format!("{type_} {reason} ×{count}"),
                    subtitle: object,
                    marks,
                },
            ))
        })
        .collect();
    // Stable: equal keys keep the BTreeMap's order.
    events.sort_by_key(|e| e.0);
    let events = events.into_iter().map(|(_, l)| l).collect();
    tl.lanes
        .extend(capped(events, Group::Events, &mut tl.omitted));

    // Nodes: condition transitions in the window.
    let mut nodes: Vec<Lane> = Vec::new();
    let mut sorted_nodes: Vec<_> = facts.nodes.iter().collect();
    sorted_nodes.sort_by(|a, b| a.name.cmp(&b.name));
    for n in sorted_nodes {
        let mut marks: Vec<Mark> = n
            .conditions
            .iter()
            .filter_map(|c| {
                let at = c.last_transition?;
                if !w.holds(at, None) {
                    return None;
                }
                let bad = condition_is_bad(&c.type_, &c.status);
                let mut detail = format!("{}={} since {}", c.type_, c.status, clock(at));
                if !c.reason.is_empty() {
                    detail.push_str(&format!(" ({})", c.reason));
                }
                if !c.message.is_empty() {
                    detail.push_str(": ");
                    detail.push_str(&shorten(&c.message, 200));
                }
                Some(Mark {
                    kind: if bad {
                        Kind::ConditionBad
                    } else {
                        Kind::ConditionGood
                    },
                    at,
                    end: None,
                    label: format!("{}={}", c.type_, c.status),
                    detail,
                })
            })
            .collect();
        let hosts: Vec<&str> = facts
            .pods
            .iter()
            .filter(|p| p.node.as_deref() == Some(n.name.as_str()) && is_target(p, target))
            .map(|p| p.name.as_str())
            .collect();
        // A quiet node gets a lane only when it runs the workload.
        if marks.is_empty() && hosts.is_empty() {
            tl.quiet_nodes += 1;
            continue;
        }
        marks.sort_by(|a, b| (a.at, &a.label).cmp(&(b.at, &b.label)));
        let ready = n
            .condition("Ready")
            .map_or("Ready unknown".to_string(), |c| {
                format!("Ready={}", c.status)
            });
        let subtitle = if hosts.is_empty() {
            ready
        } else {
            format!("{ready} · runs {}", hosts.join(", "))
        };
        nodes.push(Lane {
            group: Group::Nodes,
            title: format!("node {}", n.name),
            subtitle,
            marks,
        });
    }
    tl.lanes
        .extend(capped(nodes, Group::Nodes, &mut tl.omitted));

    // Configuration changes.
    let mut changes: Vec<(Timestamp, Lane)> = Vec::new();
    for m in &facts.metas {
        if !watched(m, target) {
            continue;
        }
        let mut marks = Vec::new();
        if let Some(c) = m.created
            && w.holds(c, None)
        {
            let by = m
                .managed
                .iter()
                .filter(|f| f.time.is_some())
                .min_by_key(|f| f.time)
                .map_or(String::new(), |f| format!(" by {}", f.manager));
            marks.push(Mark {
                kind: Kind::Created,
                at: c,
                end: None,
                label: format!("created{by}"),
                detail: format!("{} {} created{by} at {}", m.kind, m.name, clock(c)),
            });
        }
        for f in &m.managed {
            let Some(t) = f.time else { continue };
            if !f.owns_config || !f.subresource.is_empty() || !w.holds(t, None) {
                continue;
            }
            if m.created == Some(t) {
                continue;
            }
            let label = format!("{} {}", f.manager, f.operation).trim().to_string();
            marks.push(Mark {
                kind: Kind::Change,
                at: t,
                end: None,
                detail: format!(
                    "{} {} changed by {label} at {}",
                    m.kind,
                    m.name,
                    t.strftime("%Y-%m-%dT%H:%M:%SZ")
                ),
                label,
            });
        }
        marks.sort_by(|a, b| (a.at, &a.label).cmp(&(b.at, &b.label)));
        let Some(first) = marks.first().map(|m| m.at) else {
            continue;
        };
        let group = if m.group.is_empty() {
            "core".to_string()
        } else {
            m.group.clone()
        };
        let subtitle = if m.namespace.is_empty() {
            group
        } else {
            format!("{group} · {}", m.namespace)
        };
        changes.push((
            first,
            Lane {
                group: Group::Changes,
                title: format!("{} {}", m.kind, m.name),
                subtitle,
                marks,
            },
        ));
    }
    changes.sort_by(|a, b| (a.0, &a.1.title, &a.1.subtitle).cmp(&(b.0, &b.1.title, &b.1.subtitle)));
    let changes = changes.into_iter().map(|(_, l)| l).collect();
    tl.lanes
        .extend(capped(changes, Group::Changes, &mut tl.omitted));
    tl
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use kbundle_format::ReadOptions;

    pub(crate) fn fixture(name: &str) -> (Snapshot, Report) {
        let dir = kbundle_testkit::paths::cluster(name);
        let snapshot = Snapshot::open(&dir, &ReadOptions::default()).unwrap();
        let report = crate::analyze(&snapshot, &Options::default());
        (snapshot, report)
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn crashloop_oom_timeline() {
        let (snapshot, report) = fixture("crashloop-oom");
        let tl = from_snapshot(&snapshot, &report, &Options::default());
        assert_eq!(tl.reference_time, Some(ts("2025-03-14T09:30:00Z")));
        assert_eq!(tl.start(), Some(ts("2025-03-13T09:30:00Z")));

        // The OOM kill, and the back-off since.
        let c = tl
            .lanes_of(Group::Containers)
            .find(|l| l.title == "calico-kube-controllers-5f6b8d9c47-q4wzn")
            .expect("container lane");
        assert!(c.subtitle.contains("14 restarts"), "{}", c.subtitle);
        assert!(c.subtitle.contains("CrashLoopBackOff"), "{}", c.subtitle);
        let oom = c
            .marks
            .iter()
            .find(|m| m.kind == Kind::OomKilled)
            .expect("OOMKilled mark");
        assert_eq!(oom.at, ts("2025-03-14T09:26:13Z"));
        assert_eq!(oom.label, "OOMKilled (exit 137)");
        assert!(oom.detail.contains("128Mi"), "{}", oom.detail);
        let run = c.marks.iter().find(|m| m.kind == Kind::Run).expect("run");
        assert_eq!(
            (run.at, run.end),
            (ts("2025-03-14T09:23:13Z"), Some(ts("2025-03-14T09:26:13Z")))
        );
        let wait = c
            .marks
            .iter()
            .find(|m| m.kind == Kind::Waiting)
            .expect("wait");
        assert_eq!(wait.label, "CrashLoopBackOff");
        assert_eq!(wait.end, Some(ts("2025-03-14T09:30:00Z")));

        // BackOff ×193 as a span; warnings before normal events.
        let events: Vec<&Lane> = tl.lanes_of(Group::Events).collect();
        assert!(events[0].title.starts_with("Warning"), "{events:?}");
        let backoff = events
            .iter()
            .find(|l| l.title == "Warning BackOff ×193")
            .expect("BackOff lane");
        assert!(backoff.subtitle.contains("q4wzn"), "{}", backoff.subtitle);
        let m = &backoff.marks[0];
        assert_eq!(m.kind, Kind::WarningEvent);
        assert_eq!(
            (m.at, m.end),
            (ts("2025-03-14T07:54:05Z"), Some(ts("2025-03-14T09:29:48Z")))
        );
        assert_eq!(m.label, "×193");
        assert!(
            events.iter().any(|l| l.title == "Normal Pulled ×14"),
            "{events:?}"
        );

        // The FelixConfiguration edit.
        let felix = tl
            .lanes_of(Group::Changes)
            .find(|l| l.title == "FelixConfiguration default")
            .expect("FelixConfiguration lane");
        assert_eq!(felix.marks.len(), 1);
        assert_eq!(felix.marks[0].kind, Kind::Change);
        assert_eq!(felix.marks[0].at, ts("2025-03-14T07:29:41Z"));
        assert_eq!(felix.marks[0].label, "kubectl-edit Update");
        // Nothing older than the window: the other Calico resources are 30+ days old.
        assert_eq!(tl.lanes_of(Group::Changes).count(), 1);

        // Nodes: no transitions in the window; the pod's node has a lane all the same.
        let nodes: Vec<&Lane> = tl.lanes_of(Group::Nodes).collect();
        assert_eq!(nodes.len(), 1, "{nodes:?}");
        assert_eq!(nodes[0].title, "node 10.240.64.11");
        assert!(nodes[0].marks.is_empty());
        assert!(
            nodes[0].subtitle.contains("Ready=True"),
            "{}",
            nodes[0].subtitle
        );
        assert_eq!(tl.quiet_nodes, 2);
        assert!(tl.omitted.is_empty());
    }

    #[test]
    fn healthy_timeline_is_quiet() {
        let (snapshot, report) = fixture("healthy");
        let tl = from_snapshot(&snapshot, &report, &Options::default());
        assert!(tl.lanes_of(Group::Containers).next().is_none(), "{tl:?}");
        assert!(tl.lanes_of(Group::Changes).next().is_none(), "{tl:?}");
    }

    #[test]
    fn no_reference_time_no_lanes() {
        let (snapshot, mut report) = fixture("crashloop-oom");
        report.reference_time = None;
        let tl = from_snapshot(&snapshot, &report, &Options::default());
        assert!(tl.lanes.is_empty());
        assert!(tl.is_empty());
    }

    #[test]
    fn deterministic() {
        let (snapshot, report) = fixture("crashloop-oom");
        let a = from_snapshot(&snapshot, &report, &Options::default());
        let b = from_snapshot(&snapshot, &report, &Options::default());
        assert_eq!(a, b);
    }
}
