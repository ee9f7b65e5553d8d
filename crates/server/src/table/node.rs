//! `Node` (core): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "",
    kinds: &["Node"],
    columns: &[
        NAME,
        Column::new("Status", "string", 0, "The status of the node"),
        Column::new("Roles", "string", 0, "The roles of the node"),
        AGE,
        Column::new(
            "Version",
            "string",
            0,
            "Kubelet Version reported by the node.",
        ),
        Column::new(
            "Internal-IP",
            "string",
            1,
            "List of addresses reachable to the node. Queried from cloud provider, if available.",
        ),
        Column::new(
            "External-IP",
            "string",
            1,
            "List of addresses reachable to the node. Queried from cloud provider, if available.",
        ),
        Column::new(
            "OS-Image",
            "string",
            1,
            "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
        ),
        Column::new(
            "Kernel-Version",
            "string",
            1,
            "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
        ),
        Column::new(
            "Container-Runtime",
            "string",
            1,
            "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
        ),
    ],
    row: node_row,
};

pub(super) fn node_row(c: &Ctx, node: &Value) -> (Vec<Value>, Option<Value>) {
    let mut status: Vec<String> = Vec::new();
    if let Some(cond) = array_at(node, "/status/conditions")
        .iter()
        .rev()
        .find(|c| str_at(c, "/type") == "Ready")
    {
        status.push(if str_at(cond, "/status") == "True" {
            "Ready".into()
        } else {
            "NotReady".into()
        });
    }
    if status.is_empty() {
        status.push("Unknown".into());
    }
    if bool_at(node, "/spec/unschedulable") == Some(true) {
        status.push("SchedulingDisabled".into());
    }
    let mut roles: Vec<String> = Vec::new();
    if let Some(labels) = object_at(node, "/metadata/labels") {
        for (k, v) in labels {
            if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
                if !role.is_empty() {
                    roles.push(role.to_string());
                }
            } else if k == "kubernetes.io/role"
                && let Some(v) = v.as_str().filter(|v| !v.is_empty())
            {
                roles.push(v.to_string());
            }
        }
    }
    roles.sort();
    roles.dedup();
    let address = |ty: &str| {
        array_at(node, "/status/addresses")
            .iter()
            .find(|a| str_at(a, "/type") == ty)
            .map(|a| str_at(a, "/address").to_string())
            .unwrap_or_else(|| "<none>".into())
    };
    let unknown = |p: &str| nonempty_str_at(node, p).unwrap_or("<unknown>").to_string();
    let cells = vec![
        json!(str_at(node, "/metadata/name")),
        json!(status.join(",")),
        json!(none_if_empty(roles.join(","))),
        json!(c.since(nonempty_str_at(node, "/metadata/creationTimestamp"))),
        json!(str_at(node, "/status/nodeInfo/kubeletVersion")),
        json!(address("InternalIP")),
        json!(address("ExternalIP")),
        json!(unknown("/status/nodeInfo/osImage")),
        json!(unknown("/status/nodeInfo/kernelVersion")),
        json!(unknown("/status/nodeInfo/containerRuntimeVersion")),
    ];
    (cells, None)
}
