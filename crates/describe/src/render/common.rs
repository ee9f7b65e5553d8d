//! Pieces shared by several describers: labels, annotations, taints,
//! tolerations, resource lists, selectors and the events table.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, ResourceRequirements, Taint, Toleration};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as K8sQuantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::quantity::canonical_text;
use crate::tabwriter::PrefixWriter;
use crate::timefmt::since;

/// Annotation kubectl never shows.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// Longer `key: value` annotation lines are folded (kubectl's `maxAnnotationLen`).
const MAX_ANNOTATION_LEN: usize = 140;

/// Go's zero value for an unset string.
pub(crate) fn s(o: &Option<String>) -> &str {
    o.as_deref().unwrap_or("")
}

/// Go's zero value for an unset bool.
pub(crate) fn flag(v: Option<bool>) -> bool {
    v.unwrap_or(false)
}

/// `printLabelsMultilineWithIndent`.
pub(crate) fn labels_multiline(
    w: &mut PrefixWriter,
    initial_indent: &str,
    title: &str,
    labels: Option<&BTreeMap<String, String>>,
) {
    w.write(0, &format!("{initial_indent}{title}:\t"));
    let Some(labels) = labels.filter(|l| !l.is_empty()) else {
        w.write_line("<none>");
        return;
    };
    for (i, (k, v)) in labels.iter().enumerate() {
        if i != 0 {
            w.write(0, initial_indent);
            w.write(0, "\t");
        }
        w.write(0, &format!("{k}={v}\n"));
    }
}

/// `printAnnotationsMultiline`.
pub(crate) fn annotations_multiline(
    w: &mut PrefixWriter,
    title: &str,
    annotations: Option<&BTreeMap<String, String>>,
) {
    w.write(0, &format!("{title}:\t"));
    let keys: Vec<(&String, &String)> = annotations
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != LAST_APPLIED)
        .collect();
    if keys.is_empty() {
        w.write_line("<none>");
        return;
    }
    for (i, (key, value)) in keys.into_iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            w.write(0, &format!("{key}:\n"));
            for line in value.split('\n') {
                w.write(
                    0,
                    &format!("\t  {}\n", shorten(line, MAX_ANNOTATION_LEN - 2)),
                );
            }
        } else {
            w.write(0, &format!("{key}: {value}\n"));
        }
    }
}

/// kubectl cuts at a byte offset; we cut at the nearest character boundary
/// at or before it so the output stays valid UTF-8.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// `Taint.ToString()`.
pub(crate) fn taint_string(t: &Taint) -> String {
    let value = s(&t.value);
    match (t.effect.is_empty(), value.is_empty()) {
        (true, true) => t.key.clone(),
        (true, false) => format!("{}={}:", t.key, value),
        (false, true) => format!("{}:{}", t.key, t.effect),
        (false, false) => format!("{}={}:{}", t.key, value, t.effect),
    }
}

/// `printNodeTaintsMultiline`: sorted by effect then key.
pub(crate) fn taints_multiline(w: &mut PrefixWriter, title: &str, taints: &[Taint]) {
    w.write(0, &format!("{title}:\t"));
    if taints.is_empty() {
        w.write_line("<none>");
        return;
    }
    let mut sorted: Vec<&Taint> = taints.iter().collect();
    crate::gosort::sort_by(&mut sorted, |a, b| {
        format!("{},{}", a.effect, a.key) < format!("{},{}", b.effect, b.key)
    });
    for (i, t) in sorted.iter().enumerate() {
        if i != 0 {
            w.write(0, "\t");
        }
        w.write(0, &format!("{}\n", taint_string(t)));
    }
}

/// `printTolerationsMultilineWithIndent`: sorted by key.
pub(crate) fn tolerations_multiline(
    w: &mut PrefixWriter,
    initial_indent: &str,
    title: &str,
    tolerations: &[Toleration],
) {
    w.write(0, &format!("{initial_indent}{title}:\t"));
    if tolerations.is_empty() {
        w.write_line("<none>");
        return;
    }
    let mut sorted: Vec<&Toleration> = tolerations.iter().collect();
    crate::gosort::sort_by(&mut sorted, |a, b| s(&a.key) < s(&b.key));
    for (i, t) in sorted.iter().enumerate() {
        if i != 0 {
            w.write(0, initial_indent);
            w.write(0, "\t");
        }
        let key = s(&t.key);
        let value = s(&t.value);
        let effect = s(&t.effect);
        let mut line = key.to_string();
        if !value.is_empty() {
            line.push('=');
            line.push_str(value);
        }
        if !effect.is_empty() {
            line.push(':');
            line.push_str(effect);
        }
        if s(&t.operator) == "Exists" && value.is_empty() {
            if !key.is_empty() || !effect.is_empty() {
                line.push_str(" op=Exists");
            } else {
                line.push_str("op=Exists");
            }
        }
        if let Some(secs) = t.toleration_seconds {
            line.push_str(&format!(" for {secs}s"));
        }
        line.push('\n');
        w.write(0, &line);
    }
}

