//! Facts from `kubectl get pods` tables pasted into text files (support cases often bring
//! nothing else): status, readiness, restarts and the node of each pod. Objects and describe
//! text win over a table row for the same pod.
//!
//! ```text
//! NAME                                       READY   STATUS             RESTARTS      AGE
//! calico-kube-controllers-6946cb87d6-nkzdc   0/1     CrashLoopBackOff   4 (83s ago)   26m
//! ```
//!
//! A table has no container names: the single container a row stands for is named after the
//! pod's workload (the pod name without its generated suffixes), which is what Calico's pods
//! call their main container.

use jiff::Timestamp;
use kbundle_describe::{is_elision, parse_kubectl_duration};
use kbundle_format::Snapshot;
use kbundle_format::command::{self, Command};

use crate::facts::{
    Condition, Container, Event, Facts, MemoryLimit, Node, ObjRef, Owner, Pod, Source, State,
};

/// The largest text read, in bytes.
const MAX_TEXT: u64 = 16 * 1024 * 1024;

/// One row of a `kubectl get pods` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Row {
    /// 1-based line.
    pub line: usize,
    /// `NAMESPACE` (with `-A`), else empty.
    pub namespace: String,
    /// `NAME`.
    pub name: String,
    /// `READY` as (ready, total).
    pub ready: (u32, u32),
    /// `STATUS`.
    pub status: String,
    /// `RESTARTS` count.
    pub restarts: i64,
    /// The age of the last restart, from `4 (83s ago)`.
    pub last_restart_ago: Option<String>,
    /// `NODE` (`-o wide`).
    pub node: Option<String>,
}

/// Column names and where they start, from a `kubectl get pods` header line.
fn header(line: &str) -> Option<Vec<(String, usize)>> {
    let cols = columns(line)?;
    let has = |n: &str| cols.iter().any(|(c, _)| c == n);
    (has("NAME") && has("READY") && has("STATUS") && has("RESTARTS")).then_some(cols)
}

/// Column names and where they start, from a header line starting with `NAME` or `NAMESPACE`.
fn columns(line: &str) -> Option<Vec<(String, usize)>> {
    let t = line.trim_end();
    if !t.starts_with("NAME") && !t.starts_with("NAMESPACE") {
        return None;
    }
    let mut cols = Vec::new();
    let mut start = None;
    let mut spaces = 0;
    for (i, c) in t.char_indices() {
        if c == ' ' {
            spaces += 1;
            continue;
        }
        if start.is_none() || spaces >= 2 {
            if let Some(s) = start {
                cols.push((t[s..i].trim().to_string(), s));
            }
            start = Some(i);
        }
        spaces = 0;
    }
    if let Some(s) = start {
        cols.push((t[s..].trim().to_string(), s));
    }
    if cols.len() == 1 {
        // Single spaces (a paste whose spacing was collapsed): one word a column, but for the
        // two-word headers of `-o wide`.
        cols.clear();
        let mut at = 0;
        for word in t.split(' ').filter(|w| !w.is_empty()) {
            let pos = t[at..].find(word).map_or(at, |p| p + at);
            at = pos + word.len();
            match cols.last_mut() {
                Some((last, _))
                    if (last == "NOMINATED" && word == "NODE")
                        || (last == "READINESS" && word == "GATES") =>
                {
                    last.push(' ');
                    last.push_str(word);
                }
                _ => cols.push((word.to_string(), pos)),
            }
        }
    }
    Some(cols)
}

/// A row's cells: by the header's column positions when the row is aligned with it (as
/// kubectl prints it), else by whitespace (pastes whose spacing was collapsed).
/// The cell of a row under the column `name`, empty when the table has no such column.
fn column<'a>(cols: &[(String, usize)], values: &'a [String], name: &str) -> &'a str {
    cols.iter()
        .position(|(n, _)| n == name)
        .and_then(|p| values.get(p))
        .map(String::as_str)
        .unwrap_or_default()
}

fn cells(line: &str, cols: &[(String, usize)]) -> Option<Vec<String>> {
    let aligned = cols.iter().all(|(_, s)| *s != usize::MAX)
        && cols.iter().all(|(_, s)| {
            *s == 0
                || (line.is_char_boundary(*s)
                    && line.as_bytes().get(s - 1) == Some(&b' ')
                    && line.as_bytes().get(*s).is_some_and(|b| *b != b' '))
        });
    if aligned {
        let mut out = Vec::new();
        for (i, (_, s)) in cols.iter().enumerate() {
            let end = cols.get(i + 1).map_or(line.len(), |(_, e)| *e);
            out.push(line.get(*s..end)?.trim().to_string());
        }
        return Some(out);
    }
    // `4 (83s ago)` is one cell.
    let mut tokens: Vec<String> = Vec::new();
    for tok in line.split_whitespace() {
        match tokens.last_mut() {
            Some(last) if last.contains('(') && !last.ends_with(')') => {
                last.push(' ');
                last.push_str(tok);
            }
            Some(last) if tok.starts_with('(') => {
                last.push(' ');
                last.push_str(tok);
            }
            _ => tokens.push(tok.to_string()),
        }
    }
    (tokens.len() == cols.len()).then_some(tokens)
}

