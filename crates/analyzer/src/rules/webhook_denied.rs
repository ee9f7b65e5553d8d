//! An admission webhook denies the creation of objects (pods, replica sets) in the input.
//!
//! ## What it detects
//!
//! `admission webhook "X" denied the request` in events (typically `FailedCreate` on a
//! ReplicaSet) or in status conditions (`ReplicaFailure`), within the window. One finding per
//! webhook, with:
//!
//! - the blocked objects and their events as evidence;
//! - the webhook's `failurePolicy`, and whether its `namespaceSelector` and `rules` cover
//!   the blocked namespace and resource, when the webhook configuration is in the input.
//!
//! The subject is the configuration holding webhook X
//! (`ValidatingWebhookConfiguration/<name>` or `MutatingWebhookConfiguration/<name>`), or the
//! blocked object when no configuration is in the input. Critical when the expected
//! workload is blocked, warning otherwise.
//!
//! ### Wordings
//!
//! | Wording | Where it was seen |
//! |---|---|
//! | `admission webhook "X" denied the request: REASON` | K8s 1.10 (kelseyhightower/grafeas-tutorial#8) to current (`statuserror.go`), in `Error creating:` (ReplicaSet `FailedCreate`) and `create Pod X in StatefulSet Y failed error:` |
//! | `admission webhook "X" denied the request without explanation` | webhooks that give no reason (grafeas-tutorial#8) |
//! | `Error creating: ` with nothing after it | K8s 1.8 dropped the webhook's reason (kubernetes/kubernetes#55924): no webhook is named, so none is reported |
//!
//! ## Why it matters
//!
//! A custom webhook that rejects pods keeps calico-kube-controllers from being recreated: the
//! Deployment exists, but no pod ever appears. No amount of restarting fixes it.
//!
//! ## Runbook step
//!
//! "If the calico-kube-controllers Pod is Not Running At All": "a custom webhook is preventing
//! the pods from starting". Fix the webhook's policy or exclude the Calico namespaces from it,
//! then let the ReplicaSet retry (or refresh the master).
//!
//! ## Example
//!
//! ```text
//! CRITICAL [webhook-denied] ValidatingWebhookConfiguration/policy-guard
//!   admission webhook "deny-unlabelled.policy.example.com" denied 14 requests, blocking ReplicaSet/calico-system/calico-kube-controllers-6f8c9d7b5: pod calico-kube-controllers-6f8c9d7b5-q8z2m has no cost-center label (failurePolicy Fail; its namespaceSelector matches calico-system; its rules cover CREATE pods)
//!   evidence:
//!     cluster.yaml: FailedCreate event (x14) on ReplicaSet/calico-system/calico-kube-controllers-6f8c9d7b5: Error creating: admission webhook "deny-unlabelled.policy.example.com" denied the request: pod calico-kube-controllers-6f8c9d7b5-q8z2m has no cost-center label
//!   next steps:
//!     - Review the policy of webhook deny-unlabelled.policy.example.com: kubectl get validatingwebhookconfiguration policy-guard -o yaml
//! ```

use crate::Context;
use crate::report::{Finding, Severity};

use super::webhook::{self, Kind};

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for (name, occ) in webhook::occurrences(cx, Kind::Denied) {
        let config = webhook::config_of(cx, &name);
        let target = occ.iter().any(|o| webhook::is_target(cx, &o.blocked));
        let blocked = occ
            .iter()
            .find(|o| webhook::is_target(cx, &o.blocked))
            .or_else(|| occ.first());
        let Some(blocked) = blocked else { continue };
        let count = webhook::request_count(&occ);
        let mut message = format!(
            "admission webhook \"{name}\" denied {count} request{}, blocking {}/{}/{}",
            if count == 1 { "" } else { "s" },
            blocked.blocked.kind,
            blocked.blocked.namespace,
            blocked.blocked.name
        );
        let reason = blocked
            .message
            .split_once("denied the request")
            .map(|(_, r)| r.trim_start_matches(':').trim())
            .unwrap_or_default();
        if !reason.is_empty() {
            message.push_str(&format!(": {}", crate::report::shorten(reason, 120)));
        }
        let mut evidence = webhook::evidence(cx, &occ);
        let mut next_steps = Vec::new();
        if let Some((c, w)) = config {
            let cov = webhook::coverage(
                cx,
                w,
                &blocked.blocked.namespace,
                webhook::resource_created_by(&blocked.blocked.kind),
            );
            message.push_str(&format!(" ({cov})"));
            evidence.push(cx.evidence(
                &c.source,
                &format!("{} {} holds webhook {}: {}", c.kind, c.name, w.name, cov),
            ));
            next_steps.push(format!(
                "Review the policy of webhook {name}: kubectl get {} {} -o yaml",
                c.kind.to_ascii_lowercase(),
                c.name
            ));
            next_steps.push(format!(
                "Exclude {} from it (namespaceSelector or objectSelector), or fix the policy it enforces",
                blocked.blocked.namespace
            ));
        } else {
            message.push_str(" (its webhook configuration is not in the input)");
            next_steps.push(format!(
                "Find the configuration holding webhook {name}: kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations -o yaml"
            ));
        }
        if target {
            next_steps.push(
                "Once the webhook allows it, the ReplicaSet retries; else refresh the master: ibmcloud ks cluster-refresh --cluster <CLUSTER_NAME>".into(),
            );
        }
        out.push(Finding {
            rule: "",
            severity: if target {
                Severity::Critical
            } else {
                Severity::Warning
            },
            subject: webhook::subject(config.map(|(c, _)| c), &occ),
            message,
            evidence,
            next_steps,
        });
    }
}
