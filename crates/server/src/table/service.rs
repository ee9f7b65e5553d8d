//! `Service` (core): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "",
    kinds: &["Service"],
    columns: &[
        NAME,
        Column::new("Type", "string", 0, "The type of the service."),
        Column::new("Cluster-IP", "string", 0, "The IP address of the service."),
        Column::new(
            "External-IP",
            "string",
            0,
            "The list of external IP addresses for this service.",
        ),
        Column::new("Port(s)", "string", 0, "The ports of the service."),
        AGE,
        Column::new(
            "Selector",
            "string",
            1,
            "Route service traffic to pods with label keys and values matching this selector.",
        ),
    ],
    row: service_row,
};

pub(super) fn service_row(c: &Ctx, svc: &Value) -> (Vec<Value>, Option<Value>) {
    let ty = opt(svc, "/spec/type").unwrap_or("ClusterIP");
    let external_ips: Vec<&str> = arr(svc, "/spec/externalIPs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let lb: Vec<&str> = arr(svc, "/status/loadBalancer/ingress")
        .iter()
        .filter_map(|i| opt(i, "/ip").or_else(|| opt(i, "/hostname")))
        .collect();
    let external = match ty {
        "ClusterIP" | "NodePort" => none_if_empty(external_ips.join(",")),
        "LoadBalancer" => {
            let all: Vec<&str> = lb.iter().chain(external_ips.iter()).copied().collect();
            if all.is_empty() {
                "<pending>".into()
            } else {
                all.join(",")
            }
        }
        "ExternalName" => s(svc, "/spec/externalName").to_string(),
        _ => "<unknown>".into(),
    };
    let ports: Vec<String> = arr(svc, "/spec/ports")
        .iter()
        .map(|p| {
            let proto = opt(p, "/protocol").unwrap_or("TCP");
            let node_port = int(p, "/nodePort");
            if node_port > 0 {
                format!("{}:{node_port}/{proto}", int(p, "/port"))
            } else {
                format!("{}/{proto}", int(p, "/port"))
            }
        })
        .collect();
    let selector: BTreeMap<&str, &str> = svc
        .pointer("/spec/selector")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.as_str(), v)))
                .collect()
        })
        .unwrap_or_default();
    let selector = selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let cells = vec![
        json!(s(svc, "/metadata/name")),
        json!(ty),
        json!(opt(svc, "/spec/clusterIP").unwrap_or("<none>")),
        json!(external),
        json!(none_if_empty(ports.join(","))),
        json!(c.since(opt(svc, "/metadata/creationTimestamp"))),
        json!(none_if_empty(selector)),
    ];
    (cells, None)
}
