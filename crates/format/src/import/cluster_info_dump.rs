//! `kubectl cluster-info dump` output, in both of its forms.
//!
//! - With `--output-directory`: `nodes.json` at the root, then per namespace
//!   `<ns>/{events,replication-controllers,services,daemonsets,deployments,replicasets,pods}.json`
//!   (`.yaml` with `-o yaml`) and `<ns>/<pod>/logs.txt`, which holds every container's log of
//!   the pod, each between `==== START logs for container C of pod NS/P ====` and
//!   `==== END logs for container C of pod NS/P ====` lines.
//! - On standard output: the same lists one after another (nodes first), each namespace's pod
//!   logs after its pod list, in one stream.
//!
//! Either way the logs are slices of an entry: [`scan`] finds them in one streaming read and
//! they become [`crate::LogRef`]s with a byte `range`.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::ops::Range;

use serde_json::Value;

use super::{Class, Detected, Importer, is_object_file, kubectl_text, parent};
use crate::archive::{Archive, EntryInfo};
use crate::error::Result;
use crate::snapshot::Layout;

const START: &[u8] = b"==== START logs for container ";
const END: &[u8] = b"==== END logs for container ";
/// Lines longer than this are handled in pieces (a log line without newlines cannot exhaust
/// memory).
const MAX_LINE: u64 = 1 << 20;
/// Most logs taken from one dump file (a hostile file of tiny logs cannot exhaust memory).
const MAX_LOGS: usize = 100_000;

/// The `--output-directory` form: a folder with `nodes.json` and `<ns>/pods.json` (or
/// `<ns>/<pod>/logs.txt`) below it.
pub(crate) struct DumpDirectory;

impl Importer for DumpDirectory {
    fn layout(&self) -> Layout {
        Layout::ClusterInfoDump
    }

    fn detect(&self, archive: &Archive) -> Result<Option<Detected>> {
        // Folders with `<ns>/pods.json` (or events) or `<ns>/<pod>/logs.txt` below them: one
        // pass, whatever the number of entries.
        let mut with_namespaces: HashSet<&str> = HashSet::new();
        for e in archive.entries() {
            let (dir, file) = e.path.rsplit_once('/').unwrap_or(("", &e.path));
            match file {
                "pods.json" | "pods.yaml" | "events.json" | "events.yaml" if !dir.is_empty() => {
                    with_namespaces.insert(parent(dir));
                }
                "logs.txt" if dir.contains('/') => {
                    with_namespaces.insert(parent(parent(dir)));
                }
                _ => {}
            }
        }
        let root = archive
            .entries()
            .iter()
            .filter(|e| {
                let file = e.path.rsplit('/').next().unwrap_or_default();
                matches!(file, "nodes.json" | "nodes.yaml")
            })
            .map(|e| parent(&e.path))
            .filter(|root| with_namespaces.contains(root))
            .min_by_key(|r| (r.matches('/').count(), r.len()));
        Ok(root.map(|root| Detected {
            root: root.to_string(),
            manifest: None,
        }))
    }

    fn classify(&self, rel: &str, _entry: &EntryInfo) -> Class {
        let parts: Vec<&str> = rel.split('/').collect();
        match parts.as_slice() {
            [file] if is_object_file(file) => Class::Objects,
            [_, file] if is_object_file(file) => Class::Objects,
            [_, _, "logs.txt"] => Class::Dump,
            // Previous logs people add next to logs.txt, as `<container>-previous.txt`,
            // `logs-<container>-previous.txt` or `<container>.log`.
            [ns, pod, file] if !ns.is_empty() && !pod.is_empty() => {
                match kubectl_text::log_name(file) {
                    Some(name) if name.container.is_none() || name.pod.is_empty() => Class::Log {
                        namespace: ns.to_string(),
                        pod: pod.to_string(),
                        container: Some(name.pod.trim_start_matches("logs-").to_string())
                            .filter(|c| !c.is_empty()),
                        previous: name.previous,
                    },
                    _ => Class::Sniff,
                }
            }
            _ => Class::Sniff,
        }
    }

    fn sniff(&self, rel: &str, head: &[u8]) -> Class {
        kubectl_text::sniff_text(rel, head)
    }
}

/// The standard-output form: a file whose text is a JSON `NodeList` followed by more lists or
/// by `==== START logs ...` lines. Only inputs of a few files are looked at.
pub(crate) struct DumpStream;

