//! Reading `kubectl describe` text back into facts.
//!
//! The parser is line oriented and forgiving: it accepts CRLF, tabs, trailing
//! spaces, shell prompts and other text around the describes, several
//! describes in one text, and truncated output (it returns what it read).
//! Structure comes from kubectl's fixed indentation (two spaces per level)
//! relative to the object's `Name:` line; table rows are split on runs of two
//! or more spaces, falling back to single spaces when a paste collapsed them.
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::facts::{
    AllocatedFacts, ContainerFacts, ContainerStateFacts, Described, EventFacts, NodeConditionFacts,
    NodeFacts, NodePodFacts, PodConditionFacts, PodFacts, PodsStatusFacts, ReplicaFacts,
    ResourceCell, TaintFacts, WorkloadConditionFacts, WorkloadFacts,
};

/// One input line, without its line break and trailing whitespace.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    /// 1-based line number.
    no: usize,
    /// The whole line (right-trimmed).
    raw: &'a str,
    /// Leading whitespace width (a tab counts as two columns).
    indent: usize,
    /// The line without leading whitespace.
    body: &'a str,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    text.split('\n')
        .enumerate()
        .map(|(i, raw)| {
            let raw = strip_box(raw.trim_end());
            let body = raw.trim_start();
            let lead = raw.len() - body.len();
            let indent = raw
                .get(..lead)
                .unwrap_or("")
                .chars()
                .map(|c| if c == '\t' { 2 } else { 1 })
                .sum();
            Line {
                no: i + 1,
                raw,
                indent,
                body,
            }
        })
        .collect()
}

/// Drops the `│ ... │` borders of a terminal UI (k9s) around a line, and the
/// one space of padding after the left border.
fn strip_box(raw: &str) -> &str {
    let Some(inner) = raw.trim_start().strip_prefix('│') else {
        return raw;
    };
    let inner = inner.strip_prefix(' ').unwrap_or(inner);
    inner.strip_suffix('│').unwrap_or(inner).trim_end()
}

/// `Key:  value` where the key looks like a kubectl field label (starts with
/// an uppercase letter). Returns the trimmed value.
fn key_value(body: &str) -> Option<(&str, &str)> {
    let (key, value) = split_kv(body)?;
    let first = key.chars().next()?;
    if !first.is_ascii_uppercase()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '(' | ')' | '/' | '_'))
    {
        return None;
    }
    Some((key, value))
}

/// Splits at the first `:` that ends the text or is followed by whitespace.
fn split_kv(body: &str) -> Option<(&str, &str)> {
    let mut search = 0;
    loop {
        let pos = search + body.get(search..)?.find(':')?;
        let key = body.get(..pos)?;
        let rest = body.get(pos + 1..)?;
        if rest.is_empty() || rest.starts_with([' ', '\t']) {
            if key.is_empty() || key.starts_with([' ', '\t']) {
                return None;
            }
            return Some((key.trim_end(), rest.trim()));
        }
        search = pos + 1;
    }
}

fn opt(v: &str) -> Option<String> {
    if v.is_empty() {
        None
    } else {
        Some(v.to_string())
    }
}

/// Parses kubectl's RFC1123Z dates, e.g. `Mon, 31 Aug 2020 16:32:42 -0500`.
pub(crate) fn parse_date(s: &str) -> Option<Timestamp> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    Timestamp::strptime("%a, %d %b %Y %H:%M:%S %z", &s).ok()
}

