//! `ValidatingWebhookConfiguration` and `MutatingWebhookConfiguration` (admissionregistration.k8s.io): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "admissionregistration.k8s.io",
    kinds: &[
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
    ],
    columns: &[
        NAME,
        Column::new(
            "Webhooks",
            "integer",
            0,
            "Webhooks is a list of webhooks and the affected resources and operations.",
        ),
        AGE,
    ],
    row: |c, v| c.named(v, vec![json!(array_at(v, "/webhooks").len())]),
};
