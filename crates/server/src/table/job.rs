//! `Job` (batch): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "batch",
    kinds: &["Job"],
    columns: &[
        NAME,
        Column::new("Status", "string", 0, "Status of the job."),
        Column::new(
            "Completions",
            "string",
            0,
            "The desired number of successfully finished pods the job should be run with.",
        ),
        Column::new(
            "Duration",
            "string",
            0,
            "Time required to complete the job.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ],
    row: job_row,
};

pub(super) fn job_row(c: &Ctx, job: &Value) -> (Vec<Value>, Option<Value>) {
    let has = |ty: &str| {
        array_at(job, "/status/conditions")
            .iter()
            .any(|cond| str_at(cond, "/type") == ty && str_at(cond, "/status") == "True")
    };
    let status = if has("Complete") {
        "Complete"
    } else if has("Failed") {
        "Failed"
    } else if nonempty_str_at(job, "/metadata/deletionTimestamp").is_some() {
        "Terminating"
    } else if has("Suspended") {
        "Suspended"
    } else if has("FailureTarget") {
        "FailureTarget"
    } else if has("SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else {
        "Running"
    };
    let succeeded = i64_at(job, "/status/succeeded").unwrap_or(0);
    let completions = match (
        i64_at(job, "/spec/completions"),
        i64_at(job, "/spec/parallelism"),
    ) {
        (Some(n), _) => format!("{succeeded}/{n}"),
        (None, Some(p)) if p > 1 => format!("{succeeded}/1 of {p}"),
        _ => format!("{succeeded}/1"),
    };
    let duration = match (
        timestamp_at(job, "/status/startTime"),
        timestamp_at(job, "/status/completionTime"),
    ) {
        (None, _) => String::new(),
        (Some(start), None) => kubectl_duration(SignedDuration::from_secs(
            c.now.as_second() - start.as_second(),
        )),
        (Some(start), Some(end)) => kubectl_duration(SignedDuration::from_secs(
            end.as_second() - start.as_second(),
        )),
    };
    let mut cells = vec![
        json!(str_at(job, "/metadata/name")),
        json!(status),
        json!(completions),
        json!(duration),
        json!(c.since(nonempty_str_at(job, "/metadata/creationTimestamp"))),
    ];
    cells.extend(template_cells(job));
    cells.push(json!(format_label_selector(job.pointer("/spec/selector"))));
    (cells, None)
}
