//! `kubectl describe pod`, and the container and volume sections that pod
//! templates reuse.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, EnvVar, Event, Pod, Probe, Volume,
};

use super::common::flag as b;
use super::common::{
    annotations_multiline, controlled_by, describe_events, describe_resources, labels_multiline, s,
    tolerations_multiline,
};
use crate::quantity::{Quantity, canonical_text};
use crate::tabwriter::PrefixWriter;
use crate::timefmt::{rfc1123z, rfc1123z_opt, since};

/// Renders `kubectl describe pod` (see the crate docs for conventions).
pub fn describe_pod(pod: &Pod, events: &[Event], now: Timestamp) -> String {
    let mut w = PrefixWriter::default();
    let meta = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();

    w.write(0, &format!("Name:\t{}\n", s(&meta.name)));
    w.write(0, &format!("Namespace:\t{}\n", s(&meta.namespace)));
    if let Some(p) = spec.priority {
        w.write(0, &format!("Priority:\t{p}\n"));
    }
    if !s(&spec.priority_class_name).is_empty() {
        w.write(
            0,
            &format!("Priority Class Name:\t{}\n", s(&spec.priority_class_name)),
        );
    }
    if !s(&spec.runtime_class_name).is_empty() {
        w.write(
            0,
            &format!("Runtime Class Name:\t{}\n", s(&spec.runtime_class_name)),
        );
    }
    if !s(&spec.service_account_name).is_empty() {
        w.write(
            0,
            &format!("Service Account:\t{}\n", s(&spec.service_account_name)),
        );
    }
    if s(&spec.node_name).is_empty() {
        w.write(0, "Node:\t<none>\n");
    } else {
        w.write(
            0,
            &format!("Node:\t{}/{}\n", s(&spec.node_name), s(&status.host_ip)),
        );
    }
    if let Some(t) = &status.start_time {
        w.write(0, &format!("Start Time:\t{}\n", rfc1123z(t.0)));
    }
    labels_multiline(&mut w, "", "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    let phase = s(&status.phase);
    if meta.deletion_timestamp.is_some() && phase != "Failed" && phase != "Succeeded" {
        w.write(
            0,
            &format!(
                "Status:\tTerminating (lasts {})\n",
                since(meta.deletion_timestamp.as_ref().map(|t| t.0), now)
            ),
        );
        w.write(
            0,
            &format!(
                "Termination Grace Period:\t{}s\n",
                meta.deletion_grace_period_seconds.unwrap_or(0)
            ),
        );
    } else {
        w.write(0, &format!("Status:\t{phase}\n"));
    }
    if !s(&status.reason).is_empty() {
        w.write(0, &format!("Reason:\t{}\n", s(&status.reason)));
    }
    if !s(&status.message).is_empty() {
        w.write(0, &format!("Message:\t{}\n", s(&status.message)));
    }
    if let Some(sp) = spec
        .security_context
        .as_ref()
        .and_then(|c| c.seccomp_profile.as_ref())
    {
        w.write(0, &format!("SeccompProfile:\t{}\n", sp.type_));
        if sp.type_ == "Localhost" {
            w.write(
                0,
                &format!("LocalhostProfile:\t{}\n", s(&sp.localhost_profile)),
            );
        }
    }
    w.write(0, &format!("IP:\t{}\n", s(&status.pod_ip)));
    match status.pod_ips.as_ref().filter(|v| !v.is_empty()) {
        None => w.write(0, "IPs:\t<none>\n"),
        Some(ips) => {
            w.write(0, "IPs:\n");
            for ip in ips {
                w.write(1, &format!("IP:\t{}\n", ip.ip));
            }
        }
    }
    if let Some(c) = controlled_by(meta) {
        w.write(0, &format!("Controlled By:\t{c}\n"));
    }
    if !s(&status.nominated_node_name).is_empty() {
        w.write(
            0,
            &format!("NominatedNodeName:\t{}\n", s(&status.nominated_node_name)),
        );
    }

    if let Some(r) = &spec.resources {
        w.write(0, "Resources:\n");
        describe_resources(&mut w, Some(r), 1);
    }

    let env = EnvContext::Pod(pod);
    let init = spec.init_containers.clone().unwrap_or_default();
    if !init.is_empty() {
        describe_containers(
            &mut w,
            "Init Containers",
            &init,
            status.init_container_statuses.as_deref(),
            &env,
            "",
        );
    }
    describe_containers(
        &mut w,
        "Containers",
        &spec.containers,
        status.container_statuses.as_deref(),
        &env,
        "",
    );
    let ephemeral: Vec<Container> = spec
        .ephemeral_containers
        .iter()
        .flatten()
        .map(|e| Container {
            name: e.name.clone(),
            image: e.image.clone(),
            command: e.command.clone(),
            args: e.args.clone(),
            env: e.env.clone(),
            env_from: e.env_from.clone(),
            ports: e.ports.clone(),
            resources: e.resources.clone(),
            liveness_probe: e.liveness_probe.clone(),
            readiness_probe: e.readiness_probe.clone(),
            startup_probe: e.startup_probe.clone(),
            security_context: e.security_context.clone(),
            volume_mounts: e.volume_mounts.clone(),
            volume_devices: e.volume_devices.clone(),
            ..Container::default()
        })
        .collect();
    if !ephemeral.is_empty() {
        describe_containers(
            &mut w,
            "Ephemeral Containers",
            &ephemeral,
            status.ephemeral_container_statuses.as_deref(),
            &env,
            "",
        );
    }
    let conditions = status.conditions.clone().unwrap_or_default();
    if let Some(gates) = spec.readiness_gates.as_ref().filter(|g| !g.is_empty()) {
        w.write(0, "Readiness Gates:\n  Type\tStatus\n");
        for g in gates {
            let st = conditions
                .iter()
                .find(|c| c.type_ == g.condition_type)
                .map_or("<none>", |c| c.status.as_str());
            w.write(1, &format!("{} \t{} \n", g.condition_type, st));
        }
    }
    if !conditions.is_empty() {
        w.write(0, "Conditions:\n  Type\tStatus\n");
        for c in &conditions {
            w.write(1, &format!("{} \t{} \n", c.type_, c.status));
        }
    }
    describe_volumes(&mut w, spec.volumes.as_deref().unwrap_or_default(), "");
    w.write(0, &format!("QoS Class:\t{}\n", qos_class(pod)));
    labels_multiline(&mut w, "", "Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline(
        &mut w,
        "",
        "Tolerations",
        spec.tolerations.as_deref().unwrap_or_default(),
    );
    describe_topology_spread(&mut w, &spec, "");
    describe_events(&mut w, events, None, now);
    w.finish()
}

pub(crate) fn describe_topology_spread(
    w: &mut PrefixWriter,
    spec: &k8s_openapi::api::core::v1::PodSpec,
    space: &str,
) {
    let Some(tscs) = spec
        .topology_spread_constraints
        .as_ref()
        .filter(|t| !t.is_empty())
    else {
        return;
    };
    let mut tscs: Vec<_> = tscs.iter().collect();
    crate::gosort::sort_by(&mut tscs, |a, b| a.topology_key < b.topology_key);
    w.write(0, &format!("{space}Topology Spread Constraints:\t"));
    for (i, t) in tscs.iter().enumerate() {
        if i != 0 {
            w.write(0, space);
            w.write(0, "\t");
        }
        let mut line = format!(
            "{}:{} when max skew {} is exceeded",
            t.topology_key, t.when_unsatisfiable, t.max_skew
        );
        if let Some(sel) = &t.label_selector {
            line.push_str(&format!(
                " for selector {}",
                super::common::format_label_selector(Some(sel))
            ));
        }
        line.push('\n');
        w.write(0, &line);
    }
}

/// Where environment values with a `fieldRef` are resolved from: a real pod,
/// or nothing (pod templates).
pub(crate) enum EnvContext<'a> {
    Pod(&'a Pod),
    Template,
}

impl EnvContext<'_> {
    /// kubectl's `EnvValueRetriever`: its scheme only converts the
    /// `metadata.name` and `metadata.namespace` field labels for pods, so any
    /// other field path resolves to an empty string.
    fn resolve(&self, path: &str) -> String {
        match self {
            EnvContext::Template => String::new(),
            EnvContext::Pod(p) => match path {
                "metadata.name" => s(&p.metadata.name).to_string(),
                "metadata.namespace" => s(&p.metadata.namespace).to_string(),
                _ => String::new(),
            },
        }
    }
}

