//! Calico components (calico-kube-controllers, calico-node, the CNI plugin) cannot reach the
//! Kubernetes API service: timeouts, refused connections and missing routes to its address.
//!
//! ## What it detects
//!
//! Within the window, in the input's Calico logs (any level) and in event messages (failed
//! probes, failed pod sandboxes), a Calico datastore or API client wording together with a
//! network failure (`i/o timeout`, `context deadline exceeded`, `connection refused`,
//! `no route to host`, `network is unreachable`, `Client.Timeout exceeded`,
//! `TLS handshake timeout`). An answer from the API server is not a network failure and does
//! not count: `connection is unauthorized: Unauthorized` (a token problem) or
//! `etcdserver: leader changed`. Only when the input shows Calico runs in its cluster.
//!
//! One finding per object (the pod whose log holds the lines or whose events say it), critical,
//! with the API address the lines name (`172.21.0.1:443`) when they name one, how many lines
//! and events, and the first and last of them as evidence.
//!
//! ### Wordings
//!
//! | Wording | Where it comes from |
//! |---|---|
//! | `Error getting cluster information config ClusterInformation="default" error=Get "https://10.96.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": context deadline exceeded` | libcalico-go `clientv3/client.go` (`ensureClusterInformation`), kube-controllers v3.8-v3.29 (projectcalico/calico#3751, #4361) |
//! | `Failed to initialize Calico datastore error=... dial tcp 10.233.0.1:443: connect: no route to host` (FATAL) | kube-controllers `main.go` (projectcalico/calico#3751, #8767) |
//! | `Failed to initialize datastore error=... dial tcp 10.96.0.1:443: i/o timeout` | kube-controllers v3.26+ `main.go` (projectcalico/calico#8767) |
//! | `Failed to verify datastore`, `Failed to reach apiserver` | kube-controllers health loop (projectcalico/calico#3751) |
//! | `Liveness probe failed: Error initializing datastore: Get "https://10.96.0.1:443/...": dial tcp 10.96.0.1:443: i/o timeout`, `Readiness probe failed: Error verifying datastore: ...` | kube-controllers `check-status` output in `Unhealthy` events (projectcalico/calico#6642) |
//! | `Failed to get config from datastore ... dial tcp 172.20.0.1:443: i/o timeout` | calico-node felix `daemon.go` (projectcalico/calico#7414) |
//! | `NetworkPlugin cni failed to set up pod ... error getting ClusterInformation: Get "https://10.96.0.1:443/...": dial tcp 10.96.0.1:443: i/o timeout` | the CNI plugin, in `FailedCreatePodSandBox` events (projectcalico/calico#2695) |
//!
//! ## Why it matters
//!
//! Calico keeps its data in the Kubernetes API. A component that cannot reach the API service
//! exits (kube-controllers: `Failed to initialize Calico datastore` is FATAL), fails its
//! probes and crash-loops, and the CNI plugin cannot set up new pods. The crash loop and the
//! probe failures are symptoms; this is the cause.
//!
//! ## Runbook step
//!
//! "calico-kube-controllers in CrashLoopBackOff or Restarting Often": examine recent firewall, gateway, route and
//! VPN changes. Check the path to the API service address from the pod's node: kube-proxy
//! (its pods and its rules for the `kubernetes` Service), on IKS the master proxy pods that
//! carry 172.21.0.1:443 to the master, and security groups between workers and the master.
//!
//! ## Example
//!
//! ```text
//! CRITICAL [apiserver-unreachable] Pod/calico-system/calico-kube-controllers-6f8c9d7b5-x2x7k
//!   cannot reach the API server at 172.21.0.1:443: 7 events and 2 log lines
//!   evidence:
//!     cluster.yaml: Unhealthy (x7) Readiness probe failed: Error initializing datastore: Get "https://172.21.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": dial tcp 172.21.0.1:443: i/o timeout
//!   next steps:
//!     - Check the path to the API service from the node: kube-proxy (kubectl get pods -n kube-system -o wide | grep kube-proxy) and the endpoints of the kubernetes Service (kubectl get endpoints kubernetes)
//! ```

use super::wordings::{Mark, api_address, counted, sightings};
use crate::Context;
use crate::report::{Finding, Severity};

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    if super::calico::shown(cx.facts).is_none() {
        return;
    }
    for s in sightings(cx, &[Mark::ApiUnreachable]) {
        let address = api_address(&s.sample)
            .map(|a| format!(" at {a}"))
            .unwrap_or_default();
        let message = format!("cannot reach the API server{address}: {}", counted(&s));
        let mut next_steps = vec![
            "Check the path to the API service from the node: kube-proxy (kubectl get pods -n kube-system -o wide | grep kube-proxy) and the endpoints of the kubernetes Service (kubectl get endpoints kubernetes)".to_string(),
            "On IKS, check the master proxy pods in kube-system that carry the API service address to the master".to_string(),
            "Look for recent firewall, security group, gateway, route and VPN changes between the workers and the API server".to_string(),
        ];
        if s.subject.kind == "Pod" {
            next_steps.push(format!(
                "Find its node: kubectl get pod{} {} -o wide",
                super::namespace_flag(s.subject.namespace_str()),
                s.subject.name
            ));
        }
        out.push(Finding {
            rule: "",
            severity: Severity::Critical,
            subject: s.subject,
            message,
            evidence: s.evidence,
            next_steps,
        });
    }
}
