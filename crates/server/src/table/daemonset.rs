//! `DaemonSet` (apps): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "apps",
    kinds: &["DaemonSet"],
    columns: &[
        NAME,
        Column::new(
            "Desired",
            "integer",
            0,
            "The total number of nodes that should be running the daemon pod.",
        ),
        Column::new(
            "Current",
            "integer",
            0,
            "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.",
        ),
        Column::new(
            "Ready",
            "integer",
            0,
            "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.",
        ),
        Column::new(
            "Up-to-date",
            "integer",
            0,
            "The total number of nodes that are running updated daemon pod",
        ),
        Column::new(
            "Available",
            "integer",
            0,
            "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.",
        ),
        Column::new(
            "Node Selector",
            "string",
            0,
            "NodeSelector is a selector which must be true for the pod to fit on a node.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ],
    row: |c, v| {
        let node_selector = object_at(v, "/spec/template/spec/nodeSelector")
            .map(|m| {
                let map: BTreeMap<&str, &str> = m
                    .iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                    .collect();
                map.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default();
        c.workload(
            v,
            vec![
                json!(i64_at(v, "/status/desiredNumberScheduled").unwrap_or(0)),
                json!(i64_at(v, "/status/currentNumberScheduled").unwrap_or(0)),
                json!(i64_at(v, "/status/numberReady").unwrap_or(0)),
                json!(i64_at(v, "/status/updatedNumberScheduled").unwrap_or(0)),
                json!(i64_at(v, "/status/numberAvailable").unwrap_or(0)),
                json!(none_if_empty(node_selector)),
            ],
        )
    },
};
