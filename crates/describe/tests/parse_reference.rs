//! The parser on every describe text of `/work/shared/reference/signatures.md`
//! (copied under `tests/data/`, each file naming its section and source).

use kbundle_describe::{Described, NodeFacts, PodFacts, parse};

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn one_pod(name: &str) -> PodFacts {
    match parse(&data(name)).as_slice() {
        [Described::Pod(p)] => p.clone(),
        other => panic!("{name}: expected one pod, got {other:#?}"),
    }
}

fn one_node(name: &str) -> NodeFacts {
    match parse(&data(name)).as_slice() {
        [Described::Node(n)] => n.clone(),
        other => panic!("{name}: expected one node, got {other:#?}"),
    }
}

fn ts(s: &str) -> Option<jiff::Timestamp> {
    s.parse().ok()
}

#[test]
fn s8_1_pending_coredns() {
    let p = one_pod("s8_1_pod_pending_coredns.txt");
    assert_eq!(p.line, 3);
    assert_eq!(p.name, "coredns-5dd5756b68-2zrhr");
    assert_eq!(p.namespace.as_deref(), Some("kube-system"));
    assert_eq!(p.priority, Some(2_000_000_000));
    assert_eq!(
        p.priority_class_name.as_deref(),
        Some("system-cluster-critical")
    );
    assert_eq!(p.node, None);
    assert_eq!(p.start_time, None);
    assert_eq!(p.status.as_deref(), Some("Pending"));
    assert_eq!(p.ip, None);
    assert_eq!(
        p.controlled_by.as_deref(),
        Some("ReplicaSet/coredns-5dd5756b68")
    );
    assert_eq!(
        p.labels.get("k8s-app").map(String::as_str),
        Some("kube-dns")
    );
    assert_eq!(p.containers.len(), 1);
    let c = &p.containers[0];
    assert_eq!(c.name, "coredns");
    assert_eq!(c.line, 17);
    assert_eq!(
        c.image.as_deref(),
        Some("registry.k8s.io/coredns/coredns:v1.10.1")
    );
    assert_eq!(c.state, None, "a pending pod has no container status");
    assert_eq!(c.restart_count, None);
    assert_eq!(c.limits.get("memory").map(String::as_str), Some("170Mi"));
    assert_eq!(c.requests.get("cpu").map(String::as_str), Some("100m"));
    assert_eq!(c.requests.get("memory").map(String::as_str), Some("70Mi"));
    assert_eq!(
        c.liveness.as_deref(),
        Some("http-get http://:8080/health delay=60s timeout=5s period=10s #success=1 #failure=5")
    );
    assert_eq!(p.conditions.len(), 1);
    assert_eq!(p.conditions[0].type_, "PodScheduled");
    assert_eq!(p.conditions[0].status, "False");
    assert_eq!(p.qos_class.as_deref(), Some("Burstable"));
    assert_eq!(
        p.node_selectors.get("kubernetes.io/os").map(String::as_str),
        Some("linux")
    );
    assert_eq!(p.tolerations.len(), 4);
    assert_eq!(p.tolerations[0], "CriticalAddonsOnly op=Exists");
    assert_eq!(p.events.len(), 1);
    let e = &p.events[0];
    assert_eq!(e.line, 58);
    assert_eq!(
        (e.type_.as_str(), e.reason.as_str()),
        ("Warning", "FailedScheduling")
    );
    assert_eq!(e.age, "4m58s");
    assert_eq!(e.count, Some(23));
    assert_eq!(e.over.as_deref(), Some("115m"));
    assert_eq!(e.from, "default-scheduler");
    assert!(
        e.message
            .starts_with("0/1 nodes are available: 1 node(s) had untolerated taint")
    );
    assert!(e.message.ends_with("scheduling.."));
}

