//! The targets: which namespaces are collected, the workload found (or not), the target pods
//! and the context pods, as a typed value ([`Targets`]) the later phases and the manifest read.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::check::Checked;
use super::objects::NamespaceState;
use super::request::Outcome;
use super::{Ctx, enc, key_of, labels_of, safe_name, str_at};
use crate::api::Failure;
use crate::{Plan, Target};

/// The workload of a plan, as the targets phase found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Workload {
    /// The plan names none ([`Target::Namespaces`]).
    NotAsked,
    /// Its Deployment or its pods were found; the first candidate namespace that has them.
    Found {
        /// The namespace.
        namespace: String,
        /// The Deployment's name.
        deployment: String,
    },
    /// Found in no candidate namespace.
    Missing,
}

impl Workload {
    /// `Deployment/<ns>/<name>`, when found.
    pub(super) fn reference(&self) -> Option<String> {
        match self {
            Workload::Found {
                namespace,
                deployment,
            } => Some(format!("Deployment/{namespace}/{deployment}")),
            Workload::NotAsked | Workload::Missing => None,
        }
    }
}

/// What one candidate namespace of a workload showed.
struct Candidate {
    namespace: String,
    /// The Deployment's get.
    deployment: Outcome,
    /// The list of the pods matching the workload's selector.
    pods: Outcome,
    items: Vec<Value>,
}

impl Candidate {
    fn found(&self) -> bool {
        matches!(self.deployment, Outcome::Found) || !self.items.is_empty()
    }
}

/// What is collected, resolved from the plan.
#[derive(Debug, Clone)]
pub(super) struct Targets {
    /// The target namespaces, in order.
    pub namespaces: Vec<String>,
    /// The label selector of the target pods, as the plan gave it.
    pub selector: Option<String>,
    /// The workload.
    pub workload: Workload,
    /// The target pods, sorted by namespace and name (known after [`Ctx::select_pods`]).
    pub pods: Vec<Value>,
    /// Pods of the target namespaces on the target pods' nodes, matching the plan's context
    /// selector.
    pub context_pods: Vec<Value>,
    /// The nodes of the target pods.
    pub nodes: BTreeSet<String>,
}

impl Targets {
    /// Sorts the target pods by namespace and name, drops duplicates, and takes their nodes.
    pub(super) fn settle_pods(&mut self) {
        self.pods.sort_by_key(key_of);
        self.pods.dedup_by_key(|p| key_of(p));
        self.nodes = self
            .pods
            .iter()
            .map(|p| str_at(p, "/spec/nodeName").to_string())
            .filter(|n| !n.is_empty())
            .collect();
    }

    /// Whether the target pods are known before the objects of the target namespaces are
    /// listed: a workload's are (its pods were listed by its selector).
    pub(super) fn pods_known_early(&self) -> bool {
        matches!(self.workload, Workload::Found { .. })
    }
}

