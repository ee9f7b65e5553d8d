//! A customer's folder or archive of kubectl output, and the rules for loose text files that
//! the other layouts share.
//!
//! This layout is the generic layout plus content sniffing: object files, `version.json|yaml`
//! (in any folder, and `kubectl-version.json|yaml`: `kubectl version -o json|yaml` output) and
//! `logs/<ns>/<pod>/<container>.log` are taken as the generic layout takes them; every other
//! file that may be text is read from its first bytes ([`sniff_text`]):
//!
//! - `kubectl describe` output (first line, after an optional `$ kubectl ...` prompt line,
//!   `Name:`, followed by keys such as `Namespace:` or `Labels:`) → a describe text;
//! - `kubectl get` tables (a header of capitalised column names such as `NAME   READY`) → a
//!   table text;
//! - `kubectl get -o json|yaml` output → objects (JSON read as a stream, so several outputs one
//!   after another are fine; `kubectl cluster-info dump` output is recognised the same way);
//! - `kubectl logs` output in a file named after the pod → a log: `<pod>.log`,
//!   `<pod>_<container>.log`, `<pod>-previous.log`, `<pod>.previous.log`,
//!   `<pod>_<container>_previous.log`, `.txt` and `.out` alike when the text looks like a log,
//!   and the kubelet's `<pod>_<namespace>_<container>-<id>.log`. The namespace is empty and the
//!   container `None` when the name does not say (a describe text may tell; the analyzer
//!   decides);
//! - anything else → an other text.
//!
//! It is chosen over the generic layout when the input has at least one file the generic
//! layout would not read (a `.txt`, `.log`, `.out` or extension-less file outside
//! `logs/<ns>/<pod>/`).

use super::generic::Generic;
use super::{Class, Detected, Importer};
use crate::archive::{Archive, EntryInfo};
use crate::error::Result;
use crate::snapshot::{Layout, TextKind};

pub(crate) struct KubectlText;

impl Importer for KubectlText {
    fn layout(&self) -> Layout {
        Layout::KubectlText
    }

    fn detect(&self, archive: &Archive) -> Result<Option<Detected>> {
        let loose = archive.entries().iter().any(|e| {
            matches!(Generic.classify(&e.path, e), Class::Text(_) | Class::Ignore)
                && is_textual_name(&e.path)
        });
        if !loose {
            return Ok(None);
        }
        // The wrapping folder, but never inside the generic layout's `logs/<ns>/<pod>/`.
        let common = common_folder(archive.entries().iter().map(|e| e.path.as_str()));
        let root = common
            .split('/')
            .take_while(|c| *c != "logs")
            .collect::<Vec<_>>()
            .join("/");
        Ok(Some(Detected {
            root,
            manifest: None,
        }))
    }

    fn classify(&self, rel: &str, entry: &EntryInfo) -> Class {
        classify_loose(rel, entry)
    }

    fn sniff(&self, rel: &str, head: &[u8]) -> Class {
        sniff_text(rel, head)
    }
}

