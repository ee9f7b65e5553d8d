//! A target node: its `describe` text (with its pods, events and lease, as kubectl asks
//! for them), its object in the nodes list, its events in their namespace's list.

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Event, Node, Pod};

use serde_json::Value;

use super::request::list_path;
use super::{Ctx, enc, safe_name, str_at, typed};

/// What a node's description needs besides the node: its non-terminated pods, its events and
/// its lease (each `None` when it could not be read; the failure is recorded).
pub(super) struct NodeLists {
    pods: Option<Vec<Value>>,
    events: Option<Vec<Value>>,
    lease: Option<Value>,
}

impl Ctx<'_> {
    /// A target node's description, from the nodes list (or, missing there, its own request)
    /// and its [`NodeLists`] (fetched here when `lists` is `None`).
    pub(super) async fn node(&self, node_name: &str, lists: Option<NodeLists>) {
        if !safe_name(node_name) {
            self.refuse_name("describe node", node_name);
            return;
        }
        // One node copied, not the list (once per target node: 20% of a 25-pod collect's
        // allocations when it was the list).
        let mut node = self.list_item("cluster/nodes.json", |n| {
            str_at(n, "/metadata/name") == node_name
        });
        if node.is_none() {
            node = self.get_into_list("", "nodes", None, node_name).await.ok();
        }
        let NodeLists {
            pods,
            events,
            lease,
        } = match lists {
            Some(lists) => lists,
            None => self.node_lists(node_name).await,
        };
        // Node events live in some namespace (usually `default`): add them to its list.
        if let Some(events) = &events
            && let Some(res) = self.disc.find("", "events")
        {
            for e in events {
                let ns = str_at(e, "/metadata/namespace");
                if !ns.is_empty() && !safe_name(ns) {
                    self.refuse_name("event namespace", ns);
                    continue;
                }
                self.store_items(
                    &list_path(res, Some(if ns.is_empty() { "default" } else { ns })),
                    std::slice::from_ref(e),
                );
            }
        }
        let Some(node) = node else {
            self.note_error(
                format!("describe node {node_name}"),
                "the node object could not be read (see the errors of the node list)",
                "other",
            );
            return;
        };
        let Some(node) = typed::<Node>(self.redacted(node)) else {
            self.note_error(
                format!("describe node {node_name}"),
                "the node object could not be read",
                "other",
            );
            return;
        };
        let pods: Vec<Pod> = pods
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| typed(self.redacted(p)))
            .collect();
        // As kubectl: events whose involvedObject.uid is the node's uid (controllers) or its
        // name (the kubelet).
        let node_uid = node.metadata.uid.clone().unwrap_or_default();
        let events: Vec<Event> = events
            .unwrap_or_default()
            .into_iter()
            .filter_map(|e| typed::<Event>(self.redacted(e)))
            .filter(|e| {
                let uid = e.involved_object.uid.as_deref().unwrap_or_default();
                (!node_uid.is_empty() && uid == node_uid) || uid == node_name
            })
            .collect();
        let lease: Option<Lease> = lease.and_then(typed);
        let text = kbundle_describe::describe_node(&node, lease.as_ref(), &pods, &events, self.now);
        self.lock()
            .texts
            .insert(format!("cluster/nodes/{node_name}.describe.txt"), text);
    }

    /// The lists a node's description needs ([`NodeLists`]), as kubectl asks for them.
    pub(super) async fn node_lists(&self, node_name: &str) -> NodeLists {
        let field = format!(
            "fieldSelector={}",
            enc(&format!(
                // As kubectl: the node's non-terminated pods.
                "spec.nodeName={node_name},status.phase!=Succeeded,status.phase!=Failed"
            ))
        );
        let event_field = format!(
            "fieldSelector={}",
            enc(&format!(
                "involvedObject.kind=Node,involvedObject.name={node_name}"
            ))
        );
        let (pods, events, lease) = futures::join!(
            self.list("", "pods", None, &field),
            self.list("", "events", None, &event_field),
            self.get_into_list(
                "coordination.k8s.io",
                "leases",
                Some("kube-node-lease"),
                node_name
            ),
        );
        NodeLists {
            pods: pods.ok(),
            events: events.ok(),
            lease: lease.ok(),
        }
    }
}
