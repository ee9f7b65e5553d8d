//! Property: for generated pods and nodes, `parse(render(x))` yields the facts
//! of `x`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, Event, EventSource, Node, NodeCondition, NodeSpec,
    NodeStatus, NodeSystemInfo, Pod, PodCondition, PodSpec, PodStatus, ResourceRequirements, Taint,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use kbundle_describe::{
    ContainerFacts, ContainerStateFacts, Described, EventFacts, NodeConditionFacts, NodeFacts,
    PodConditionFacts, PodFacts, TaintFacts, describe_node, describe_pod, parse,
};
use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;

const NOW: i64 = 1_795_500_000;

fn now() -> Timestamp {
    Timestamp::from_second(NOW).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn time() -> impl Strategy<Value = Timestamp> {
    (NOW - 400 * 86_400..NOW)
        .prop_map(|s| Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH))
}

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,15}"
}

fn word_cap() -> impl Strategy<Value = String> {
    "[A-Z][A-Za-z]{0,14}"
}

fn message() -> impl Strategy<Value = String> {
    vec("[A-Za-z0-9:,.()/=_-]{1,10}", 1..8).prop_map(|w| w.join(" "))
}

fn labels() -> impl Strategy<Value = BTreeMap<String, String>> {
    btree_map("[a-z][a-z0-9./-]{0,12}", "[a-z0-9]{0,8}", 0..4)
}

fn resources() -> impl Strategy<Value = BTreeMap<String, Quantity>> {
    (option::of(1u32..1000), option::of(1u32..1024)).prop_map(|(cpu, mem)| {
        let mut m = BTreeMap::new();
        if let Some(c) = cpu {
            m.insert("cpu".to_string(), Quantity(format!("{c}m")));
        }
        if let Some(g) = mem {
            m.insert("memory".to_string(), Quantity(format!("{g}Mi")));
        }
        m
    })
}

fn state() -> impl Strategy<Value = ContainerState> {
    prop_oneof![
        time().prop_map(|t| ContainerState {
            running: Some(ContainerStateRunning {
                started_at: Some(Time(t))
            }),
            ..ContainerState::default()
        }),
        option::of(word_cap()).prop_map(|r| ContainerState {
            waiting: Some(ContainerStateWaiting {
                reason: r,
                message: None
            }),
            ..ContainerState::default()
        }),
        terminated(),
    ]
}

fn terminated() -> impl Strategy<Value = ContainerState> {
    (
        option::of(word_cap()),
        option::of(message()),
        0i32..256,
        time(),
        time(),
    )
        .prop_map(|(reason, message, exit_code, a, b)| ContainerState {
            terminated: Some(ContainerStateTerminated {
                reason,
                message,
                exit_code,
                started_at: Some(Time(a.min(b))),
                finished_at: Some(Time(a.max(b))),
                ..ContainerStateTerminated::default()
            }),
            ..ContainerState::default()
        })
}

#[derive(Debug, Clone)]
struct GenContainer {
    container: Container,
    status: Option<ContainerStatus>,
}

fn container() -> impl Strategy<Value = GenContainer> {
    (
        name(),
        "[a-z0-9./:-]{1,30}",
        resources(),
        resources(),
        option::of((
            state(),
            option::of(terminated()),
            any::<bool>(),
            0i32..5000,
            "[a-z0-9]{0,16}",
        )),
    )
        .prop_map(|(name, image, limits, requests, status)| GenContainer {
            container: Container {
                name: name.clone(),
                image: Some(image.clone()),
                resources: Some(ResourceRequirements {
                    limits: Some(limits).filter(|l| !l.is_empty()),
                    requests: Some(requests).filter(|r| !r.is_empty()),
                    ..ResourceRequirements::default()
                }),
                ..Container::default()
            },
            status: status.map(|(state, last, ready, restarts, id)| ContainerStatus {
                name,
                image,
                image_id: format!("sha256:{id}"),
                container_id: Some(format!("containerd://{id}")).filter(|_| !id.is_empty()),
                state: Some(state),
                last_state: last,
                ready,
                restart_count: restarts,
                ..ContainerStatus::default()
            }),
        })
}

fn rename(c: &mut GenContainer, name: String) {
    if let Some(s) = c.status.as_mut() {
        s.name = name.clone();
    }
    c.container.name = name;
}

fn event() -> impl Strategy<Value = Event> {
    (
        prop_oneof![Just("Normal"), Just("Warning")],
        word_cap(),
        message(),
        "[a-z][a-z-]{0,12}",
        1i32..500,
        0i64..40 * 86_400,
        0i64..86_400,
    )
        .prop_map(|(ty, reason, message, from, count, first_ago, span)| {
            let first =
                Timestamp::from_second(NOW - first_ago - span).unwrap_or(Timestamp::UNIX_EPOCH);
            let last = Timestamp::from_second(NOW - first_ago).unwrap_or(Timestamp::UNIX_EPOCH);
            Event {
                type_: Some(ty.to_string()),
                reason: Some(reason),
                message: Some(message),
                source: Some(EventSource {
                    component: Some(from),
                    host: None,
                }),
                count: Some(count),
                first_timestamp: Some(Time(first)),
                last_timestamp: Some(Time(last)),
                ..Event::default()
            }
        })
}