pub(crate) fn describe_containers(
    w: &mut PrefixWriter,
    label: &str,
    containers: &[Container],
    statuses: Option<&[ContainerStatus]>,
    env: &EnvContext<'_>,
    space: &str,
) {
    let statuses: BTreeMap<&str, &ContainerStatus> = statuses
        .unwrap_or_default()
        .iter()
        .map(|st| (st.name.as_str(), st))
        .collect();
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.write(0, &format!("{space}{label}:{none}\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for c in containers {
        let status = statuses.get(c.name.as_str()).copied();
        w.write(1, &format!("{name_indent}{}:\n", c.name));
        if let Some(st) = status {
            w.write(2, &format!("Container ID:\t{}\n", s(&st.container_id)));
        }
        w.write(2, &format!("Image:\t{}\n", s(&c.image)));
        if let Some(st) = status {
            w.write(2, &format!("Image ID:\t{}\n", st.image_id));
        }
        let ports = c.ports.as_deref().unwrap_or_default();
        let port_string = ports
            .iter()
            .map(|p| format!("{}/{}", p.container_port, s(&p.protocol)))
            .collect::<Vec<_>>()
            .join(", ");
        if port_string.contains(',') {
            w.write(2, &format!("Ports:\t{port_string}\n"));
        } else {
            w.write(2, &format!("Port:\t{}\n", or_none(&port_string)));
        }
        let host_ports = ports
            .iter()
            .map(|p| format!("{}/{}", p.host_port.unwrap_or(0), s(&p.protocol)))
            .collect::<Vec<_>>()
            .join(", ");
        if host_ports.contains(',') {
            w.write(2, &format!("Host Ports:\t{host_ports}\n"));
        } else {
            w.write(2, &format!("Host Port:\t{}\n", or_none(&host_ports)));
        }
        if let Some(sp) = c
            .security_context
            .as_ref()
            .and_then(|x| x.seccomp_profile.as_ref())
        {
            w.write(2, &format!("SeccompProfile:\t{}\n", sp.type_));
            if sp.type_ == "Localhost" {
                w.write(
                    3,
                    &format!("LocalhostProfile:\t{}\n", s(&sp.localhost_profile)),
                );
            }
        }
        for (title, list) in [("Command", &c.command), ("Args", &c.args)] {
            let Some(list) = list.as_ref().filter(|l| !l.is_empty()) else {
                continue;
            };
            w.write(2, &format!("{title}:\n"));
            for item in list {
                for line in item.split('\n') {
                    w.write(3, &format!("{line}\n"));
                }
            }
        }
        if let Some(st) = status {
            describe_state(w, "State", st.state.as_ref());
            if st
                .last_state
                .as_ref()
                .is_some_and(|l| l.terminated.is_some())
            {
                describe_state(w, "Last State", st.last_state.as_ref());
            }
            w.write(
                2,
                &format!("Ready:\t{}\n", if st.ready { "True" } else { "False" }),
            );
            w.write(2, &format!("Restart Count:\t{}\n", st.restart_count));
        }
        describe_resources(w, c.resources.as_ref(), 2);
        for (title, probe) in [
            ("Liveness", &c.liveness_probe),
            ("Readiness", &c.readiness_probe),
            ("Startup", &c.startup_probe),
        ] {
            if let Some(p) = probe {
                w.write(2, &format!("{title}:\t{}\n", describe_probe(p)));
            }
        }
        if let Some(from) = c.env_from.as_ref().filter(|f| !f.is_empty()) {
            w.write(2, "Environment Variables from:\n");
            for e in from {
                let (kind, name, optional) = if let Some(r) = &e.config_map_ref {
                    ("ConfigMap", r.name.as_str(), r.optional.unwrap_or(false))
                } else if let Some(r) = &e.secret_ref {
                    ("Secret", r.name.as_str(), r.optional.unwrap_or(false))
                } else {
                    ("", "", false)
                };
                let prefix = s(&e.prefix);
                if prefix.is_empty() {
                    w.write(3, &format!("{name}\t{kind}\tOptional: {optional}\n"));
                } else {
                    w.write(
                        3,
                        &format!("{name}\t{kind} with prefix '{prefix}'\tOptional: {optional}\n"),
                    );
                }
            }
        }
        describe_env(w, c, env);
        let mounts = c.volume_mounts.as_deref().unwrap_or_default();
        w.write(
            2,
            &format!(
                "Mounts:{}\n",
                if mounts.is_empty() { "\t<none>" } else { "" }
            ),
        );
        let mut mounts: Vec<_> = mounts.iter().collect();
        crate::gosort::sort_by(&mut mounts, |a, b| a.mount_path < b.mount_path);
        for m in mounts {
            let mut flags = vec![if m.read_only == Some(true) {
                "ro".to_string()
            } else {
                "rw".to_string()
            }];
            if !s(&m.sub_path).is_empty() {
                flags.push(format!("path={}", go_quote(s(&m.sub_path))));
            }
            w.write(
                3,
                &format!("{} from {} ({})\n", m.mount_path, m.name, flags.join(",")),
            );
        }
        if let Some(devices) = c.volume_devices.as_ref().filter(|d| !d.is_empty()) {
            // kubectl reuses the Mounts `<none>` marker here.
            let none = if c.volume_mounts.as_ref().is_none_or(Vec::is_empty) {
                "\t<none>"
            } else {
                ""
            };
            w.write(2, &format!("Devices:{none}\n"));
            let mut devices: Vec<_> = devices.iter().collect();
            crate::gosort::sort_by(&mut devices, |a, b| a.device_path < b.device_path);
            for d in devices {
                w.write(3, &format!("{} from {}\n", d.device_path, d.name));
            }
        }
    }
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "<none>" } else { s }
}

