//! `kubectl describe node`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Event, Node, Pod};

use super::common::{
    add_resource_list, annotations_multiline, describe_events, labels_multiline, max_resource_list,
    parse_list, s, taints_multiline,
};
use crate::quantity::{Quantity, canonical_text};
use crate::tabwriter::PrefixWriter;
use crate::timefmt::{rfc1123z, rfc1123z_opt};

const ROLE_PREFIX: &str = "node-role.kubernetes.io/";
const ROLE_LABEL: &str = "kubernetes.io/role";

/// The roles kubectl derives from node labels, sorted.
pub(crate) fn node_roles(node: &Node) -> Vec<String> {
    let mut roles: Vec<String> = Vec::new();
    for (k, v) in node.metadata.labels.iter().flatten() {
        if let Some(role) = k.strip_prefix(ROLE_PREFIX) {
            if !role.is_empty() {
                roles.push(role.to_string());
            }
        } else if k == ROLE_LABEL && !v.is_empty() {
            roles.push(v.clone());
        }
    }
    roles.sort();
    roles.dedup();
    roles
}

/// Renders `kubectl describe node` (see the crate docs for conventions).
pub fn describe_node(
    node: &Node,
    lease: Option<&Lease>,
    pods_on_node: &[Pod],
    events: &[Event],
    now: Timestamp,
) -> String {
    let mut w = PrefixWriter::default();
    let meta = &node.metadata;
    let spec = node.spec.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    let name = s(&meta.name);

    w.write(0, &format!("Name:\t{name}\n"));
    let roles = node_roles(node);
    if roles.is_empty() {
        w.write(0, "Roles:\t<none>\n");
    } else {
        w.write(0, &format!("Roles:\t{}\n", roles.join(",")));
    }
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w.write(
        0,
        &format!(
            "CreationTimestamp:\t{}\n",
            rfc1123z_opt(meta.creation_timestamp.as_ref().map(|t| t.0))
        ),
    );
    taints_multiline(&mut w, "Taints", spec.taints.as_deref().unwrap_or_default());
    w.write(
        0,
        &format!("Unschedulable:\t{}\n", spec.unschedulable.unwrap_or(false)),
    );

    match lease {
        Some(lease) => {
            let ls = lease.spec.clone().unwrap_or_default();
            w.write(0, "Lease:\n");
            w.write(
                1,
                &format!(
                    "HolderIdentity:\t{}\n",
                    ls.holder_identity.as_deref().unwrap_or("<unset>")
                ),
            );
            w.write(
                1,
                &format!(
                    "AcquireTime:\t{}\n",
                    ls.acquire_time
                        .map_or_else(|| "<unset>".to_string(), |t| rfc1123z(t.0))
                ),
            );
            w.write(
                1,
                &format!(
                    "RenewTime:\t{}\n",
                    ls.renew_time
                        .map_or_else(|| "<unset>".to_string(), |t| rfc1123z(t.0))
                ),
            );
        }
        None => w.write(
            0,
            &format!(
                "Lease:\tFailed to get lease: leases.coordination.k8s.io \"{name}\" not found\n"
            ),
        ),
    }

    if let Some(conds) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(
            0,
            "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n",
        );
        w.write(
            1,
            "----\t------\t-----------------\t------------------\t------\t-------\n",
        );
        for c in conds {
            w.write(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    rfc1123z_opt(c.last_heartbeat_time.as_ref().map(|t| t.0)),
                    rfc1123z_opt(c.last_transition_time.as_ref().map(|t| t.0)),
                    s(&c.reason),
                    s(&c.message)
                ),
            );
        }
    }
    w.write(0, "Addresses:\n");
    for a in status.addresses.iter().flatten() {
        w.write(1, &format!("{}:\t{}\n", a.type_, a.address));
    }
    for (title, list) in [
        ("Capacity", &status.capacity),
        ("Allocatable", &status.allocatable),
    ] {
        if let Some(list) = list.as_ref().filter(|l| !l.is_empty()) {
            w.write(0, &format!("{title}:\n"));
            for (k, v) in list {
                w.write(0, &format!("  {k}:\t{}\n", canonical_text(&v.0)));
            }
        }
    }
    let info = status.node_info.clone().unwrap_or_default();
    w.write(0, "System Info:\n");
    for (label, value) in [
        ("Machine ID", &info.machine_id),
        ("System UUID", &info.system_uuid),
        ("Boot ID", &info.boot_id),
        ("Kernel Version", &info.kernel_version),
        ("OS Image", &info.os_image),
        ("Operating System", &info.operating_system),
        ("Architecture", &info.architecture),
        ("Container Runtime Version", &info.container_runtime_version),
        ("Kubelet Version", &info.kubelet_version),
        ("Kube-Proxy Version", &info.kube_proxy_version),
    ] {
        w.write(0, &format!("  {label}:\t{value}\n"));
    }
    if !s(&spec.pod_cidr).is_empty() {
        w.write(0, &format!("PodCIDR:\t{}\n", s(&spec.pod_cidr)));
    }
    if let Some(cidrs) = spec.pod_cidrs.as_ref().filter(|c| !c.is_empty()) {
        w.write(0, &format!("PodCIDRs:\t{}\n", cidrs.join(",")));
    }
    if !s(&spec.provider_id).is_empty() {
        w.write(0, &format!("ProviderID:\t{}\n", s(&spec.provider_id)));
    }
    describe_node_resource(&mut w, node, pods_on_node, now);
    describe_events(&mut w, events, meta.uid.as_deref(), now);
    w.finish()
}