/// The folder that holds every path (a customer's `case-1234/` wrapping everything), empty
/// when there is none.
pub(crate) fn common_folder<'a>(paths: impl Iterator<Item = &'a str>) -> String {
    let mut common: Option<Vec<&str>> = None;
    for path in paths {
        let dirs: Vec<&str> = super::parent(path)
            .split('/')
            .filter(|d| !d.is_empty())
            .collect();
        common = Some(match common {
            None => dirs,
            Some(c) => c
                .iter()
                .zip(&dirs)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
        if common.as_ref().is_some_and(Vec::is_empty) {
            break;
        }
    }
    common.unwrap_or_default().join("/")
}

/// The generic rules, then sniffing for anything that may be text.
pub(crate) fn classify_loose(rel: &str, entry: &EntryInfo) -> Class {
    let file = rel.rsplit('/').next().unwrap_or_default();
    if matches!(
        file,
        "version.json" | "version.yaml" | "kubectl-version.json" | "kubectl-version.yaml"
    ) {
        return Class::Version;
    }
    match Generic.classify(rel, entry) {
        c @ (Class::Objects | Class::Version | Class::Log { .. }) => c,
        _ if is_binary_name(rel) => Class::Ignore,
        _ => Class::Sniff,
    }
}

fn extension(rel: &str) -> Option<&str> {
    let file = rel.rsplit('/').next().unwrap_or_default();
    file.rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|_| !file.starts_with('.') || file.matches('.').count() > 1)
}

/// Names of files that may hold kubectl output.
fn is_textual_name(rel: &str) -> bool {
    match extension(rel) {
        None => !rel.rsplit('/').next().unwrap_or_default().starts_with('.'),
        Some(ext) => matches!(
            ext.to_ascii_lowercase().as_str(),
            "txt" | "log" | "out" | "text"
        ),
    }
}

/// Names of files that are certainly not kubectl output.
fn is_binary_name(rel: &str) -> bool {
    extension(rel).is_some_and(|ext| {
        matches!(
            ext.to_ascii_lowercase().as_str(),
            "tar"
                | "gz"
                | "tgz"
                | "zip"
                | "png"
                | "jpg"
                | "jpeg"
                | "gif"
                | "pdf"
                | "rrd"
                | "bin"
                | "exe"
                | "so"
                | "html"
                | "htm"
                | "pcap"
                | "xz"
                | "bz2"
                | "zst"
                | "7z"
        )
    })
}

/// Whether a line is a shell prompt or a kubectl command line (see [`crate::command`]).
pub(crate) fn is_prompt(line: &[u8]) -> bool {
    std::str::from_utf8(line).is_ok_and(crate::command::is_prompt_line)
}

/// The text without a leading byte-order mark, blank lines and prompt lines.
pub(crate) fn skip_prompt(bytes: &[u8]) -> &[u8] {
    split_prompt(bytes).1
}

/// The last prompt line before the text, if any, and the text.
fn split_prompt(bytes: &[u8]) -> (Option<&[u8]>, &[u8]) {
    let mut rest = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut prompt = None;
    for _ in 0..8 {
        let (line, after) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (
                rest.get(..i).unwrap_or_default(),
                rest.get(i + 1..).unwrap_or_default(),
            ),
            None => (rest, &b""[..]),
        };
        let blank = line.trim_ascii().is_empty();
        if blank || is_prompt(line) {
            if !blank {
                prompt = Some(line);
            }
            rest = after;
            if after.is_empty() {
                break;
            }
        } else {
            break;
        }
    }
    (prompt, rest)
}

/// What a `kubectl logs` command line says: `kubectl logs [-n NS] POD [-c C] [-p]`, with the
/// flags anywhere, `pod/POD`, `--namespace=NS`, `oc logs` alike (see [`crate::command`]).
pub(crate) fn logs_command(line: &[u8]) -> Option<LogName> {
    let cmd = crate::command::parse(std::str::from_utf8(line).ok()?)?;
    if !matches!(cmd.verb.as_str(), "logs" | "log") {
        return None;
    }
    Some(LogName {
        namespace: cmd.namespace.clone().unwrap_or_default(),
        pod: cmd.name()?.to_string(),
        container: cmd.log_container().map(String::from),
        previous: cmd.previous,
    })
}

fn lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
}

/// Keys that follow `Name:` in `kubectl describe` output of the kinds we care about.
const DESCRIBE_KEYS: &[&[u8]] = &[
    b"Namespace:",
    b"Labels:",
    b"Annotations:",
    b"Roles:",
    b"Priority:",
    b"Selector:",
    b"CreationTimestamp:",
    b"Service Account:",
    b"Node:",
    b"Start Time:",
    b"Status:",
];

/// `kubectl describe` output: `Name:` then typical keys.
pub(crate) fn is_describe(text: &[u8]) -> bool {
    let mut it = lines(text).filter(|l| !l.trim_ascii().is_empty());
    let Some(first) = it.next() else {
        return false;
    };
    first.starts_with(b"Name:") && it.take(12).any(is_describe_key)
}

fn is_describe_key(line: &[u8]) -> bool {
    DESCRIBE_KEYS.iter().any(|k| line.starts_with(k))
}

/// `kubectl describe` output further down (after a table, say), or an excerpt of it pasted
/// under its `$ kubectl describe ...` command line.
fn has_describe(text: &[u8]) -> bool {
    let all: Vec<&[u8]> = lines(text).collect();
    all.iter().enumerate().any(|(i, l)| {
        (is_prompt(l) && contains(l, b" describe "))
            || (l.starts_with(b"Name:")
                && all
                    .get(i + 1..)
                    .unwrap_or_default()
                    .iter()
                    .take(12)
                    .any(|l| is_describe_key(l)))
    })
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// A `kubectl get` table header: capitalised column names, two spaces or more apart, one of
/// them `NAME`.
pub(crate) fn is_table(text: &[u8]) -> bool {
    let Some(first) = lines(text).find(|l| !l.trim_ascii().is_empty()) else {
        return false;
    };
    let Ok(header) = std::str::from_utf8(first) else {
        return false;
    };
    if is_event_row(header) {
        return true;
    }
    if !header.starts_with(|c: char| c.is_ascii_uppercase()) {
        return false;
    }
    let columns: Vec<&str> = header
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    columns.len() >= 2
        && columns
            .iter()
            .any(|c| matches!(*c, "NAME" | "NAMESPACE" | "LAST SEEN"))
        && columns.iter().all(|c| {
            c.chars()
                .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || " -()/._%".contains(ch))
        })
}

