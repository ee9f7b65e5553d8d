//! `kubectl describe deployment` and `kubectl describe replicaset`.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Event, Pod, PodTemplateSpec};

use super::common::{
    annotations_multiline, controlled_by, describe_events, format_label_selector, int_or_string,
    is_controlled_by, labels_multiline, pods_status_line, s, selector_string,
    tolerations_multiline,
};
use super::pod::{EnvContext, describe_containers, describe_topology_spread, describe_volumes};
use crate::tabwriter::PrefixWriter;
use crate::timefmt::rfc1123z_opt;

const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// `DescribePodTemplate`.
pub(crate) fn describe_pod_template(w: &mut PrefixWriter, template: &PodTemplateSpec) {
    w.write(0, "Pod Template:\n");
    let meta = template.metadata.clone().unwrap_or_default();
    let spec = template.spec.clone().unwrap_or_default();
    labels_multiline(w, "", "  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        annotations_multiline(w, "  Annotations", meta.annotations.as_ref());
    }
    if !s(&spec.service_account_name).is_empty() {
        w.write(
            1,
            &format!("Service Account:\t{}\n", s(&spec.service_account_name)),
        );
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        describe_containers(
            w,
            "Init Containers",
            init,
            None,
            &EnvContext::Template,
            "  ",
        );
    }
    describe_containers(
        w,
        "Containers",
        &spec.containers,
        None,
        &EnvContext::Template,
        "  ",
    );
    describe_volumes(w, spec.volumes.as_deref().unwrap_or_default(), "  ");
    describe_topology_spread(w, &spec, "  ");
    if !s(&spec.priority_class_name).is_empty() {
        w.write(
            1,
            &format!("Priority Class Name:\t{}\n", s(&spec.priority_class_name)),
        );
    }
    labels_multiline(w, "", "  Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(
        w,
        "",
        "  Tolerations",
        spec.tolerations.as_deref().unwrap_or_default(),
    );
}

/// Renders `kubectl describe deployment`. `replicasets` are the ReplicaSets
/// of the namespace (kubectl lists them); the ones controlled by the
/// deployment are split into the new one (same pod template, ignoring the
/// `pod-template-hash` label, oldest first) and the old ones.
pub fn describe_deployment(
    d: &Deployment,
    replicasets: &[ReplicaSet],
    events: &[Event],
    now: Timestamp,
) -> String {
    let mut w = PrefixWriter::default();
    let meta = &d.metadata;
    let spec = d.spec.clone().unwrap_or_default();
    let status = d.status.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{}\n", s(&meta.name)));
    w.write(0, &format!("Namespace:\t{}\n", s(&meta.namespace)));
    w.write(
        0,
        &format!(
            "CreationTimestamp:\t{}\n",
            rfc1123z_opt(meta.creation_timestamp.as_ref().map(|t| t.0))
        ),
    );
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w.write(
        0,
        &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))),
    );
    w.write(
        0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            spec.replicas.unwrap_or(1),
            status.updated_replicas.unwrap_or(0),
            status.replicas.unwrap_or(0),
            status.available_replicas.unwrap_or(0),
            status.unavailable_replicas.unwrap_or(0)
        ),
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    w.write(0, &format!("StrategyType:\t{}\n", s(&strategy.type_)));
    w.write(
        0,
        &format!(
            "MinReadySeconds:\t{}\n",
            spec.min_ready_seconds.unwrap_or(0)
        ),
    );
    if let Some(ru) = &strategy.rolling_update {
        w.write(
            0,
            &format!(
                "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
                int_or_string(ru.max_unavailable.as_ref()),
                int_or_string(ru.max_surge.as_ref())
            ),
        );
    }
    describe_pod_template(&mut w, &spec.template);
    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
        w.write(1, "----\t------\t------\n");
        for c in conds {
            w.write(
                1,
                &format!("{} \t{}\t{}\n", c.type_, c.status, s(&c.reason)),
            );
        }
    }
    let (old, new) = split_replicasets(d, replicasets);
    if !old.is_empty() || new.is_some() {
        w.write(0, &format!("OldReplicaSets:\t{}\n", rs_list(&old)));
        w.write(
            0,
            &format!(
                "NewReplicaSet:\t{}\n",
                rs_list(&new.into_iter().collect::<Vec<_>>())
            ),
        );
    }
    describe_events(&mut w, events, None, now);
    w.finish()
}

