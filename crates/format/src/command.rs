//! kubectl command lines as people paste them above the output: behind any common shell
//! prompt (`$ `, `# `, `root@host:~# `, `[root@host dir]# `, `user@host:~$ `, `➜  ~ `,
//! `PS C:\...> `, `> `) or none, with kubectl spelled `kubectl`, `kubectl.exe`, `k`, `oc`,
//! `kubecolor`, `sudo kubectl`, `microk8s kubectl` or `k3s kubectl`, and flags anywhere.
//!
//! A line is a command line only when the kubectl word starts the line or follows something
//! that ends like a prompt, and a known verb follows it: prose that mentions kubectl is not.

/// What a kubectl command line says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command {
    /// The verb (`get`, `describe`, `logs`, ...).
    pub verb: String,
    /// The words after the verb that are not flags (`pod`, `NAME`, `pod/NAME`, ...).
    pub args: Vec<String>,
    /// `-n X`, `-nX`, `--namespace X`, `--namespace=X`.
    pub namespace: Option<String>,
    /// `-A`, `--all-namespaces`.
    pub all_namespaces: bool,
    /// `-o X`, `-oX`, `--output X`, `--output=X`.
    pub output: Option<String>,
    /// `-c X`, `--container X`, `--container=X`.
    pub container: Option<String>,
    /// `-p`, `--previous`.
    pub previous: bool,
}

/// The verbs a command line may have.
const VERBS: &[&str] = &[
    "get",
    "describe",
    "logs",
    "log",
    "events",
    "top",
    "cluster-info",
    "version",
    "explain",
    "rollout",
    "api-resources",
    "auth",
    "exec",
    "edit",
    "apply",
    "delete",
    "create",
    "patch",
    "label",
    "annotate",
    "scale",
    "cordon",
    "uncordon",
    "drain",
    "adm",
    "config",
];

/// Flags that take a value as the next word.
const VALUE_FLAGS: &[&str] = &[
    "--context",
    "--kubeconfig",
    "--cluster",
    "--user",
    "--token",
    "--as",
    "--as-group",
    "-s",
    "--server",
    "-l",
    "--selector",
    "--field-selector",
    "--sort-by",
    "--tail",
    "--since",
    "--since-time",
    "--limit-bytes",
    "--max-log-requests",
    "--pod-running-timeout",
    "--request-timeout",
    "--chunk-size",
    "--template",
    "-L",
    "--label-columns",
    "--show-events",
    "--types",
    "--for",
];

/// The words that end a command (a pipeline, a redirection, another command).
fn ends_command(word: &str) -> bool {
    matches!(word, "|" | "||" | "&&" | ";" | "2>&1" | "&")
        || word.starts_with('>')
        || word.starts_with("2>")
        || word.starts_with('|')
}

/// Whether a word is kubectl by one of its names.
fn is_tool(word: &str) -> bool {
    let base = word.rsplit(['/', '\\']).next().unwrap_or_default();
    matches!(
        base.to_ascii_lowercase().as_str(),
        "kubectl" | "kubectl.exe" | "k" | "oc" | "oc.exe" | "kubecolor" | "microk8s.kubectl"
    )
}

/// Whether the text before the kubectl word looks like a prompt (or a wrapper that runs
/// kubectl: `sudo`, `microk8s`, `k3s`).
fn is_prompt_prefix(prefix: &str) -> bool {
    let p = prefix.trim_end();
    if p.is_empty() {
        return true;
    }
    if p.chars().count() > 120 {
        return false;
    }
    for wrapper in ["sudo", "microk8s", "k3s", "sudo microk8s", "sudo k3s"] {
        if let Some(before) = p.strip_suffix(wrapper)
            && (before.is_empty() || before.ends_with(' '))
        {
            return is_prompt_prefix(before);
        }
    }
    p.ends_with(['$', '#', '>', '%', '➜', '~', '❯', '»', ']', ':'])
}