#[test]
fn s8_2_running_nginx() {
    let p = one_pod("s8_2_pod_running_nginx.txt");
    assert_eq!(p.name, "nginx-deployment-67d4bdd6f5-w6kd7");
    assert_eq!(p.priority, Some(0));
    assert_eq!(p.node.as_deref(), Some("kube-worker-1"));
    assert_eq!(p.host_ip.as_deref(), Some("192.168.0.113"));
    assert_eq!(p.start_time, ts("2022-02-17T21:51:01Z"));
    assert_eq!(p.status.as_deref(), Some("Running"));
    assert_eq!(p.ip.as_deref(), Some("10.88.0.3"));
    assert_eq!(
        p.controlled_by.as_deref(),
        Some("ReplicaSet/nginx-deployment-67d4bdd6f5")
    );
    let c = &p.containers[0];
    assert_eq!(c.name, "nginx");
    assert_eq!(
        c.container_id.as_deref(),
        Some("containerd://5403af59a2b46ee5a23fb0ae4b1e077f7ca5c5fb7af16e1ab21c00e0e616462a")
    );
    let st = c.state.clone().unwrap_or_default();
    assert_eq!(st.state, "Running");
    assert_eq!(st.started, ts("2022-02-17T21:51:05Z"));
    assert_eq!(c.last_state, None);
    assert_eq!(c.ready, Some(true));
    assert_eq!(c.restart_count, Some(0));
    assert_eq!(c.limits.get("cpu").map(String::as_str), Some("500m"));
    assert_eq!(
        p.conditions
            .iter()
            .map(|c| c.type_.as_str())
            .collect::<Vec<_>>(),
        ["Initialized", "Ready", "ContainersReady", "PodScheduled"]
    );
    assert!(p.conditions.iter().all(|c| c.status == "True"));
    assert_eq!(p.qos_class.as_deref(), Some("Guaranteed"));
    assert_eq!(p.events.len(), 5);
    assert_eq!(p.events[0].reason, "Scheduled");
    assert_eq!(p.events[0].age, "34s");
    assert_eq!(
        p.events[2].message,
        "Successfully pulled image \"nginx\" in 1.146417389s"
    );
    assert_eq!(p.events[4].line, 61);
}

#[test]
fn s8_2_calico_head_is_truncated() {
    let p = one_pod("s8_2_pod_calico_head_truncated.txt");
    assert_eq!(p.name, "calico-kube-controllers-74677b4c5f-xdxfp");
    assert_eq!(p.node.as_deref(), Some("172.18.129.204"));
    assert_eq!(p.start_time, ts("2023-03-22T11:23:35Z"));
    let c = &p.containers[0];
    assert_eq!(
        c.image.as_deref(),
        Some("docker.io/calico/kube-controllers:v3.25.0")
    );
    assert_eq!(c.state.as_ref().map(|s| s.state.as_str()), Some("Running"));
    let last = c.last_state.clone().unwrap_or_default();
    assert_eq!(last.state, "Terminated");
    assert_eq!(last.reason.as_deref(), Some("Error"));
    assert_eq!(last.exit_code, Some(2));
    assert_eq!(last.finished, ts("2023-03-22T11:47:05Z"));
    assert_eq!(c.ready, Some(false));
    assert_eq!(c.restart_count, None, "the paste stops at `Restart Count:`");
    assert!(p.events.is_empty());
}

