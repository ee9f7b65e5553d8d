//! Calico IPAM has no address to give a new pod: its pools are exhausted or the node has
//! reached its block limit, and pods stay in ContainerCreating.
//!
//! ## What it detects
//!
//! Within the window, failed pod sandboxes (`FailedCreatePodSandBox` events) and Calico log
//! lines (any level) with the IPAM allocation failures below, only when the input shows Calico
//! runs in its cluster. One finding per object (the pod whose sandbox failed, or the pod whose
//! log holds the lines), critical when a pod of the expected workload cannot start, warning
//! otherwise. IPAM leak lines of calico-kube-controllers' garbage collection (`Candidate IP
//! leak`, `Confirmed IP leak`, `Garbage collecting leaked IP address`) are added as supporting
//! evidence (the first and last of each log); alone they are not a finding, since the
//! garbage collection that logs them is doing its work.
//!
//! ### Wordings
//!
//! | Wording | Where it comes from |
//! |---|---|
//! | `Unable to autoassign an address - pools are likely exhausted` | the Calico CNI plugin's IPAM (`cni-plugin/pkg/ipamplugin`), Calico v3.x; projectcalico/cni-plugin#920, projectcalico/calico#4861 |
//! | `cannot allocate new block due to per host block limit` | libcalico-go `ipam/ipam.go` (`maxBlocksPerHost`), Calico v3.x; projectcalico/calico#4861 |
//! | `Candidate IP leak`, `Confirmed IP leak handle=...`, `Garbage collecting leaked IP address handle=...` | kube-controllers IPAM controller (`pkg/controllers/node/ipam.go`), Calico v3.21+ (PR 5319) |
//!
//! ## Why it matters
//!
//! A pod that gets no IP address never starts: its sandbox creation fails over and over and it
//! stays in ContainerCreating. The usual cause is addresses leaked by nodes deleted without
//! draining, whose blocks stay allocated.
//!
//! ## Runbook step
//!
//! Not a runbook step. Inspect Calico IPAM: `calicoctl ipam show --show-blocks`, `calicoctl
//! ipam check -o report.json` and, after reviewing the report, `calicoctl ipam release
//! --from-report report.json`; check calico-kube-controllers' logs for its IPAM garbage
//! collection.
//!
//! ## Example
//!
//! ```text
//! CRITICAL [ipam-exhausted] Pod/calico-system/calico-kube-controllers-6f8c9d7b5-x2x7k
//!   no IP address from Calico IPAM (pools exhausted): 12 events
//!   evidence:
//!     cluster.yaml: FailedCreatePodSandBox (x12) Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox "9f3c1d2e4b5a6978": plugin type="calico" failed (add): Unable to autoassign an address - pools are likely exhausted
//!   next steps:
//!     - Check IPAM usage: calicoctl ipam show --show-blocks
//! ```

use super::wordings::{Mark, counted, sightings};
use crate::Context;
use crate::report::{Finding, Severity};

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if super::calico::shown(cx.facts).is_none() {
        return;
    }
    let leaks: Vec<_> = sightings(cx, &[Mark::IpamLeak])
        .into_iter()
        .flat_map(|s| s.evidence)
        .take(4)
        .collect();
    for s in sightings(cx, &[Mark::IpamExhausted]) {
        let why = if s.sample.contains("per host block limit") {
            "the node's block limit reached"
        } else {
            "pools exhausted"
        };
        let message = format!("no IP address from Calico IPAM ({why}): {}", counted(&s));
        let target = s.subject.kind == "Pod"
            && cx.facts.pods.iter().any(|p| {
                p.target && p.name == s.subject.name && p.namespace == s.subject.namespace_str()
            });
        let mut evidence = s.evidence;
        evidence.extend(leaks.iter().cloned());
        out.push(Finding {
            rule: "",
            severity: if target {
                Severity::Critical
            } else {
                Severity::Warning
            },
            subject: s.subject,
            message,
            evidence,
            next_steps: vec![
                "Check IPAM usage: calicoctl ipam show --show-blocks".to_string(),
                "Look for addresses leaked by deleted nodes: calicoctl ipam check -o report.json; after reviewing it, calicoctl ipam release --from-report report.json".to_string(),
                "Read calico-kube-controllers' logs for its IPAM garbage collection".to_string(),
            ],
        });
    }
}
