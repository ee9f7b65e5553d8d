//! DaemonSets: the mirror of `render/daemonset.rs`.

use crate::facts::{DaemonSetFacts, Described};

use super::apps::parse_pods_status;
use super::{At, Keys, Kind, Line, opt, opt_none, walk};

/// DaemonSets: the `Number of Nodes ...` lines no other kind prints.
pub(super) const DAEMONSET: Kind = Kind {
    name: "DaemonSet",
    names: &["ds", "daemonset", "daemonsets"],
    recognise: |k: &Keys<'_>| {
        k.has("Desired Number of Nodes Scheduled") || k.has("Number of Nodes Misscheduled")
    },
    parse: |block| Described::DaemonSet(parse_daemonset(block)),
};

fn parse_daemonset(block: &[Line<'_>]) -> DaemonSetFacts {
    let mut d = DaemonSetFacts::default();
    let events = walk(block, |at: At<'_, '_>| {
        if !at.top {
            return;
        }
        let v = at.value;
        match at.key {
            "Name" if d.name.is_empty() => {
                d.name = v.to_string();
                d.line = at.line.no;
            }
            "Selector" => d.selector = opt(v),
            "Node-Selector" => d.node_selector = opt_none(v),
            "Desired Number of Nodes Scheduled" => d.desired_scheduled = v.parse().ok(),
            "Current Number of Nodes Scheduled" => d.current_scheduled = v.parse().ok(),
            "Number of Nodes Scheduled with Up-to-date Pods" => {
                d.updated_scheduled = v.parse().ok();
            }
            "Number of Nodes Scheduled with Available Pods" => d.available = v.parse().ok(),
            "Number of Nodes Misscheduled" => d.misscheduled = v.parse().ok(),
            "Pods Status" => d.pods_status = parse_pods_status(v),
            _ => {}
        }
    });
    d.events = events;
    d
}
