//! The collector against an in-process `kbundle-server` on the fixture clusters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use kbundle_collector::{NoProgress, Options, Plan, collect};
use kbundle_format::{Archive, Limits};
use kbundle_server::{Faults, ServeOptions};
use kbundle_testkit::InProcess;

/// The fixture cluster `name` served in-process with `faults`, and a client; the server stops
/// when the second value is dropped.
async fn serve(name: &str, faults: &str) -> (kube::Client, InProcess) {
    let options = ServeOptions::default().with_faults(Faults::parse(faults).unwrap());
    let server = InProcess::cluster(name, options).await;
    (server.client(), server)
}

fn options() -> Options {
    Options::default().with_collected_at(Some("2025-03-14T09:30:00Z".parse().unwrap()))
}

#[tokio::test]
async fn collects_the_preset_from_each_fixture() {
    for (name, pod) in [
        ("healthy", Some("calico-kube-controllers-7d9c6bf5d8-x7m2q")),
        (
            "crashloop-oom",
            Some("calico-kube-controllers-5f6b8d9c47-q4wzn"),
        ),
        ("webhook-denied", None),
    ] {
        let (client, _stop) = serve(name, "").await;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("b.zip");
        let s = collect(
            client,
            &Plan::preset_calico_kube_controllers(),
            &options(),
            &out,
            &NoProgress,
        )
        .await
        .unwrap();
        assert!(s.errors.is_empty(), "{name}: {:?}", s.errors);
        assert!(s.is_complete());
        assert_eq!(s.namespaces, vec!["calico-system".to_string()], "{name}");
        let archive = Archive::open(&out, Limits::default()).unwrap();
        let paths: Vec<&str> = archive.entries().iter().map(|e| e.path.as_str()).collect();
        assert!(paths.contains(&"manifest.json"));
        assert!(paths.contains(&"cluster/nodes.json"));
        if let Some(pod) = pod {
            let dir = format!("namespaces/calico-system/pods/{pod}");
            for f in [
                "pod.json",
                "describe.txt",
                "logs/calico-kube-controllers.log",
            ] {
                assert!(
                    paths.contains(&format!("{dir}/{f}").as_str()),
                    "{name}: {f} in {paths:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn forbidden_nodes_are_recorded() {
    let (client, _stop) = serve("crashloop-oom", "forbid=nodes").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.zip");
    let s = collect(
        client,
        &Plan::preset_calico_kube_controllers(),
        &options(),
        &out,
        &NoProgress,
    )
    .await
    .unwrap();
    assert!(!s.is_complete());
    assert!(
        s.errors
            .iter()
            .any(|e| e.what.contains("nodes") && e.class.as_deref() == Some("forbidden")),
        "{:?}",
        s.errors
    );
    assert!(s.logs >= 2);
}

#[tokio::test]
async fn missing_workload_still_collects_both_namespaces() {
    let (client, _stop) = serve("healthy", "").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.zip");
    let mut plan = Plan::preset_calico_kube_controllers();
    if let kbundle_collector::Target::Workload {
        deployment,
        selector,
        ..
    } = &mut plan.target
    {
        *deployment = "nope".into();
        *selector = "k8s-app=nope".into();
    }
    let s = collect(client, &plan, &options(), &out, &NoProgress)
        .await
        .unwrap();
    assert!(s.workload_missing && !s.is_complete());
    assert_eq!(
        s.namespaces,
        vec!["kube-system".to_string(), "calico-system".to_string()]
    );
    let archive = Archive::open(&out, Limits::default()).unwrap();
    for ns in ["kube-system", "calico-system"] {
        for f in [
            "core/pods.json",
            "core/events.json",
            "apps/deployments.json",
            "apps/replicasets.json",
        ] {
            let p = format!("namespaces/{ns}/{f}");
            assert!(archive.entry(&p).is_some(), "{p}");
        }
    }
    assert!(
        archive
            .entry("cluster/admissionregistration.k8s.io/validatingwebhookconfigurations.json")
            .is_some()
    );
}

#[tokio::test]
async fn namespaces_plan_with_selector_and_a_missing_namespace() {
    let (client, _stop) = serve("crashloop-oom", "").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.zip");
    let plan = Plan::namespaces(["calico-system", "nope"])
        .with_selector("k8s-app=calico-kube-controllers");
    let s = collect(client, &plan, &options(), &out, &NoProgress)
        .await
        .unwrap();
    assert_eq!(s.pods, 1);
    assert_eq!(s.logs, 2);
    assert!(
        s.errors
            .iter()
            .any(|e| e.message == "namespace nope not found"
                && e.class.as_deref() == Some("not-found")),
        "{:?}",
        s.errors
    );
}

/// A TCP proxy that turns the aggregated-discovery Accept header into plain JSON, so the server
/// answers with classic discovery (as servers without aggregated discovery do).
async fn classic_only_proxy(upstream: std::net::SocketAddr) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                });
                let mut buf: Vec<u8> = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = match cr.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    buf.extend_from_slice(&chunk[..n]);
                    // GET requests only: every request is a head without a body.
                    while let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head: Vec<u8> = buf.drain(..end + 4).collect();
                        let text = String::from_utf8_lossy(&head)
                            .split("\r\n")
                            .map(|l| {
                                if l.to_ascii_lowercase().starts_with("accept:")
                                    && l.contains("apidiscovery")
                                {
                                    "accept: application/json".to_string()
                                } else {
                                    l.to_string()
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("\r\n");
                        if sw.write_all(text.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test]
async fn classic_discovery_gives_the_same_bundle() {
    let server = InProcess::cluster("crashloop-oom", ServeOptions::default()).await;
    let direct: http::Uri = format!("http://{}", server.addr()).parse().unwrap();
    let proxy = classic_only_proxy(server.addr()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut bundles = Vec::new();
    for url in [direct, format!("http://{proxy}").parse().unwrap()] {
        let client = kube::Client::try_from(kube::Config::new(url)).unwrap();
        let out = dir.path().join(format!("{}.zip", bundles.len()));
        let plan = Plan::preset_calico_kube_controllers();
        let s = collect(client, &plan, &options(), &out, &NoProgress)
            .await
            .unwrap();
        assert!(s.is_complete(), "{:?}", s.errors);
        let archive = Archive::open(&out, Limits::default()).unwrap();
        assert!(
            archive
                .entry("cluster/crd.projectcalico.org/felixconfigurations.json")
                .is_some()
        );
        bundles.push(std::fs::read(&out).unwrap());
    }
    assert!(
        bundles[0] == bundles[1],
        "aggregated and classic discovery gave different bundles"
    );
    drop(server);
}

#[tokio::test]
async fn forbidden_lookups_are_not_reported_as_a_missing_workload() {
    let (client, _stop) = serve("healthy", "forbid=pods,deployments.apps").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.zip");
    let plan = Plan::preset_calico_kube_controllers();
    let s = collect(client, &plan, &options(), &out, &NoProgress)
        .await
        .unwrap();
    assert!(s.workload_missing);
    let find = s
        .errors
        .iter()
        .find(|e| e.what.starts_with("find Deployment"))
        .unwrap();
    assert_eq!(find.class.as_deref(), Some("other"), "{find:?}");
    assert!(find.message.contains("lookups failed"), "{find:?}");
    assert!(
        s.errors
            .iter()
            .any(|e| e.class.as_deref() == Some("forbidden"))
    );
    assert!(out.is_file());
}

#[tokio::test]
async fn max_log_bytes_keeps_the_newest_bytes() {
    let (client, _stop) = serve("crashloop-oom", "").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.zip");
    let options = options().with_max_log_bytes(1000);
    let s = collect(
        client,
        &Plan::preset_calico_kube_controllers(),
        &options,
        &out,
        &NoProgress,
    )
    .await
    .unwrap();
    let pod = "calico-kube-controllers-5f6b8d9c47-q4wzn";
    let path = format!("namespaces/calico-system/pods/{pod}/logs/calico-kube-controllers.log");
    let full = std::fs::read(
        kbundle_testkit::paths::cluster("crashloop-oom").join(format!(
            "logs/calico-system/{pod}/calico-kube-controllers.log"
        )),
    )
    .unwrap();
    let archive = Archive::open(&out, Limits::default()).unwrap();
    let kept = archive.read_bytes(&path, 1 << 20).unwrap();
    assert_eq!(kept, full[full.len() - 1000..].to_vec());
    let (_, t) = s.trimmed.iter().find(|(p, _)| *p == path).unwrap();
    assert_eq!(t.reason, "max-log-bytes");
    assert_eq!(t.original_size, full.len() as u64);
}

/// The collection can run on a spawned task.
#[tokio::test]
async fn collect_is_send() {
    let (client, _stop) = serve("healthy", "").await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.zip");
    let task = tokio::spawn(async move {
        let plan = Plan::preset_calico_kube_controllers();
        collect(client, &plan, &options(), &out, &NoProgress).await
    });
    assert!(task.await.unwrap().unwrap().is_complete());
}

#[tokio::test]
async fn set_based_selectors_select_pods_and_bad_ones_are_refused() {
    let (client, _stop) = serve("crashloop-oom", "").await;
    let dir = tempfile::tempdir().unwrap();
    let collect_with = |selector: &str| {
        let plan = Plan::namespaces(["calico-system"]).with_selector(selector);
        let out = dir.path().join("b.zip");
        let client = client.clone();
        async move { collect(client, &plan, &options(), &out, &NoProgress).await }
    };
    let all = collect_with("").await.unwrap();
    let some = collect_with("k8s-app in (calico-kube-controllers)")
        .await
        .unwrap();
    let none = collect_with(
        "k8s-app notin (calico-kube-controllers, calico-node, calico-typha, csi-node-driver)",
    )
    .await
    .unwrap();
    assert!(all.pods > some.pods, "{} {}", all.pods, some.pods);
    assert_eq!(some.pods, 1);
    assert!(none.pods < all.pods);
    let bad = collect_with("k8s-app in calico").await.unwrap_err();
    assert!(
        bad.to_string()
            .contains("label selector \"k8s-app in calico\""),
        "{bad}"
    );
}

/// Each namespace keeps its own state, whatever its name's prefix: `calico` (missing) and
/// `calico-system` (whose pods list is forbidden) are told apart (the collector once decided on
/// the errors' text, and the error about `calico-system` hid that `calico` does not exist).
#[tokio::test]
async fn a_namespace_named_like_the_prefix_of_another_keeps_its_own_state() {
    let pod = "calico-system/calico-kube-controllers-5f6b8d9c47-q4wzn";
    let plan = Plan::namespaces(["calico", "calico-system"]).with_pods([pod]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.zip");

    // The pods of calico-system cannot be listed: calico is still missing, calico-system is
    // not, and the named pod is not said missing (its list failed: nobody knows).
    let (client, _stop) = serve("crashloop-oom", "forbid=calico-system/pods").await;
    let s = collect(client, &plan, &options(), &out, &NoProgress)
        .await
        .unwrap();
    let errors = |class: &str| -> Vec<(String, String)> {
        s.errors
            .iter()
            .filter(|e| e.class.as_deref() == Some(class))
            .map(|e| (e.what.clone(), e.message.clone()))
            .collect()
    };
    assert_eq!(
        errors("not-found"),
        vec![(
            "get core/namespaces calico".to_string(),
            "namespace calico not found".to_string()
        )],
        "{:?}",
        s.errors
    );
    assert!(
        errors("forbidden")
            .iter()
            .any(|(what, _)| what == "list core/pods in calico-system"),
        "{:?}",
        s.errors
    );
    assert_eq!(s.pods, 0);
    assert!(!s.is_complete());
    let archive = Archive::open(&out, Limits::default()).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&archive.read_bytes("manifest.json", 1 << 20).unwrap()).unwrap();
    assert_eq!(
        manifest["request"]["namespaces"],
        serde_json::json!(["calico", "calico-system"])
    );
    assert!(
        archive
            .entry("namespaces/calico-system/core/pods.json")
            .is_none()
    );
    assert!(
        archive
            .entry("namespaces/calico-system/apps/deployments.json")
            .is_some()
    );

    // The other way round: calico's pods are forbidden, calico-system's are collected, and
    // calico is still missing.
    let (client, _stop) = serve("crashloop-oom", "forbid=calico/pods").await;
    let s = collect(client, &plan, &options(), &out, &NoProgress)
        .await
        .unwrap();
    let not_found: Vec<&str> = s
        .errors
        .iter()
        .filter(|e| e.class.as_deref() == Some("not-found"))
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        not_found,
        vec!["namespace calico not found"],
        "{:?}",
        s.errors
    );
    assert_eq!(s.pods, 1, "{:?}", s.errors);
    let archive = Archive::open(&out, Limits::default()).unwrap();
    assert!(
        archive
            .entry("namespaces/calico-system/pods/calico-kube-controllers-5f6b8d9c47-q4wzn/describe.txt")
            .is_some()
    );
}

/// A server that does not answer: `Error::Unreachable`, with the failed request and the
/// connection's error as its sources.
#[tokio::test]
async fn an_unreachable_server_is_an_error_with_its_causes() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url: http::Uri = format!("http://127.0.0.1:{port}").parse().unwrap();
    let client = kube::Client::try_from(kube::Config::new(url)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = options().with_retries(0);
    let e = collect(
        client,
        &Plan::preset_calico_kube_controllers(),
        &options,
        &dir.path().join("b.zip"),
        &NoProgress,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, kbundle_collector::Error::Unreachable(_)),
        "{e:?}"
    );
    assert!(!e.is_invalid_option());
    let request = std::error::Error::source(&e).unwrap();
    assert!(
        request.to_string().starts_with("GET /version: "),
        "{request}"
    );
    let request = request
        .downcast_ref::<kbundle_collector::RequestError>()
        .unwrap();
    assert_eq!(request.class, "other");
    assert!(
        std::error::Error::source(request)
            .and_then(|s| s.downcast_ref::<kube::Error>())
            .is_some(),
        "the connection's error is kept"
    );
    assert!(!dir.path().join("b.zip").exists());
}

/// The client `kbundle_collector::client` makes for a plain `http://` server without a CA
/// (no system trust store loaded: an empty one) reaches the server and collects.
#[tokio::test]
async fn plain_http_client_without_a_ca() {
    let server = InProcess::cluster("healthy", ServeOptions::default()).await;
    let config = kube::Config::new(format!("http://{}", server.addr()).parse().unwrap());
    assert!(config.root_cert.is_none());
    let (client, withheld) = kbundle_collector::client(config).unwrap();
    assert!(!withheld);
    let dir = tempfile::tempdir().unwrap();
    let s = collect(
        client,
        &Plan::preset_calico_kube_controllers(),
        &options(),
        &dir.path().join("b.zip"),
        &NoProgress,
    )
    .await
    .unwrap();
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.pods, 1);
}
