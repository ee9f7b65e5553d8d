//! `CronJob` (batch): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "batch",
    kinds: &["CronJob"],
    columns: &[
        NAME,
        Column::new("Schedule", "string", 0, "The schedule in Cron format."),
        Column::new(
            "Timezone",
            "string",
            0,
            "The time zone name for the given schedule.",
        ),
        Column::new(
            "Suspend",
            "boolean",
            0,
            "This flag tells the controller to suspend subsequent executions.",
        ),
        Column::new(
            "Active",
            "integer",
            0,
            "A list of pointers to currently running jobs.",
        ),
        Column::new(
            "Last Schedule",
            "string",
            0,
            "Information when was the last time the job was successfully scheduled.",
        ),
        AGE,
        CONTAINERS,
        IMAGES,
        SELECTOR,
    ],
    row: |c, v| {
        let suspend = match bool_at(v, "/spec/suspend") {
            None => "<unset>",
            Some(true) => "True",
            Some(false) => "False",
        };
        let last = match nonempty_str_at(v, "/status/lastScheduleTime") {
            Some(t) => c.since(Some(t)),
            None => "<none>".into(),
        };
        let template = v
            .pointer("/spec/jobTemplate")
            .cloned()
            .unwrap_or(Value::Null);
        let mut cells = vec![
            json!(str_at(v, "/metadata/name")),
            json!(str_at(v, "/spec/schedule")),
            json!(nonempty_str_at(v, "/spec/timeZone").unwrap_or("<none>")),
            json!(suspend),
            json!(array_at(v, "/status/active").len()),
            json!(last),
            json!(c.since(nonempty_str_at(v, "/metadata/creationTimestamp"))),
        ];
        cells.extend(template_cells(&template));
        cells.push(json!(format_label_selector(
            template.pointer("/spec/selector")
        )));
        (cells, None)
    },
};
