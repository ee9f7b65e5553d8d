//! `Ingress` (networking.k8s.io): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "networking.k8s.io",
    kinds: &["Ingress"],
    columns: &[
        NAME,
        Column::new(
            "Class",
            "string",
            0,
            "The name of the IngressClass resource.",
        ),
        Column::new(
            "Hosts",
            "string",
            0,
            "Hosts that incoming requests are matched against before the ingress rule",
        ),
        Column::new(
            "Address",
            "string",
            0,
            "Address is a list containing ingress points for the load-balancer",
        ),
        Column::new(
            "Ports",
            "string",
            0,
            "Ports of TLS configurations that open",
        ),
        AGE,
    ],
    row: |c, v| {
        let rules = array_at(v, "/spec/rules");
        const MAX: usize = 3;
        let mut hosts: Vec<&str> = Vec::new();
        let mut more = false;
        for rule in rules {
            if hosts.len() == MAX {
                more = true;
            }
            if let Some(h) = nonempty_str_at(rule, "/host").filter(|_| !more) {
                hosts.push(h);
            }
        }
        let hosts = match (hosts.is_empty(), more) {
            (true, _) => "*".to_string(),
            (false, false) => hosts.join(","),
            (false, true) => format!(
                "{} + {} more...",
                hosts.join(","),
                rules.len().saturating_sub(MAX)
            ),
        };
        let address: Vec<&str> = array_at(v, "/status/loadBalancer/ingress")
            .iter()
            .filter_map(|i| nonempty_str_at(i, "/ip").or_else(|| nonempty_str_at(i, "/hostname")))
            .collect();
        let ports = if array_at(v, "/spec/tls").is_empty() {
            "80"
        } else {
            "80, 443"
        };
        c.named(
            v,
            vec![
                json!(nonempty_str_at(v, "/spec/ingressClassName").unwrap_or("<none>")),
                json!(hosts),
                json!(address.join(",")),
                json!(ports),
            ],
        )
    },
};
