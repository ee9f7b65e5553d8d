//! What `webhook-denied` and `webhook-unreachable` share: finding webhook errors in events and
//! status conditions, and the configuration that holds a webhook.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;

use crate::Context;
use crate::facts::{ObjRef, Source, Webhook, WebhookConfig, selector_matches};
use crate::report::{Evidence, Subject};

/// Which of the two messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `admission webhook "X" denied the request`.
    Denied,
    /// `failed calling webhook "X"` (or `failed calling admission webhook "X"`).
    Unreachable,
}

/// How many requests failed: the events' counts; conditions only when there is no event (a
/// condition repeats what the events count).
pub(crate) fn request_count(occ: &[Occurrence]) -> u64 {
    let events: u64 = occ.iter().filter(|o| o.event).map(|o| o.count).sum();
    if events > 0 { events } else { occ.len() as u64 }
}

/// One place a webhook error was seen.
#[derive(Debug, Clone)]
pub(crate) struct Occurrence {
    /// The object whose creation or update was blocked.
    pub blocked: ObjRef,
    /// The message.
    pub message: String,
    /// Last seen.
    pub time: Option<Timestamp>,
    /// How many times.
    pub count: u64,
    /// Where.
    pub source: Source,
    /// What it was (`FailedCreate` event, `ReplicaFailure` condition, ...).
    pub what: String,
    /// Whether it is an event (else a status condition).
    pub event: bool,
}

