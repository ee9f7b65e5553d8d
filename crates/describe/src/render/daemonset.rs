//! `kubectl describe daemonset`.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Event, Pod};

use super::apps::describe_pod_template;
use super::common::{
    annotations_multiline, describe_events, format_labels, labels_multiline, pods_status_line, s,
    selector_string,
};
use crate::tabwriter::PrefixWriter;

/// Renders `kubectl describe daemonset`. `pods` are candidate pods (kubectl lists them by
/// the selector); only those the DaemonSet controls are counted in `Pods Status`. kubectl
/// prints no `Namespace:` line for a DaemonSet.
pub fn describe_daemonset(
    ds: &DaemonSet,
    pods: &[Pod],
    events: &[Event],
    now: Timestamp,
) -> String {
    let mut w = PrefixWriter::default();
    let meta = &ds.metadata;
    let spec = ds.spec.clone().unwrap_or_default();
    let status = ds.status.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{}\n", s(&meta.name)));
    w.write(
        0,
        &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))),
    );
    let node_selector = spec
        .template
        .spec
        .as_ref()
        .and_then(|p| p.node_selector.as_ref());
    w.write(
        0,
        &format!("Node-Selector:\t{}\n", format_labels(node_selector)),
    );
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    for (title, n) in [
        (
            "Desired Number of Nodes Scheduled",
            status.desired_number_scheduled,
        ),
        (
            "Current Number of Nodes Scheduled",
            status.current_number_scheduled,
        ),
        (
            "Number of Nodes Scheduled with Up-to-date Pods",
            status.updated_number_scheduled.unwrap_or(0),
        ),
        (
            "Number of Nodes Scheduled with Available Pods",
            status.number_available.unwrap_or(0),
        ),
        ("Number of Nodes Misscheduled", status.number_misscheduled),
    ] {
        w.write(0, &format!("{title}: {n}\n"));
    }
    pods_status_line(&mut w, pods, meta, "DaemonSet");
    describe_pod_template(&mut w, &spec.template);
    describe_events(&mut w, events, None, now);
    w.finish()
}
