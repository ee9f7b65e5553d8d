//! The expected workload is absent, scaled to zero, or wants replicas but has no pods.
//!
//! ## What it detects
//!
//! The expected workload (by default the `calico-kube-controllers` Deployment in
//! `calico-system` or `kube-system`; `--workload` or the bundle manifest's `request.workload`
//! name another) when:
//!
//! - it is not in the input at all, and none of its pods are either;
//! - it is scaled to zero (`spec.replicas: 0`);
//! - it wants replicas but not one of its pods exists. The Deployment's and ReplicaSets'
//!   failure conditions and `FailedCreate` events within the window are shown as evidence,
//!   and so is the `Killing` event of its last pod when that pod is gone (deleted).
//!
//! The subject is the Deployment (`Deployment/<namespace>/<name>`, the expected namespace when
//! it is absent). Critical.
//!
//! calico-kube-controllers is only missing from a cluster that runs Calico. The workload is
//! reported absent only where the input shows Calico runs: a pod or workload of calico-node,
//! calico-kube-controllers, calico-typha or tigera-operator (by name, or the label
//! `k8s-app=calico-node`), a Calico custom resource or its definition
//! (`crd.projectcalico.org`, `projectcalico.org`, `operator.tigera.io`: an Installation), the
//! `calico-system` or `tigera-operator` namespace, or events about Calico's pods. The expected
//! namespace is then the one those pods are in (a `kubectl get pods -n kube-system` pasted with
//! calico-node pods and no calico-kube-controllers pod gives `Deployment/kube-system/...`).
//! Where the input shows none of it (OpenShift SDN, flannel, weave, k3s clusters, an excerpt of
//! other pods), the rule gives one info line, `no Calico in this input`, with no namespace,
//! instead of a critical finding. Text without objects (a describe or events excerpt) shows an
//! absence only where a `kubectl get pods` table lists the expected namespace's pods; else the
//! rule gives one info line: whether the workload exists is unknown. A workload named with `--workload` is looked for in any
//! input that holds objects.
//!
//! ## Why it matters
//!
//! calico-kube-controllers should run as a single pod in every cluster. When it is "not
//! running at all, not even in CrashLoopBackOff or Pending", the deployment was most likely
//! deleted or scaled down, or a custom admission webhook stops its pods from being created.
//! While it is down, Calico data of deleted or replaced nodes is not cleaned up.
//!
//! ## Runbook step
//!
//! "If the calico-kube-controllers Pod is Not Running At All": run
//! `ibmcloud ks cluster-refresh --cluster <CLUSTER_NAME>` (the master takes up to 45 minutes
//! to refresh and recreate the deployment). If that does not help, look for a webhook that
//! blocks the pods (see `webhook-denied` and `webhook-unreachable`).
//!
//! ## Example
//!
//! ```text
//! CRITICAL [workload-missing] Deployment/calico-system/calico-kube-controllers
//!   Deployment/calico-system/calico-kube-controllers wants 1 replica but has no pods; ReplicaFailure: pods "calico-kube-controllers-6f8c9d7b5-" is forbidden: error looking up service account calico-system/calico-kube-controllers: serviceaccount …
//!   evidence:
//!     cluster.yaml: Deployment calico-kube-controllers: replicas 1, ready 0, available 0
//!   next steps:
//!     - Refresh the master: ibmcloud ks cluster-refresh --cluster <CLUSTER_NAME> (up to 45 minutes)
//! ```

