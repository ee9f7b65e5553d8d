//! A PodDisruptionBudget that allows no disruption blocks draining a cordoned node.
//!
//! ## What it detects
//!
//! - A cordoned node (`spec.unschedulable`) with a running pod that a PodDisruptionBudget of
//!   the input selects, whose `status.disruptionsAllowed` is 0: `kubectl drain` (and worker
//!   updates or reloads that drain first) waits on it forever. A budget whose selector cannot
//!   be read, or whose `disruptionsAllowed` the input does not show, gives no finding.
//! - Warning events within the window carrying the eviction API's refusal `Cannot evict pod as
//!   it would violate the pod's disruption budget` (cluster-autoscaler, node drainers and
//!   machine controllers report it so).
//!
//! One finding per budget (or per refused pod, when the budget is not in the input), listing
//! the cordoned nodes and pods. Critical when a pod of the expected workload is covered,
//! warning otherwise.
//!
//! ### Wordings
//!
//! | Wording | Where it comes from |
//! |---|---|
//! | `Cannot evict pod as it would violate the pod's disruption budget.` | kube-apiserver eviction subresource (`pkg/registry/core/pod/storage/eviction.go`), K8s 1.5 to 1.32; `kubectl drain` prints it as `error when evicting pods/"P" -n "NS" (will retry after 5s): ...` |
//! | `The disruption budget X needs N healthy pods and has M currently` | the same refusal's cause, K8s 1.5 to 1.32 |
//! | `status.disruptionsAllowed` (`ALLOWED DISRUPTIONS` in `kubectl get pdb`) | policy/v1 (K8s 1.21+), policy/v1beta1 (K8s 1.5 to 1.24) |
//!
//! ## Why it matters
//!
//! Worker updates, reloads and replacements drain the node first; a budget that allows no
//! disruption (one replica with `minAvailable: 1`, or all replicas already unhealthy) stops the
//! drain, and the worker is left cordoned, with the update not done.
//!
//! ## Runbook step
//!
//! "Check If Worker Is Ready and Healthy": a worker left cordoned by a stuck update. Scale the
//! workload up or fix its unhealthy pods so the budget allows a disruption, or relax the budget
//! for the time of the drain; then retry the drain or the worker update.
//!
//! ## Example
//!
//! ```text
//! WARNING [drain-blocked] PodDisruptionBudget/shop/web
//!   allows no disruption (0 allowed; needs 2 healthy, has 2) and covers pods on cordoned nodes: web-7d9f8c6b5-abcde on 10.240.0.5
//!   evidence:
//!     cluster.yaml: PodDisruptionBudget web disruptionsAllowed 0
//!     cluster.yaml: Node 10.240.0.5 cordoned (spec.unschedulable)
//!   next steps:
//!     - kubectl get pdb -n shop web -o yaml
//!     - Let the budget allow a disruption (scale up, fix unhealthy pods, or relax it), then retry the drain or the worker update
//! ```

use std::collections::BTreeMap;

use kbundle_format::json::i64_at;

use crate::Context;
use crate::facts::Source;
use crate::report::{Evidence, Finding, Severity, Subject};

const REFUSAL: &str = "violate the pod's disruption budget";

