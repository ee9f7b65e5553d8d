//! Facts from `kubectl describe` text (customer archives often hold nothing else), read with
//! `kbundle-describe`. Objects win: a pod, node, Deployment or ReplicaSet that the input also
//! holds as an object is not taken from its describe text. Evidence points at the text's lines.
//!
//! Describe output has ages (`4m58s (x23 over 115m)`), not times: they are turned into times
//! by subtracting them from the reference time, which is right when the text was captured at
//! the reference time (pass `--now` otherwise). Without any reference time, the newest date
//! in the texts stands in for it.

use std::collections::BTreeMap;

use jiff::Timestamp;
use kbundle_describe::{
    ContainerFacts, ContainerStateFacts, Described, EventFacts, parse, parse_kubectl_duration,
};
use kbundle_format::{Snapshot, TextKind, TextRef};

use crate::facts::{
    Condition, Container, Event, Facts, MemoryLimit, Node, ObjRef, Owner, Pod, ReplicaSet, Source,
    State, Workload,
};

/// The largest describe text read, in bytes.
const MAX_TEXT: u64 = 16 * 1024 * 1024;

fn ago(now: Option<Timestamp>, age: &str) -> Option<Timestamp> {
    now?.checked_sub(parse_kubectl_duration(age)?).ok()
}

fn source(text: &TextRef, line: usize) -> Source {
    Source {
        input: text.origin.input,
        path: text.origin.path.clone(),
        line: u64::try_from(line).ok().filter(|l| *l > 0),
    }
}

/// A Deployment's or ReplicaSet's conditions as the describe text gives them.
fn workload_conditions(conditions: &[kbundle_describe::WorkloadConditionFacts]) -> Vec<Condition> {
    conditions
        .iter()
        .map(|c| Condition {
            type_: c.type_.clone(),
            status: c.status.clone(),
            reason: c.reason.clone(),
            ..Condition::default()
        })
        .collect()
}

fn owner(controlled_by: Option<&str>) -> Option<Owner> {
    let (kind, name) = controlled_by?.split_once('/')?;
    Some(Owner {
        kind: kind.to_string(),
        name: name.to_string(),
        uid: None,
    })
}

fn state(s: Option<&ContainerStateFacts>) -> State {
    let Some(s) = s else { return State::Unknown };
    let reason = s.reason.clone().unwrap_or_default();
    let message = s.message.clone().unwrap_or_default();
    match s.state.as_str() {
        "Running" => State::Running { started: s.started },
        "Waiting" => State::Waiting { reason, message },
        "Terminated" => State::Terminated {
            reason,
            exit_code: s.exit_code,
            started: s.started,
            finished: s.finished,
            message,
        },
        _ => State::Unknown,
    }
}

fn container(c: &ContainerFacts, init: bool) -> Container {
    Container {
        name: if c.name.is_empty() {
            "(unnamed)".to_string()
        } else {
            c.name.clone()
        },
        init,
        image: c.image.clone().unwrap_or_default(),
        ready: c.ready.unwrap_or(false),
        restarts: c.restart_count,
        state: state(c.state.as_ref()),
        last_state: state(c.last_state.as_ref()),
        // kubectl prints Limits before Requests and the probes: when none of them is there,
        // the excerpt may simply stop before the resources.
        memory_limit: match c.limits.get("memory") {
            Some(l) => MemoryLimit::Set(l.clone()),
            None if !c.limits.is_empty()
                || !c.requests.is_empty()
                || c.liveness.is_some()
                || c.readiness.is_some()
                || c.startup.is_some() =>
            {
                MemoryLimit::None
            }
            None => MemoryLimit::Unknown,
        },
        line: u64::try_from(c.line).ok().filter(|l| *l > 0),
    }
}