/// A pod's effective requests and limits (kubectl's `PodRequestsAndLimits`).
pub(crate) fn pod_requests_and_limits(
    pod: &Pod,
) -> (BTreeMap<String, Quantity>, BTreeMap<String, Quantity>) {
    let mut reqs = BTreeMap::new();
    let mut limits = BTreeMap::new();
    let Some(spec) = &pod.spec else {
        return (reqs, limits);
    };
    let status = pod.status.clone().unwrap_or_default();
    let statuses: BTreeMap<&str, &k8s_openapi::api::core::v1::ContainerStatus> = status
        .container_statuses
        .iter()
        .flatten()
        .map(|c| (c.name.as_str(), c))
        .collect();
    for c in &spec.containers {
        let r = c.resources.clone().unwrap_or_default();
        let mut creqs = parse_list(r.requests.as_ref());
        if let Some(cs) = statuses.get(c.name.as_str()) {
            let allocated = parse_list(cs.allocated_resources.as_ref());
            if status.resize.as_deref() == Some("Infeasible") {
                creqs = allocated;
            } else {
                // max(requests, allocated)
                let mut m = creqs.clone();
                for (k, v) in &allocated {
                    match m.get(k) {
                        Some(cur) if v.cmp_value(cur) != std::cmp::Ordering::Greater => {}
                        _ => {
                            m.insert(k.clone(), *v);
                        }
                    }
                }
                creqs = m;
            }
        }
        add_resource_list(&mut reqs, &creqs);
        add_resource_list(&mut limits, &parse_list(r.limits.as_ref()));
    }
    for (acc, pick) in [(&mut reqs, true), (&mut limits, false)] {
        let mut restartable: BTreeMap<String, Quantity> = BTreeMap::new();
        let mut init_max: BTreeMap<String, Quantity> = BTreeMap::new();
        for c in spec.init_containers.iter().flatten() {
            let r = c.resources.clone().unwrap_or_default();
            let list = parse_list(if pick {
                r.requests.as_ref()
            } else {
                r.limits.as_ref()
            });
            let effective = if c.restart_policy.as_deref() == Some("Always") {
                add_resource_list(acc, &list);
                add_resource_list(&mut restartable, &list);
                restartable.clone()
            } else {
                let mut tmp = BTreeMap::new();
                add_resource_list(&mut tmp, &list);
                add_resource_list(&mut tmp, &restartable);
                tmp
            };
            max_resource_list(&mut init_max, &effective);
        }
        max_resource_list(acc, &init_max);
    }
    let overhead = parse_list(spec.overhead.as_ref());
    add_resource_list(&mut reqs, &overhead);
    for (k, v) in &overhead {
        if let Some(l) = limits.get_mut(k) {
            l.add(*v);
        }
    }
    (reqs, limits)
}

/// Go's `int64(float64(a) / float64(b) * 100)` on amd64, where converting
/// NaN or an infinity yields `math.MinInt64`.
fn percent(a: i128, b: i128) -> i64 {
    super::common::go_f64_to_i64(a as f64 / b as f64 * 100.0)
}

fn percent_guarded(a: i128, b: i128) -> i64 {
    if b == 0 { 0 } else { percent(a, b) }
}

