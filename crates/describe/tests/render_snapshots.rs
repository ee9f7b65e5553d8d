//! Rendered text of hand-built objects, as insta snapshots. The same objects
//! are diffed against a real kubectl 1.32 (served by `kbundle serve`) by the
//! workspace's e2e test `tests/e2e/describe.rs`.

use kbundle_describe::{
    Described, describe_deployment, describe_node, describe_pod, describe_replicaset, parse,
};
use kbundle_testkit::objects::*;

#[test]
fn crashlooping_calico_kube_controllers_pod() {
    let now = fixed_now();
    let text = describe_pod(&calico_pod(now), &calico_events(now), now);
    insta::assert_snapshot!("pod_calico_crashloop_oomkilled", text);
}

#[test]
fn running_pod_with_init_containers_probes_and_volumes() {
    let now = fixed_now();
    insta::assert_snapshot!("pod_web_running", describe_pod(&web_pod(now), &[], now));
}

#[test]
fn tainted_unschedulable_node_under_memory_pressure() {
    let now = fixed_now();
    let lease = worker_lease(now);
    let text = describe_node(
        &worker_node(now),
        Some(&lease),
        &worker_pods(now),
        &node_events(now),
        now,
    );
    insta::assert_snapshot!("node_worker_pressure", text);
}

#[test]
fn bare_node_without_lease_pods_or_events() {
    let now = fixed_now();
    insta::assert_snapshot!(
        "node_bare",
        describe_node(&bare_node(now), None, &[], &[], now)
    );
}

#[test]
fn deployment_with_old_and_new_replicasets() {
    let now = fixed_now();
    let text = describe_deployment(
        &calico_deployment(now),
        &calico_replicasets(now),
        &events_from(deployment_events_json(now)),
        now,
    );
    insta::assert_snapshot!("deployment_calico", text);
}

#[test]
fn replicaset_counts_only_its_pods() {
    let now = fixed_now();
    let rs = calico_replicasets(now);
    let text = describe_replicaset(
        &rs[0],
        &worker_pods(now),
        &events_from(rs_events_json(now)),
        now,
    );
    insta::assert_snapshot!("replicaset_calico", text);
}

#[test]
fn terminating_pending_pod_with_ephemeral_container() {
    let now = fixed_now();
    let pod = stuck_pod(now);
    insta::assert_snapshot!("pod_terminating_pending", describe_pod(&pod, &[], now));
}

#[test]
fn pod_with_rarely_seen_fields() {
    let now = fixed_now();
    insta::assert_snapshot!("pod_odd_fields", describe_pod(&odd_pod(now), &[], now));
}

#[test]
fn many_events_with_equal_timestamps_keep_kubectls_order() {
    let now = fixed_now();
    let text = describe_pod(&noisy_pod(now), &events_from(noisy_events_json(now)), now);
    insta::assert_snapshot!("pod_noisy_events", text);
}

#[test]
fn rendered_calico_pod_parses_back() {
    let now = fixed_now();
    let text = describe_pod(&calico_pod(now), &calico_events(now), now);
    let found = parse(&text);
    let [Described::Pod(p)] = found.as_slice() else {
        panic!("expected one pod");
    };
    assert_eq!(p.line, 1);
    assert_eq!(p.name, "calico-kube-controllers-7b8f9c6d5-x2klm");
    assert_eq!(p.node.as_deref(), Some("worker-1"));
    let c = &p.containers[0];
    assert_eq!(
        c.state.as_ref().and_then(|s| s.reason.as_deref()),
        Some("CrashLoopBackOff")
    );
    assert_eq!(
        c.last_state.as_ref().and_then(|s| s.reason.as_deref()),
        Some("OOMKilled")
    );
    assert_eq!(c.last_state.as_ref().and_then(|s| s.exit_code), Some(137));
    assert_eq!(c.restart_count, Some(57));
    assert_eq!(c.limits.get("cpu").map(String::as_str), Some("200m"));
    assert_eq!(p.events.len(), 5);
    let backoff = p
        .events
        .iter()
        .find(|e| e.reason == "BackOff")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (backoff.age.as_str(), backoff.count, backoff.over.as_deref()),
        ("2m5s", Some(1207), Some("44d"))
    );
    let series = &p.events[0];
    assert_eq!((series.count, series.from.as_str()), (Some(6), "kubelet"));
}

#[test]
fn rendered_node_parses_back() {
    let now = fixed_now();
    let lease = worker_lease(now);
    let text = describe_node(
        &worker_node(now),
        Some(&lease),
        &worker_pods(now),
        &node_events(now),
        now,
    );
    let found = parse(&text);
    let [Described::Node(n)] = found.as_slice() else {
        panic!("expected one node");
    };
    assert_eq!(n.roles, ["edge", "ingress", "worker"]);
    assert_eq!(n.unschedulable, Some(true));
    assert_eq!(n.taints.len(), 3);
    assert_eq!(n.taints[0].value.as_deref(), Some("web"));
    assert_eq!(
        n.conditions.iter().filter(|c| c.status == "True").count(),
        2
    );
    assert_eq!(n.pods.len(), 2, "the Succeeded pod is not listed");
    assert_eq!(n.pods[0].cpu_limits.quantity, "200m");
    assert_eq!(n.pods[0].cpu_limits.percent, Some(5));
    assert_eq!(
        n.pods[1].cpu_requests.quantity, "1",
        "init container max wins over 250m"
    );
    assert_eq!(n.kubelet_version.as_deref(), Some("v1.32.5"));
    assert_eq!(n.events.len(), 3);
    assert_eq!(
        n.allocated
            .iter()
            .map(|a| a.resource.as_str())
            .collect::<Vec<_>>(),
        [
            "cpu",
            "memory",
            "ephemeral-storage",
            "hugepages-1Gi",
            "hugepages-2Mi",
            "example.com/gpu"
        ]
    );
}

#[test]
fn rendered_workloads_parse_back() {
    let now = fixed_now();
    let text = describe_deployment(&calico_deployment(now), &calico_replicasets(now), &[], now)
        + "\n"
        + &describe_replicaset(&calico_replicasets(now)[0], &worker_pods(now), &[], now);
    let found = parse(&text);
    let [Described::Deployment(d), Described::ReplicaSet(rs)] = found.as_slice() else {
        panic!("expected a deployment and a replicaset: {found:#?}");
    };
    assert_eq!(d.replicas.desired, Some(1));
    assert_eq!(d.replicas.unavailable, Some(1));
    assert_eq!(
        d.new_replicaset.as_deref(),
        Some("calico-kube-controllers-7b8f9c6d5")
    );
    assert_eq!(
        d.old_replicasets,
        [
            "calico-kube-controllers-5c7d8e9f4",
            "calico-kube-controllers-0a1b2c3d4"
        ],
        "oldest first, as kubectl lists them"
    );
    assert_eq!(d.conditions[0].reason, "MinimumReplicasUnavailable");
    assert_eq!(rs.replicas.total, Some(1));
    assert_eq!(rs.pods_status.as_ref().map(|p| p.running), Some(1));
    assert_eq!(
        rs.controlled_by.as_deref(),
        Some("Deployment/calico-kube-controllers")
    );
    assert_eq!(
        rs.selector.as_deref(),
        Some("k8s-app=calico-kube-controllers,pod-template-hash=7b8f9c6d5,tier notin (db,web)")
    );
}
