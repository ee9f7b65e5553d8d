//! `kubectl describe job`.

use jiff::Timestamp;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Event;

use super::apps::describe_pod_template;
use super::common::{
    annotations_multiline, controlled_by, describe_events, labels_multiline, s, selector_string,
};
use crate::tabwriter::PrefixWriter;
use crate::timefmt::{kubectl_duration, rfc1123z};

/// `capIndexesListOrNone`: the completed indexes, cut after the first comma at or past
/// `soft_limit` bytes.
fn cap_indexes(indexes: &str, soft_limit: usize) -> String {
    if indexes.is_empty() {
        return "<none>".to_string();
    }
    match indexes
        .char_indices()
        .find(|&(i, c)| i >= soft_limit && c == ',')
    {
        Some((i, _)) => format!("{}...", indexes.get(..=i).unwrap_or(indexes)),
        None => indexes.to_string(),
    }
}

/// Renders `kubectl describe job`. kubectl reads nothing but the Job and its events: the
/// pod counts come from the Job's status.
pub fn describe_job(job: &Job, events: &[Event], now: Timestamp) -> String {
    let mut w = PrefixWriter::default();
    let meta = &job.metadata;
    let spec = job.spec.clone().unwrap_or_default();
    let status = job.status.clone().unwrap_or_default();
    w.write(0, &format!("Name:\t{}\n", s(&meta.name)));
    w.write(0, &format!("Namespace:\t{}\n", s(&meta.namespace)));
    w.write(
        0,
        &format!("Selector:\t{}\n", selector_string(spec.selector.as_ref())),
    );
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    if let Some(c) = controlled_by(meta) {
        w.write(0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(p) = spec.parallelism {
        w.write(0, &format!("Parallelism:\t{p}\n"));
    }
    match spec.completions {
        Some(c) => w.write(0, &format!("Completions:\t{c}\n")),
        None => w.write(0, "Completions:\t<unset>\n"),
    }
    if let Some(m) = &spec.completion_mode {
        w.write(0, &format!("Completion Mode:\t{m}\n"));
    }
    if let Some(b) = spec.suspend {
        w.write(0, &format!("Suspend:\t{b}\n"));
    }
    if let Some(b) = spec.backoff_limit {
        w.write(0, &format!("Backoff Limit:\t{b}\n"));
    }
    if let Some(t) = spec.ttl_seconds_after_finished {
        w.write(0, &format!("TTL Seconds After Finished:\t{t}\n"));
    }
    let start = status.start_time.as_ref().map(|t| t.0);
    let end = status.completion_time.as_ref().map(|t| t.0);
    if let Some(t) = start {
        w.write(0, &format!("Start Time:\t{}\n", rfc1123z(t)));
    }
    if let Some(t) = end {
        w.write(0, &format!("Completed At:\t{}\n", rfc1123z(t)));
    }
    if let (Some(a), Some(b)) = (start, end) {
        w.write(
            0,
            &format!("Duration:\t{}\n", kubectl_duration(b.duration_since(a))),
        );
    }
    if let Some(d) = spec.active_deadline_seconds {
        w.write(0, &format!("Active Deadline Seconds:\t{d}s\n"));
    }
    let (active, succeeded, failed) = (
        status.active.unwrap_or(0),
        status.succeeded.unwrap_or(0),
        status.failed.unwrap_or(0),
    );
    match status.ready {
        None => w.write(
            0,
            &format!(
                "Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n"
            ),
        ),
        Some(ready) => w.write(
            0,
            &format!(
                "Pods Statuses:\t{active} Active ({ready} Ready) / {succeeded} Succeeded / {failed} Failed\n"
            ),
        ),
    }
    if spec.completion_mode.as_deref() == Some("Indexed") {
        w.write(
            0,
            &format!(
                "Completed Indexes:\t{}\n",
                cap_indexes(s(&status.completed_indexes), 50)
            ),
        );
    }
    describe_pod_template(&mut w, &spec.template);
    describe_events(&mut w, events, None, now);
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::cap_indexes;

    #[test]
    fn completed_indexes_are_cut_after_the_first_comma_past_the_limit() {
        assert_eq!(cap_indexes("", 50), "<none>");
        assert_eq!(cap_indexes("1-3,5", 50), "1-3,5");
        assert_eq!(cap_indexes("1,2,3,4", 2), "1,2,...");
        assert_eq!(cap_indexes("1,2,3,4", 3), "1,2,...");
        assert_eq!(cap_indexes("1,2,3,4", 4), "1,2,3,...");
        assert_eq!(cap_indexes("1,2,3,4", 7), "1,2,3,4");
    }
}