fn pod() -> impl Strategy<Value = (Pod, Vec<GenContainer>, Vec<GenContainer>)> {
    (
        (
            name(),
            name(),
            option::of(name()),
            option::of(time()),
            labels(),
        ),
        (
            prop_oneof![
                Just("Running"),
                Just("Pending"),
                Just("Failed"),
                Just("Succeeded")
            ],
            option::of(word_cap()),
            option::of(message()),
            prop_oneof![Just("BestEffort"), Just("Burstable"), Just("Guaranteed")],
        ),
        vec(container(), 0..3),
        vec(container(), 1..4),
        vec(
            (
                word_cap(),
                prop_oneof![Just("True"), Just("False"), Just("Unknown")],
            ),
            0..5,
        ),
    )
        .prop_map(
            |(
                (n, ns, node, start, labels),
                (phase, reason, msg, qos),
                mut init,
                mut main,
                conds,
            )| {
                // Container names are unique within a pod.
                for (i, c) in init.iter_mut().enumerate() {
                    rename(c, format!("{}-i{i}", c.container.name));
                }
                for (i, c) in main.iter_mut().enumerate() {
                    rename(c, format!("{}-m{i}", c.container.name));
                }
                let statuses = |cs: &[GenContainer]| -> Option<Vec<ContainerStatus>> {
                    let v: Vec<ContainerStatus> =
                        cs.iter().filter_map(|c| c.status.clone()).collect();
                    Some(v).filter(|v| !v.is_empty())
                };
                let pod = Pod {
                    metadata: ObjectMeta {
                        name: Some(n),
                        namespace: Some(ns),
                        labels: Some(labels),
                        ..ObjectMeta::default()
                    },
                    spec: Some(PodSpec {
                        node_name: node,
                        init_containers: Some(init.iter().map(|c| c.container.clone()).collect()),
                        containers: main.iter().map(|c| c.container.clone()).collect(),
                        ..PodSpec::default()
                    }),
                    status: Some(PodStatus {
                        phase: Some(phase.to_string()),
                        reason,
                        message: msg,
                        host_ip: Some("10.1.2.3".to_string()),
                        start_time: start.map(Time),
                        qos_class: Some(qos.to_string()),
                        init_container_statuses: statuses(&init),
                        container_statuses: statuses(&main),
                        conditions: Some(
                            conds
                                .into_iter()
                                .map(|(t, s)| PodCondition {
                                    type_: t,
                                    status: s.to_string(),
                                    ..PodCondition::default()
                                })
                                .collect(),
                        ),
                        ..PodStatus::default()
                    }),
                };
                (pod, init, main)
            },
        )
}

fn state_facts(s: Option<&ContainerState>) -> Option<ContainerStateFacts> {
    let s = s.cloned().unwrap_or_default();
    let ts = |t: &Option<Time>| t.as_ref().map(|t| t.0);
    Some(if let Some(r) = &s.running {
        ContainerStateFacts {
            state: "Running".into(),
            started: ts(&r.started_at),
            ..Default::default()
        }
    } else if let Some(w) = &s.waiting {
        ContainerStateFacts {
            state: "Waiting".into(),
            reason: w.reason.clone(),
            ..Default::default()
        }
    } else if let Some(t) = &s.terminated {
        ContainerStateFacts {
            state: "Terminated".into(),
            reason: t.reason.clone(),
            message: t.message.clone(),
            exit_code: Some(i64::from(t.exit_code)),
            started: ts(&t.started_at),
            finished: ts(&t.finished_at),
            ..Default::default()
        }
    } else {
        ContainerStateFacts {
            state: "Waiting".into(),
            ..Default::default()
        }
    })
}

fn quantities(m: Option<&BTreeMap<String, Quantity>>) -> BTreeMap<String, String> {
    m.into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.0.clone()))
        .collect()
}

fn container_facts(c: &GenContainer) -> ContainerFacts {
    let r = c.container.resources.clone().unwrap_or_default();
    let st = c.status.as_ref();
    ContainerFacts {
        name: c.container.name.clone(),
        container_id: st.and_then(|s| s.container_id.clone()),
        image: c.container.image.clone(),
        image_id: st.map(|s| s.image_id.clone()),
        state: st.and_then(|s| state_facts(s.state.as_ref())),
        last_state: st
            .and_then(|s| s.last_state.as_ref())
            .and_then(|l| state_facts(Some(l))),
        ready: st.map(|s| s.ready),
        restart_count: st.map(|s| i64::from(s.restart_count)),
        limits: quantities(r.limits.as_ref()),
        requests: quantities(r.requests.as_ref()),
        ..ContainerFacts::default()
    }
}

fn event_facts(e: &Event) -> EventFacts {
    let count = e.count.unwrap_or(1);
    EventFacts {
        type_: e.type_.clone().unwrap_or_default(),
        reason: e.reason.clone().unwrap_or_default(),
        count: (count > 1).then_some(count as u64),
        from: e
            .source
            .as_ref()
            .and_then(|s| s.component.clone())
            .unwrap_or_default(),
        message: e.message.clone().unwrap_or_default(),
        ..EventFacts::default()
    }
}

