//! Hand-built objects shared by describe's snapshot tests and the kubectl comparison
//! (`tests/e2e/describe.rs`).
//!
//! Every timestamp is relative to `now`, so the same objects render the same
//! ages whether `now` is fixed (snapshots) or the wall clock (kubectl diff).

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use serde_json::{Value, json};

/// The fixed instant snapshots are rendered at.
pub fn fixed_now() -> Timestamp {
    Timestamp::from_second(1_795_500_000).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// RFC 3339 text for `now - secs` (whole seconds, as the API serves `Time`).
pub fn ago(now: Timestamp, secs: i64) -> String {
    let t = now
        .checked_sub(SignedDuration::from_secs(secs))
        .unwrap_or(Timestamp::UNIX_EPOCH);
    Timestamp::from_second(t.as_second())
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_string()
}

/// RFC 3339 text with microseconds (the API's `MicroTime`): 0.123456 s less
/// than `secs` whole seconds before the start of `now`'s second, so ages
/// still floor to `secs` for any `now` in the first 0.87 s of that second.
pub fn ago_micro(now: Timestamp, secs: i64) -> String {
    let t = now
        .checked_sub(SignedDuration::from_secs(secs + 1))
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let t = Timestamp::from_microsecond(t.as_second() * 1_000_000 + 876_544)
        .unwrap_or(Timestamp::UNIX_EPOCH);
    t.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string()
}

fn from<T: serde::de::DeserializeOwned>(v: Value) -> T {
    match serde_json::from_value(v) {
        Ok(t) => t,
        Err(e) => panic!("bad fixture: {e}"),
    }
}

const MIN: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 86400;

pub fn calico_pod_json(now: Timestamp) -> Value {
    json!({
      "apiVersion": "v1", "kind": "Pod",
      "metadata": {
        "name": "calico-kube-controllers-7b8f9c6d5-x2klm",
        "namespace": "kube-system",
        "uid": "6c0e1d3a-1111-4c2b-9f00-000000000001",
        "creationTimestamp": ago(now, 44 * DAY + 2 * HOUR),
        "labels": {"k8s-app": "calico-kube-controllers", "pod-template-hash": "7b8f9c6d5"},
        "annotations": {
          "kubectl.kubernetes.io/restartedAt": "2026-10-13T09:00:00Z",
          "kubectl.kubernetes.io/last-applied-configuration": "{\"hidden\":true}\n",
          "cni.projectcalico.org/podIP": "10.244.1.17/32"
        },
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
          "name": "calico-kube-controllers-7b8f9c6d5", "uid": "rs-uid-new", "controller": true, "blockOwnerDeletion": true}]
      },
      "spec": {
        "priority": 2000000000,
        "priorityClassName": "system-cluster-critical",
        "serviceAccountName": "calico-kube-controllers",
        "nodeName": "worker-1",
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "containers": [{
          "name": "calico-kube-controllers",
          "image": "docker.io/calico/kube-controllers:v3.26.1",
          "resources": {
            "limits": {"memory": "64Mi", "cpu": "0.2"},
            "requests": {"cpu": "50m", "memory": "32Mi"}
          },
          "livenessProbe": {"exec": {"command": ["/usr/bin/check-status", "-l"]},
            "initialDelaySeconds": 10, "timeoutSeconds": 10, "periodSeconds": 10,
            "successThreshold": 1, "failureThreshold": 6},
          "readinessProbe": {"exec": {"command": ["/usr/bin/check-status", "-r"]},
            "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
          "env": [
            {"name": "ENABLED_CONTROLLERS", "value": "node"},
            {"name": "DATASTORE_TYPE", "value": "kubernetes"},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
            {"name": "MEMORY_LIMIT", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Mi"}}},
            {"name": "CPU_REQUEST", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu", "divisor": "1m"}}},
            {"name": "ETCD_KEY", "valueFrom": {"secretKeyRef": {"name": "calico-etcd-secrets", "key": "etcd-key", "optional": true}}},
            {"name": "KUBE_CONTROLLERS_CONFIG_NAME", "valueFrom": {"configMapKeyRef": {"name": "calico-config", "key": "controllers_name"}}},
            {"name": "MULTI", "value": "line one\nline two"}
          ],
          "envFrom": [
            {"configMapRef": {"name": "kubernetes-services-endpoint", "optional": true}},
            {"secretRef": {"name": "calico-extra"}, "prefix": "EXTRA_"}
          ],
          "volumeMounts": [
            {"name": "kube-api-access-4dz7q", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true},
            {"name": "status", "mountPath": "/status"},
            {"name": "config", "mountPath": "/etc/calico/kube-controllers.cfg", "subPath": "kube-controllers.cfg", "readOnly": true}
          ]
        }],
        "volumes": [
          {"name": "status", "emptyDir": {}},
          {"name": "config", "configMap": {"name": "calico-config", "defaultMode": 420}},
          {"name": "kube-api-access-4dz7q", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
          ]}}
        ],
        "tolerations": [
          {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
          {"key": "CriticalAddonsOnly", "operator": "Exists"},
          {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
          {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        ]
      },
      "status": {
        "phase": "Running",
        "hostIP": "10.0.0.12",
        "hostIPs": [{"ip": "10.0.0.12"}],
        "podIP": "10.244.1.17",
        "podIPs": [{"ip": "10.244.1.17"}],
        "startTime": ago(now, 44 * DAY + 2 * HOUR),
        "qosClass": "Burstable",
        "conditions": [
          {"type": "PodReadyToStartContainers", "status": "True", "lastTransitionTime": ago(now, 44 * DAY)},
          {"type": "Initialized", "status": "True", "lastTransitionTime": ago(now, 44 * DAY)},
          {"type": "Ready", "status": "False", "lastTransitionTime": ago(now, 3 * MIN)},
          {"type": "ContainersReady", "status": "False", "lastTransitionTime": ago(now, 3 * MIN)},
          {"type": "PodScheduled", "status": "True", "lastTransitionTime": ago(now, 44 * DAY)}
        ],
        "containerStatuses": [{
          "name": "calico-kube-controllers",
          "image": "docker.io/calico/kube-controllers:v3.26.1",
          "imageID": "docker.io/calico/kube-controllers@sha256:01ce452e9ebd9baa1cb9df6a1c2e9e9d0d7c4d1e6e0ac4b1b6f0e6d0b5a4c3d2",
          "containerID": "containerd://4f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff",
          "ready": false,
          "restartCount": 57,
          "started": false,
          "state": {"waiting": {"reason": "CrashLoopBackOff",
            "message": "back-off 5m0s restarting failed container=calico-kube-controllers pod=calico-kube-controllers-7b8f9c6d5-x2klm_kube-system(6c0e1d3a)"}},
          "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
            "startedAt": ago(now, 9 * MIN), "finishedAt": ago(now, 3 * MIN),
            "containerID": "containerd://aa"}}
        }]
      }
    })
}

pub fn calico_pod(now: Timestamp) -> Pod {
    from(calico_pod_json(now))
}

/// An old-style (core/v1) event: `text` is type, reason, message and source
/// component; `when` is first and last seen (seconds ago) and the count.
fn event_json(
    now: Timestamp,
    name: &str,
    involved: Value,
    text: [&str; 4],
    when: (i64, i64, i32),
) -> Value {
    let [type_, reason, message, component] = text;
    let (first, last, count) = when;
    json!({
      "apiVersion": "v1", "kind": "Event",
      "metadata": {"name": name, "namespace": involved.get("namespace").cloned().unwrap_or(json!("default"))},
      "involvedObject": involved,
      "type": type_, "reason": reason, "message": message,
      "source": {"component": component},
      "firstTimestamp": ago(now, first),
      "lastTimestamp": ago(now, last),
      "count": count
    })
}

fn pod_ref(pod: &Value) -> Value {
    json!({
      "kind": "Pod", "apiVersion": "v1",
      "name": pod["metadata"]["name"],
      "namespace": pod["metadata"]["namespace"],
      "uid": pod["metadata"]["uid"]
    })
}

pub fn calico_events_json(now: Timestamp) -> Vec<Value> {
    let r = pod_ref(&calico_pod_json(now));
    vec![
        event_json(
            now,
            "ev1",
            r.clone(),
            [
                "Normal",
                "Pulled",
                "Container image \"docker.io/calico/kube-controllers:v3.26.1\" already present on machine",
                "kubelet",
            ],
            (44 * DAY, 9 * MIN, 58),
        ),
        event_json(
            now,
            "ev2",
            r.clone(),
            [
                "Warning",
                "BackOff",
                "Back-off restarting failed container calico-kube-controllers in pod calico-kube-controllers-7b8f9c6d5-x2klm_kube-system(6c0e1d3a)",
                "kubelet",
            ],
            (44 * DAY, 2 * MIN + 5, 1207),
        ),
        event_json(
            now,
            "ev3",
            r.clone(),
            [
                "Warning",
                "Unhealthy",
                "Readiness probe failed: Error reaching apiserver: <nil> with http status code: 500\n",
                "kubelet",
            ],
            (3 * HOUR + 2 * MIN, 12 * MIN, 44),
        ),
        event_json(
            now,
            "ev4",
            r.clone(),
            [
                "Normal",
                "Killing",
                "Container calico-kube-controllers failed liveness probe, will be restarted",
                "kubelet",
            ],
            (9 * MIN, 9 * MIN, 1),
        ),
        // new-style event (events.k8s.io): eventTime + series, no source
        json!({
          "apiVersion": "v1", "kind": "Event",
          "metadata": {"name": "ev5", "namespace": "kube-system"},
          "involvedObject": r,
          "type": "Warning", "reason": "Unhealthy",
          "message": "Liveness probe failed: Failed to read status file /status/status.json: unexpected end of JSON input",
          "reportingComponent": "kubelet", "reportingInstance": "worker-1",
          "eventTime": ago_micro(now, 25 * MIN),
          "series": {"count": 6, "lastObservedTime": ago_micro(now, 4 * MIN + 10)},
          "action": "Probe"
        }),
    ]
}

pub fn calico_events(now: Timestamp) -> Vec<Event> {
    calico_events_json(now).into_iter().map(from).collect()
}

pub fn web_pod_json(now: Timestamp) -> Value {
    json!({
      "apiVersion": "v1", "kind": "Pod",
      "metadata": {
        "name": "web-5d8f7c9b8-abcde", "namespace": "shop", "uid": "web-pod-uid",
        "creationTimestamp": ago(now, 5 * HOUR + 3 * MIN),
        "labels": {"app": "web"},
        "annotations": {
          "example.com/long": "x".repeat(150),
          "example.com/multi": "first line\nsecond line\n"
        },
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8f7c9b8",
          "uid": "web-rs-uid", "controller": true}]
      },
      "spec": {
        "nodeName": "worker-1",
        "serviceAccountName": "default",
        "initContainers": [{
          "name": "init-schema",
          "image": "busybox:1.36",
          "command": ["sh", "-c", "until nslookup db; do sleep 2; done"],
          "resources": {"requests": {"cpu": "1", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}}
        }],
        "containers": [
          {
            "name": "web",
            "image": "nginx:1.27",
            "ports": [{"containerPort": 80, "protocol": "TCP", "name": "http"}, {"containerPort": 443, "protocol": "TCP", "hostPort": 8443}],
            "args": ["--port=80", "--verbose"],
            "resources": {"requests": {"cpu": "250m", "memory": "128Mi", "ephemeral-storage": "1Gi"},
                          "limits": {"cpu": "500m", "memory": "0.5Gi", "ephemeral-storage": "2Gi"}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 80, "scheme": "HTTP"},
              "initialDelaySeconds": 3, "timeoutSeconds": 1, "periodSeconds": 5, "successThreshold": 1, "failureThreshold": 3},
            "readinessProbe": {"httpGet": {"path": "/ready?full=1", "port": "http", "scheme": "HTTPS", "host": "127.0.0.1"},
              "timeoutSeconds": 2, "periodSeconds": 10, "successThreshold": 2, "failureThreshold": 3},
            "startupProbe": {"tcpSocket": {"port": 80},
              "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 30},
            "env": [],
            "volumeMounts": [
              {"name": "html", "mountPath": "/usr/share/nginx/html"},
              {"name": "certs", "mountPath": "/etc/tls", "readOnly": true},
              {"name": "data", "mountPath": "/data"},
              {"name": "cache", "mountPath": "/cache"},
              {"name": "podinfo", "mountPath": "/etc/podinfo", "readOnly": true},
              {"name": "host-logs", "mountPath": "/var/log/host", "readOnly": true}
            ]
          },
          {
            "name": "sidecar",
            "image": "example.com/grpc-agent:2.0",
            "ports": [{"containerPort": 9090, "protocol": "UDP"}],
            "livenessProbe": {"grpc": {"port": 9090, "service": "health"},
              "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3},
            "volumeMounts": [{"name": "csi-vol", "mountPath": "/mnt/csi"}]
          }
        ],
        "volumes": [
          {"name": "html", "configMap": {"name": "web-html", "optional": true}},
          {"name": "certs", "secret": {"secretName": "web-tls"}},
          {"name": "data", "persistentVolumeClaim": {"claimName": "web-data", "readOnly": false}},
          {"name": "cache", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
          {"name": "podinfo", "downwardAPI": {"items": [
             {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
             {"path": "cpu_limit", "resourceFieldRef": {"containerName": "web", "resource": "limits.cpu"}}]}},
          {"name": "host-logs", "hostPath": {"path": "/var/log", "type": "Directory"}},
          {"name": "nfs-share", "nfs": {"server": "nfs.example.com", "path": "/exports/web", "readOnly": true}},
          {"name": "csi-vol", "csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": true,
             "volumeAttributes": {"secretProviderClass": "web-spc", "usePodIdentity": "false"}}},
          {"name": "plain-host", "hostPath": {"path": "/srv"}}
        ],
        "tolerations": [{"operator": "Exists"}, {"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}]
      },
      "status": {
        "phase": "Running",
        "hostIP": "10.0.0.12",
        "podIP": "10.244.1.30",
        "podIPs": [{"ip": "10.244.1.30"}, {"ip": "fd00:10:244:1::1e"}],
        "startTime": ago(now, 5 * HOUR + 3 * MIN),
        "conditions": [
          {"type": "Initialized", "status": "True"},
          {"type": "Ready", "status": "True"},
          {"type": "ContainersReady", "status": "True"},
          {"type": "PodScheduled", "status": "True"}
        ],
        "initContainerStatuses": [{
          "name": "init-schema", "image": "busybox:1.36", "imageID": "docker.io/library/busybox@sha256:abc",
          "containerID": "containerd://1111", "ready": true, "restartCount": 0,
          "state": {"terminated": {"exitCode": 0, "reason": "Completed",
            "startedAt": ago(now, 5 * HOUR + 2 * MIN), "finishedAt": ago(now, 5 * HOUR + MIN)}}
        }],
        "containerStatuses": [
          {"name": "web", "image": "nginx:1.27", "imageID": "docker.io/library/nginx@sha256:def",
           "containerID": "containerd://2222", "ready": true, "restartCount": 1,
           "state": {"running": {"startedAt": ago(now, 4 * HOUR)}},
           "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "message": "nginx: [emerg] bind() failed",
             "signal": 9, "startedAt": ago(now, 5 * HOUR), "finishedAt": ago(now, 4 * HOUR + 1)}}},
          {"name": "sidecar", "image": "example.com/grpc-agent:2.0", "imageID": "",
           "ready": false, "restartCount": 0, "state": {}}
        ]
      }
    })
}

pub fn web_pod(now: Timestamp) -> Pod {
    from(web_pod_json(now))
}

pub fn succeeded_pod_json(now: Timestamp) -> Value {
    json!({
      "apiVersion": "v1", "kind": "Pod",
      "metadata": {"name": "backup-29000000-zzzzz", "namespace": "ops", "uid": "job-pod",
        "creationTimestamp": ago(now, DAY)},
      "spec": {"nodeName": "worker-1", "containers": [{"name": "backup", "image": "backup:1",
        "resources": {"requests": {"cpu": "4", "memory": "8Gi"}}}]},
      "status": {"phase": "Succeeded"}
    })
}

pub fn worker_node_json(now: Timestamp) -> Value {
    json!({
      "apiVersion": "v1", "kind": "Node",
      "metadata": {
        "name": "worker-1", "uid": "node-uid-1",
        "creationTimestamp": ago(now, 400 * DAY),
        "labels": {
          "beta.kubernetes.io/arch": "amd64", "kubernetes.io/hostname": "worker-1",
          "kubernetes.io/os": "linux", "node-role.kubernetes.io/worker": "",
          "node-role.kubernetes.io/ingress": "", "kubernetes.io/role": "edge"
        },
        "annotations": {
          "node.alpha.kubernetes.io/ttl": "0",
          "projectcalico.org/IPv4Address": "10.0.0.12/24",
          "volumes.kubernetes.io/controller-managed-attach-detach": "true"
        }
      },
      "spec": {
        "podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24", "fd00:10:244:1::/64"],
        "providerID": "aws:///eu-west-1a/i-0123456789abcdef0",
        "unschedulable": true,
        "taints": [
          {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": ago(now, 2 * HOUR)},
          {"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule", "timeAdded": ago(now, HOUR)},
          {"key": "dedicated", "value": "web", "effect": "NoExecute"}
        ]
      },
      "status": {
        "capacity": {"cpu": "4", "ephemeral-storage": "101430960Ki", "hugepages-2Mi": "0",
                     "hugepages-1Gi": "2Gi", "memory": "16393216Ki", "pods": "110", "example.com/gpu": "2"},
        "allocatable": {"cpu": "3800m", "ephemeral-storage": "93478772582", "hugepages-2Mi": "0",
                        "hugepages-1Gi": "2Gi", "memory": "15241216Ki", "pods": "110", "example.com/gpu": "2"},
        "conditions": [
          {"type": "NetworkUnavailable", "status": "False", "lastHeartbeatTime": ago(now, 44 * DAY),
           "lastTransitionTime": ago(now, 44 * DAY), "reason": "CalicoIsUp", "message": "Calico is running on this node"},
          {"type": "MemoryPressure", "status": "True", "lastHeartbeatTime": ago(now, 30),
           "lastTransitionTime": ago(now, HOUR), "reason": "KubeletHasInsufficientMemory", "message": "kubelet has insufficient memory available"},
          {"type": "DiskPressure", "status": "False", "lastHeartbeatTime": ago(now, 30),
           "lastTransitionTime": ago(now, 300 * DAY), "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure"},
          {"type": "PIDPressure", "status": "False", "lastHeartbeatTime": ago(now, 30),
           "lastTransitionTime": ago(now, 300 * DAY), "reason": "KubeletHasSufficientPID", "message": "kubelet has sufficient PID available"},
          {"type": "Ready", "status": "True", "lastHeartbeatTime": ago(now, 30),
           "lastTransitionTime": ago(now, 300 * DAY), "reason": "KubeletReady", "message": "kubelet is posting ready status"}
        ],
        "addresses": [{"type": "InternalIP", "address": "10.0.0.12"}, {"type": "Hostname", "address": "worker-1"}],
        "nodeInfo": {
          "machineID": "ec2c3f0f8d8f4c6b9a1f2e3d4c5b6a79", "systemUUID": "ec2c3f0f-8d8f-4c6b-9a1f-2e3d4c5b6a79",
          "bootID": "1a2b3c4d-0000-1111-2222-333344445555", "kernelVersion": "6.1.0-18-cloud-amd64",
          "osImage": "Debian GNU/Linux 12 (bookworm)", "operatingSystem": "linux", "architecture": "amd64",
          "containerRuntimeVersion": "containerd://1.7.13", "kubeletVersion": "v1.32.5", "kubeProxyVersion": "v1.32.5"
        }
      }
    })
}

pub fn worker_node(now: Timestamp) -> Node {
    from(worker_node_json(now))
}

pub fn worker_lease_json(now: Timestamp) -> Value {
    json!({
      "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
      "metadata": {"name": "worker-1", "namespace": "kube-node-lease"},
      "spec": {"holderIdentity": "worker-1", "leaseDurationSeconds": 40, "renewTime": ago_micro(now, 7)}
    })
}

pub fn worker_lease(now: Timestamp) -> Lease {
    from(worker_lease_json(now))
}

pub fn worker_pods_json(now: Timestamp) -> Vec<Value> {
    vec![
        calico_pod_json(now),
        web_pod_json(now),
        succeeded_pod_json(now),
    ]
}

pub fn worker_pods(now: Timestamp) -> Vec<Pod> {
    worker_pods_json(now).into_iter().map(from).collect()
}

pub fn node_events_json(now: Timestamp) -> Vec<Value> {
    let r = json!({"kind": "Node", "name": "worker-1", "uid": "worker-1"});
    let r2 = json!({"kind": "Node", "name": "worker-1", "uid": "node-uid-1"});
    vec![
        event_json(
            now,
            "n1",
            r.clone(),
            [
                "Normal",
                "NodeHasInsufficientMemory",
                "Node worker-1 status is now: NodeHasInsufficientMemory",
                "kubelet",
            ],
            (2 * DAY + 5 * HOUR, 23 * MIN, 4),
        ),
        event_json(
            now,
            "n2",
            r,
            [
                "Warning",
                "EvictionThresholdMet",
                "Attempting to reclaim memory",
                "kubelet",
            ],
            (2 * DAY + 5 * HOUR, 7 * MIN + 48, 38),
        ),
        event_json(
            now,
            "n3",
            r2,
            [
                "Normal",
                "NodeNotSchedulable",
                "Node worker-1 status is now: NodeNotSchedulable",
                "node-controller",
            ],
            (2 * HOUR, 2 * HOUR, 1),
        ),
    ]
}

pub fn node_events(now: Timestamp) -> Vec<Event> {
    node_events_json(now).into_iter().map(from).collect()
}

/// A bare node: no lease, no pods, no events, capacity only.
pub fn bare_node_json(now: Timestamp) -> Value {
    json!({
      "apiVersion": "v1", "kind": "Node",
      "metadata": {"name": "edge-0", "uid": "edge-0-uid", "creationTimestamp": ago(now, 3 * DAY + HOUR)},
      "spec": {},
      "status": {
        "capacity": {"cpu": "2", "memory": "2025188Ki", "pods": "110"},
        "conditions": [{"type": "Ready", "status": "Unknown", "lastHeartbeatTime": ago(now, 3 * HOUR),
          "lastTransitionTime": ago(now, 2 * HOUR), "reason": "NodeStatusUnknown", "message": "Kubelet stopped posting node status."}],
        "addresses": [{"type": "InternalIP", "address": "192.168.0.113"}],
        "nodeInfo": {"machineID": "", "systemUUID": "", "bootID": "", "kernelVersion": "", "osImage": "",
          "operatingSystem": "linux", "architecture": "arm64", "containerRuntimeVersion": "", "kubeletVersion": "v1.31.0", "kubeProxyVersion": ""}
      }
    })
}

pub fn bare_node(now: Timestamp) -> Node {
    from(bare_node_json(now))
}

fn calico_template() -> Value {
    json!({
      "metadata": {"labels": {"k8s-app": "calico-kube-controllers"}},
      "spec": {
        "serviceAccountName": "calico-kube-controllers",
        "priorityClassName": "system-cluster-critical",
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}],
        "containers": [{
          "name": "calico-kube-controllers",
          "image": "docker.io/calico/kube-controllers:v3.26.1",
          "env": [{"name": "ENABLED_CONTROLLERS", "value": "node"},
                  {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}}],
          "resources": {"limits": {"memory": "64Mi"}, "requests": {"cpu": "50m", "memory": "32Mi"}},
          "livenessProbe": {"exec": {"command": ["/usr/bin/check-status", "-l"]},
            "initialDelaySeconds": 10, "timeoutSeconds": 10, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 6}
        }],
        "volumes": [{"name": "status", "emptyDir": {}}]
      }
    })
}

