//! `Secret` (core): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "",
    kinds: &["Secret"],
    columns: &[
        NAME,
        Column::new("Type", "string", 0, "The type of the secret"),
        Column::new("Data", "string", 0, "The number of entries in the secret"),
        AGE,
    ],
    row: |c, v| {
        let n = object_at(v, "/data").map_or(0, |m| m.len());
        c.named(v, vec![json!(str_at(v, "/type")), json!(n)])
    },
};
