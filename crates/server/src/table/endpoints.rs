//! `Endpoints` (core): the columns and rows of `kubectl get`.

use super::*;

pub(super) const PRINTER: Printer = Printer {
    group: "",
    kinds: &["Endpoints"],
    columns: &[
        NAME,
        Column::new(
            "Endpoints",
            "string",
            0,
            "Endpoints of the endpoints resource.",
        ),
        AGE,
    ],
    row: |c, v| c.named(v, vec![json!(format_endpoints(v))]),
};

/// `formatEndpoints` of the printers: up to three `ip:port`, then `+ N more...`.
pub(super) fn format_endpoints(ep: &Value) -> String {
    let subsets = array_at(ep, "/subsets");
    if subsets.is_empty() {
        return "<none>".into();
    }
    const MAX: usize = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for ss in subsets {
        let addresses = array_at(ss, "/addresses");
        let ports = array_at(ss, "/ports");
        if ports.is_empty() {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(str_at(a, "/ip").to_string());
            }
            continue;
        }
        for port in ports {
            count += addresses.len();
            for a in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                let ip = str_at(a, "/ip");
                let p = i64_at(port, "/port").unwrap_or(0);
                list.push(if ip.contains(':') {
                    format!("[{ip}]:{p}")
                } else {
                    format!("{ip}:{p}")
                });
            }
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count.saturating_sub(MAX))
    } else {
        joined
    }
}