/// A `kubectl get events` row pasted without its header: `AGE  Normal|Warning  REASON
/// kind/name  message` (it starts with a digit, like a log line, but is a table).
fn is_event_row(line: &str) -> bool {
    let cells: Vec<&str> = line.split_whitespace().take(4).collect();
    let [age, type_, reason, object] = cells.as_slice() else {
        return false;
    };
    age.starts_with(|c: char| c.is_ascii_digit())
        && age
            .chars()
            .all(|c| c.is_ascii_digit() || "smhdy".contains(c))
        && matches!(*type_, "Normal" | "Warning")
        && reason.chars().all(|c| c.is_ascii_alphanumeric())
        && object
            .split_once('/')
            .is_some_and(|(k, n)| !k.is_empty() && !n.is_empty())
}

fn starts_like_yaml_objects(line: &[u8]) -> bool {
    [
        &b"apiVersion:"[..],
        b"kind:",
        b"items:",
        b"metadata:",
        b"---",
        b"- apiVersion:",
        b"- kind:",
    ]
    .iter()
    .any(|p| line.starts_with(p))
}

/// Whether a text starts like container log lines (timestamps, klog headers, logfmt, JSON).
fn looks_like_log(text: &[u8]) -> bool {
    let Some(first) = lines(text).find(|l| !l.trim_ascii().is_empty()) else {
        return false;
    };
    let klog = first.first().is_some_and(|c| b"IWEF".contains(c))
        && first
            .get(1..5)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    first.first().is_some_and(u8::is_ascii_digit)
        || klog
        || [&b"time="[..], b"level=", b"ts=", b"{\"", b"["]
            .iter()
            .any(|p| first.starts_with(p))
}

/// What a loose text file is, from its name and first bytes.
pub(crate) fn sniff_text(rel: &str, head: &[u8]) -> Class {
    if head.contains(&0) {
        return Class::Ignore;
    }
    let file = rel.rsplit('/').next().unwrap_or_default();
    let (prompt, text) = split_prompt(head);
    let first = lines(text).next().unwrap_or_default().trim_ascii_end();
    if first.starts_with(b"==== START logs for container ") {
        return Class::Dump;
    }
    let json_start = matches!(first.first(), Some(b'{' | b'['));
    if json_start && contains(text, b"\"apiVersion\"") && contains(text, b"\"kind\"") {
        return Class::Dump;
    }
    if super::cluster_info_dump::is_dump_transcript(head) {
        // Other commands' output may come first: the dump is read where it is.
        return Class::Dump;
    }
    if starts_like_yaml_objects(first) {
        // Read as a stream too: `cluster-info dump -o yaml` puts logs between the documents.
        return Class::Dump;
    }
    if is_describe(text) {
        return Class::Text(TextKind::Describe);
    }
    let named = log_name(file);
    if let Some(command) = prompt.and_then(logs_command) {
        // The command line tells more than the file name; the name may add the container.
        let container = command.container.or_else(|| {
            named
                .as_ref()
                .filter(|n| n.pod == command.pod)
                .and_then(|n| n.container.clone())
        });
        return Class::Log {
            namespace: command.namespace,
            pod: command.pod,
            container,
            previous: command.previous,
        };
    }
    // Describe output anywhere wins over a table: the analyzer reads describe texts.
    if has_describe(head) {
        return Class::Text(TextKind::Describe);
    }
    if is_table(text) {
        return Class::Text(TextKind::Table);
    }
    let is_log_file = extension(file).is_some_and(|e| e.eq_ignore_ascii_case("log"));
    if let Some(name) = named
        && (is_log_file || looks_like_log(text))
    {
        return Class::Log {
            namespace: name.namespace,
            pod: name.pod,
            container: name.container,
            previous: name.previous,
        };
    }
    Class::Text(TextKind::Other)
}

