//! A Service with a selector has no ready endpoint: above all the backend of an admission
//! webhook, which then blocks every request it covers.
//!
//! ## What it detects
//!
//! - A Service with a pod selector (not `ExternalName`) whose Endpoints or EndpointSlices in the
//!   input hold no ready address. A Service whose endpoints the input does not hold is unknown,
//!   not empty, and gives no finding; so does a Service created less than a minute before the
//!   reference time.
//! - The API server's `no endpoints available for service "X"` in warning events or conditions
//!   within the window (how a webhook call fails when its backend is down), naming the Service;
//!   its namespace comes from the webhook URL in the same message (`https://X.NS.svc:443/...`)
//!   or from the one webhook configuration in the input that calls a Service of that name,
//!   never guessed.
//!
//! A Service no webhook calls is reported only when its selector matches none of the pods the
//! input holds in its namespace, nor those of a workload of the input (a selector that
//! selects nothing);
//! when it selects pods that are not ready, those pods' own rules (crash-loop, pod-pending,
//! ...) tell the story and the empty Service is only its effect.
//!
//! The message says which webhooks call the Service and how many pods of the input its
//! selector matches. Critical when the failed calls were about the expected workload (its
//! Deployment, ReplicaSets or pods), warning otherwise.
//!
//! ### Wordings
//!
//! | Wording | Where it comes from |
//! |---|---|
//! | `no endpoints available for service "X"` | kube-apiserver's service resolver (`k8s.io/apiserver/pkg/util/proxy`, `ResolveEndpoint`), K8s 1.10 to 1.32, inside `failed calling webhook "W": failed to call webhook: Post "https://X.NS.svc:443/...": ...` (K8s 1.23+) or `failed calling webhook "W": Post "https://...": ...` (older) |
//! | Endpoints `subsets` empty or only `notReadyAddresses` | core/v1 Endpoints, all versions |
//! | EndpointSlice `endpoints[].conditions.ready: false` | discovery.k8s.io/v1 (K8s 1.21+) |
//!
//! ## Why it matters
//!
//! A webhook with `failurePolicy: Fail` whose Service has no endpoints refuses every request it
//! covers: pod creation for calico-kube-controllers fails even though nothing is wrong with it.
//! When the webhook's own pods need the pod network, this is a deadlock after a network outage.
//!
//! ## Runbook step
//!
//! "If the calico-kube-controllers Pod is Not Running At All": when its ReplicaSet cannot create pods, look
//! at the webhooks. Bring the backend's pods back (they often wait on the same outage), or
//! remove or fix the webhook configuration.
//!
//! ## Example
//!
//! ```text
//! CRITICAL [service-no-endpoints] Service/gatekeeper-system/gatekeeper-webhook-service
//!   Service gatekeeper-webhook-service has no ready endpoint (1 not ready); called by webhook validation.gatekeeper.sh (failurePolicy Fail); webhook calls to it failed; its selector matches 1 pod in the input, none ready
//!   evidence:
//!     cluster.yaml: endpoints of gatekeeper-webhook-service: 0 ready, 1 not ready
//!     cluster.yaml: FailedCreate (x9) Error creating: Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": no endpoints available for service "gatekeeper-webhook-service"
//!   next steps:
//!     - kubectl get pods -n gatekeeper-system -l control-plane=controller-manager
//!     - Bring the backend's pods back, or remove or fix the webhook configuration: kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations
//! ```

use std::collections::BTreeMap;

use kbundle_format::json::{object_at, str_at, timestamp_at};

use crate::Context;
use crate::report::{Evidence, Finding, Severity, Subject};

const MARK: &str = "no endpoints available for service ";

#[derive(Default)]
struct Case {
    /// Whether a Service object with a selector and known, unready endpoints was seen.
    empty: Option<(usize, Evidence)>,
    /// `key=value` selector, when the Service object is in the input.
    selector: Option<BTreeMap<String, String>>,
    /// Evidence of failed calls.
    calls: Vec<Evidence>,
    /// Whether a failed call was about the expected workload (its Deployment, ReplicaSet or
    /// pods).
    blocks_target: bool,
}

