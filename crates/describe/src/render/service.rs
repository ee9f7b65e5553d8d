//! `kubectl describe service`.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::common::{
    annotations_multiline, api_key, describe_events, format_labels, labels_multiline, s,
};
use crate::tabwriter::PrefixWriter;

/// The label naming an EndpointSlice's service.
const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
/// kubectl lists at most this many endpoints per port, then `+ N more...`.
const MAX_ENDPOINTS: usize = 3;

/// `buildIngressString`.
fn ingress_string(service: &Service) -> String {
    let ingress = service
        .status
        .as_ref()
        .and_then(|st| st.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_deref())
        .unwrap_or_default();
    ingress
        .iter()
        .map(|i| match (s(&i.ip), &i.ip_mode) {
            ("", _) => s(&i.hostname).to_string(),
            (ip, Some(mode)) => format!("{ip} ({mode})"),
            (ip, None) => ip.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `formatEndpointSlices` for one port name: the ready endpoints (an endpoint without a
/// `ready` condition counts as ready), `host:port`, or the bare address for a slice without
/// ports (a headless service), at most three, then `+ N more...`. `<none>` without slices.
fn format_endpoints(slices: &[&EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".to_string();
    }
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0usize;
    let ready = |e: &k8s_openapi::api::discovery::v1::Endpoint| {
        e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true)
    };
    for slice in slices {
        // A slice without ports (a headless service) lists bare addresses; otherwise each
        // of its ports with the service port's name lists `host:port`.
        let ports: Vec<Option<i32>> = match slice.ports.as_deref() {
            None | Some([]) => vec![None],
            Some(ports) => ports
                .iter()
                .filter(|p| s(&p.name) == port_name)
                .map(|p| Some(p.port.unwrap_or(0)))
                .collect(),
        };
        for port in ports {
            // An endpoint without an address would crash kubectl; it is skipped here.
            for e in slice.endpoints.iter() {
                let Some(addr) = e.addresses.first() else {
                    continue;
                };
                if list.len() == MAX_ENDPOINTS {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more {
                    list.push(match port {
                        None => addr.clone(),
                        Some(p) => join_host_port(addr, p),
                    });
                }
                count += 1;
            }
        }
    }
    let text = list.join(",");
    if more {
        format!("{text} + {} more...", count.saturating_sub(MAX_ENDPOINTS))
    } else {
        text
    }
}

/// Go's `net.JoinHostPort`: an IPv6 address is bracketed.
fn join_host_port(host: &str, port: i32) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Renders `kubectl describe service`. `endpoint_slices` are candidate EndpointSlices;
/// those of the service's namespace labelled `kubernetes.io/service-name=<name>` are used
/// (kubectl lists them by that label), in the order the API server lists them.
pub fn describe_service(
    service: &Service,
    endpoint_slices: &[EndpointSlice],
    events: &[Event],
    now: Timestamp,
) -> String {
    let mut w = PrefixWriter::default();
    let meta = &service.metadata;
    let spec = service.spec.clone().unwrap_or_default();
    let mut slices: Vec<&EndpointSlice> = endpoint_slices
        .iter()
        .filter(|e| e.metadata.namespace == meta.namespace)
        .filter(|e| {
            e.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(SERVICE_NAME_LABEL))
                .is_some_and(|n| Some(n) == meta.name.as_ref())
        })
        .collect();
    slices.sort_by_cached_key(|e| api_key(&e.metadata));
    w.write(0, &format!("Name:\t{}\n", s(&meta.name)));
    w.write(0, &format!("Namespace:\t{}\n", s(&meta.namespace)));
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w.write(
        0,
        &format!("Selector:\t{}\n", format_labels(spec.selector.as_ref())),
    );
    w.write(0, &format!("Type:\t{}\n", s(&spec.type_)));
    if let Some(p) = &spec.ip_family_policy {
        w.write(0, &format!("IP Family Policy:\t{p}\n"));
    }
    let or_none = |list: Option<&Vec<String>>, sep: &str| match list.filter(|l| !l.is_empty()) {
        Some(l) => l.join(sep),
        None => "<none>".to_string(),
    };
    w.write(
        0,
        &format!(
            "IP Families:\t{}\n",
            or_none(spec.ip_families.as_ref(), ",")
        ),
    );
    w.write(0, &format!("IP:\t{}\n", s(&spec.cluster_ip)));
    w.write(
        0,
        &format!("IPs:\t{}\n", or_none(spec.cluster_ips.as_ref(), ",")),
    );
    if let Some(ips) = spec.external_ips.as_ref().filter(|l| !l.is_empty()) {
        w.write(0, &format!("External IPs:\t{}\n", ips.join(",")));
    }
    if !s(&spec.load_balancer_ip).is_empty() {
        w.write(
            0,
            &format!("Desired LoadBalancer IP:\t{}\n", s(&spec.load_balancer_ip)),
        );
    }
    if !s(&spec.external_name).is_empty() {
        w.write(0, &format!("External Name:\t{}\n", s(&spec.external_name)));
    }
    let ingress = ingress_string(service);
    if !ingress.is_empty() {
        w.write(0, &format!("LoadBalancer Ingress:\t{ingress}\n"));
    }
    for sp in spec.ports.iter().flatten() {
        let port_name = s(&sp.name);
        let name = if port_name.is_empty() {
            "<unset>"
        } else {
            port_name
        };
        let protocol = s(&sp.protocol);
        w.write(0, &format!("Port:\t{name}\t{}/{protocol}\n", sp.port));
        let target = match &sp.target_port {
            None => "0".to_string(),
            Some(IntOrString::Int(i)) => i.to_string(),
            Some(IntOrString::String(t)) => t.clone(),
        };
        w.write(0, &format!("TargetPort:\t{target}/{protocol}\n"));
        if let Some(np) = sp.node_port.filter(|n| *n != 0) {
            w.write(0, &format!("NodePort:\t{name}\t{np}/{protocol}\n"));
        }
        w.write(
            0,
            &format!("Endpoints:\t{}\n", format_endpoints(&slices, port_name)),
        );
    }
    w.write(
        0,
        &format!("Session Affinity:\t{}\n", s(&spec.session_affinity)),
    );
    if !s(&spec.external_traffic_policy).is_empty() {
        w.write(
            0,
            &format!(
                "External Traffic Policy:\t{}\n",
                s(&spec.external_traffic_policy)
            ),
        );
    }
    if let Some(p) = &spec.internal_traffic_policy {
        w.write(0, &format!("Internal Traffic Policy:\t{p}\n"));
    }
    if let Some(p) = spec.health_check_node_port.filter(|n| *n != 0) {
        w.write(0, &format!("HealthCheck NodePort:\t{p}\n"));
    }
    if let Some(r) = spec
        .load_balancer_source_ranges
        .as_ref()
        .filter(|l| !l.is_empty())
    {
        w.write(
            0,
            &format!("LoadBalancer Source Ranges:\t{}\n", r.join(",")),
        );
    }
    describe_events(&mut w, events, None, now);
    w.finish()
}
