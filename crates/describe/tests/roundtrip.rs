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
