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
        arr(job, "/status/conditions")
            .iter()
            .any(|cond| s(cond, "/type") == ty && s(cond, "/status") == "True")
    };
    let status = if has("Complete") {
        "Complete"
    } else if has("Failed") {
        "Failed"
    } else if opt(job, "/metadata/deletionTimestamp").is_some() {
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
    let succeeded = int(job, "/status/succeeded");
    let completions = match (
        job.pointer("/spec/completions").and_then(Value::as_i64),
        job.pointer("/spec/parallelism").and_then(Value::as_i64),
    ) {
        (Some(n), _) => format!("{succeeded}/{n}"),
        (None, Some(p)) if p > 1 => format!("{succeeded}/1 of {p}"),
        _ => format!("{succeeded}/1"),
    };
    let ts = |p: &str| opt(job, p).and_then(|t| t.parse::<jiff::Timestamp>().ok());
    let duration = match (ts("/status/startTime"), ts("/status/completionTime")) {
        (None, _) => String::new(),
        (Some(start), None) => kubectl_duration(SignedDuration::from_secs(
            c.now.as_second() - start.as_second(),
        )),
        (Some(start), Some(end)) => kubectl_duration(SignedDuration::from_secs(
            end.as_second() - start.as_second(),
        )),
    };
    let mut cells = vec![
        json!(s(job, "/metadata/name")),
        json!(status),
        json!(completions),
        json!(duration),
        json!(c.since(opt(job, "/metadata/creationTimestamp"))),
    ];
    cells.extend(template_cells(job));
    cells.push(json!(format_label_selector(job.pointer("/spec/selector"))));
    (cells, None)
}
