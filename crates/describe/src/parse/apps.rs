//! Deployments and ReplicaSets: the mirror of `render/apps.rs`.

use crate::facts::{
    Described, PodsStatusFacts, ReplicaFacts, WorkloadConditionFacts, WorkloadFacts,
};

use super::events::EventTable;
use super::{Keys, Kind, Line, key_value, opt};

/// Deployments: every Deployment describe has `StrategyType:`; a
/// StatefulSet's `Replicas: n desired | m total` alone is not enough.
pub(super) const DEPLOYMENT: Kind = Kind {
    name: "Deployment",
    names: &["deploy", "deployment", "deployments"],
    recognise: |k: &Keys<'_>| {
        k.has("StrategyType") || k.has("NewReplicaSet") || k.has("OldReplicaSets")
    },
    parse: |block| Described::Deployment(parse_workload(block)),
};

/// ReplicaSets: `Replicas: n current / m desired` and a `Pods Status:` line.
pub(super) const REPLICASET: Kind = Kind {
    name: "ReplicaSet",
    names: &["rs", "replicaset", "replicasets"],
    recognise: |k: &Keys<'_>| {
        k.get("Replicas").is_some_and(|r| r.contains("current /")) && k.has("Pods Status")
    },
    parse: |block| Described::ReplicaSet(parse_workload(block)),
};

pub(super) fn count_before(part: &str, word: &str) -> Option<i64> {
    let mut t = part.split_whitespace();
    let n = t.next()?.parse().ok()?;
    (t.next()? == word).then_some(n)
}

pub(super) fn parse_replicas(v: &str) -> ReplicaFacts {
    let mut r = ReplicaFacts::default();
    let parts: Vec<&str> = if v.contains('|') {
        v.split('|').collect()
    } else {
        v.split('/').collect()
    };
    for p in parts {
        let mut t = p.split_whitespace();
        let (Some(n), Some(word)) = (t.next(), t.next()) else {
            continue;
        };
        let n = n.parse().ok();
        match word {
            "desired" => r.desired = n,
            "updated" => r.updated = n,
            "total" | "current" => r.total = n,
            "available" => r.available = n,
            "unavailable" => r.unavailable = n,
            _ => {}
        }
    }
    r
}

pub(super) fn parse_pods_status(v: &str) -> Option<PodsStatusFacts> {
    let parts: Vec<&str> = v.split('/').collect();
    Some(PodsStatusFacts {
        running: count_before(parts.first()?, "Running")?,
        waiting: count_before(parts.get(1)?, "Waiting")?,
        succeeded: count_before(parts.get(2)?, "Succeeded")?,
        failed: count_before(parts.get(3)?, "Failed")?,
    })
}

/// `name (1/1 replicas created), other (0/0 replicas created)` into names.
pub(super) fn rs_names(v: &str) -> Vec<String> {
    if v.is_empty() || v == "<none>" {
        return Vec::new();
    }
    v.split(", ")
        .map(|p| p.split(" (").next().unwrap_or(p).trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

pub(super) fn parse_workload(block: &[Line<'_>]) -> WorkloadFacts {
    let mut wl = WorkloadFacts::default();
    let base = block.first().map_or(0, |l| l.indent);
    #[derive(PartialEq)]
    enum S {
        Other,
        Conditions,
        Events,
    }
    let mut section = S::Other;
    let mut events = EventTable::default();
    for l in block {
        if l.body.is_empty() {
            continue;
        }
        let rel = l.indent.saturating_sub(base);
        if rel == 0 && section == S::Events {
            if !events.wrapped(l, &mut wl.events) {
                section = S::Other;
            }
            continue;
        }
        if rel == 0 {
            section = S::Other;
            let Some((k, v)) = key_value(l.body) else {
                continue;
            };
            match k {
                "Name" if wl.name.is_empty() => {
                    wl.name = v.to_string();
                    wl.line = l.no;
                }
                "Namespace" => wl.namespace = opt(v),
                "Selector" => wl.selector = opt(v),
                "Controlled By" => wl.controlled_by = opt(v),
                "Replicas" => wl.replicas = parse_replicas(v),
                "Pods Status" => wl.pods_status = parse_pods_status(v),
                "Conditions" => section = S::Conditions,
                "NewReplicaSet" => wl.new_replicaset = rs_names(v).into_iter().next(),
                "OldReplicaSets" => wl.old_replicasets = rs_names(v),
                "Events" => section = S::Events,
                _ => {}
            }
            continue;
        }
        match section {
            S::Conditions => {
                let mut t = l.body.split_whitespace();
                if let (Some(ty), Some(st)) = (t.next(), t.next())
                    && ty != "Type"
                    && !ty.starts_with("---")
                {
                    wl.conditions.push(WorkloadConditionFacts {
                        type_: ty.to_string(),
                        status: st.to_string(),
                        reason: t.collect::<Vec<_>>().join(" "),
                    });
                }
            }
            S::Events => events.line(l, &mut wl.events),
            S::Other => {}
        }
    }
    wl
}
