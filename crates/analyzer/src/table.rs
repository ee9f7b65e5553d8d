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
use kbundle_format::Snapshot;

use crate::describe::parse_age;
use crate::facts::{Container, Facts, MemoryLimit, Owner, Pod, Source, State};

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

/// Column names and where they start, from a header line.
fn header(line: &str) -> Option<Vec<(String, usize)>> {
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
    let has = |n: &str| cols.iter().any(|(c, _)| c == n);
    (has("NAME") && has("READY") && has("STATUS") && has("RESTARTS")).then_some(cols)
}

/// A row's cells: by the header's column positions when the row is aligned with it (as
/// kubectl prints it), else by whitespace (pastes whose spacing was collapsed).
fn cells(line: &str, cols: &[(String, usize)]) -> Option<Vec<String>> {
    let aligned = cols.iter().all(|(_, s)| {
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

/// Every pod row of every `kubectl get pods` table in a text.
pub(crate) fn parse_pod_tables(text: &str) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut cols: Option<Vec<(String, usize)>> = None;
    // The namespace named on the command line pasted above the table, if any.
    let mut prompt_ns = String::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(h) = header(line) {
            cols = Some(h);
            continue;
        }
        if line.trim().is_empty() || line.starts_with('$') {
            cols = None;
            if line.starts_with('$') {
                prompt_ns = namespace_flag(line).unwrap_or_default();
            }
            continue;
        }
        let Some(c) = cols.as_ref() else { continue };
        let Some(values) = cells(line, c) else {
            continue;
        };
        let get = |name: &str| {
            c.iter()
                .position(|(n, _)| n == name)
                .and_then(|p| values.get(p))
                .map(String::as_str)
                .unwrap_or_default()
        };
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
        let node = Some(get("NODE").to_string()).filter(|n| !n.is_empty() && n != "<none>");
        rows.push(Row {
            line: i + 1,
            namespace: Some(get("NAMESPACE"))
                .filter(|n| !n.is_empty())
                .unwrap_or(&prompt_ns)
                .to_string(),
            name: get("NAME").to_string(),
            ready: (ready, total),
            status: get("STATUS").to_string(),
            restarts,
            last_restart_ago: ago,
            node,
        });
    }
    rows
}

/// The namespace of `-n NS`, `--namespace NS` or `--namespace=NS` on a command line.
fn namespace_flag(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    words.iter().enumerate().find_map(|(i, w)| {
        if let Some(ns) = w.strip_prefix("--namespace=") {
            return Some(ns.to_string());
        }
        if *w == "-n" || *w == "--namespace" {
            return words.get(i + 1).map(|n| (*n).to_string());
        }
        w.strip_prefix("-n")
            .filter(|n| !n.is_empty())
            .map(String::from)
    })
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

fn pod_of(row: &Row, source: Source, now: Option<Timestamp>, default_ns: &str) -> Option<Pod> {
    let (workload, rs) = workload_of(&row.name);
    let restarted = row
        .last_restart_ago
        .as_deref()
        .and_then(parse_age)
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
        namespace: if row.namespace.is_empty() {
            default_ns.to_string()
        } else {
            row.namespace.clone()
        },
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

impl Facts {
    /// Adds the pods of `kubectl get pods` tables in the snapshot's text files that neither
    /// objects nor describe text cover. Rows without a `NAMESPACE` column are taken to be in
    /// `default_ns` (the expected workload's namespace).
    pub(crate) fn add_pod_tables(
        &mut self,
        snapshot: &Snapshot,
        now: Option<Timestamp>,
        default_ns: &str,
    ) {
        for text in snapshot.texts() {
            let Ok(bytes) = snapshot.read_bytes(&text.origin, MAX_TEXT) else {
                continue;
            };
            let s = String::from_utf8_lossy(&bytes);
            for row in parse_pod_tables(&s) {
                let source = Source {
                    input: text.origin.input,
                    path: text.origin.path.clone(),
                    line: u64::try_from(row.line).ok(),
                };
                let Some(pod) = pod_of(&row, source, now, default_ns) else {
                    continue;
                };
                if self
                    .pods
                    .iter()
                    .any(|p| p.namespace == pod.namespace && p.name == pod.name)
                {
                    continue;
                }
                self.pods.push(pod);
            }
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
