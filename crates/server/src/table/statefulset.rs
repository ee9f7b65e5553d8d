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
            json!(s(v, "/metadata/name")),
            json!(format!(
                "{}/{}",
                int(v, "/status/readyReplicas"),
                replicas(v)
            )),
            json!(c.since(opt(v, "/metadata/creationTimestamp"))),
        ];
        cells.extend(template_cells(v));
        (cells, None)
    },
};
