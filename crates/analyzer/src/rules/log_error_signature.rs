//! Known error signatures in container logs: datastore or API server unreachable,
//! Unauthorized, deadlines exceeded, FATAL exits, panics.
//!
//! ## What it detects
//!
//! Error and fatal lines (Calico's `[ERROR]`/`[FATAL]`, klog's `E`/`F`, `level=error`) and
//! Go panics in the container logs of the input, current and previous, within the window when
//! the line has a time. A line gets the first signature that matches, in this order (the
//! cause before the symptom), and lines are grouped by pod, container and signature:
//!
//! | signature | matches |
//! |---|---|
//! | `panic` | `panic:`, `Observed a panic`, `fatal error:` |
//! | `unauthorized` | `Unauthorized`, `connection is unauthorized` |
//! | `tls-error` | `x509:` |
//! | `deadline-exceeded` | `context deadline exceeded`, `Client.Timeout exceeded`, `request timed out`, `i/o timeout` |
//! | `apiserver-unreachable` | `Failed to reach apiserver`, `Error reaching apiserver`, `bad status code from apiserver`, `dial tcp ...: connection refused`, `no route to host`, `connection lost`, `Service Unavailable` |
//! | `datastore-unreachable` | `Failed to initialize Calico datastore`, `Error getting cluster information config`, `Failed to verify datastore`, `Error initializing datastore`, `failed to build Calico client` |
//! | `fatal-exit` | any other FATAL line |
//!
//! The output of failed probes (`Unhealthy` events: `Readiness probe failed: Error verifying
//! datastore: ...`, which `check-status` prints) is classified the same way and counted with
//! the lines.
//!
//! A timestamped line that appears in both the previous and the current log of a container
//! (the kubelet serves the same file for both while the container is in CrashLoopBackOff) is
//! counted once. Info, debug and warning lines never match, even when they mention an error (kube-controllers
//! logs a recovered datastore error at INFO). Each group gives its count and first and last
//! time, with the first and last lines as evidence. Critical for groups with a FATAL line or a
//! panic in a pod of the expected workload, warning otherwise (operators that exit while a
//! cluster installs or upgrades log FATAL lines that are not the problem at hand). The subject
//! is the Pod.
//!
//! ## Why it matters
//!
//! The log says why the pod restarts or is not ready: a datastore it cannot reach, a token the
//! API server rejects, a network path to the API server that times out. Grouping turns
//! thousands of lines into the few causes that matter.
//!
//! ## Runbook step
//!
//! "Logs and Data to Gather For Calico Issues": `kubectl logs -n <kube-system/calico-system>
//! calico-kube-controllers-...`. Examine the output for an indication of the problem; API
//! server timeouts point at the network path (firewall, gateway, routes, VPN), Unauthorized at
//! the service account token.
//!
//! ## Example
//!
//! ```text
//! WARNING [log-error-signature] Pod/calico-system/calico-kube-controllers-6f8c9d7b5-x2x7k
//!   apiserver-unreachable: 1 line in calico-kube-controllers at 2025-03-14T09:31:34.5Z: the API server cannot be reached
//!   evidence:
//!     logs/calico-system/calico-kube-controllers-6f8c9d7b5-x2x7k/calico-kube-controllers.log:6: 2025-03-14 09:31:34.500 [ERROR][1] main.go 297: Received bad status code from apiserver error=Get "https://172.21.0.1:443/healthz?timeout=20s": dial tcp 172.21.0.1:443: connect: connection refused status=0
//!   next steps:
//!     - Read the log around these lines: kubectl logs -n calico-system calico-kube-controllers-6f8c9d7b5-x2x7k -c calico-kube-controllers (and --previous)
//! ```

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;

use crate::Context;
use crate::report::{Evidence, Finding, Severity, Subject};
use crate::text::Level;

struct Signature {
    id: &'static str,
    what: &'static str,
    re: &'static str,
}

