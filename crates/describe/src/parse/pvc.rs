//! PersistentVolumeClaims: the mirror of `render/pvc.rs`.

use crate::facts::{Described, PersistentVolumeClaimFacts, WorkloadConditionFacts};

use super::{At, Keys, Kind, Line, opt, opt_none, walk};

/// PVCs: `Used By:` (`Mounted By:` before kubectl 1.20), or `StorageClass:` and
/// `Access Modes:` without the `Reclaim Policy:` of a PersistentVolume.
pub(super) const PVC: Kind = Kind {
    name: "PersistentVolumeClaim",
    names: &["pvc", "persistentvolumeclaim", "persistentvolumeclaims"],
    recognise: |k: &Keys<'_>| {
        k.has("Used By")
            || k.has("Mounted By")
            || (k.has("StorageClass") && k.has("Access Modes") && !k.has("Reclaim Policy"))
    },
    parse: |block| Described::PersistentVolumeClaim(parse_pvc(block)),
};

fn parse_pvc(block: &[Line<'_>]) -> PersistentVolumeClaimFacts {
    let mut c = PersistentVolumeClaimFacts::default();
    let events = walk(block, |at: At<'_, '_>| {
        let v = at.value;
        if !at.top {
            match at.key {
                "Used By" | "Mounted By" => c.used_by.push(v.to_string()),
                "Conditions" => {
                    let mut t = v.split_whitespace();
                    if let (Some(ty), Some(st)) = (t.next(), t.next())
                        && ty != "Type"
                        && !ty.starts_with("---")
                    {
                        // Type, Status, two dates, Reason, Message: the reason is the fifth
                        // cell when none is empty.
                        let cells: Vec<&str> = v
                            .split("  ")
                            .map(str::trim)
                            .filter(|c| !c.is_empty())
                            .collect();
                        let reason = if cells.len() == 6 {
                            cells.get(4).copied().unwrap_or_default()
                        } else {
                            ""
                        };
                        c.conditions.push(WorkloadConditionFacts {
                            type_: ty.to_string(),
                            status: st.to_string(),
                            reason: reason.to_string(),
                        });
                    }
                }
                _ => {}
            }
            return;
        }
        match at.key {
            "Name" if c.name.is_empty() => {
                c.name = v.to_string();
                c.line = at.line.no;
            }
            "Namespace" => c.namespace = opt(v),
            "StorageClass" => c.storage_class = opt(v),
            "Status" => c.status = opt(v),
            "Volume" => c.volume = opt(v),
            "Capacity" => c.capacity = opt(v),
            "Access Modes" => {
                c.access_modes = v
                    .split(',')
                    .map(str::trim)
                    .filter(|m| !m.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            "VolumeMode" => c.volume_mode = opt(v),
            "Used By" | "Mounted By" => c.used_by.extend(opt_none(v)),
            _ => {}
        }
    });
    c.events = events;
    c
}