fn events(
    facts: &mut Facts,
    text: &TextRef,
    now: Option<Timestamp>,
    regarding: ObjRef,
    rows: &[EventFacts],
) {
    for e in rows {
        let last = ago(now, &e.age);
        let first = e.over.as_deref().and_then(|o| ago(now, o)).or(last);
        facts.events.push(Event {
            namespace: regarding.namespace.clone(),
            name: format!("{}.describe-{}", regarding.name, e.line),
            regarding: regarding.clone(),
            reason: e.reason.clone(),
            message: e.message.clone(),
            type_: e.type_.clone(),
            first,
            last,
            count: e.count.unwrap_or(1).max(1),
            component: e.from.clone(),
            container: None,
            source: source(text, e.line),
        });
    }
}

/// Names an excerpt pasted without its `Name:` line after the command pasted above it, with
/// or without a prompt (`kubectl describe pod -n NS NAME`, `$ k describe po/NAME`), when there
/// is one.
fn name_from_prompt(d: &mut Described, lines: &[&str]) {
    if !d.name().is_empty() {
        return;
    }
    // The excerpt may start at the command line itself.
    let upto = d.line().max(1).min(lines.len());
    let Some(cmd) = lines
        .iter()
        .take(upto)
        .rev()
        .find_map(|l| kbundle_format::command::parse(l))
    else {
        return;
    };
    if cmd.verb != "describe" {
        return;
    }
    let (Some(kind), Some(name)) = (cmd.kind(), cmd.name()) else {
        return;
    };
    match d {
        Described::Pod(p) if kind == "Pod" => {
            p.name = name.to_string();
            if p.namespace.is_none() {
                p.namespace = cmd.namespace.clone();
            }
        }
        Described::Node(n) if kind == "Node" => n.name = name.to_string(),
        _ => {}
    }
}

/// The newest date a described object shows.
fn newest(d: &Described) -> Option<Timestamp> {
    let states = |cs: &[ContainerFacts]| -> Vec<Timestamp> {
        cs.iter()
            .flat_map(|c| [c.state.as_ref(), c.last_state.as_ref()])
            .flatten()
            .flat_map(|s| [s.started, s.finished])
            .flatten()
            .collect()
    };
    match d {
        Described::Pod(p) => p
            .start_time
            .into_iter()
            .chain(states(&p.init_containers))
            .chain(states(&p.containers))
            .max(),
        Described::Node(n) => n
            .conditions
            .iter()
            .flat_map(|c| [c.last_heartbeat, c.last_transition])
            .flatten()
            .chain(n.creation_timestamp)
            .max(),
        _ => None,
    }
}

/// Every `kubectl describe` object the snapshot's texts hold, in text order. Every text but
/// tables: describe output pasted into notes is not always recognised as such by the reader,
/// and the parser takes only what it recognises. Texts that cannot be read are skipped.
pub(crate) fn parse_describe_texts(snapshot: &Snapshot) -> Vec<(&TextRef, Described)> {
    let mut found: Vec<(&TextRef, Described)> = Vec::new();
    for text in snapshot
        .texts()
        .iter()
        .filter(|t| t.kind != TextKind::Table)
    {
        let Ok(bytes) = snapshot.read_bytes(&text.origin, MAX_TEXT) else {
            continue;
        };
        let s = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = s.lines().collect();
        found.extend(parse(&s).into_iter().map(|mut d| {
            name_from_prompt(&mut d, &lines);
            (text, d)
        }));
    }
    found
}

/// The newest date the parsed describe texts show.
pub(crate) fn newest_described(found: &[(&TextRef, Described)]) -> Option<Timestamp> {
    found.iter().filter_map(|(_, d)| newest(d)).max()
}

