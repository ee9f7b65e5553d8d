//! `ReplicaSet` (apps): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "apps",
    kinds: &["ReplicaSet"],
    columns: &[
        NAME,
        Column::new(
            "Desired",
            "integer",
            0,
            "Replicas is the number of desired replicas.",
        ),
        Column::new(
            "Current",
            "integer",
            0,
            "Replicas is the most recently observed number of replicas.",
        ),
        Column::new(
            "Ready",
            "integer",
            0,
            "The number of ready replicas for this replica set.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ],
    row: |c, v| {
        c.workload(
            v,
            vec![
                json!(replicas(v)),
                json!(i64_at(v, "/status/replicas").unwrap_or(0)),
                json!(i64_at(v, "/status/readyReplicas").unwrap_or(0)),
            ],
        )
    },
};
