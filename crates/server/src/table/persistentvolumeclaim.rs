//! `PersistentVolumeClaim` (core): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "",
    kinds: &["PersistentVolumeClaim"],
    columns: &[
        NAME,
        Column::new(
            "Status",
            "string",
            0,
            "phase represents the current phase of PersistentVolumeClaim.",
        ),
        Column::new(
            "Volume",
            "string",
            0,
            "volumeName is the binding reference to the PersistentVolume backing this claim.",
        ),
        Column::new(
            "Capacity",
            "string",
            0,
            "capacity represents the actual resources of the underlying volume.",
        ),
        Column::new(
            "Access Modes",
            "string",
            0,
            "accessModes contains the desired access modes the volume should have.",
        ),
        Column::new("StorageClass", "string", 0, "StorageClass of the pvc"),
        Column::new(
            "VolumeAttributesClass",
            "string",
            0,
            "VolumeAttributesClass of the pvc",
        ),
        AGE,
        Column::new(
            "VolumeMode",
            "string",
            1,
            "volumeMode defines what type of volume is required by the claim.",
        ),
    ],
    row: |c, v| {
        let phase = if nonempty_str_at(v, "/metadata/deletionTimestamp").is_some() {
            "Terminating"
        } else {
            str_at(v, "/status/phase")
        };
        let bound = nonempty_str_at(v, "/spec/volumeName").is_some();
        let (capacity, modes) = if bound {
            (
                nonempty_str_at(v, "/status/capacity/storage")
                    .unwrap_or("0")
                    .to_string(),
                access_modes(array_at(v, "/status/accessModes")),
            )
        } else {
            (String::new(), String::new())
        };
        (
            vec![
                json!(str_at(v, "/metadata/name")),
                json!(phase),
                json!(str_at(v, "/spec/volumeName")),
                json!(capacity),
                json!(modes),
                json!(storage_class(v)),
                json!(nonempty_str_at(v, "/spec/volumeAttributesClassName").unwrap_or("<unset>")),
                json!(c.since(nonempty_str_at(v, "/metadata/creationTimestamp"))),
                json!(nonempty_str_at(v, "/spec/volumeMode").unwrap_or("<unset>")),
            ],
            None,
        )
    },
};
