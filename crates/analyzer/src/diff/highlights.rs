//! What object changes mean for pods, nodes and workloads, in a sentence each.

use kbundle_format::Object;
use kbundle_format::json::{array_at, bool_at, i64_at, nonempty_str_at, opt_str_at, str_at};
use serde::Serialize;
use serde_json::Value;

use super::fields::FieldChange;

/// The kind of a highlight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Change {
    /// A container restarted more times.
    Restarts,
    /// A container's state or a pod's phase changed.
    State,
    /// A container terminated since OLD (its last termination is a new one).
    Termination,
    /// A container image changed (pod or pod template).
    Image,
    /// A node's kubelet, runtime, kernel or OS image, or a version label, changed.
    Version,
    /// A node was cordoned or uncordoned.
    Cordon,
    /// A node taint was added or removed.
    Taint,
    /// A condition's status changed.
    Condition,
}

/// One change that matters, on one object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Highlight {
    /// Kind.
    pub kind: String,
    /// Namespace, empty for cluster-scoped objects.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// What changed.
    pub change: Change,
    /// The container, for container changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// One line: `restarts 0 -> 14 (+14)`, `OOMKilled (exit 137) at 2025-...`.
    pub message: String,
}

/// `Ready=True` per condition type.
fn conditions(v: &Value) -> Vec<(&str, &str)> {
    array_at(v, "/status/conditions")
        .iter()
        .filter_map(|c| Some((opt_str_at(c, "/type")?, str_at(c, "/status"))))
        .collect()
}

/// A container state in words: `running`, `waiting (CrashLoopBackOff)`,
/// `terminated (OOMKilled, exit 137)`.
fn state(st: Option<&Value>) -> Option<String> {
    let st = st?.as_object()?;
    let (name, detail) = st.iter().next()?;
    let reason = opt_str_at(detail, "/reason");
    let code = i64_at(detail, "/exitCode");
    Some(match (reason, code) {
        (Some(r), Some(c)) => format!("{name} ({r}, exit {c})"),
        (Some(r), None) => format!("{name} ({r})"),
        (None, Some(c)) => format!("{name} (exit {c})"),
        (None, None) => name.clone(),
    })
}

struct Out<'a> {
    new: &'a Object,
    out: &'a mut Vec<Highlight>,
}

impl Out<'_> {
    fn push(&mut self, change: Change, container: Option<&str>, message: String) {
        self.out.push(Highlight {
            kind: self.new.kind().to_string(),
            namespace: self.new.namespace().to_string(),
            name: self.new.name().to_string(),
            change,
            container: container.map(String::from),
            message,
        });
    }
}

fn condition_changes(old: &Value, new: &Value, out: &mut Out<'_>) {
    let before = conditions(old);
    for (t, now) in conditions(new) {
        let was = before.iter().find(|(x, _)| *x == t).map(|(_, st)| *st);
        if was.is_some_and(|w| w != now) {
            out.push(
                Change::Condition,
                None,
                format!("{t} {} -> {now}", was.unwrap_or_default()),
            );
        }
    }
}

fn pod(old: &Value, new: &Value, recreated: bool, out: &mut Out<'_>) {
    if let (Some(a), Some(b)) = (
        opt_str_at(old, "/status/phase"),
        opt_str_at(new, "/status/phase"),
    ) && a != b
    {
        out.push(Change::State, None, format!("phase {a} -> {b}"));
    }
    condition_changes(old, new, out);
    for list in [
        "/status/initContainerStatuses",
        "/status/containerStatuses",
        "/status/ephemeralContainerStatuses",
    ] {
        for c in array_at(new, list) {
            let Some(name) = opt_str_at(c, "/name") else {
                continue;
            };
            let before = array_at(old, list)
                .iter()
                .find(|o| opt_str_at(o, "/name") == Some(name));
            let Some(before) = before else { continue };
            let count = |v: &Value| i64_at(v, "/restartCount");
            if let (Some(a), Some(b)) = (count(before), count(c))
                && b > a
                && !recreated
            {
                out.push(
                    Change::Restarts,
                    Some(name),
                    format!("restarts {a} -> {b} (+{})", b - a),
                );
            }
            let (sa, sb) = (state(before.get("state")), state(c.get("state")));
            if let (Some(sa), Some(sb)) = (&sa, &sb)
                && sa != sb
            {
                out.push(Change::State, Some(name), format!("{sa} -> {sb}"));
            }
            let term = |v: &Value| v.pointer("/lastState/terminated").cloned();
            if let Some(t) = term(c)
                && term(before).as_ref() != Some(&t)
            {
                let reason = opt_str_at(&t, "/reason").unwrap_or("terminated");
                let mut m = reason.to_string();
                if let Some(code) = i64_at(&t, "/exitCode") {
                    m.push_str(&format!(" (exit {code})"));
                }
                if let Some(at) = opt_str_at(&t, "/finishedAt") {
                    m.push_str(&format!(" at {at}"));
                }
                out.push(Change::Termination, Some(name), m);
            }
        }
    }
}