/// Go's `%q` for the common printable case.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn describe_state(w: &mut PrefixWriter, name: &str, state: Option<&ContainerState>) {
    let state = state.cloned().unwrap_or_default();
    if let Some(r) = &state.running {
        w.write(2, &format!("{name}:\tRunning\n"));
        w.write(
            3,
            &format!(
                "Started:\t{}\n",
                rfc1123z_opt(r.started_at.as_ref().map(|t| t.0))
            ),
        );
    } else if let Some(wt) = &state.waiting {
        w.write(2, &format!("{name}:\tWaiting\n"));
        if !s(&wt.reason).is_empty() {
            w.write(3, &format!("Reason:\t{}\n", s(&wt.reason)));
        }
    } else if let Some(t) = &state.terminated {
        w.write(2, &format!("{name}:\tTerminated\n"));
        if !s(&t.reason).is_empty() {
            w.write(3, &format!("Reason:\t{}\n", s(&t.reason)));
        }
        if !s(&t.message).is_empty() {
            w.write(3, &format!("Message:\t{}\n", s(&t.message)));
        }
        w.write(3, &format!("Exit Code:\t{}\n", t.exit_code));
        if let Some(sig) = t.signal.filter(|s| *s > 0) {
            w.write(3, &format!("Signal:\t{sig}\n"));
        }
        w.write(
            3,
            &format!(
                "Started:\t{}\n",
                rfc1123z_opt(t.started_at.as_ref().map(|t| t.0))
            ),
        );
        w.write(
            3,
            &format!(
                "Finished:\t{}\n",
                rfc1123z_opt(t.finished_at.as_ref().map(|t| t.0))
            ),
        );
    } else {
        w.write(2, &format!("{name}:\tWaiting\n"));
    }
}

