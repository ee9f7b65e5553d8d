//! `ServiceAccount` (core): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "",
    kinds: &["ServiceAccount"],
    columns: &[
        NAME,
        Column::new(
            "Secrets",
            "string",
            0,
            "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
        ),
        AGE,
    ],
    row: |c, v| c.named(v, vec![json!(array_at(v, "/secrets").len())]),
};
