//! The server's answers, checked without a socket ([`Server::handle`]) on a small generated
//! snapshot (a folder of YAML and logs written to a temporary directory).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use kbundle_format::{ReadOptions, Snapshot};
use kbundle_server::{Faults, ServeOptions, Server};
use serde_json::{Value, json};

const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

const OBJECTS: &str = r#"
apiVersion: v1
kind: Namespace
metadata: {name: app, creationTimestamp: "2025-03-01T00:00:00Z", resourceVersion: "10"}
status: {phase: Active}
---
apiVersion: v1
kind: Node
metadata:
  name: node-a
  uid: uid-node-a
  creationTimestamp: "2025-03-01T00:00:00Z"
  labels: {node-role.kubernetes.io/worker: "", kubernetes.io/hostname: node-a}
spec: {unschedulable: true}
status:
  conditions: [{type: Ready, status: "True"}]
  addresses: [{type: InternalIP, address: 10.0.0.1}]
  nodeInfo: {kubeletVersion: v1.30.6, osImage: Ubuntu, kernelVersion: "6.8", containerRuntimeVersion: "containerd://1.7"}
---
apiVersion: v1
kind: Pod
metadata:
  name: web-1
  namespace: app
  uid: uid-web-1
  resourceVersion: "120"
  creationTimestamp: "2025-03-14T09:00:00Z"
  labels: {app: web, tier: front}
spec:
  nodeName: node-a
  containers: [{name: main, image: nginx}, {name: sidecar, image: envoy}]
  initContainers: [{name: init, image: busybox}]
