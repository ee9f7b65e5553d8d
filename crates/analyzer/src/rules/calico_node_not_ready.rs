//! calico-node is not ready on a node, with the cause named: BGP not established with a peer,
//! BIRD's socket unreachable, felix not ready, or felix unable to reach Typha.
//!
//! ## What it detects
//!
//! Only when the input shows Calico runs in its cluster:
//!
//! - calico-node pods (named `calico-node-...` or labelled `k8s-app=calico-node`) whose
//!   `Ready` condition is `False` while they run, or whose calico-node container runs not
//!   ready;
//! - within the window, the readiness wordings below in events about a pod (the output of
//!   calico-node's failed readiness probe, in `Unhealthy` events) or in a pod's log lines
//!   (any level).
//!
//! One finding per pod, warning (critical when BGP is not established or Typha cannot be
//! reached, which stop the node's networking from following changes). The message names the
//! causes the input shows (the BGP peers when it names them), or says that the input does not
//! show why.
//!
//! ### Wordings
//!
//! | Wording | Where it comes from |
//! |---|---|
//! | `calico/node is not ready: BIRD is not ready: BGP not established with 10.0.0.2` | calico-node `node/pkg/health` (readiness probe `-bird-ready`), Calico v3.x; projectcalico/calico#3309 |
//! | `BIRD is not ready: Error querying BIRD: unable to connect to BIRDv4 socket: dial unix /var/run/calico/bird.ctl: connect: resource temporarily unavailable` | same, Calico v3.25 (projectcalico/calico#7712) |
//! | `calico/node is not ready: felix is not ready: Get "http://localhost:9099/readiness": dial tcp 127.0.0.1:9099: connect: connection refused` | same (`-felix-ready`), Calico v3.x; projectcalico/calico#4087, #2960 |
//! | `Failed to connect to Typha error=connection to typhas (...) failed`, `... dial tcp 10.0.0.5:5473: i/o timeout` | felix `daemon.go`, Calico v3.x; tigera/operator#2137, rancher/rke2#1996 |
//!
//! ## Why it matters
//!
//! A calico-node that is not ready does not program routes or policy for the pods of its node:
//! without BGP its pods cannot reach pods on other nodes, without Typha felix does not learn
//! of changes. Pods on that node, calico-kube-controllers among them, lose the network.
//!
//! ## Runbook step
//!
//! "Logs and Data to Gather For Calico Issues": describe the calico-node pod and read its
//! logs. BGP not established: allow BGP (TCP 179) between the nodes (security groups,
//! firewalls). Typha unreachable: allow TCP 5473 from the nodes to the Typha pods.
//!
//! ## Example
//!
//! ```text
//! CRITICAL [calico-node-not-ready] Pod/calico-system/calico-node-kwvrq
//!   not ready: BGP not established with 10.240.0.5: 6 events
//!   evidence:
//!     cluster.yaml: container calico-node running, not ready
//!   next steps:
//!     - kubectl describe pod -n calico-system calico-node-kwvrq
//! ```

use super::wordings::{Mark, Sighting, bgp_peers, counted, sightings};
use crate::Context;
use crate::facts::{Pod, State};
use crate::report::{Finding, Severity, Subject};

const MARKS: &[Mark] = &[
    Mark::BgpNotEstablished,
    Mark::BirdSocket,
    Mark::FelixNotReady,
    Mark::TyphaUnreachable,
];

fn calico_node(p: &Pod) -> bool {
    p.labels.get("k8s-app").is_some_and(|a| a == "calico-node")
        || p.name
            .strip_prefix("calico-node-")
            .is_some_and(|rest| !rest.is_empty())
}

/// Whether the input shows the pod running but not ready.
fn not_ready(p: &Pod) -> Option<String> {
    if p.deleting {
        return None;
    }
    let c = p
        .containers
        .iter()
        .find(|c| c.name == "calico-node" && !c.init);
    if let Some(c) = c
        && matches!(c.state, State::Running { .. })
        && !c.ready
    {
        return Some("container calico-node running, not ready".to_string());
    }
    match p.condition("Ready") {
        Some(r) if r.status == "False" && (p.phase == "Running" || c.is_some()) => Some(format!(
            "condition Ready=False{}",
            super::clause(&[&r.reason, &r.message], " ", "")
        )),
        _ => None,
    }
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if super::calico::shown(cx.facts).is_none() {
        return;
    }
    let mut seen = sightings(cx, MARKS);
    for p in cx.facts.pods.iter().filter(|p| calico_node(p)) {
        let Some(state) = not_ready(p) else { continue };
        let subject = Subject::new("Pod", &p.namespace, &p.name);
        let sighting = seen
            .iter()
            .position(|s| s.subject == subject)
            .map(|i| seen.remove(i));
        let mut f = finding(subject, sighting.as_ref());
        f.evidence.insert(0, cx.evidence(&p.source, &state));
        out.push(f);
    }
    for s in seen {
        out.push(finding(s.subject.clone(), Some(&s)));
    }
}

fn finding(subject: Subject, s: Option<&Sighting>) -> Finding {
    let mut causes = Vec::new();
    let mut critical = false;
    if let Some(s) = s {
        for m in &s.marks {
            causes.push(match m {
                Mark::BgpNotEstablished => {
                    critical = true;
                    bgp_peers(&s.sample).map_or_else(
                        || "BGP not established".to_string(),
                        |p| format!("BGP not established with {p}"),
                    )
                }
                Mark::BirdSocket => "BIRD's control socket cannot be reached".to_string(),
                Mark::FelixNotReady => "felix is not ready".to_string(),
                Mark::TyphaUnreachable => {
                    critical = true;
                    "felix cannot connect to Typha".to_string()
                }
                _ => continue,
            });
        }
    }
    let message = match s {
        Some(s) if !causes.is_empty() => {
            format!("not ready: {}: {}", causes.join("; "), counted(s))
        }
        _ => "not ready; the input does not show why".to_string(),
    };
    let ns = super::namespace_flag(subject.namespace_str());
    let mut next_steps = vec![
        format!("kubectl describe pod{ns} {}", subject.name),
        format!("kubectl logs{ns} {} -c calico-node", subject.name),
    ];
    if s.is_some_and(|s| s.marks.contains(&Mark::BgpNotEstablished)) {
        next_steps.push(
            "Allow BGP (TCP 179) between the nodes: check security groups and firewalls".into(),
        );
    }
    if s.is_some_and(|s| s.marks.contains(&Mark::TyphaUnreachable)) {
        next_steps.push(
            "Allow TCP 5473 from the nodes to the calico-typha pods and check that they run".into(),
        );
    }
    Finding {
        rule: "",
        severity: if critical {
            Severity::Critical
        } else {
            Severity::Warning
        },
        subject,
        message,
        evidence: s.map(|s| s.evidence.clone()).unwrap_or_default(),
        next_steps,
    }
}
