//! `Event` (core): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "",
    kinds: &["Event"],
    columns: &[
        Column::new(
            "Last Seen",
            "string",
            0,
            "The time at which the most recent occurrence of this event was recorded.",
        ),
        Column::new(
            "Type",
            "string",
            0,
            "Type of this event (Normal, Warning), new types could be added in the future",
        ),
        Column::new(
            "Reason",
            "string",
            0,
            "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
        ),
        Column::new(
            "Object",
            "string",
            0,
            "The object that this event is about.",
        ),
        Column::new(
            "Subobject",
            "string",
            1,
            "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.",
        ),
        Column::new(
            "Source",
            "string",
            1,
            "The component reporting this event. Should be a short machine understandable string.",
        ),
        Column::new(
            "Message",
            "string",
            0,
            "A human-readable description of the status of this operation.",
        ),
        Column::new(
            "First Seen",
            "string",
            1,
            "The time at which the event was first recorded.",
        ),
        Column::new(
            "Count",
            "string",
            1,
            "The number of times this event has occurred.",
        ),
        Column::new(
            "Name",
            "string",
            1,
            "Name must be unique within a namespace.",
        ),
    ],
    row: event_row,
};

pub(super) fn event_row(c: &Ctx, ev: &Value) -> (Vec<Value>, Option<Value>) {
    let first = match nonempty_str_at(ev, "/firstTimestamp") {
        Some(t) => c.since(Some(t)),
        None => c.since(nonempty_str_at(ev, "/eventTime")),
    };
    let mut last = match nonempty_str_at(ev, "/lastTimestamp") {
        Some(t) => c.since(Some(t)),
        None => first.clone(),
    };
    let mut count = i64_at(ev, "/count").unwrap_or(0);
    if ev.get("series").is_some_and(Value::is_object) {
        last = c.since(nonempty_str_at(ev, "/series/lastObservedTime"));
        count = i64_at(ev, "/series/count").unwrap_or(0);
    } else if count == 0 {
        count = 1;
    }
    let kind = str_at(ev, "/involvedObject/kind").to_ascii_lowercase();
    let target = match nonempty_str_at(ev, "/involvedObject/name") {
        Some(n) => format!("{kind}/{n}"),
        None => kind,
    };
    let component = nonempty_str_at(ev, "/source/component")
        .or_else(|| nonempty_str_at(ev, "/reportingComponent"))
        .unwrap_or_default();
    let instance = nonempty_str_at(ev, "/source/host")
        .or_else(|| nonempty_str_at(ev, "/reportingInstance"))
        .unwrap_or_default();
    let source = if instance.is_empty() {
        component.to_string()
    } else {
        format!("{component}, {instance}")
    };
    let cells = vec![
        json!(last),
        json!(str_at(ev, "/type")),
        json!(str_at(ev, "/reason")),
        json!(target),
        json!(str_at(ev, "/involvedObject/fieldPath")),
        json!(source),
        json!(str_at(ev, "/message").trim()),
        json!(first),
        json!(count),
        json!(str_at(ev, "/metadata/name")),
    ];
    (cells, None)
}
