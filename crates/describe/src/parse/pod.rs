//! Pods: the mirror of `render/pod.rs`.

use crate::facts::{ContainerFacts, ContainerStateFacts, Described, PodConditionFacts, PodFacts};

use super::events::EventTable;
use super::{
    Keys, Kind, Line, add_label, is_event_header, is_event_row, key_value, opt, parse_date,
    split_kv,
};

/// Pods: a block with containers, a start time or a QoS class, or a node and
/// an IP without the selector and type that services and PVCs have.
pub(super) const POD: Kind = Kind {
    name: "Pod",
    names: &["po", "pod", "pods"],
    recognise: |k: &Keys<'_>| {
        k.has("Containers")
            || k.has("Init Containers")
            || k.has("QoS Class")
            || k.has("Start Time")
            || (k.has("Node") && k.has("IP") && !k.has("Selector") && !k.has("Type"))
    },
    parse: |block| Described::Pod(parse_pod(block, false)),
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PodSection {
    Other,
    Labels,
    NodeSelectors,
    Tolerations,
    Containers { init: bool },
    Conditions,
    Events,
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ContainerSub {
    None,
    State,
    LastState,
    Limits,
    Requests,
}

pub(super) struct ContainerParser {
    current: Option<(bool, ContainerFacts)>,
    sub: ContainerSub,
}

impl ContainerParser {
    fn finish(&mut self, pod: &mut PodFacts) {
        if let Some((init, c)) = self.current.take() {
            // An anonymous container of a fragment that saw no field.
            if c.name.is_empty()
                && c == (ContainerFacts {
                    line: c.line,
                    ..ContainerFacts::default()
                })
            {
                self.sub = ContainerSub::None;
                return;
            }
            if init {
                pod.init_containers.push(c);
            } else {
                pod.containers.push(c);
            }
        }
        self.sub = ContainerSub::None;
    }

    fn line(&mut self, pod: &mut PodFacts, init: bool, l: &Line<'_>, rel: usize) {
        if rel <= 3 {
            if let Some(name) = l.body.strip_suffix(':')
                && !name.is_empty()
                && !name.contains(char::is_whitespace)
            {
                self.finish(pod);
                self.current = Some((
                    init,
                    ContainerFacts {
                        line: l.no,
                        name: name.to_string(),
                        ..ContainerFacts::default()
                    },
                ));
            }
            return;
        }
        let Some((_, c)) = self.current.as_mut() else {
            return;
        };
        if c.line == 0 {
            c.line = l.no;
        }
        if rel <= 5 {
            let Some((k, v)) = key_value(l.body) else {
                self.sub = ContainerSub::None;
                return;
            };
            self.sub = ContainerSub::None;
            match k {
                "Container ID" => c.container_id = opt(v),
                "Image" => c.image = opt(v),
                "Image ID" => c.image_id = opt(v),
                "State" | "Last State" => {
                    let st = ContainerStateFacts {
                        state: v.to_string(),
                        line: l.no,
                        ..ContainerStateFacts::default()
                    };
                    if k == "State" {
                        c.state = Some(st);
                        self.sub = ContainerSub::State;
                    } else {
                        c.last_state = Some(st);
                        self.sub = ContainerSub::LastState;
                    }
                }
                "Ready" => {
                    c.ready = match v {
                        "True" | "true" => Some(true),
                        "False" | "false" => Some(false),
                        _ => None,
                    }
                }
                "Restart Count" => c.restart_count = v.parse().ok(),
                "Limits" => self.sub = ContainerSub::Limits,
                "Requests" => self.sub = ContainerSub::Requests,
                "Liveness" => c.liveness = opt(v),
                "Readiness" => c.readiness = opt(v),
                "Startup" => c.startup = opt(v),
                _ => {}
            }
            return;
        }
        match self.sub {
            ContainerSub::State | ContainerSub::LastState => {
                let st = if self.sub == ContainerSub::State {
                    c.state.as_mut()
                } else {
                    c.last_state.as_mut()
                };
                let (Some(st), Some((k, v))) = (st, key_value(l.body)) else {
                    return;
                };
                match k {
                    "Reason" => st.reason = opt(v),
                    "Message" => st.message = opt(v),
                    "Exit Code" => st.exit_code = v.parse().ok(),
                    "Signal" => st.signal = v.parse().ok(),
                    "Started" => st.started = parse_date(v),
                    "Finished" => st.finished = parse_date(v),
                    _ => {}
                }
            }
            ContainerSub::Limits | ContainerSub::Requests => {
                if let Some((k, v)) = split_kv(l.body) {
                    let map = if self.sub == ContainerSub::Limits {
                        &mut c.limits
                    } else {
                        &mut c.requests
                    };
                    map.insert(k.to_string(), v.to_string());
                }
            }
            ContainerSub::None => {}
        }
    }
}

pub(super) fn parse_pod(block: &[Line<'_>], fragment: bool) -> PodFacts {
    let mut pod = PodFacts::default();
    // A fragment keeps kubectl's absolute indentation; an object is relative
    // to its `Name:` line.
    let base = if fragment {
        0
    } else {
        block.first().map_or(0, |l| l.indent)
    };
    let mut section = PodSection::Other;
    let mut containers = ContainerParser {
        current: None,
        sub: ContainerSub::None,
    };
    if fragment {
        section = PodSection::Containers { init: false };
        containers.current = Some((false, ContainerFacts::default()));
    }
    let mut events = EventTable::default();
    for l in block {
        if l.body.is_empty() {
            continue;
        }
        let rel = l.indent.saturating_sub(base);
        if section != PodSection::Events
            && (is_event_header(l.body) || (fragment && is_event_row(l.body)))
        {
            containers.finish(&mut pod);
            section = PodSection::Events;
        }
        if fragment
            && section == PodSection::Events
            && (is_event_row(l.body) || key_value(l.body).is_none())
        {
            events.line(l, &mut pod.events);
            continue;
        }
        if rel == 0 && section == PodSection::Events && !fragment {
            // Events come last: a line at the left edge is a message the terminal wrapped,
            // unless it is the next command.
            if !events.wrapped(l, &mut pod.events) {
                section = PodSection::Other;
            }
            continue;
        }
        if rel == 0 {
            containers.finish(&mut pod);
            section = PodSection::Other;
            let Some((k, v)) = key_value(l.body) else {
                continue;
            };
            match k {
                "Name" if pod.name.is_empty() => {
                    pod.name = v.to_string();
                    pod.line = l.no;
                }
                "Namespace" => pod.namespace = opt(v),
                "Priority" => pod.priority = v.parse().ok(),
                "Priority Class Name" => pod.priority_class_name = opt(v),
                "Service Account" => pod.service_account = opt(v),
                "Node" if v != "<none>" && !v.is_empty() => match v.split_once('/') {
                    Some((n, ip)) => {
                        pod.node = opt(n);
                        pod.host_ip = opt(ip);
                    }
                    None => pod.node = opt(v),
                },
                "Start Time" => pod.start_time = parse_date(v),
                "Labels" => {
                    section = PodSection::Labels;
                    add_label(&mut pod.labels, v);
                }
                "Status" => pod.status = opt(v),
                "Reason" => pod.reason = opt(v),
                "Message" => pod.message = opt(v),
                "IP" => pod.ip = opt(v),
                "Controlled By" => pod.controlled_by = opt(v),
                "QoS Class" => pod.qos_class = opt(v),
                "Node-Selectors" => {
                    section = PodSection::NodeSelectors;
                    add_label(&mut pod.node_selectors, v);
                }
                "Tolerations" => {
                    section = PodSection::Tolerations;
                    if !v.is_empty() && v != "<none>" {
                        pod.tolerations.push(v.to_string());
                    }
                }
                "Init Containers" => section = PodSection::Containers { init: true },
                "Containers" => section = PodSection::Containers { init: false },
                "Conditions" => section = PodSection::Conditions,
                "Events" => section = PodSection::Events,
                "Annotations" | "Volumes" | "Ephemeral Containers" | "IPs" | "Readiness Gates" => {
                    section = PodSection::Skip;
                }
                _ => {}
            }
            continue;
        }
        match section {
            PodSection::Labels => add_label(&mut pod.labels, l.body),
            PodSection::NodeSelectors => add_label(&mut pod.node_selectors, l.body),
            PodSection::Tolerations => pod.tolerations.push(l.body.to_string()),
            PodSection::Containers { init } => containers.line(&mut pod, init, l, rel),
            PodSection::Conditions => {
                let mut t = l.body.split_whitespace();
                if let (Some(ty), Some(st)) = (t.next(), t.next())
                    && ty != "Type"
                {
                    pod.conditions.push(PodConditionFacts {
                        type_: ty.to_string(),
                        status: st.to_string(),
                    });
                }
            }
            PodSection::Events => events.line(l, &mut pod.events),
            PodSection::Other | PodSection::Skip => {}
        }
    }
    containers.finish(&mut pod);
    pod
}