pub fn calico_deployment_json(now: Timestamp) -> Value {
    json!({
      "apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "calico-kube-controllers", "namespace": "kube-system", "uid": "dep-uid",
        "creationTimestamp": ago(now, 400 * DAY),
        "labels": {"k8s-app": "calico-kube-controllers"},
        "annotations": {"deployment.kubernetes.io/revision": "3"}},
      "spec": {
        "replicas": 1,
        "selector": {"matchLabels": {"k8s-app": "calico-kube-controllers"}},
        "strategy": {"type": "Recreate"},
        "template": calico_template()
      },
      "status": {"replicas": 1, "updatedReplicas": 1, "unavailableReplicas": 1,
        "conditions": [
          {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable", "message": "Deployment does not have minimum availability."},
          {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "ReplicaSet has successfully progressed."}
        ]}
    })
}

pub fn calico_deployment(now: Timestamp) -> Deployment {
    from(calico_deployment_json(now))
}

pub fn calico_replicasets_json(now: Timestamp) -> Vec<Value> {
    let mut new_t = calico_template();
    new_t["metadata"]["labels"]["pod-template-hash"] = json!("7b8f9c6d5");
    let mut old_t = calico_template();
    old_t["metadata"]["labels"]["pod-template-hash"] = json!("5c7d8e9f4");
    old_t["spec"]["containers"][0]["image"] = json!("docker.io/calico/kube-controllers:v3.25.0");
    let owner = json!([{"apiVersion": "apps/v1", "kind": "Deployment", "name": "calico-kube-controllers",
                        "uid": "dep-uid", "controller": true, "blockOwnerDeletion": true}]);
    vec![
        json!({
          "apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": {"name": "calico-kube-controllers-7b8f9c6d5", "namespace": "kube-system", "uid": "rs-uid-new",
            "creationTimestamp": ago(now, 44 * DAY + 2 * HOUR),
            "labels": {"k8s-app": "calico-kube-controllers", "pod-template-hash": "7b8f9c6d5"},
            "annotations": {"deployment.kubernetes.io/desired-replicas": "1", "deployment.kubernetes.io/max-replicas": "1",
                            "deployment.kubernetes.io/revision": "3"},
            "ownerReferences": owner.clone()},
          "spec": {"replicas": 1,
            "selector": {"matchLabels": {"k8s-app": "calico-kube-controllers", "pod-template-hash": "7b8f9c6d5"},
                         "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["web", "db"]}]},
            "template": new_t},
          "status": {"replicas": 1, "fullyLabeledReplicas": 1, "observedGeneration": 3}
        }),
        json!({
          "apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": {"name": "calico-kube-controllers-5c7d8e9f4", "namespace": "kube-system", "uid": "rs-uid-old",
            "creationTimestamp": ago(now, 200 * DAY),
            "labels": {"k8s-app": "calico-kube-controllers", "pod-template-hash": "5c7d8e9f4"},
            "ownerReferences": owner.clone()},
          "spec": {"replicas": 0,
            "selector": {"matchLabels": {"k8s-app": "calico-kube-controllers", "pod-template-hash": "5c7d8e9f4"}},
            "template": old_t.clone()},
          "status": {"replicas": 0}
        }),
        // Newer than the old one but first by name: kubectl lists old
        // ReplicaSets by creation time.
        json!({
          "apiVersion": "apps/v1", "kind": "ReplicaSet",
          "metadata": {"name": "calico-kube-controllers-0a1b2c3d4", "namespace": "kube-system", "uid": "rs-uid-rollback",
            "creationTimestamp": ago(now, 100 * DAY),
            "labels": {"k8s-app": "calico-kube-controllers", "pod-template-hash": "0a1b2c3d4"},
            "ownerReferences": owner},
          "spec": {"replicas": 0,
            "selector": {"matchLabels": {"k8s-app": "calico-kube-controllers", "pod-template-hash": "0a1b2c3d4"}},
            "template": old_t},
          "status": {"replicas": 0}
        }),
    ]
}

pub fn calico_replicasets(now: Timestamp) -> Vec<ReplicaSet> {
    calico_replicasets_json(now).into_iter().map(from).collect()
}

pub fn deployment_events_json(now: Timestamp) -> Vec<Value> {
    let r = json!({"kind": "Deployment", "apiVersion": "apps/v1", "name": "calico-kube-controllers",
                   "namespace": "kube-system", "uid": "dep-uid"});
    vec![event_json(
        now,
        "d1",
        r,
        [
            "Normal",
            "ScalingReplicaSet",
            "Scaled up replica set calico-kube-controllers-7b8f9c6d5 to 1",
            "deployment-controller",
        ],
        (44 * DAY, 44 * DAY, 1),
    )]
}

pub fn rs_events_json(now: Timestamp) -> Vec<Value> {
    let r = json!({"kind": "ReplicaSet", "apiVersion": "apps/v1", "name": "calico-kube-controllers-7b8f9c6d5",
                   "namespace": "kube-system", "uid": "rs-uid-new"});
    vec![
        event_json(
            now,
            "r1",
            r.clone(),
            [
                "Normal",
                "SuccessfulCreate",
                "Created pod: calico-kube-controllers-7b8f9c6d5-x2klm",
                "replicaset-controller",
            ],
            (44 * DAY, 44 * DAY, 1),
        ),
        event_json(
            now,
            "r2",
            r,
            [
                "Warning",
                "FailedCreate",
                "Error creating: pods \"calico-kube-controllers-7b8f9c6d5-\" is forbidden: exceeded quota",
                "replicaset-controller",
            ],
            (44 * DAY + HOUR, 44 * DAY + 50 * MIN, 13),
        ),
    ]
}

pub fn events_from(values: Vec<Value>) -> Vec<Event> {
    values.into_iter().map(from).collect()
}

/// A pod being deleted while still pending, with an ephemeral container,
/// devices, a readiness gate, a spread constraint and a volume type kubectl
/// prints as `<unknown>`.
pub fn stuck_pod_json(now: Timestamp) -> Value {
    json!({
      "metadata": {"name": "stuck", "namespace": "default",
        "deletionTimestamp": ago(now, 90), "deletionGracePeriodSeconds": 30,
        "annotations": {"kubernetes.io/config.mirror": "abc"}},
      "spec": {
        "containers": [{"name": "app", "image": "app:1",
          "volumeMounts": [{"name": "dev", "mountPath": "/dev/x"}],
          "volumeDevices": [{"name": "blk", "devicePath": "/dev/xvda"}]}],
        "ephemeralContainers": [{"name": "debugger", "image": "busybox", "stdin": true}],
        "readinessGates": [{"conditionType": "example.com/ready"}],
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
          "labelSelector": {"matchLabels": {"app": "x"}}}],
        "volumes": [
          {"name": "iscsi", "iscsi": {"targetPortal": "1.2.3.4", "iqn": "iqn", "lun": 0, "portals": ["a:3260", "b:3260"]}},
          {"name": "rbd", "rbd": {"monitors": ["m1", "m2"], "image": "img", "secretRef": {"name": "ceph"}}},
          {"name": "flex", "flexVolume": {"driver": "x/y", "options": {"b": "2", "a": "1"}}},
          {"name": "cephfs", "cephfs": {"monitors": ["m"], "readOnly": true}},
          {"name": "gce", "gcePersistentDisk": {"pdName": "disk-1", "fsType": "ext4"}},
          {"name": "git", "gitRepo": {"repository": "https://example.com/r.git"}},
          {"name": "fc", "fc": {"targetWWNs": ["w1", "w2"], "lun": 2}},
          {"name": "eph", "ephemeral": {"volumeClaimTemplate": {"metadata": {"labels": {"a": "b", "c": "d"}},
             "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "fast", "volumeMode": "Filesystem",
                      "resources": {"requests": {"storage": "1Gi"}}}}}},
          {"name": "img", "image": {"reference": "quay.io/x/y:1", "pullPolicy": "IfNotPresent"}},
          {"name": "nothing"}
        ]
      },
      "status": {"phase": "Pending", "reason": "Unschedulable", "message": "no nodes",
        "conditions": [{"type": "PodScheduled", "status": "False"}]}
    })
}