/// What the command line pasted above a table says about its rows.
#[derive(Debug, Clone, Default)]
struct Context {
    /// `-n X`.
    namespace: Option<String>,
    /// The command was `get pods` (any spelling), for header-less rows (`| grep x`).
    pods: Option<Command>,
}

/// The columns `kubectl get pods` prints, for rows pasted without their header
/// (`kubectl get pods -A | grep calico`).
fn implied_pod_header(cmd: &Command) -> Vec<(String, usize)> {
    let mut names = Vec::new();
    if cmd.all_namespaces {
        names.push("NAMESPACE");
    }
    names.extend(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    if cmd.output.as_deref() == Some("wide") {
        names.extend(["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]);
    }
    // Positions that never align: the cells are split by whitespace.
    names
        .into_iter()
        .map(|n| (n.to_string(), usize::MAX))
        .collect()
}

/// The columns of a pod row pasted with neither header nor command, from the row's own
/// shape: 5, 6, 9 or 10 cells (with `NAMESPACE` and/or the `-o wide` columns), a `READY`
/// cell `N/M` where the layout puts it, a status word, a restart count and an age.
fn shaped_pod_header(line: &str) -> Option<Vec<(String, usize)>> {
    for (all_namespaces, wide) in [(false, false), (true, false), (false, true), (true, true)] {
        let header = implied_pod_header(&Command {
            all_namespaces,
            output: wide.then(|| "wide".to_string()),
            ..Command::default()
        });
        let Some(values) = cells(line, &header) else {
            continue;
        };
        let at = usize::from(all_namespaces);
        let ok = values
            .get(at + 1)
            .and_then(|r| r.split_once('/'))
            .is_some_and(|(a, b)| a.parse::<u32>().is_ok() && b.parse::<u32>().is_ok())
            && values.get(at + 2).is_some_and(|st| {
                st.starts_with(|c: char| c.is_ascii_uppercase())
                    && st.chars().all(|c| c.is_ascii_alphanumeric() || c == ':')
            })
            && values
                .get(at + 3)
                .and_then(|r| r.split_whitespace().next())
                .is_some_and(|r| r.parse::<u32>().is_ok())
            && values
                .get(at + 4)
                .is_some_and(|a| parse_kubectl_duration(a).is_some());
        if ok {
            return Some(header);
        }
    }
    None
}

/// Every pod row of every `kubectl get pods` table in a text. A row's namespace is its
/// `NAMESPACE` cell, else the `-n` of the command pasted above the table, else unknown
/// (empty).
pub(crate) fn parse_pod_tables(text: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut cols: Option<Vec<(String, usize)>> = None;
    let mut context = Context::default();
    for (i, line) in text.lines().enumerate() {
        if let Some(h) = header(line) {
            cols = Some(h);
            continue;
        }
        if let Some(cmd) = command::parse(line) {
            cols = None;
            context = Context {
                namespace: cmd.namespace.clone(),
                pods: (cmd.verb == "get" && cmd.kind() == Some("Pod") && cmd.args.len() == 1)
                    .then_some(cmd),
            };
            continue;
        }
        if command::is_prompt_line(line) {
            cols = None;
            context = Context::default();
            continue;
        }
        if line.trim().is_empty() {
            cols = None;
            continue;
        }
        if cols.is_none()
            && let Some(cmd) = &context.pods
        {
            cols = Some(implied_pod_header(cmd));
        }
        // A row with neither header nor command (an excerpt from the middle of a table) is
        // read only when its own shape is a pod row's; the next line is judged anew.
        let shaped;
        let c = match cols.as_ref() {
            Some(c) => c,
            None => match shaped_pod_header(line) {
                Some(h) => {
                    shaped = h;
                    &shaped
                }
                None => continue,
            },
        };
        let Some(values) = cells(line, c) else {
            continue;
        };
        let get = |name: &str| column(c, &values, name);
        let Some((ready, total)) = get("READY").split_once('/') else {
            continue;
        };
        let (Ok(ready), Ok(total)) = (ready.parse::<u32>(), total.parse::<u32>()) else {
            continue;
        };
        let restarts_cell = get("RESTARTS");
        let (count, ago) = match restarts_cell.split_once(' ') {
            Some((n, rest)) => (
                n,
                rest.trim_start_matches('(')
                    .trim_end_matches(')')
                    .strip_suffix(" ago")
                    .map(String::from),
            ),
            None => (restarts_cell, None),
        };
        let Ok(restarts) = count.parse::<i64>() else {
            continue;
        };
        // `kubectl get all` prefixes names with their resource (`pod/NAME`); rows of other
        // kinds are not pods.
        let name = match get("NAME").split_once('/') {
            Some(("pod", name)) => name,
            Some(_) => continue,
            None => get("NAME"),
        };
        if !command::is_name(name) {
            continue;
        }
        let node = Some(get("NODE").to_string()).filter(|n| !n.is_empty() && n != "<none>");
        rows.push(Row {
            line: i + 1,
            namespace: Some(get("NAMESPACE"))
                .filter(|n| command::is_name(n))
                .map(String::from)
                .or_else(|| context.namespace.clone())
                .unwrap_or_default(),
            name: name.to_string(),
            ready: (ready, total),
            status: get("STATUS").to_string(),
            restarts,
            last_restart_ago: ago,
            node,
        });
    }
    rows
}

/// One row of a `kubectl get nodes` table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NodeRow {
    /// 1-based line.
    pub line: usize,
    /// `NAME`.
    pub name: String,
    /// `STATUS` is `Ready` (else `NotReady` or `Unknown`: not ready, condition status not shown).
    pub ready: bool,
    /// `STATUS` has `SchedulingDisabled` (cordoned).
    pub unschedulable: bool,
}

/// Every row of every `kubectl get nodes` table (`NAME  STATUS  ROLES  AGE  VERSION`) in a
/// text, in order: a node shown by several tables appears once a table.
pub(crate) fn parse_node_tables(text: &str) -> Vec<NodeRow> {
    let mut rows = Vec::new();
    let mut cols: Option<Vec<(String, usize)>> = None;
    for (i, line) in text.lines().enumerate() {
        if let Some(h) = columns(line) {
            let has = |n: &str| h.iter().any(|(c, _)| c == n);
            cols = (has("NAME") && has("STATUS") && has("ROLES") && !has("READY")).then_some(h);
            continue;
        }
        if line.trim().is_empty() || command::is_prompt_line(line) {
            cols = None;
            continue;
        }
        let Some(c) = cols.as_ref() else { continue };
        let Some(values) = cells(line, c) else {
            continue;
        };
        let get = |name: &str| column(c, &values, name);
        let name = get("NAME");
        let status: Vec<&str> = get("STATUS").split(',').collect();
        let ready = match status.first() {
            Some(&"Ready") => true,
            Some(&"NotReady") | Some(&"Unknown") => false,
            _ => continue,
        };
        if !command::is_name(name) {
            continue;
        }
        rows.push(NodeRow {
            line: i + 1,
            name: name.to_string(),
            ready,
            unschedulable: status.contains(&"SchedulingDisabled"),
        });
    }
    rows
}

/// `calico-kube-controllers-6946cb87d6-nkzdc` -> (`calico-kube-controllers`, its ReplicaSet
/// `calico-kube-controllers-6946cb87d6`); `calico-node-x7k2p` -> (`calico-node`, none).
fn workload_of(pod: &str) -> (String, Option<String>) {
    let parts: Vec<&str> = pod.split('-').collect();
    let hashy = |s: &str| {
        (9..=10).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    };
    match parts.as_slice() {
        [head @ .., hash, _suffix] if !head.is_empty() && hashy(hash) => {
            (head.join("-"), Some(format!("{}-{hash}", head.join("-"))))
        }
        [head @ .., _suffix] if !head.is_empty() => (head.join("-"), None),
        _ => (pod.to_string(), None),
    }
}

fn pod_of(row: &Row, source: Source, now: Option<Timestamp>) -> Option<Pod> {
    let (workload, rs) = workload_of(&row.name);
    let restarted = row
        .last_restart_ago
        .as_deref()
        .and_then(parse_kubectl_duration)
        .and_then(|a| now?.checked_sub(a).ok());
    let terminated = |reason: &str| State::Terminated {
        reason: reason.to_string(),
        // A table shows the reason, never the exit code.
        exit_code: None,
        started: None,
        finished: restarted,
        message: String::new(),
    };
    let waiting = |reason: &str| State::Waiting {
        reason: reason.to_string(),
        message: String::new(),
    };
    let status = row.status.as_str();
    let (phase, state, init) = match status {
        "Terminating" => return None,
        "Running" => ("Running", State::Running { started: None }, false),
        "CrashLoopBackOff" | "CreateContainerConfigError" | "RunContainerError" => {
            ("Running", waiting(status), false)
        }
        "ErrImagePull" | "ImagePullBackOff" | "InvalidImageName" | "ErrImageNeverPull"
        | "ContainerCreating" | "PodInitializing" => ("Pending", waiting(status), false),
        "OOMKilled" | "Error" | "ContainerStatusUnknown" => ("Running", terminated(status), false),
        "Completed" => ("Succeeded", terminated(status), false),
        "Pending" => ("Pending", State::Unknown, false),
        "Evicted" => ("Failed", State::Unknown, false),
        s if s.starts_with("Init:") => ("Pending", waiting(s.trim_start_matches("Init:")), true),
        s => (s, State::Unknown, false),
    };
    let last_state = match (&state, restarted) {
        (State::Terminated { .. }, _) | (_, None) => State::Unknown,
        (_, Some(t)) => State::Terminated {
            reason: String::new(),
            exit_code: None,
            started: None,
            finished: Some(t),
            message: String::new(),
        },
    };
    let container = Container {
        name: if init {
            "init".into()
        } else {
            workload.clone()
        },
        init,
        image: String::new(),
        ready: row.ready.0 >= row.ready.1 && row.ready.1 > 0,
        restarts: Some(row.restarts),
        state,
        last_state,
        memory_limit: MemoryLimit::Unknown,
        line: source.line,
    };
    Some(Pod {
        namespace: row.namespace.clone(),
        name: row.name.clone(),
        owner: rs.map(|name| Owner {
            kind: "ReplicaSet".into(),
            name,
            uid: None,
        }),
        node: row.node.clone(),
        phase: phase.to_string(),
        reason: if status == "Evicted" {
            "Evicted".into()
        } else {
            String::new()
        },
        containers: vec![container],
        source,
        ..Pod::default()
    })
}

/// One row of a `kubectl get events` (or `kubectl events`) table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct EventRow {
    /// 1-based line.
    pub line: usize,
    /// `NAMESPACE`, else the command's `-n`, else empty (unknown).
    pub namespace: String,
    /// `LAST SEEN` (an age, e.g. `4m`).
    pub last_seen: String,
    /// `FIRST SEEN`, or the `over` part of `LAST SEEN` (`4m (x3 over 10m)`).
    pub first_seen: Option<String>,
    /// `COUNT`, or the `xN` part of `LAST SEEN`.
    pub count: Option<u64>,
    /// `TYPE`.
    pub type_: String,
    /// `REASON`.
    pub reason: String,
    /// The object: kind and name (`OBJECT` as `pod/x`, or the old layout's `KIND` and `NAME`).
    pub kind: String,
    /// The object's name.
    pub name: String,
    /// `SUBOBJECT`'s container (`spec.containers{c}`).
    pub container: Option<String>,
    /// `SOURCE`'s component (`kubelet, node-1` -> `kubelet`).
    pub component: String,
    /// `MESSAGE` (wrapped continuation lines joined).
    pub message: String,
}

/// The header of an events table: `LAST SEEN   TYPE   REASON   OBJECT   MESSAGE` (with
/// `NAMESPACE` first for `-A`, and `SUBOBJECT`, `SOURCE`, `FIRST SEEN`, `COUNT`, `NAME` for
/// `-o wide`), or the pre-1.19 `LAST SEEN   FIRST SEEN   COUNT   NAME   KIND   SUBOBJECT   TYPE
/// REASON   SOURCE   MESSAGE`. Columns are runs of two spaces or more apart.
fn event_header(line: &str) -> Option<Vec<(String, usize)>> {
    let t = line.trim_end();
    if !t.starts_with("LAST SEEN") && !t.starts_with("LASTSEEN") && !t.starts_with("NAMESPACE") {
        return None;
    }
    let mut cols = Vec::new();
    let mut at = 0;
    for part in t.split("  ") {
        let word = part.trim();
        if !word.is_empty() {
            let pos = t
                .get(at..)
                .and_then(|r| r.find(word))
                .map_or(at, |p| p + at);
            // Kubernetes <= 1.5 wrote `LASTSEEN` and `FIRSTSEEN`.
            let name = match word {
                "LASTSEEN" => "LAST SEEN",
                "FIRSTSEEN" => "FIRST SEEN",
                w => w,
            };
            cols.push((name.to_string(), pos));
        }
        at += part.len() + 2;
    }
    let has = |n: &str| cols.iter().any(|(c, _)| c == n);
    (has("LAST SEEN") && has("REASON") && has("MESSAGE") && (has("OBJECT") || has("KIND")))
        .then_some(cols)
}

/// An age cell: `4m`, `2d3h`, `<unknown>`, `4m (x3 over 10m)`.
fn is_age_cell(cell: &str) -> bool {
    let first = cell.split_whitespace().next().unwrap_or_default();
    first == "<unknown>" || first == "<invalid>" || parse_kubectl_duration(first).is_some()
}

/// A row's cells by the header's positions: each cell runs from its column's start to the
/// next column's start; the message is found by position too and may contain anything.
fn event_cells(line: &str, cols: &[(String, usize)]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for (i, (_, start)) in cols.iter().enumerate() {
        let end = cols
            .get(i + 1)
            .map_or(line.len(), |(_, e)| (*e).min(line.len()));
        let start = (*start).min(line.len());
        if !line.is_char_boundary(start) || !line.is_char_boundary(end) || end < start {
            return None;
        }
        out.push(line.get(start..end)?.trim().to_string());
    }
    Some(out)
}

/// Cells split by runs of two spaces or more, for rows whose alignment was lost.
fn event_cells_loose(line: &str, cols: &[(String, usize)]) -> Option<Vec<String>> {
    let parts: Vec<String> = line
        .split("  ")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(String::from)
        .collect();
    (parts.len() == cols.len()).then_some(parts)
}

/// The columns of an events row pasted without its header (an excerpt from the middle of a
/// `kubectl get events` table), from the row's own shape: an age, `Normal` or `Warning`, a
/// reason, a `kind/name` object and a message, at the positions this row has them.
fn shaped_event_header(line: &str) -> Option<Vec<(String, usize)>> {
    let mut words = Vec::new();
    let mut pos = 0;
    for word in line.split_whitespace().take(5) {
        let at = line.get(pos..)?.find(word)? + pos;
        pos = at + word.len();
        words.push((word, at));
    }
    let [(age, a), (type_, t), (reason, r), (object, o), (_, m)] = words.as_slice() else {
        return None;
    };
    let ok = parse_kubectl_duration(age).is_some()
        && matches!(*type_, "Normal" | "Warning")
        && reason.chars().all(|c| c.is_ascii_alphanumeric())
        && object
            .split_once('/')
            .is_some_and(|(k, n)| !kind_of_word(k).is_empty() && command::is_name(n));
    ok.then(|| {
        [
            ("LAST SEEN", a),
            ("TYPE", t),
            ("REASON", r),
            ("OBJECT", o),
            ("MESSAGE", m),
        ]
        .into_iter()
        .map(|(n, p)| (n.to_string(), *p))
        .collect()
    })
}

/// Every row of every events table in a text. Lines of a table that do not start with an
/// age continue the previous row's message (a terminal wrapped it).
pub(crate) fn parse_event_tables(text: &str) -> Vec<EventRow> {
    let mut rows: Vec<EventRow> = Vec::new();
    let mut cols: Option<Vec<(String, usize)>> = None;
    let mut namespace: Option<String> = None;
    let mut in_table_row = false;
    // The columns come from the rows themselves (no header was pasted).
    let mut shaped = false;
    for (i, line) in text.lines().enumerate() {
        if let Some(h) = event_header(line) {
            shaped = false;
            cols = Some(h);
            in_table_row = false;
            continue;
        }
        if let Some(cmd) = command::parse(line) {
            cols = None;
            namespace = cmd.namespace;
            continue;
        }
        if line.trim().is_empty() || command::is_prompt_line(line) {
            cols = None;
            continue;
        }
        if (cols.is_none() || shaped)
            && let Some(h) = shaped_event_header(line)
        {
            cols = Some(h);
            shaped = true;
        }
        let Some(c) = cols.as_ref() else { continue };
        if is_elision(line) {
            // Rows left out of the paste: the table goes on.
            in_table_row = false;
            continue;
        }
        let starts_with_age = {
            let first_col = c.first().map(|(n, _)| n.as_str());
            let cell = if first_col == Some("NAMESPACE") {
                line.split_whitespace().nth(1).unwrap_or_default()
            } else {
                line.split_whitespace().next().unwrap_or_default()
            };
            is_age_cell(cell)
        };
        if !starts_with_age {
            // A wrapped message.
            if in_table_row && let Some(last) = rows.last_mut() {
                last.message.push(' ');
                last.message.push_str(line.trim());
            }
            continue;
        }
        let values = match event_cells(line, c) {
            Some(v) if v.first().is_some_and(|f| !f.is_empty()) => Some(v),
            _ => event_cells_loose(line, c),
        };
        let Some(values) = values else {
            in_table_row = false;
            continue;
        };
        let get = |name: &str| column(c, &values, name);
        let (kind, name) = match get("OBJECT").split_once('/') {
            Some((kind, name)) => (kind_of_word(kind), name.to_string()),
            None => (kind_of_word(get("KIND")), get("NAME").to_string()),
        };
        if kind.is_empty() || name.is_empty() {
            in_table_row = false;
            continue;
        }
        // `4m (x3 over 10m)`.
        let last_cell = get("LAST SEEN");
        let (last_seen, series) = match last_cell.split_once(" (x") {
            Some((age, rest)) => (age.trim(), rest.trim_end_matches(')').split_once(" over ")),
            None => (last_cell, None),
        };
        let count = get("COUNT")
            .parse()
            .ok()
            .or_else(|| series.and_then(|(n, _)| n.parse().ok()));
        let first_seen = Some(get("FIRST SEEN"))
            .filter(|f| !f.is_empty())
            .map(String::from)
            .or_else(|| series.map(|(_, over)| over.to_string()));
        let container = get("SUBOBJECT")
            .strip_prefix("spec.containers{")
            .or_else(|| get("SUBOBJECT").strip_prefix("spec.initContainers{"))
            .and_then(|c| c.strip_suffix('}'))
            .map(String::from);
        rows.push(EventRow {
            line: i + 1,
            namespace: Some(get("NAMESPACE"))
                .filter(|n| command::is_name(n))
                .map(String::from)
                .or_else(|| namespace.clone())
                .unwrap_or_default(),
            last_seen: last_seen.to_string(),
            first_seen,
            count,
            type_: get("TYPE").to_string(),
            reason: get("REASON").to_string(),
            kind,
            name,
            container,
            component: get("SOURCE")
                .trim_start_matches('{')
                .split([',', ' '])
                .next()
                .unwrap_or_default()
                .trim()
                .to_string(),
            message: get("MESSAGE").to_string(),
        });
        in_table_row = true;
    }
    rows
}

/// The kind a lowercase resource word names (`pod`, `replicaset`, `deployment.apps`).
fn kind_of_word(word: &str) -> String {
    let word = word.trim().to_ascii_lowercase();
    if word.is_empty() {
        return String::new();
    }
    if let Some(kind) = Command::kind_of(&word) {
        return kind.to_string();
    }
    let bare = word.split('.').next().unwrap_or_default();
    kbundle_format::resources::builtin()
        .into_iter()
        .find(|r| r.singular == bare || r.plural == bare)
        .map_or_else(
            || {
                // An unknown kind keeps its word, capitalised (`Kind` columns already are).
                let mut c = bare.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            },
            |r| r.kind,
        )
}

fn event_of(row: &EventRow, source: Source, now: Option<Timestamp>) -> Event {
    let ago = |age: &str| now?.checked_sub(parse_kubectl_duration(age)?).ok();
    let last = ago(&row.last_seen);
    let first = row.first_seen.as_deref().and_then(ago).or(last);
    Event {
        namespace: row.namespace.clone(),
        name: format!("{}.table-{}", row.name, row.line),
        regarding: ObjRef {
            kind: row.kind.clone(),
            namespace: row.namespace.clone(),
            name: row.name.clone(),
            uid: None,
        },
        reason: row.reason.clone(),
        message: row.message.clone(),
        type_: row.type_.clone(),
        first,
        last,
        count: row.count.unwrap_or(1).max(1),
        component: row.component.clone(),
        container: row.container.clone(),
        source,
    }
}

/// What a pod known from objects or describe text lacks and its table row shows: the state
/// and restarts of a describe cut before its containers' `State:` lines (a paste that stops at
/// `Image:`), and the namespace of a pod known by name only. What the pod already shows wins.
fn fill_from_row(known: &mut Pod, row: Pod) {
    if known.namespace.is_empty() {
        known.namespace = row.namespace;
    }
    if known.phase.is_empty() {
        known.phase = row.phase;
    }
    let blank = |c: &Container| c.restarts.is_none() && matches!(c.state, State::Unknown);
    let Some(from) = row.containers.into_iter().next() else {
        return;
    };
    if known.containers.is_empty() {
        known.containers.push(from);
        return;
    }
    // A row speaks of the pod as a whole: only a pod of one container takes its state.
    let mut main = known.containers.iter_mut().filter(|c| !c.init);
    if let (Some(c), None) = (main.next(), main.next())
        && blank(c)
    {
        c.restarts = from.restarts;
        c.state = from.state;
        c.last_state = from.last_state;
        c.ready = from.ready;
        c.line = from.line;
    }
}

impl Facts {
    /// Adds what the snapshot's `kubectl get` tables say: the pods of `kubectl get pods`
    /// tables that neither objects nor describe text cover, and the rows of events tables as
    /// events. A row's namespace is its `NAMESPACE` cell, else the command's `-n`, else
    /// unknown (empty): never guessed.
    pub(crate) fn add_tables(&mut self, snapshot: &Snapshot, now: Option<Timestamp>) {
        let mut added_events = false;
        for text in snapshot.texts() {
            let Ok(bytes) = snapshot.read_bytes(&text.origin, MAX_TEXT) else {
                continue;
            };
            let s = String::from_utf8_lossy(&bytes);
            let source = |line: usize| Source {
                input: text.origin.input,
                path: text.origin.path.clone(),
                line: u64::try_from(line).ok(),
            };
            for row in parse_pod_tables(&s) {
                if !row.namespace.is_empty() && !self.listed_namespaces.contains(&row.namespace) {
                    self.listed_namespaces.push(row.namespace.clone());
                }
                let Some(pod) = pod_of(&row, source(row.line), now) else {
                    continue;
                };
                match self.pods.iter_mut().find(|p| {
                    p.name == pod.name
                        && (p.namespace == pod.namespace
                            || p.namespace.is_empty()
                            || pod.namespace.is_empty())
                }) {
                    Some(known) => fill_from_row(known, pod),
                    None => self.pods.push(pod),
                }
            }
            // The last table showing a node is its latest state.
            let mut node_rows = parse_node_tables(&s);
            node_rows.reverse();
            for row in node_rows {
                if self.nodes.iter().any(|n| n.name == row.name) {
                    continue;
                }
                self.nodes.push(Node {
                    name: row.name.clone(),
                    unschedulable: row.unschedulable,
                    // `NotReady` does not say whether `Ready` is `False` or `Unknown`, nor
                    // since when or why: only that it is not `True`.
                    conditions: vec![Condition {
                        type_: "Ready".into(),
                        status: if row.ready {
                            "True".into()
                        } else {
                            String::new()
                        },
                        ..Condition::default()
                    }],
                    source: source(row.line),
                    ..Node::default()
                });
            }
            for row in parse_event_tables(&s) {
                self.events.push(event_of(&row, source(row.line), now));
                added_events = true;
            }
        }
        if added_events {
            self.events.sort_by(|a, b| {
                (a.last, &a.namespace, &a.name).cmp(&(b.last, &b.namespace, &b.name))
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_tables() {
        let text = "$ kubectl get pods -n calico-system\n\
NAME                                       READY   STATUS             RESTARTS      AGE\n\
calico-kube-controllers-6946cb87d6-nkzdc   0/1     CrashLoopBackOff   4 (83s ago)   26m\n\
calico-node-x7k2p                          1/1     Running            0             26m\n";
        let rows = parse_pod_tables(text);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "calico-kube-controllers-6946cb87d6-nkzdc");
        assert_eq!(rows[0].status, "CrashLoopBackOff");
        assert_eq!(rows[0].restarts, 4);
        assert_eq!(rows[0].last_restart_ago.as_deref(), Some("83s"));
        assert_eq!(rows[0].ready, (0, 1));
        assert_eq!(rows[0].line, 3);
        assert_eq!(rows[0].namespace, "calico-system");
        let other = parse_pod_tables(&text.replace("-n calico-system", "--namespace=kube-system"));
        assert_eq!(other[0].namespace, "kube-system");
    }

    #[test]
    fn wide_and_collapsed_tables() {
        let wide = "NAMESPACE     NAME                                       READY   STATUS             RESTARTS   AGE   IP                NODE           NOMINATED NODE   READINESS GATES\n\
kube-system   calico-kube-controllers-544658cf79-fprvm   0/1     CrashLoopBackOff   12         41m   192.168.140.130   k8s-node-102   <none>           <none>\n";
        let rows = parse_pod_tables(wide);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].namespace, "kube-system");
        assert_eq!(rows[0].node.as_deref(), Some("k8s-node-102"));
        let collapsed = "NAME READY STATUS RESTARTS AGE\nmemory-demo-2 0/1 OOMKilled 1 24s\n";
        let rows = parse_pod_tables(collapsed);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].status, "OOMKilled");
    }

    /// From projectcalico/calico issue #4935, `kubectl get all --all-namespaces -o wide`.
    #[test]
    fn get_all_rows_drop_their_resource_prefix() {
        let text = "kubectl get all --all-namespaces -o wide

NAMESPACE     NAME                                           READY   STATUS             RESTARTS   AGE   IP               NODE    NOMINATED NODE   READINESS GATES
kube-system   pod/calico-kube-controllers-8575b76f66-57zw4   0/1     CrashLoopBackOff   327        19h   192.168.231.42   node2   <none>           <none>

NAMESPACE     NAME                              READY   UP-TO-DATE   AVAILABLE   AGE
kube-system   deployment.apps/calico-kube-controllers   0/1     1            0           19h
";
        let rows = parse_pod_tables(text);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].name, "calico-kube-controllers-8575b76f66-57zw4");
        assert_eq!(rows[0].namespace, "kube-system");
        assert_eq!(rows[0].restarts, 327);
    }

    /// From projectcalico/calico issue #7958: rows from the middle of a `get pods -A -o wide`
    /// table, with neither header nor command.
    #[test]
    fn headerless_rows_read_by_their_shape() {
        let text = "kube-system                  nodelocaldns-djhvc                          0/1     CrashLoopBackOff    578 (2m47s ago)   2d1h   10.77.48.133   dcpitsgapp0005   <none>           <none>
kubernetes-dashboard         kubernetes-dashboard-b887d64f-hk5gm         0/1     ContainerCreating   0                 26h    <none>         dcpitsgapp0005   <none>           <none>
Then I ran 2 checks on 3/4 nodes and it said Done 5 times
";
        let rows = parse_pod_tables(text);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].namespace, "kube-system");
        assert_eq!(rows[0].name, "nodelocaldns-djhvc");
        assert_eq!(rows[0].restarts, 578);
        assert_eq!(rows[0].last_restart_ago.as_deref(), Some("2m47s"));
        assert_eq!(rows[0].node.as_deref(), Some("dcpitsgapp0005"));
        assert_eq!(rows[1].status, "ContainerCreating");
    }

    /// From kubernetes-sigs/cluster-api issue #4837 (prose, `#` prompt, `--kubeconfig=`).
    #[test]
    fn node_tables() {
        let text = "Before deploy calico, the workload nodes is not ready.
# kubectl --kubeconfig=./capi-quickstart.kubeconfig get nodes
NAME                                    STATUS     ROLES    AGE     VERSION
capi-quickstart-control-plane-s24mz     NotReady   master   7m59s   v1.18.2
capi-quickstart-md-0-5477855897-9gzj8   Ready,SchedulingDisabled   <none>   9m46s   v1.18.2
";
        let rows = parse_node_tables(text);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "capi-quickstart-control-plane-s24mz");
        assert!(!rows[0].ready);
        assert!(!rows[0].unschedulable);
        assert_eq!(rows[0].line, 4);
        assert!(rows[1].ready);
        assert!(rows[1].unschedulable);
        assert!(parse_pod_tables(text).is_empty());
    }

    /// From kserve/kserve issue #580: events rows pasted without their header.
    #[test]
    fn headerless_events_read_by_their_shape() {
        let text = "3m1s        Normal    ScalingReplicaSet    deployment/admission-webhook-deployment                             Scaled up replica set admission-webhook-deployment-78d899bf68 to 1
75s         Warning   FailedCreate         replicaset/argo-ui-55b859f7d7                                       Error creating: Internal error occurred: failed calling webhook
  \"x\": connection refused
";
        let rows = parse_event_tables(text);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].kind, "Deployment");
        assert_eq!(rows[0].reason, "ScalingReplicaSet");
        assert_eq!(rows[1].kind, "ReplicaSet");
        assert_eq!(rows[1].name, "argo-ui-55b859f7d7");
        assert_eq!(rows[1].type_, "Warning");
        assert_eq!(rows[1].namespace, "");
        assert!(
            rows[1]
                .message
                .ends_with("failed calling webhook \"x\": connection refused")
        );
    }

    /// From open-policy-agent/gatekeeper pull request #727 (Apache-2.0), as pasted there.
    const GATEKEEPER_EVENTS: &str = "kubectl get events -n gatekeeper-system
