//! The objects: the cluster-scoped ones (listed beside the targets phase, since they do not
//! depend on it), and the namespaced objects of each target namespace, with what became of the
//! namespace and of its pods list ([`NamespaceState`]).

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use super::request::Outcome;
use super::{Ctx, Job};
use crate::{CALICO_GROUP, OPERATOR_GROUP};

/// Calico kinds collected when their CRDs exist (cluster-scoped or, when namespaced, in the
/// target namespaces).
const CALICO_KINDS: &[&str] = &[
    "FelixConfiguration",
    "BGPConfiguration",
    "BGPPeer",
    "IPPool",
    "IPAMConfig",
    "KubeControllersConfiguration",
    "GlobalNetworkPolicy",
    "NetworkPolicy",
    "HostEndpoint",
    "ClusterInformation",
];
const OPERATOR_KINDS: &[&str] = &["Installation", "TigeraStatus"];

/// What the objects phase found of one target namespace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct NamespaceState {
    /// Its `Namespace` object.
    pub object: Outcome,
    /// Its pods list.
    pub pods: Outcome,
}

impl Ctx<'_> {
    /// The objects of each target namespace.
    pub(super) async fn namespace_objects(
        &self,
        namespaces: &[String],
    ) -> BTreeMap<String, NamespaceState> {
        let states: Vec<Mutex<NamespaceState>> = namespaces
            .iter()
            .map(|_| Mutex::new(NamespaceState::default()))
            .collect();
        let mut jobs: Vec<Job<'_>> = Vec::new();
        for (ns, state) in namespaces.iter().zip(&states) {
            jobs.push(Box::pin(self.namespace(ns, state)));
        }
        futures::future::join_all(jobs).await;
        namespaces
            .iter()
            .cloned()
            .zip(
                states
                    .into_iter()
                    .map(|s| s.into_inner().unwrap_or_else(PoisonError::into_inner)),
            )
            .collect()
    }

    /// Core v1 events of a namespace (or, when the server has no core events, events.k8s.io).
    async fn collect_events(&self, ns: &str) {
        let group = if self.disc.find("", "events").is_some() {
            ""
        } else {
            "events.k8s.io"
        };
        let _ = self.collect_list(group, "events", Some(ns)).await;
    }

    /// Namespaced objects of one target namespace; what became of the namespace and of its
    /// pods list goes to `state`.
    async fn namespace(&self, ns: &str, state: &Mutex<NamespaceState>) {
        let state = || state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut jobs: Vec<Job<'_>> = vec![
            Box::pin(async move {
                let object = Outcome::of_get(&self.get_into_list("", "namespaces", None, ns).await);
                state().object = object;
            }),
            Box::pin(self.collect_events(ns)),
        ];
        for (group, plural) in [
            ("", "pods"),
            ("", "configmaps"),
            ("", "services"),
            // What the workload, storage and policy rules read (#14): whether Services have
            // ready endpoints, claims are bound, quotas and limits refuse pods, budgets block
            // drains, Jobs failed.
            ("", "endpoints"),
            ("discovery.k8s.io", "endpointslices"),
            ("", "persistentvolumeclaims"),
            ("", "resourcequotas"),
            ("", "limitranges"),
            ("policy", "poddisruptionbudgets"),
            ("batch", "jobs"),
            ("apps", "deployments"),
            ("apps", "replicasets"),
            ("apps", "daemonsets"),
            ("networking.k8s.io", "networkpolicies"),
        ] {
            jobs.push(Box::pin(async move {
                let listed = self.collect_list(group, plural, Some(ns)).await;
                if (group, plural) == ("", "pods") {
                    state().pods = Outcome::of_list(&listed);
                }
            }));
        }
        for kind in CALICO_KINDS {
            if let Some(res) = self
                .disc
                .find_kind(CALICO_GROUP, kind)
                .filter(|r| r.namespaced)
            {
                jobs.push(Box::pin(async move {
                    let _ = self.collect_resource(res, Some(ns)).await;
                }));
            }
        }
        futures::future::join_all(jobs).await;
    }

    /// The cluster-scoped objects: the nodes, the webhook configurations, the Calico and
    /// operator kinds that are cluster-scoped and their CRDs.
    pub(super) async fn cluster_objects(&self) {
        let mut jobs: Vec<Job<'_>> = vec![
            Box::pin(async move {
                let _ = self.collect_list("", "nodes", None).await;
            }),
            Box::pin(async move {
                let _ = self
                    .collect_list(
                        "admissionregistration.k8s.io",
                        "validatingwebhookconfigurations",
                        None,
                    )
                    .await;
            }),
            Box::pin(async move {
                let _ = self
                    .collect_list(
                        "admissionregistration.k8s.io",
                        "mutatingwebhookconfigurations",
                        None,
                    )
                    .await;
            }),
        ];
        for (group, kinds) in [
            (CALICO_GROUP, CALICO_KINDS),
            (OPERATOR_GROUP, OPERATOR_KINDS),
        ] {
            for kind in kinds {
                if let Some(res) = self.disc.find_kind(group, kind).filter(|r| !r.namespaced) {
                    jobs.push(Box::pin(async move {
                        let _ = self.collect_resource(res, None).await;
                    }));
                }
            }
            // The CRDs of the collected groups.
            for res in self.disc.group(group) {
                let name = format!("{}.{}", res.plural, res.group);
                jobs.push(Box::pin(async move {
                    let _ = self
                        .get_into_list(
                            "apiextensions.k8s.io",
                            "customresourcedefinitions",
                            None,
                            &name,
                        )
                        .await;
                }));
            }
        }
        futures::future::join_all(jobs).await;
    }
}