pub fn stuck_pod(now: Timestamp) -> Pod {
    from(stuck_pod_json(now))
}

/// A minimal pod with many events, most sharing a `lastTimestamp`, so the
/// order of equal elements left by kubectl's unstable sort shows.
pub fn noisy_pod_json(now: Timestamp) -> Value {
    json!({
      "metadata": {"name": "noisy", "namespace": "default", "uid": "noisy-uid", "creationTimestamp": ago(now, HOUR)},
      "spec": {"containers": [{"name": "c", "image": "c:1"}]},
      "status": {"phase": "Pending", "qosClass": "BestEffort"}
    })
}

pub fn noisy_pod(now: Timestamp) -> Pod {
    from(noisy_pod_json(now))
}

pub fn noisy_events_json(now: Timestamp) -> Vec<Value> {
    let r = json!({"kind": "Pod", "name": "noisy", "namespace": "default", "uid": "noisy-uid"});
    (0..60i64)
        .map(|i| {
            let last = ((i * 7 + i / 5) % 4) * 60 + 30;
            event_json(
                now,
                &format!("noisy.{i:02}"),
                r.clone(),
                [
                    if i % 3 == 0 { "Warning" } else { "Normal" },
                    &format!("Reason{i}"),
                    &format!("message {i}"),
                    "kubelet",
                ],
                (last + 60, last, 1 + (i % 2) as i32),
            )
        })
        .collect()
}

