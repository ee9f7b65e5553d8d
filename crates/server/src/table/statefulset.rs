//! `StatefulSet` (apps): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "apps",
    kinds: &["StatefulSet"],
    columns: &[
        NAME,
        Column::new("Ready", "string", 0, "Number of the pod with ready state"),
        AGE,
        CONTAINERS,
        IMAGES,
    ],
    row: |c, v| {
        let mut cells = vec![
            json!(str_at(v, "/metadata/name")),
            json!(format!(
                "{}/{}",
                i64_at(v, "/status/readyReplicas").unwrap_or(0),
                replicas(v)
            )),
            json!(c.since(nonempty_str_at(v, "/metadata/creationTimestamp"))),
        ];
        cells.extend(template_cells(v));
        (cells, None)
    },
};
