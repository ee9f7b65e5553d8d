//! An admission webhook cannot be called, and the failure blocks object creation.
//!
//! ## What it detects
//!
//! `failed calling webhook "X"` in events or status conditions within the window, with the
//! cause classified: timeout (`context deadline exceeded`, `i/o timeout`), connection
//! refused, no endpoints available, x509 certificate errors. One finding per webhook, with
//! the backend service and whether it has ready endpoints when the input shows them, and the
//! webhook's `failurePolicy` and coverage when its configuration is in the input.
//!
//! The subject is the configuration holding webhook X, or the blocked object when no
//! configuration is in the input. Critical when the expected workload is blocked, warning
//! otherwise.
//!
//! ### Wordings
//!
//! | Wording | Where it was seen |
//! |---|---|
//! | `failed calling admission webhook "X": ...` | K8s <= 1.14 (istio.io injection troubleshooting; kubernetes `GenericAdmissionWebhook`'s `ErrCallingWebhook`) |
//! | `failed calling webhook "X": Post https://...: ...` (URL unquoted) | kube-apiservers built with Go < 1.14 (kubeflow/kserve#580, zq2599/blog_demos#108) |
//! | `failed calling webhook "X": Post "https://...": ...` | Go >= 1.14 builds (kyverno/kyverno#2869, kubernetes-sigs/kubebuilder#3052) |
//! | `failed calling webhook "X": failed to call webhook: Post "https://...": ...` | K8s 1.23+ (open-policy-agent/gatekeeper#3538, spinframework/spin-operator#179) |
//! | the same JSON-escaped (`\"X\"`) | chaos-mesh/chaos-mesh#4544 |
//!
//! It is found whatever the blocked controller's wording around it: `Error creating: Internal
//! error occurred: ...` (ReplicaSet, `FailedCreate`), `create Pod X in StatefulSet Y failed
//! error: Internal error occurred: ...` (StatefulSet), a `ReplicaFailure` condition.
//! A `Timeout: request did not complete within requested timeout 30s` names no webhook and is
//! not reported (stackrox/admission-controller-webhook-demo#2).
//!
//! ## Why it matters
//!
//! With `failurePolicy: Fail`, a webhook whose backend is down blocks every matching request:
//! calico-kube-controllers pods cannot be created even though nothing rejects them. Webhook
//! backends that themselves need pod networking make this a deadlock after a network outage.
//!
//! ## Runbook step
//!
//! "If the calico-kube-controllers Pod is Not Running At All": a webhook may be preventing
//! the pods from starting. Restore the webhook's backend (its pods and service endpoints), or
//! remove or relax the webhook configuration, then refresh the master if needed.
//!
//! ## Example
//!
//! ```text
//! CRITICAL [webhook-unreachable] ValidatingWebhookConfiguration/gatekeeper-validating-webhook-configuration
//!   webhook "validation.gatekeeper.sh" could not be called 9 times (no endpoints), blocking ReplicaSet/calico-system/calico-kube-controllers-6f8c9d7b5; service gatekeeper-system/gatekeeper-webhook-service has 0 ready endpoints (failurePolicy Fail; its namespaceSelector matches calico-system; its rules cover CREATE pods)
//!   evidence:
//!     cluster.yaml: FailedCreate event (x9) on ReplicaSet/calico-system/calico-kube-controllers-6f8c9d7b5: Error creating: Internal error occurred: failed calling webhook "validation.gatekeeper.sh": failed to call webhook: Post "https://gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/admit?timeout=3s": no endp…
//!   next steps:
//!     - Check the webhook backend: kubectl get pods,endpoints -n gatekeeper-system (service gatekeeper-webhook-service)
//! ```

use crate::Context;
use crate::report::{Finding, Severity};

use super::webhook::{self, Kind};

