//! `StorageClass` (storage.k8s.io): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "storage.k8s.io",
    kinds: &["StorageClass"],
    columns: &[
        NAME,
        Column::new(
            "Provisioner",
            "string",
            0,
            "provisioner indicates the type of the provisioner.",
        ),
        Column::new(
            "ReclaimPolicy",
            "string",
            0,
            "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.",
        ),
        Column::new(
            "VolumeBindingMode",
            "string",
            0,
            "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.",
        ),
        Column::new(
            "AllowVolumeExpansion",
            "string",
            0,
            "allowVolumeExpansion shows whether the storage class allow volume expand.",
        ),
        AGE,
    ],
    row: |c, v| {
        let default = [
            "storageclass.kubernetes.io/is-default-class",
            "storageclass.beta.kubernetes.io/is-default-class",
        ]
        .iter()
        .any(|a| {
            v.pointer("/metadata/annotations")
                .and_then(|m| m.get(*a))
                .and_then(Value::as_str)
                == Some("true")
        });
        let mut name = str_at(v, "/metadata/name").to_string();
        if default {
            name.push_str(" (default)");
        }
        (
            vec![
                json!(name),
                json!(str_at(v, "/provisioner")),
                json!(nonempty_str_at(v, "/reclaimPolicy").unwrap_or("Delete")),
                json!(nonempty_str_at(v, "/volumeBindingMode").unwrap_or("Immediate")),
                json!(bool_at(v, "/allowVolumeExpansion").unwrap_or(false)),
                json!(c.since(nonempty_str_at(v, "/metadata/creationTimestamp"))),
            ],
            None,
        )
    },
};