/// Parses every describe found in `text`, in order.
///
/// Objects are recognised by a `Name:` line and classified by their fields
/// (`Containers:` for pods, `Roles:`/`Taints:` for nodes, `StrategyType:`
/// for Deployments, `Pods Status:` with `current / desired` replicas for
/// ReplicaSets), with a preceding `kubectl describe <kind>` command as a
/// tie-breaker. Unrecognised blocks are skipped. Never panics.
pub fn parse(text: &str) -> Vec<Described> {
    let all = lines(text);
    // Block starts: a `Name:` line not nested deeper than the open object.
    let mut starts: Vec<usize> = Vec::new();
    let mut base: Option<usize> = None;
    for (i, l) in all.iter().enumerate() {
        if let Some(("Name", v)) = key_value(l.body)
            && !v.is_empty()
            && base.is_none_or(|b| l.indent <= b)
        {
            starts.push(i);
            base = Some(l.indent);
        }
    }
    let mut out = Vec::new();
    let first = starts.first().copied().unwrap_or(all.len());
    if let Some(d) = all.get(..first).and_then(parse_fragment) {
        out.push(d);
    }
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(all.len());
        let prev_end = if n == 0 {
            0
        } else {
            starts.get(n - 1).copied().unwrap_or(0)
        };
        let Some(block) = all.get(start..end) else {
            continue;
        };
        let hint = all.get(prev_end..start).and_then(kind_hint);
        if let Some(d) = parse_block(block, hint) {
            out.push(d);
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pod,
    Node,
    Deployment,
    ReplicaSet,
}

/// The kind named by the last `kubectl describe <kind>` command line.
fn kind_hint(lines: &[Line<'_>]) -> Option<Kind> {
    lines.iter().rev().find_map(|l| {
        let mut words = l.body.split_whitespace();
        words.find(|w| *w == "describe")?;
        let kind = words.find(|w| !w.starts_with('-'))?;
        let kind = kind
            .split('/')
            .next()
            .unwrap_or("")
            .trim_matches(|c: char| !c.is_ascii_alphanumeric())
            .to_ascii_lowercase();
        match kind.as_str() {
            "po" | "pod" | "pods" => Some(Kind::Pod),
            "no" | "node" | "nodes" => Some(Kind::Node),
            "deploy" | "deployment" | "deployments" => Some(Kind::Deployment),
            "rs" | "replicaset" | "replicasets" => Some(Kind::ReplicaSet),
            _ => None,
        }
    })
}

fn classify(block: &[Line<'_>], hint: Option<Kind>) -> Option<Kind> {
    let base = block.first()?.indent;
    let keys: Vec<(&str, &str)> = block
        .iter()
        .filter(|l| l.indent == base)
        .filter_map(|l| key_value(l.body))
        .collect();
    let has = |k: &str| keys.iter().any(|(key, _)| *key == k);
    let replicas = keys.iter().find(|(k, _)| *k == "Replicas").map(|(_, v)| *v);
    if has("Roles") || has("Taints") || has("Unschedulable") || has("System Info") {
        return Some(Kind::Node);
    }
    // Every Deployment describe has `StrategyType:`; a StatefulSet's
    // `Replicas: n desired | m total` alone is not enough.
    if has("StrategyType") || has("NewReplicaSet") || has("OldReplicaSets") {
        return Some(Kind::Deployment);
    }
    if replicas.is_some_and(|r| r.contains("current /")) && has("Pods Status") {
        return Some(Kind::ReplicaSet);
    }
    // Services, PVCs and the like share `IP:`/`Status:` with pods but have no
    // containers, no start time, no QoS class; pods have no selector.
    let pod_only =
        has("Containers") || has("Init Containers") || has("QoS Class") || has("Start Time");
    if pod_only || (has("Node") && has("IP") && !has("Selector") && !has("Type")) {
        return Some(Kind::Pod);
    }
    hint
}

fn parse_block(block: &[Line<'_>], hint: Option<Kind>) -> Option<Described> {
    Some(match classify(block, hint)? {
        Kind::Pod => Described::Pod(parse_pod(block, false)),
        Kind::Node => Described::Node(parse_node(block, false)),
        Kind::Deployment => Described::Deployment(parse_workload(block)),
        Kind::ReplicaSet => Described::ReplicaSet(parse_workload(block)),
    })
}

/// Text before the first `Name:` line: an excerpt of a describe (a
/// container's state, a conditions table, an events table) pasted without
/// its header. Parsed with kubectl's absolute indentation as a pod, or as a
/// node when it holds node condition rows, taints or follows a
/// `kubectl describe node` command. The object's name is empty.
fn parse_fragment(region: &[Line<'_>]) -> Option<Described> {
    let content: Vec<Line<'_>> = region
        .iter()
        .filter(|l| {
            !(l.body.starts_with('#')
                || l.body.starts_with('$')
                || l.body.starts_with("```")
                || (l.indent == 0 && is_command_line(l.body)))
        })
        .copied()
        .collect();
    let first = content.iter().find(|l| !l.body.is_empty())?.no;
    let node_ish = kind_hint(region) == Some(Kind::Node)
        || content.iter().any(|l| {
            matches!(key_value(l.body), Some(("Taints", _)))
                || parse_node_condition(l).is_some_and(|c| c.last_heartbeat.is_some())
        });
    if node_ish {
        let mut node = parse_node(&content, true);
        node.line = first;
        let found =
            !node.conditions.is_empty() || !node.taints.is_empty() || !node.events.is_empty();
        return found.then_some(Described::Node(node));
    }
    let mut pod = parse_pod(&content, true);
    pod.line = first;
    if pod.name.is_empty() {
        pod.name = cut_name(&content).unwrap_or_default();
    }
    if pod.name.is_empty()
        && pod.namespace.is_none()
        && let Some((ns, name)) = pod.events.iter().find_map(scheduled_to)
    {
        // An events-only excerpt: the Scheduled event names its pod.
        pod.namespace = Some(ns);
        pod.name = name;
    }
    let found = !pod.containers.is_empty()
        || !pod.init_containers.is_empty()
        || !pod.events.is_empty()
        || pod.status.is_some()
        || pod.reason.is_some();
    found.then_some(Described::Pod(pod))
}

/// The pod a `Scheduled` event assigned: `Successfully assigned NS/NAME to NODE`.
fn scheduled_to(e: &crate::facts::EventFacts) -> Option<(String, String)> {
    if e.reason != "Scheduled" {
        return None;
    }
    let rest = e.message.strip_prefix("Successfully assigned ")?;
    let (ns, rest) = rest.split_once('/')?;
    let (name, _) = rest.split_once(" to ")?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 253
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'))
    };
    (ok(ns) && ok(name)).then(|| (ns.to_string(), name.to_string()))
}

/// The name of a describe whose first line lost its first letters (`ame:  x`, `me:  x`) to
/// the paste: the cut key is the end of `Name`, at the left edge, and `Namespace:` follows.
fn cut_name(content: &[Line<'_>]) -> Option<String> {
    let mut lines = content.iter().filter(|l| !l.body.is_empty());
    let first = lines.next()?;
    let (key, value) = split_kv(first.body)?;
    let cut = matches!(key, "ame" | "me") && first.indent == 0;
    let next_is_namespace = lines
        .next()
        .is_some_and(|l| l.indent == 0 && matches!(key_value(l.body), Some(("Namespace", _))));
    let name_like = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '.'));
    (cut && next_is_namespace && name_like).then(|| value.to_string())
}

/// Whether a line stands for lines left out of a paste: `...`, `……`, `[...]`, `(...)`.
pub fn is_elision(body: &str) -> bool {
    let t = body
        .trim()
        .trim_matches(|c| matches!(c, '[' | ']' | '(' | ')'));
    !t.is_empty() && t.chars().all(|c| c == '.' || c == '…') && (t.len() >= 3 || t.contains('…'))
}

/// Whether a line at the left edge is the command pasted above its output, with or without a
/// prompt (`kubectl describe pod x`, `[root@host ~]# k describe po/x`, `sudo microk8s kubectl
/// ...`).
fn is_command_line(body: &str) -> bool {
    let words: Vec<&str> = body.split_whitespace().take(12).collect();
    words.iter().any(|w| {
        matches!(
            w.rsplit(['/', '\\']).next().unwrap_or_default(),
            "kubectl" | "kubectl.exe" | "oc" | "oc.exe" | "k" | "kubecolor"
        )
    }) && words
        .iter()
        .any(|w| matches!(*w, "describe" | "get" | "logs"))
}

/// Whether a line starts an events table header.
fn is_event_header(body: &str) -> bool {
    let words: Vec<&str> = body.split_whitespace().collect();
    words == ["Type", "Reason", "Age", "From", "Message"]
        || words.starts_with(&["FirstSeen", "LastSeen", "Count", "From"])
}

/// Whether a line looks like an events row (`Normal`/`Warning` first).
fn is_event_row(body: &str) -> bool {
    matches!(body.split_whitespace().next(), Some("Normal" | "Warning"))
}

/// Adds `k=v` (label or selector) to `map`; ignores `<none>`.
fn add_label(map: &mut BTreeMap<String, String>, s: &str) {
    if s.is_empty() || s == "<none>" {
        return;
    }
    match s.split_once('=') {
        Some((k, v)) => map.insert(k.to_string(), v.to_string()),
        None => map.insert(s.to_string(), String::new()),
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PodSection {
    Other,
    Labels,
    NodeSelectors,
    Tolerations,
    Containers { init: bool },
    Conditions,
    Events,
    Skip,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ContainerSub {
    None,
    State,
    LastState,
    Limits,
    Requests,
}

struct ContainerParser {
    current: Option<(bool, ContainerFacts)>,
    sub: ContainerSub,
}

impl ContainerParser {
    fn finish(&mut self, pod: &mut PodFacts) {
        if let Some((init, c)) = self.current.take() {
            // An anonymous container of a fragment that saw no field.
            if c.name.is_empty()
                && c == (ContainerFacts {
                    line: c.line,
                    ..ContainerFacts::default()
                })
            {
                self.sub = ContainerSub::None;
                return;
            }
            if init {
                pod.init_containers.push(c);
            } else {
                pod.containers.push(c);
            }
        }
        self.sub = ContainerSub::None;
    }

    fn line(&mut self, pod: &mut PodFacts, init: bool, l: &Line<'_>, rel: usize) {
        if rel <= 3 {
            if let Some(name) = l.body.strip_suffix(':')
                && !name.is_empty()
                && !name.contains(char::is_whitespace)
            {
                self.finish(pod);
                self.current = Some((
                    init,
                    ContainerFacts {
                        line: l.no,
                        name: name.to_string(),
                        ..ContainerFacts::default()
                    },
                ));
            }
            return;
        }
        let Some((_, c)) = self.current.as_mut() else {
            return;
        };
        if c.line == 0 {
            c.line = l.no;
        }
        if rel <= 5 {
            let Some((k, v)) = key_value(l.body) else {
                self.sub = ContainerSub::None;
                return;
            };
            self.sub = ContainerSub::None;
            match k {
                "Container ID" => c.container_id = opt(v),
                "Image" => c.image = opt(v),
                "Image ID" => c.image_id = opt(v),
                "State" | "Last State" => {
                    let st = ContainerStateFacts {
                        state: v.to_string(),
                        line: l.no,
                        ..ContainerStateFacts::default()
                    };
                    if k == "State" {
                        c.state = Some(st);
                        self.sub = ContainerSub::State;
                    } else {
                        c.last_state = Some(st);
                        self.sub = ContainerSub::LastState;
                    }
                }
                "Ready" => {
                    c.ready = match v {
                        "True" | "true" => Some(true),
                        "False" | "false" => Some(false),
                        _ => None,
                    }
                }
                "Restart Count" => c.restart_count = v.parse().ok(),
                "Limits" => self.sub = ContainerSub::Limits,
                "Requests" => self.sub = ContainerSub::Requests,
                "Liveness" => c.liveness = opt(v),
                "Readiness" => c.readiness = opt(v),
                "Startup" => c.startup = opt(v),
                _ => {}
            }
            return;
        }
        match self.sub {
            ContainerSub::State | ContainerSub::LastState => {
                let st = if self.sub == ContainerSub::State {
                    c.state.as_mut()
                } else {
                    c.last_state.as_mut()
                };
                let (Some(st), Some((k, v))) = (st, key_value(l.body)) else {
                    return;
                };
                match k {
                    "Reason" => st.reason = opt(v),
                    "Message" => st.message = opt(v),
                    "Exit Code" => st.exit_code = v.parse().ok(),
                    "Signal" => st.signal = v.parse().ok(),
                    "Started" => st.started = parse_date(v),
                    "Finished" => st.finished = parse_date(v),
                    _ => {}
                }
            }
            ContainerSub::Limits | ContainerSub::Requests => {
                if let Some((k, v)) = split_kv(l.body) {
                    let map = if self.sub == ContainerSub::Limits {
                        &mut c.limits
                    } else {
                        &mut c.requests
                    };
                    map.insert(k.to_string(), v.to_string());
                }
            }
            ContainerSub::None => {}
        }
    }
}

fn parse_pod(block: &[Line<'_>], fragment: bool) -> PodFacts {
    let mut pod = PodFacts::default();
    // A fragment keeps kubectl's absolute indentation; an object is relative
    // to its `Name:` line.
    let base = if fragment {
        0
    } else {
        block.first().map_or(0, |l| l.indent)
    };
    let mut section = PodSection::Other;
    let mut containers = ContainerParser {
        current: None,
        sub: ContainerSub::None,
    };
    if fragment {
        section = PodSection::Containers { init: false };
        containers.current = Some((false, ContainerFacts::default()));
    }
    let mut events = EventTable::default();
    for l in block {
        if l.body.is_empty() {
            continue;
        }
        let rel = l.indent.saturating_sub(base);
        if section != PodSection::Events
            && (is_event_header(l.body) || (fragment && is_event_row(l.body)))
        {
            containers.finish(&mut pod);
            section = PodSection::Events;
        }
        if fragment
            && section == PodSection::Events
            && (is_event_row(l.body) || key_value(l.body).is_none())
        {
            events.line(l, &mut pod.events);
            continue;
        }
        if rel == 0 && section == PodSection::Events && !fragment {
            // Events come last: a line at the left edge is a message the terminal wrapped,
            // unless it is the next command.
            if !events.wrapped(l, &mut pod.events) {
                section = PodSection::Other;
            }
            continue;
        }
        if rel == 0 {
            containers.finish(&mut pod);
            section = PodSection::Other;
            let Some((k, v)) = key_value(l.body) else {
                continue;
            };
            match k {
                "Name" if pod.name.is_empty() => {
                    pod.name = v.to_string();
                    pod.line = l.no;
                }
                "Namespace" => pod.namespace = opt(v),
                "Priority" => pod.priority = v.parse().ok(),
                "Priority Class Name" => pod.priority_class_name = opt(v),
                "Service Account" => pod.service_account = opt(v),
                "Node" if v != "<none>" && !v.is_empty() => match v.split_once('/') {
                    Some((n, ip)) => {
                        pod.node = opt(n);
                        pod.host_ip = opt(ip);
                    }
                    None => pod.node = opt(v),
                },
                "Start Time" => pod.start_time = parse_date(v),
                "Labels" => {
                    section = PodSection::Labels;
                    add_label(&mut pod.labels, v);
                }
                "Status" => pod.status = opt(v),
                "Reason" => pod.reason = opt(v),
                "Message" => pod.message = opt(v),
                "IP" => pod.ip = opt(v),
                "Controlled By" => pod.controlled_by = opt(v),
                "QoS Class" => pod.qos_class = opt(v),
                "Node-Selectors" => {
                    section = PodSection::NodeSelectors;
                    add_label(&mut pod.node_selectors, v);
                }
                "Tolerations" => {
                    section = PodSection::Tolerations;
                    if !v.is_empty() && v != "<none>" {
                        pod.tolerations.push(v.to_string());
                    }
                }
                "Init Containers" => section = PodSection::Containers { init: true },
                "Containers" => section = PodSection::Containers { init: false },
                "Conditions" => section = PodSection::Conditions,
                "Events" => section = PodSection::Events,
                "Annotations" | "Volumes" | "Ephemeral Containers" | "IPs" | "Readiness Gates" => {
                    section = PodSection::Skip;
                }
                _ => {}
            }
            continue;
        }
        match section {
            PodSection::Labels => add_label(&mut pod.labels, l.body),
            PodSection::NodeSelectors => add_label(&mut pod.node_selectors, l.body),
            PodSection::Tolerations => pod.tolerations.push(l.body.to_string()),
            PodSection::Containers { init } => containers.line(&mut pod, init, l, rel),
            PodSection::Conditions => {
                let mut t = l.body.split_whitespace();
                if let (Some(ty), Some(st)) = (t.next(), t.next())
                    && ty != "Type"
                {
                    pod.conditions.push(PodConditionFacts {
                        type_: ty.to_string(),
                        status: st.to_string(),
                    });
                }
            }
            PodSection::Events => events.line(l, &mut pod.events),
            PodSection::Other | PodSection::Skip => {}
        }
    }
    containers.finish(&mut pod);
    pod
}

/// Column starts of an events header, in characters.
#[derive(Debug, Default)]
struct EventTable {
    columns: Option<[usize; 5]>,
    /// kubectl before 1.11 printed `FirstSeen LastSeen Count From
    /// SubObjectPath Type Reason Message`: the names and their starts.
    old: Option<Vec<(String, usize)>>,
}

impl EventTable {
    fn line(&mut self, l: &Line<'_>, out: &mut Vec<EventFacts>) {
        let body = l.body;
        if body.starts_with("FirstSeen") {
            let chars: Vec<char> = l.raw.chars().collect();
            let mut cols = Vec::new();
            let mut from = 0;
            for word in body.split_whitespace() {
                let Some(pos) = find_word(chars.get(from..).unwrap_or(&[]), word) else {
                    break;
                };
                cols.push((word.to_string(), from + pos));
                from += pos + word.chars().count();
            }
            self.old = Some(cols);
            self.columns = None;
            return;
        }
        if body.starts_with("Type") && body.contains("Reason") {
            self.old = None;
            let chars: Vec<char> = l.raw.chars().collect();
            let find = |word: &str| find_word(&chars, word);
            self.columns = match (
                find("Type"),
                find("Reason"),
                find("Age"),
                find("From"),
                find("Message"),
            ) {
                (Some(a), Some(b), Some(c), Some(d), Some(e))
                    if a < b && b < c && c < d && d < e =>
                {
                    Some([a, b, c, d, e])
                }
                _ => None,
            };
            return;
        }
        if body.starts_with("----") || is_elision(body) {
            return;
        }
        match self.row(l) {
            Some(e) => out.push(e),
            None => {
                self.wrapped(l, out);
            }
        }
    }

    /// A line that continues the last event's message (a terminal wrapped it): appended to
    /// it. False, and nothing done, when there is no event yet or the line is a shell prompt
    /// or command line (the next command's output begins).
    fn wrapped(&mut self, l: &Line<'_>, out: &mut [EventFacts]) -> bool {
        let body = l.body.trim();
        if is_elision(body) {
            // Rows left out of the paste: nothing to add, the section goes on.
            return true;
        }
        let prompt = body.starts_with("$ ")
            || body.starts_with("# ")
            || body.starts_with("kubectl ")
            || body.contains("$ kubectl")
            || body.contains("# kubectl")
            || body.contains("> kubectl");
        match out.last_mut() {
            Some(last) if !prompt && !body.is_empty() => {
                if !last.message.is_empty() {
                    last.message.push(' ');
                }
                last.message.push_str(body);
                true
            }
            _ => false,
        }
    }

    fn row(&self, l: &Line<'_>) -> Option<EventFacts> {
        if let Some(cols) = &self.old {
            return old_row(cols, l);
        }
        let fields = self
            .by_columns(l.raw)
            .or_else(|| by_separators(l.body))
            .or_else(|| by_tokens(l.body))?;
        let [type_, reason, age_text, from, message] = fields;
        if type_.is_empty() || reason.is_empty() || type_.contains(char::is_whitespace) {
            return None;
        }
        let (age, count, over) = parse_age(&age_text);
        Some(EventFacts {
            line: l.no,
            type_,
            reason,
            age,
            count,
            over,
            from,
            message,
        })
    }

    /// Exact split on the header's columns, when the row lines up with them.
    fn by_columns(&self, raw: &str) -> Option<[String; 5]> {
        let cols = self.columns?;
        let chars: Vec<char> = raw.chars().collect();
        let [a, b, c, d, e] = cols;
        if chars.len() < e {
            return None;
        }
        // Each column must start right after a space and with a non-space
        // (the From column may be empty).
        for (i, &col) in cols.iter().enumerate().skip(1) {
            let before = chars.get(col.checked_sub(1)?)?;
            if *before != ' ' {
                return None;
            }
            let at = chars.get(col).copied().unwrap_or(' ');
            if at == ' ' && i != 3 {
                return None;
            }
        }
        let cell = |from: usize, to: usize| -> String {
            chars
                .get(from..to.min(chars.len()))
                .unwrap_or(&[])
                .iter()
                .collect::<String>()
                .trim()
                .to_string()
        };
        Some([
            cell(a, b),
            cell(b, c),
            cell(c, d),
            cell(d, e),
            cell(e, chars.len()),
        ])
    }
}

/// A row under a pre-1.11 `FirstSeen LastSeen Count From ...` header.
fn old_row(cols: &[(String, usize)], l: &Line<'_>) -> Option<EventFacts> {
    let chars: Vec<char> = l.raw.chars().collect();
    let aligned = cols.iter().skip(1).all(|(_, p)| {
        p.checked_sub(1)
            .and_then(|i| chars.get(i))
            .is_some_and(|c| c.is_whitespace())
    });
    let mut values: Vec<String> = if aligned && !l.raw.contains('\t') {
        cols.iter()
            .enumerate()
            .map(|(i, (_, start))| {
                let end = cols
                    .get(i + 1)
                    .map_or(chars.len(), |c| c.1)
                    .min(chars.len());
                chars
                    .get(*start..end)
                    .unwrap_or(&[])
                    .iter()
                    .collect::<String>()
                    .trim()
                    .to_string()
            })
            .collect()
    } else {
        let sep: Vec<String> = if l.body.contains('\t') {
            l.body
                .split('\t')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        } else {
            l.body
                .split("  ")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        sep
    };
    let index = |name: &str| cols.iter().position(|(n, _)| n.eq_ignore_ascii_case(name));
    if values.len() + 1 == cols.len()
        && let Some(i) = index("SubObjectPath")
    {
        values.insert(i, String::new());
    }
    if values.len() < cols.len() {
        // Keep the message whole when it had double spaces.
        return None;
    }
    if values.len() > cols.len() {
        let tail = values.split_off(cols.len() - 1).join("  ");
        values.push(tail);
    }
    let get = |name: &str| {
        index(name)
            .and_then(|i| values.get(i))
            .cloned()
            .unwrap_or_default()
    };
    let reason = get("Reason");
    if reason.is_empty() {
        return None;
    }
    let count: Option<u64> = get("Count").parse().ok();
    let many = count.is_some_and(|c| c > 1);
    Some(EventFacts {
        line: l.no,
        type_: get("Type"),
        reason,
        age: get("LastSeen"),
        count: count.filter(|_| many),
        over: Some(get("FirstSeen")).filter(|_| many),
        from: get("From"),
        message: get("Message"),
    })
}

fn find_word(chars: &[char], word: &str) -> Option<usize> {
    let w: Vec<char> = word.chars().collect();
    (0..chars.len()).find(|&i| {
        chars.get(i..i + w.len()) == Some(&w[..])
            && (i == 0 || chars.get(i - 1) == Some(&' ') || chars.get(i - 1) == Some(&'\t'))
    })
}

/// Splits on tabs or on runs of two or more spaces: type, reason, age, from,
/// and the rest as the message.
fn by_separators(body: &str) -> Option<[String; 5]> {
    let mut fields: Vec<String> = Vec::new();
    if body.contains('\t') {
        fields = body
            .split('\t')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
    } else {
        let mut rest = body;
        while fields.len() < 4 {
            match rest.find("  ") {
                Some(p) => {
                    fields.push(rest.get(..p).unwrap_or("").trim().to_string());
                    rest = rest.get(p..).unwrap_or("").trim_start();
                }
                None => break,
            }
        }
        if !rest.is_empty() {
            fields.push(rest.to_string());
        }
    }
    match fields.len() {
        n if n >= 5 => {
            let mut it = fields.into_iter();
            let mut next = || it.next().unwrap_or_default();
            let (a, b, c, d) = (next(), next(), next(), next());
            let rest: Vec<String> = std::iter::from_fn(|| it.next()).collect();
            Some([a, b, c, d, rest.join(" ")])
        }
        4 => {
            let mut it = fields.into_iter();
            let mut next = || it.next().unwrap_or_default();
            let (a, b, c, d) = (next(), next(), next(), next());
            if is_age(c.split_whitespace().next().unwrap_or("")) {
                // Either the source or the message is missing; kubectl rows
                // nearly always have a source, so the message is empty.
                Some([a, b, c, d, String::new()])
            } else {
                Some([a, b, String::new(), c, d])
            }
        }
        _ => None,
    }
}

/// Last resort for rows whose spacing collapsed to single spaces:
/// `Warning Unhealthy 59m (x7 over 2d2h) kubelet, node1 Readiness probe ...`.
fn by_tokens(body: &str) -> Option<[String; 5]> {
    let tokens: Vec<&str> = body.split_whitespace().collect();
    let type_ = tokens.first()?;
    if !matches!(*type_, "Normal" | "Warning") {
        return None;
    }
    let reason = tokens.get(1)?;
    let mut i = 2;
    let mut age = String::new();
    if tokens.get(i).is_some_and(|t| is_age(t)) {
        age = tokens.get(i).map(|t| t.to_string()).unwrap_or_default();
        i += 1;
        if tokens.get(i).is_some_and(|t| t.starts_with("(x")) && tokens.get(i + 1) == Some(&"over")
        {
            let tail = tokens.get(i..i + 3).unwrap_or(&[]).join(" ");
            age = format!("{age} {tail}");
            i += 3;
        }
    }
    let mut from = String::new();
    if !age.is_empty()
        && let Some(t) = tokens.get(i)
    {
        from = t.to_string();
        i += 1;
        if from.ends_with(',')
            && let Some(host) = tokens.get(i)
        {
            from = format!("{from} {host}");
            i += 1;
        }
    }
    let message = tokens.get(i..).unwrap_or(&[]).join(" ");
    Some([type_.to_string(), reason.to_string(), age, from, message])
}

/// `4m58s`, `2d5h`, `<unknown>`, `<invalid>`.
fn is_age(s: &str) -> bool {
    if s == "<unknown>" || s == "<invalid>" {
        return true;
    }
    let mut saw_digit = false;
    let mut saw_unit = false;
    for ch in s.chars() {
        if ch.is_ascii_digit() {
            saw_digit = true;
        } else if matches!(ch, 's' | 'm' | 'h' | 'd' | 'y') && saw_digit {
            saw_unit = true;
            saw_digit = false;
        } else {
            return false;
        }
    }
    saw_unit && !saw_digit
}

/// `4m58s (x23 over 115m)` into (`4m58s`, 23, `115m`).
fn parse_age(s: &str) -> (String, Option<u64>, Option<String>) {
    let s = s.trim();
    if let Some((age, rest)) = s.split_once(" (x")
        && let Some(inner) = rest.strip_suffix(')')
        && let Some((n, over)) = inner.split_once(" over ")
    {
        return (
            age.trim().to_string(),
            n.trim().parse().ok(),
            Some(over.trim().to_string()),
        );
    }
    (s.to_string(), None, None)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeSection {
    Other,
    Labels,
    Taints,
    Conditions,
    Addresses,
    Capacity,
    Allocatable,
    SystemInfo,
    Pods,
    Allocated,
    Events,
}

fn parse_taint(s: &str) -> Option<TaintFacts> {
    if s.is_empty() || s == "<none>" {
        return None;
    }
    let (kv, effect) = match s.rsplit_once(':') {
        Some((kv, effect)) => (kv, effect),
        None => (s, ""),
    };
    let (key, value) = match kv.split_once('=') {
        Some((k, v)) => (k, Some(v.to_string())),
        None => (kv, None),
    };
    Some(TaintFacts {
        key: key.to_string(),
        value,
        effect: effect.to_string(),
    })
}

/// `500m (25%)` from a token stream.
fn take_cell<'a>(
    tokens: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>,
) -> Option<ResourceCell> {
    let quantity = tokens.next()?.to_string();
    let percent = match tokens.peek() {
        Some(t) if t.starts_with('(') && t.ends_with("%)") => {
            let p = t
                .trim_start_matches('(')
                .trim_end_matches("%)")
                .parse()
                .ok();
            tokens.next();
            p
        }
        _ => None,
    };
    Some(ResourceCell { quantity, percent })
}

/// Byte offsets where each whitespace-separated token of `s` ends.
fn token_ends(s: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut in_token = false;
    for (i, ch) in s.char_indices() {
        if ch.is_whitespace() {
            if in_token {
                ends.push(i);
            }
            in_token = false;
        } else {
            in_token = true;
        }
    }
    if in_token {
        ends.push(s.len());
    }
    ends
}

fn parse_node_condition(l: &Line<'_>) -> Option<NodeConditionFacts> {
    let tokens: Vec<&str> = l.body.split_whitespace().collect();
    let type_ = tokens.first()?.to_string();
    let status = tokens.get(1)?.to_string();
    let date = |from: usize| {
        tokens
            .get(from..from + 6)
            .and_then(|t| parse_date(&t.join(" ")))
    };
    let (hb, tr) = (date(2), date(8));
    if hb.is_some() && tr.is_some() {
        let reason = tokens.get(14).map(|s| s.to_string()).unwrap_or_default();
        // The message keeps its own spacing: take the text after the reason.
        let message = token_ends(l.body)
            .get(14)
            .and_then(|&end| l.body.get(end..))
            .map(|m| m.trim().to_string())
            .unwrap_or_default();
        return Some(NodeConditionFacts {
            line: l.no,
            type_,
            status,
            last_heartbeat: hb,
            last_transition: tr,
            reason,
            message,
        });
    }
    // Unknown date format: split on runs of two spaces.
    let fields: Vec<&str> = l
        .body
        .split("  ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    Some(NodeConditionFacts {
        line: l.no,
        type_,
        status,
        last_heartbeat: fields.get(2).and_then(|d| parse_date(d)),
        last_transition: fields.get(3).and_then(|d| parse_date(d)),
        reason: fields.get(4).map(|s| s.to_string()).unwrap_or_default(),
        message: fields.get(5..).unwrap_or(&[]).join("  "),
    })
}

fn parse_node(block: &[Line<'_>], fragment: bool) -> NodeFacts {
    let mut node = NodeFacts::default();
    let base = if fragment {
        0
    } else {
        block.first().map_or(0, |l| l.indent)
    };
    let mut section = if fragment {
        NodeSection::Conditions
    } else {
        NodeSection::Other
    };
    let mut events = EventTable::default();
    for l in block {
        if l.body.is_empty() {
            continue;
        }
        let rel = l.indent.saturating_sub(base);
        if section != NodeSection::Events
            && (is_event_header(l.body) || (fragment && is_event_row(l.body)))
        {
            section = NodeSection::Events;
        }
        if fragment && section == NodeSection::Conditions && key_value(l.body).is_none() {
            if let Some(c) = parse_node_condition(l).filter(|c| c.last_heartbeat.is_some()) {
                node.conditions.push(c);
            }
            continue;
        }
        if fragment
            && section == NodeSection::Events
            && (is_event_row(l.body) || key_value(l.body).is_none())
        {
            events.line(l, &mut node.events);
            continue;
        }
        if rel == 0 && section == NodeSection::Events && !fragment {
            if !events.wrapped(l, &mut node.events) {
                section = NodeSection::Other;
            }
            continue;
        }
        if rel == 0 {
            section = NodeSection::Other;
            let Some((k, v)) = key_value(l.body) else {
                continue;
            };
            match k {
                "Name" if node.name.is_empty() => {
                    node.name = v.to_string();
                    node.line = l.no;
                }
                "Roles" => {
                    node.roles = if v == "<none>" || v.is_empty() {
                        Vec::new()
                    } else {
                        v.split(',').map(str::to_string).collect()
                    }
                }
                "Labels" => {
                    section = NodeSection::Labels;
                    add_label(&mut node.labels, v);
                }
                "CreationTimestamp" => node.creation_timestamp = parse_date(v),
                "Taints" => {
                    section = NodeSection::Taints;
                    node.taints.extend(parse_taint(v));
                }
                "Unschedulable" => node.unschedulable = v.parse().ok(),
                "Conditions" => section = NodeSection::Conditions,
                "Addresses" => section = NodeSection::Addresses,
                "Capacity" => section = NodeSection::Capacity,
                "Allocatable" => section = NodeSection::Allocatable,
                "System Info" => section = NodeSection::SystemInfo,
                "Non-terminated Pods" => section = NodeSection::Pods,
                "Allocated resources" => section = NodeSection::Allocated,
                "Events" => section = NodeSection::Events,
                _ => {}
            }
            continue;
        }
        match section {
            NodeSection::Labels => add_label(&mut node.labels, l.body),
            NodeSection::Taints => node.taints.extend(parse_taint(l.body)),
            NodeSection::Conditions => {
                if !l.body.starts_with("Type") && !l.body.starts_with("----") {
                    node.conditions.extend(parse_node_condition(l));
                }
            }
            NodeSection::Addresses | NodeSection::Capacity | NodeSection::Allocatable => {
                if let Some((k, v)) = split_kv(l.body) {
                    let map = match section {
                        NodeSection::Addresses => &mut node.addresses,
                        NodeSection::Capacity => &mut node.capacity,
                        _ => &mut node.allocatable,
                    };
                    map.insert(k.to_string(), v.to_string());
                }
            }
            NodeSection::SystemInfo => match key_value(l.body) {
                Some(("Kubelet Version", v)) => node.kubelet_version = opt(v),
                Some(("Container Runtime Version", v)) => node.container_runtime_version = opt(v),
                _ => {}
            },
            NodeSection::Pods => {
                if l.body.starts_with("Namespace") || l.body.starts_with("---") {
                    continue;
                }
                let mut t = l.body.split_whitespace().peekable();
                let (Some(ns), Some(name)) = (t.next(), t.next()) else {
                    continue;
                };
                let (Some(cr), Some(cl), Some(mr), Some(ml)) = (
                    take_cell(&mut t),
                    take_cell(&mut t),
                    take_cell(&mut t),
                    take_cell(&mut t),
                ) else {
                    continue;
                };
                node.pods.push(NodePodFacts {
                    line: l.no,
                    namespace: ns.to_string(),
                    name: name.to_string(),
                    cpu_requests: cr,
                    cpu_limits: cl,
                    memory_requests: mr,
                    memory_limits: ml,
                    age: t.next().map(str::to_string),
                });
            }
            NodeSection::Allocated => {
                if l.body.starts_with('(')
                    || l.body.starts_with("Resource")
                    || l.body.starts_with("---")
                {
                    continue;
                }
                let mut t = l.body.split_whitespace().peekable();
                let Some(resource) = t.next() else { continue };
                let (Some(requests), Some(limits)) = (take_cell(&mut t), take_cell(&mut t)) else {
                    continue;
                };
                node.allocated.push(AllocatedFacts {
                    resource: resource.to_string(),
                    requests,
                    limits,
                });
            }
            NodeSection::Events => events.line(l, &mut node.events),
            NodeSection::Other => {}
        }
    }
    node
}

fn count_before(part: &str, word: &str) -> Option<i64> {
    let mut t = part.split_whitespace();
    let n = t.next()?.parse().ok()?;
    (t.next()? == word).then_some(n)
}

fn parse_replicas(v: &str) -> ReplicaFacts {
    let mut r = ReplicaFacts::default();
    let parts: Vec<&str> = if v.contains('|') {
        v.split('|').collect()
    } else {
        v.split('/').collect()
    };
    for p in parts {
        let mut t = p.split_whitespace();
        let (Some(n), Some(word)) = (t.next(), t.next()) else {
            continue;
        };
        let n = n.parse().ok();
        match word {
            "desired" => r.desired = n,
            "updated" => r.updated = n,
            "total" | "current" => r.total = n,
            "available" => r.available = n,
            "unavailable" => r.unavailable = n,
            _ => {}
        }
    }
    r
}

fn parse_pods_status(v: &str) -> Option<PodsStatusFacts> {
    let parts: Vec<&str> = v.split('/').collect();
    Some(PodsStatusFacts {
        running: count_before(parts.first()?, "Running")?,
        waiting: count_before(parts.get(1)?, "Waiting")?,
        succeeded: count_before(parts.get(2)?, "Succeeded")?,
        failed: count_before(parts.get(3)?, "Failed")?,
    })
}

/// `name (1/1 replicas created), other (0/0 replicas created)` into names.
fn rs_names(v: &str) -> Vec<String> {
    if v.is_empty() || v == "<none>" {
        return Vec::new();
    }
    v.split(", ")
        .map(|p| p.split(" (").next().unwrap_or(p).trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

fn parse_workload(block: &[Line<'_>]) -> WorkloadFacts {
    let mut wl = WorkloadFacts::default();
    let base = block.first().map_or(0, |l| l.indent);
    #[derive(PartialEq)]
    enum S {
        Other,
        Conditions,
        Events,
    }
    let mut section = S::Other;
    let mut events = EventTable::default();
    for l in block {
        if l.body.is_empty() {
            continue;
        }
        let rel = l.indent.saturating_sub(base);
        if rel == 0 && section == S::Events {
            if !events.wrapped(l, &mut wl.events) {
                section = S::Other;
            }
            continue;
        }
        if rel == 0 {
            section = S::Other;
            let Some((k, v)) = key_value(l.body) else {
                continue;
            };
            match k {
                "Name" if wl.name.is_empty() => {
                    wl.name = v.to_string();
                    wl.line = l.no;
                }
                "Namespace" => wl.namespace = opt(v),
                "Selector" => wl.selector = opt(v),
                "Controlled By" => wl.controlled_by = opt(v),
                "Replicas" => wl.replicas = parse_replicas(v),
                "Pods Status" => wl.pods_status = parse_pods_status(v),
                "Conditions" => section = S::Conditions,
                "NewReplicaSet" => wl.new_replicaset = rs_names(v).into_iter().next(),
                "OldReplicaSets" => wl.old_replicasets = rs_names(v),
                "Events" => section = S::Events,
                _ => {}
            }
            continue;
        }
        match section {
            S::Conditions => {
                let mut t = l.body.split_whitespace();
                if let (Some(ty), Some(st)) = (t.next(), t.next())
                    && ty != "Type"
                    && !ty.starts_with("---")
                {
                    wl.conditions.push(WorkloadConditionFacts {
                        type_: ty.to_string(),
                        status: st.to_string(),
                        reason: t.collect::<Vec<_>>().join(" "),
                    });
                }
            }
            S::Events => events.line(l, &mut wl.events),
            S::Other => {}
        }
    }
    wl
}

#[cfg(test)]
mod tests {
    /// From projectcalico/calico issue #1708: only the events of a describe were pasted.
    #[test]
    fn events_only_excerpt_named_by_its_scheduled_event() {
        let text = "Events:
  Type     Reason            Age                 From                 Message
  ----     ------            ----                ----                 -------
  Normal   Scheduled         46m                 default-scheduler    Successfully assigned kube-system/calico-kube-controllers-7c4fb94b96-99gjr to kubemaster
  Warning  BackOff           4m (x180 over 44m)  kubelet, kubemaster  Back-off restarting failed container
";
        let Some(Described::Pod(pod)) = parse(text).into_iter().next() else {
            panic!("no pod");
        };
        assert_eq!(pod.name, "calico-kube-controllers-7c4fb94b96-99gjr");
        assert_eq!(pod.namespace.as_deref(), Some("kube-system"));
        let old = text.replace("kube-system/", "");
        let Some(Described::Pod(pod)) = parse(&old).into_iter().next() else {
            panic!("no pod");
        };
        assert_eq!(pod.name, "");
        assert_eq!(pod.namespace, None);
    }

    /// From portainer/portainer issue #5314: the paste lost the `N` of `Name:`.
    #[test]
    fn describe_with_its_first_letter_cut() {
        let text = "ame:         centos-new-6846f658db-w4qhj
Namespace:    default
Containers:
  centos:
    State:          Waiting
      Reason:       CrashLoopBackOff
    Restart Count:  5
";
        let Some(Described::Pod(pod)) = parse(text).into_iter().next() else {
            panic!("no pod");
        };
        assert_eq!(pod.name, "centos-new-6846f658db-w4qhj");
        assert_eq!(pod.namespace.as_deref(), Some("default"));
        let prose = text.replace("Namespace:    default\n", "");
        let Some(Described::Pod(pod)) = parse(&prose).into_iter().next() else {
            panic!("no pod");
        };
        assert_eq!(pod.name, "");
    }

    use super::*;

    #[test]
    fn key_values() {
        assert_eq!(key_value("Name:         x"), Some(("Name", "x")));
        assert_eq!(key_value("IP:"), Some(("IP", "")));
        assert_eq!(
            key_value("Start Time:   Mon, 31 Aug 2020 16:32:42 -0500"),
            Some(("Start Time", "Mon, 31 Aug 2020 16:32:42 -0500"))
        );
        assert_eq!(
            key_value("Tolerations:  node.kubernetes.io/not-ready:NoExecute op=Exists"),
            Some((
                "Tolerations",
                "node.kubernetes.io/not-ready:NoExecute op=Exists"
            ))
        );
        assert_eq!(key_value("k8s-app=calico"), None);
        assert_eq!(key_value("calico-kube-controllers:"), None);
    }

    #[test]
    fn ages() {
        assert_eq!(
            parse_age("4m58s (x23 over 115m)"),
            ("4m58s".to_string(), Some(23), Some("115m".to_string()))
        );
        assert_eq!(parse_age("34s"), ("34s".to_string(), None, None));
        assert!(is_age("2d5h"));
        assert!(is_age("<unknown>"));
        assert!(!is_age("kubelet"));
        assert!(!is_age("5"));
    }

    #[test]
    fn dates() {
        let t = parse_date("Mon, 31 Aug 2020 16:32:42 -0500");
        assert_eq!(
            t.map(|t| t.to_string()),
            Some("2020-08-31T21:32:42Z".to_string())
        );
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn collapsed_event_rows() {
        let t = EventTable::default();
        let l = lines(
            "   Warning FailedCreate 7s (x14 over 48s) replicaset-controller Error creating: denied",
        );
        let e = l.first().and_then(|l| t.row(l));
        let e = e.unwrap_or_default();
        assert_eq!(e.reason, "FailedCreate");
        assert_eq!(e.age, "7s");
        assert_eq!(e.count, Some(14));
        assert_eq!(e.over.as_deref(), Some("48s"));
        assert_eq!(e.from, "replicaset-controller");
        assert_eq!(e.message, "Error creating: denied");

        let l = lines(
            "  Warning  Unhealthy  59m (x7 over 2d2h)  kubelet, k8smater1  Readiness probe failed: x",
        );
        let e = l.first().and_then(|l| t.row(l)).unwrap_or_default();
        assert_eq!(e.from, "kubelet, k8smater1");
        assert_eq!(e.message, "Readiness probe failed: x");
    }
}