/// kubectl's `DescribeProbe`.
pub(crate) fn describe_probe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(0),
        p.period_seconds.unwrap_or(0),
        p.success_threshold.unwrap_or(0),
        p.failure_threshold.unwrap_or(0)
    );
    if let Some(e) = &p.exec {
        let cmd = e.command.clone().unwrap_or_default().join(" ");
        format!("exec [{cmd}] {attrs}")
    } else if let Some(h) = &p.http_get {
        let port = super::common::int_or_string(Some(&h.port));
        let host = s(&h.host);
        let host = if port.is_empty() {
            host.to_string()
        } else if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        let url = go_url(&s(&h.scheme).to_lowercase(), &host, s(&h.path));
        format!("http-get {url} {attrs}")
    } else if let Some(t) = &p.tcp_socket {
        format!(
            "tcp-socket {}:{} {attrs}",
            s(&t.host),
            super::common::int_or_string(Some(&t.port))
        )
    } else if let Some(g) = &p.grpc {
        format!("grpc <pod>:{} {} {attrs}", g.port, s(&g.service))
    } else {
        format!("unknown {attrs}")
    }
}

/// `url.URL{Scheme, Host, Path}.String()`.
fn go_url(scheme: &str, host: &str, path: &str) -> String {
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(scheme);
        out.push(':');
    }
    if !scheme.is_empty() || !host.is_empty() {
        if !host.is_empty() || !path.is_empty() {
            out.push_str("//");
        }
        out.push_str(&url_escape(host, true));
    }
    let escaped_path = url_escape(path, false);
    if !escaped_path.is_empty() && !escaped_path.starts_with('/') && !host.is_empty() {
        out.push('/');
    }
    if out.is_empty() {
        let segment = escaped_path.split('/').next().unwrap_or("");
        if segment.contains(':') {
            out.push_str("./");
        }
    }
    out.push_str(&escaped_path);
    out
}