fn get(list: &BTreeMap<String, Quantity>, name: &str) -> Quantity {
    list.get(name).copied().unwrap_or(Quantity::ZERO)
}

fn describe_node_resource(w: &mut PrefixWriter, node: &Node, pods: &[Pod], now: Timestamp) {
    // kubectl asks the API server for `status.phase!=Succeeded,status.phase!=Failed`;
    // terminated pods handed to us anyway are dropped here.
    let mut pods: Vec<&Pod> = pods
        .iter()
        .filter(|p| {
            let phase = p
                .status
                .as_ref()
                .and_then(|s| s.phase.as_deref())
                .unwrap_or("");
            phase != "Succeeded" && phase != "Failed"
        })
        .collect();
    // In the order the API server lists them.
    pods.sort_by_cached_key(|p| super::common::api_key(&p.metadata));
    let status = node.status.clone().unwrap_or_default();
    let allocatable_raw = match status.allocatable.as_ref().filter(|a| !a.is_empty()) {
        Some(a) => Some(a),
        None => status.capacity.as_ref(),
    };
    let allocatable = parse_list(allocatable_raw);
    let alloc_cpu = get(&allocatable, "cpu").milli_value();
    let alloc_mem = get(&allocatable, "memory").value();
    let alloc_eph = get(&allocatable, "ephemeral-storage").value();

    w.write(
        0,
        &format!("Non-terminated Pods:\t({} in total)\n", pods.len()),
    );
    w.write(
        1,
        "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n",
    );
    w.write(
        1,
        "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n",
    );
    let mut total_reqs: BTreeMap<String, Quantity> = BTreeMap::new();
    let mut total_limits: BTreeMap<String, Quantity> = BTreeMap::new();
    for pod in &pods {
        let (req, lim) = pod_requests_and_limits(pod);
        let cpu_req = get(&req, "cpu");
        let cpu_lim = get(&lim, "cpu");
        let mem_req = get(&req, "memory");
        let mem_lim = get(&lim, "memory");
        w.write(
            1,
            &format!(
                "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
                s(&pod.metadata.namespace),
                s(&pod.metadata.name),
                cpu_req.canonical(),
                percent(cpu_req.milli_value(), alloc_cpu),
                cpu_lim.canonical(),
                percent(cpu_lim.milli_value(), alloc_cpu),
                mem_req.canonical(),
                percent(mem_req.value(), alloc_mem),
                mem_lim.canonical(),
                percent(mem_lim.value(), alloc_mem),
                crate::timefmt::since(pod.metadata.creation_timestamp.as_ref().map(|t| t.0), now)
            ),
        );
        add_resource_list(&mut total_reqs, &req);
        add_resource_list(&mut total_limits, &lim);
    }
    w.write(
        0,
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n",
    );
    w.write(1, "Resource\tRequests\tLimits\n");
    w.write(1, "--------\t--------\t------\n");
    for (name, alloc, milli) in [
        ("cpu", alloc_cpu, true),
        ("memory", alloc_mem, false),
        ("ephemeral-storage", alloc_eph, false),
    ] {
        let r = get(&total_reqs, name);
        let l = get(&total_limits, name);
        let (rv, lv) = if milli {
            (r.milli_value(), l.milli_value())
        } else {
            (r.value(), l.value())
        };
        w.write(
            1,
            &format!(
                "{name}\t{} ({}%)\t{} ({}%)\n",
                r.canonical(),
                percent_guarded(rv, alloc),
                l.canonical(),
                percent_guarded(lv, alloc)
            ),
        );
    }
    for (name, alloc) in allocatable
        .iter()
        .filter(|(k, _)| k.starts_with("hugepages-"))
    {
        let r = get(&total_reqs, name);
        let l = get(&total_limits, name);
        w.write(
            1,
            &format!(
                "{name}\t{} ({}%)\t{} ({}%)\n",
                r.canonical(),
                percent_guarded(r.value(), alloc.value()),
                l.canonical(),
                percent_guarded(l.value(), alloc.value())
            ),
        );
    }
    for name in allocatable.keys().filter(|k| {
        !k.starts_with("hugepages-")
            && !matches!(k.as_str(), "cpu" | "memory" | "ephemeral-storage" | "pods")
    }) {
        w.write(
            1,
            &format!(
                "{name}\t{}\t{}\n",
                get(&total_reqs, name).canonical(),
                get(&total_limits, name).canonical()
            ),
        );
    }
}
