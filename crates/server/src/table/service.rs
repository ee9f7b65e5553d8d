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
    let ty = nonempty_str_at(svc, "/spec/type").unwrap_or("ClusterIP");
    let external_ips: Vec<&str> = array_at(svc, "/spec/externalIPs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let lb: Vec<&str> = array_at(svc, "/status/loadBalancer/ingress")
        .iter()
        .filter_map(|i| nonempty_str_at(i, "/ip").or_else(|| nonempty_str_at(i, "/hostname")))
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
        "ExternalName" => str_at(svc, "/spec/externalName").to_string(),
        _ => "<unknown>".into(),
    };
    let ports: Vec<String> = array_at(svc, "/spec/ports")
        .iter()
        .map(|p| {
            let proto = nonempty_str_at(p, "/protocol").unwrap_or("TCP");
            let node_port = i64_at(p, "/nodePort").unwrap_or(0);
            if node_port > 0 {
                format!("{}:{node_port}/{proto}", i64_at(p, "/port").unwrap_or(0))
            } else {
                format!("{}/{proto}", i64_at(p, "/port").unwrap_or(0))
            }
        })
        .collect();
    let selector: BTreeMap<&str, &str> = object_at(svc, "/spec/selector")
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
        json!(str_at(svc, "/metadata/name")),
        json!(ty),
        json!(nonempty_str_at(svc, "/spec/clusterIP").unwrap_or("<none>")),
        json!(external),
        json!(none_if_empty(ports.join(","))),
        json!(c.since(nonempty_str_at(svc, "/metadata/creationTimestamp"))),
        json!(none_if_empty(selector)),
    ];
    (cells, None)
}