status:
  phase: Running
  podIPs: [{ip: 172.30.0.5}]
  conditions: [{type: Initialized, status: "True"}, {type: Ready, status: "False"}]
  initContainerStatuses:
  - {name: init, ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
  containerStatuses:
  - name: main
    ready: false
    restartCount: 5
    state: {waiting: {reason: CrashLoopBackOff}}
    lastState: {terminated: {exitCode: 137, reason: OOMKilled, finishedAt: "2025-03-14T09:25:00Z"}}
  - {name: sidecar, ready: true, restartCount: 0, state: {running: {startedAt: "2025-03-14T09:00:05Z"}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: db-0
  namespace: app
  uid: uid-db-0
  creationTimestamp: "2025-03-14T08:00:00Z"
  labels: {app: db}
spec:
  nodeName: node-a
  containers: [{name: db, image: postgres}]
  initContainers: [{name: setup, image: busybox}]
status:
  phase: Pending
  initContainerStatuses:
  - {name: setup, ready: false, restartCount: 0, state: {running: {startedAt: "2025-03-14T08:00:01Z"}}}
  containerStatuses:
  - {name: db, ready: false, restartCount: 0, state: {waiting: {reason: PodInitializing}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: job-x
  namespace: app
  creationTimestamp: "2025-03-14T07:00:00Z"
spec:
  nodeName: node-b
  containers: [{name: job, image: busybox}]
status:
  phase: Succeeded
  containerStatuses:
  - {name: job, ready: false, restartCount: 0, state: {terminated: {exitCode: 0, reason: Completed}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: old-1
  namespace: app
  creationTimestamp: "2025-03-14T07:00:00Z"
  deletionTimestamp: "2025-03-14T09:29:00Z"
spec:
  nodeName: node-a
  containers: [{name: c, image: busybox}]
status:
  phase: Running
  containerStatuses:
  - {name: c, ready: true, restartCount: 0, state: {running: {startedAt: "2025-03-14T07:00:01Z"}}}
---
apiVersion: v1
kind: Event
metadata: {name: web-1.1, namespace: app}
involvedObject: {kind: Pod, name: web-1, namespace: app, uid: uid-web-1}
reason: BackOff
type: Warning
message: "Back-off restarting failed container main"
count: 7
firstTimestamp: "2025-03-14T09:10:00Z"
lastTimestamp: "2025-03-14T09:29:00Z"
source: {component: kubelet, host: node-a}
---
apiVersion: v1
kind: Event
metadata: {name: db-0.1, namespace: app}
involvedObject: {kind: Pod, name: db-0, namespace: app, uid: uid-db-0}
reason: Scheduled
type: Normal
message: "assigned"
firstTimestamp: "2025-03-14T08:00:00Z"
lastTimestamp: "2025-03-14T08:00:00Z"
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app, creationTimestamp: "2025-03-01T00:00:00Z"}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template: {spec: {containers: [{name: main, image: nginx}]}}
status: {readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Size, type: integer, jsonPath: .spec.size}
    - {name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status'}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w1, namespace: app}
spec: {size: 3}
status: {conditions: [{type: Ready, status: "True"}]}
"#;

async fn server() -> (Server, tempfile::TempDir) {
    server_with(Faults::default()).await
}

async fn server_with(faults: Faults) -> (Server, tempfile::TempDir) {
    server_opts(ServeOptions::default().with_faults(faults)).await
}

async fn server_opts(options: ServeOptions) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cluster");
    std::fs::create_dir_all(root.join("logs/app/web-1")).unwrap();
    std::fs::create_dir_all(root.join("logs/app/job-x")).unwrap();
    std::fs::write(root.join("objects.yaml"), OBJECTS).unwrap();
    std::fs::write(
        root.join("version.json"),
        r#"{"major":"1","minor":"30","gitVersion":"v1.30.6+IKS"}"#,
    )
    .unwrap();
    let mut main = String::new();
    for i in 0..10 {
        main.push_str(&format!("2025-03-14T09:2{i}:00.000000000Z line {i}\n"));
    }
    std::fs::write(root.join("logs/app/web-1/main.log"), &main).unwrap();
    std::fs::write(root.join("logs/app/web-1/main.previous.log"), "killed\n").unwrap();
    std::fs::write(
        root.join("logs/app/web-1/sidecar.log"),
        "plain 1\nplain 2\nplain 3",
    )
    .unwrap();
    std::fs::write(root.join("logs/app/job-x/job.log"), "done\n").unwrap();
    let snapshot = Snapshot::open(&root, &ReadOptions::default()).unwrap();
    let server = Server::bind(Arc::new(snapshot), "127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap();
    (server, dir)
}

async fn get(s: &Server, path: &str, accept: &str) -> (u16, String, Value) {
    let (code, ct, body) = s.handle("GET", path, accept).await;
    let v = serde_json::from_slice(&body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into_owned()));
    (code, ct, v)
}

async fn text(s: &Server, path: &str) -> (u16, String) {
    let (code, _, body) = s.handle("GET", path, "*/*").await;
    (code, String::from_utf8_lossy(&body).into_owned())
}

fn cells_of(table: &Value, name: &str) -> Vec<Value> {
    let columns: Vec<&str> = table["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let name_col = columns.iter().position(|c| *c == "Name").unwrap();
    table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][name_col] == name)
        .unwrap_or_else(|| panic!("no row {name} in {table}"))["cells"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn version_and_discovery() {
    let (s, _d) = server().await;
    let (code, _, v) = get(&s, "/version", "").await;
    assert_eq!(code, 200);
    assert_eq!(v["gitVersion"], "v1.30.6+IKS");
    assert_eq!(v["minor"], "30");
    assert_eq!(
        v["platform"], "linux/amd64",
        "missing fields come from the default"
    );

    let (_, _, v) = get(&s, "/api", "application/json").await;
    assert_eq!(v["kind"], "APIVersions");
    assert_eq!(v["versions"], json!(["v1"]));

    let (_, ct, v) = get(&s, "/api", AGGREGATED).await;
    assert_eq!(
        ct,
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    );
    assert_eq!(v["kind"], "APIGroupDiscoveryList");
    let core = &v["items"][0];
    assert_eq!(core["metadata"]["name"], "");
    let pods = core["versions"][0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "pods")
        .unwrap();
    assert_eq!(pods["scope"], "Namespaced");
    assert_eq!(pods["shortNames"], json!(["po"]));
    assert_eq!(pods["verbs"], json!(["get", "list", "watch"]));
    assert_eq!(pods["categories"], json!(["all"]));

    let (_, _, v) = get(&s, "/apis", AGGREGATED).await;
    let groups: Vec<&str> = v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["metadata"]["name"].as_str().unwrap())
        .collect();
    assert!(groups.contains(&"apps"));
    assert!(groups.contains(&"example.com"));
    // Calico groups are only served when the snapshot has their CRDs or objects.
    assert!(!groups.contains(&"crd.projectcalico.org"), "{groups:?}");

    let (_, _, v) = get(&s, "/apis", "application/json").await;
    assert_eq!(v["kind"], "APIGroupList");
    let (_, _, v) = get(&s, "/apis/example.com", "").await;
    assert_eq!(v["kind"], "APIGroup");
    assert_eq!(v["preferredVersion"]["groupVersion"], "example.com/v1");
    let (_, _, v) = get(&s, "/apis/example.com/v1", "").await;
    assert_eq!(v["resources"][0]["name"], "widgets");
    assert_eq!(v["resources"][0]["namespaced"], true);
    assert_eq!(v["resources"][0]["shortNames"], json!(["wd"]));
    let (_, _, v) = get(&s, "/api/v1", "").await;
    let nodes = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "nodes")
        .unwrap();
    assert_eq!(nodes["namespaced"], false);
    let (code, _, v) = get(&s, "/apis/nope.example/v1", "").await;
    assert_eq!(code, 404);
    assert_eq!(v["kind"], "Status");
}

#[tokio::test]
async fn get_and_errors() {
    let (s, _d) = server().await;
    let (code, _, v) = get(&s, "/api/v1/namespaces/app/pods/web-1", "application/json").await;
    assert_eq!(code, 200);
    assert_eq!(v["metadata"]["uid"], "uid-web-1");
    assert_eq!(v["metadata"]["resourceVersion"], "120");
    let (code, _, v) = get(&s, "/api/v1/nodes/node-a", "").await;
    assert_eq!(code, 200);
    assert_eq!(v["kind"], "Node");
    let (_, _, v) = get(&s, "/api/v1/namespaces/app", "").await;
    assert_eq!(v["kind"], "Namespace");
    let (code, _, v) = get(&s, "/api/v1/namespaces/app/pods/nope", "").await;
    assert_eq!(code, 404);
    assert_eq!(
        v,
        json!({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
               "message":"pods \"nope\" not found","reason":"NotFound",
               "details":{"name":"nope","kind":"pods"},"code":404})
    );
    let (code, _, v) = get(&s, "/apis/apps/v1/namespaces/app/deployments/nope", "").await;
    assert_eq!(code, 404);
    assert_eq!(v["message"], "deployments.apps \"nope\" not found");
    assert_eq!(v["details"]["group"], "apps");
    let (code, _, v) = get(
        &s,
        "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-a",
        "",
    )
    .await;
    assert_eq!(code, 404);
    assert_eq!(v["reason"], "NotFound");
    let (code, _, _) = get(&s, "/api/v1/pods/web-1", "").await;
    assert_eq!(code, 404);
    for method in ["POST", "PUT", "PATCH", "DELETE"] {
        let (code, _, body) = s
            .handle(method, "/api/v1/namespaces/app/pods/web-1", "")
            .await;
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(code, 405, "{method}");
        assert_eq!(v["reason"], "MethodNotAllowed");
        assert!(v["message"].as_str().unwrap().contains("read-only"));
    }
    // Garbage never panics.
    for path in [
        "/api/v1/namespaces/%ff%fe/pods/%",
        "/api/v1/namespaces",
        "/apis/",
        "/api/v1/namespaces/app/pods/web-1/exec",
        "//",
        "/api/v1/pods?limit=abc",
        "/api/v1/pods?labelSelector=a%20in",
        "/api/v1/pods?continue=garbage",
    ] {
        let (code, _, _) = s
            .handle("GET", path, "application/json;as=Table;g=meta.k8s.io;v=v1")
            .await;
        assert!(code == 200 || code == 400 || code == 404, "{path}: {code}");
    }
}

/// The names of a list's items.
fn names(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn lists_with_selectors_and_pages() {
    let (s, _d) = server().await;
    let (_, _, v) = get(&s, "/api/v1/pods", "").await;
    assert_eq!(v["kind"], "PodList");
    assert_eq!(v["apiVersion"], "v1");
    assert_eq!(v["metadata"]["resourceVersion"], "120");
    assert_eq!(names(&v), ["db-0", "job-x", "old-1", "web-1"]);
    let (_, _, v) = get(&s, "/api/v1/namespaces/other/pods", "").await;
    assert_eq!(names(&v), Vec::<String>::new());
    let (_, _, v) = get(&s, "/api/v1/pods?labelSelector=app%3Dweb", "").await;
    assert_eq!(names(&v), ["web-1"]);
    let (_, _, v) = get(
        &s,
        "/api/v1/pods?labelSelector=app%20in%20(web%2Cdb)%2C!tier",
        "",
    )
    .await;
    assert_eq!(names(&v), ["db-0"]);
    let (_, _, v) = get(&s, "/api/v1/pods?labelSelector=app", "").await;
    assert_eq!(names(&v), ["db-0", "web-1"]);
    let (_, _, v) = get(
        &s,
        "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a%2Cstatus.phase%21%3DSucceeded%2Cstatus.phase%21%3DFailed",
        "",
    )
    .await;
    assert_eq!(names(&v), ["db-0", "old-1", "web-1"]);
    let (_, _, v) = get(
        &s,
        "/api/v1/namespaces/app/events?fieldSelector=involvedObject.name%3Dweb-1%2CinvolvedObject.namespace%3Dapp%2CinvolvedObject.uid%3Duid-web-1",
        "",
    )
    .await;
    assert_eq!(names(&v), ["web-1.1"]);
    let (_, _, v) = get(&s, "/api/v1/events?fieldSelector=type%3DNormal", "").await;
    assert_eq!(names(&v), ["db-0.1"]);
    let (_, _, v) = get(
        &s,
        "/api/v1/pods?fieldSelector=metadata.name%3D%3Dweb-1",
        "",
    )
    .await;
    assert_eq!(names(&v), ["web-1"]);
    let (code, _, v) = get(&s, "/api/v1/pods?labelSelector=a%20in%20b", "").await;
    assert_eq!(code, 400);
    assert_eq!(v["reason"], "BadRequest");

    // Field labels the real server does not support are refused, as it does.
    for path in [
        "/api/v1/pods?fieldSelector=spec.containers%3Dx",
        "/apis/apps/v1/deployments?fieldSelector=spec.replicas%3D2",
        "/apis/example.com/v1/widgets?fieldSelector=spec.size%3D3",
    ] {
        let (code, _, v) = get(&s, path, "").await;
        assert_eq!(code, 400, "{path}");
        assert!(
            v["message"]
                .as_str()
                .unwrap()
                .starts_with("field label not supported: spec."),
            "{v}"
        );
    }
    let (code, _, _) = get(
        &s,
        "/apis/example.com/v1/widgets?fieldSelector=metadata.name%3Dw1",
        "",
    )
    .await;
    assert_eq!(code, 200);

    // A small list is answered whole, whatever the limit.
    let (code, _, v) = get(&s, "/api/v1/pods?limit=3", "").await;
    assert_eq!(code, 200);
    assert_eq!(names(&v), ["db-0", "job-x", "old-1", "web-1"]);
    assert!(v["metadata"].get("continue").is_none(), "{v}");

    // Custom resources, cluster-scoped kinds.
    let (_, _, v) = get(&s, "/apis/example.com/v1/namespaces/app/widgets", "").await;
    assert_eq!(v["kind"], "WidgetList");
    assert_eq!(names(&v), ["w1"]);
    let (_, _, v) = get(&s, "/api/v1/nodes", "").await;
    assert_eq!(names(&v), ["node-a"]);
    // Metadata-only lists.
    let (_, ct, v) = get(
        &s,
        "/api/v1/pods",
        "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
    )
    .await;
    assert!(ct.contains("PartialObjectMetadataList"));
    assert_eq!(v["items"][0]["kind"], "PartialObjectMetadata");
    assert!(v["items"][0].get("spec").is_none());
}

#[tokio::test]
async fn tables() {
    let (s, _d) = server().await;
    let (code, ct, t) = get(&s, "/api/v1/namespaces/app/pods", TABLE).await;
    assert_eq!(code, 200);
    assert_eq!(ct, "application/json;as=Table;v=v1;g=meta.k8s.io");
    assert_eq!(t["kind"], "Table");
    assert_eq!(t["apiVersion"], "meta.k8s.io/v1");
    let columns: Vec<&str> = t["columnDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        columns,
        [
            "Name",
            "Ready",
            "Status",
            "Restarts",
            "Age",
            "IP",
            "Node",
            "Nominated Node",
            "Readiness Gates"
        ]
    );
    // Reference time: the newest timestamp of the snapshot, 2025-03-14T09:29:00Z.
    assert_eq!(
        cells_of(&t, "web-1"),
        json!([
            "web-1",
            "1/2",
            "CrashLoopBackOff",
            "5 (4m ago)",
            "29m",
            "172.30.0.5",
            "node-a",
            "<none>",
            "<none>"
        ])
        .as_array()
        .unwrap()
        .clone()
    );
    assert_eq!(cells_of(&t, "db-0")[2], "Init:0/1");
    assert_eq!(cells_of(&t, "job-x")[2], "Completed");
    assert_eq!(cells_of(&t, "old-1")[2], "Terminating");
    let row = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][0] == "job-x")
        .unwrap();
    assert_eq!(row["conditions"][0]["reason"], "Succeeded");
    assert_eq!(row["object"]["kind"], "PartialObjectMetadata");

    let (_, _, t) = get(
        &s,
        "/api/v1/namespaces/app/pods/web-1?includeObject=Object",
        TABLE,
    )
    .await;
    assert_eq!(t["rows"][0]["object"]["kind"], "Pod");
    let (_, _, t) = get(&s, "/api/v1/namespaces/app/pods?includeObject=None", TABLE).await;
    assert!(t["rows"][0].get("object").is_none());

    let (_, _, t) = get(&s, "/api/v1/nodes", TABLE).await;
    assert_eq!(
        cells_of(&t, "node-a"),
        json!([
            "node-a",
            "Ready,SchedulingDisabled",
            "worker",
            "13d",
            "v1.30.6",
            "10.0.0.1",
            "<none>",
            "Ubuntu",
            "6.8",
            "containerd://1.7"
        ])
        .as_array()
        .unwrap()
        .clone()
    );
    let (_, _, t) = get(&s, "/api/v1/namespaces/app/events", TABLE).await;
    let cells = cells_of(&t, "web-1.1");
    assert_eq!(
        cells[..4],
        json!(["0s", "Warning", "BackOff", "pod/web-1"])
            .as_array()
            .unwrap()[..]
    );
    assert_eq!(cells[5], "kubelet, node-a");
    assert_eq!(cells[8], 7);
    let (_, _, t) = get(&s, "/apis/apps/v1/namespaces/app/deployments", TABLE).await;
    assert_eq!(
        cells_of(&t, "web")[..4],
        json!(["web", "1/2", 2, 1]).as_array().unwrap()[..]
    );
    assert_eq!(cells_of(&t, "web")[7], "app=web");
    let (_, _, t) = get(&s, "/apis/example.com/v1/namespaces/app/widgets", TABLE).await;
    assert_eq!(
        cells_of(&t, "w1"),
        json!(["w1", 3, "True"]).as_array().unwrap().clone()
    );
    let (_, _, t) = get(
        &s,
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        TABLE,
    )
    .await;
    assert_eq!(t["columnDefinitions"][1]["name"], "Created At");
    let (_, _, t) = get(&s, "/api/v1/namespaces", TABLE).await;
    assert_eq!(
        cells_of(&t, "app"),
        json!(["app", "Active", "13d"]).as_array().unwrap().clone()
    );
}

#[tokio::test]
async fn logs() {
    let (s, _d) = server().await;
    let base = "/api/v1/namespaces/app/pods/web-1/log";
    let (code, body) = text(&s, base).await;
    assert_eq!(code, 400);
    assert!(
        body.contains("a container name must be specified for pod web-1, choose one of: [main sidecar] or one of the init containers: [init]"),
        "{body}"
    );
    let (code, body) = text(&s, &format!("{base}?container=main")).await;
    assert_eq!(code, 200);
    assert!(body.starts_with("line 0\nline 1\n"), "{body}");
    let (_, body) = text(
        &s,
        &format!("{base}?container=main&timestamps=true&tailLines=2"),
    )
    .await;
    assert_eq!(
        body,
        "2025-03-14T09:28:00.000000000Z line 8\n2025-03-14T09:29:00.000000000Z line 9\n"
    );
    let (_, body) = text(&s, &format!("{base}?container=main&sinceSeconds=90")).await;
    assert_eq!(body, "line 8\nline 9\n");
    let (_, body) = text(
        &s,
        &format!("{base}?container=main&sinceSeconds=300&tailLines=1"),
    )
    .await;
    assert_eq!(body, "line 9\n");
    let (_, body) = text(&s, &format!("{base}?container=main&limitBytes=10")).await;
    assert_eq!(body, "line 0\nlin");
    let (_, body) = text(&s, &format!("{base}?container=main&previous=true")).await;
    assert_eq!(body, "killed\n");
    let (_, body) = text(
        &s,
        &format!("{base}?container=sidecar&timestamps=true&tailLines=1"),
    )
    .await;
    assert_eq!(body, "plain 3");
    let (code, body) = text(&s, &format!("{base}?container=sidecar&previous=true")).await;
    assert_eq!(code, 400);
    assert!(
        body.contains(r#"previous terminated container \"sidecar\" in pod \"web-1\" not found"#),
        "{body}"
    );
    let (code, body) = text(&s, &format!("{base}?container=nope")).await;
    assert_eq!(code, 400);
    assert!(
        body.contains("container nope is not valid for pod web-1"),
        "{body}"
    );
    let (code, _) = text(&s, &format!("{base}?container=main&tailLines=-1")).await;
    assert_eq!(code, 400);
    let (code, body) = text(&s, "/api/v1/namespaces/app/pods/job-x/log").await;
    assert_eq!((code, body.as_str()), (200, "done\n"));
    let (code, _) = text(&s, "/api/v1/namespaces/app/pods/nope/log").await;
    assert_eq!(code, 404);
    let (code, body) = text(&s, "/api/v1/namespaces/app/pods/db-0/log").await;
    assert_eq!(code, 400);
    assert!(
        body.contains("is waiting to start: PodInitializing"),
        "{body}"
    );
}

#[tokio::test]
async fn watch_replays_then_ends() {
    let (s, _d) = server().await;
    let (code, body) = text(&s, "/api/v1/namespaces/app/pods?watch=true").await;
    assert_eq!(code, 200);
    let events: Vec<Value> = body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 4);
    assert!(events.iter().all(|e| e["type"] == "ADDED"));
    let (_, body) = text(
        &s,
        "/api/v1/namespaces/app/pods?watch=true&resourceVersion=120",
    )
    .await;
    assert_eq!(body, "");
    let (_, body) = text(&s, "/api/v1/namespaces/app/pods?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true").await;
    let last: Value = serde_json::from_str(body.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "BOOKMARK");
    assert_eq!(
        last["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
}

#[tokio::test]
async fn faults() {
    let faults =
        Faults::parse("forbid=deployments.apps;vanish=app/web-1;error-every=5;cut-logs=3").unwrap();
    let (s, _d) = server_with(faults).await;
    let (code, _, v) = get(&s, "/apis/apps/v1/namespaces/app/deployments", "").await; // 1
    assert_eq!(code, 403);
    assert_eq!(v["reason"], "Forbidden");
    let (code, _, _) = get(&s, "/api/v1/namespaces/app/pods/web-1", "").await; // 2
    assert_eq!(code, 200);
    let (code, _, _) = get(&s, "/api/v1/namespaces/app/pods", "").await; // 3
    assert_eq!(code, 200);
    let (code, _, _) = get(&s, "/api/v1/namespaces/app/pods/web-1", "").await; // 4
    assert_eq!(code, 404);
    let (code, _, v) = get(&s, "/version", "").await; // 5
    assert_eq!(code, 500);
    assert_eq!(v["reason"], "InternalError");
    let (code, _) = text(&s, "/healthz").await; // 6
    assert_eq!(code, 200);
    let (_, body) = text(&s, "/api/v1/namespaces/app/pods/job-x/log").await; // 7
    assert_eq!(body, "<stream cut>");
    let (code, _) = text(
        &s,
        "/api/v1/namespaces/app/pods/web-1/log?container=sidecar",
    )
    .await; // 8
    assert_eq!(code, 404);
}

#[tokio::test]
async fn serves_over_tcp_and_shuts_down() {
    let (s, _d) = server().await;
    let addr = s.local_addr();
    assert!(kbundle_server::kubeconfig(addr).contains(&format!("server: http://{addr}")));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(s.run_until(async {
        let _ = rx.await;
    }));
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    let response = String::from_utf8_lossy(&buf);
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.contains("v1.30.6+IKS"), "{response}");
    assert!(
        response
            .to_ascii_lowercase()
            .contains("date: fri, 14 mar 2025 09:29:00 gmt"),
        "the Date header is the snapshot's now: {response}"
    );
    // Garbage on the wire does not take the server down.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(b"\x00\x01garbage\r\n\r\n").await.unwrap();
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf).ends_with("ok"));
    tx.send(()).unwrap();
    tokio::time::timeout(kbundle_testkit::HANG_GUARD, task)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn access_reviews_allow_reads_only() {
    let (s, _d) = server_with(Faults::parse("forbid=secrets").unwrap()).await;
    let review = |verb: &str, resource: &str| {
        bytes::Bytes::from(
            json!({"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                   "spec": {"resourceAttributes": {"verb": verb, "resource": resource, "namespace": "app"}}})
            .to_string(),
        )
    };
    let path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
    for (verb, resource, allowed) in [
        ("list", "pods", true),
        ("delete", "pods", false),
        ("get", "secrets", false),
    ] {
        let (code, _, body) = s
            .handle_with_body("POST", path, "", review(verb, resource))
            .await;
        assert_eq!(code, 201);
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["status"]["allowed"], allowed, "{verb} {resource}: {v}");
    }
    let (code, _, _) = s
        .handle_with_body("POST", path, "", bytes::Bytes::from_static(b"["))
        .await;
    assert_eq!(code, 400);
    let (code, _, body) = s
        .handle_with_body(
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
            "",
            bytes::Bytes::from_static(b"{}"),
        )
        .await;
    assert_eq!(code, 201);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        v["status"]["resourceRules"][0]["verbs"],
        json!(["get", "list", "watch"])
    );
}

#[tokio::test]
async fn lists_are_paged_at_the_limit_above_whole_list_max() {
    for max in [0, 3] {
        let (s, _d) = server_opts(ServeOptions::default().with_whole_list_max(max)).await;
        let mut seen = Vec::new();
        let mut path = "/api/v1/pods?limit=3".to_string();
        loop {
            let (code, _, v) = get(&s, &path, "").await;
            assert_eq!(code, 200);
            seen.extend(names(&v));
            match v["metadata"]["continue"].as_str() {
                Some(c) => {
                    assert_eq!(v["metadata"]["remainingItemCount"], 1);
                    path = format!("/api/v1/pods?limit=3&continue={c}");
                }
                None => break,
            }
        }
        assert_eq!(seen, ["db-0", "job-x", "old-1", "web-1"], "max {max}");
        // The bound counts the selection, not the whole kind: three pods fit in max 3.
        let (_, _, v) = get(
            &s,
            "/api/v1/pods?limit=1&fieldSelector=metadata.name%21%3Djob-x",
            "",
        )
        .await;
        let whole = max >= 3;
        assert_eq!(names(&v).len(), if whole { 3 } else { 1 }, "max {max}: {v}");
        assert_eq!(v["metadata"].get("continue").is_none(), whole, "{v}");
    }
}

#[tokio::test]
async fn arbitrary_requests_never_break_the_server() {
    let (s, _d) = server().await;
    let mut pieces: Vec<String> = [
        "api",
        "apis",
        "v1",
        "namespaces",
        "app",
        "pods",
        "web-1",
        "job-x",
        "log",
        "status",
        "nodes",
        "node-a",
        "apps",
        "deployments",
        "example.com",
        "widgets",
        "%",
        "%zz",
        "..",
        "",
        "events",
        "version",
        "a b",
        "\u{e9}",
        "%2F",
        "coordination.k8s.io",
        "leases",
    ]
    .iter()
    .map(|p| p.to_string())
    .collect();
    pieces.push("x".repeat(300));
    let queries = [
        "",
        "?watch=true",
        "?watch=1&resourceVersion=5&timeoutSeconds=0",
        "?limit=-1",
        "?limit=1&continue=kbundle:99",
        "?labelSelector=%28",
        "?fieldSelector=%3D",
        "?container=main&tailLines=99999999999999999999",
        "?sinceSeconds=9223372036854775807&container=main",
        "?sinceTime=garbage&container=main",
        "?includeObject=Bogus",
        "?timestamps=true&limitBytes=1&container=main",
        "?previous=true",
        "?%zz=%",
    ];
    let accepts = [
        "",
        TABLE,
        AGGREGATED,
        "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io",
        ";;;,,,=",
        "application/json;as=Table;v=v1beta1;g=meta.k8s.io",
    ];
    let methods = ["GET", "GET", "GET", "HEAD", "POST", "DELETE", "OPTIONS"];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..1500 {
        let depth = 1 + next(6);
        let mut path = String::new();
        for _ in 0..depth {
            path.push('/');
            path.push_str(&pieces[next(pieces.len())]);
        }
        path.push_str(queries[next(queries.len())]);
        let accept = accepts[next(accepts.len())];
        let method = methods[next(methods.len())];
        let (code, _, _) =
            tokio::time::timeout(kbundle_testkit::HANG_GUARD, s.handle(method, &path, accept))
                .await
                .unwrap_or_else(|_| panic!("{method} {path} hangs"));
        assert!((200..600).contains(&code), "{method} {path}: {code}");
        assert_ne!(code, 500, "{method} {path}");
    }
}

#[tokio::test]
async fn now_can_be_set() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("objects.yaml"), OBJECTS).unwrap();
    let snapshot = Snapshot::open(dir.path(), &ReadOptions::default()).unwrap();
    let options = ServeOptions::default().with_now(Some("2025-03-16T09:00:00Z".parse().unwrap()));
    let s = Server::bind(Arc::new(snapshot), "127.0.0.1:0".parse().unwrap(), options)
        .await
        .unwrap();
    let (_, _, t) = get(&s, "/api/v1/namespaces/app/pods", TABLE).await;
    assert_eq!(cells_of(&t, "web-1")[4], "2d");
}