impl Ctx<'_> {
    /// The targets phase: the namespaces (and, for a workload, its pods) of the plan.
    pub(super) async fn resolve_targets(&self, plan: &Plan) -> Targets {
        let mut targets = Targets {
            namespaces: Vec::new(),
            selector: None,
            workload: Workload::NotAsked,
            pods: Vec::new(),
            context_pods: Vec::new(),
            nodes: BTreeSet::new(),
        };
        match &plan.target {
            Target::Workload {
                deployment,
                selector,
                namespaces: candidates,
            } => {
                targets.selector = Some(selector.clone());
                self.find_workload(&mut targets, deployment, selector, candidates)
                    .await;
            }
            Target::Namespaces {
                namespaces,
                selector,
            } => {
                targets.selector = selector.clone();
                targets.namespaces = namespaces.clone();
                if plan.all_namespaces {
                    let _ = self.collect_list("", "namespaces", None).await;
                    for n in self.list_items("cluster/core/namespaces.json") {
                        let name = str_at(&n, "/metadata/name");
                        if !safe_name(name) {
                            self.refuse_name("namespace", name);
                        } else if !targets.namespaces.iter().any(|x| x == name) {
                            targets.namespaces.push(name.to_string());
                        }
                    }
                    targets.namespaces.sort();
                }
            }
        }
        targets
    }

    /// Looks for the Deployment and its pods in each candidate namespace. Found nowhere, every
    /// candidate is collected, and the manifest says whether it is missing or whether some
    /// lookups failed (then nobody knows).
    async fn find_workload(
        &self,
        targets: &mut Targets,
        deployment: &str,
        selector: &str,
        candidates: &[String],
    ) {
        let query = format!("labelSelector={}", enc(selector));
        let found = futures::future::join_all(candidates.iter().map(|ns| {
            let query = &query;
            async move {
                // The Deployment and the pods of its selector at once: the selector is the
                // plan's, so neither request waits for the other.
                let deployment = async {
                    match self.disc.find("apps", "deployments") {
                        Some(res) => {
                            let url = format!("{}/{deployment}", res.collection_path(Some(ns)));
                            match self.api.get_json(&url).await {
                                Ok(_) => Outcome::Found,
                                Err(Failure::NotFound(_)) => Outcome::NotFound,
                                Err(f) => {
                                    self.error(
                                        format!("get apps/deployments {ns}/{deployment}"),
                                        &f,
                                    );
                                    Outcome::Failed
                                }
                            }
                        }
                        None => Outcome::NotAsked,
                    }
                };
                let (deployment, listed) =
                    futures::join!(deployment, self.list("", "pods", Some(ns), query));
                let pods = Outcome::of_list(&listed);
                Candidate {
                    namespace: ns.clone(),
                    deployment,
                    pods,
                    items: listed.unwrap_or_default(),
                }
            }
        }))
        .await;
        let lookup_failed = found
            .iter()
            .any(|c| c.deployment.failed() || c.pods.failed());
        for c in found {
            if c.found() {
                if targets.workload == Workload::NotAsked {
                    targets.workload = Workload::Found {
                        namespace: c.namespace.clone(),
                        deployment: deployment.to_string(),
                    };
                }
                targets.namespaces.push(c.namespace);
                targets.pods.extend(c.items);
            }
        }
        if !targets.namespaces.is_empty() {
            return;
        }
        targets.workload = Workload::Missing;
        let (how, class) = if lookup_failed {
            (
                "could not be found (some lookups failed, see the other errors)",
                "other",
            )
        } else {
            ("were found", "not-found")
        };
        let neither = if lookup_failed { "the" } else { "neither the" };
        let nor = if lookup_failed { "and" } else { "nor" };
        self.note_error(
            format!("find Deployment {deployment}"),
            format!(
                "{neither} Deployment {deployment} {nor} pods labelled {selector} {how} in {}; collected the namespaces' deployments, replicasets, pods and events and the webhook configurations instead",
                candidates.join(" or ")
            ),
            class,
        );
        targets.namespaces = candidates.to_vec();
    }

    /// After the objects phase: the target pods of a [`Target::Namespaces`] plan (a namespace
    /// or a named pod that does not exist is an error in the manifest, unless its lookup
    /// failed), then the target nodes and the context pods.
    pub(super) fn select_pods(
        &self,
        targets: &mut Targets,
        plan: &Plan,
        checked: &Checked,
        namespaces: &BTreeMap<String, NamespaceState>,
    ) {
        if let Target::Namespaces { .. } = &plan.target {
            for ns in &targets.namespaces {
                let state = namespaces.get(ns).cloned().unwrap_or_default();
                if let Outcome::NotFound = state.object {
                    self.note_error(
                        format!("get core/namespaces {ns}"),
                        format!("namespace {ns} not found"),
                        "not-found",
                    );
                }
                for pod in self.list_items(&format!("namespaces/{ns}/core/pods.json")) {
                    let (pns, pname) = key_of(&pod);
                    if checked
                        .pod_selector
                        .as_ref()
                        .is_none_or(|s| s.matches(labels_of(&pod)))
                        && (plan.pods.is_empty() || plan.pods.contains(&format!("{pns}/{pname}")))
                    {
                        targets.pods.push(pod);
                    }
                }
            }
            for want in &plan.pods {
                let listed = want
                    .split_once('/')
                    .and_then(|(ns, _)| namespaces.get(ns))
                    .is_none_or(|s| !s.pods.failed());
                let found = targets.pods.iter().any(|p| {
                    let (ns, name) = key_of(p);
                    format!("{ns}/{name}") == *want
                });
                // A pods list that failed says nothing of the pod (its error is recorded).
                if listed && !found {
                    self.note_error(
                        format!("get core/pods {want}"),
                        format!("pod {want} not found"),
                        "not-found",
                    );
                }
            }
        }
        targets.settle_pods();
        if let Some(sel) = &checked.context_selector {
            for ns in &targets.namespaces {
                for pod in self.list_items(&format!("namespaces/{ns}/core/pods.json")) {
                    if sel.matches(labels_of(&pod))
                        && targets.nodes.contains(str_at(&pod, "/spec/nodeName"))
                        && !targets.pods.iter().any(|t| key_of(t) == key_of(&pod))
                    {
                        targets.context_pods.push(pod);
                    }
                }
            }
        }
    }
}
