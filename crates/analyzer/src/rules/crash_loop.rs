//! A container is in CrashLoopBackOff or restarting often, with its last exit and the log
//! lines before the crash.
//!
//! ## What it detects
//!
//! Containers that are:
//!
//! - waiting in `CrashLoopBackOff` (critical), or
//! - at or above the restart threshold (5) with their last termination inside the window
//!   (warning). Restarts of a container that has been running since before the window are
//!   history, not a crash loop, and are not reported.
//!
//! When the input shows no container state for a pod (an events table pasted alone, the
//! Events of a describe cut short, events about a pod the input holds nothing else of), its
//! restart back-off events and liveness kills within the window count instead, from the
//! restart threshold on (warning).
//!
//! The message gives the restart count, the last exit code and reason and when it happened,
//! each only when the input shows it (`restarts unknown` for a describe cut before its
//! `Restart Count`); liveness-probe kills are called out. The evidence holds the last lines of
//! the previous container's log (`<container>.previous.log`), which usually say why it exited,
//! with its last error line when that came earlier, and the back-off events. The subject is
//! the Pod.
//!
//! ### Wordings
//!
//! | Wording | Where it was seen |
//! |---|---|
//! | waiting reason `CrashLoopBackOff`; `get pods` STATUS `CrashLoopBackOff`, RESTARTS `N` or `N (Xm ago)` (K8s 1.24+) | every version (opsnull/follow-me-install-kubernetes-cluster#615, K8s 1.16; projectcalico/calico#9522, 2024) |
//! | `Back-off restarting failed container` (reason `BackOff`, type Warning) | K8s <= 1.25 (projectcalico/kube-controllers#253) |
//! | `Back-off restarting failed container NAME` | K8s 1.26+ (kubernetes/kubernetes PR #113216) |
//! | `Back-off restarting failed container NAME in pod NAME_NS(UID)` | current kubelet (`kuberuntime_manager.go`) |
//! | a Warning `BackOff` whose message was cut short (`Back-off`) | pastes cut off (projectcalico/calico#1708); the image pull back-off is a Normal event and is not counted |
//! | `Error syncing pod, skipping: failed to "StartContainer" for "X" with CrashLoopBackOff: "Back-off 5m0s restarting failed container=..."` (reason `FailedSync`) | K8s 1.2-era kubelets (kubernetes-retired/heapster#1140) |
//! | `Container X failed liveness probe, will be restarted` (reason `Killing`) | projectcalico/calico#7992 (v3.25) |
//! | `Killing container with id docker://X:Container failed liveness probe.. Container will be killed and recreated.` | older kubelets (dockershim) |
//!
//! ## Why it matters
//!
//! A crash-looping calico-kube-controllers does not clean up Calico data of deleted nodes.
//! The exit code and the last log lines tell a configuration or datastore problem (exit 1 after
//! `Failed to initialize Calico datastore`) from a memory limit (137, see
//! `memory-limit-hit`) or a liveness probe that times out.
//!
//! ## Runbook step
//!
//! "calico-kube-controllers in CrashLoopBackOff or Restarting Often": after moving the pod to
//! other nodes has not helped, gather `kubectl describe pod`, `kubectl describe node` and
//! `kubectl logs` (with `--previous`), check for memory limits, and examine recent Calico,
//! network policy, firewall, route, VPN and master/worker changes.
//!
//! ## Example
//!
//! ```text
//! CRITICAL [crash-loop] Pod/calico-system/calico-kube-controllers-6f8c9d7b5-x2x7k
//!   container calico-kube-controllers in CrashLoopBackOff, 14 restarts; last exit 1 (Error) 3m19s before the reference time
//!   evidence:
//!     cluster.yaml: container calico-kube-controllers: restartCount 14, state waiting (CrashLoopBackOff), last state terminated (Error, exit 1)
//!   next steps:
//!     - Read why it exited: kubectl logs -n calico-system calico-kube-controllers-6f8c9d7b5-x2x7k -c calico-kube-controllers --previous
//! ```

use super::namespace_flag;
use crate::Context;
use crate::facts::{Container, Event, Pod, State};
use crate::report::{Evidence, Finding, Severity, Subject};

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for pod in cx.facts.pods.iter().filter(|p| !p.deleting) {
        for c in &pod.containers {
            let crashloop = c.state.waiting_reason() == Some("CrashLoopBackOff");
            let last_finished = match &c.last_state {
                State::Terminated { finished, .. } => *finished,
                _ => None,
            };
            let running_since = match &c.state {
                State::Running { started } => *started,
                _ => None,
            };
            let recent = match (last_finished, running_since) {
                (Some(f), _) => cx.in_window(Some(f)) && cx.now.is_some(),
                (None, Some(s)) => cx.in_window(Some(s)) && cx.now.is_some(),
                (None, None) => false,
            };
            let often = c.restarts.is_some_and(|r| r >= cx.restart_threshold) && recent;
            if !crashloop && !often {
                continue;
            }
            out.push(finding(cx, pod, c, crashloop, last_finished));
        }
        if pod.containers.iter().all(|c| c.state == State::Unknown)
            && let Some(f) = from_events(cx, &pod.namespace, &pod.name, pod.uid.as_deref())
        {
            out.push(f);
        }
    }
    for (namespace, name) in super::pods_only_in_events(cx.facts) {
        if let Some(f) = from_events(cx, namespace, name, None) {
            out.push(f);
        }
    }
}