fn selector(s: Option<&str>) -> BTreeMap<String, String> {
    s.unwrap_or_default()
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

impl Facts {
    /// Adds what the snapshot's `kubectl describe` texts say about objects the snapshot does not
    /// hold. Texts that cannot be read are skipped. Without a reference time (`now`), the newest
    /// date the texts show (node heartbeats, container starts and ends, node conditions) stands
    /// in for the capture time; it is returned so that the report can say so.
    pub fn add_describe_texts(
        &mut self,
        snapshot: &Snapshot,
        now: Option<Timestamp>,
    ) -> Option<Timestamp> {
        self.add_parsed_describe_texts(parse_describe_texts(snapshot), now)
    }

    /// [`Facts::add_describe_texts`] with texts parsed already ([`parse_describe_texts`]).
    pub(crate) fn add_parsed_describe_texts(
        &mut self,
        found: Vec<(&TextRef, Described)>,
        now: Option<Timestamp>,
    ) -> Option<Timestamp> {
        let guessed = if now.is_none() {
            newest_described(&found)
        } else {
            None
        };
        for (text, d) in found {
            self.add_described(text, now.or(guessed), d);
        }
        self.events
            .sort_by(|a, b| (a.last, &a.namespace, &a.name).cmp(&(b.last, &b.namespace, &b.name)));
        guessed
    }

    fn add_described(&mut self, text: &TextRef, now: Option<Timestamp>, mut d: Described) {
        // An excerpt pasted without its `Name:` line (a container's state, an events or
        // conditions table) still says something: name it after where it is.
        if d.name().is_empty() {
            let name = format!("(unnamed, {} line {})", text.origin.path, d.line().max(1));
            match &mut d {
                Described::Pod(p) => p.name = name,
                Described::Node(n) => n.name = name,
                _ => return,
            }
        }
        match d {
            Described::Pod(p) => {
                let namespace = p.namespace.clone().unwrap_or_default();
                if self
                    .pods
                    .iter()
                    .any(|x| x.namespace == namespace && x.name == p.name)
                {
                    return;
                }
                let containers = p
                    .init_containers
                    .iter()
                    .map(|c| container(c, true))
                    .chain(p.containers.iter().map(|c| container(c, false)))
                    .collect();
                let pod = Pod {
                    namespace: namespace.clone(),
                    name: p.name.clone(),
                    uid: None,
                    labels: p.labels.clone(),
                    owner: owner(p.controlled_by.as_deref()),
                    node: p.node.clone().filter(|n| !n.is_empty() && n != "<none>"),
                    phase: p.status.clone().unwrap_or_default(),
                    reason: p.reason.clone().unwrap_or_default(),
                    message: p.message.clone().unwrap_or_default(),
                    conditions: p
                        .conditions
                        .iter()
                        .map(|c| Condition {
                            type_: c.type_.clone(),
                            status: c.status.clone(),
                            ..Condition::default()
                        })
                        .collect(),
                    containers,
                    created: p.start_time,
                    deleting: false,
                    volumes: Vec::new(),
                    target: false,
                    source: source(text, p.line),
                };
                let regarding = ObjRef {
                    kind: "Pod".into(),
                    namespace,
                    name: p.name.clone(),
                    uid: None,
                };
                self.pods.push(pod);
                events(self, text, now, regarding, &p.events);
            }
            Described::Node(n) => {
                if self.nodes.iter().any(|x| x.name == n.name) {
                    return;
                }
                self.nodes.push(Node {
                    name: n.name.clone(),
                    uid: None,
                    created: n.creation_timestamp,
                    unschedulable: n.unschedulable.unwrap_or(false),
                    taints: n
                        .taints
                        .iter()
                        .map(|t| match &t.value {
                            Some(v) => format!("{}={}:{}", t.key, v, t.effect),
                            None => format!("{}:{}", t.key, t.effect),
                        })
                        .collect(),
                    conditions: n
                        .conditions
                        .iter()
                        .map(|c| Condition {
                            type_: c.type_.clone(),
                            status: c.status.clone(),
                            reason: c.reason.clone(),
                            message: c.message.clone(),
                            last_transition: c.last_transition,
                        })
                        .collect(),
                    kubelet_version: n.kubelet_version.clone(),
                    source: source(text, n.line),
                });
                let regarding = ObjRef {
                    kind: "Node".into(),
                    namespace: String::new(),
                    name: n.name.clone(),
                    uid: None,
                };
                events(self, text, now, regarding, &n.events);
            }
            Described::Deployment(w) => {
                let namespace = w.namespace.clone().unwrap_or_default();
                if self
                    .workloads
                    .iter()
                    .any(|x| x.kind == "Deployment" && x.namespace == namespace && x.name == w.name)
                {
                    return;
                }
                self.workloads.push(Workload {
                    kind: "Deployment".into(),
                    namespace: namespace.clone(),
                    name: w.name.clone(),
                    uid: None,
                    desired: Some(w.replicas.desired.unwrap_or(1)),
                    current: w.replicas.total.unwrap_or(0),
                    ready: w.replicas.available.unwrap_or(0),
                    available: w.replicas.available.unwrap_or(0),
                    selector: selector(w.selector.as_deref()),
                    conditions: workload_conditions(&w.conditions),
                    source: source(text, w.line),
                });
                let regarding = ObjRef {
                    kind: "Deployment".into(),
                    namespace,
                    name: w.name.clone(),
                    uid: None,
                };
                events(self, text, now, regarding, &w.events);
            }
            Described::ReplicaSet(w) => {
                let namespace = w.namespace.clone().unwrap_or_default();
                if self
                    .replica_sets
                    .iter()
                    .any(|x| x.namespace == namespace && x.name == w.name)
                {
                    return;
                }
                self.replica_sets.push(ReplicaSet {
                    namespace: namespace.clone(),
                    name: w.name.clone(),
                    uid: None,
                    owner: owner(w.controlled_by.as_deref()),
                    desired: w.replicas.desired.unwrap_or(1),
                    conditions: workload_conditions(&w.conditions),
                    source: source(text, w.line),
                });
                let regarding = ObjRef {
                    kind: "ReplicaSet".into(),
                    namespace,
                    name: w.name.clone(),
                    uid: None,
                };
                events(self, text, now, regarding, &w.events);
            }
            // DaemonSets, StatefulSets, Services, Jobs and PVCs read from describe text are
            // not added to the facts yet (no rule reads them from text).
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_the_pasted_command() {
        let text = "$ kubectl describe pod -n kube-system calico-kube-controllers-65b8787765-rdkrm | tail\n    State:          Waiting\n      Reason:       CrashLoopBackOff\n";
        let lines: Vec<&str> = text.lines().collect();
        let mut found = parse(text);
        for d in &mut found {
            name_from_prompt(d, &lines);
        }
        let [Described::Pod(p)] = found.as_slice() else {
            panic!("one pod: {found:?}");
        };
        assert_eq!(p.name, "calico-kube-controllers-65b8787765-rdkrm");
        assert_eq!(p.namespace.as_deref(), Some("kube-system"));
    }

    #[test]
    fn names_from_a_bare_command_line() {
        for first in [
            "kubectl describe pod calico-kube-controllers-65b8787765-rdkrm -n kube-system",
            "[root@master ~]# k describe po/calico-kube-controllers-65b8787765-rdkrm --namespace=kube-system",
            "sudo microk8s kubectl -n kube-system describe pod calico-kube-controllers-65b8787765-rdkrm | grep -A5 State",
        ] {
            let text = format!(
                "{first}\r\n    State:          Waiting\r\n      Reason:       CrashLoopBackOff\r\n"
            );
            let lines: Vec<&str> = text.lines().collect();
            let mut found = parse(&text);
            for d in &mut found {
                name_from_prompt(d, &lines);
            }
            let [Described::Pod(p)] = found.as_slice() else {
                panic!("one pod: {found:?}");
            };
            assert_eq!(
                p.name, "calico-kube-controllers-65b8787765-rdkrm",
                "{first}"
            );
            assert_eq!(p.namespace.as_deref(), Some("kube-system"), "{first}");
        }
    }
}