#[test]
fn s8_3_node_not_ready() {
    let n = one_node("s8_3_node_not_ready.txt");
    assert_eq!(n.name, "kube-worker-1");
    assert!(n.roles.is_empty());
    assert_eq!(n.labels.len(), 5);
    assert_eq!(n.creation_timestamp, ts("2022-02-17T21:46:30Z"));
    assert_eq!(n.taints.len(), 2);
    assert_eq!(n.taints[0].key, "node.kubernetes.io/unreachable");
    assert_eq!(n.taints[0].effect, "NoExecute");
    assert_eq!(n.taints[1].effect, "NoSchedule");
    assert_eq!(n.unschedulable, Some(false));
    assert_eq!(n.conditions.len(), 5);
    let ready = n
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .cloned()
        .unwrap_or_default();
    assert_eq!(ready.status, "Unknown");
    assert_eq!(ready.reason, "NodeStatusUnknown");
    assert_eq!(ready.message, "Kubelet stopped posting node status.");
    assert_eq!(ready.last_heartbeat, ts("2022-02-17T22:12:40Z"));
    assert_eq!(ready.last_transition, ts("2022-02-17T22:13:52Z"));
    assert_eq!(n.conditions[0].reason, "WeaveIsUp");
    assert_eq!(n.conditions[0].message, "Weave pod has set this");
    assert_eq!(
        n.addresses.get("InternalIP").map(String::as_str),
        Some("192.168.0.113")
    );
    assert_eq!(
        n.capacity.get("memory").map(String::as_str),
        Some("2025188Ki")
    );
    assert_eq!(
        n.allocatable.get("ephemeral-storage").map(String::as_str),
        Some("14167048988")
    );
    assert_eq!(n.kubelet_version.as_deref(), Some("v1.23.3"));
    assert_eq!(
        n.container_runtime_version.as_deref(),
        Some("containerd://1.5.9")
    );
    assert_eq!(n.pods.len(), 4);
    let weave = &n.pods[3];
    assert_eq!(
        (weave.namespace.as_str(), weave.name.as_str()),
        ("kube-system", "weave-net-gjxxp")
    );
    assert_eq!(weave.cpu_requests.quantity, "100m");
    assert_eq!(weave.cpu_requests.percent, Some(5));
    assert_eq!(weave.memory_requests.quantity, "200Mi");
    assert_eq!(weave.memory_requests.percent, Some(10));
    assert_eq!(weave.age.as_deref(), Some("28m"));
    assert_eq!(n.allocated.len(), 4);
    assert_eq!(n.allocated[0].resource, "cpu");
    assert_eq!(n.allocated[0].requests.quantity, "1100m");
    assert_eq!(n.allocated[0].requests.percent, Some(55));
    assert_eq!(n.allocated[0].limits.quantity, "1");
    assert_eq!(n.allocated[1].limits.percent, Some(13));
    assert!(
        n.events.is_empty(),
        "the docs elide the events body as `...`"
    );
}

#[test]
fn s1_2_oomkilled_last_state() {
    let p = one_pod("s1_2_oomkilled_last_state.txt");
    assert_eq!(p.name, "", "an excerpt has no name");
    assert_eq!(p.line, 3);
    let c = &p.containers[0];
    let last = c.last_state.clone().unwrap_or_default();
    assert_eq!(last.state, "Terminated");
    assert_eq!(last.reason.as_deref(), Some("OOMKilled"));
    assert_eq!(last.exit_code, Some(137));
    assert_eq!(last.started, ts("2020-08-31T21:32:42Z"));
    assert_eq!(last.finished, ts("2020-08-31T21:33:08Z"));
    assert_eq!(c.ready, Some(true));
    assert_eq!(c.restart_count, Some(1));
    assert_eq!(c.limits.get("memory").map(String::as_str), Some("90Mi"));
    assert_eq!(c.requests.get("memory").map(String::as_str), Some("60Mi"));
}

#[test]
fn s1_2_oomkilled_running_again() {
    let p = one_pod("s1_2_oomkilled_running.txt");
    let c = &p.containers[0];
    assert_eq!(c.state.as_ref().map(|s| s.state.as_str()), Some("Running"));
    assert_eq!(
        c.state.as_ref().and_then(|s| s.started),
        ts("2021-04-12T14:45:23Z")
    );
    assert_eq!(
        c.last_state.as_ref().and_then(|s| s.reason.as_deref()),
        Some("OOMKilled")
    );
    assert_eq!(c.last_state.as_ref().and_then(|s| s.exit_code), Some(137));
    assert_eq!(c.restart_count, Some(4));
    assert_eq!(c.limits.get("memory").map(String::as_str), Some("100Mi"));
    assert!(c.requests.is_empty());
}

