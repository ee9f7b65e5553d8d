//! A Job failed: it hit its backoff limit or its deadline, with how its last pod ended.
//!
//! ## What it detects
//!
//! - A Job with the condition `Failed=True` whose transition lies in the window, with the
//!   condition's reason (`BackoffLimitExceeded`, `DeadlineExceeded`, `PodFailurePolicy`, ...)
//!   and message;
//! - a Job the input shows only through the job controller's warning events with those
//!   reasons.
//!
//! The Job's last pod (its pods are those it owns, or labelled `job-name` /
//! `batch.kubernetes.io/job-name` with its name; the last is the most recently created) is
//! named with its phase and how its containers ended: reason and exit code, as far as the input
//! shows them. Always a warning: a failed Job stops only what it was to do.
//!
//! ### Wordings
//!
//! | Wording | Where it comes from |
//! |---|---|
//! | condition `Failed`, reason `BackoffLimitExceeded`, `Job has reached the specified backoff limit` | kube-controller-manager job controller, K8s 1.8 to 1.32 |
//! | condition `Failed`, reason `DeadlineExceeded`, `Job was active longer than specified deadline` | job controller, K8s 1.8 to 1.32 |
//! | condition `Failed`, reason `PodFailurePolicy`, `Container X for pod NS/P failed with exit code N matching FailJob rule at index 0` | job controller, K8s 1.25 to 1.32 |
//! | condition `FailureTarget` before `Failed` | job controller, K8s 1.26 to 1.32 (not itself reported) |
//! | event `BackoffLimitExceeded` / `DeadlineExceeded` (Warning) with the same messages | job controller, K8s 1.8 to 1.32 |
//!
//! ## Why it matters
//!
//! Jobs in support cases are often the cluster's own maintenance (certificate rotation,
//! migrations, backups, Helm hooks); a failed one leaves the work undone and its pods' logs are
//! the only record of why.
//!
//! ## Runbook step
//!
//! Not a runbook step: read the last pod's logs, fix the cause, and re-run the Job (a Job that
//! failed does not retry by itself).
//!
//! ## Example
//!
//! ```text
//! WARNING [job-failed] Job/kube-system/cert-rotate-28901234
//!   failed 3h20m before the reference time: BackoffLimitExceeded: Job has reached the specified backoff limit; last pod cert-rotate-28901234-x7k2p Failed, container rotate terminated Error exit 1
//!   evidence:
//!     cluster.yaml: Job cert-rotate-28901234 condition Failed=True BackoffLimitExceeded: Job has reached the specified backoff limit
//!     cluster.yaml: BackoffLimitExceeded Job has reached the specified backoff limit
//!     cluster.yaml: Pod cert-rotate-28901234-x7k2p phase Failed
//!   next steps:
//!     - kubectl logs -n kube-system cert-rotate-28901234-x7k2p
//!     - Fix the cause, then re-run the Job (delete and re-create it, or kubectl create job --from=cronjob/<cronjob>)
//! ```

use std::collections::BTreeMap;

use kbundle_format::json::{array_at, str_at, timestamp_at};

use crate::Context;
use crate::facts::{Pod, State};
use crate::report::{Evidence, Finding, Severity, Subject};

const REASONS: &[&str] = &[
    "BackoffLimitExceeded",
    "DeadlineExceeded",
    "PodFailurePolicy",
];