fn url_escape(s: &str, host: bool) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (host
                && matches!(
                    b,
                    b'!' | b'$'
                        | b'&'
                        | b'\''
                        | b'('
                        | b')'
                        | b'*'
                        | b'+'
                        | b','
                        | b';'
                        | b'='
                        | b':'
                        | b'['
                        | b']'
                        | b'<'
                        | b'>'
                        | b'"'
                ))
            || (!host
                && matches!(
                    b,
                    b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'@'
                ))
            || (host && b >= 0x80);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    // Bytes >= 0x80 kept for hosts are re-assembled as UTF-8.
    if host && !s.is_ascii() {
        return s.to_string();
    }
    out
}

fn describe_env(w: &mut PrefixWriter, c: &Container, env: &EnvContext<'_>) {
    let vars = c.env.as_deref().unwrap_or_default();
    w.write(
        2,
        &format!(
            "Environment:{}\n",
            if vars.is_empty() { "\t<none>" } else { "" }
        ),
    );
    for e in vars {
        let Some(from) = &e.value_from else {
            for (i, line) in s(&e.value).split('\n').enumerate() {
                if i == 0 {
                    w.write(3, &format!("{}:\t{}\n", e.name, line));
                } else {
                    w.write(3, &format!("\t{line}\n"));
                }
            }
            continue;
        };
        if let Some(f) = &from.field_ref {
            let value = env.resolve(&f.field_path);
            w.write(
                3,
                &format!(
                    "{}:\t{} ({}:{})\n",
                    e.name,
                    value,
                    s(&f.api_version),
                    f.field_path
                ),
            );
        } else if let Some(r) = &from.resource_field_ref {
            let mut value = container_resource_value(c, e).unwrap_or_default();
            if value == "0" && (r.resource == "limits.cpu" || r.resource == "limits.memory") {
                value = "node allocatable".to_string();
            }
            w.write(3, &format!("{}:\t{} ({})\n", e.name, value, r.resource));
        } else if let Some(r) = &from.secret_key_ref {
            w.write(
                3,
                &format!(
                    "{}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                    e.name,
                    r.key,
                    r.name,
                    r.optional.unwrap_or(false)
                ),
            );
        } else if let Some(r) = &from.config_map_key_ref {
            w.write(
                3,
                &format!(
                    "{}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                    e.name,
                    r.key,
                    r.name,
                    r.optional.unwrap_or(false)
                ),
            );
        }
    }
}