LAST SEEN   TYPE      REASON            OBJECT                                     MESSAGE
59m         Warning   FailedAdmission   deployment/gatekeeper-controller-manager   Admission webhook \"validation.gatekeeper.sh\" denied request: [Namespace:  Kind: Namespace Name: tt3] by constraint ns-must-have-gk you must provide labels: {\"gatekeeper\"}
";

    /// From kubernetes/kubernetes issue #29838 (Kubernetes 1.3 layout), first two rows.
    const OLD_EVENTS: &str = "LASTSEEN   FIRSTSEEN   COUNT     NAME                                KIND         SUBOBJECT                         TYPE      REASON              SOURCE                                   MESSAGE
13m        13m         1         nginx-deployment-3392909933-1tfwp   Pod                                            Normal    Scheduled           {default-scheduler }                     Successfully assigned nginx-deployment-3392909933-1tfwp to kubernetes-minion-group-kcbf
13m        13m         1         nginx-deployment-3392909933-1tfwp   Pod          spec.containers{nginx}            Normal    Pulling             {kubelet kubernetes-minion-group-kcbf}   pulling image \"nginx\"
";

    #[test]
    fn events_tables_of_every_layout() {
        let rows = parse_event_tables(GATEKEEPER_EVENTS);
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(
            (r.namespace.as_str(), r.kind.as_str(), r.name.as_str()),
            (
                "gatekeeper-system",
                "Deployment",
                "gatekeeper-controller-manager"
            )
        );
        assert_eq!(
            (r.type_.as_str(), r.reason.as_str()),
            ("Warning", "FailedAdmission")
        );
        assert!(r.message.ends_with("{\"gatekeeper\"}"), "{:?}", r.message);
        assert_eq!(r.last_seen, "59m");

        let rows = parse_event_tables(OLD_EVENTS);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].kind, "Pod");
        assert_eq!(rows[1].name, "nginx-deployment-3392909933-1tfwp");
        assert_eq!(rows[1].container.as_deref(), Some("nginx"));
        assert_eq!(rows[1].component, "kubelet");
        assert_eq!(rows[1].count, Some(1));
        assert_eq!(rows[1].message, "pulling image \"nginx\"");
        assert_eq!(rows[0].namespace, "", "no namespace shown: unknown");

        // `-A -o wide`.
        let wide = "$ kubectl get events -A -o wide
