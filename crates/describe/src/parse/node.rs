//! Nodes: the mirror of `render/node.rs`.

use crate::facts::{
    AllocatedFacts, Described, NodeConditionFacts, NodeFacts, NodePodFacts, ResourceCell,
    TaintFacts,
};

use super::events::EventTable;
use super::{
    Keys, Kind, Line, add_label, is_event_header, is_event_row, key_value, opt, parse_date,
    split_kv,
};

/// Nodes: a block with roles, taints, `Unschedulable` or system info.
pub(super) const NODE: Kind = Kind {
    name: "Node",
    names: &["no", "node", "nodes"],
    recognise: |k: &Keys<'_>| {
        k.has("Roles") || k.has("Taints") || k.has("Unschedulable") || k.has("System Info")
    },
    parse: |block| Described::Node(parse_node(block, false)),
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NodeSection {
    Other,
    Labels,
    Taints,
    Conditions,
    Addresses,
    Capacity,
    Allocatable,
    SystemInfo,
    Pods,
    Allocated,
    Events,
}

pub(super) fn parse_taint(s: &str) -> Option<TaintFacts> {
    if s.is_empty() || s == "<none>" {
        return None;
    }
    let (kv, effect) = match s.rsplit_once(':') {
        Some((kv, effect)) => (kv, effect),
        None => (s, ""),
    };
    let (key, value) = match kv.split_once('=') {
        Some((k, v)) => (k, Some(v.to_string())),
        None => (kv, None),
    };
    Some(TaintFacts {
        key: key.to_string(),
        value,
        effect: effect.to_string(),
    })
}

/// `500m (25%)` from a token stream.
pub(super) fn take_cell<'a>(
    tokens: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>,
) -> Option<ResourceCell> {
    let quantity = tokens.next()?.to_string();
    let percent = match tokens.peek() {
        Some(t) if t.starts_with('(') && t.ends_with("%)") => {
            let p = t
                .trim_start_matches('(')
                .trim_end_matches("%)")
                .parse()
                .ok();
            tokens.next();
            p
        }
        _ => None,
    };
    Some(ResourceCell { quantity, percent })
}

/// Byte offsets where each whitespace-separated token of `s` ends.
pub(super) fn token_ends(s: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut in_token = false;
    for (i, ch) in s.char_indices() {
        if ch.is_whitespace() {
            if in_token {
                ends.push(i);
            }
            in_token = false;
        } else {
            in_token = true;
        }
    }
    if in_token {
        ends.push(s.len());
    }
    ends
}

pub(super) fn parse_node_condition(l: &Line<'_>) -> Option<NodeConditionFacts> {
    let tokens: Vec<&str> = l.body.split_whitespace().collect();
    let type_ = tokens.first()?.to_string();
    let status = tokens.get(1)?.to_string();
    let date = |from: usize| {
        tokens
            .get(from..from + 6)
            .and_then(|t| parse_date(&t.join(" ")))
    };
    let (hb, tr) = (date(2), date(8));
    if hb.is_some() && tr.is_some() {
        let reason = tokens.get(14).map(|s| s.to_string()).unwrap_or_default();
        // The message keeps its own spacing: take the text after the reason.
        let message = token_ends(l.body)
            .get(14)
            .and_then(|&end| l.body.get(end..))
            .map(|m| m.trim().to_string())
            .unwrap_or_default();
        return Some(NodeConditionFacts {
            line: l.no,
            type_,
            status,
            last_heartbeat: hb,
            last_transition: tr,
            reason,
            message,
        });
    }
    // Unknown date format: split on runs of two spaces.
    let fields: Vec<&str> = l
        .body
        .split("  ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    Some(NodeConditionFacts {
        line: l.no,
        type_,
        status,
        last_heartbeat: fields.get(2).and_then(|d| parse_date(d)),
        last_transition: fields.get(3).and_then(|d| parse_date(d)),
        reason: fields.get(4).map(|s| s.to_string()).unwrap_or_default(),
        message: fields.get(5..).unwrap_or(&[]).join("  "),
    })
}

