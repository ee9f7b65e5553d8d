//! `kubectl describe statefulset`.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod};

use super::apps::describe_pod_template;
use super::common::{
    annotations_multiline, describe_events, int_or_string, labels_multiline, pods_status_line, s,
    selector_string,
};
use super::pvc::claim_class;
use crate::quantity::canonical_text;
use crate::tabwriter::PrefixWriter;
use crate::timefmt::rfc1123z_opt;

/// Renders `kubectl describe statefulset`. `pods` are candidate pods (kubectl lists them by
/// the selector); only those the StatefulSet controls are counted in `Pods Status`.
pub fn describe_statefulset(
    sts: &StatefulSet,
    pods: &[Pod],
    events: &[Event],
    now: Timestamp,
) -> String {
    let mut w = PrefixWriter::default();
    let meta = &sts.metadata;
    let spec = sts.spec.clone().unwrap_or_default();
    let status = sts.status.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{}\n", s(&meta.name)));
    w.write(0, &format!("Namespace:\t{}\n", s(&meta.namespace)));
    w.write(
        0,
        &format!(
            "CreationTimestamp:\t{}\n",
            rfc1123z_opt(meta.creation_timestamp.as_ref().map(|t| t.0))
        ),
    );
    w.write(
        0,
        &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))),
    );
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w.write(
        0,
        &format!(
            "Replicas:\t{} desired | {} total\n",
            spec.replicas.unwrap_or(1),
            status.replicas
        ),
    );
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    w.write(0, &format!("Update Strategy:\t{}\n", s(&strategy.type_)));
    if let Some(partition) = strategy.rolling_update.as_ref().and_then(|r| r.partition) {
        w.write(1, &format!("Partition:\t{partition}\n"));
        if let Some(mu) = strategy
            .rolling_update
            .as_ref()
            .and_then(|r| r.max_unavailable.as_ref())
        {
            w.write(
                1,
                &format!("MaxUnavailable:\t{}\n", int_or_string(Some(mu))),
            );
        }
    }
    pods_status_line(&mut w, pods, meta, "StatefulSet");
    describe_pod_template(&mut w, &spec.template);
    describe_volume_claim_templates(
        &mut w,
        spec.volume_claim_templates.as_deref().unwrap_or_default(),
    );
    describe_events(&mut w, events, None, now);
    w.finish()
}

/// `describeVolumeClaimTemplates`.
fn describe_volume_claim_templates(w: &mut PrefixWriter, templates: &[PersistentVolumeClaim]) {
    if templates.is_empty() {
        w.write(0, "Volume Claims:\t<none>\n");
        return;
    }
    w.write(0, "Volume Claims:\n");
    for pvc in templates {
        let spec = pvc.spec.clone().unwrap_or_default();
        w.write(1, &format!("Name:\t{}\n", s(&pvc.metadata.name)));
        w.write(1, &format!("StorageClass:\t{}\n", claim_class(pvc)));
        // kubectl prints both with its labels printer (`k=v`).
        labels_multiline(w, "  ", "Labels", pvc.metadata.labels.as_ref());
        labels_multiline(w, "  ", "Annotations", pvc.metadata.annotations.as_ref());
        let capacity = spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .map_or_else(|| "<default>".to_string(), |q| canonical_text(&q.0));
        w.write(1, &format!("Capacity:\t{capacity}\n"));
        let modes = spec.access_modes.unwrap_or_default().join(" ");
        w.write(1, &format!("Access Modes:\t[{modes}]\n"));
    }
}
