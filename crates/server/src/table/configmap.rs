//! `ConfigMap` (core): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "",
    kinds: &["ConfigMap"],
    columns: &[
        NAME,
        Column::new("Data", "string", 0, "Data contains the configuration data."),
        AGE,
    ],
    row: |c, v| {
        let n = object_at(v, "/data").map_or(0, |m| m.len())
            + object_at(v, "/binaryData").map_or(0, |m| m.len());
        c.named(v, vec![json!(n)])
    },
};
