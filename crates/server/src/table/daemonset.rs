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
        let node_selector = v
            .pointer("/spec/template/spec/nodeSelector")
            .and_then(Value::as_object)
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
                json!(int(v, "/status/desiredNumberScheduled")),
                json!(int(v, "/status/currentNumberScheduled")),
                json!(int(v, "/status/numberReady")),
                json!(int(v, "/status/updatedNumberScheduled")),
                json!(int(v, "/status/numberAvailable")),
                json!(none_if_empty(node_selector)),
            ],
        )
    },
};
