//! The rule registry: one table, in the runbook's triage order (is it running at all, is its
//! node healthy, why does it crash, what changed). `kbundle rules`, `docs/rules.md` and the
//! report's order all come from [`RULES`].
//!
//! Each rule lives in its own file, whose `//!` comment is its documentation, with the
//! headings `What it detects`, `Why it matters`, `Runbook step` and `Example`.

use kbundle_format::json::{array_at, object_at};

use crate::{Context, Finding};

mod apiserver_unreachable;
pub(crate) mod calico;
mod calico_node_not_ready;
mod certificate_expired;
mod crash_loop;
mod drain_blocked;
mod image_pull_failure;
mod ipam_exhausted;
mod job_failed;
pub(crate) mod log_error_signature;
mod memory_limit_hit;
mod node_not_ready;
mod node_pressure;
mod pod_evicted;
mod pod_pending;
mod probe_failure;
mod pvc_pending;
mod quota_exceeded;
mod recent_cluster_update;
mod recent_config_change;
mod service_no_endpoints;
mod webhook;
mod webhook_denied;
mod webhook_unreachable;
pub(crate) mod wordings;
mod workload_missing;

/// The runbook's investigation sections (calico-kube-controllers troubleshooting), the steps
/// the rules implement.
pub const RUNBOOK_SECTIONS: &[&str] = &[
    "If the calico-kube-controllers Pod is Not Running At All",
    "Check If Worker Is Ready and Healthy",
    "calico-kube-controllers in CrashLoopBackOff or Restarting Often",
    "Logs and Data to Gather For Calico Issues",
];

/// One rule of the registry.
pub struct RuleInfo {
    /// Stable kebab-case id.
    pub id: &'static str,
    /// The severities it can give, most severe first.
    pub severities: &'static str,
    /// The rule's source file, whose `//!` comment is its documentation.
    source: &'static str,
    /// Runs the rule.
    pub(crate) check: fn(&Context<'_>, &mut Vec<Finding>),
}

impl std::fmt::Debug for RuleInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleInfo")
            .field("id", &self.id)
            .field("severities", &self.severities)
            .finish_non_exhaustive()
    }
}

impl RuleInfo {
    /// The rule's documentation (its file's `//!` comment), Markdown.
    pub fn documentation(&self) -> String {
        let mut out = String::new();
        for line in self.source.lines() {
            let Some(rest) = line.strip_prefix("//!") else {
                if line.trim().is_empty() && out.is_empty() {
                    continue;
                }
                break;
            };
            out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            out.push('\n');
        }
        out.trim_end().to_string() + "\n"
    }

    /// The runbook step the rule implements: the first runbook section ([`RUNBOOK_SECTIONS`])
    /// its documentation's `Runbook step` heading quotes, if it quotes one.
    pub fn runbook_step(&self) -> Option<&'static str> {
        let doc = self.documentation();
        let (_, section) = doc.split_once("## Runbook step")?;
        let section = section.split("\n## ").next().unwrap_or(section);
        let section = section.split_whitespace().collect::<Vec<_>>().join(" ");
        // Odd pieces are quoted.
        section
            .split('"')
            .skip(1)
            .step_by(2)
            .find_map(|quoted| RUNBOOK_SECTIONS.iter().copied().find(|s| *s == quoted))
    }

    /// The first paragraph of the documentation, on one line.
    pub fn summary(&self) -> String {
        self.documentation()
            .lines()
            .take_while(|l| !l.trim().is_empty())
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

macro_rules! rule {
    ($id:literal, $module:ident, $sev:literal) => {
        RuleInfo {
            id: $id,
            severities: $sev,
            source: include_str!(concat!(stringify!($module), ".rs")),
            check: $module::check,
        }
    };
}

/// Every rule, in report order.
pub static RULES: &[RuleInfo] = &[
    rule!("workload-missing", workload_missing, "critical, info"),
    rule!("webhook-denied", webhook_denied, "critical, warning"),
    rule!(
        "webhook-unreachable",
        webhook_unreachable,
        "critical, warning"
    ),
    rule!("quota-exceeded", quota_exceeded, "critical, warning"),
    rule!(
        "service-no-endpoints",
        service_no_endpoints,
        "critical, warning"
    ),
    rule!("pod-pending", pod_pending, "critical, warning"),
    rule!("pvc-pending", pvc_pending, "critical, warning"),
    rule!(
        "certificate-expired",
        certificate_expired,
        "critical, warning"
    ),
    rule!("ipam-exhausted", ipam_exhausted, "critical, warning"),
    rule!(
        "image-pull-failure",
        image_pull_failure,
        "critical, warning"
    ),
    rule!("node-not-ready", node_not_ready, "critical, warning"),
    rule!("node-pressure", node_pressure, "warning"),
    rule!("pod-evicted", pod_evicted, "critical, warning"),
    rule!(
        "calico-node-not-ready",
        calico_node_not_ready,
        "critical, warning"
    ),
    rule!("apiserver-unreachable", apiserver_unreachable, "critical"),
    rule!("probe-failure", probe_failure, "critical, warning"),
    rule!("crash-loop", crash_loop, "critical, warning"),
    rule!("memory-limit-hit", memory_limit_hit, "critical, warning"),
    rule!("job-failed", job_failed, "warning"),
    rule!("drain-blocked", drain_blocked, "critical, warning"),
    rule!(
        "log-error-signature",
        log_error_signature,
        "critical, warning"
    ),
    rule!(
        "recent-config-change",
        recent_config_change,
        "warning, info"
    ),
    rule!(
        "recent-cluster-update",
        recent_cluster_update,
        "warning, info"
    ),
];

/// ` -n NAMESPACE` for a command line, empty when the namespace is unknown.
pub(crate) fn namespace_flag(namespace: &str) -> String {
    if namespace.is_empty() || namespace == "?" {
        String::new()
    } else {
        format!(" -n {namespace}")
    }
}

/// The non-empty parts joined with `: ` between `open` and `close`, or nothing when every part
/// is empty: no empty clause such as `(: )` or `Unschedulable:` with nothing after it.
pub(crate) fn clause(parts: &[&str], open: &str, close: &str) -> String {
    let parts: Vec<&str> = parts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("{open}{}{close}", parts.join(": "))
    }
}