/// What a log file's name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogName {
    /// Empty when the name does not say.
    pub namespace: String,
    pub pod: String,
    pub container: Option<String>,
    pub previous: bool,
}

pub(crate) use crate::command::is_name;

/// Reads `<pod>[_<container>][-previous|.previous|_previous].{log,txt,out}` and the kubelet's
/// `<pod>_<namespace>_<container>-<64 hex>.log`.
pub(crate) fn log_name(file: &str) -> Option<LogName> {
    let stem = [".log", ".txt", ".out"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))
        .unwrap_or(file);
    let (stem, previous) = [
        "-previous",
        ".previous",
        "_previous",
        "-prev",
        ".prev",
        "_prev",
    ]
    .iter()
    .find_map(|s| stem.strip_suffix(s))
    .map_or((stem, false), |s| (s, true));
    let parts: Vec<&str> = stem.split('_').collect();
    let name = match parts.as_slice() {
        [pod] => LogName {
            namespace: String::new(),
            pod: pod.to_string(),
            container: None,
            previous,
        },
        [pod, container] => LogName {
            namespace: String::new(),
            pod: pod.to_string(),
            container: Some(container.to_string()),
            previous,
        },
        [pod, namespace, container_id] => {
            let (container, id) = container_id.rsplit_once('-')?;
            if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) || !is_name(namespace) {
                return None;
            }
            LogName {
                namespace: namespace.to_string(),
                pod: pod.to_string(),
                container: Some(container.to_string()),
                previous,
            }
        }
        _ => return None,
    };
    (is_name(&name.pod) && name.container.as_deref().is_none_or(is_name)).then_some(name)
}

#[cfg(test)]
mod tests {
    /// From kserve/kserve issue #580: events rows pasted without their header.
    #[test]
    fn headerless_events_rows_are_a_table_not_a_log() {
        let row = b"75s         Warning   FailedCreate         replicaset/argo-ui-55b859f7d7   Error creating: x\n";
        assert!(is_table(row));
        assert!(!is_table(
            b"2024-01-01T00:00:00Z Warning something happened\n"
        ));
    }

    use super::*;

    fn log(ns: &str, pod: &str, container: Option<&str>, previous: bool) -> Option<LogName> {
        Some(LogName {
            namespace: ns.into(),
            pod: pod.into(),
            container: container.map(String::from),
            previous,
        })
    }

    #[test]
    fn log_names() {
        let id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        for (file, want) in [
            (
                "calico-kube-controllers-7f9c-x2x.log",
                log("", "calico-kube-controllers-7f9c-x2x", None, false),
            ),
            ("p_c.log", log("", "p", Some("c"), false)),
            ("p-previous.log", log("", "p", None, true)),
            ("p.previous.log", log("", "p", None, true)),
            ("p_c_previous.log", log("", "p", Some("c"), true)),
            ("p_c-previous.txt", log("", "p", Some("c"), true)),
            (
                &format!("p_ns_c-{id}.log"),
                log("ns", "p", Some("c"), false),
            ),
            (".log", None),
            ("-previous.log", None),
            ("_previous.log", None),
            ("a_b_c_d.log", None),
            ("Calico.log", None),
            ("p_.log", None),
            ("", None),
        ] {
            assert_eq!(log_name(file), want, "{file:?}");
        }
    }

    #[test]
    fn sniffing() {
        let describe = b"$ kubectl describe pod p -n kube-system\nName:             p\nNamespace:        kube-system\n";
        assert_eq!(
            sniff_text("d.txt", describe),
            Class::Text(TextKind::Describe)
        );
        assert_eq!(
            sniff_text("d.txt", b"Name: x\nsomething: else\n"),
            Class::Text(TextKind::Other)
        );
        let table = b"NAMESPACE     NAME    READY   STATUS    RESTARTS      AGE   IP   NODE\nkube-system   p   1/1   Running   0   1d\n";
        assert_eq!(sniff_text("pods.txt", table), Class::Text(TextKind::Table));
        assert_eq!(
            sniff_text(
                "pods.txt",
                b"{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\"\n}\n"
            ),
            Class::Dump
        );
        assert_eq!(
            sniff_text("pods.txt", b"apiVersion: v1\nkind: Pod\n"),
            Class::Dump
        );
        assert_eq!(
            sniff_text("dir/p_c.log", b"{\"level\":\"info\"}\n"),
            Class::Log {
                namespace: String::new(),
                pod: "p".into(),
                container: Some("c".into()),
                previous: false
            }
        );
        assert_eq!(
            sniff_text(
                "p.txt",
                b"2024-05-01 10:00:00.000 [INFO][1] main.go 1: hi\n"
            ),
            Class::Log {
                namespace: String::new(),
                pod: "p".into(),
                container: None,
                previous: false
            }
        );
        assert_eq!(
            sniff_text("notes.txt", b"the customer says hi\n"),
            Class::Text(TextKind::Other)
        );
        assert_eq!(sniff_text(".log", b"x"), Class::Text(TextKind::Other));
        assert_eq!(sniff_text("x.log", b"\0\0"), Class::Ignore);
        assert_eq!(sniff_text("x.txt", b""), Class::Text(TextKind::Other));
        assert_eq!(
            sniff_text("x.txt", b"\xef\xbb\xbf$ kubectl get pods\n"),
            Class::Text(TextKind::Other)
        );
    }