struct Failed {
    uid: Option<String>,
    when: Option<jiff::Timestamp>,
    reason: String,
    message: String,
    evidence: Vec<Evidence>,
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut jobs: BTreeMap<(String, String), Failed> = BTreeMap::new();
    let mut known: Vec<(String, String)> = Vec::new();
    for o in super::objects(cx, "batch", "Job") {
        let key = (o.namespace().to_string(), o.name().to_string());
        known.push(key.clone());
        let failed = array_at(&o.value, "/status/conditions")
            .iter()
            .find(|c| str_at(c, "/type") == "Failed" && str_at(c, "/status") == "True");
        let Some(c) = failed else {
            continue;
        };
        let when =
            timestamp_at(c, "/lastTransitionTime").or_else(|| timestamp_at(c, "/lastProbeTime"));
        if !cx.in_window(when) {
            continue;
        }
        let (reason, message) = (str_at(c, "/reason"), str_at(c, "/message"));
        jobs.insert(
            key,
            Failed {
                uid: o.uid().map(String::from),
                when,
                reason: reason.to_string(),
                message: message.to_string(),
                evidence: vec![cx.evidence(
                    &crate::facts::Source::of(o),
                    &format!(
                        "Job {} condition Failed=True{}",
                        o.name(),
                        super::clause(&[reason, message], " ", "")
                    ),
                )],
            },
        );
    }
    for e in &cx.facts.events {
        let r = &e.regarding;
        if r.kind != "Job"
            || e.type_ != "Warning"
            || !REASONS.contains(&e.reason.as_str())
            || !cx.in_window(e.last)
            || r.namespace.is_empty()
        {
            continue;
        }
        let key = (r.namespace.clone(), r.name.clone());
        if known.contains(&key) {
            // The Job object says whether it is failed now; an old event does not.
            if let Some(f) = jobs.get_mut(&key) {
                f.evidence.push(cx.evidence(&e.source, &e.summary()));
            }
            continue;
        }
        jobs.entry(key).or_insert_with(|| Failed {
            uid: r.uid.clone(),
            when: e.last,
            reason: e.reason.clone(),
            message: e.message.clone(),
            evidence: vec![cx.evidence(&e.source, &e.summary())],
        });
    }
    for ((namespace, name), mut f) in jobs {
        let last = cx
            .facts
            .pods
            .iter()
            .filter(|p| p.namespace == namespace && owned_by(p, &name, f.uid.as_deref()))
            .max_by(|a, b| (a.created, &a.name).cmp(&(b.created, &b.name)));
        let mut message = match cx.when(f.when) {
            Some(w) => format!("failed {w}"),
            None => "failed".to_string(),
        };
        message.push_str(&super::clause(&[&f.reason, &f.message], ": ", ""));
        let mut next_steps = Vec::new();
        let ns_flag = super::namespace_flag(&namespace);
        if let Some(p) = last {
            message.push_str(&format!("; last pod {}", p.name));
            message.push_str(&super::clause(&[&p.phase], " ", ""));
            let ends: Vec<String> = p.containers.iter().filter_map(ending).collect();
            if !ends.is_empty() {
                message.push_str(&format!(", {}", ends.join(", ")));
            }
            f.evidence.push(cx.evidence(
                &p.source,
                &format!(
                    "Pod {} phase {}",
                    p.name,
                    if p.phase.is_empty() {
                        "not shown"
                    } else {
                        &p.phase
                    }
                ),
            ));
            next_steps.push(format!("kubectl logs{ns_flag} {}", p.name));
        } else {
            message.push_str("; the input holds none of its pods");
            next_steps.push(format!("kubectl describe job{ns_flag} {name}"));
        }
        next_steps.push("Fix the cause, then re-run the Job (delete and re-create it, or kubectl create job --from=cronjob/<cronjob>)".to_string());
        out.push(Finding {
            rule: "",
            severity: Severity::Warning,
            subject: Subject::new("Job", &namespace, &name),
            message: crate::report::shorten(&message, 400),
            evidence: f.evidence,
            next_steps,
        });
    }
}

/// Whether a pod belongs to the Job of this name (and uid, when both are known).
fn owned_by(p: &Pod, job: &str, uid: Option<&str>) -> bool {
    match &p.owner {
        Some(o) if o.kind == "Job" => {
            o.name == job
                && match (uid, o.uid.as_deref()) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        }
        Some(_) => false,
        None => ["batch.kubernetes.io/job-name", "job-name"]
            .iter()
            .any(|k| p.labels.get(*k).is_some_and(|v| v == job)),
    }
}

/// How a container ended, as far as the input shows it: `container X terminated Error exit 1`.
fn ending(c: &crate::facts::Container) -> Option<String> {
    let st = match (&c.state, &c.last_state) {
        (t @ State::Terminated { .. }, _) | (_, t @ State::Terminated { .. }) => t,
        _ => return None,
    };
    let State::Terminated {
        reason, exit_code, ..
    } = st
    else {
        return None;
    };
    let exit = exit_code.map(|c| format!("exit {c}")).unwrap_or_default();
    Some(format!(
        "container {} terminated{}",
        c.name,
        super::clause(&[reason], " ", "") + &super::clause(&[&exit], " ", "")
    ))
}