/// Drops what depends on layout (line numbers) or on the clock (ages).
fn strip_events(events: &mut [EventFacts]) {
    for e in events.iter_mut() {
        e.line = 0;
        e.age = String::new();
        e.over = None;
    }
}

fn strip_pod(mut p: PodFacts) -> PodFacts {
    p.line = 0;
    for c in p.containers.iter_mut().chain(p.init_containers.iter_mut()) {
        c.line = 0;
        for s in [&mut c.state, &mut c.last_state].into_iter().flatten() {
            s.line = 0;
        }
    }
    strip_events(&mut p.events);
    p
}

fn sorted_events(events: &[Event]) -> Vec<Event> {
    let mut v = events.to_vec();
    // Distinct timestamps in these tests, so any correct sort agrees.
    v.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0));
    v
}

fn distinct_times(events: &[Event]) -> bool {
    let mut t: Vec<_> = events
        .iter()
        .map(|e| e.last_timestamp.as_ref().map(|t| t.0))
        .collect();
    t.sort();
    t.windows(2).all(|w| w[0] != w[1])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn pods_round_trip((pod, init, main) in pod(), events in vec(event(), 0..6)) {
        prop_assume!(distinct_times(&events));
        let text = describe_pod(&pod, &events, now());
        let found = parse(&text);
        prop_assert_eq!(found.len(), 1, "{}", text);
        let Some(Described::Pod(got)) = found.into_iter().next() else {
            return Err(TestCaseError::fail(format!("not a pod:\n{text}")));
        };
        let status = pod.status.clone().unwrap_or_default();
        let spec = pod.spec.clone().unwrap_or_default();
        let want = PodFacts {
            name: pod.metadata.name.clone().unwrap_or_default(),
            namespace: pod.metadata.namespace.clone(),
            node: spec.node_name.clone(),
            host_ip: spec.node_name.as_ref().and(status.host_ip.clone()),
            start_time: status.start_time.as_ref().map(|t| t.0),
            labels: pod.metadata.labels.clone().unwrap_or_default(),
            status: status.phase.clone(),
            reason: status.reason.clone(),
            message: status.message.clone(),
            init_containers: init.iter().map(container_facts).collect(),
            containers: main.iter().map(container_facts).collect(),
            conditions: status.conditions.iter().flatten().map(|c| PodConditionFacts {
                type_: c.type_.clone(),
                status: c.status.clone(),
            }).collect(),
            qos_class: status.qos_class.clone(),
            events: sorted_events(&events).iter().map(event_facts).collect(),
            ..PodFacts::default()
        };
        prop_assert_eq!(strip_pod(got), want, "{}", text);
    }
}

fn taint() -> impl Strategy<Value = Taint> {
    (
        "[a-z][a-z0-9./-]{0,15}",
        option::of("[a-z0-9]{1,6}"),
        prop_oneof![
            Just("NoSchedule"),
            Just("PreferNoSchedule"),
            Just("NoExecute")
        ],
    )
        .prop_map(|(key, value, effect)| Taint {
            key,
            value,
            effect: effect.to_string(),
            time_added: None,
        })
}