/// kubectl's `ExtractContainerResourceValue`.
fn container_resource_value(c: &Container, e: &EnvVar) -> Option<String> {
    let r = e.value_from.as_ref()?.resource_field_ref.as_ref()?;
    let mut divisor = r
        .divisor
        .as_ref()
        .map_or(Quantity::ZERO, |d| Quantity::parse_or_zero(&d.0));
    if divisor.nanos == 0 {
        divisor = Quantity::parse_or_zero("1");
    }
    let res = c.resources.clone().unwrap_or_default();
    let (list, name) = if let Some(n) = r.resource.strip_prefix("limits.") {
        (res.limits, n)
    } else if let Some(n) = r.resource.strip_prefix("requests.") {
        (res.requests, n)
    } else {
        return None;
    };
    let q = list
        .as_ref()
        .and_then(|l| l.get(name))
        .map_or(Quantity::ZERO, |q| Quantity::parse_or_zero(&q.0));
    let value = match name {
        "cpu" => ceil_ratio(q.milli_value(), divisor.milli_value()),
        "memory" | "ephemeral-storage" => ceil_ratio(q.value(), divisor.value()),
        n if n.starts_with("hugepages-") => ceil_ratio(q.value(), divisor.value()),
        _ => return None,
    };
    Some(value)
}

/// `int64(math.Ceil(float64(a) / float64(b)))` including Go's conversions of
/// infinities and NaN on amd64.
fn ceil_ratio(a: i128, b: i128) -> String {
    super::common::go_f64_to_i64((a as f64 / b as f64).ceil()).to_string()
}

