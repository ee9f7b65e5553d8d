//! `PodDisruptionBudget` (policy): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "policy",
    kinds: &["PodDisruptionBudget"],
    columns: &[
        NAME,
        Column::new(
            "Min Available",
            "string",
            0,
            "The minimum number of pods that must be available.",
        ),
        Column::new(
            "Max Unavailable",
            "string",
            0,
            "The maximum number of pods that may be unavailable.",
        ),
        Column::new(
            "Allowed Disruptions",
            "integer",
            0,
            "Calculated number of pods that may be disrupted at this time.",
        ),
        AGE,
    ],
    row: |c, v| {
        let int_or_string = |p: &str| match v.pointer(p) {
            Some(Value::String(x)) => x.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => "N/A".into(),
        };
        c.named(
            v,
            vec![
                json!(int_or_string("/spec/minAvailable")),
                json!(int_or_string("/spec/maxUnavailable")),
                json!(i64_at(v, "/status/disruptionsAllowed").unwrap_or(0)),
            ],
        )
    },
};