/// Rarely seen fields: pod-level resources, seccomp profiles, a runtime
/// class, a nominated node, a sidecar (restartable init container), odd
/// probe targets, env edge cases, an empty environment-from entry.
pub fn odd_pod_json(now: Timestamp) -> Value {
    json!({
      "metadata": {"name": "odd", "namespace": "default", "uid": "odd-uid", "creationTimestamp": ago(now, 7 * MIN),
        "annotations": {"example.com/ctl": "\u{1b}[31mred\r\u{7}bell", "example.com/tab": "a\tb"},
        "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "worker-1", "uid": "x", "controller": false}]},
      "spec": {
        "runtimeClassName": "gvisor",
        "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/audit.json"}},
        "resources": {"limits": {"cpu": "2", "memory": "1Gi"}},
        "readinessGates": [{"conditionType": "Ready"}],
        "topologySpreadConstraints": [{"maxSkew": 2, "topologyKey": "b", "whenUnsatisfiable": "ScheduleAnyway"},
                                      {"maxSkew": 1, "topologyKey": "a", "whenUnsatisfiable": "DoNotSchedule",
                                       "labelSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["y", "x"]},
                                                                              {"key": "tier", "operator": "DoesNotExist"}]}}],
        "initContainers": [{"name": "proxy", "image": "envoy:1", "restartPolicy": "Always",
          "resources": {"requests": {"cpu": "100m"}},
          "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}],
        "containers": [{
          "name": "main", "image": "main:1",
          "ports": [{"containerPort": 8080, "hostIP": "0.0.0.0", "hostPort": 80}],
          "command": ["/bin/sh", "-c", "echo one\necho two"],
          "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}},
          "livenessProbe": {"httpGet": {"path": "/a b?c", "port": 8080, "host": "::1"}, "terminationGracePeriodSeconds": 5},
          "readinessProbe": {"httpGet": {"port": "web"}},
          "startupProbe": {"grpc": {"port": 50051, "service": ""}},
          "env": [{"name": "EMPTY"}, {"name": "NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
                  {"name": "IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
                  {"name": "LIM", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
                  {"name": "REQMEM", "valueFrom": {"resourceFieldRef": {"resource": "requests.memory", "divisor": "1Ki"}}}],
          "envFrom": [{"prefix": "P_"}]
        }]
      },
      "status": {"phase": "Pending", "nominatedNodeName": "worker-2",
        "conditions": [{"type": "Ready", "status": "False"}]}
    })
}

pub fn odd_pod(now: Timestamp) -> Pod {
    from(odd_pod_json(now))
}

/// A node reporting no capacity at all, with one pod: kubectl divides by
/// zero for the pod's percentages.
pub fn empty_node_json(now: Timestamp) -> Value {
    json!({
      "metadata": {"name": "edge-1", "uid": "edge-1-uid", "creationTimestamp": ago(now, DAY)},
      "status": {"nodeInfo": {"machineID": "", "systemUUID": "", "bootID": "", "kernelVersion": "", "osImage": "",
          "operatingSystem": "", "architecture": "", "containerRuntimeVersion": "", "kubeletVersion": "", "kubeProxyVersion": ""}}
    })
}

pub fn empty_node(now: Timestamp) -> Node {
    from(empty_node_json(now))
}

pub fn edge_pod_json(now: Timestamp) -> Value {
    json!({
      "metadata": {"name": "edge-agent", "namespace": "edge", "uid": "edge-agent-uid", "creationTimestamp": ago(now, 3 * HOUR)},
      "spec": {"nodeName": "edge-1", "containers": [{"name": "a", "image": "a:1",
        "resources": {"requests": {"cpu": "250m", "memory": "64Mi", "example.com/dongle": "1"}, "limits": {"memory": "128Mi"}}}]},
      "status": {"phase": "Running"}
    })
}

pub fn edge_pod(now: Timestamp) -> Pod {
    from(edge_pod_json(now))
}

/// Everything, as the fake API server's world file.
pub fn world_json(now: Timestamp) -> Value {
    let mut events = calico_events_json(now);
    events.extend(node_events_json(now));
    events.extend(deployment_events_json(now));
    events.extend(rs_events_json(now));
    events.extend(noisy_events_json(now));
    json!({
      "pods": worker_pods_json(now).into_iter().chain([stuck_pod_json(now), noisy_pod_json(now), odd_pod_json(now), edge_pod_json(now)]).collect::<Vec<_>>(),
      "nodes": [worker_node_json(now), bare_node_json(now), empty_node_json(now)],
      "leases": [worker_lease_json(now)],
      "deployments": [calico_deployment_json(now)],
      "replicasets": calico_replicasets_json(now),
      "events": events
    })
}