    #[test]
    fn logs_commands() {
        let cmd = |s: &str| logs_command(s.as_bytes());
        let log = |ns: &str, pod: &str, c: Option<&str>, previous: bool| {
            Some(LogName {
                namespace: ns.into(),
                pod: pod.into(),
                container: c.map(String::from),
                previous,
            })
        };
        assert_eq!(
            cmd("$ kubectl logs -n kube-system calico-kube-controllers-x -p > kcc.log"),
            log("kube-system", "calico-kube-controllers-x", None, true)
        );
        assert_eq!(
            cmd("user@host:~$ kubectl --context prod -n calico-system logs pod/p -c c --tail 100"),
            log("calico-system", "p", Some("c"), false)
        );
        assert_eq!(
            cmd("PS C:\\> kubectl.exe logs --namespace=ns p --container=c --previous"),
            log("ns", "p", Some("c"), true)
        );
        assert_eq!(cmd("$ oc logs -nns p c"), log("ns", "p", Some("c"), false));
        assert_eq!(
            cmd("$ kubectl logs deployment/calico-kube-controllers"),
            None
        );
        assert_eq!(cmd("$ kubectl get pods"), None);
        assert_eq!(cmd("$ kubectl logs"), None);
        assert_eq!(cmd("$ kubectl logs -n"), None);
        assert_eq!(cmd("$ kubectl logs Bad_Name"), None);
        assert_eq!(cmd(""), None);
    }

    #[test]
    fn a_logs_prompt_says_where_the_log_is_from() {
        let head =
            b"$ kubectl logs -n kube-system calico-kube-controllers-x --previous\n2024 line\n";
        assert_eq!(
            sniff_text("kcc.txt", head),
            Class::Log {
                namespace: "kube-system".into(),
                pod: "calico-kube-controllers-x".into(),
                container: None,
                previous: true
            }
        );
        // An excerpt under its describe command, and a describe after a table.
        let head = b"$ kubectl describe pod -n kube-system p | tail\n    State:  Waiting\n";
        assert_eq!(sniff_text("x.txt", head), Class::Text(TextKind::Describe));
        let head = b"$ kubectl get pods\nNAME   READY   STATUS\np   0/1   Error\n\n$ kubectl describe pod p\nName:  p\nNamespace:  ns\n";
        assert_eq!(sniff_text("x.txt", head), Class::Text(TextKind::Describe));
        // A describe after a prompt stays a describe.
        let head = b"$ kubectl logs p\nName: x\nNamespace: y\n";
        assert_eq!(sniff_text("x.txt", head), Class::Text(TextKind::Describe));
    }

    #[test]
    fn common_folders() {
        let common = |p: &[&str]| common_folder(p.iter().copied());
        assert_eq!(common(&["a/b/x.log", "a/b/c/y.txt"]), "a/b");
        assert_eq!(common(&["a/x.log", "b/y.log"]), "");
        assert_eq!(common(&["x.log"]), "");
        assert_eq!(common(&["a/x.log", "y.log"]), "");
        assert_eq!(common(&[]), "");
    }

    #[test]
    fn prompts() {
        assert!(is_prompt(b"$ kubectl get pods"));
        assert!(is_prompt(b"user@host:~$ kubectl describe node x"));
        assert!(is_prompt(b"PS C:\\> kubectl get pods"));
        assert!(!is_prompt(b"Name: x"));
        assert_eq!(
            skip_prompt(b"\n$ kubectl get pod -o yaml\napiVersion: v1\n"),
            b"apiVersion: v1\n"
        );
        assert_eq!(skip_prompt(b"$ kubectl get pods"), b"");
    }
}