#[test]
fn s1_3_node_events_with_host_in_source() {
    let n = one_node("s1_3_node_events_kernel_monitor.txt");
    assert_eq!(n.events.len(), 1);
    let e = &n.events[0];
    assert_eq!(e.reason, "PodOOMKilling");
    assert_eq!(e.age, "2m");
    assert_eq!(e.from, "kernel-monitor, <node>");
    assert!(
        e.message
            .starts_with("Memory cgroup out of memory: Kill process 25169")
    );
}

#[test]
fn s1_3_collapsed_row_without_age_or_source() {
    let p = one_pod("s1_3_collapsed_oomkilling.txt");
    let e = &p.events[0];
    assert_eq!(
        (e.type_.as_str(), e.reason.as_str()),
        ("Warning", "OOMKilling")
    );
    assert_eq!(e.age, "");
    assert_eq!(e.from, "");
    assert!(
        e.message
            .starts_with("Memory cgroup out of memory: Kill process 4481 (stress)")
    );
}

#[test]
fn s1_4_system_oom_events() {
    let n = one_node("s1_4_systemoom_events.txt");
    assert_eq!(n.events.len(), 3);
    assert_eq!(n.events[0].reason, "Starting");
    assert_eq!(n.events[1].reason, "SystemOOM");
    assert_eq!(n.events[1].from, "kubelet, node1");
    assert_eq!(n.events[2].message, "System OOM encountered");
    assert_eq!(n.events[2].age, "17m");
}

#[test]
fn s1_5_evicted_pod_status() {
    let p = one_pod("s1_5_evicted_status.txt");
    assert_eq!(p.status.as_deref(), Some("Failed"));
    assert_eq!(p.reason.as_deref(), Some("Evicted"));
    let m = p.message.unwrap_or_default();
    assert!(
        m.starts_with("The node was low on resource: memory."),
        "{m}"
    );
    assert!(
        m.ends_with("which e"),
        "terminal-wrapped; the first line is kept: {m}"
    );
}

#[test]
fn s1_5_node_pressure_events() {
    let n = one_node("s1_5_node_pressure_events.txt");
    assert_eq!(n.events.len(), 2);
    assert_eq!(n.events[0].reason, "NodeHasInsufficientMemory");
    assert_eq!(
        (n.events[0].count, n.events[0].over.as_deref()),
        (Some(4), Some("2d5h"))
    );
    assert_eq!(n.events[1].reason, "EvictionThresholdMet");
    assert_eq!(n.events[1].age, "7m48s");
    assert_eq!(n.events[1].count, Some(38));
    assert_eq!(n.events[1].from, "kubelet, 192.168.144.102");
}

#[test]
fn s3_2_crashloop_state() {
    let p = one_pod("s3_2_crashloop_state.txt");
    let c = &p.containers[0];
    assert_eq!(c.state.as_ref().map(|s| s.state.as_str()), Some("Waiting"));
    assert_eq!(
        c.state.as_ref().and_then(|s| s.reason.as_deref()),
        Some("CrashLoopBackOff")
    );
    let last = c.last_state.clone().unwrap_or_default();
    assert_eq!(last.reason.as_deref(), Some("Error"));
    assert_eq!(last.exit_code, Some(1));
    assert_eq!(last.started, ts("2019-08-27T10:25:05Z"));
}

#[test]
fn s3_2_kube_controllers_events() {
    let p = one_pod("s3_2_kube_controllers_events.txt");
    assert_eq!(p.events.len(), 4);
    let backoff = &p.events[3];
    assert_eq!(backoff.reason, "BackOff");
    assert_eq!(backoff.age, "49s");
    assert_eq!(backoff.count, Some(8));
    assert_eq!(backoff.over.as_deref(), Some("2m"));
    assert_eq!(backoff.from, "kubelet, k8s-node1");
    assert_eq!(backoff.message, "Back-off restarting failed container");
}