/// Whether a pod the input names only (no owner, no labels known) belongs to the expected
/// workload: in its namespace and named after it (`calico-kube-controllers-6f8c9d7b5-x2x7k`).
pub(crate) fn named_like_target(cx: &Context<'_>, namespace: &str, name: &str) -> bool {
    namespace == cx.target.namespace
        && name
            .strip_prefix(&cx.target.name)
            .is_some_and(|rest| rest.starts_with('-'))
}

/// Pods the input shows only through events about them (an events table pasted alone, the
/// Events section of a describe whose header was not pasted), as (namespace, name), once each.
pub(crate) fn pods_only_in_events(facts: &crate::facts::Facts) -> Vec<(&str, &str)> {
    use std::collections::HashSet;
    let known: HashSet<(&str, &str)> = facts
        .pods
        .iter()
        .map(|p| (p.namespace.as_str(), p.name.as_str()))
        .collect();
    let known_names: HashSet<&str> = facts.pods.iter().map(|p| p.name.as_str()).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for e in &facts.events {
        let r = &e.regarding;
        let key = (r.namespace.as_str(), r.name.as_str());
        let is_known = if r.namespace.is_empty() {
            known_names.contains(key.1)
        } else {
            known.contains(&key)
        };
        if r.kind == "Pod" && !r.name.is_empty() && !is_known && seen.insert(key) {
            out.push(key);
        }
    }
    out
}

/// The snapshot's objects of one API group and kind; none when the facts came without a
/// snapshot.
pub(crate) fn objects<'a>(
    cx: &'a Context<'_>,
    group: &'a str,
    kind: &'a str,
) -> impl Iterator<Item = &'a kbundle_format::Object> + 'a {
    cx.snapshot
        .into_iter()
        .flat_map(kbundle_format::Snapshot::objects)
        .filter(move |o| o.kind() == kind && o.key().group() == group)
}

/// Whether a label selector (`matchLabels` and `matchExpressions`) selects these labels.
/// `None` when the selector cannot be read (an operator it does not know): unknown, not a
/// match and not a miss. An empty selector selects everything, as in the API.
pub(crate) fn selects(
    selector: &serde_json::Value,
    labels: &std::collections::BTreeMap<String, String>,
) -> Option<bool> {
    use serde_json::Value;
    let mut all = true;
    if let Some(m) = object_at(selector, "/matchLabels") {
        for (k, v) in m {
            all &= labels.get(k).map(String::as_str) == Some(v.as_str()?);
        }
    }
    for e in array_at(selector, "/matchExpressions") {
        let key = e.get("key")?.as_str()?;
        let values: Vec<&str> = e
            .get("values")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let have = labels.get(key).map(String::as_str);
        all &= match e.get("operator")?.as_str()? {
            "In" => have.is_some_and(|h| values.contains(&h)),
            "NotIn" => !have.is_some_and(|h| values.contains(&h)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            _ => return None,
        };
    }
    Some(all)
}

/// The rule of an id.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_match_files() {
        let mut seen = std::collections::BTreeSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate id {}", r.id);
            assert!(
                r.id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{} is not kebab-case",
                r.id
            );
        }
    }

    #[test]
    fn every_rule_is_documented_with_the_fixed_headings() {
        for r in RULES {
            let doc = r.documentation();
            let mut at = 0;
            for h in [
                "## What it detects",
                "## Why it matters",
                "## Runbook step",
                "## Example",
            ] {
                let pos = doc[at..]
                    .find(h)
                    .unwrap_or_else(|| panic!("{}: heading {h:?} missing or out of order", r.id));
                at += pos + h.len();
            }
            assert!(
                !r.summary().is_empty() && !r.summary().starts_with('#'),
                "{}: summary",
                r.id
            );
        }
    }
}

#[cfg(test)]
mod runbook_tests {
    use super::RULES;

    /// Every rule names the runbook section it implements, or says under its `Runbook step`
    /// heading that it implements none (a failure beyond the runbook: "Not a runbook step").
    #[test]
    fn every_rule_names_a_runbook_section() {
        for rule in RULES {
            let doc = rule.documentation();
            let outside = doc
                .split_once("## Runbook step")
                .is_some_and(|(_, s)| s.trim_start().starts_with("Not a runbook step"));
            assert!(
                rule.runbook_step().is_some() != outside,
                "{} must quote one runbook section under its Runbook step heading, or start it with \"Not a runbook step\"",
                rule.id
            );
        }
    }
}
