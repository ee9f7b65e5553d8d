//! A container was killed for hitting its memory limit, or its node ran out of memory.
//!
//! ## What it detects
//!
//! - `OOMKilled` as the reason of a container's current or last termination;
//! - exit code 137 (SIGKILL) with no `OOMKilled` reason, for a container that has a memory
//!   limit (the kernel kill is not always attributed to the cgroup);
//! - node OOM events (`OOMKilling`, `PodOOMKilling`, `SystemOOM`) on the pod's node naming
//!   the pod, the container or its image's program;
//! - pods `Evicted` because the node was low on memory.
//!
//! Within the window only: critical when the container is not running and ready now (or is
//! restarting often), warning when it recovered. A kill older than the window, with the
//! container healthy since, is not reported. The message gives the memory limit, the
//! restart count, the exit code and when the kill happened, each as the input shows it: `no
//! memory limit` only when the input shows the container's resources without one (an object's
//! spec, a describe that reaches its `Limits`/`Requests`/probes), `memory limit unknown` for a
//! `get pods` row or a describe cut short, and no exit code where only the reason is shown.
//! The Calico next steps (escalate a leak, do not raise limits by hand) are given for the
//! expected workload's pods only. The subject is the Pod.
//!
//! ## Why it matters
//!
//! calico-kube-controllers has had memory leaks (projectcalico/calico#5037, #9531, #11115):
//! its memory grows with the cluster until the limit kills it, over and over. Raising the
//! limit buys time; the fix is usually a Calico update, which comes with the master update.
//!
//! ## Runbook step
//!
//! "calico-kube-controllers in CrashLoopBackOff or Restarting Often": "one thing to check for
//! is whether the pod is crashing/restarting due to hitting memory limits". Gather the
//! describe output and logs, and escalate to the network squad with them.
//!
//! ## Example
//!
//! ```text
//! CRITICAL [memory-limit-hit] Pod/calico-system/calico-kube-controllers-6f8c9d7b5-x2x7k
//!   container calico-kube-controllers OOMKilled (exit 137) 4m before the reference time, limit 128Mi; 9 OOM kill events on its node; 9 restarts, now waiting (CrashLoopBackOff)
//!   evidence:
//!     cluster.yaml: container calico-kube-controllers last state: terminated OOMKilled, exit 137, finished 2025-03-14T09:56:00Z; limits.memory 128Mi
//!   next steps:
//!     - Compare its usage with the limit: kubectl top pod -n calico-system calico-kube-controllers-6f8c9d7b5-x2x7k
//! ```

