//! `Pod` (core): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "",
    kinds: &["Pod"],
    columns: &[
        NAME,
        Column::new(
            "Ready",
            "string",
            0,
            "The aggregate readiness state of this pod for accepting traffic.",
        ),
        Column::new(
            "Status",
            "string",
            0,
            "The aggregate status of the containers in this pod.",
        ),
        Column::new(
            "Restarts",
            "string",
            0,
            "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
        ),
        AGE,
        Column::new(
            "IP",
            "string",
            1,
            "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
        ),
        Column::new(
            "Node",
            "string",
            1,
            "NodeName is a request to schedule this pod onto a specific node.",
        ),
        Column::new(
            "Nominated Node",
            "string",
            1,
            "nominatedNodeName is set only when this pod preempts other pods on the node.",
        ),
        Column::new(
            "Readiness Gates",
            "string",
            1,
            "If specified, all readiness gates will be evaluated for pod readiness.",
        ),
    ],
    row: pod_row,
};

pub(super) fn pod_row(c: &Ctx, pod: &Value) -> (Vec<Value>, Option<Value>) {
    let init_specs = array_at(pod, "/spec/initContainers");
    let restartable = |name: &str| {
        init_specs
            .iter()
            .any(|ic| str_at(ic, "/name") == name && str_at(ic, "/restartPolicy") == "Always")
    };
    let mut total = array_at(pod, "/spec/containers").len();
    total += init_specs
        .iter()
        .filter(|ic| str_at(ic, "/restartPolicy") == "Always")
        .count();
    let mut restarts: i64 = 0;
    let mut sidecar_restarts: i64 = 0;
    let mut ready = 0;
    let mut last_restart: Option<jiff::Timestamp> = None;
    let mut last_sidecar_restart: Option<jiff::Timestamp> = None;
    let later = |a: Option<jiff::Timestamp>, b: Option<jiff::Timestamp>| match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };

    let phase = str_at(pod, "/status/phase");
    let mut reason = nonempty_str_at(pod, "/status/reason")
        .unwrap_or(phase)
        .to_string();
    for cond in array_at(pod, "/status/conditions") {
        if str_at(cond, "/type") == "PodScheduled" && str_at(cond, "/reason") == "SchedulingGated" {
            reason = "SchedulingGated".into();
        }
    }
    let conditions = match phase {
        "Succeeded" => Some(
            json!([{"type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."}]),
        ),
        "Failed" => Some(
            json!([{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]),
        ),
        _ => None,
    };

    let mut initializing = false;
    for (i, st) in array_at(pod, "/status/initContainerStatuses")
        .iter()
        .enumerate()
    {
        let name = str_at(st, "/name");
        restarts += i64_at(st, "/restartCount").unwrap_or(0);
        let terminated_at = timestamp_at(st, "/lastState/terminated/finishedAt");
        last_restart = later(last_restart, terminated_at);
        if restartable(name) {
            sidecar_restarts += i64_at(st, "/restartCount").unwrap_or(0);
            last_sidecar_restart = later(last_sidecar_restart, terminated_at);
        }
        let terminated = st.pointer("/state/terminated").filter(|t| t.is_object());
        let waiting_reason = nonempty_str_at(st, "/state/waiting/reason");
        if terminated.is_some_and(|t| i64_at(t, "/exitCode").unwrap_or(0) == 0) {
            continue;
        }
        if restartable(name) && bool_at(st, "/started") == Some(true) {
            if bool_at(st, "/ready") == Some(true) {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = terminated {
            reason = match nonempty_str_at(t, "/reason") {
                Some(r) => format!("Init:{r}"),
                None if i64_at(t, "/signal").unwrap_or(0) != 0 => {
                    format!("Init:Signal:{}", i64_at(t, "/signal").unwrap_or(0))
                }
                None => format!("Init:ExitCode:{}", i64_at(t, "/exitCode").unwrap_or(0)),
            };
        } else if let Some(w) = waiting_reason.filter(|w| *w != "PodInitializing") {
            reason = format!("Init:{w}");
        } else {
            reason = format!("Init:{i}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }

    let initialized = array_at(pod, "/status/conditions")
        .iter()
        .any(|c| str_at(c, "/type") == "Initialized" && str_at(c, "/status") == "True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        for st in array_at(pod, "/status/containerStatuses").iter().rev() {
            restarts += i64_at(st, "/restartCount").unwrap_or(0);
            last_restart = later(
                last_restart,
                timestamp_at(st, "/lastState/terminated/finishedAt"),
            );
            let terminated = st.pointer("/state/terminated").filter(|t| t.is_object());
            if let Some(w) = nonempty_str_at(st, "/state/waiting/reason") {
                reason = w.to_string();
            } else if let Some(r) = terminated.and_then(|t| nonempty_str_at(t, "/reason")) {
                reason = r.to_string();
            } else if let Some(t) = terminated {
                reason = if i64_at(t, "/signal").unwrap_or(0) != 0 {
                    format!("Signal:{}", i64_at(t, "/signal").unwrap_or(0))
                } else {
                    format!("ExitCode:{}", i64_at(t, "/exitCode").unwrap_or(0))
                };
            } else if bool_at(st, "/ready") == Some(true)
                && st.pointer("/state/running").is_some_and(Value::is_object)
            {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = array_at(pod, "/status/conditions")
                .iter()
                .any(|c| str_at(c, "/type") == "Ready" && str_at(c, "/status") == "True");
            reason = if pod_ready {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }

    let deleting = nonempty_str_at(pod, "/metadata/deletionTimestamp").is_some();
    if deleting && str_at(pod, "/status/reason") == "NodeLost" {
        reason = "Unknown".into();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".into();
    }

    let mut restarts_text = restarts.to_string();
    if restarts != 0
        && let Some(t) = last_restart
    {
        restarts_text = format!(
            "{restarts} ({} ago)",
            kubectl_duration(SignedDuration::from_secs(c.now.as_second() - t.as_second()))
        );
    }

    let ip = array_at(pod, "/status/podIPs")
        .first()
        .map(|p| str_at(p, "/ip"))
        .filter(|s| !s.is_empty())
        .or_else(|| nonempty_str_at(pod, "/status/podIP"))
        .unwrap_or("<none>");
    let gates = array_at(pod, "/spec/readinessGates");
    let gates_text = if gates.is_empty() {
        "<none>".to_string()
    } else {
        let conds = array_at(pod, "/status/conditions");
        let true_count = gates
            .iter()
            .filter(|g| {
                conds
                    .iter()
                    .find(|c| str_at(c, "/type") == str_at(g, "/conditionType"))
                    .is_some_and(|c| str_at(c, "/status") == "True")
            })
            .count();
        format!("{true_count}/{}", gates.len())
    };
    let cells = vec![
        json!(str_at(pod, "/metadata/name")),
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts_text),
        json!(c.since(nonempty_str_at(pod, "/metadata/creationTimestamp"))),
        json!(ip),
        json!(nonempty_str_at(pod, "/spec/nodeName").unwrap_or("<none>")),
        json!(nonempty_str_at(pod, "/status/nominatedNodeName").unwrap_or("<none>")),
        json!(gates_text),
    ];
    (cells, conditions)
}
