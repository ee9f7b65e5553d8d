//! kube-rs against the server: typed list, get, logs, discovery, watch, errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Node, Pod};
use kbundle_server::ServeOptions;
use kbundle_testkit::InProcess;
use kube::api::{Api, ListParams, LogParams, WatchEvent, WatchParams};

/// The fixture cluster `name` served in-process, and a client configured from the kubeconfig
/// the server writes; the server stops when the second value is dropped.
async fn start(name: &str) -> (kube::Client, InProcess) {
    // Every list paged at the client's `limit`, to test kube-rs's paging.
    let options = ServeOptions::default().with_whole_list_max(0);
    let server = InProcess::cluster(name, options).await;
    (server.kubeconfig_client().await, server)
}

#[tokio::test]
async fn kube_rs_lists_gets_and_reads_logs() {
    let (client, _stop) = start("crashloop-oom").await;

    let version = client.apiserver_version().await.unwrap();
    assert_eq!(version.git_version, "v1.30.6+IKS");

    let pods: Api<Pod> = Api::all(client.clone());
    let list = pods.list(&ListParams::default()).await.unwrap();
    assert!(list.items.len() >= 5, "{}", list.items.len());
    assert!(list.metadata.resource_version.is_some());

    let paged = pods.list(&ListParams::default().limit(2)).await.unwrap();
    assert_eq!(paged.items.len(), 2);
    let token = paged.metadata.continue_.clone().unwrap();
    let next = pods
        .list(&ListParams::default().limit(2).continue_token(&token))
        .await
        .unwrap();
    assert_ne!(paged.items[0].metadata.name, next.items[0].metadata.name);

    let selected = pods
        .list(&ListParams::default().labels("app.kubernetes.io/name=calico-node"))
        .await
        .unwrap();
    assert_eq!(selected.items.len(), 3);
    let on_node = pods
        .list(&ListParams::default().fields("spec.nodeName=10.240.64.11"))
        .await
        .unwrap();
    assert!(
        on_node
            .items
            .iter()
            .all(|p| p.spec.as_ref().unwrap().node_name.as_deref() == Some("10.240.64.11"))
    );

    let ns_pods: Api<Pod> = Api::namespaced(client.clone(), "calico-system");
    let pod = ns_pods
        .get("calico-kube-controllers-5f6b8d9c47-q4wzn")
        .await
        .unwrap();
    let statuses = pod.status.unwrap().container_statuses.unwrap();
    assert_eq!(statuses[0].restart_count, 14);

    let missing = ns_pods.get("nope").await.unwrap_err();
    match missing {
        kube::Error::Api(status) => {
            assert_eq!(status.code, 404);
            assert_eq!(status.reason, "NotFound");
        }
        other => panic!("unexpected error {other:?}"),
    }

    let logs = ns_pods
        .logs(
            "calico-kube-controllers-5f6b8d9c47-q4wzn",
            &LogParams {
                tail_lines: Some(3),
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(logs.lines().count(), 3, "{logs}");
    let previous = ns_pods
        .logs(
            "calico-kube-controllers-5f6b8d9c47-q4wzn",
            &LogParams {
                previous: true,
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    assert!(previous.contains("Loaded configuration"), "{previous}");

    let nodes: Api<Node> = Api::all(client.clone());
    assert_eq!(
        nodes
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        3
    );
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "calico-system");
    assert!(
        !deployments
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );

    let err = ns_pods
        .delete(
            "calico-kube-controllers-5f6b8d9c47-q4wzn",
            &Default::default(),
        )
        .await
        .unwrap_err();
    match err {
        kube::Error::Api(status) => assert_eq!(status.code, 405),
        other => panic!("unexpected error {other:?}"),
    }
}

#[tokio::test]
async fn kube_rs_discovery_and_watch() {
    let (client, _stop) = start("healthy").await;
    let discovery = kube::Discovery::new(client.clone()).run().await.unwrap();
    assert!(discovery.has_group("apps"));
    assert!(discovery.has_group("crd.projectcalico.org"));
    let (felix, caps) = discovery
        .groups()
        .flat_map(|g| g.recommended_resources())
        .find(|(r, _)| r.plural == "felixconfigurations")
        .unwrap();
    assert_eq!(felix.group, "crd.projectcalico.org");
    assert_eq!(caps.scope, kube::discovery::Scope::Cluster);

    let pods: Api<Pod> = Api::namespaced(client.clone(), "kube-system");
    // Hang guards: a watch from "0" lists and ends, one from the future ends at once.
    let events: Vec<WatchEvent<Pod>> = tokio::time::timeout(
        kbundle_testkit::HANG_GUARD,
        pods.watch(&WatchParams::default(), "0")
            .await
            .unwrap()
            .try_collect(),
    )
    .await
    .expect("the watch ends")
    .unwrap();
    assert!(!events.is_empty());
    assert!(events.iter().all(|e| matches!(e, WatchEvent::Added(_))));
    let mut stream = pods
        .watch(&WatchParams::default(), "999999999")
        .await
        .unwrap()
        .boxed();
    assert!(
        tokio::time::timeout(kbundle_testkit::HANG_GUARD, stream.next())
            .await
            .unwrap()
            .is_none()
    );
}
