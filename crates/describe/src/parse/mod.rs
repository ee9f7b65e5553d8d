//! Reading `kubectl describe` text back into facts.
//!
//! The parser is line oriented and forgiving: it accepts CRLF, tabs, trailing
//! spaces, shell prompts and other text around the describes, several
//! describes in one text, and truncated output (it returns what it read).
//! Structure comes from kubectl's fixed indentation (two spaces per level)
//! relative to the object's `Name:` line; table rows are split on runs of two
//! or more spaces, falling back to single spaces when a paste collapsed them.
//!
//! One file per kind, mirroring `render/` (`pod.rs`, `node.rs`, `apps.rs`,
//! `daemonset.rs`, `statefulset.rs`, `service.rs`, `job.rs`, `pvc.rs`), each
//! declaring its [`Kind`]: how a block of it is recognised and parsed.
//! [`KINDS`] lists them; the events table every kind ends with is in
//! `events.rs`, and [`walk`] reads a block's top-level `Key: value` lines
//! for the kinds without nested structure. Adding a parsed kind touches its
//! parse file, one `mod` line and one line in [`KINDS`], and (for new facts)
//! a [`Described`] variant in `facts.rs`.
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::facts::{Described, EventFacts};

use events::EventTable;

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
/// ReplicaSets, `Desired Number of Nodes Scheduled:` for DaemonSets,
/// `Update Strategy:` for StatefulSets, `Session Affinity:` for Services,
/// `Pods Statuses:` for Jobs, `Used By:` for PVCs), with a preceding
/// `kubectl describe <kind>` command as a tie-breaker. Unrecognised blocks
/// are skipped. Never panics.
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

mod apps;
mod daemonset;
mod events;
mod job;
mod node;
mod pod;
mod pvc;
mod service;
mod statefulset;

/// A describe kind the parser reads: how a block of it is recognised and
/// parsed. Adding a kind is its parse file and one line in [`KINDS`].
pub(super) struct Kind {
    /// The kind, as `kubectl describe` names it in its output.
    name: &'static str,
    /// The words naming it in a `kubectl describe <word>` command line.
    names: &'static [&'static str],
    /// Whether a block with these top-level keys is of this kind.
    recognise: fn(&Keys<'_>) -> bool,
    /// Parses a block of this kind (starting at its `Name:` line).
    parse: fn(&[Line<'_>]) -> Described,
}

/// Every kind the parser reads, in the order a block is tested against them
/// (a pod's keys are the loosest, so pods come last).
const KINDS: &[Kind] = &[
    node::NODE,
    apps::DEPLOYMENT,
    apps::REPLICASET,
    daemonset::DAEMONSET,
    statefulset::STATEFULSET,
    job::JOB,
    pvc::PVC,
    service::SERVICE,
    pod::POD,
];

/// The top-level `key: value` pairs of a block.
pub(super) struct Keys<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Keys<'a> {
    fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    fn get(&self, key: &str) -> Option<&'a str> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

/// The kind named by the last `kubectl describe <kind>` command line.
fn kind_hint(lines: &[Line<'_>]) -> Option<&'static Kind> {
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
        KINDS.iter().find(|k| k.names.contains(&kind.as_str()))
    })
}

/// The kind of a block: the first in [`KINDS`] recognising its keys, else the
/// kind named by a preceding command line. Kinds not in [`KINDS`] (ConfigMaps,
/// PersistentVolumes, ...) match nothing and are skipped.
fn classify(block: &[Line<'_>], hint: Option<&'static Kind>) -> Option<&'static Kind> {
    let base = block.first()?.indent;
    let keys = Keys(
        block
            .iter()
            .filter(|l| l.indent == base)
            .filter_map(|l| key_value(l.body))
            .collect(),
    );
    KINDS.iter().find(|k| (k.recognise)(&keys)).or(hint)
}

fn parse_block(block: &[Line<'_>], hint: Option<&'static Kind>) -> Option<Described> {
    Some((classify(block, hint)?.parse)(block))
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
    let node_ish = kind_hint(region).is_some_and(|k| k.name == node::NODE.name)
        || content.iter().any(|l| {
            matches!(key_value(l.body), Some(("Taints", _)))
                || node::parse_node_condition(l).is_some_and(|c| c.last_heartbeat.is_some())
        });
    if node_ish {
        let mut node = node::parse_node(&content, true);
        node.line = first;
        let found =
            !node.conditions.is_empty() || !node.taints.is_empty() || !node.events.is_empty();
        return found.then_some(Described::Node(node));
    }
    let mut pod = pod::parse_pod(&content, true);
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

/// A line of a block as the simpler kinds read it.
struct At<'l, 'a> {
    /// The top-level key this line is, or is nested under.
    key: &'a str,
    /// Whether the line is the top-level `key: value` line itself.
    top: bool,
    /// The value of a top-level line; the whole body of a nested one.
    value: &'a str,
    /// The line.
    line: &'l Line<'a>,
}

/// Reads a block as kubectl's top-level `Key: value` lines and the lines nested under
/// each (multi-line values, sub-tables), calling `f` for each, and returns the rows of
/// the `Events:` table that ends it.
fn walk<'a>(block: &[Line<'a>], mut f: impl FnMut(At<'_, 'a>)) -> Vec<EventFacts> {
    let base = block.first().map_or(0, |l| l.indent);
    let mut key: Option<&'a str> = None;
    let mut in_events = false;
    let mut table = EventTable::default();
    let mut events = Vec::new();
    for l in block {
        if l.body.is_empty() {
            continue;
        }
        let rel = l.indent.saturating_sub(base);
        if rel == 0 && in_events {
            // A line at the left edge continues the table when a terminal wrapped it: a
            // row's message, or the header's last word before any row.
            let header_tail = events.is_empty() && !l.body.contains(char::is_whitespace);
            if table.wrapped(l, &mut events) || header_tail {
                continue;
            }
            in_events = false;
        }
        if rel == 0 {
            key = None;
            let Some((k, v)) = key_value(l.body) else {
                continue;
            };
            if k == "Events" {
                in_events = true;
                continue;
            }
            key = Some(k);
            f(At {
                key: k,
                top: true,
                value: v,
                line: l,
            });
        } else if in_events {
            table.line(l, &mut events);
        } else if let Some(k) = key {
            f(At {
                key: k,
                top: false,
                value: l.body,
                line: l,
            });
        }
    }
    events
}

/// A value, `None` when empty or `<none>`.
fn opt_none(v: &str) -> Option<String> {
    if v == "<none>" { None } else { opt(v) }
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn dates() {
        let t = parse_date("Mon, 31 Aug 2020 16:32:42 -0500");
        assert_eq!(
            t.map(|t| t.to_string()),
            Some("2020-08-31T21:32:42Z".to_string())
        );
        assert_eq!(parse_date("yesterday"), None);
    }
}
