//! `Namespace` (core): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "",
    kinds: &["Namespace"],
    columns: &[
        NAME,
        Column::new("Status", "string", 0, "The status of the namespace"),
        AGE,
    ],
    row: |c, v| c.named(v, vec![json!(str_at(v, "/status/phase"))]),
};
