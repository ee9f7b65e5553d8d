//! `Deployment` (apps): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "apps",
    kinds: &["Deployment"],
    columns: &[
        NAME,
        Column::new("Ready", "string", 0, "Number of the pod with ready state"),
        Column::new(
            "Up-to-date",
            "string",
            0,
            "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
        ),
        Column::new(
            "Available",
            "string",
            0,
            "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
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
                json!(format!(
                    "{}/{}",
                    i64_at(v, "/status/readyReplicas").unwrap_or(0),
                    replicas(v)
                )),
                json!(i64_at(v, "/status/updatedReplicas").unwrap_or(0)),
                json!(i64_at(v, "/status/availableReplicas").unwrap_or(0)),
            ],
        )
    },
};
