//! `Lease` (coordination.k8s.io): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "coordination.k8s.io",
    kinds: &["Lease"],
    columns: &[
        NAME,
        Column::new("Holder", "string", 0, "The holder of the lease"),
        AGE,
    ],
    row: |c, v| c.named(v, vec![json!(str_at(v, "/spec/holderIdentity"))]),
};