fn taints(v: &Value) -> Vec<String> {
    array_at(v, "/spec/taints")
        .iter()
        .map(|t| {
            let key = str_at(t, "/key");
            let effect = str_at(t, "/effect");
            match nonempty_str_at(t, "/value") {
                Some(value) => format!("{key}={value}:{effect}"),
                None => format!("{key}:{effect}"),
            }
        })
        .collect()
}

fn node(old: &Value, new: &Value, out: &mut Out<'_>) {
    let cordoned = |v: &Value| bool_at(v, "/spec/unschedulable") == Some(true);
    match (cordoned(old), cordoned(new)) {
        (false, true) => out.push(Change::Cordon, None, "cordoned (unschedulable)".into()),
        (true, false) => out.push(Change::Cordon, None, "uncordoned".into()),
        _ => {}
    }
    let (ta, tb) = (taints(old), taints(new));
    for t in tb.iter().filter(|t| !ta.contains(t)) {
        out.push(Change::Taint, None, format!("taint added {t}"));
    }
    for t in ta.iter().filter(|t| !tb.contains(t)) {
        out.push(Change::Taint, None, format!("taint removed {t}"));
    }
    for field in [
        "kubeletVersion",
        "kubeProxyVersion",
        "containerRuntimeVersion",
        "kernelVersion",
        "osImage",
    ] {
        let p = format!("/status/nodeInfo/{field}");
        if let (Some(a), Some(b)) = (opt_str_at(old, &p), opt_str_at(new, &p))
            && a != b
        {
            out.push(Change::Version, None, format!("{field} {a} -> {b}"));
        }
    }
    condition_changes(old, new, out);
}

/// Highlights of one changed object, from both readings and its field changes.
pub(crate) fn of(
    old: &Object,
    new: &Object,
    recreated: bool,
    fields: &[FieldChange],
    out: &mut Vec<Highlight>,
) {
    let mut out = Out { new, out };
    let core = matches!(new.api_version(), "v1");
    match new.kind() {
        "Pod" if core => pod(&old.value, &new.value, recreated, &mut out),
        "Node" if core => node(&old.value, &new.value, &mut out),
        _ => {}
    }
    for f in fields {
        // Images of pods and pod templates, and version labels (a worker update).
        let value = |v: &Option<Value>| {
            v.as_ref()
                .and_then(Value::as_str)
                .map_or_else(|| "(none)".to_string(), String::from)
        };
        if let Some(rest) = f.path.strip_suffix(".image")
            && let Some((_, container)) = rest.rsplit_once("ontainers[name=")
        {
            let container = container.strip_suffix(']').unwrap_or(container);
            let container = container.trim_matches('"');
            out.push(
                Change::Image,
                Some(container),
                format!("{} -> {}", value(&f.old), value(&f.new)),
            );
        } else if f.path.starts_with("metadata.labels[")
            && f.path.ends_with("version\"]")
            && new.kind() == "Node"
        {
            let label = f
                .path
                .trim_start_matches("metadata.labels[")
                .trim_end_matches(']');
            out.push(
                Change::Version,
                None,
                format!("label {label} {} -> {}", value(&f.old), value(&f.new)),
            );
        }
    }
}