/// Inputs with more entries are not searched for a dump stream.
const MAX_STREAM_CANDIDATES: usize = 32;

impl Importer for DumpStream {
    fn layout(&self) -> Layout {
        Layout::ClusterInfoDump
    }

    fn detect(&self, archive: &Archive) -> Result<Option<Detected>> {
        if archive.entries().len() > MAX_STREAM_CANDIDATES {
            return Ok(None);
        }
        let max = archive.limits().max_parse_bytes;
        let candidate = |e: &EntryInfo| !is_object_file(&e.path) || e.path.ends_with(".json");
        // Read errors mean "not a dump": the import reports them later.
        let found = if archive.kind().is_compressed_tar() {
            // One pass over the stream, not one per candidate.
            let mut found = false;
            let visited = archive.visit(candidate, |_, r| {
                if !found {
                    found = looks_like_stream(&mut r.take(max)).unwrap_or(false);
                }
                Ok(())
            });
            visited.is_ok() && found
        } else {
            archive.entries().iter().filter(|e| candidate(e)).any(|e| {
                archive
                    .read_with(&e.path, |r| looks_like_stream(&mut r.take(max)))
                    .unwrap_or(false)
            })
        };
        Ok(found.then(Detected::default))
    }

    fn classify(&self, rel: &str, _entry: &EntryInfo) -> Class {
        if is_object_file(rel) && !rel.ends_with(".json") {
            return Class::Objects;
        }
        Class::Sniff
    }

    fn sniff(&self, rel: &str, head: &[u8]) -> Class {
        kubectl_text::sniff_text(rel, head)
    }
}

/// Whether a text is a dump stream: it starts (after a prompt line, maybe) with a START line,
/// or with a JSON `NodeList` that is followed by another list or a START line.
fn looks_like_stream(r: &mut dyn Read) -> std::io::Result<bool> {
    let mut r = BufReader::new(r);
    let mut line = Vec::new();
    let mut first = true;
    let mut closed = false;
    loop {
        line.clear();
        if r.by_ref().take(MAX_LINE).read_until(b'\n', &mut line)? == 0 {
            return Ok(false);
        }
        let trimmed = line.trim_ascii();
        if first {
            if trimmed.is_empty() || kubectl_text::is_prompt(trimmed) {
                continue;
            }
            if trimmed.starts_with(START) {
                return Ok(true);
            }
            if trimmed != b"{" {
                return Ok(false);
            }
            first = false;
            // The first list must be the nodes.
            let mut kind = Vec::new();
            r.by_ref().take(MAX_LINE).read_until(b'\n', &mut kind)?;
            if !kind.trim_ascii().starts_with(b"\"kind\": \"NodeList\"") {
                return Ok(false);
            }
            continue;
        }
        if line.starts_with(b"}") {
            closed = true;
        } else if closed && !trimmed.is_empty() {
            return Ok(line.starts_with(b"{") || line.starts_with(START));
        }
    }
}

/// Whether a text holds `kubectl cluster-info dump` output after other terminal output (a
/// `cluster-info dump` command line, any prompt, anywhere in it).
pub(crate) fn is_dump_transcript(head: &[u8]) -> bool {
    head.split(|&b| b == b'\n').any(|line| {
        std::str::from_utf8(line)
            .ok()
            .and_then(crate::command::parse)
            .is_some_and(|c| {
                c.verb == "cluster-info" && c.args.first().is_some_and(|a| a == "dump")
            })
    })
}

/// One log found in a dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DumpLog {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    /// Bytes of the entry that hold the log (the START and END lines excluded).
    pub range: Range<u64>,
    /// Whether the END line is missing (the file was cut).
    pub cut: bool,
}

/// What a dump entry holds.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    /// The text between logs: object lists to parse.
    pub segments: Vec<Vec<u8>>,
    /// The logs.
    pub logs: Vec<DumpLog>,
    /// What did not fit or did not end.
    pub notes: Vec<String>,
}