/// `describeResources`: limits then requests, names sorted.
pub(crate) fn describe_resources(
    w: &mut PrefixWriter,
    r: Option<&ResourceRequirements>,
    level: usize,
) {
    let Some(r) = r else { return };
    for (title, list) in [("Limits", &r.limits), ("Requests", &r.requests)] {
        let Some(list) = list.as_ref().filter(|l| !l.is_empty()) else {
            continue;
        };
        w.write(level, &format!("{title}:\n"));
        for (name, q) in list {
            w.write(level + 1, &format!("{name}:\t{}\n", canonical_text(&q.0)));
        }
    }
}

/// The `Kind/Name` of the controlling owner, if any (`printController`).
pub(crate) fn controlled_by(meta: &ObjectMeta) -> Option<String> {
    controller_ref(meta).map(|r| format!("{}/{}", r.kind, r.name))
}

pub(crate) fn controller_ref(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references
        .as_ref()?
        .iter()
        .find(|r| r.controller == Some(true))
}

/// Whether `child` is controlled by the object with `owner` metadata and
/// `kind`. Matches on UID when both sides have one, else on kind and name.
pub(crate) fn is_controlled_by(child: &ObjectMeta, owner: &ObjectMeta, kind: &str) -> bool {
    let Some(r) = controller_ref(child) else {
        return false;
    };
    match owner.uid.as_deref() {
        Some(uid) if !uid.is_empty() && !r.uid.is_empty() => r.uid == uid,
        _ => r.kind == kind && Some(r.name.as_str()) == owner.name.as_deref(),
    }
}

/// `IntOrString.String()`, `<nil>` for an unset pointer.
pub(crate) fn int_or_string(v: Option<&IntOrString>) -> String {
    match v {
        None => "<nil>".to_string(),
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
    }
}

/// `labels.Selector.String()` for `LabelSelectorAsSelector`: requirements
/// sorted by key, values sorted. `None` is kubectl's "nothing" selector.
pub(crate) fn selector_string(sel: Option<&LabelSelector>) -> String {
    let Some(sel) = sel else {
        return String::new();
    };
    let mut reqs: Vec<(String, String)> = Vec::new();
    for (k, v) in sel.match_labels.iter().flatten() {
        reqs.push((k.clone(), format!("{k}={v}")));
    }
    for e in sel.match_expressions.iter().flatten() {
        let mut values = e.values.clone().unwrap_or_default();
        values.sort();
        let text = match e.operator.as_str() {
            "In" => format!("{} in ({})", e.key, values.join(",")),
            "NotIn" => format!("{} notin ({})", e.key, values.join(",")),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            _ => return "<error>".to_string(),
        };
        reqs.push((e.key.clone(), text));
    }
    reqs.sort_by(|a, b| a.0.cmp(&b.0));
    reqs.into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(",")
}

/// `metav1.FormatLabelSelector`: like [`selector_string`], `<none>` if empty.
pub(crate) fn format_label_selector(sel: Option<&LabelSelector>) -> String {
    let s = selector_string(sel);
    if s.is_empty() {
        "<none>".to_string()
    } else {
        s
    }
}

/// The instant kubectl 1.32 sorts an event by (`event.SortableEvents`):
/// `lastTimestamp` only, so new-style events (which only carry `eventTime`
/// and `series`) sort as the oldest.
fn event_sort_time(e: &Event) -> Option<Timestamp> {
    e.last_timestamp.as_ref().map(|t| t.0)
}

/// The Age column: `5m`, or `4m58s (x23 over 115m)`.
pub(crate) fn event_age(e: &Event, now: Timestamp) -> String {
    let first = match &e.event_time {
        Some(t) => since(Some(t.0), now),
        None => since(e.first_timestamp.as_ref().map(|t| t.0), now),
    };
    if let Some(series) = &e.series {
        format!(
            "{} (x{} over {})",
            since(series.last_observed_time.as_ref().map(|t| t.0), now),
            series.count.unwrap_or(0),
            first
        )
    } else if e.count.unwrap_or(0) > 1 {
        format!(
            "{} (x{} over {})",
            since(e.last_timestamp.as_ref().map(|t| t.0), now),
            e.count.unwrap_or(0),
            first
        )
    } else {
        first
    }
}