fn node() -> impl Strategy<Value = Node> {
    (
        (
            name(),
            labels(),
            vec("[a-z]{1,8}", 0..3),
            time(),
            any::<bool>(),
        ),
        vec(taint(), 0..4),
        vec(
            (
                word_cap(),
                prop_oneof![Just("True"), Just("False"), Just("Unknown")],
                time(),
                time(),
                word_cap(),
                message(),
            ),
            0..5,
        ),
        (1u32..64, 1u32..1023, "v1\\.[0-9]{2}\\.[0-9]"),
    )
        .prop_map(
            |((n, mut labels, roles, created, unsched), taints, conds, (cpu, mem, kubelet))| {
                for r in roles {
                    labels.insert(format!("node-role.kubernetes.io/{r}"), String::new());
                }
                let res: BTreeMap<String, Quantity> = [
                    ("cpu".to_string(), Quantity(cpu.to_string())),
                    ("memory".to_string(), Quantity(format!("{mem}Mi"))),
                    ("pods".to_string(), Quantity("110".to_string())),
                ]
                .into_iter()
                .collect();
                Node {
                    metadata: ObjectMeta {
                        name: Some(n),
                        labels: Some(labels),
                        creation_timestamp: Some(Time(created)),
                        ..ObjectMeta::default()
                    },
                    spec: Some(NodeSpec {
                        taints: Some(taints),
                        unschedulable: Some(unsched),
                        ..NodeSpec::default()
                    }),
                    status: Some(NodeStatus {
                        capacity: Some(res.clone()),
                        allocatable: Some(res),
                        conditions: Some(
                            conds
                                .into_iter()
                                .map(|(t, s, hb, tr, reason, message)| NodeCondition {
                                    type_: t,
                                    status: s.to_string(),
                                    last_heartbeat_time: Some(Time(hb)),
                                    last_transition_time: Some(Time(tr)),
                                    reason: Some(reason),
                                    message: Some(message),
                                })
                                .collect(),
                        ),
                        node_info: Some(NodeSystemInfo {
                            kubelet_version: kubelet,
                            ..NodeSystemInfo::default()
                        }),
                        ..NodeStatus::default()
                    }),
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn nodes_round_trip(node in node(), events in vec(event(), 0..5)) {
        prop_assume!(distinct_times(&events));
        let text = describe_node(&node, None, &[], &events, now());
        let found = parse(&text);
        prop_assert_eq!(found.len(), 1, "{}", text);
        let Some(Described::Node(mut got)) = found.into_iter().next() else {
            return Err(TestCaseError::fail(format!("not a node:\n{text}")));
        };
        let spec = node.spec.clone().unwrap_or_default();
        let status = node.status.clone().unwrap_or_default();
        let labels = node.metadata.labels.clone().unwrap_or_default();
        let mut roles: Vec<String> = labels
            .keys()
            .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect();
        roles.sort();
        roles.dedup();
        let mut taints = spec.taints.clone().unwrap_or_default();
        taints.sort_by_key(|t| (t.effect.clone(), t.key.clone()));
        let want = NodeFacts {
            name: node.metadata.name.clone().unwrap_or_default(),
            roles,
            labels,
            creation_timestamp: node.metadata.creation_timestamp.as_ref().map(|t| t.0),
            taints: taints.iter().map(|t| TaintFacts { key: t.key.clone(), value: t.value.clone(), effect: t.effect.clone() }).collect(),
            unschedulable: spec.unschedulable,
            conditions: status.conditions.iter().flatten().map(|c| NodeConditionFacts {
                type_: c.type_.clone(),
                status: c.status.clone(),
                last_heartbeat: c.last_heartbeat_time.as_ref().map(|t| t.0),
                last_transition: c.last_transition_time.as_ref().map(|t| t.0),
                reason: c.reason.clone().unwrap_or_default(),
                message: c.message.clone().unwrap_or_default(),
                ..NodeConditionFacts::default()
            }).collect(),
            capacity: quantities(status.capacity.as_ref()),
            allocatable: quantities(status.allocatable.as_ref()),
            kubelet_version: status.node_info.as_ref().map(|i| i.kubelet_version.clone()),
            container_runtime_version: None,
            events: sorted_events(&events).iter().map(event_facts).collect(),
            ..NodeFacts::default()
        };
        got.line = 0;
        for c in &mut got.conditions {
            c.line = 0;
        }
        strip_events(&mut got.events);
        got.allocated.clear();
        got.addresses.clear();
        prop_assert_eq!(got, want, "{}", text);
    }
}

fn deployment() -> impl Strategy<Value = k8s_openapi::api::apps::v1::Deployment> {
    use k8s_openapi::api::apps::v1::{
        Deployment, DeploymentCondition, DeploymentSpec, DeploymentStatus,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
    (
        (
            name(),
            name(),
            btree_map("[a-z][a-z0-9.-]{0,8}", "[a-z0-9]{1,6}", 1..3),
        ),
        (0i32..50, 0i32..50, 0i32..50, 0i32..50, 0i32..50),
        vec(
            (
                word_cap(),
                prop_oneof![Just("True"), Just("False")],
                word_cap(),
            ),
            0..3,
        ),
    )
        .prop_map(
            |((n, ns, sel), (desired, updated, total, available, unavailable), conds)| Deployment {
                metadata: ObjectMeta {
                    name: Some(n),
                    namespace: Some(ns),
                    ..ObjectMeta::default()
                },
                spec: Some(DeploymentSpec {
                    replicas: Some(desired),
                    selector: LabelSelector {
                        match_labels: Some(sel),
                        ..LabelSelector::default()
                    },
                    ..DeploymentSpec::default()
                }),
                status: Some(DeploymentStatus {
                    updated_replicas: Some(updated),
                    replicas: Some(total),
                    available_replicas: Some(available),
                    unavailable_replicas: Some(unavailable),
                    conditions: Some(
                        conds
                            .into_iter()
                            .map(|(t, s, r)| DeploymentCondition {
                                type_: t,
                                status: s.to_string(),
                                reason: Some(r),
                                ..DeploymentCondition::default()
                            })
                            .collect(),
                    ),
                    ..DeploymentStatus::default()
                }),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn deployments_round_trip(d in deployment(), events in vec(event(), 0..4)) {
        prop_assume!(distinct_times(&events));
        let text = kbundle_describe::describe_deployment(&d, &[], &events, now());
        let found = parse(&text);
        let [Described::Deployment(got)] = found.as_slice() else {
            return Err(TestCaseError::fail(format!("not one deployment:\n{text}")));
        };
        let spec = d.spec.clone().unwrap_or_default();
        let status = d.status.clone().unwrap_or_default();
        let selector: Vec<String> = spec
            .selector
            .match_labels
            .iter()
            .flatten()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        prop_assert_eq!(&got.name, d.metadata.name.as_deref().unwrap_or_default());
        prop_assert_eq!(&got.namespace, &d.metadata.namespace);
        prop_assert_eq!(got.selector.clone(), Some(selector.join(",")));
        let r = &got.replicas;
        prop_assert_eq!(
            (r.desired, r.updated, r.total, r.available, r.unavailable),
            (
                spec.replicas.map(i64::from),
                status.updated_replicas.map(i64::from),
                status.replicas.map(i64::from),
                status.available_replicas.map(i64::from),
                status.unavailable_replicas.map(i64::from)
            )
        );
        let conds: Vec<(String, String, String)> = got
            .conditions
            .iter()
            .map(|c| (c.type_.clone(), c.status.clone(), c.reason.clone()))
            .collect();
        let want: Vec<(String, String, String)> = status
            .conditions
            .iter()
            .flatten()
            .map(|c| (c.type_.clone(), c.status.clone(), c.reason.clone().unwrap_or_default()))
            .collect();
        prop_assert_eq!(conds, want);
        let mut got_events = got.events.clone();
        strip_events(&mut got_events);
        let want_events: Vec<EventFacts> = sorted_events(&events).iter().map(event_facts).collect();
        prop_assert_eq!(got_events, want_events);
    }
}

// The kinds of issue #17: DaemonSet, StatefulSet, Service, Job, PersistentVolumeClaim.

mod kinds {
    use super::*;
    use k8s_openapi::api::apps::v1::{
        DaemonSet, DaemonSetSpec, DaemonSetStatus, RollingUpdateStatefulSetStrategy, StatefulSet,
        StatefulSetSpec, StatefulSetStatus, StatefulSetUpdateStrategy,
    };
    use k8s_openapi::api::batch::v1::{Job, JobSpec, JobStatus};
    use k8s_openapi::api::core::v1::{
        LoadBalancerIngress, LoadBalancerStatus, PersistentVolumeClaim, PersistentVolumeClaimSpec,
        PersistentVolumeClaimStatus, PersistentVolumeClaimVolumeSource, PodTemplateSpec, Service,
        ServicePort, ServiceSpec, ServiceStatus, Volume, VolumeResourceRequirements,
    };
    use k8s_openapi::api::discovery::v1::{
        Endpoint, EndpointConditions, EndpointPort, EndpointSlice,
    };
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, OwnerReference};
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    use kbundle_describe::{JobPodsFacts, PodsStatusFacts, ServicePortFacts};

    const PHASES: [&str; 5] = ["Running", "Pending", "Succeeded", "Failed", "Unknown"];

    fn meta(name: String, ns: String, uid: &str) -> ObjectMeta {
        ObjectMeta {
            name: Some(name),
            namespace: Some(ns),
            uid: Some(uid.to_string()),
            ..ObjectMeta::default()
        }
    }

    fn selector(labels: &BTreeMap<String, String>) -> (LabelSelector, Option<String>) {
        let text = labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        let sel = LabelSelector {
            match_labels: Some(labels.clone()),
            ..LabelSelector::default()
        };
        (sel, (!text.is_empty()).then_some(text))
    }

    /// Pods of `ns` in the given phases, controlled by the owner `uid` (or not, when
    /// `owned` is false), and the `Pods Status` they give.
    fn owned_pods(ns: &str, uid: &str, phases: &[(usize, bool)]) -> (Vec<Pod>, PodsStatusFacts) {
        let mut status = PodsStatusFacts::default();
        let pods = phases
            .iter()
            .enumerate()
            .map(|(i, &(phase, owned))| {
                let phase = PHASES[phase % PHASES.len()];
                if owned {
                    match phase {
                        "Running" => status.running += 1,
                        "Pending" => status.waiting += 1,
                        "Succeeded" => status.succeeded += 1,
                        "Failed" => status.failed += 1,
                        _ => {}
                    }
                }
                Pod {
                    metadata: ObjectMeta {
                        owner_references: Some(vec![OwnerReference {
                            uid: if owned {
                                uid.to_string()
                            } else {
                                "other".into()
                            },
                            controller: Some(true),
                            kind: "X".into(),
                            name: "x".into(),
                            ..OwnerReference::default()
                        }]),
                        ..meta(format!("pod-{i}"), ns.to_string(), &format!("pod-uid-{i}"))
                    },
                    status: Some(PodStatus {
                        phase: Some(phase.to_string()),
                        ..PodStatus::default()
                    }),
                    ..Pod::default()
                }
            })
            .collect();
        (pods, status)
    }

    fn events_of(got: &[EventFacts], events: &[Event]) -> (Vec<EventFacts>, Vec<EventFacts>) {
        let mut got = got.to_vec();
        strip_events(&mut got);
        (got, sorted_events(events).iter().map(event_facts).collect())
    }

    fn phases() -> impl Strategy<Value = Vec<(usize, bool)>> {
        vec((0usize..5, proptest::bool::weighted(0.8)), 0..8)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(100))]

        #[test]
        fn daemonsets_round_trip(
            (n, ns) in (name(), name()),
            labels in labels(),
            node_selector in labels(),
            counts in vec(0i32..5000, 5),
            pod_phases in phases(),
            events in vec(event(), 0..4),
        ) {
            prop_assume!(distinct_times(&events));
            let (sel, sel_text) = selector(&labels);
            let (pods, status) = owned_pods(&ns, "ds-uid", &pod_phases);
            let ds = DaemonSet {
                metadata: meta(n.clone(), ns, "ds-uid"),
                spec: Some(DaemonSetSpec {
                    selector: sel,
                    template: PodTemplateSpec {
                        spec: Some(PodSpec {
                            node_selector: Some(node_selector.clone()),
                            ..PodSpec::default()
                        }),
                        ..PodTemplateSpec::default()
                    },
                    ..DaemonSetSpec::default()
                }),
                status: Some(DaemonSetStatus {
                    desired_number_scheduled: counts[0],
                    current_number_scheduled: counts[1],
                    updated_number_scheduled: Some(counts[2]),
                    number_available: Some(counts[3]),
                    number_misscheduled: counts[4],
                    ..DaemonSetStatus::default()
                }),
            };
            let text = kbundle_describe::describe_daemonset(&ds, &pods, &events, now());
            let found = parse(&text);
            let [Described::DaemonSet(got)] = found.as_slice() else {
                return Err(TestCaseError::fail(format!("not one daemonset:\n{text}")));
            };
            prop_assert_eq!(&got.name, &n);
            prop_assert_eq!(&got.selector, &sel_text);
            let node_sel: Vec<String> =
                node_selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
            prop_assert_eq!(got.node_selector.clone(), (!node_sel.is_empty()).then(|| node_sel.join(",")));
            let want: Vec<Option<i64>> = counts.iter().map(|c| Some(i64::from(*c))).collect();
            prop_assert_eq!(
                vec![got.desired_scheduled, got.current_scheduled, got.updated_scheduled, got.available, got.misscheduled],
                want
            );
            prop_assert_eq!(got.pods_status.clone(), Some(status));
            let (g, w) = events_of(&got.events, &events);
            prop_assert_eq!(g, w);
        }

        #[test]
        fn statefulsets_round_trip(
            (n, ns) in (name(), name()),
            labels in labels(),
            (desired, total) in (0i32..500, 0i32..500),
            strategy in prop_oneof![Just("RollingUpdate"), Just("OnDelete")],
            partition in option::of(0i32..50),
            claims in proptest::collection::btree_set(name(), 0..3),
            pod_phases in phases(),
            events in vec(event(), 0..4),
        ) {
            prop_assume!(distinct_times(&events));
            let (sel, sel_text) = selector(&labels);
            let (pods, status) = owned_pods(&ns, "sts-uid", &pod_phases);
            let sts = StatefulSet {
                metadata: meta(n.clone(), ns.clone(), "sts-uid"),
                spec: Some(StatefulSetSpec {
                    replicas: Some(desired),
                    selector: sel,
                    update_strategy: Some(StatefulSetUpdateStrategy {
                        type_: Some(strategy.to_string()),
                        rolling_update: Some(RollingUpdateStatefulSetStrategy {
                            partition,
                            max_unavailable: None,
                        }),
                    }),
                    volume_claim_templates: Some(
                        claims
                            .iter()
                            .map(|c| PersistentVolumeClaim {
                                metadata: ObjectMeta {
                                    name: Some(c.clone()),
                                    ..ObjectMeta::default()
                                },
                                ..PersistentVolumeClaim::default()
                            })
                            .collect(),
                    ),
                    ..StatefulSetSpec::default()
                }),
                status: Some(StatefulSetStatus {
                    replicas: total,
                    ..StatefulSetStatus::default()
                }),
            };
            let text = kbundle_describe::describe_statefulset(&sts, &pods, &events, now());
            let found = parse(&text);
            let [Described::StatefulSet(got)] = found.as_slice() else {
                return Err(TestCaseError::fail(format!("not one statefulset:\n{text}")));
            };
            prop_assert_eq!(&got.name, &n);
            prop_assert_eq!(got.namespace.as_deref(), Some(ns.as_str()));
            prop_assert_eq!(&got.selector, &sel_text);
            prop_assert_eq!((got.desired, got.total), (Some(i64::from(desired)), Some(i64::from(total))));
            prop_assert_eq!(got.update_strategy.as_deref(), Some(strategy));
            prop_assert_eq!(got.partition, partition.map(i64::from));
            prop_assert_eq!(got.pods_status.clone(), Some(status));
            prop_assert_eq!(got.volume_claims.clone(), claims.into_iter().collect::<Vec<_>>());
            let (g, w) = events_of(&got.events, &events);
            prop_assert_eq!(g, w);
        }

        #[test]
        fn services_round_trip(
            (n, ns) in (name(), name()),
            selector_labels in option::of(labels()),
            type_ in prop_oneof![Just("ClusterIP"), Just("NodePort"), Just("LoadBalancer")],
            ip in "172\\.21\\.[0-9]{1,3}\\.[0-9]{1,3}",
            ports in proptest::collection::btree_map(
                "[a-z]{1,8}",
                (1i32..65536, prop_oneof![Just("TCP"), Just("UDP")], option::of(30000i32..32768), proptest::bool::ANY),
                0..3,
            ),
            endpoints in vec(("10\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}", option::of(proptest::bool::ANY)), 0..7),
            ingress in vec("[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}", 0..3),
            events in vec(event(), 0..4),
        ) {
            prop_assume!(distinct_times(&events));
            let svc = Service {
                metadata: meta(n.clone(), ns.clone(), "svc-uid"),
                spec: Some(ServiceSpec {
                    type_: Some(type_.to_string()),
                    selector: selector_labels.clone(),
                    cluster_ip: Some(ip.clone()),
                    ports: Some(
                        ports
                            .iter()
                            .map(|(name, (port, proto, node_port, named_target))| ServicePort {
                                name: Some(name.clone()),
                                port: *port,
                                protocol: Some(proto.to_string()),
                                node_port: *node_port,
                                target_port: Some(if *named_target {
                                    IntOrString::String(name.clone())
                                } else {
                                    IntOrString::Int(*port)
                                }),
                                ..ServicePort::default()
                            })
                            .collect(),
                    ),
                    ..ServiceSpec::default()
                }),
                status: Some(ServiceStatus {
                    load_balancer: Some(LoadBalancerStatus {
                        ingress: Some(
                            ingress
                                .iter()
                                .map(|i| LoadBalancerIngress {
                                    ip: Some(i.clone()),
                                    ..LoadBalancerIngress::default()
                                })
                                .collect(),
                        ),
                    }),
                    ..ServiceStatus::default()
                }),
            };
            let slice = EndpointSlice {
                metadata: ObjectMeta {
                    labels: Some(BTreeMap::from([(
                        "kubernetes.io/service-name".to_string(),
                        n.clone(),
                    )])),
                    ..meta(format!("{n}-abc"), ns, "slice-uid")
                },
                address_type: "IPv4".into(),
                endpoints: endpoints
                    .iter()
                    .map(|(ip, ready)| Endpoint {
                        addresses: vec![ip.clone()],
                        conditions: Some(EndpointConditions {
                            ready: *ready,
                            ..EndpointConditions::default()
                        }),
                        ..Endpoint::default()
                    })
                    .collect(),
                ports: Some(
                    ports
                        .iter()
                        .map(|(name, (port, ..))| EndpointPort {
                            name: Some(name.clone()),
                            port: Some(*port + 1),
                            ..EndpointPort::default()
                        })
                        .collect(),
                ),
            };
            let text = kbundle_describe::describe_service(&svc, &[slice], &events, now());
            let found = parse(&text);
            let [Described::Service(got)] = found.as_slice() else {
                return Err(TestCaseError::fail(format!("not one service:\n{text}")));
            };
            prop_assert_eq!(&got.name, &n);
            prop_assert_eq!(got.type_.as_deref(), Some(type_));
            prop_assert_eq!(got.cluster_ip.as_deref(), Some(ip.as_str()));
            let sel: Vec<String> = selector_labels.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
            prop_assert_eq!(got.selector.clone(), (!sel.is_empty()).then(|| sel.join(",")));
            prop_assert_eq!(&got.load_balancer_ingress, &ingress);
            let want: Vec<ServicePortFacts> = ports
                .iter()
                .map(|(name, (port, proto, node_port, named_target))| {
                    let ready: Vec<String> = endpoints
                        .iter()
                        .filter(|(_, r)| r.unwrap_or(true))
                        .map(|(ip, _)| format!("{ip}:{}", port + 1))
                        .collect();
                    ServicePortFacts {
                        line: 0,
                        name: Some(name.clone()),
                        port: Some(i64::from(*port)),
                        protocol: proto.to_string(),
                        target_port: Some(if *named_target { name.clone() } else { port.to_string() }),
                        node_port: node_port.map(i64::from),
                        more_endpoints: ready.len().saturating_sub(3) as u64,
                        endpoints: ready.into_iter().take(3).collect(),
                    }
                })
                .collect();
            let mut got_ports = got.ports.clone();
            for p in &mut got_ports {
                p.line = 0;
            }
            prop_assert_eq!(got_ports, want);
            let (g, w) = events_of(&got.events, &events);
            prop_assert_eq!(g, w);
        }

        #[test]
        fn jobs_round_trip(
            (n, ns) in (name(), name()),
            (parallelism, completions, suspend, backoff) in (option::of(0i32..20), option::of(1i32..100), option::of(proptest::bool::ANY), option::of(0i32..10)),
            (active, ready, succeeded, failed) in (0i32..20, option::of(0i32..20), 0i32..100, 0i32..100),
            (start, took) in (option::of(time()), option::of(0i64..100_000)),
            cron in option::of(name()),
            events in vec(event(), 0..4),
        ) {
            prop_assume!(distinct_times(&events));
            let end = start.zip(took).map(|(s, d)| {
                Timestamp::from_second(s.as_second() + d).unwrap_or(Timestamp::UNIX_EPOCH)
            });
            let job = Job {
                metadata: ObjectMeta {
                    owner_references: cron.clone().map(|c| {
                        vec![OwnerReference {
                            kind: "CronJob".into(),
                            name: c,
                            controller: Some(true),
                            ..OwnerReference::default()
                        }]
                    }),
                    ..meta(n.clone(), ns.clone(), "job-uid")
                },
                spec: Some(JobSpec {
                    parallelism,
                    completions,
                    suspend,
                    backoff_limit: backoff,
                    ..JobSpec::default()
                }),
                status: Some(JobStatus {
                    active: Some(active),
                    ready,
                    succeeded: Some(succeeded),
                    failed: Some(failed),
                    start_time: start.map(Time),
                    completion_time: end.map(Time),
                    ..JobStatus::default()
                }),
            };
            let text = kbundle_describe::describe_job(&job, &events, now());
            let found = parse(&text);
            let [Described::Job(got)] = found.as_slice() else {
                return Err(TestCaseError::fail(format!("not one job:\n{text}")));
            };
            prop_assert_eq!(&got.name, &n);
            prop_assert_eq!(got.namespace.as_deref(), Some(ns.as_str()));
            prop_assert_eq!(got.controlled_by.clone(), cron.map(|c| format!("CronJob/{c}")));
            prop_assert_eq!(
                (got.parallelism, got.completions, got.suspend, got.backoff_limit),
                (parallelism.map(i64::from), completions.map(i64::from), suspend, backoff.map(i64::from))
            );
            prop_assert_eq!(
                got.pods.clone(),
                Some(JobPodsFacts {
                    active: i64::from(active),
                    ready: ready.map(i64::from),
                    succeeded: i64::from(succeeded),
                    failed: i64::from(failed),
                })
            );
            prop_assert_eq!((got.start_time, got.completed_at), (start, end));
            prop_assert_eq!(got.duration.is_some(), end.is_some());
            let (g, w) = events_of(&got.events, &events);
            prop_assert_eq!(g, w);
        }

        #[test]
        fn persistentvolumeclaims_round_trip(
            (n, ns) in (name(), name()),
            class in option::of("[a-z][a-z0-9-]{0,20}"),
            phase in prop_oneof![Just("Pending"), Just("Bound"), Just("Lost")],
            volume in option::of("pvc-[a-f0-9]{8}"),
            gib in 1u32..1024,
            modes in proptest::sample::subsequence(vec!["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"], 0..4),
            users in proptest::collection::btree_set(name(), 0..4),
            events in vec(event(), 0..4),
        ) {
            prop_assume!(distinct_times(&events));
            let storage = BTreeMap::from([("storage".to_string(), Quantity(format!("{gib}Gi")))]);
            let modes: Vec<String> = modes.into_iter().map(str::to_string).collect();
            let pvc = PersistentVolumeClaim {
                metadata: meta(n.clone(), ns.clone(), "pvc-uid"),
                spec: Some(PersistentVolumeClaimSpec {
                    storage_class_name: class.clone(),
                    volume_name: volume.clone(),
                    access_modes: Some(modes.clone()),
                    resources: Some(VolumeResourceRequirements {
                        requests: Some(storage.clone()),
                        ..VolumeResourceRequirements::default()
                    }),
                    ..PersistentVolumeClaimSpec::default()
                }),
                status: Some(PersistentVolumeClaimStatus {
                    phase: Some(phase.to_string()),
                    access_modes: Some(modes.clone()),
                    capacity: Some(storage),
                    ..PersistentVolumeClaimStatus::default()
                }),
            };
            let pods: Vec<Pod> = users
                .iter()
                .map(|u| Pod {
                    metadata: meta(u.clone(), ns.clone(), u),
                    spec: Some(PodSpec {
                        volumes: Some(vec![Volume {
                            name: "v".into(),
                            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                                claim_name: n.clone(),
                                read_only: None,
                            }),
                            ..Volume::default()
                        }]),
                        ..PodSpec::default()
                    }),
                    ..Pod::default()
                })
                .collect();
            let text = kbundle_describe::describe_persistentvolumeclaim(&pvc, &pods, &events, now());
            let found = parse(&text);
            let [Described::PersistentVolumeClaim(got)] = found.as_slice() else {
                return Err(TestCaseError::fail(format!("not one pvc:\n{text}")));
            };
            prop_assert_eq!(&got.name, &n);
            prop_assert_eq!(got.namespace.as_deref(), Some(ns.as_str()));
            prop_assert_eq!(got.storage_class.clone(), class.filter(|c| !c.is_empty()));
            prop_assert_eq!(got.status.as_deref(), Some(phase));
            prop_assert_eq!(&got.volume, &volume);
            let short = |m: &str| match m {
                "ReadWriteOnce" => "RWO",
                "ReadOnlyMany" => "ROX",
                "ReadWriteMany" => "RWX",
                _ => "RWOP",
            };
            let (capacity, want_modes): (Option<String>, Vec<String>) = if volume.is_some() {
                (Some(format!("{gib}Gi")), modes.iter().map(|m| short(m).to_string()).collect())
            } else {
                (None, Vec::new())
            };
            prop_assert_eq!(&got.capacity, &capacity);
            prop_assert_eq!(&got.access_modes, &want_modes);
            prop_assert_eq!(got.used_by.clone(), users.into_iter().collect::<Vec<_>>());
            let (g, w) = events_of(&got.events, &events);
            prop_assert_eq!(g, w);
        }
    }
}