/// The service name and, when the message's URL shows it, the namespace.
fn from_message(message: &str) -> Option<(String, Option<String>)> {
    let m = message.replace("\\\"", "\"");
    let at = m.find(MARK)?;
    let rest = m.get(at + MARK.len()..)?.trim_start_matches('"');
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        .collect();
    if name.is_empty() {
        return None;
    }
    let host = format!("://{name}.");
    let namespace = m.find(&host).and_then(|h| {
        let after = m.get(h + host.len()..)?;
        let ns: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let tail = after.get(ns.len()..)?;
        (!ns.is_empty() && (tail.starts_with(".svc") || tail.starts_with(':'))).then_some(ns)
    });
    Some((name, namespace))
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut cases: BTreeMap<(String, String), Case> = BTreeMap::new();
    for o in super::objects(cx, "", "Service") {
        let v = &o.value;
        let Some(selector) = object_at(v, "/spec/selector") else {
            continue;
        };
        if selector.is_empty() || str_at(v, "/spec/type") == "ExternalName" {
            continue;
        }
        if cx
            .age(timestamp_at(v, "/metadata/creationTimestamp"))
            .is_some_and(|a| a.as_secs() < 60)
        {
            continue;
        }
        let key = (o.namespace().to_string(), o.name().to_string());
        let Some(eps) = cx.facts.endpoints.get(&key) else {
            continue;
        };
        if eps.ready > 0 {
            continue;
        }
        let case = cases.entry(key).or_default();
        case.selector = Some(
            selector
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect(),
        );
        case.empty = Some((
            eps.not_ready,
            cx.evidence(
                &eps.source,
                &format!(
                    "endpoints of {}: 0 ready, {} not ready",
                    o.name(),
                    eps.not_ready
                ),
            ),
        ));
    }
    let messages = cx
        .facts
        .events
        .iter()
        .filter(|e| e.type_ == "Warning" && cx.in_window(e.last))
        .map(|e| {
            (
                e.message.as_str(),
                &e.regarding,
                cx.evidence(&e.source, &e.summary()),
            )
        })
        .chain(
            cx.facts
                .status_messages
                .iter()
                .filter(|(_, c, _)| cx.in_window(c.last_transition))
                .map(|(what, c, source)| {
                    (
                        c.message.as_str(),
                        what,
                        cx.evidence(
                            source,
                            &format!(
                                "{} {} condition {}: {}",
                                what.kind, what.name, c.type_, c.message
                            ),
                        ),
                    )
                }),
        );
    for (message, what, ev) in messages {
        let Some((name, namespace)) = from_message(message) else {
            continue;
        };
        let namespace = namespace.or_else(|| {
            let mut called: Vec<&str> = webhook_services(cx)
                .filter(|(_, (_, svc))| *svc == name)
                .map(|(_, (ns, _))| ns)
                .collect();
            called.sort_unstable();
            called.dedup();
            match called.as_slice() {
                [one] => Some((*one).to_string()),
                _ => None,
            }
        });
        let Some(namespace) = namespace else {
            continue;
        };
        let case = cases.entry((namespace, name)).or_default();
        case.blocks_target |= super::named_like_target(cx, &what.namespace, &what.name)
            || (what.kind == cx.target.kind
                && what.namespace == cx.target.namespace
                && what.name == cx.target.name);
        if case.calls.len() < 3 {
            case.calls.push(ev);
        }
    }
    for ((namespace, name), case) in cases {
        let webhooks: Vec<(&str, &str)> = webhook_services(cx)
            .filter(|(_, (ns, svc))| *ns == namespace && *svc == name)
            .map(|(w, _)| (w.name.as_str(), w.failure_policy.as_str()))
            .collect();
        let selected: Option<Vec<&crate::facts::Pod>> = case.selector.as_ref().map(|sel| {
            cx.facts
                .pods
                .iter()
                .filter(|p| {
                    p.namespace == namespace && sel.iter().all(|(k, v)| p.labels.get(k) == Some(v))
                })
                .collect()
        });
        // A plain Service whose pods are in the input but not ready is an effect of what ails
        // those pods, which their own rules report; it is a finding of its own only when its
        // selector matches none of the namespace's pods.
        if webhooks.is_empty() && case.calls.is_empty() {
            let namespace_shown = cx.facts.pods.iter().any(|p| p.namespace == namespace);
            // A workload of the input whose pods it would select (one with no pods, one
            // scaled to zero) is reported by workload-missing.
            let workload = case.selector.as_ref().is_some_and(|sel| {
                cx.facts.workloads.iter().any(|w| {
                    w.namespace == namespace
                        && sel.iter().all(|(k, v)| w.selector.get(k) == Some(v))
                })
            });
            if !namespace_shown || workload || selected.as_ref().is_none_or(|p| !p.is_empty()) {
                continue;
            }
        }
        let blocking = !case.calls.is_empty()
            || webhooks
                .iter()
                .any(|(_, p)| p.is_empty() || p.eq_ignore_ascii_case("Fail"));
        let mut parts = vec![match &case.empty {
            Some((0, _)) => format!("Service {name} has no ready endpoint"),
            Some((n, _)) => format!("Service {name} has no ready endpoint ({n} not ready)"),
            None => format!("the API server found no endpoints for Service {name}"),
        }];
        if !webhooks.is_empty() {
            let list: Vec<String> = webhooks
                .iter()
                .map(|(w, p)| format!("{w}{}", super::clause(&[p], " (failurePolicy ", ")")))
                .collect();
            parts.push(format!("called by webhook {}", list.join(", ")));
        }
        if !case.calls.is_empty() {
            parts.push("webhook calls to it failed".to_string());
        }
        if let Some(pods) = &selected {
            parts.push(match pods.len() {
                0 => "its selector matches no pod in the input".to_string(),
                n => format!(
                    "its selector matches {n} pod{} in the input, {} ready",
                    if n == 1 { "" } else { "s" },
                    match pods.iter().filter(|p| p.is_healthy()).count() {
                        0 => "none".to_string(),
                        r => r.to_string(),
                    }
                ),
            });
        }
        let mut evidence: Vec<Evidence> = case.empty.into_iter().map(|(_, e)| e).collect();
        evidence.extend(case.calls);
        let ns_flag = super::namespace_flag(&namespace);
        let mut next_steps = vec![match &case.selector {
            Some(sel) if !sel.is_empty() => format!(
                "kubectl get pods{ns_flag} -l {}",
                sel.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            _ => format!("kubectl describe service{ns_flag} {name}"),
        }];
        if !webhooks.is_empty() || blocking {
            next_steps.push("Bring the backend's pods back, or remove or fix the webhook configuration: kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations".to_string());
        }
        out.push(Finding {
            rule: "",
            severity: if case.blocks_target {
                Severity::Critical
            } else {
                Severity::Warning
            },
            subject: Subject::new("Service", &namespace, &name),
            message: crate::report::shorten(&parts.join("; "), 400),
            evidence,
            next_steps,
        });
    }
}

/// Every webhook that calls a Service, with that Service's (namespace, name).
fn webhook_services<'a>(
    cx: &'a Context<'_>,
) -> impl Iterator<Item = (&'a crate::facts::Webhook, (&'a str, &'a str))> + 'a {
    cx.facts
        .webhook_configs
        .iter()
        .flat_map(|c| c.webhooks.iter())
        .filter_map(|w| {
            w.service
                .as_ref()
                .map(|(ns, name)| (w, (ns.as_str(), name.as_str())))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_service_and_its_namespace() {
        assert_eq!(
            from_message(
                "failed calling webhook \"w\": failed to call webhook: Post \"https://svc-a.ns-b.svc:443/x?timeout=10s\": no endpoints available for service \"svc-a\""
            ),
            Some(("svc-a".into(), Some("ns-b".into())))
        );
        assert_eq!(
            from_message("no endpoints available for service \\\"svc-a\\\""),
            Some(("svc-a".into(), None))
        );
        assert_eq!(
            from_message("no endpoints available for service \"\""),
            None
        );
        assert_eq!(from_message("connection refused"), None);
    }
}
