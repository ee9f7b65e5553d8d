//! `PersistentVolume` (core): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "",
    kinds: &["PersistentVolume"],
    columns: &[
        NAME,
        Column::new(
            "Capacity",
            "string",
            0,
            "capacity is the description of the persistent volume's resources and capacity.",
        ),
        Column::new(
            "Access Modes",
            "string",
            0,
            "accessModes contains all ways the volume can be mounted.",
        ),
        Column::new(
            "Reclaim Policy",
            "string",
            0,
            "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.",
        ),
        Column::new(
            "Status",
            "string",
            0,
            "phase indicates if a volume is available, bound to a claim, or released by a claim.",
        ),
        Column::new(
            "Claim",
            "string",
            0,
            "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.",
        ),
        Column::new("StorageClass", "string", 0, "StorageClass of the pv"),
        Column::new(
            "VolumeAttributesClass",
            "string",
            0,
            "VolumeAttributesClass of the pv",
        ),
        Column::new(
            "Reason",
            "string",
            0,
            "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.",
        ),
        AGE,
        Column::new(
            "VolumeMode",
            "string",
            1,
            "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.",
        ),
    ],
    row: |c, v| {
        let claim = match v.pointer("/spec/claimRef").filter(|r| r.is_object()) {
            Some(r) => format!("{}/{}", str_at(r, "/namespace"), str_at(r, "/name")),
            None => String::new(),
        };
        let phase = if nonempty_str_at(v, "/metadata/deletionTimestamp").is_some() {
            "Terminating"
        } else {
            str_at(v, "/status/phase")
        };
        (
            vec![
                json!(str_at(v, "/metadata/name")),
                json!(nonempty_str_at(v, "/spec/capacity/storage").unwrap_or("0")),
                json!(access_modes(array_at(v, "/spec/accessModes"))),
                json!(str_at(v, "/spec/persistentVolumeReclaimPolicy")),
                json!(phase),
                json!(claim),
                json!(storage_class(v)),
                json!(nonempty_str_at(v, "/spec/volumeAttributesClassName").unwrap_or("<unset>")),
                json!(str_at(v, "/status/reason")),
                json!(c.since(nonempty_str_at(v, "/metadata/creationTimestamp"))),
                json!(nonempty_str_at(v, "/spec/volumeMode").unwrap_or("<unset>")),
            ],
            None,
        )
    },
};