/// Parses `==== START logs for container C of pod NS/P ====`.
fn parse_start(line: &[u8]) -> Option<(String, String, String)> {
    let text = std::str::from_utf8(line.strip_prefix(START)?).ok()?;
    let text = text.trim_end().strip_suffix(" ====")?;
    let (container, pod) = text.split_once(" of pod ")?;
    let (namespace, pod) = pod.split_once('/')?;
    if container.is_empty() || pod.is_empty() || container.contains(' ') || pod.contains(' ') {
        return None;
    }
    Some((
        namespace.to_string(),
        pod.to_string(),
        container.to_string(),
    ))
}

/// Reads a dump stream once: object text goes to `segments` (each at most `max_segment`
/// bytes), logs become byte ranges.
pub(crate) fn scan(reader: &mut dyn Read, max_segment: u64) -> std::io::Result<Scan> {
    let mut r = BufReader::new(reader);
    let mut out = Scan::default();
    let mut line = Vec::new();
    let mut pos: u64 = 0;
    let mut segment: Vec<u8> = Vec::new();
    let mut dropped = false;
    let mut left_out: u64 = 0;
    // The log being read: its names, where it starts, and the END line that closes it.
    let mut open: Option<(String, String, String, u64, Vec<u8>)> = None;
    let flush = |segment: &mut Vec<u8>, dropped: &mut bool, out: &mut Scan| {
        if *dropped {
            out.notes.push(format!(
                "an object section larger than the {max_segment}-byte limit was skipped"
            ));
        } else if !segment.trim_ascii().is_empty() {
            out.segments.push(std::mem::take(segment));
        }
        segment.clear();
        *dropped = false;
    };
    loop {
        line.clear();
        let n = r.by_ref().take(MAX_LINE).read_until(b'\n', &mut line)? as u64;
        if n == 0 {
            break;
        }
        if let Some((namespace, pod, container, start, end_line)) = &open {
            // Logs that do not end with a newline get the END line glued to their last line.
            if let Some(at) = find(&line, end_line) {
                if out.logs.len() < MAX_LOGS {
                    out.logs.push(DumpLog {
                        namespace: namespace.clone(),
                        pod: pod.clone(),
                        container: container.clone(),
                        range: *start..pos + at as u64,
                        cut: false,
                    });
                } else {
                    left_out += 1;
                }
                open = None;
            }
        } else if let Some((namespace, pod, container)) = parse_start(&line) {
            flush(&mut segment, &mut dropped, &mut out);
            let end_line =
                format!("==== END logs for container {container} of pod {namespace}/{pod} ====")
                    .into_bytes();
            open = Some((namespace, pod, container, pos + n, end_line));
        } else if line.starts_with(END) {
            // A stray END line: nothing to do.
        } else if !dropped && (segment.len() as u64).saturating_add(n) <= max_segment {
            segment.extend_from_slice(&line);
        } else {
            dropped = true;
            segment.clear();
        }
        pos += n;
    }
    if left_out > 0 {
        out.notes.push(format!(
            "{left_out} more logs than the {MAX_LOGS} read from one file were left out"
        ));
    }
    if let Some((namespace, pod, container, start, _)) = open {
        out.notes.push(format!(
            "the log of container {container} of pod {namespace}/{pod} has no END line: read to the end of the file"
        ));
        out.logs.push(DumpLog {
            namespace,
            pod,
            container,
            range: start..pos,
            cut: true,
        });
    }
    flush(&mut segment, &mut dropped, &mut out);
    Ok(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The objects of one segment: JSON values one after another, or YAML documents.
pub(crate) fn parse_segment(segment: &[u8]) -> std::result::Result<Vec<Value>, String> {
    let text = kubectl_text::skip_prompt(segment);
    let first = text.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let mut values = Vec::new();
    if matches!(first, Some(b'{' | b'[')) {
        let mut stream =
            serde_json::Deserializer::from_slice(text).into_iter::<serde::de::IgnoredAny>();
        let mut start = 0;
        loop {
            match stream.next() {
                None => break,
                Some(Ok(_)) => {
                    let end = stream.byte_offset();
                    let one = text.get(start..end).unwrap_or_default();
                    let parsed = super::parse_any("section.json", one, false)?;
                    values.extend(parsed.values);
                    start = end;
                }
                Some(Err(e)) => {
                    let rest = text.get(start..).unwrap_or_default();
                    if values.is_empty() || !rest.trim_ascii().is_empty() {
                        return Err(format!("invalid JSON in a dump section: {e}"));
                    }
                    break;
                }
            }
        }
        return Ok(values);
    }
    let parsed = super::parse_any("section.yaml", text, false)?;
    Ok(parsed.values)
}

/// The objects of one segment as [`parse_segment`] reads them, but forgiving: when the
/// segment does not read as a whole (other commands' output before the dump in a pasted
/// transcript, JSON lines hard-wrapped by a terminal, a damaged object), each top-level value
/// (from a `{` line at the left edge to the next `}` line at the left edge) is read on its
/// own, with newlines inside strings (a terminal's wraps) taken out, and a list that still
/// does not read loses only the items that do not. The notes say what was lost.
pub(crate) fn parse_segment_lossy(segment: &[u8]) -> (Vec<Value>, Vec<String>) {
    let whole = parse_segment(segment);
    let has_json_block = segment
        .split(|&b| b == b'\n')
        .any(|l| l.trim_ascii_end() == b"{");
    match whole {
        Ok(values) if !values.is_empty() || !has_json_block => (values, Vec::new()),
        Ok(_) | Err(_) if has_json_block => parse_blocks(segment),
        Ok(values) => (values, Vec::new()),
        Err(reason) => (Vec::new(), vec![reason]),
    }
}

/// Lines with their byte ranges.
fn line_ranges(text: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in text.iter().enumerate() {
        if b == b'\n' {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

/// Reads each top-level `{` ... `}` block of a text on its own.
fn parse_blocks(text: &[u8]) -> (Vec<Value>, Vec<String>) {
    let mut values = Vec::new();
    let mut notes = Vec::new();
    let lines = line_ranges(text);
    let line = |r: &Range<usize>| text.get(r.clone()).unwrap_or_default().trim_ascii_end();
    let mut i = 0;
    while let Some(r) = lines.get(i) {
        if line(r) != b"{" {
            i += 1;
            continue;
        }
        let start = r.start;
        let Some(end_at) =
            (i + 1..lines.len()).find(|&j| lines.get(j).is_some_and(|r| line(r) == b"}"))
        else {
            notes.push("a dump section has no end (the text was cut): skipped".to_string());
            break;
        };
        let end = lines.get(end_at).map_or(text.len(), |r| r.end);
        let block = text.get(start..end).unwrap_or_default();
        let (v, n) = parse_block(block);
        values.extend(v);
        notes.extend(n);
        i = end_at + 1;
    }
    (values, notes)
}

/// One top-level block: as it is, else with a terminal's wraps taken out of its strings, else
/// item by item.
fn parse_block(block: &[u8]) -> (Vec<Value>, Vec<String>) {
    if let Ok(parsed) = super::parse_any("section.json", block, false) {
        return (parsed.values, Vec::new());
    }
    let unwrapped = unwrap_strings(block);
    if let Ok(parsed) = super::parse_any("section.json", &unwrapped, false) {
        return (parsed.values, Vec::new());
    }
    parse_items(&unwrapped)
}

/// The text with carriage returns and newlines inside JSON strings removed: JSON strings
/// cannot hold them, so they are a terminal's wraps.
fn unwrap_strings(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in text {
        if in_string && (b == b'\n' || b == b'\r') {
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        }
        out.push(b);
    }
    out
}

/// The items of a list block that does not read as a whole, each read on its own (an item is
/// from a `{` line one level deeper than `"items": [` to the `}` or `},` line at the same
/// depth); the list's `kind` and `apiVersion` lines give the items their type.
fn parse_items(block: &[u8]) -> (Vec<Value>, Vec<String>) {
    let lines = line_ranges(block);
    let text_of = |r: &Range<usize>| block.get(r.clone()).unwrap_or_default();
    let field = |name: &str| -> Option<String> {
        let key = format!("\"{name}\":");
        lines.iter().map(text_of).find_map(|l| {
            let t = std::str::from_utf8(l).ok()?.trim();
            let v = t.strip_prefix(&key)?.trim().trim_end_matches(',');
            serde_json::from_str::<String>(v).ok()
        })
    };
    let Some(items_at) = lines
        .iter()
        .position(|r| text_of(r).trim_ascii().starts_with(b"\"items\": ["))
    else {
        return (
            Vec::new(),
            vec!["a dump section is not valid JSON: skipped".to_string()],
        );
    };
    let indent = |l: &[u8]| l.iter().take_while(|b| **b == b' ').count();
    let item_indent = lines.get(items_at).map_or(0, |r| indent(text_of(r))) + 4;
    let (kind, api_version) = (field("kind"), field("apiVersion"));
    let mut values = Vec::new();
    let mut lost = 0;
    let mut i = items_at + 1;
    while let Some(r) = lines.get(i) {
        let l = text_of(r);
        if indent(l) != item_indent || l.trim_ascii() != b"{" {
            i += 1;
            continue;
        }
        let end_at = (i + 1..lines.len()).find(|&j| {
            lines.get(j).is_some_and(|r| {
                let l = text_of(r);
                indent(l) == item_indent && matches!(l.trim_ascii(), b"}" | b"},")
            })
        });
        let Some(end_at) = end_at else {
            lost += 1;
            break;
        };
        let (start, end) = (r.start, lines.get(end_at).map_or(block.len(), |r| r.end));
        let item = block.get(start..end).unwrap_or_default().trim_ascii_end();
        let item = item.strip_suffix(b",").unwrap_or(item);
        match serde_json::from_slice::<Value>(item) {
            Ok(v) => values.push(v),
            Err(_) => lost += 1,
        }
        i = end_at + 1;
    }
    let list = serde_json::json!({
        "kind": kind.unwrap_or_else(|| "List".into()),
        "apiVersion": api_version.unwrap_or_else(|| "v1".into()),
        "items": values,
    });
    let parsed = serde_json::to_vec(&list)
        .map_err(|e| e.to_string())
        .and_then(|bytes| super::parse_any("items.json", &bytes, false));
    let mut notes = Vec::new();
    if lost > 0 {
        notes.push(format!(
            "{lost} object(s) of a dump section are not valid JSON: skipped, the others read"
        ));
    }
    match parsed {
        Ok(p) => (p.values, notes),
        Err(e) => {
            notes.push(e);
            (Vec::new(), notes)
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::json::opt_str_at;

    fn scan_str(s: &str) -> Scan {
        scan(&mut s.as_bytes(), 1 << 20).unwrap_or_default()
    }

    #[test]
    fn logs_become_ranges() {
        let text = "{\n    \"kind\": \"NodeList\",\n    \"apiVersion\": \"v1\",\n    \"items\": []\n}\n\
==== START logs for container c1 of pod ns/p ====\nline 1\nline 2\n\
==== END logs for container c1 of pod ns/p ====\n\
==== START logs for container c2 of pod ns/p ====\nno newline\
==== END logs for container c2 of pod ns/p ====\n\
{\n    \"kind\": \"PodList\",\n    \"apiVersion\": \"v1\",\n    \"items\": [{\"metadata\": {\"name\": \"p\", \"namespace\": \"ns\"}}]\n}\n";
        let scan = scan_str(text);
        assert_eq!(scan.logs.len(), 2);
        let slice = |r: &Range<u64>| &text[r.start as usize..r.end as usize];
        assert_eq!(slice(&scan.logs[0].range), "line 1\nline 2\n");
        assert_eq!(scan.logs[0].container, "c1");
        assert_eq!(slice(&scan.logs[1].range), "no newline");
        assert_eq!(scan.segments.len(), 2);
        let pods = parse_segment(&scan.segments[1]).unwrap_or_default();
        assert_eq!(pods.len(), 1);
        assert_eq!(pods[0]["kind"], "Pod");
    }

    #[test]
    fn unterminated_and_odd_lines() {
        let scan = scan_str("==== START logs for container c of pod ns/p ====\nabc\n");
        assert_eq!(scan.logs.len(), 1);
        assert_eq!(scan.logs[0].range, 49..53);
        assert!(scan.logs[0].cut);
        assert_eq!(scan.notes.len(), 1);
        for odd in [
            "==== START logs for container  of pod / ====\n",
            "==== START logs for container c of pod ====\n",
            "==== END logs for container c of pod ns/p ====\n",
            "==== START logs for container",
            "",
            "\n\n",
        ] {
            let scan = scan_str(odd);
            assert!(scan.logs.is_empty(), "{odd:?}");
        }
    }

    #[test]
    fn logs_per_file_are_bounded() {
        let one = "==== START logs for container c of pod n/p ====\n==== END logs for container c of pod n/p ====\n";
        let scan = scan_str(&one.repeat(MAX_LOGS + 3));
        assert_eq!(scan.logs.len(), MAX_LOGS);
        assert_eq!(scan.notes.len(), 1);
    }

    #[test]
    fn several_json_values_and_yaml() {
        let values = parse_segment(b"{\"apiVersion\":\"v1\",\"kind\":\"NodeList\",\"items\":[{\"metadata\":{\"name\":\"n\"}}]}\n{\"apiVersion\":\"v1\",\"kind\":\"EventList\",\"items\":[]}\n")
            .unwrap_or_default();
        assert_eq!(values.len(), 1);
        let values = parse_segment(b"apiVersion: v1\nkind: NodeList\nitems:\n- metadata:\n    name: n\n---\napiVersion: v1\nkind: PodList\nitems: []\n")
            .unwrap_or_default();
        assert_eq!(values.len(), 1);
        assert!(parse_segment(b"{ not json").is_err());
    }

    /// A transcript: other commands first, CRLF, then the dump with a JSON line hard-wrapped
    /// inside a string and one item damaged beyond repair.
    #[test]
    fn dumps_in_transcripts() {
        let text = [
            r#"user@host:~$ kubectl get pods -n kube-system"#,
            r#"NAME   READY   STATUS"#,
            r#"p   1/1   Running"#,
            r#"user@host:~$ kubectl cluster-info dump"#,
            r#"{"#,
            r#"    "kind": "NodeList","#,
            r#"    "apiVersion": "v1","#,
            r#"    "metadata": {},"#,
            r#"    "items": ["#,
            r#"        {"#,
            r#"            "metadata": {"#,
            r#"                "name": "node-1","#,
            r#"                "annotations": {"a": "a long value the term"#,
            r#"inal wrapped"}"#,
            r#"            }"#,
            r#"        },"#,
            r#"        {"#,
            r#"            "metadata": {"#,
            r#"                "name": "node-2" BROKEN"#,
            r#"            }"#,
            r#"        },"#,
            r#"        {"#,
            r#"            "metadata": {"#,
            r#"                "name": "node-3""#,
            r#"            }"#,
            r#"        }"#,
            r#"    ]"#,
            r#"}"#,
            r#"{"#,
            r#"    "kind": "EventList","#,
            r#"    "apiVersion": "v1","#,
            r#"    "metadata": {},"#,
            r#"    "items": []"#,
            r#"}"#,
        ]
        .join("\r\n")
            + "\r\n";
        let (values, notes) = parse_segment_lossy(text.as_bytes());
        let names: Vec<&str> = values
            .iter()
            .filter_map(|v| opt_str_at(v, "/metadata/name"))
            .collect();
        assert_eq!(names, ["node-1", "node-3"], "{notes:?}");
        assert!(values.iter().all(|v| v["kind"] == "Node"));
        assert_eq!(
            opt_str_at(&values[0], "/metadata/annotations/a"),
            Some("a long value the terminal wrapped")
        );
        assert_eq!(notes.len(), 1, "{notes:?}");
        // Cut in the middle: what is complete is read.
        let cut = &text[..text.find("\"node-3\"").unwrap_or(0)];
        let (values, notes) = parse_segment_lossy(cut.as_bytes());
        assert!(values.is_empty());
        assert!(!notes.is_empty());
        assert!(is_dump_transcript(text.as_bytes()));
        assert!(!is_dump_transcript(b"$ kubectl get pods\nNAME  READY\n"));
    }

    #[test]
    fn stream_detection() {
        let yes = "{\n    \"kind\": \"NodeList\",\n    \"items\": []\n}\n{\n    \"kind\": \"EventList\"\n}\n";
        assert!(looks_like_stream(&mut yes.as_bytes()).unwrap_or_default());
        let single = "{\n    \"kind\": \"NodeList\",\n    \"items\": []\n}\n";
        assert!(!looks_like_stream(&mut single.as_bytes()).unwrap_or(true));
        let pods = "{\n    \"kind\": \"PodList\"\n}\n{\n}\n";
        assert!(!looks_like_stream(&mut pods.as_bytes()).unwrap_or(true));
        let logs =
            "$ kubectl cluster-info dump\n==== START logs for container c of pod ns/p ====\n";
        assert!(looks_like_stream(&mut logs.as_bytes()).unwrap_or_default());
    }
}