fn rs_list(list: &[&ReplicaSet]) -> String {
    if list.is_empty() {
        return "<none>".to_string();
    }
    list.iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                s(&rs.metadata.name),
                rs.status.as_ref().map_or(0, |st| st.replicas),
                rs.spec.as_ref().and_then(|sp| sp.replicas).unwrap_or(1)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn without_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    if let Some(labels) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(POD_TEMPLATE_HASH);
    }
    t
}

/// kubectl's `GetAllReplicaSetsInChunks`: (all old, new).
fn split_replicasets<'a>(
    d: &Deployment,
    replicasets: &'a [ReplicaSet],
) -> (Vec<&'a ReplicaSet>, Option<&'a ReplicaSet>) {
    let mut owned: Vec<&ReplicaSet> = replicasets
        .iter()
        .filter(|rs| rs.metadata.namespace == d.metadata.namespace)
        .filter(|rs| is_controlled_by(&rs.metadata, &d.metadata, "Deployment"))
        .collect();
    // The API server lists by name; kubectl then sorts that list in place by
    // creation time (name breaking ties), picks the first one whose template
    // matches as the new one, and keeps the rest, in that order, as old.
    owned.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    crate::gosort::sort_by(&mut owned, |a, b| {
        let ta = a.metadata.creation_timestamp.as_ref().map(|t| t.0);
        let tb = b.metadata.creation_timestamp.as_ref().map(|t| t.0);
        if ta == tb {
            a.metadata.name < b.metadata.name
        } else {
            ta < tb
        }
    });
    let template = d.spec.as_ref().map(|sp| without_hash(&sp.template));
    let new = owned.iter().copied().find(|rs| {
        rs.spec
            .as_ref()
            .and_then(|sp| sp.template.as_ref())
            .map(without_hash)
            == template
    });
    let old = owned
        .into_iter()
        .filter(|rs| new.is_none_or(|n| n.metadata.name != rs.metadata.name))
        .collect();
    (old, new)
}

/// Renders `kubectl describe replicaset`. `pods` are candidate pods (kubectl
/// lists them by the selector); only those controlled by the ReplicaSet are
/// counted in `Pods Status`.
pub fn describe_replicaset(
    rs: &ReplicaSet,
    pods: &[Pod],
    events: &[Event],
    now: Timestamp,
) -> String {
    let mut w = PrefixWriter::default();
    let meta = &rs.metadata;
    let spec = rs.spec.clone().unwrap_or_default();
    let status = rs.status.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{}\n", s(&meta.name)));
    w.write(0, &format!("Namespace:\t{}\n", s(&meta.namespace)));
    w.write(
        0,
        &format!(
            "Selector:\t{}\n",
            format_label_selector(Some(&spec.selector))
        ),
    );
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    if let Some(c) = controlled_by(meta) {
        w.write(0, &format!("Controlled By:\t{c}\n"));
    }
    w.write(
        0,
        &format!(
            "Replicas:\t{} current / {} desired\n",
            status.replicas,
            spec.replicas.unwrap_or(1)
        ),
    );
    pods_status_line(&mut w, pods, meta, "ReplicaSet");
    describe_pod_template(&mut w, &spec.template.clone().unwrap_or_default());
    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(0, "Conditions:\n  Type\tStatus\tReason\n");
        w.write(1, "----\t------\t------\n");
        for c in conds {
            w.write(
                1,
                &format!("{} \t{}\t{}\n", c.type_, c.status, s(&c.reason)),
            );
        }
    }
    describe_events(&mut w, events, None, now);
    w.finish()
}