#[test]
fn s3_2_backoff_with_container_name() {
    let p = one_pod("s3_2_backoff_named.txt");
    assert_eq!(p.events.len(), 1);
    assert_eq!(p.events[0].count, Some(72));
    assert_eq!(
        p.events[0].message,
        "Back-off restarting failed container manager"
    );
}

#[test]
fn s3_2_tab_separated_failed_sync() {
    let p = one_pod("s3_2_failedsync_tabs.txt");
    assert_eq!(p.events.len(), 1);
    assert_eq!(p.events[0].reason, "FailedSync");
    assert!(p.events[0].message.contains("CrashLoopBackOff"));
}

#[test]
fn s3_2_liveness_restarts() {
    let p = one_pod("s3_2_liveness_restarts.txt");
    assert_eq!(p.events.len(), 4);
    assert_eq!(p.events[1].age, "117s");
    assert_eq!(p.events[1].count, Some(10));
    assert_eq!(p.events[2].reason, "Killing");
    assert_eq!(p.events[2].count, None);
    assert!(
        p.events[3]
            .message
            .starts_with("Readiness probe errored: rpc error")
    );
}

#[test]
fn s4_2_condition_rows() {
    let n = one_node("s4_2_conditions_not_ready.txt");
    assert_eq!(n.conditions.len(), 2);
    assert_eq!(n.conditions[1].type_, "Ready");
    assert_eq!(n.conditions[1].status, "Unknown");

    let n = one_node("s4_2_conditions_kubelet_not_ready.txt");
    assert_eq!(n.conditions[0].reason, "KubeletNotReady");
    assert!(n.conditions[0].message.contains("NetworkPluginNotReady"));
    assert_eq!(n.conditions[0].last_transition, ts("2018-08-02T14:39:49Z"));

    let n = one_node("s4_2_conditions_pleg.txt");
    assert!(n.conditions[0].message.starts_with("PLEG is not healthy"));

    let n = one_node("s4_2_conditions_memory_pressure.txt");
    assert_eq!(n.conditions[0].type_, "MemoryPressure");
    assert_eq!(n.conditions[0].status, "True");
    assert_eq!(n.conditions[0].last_heartbeat, ts("2022-02-01T08:44:34Z"));

    let n = one_node("s4_2_conditions_disk_pressure.txt");
    assert_eq!(n.conditions[0].reason, "KubeletHasDiskPressure");
    assert_eq!(n.conditions[0].last_heartbeat, ts("2018-05-26T17:12:30Z"));
}

#[test]
fn concatenated_pasted_describes_with_prompts_and_crlf() {
    let text = format!(
        "user@host:~$ kubectl describe pod -n kube-system coredns-5dd5756b68-2zrhr\r\n{}\r\n\r\n$ kubectl describe node kube-worker-1\r\n{}",
        data("s8_1_pod_pending_coredns.txt").replace('\n', "\r\n"),
        data("s8_3_node_not_ready.txt").replace('\n', "\r\n")
    );
    let found = parse(&text);
    assert_eq!(found.len(), 2);
    assert!(
        matches!(&found[0], Described::Pod(p) if p.name == "coredns-5dd5756b68-2zrhr" && p.events.len() == 1)
    );
    assert_eq!(found[0].line(), 4);
    assert!(
        matches!(&found[1], Described::Node(n) if n.name == "kube-worker-1" && n.conditions.len() == 5)
    );
    let node_line = text
        .lines()
        .position(|l| l.starts_with("Name:               kube-worker-1"));
    assert_eq!(Some(found[1].line()), node_line.map(|i| i + 1));
}

#[test]
fn truncated_inputs_never_panic() {
    let full = data("s8_1_pod_pending_coredns.txt") + &data("s8_3_node_not_ready.txt");
    for cut in (0..full.len()).step_by(7) {
        if let Some(prefix) = full.get(..cut) {
            let _ = parse(prefix);
        }
    }
}

// Real kubectl 1.32 output captured from the troubleshoot support bundle's
// objects (see the header of each file).