/// Reads a command line; `None` when the line is not one.
pub fn parse(line: &str) -> Option<Command> {
    let line = line.trim_end_matches(['\r', '\n']);
    // The kubectl word: the first one after a prompt-like prefix.
    let mut tool_end = None;
    let mut pos = 0;
    for word in line.split_whitespace() {
        let at = line.get(pos..)?.find(word)? + pos;
        pos = at + word.len();
        if is_tool(word) && is_prompt_prefix(line.get(..at)?) {
            tool_end = Some(pos);
            break;
        }
        if pos > 160 {
            return None;
        }
    }
    let rest = line.get(tool_end?..)?;
    let mut cmd = Command::default();
    let mut words = rest.split_whitespace();
    while let Some(w) = words.next() {
        if ends_command(w) {
            break;
        }
        let mut value_of = |flag: &str, w: &str| -> Option<Option<String>> {
            if w == flag {
                return Some(words.next().map(String::from));
            }
            w.strip_prefix(flag)
                .and_then(|v| v.strip_prefix('='))
                .map(|v| Some(v.to_string()))
        };
        if let Some(v) = value_of("--namespace", w).or_else(|| value_of("-n", w)) {
            cmd.namespace = v;
            continue;
        }
        if let Some(v) = value_of("--output", w).or_else(|| value_of("-o", w)) {
            cmd.output = v;
            continue;
        }
        if let Some(v) = value_of("--container", w).or_else(|| value_of("-c", w)) {
            cmd.container = v;
            continue;
        }
        match w {
            "-A" | "--all-namespaces" | "--all-namespaces=true" => cmd.all_namespaces = true,
            "-p" | "--previous" | "--previous=true" => cmd.previous = true,
            _ if VALUE_FLAGS.contains(&w) => {
                words.next();
            }
            _ if w.starts_with("--") => {}
            _ if w.starts_with("-n") && w.len() > 2 => cmd.namespace = w.get(2..).map(String::from),
            _ if w.starts_with("-o") && w.len() > 2 => cmd.output = w.get(2..).map(String::from),
            _ if w.starts_with("-c") && w.len() > 2 => cmd.container = w.get(2..).map(String::from),
            _ if w.starts_with('-') => {}
            _ if cmd.verb.is_empty() => {
                if !VERBS.contains(&w) {
                    return None;
                }
                cmd.verb = w.to_string();
            }
            _ => cmd.args.push(w.to_string()),
        }
    }
    if cmd.verb.is_empty() {
        return None;
    }
    cmd.namespace = cmd.namespace.filter(|n| is_name(n));
    cmd.container = cmd.container.filter(|c| is_name(c));
    Some(cmd)
}

/// Whether a line is a kubectl command line, or a bare shell prompt line (`$ `, `$`,
/// `user@host:~$ ls`): where one output ends and the next begins.
pub fn is_prompt_line(line: &str) -> bool {
    if parse(line).is_some() {
        return true;
    }
    let l = line.trim();
    l == "$"
        || l == "#"
        || l.starts_with("$ ")
        || l.starts_with("% ")
        || (l.starts_with("PS ") && l.contains('>'))
        || l.split_whitespace().next().is_some_and(|first| {
            // `user@host:~$`, `root@host:~#`, `[root@host dir]#`.
            (first.contains('@') || first.starts_with('['))
                && l.split_whitespace()
                    .take(3)
                    .any(|w| w.ends_with("$") || w.ends_with("]#") || w.ends_with(":~#"))
        })
}

impl Command {
    /// The kind a resource word names (`po`, `pods`, `pod/NAME`, `deploy`, ...), for the kinds
    /// whose output the readers understand.
    pub fn kind_of(word: &str) -> Option<&'static str> {
        let word = word
            .split('/')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let word = word.split('.').next().unwrap_or_default();
        Some(match word {
            "po" | "pod" | "pods" => "Pod",
            "no" | "node" | "nodes" => "Node",
            "deploy" | "deployment" | "deployments" => "Deployment",
            "rs" | "replicaset" | "replicasets" => "ReplicaSet",
            "ds" | "daemonset" | "daemonsets" => "DaemonSet",
            "sts" | "statefulset" | "statefulsets" => "StatefulSet",
            "ev" | "event" | "events" => "Event",
            "svc" | "service" | "services" => "Service",
            "ns" | "namespace" | "namespaces" => "Namespace",
            "job" | "jobs" => "Job",
            _ => return None,
        })
    }

    /// The kind the command is about (`get pods`, `describe pod/x`, `events`, `logs`).
    pub fn kind(&self) -> Option<&'static str> {
        match self.verb.as_str() {
            "events" => Some("Event"),
            "logs" | "log" => Some("Pod"),
            _ => self.args.first().and_then(|a| Command::kind_of(a)),
        }
    }

    /// The object name the command names: `describe pod NAME`, `describe pod/NAME`,
    /// `logs NAME`, `logs pod/NAME`. `None` when it names none or several.
    pub fn name(&self) -> Option<&str> {
        let name = match (self.verb.as_str(), self.args.as_slice()) {
            ("logs" | "log", [first, ..]) => match first.split_once('/') {
                Some((kind, name)) if Command::kind_of(kind) == Some("Pod") => name,
                Some(_) => return None,
                None => first.as_str(),
            },
            (_, [one]) => one.split_once('/')?.1,
            (_, [_, name]) => name.as_str(),
            _ => return None,
        };
        is_name(name).then_some(name)
    }

    /// The container a `logs` command names: `-c C` or the second word.
    pub fn log_container(&self) -> Option<&str> {
        self.container
            .as_deref()
            .or_else(|| self.args.get(1).map(String::as_str).filter(|c| is_name(c)))
    }
}

