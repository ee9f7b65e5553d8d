//! What a text file was read as, part by part, with line ranges: the `kbundle inspect` view of
//! the same readers the rules get their facts from (the describe parser, the table readers,
//! the command-line reader).

use kbundle_describe::{Described, parse};
use kbundle_format::command;
use serde::Serialize;

use crate::table::{parse_event_tables, parse_pod_tables};

/// One recognised part of a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextPart {
    /// What it was read as: `describe Pod`, `table of Pod`, `events table`, `table`,
    /// `cluster-info dump`.
    pub what: String,
    /// The object it names, when it names one (`kube-system/coredns-x`, `node-1`).
    pub name: Option<String>,
    /// First line (1-based).
    pub first_line: usize,
    /// Last line.
    pub last_line: usize,
}

/// A `kubectl get` table header: capitalised column names, two spaces or more apart, `NAME`
/// (or `NAMESPACE`, or `LAST SEEN`) first.
fn is_table_header(line: &str) -> bool {
    let t = line.trim_end();
    let columns: Vec<&str> = t
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    columns.len() >= 2
        && matches!(
            columns.first().copied(),
            Some("NAME" | "NAMESPACE" | "LAST SEEN" | "LASTSEEN")
        )
        && columns.iter().all(|c| {
            c.chars()
                .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || " -()/._%".contains(ch))
        })
}

/// The recognised parts of a text, in line order. An empty list: nothing recognised.
pub fn text_parts(text: &str) -> Vec<TextPart> {
    let lines: Vec<&str> = text.lines().collect();
    let mut parts: Vec<TextPart> = Vec::new();
    // Describe output, by its blocks.
    for d in parse(text) {
        let (what, name) = match &d {
            Described::Pod(p) => (
                "describe Pod",
                Some(match &p.namespace {
                    Some(ns) => format!("{ns}/{}", p.name),
                    None => p.name.clone(),
                }),
            ),
            Described::Node(n) => ("describe Node", Some(n.name.clone())),
            Described::Deployment(w) => ("describe Deployment", Some(w.name.clone())),
            Described::ReplicaSet(w) => ("describe ReplicaSet", Some(w.name.clone())),
            other => ("describe", Some(other.name().to_string())),
        };
        parts.push(TextPart {
            what: what.to_string(),
            name: name.filter(|n| !n.is_empty()),
            first_line: d.line().max(1),
            last_line: d.line().max(1),
        });
    }
    // Tables, by their headers (and rows piped without one); dumps, by their command.
    let pod_rows: Vec<usize> = parse_pod_tables(text).iter().map(|r| r.line).collect();
    let event_rows: Vec<usize> = parse_event_tables(text).iter().map(|r| r.line).collect();
    let mut kind_of_command: Option<&'static str> = None;
    let mut in_table = false;
    for (i, line) in lines.iter().enumerate() {
        let no = i + 1;
        if line.trim().is_empty() {
            in_table = false;
            continue;
        }
        if let Some(cmd) = command::parse(line) {
            in_table = false;
            if cmd.verb == "cluster-info" && cmd.args.first().is_some_and(|a| a == "dump") {
                parts.push(TextPart {
                    what: "cluster-info dump".into(),
                    name: None,
                    first_line: no,
                    last_line: no,
                });
            }
            kind_of_command = cmd.kind();
            continue;
        }
        if is_table_header(line) {
            in_table = true;
            let what = if line.trim_start().starts_with("LAST") || line.contains("  LAST SEEN") {
                "events table".to_string()
            } else {
                match kind_of_command {
                    Some(kind) => format!("table of {kind}"),
                    None if line.contains("READY") && line.contains("RESTARTS") => {
                        "table of Pod".to_string()
                    }
                    None => "table".to_string(),
                }
            };
            parts.push(TextPart {
                what,
                name: None,
                first_line: no,
                last_line: no,
            });
        } else if !in_table && (pod_rows.contains(&no) || event_rows.contains(&no)) {
            in_table = true;
            // Rows without a header (`| grep`).
            parts.push(TextPart {
                what: if pod_rows.contains(&no) {
                    "table of Pod (rows without header)".into()
                } else {
                    "events table (rows without header)".into()
                },
                name: None,
                first_line: no,
                last_line: no,
            });
        }
    }
    parts.sort_by_key(|p| p.first_line);
    // Each part runs to the line before the next part or command line, blank lines at its
    // end left out; a dump runs to the end.
    let boundaries: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| command::is_prompt_line(l))
        .map(|(i, _)| i + 1)
        .collect();
    let starts: Vec<usize> = parts.iter().map(|p| p.first_line).collect();
    for (i, part) in parts.iter_mut().enumerate() {
        let next_part = starts.get(i + 1).copied().unwrap_or(lines.len() + 1);
        let next_command = boundaries
            .iter()
            .copied()
            .find(|b| *b > part.first_line)
            .unwrap_or(lines.len() + 1);
        let mut end = if part.what == "cluster-info dump" {
            lines.len()
        } else {
            next_part.min(next_command).saturating_sub(1)
        };
        while end > part.first_line
            && lines
                .get(end.saturating_sub(1))
                .is_some_and(|l| l.trim().is_empty())
        {
            end -= 1;
        }
        part.last_line = end.max(part.first_line);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transcript_part_by_part() {
        let text = "\
$ kubectl get pods -n kube-system
NAME                                       READY   STATUS             RESTARTS   AGE
calico-kube-controllers-6946cb87d6-nkzdc   0/1     CrashLoopBackOff   4          26m

$ kubectl get events -n kube-system
LAST SEEN   TYPE      REASON    OBJECT                                         MESSAGE
4m          Warning   BackOff   pod/calico-kube-controllers-6946cb87d6-nkzdc   Back-off restarting failed container
$ kubectl describe pod calico-kube-controllers-6946cb87d6-nkzdc -n kube-system
Name:             calico-kube-controllers-6946cb87d6-nkzdc
Namespace:        kube-system
Status:           Running
Containers:
  calico-kube-controllers:
    State:          Waiting
      Reason:       CrashLoopBackOff
$ kubectl get svc
NAME         TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE
kubernetes   ClusterIP   10.96.0.1    <none>        443/TCP   3d
";
        let parts: Vec<(String, usize, usize)> = text_parts(text)
            .into_iter()
            .map(|p| (p.what, p.first_line, p.last_line))
            .collect();
        assert_eq!(
            parts,
            [
                ("table of Pod".to_string(), 2, 3),
                ("events table".to_string(), 6, 7),
                ("describe Pod".to_string(), 9, 15),
                ("table of Service".to_string(), 17, 18),
            ]
        );
        assert!(text_parts("hello\n").is_empty());
    }
}
