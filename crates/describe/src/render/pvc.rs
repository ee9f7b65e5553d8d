//! `kubectl describe persistentvolumeclaim`.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod};

use super::common::{annotations_multiline, describe_events, labels_multiline, s};
use crate::quantity::canonical_text;
use crate::tabwriter::PrefixWriter;
use crate::timefmt::{rfc1123z_opt, since};

/// The annotation that names a claim's class before `storageClassName`.
const BETA_STORAGE_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

/// `GetPersistentVolumeClaimClass`: the beta annotation, else `storageClassName`.
pub(crate) fn claim_class(pvc: &PersistentVolumeClaim) -> &str {
    if let Some(class) = pvc
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(BETA_STORAGE_CLASS))
    {
        return class;
    }
    pvc.spec
        .as_ref()
        .and_then(|sp| sp.storage_class_name.as_deref())
        .unwrap_or("")
}

/// `GetAccessModesAsString`: each mode once, in the order RWO, ROX, RWX, RWOP.
fn access_modes(modes: &[String]) -> String {
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(mode, _)| modes.iter().any(|m| m == mode))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

/// The pods kubectl lists under `Used By` (`getPodsForPVC`): the pods of the claim's
/// namespace with a volume naming the claim (once per such volume, as kubectl does), then
/// the pods owning the claim that are not listed yet, sorted by name.
fn used_by<'a>(pvc: &PersistentVolumeClaim, pods: &'a [Pod]) -> Vec<&'a Pod> {
    let mut in_ns: Vec<&Pod> = pods
        .iter()
        .filter(|p| p.metadata.namespace == pvc.metadata.namespace)
        .collect();
    // The API server lists them by name.
    in_ns.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let claim = s(&pvc.metadata.name);
    let mut out: Vec<&Pod> = Vec::new();
    for p in &in_ns {
        for v in p
            .spec
            .as_ref()
            .and_then(|sp| sp.volumes.as_ref())
            .into_iter()
            .flatten()
        {
            if v.persistent_volume_claim
                .as_ref()
                .is_some_and(|c| c.claim_name == claim)
            {
                out.push(p);
            }
        }
    }
    for owner in pvc.metadata.owner_references.iter().flatten() {
        if owner.kind != "Pod" {
            continue;
        }
        let Some(p) = in_ns
            .iter()
            .find(|p| p.metadata.uid.as_deref().unwrap_or("") == owner.uid)
        else {
            continue;
        };
        if !out.iter().any(|o| o.metadata.uid == p.metadata.uid) {
            out.push(p);
        }
    }
    out.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    out
}

/// Renders `kubectl describe pvc`. `pods` are the pods of the claim's namespace (kubectl
/// lists them all and keeps those using or owning the claim, as this does).
pub fn describe_persistentvolumeclaim(
    pvc: &PersistentVolumeClaim,
    pods: &[Pod],
    events: &[Event],
    now: Timestamp,
) -> String {
    let mut w = PrefixWriter::default();
    let meta = &pvc.metadata;
    let spec = pvc.spec.clone().unwrap_or_default();
    let status = pvc.status.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{}\n", s(&meta.name)));
    w.write(0, &format!("Namespace:\t{}\n", s(&meta.namespace)));
    w.write(0, &format!("StorageClass:\t{}\n", claim_class(pvc)));
    match &meta.deletion_timestamp {
        Some(t) => w.write(
            0,
            &format!("Status:\tTerminating (lasts {})\n", since(Some(t.0), now)),
        ),
        None => w.write(0, &format!("Status:\t{}\n", s(&status.phase))),
    }
    let volume = s(&spec.volume_name);
    w.write(0, &format!("Volume:\t{volume}\n"));
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w.write(
        0,
        &format!(
            "Finalizers:\t[{}]\n",
            meta.finalizers.as_deref().unwrap_or_default().join(" ")
        ),
    );
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        let capacity = status
            .capacity
            .as_ref()
            .and_then(|c| c.get("storage"))
            .map_or_else(|| "0".to_string(), |q| canonical_text(&q.0));
        let modes = access_modes(status.access_modes.as_deref().unwrap_or_default());
        (capacity, modes)
    };
    w.write(0, &format!("Capacity:\t{capacity}\n"));
    w.write(0, &format!("Access Modes:\t{modes}\n"));
    if let Some(mode) = &spec.volume_mode {
        w.write(0, &format!("VolumeMode:\t{mode}\n"));
    }
    if let Some(ds) = &spec.data_source {
        w.write(0, "DataSource:\n");
        if let Some(group) = &ds.api_group {
            w.write(1, &format!("APIGroup:\t{group}\n"));
        }
        w.write(1, &format!("Kind:\t{}\n", ds.kind));
        w.write(1, &format!("Name:\t{}\n", ds.name));
    }
    let users = used_by(pvc, pods);
    w.write(0, "Used By:\t");
    if users.is_empty() {
        w.write_line("<none>");
    }
    for (i, p) in users.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        w.write(0, &format!("{}\n", s(&p.metadata.name)));
    }
    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(0, "Conditions:\n");
        w.write(
            1,
            "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n",
        );
        w.write(
            1,
            "----\t------\t-----------------\t------------------\t------\t-------\n",
        );
        for c in conds {
            w.write(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    rfc1123z_opt(c.last_probe_time.as_ref().map(|t| t.0)),
                    rfc1123z_opt(c.last_transition_time.as_ref().map(|t| t.0)),
                    s(&c.reason),
                    s(&c.message)
                ),
            );
        }
    }
    describe_events(&mut w, events, None, now);
    w.finish()
}