pub(crate) fn describe_volumes(w: &mut PrefixWriter, volumes: &[Volume], space: &str) {
    if volumes.is_empty() {
        w.write(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.write(0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in volumes {
        w.write(1, &format!("{name_indent}{}:\n", v.name));
        describe_volume_source(w, v);
    }
}

fn describe_volume_source(w: &mut PrefixWriter, v: &Volume) {
    if let Some(h) = &v.host_path {
        w.write(
            2,
            &format!(
                "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                h.path,
                h.type_.as_deref().unwrap_or("<none>")
            ),
        );
    } else if let Some(e) = &v.empty_dir {
        let size = e
            .size_limit
            .as_ref()
            .filter(|q| Quantity::parse_or_zero(&q.0).nanos > 0)
            .map_or_else(|| "<unset>".to_string(), |q| canonical_text(&q.0));
        w.write(
            2,
            &format!(
                "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{}\n",
                s(&e.medium),
                size
            ),
        );
    } else if let Some(g) = &v.gce_persistent_disk {
        w.write(
            2,
            &format!(
                "Type:\tGCEPersistentDisk (a Persistent Disk resource in Google Compute Engine)\n    PDName:\t{}\n    FSType:\t{}\n    Partition:\t{}\n    ReadOnly:\t{}\n",
                g.pd_name,
                s(&g.fs_type),
                g.partition.unwrap_or(0),
                b(g.read_only)
            ),
        );
    } else if let Some(a) = &v.aws_elastic_block_store {
        w.write(
            2,
            &format!(
                "Type:\tAWSElasticBlockStore (a Persistent Disk resource in AWS)\n    VolumeID:\t{}\n    FSType:\t{}\n    Partition:\t{}\n    ReadOnly:\t{}\n",
                a.volume_id,
                s(&a.fs_type),
                a.partition.unwrap_or(0),
                b(a.read_only)
            ),
        );
    } else if let Some(g) = &v.git_repo {
        w.write(
            2,
            &format!(
                "Type:\tGitRepo (a volume that is pulled from git when the pod is created)\n    Repository:\t{}\n    Revision:\t{}\n",
                g.repository,
                s(&g.revision)
            ),
        );
    } else if let Some(sec) = &v.secret {
        w.write(
            2,
            &format!(
                "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                s(&sec.secret_name),
                b(sec.optional)
            ),
        );
    } else if let Some(cm) = &v.config_map {
        w.write(
            2,
            &format!(
                "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                cm.name,
                b(cm.optional)
            ),
        );
    } else if let Some(n) = &v.nfs {
        w.write(
            2,
            &format!(
                "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
                n.server,
                n.path,
                b(n.read_only)
            ),
        );
    } else if let Some(p) = &v.persistent_volume_claim {
        w.write(
            2,
            &format!(
                "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                p.claim_name,
                b(p.read_only)
            ),
        );
    } else if let Some(e) = &v.ephemeral {
        w.write(
            2,
            "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n",
        );
        if let Some(t) = &e.volume_claim_template {
            describe_claim_template(w, t);
        }
    } else if let Some(d) = &v.downward_api {
        w.write(
            2,
            "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n",
        );
        for item in d.items.iter().flatten() {
            if let Some(f) = &item.field_ref {
                w.write(3, &format!("{} -> {}\n", f.field_path, item.path));
            }
            if let Some(r) = &item.resource_field_ref {
                w.write(3, &format!("{} -> {}\n", r.resource, item.path));
            }
        }
    } else if let Some(p) = &v.projected {
        w.write(
            2,
            "Type:\tProjected (a volume that contains injected data from multiple sources)\n",
        );
        for src in p.sources.iter().flatten() {
            if let Some(sec) = &src.secret {
                w.write(
                    2,
                    &format!(
                        "SecretName:\t{}\n    SecretOptionalName:\t{}\n",
                        sec.name,
                        go_bool_ptr(sec.optional)
                    ),
                );
            } else if src.downward_api.is_some() {
                w.write(2, "DownwardAPI:\ttrue\n");
            } else if let Some(cm) = &src.config_map {
                w.write(
                    2,
                    &format!(
                        "ConfigMapName:\t{}\n    ConfigMapOptional:\t{}\n",
                        cm.name,
                        go_bool_ptr(cm.optional)
                    ),
                );
            } else if let Some(t) = &src.service_account_token {
                w.write(
                    2,
                    &format!(
                        "TokenExpirationSeconds:\t{}\n",
                        t.expiration_seconds.unwrap_or(0)
                    ),
                );
            }
        }
    } else if let Some(c) = &v.csi {
        w.write(
            2,
            &format!(
                "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n",
                c.driver,
                s(&c.fs_type),
                b(c.read_only)
            ),
        );
        w.write(2, "VolumeAttributes:\t");
        match c.volume_attributes.as_ref().filter(|a| !a.is_empty()) {
            None => w.write_line("<none>"),
            Some(attrs) => {
                for (i, (k, val)) in attrs.iter().enumerate() {
                    if i != 0 {
                        w.write(2, "");
                        w.write(2, "\t");
                    }
                    let line = format!("{k}={val}");
                    w.write(2, &format!("{}\n", super::common::shorten(&line, 140)));
                }
            }
        }
    } else if let Some(i) = &v.image {
        w.write(
            2,
            &format!(
                "Type:\tImage (a container image or OCI artifact)\n    Reference:\t{}\n    PullPolicy:\t{}\n",
                s(&i.reference),
                s(&i.pull_policy)
            ),
        );
    } else if let Some(f) = &v.fc {
        let lun = f
            .lun
            .map_or_else(|| "<none>".to_string(), |l| l.to_string());
        w.write(
            2,
            &format!(
                "Type:\tFC (a Fibre Channel disk)\n    TargetWWNs:\t{}\n    LUN:\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n",
                f.target_wwns.clone().unwrap_or_default().join(", "),
                lun,
                s(&f.fs_type),
                b(f.read_only)
            ),
        );
    } else if let Some(text) = super::legacy_volumes::legacy_volume(v) {
        w.write(2, &text);
    } else {
        w.write(1, "<unknown>\n");
    }
}

/// Go's `%v` of a `*bool`: `<nil>` when unset. kubectl 1.32 prints the
/// pointer address when it is set; we print the value (see crate docs).
fn go_bool_ptr(v: Option<bool>) -> String {
    v.map_or_else(|| "<nil>".to_string(), |b| b.to_string())
}

fn describe_claim_template(
    w: &mut PrefixWriter,
    t: &k8s_openapi::api::core::v1::PersistentVolumeClaimTemplate,
) {
    // printPersistentVolumeClaim(NewNestedPrefixWriter(w, LEVEL_2), pvc, false)
    let spec = &t.spec;
    let meta = t.metadata.clone().unwrap_or_default();
    // storageutil.GetPersistentVolumeClaimClass: the beta annotation wins.
    let class = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get("volume.beta.kubernetes.io/storage-class").cloned())
        .unwrap_or_else(|| s(&spec.storage_class_name).to_string());
    w.write(2, &format!("StorageClass:\t{class}\n"));
    w.write(2, &format!("Volume:\t{}\n", s(&spec.volume_name)));
    nested_labels(w, "Labels", meta.labels.as_ref(), false);
    nested_labels(w, "Annotations", meta.annotations.as_ref(), true);
    w.write(2, "Capacity:\t\n");
    w.write(2, "Access Modes:\t\n");
    if let Some(m) = &spec.volume_mode {
        w.write(2, &format!("VolumeMode:\t{m}\n"));
    }
}

/// Labels/annotations printed through kubectl's nested prefix writer at
/// level 2: every write, including the `<none>` line, gets the indentation.
fn nested_labels(
    w: &mut PrefixWriter,
    title: &str,
    map: Option<&BTreeMap<String, String>>,
    annotations: bool,
) {
    w.write(2, &format!("{title}:\t"));
    let items: Vec<_> = map
        .into_iter()
        .flatten()
        .filter(|(k, _)| {
            !annotations || k.as_str() != "kubectl.kubernetes.io/last-applied-configuration"
        })
        .collect();
    if items.is_empty() {
        w.write(2, "<none>\n");
        return;
    }
    for (i, (k, v)) in items.into_iter().enumerate() {
        if i != 0 {
            if !annotations {
                w.write(2, "");
            }
            w.write(2, "\t");
        }
        if annotations {
            w.write(2, &format!("{k}: {v}\n"));
        } else {
            w.write(2, &format!("{k}={v}\n"));
        }
    }
}

/// `qos.GetPodQOS`: the status field when set, else computed.
pub(crate) fn qos_class(pod: &Pod) -> String {
    if let Some(q) = pod
        .status
        .as_ref()
        .and_then(|s| s.qos_class.clone())
        .filter(|q| !q.is_empty())
    {
        return q;
    }
    compute_qos(pod).to_string()
}

fn compute_qos(pod: &Pod) -> &'static str {
    let Some(spec) = &pod.spec else {
        return "BestEffort";
    };
    let mut requests: BTreeMap<String, Quantity> = BTreeMap::new();
    let mut limits: BTreeMap<String, Quantity> = BTreeMap::new();
    let mut guaranteed = true;
    let all = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten());
    for c in all {
        let r = c.resources.clone().unwrap_or_default();
        for (name, q) in r.requests.iter().flatten() {
            if name != "cpu" && name != "memory" {
                continue;
            }
            let q = Quantity::parse_or_zero(&q.0);
            if q.nanos > 0 {
                requests
                    .entry(name.clone())
                    .or_insert(Quantity::ZERO)
                    .add(q);
            }
        }
        let mut found = (false, false);
        for (name, q) in r.limits.iter().flatten() {
            if name != "cpu" && name != "memory" {
                continue;
            }
            let q = Quantity::parse_or_zero(&q.0);
            if q.nanos > 0 {
                if name == "cpu" {
                    found.0 = true;
                } else {
                    found.1 = true;
                }
                limits.entry(name.clone()).or_insert(Quantity::ZERO).add(q);
            }
        }
        if !(found.0 && found.1) {
            guaranteed = false;
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort";
    }
    if guaranteed {
        for (name, req) in &requests {
            if limits.get(name).is_none_or(|l| l.nanos != req.nanos) {
                guaranteed = false;
                break;
            }
        }
    }
    if guaranteed && requests.len() == limits.len() {
        "Guaranteed"
    } else {
        "Burstable"
    }
}