/// A Kubernetes name (DNS subdomain characters, at most 253 of them).
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(line: &str) -> Option<String> {
        parse(line).and_then(|c| c.namespace)
    }

    #[test]
    fn prompts_of_every_shape() {
        for line in [
            "$ kubectl get pods -n kube-system",
            "# kubectl get pods -n kube-system",
            "root@host:~# kubectl get pods -n kube-system",
            "[root@master-1 ~]# kubectl get pods -n kube-system",
            "[root@host dir]# kubectl -n kube-system get pods",
            "user@host:~$ kubectl -n kube-system get pods",
            "➜  ~ kubectl get pods -nkube-system",
            "PS C:\\Users\\me> kubectl.exe get pods --namespace=kube-system",
            "> k get pods --namespace kube-system",
            "kubectl get pods -n kube-system",
            "sudo kubectl get pods -n kube-system",
            "$ sudo microk8s kubectl get pods -n kube-system",
            "k3s kubectl get pods -n kube-system | grep calico",
            "ubuntu@ip-10-0-0-1:~$ oc get pods -n kube-system | more",
            "❯ kubecolor get po -n kube-system -o wide",
            "(base) user@mac ~ % kubectl get pods -n kube-system",
        ] {
            assert_eq!(ns(line).as_deref(), Some("kube-system"), "{line:?}");
            assert_eq!(parse(line).map(|c| c.kind()), Some(Some("Pod")), "{line:?}");
        }
    }

    #[test]
    fn prose_and_other_commands_are_not_command_lines() {
        for line in [
            "I ran kubectl get pods and saw this",
            "kubectl is great",
            "Name: kubectl",
            "k8s-app=kube-dns",
            "$ ls -la",
            "",
        ] {
            assert_eq!(parse(line), None, "{line:?}");
        }
    }

    #[test]
    fn flags_anywhere() {
        let c = parse("$ kubectl -n ns --context prod get pods -o wide | grep calico");
        assert_eq!(
            c,
            Some(Command {
                verb: "get".into(),
                args: vec!["pods".into()],
                namespace: Some("ns".into()),
                output: Some("wide".into()),
                ..Command::default()
            })
        );
        let c = parse("kubectl get events -A --sort-by=.lastTimestamp");
        assert!(c.as_ref().is_some_and(|c| c.all_namespaces));
        assert_eq!(c.and_then(|c| c.kind()), Some("Event"));
        let c = parse("kubectl describe pod/calico-kube-controllers-x -n kube-system");
        assert_eq!(
            c.as_ref().and_then(Command::name),
            Some("calico-kube-controllers-x")
        );
        let c = parse("kubectl describe po p1 p2");
        assert_eq!(c.as_ref().and_then(Command::name), None);
        let c = parse("$ kubectl logs -n kube-system p -c c --tail 100 -p > out.log");
        assert_eq!(c.as_ref().and_then(Command::name), Some("p"));
        assert_eq!(c.as_ref().and_then(Command::log_container), Some("c"));
        assert!(c.is_some_and(|c| c.previous));
        // A hostile namespace is not a namespace.
        assert_eq!(ns("kubectl get pods -n ../../etc"), None);
    }

    #[test]
    fn prompt_lines() {
        assert!(is_prompt_line("$ ls"));
        assert!(is_prompt_line("root@host:~# cat x"));
        assert!(is_prompt_line("kubectl get pods"));
        assert!(!is_prompt_line("NAME   READY"));
        assert!(!is_prompt_line("Events:"));
    }
}