#[test]
fn kubectl132_pod_with_restarts() {
    let p = one_pod("kubectl132_pod_coredns_restarts.txt");
    assert_eq!(p.line, 3);
    assert_eq!(p.name, "coredns-b96499967-tncf4");
    assert_eq!(p.node.as_deref(), Some("k3d-mycluster-server-0"));
    assert_eq!(p.host_ip.as_deref(), Some("172.19.0.2"));
    let c = &p.containers[0];
    assert_eq!(c.restart_count, Some(96));
    let last = c.last_state.clone().unwrap_or_default();
    assert_eq!(
        (last.reason.as_deref(), last.exit_code),
        (Some("Unknown"), Some(255))
    );
    assert_eq!(last.finished, ts("2022-12-21T09:42:35Z"));
    assert_eq!(
        c.readiness.as_deref().map(|r| r.contains("period=2s")),
        Some(true)
    );
    assert_eq!(p.tolerations.len(), 5);
    assert_eq!(
        p.node_selectors
            .get("beta.kubernetes.io/os")
            .map(String::as_str),
        Some("linux")
    );
    assert!(p.events.is_empty());
}

#[test]
fn kubectl132_node_without_lease() {
    let n = one_node("kubectl132_node_k3d.txt");
    assert_eq!(n.name, "k3d-mycluster-server-0");
    assert_eq!(n.roles, ["control-plane", "master"]);
    assert_eq!(n.labels.len(), 10);
    assert!(n.taints.is_empty());
    assert_eq!(n.conditions.len(), 4);
    assert_eq!(n.conditions[3].type_, "Ready");
    assert_eq!(n.conditions[3].last_transition, ts("2022-12-14T09:50:01Z"));
    assert_eq!(n.kubelet_version.as_deref(), Some("v1.24.4+k3s1"));
    assert_eq!(n.pods.len(), 6);
    assert_eq!(n.pods[1].memory_limits.quantity, "170Mi");
    assert_eq!(n.pods[1].memory_limits.percent, Some(2));
    assert_eq!(n.pods[0].age.as_deref(), Some("3y360d"));
    assert_eq!(n.allocated.len(), 7);
    assert_eq!(n.allocated[0].requests.quantity, "200m");
    assert_eq!(n.allocated[6].resource, "hugepages-64Ki");
}

#[test]
fn kubectl132_deployment_then_replicaset() {
    let found = parse(&data("kubectl132_deployment_and_replicaset.txt"));
    let [Described::Deployment(d), Described::ReplicaSet(rs)] = found.as_slice() else {
        panic!("expected a deployment and a replicaset: {found:#?}");
    };
    assert_eq!(d.name, "nginx-deployment");
    assert_eq!(d.selector.as_deref(), Some("app=nginx"));
    assert_eq!(d.replicas.available, Some(1));
    assert_eq!(d.replicas.unavailable, Some(0));
    assert_eq!(d.conditions.len(), 2);
    assert_eq!(d.conditions[1].reason, "MinimumReplicasAvailable");
    assert_eq!(d.old_replicasets, ["nginx-deployment-d74bb6667"]);
    assert_eq!(
        d.new_replicaset.as_deref(),
        Some("nginx-deployment-7986654d4")
    );
    assert_eq!(rs.line, 44);
    assert_eq!(
        rs.controlled_by.as_deref(),
        Some("Deployment/nginx-deployment")
    );
    assert_eq!((rs.replicas.total, rs.replicas.desired), (Some(1), Some(1)));
    assert_eq!(rs.pods_status.as_ref().map(|p| p.running), Some(1));
}

