//! A ResourceQuota or a LimitRange refuses the pods a controller tries to create.
//!
//! ## What it detects
//!
//! Warning events within the window (usually `FailedCreate` from the ReplicaSet, Job or
//! StatefulSet controller) and `ReplicaFailure`-style conditions whose message carries the
//! quota or limit admission plugin's refusal. One finding per ResourceQuota (its subject, named
//! from the message) or per LimitRange refusal (the LimitRange is the subject when the input
//! holds exactly one in that namespace, else the refused controller), listing the controllers
//! it blocks, with the quota's `hard` and `used` when the input holds the ResourceQuota object.
//! Critical when it blocks the expected workload, warning otherwise.
//!
//! ### Wordings
//!
//! | Wording | Where it comes from |
//! |---|---|
//! | `exceeded quota: <name>, requested: <r>=<n>, used: <r>=<n>, limited: <r>=<n>` | kube-apiserver ResourceQuota admission (`k8s.io/apiserver/pkg/admission/plugin/resourcequota`), K8s 1.9 to 1.32 |
//! | `Exceeded quota: <name>, requested: ...` (capital E) | the same plugin in older releases (K8s <= 1.8) |
//! | `failed quota: <name>: must specify <resources>` | the same plugin, when the quota covers a resource the pod sets no request or limit for |
//! | `maximum <resource> usage per <Container\|Pod> is <q>, but limit is <q>` | LimitRanger admission (`plugin/pkg/admission/limitranger`), K8s 1.x to 1.32 |
//! | `minimum <resource> usage per <Container\|Pod> is <q>, but request is <q>` | LimitRanger admission |
//! | `<resource> max limit to request ratio per <Container\|Pod> is <q>, but provided ratio is <f>` | LimitRanger admission |
//!
//! The controller wraps them: `Error creating: pods "x-6f8c9d7b5-abcde" is forbidden: exceeded
//! quota: ...` (ReplicaSet `FailedCreate`).
//!
//! ## Why it matters
//!
//! A quota or a limit refuses the pod before it exists: the Deployment shows fewer ready
//! replicas than desired, there is no pod to describe, and only the controller's events say why.
//!
//! ## Runbook step
//!
//! "If the calico-kube-controllers Pod is Not Running At All": when the ReplicaSet cannot create its pod,
//! its events name the reason. Raise the quota (or the LimitRange), free what it counts, or
//! set the pod's requests and limits within it.
//!
//! ## Example
//!
//! ```text
//! CRITICAL [quota-exceeded] ResourceQuota/calico-system/compute
//!   ResourceQuota compute refuses new pods: requested: pods=1, used: pods=4, limited: pods=4; blocks ReplicaSet/calico-system/calico-kube-controllers-6f8c9d7b5 (x14)
//!   evidence:
//!     cluster.yaml: FailedCreate (x14) Error creating: pods "calico-kube-controllers-6f8c9d7b5-9xk2p" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=4, limited: pods=4
//!     cluster.yaml: ResourceQuota compute hard {"pods":"4"} used {"pods":"4"}
//!   next steps:
//!     - kubectl describe resourcequota -n calico-system compute
//!     - Raise the quota or free what it counts, then let the controller retry
//! ```

use std::collections::BTreeMap;

use crate::Context;
use crate::facts::{ObjRef, Source};
use crate::report::{Evidence, Finding, Severity, Subject};

/// What refused: a named ResourceQuota or a LimitRange.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Refusal {
    Quota { name: String, detail: String },
    Limit { detail: String },
}

/// The refusal a message carries, if any.
fn refusal(message: &str) -> Option<Refusal> {
    let lower = message.to_ascii_lowercase();
    if let Some(at) = lower.find("exceeded quota: ") {
        let rest = message.get(at + "exceeded quota: ".len()..)?;
        let (name, detail) = rest.split_once(',').unwrap_or((rest, ""));
        if name.trim().is_empty() {
            return None;
        }
        return Some(Refusal::Quota {
            name: name.trim().to_string(),
            detail: detail.trim().trim_end_matches(['"', '\'']).to_string(),
        });
    }
    if let Some(at) = lower.find("failed quota: ") {
        let rest = message.get(at + "failed quota: ".len()..)?;
        let (name, detail) = rest.split_once(": ").unwrap_or((rest, ""));
        if name.trim().is_empty() {
            return None;
        }
        return Some(Refusal::Quota {
            name: name.trim().to_string(),
            detail: detail.trim().to_string(),
        });
    }
    for marker in [
        ", but limit is ",
        ", but request is ",
        ", but provided ratio is ",
    ] {
        if lower.contains(marker) {
            let start = ["maximum ", "minimum "]
                .iter()
                .filter_map(|w| lower.find(w))
                .min()
                .or_else(|| {
                    // `<resource> max limit to request ratio per ...`: from the word before.
                    let at = lower.find(" max limit to request ratio")?;
                    Some(lower.get(..at)?.rfind(' ').map_or(0, |s| s + 1))
                })?;
            return Some(Refusal::Limit {
                detail: message.get(start..)?.trim().to_string(),
            });
        }
    }
    None
}

struct Blocked {
    what: ObjRef,
    count: u64,
}