/// `DescribeEvents`: `Events:  <none>` or the sorted table (oldest first).
///
/// `events` are first put in the order the API server lists them (by
/// `namespace/name`), so the result does not depend on the caller's order:
/// kubectl's sort is unstable and ties keep an order that depends on its
/// input. For a node, kubectl concatenates two lists: the events naming the
/// node by its UID, then those naming it by its name (`node_uid`).
pub(crate) fn describe_events(
    w: &mut PrefixWriter,
    events: &[Event],
    node_uid: Option<&str>,
    now: Timestamp,
) {
    if events.is_empty() {
        w.write(0, "Events:\t<none>\n");
        return;
    }
    w.flush();
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by_cached_key(|e| {
        let by_name = node_uid.is_some_and(|uid| e.involved_object.uid.as_deref() != Some(uid));
        (by_name, api_key(&e.metadata))
    });
    crate::gosort::sort_by(&mut sorted, |a, b| event_sort_time(a) < event_sort_time(b));
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    w.write(1, "----\t------\t----\t----\t-------\n");
    for e in sorted {
        let mut source = e
            .source
            .as_ref()
            .map(|s| s.component.clone().unwrap_or_default())
            .unwrap_or_default();
        if source.is_empty() {
            source = s(&e.reporting_component).to_string();
        }
        w.write(
            1,
            &format!(
                "{}\t{}\t{}\t{}\t{}\n",
                s(&e.type_),
                s(&e.reason),
                event_age(e, now),
                source,
                s(&e.message).trim()
            ),
        );
    }
}

/// The key the API server lists objects by (`namespace/name`, compared as
/// bytes, as etcd keys are).
pub(crate) fn api_key(meta: &ObjectMeta) -> String {
    format!("{}/{}", s(&meta.namespace), s(&meta.name))
}

/// Sums a resource list into `acc` (kubectl's `addResourceList`).
pub(crate) fn add_resource_list(
    acc: &mut BTreeMap<String, crate::quantity::Quantity>,
    new: &BTreeMap<String, crate::quantity::Quantity>,
) {
    for (name, q) in new {
        match acc.get_mut(name) {
            Some(v) => v.add(*q),
            None => {
                acc.insert(name.clone(), *q);
            }
        }
    }
}

/// Keeps the larger of each resource (kubectl's `maxResourceList`).
pub(crate) fn max_resource_list(
    acc: &mut BTreeMap<String, crate::quantity::Quantity>,
    new: &BTreeMap<String, crate::quantity::Quantity>,
) {
    for (name, q) in new {
        let replace = acc
            .get(name)
            .is_none_or(|v| q.cmp_value(v) == std::cmp::Ordering::Greater);
        if replace {
            acc.insert(name.clone(), *q);
        }
    }
}

/// Parses a Kubernetes resource list; unparsable quantities count as zero.
pub(crate) fn parse_list(
    list: Option<&BTreeMap<String, K8sQuantity>>,
) -> BTreeMap<String, crate::quantity::Quantity> {
    list.into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), crate::quantity::Quantity::parse_or_zero(&v.0)))
        .collect()
}

/// Go's `int64(f)` on amd64: NaN and values outside the int64 range become
/// `math.MinInt64` (what kubectl prints for a division by a zero capacity).
pub(crate) fn go_f64_to_i64(f: f64) -> i64 {
    let limit = (1u64 << 63) as f64;
    if f.is_nan() || !(-limit..limit).contains(&f) {
        return i64::MIN;
    }
    f as i64
}

/// `labels.FormatLabels`: `k=v` pairs sorted by key, comma-separated; `<none>` if empty.
pub(crate) fn format_labels(labels: Option<&BTreeMap<String, String>>) -> String {
    let Some(labels) = labels.filter(|l| !l.is_empty()) else {
        return "<none>".to_string();
    };
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// `getPodStatusForController`: the `Pods Status:` line of a ReplicaSet, DaemonSet or
/// StatefulSet, counting by phase the candidate `pods` (kubectl lists them by the owner's
/// selector) of the owner's namespace that the owner (`meta`, `kind`) controls.
pub(crate) fn pods_status_line(
    w: &mut PrefixWriter,
    pods: &[k8s_openapi::api::core::v1::Pod],
    meta: &ObjectMeta,
    kind: &str,
) {
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    for p in pods
        .iter()
        .filter(|p| p.metadata.namespace == meta.namespace)
        .filter(|p| is_controlled_by(&p.metadata, meta, kind))
    {
        match p.status.as_ref().and_then(|st| st.phase.as_deref()) {
            Some("Running") => running += 1,
            Some("Pending") => waiting += 1,
            Some("Succeeded") => succeeded += 1,
            Some("Failed") => failed += 1,
            _ => {}
        }
    }
    w.write(
        0,
        &format!(
            "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"
        ),
    );
}