use crate::Context;
use crate::facts::{MemoryLimit, State};
use crate::report::{Finding, Severity, Subject};

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for pod in cx.facts.pods.iter().filter(|p| !p.deleting) {
        // Evicted for memory.
        if pod.reason == "Evicted"
            && pod.message.to_ascii_lowercase().contains("memory")
            && cx.in_window(
                pod.conditions
                    .iter()
                    .filter_map(|c| c.last_transition)
                    .chain(pod.created)
                    .max()
                    .or(cx.now),
            )
        {
            out.push(Finding {
                rule: "",
                severity: Severity::Warning,
                subject: Subject::new("Pod", &pod.namespace, &pod.name),
                message: format!("evicted: {}", crate::report::excerpt(&pod.message)),
                evidence: vec![cx.evidence(
                    &pod.source,
                    &format!("status.reason Evicted: {}", pod.message),
                )],
                next_steps: vec![format!(
                    "Check the node's memory: kubectl describe node {}",
                    pod.node.as_deref().unwrap_or("<node>")
                )],
            });
        }
        for c in &pod.containers {
            let mut kills = Vec::new();
            for (which, st) in [("state", &c.state), ("last state", &c.last_state)] {
                if let State::Terminated {
                    reason,
                    exit_code,
                    finished,
                    ..
                } = st
                {
                    let oom = reason == "OOMKilled";
                    let sigkill = *exit_code == Some(137)
                        && reason != "OOMKilled"
                        && reason != "Completed"
                        && c.memory_limit.set().is_some();
                    if (oom || sigkill) && cx.now.is_some() && cx.in_window(*finished) {
                        kills.push((which, oom, reason.clone(), *exit_code, *finished));
                    }
                }
            }
            // Node OOM events naming this pod or container's program.
            let program = c
                .image
                .rsplit('/')
                .next()
                .and_then(|s| s.split([':', '@']).next())
                .unwrap_or_default()
                .to_string();
            let mut node_events = Vec::new();
            if let Some(node) = &pod.node {
                for (e, _) in cx.facts.events_for("Node", "", node, None) {
                    if !matches!(
                        e.reason.as_str(),
                        "OOMKilling" | "PodOOMKilling" | "SystemOOM"
                    ) || !cx.in_window(e.last)
                    {
                        continue;
                    }
                    let m = &e.message;
                    let names = m.contains(&pod.name)
                        || m.contains(&format!("({})", c.name))
                        || (!program.is_empty() && m.contains(&format!("({program})")))
                        || (!program.is_empty() && m.contains(&format!("process: {program}")))
                        || pod
                            .uid
                            .as_deref()
                            .is_some_and(|u| m.contains(&u.replace('-', "_")) || m.contains(u));
                    if names {
                        node_events.push(e);
                    }
                }
            }
            if kills.is_empty() && node_events.is_empty() {
                continue;
            }
            let healthy_now = matches!(c.state, State::Running { .. }) && c.ready;
            let severity = if !healthy_now || c.restarts.is_some_and(|r| r >= cx.restart_threshold)
            {
                Severity::Critical
            } else {
                Severity::Warning
            };
            let limit = &c.memory_limit;
            let mut message = match kills.first() {
                Some((_, true, _, code, finished)) => format!(
                    "container {} OOMKilled{}{}, {limit}",
                    c.name,
                    code.map_or_else(String::new, |c| format!(" (exit {c})")),
                    ago(cx, *finished)
                ),
                Some((_, false, reason, _, finished)) => format!(
                    "container {} killed with exit 137 ({}){} near its memory limit? {limit}",
                    c.name,
                    if reason.is_empty() {
                        "no reason"
                    } else {
                        reason
                    },
                    ago(cx, *finished)
                ),
                None => format!(
                    "the kernel OOM killer on {} killed container {}'s process, {limit}",
                    pod.node
                        .as_deref()
                        .map_or_else(|| "its node".to_string(), |n| format!("node {n}")),
                    c.name
                ),
            };
            let node_kills: u64 = node_events.iter().map(|e| e.count).sum();
            if node_kills > 0 && !kills.is_empty() {
                message.push_str(&format!(
                    "; {node_kills} OOM kill event{} on its node",
                    if node_kills == 1 { "" } else { "s" }
                ));
            }
            message.push_str(&format!("; {}", c.restarts_text()));
            message.push_str(&match &c.state {
                State::Running { .. } if c.ready => ", running and ready now".to_string(),
                State::Running { .. } => ", running but not ready".to_string(),
                State::Waiting { reason, .. } => {
                    format!(", now waiting{}", super::clause(&[reason], " (", ")"))
                }
                State::Terminated { .. } => ", terminated now".to_string(),
                State::Unknown => String::new(),
            });
            let mut evidence = Vec::new();
            for (which, _, reason, code, finished) in &kills {
                evidence.push(cx.evidence(
                    &pod.container_source(c),
                    &format!(
                        "container {} {which}: terminated {reason}, exit {}, finished {}; limits.memory {}",
                        c.name,
                        code.map_or("unknown".to_string(), |c| c.to_string()),
                        finished.map_or("unknown".to_string(), |t| t.to_string()),
                        match &c.memory_limit {
                            MemoryLimit::Set(l) => l.as_str(),
                            MemoryLimit::None => "none",
                            MemoryLimit::Unknown => "unknown",
                        }
                    ),
                ));
            }
            for e in node_events {
                evidence.push(cx.evidence(&e.source, &e.summary()));
            }
            let mut next_steps = vec![format!(
                "Compare its usage with the limit: kubectl top pod{} {}",
                super::namespace_flag(&pod.namespace),
                pod.name
            )];
            if pod.target {
                next_steps.push(format!("A leak grows with time and cluster size: note the Calico version and how long it ran before each kill, and escalate to {}", cx.escalation));
                next_steps.push("Updating the master brings a newer Calico; do not raise limits or update Calico by hand".into());
            } else {
                next_steps.push("A leak grows with uptime: compare how long it ran before each kill, then fix the leak or give it a limit that fits its load".into());
            }
            out.push(Finding {
                rule: "",
                severity,
                subject: Subject::new("Pod", &pod.namespace, &pod.name),
                message,
                evidence,
                next_steps,
            });
        }
    }
}

fn ago(cx: &Context<'_>, t: Option<jiff::Timestamp>) -> String {
    cx.when(t).map(|w| format!(" {w}")).unwrap_or_default()
}