#[derive(Default)]
struct Group {
    blocked: Vec<Blocked>,
    evidence: Vec<Evidence>,
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    // (namespace, refusal) -> what it blocks.
    let mut groups: BTreeMap<(String, Refusal), Group> = BTreeMap::new();
    let mut note = |namespace: &str, r: Refusal, what: &ObjRef, count: u64, ev: Evidence| {
        let g = groups.entry((namespace.to_string(), r)).or_default();
        match g.blocked.iter_mut().find(|b| b.what == *what) {
            Some(b) => b.count += count,
            None => g.blocked.push(Blocked {
                what: what.clone(),
                count,
            }),
        }
        if g.evidence.len() < 3 {
            g.evidence.push(ev);
        }
    };
    for e in &cx.facts.events {
        if e.type_ != "Warning" || !cx.in_window(e.last) {
            continue;
        }
        let Some(r) = refusal(&e.message) else {
            continue;
        };
        let namespace = if e.regarding.namespace.is_empty() {
            &e.namespace
        } else {
            &e.regarding.namespace
        };
        note(
            namespace,
            r,
            &e.regarding,
            e.count.max(1),
            cx.evidence(&e.source, &e.summary()),
        );
    }
    for (what, c, source) in &cx.facts.status_messages {
        if c.status != "True" || !cx.in_window(c.last_transition) {
            continue;
        }
        let Some(r) = refusal(&c.message) else {
            continue;
        };
        let ev = cx.evidence(
            source,
            &format!(
                "{} {} condition {}: {}",
                what.kind, what.name, c.type_, c.message
            ),
        );
        note(&what.namespace, r, what, 0, ev);
    }
    for ((namespace, r), mut g) in groups {
        let target = g.blocked.iter().any(|b| blocks_target(cx, &b.what));
        let blocks = g
            .blocked
            .iter()
            .map(|b| {
                let count = if b.count > 1 {
                    format!(" (x{})", b.count)
                } else {
                    String::new()
                };
                format!(
                    "{}/{}{}{count}",
                    b.what.kind,
                    super::clause(&[&b.what.namespace], "", "/"),
                    b.what.name
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let ns_flag = super::namespace_flag(&namespace);
        let (subject, message, next_steps) = match &r {
            Refusal::Quota { name, detail } => {
                if let Some((hard, used, source)) = quota_object(cx, &namespace, name) {
                    g.evidence.push(cx.evidence(
                        &source,
                        &format!("ResourceQuota {name} hard {hard} used {used}"),
                    ));
                }
                (
                    Subject::new("ResourceQuota", &namespace, name),
                    format!(
                        "ResourceQuota {name} refuses new pods{}; blocks {blocks}",
                        super::clause(&[detail], ": ", "")
                    ),
                    vec![
                        format!("kubectl describe resourcequota{ns_flag} {name}"),
                        "Raise the quota or free what it counts, then let the controller retry"
                            .to_string(),
                    ],
                )
            }
            Refusal::Limit { detail } => {
                let limit_ranges: Vec<&kbundle_format::Object> =
                    super::objects(cx, "", "LimitRange")
                        .filter(|o| o.namespace() == namespace)
                        .collect();
                let subject = match (limit_ranges.as_slice(), g.blocked.first()) {
                    ([one], _) => Subject::new("LimitRange", &namespace, one.name()),
                    (_, Some(b)) => Subject::new(&b.what.kind, &b.what.namespace, &b.what.name),
                    (_, None) => continue,
                };
                (
                    subject,
                    format!("a LimitRange refuses new pods: {detail}; blocks {blocks}"),
                    vec![
                        format!("kubectl describe limitrange{ns_flag}"),
                        "Set the pod's requests and limits within the LimitRange, or change it"
                            .to_string(),
                    ],
                )
            }
        };
        out.push(Finding {
            rule: "",
            severity: if target {
                Severity::Critical
            } else {
                Severity::Warning
            },
            subject,
            message: crate::report::shorten(&message, 400),
            evidence: g.evidence,
            next_steps,
        });
    }
}

/// Whether a refused object is the expected workload or one of its ReplicaSets or pods.
fn blocks_target(cx: &Context<'_>, what: &ObjRef) -> bool {
    (what.kind == cx.target.kind
        && what.namespace == cx.target.namespace
        && what.name == cx.target.name)
        || super::named_like_target(cx, &what.namespace, &what.name)
}

/// A ResourceQuota's `status.hard` and `status.used` as JSON, when the input holds it.
fn quota_object(cx: &Context<'_>, namespace: &str, name: &str) -> Option<(String, String, Source)> {
    let o = super::objects(cx, "", "ResourceQuota")
        .find(|o| o.namespace() == namespace && o.name() == name)?;
    let part = |p: &str| {
        o.value
            .pointer(p)
            .map_or_else(|| "unknown".to_string(), |v| v.to_string())
    };
    Some((part("/status/hard"), part("/status/used"), Source::of(o)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_refusals() {
        assert_eq!(
            refusal(
                "Error creating: pods \"a\" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=4, limited: pods=4"
            ),
            Some(Refusal::Quota {
                name: "compute".into(),
                detail: "requested: pods=1, used: pods=4, limited: pods=4".into()
            })
        );
        assert_eq!(
            refusal("pods \"a\" is forbidden: failed quota: mem: must specify limits.memory"),
            Some(Refusal::Quota {
                name: "mem".into(),
                detail: "must specify limits.memory".into()
            })
        );
        assert_eq!(
            refusal(
                "pods \"a\" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi"
            ),
            Some(Refusal::Limit {
                detail: "maximum memory usage per Container is 1Gi, but limit is 2Gi".into()
            })
        );
        assert_eq!(
            refusal("pods \"a\" is forbidden: memory max limit to request ratio per Container is 2, but provided ratio is 4.000000"),
            Some(Refusal::Limit {
                detail: "memory max limit to request ratio per Container is 2, but provided ratio is 4.000000".into()
            })
        );
        assert_eq!(refusal("Created pod: a"), None);
        assert_eq!(refusal("exceeded quota: "), None);
    }
}
