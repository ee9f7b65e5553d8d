//! The pods phase: each target and context pod's object, `describe` text and logs (current
//! and previous, of every container), beside the nodes and the webhook backends.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Event, Pod};
use serde_json::{Value, json};

use super::nodes::NodeLists;
use super::targets::Targets;
use super::write::LogFile;
use super::{Ctx, Job, enc, key_of, safe_name, str_at, typed};
use crate::api::Failure;
use crate::budget::Tier;
use crate::spill::LogWriter;

/// An `events.k8s.io/v1` Event in the shape of a core v1 Event (for describe).
fn event_from_events_api(v: &Value) -> Value {
    let g = |p: &str| v.pointer(p).cloned().unwrap_or(Value::Null);
    let mut e = json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": g("/metadata"),
        "involvedObject": g("/regarding"),
        "reason": g("/reason"),
        "message": g("/note"),
        "type": g("/type"),
        "eventTime": g("/eventTime"),
        "reportingComponent": g("/reportingController"),
        "reportingInstance": g("/reportingInstance"),
        "source": {"component": v.pointer("/deprecatedSource/component").cloned().or_else(|| v.get("reportingController").cloned()).unwrap_or(Value::Null)},
        "count": v.pointer("/series/count").or_else(|| v.get("deprecatedCount")).cloned().unwrap_or(Value::Null),
        "firstTimestamp": g("/deprecatedFirstTimestamp"),
        "lastTimestamp": v.pointer("/series/lastObservedTime").or_else(|| v.get("deprecatedLastTimestamp")).cloned().unwrap_or(Value::Null),
    });
    if let Value::Object(m) = &mut e {
        m.retain(|_, v| !v.is_null());
    }
    e
}

/// What was fetched for the target pods before the objects of their namespaces were listed
/// ([`Ctx::early`]).
#[derive(Default)]
pub(super) struct Early {
    /// The target pods' logs are collected.
    logs: bool,
    /// The lists each target node's description needs, by node.
    nodes: BTreeMap<String, NodeLists>,
}

