//! `NetworkPolicy` (networking.k8s.io): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "networking.k8s.io",
    kinds: &["NetworkPolicy"],
    columns: &[
        NAME,
        Column::new(
            "Pod-Selector",
            "string",
            0,
            "Selects the pods to which this NetworkPolicy object applies.",
        ),
        AGE,
    ],
    row: |c, v| {
        let sel = v
            .pointer("/spec/podSelector")
            .cloned()
            .unwrap_or_else(|| json!({}));
        c.named(v, vec![json!(format_label_selector(Some(&sel)))])
    },
};