const SIGNATURES: &[Signature] = &[
    Signature {
        id: "panic",
        what: "the process panicked",
        re: r"(^|\s)panic: |Observed a panic|^fatal error: ",
    },
    Signature {
        id: "unauthorized",
        what: "the API server rejects its credentials",
        re: r"(?i)\bunauthorized\b",
    },
    Signature {
        id: "tls-error",
        what: "TLS certificate errors",
        re: r"x509: ",
    },
    Signature {
        id: "deadline-exceeded",
        what: "requests time out",
        re: r"(?i)context deadline exceeded|Client\.Timeout exceeded|request timed out|i/o timeout",
    },
    Signature {
        id: "apiserver-unreachable",
        what: "the API server cannot be reached",
        re: r"(?i)Failed to reach apiserver|Error reaching apiserver|bad status code from apiserver|dial tcp [^ ]+: (connect: )?(connection refused|no route to host)|connection lost|Service Unavailable|no route to host",
    },
    Signature {
        id: "datastore-unreachable",
        what: "the Calico datastore cannot be reached",
        re: r"(?i)Failed to initialize Calico datastore|Error getting cluster information config|Failed to verify datastore|Error initializing datastore|failed to build Calico client",
    },
];

static COMPILED: LazyLock<Vec<(usize, Regex)>> = LazyLock::new(|| {
    SIGNATURES
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Regex::new(s.re).ok().map(|r| (i, r)))
        .collect()
});

/// The signature of a line, if it is an error line with a known cause.
pub(crate) fn classify(level: Level, text: &str) -> Option<&'static str> {
    if !matches!(level, Level::Unknown | Level::Error | Level::Fatal) {
        return None;
    }
    let panicky = COMPILED.first().is_some_and(|(_, re)| re.is_match(text));
    if panicky && matches!(level, Level::Unknown | Level::Error | Level::Fatal) {
        return Some("panic");
    }
    if !matches!(level, Level::Error | Level::Fatal) {
        return None;
    }
    for (i, re) in COMPILED.iter().skip(1) {
        if re.is_match(text) {
            return SIGNATURES.get(*i).map(|s| s.id);
        }
    }
    (level == Level::Fatal).then_some("fatal-exit")
}