static DENIED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"admission webhook \\?"([^"\\]+)\\?" denied the request"#).ok());
/// `failed calling webhook "X"` (K8s 1.15-), `failed calling admission webhook "X"` (<= 1.14).
static FAILED: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"failed calling (?:admission )?webhook \\?"([^"\\]+)\\?""#).ok());

fn names(kind: Kind, message: &str) -> Vec<String> {
    let re = match kind {
        Kind::Denied => DENIED.as_ref(),
        Kind::Unreachable => FAILED.as_ref(),
    };
    let Some(re) = re else { return Vec::new() };
    let mut v: Vec<String> = re
        .captures_iter(message)
        .map(|c| c[1].to_string())
        .collect();
    v.dedup();
    v
}

/// Webhook errors of a kind, by webhook name, within the window.
pub(crate) fn occurrences(cx: &Context<'_>, kind: Kind) -> BTreeMap<String, Vec<Occurrence>> {
    let mut out: BTreeMap<String, Vec<Occurrence>> = BTreeMap::new();
    for e in &cx.facts.events {
        if !cx.in_window(e.last) {
            continue;
        }
        for name in names(kind, &e.message) {
            out.entry(name).or_default().push(Occurrence {
                blocked: e.regarding.clone(),
                message: e.message.clone(),
                time: e.last,
                count: e.count,
                source: e.source.clone(),
                what: format!(
                    "{} event",
                    if e.reason.is_empty() { "an" } else { &e.reason }
                ),
                event: true,
            });
        }
    }
    for (obj, c, source) in &cx.facts.status_messages {
        if c.status == "False"
            && c.type_ != "ReplicaFailure"
            && c.type_ != "Available"
            && c.type_ != "Progressing"
        {
            continue;
        }
        if !cx.in_window(c.last_transition) {
            continue;
        }
        for name in names(kind, &c.message) {
            out.entry(name).or_default().push(Occurrence {
                blocked: obj.clone(),
                message: c.message.clone(),
                time: c.last_transition,
                count: 1,
                source: source.clone(),
                what: format!("{} condition", c.type_),
                event: false,
            });
        }
    }
    out
}

/// The configuration holding a webhook of this name (validating first).
pub(crate) fn config_of<'a>(
    cx: &'a Context<'_>,
    name: &str,
) -> Option<(&'a WebhookConfig, &'a Webhook)> {
    let mut found: Vec<(&WebhookConfig, &Webhook)> = cx
        .facts
        .webhook_configs
        .iter()
        .flat_map(|c| {
            c.webhooks
                .iter()
                .filter(move |w| w.name == name)
                .map(move |w| (c, w))
        })
        .collect();
    found.sort_by(|a, b| {
        (b.0.kind.as_str(), a.0.name.as_str()).cmp(&(a.0.kind.as_str(), b.0.name.as_str()))
    });
    found.into_iter().next()
}

/// Whether an object (or an object it owns) belongs to the expected workload.
pub(crate) fn is_target(cx: &Context<'_>, o: &ObjRef) -> bool {
    let t = &cx.target;
    if o.namespace != t.namespace {
        return false;
    }
    (o.kind == t.kind && o.name == t.name)
        || o.name.starts_with(&format!("{}-", t.name))
        || cx
            .facts
            .replica_sets
            .iter()
            .any(|rs| rs.name == o.name && rs.owner.as_ref().is_some_and(|w| w.name == t.name))
}

/// The resource a blocked object's controller was creating: a ReplicaSet creates pods, a
/// Deployment creates replica sets.
pub(crate) fn resource_created_by(kind: &str) -> &'static str {
    match kind {
        "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" | "ReplicationController" => "pods",
        "Deployment" => "replicasets",
        "Pod" => "pods",
        _ => "",
    }
}

/// One sentence on whether the webhook covers a namespace and resource.
pub(crate) fn coverage(cx: &Context<'_>, w: &Webhook, namespace: &str, resource: &str) -> String {
    let mut parts = Vec::new();
    parts.push(format!("failurePolicy {}", w.failure_policy));
    if !namespace.is_empty() {
        let labels = cx
            .facts
            .namespaces
            .get(namespace)
            .cloned()
            .unwrap_or_else(|| {
                [(
                    "kubernetes.io/metadata.name".to_string(),
                    namespace.to_string(),
                )]
                .into()
            });
        let matches = selector_matches(w.namespace_selector.as_ref(), &labels);
        let how = if w.namespace_selector.is_none() {
            "it has no namespaceSelector, so it covers every namespace".to_string()
        } else if matches {
            format!("its namespaceSelector matches {namespace}")
        } else {
            format!(
                "its namespaceSelector does not match {namespace} (as far as the input shows its labels)"
            )
        };
        parts.push(how);
    }
    if w.object_selector
        .as_ref()
        .and_then(serde_json::Value::as_object)
        .is_some_and(|o| !o.is_empty())
    {
        parts.push("it also has an objectSelector".to_string());
    }
    if !resource.is_empty() && !w.rules.is_empty() {
        let covers = w.rules.iter().any(|r| {
            let op = r.operations.iter().any(|o| o == "*" || o == "CREATE");
            let res = r
                .resources
                .iter()
                .any(|x| x == "*" || x == resource || x == &format!("{resource}/*"));
            op && res
        });
        parts.push(if covers {
            format!("its rules cover CREATE {resource}")
        } else {
            format!("its rules do not cover CREATE {resource}")
        });
    }
    parts.join("; ")
}

/// The subject: the configuration holding the webhook, else the first blocked object.
pub(crate) fn subject(config: Option<&WebhookConfig>, occurrences: &[Occurrence]) -> Subject {
    match (config, occurrences.first()) {
        (Some(c), _) => Subject::new(&c.kind, "", &c.name),
        (None, Some(o)) => Subject::new(&o.blocked.kind, &o.blocked.namespace, &o.blocked.name),
        (None, None) => Subject::new("Webhook", "", "unknown"),
    }
}

/// Evidence for occurrences (at most 5), newest last.
pub(crate) fn evidence(cx: &Context<'_>, occ: &[Occurrence]) -> Vec<Evidence> {
    let mut v: Vec<&Occurrence> = occ.iter().collect();
    v.sort_by(|a, b| (a.time, &a.source).cmp(&(b.time, &b.source)));
    let skip = v.len().saturating_sub(5);
    v.into_iter()
        .skip(skip)
        .map(|o| {
            let count = if o.count > 1 {
                format!(" (x{})", o.count)
            } else {
                String::new()
            };
            cx.evidence(
                &o.source,
                &format!(
                    "{}{} on {}/{}/{}: {}",
                    o.what, count, o.blocked.kind, o.blocked.namespace, o.blocked.name, o.message
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real messages (see the rules' documentation for their sources and versions).
    #[test]
    fn wordings_across_versions() {
        let unreachable = [
            (
                "Error creating: Internal error occurred: failed calling admission webhook \"sidecar-injector.istio.io\": Post https://istio-sidecar-injector.istio-system.svc:443/inject: x509: certificate signed by unknown authority",
                "sidecar-injector.istio.io",
            ),
            (
                "create Pod application-controller-stateful-set-0 in StatefulSet application-controller-stateful-set failed error: Internal error occurred: failed calling webhook \"inferenceservice.kfserving-webhook-server.pod-mutator\": Post https://kfserving-webhook-server-service.kubeflow.svc:443/mutate-pods?timeout=30s: service \"kfserving-webhook-server-service\" not found",
                "inferenceservice.kfserving-webhook-server.pod-mutator",
            ),
            (
                "Internal error occurred: failed calling webhook \"mspinapp.kb.io\": failed to call webhook: Post \"https://spin-operator-webhook-service.spin-operator.svc:443/mutate?timeout=10s\": no endpoints available for service \"spin-operator-webhook-service\"",
                "mspinapp.kb.io",
            ),
            (
                "error.api.internal_server_error: Internal error occurred: failed calling webhook \\\"vauth.kb.io\\\": failed to call webhook",
                "vauth.kb.io",
            ),
        ];
        for (message, name) in unreachable {
            assert_eq!(
                names(Kind::Unreachable, message),
                vec![name.to_string()],
                "{message}"
            );
            assert!(names(Kind::Denied, message).is_empty(), "{message}");
        }
        let denied = [
            (
                "Error creating: admission webhook \"k-rail.cruise-automation.github.com\" denied the request: bad-pod had violation",
                "k-rail.cruise-automation.github.com",
            ),
            (
                "admission webhook \"image-signature.hightowerlabs.com\" denied the request without explanation",
                "image-signature.hightowerlabs.com",
            ),
        ];
        for (message, name) in denied {
            assert_eq!(
                names(Kind::Denied, message),
                vec![name.to_string()],
                "{message}"
            );
        }
        // K8s 1.8 dropped the reason: nothing names a webhook.
        assert!(names(Kind::Denied, "Error creating: ").is_empty());
        assert!(
            names(
                Kind::Unreachable,
                "Error creating: Timeout: request did not complete within requested timeout 30s"
            )
            .is_empty()
        );
    }
}