#[test]
fn services_and_statefulsets_are_not_mistaken_for_pods_or_deployments() {
    // Hand-written in the layout of `kubectl describe service` and
    // `kubectl describe statefulset`, followed by a pod, and a ConfigMap (a kind
    // the parser does not read).
    let text = "\
Name:              kube-dns
Namespace:         kube-system
Labels:            k8s-app=kube-dns
Annotations:       <none>
Selector:          k8s-app=kube-dns
Type:              ClusterIP
IP Family Policy:  SingleStack
IP Families:       IPv4
IP:                10.96.0.10
IPs:               10.96.0.10
Port:              dns  53/UDP
Events:            <none>

Name:               web
Namespace:          default
CreationTimestamp:  Thu, 17 Feb 2022 16:46:30 -0500
Selector:           app=web
Labels:             <none>
Annotations:        <none>
Replicas:           3 desired | 3 total
Update Strategy:    RollingUpdate
Pods Status:        3 Running / 0 Waiting / 0 Succeeded / 0 Failed
Events:             <none>
"
    .to_string()
        + &data("s8_2_pod_running_nginx.txt")
        + "
Name:         kube-root-ca.crt
Namespace:    default
Labels:       <none>
Annotations:  <none>

Data
====
";
    let found = parse(&text);
    let kinds: Vec<(&str, &str)> = found.iter().map(|d| (d.kind(), d.name())).collect();
    assert_eq!(
        kinds,
        [
            ("Service", "kube-dns"),
            ("StatefulSet", "web"),
            ("Pod", "nginx-deployment-67d4bdd6f5-w6kd7")
        ]
    );
}

#[test]
fn pre_1_11_events_table() {
    // Hand-written in the layout of kubectl 1.5-1.10 (`FirstSeen LastSeen
    // Count From SubObjectPath Type Reason Message`).
    let text = "\
Name:\t\tcalico-policy-controller-6hj9l
Namespace:\tkube-system
Node:\t\tk8s-node1/10.0.0.5
Start Time:\tMon, 05 Mar 2018 10:00:00 +0000
Status:\t\tPending
Events:
  FirstSeen\tLastSeen\tCount\tFrom\t\t\tSubObjectPath\t\t\t\tType\t\tReason\t\tMessage
  ---------\t--------\t-----\t----\t\t\t-------------\t\t\t\t--------\t------\t\t-------
  9m\t\t9m\t\t1\tdefault-scheduler\t\t\t\t\t\tNormal\t\tScheduled\tSuccessfully assigned calico-policy-controller-6hj9l to k8s-node1
  9m\t\t1m\t\t7\tkubelet, k8s-node1\tspec.containers{calico-policy-controller}\tNormal\t\tPulling\t\tpulling image \"quay.io/calico/kube-policy-controller:v0.7.0\"
";
    let spaced = "\
Name:         calico-policy-controller-6hj9l
Namespace:    kube-system
Node:         k8s-node1/10.0.0.5
Start Time:   Mon, 05 Mar 2018 10:00:00 +0000
Status:       Pending
Events:
  FirstSeen  LastSeen  Count  From                SubObjectPath                               Type     Reason     Message
  ---------  --------  -----  ----                -------------                               ----     ------     -------
  9m         9m        1      default-scheduler                                               Normal   Scheduled  Successfully assigned calico-policy-controller-6hj9l to k8s-node1
  9m         1m        7      kubelet, k8s-node1  spec.containers{calico-policy-controller}   Warning  Failed     Failed to pull image \"quay.io/calico/kube-policy-controller:v0.7.0\": rpc error
";
    for t in [text, spaced] {
        let found = parse(t);
        let [Described::Pod(p)] = found.as_slice() else {
            panic!("{found:#?}")
        };
        assert_eq!(p.node.as_deref(), Some("k8s-node1"));
        assert_eq!(p.events.len(), 2, "{:#?}", p.events);
        let e = &p.events[1];
        assert_eq!(e.age, "1m");
        assert_eq!(e.count, Some(7));
        assert_eq!(e.over.as_deref(), Some("9m"));
        assert_eq!(e.from, "kubelet, k8s-node1");
        assert!(
            e.message
                .contains("quay.io/calico/kube-policy-controller:v0.7.0")
        );
        assert_eq!(p.events[0].reason, "Scheduled");
        assert_eq!(p.events[0].count, None);
        assert_eq!(p.events[0].from, "default-scheduler");
    }
}
