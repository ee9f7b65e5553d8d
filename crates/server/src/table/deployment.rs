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
                    int(v, "/status/readyReplicas"),
                    replicas(v)
                )),
                json!(int(v, "/status/updatedReplicas")),
                json!(int(v, "/status/availableReplicas")),
            ],
        )
    },
};