/// Whether an event tells that a container was restarted after a crash: the kubelet's restart
/// back-off in its wordings across versions, or a kill by the liveness probe.
fn restart_event(e: &Event) -> Option<RestartEvent> {
    let m = e.message.to_ascii_lowercase();
    match e.reason.as_str() {
        // `Back-off restarting failed container` (K8s <= 1.25), `... failed container NAME`
        // (PR #113216), `... NAME in pod NAME_NS(UID)` (current kubelet). The pull back-off is
        // a Normal event (`Back-off pulling image`): a Warning BackOff cut short is still a
        // restart back-off.
        "BackOff"
            if m.contains("restarting failed container")
                || (e.type_ == "Warning" && !m.contains("pull")) =>
        {
            Some(RestartEvent::BackOff)
        }
        // `Error syncing pod, skipping: failed to "StartContainer" for "X" with
        // CrashLoopBackOff: ...` (older kubelets' FailedSync events).
        "FailedSync" if m.contains("crashloopbackoff") => Some(RestartEvent::BackOff),
        // `Container X failed liveness probe, will be restarted` (current kubelets), `Killing
        // container with id docker://X:Container failed liveness probe.. Container will be
        // killed and recreated.` (older, dockershim).
        "Killing" if m.contains("liveness probe") => Some(RestartEvent::LivenessKill),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RestartEvent {
    BackOff,
    LivenessKill,
}

/// A pod whose container states the input does not show (an events table pasted alone, a
/// describe cut short, or only events about it): its restart back-off and liveness kills
/// within the window tell that it restarts.
fn from_events(
    cx: &Context<'_>,
    namespace: &str,
    name: &str,
    uid: Option<&str>,
) -> Option<Finding> {
    let mut backoffs = 0u64;
    let mut kills = 0u64;
    let mut evidence = Vec::new();
    for (e, replaced) in cx.facts.events_for("Pod", namespace, name, uid) {
        if replaced || !cx.in_window(e.last) {
            continue;
        }
        match restart_event(e) {
            Some(RestartEvent::BackOff) => backoffs += e.count,
            Some(RestartEvent::LivenessKill) => kills += e.count,
            None => continue,
        }
        evidence.push(cx.evidence(&e.source, &e.summary()));
    }
    if backoffs + kills < u64::try_from(cx.restart_threshold).unwrap_or(u64::MAX) {
        return None;
    }
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let mut what = Vec::new();
    if backoffs > 0 {
        what.push(format!("{backoffs} back-off event{}", plural(backoffs)));
    }
    if kills > 0 {
        what.push(format!(
            "killed {kills} time{} by its liveness probe",
            plural(kills)
        ));
    }
    let message = format!(
        "restarting: {} (the input does not show its container states)",
        what.join(", ")
    );
    let subject = Subject::new("Pod", namespace, name);
    let ns = namespace_flag(namespace);
    Some(Finding {
        rule: "",
        severity: Severity::Warning,
        subject,
        message,
        evidence,
        next_steps: vec![
            format!("Get its state and last exit: kubectl describe pod{ns} {name}"),
            format!("Read why it exited: kubectl logs{ns} {name} --previous"),
        ],
    })
}

fn finding(
    cx: &Context<'_>,
    pod: &Pod,
    c: &Container,
    crashloop: bool,
    last_finished: Option<jiff::Timestamp>,
) -> Finding {
    let mut message = if crashloop {
        format!(
            "container {} in CrashLoopBackOff, {}",
            c.name,
            c.restarts_text()
        )
    } else {
        format!(
            "container {} restarting often: {}",
            c.name,
            c.restarts_text()
        )
    };
    let mut evidence = vec![cx.evidence(
        &pod.container_source(c),
        &format!(
            "container {}: restartCount {}, state {}, last state {}",
            c.name,
            c.restarts.map_or("unknown".to_string(), |r| r.to_string()),
            state_text(&c.state),
            state_text(&c.last_state)
        ),
    )];
    if let State::Terminated {
        reason, exit_code, ..
    } = &c.last_state
    {
        message.push_str(&match (exit_code, reason.is_empty()) {
            // Only the time is known (a `kubectl get pods` row: `4 (83s ago)`).
            (None, true) => "; last restart".to_string(),
            (None, false) => format!("; last terminated: {reason}"),
            (Some(code), true) => format!("; last exit {code}"),
            (Some(code), false) => format!("; last exit {code} ({reason})"),
        });
        if let Some(when) = cx.when(last_finished) {
            message.push_str(&format!(" {when}"));
        }
    }
    let mut liveness = 0u64;
    for (e, replaced) in cx
        .facts
        .events_for("Pod", &pod.namespace, &pod.name, pod.uid.as_deref())
    {
        if replaced || !cx.in_window(e.last) {
            continue;
        }
        let about = e.container.as_deref().map_or_else(
            || e.message.contains(&c.name) || pod.containers.len() == 1,
            |name| name == c.name,
        );
        if !about {
            continue;
        }
        match restart_event(e) {
            Some(RestartEvent::BackOff) => evidence.push(cx.evidence(&e.source, &e.summary())),
            Some(RestartEvent::LivenessKill) => {
                liveness += e.count;
                evidence.push(cx.evidence(&e.source, &e.summary()));
            }
            None if e.reason == "Unhealthy" && e.message.starts_with("Liveness probe") => {
                evidence.push(cx.evidence(&e.source, &e.summary()));
            }
            None => {}
        }
    }
    if liveness > 0 {
        message.push_str(&format!(
            "; killed {liveness} time{} by its liveness probe",
            if liveness == 1 { "" } else { "s" }
        ));
    }
    let tail = previous_log_tail(cx, pod, c);
    let had_log = !tail.is_empty();
    evidence.extend(tail);
    let mut next_steps = Vec::new();
    if c.last_state.terminated_reason() == Some("OOMKilled") {
        next_steps.push(
            "It was killed at its memory limit: see the memory-limit-hit finding (a log that just stops is an OOM kill)"
                .to_string(),
        );
    }
    let ns = namespace_flag(&pod.namespace);
    next_steps.push(format!(
        "Read why it exited: kubectl logs{ns} {} -c {} --previous",
        pod.name, c.name
    ));
    if pod.target {
        next_steps.push(format!(
            "Move it to another node (cordon its node, then kubectl delete pod{ns} {}); try nodes in other zones",
            pod.name
        ));
        next_steps.push("If it keeps crashing, check memory limits and recent Calico configuration, network policy, firewall, route, VPN and master/worker changes".into());
    }
    if !had_log {
        next_steps.push(
            "The previous container's log is not in the input: collect it with --previous".into(),
        );
    }
    Finding {
        rule: "",
        severity: if crashloop {
            Severity::Critical
        } else {
            Severity::Warning
        },
        subject: Subject::new("Pod", &pod.namespace, &pod.name),
        message,
        evidence,
        next_steps,
    }
}

fn state_text(s: &State) -> String {
    match s {
        State::Unknown => "unknown".into(),
        State::Running { .. } => "running".into(),
        State::Waiting { reason, .. } if reason.is_empty() => "waiting".into(),
        State::Waiting { reason, .. } => format!("waiting ({reason})"),
        State::Terminated {
            reason, exit_code, ..
        } => {
            let parts: Vec<String> = [
                Some(reason.clone()).filter(|r| !r.is_empty()),
                exit_code.map(|e| format!("exit {e}")),
            ]
            .into_iter()
            .flatten()
            .collect();
            if parts.is_empty() {
                "terminated".into()
            } else {
                format!("terminated ({})", parts.join(", "))
            }
        }
    }
}

/// The last non-empty lines of the container's previous log.
fn previous_log_tail(cx: &Context<'_>, pod: &Pod, c: &Container) -> Vec<Evidence> {
    let Some((log, scan)) = cx.facts.logs.iter().zip(&cx.scans).find(|(l, _)| {
        l.previous
            && l.pod == pod.name
            && (l.namespace == pod.namespace || l.namespace.is_empty())
            && l.container.as_deref() == Some(c.name.as_str())
    }) else {
        return Vec::new();
    };
    // The last error or fatal line, which often says why, when it is not among the last lines.
    let tail = scan.tail.clone();
    let last_error = scan.last_error.clone();
    let mut lines: Vec<(u64, String)> = Vec::new();
    if let Some((n, l)) = last_error
        && tail.first().is_none_or(|(first, _)| n < *first)
    {
        lines.push((n, l));
    }
    lines.extend(tail);
    lines
        .into_iter()
        .map(|(n, line)| Evidence {
            input: log.origin.input,
            path: log.origin.path.clone(),
            line: Some(n),
            excerpt: crate::report::excerpt(&line),
        })
        .collect()
}
