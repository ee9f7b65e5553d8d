//! StatefulSets: the mirror of `render/statefulset.rs`.

use crate::facts::{Described, StatefulSetFacts};

use super::apps::{parse_pods_status, parse_replicas};
use super::{At, Keys, Kind, Line, key_value, opt, parse_date, walk};

/// StatefulSets: `Update Strategy:` (a Deployment has `StrategyType:`) or `Volume Claims:`.
pub(super) const STATEFULSET: Kind = Kind {
    name: "StatefulSet",
    names: &["sts", "statefulset", "statefulsets"],
    recognise: |k: &Keys<'_>| k.has("Update Strategy") || k.has("Volume Claims"),
    parse: |block| Described::StatefulSet(parse_statefulset(block)),
};

fn parse_statefulset(block: &[Line<'_>]) -> StatefulSetFacts {
    let mut st = StatefulSetFacts::default();
    let events = walk(block, |at: At<'_, '_>| {
        let v = at.value;
        if !at.top {
            match (at.key, key_value(v)) {
                ("Update Strategy", Some(("Partition", p))) => st.partition = p.parse().ok(),
                ("Volume Claims", Some(("Name", n))) if !n.is_empty() => {
                    st.volume_claims.push(n.to_string());
                }
                _ => {}
            }
            return;
        }
        match at.key {
            "Name" if st.name.is_empty() => {
                st.name = v.to_string();
                st.line = at.line.no;
            }
            "Namespace" => st.namespace = opt(v),
            "CreationTimestamp" => st.creation_timestamp = parse_date(v),
            "Selector" => st.selector = opt(v),
            "Replicas" => {
                let r = parse_replicas(v);
                (st.desired, st.total) = (r.desired, r.total);
            }
            "Update Strategy" => st.update_strategy = opt(v),
            "Pods Status" => st.pods_status = parse_pods_status(v),
            _ => {}
        }
    });
    st.events = events;
    st
}