pub(super) fn parse_node(block: &[Line<'_>], fragment: bool) -> NodeFacts {
    let mut node = NodeFacts::default();
    let base = if fragment {
        0
    } else {
        block.first().map_or(0, |l| l.indent)
    };
    let mut section = if fragment {
        NodeSection::Conditions
    } else {
        NodeSection::Other
    };
    let mut events = EventTable::default();
    for l in block {
        if l.body.is_empty() {
            continue;
        }
        let rel = l.indent.saturating_sub(base);
        if section != NodeSection::Events
            && (is_event_header(l.body) || (fragment && is_event_row(l.body)))
        {
            section = NodeSection::Events;
        }
        if fragment && section == NodeSection::Conditions && key_value(l.body).is_none() {
            if let Some(c) = parse_node_condition(l).filter(|c| c.last_heartbeat.is_some()) {
                node.conditions.push(c);
            }
            continue;
        }
        if fragment
            && section == NodeSection::Events
            && (is_event_row(l.body) || key_value(l.body).is_none())
        {
            events.line(l, &mut node.events);
            continue;
        }
        if rel == 0 && section == NodeSection::Events && !fragment {
            if !events.wrapped(l, &mut node.events) {
                section = NodeSection::Other;
            }
            continue;
        }
        if rel == 0 {
            section = NodeSection::Other;
            let Some((k, v)) = key_value(l.body) else {
                continue;
            };
            match k {
                "Name" if node.name.is_empty() => {
                    node.name = v.to_string();
                    node.line = l.no;
                }
                "Roles" => {
                    node.roles = if v == "<none>" || v.is_empty() {
                        Vec::new()
                    } else {
                        v.split(',').map(str::to_string).collect()
                    }
                }
                "Labels" => {
                    section = NodeSection::Labels;
                    add_label(&mut node.labels, v);
                }
                "CreationTimestamp" => node.creation_timestamp = parse_date(v),
                "Taints" => {
                    section = NodeSection::Taints;
                    node.taints.extend(parse_taint(v));
                }
                "Unschedulable" => node.unschedulable = v.parse().ok(),
                "Conditions" => section = NodeSection::Conditions,
                "Addresses" => section = NodeSection::Addresses,
                "Capacity" => section = NodeSection::Capacity,
                "Allocatable" => section = NodeSection::Allocatable,
                "System Info" => section = NodeSection::SystemInfo,
                "Non-terminated Pods" => section = NodeSection::Pods,
                "Allocated resources" => section = NodeSection::Allocated,
                "Events" => section = NodeSection::Events,
                _ => {}
            }
            continue;
        }
        match section {
            NodeSection::Labels => add_label(&mut node.labels, l.body),
            NodeSection::Taints => node.taints.extend(parse_taint(l.body)),
            NodeSection::Conditions => {
                if !l.body.starts_with("Type") && !l.body.starts_with("----") {
                    node.conditions.extend(parse_node_condition(l));
                }
            }
            NodeSection::Addresses | NodeSection::Capacity | NodeSection::Allocatable => {
                if let Some((k, v)) = split_kv(l.body) {
                    let map = match section {
                        NodeSection::Addresses => &mut node.addresses,
                        NodeSection::Capacity => &mut node.capacity,
                        _ => &mut node.allocatable,
                    };
                    map.insert(k.to_string(), v.to_string());
                }
            }
            NodeSection::SystemInfo => match key_value(l.body) {
                Some(("Kubelet Version", v)) => node.kubelet_version = opt(v),
                Some(("Container Runtime Version", v)) => node.container_runtime_version = opt(v),
                _ => {}
            },
            NodeSection::Pods => {
                if l.body.starts_with("Namespace") || l.body.starts_with("---") {
                    continue;
                }
                let mut t = l.body.split_whitespace().peekable();
                let (Some(ns), Some(name)) = (t.next(), t.next()) else {
                    continue;
                };
                let (Some(cr), Some(cl), Some(mr), Some(ml)) = (
                    take_cell(&mut t),
                    take_cell(&mut t),
                    take_cell(&mut t),
                    take_cell(&mut t),
                ) else {
                    continue;
                };
                node.pods.push(NodePodFacts {
                    line: l.no,
                    namespace: ns.to_string(),
                    name: name.to_string(),
                    cpu_requests: cr,
                    cpu_limits: cl,
                    memory_requests: mr,
                    memory_limits: ml,
                    age: t.next().map(str::to_string),
                });
            }
            NodeSection::Allocated => {
                if l.body.starts_with('(')
                    || l.body.starts_with("Resource")
                    || l.body.starts_with("---")
                {
                    continue;
                }
                let mut t = l.body.split_whitespace().peekable();
                let Some(resource) = t.next() else { continue };
                let (Some(requests), Some(limits)) = (take_cell(&mut t), take_cell(&mut t)) else {
                    continue;
                };
                node.allocated.push(AllocatedFacts {
                    resource: resource.to_string(),
                    requests,
                    limits,
                });
            }
            NodeSection::Events => events.line(l, &mut node.events),
            NodeSection::Other => {}
        }
    }
    node
}