#[derive(Default)]
struct Group {
    count: u64,
    /// Failed probes (`Unhealthy` events) with this signature.
    probes: u64,
    /// The first such event.
    probe_line: Option<Evidence>,
    fatal: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    first_line: Option<Evidence>,
    last_line: Option<Evidence>,
    files: Vec<String>,
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // (namespace, pod, container, signature) -> group
    let mut groups: BTreeMap<(String, String, String, &'static str), Group> = BTreeMap::new();
    let mut logs: Vec<_> = cx.facts.logs.iter().zip(&cx.scans).collect();
    // Previous logs first: they come before the current ones.
    logs.sort_by_key(|(l, _)| {
        (
            l.namespace.clone(),
            l.pod.clone(),
            l.container.clone(),
            !l.previous,
        )
    });
    // Timestamped lines already counted from another log of the same container: in
    // CrashLoopBackOff the kubelet serves the last terminated container for both `logs` and
    // `logs --previous`, so the two files can overlap or be identical.
    let mut counted: BTreeMap<(String, String, String), HashSet<String>> = BTreeMap::new();
    for (log, scan) in logs {
        let container = log.container.clone().unwrap_or_default();
        let key = (log.namespace.clone(), log.pod.clone(), container.clone());
        let before = counted.remove(&key).unwrap_or_default();
        let mut now_seen: HashSet<String> = HashSet::new();
        for hit in &scan.hits {
            let sig = hit.signature;
            if hit.time.is_some() && cx.now.is_some() && !cx.in_window(hit.time) {
                continue;
            }
            if hit.time.is_some() {
                if before.contains(&hit.text) {
                    continue;
                }
                now_seen.insert(hit.text.clone());
            }
            let g = groups
                .entry((
                    log.namespace.clone(),
                    log.pod.clone(),
                    container.clone(),
                    sig,
                ))
                .or_default();
            g.count += 1;
            if hit.level == Level::Fatal {
                g.fatal += 1;
            }
            if let Some(t) = hit.time {
                g.first = Some(g.first.map_or(t, |f| f.min(t)));
                g.last = Some(g.last.map_or(t, |l| l.max(t)));
            }
            let ev = Evidence {
                input: log.origin.input,
                path: log.origin.path.clone(),
                line: Some(hit.line),
                excerpt: crate::report::excerpt(&hit.text),
            };
            if g.first_line.is_none() {
                g.first_line = Some(ev);
            } else {
                g.last_line = Some(ev);
            }
            if !g.files.contains(&log.origin.path) {
                g.files.push(log.origin.path.clone());
            }
        }
        now_seen.extend(before);
        counted.insert(key, now_seen);
    }
    // Probe output is the container's own status report (`check-status` prints why it is not
    // ready): failed probes count too.
    for e in &cx.facts.events {
        if e.reason != "Unhealthy"
            || e.type_ != "Warning"
            || e.regarding.kind != "Pod"
            || !cx.in_window(e.last)
        {
            continue;
        }
        let current = cx
            .facts
            .pods
            .iter()
            .find(|p| p.namespace == e.regarding.namespace && p.name == e.regarding.name);
        let replaced = match (
            current.and_then(|p| p.uid.as_deref()),
            e.regarding.uid.as_deref(),
        ) {
            (Some(a), Some(b)) => a != b,
            _ => false,
        };
        if replaced {
            continue;
        }
        let Some(sig) = classify(Level::Error, &e.message) else {
            continue;
        };
        let container = e
            .container
            .clone()
            .or_else(|| {
                current
                    .map(|p| p.containers.iter().filter(|c| !c.init).collect::<Vec<_>>())
                    .filter(|cs| cs.len() == 1)
                    .and_then(|cs| cs.first().map(|c| c.name.clone()))
            })
            .unwrap_or_default();
        let g = groups
            .entry((
                e.regarding.namespace.clone(),
                e.regarding.name.clone(),
                container,
                sig,
            ))
            .or_default();
        g.probes += e.count;
        for t in [e.first, e.last].into_iter().flatten() {
            g.first = Some(g.first.map_or(t, |f| f.min(t)));
            g.last = Some(g.last.map_or(t, |l| l.max(t)));
        }
        let ev = cx.evidence(&e.source, &e.summary());
        if g.probe_line.is_none() {
            g.probe_line = Some(ev);
        }
    }
    for ((ns, pod, container, sig), g) in groups {
        let what = SIGNATURES
            .iter()
            .find(|s| s.id == sig)
            .map_or("the process exited on a fatal error", |s| s.what);
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        let mut counts = Vec::new();
        if g.count > 0 {
            counts.push(format!("{} line{}", g.count, plural(g.count)));
        }
        if g.probes > 0 {
            counts.push(format!("{} failed probe{}", g.probes, plural(g.probes)));
        }
        let mut message = format!("{sig}: {} in {container}", counts.join(" and "));
        if g.fatal > 0 && sig != "fatal-exit" {
            message.push_str(&format!(" ({} FATAL)", g.fatal));
        }
        match (g.first, g.last) {
            (Some(f), Some(l)) if f != l => message.push_str(&format!(" from {f} to {l}")),
            (Some(f), _) => message.push_str(&format!(" at {f}")),
            _ => {}
        }
        message.push_str(&format!(": {what}"));
        // A fatal exit is critical for the expected workload; in another pod's log it is one
        // more thing to look at.
        let target = cx
            .facts
            .pods
            .iter()
            .any(|p| p.target && p.name == pod && (p.namespace == ns || ns.is_empty()))
            || super::named_like_target(cx, &ns, &pod);
        let severity = if target && (g.fatal > 0 || sig == "panic") {
            Severity::Critical
        } else {
            Severity::Warning
        };
        let mut next_steps = vec![format!(
            "Read the log around these lines: kubectl logs -n {ns} {pod} -c {container} (and --previous)"
        )];
        match sig {
            "unauthorized" => next_steps.push(format!(
                "Check the pod's service account token: delete the pod so it gets a fresh one (kubectl delete pod -n {ns} {pod}); if it persists, refresh the master"
            )),
            "deadline-exceeded" | "apiserver-unreachable" | "datastore-unreachable" => next_steps.push(
                "Check the path from the pod's node to the API server service (kubernetes.default): recent firewall, gateway, static route or VPN changes; move the pod to another node".into(),
            ),
            "tls-error" => next_steps.push("Check the certificates the pod trusts and the API server presents; a master refresh renews them".into()),
            _ => next_steps.push(format!("Gather the describe output and logs and escalate to {}", cx.escalation)),
        }
        out.push(Finding {
            rule: "",
            severity,
            subject: Subject::new("Pod", &ns, &pod),
            message,
            evidence: g
                .first_line
                .into_iter()
                .chain(g.last_line)
                .chain(g.probe_line)
                .collect(),
            next_steps,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(line: &str) -> Option<&'static str> {
        let p = crate::text::parse_line(line, "2025-03-14T10:00:00Z".parse().ok());
        classify(p.level, p.text)
    }

    #[test]
    fn signatures_from_real_lines() {
        assert_eq!(
            sig(
                "2022-05-19 13:33:46.856 [FATAL][1] main.go 118: Failed to initialize Calico datastore error=connection is unauthorized: Unauthorized"
            ),
            Some("unauthorized")
        );
        assert_eq!(
            sig(
                "2020-09-10 07:52:16.827 [ERROR][1] client.go 261: Error getting cluster information config ClusterInformation=\"default\" error=Get \"https://10.96.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default\": context deadline exceeded"
            ),
            Some("deadline-exceeded")
        );
        assert_eq!(
            sig(
                "2020-07-12 10:16:27.148 [ERROR][1] client.go 261: Error getting cluster information config ClusterInformation=\"default\" error=Get https://10.233.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default: dial tcp 10.233.0.1:443: connect: no route to host"
            ),
            Some("apiserver-unreachable")
        );
        assert_eq!(
            sig(
                "E1101 07:43:27.007813       1 reflector.go:138] pkg/mod/k8s.io/client-go@v0.21.0-rc.0/tools/cache/reflector.go:167: Failed to watch *v1.Pod: failed to list *v1.Pod: Unauthorized"
            ),
            Some("unauthorized")
        );
        assert_eq!(
            sig(
                "2018-11-13 14:05:29.939 [FATAL][1] main.go 81: Failed to start error=failed to build Calico client: context deadline exceeded"
            ),
            Some("deadline-exceeded")
        );
        assert_eq!(
            sig(
                "E0101 00:00:00.000000       1 runtime.go:78] Observed a panic: &runtime.TypeAssertionError{}"
            ),
            Some("panic")
        );
        assert_eq!(
            sig("2025-03-14 09:00:00.000 [FATAL][1] main.go 1: something else"),
            Some("fatal-exit")
        );
    }

    #[test]
    fn benign_lines_do_not_match() {
        assert_eq!(
            sig(
                "2025-03-14 09:00:00.000 [INFO][1] main.go 131: Failed to initialize datastore error=context deadline exceeded"
            ),
            None
        );
        assert_eq!(
            sig(
                "W0519 13:33:46.828542       1 client_config.go:615] Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  This might not work."
            ),
            None
        );
        assert_eq!(
            sig(
                "2022-12-21 15:14:41.722 [WARNING][1] status.go 66: Failed to write status error=open /status/status.json: permission denied"
            ),
            None
        );
        assert_eq!(
            sig("2025-03-14 09:00:00.000 [ERROR][1] x.go 1: something unknown"),
            None
        );
        assert_eq!(
            sig("2025-03-14 09:00:00.000 [INFO][1] x.go 1: Unauthorized earlier, recovered"),
            None
        );
    }
}