NAMESPACE       LAST SEEN   TYPE      REASON         OBJECT                                       SUBOBJECT   SOURCE                  MESSAGE                                                       FIRST SEEN   COUNT   NAME
calico-system   5m          Warning   FailedCreate   replicaset/calico-kube-controllers-6b8f9c8d               replicaset-controller   Error creating: Internal error occurred: failed calling it   50m          23      calico-kube-controllers-6b8f9c8d.17a
";
        let rows = parse_event_tables(wide);
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(rows[0].count, Some(23));
        assert_eq!(rows[0].first_seen.as_deref(), Some("50m"));
        assert_eq!(rows[0].kind, "ReplicaSet");
        assert_eq!(rows[0].namespace, "calico-system");
        assert_eq!(rows[0].component, "replicaset-controller");
        // A series in LAST SEEN, CRLF, and a message the terminal wrapped.
        let series = "kubectl get ev -n kube-system\r\nLAST SEEN           TYPE      REASON    OBJECT                          MESSAGE\r\n……\r\n4m (x3 over 10m)    Warning   BackOff   pod/calico-kube-controllers-x   Back-off restarting failed container\r\ncalico-kube-controllers in pod calico-kube-controllers-x\r\n";
        let rows = parse_event_tables(series);
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(
            (rows[0].count, rows[0].first_seen.as_deref()),
            (Some(3), Some("10m"))
        );
        assert_eq!(rows[0].namespace, "kube-system");
        assert_eq!(
            rows[0].message,
            "Back-off restarting failed container calico-kube-controllers in pod calico-kube-controllers-x"
        );
    }

    #[test]
    fn pod_rows_take_only_the_namespace_shown() {
        let prompts = [
            (
                "root@node1:~# kubectl get pods -n kube-system",
                Some("kube-system"),
            ),
            (
                "[root@master-1 ~]# k -n kube-system get po",
                Some("kube-system"),
            ),
            (
                "➜  ~ oc get pods --namespace=calico-system",
                Some("calico-system"),
            ),
            (
                "PS C:\\Users\\me> kubectl.exe get pods -nkube-system",
                Some("kube-system"),
            ),
            ("user@host:~$ kubectl get pods", None),
            ("", None),
        ];
        for (prompt, want) in prompts {
            let text = format!(
                "{prompt}\r\nNAME                        READY   STATUS             RESTARTS   AGE\r\ncoredns-5d78c9869d-abcde    0/1     CrashLoopBackOff   7          26m\r\n"
            );
            let rows = parse_pod_tables(&text);
            assert_eq!(rows.len(), 1, "{prompt:?}");
            assert_eq!(
                Some(rows[0].namespace.as_str()).filter(|n| !n.is_empty()),
                want,
                "{prompt:?}"
            );
        }
        // Rows piped through grep, without their header.
        let text = "$ kubectl get pods -A | grep calico\nkube-system   calico-kube-controllers-6946cb87d6-nkzdc   0/1     CrashLoopBackOff   4 (83s ago)   26m\n";
        let rows = parse_pod_tables(text);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].namespace, "kube-system");
        assert_eq!(rows[0].restarts, 4);
    }

    #[test]
    fn workloads_from_pod_names() {
        assert_eq!(
            workload_of("calico-kube-controllers-6946cb87d6-nkzdc"),
            (
                "calico-kube-controllers".to_string(),
                Some("calico-kube-controllers-6946cb87d6".to_string())
            )
        );
        assert_eq!(
            workload_of("calico-node-x7k2p"),
            ("calico-node".to_string(), None)
        );
    }
}