/// The cause of a failed call, from its message.
fn cause(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    if m.contains("no endpoints available") || m.contains("no endpoi") {
        "no endpoints"
    } else if m.contains("x509") || m.contains("certificate") {
        "TLS certificate error"
    } else if m.contains("connection refused") {
        "connection refused"
    } else if m.contains("deadline exceeded") || m.contains("timeout") || m.contains("timed out") {
        "timeout"
    } else if m.contains("no such host") {
        "DNS lookup failed"
    } else {
        "call failed"
    }
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (name, occ) in webhook::occurrences(cx, Kind::Unreachable) {
        let config = webhook::config_of(cx, &name);
        let target = occ.iter().any(|o| webhook::is_target(cx, &o.blocked));
        let Some(blocked) = occ
            .iter()
            .find(|o| webhook::is_target(cx, &o.blocked))
            .or_else(|| occ.first())
        else {
            continue;
        };
        let count = webhook::request_count(&occ);
        let why = cause(&blocked.message);
        let mut message = format!(
            "webhook \"{name}\" could not be called {count} time{} ({why}), blocking {}/{}/{}",
            if count == 1 { "" } else { "s" },
            blocked.blocked.kind,
            blocked.blocked.namespace,
            blocked.blocked.name
        );
        let mut evidence = webhook::evidence(cx, &occ);
        let mut next_steps = Vec::new();
        let mut fails_open = false;
        if let Some((c, w)) = config {
            fails_open = w.failure_policy == "Ignore";
            let cov = webhook::coverage(
                cx,
                w,
                &blocked.blocked.namespace,
                webhook::resource_created_by(&blocked.blocked.kind),
            );
            evidence.push(cx.evidence(
                &c.source,
                &format!("{} {} holds webhook {}: {}", c.kind, c.name, w.name, cov),
            ));
            match &w.service {
                Some((ns, svc)) => {
                    let key = (ns.clone(), svc.clone());
                    match cx.facts.endpoints.get(&key) {
                        Some(ep) => {
                            message.push_str(&format!(
                                "; service {ns}/{svc} has {} ready endpoint{}",
                                ep.ready,
                                if ep.ready == 1 { "" } else { "s" }
                            ));
                            evidence.push(cx.evidence(
                                &ep.source,
                                &format!(
                                    "endpoints of {ns}/{svc}: {} ready, {} not ready",
                                    ep.ready, ep.not_ready
                                ),
                            ));
                        }
                        None if cx.facts.services.contains_key(&key) => {
                            message.push_str(&format!(
                                "; service {ns}/{svc} is in the input, its endpoints are not"
                            ));
                        }
                        None => message.push_str(&format!("; backend service {ns}/{svc}")),
                    }
                    next_steps.push(format!(
                        "Check the webhook backend: kubectl get pods,endpoints -n {ns} (service {svc})"
                    ));
                }
                None => {
                    if let Some(url) = &w.url {
                        message.push_str(&format!("; backend URL {url}"));
                    }
                }
            }
            message.push_str(&format!(" ({cov})"));
            next_steps.push(format!(
                "If the backend cannot be restored quickly, set failurePolicy: Ignore or delete the {} {}",
                c.kind, c.name
            ));
        } else {
            message.push_str(" (its webhook configuration is not in the input)");
            next_steps.push(format!(
                "Find the configuration holding webhook {name} and its backend service: kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations -o yaml"
            ));
        }
        if target {
            next_steps.push("Then let the ReplicaSet retry, or refresh the master: ibmcloud ks cluster-refresh --cluster <CLUSTER_NAME>".into());
        }
        let severity = if target && !fails_open {
            Severity::Critical
        } else {
            Severity::Warning
        };
        out.push(Finding {
            rule: "",
            severity,
            subject: webhook::subject(config.map(|(c, _)| c), &occ),
            message,
            evidence,
            next_steps,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::cause;

    #[test]
    fn causes() {
        assert_eq!(
            cause("failed calling webhook \"a\": Post \"https://x\": context deadline exceeded"),
            "timeout"
        );
        assert_eq!(
            cause("no endpoints available for service \"x\""),
            "no endpoints"
        );
        assert_eq!(
            cause("x509: certificate signed by unknown authority"),
            "TLS certificate error"
        );
        assert_eq!(
            cause("dial tcp 10.0.0.1:443: connect: connection refused"),
            "connection refused"
        );
    }
}