#[derive(Default)]
struct Case {
    detail: String,
    pods: Vec<String>,
    target: bool,
    evidence: Vec<Evidence>,
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut cases: BTreeMap<(String, String, String), Case> = BTreeMap::new();
    let cordoned: Vec<&crate::facts::Node> =
        cx.facts.nodes.iter().filter(|n| n.unschedulable).collect();
    if !cordoned.is_empty() {
        for o in super::objects(cx, "policy", "PodDisruptionBudget") {
            let v = &o.value;
            let Some(allowed) = i64_at(v, "/status/disruptionsAllowed") else {
                continue;
            };
            if allowed > 0 {
                continue;
            }
            let Some(selector) = v.pointer("/spec/selector") else {
                continue;
            };
            let mut case = Case::default();
            for p in cx
                .facts
                .pods
                .iter()
                .filter(|p| p.namespace == o.namespace() && !p.deleting && p.phase == "Running")
            {
                let Some(node) = cordoned.iter().find(|n| p.node.as_deref() == Some(&n.name))
                else {
                    continue;
                };
                if super::selects(selector, &p.labels) != Some(true) {
                    continue;
                }
                case.pods.push(format!("{} on {}", p.name, node.name));
                case.target |= p.target;
                let cordon = cx.evidence(
                    &node.source,
                    &format!("Node {} cordoned (spec.unschedulable)", node.name),
                );
                if case.evidence.len() < 3 && !case.evidence.contains(&cordon) {
                    case.evidence.push(cordon);
                }
            }
            if case.pods.is_empty() {
                continue;
            }
            let healthy = |k: &str| i64_at(v, k);
            case.detail = match (
                healthy("/status/currentHealthy"),
                healthy("/status/desiredHealthy"),
            ) {
                (Some(c), Some(d)) => format!("{allowed} allowed; needs {d} healthy, has {c}"),
                _ => format!("{allowed} allowed"),
            };
            case.evidence.insert(
                0,
                cx.evidence(
                    &Source::of(o),
                    &format!(
                        "PodDisruptionBudget {} disruptionsAllowed {allowed}",
                        o.name()
                    ),
                ),
            );
            cases.insert(
                (
                    "PodDisruptionBudget".to_string(),
                    o.namespace().to_string(),
                    o.name().to_string(),
                ),
                case,
            );
        }
    }
    for e in &cx.facts.events {
        if e.type_ != "Warning"
            || !cx.in_window(e.last)
            || !e.message.to_ascii_lowercase().contains(REFUSAL)
        {
            continue;
        }
        let r = &e.regarding;
        let namespace = if r.namespace.is_empty() {
            &e.namespace
        } else {
            &r.namespace
        };
        // The refusal's cause names the budget: `The disruption budget X needs ...`.
        let budget = e
            .message
            .split("disruption budget ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .filter(|b| !b.ends_with('.') && *b != "needs");
        let key = match budget {
            Some(b) => (
                "PodDisruptionBudget".to_string(),
                namespace.clone(),
                b.to_string(),
            ),
            None => (r.kind.clone(), namespace.clone(), r.name.clone()),
        };
        if key.2.is_empty() {
            continue;
        }
        let case = cases.entry(key).or_default();
        if r.kind == "Pod" && !case.pods.iter().any(|p| p.starts_with(&r.name)) {
            case.pods.push(r.name.clone());
        }
        case.target |= super::named_like_target(cx, &r.namespace, &r.name);
        if case.evidence.len() < 4 {
            case.evidence.push(cx.evidence(&e.source, &e.summary()));
        }
    }
    for ((kind, namespace, name), case) in cases {
        let ns_flag = super::namespace_flag(&namespace);
        let message = if kind == "PodDisruptionBudget" && !case.detail.is_empty() {
            format!(
                "allows no disruption ({}) and covers pods on cordoned nodes: {}",
                case.detail,
                case.pods.join(", ")
            )
        } else {
            format!(
                "evictions refused: they would violate a PodDisruptionBudget{}",
                super::clause(&[&case.pods.join(", ")], "; refused pods: ", "")
            )
        };
        out.push(Finding {
            rule: "",
            severity: if case.target {
                Severity::Critical
            } else {
                Severity::Warning
            },
            subject: Subject::new(&kind, &namespace, &name),
            message: crate::report::shorten(&message, 400),
            evidence: case.evidence,
            next_steps: vec![
                if kind == "PodDisruptionBudget" {
                    format!("kubectl get pdb{ns_flag} {name} -o yaml")
                } else {
                    format!("kubectl get pdb{ns_flag}")
                },
                "Let the budget allow a disruption (scale up, fix unhealthy pods, or relax it), then retry the drain or the worker update".to_string(),
            ],
        });
    }
}
