//! Services: the mirror of `render/service.rs`.

use crate::facts::{Described, ServiceFacts, ServicePortFacts};

use super::{At, Keys, Kind, Line, opt, opt_none, walk};

/// Services: `Session Affinity:`, or `Type:` with the `IP Families:`, `Port:` or
/// `External Name:` a pod does not have.
pub(super) const SERVICE: Kind = Kind {
    name: "Service",
    names: &["svc", "service", "services"],
    recognise: |k: &Keys<'_>| {
        k.has("Session Affinity")
            || (k.has("Type") && (k.has("IP Families") || k.has("Port") || k.has("External Name")))
    },
    parse: |block| Described::Service(parse_service(block)),
};

/// `name  80/TCP` (or `<unset>  80/TCP`) into (name, number, protocol).
fn port_line(v: &str) -> (Option<String>, Option<i64>, String) {
    let tokens: Vec<&str> = v.split_whitespace().collect();
    let (name, port) = match tokens.as_slice() {
        [name, port, ..] => (Some(*name), *port),
        [port] => (None, *port),
        [] => (None, ""),
    };
    let (number, protocol) = port.split_once('/').unwrap_or((port, ""));
    (
        name.filter(|n| *n != "<unset>").map(str::to_string),
        number.parse().ok(),
        protocol.to_string(),
    )
}

/// `a:80,b:80 + 2 more...` into the listed endpoints and the count left out.
fn endpoints(v: &str) -> (Vec<String>, u64) {
    let (list, more) = match v.rsplit_once(" + ") {
        Some((list, rest)) => (
            list,
            rest.strip_suffix(" more...")
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or(0),
        ),
        None => (v, 0),
    };
    let list = if list == "<none>" { "" } else { list };
    (
        list.split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_string)
            .collect(),
        more,
    )
}

fn list(v: &str, sep: char) -> Vec<String> {
    v.split(sep)
        .map(str::trim)
        .filter(|e| !e.is_empty() && *e != "<none>")
        .map(str::to_string)
        .collect()
}

fn parse_service(block: &[Line<'_>]) -> ServiceFacts {
    let mut s = ServiceFacts::default();
    let events = walk(block, |at: At<'_, '_>| {
        if !at.top {
            return;
        }
        let v = at.value;
        match at.key {
            "Name" if s.name.is_empty() => {
                s.name = v.to_string();
                s.line = at.line.no;
            }
            "Namespace" => s.namespace = opt(v),
            "Selector" => s.selector = opt_none(v),
            "Type" => s.type_ = opt(v),
            "IP" => s.cluster_ip = opt(v),
            "External IPs" => s.external_ips = list(v, ','),
            "External Name" => s.external_name = opt(v),
            "LoadBalancer Ingress" => s.load_balancer_ingress = list(v, ','),
            "Port" => {
                let (name, port, protocol) = port_line(v);
                s.ports.push(ServicePortFacts {
                    line: at.line.no,
                    name,
                    port,
                    protocol,
                    ..ServicePortFacts::default()
                });
            }
            "TargetPort" => {
                if let Some(p) = s.ports.last_mut() {
                    p.target_port = opt(v.rsplit_once('/').map_or(v, |(t, _)| t));
                }
            }
            "NodePort" => {
                if let Some(p) = s.ports.last_mut() {
                    p.node_port = port_line(v).1;
                }
            }
            "Endpoints" => {
                if let Some(p) = s.ports.last_mut() {
                    (p.endpoints, p.more_endpoints) = endpoints(v);
                }
            }
            "Session Affinity" => s.session_affinity = opt(v),
            "External Traffic Policy" => s.external_traffic_policy = opt(v),
            _ => {}
        }
    });
    s.events = events;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_and_endpoints() {
        assert_eq!(
            port_line("<unset>  80/TCP"),
            (None, Some(80), "TCP".to_string())
        );
        assert_eq!(
            port_line("dns-tcp  53/TCP"),
            (Some("dns-tcp".to_string()), Some(53), "TCP".to_string())
        );
        assert_eq!(endpoints("<none>"), (vec![], 0));
        assert_eq!(endpoints(""), (vec![], 0));
        assert_eq!(
            endpoints("10.0.0.1:80,[fd00::1]:80,10.0.0.3:80 + 4 more..."),
            (
                vec![
                    "10.0.0.1:80".to_string(),
                    "[fd00::1]:80".to_string(),
                    "10.0.0.3:80".to_string()
                ],
                4
            )
        );
    }
}