use crate::Context;
use crate::report::{Finding, Severity, Subject};

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let t = &cx.target;
    let subject = Subject::new(&t.kind, &t.namespace, &t.name);
    let refresh = "Refresh the master: ibmcloud ks cluster-refresh --cluster <CLUSTER_NAME> (up to 45 minutes)".to_string();
    let webhooks = "If it is still missing afterwards, check for admission webhooks that block it: kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations".to_string();
    let pods: Vec<_> = cx.target_pods().filter(|p| !p.deleting).collect();
    let Some(w) = cx.facts.workload(&t.kind, &t.namespace, &t.name) else {
        if !pods.is_empty() {
            return;
        }
        // The default workload is Calico's: its absence means something only where the input
        // shows Calico runs. A workload asked for by name is looked for in any input.
        let calico = super::calico::shown(cx.facts);
        let calicos = t.name == crate::WorkloadRef::default().name;
        if calico.is_none() {
            if calicos {
                out.push(no_calico(t));
            }
            if calicos || cx.facts.metas.is_empty() {
                return;
            }
        }
        // Text without objects proves an absence only where it lists the namespace's pods
        // (a describe or events excerpt does not show what else runs).
        if cx.facts.metas.is_empty() && !cx.facts.listed_namespaces.contains(&t.namespace) {
            out.push(Finding {
                rule: "",
                severity: Severity::Info,
                subject,
                message: format!(
                    "{} is not in the input, which lists no pods of namespace {}: whether it exists is unknown",
                    subject_text(t),
                    t.namespace
                ),
                evidence: Vec::new(),
                next_steps: vec![format!(
                    "Check on the cluster: kubectl get deployment -n {} {}",
                    t.namespace, t.name
                )],
            });
            return;
        }
        let mut message = format!(
            "{} is not in the input, and neither is any of its pods: it was probably deleted",
            subject_text(t)
        );
        let mut evidence = Vec::new();
        if let Some(c) = &calico {
            message.push_str(&format!(" (Calico runs: the input shows {})", c.what));
            evidence.push(cx.evidence(&c.source, &format!("Calico runs: {}", c.what)));
        }
        out.push(Finding {
            rule: "",
            severity: Severity::Critical,
            subject,
            message,
            evidence,
            next_steps: vec![
                refresh,
                webhooks,
                format!(
                    "Confirm on the cluster: kubectl get deployment -n {} {}",
                    t.namespace, t.name
                ),
            ],
        });
        return;
    };
    let mut evidence = vec![cx.evidence(
        &w.source,
        &format!(
            "{} {}: replicas {}, ready {}, available {}",
            w.kind,
            w.name,
            w.desired.map_or("unknown".to_string(), |d| d.to_string()),
            w.ready,
            w.available
        ),
    )];
    if w.desired == Some(0) {
        out.push(Finding {
            rule: "",
            severity: Severity::Critical,
            subject,
            message: format!("{} is scaled to zero (spec.replicas: 0)", subject_text(t)),
            evidence,
            next_steps: vec![
                refresh,
                format!(
                    "Or scale it back: kubectl scale deployment -n {} {} --replicas=1",
                    t.namespace, t.name
                ),
            ],
        });
        return;
    }
    let desired = w.desired.unwrap_or(1);
    if desired <= 0 || !pods.is_empty() {
        return;
    }
    // Why no pods: failure conditions of the workload and its replica sets, FailedCreate events.
    let mut why: Vec<String> = Vec::new();
    for c in &w.conditions {
        if (c.type_ == "ReplicaFailure" && c.status == "True")
            || (c.type_ == "Available" && c.status == "False" && !c.message.is_empty())
        {
            evidence.push(cx.evidence(
                &w.source,
                &format!("condition {}: {} {}", c.type_, c.reason, c.message),
            ));
            if c.type_ == "ReplicaFailure" {
                why.push(super::clause(&[&c.type_, &c.message], "", ""));
            }
        }
    }
    let uid = w.uid.as_deref();
    for rs in cx.facts.replica_sets.iter().filter(|rs| {
        rs.namespace == t.namespace
            && rs.owner.as_ref().is_some_and(|o| {
                o.kind == t.kind
                    && o.name == t.name
                    && (uid.is_none() || o.uid.is_none() || o.uid.as_deref() == uid)
            })
    }) {
        for c in rs
            .conditions
            .iter()
            .filter(|c| c.type_ == "ReplicaFailure" && c.status == "True")
        {
            evidence.push(cx.evidence(
                &rs.source,
                &format!(
                    "ReplicaSet {} condition {}: {}",
                    rs.name, c.reason, c.message
                ),
            ));
            if why.is_empty() {
                why.push(super::clause(&[&c.reason, &c.message], "", ""));
            }
        }
        for (e, replaced) in
            cx.facts
                .events_for("ReplicaSet", &rs.namespace, &rs.name, rs.uid.as_deref())
        {
            if replaced || e.type_ != "Warning" || !cx.in_window(e.last) {
                continue;
            }
            evidence.push(cx.evidence(&e.source, &e.summary()));
            if why.is_empty() {
                why.push(super::clause(&[&e.reason, &e.message], "", ""));
            }
        }
    }
    // Keep the evidence short: the workload, its conditions and the newest events.
    if evidence.len() > 6 {
        let tail = evidence.split_off(evidence.len() - 3);
        evidence.truncate(3);
        evidence.extend(tail);
    }
    let mut message = format!(
        "{} wants {} replica{} but has no pods",
        subject_text(t),
        desired,
        if desired == 1 { "" } else { "s" }
    );
    // The last pod it had: events about a pod of the workload that is no longer there (the
    // event's object is gone, so its uid matches nothing).
    let prefix = format!("{}-", t.name);
    let gone = cx
        .facts
        .events
        .iter()
        .filter(|e| {
            e.regarding.kind == "Pod"
                && e.regarding.namespace == t.namespace
                && e.regarding.name.starts_with(&prefix)
                && e.reason == "Killing"
                && !cx
                    .facts
                    .pods
                    .iter()
                    .any(|p| p.namespace == e.regarding.namespace && p.name == e.regarding.name)
        })
        .max_by_key(|e| e.last);
    if let Some(e) = gone {
        let when = cx.when(e.last).map(|w| format!(" {w}")).unwrap_or_default();
        message.push_str(&format!(
            "; its last pod {} was stopped{when} and is gone",
            e.regarding.name
        ));
        evidence.push(cx.evidence(
            &e.source,
            &format!("{} on Pod {}: {}", e.reason, e.regarding.name, e.message),
        ));
    }
    if let Some(first) = why.first() {
        message.push_str("; ");
        message.push_str(&crate::report::shorten(first, 160));
    }
    let mut next_steps = Vec::new();
    if why.iter().any(|w| w.contains("webhook")) {
        next_steps.push("An admission webhook blocks the pods: see the webhook findings, fix or remove that webhook".to_string());
    }
    next_steps.push(refresh);
    next_steps.push(webhooks);
    out.push(Finding {
        rule: "",
        severity: Severity::Critical,
        subject,
        message,
        evidence,
        next_steps,
    });
}

/// The one line for an input of a cluster that does not run Calico (or does not show it).
fn no_calico(t: &crate::Target) -> Finding {
    Finding {
        rule: "",
        severity: Severity::Info,
        // The namespace is not known: nothing in the input points at one.
        subject: Subject::new(&t.kind, "", &t.name),
        message: "no Calico in this input: no calico-node, calico-kube-controllers, calico-typha or tigera-operator pod or workload, no Calico resource or definition, no Installation, no calico-system or tigera-operator namespace; the Calico findings and the runbook's steps do not apply".into(),
        evidence: Vec::new(),
        next_steps: vec![
            "If the cluster does run Calico, add its kube-system and calico-system pods to the input: kubectl get pods -A -o wide".into(),
        ],
    }
}

fn subject_text(t: &crate::Target) -> String {
    format!("{}/{}/{}", t.kind, t.namespace, t.name)
}