impl Ctx<'_> {
    /// When the target pods are known before the objects of their namespaces (a workload's):
    /// their logs, and the lists their nodes' descriptions need, fetched meanwhile. Nothing
    /// otherwise.
    pub(super) async fn early(&self, targets: &Targets) -> Early {
        if !targets.pods_known_early() {
            return Early::default();
        }
        let logs = futures::future::join_all(targets.pods.iter().map(|p| self.pod_logs(p, true)));
        let nodes = futures::future::join_all(
            targets
                .nodes
                .iter()
                .filter(|n| safe_name(n))
                .map(|n| async move { (n.clone(), self.node_lists(n).await) }),
        );
        let (_, nodes) = futures::join!(logs, nodes);
        Early {
            logs: true,
            nodes: nodes.into_iter().collect(),
        }
    }

    /// The pods, logs and nodes phase: every target and context pod, every target node, the
    /// webhook backends; what [`Ctx::early`] fetched is not fetched again.
    pub(super) async fn pods_and_nodes(&self, targets: &Targets, mut early: Early) {
        let ns_events: BTreeMap<String, Vec<Event>> = targets
            .namespaces
            .iter()
            .map(|ns| (ns.clone(), self.typed_events(ns)))
            .collect();
        let mut jobs: Vec<Job<'_>> = Vec::new();
        for pod in &targets.pods {
            jobs.push(Box::pin(self.pod(pod, true, &ns_events, !early.logs)));
        }
        for pod in &targets.context_pods {
            jobs.push(Box::pin(self.pod(pod, false, &ns_events, true)));
        }
        for node in &targets.nodes {
            let lists = early.nodes.remove(node);
            jobs.push(Box::pin(self.node(node, lists)));
        }
        jobs.push(Box::pin(
            self.webhook_backends(&targets.namespaces, &targets.pods),
        ));
        futures::future::join_all(jobs).await;
    }

    /// The events of a namespace, typed, for describe.
    fn typed_events(&self, ns: &str) -> Vec<Event> {
        let core = self.list_items(&format!("namespaces/{ns}/core/events.json"));
        let api = self.list_items(&format!("namespaces/{ns}/events.k8s.io/events.json"));
        core.into_iter()
            .map(|e| self.redacted(e))
            .chain(api.iter().map(|e| self.redacted(event_from_events_api(e))))
            .filter_map(typed)
            .collect()
    }

    async fn log(&self, ns: &str, pod: &str, container: &str, previous: bool, tier: Tier) {
        let mut url = format!(
            "/api/v1/namespaces/{ns}/pods/{pod}/log?container={}",
            enc(container)
        );
        if previous {
            url.push_str("&previous=true");
        }
        if let Some(since) = self.options.since {
            url.push_str(&format!("&sinceSeconds={}", since.as_secs().max(1)));
        }
        let suffix = if previous { ".previous" } else { "" };
        let path = format!("namespaces/{ns}/pods/{pod}/logs/{container}{suffix}.log");
        let what = format!(
            "logs {ns}/{pod}/{container}{}",
            if previous { " (previous)" } else { "" }
        );
        let mut writer = LogWriter::new(&self.spill, self.options.max_log_bytes);
        let mut sink = |data: &[u8]| writer.push(data);
        // A log is read up to 64 times what is kept (1 MiB at least): an endless stream
        // ends there.
        let max_read = self.options.max_log_bytes.saturating_mul(64).max(1 << 20);
        let read = self.api.get_log(&url, max_read, &mut sink).await;
        match read {
            Ok(log) => {
                if previous && log.total == 0 && log.cut.is_none() {
                    return;
                }
                if let Some(cut) = &log.cut {
                    self.error(what.clone(), cut);
                }
                self.progress.item(&what);
                let kept = match writer.finish() {
                    Ok(finished) => {
                        self.arrivals
                            .keep(finished, &self.spill, &self.redactor, &path)
                            .await
                    }
                    Err(e) => Err(e),
                };
                match kept {
                    Ok(kept) => {
                        self.lock().logs.insert(
                            path,
                            LogFile {
                                kept,
                                original: log.total,
                                tier,
                            },
                        );
                    }
                    Err(e) => self.note_error(
                        what,
                        format!("cannot keep the log in a temporary file: {e}"),
                        "other",
                    ),
                }
            }
            // No previous container: normal.
            Err(Failure::BadRequest(_) | Failure::NotFound(_)) if previous => {}
            Err(f) => self.error(what, &f),
        }
    }

    /// A pod's object and `describe` text, and its logs unless `logs` is false (fetched
    /// already).
    async fn pod(
        &self,
        pod: &Value,
        target: bool,
        ns_events: &BTreeMap<String, Vec<Event>>,
        logs: bool,
    ) {
        let (ns, name) = key_of(pod);
        if !safe_name(&ns) || !safe_name(&name) {
            let bad = if safe_name(&ns) { &name } else { &ns };
            self.refuse_name("pod", bad);
            return;
        }
        let dir = format!("namespaces/{ns}/pods/{name}");
        self.lock()
            .objects
            .insert(format!("{dir}/pod.json"), pod.clone());
        if let Some(p) = typed::<Pod>(self.redacted(pod.clone())) {
            let uid = p.metadata.uid.clone().unwrap_or_default();
            let events: Vec<Event> = ns_events
                .get(&ns)
                .into_iter()
                .flatten()
                .filter(|e| {
                    // What kubectl asks for: name, namespace, kind and uid of the pod.
                    let o = &e.involved_object;
                    o.kind.as_deref() == Some("Pod")
                        && o.name.as_deref() == Some(name.as_str())
                        && (uid.is_empty() || o.uid.as_deref() == Some(uid.as_str()))
                })
                .cloned()
                .collect();
            let text = kbundle_describe::describe_pod(&p, &events, self.now);
            self.lock()
                .texts
                .insert(format!("{dir}/describe.txt"), text);
        } else {
            self.note_error(
                format!("describe pod {ns}/{name}"),
                "the pod object could not be read",
                "other",
            );
        }
        if logs {
            self.pod_logs(pod, target).await;
        }
    }

    /// The logs of every container of a pod, current and previous (nothing for a pod whose
    /// name cannot name a file: [`Ctx::pod`] records that).
    async fn pod_logs(&self, pod: &Value, target: bool) {
        let (ns, name) = key_of(pod);
        if !safe_name(&ns) || !safe_name(&name) {
            return;
        }
        let mut containers: Vec<String> = Vec::new();
        for field in ["initContainers", "containers", "ephemeralContainers"] {
            for c in kbundle_format::json::array_at(pod, &format!("/spec/{field}")) {
                let n = str_at(c, "/name");
                if !n.is_empty() && !safe_name(n) {
                    self.refuse_name(&format!("logs {ns}/{name} container"), n);
                } else if !n.is_empty() && !containers.iter().any(|x| x == n) {
                    containers.push(n.to_string());
                }
            }
        }
        let jobs: Vec<Job<'_>> = containers
            .iter()
            .flat_map(|c| {
                let (ns, name) = (ns.clone(), name.clone());
                [false, true].map(move |previous| {
                    let tier = match (target, previous) {
                        (true, false) => Tier::TargetCurrent,
                        (true, true) => Tier::TargetPrevious,
                        (false, false) => Tier::ContextCurrent,
                        (false, true) => Tier::ContextPrevious,
                    };
                    let (ns, name, c) = (ns.clone(), name.clone(), c.clone());
                    Box::pin(async move { self.log(&ns, &name, &c, previous, tier).await })
                        as Job<'_>
                })
            })
            .collect();
        futures::future::join_all(jobs).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_api_conversion() {
        let e = event_from_events_api(&json!({
            "metadata": {"name": "e", "namespace": "ns"},
            "regarding": {"kind": "Pod", "name": "p"}, "reason": "BackOff", "note": "Back-off restarting",
            "type": "Warning", "deprecatedCount": 5, "reportingController": "kubelet"
        }));
        let typed: Option<Event> = typed(e);
        let typed = typed.unwrap_or_default();
        assert_eq!(typed.message.as_deref(), Some("Back-off restarting"));
        assert_eq!(typed.count, Some(5));
        assert_eq!(typed.involved_object.name.as_deref(), Some("p"));
    }
}
