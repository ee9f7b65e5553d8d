//! Redaction of credentials in Kubernetes objects and in text (logs, describe output).
//!
//! Objects: env values and fields whose *names* say they hold a credential (`DB_PASSWORD`,
//! `clientSecret`, `token`), annotations (the `last-applied-configuration` annotation is parsed
//! and redacted like an object; when it embeds a Secret it is replaced whole), the `data` and
//! `stringData` of any embedded Secret, and every string value through the text rules.
//!
//! Text: PEM private-key blocks (also a block whose beginning was trimmed away), bearer tokens,
//! JWTs (service-account tokens), `key: value` / `key=value` credentials (passwords, tokens,
//! API keys, kubeconfig `token:` and `client-key-data:`), passwords in URLs
//! (`https://user:pass@host`), IBM Cloud API keys (44-character keys), and the caller's own
//! patterns.
//!
//! Every redaction is counted by kind; values are never kept.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde_json::Value;

/// What replaces a redacted value.
pub const MARK: &str = "[REDACTED]";

/// Redaction counts by kind (`env-value`, `private-key`, `bearer-token`, ...).
pub type Counts = BTreeMap<String, u64>;

fn re(s: &str) -> Regex {
    #[allow(clippy::expect_used)]
    Regex::new(s).expect("built-in pattern")
}

static PEM: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?s)-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)")
});
static PEM_END: LazyLock<Regex> = LazyLock::new(|| re(r"-----END ([A-Z0-9 ]*PRIVATE KEY)-----"));
static KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r#"(?i)\b((?:[a-z0-9]+[_-])*(?:client-key-data|id-token|refresh-token|access-token|token|password|passwd|pwd|secret|"#,
        r#"client[_-]?secret|api[_-]?key|apikey|secret[_-]?access[_-]?key|access[_-]?key(?:[_-]?id)?|private[_-]?key))"#,
        r#"(\\?["']?\s*[:=]\s*\\?["']?)([^\s"'\\,;&}\]]+)"#
    ))
});
static BEARER: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(bearer)(\s+)([A-Za-z0-9\-._~+/]{8,}=*)"));
static BASIC_AUTH_URL: LazyLock<Regex> =
    LazyLock::new(|| re(r#"\b([a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@"']+:)([^/\s@"']+)@"#));
static JWT: LazyLock<Regex> =
    LazyLock::new(|| re(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"));
/// A run of exactly 44 key characters, not part of a longer base64 text (`+`, `/`, `=`).
static KEY44: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?m)(^|[^A-Za-z0-9_+/=-])([A-Za-z0-9_-]{44,})($|[^A-Za-z0-9_+/=-])"));
static SENSITIVE_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i)^(?:.*[_.-])?(?:password|passwd|pwd|secret|token|apikey|api[_-]?key|private[_-]?key|client[_-]?secret|",
        r"access[_-]?key|secret[_-]?key|credentials?|auth[_-]?token|bearer[_-]?token|client-key-data|id-token|refresh-token)$"
    ))
});
static SENSITIVE_CAMEL: LazyLock<Regex> = LazyLock::new(|| {
    re(r"[a-z0-9](?:Password|Passwd|Token|Secret|ApiKey|APIKey|PrivateKey|Credentials?)$")
});
static SENSITIVE_ENV: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(password|passwd|secret|token|api_?key|apikey|private_?key|credential|access_?key|auth_?key)",
    )
});

/// Redacts credentials. Cheap to clone; built-in rules plus the caller's patterns.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    custom: Vec<Regex>,
}

fn bump(counts: &mut Counts, kind: &str) {
    *counts.entry(kind.to_string()).or_insert(0) += 1;
}

fn is_redacted(s: &str) -> bool {
    s.starts_with(MARK) || s.trim_matches(|c| c == '"' || c == '\'').starts_with(MARK)
}

fn key_kind(key: &str) -> &'static str {
    let k = key.to_ascii_lowercase();
    if k.contains("client-key-data") {
        "kubeconfig-credential"
    } else if k.contains("pass") || k == "pwd" || k.ends_with("_pwd") {
        "password"
    } else if k.contains("api") && k.contains("key") {
        "api-key"
    } else if k.contains("token") {
        "token"
    } else {
        "credential"
    }
}

impl Redactor {
    /// A redactor with the built-in rules and the given extra patterns (`--redact REGEX`):
    /// every match of an extra pattern is replaced.
    pub fn new(custom: Vec<Regex>) -> Redactor {
        Redactor { custom }
    }

    /// Redacts text; counts what it replaced.
    pub fn text<'a>(&self, text: &'a str, counts: &mut Counts) -> Cow<'a, str> {
        let mut out: Cow<'a, str> = Cow::Borrowed(text);
        // A private key whose BEGIN line was cut off (a log trimmed to its newest bytes).
        if let Some(end) = PEM_END.find(&out)
            && !out[..end.start()].contains("-----BEGIN")
            && looks_like_key_body(&out[..end.start()])
        {
            let start = key_body_start(&out[..end.start()]);
            let label = PEM_END
                .captures(end.as_str())
                .and_then(|c| c.get(1))
                .map(|m| m.as_str().to_string())
                .unwrap_or_default();
            let replaced = format!(
                "{}{MARK}\n-----END {label}-----{}",
                &out[..start],
                &out[end.end()..]
            );
            bump(counts, "private-key");
            out = Cow::Owned(replaced);
        }
        out = replace(out, &PEM, counts, |c, counts| {
            bump(counts, "private-key");
            let label = &c[1];
            format!("-----BEGIN {label}-----\n{MARK}\n-----END {label}-----")
        });
        out = replace(out, &KEY_VALUE, counts, |c, counts| {
            if is_redacted(&c[3]) {
                return c[0].to_string();
            }
            bump(counts, key_kind(&c[1]));
            format!("{}{}{MARK}", &c[1], &c[2])
        });
        out = replace(out, &BEARER, counts, |c, counts| {
            if is_redacted(&c[3]) {
                return c[0].to_string();
            }
            bump(counts, "bearer-token");
            format!("{}{}{MARK}", &c[1], &c[2])
        });
        out = replace(out, &BASIC_AUTH_URL, counts, |c, counts| {
            if is_redacted(&c[2]) {
                return c[0].to_string();
            }
            bump(counts, "basic-auth-url");
            format!("{}{MARK}@", &c[1])
        });
        out = replace(out, &JWT, counts, |_, counts| {
            bump(counts, "jwt");
            MARK.to_string()
        });
        out = replace(out, &KEY44, counts, |c, counts| {
            let s = &c[2];
            let mixed = s.len() == 44
                && s.bytes().any(|b| b.is_ascii_uppercase())
                && s.bytes().any(|b| b.is_ascii_lowercase())
                && s.bytes().any(|b| b.is_ascii_digit());
            if mixed {
                bump(counts, "ibm-api-key");
                format!("{}{MARK}{}", &c[1], &c[3])
            } else {
                c[0].to_string()
            }
        });
        for pattern in &self.custom {
            out = replace(out, pattern, counts, |c, counts| {
                if c[0].is_empty() || c[0] == *MARK {
                    return c[0].to_string();
                }
                bump(counts, "custom");
                MARK.to_string()
            });
        }
        out
    }

    /// Redacts a Kubernetes object (or any JSON value) in place; counts what it replaced.
    pub fn value(&self, value: &mut Value, counts: &mut Counts) {
        self.walk(value, counts);
    }

    fn walk(&self, value: &mut Value, counts: &mut Counts) {
        match value {
            Value::String(s) => {
                if let Cow::Owned(new) = self.text(s, counts) {
                    *s = new;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.walk(v, counts)),
            Value::Object(map) => {
                let is_secret = map.get("kind").and_then(Value::as_str) == Some("Secret");
                let env_name = env_entry_name(map);
                for (key, child) in map.iter_mut() {
                    if is_secret && (key == "data" || key == "stringData") {
                        redact_all_strings(child, counts, "secret-data");
                        continue;
                    }
                    if key == "value"
                        && let Some(name) = &env_name
                        && SENSITIVE_ENV.is_match(name)
                        && let Value::String(s) = child
                        && !is_trivial(s)
                        && !is_redacted(s)
                    {
                        *s = MARK.to_string();
                        bump(counts, "env-value");
                        continue;
                    }
                    if key == "annotations"
                        && let Value::Object(annotations) = child
                    {
                        for (name, v) in annotations.iter_mut() {
                            if let Value::String(s) = v {
                                self.annotation(name, s, counts);
                            }
                        }
                        continue;
                    }
                    if let Value::String(s) = child
                        && (SENSITIVE_FIELD.is_match(key) || SENSITIVE_CAMEL.is_match(key))
                        && !is_trivial(s)
                        && !is_redacted(s)
                    {
                        *s = MARK.to_string();
                        bump(counts, key_kind(key));
                        continue;
                    }
                    self.walk(child, counts);
                }
            }
            _ => {}
        }
    }

    fn annotation(&self, name: &str, value: &mut String, counts: &mut Counts) {
        if SENSITIVE_FIELD.is_match(name) || SENSITIVE_CAMEL.is_match(name) {
            if !is_trivial(value) && !is_redacted(value) {
                *value = MARK.to_string();
                bump(counts, "annotation");
            }
            return;
        }
        if let Ok(mut embedded) = serde_json::from_str::<Value>(value)
            && embedded.is_object()
        {
            if embedded.get("kind").and_then(Value::as_str) == Some("Secret") {
                *value = MARK.to_string();
                bump(counts, "annotation-secret");
                return;
            }
            let mut inner = Counts::new();
            self.walk(&mut embedded, &mut inner);
            if !inner.is_empty() {
                *value = serde_json::to_string(&embedded).unwrap_or_else(|_| MARK.to_string());
                for (k, n) in inner {
                    *counts.entry(k).or_insert(0) += n;
                }
            }
            return;
        }
        if let Cow::Owned(new) = self.text(value, counts) {
            *value = new;
        }
    }
}

fn is_trivial(s: &str) -> bool {
    s.is_empty() || matches!(s, "true" | "false") || s.parse::<f64>().is_ok()
}

/// `{"name": "...", "value": "..."}` (an env var): its name.
fn env_entry_name(map: &serde_json::Map<String, Value>) -> Option<String> {
    let name = map.get("name")?.as_str()?;
    if !map.contains_key("value")
        || map
            .keys()
            .any(|k| !matches!(k.as_str(), "name" | "value" | "valueFrom"))
    {
        return None;
    }
    Some(name.to_string())
}

fn redact_all_strings(value: &mut Value, counts: &mut Counts, kind: &str) {
    match value {
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| redact_all_strings(v, counts, kind)),
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| redact_all_strings(v, counts, kind)),
        Value::String(s) => {
            *s = MARK.to_string();
            bump(counts, kind);
        }
        _ => {}
    }
}

fn replace<'a>(
    text: Cow<'a, str>,
    pattern: &Regex,
    counts: &mut Counts,
    mut f: impl FnMut(&Captures<'_>, &mut Counts) -> String,
) -> Cow<'a, str> {
    if !pattern.is_match(&text) {
        return text;
    }
    let replaced = pattern
        .replace_all(&text, |c: &Captures<'_>| f(c, counts))
        .into_owned();
    if replaced == *text {
        text
    } else {
        Cow::Owned(replaced)
    }
}

/// Whether the text right before an `-----END ... PRIVATE KEY-----` line ends with base64 lines.
fn looks_like_key_body(before: &str) -> bool {
    let tail: Vec<&str> = before.trim_end().lines().rev().take(2).collect();
    !tail.is_empty()
        && tail.iter().all(|l| {
            let l = l.trim();
            l.len() >= 16
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        })
}

/// Where the base64 body before an END line starts (the first of the contiguous base64 lines).
fn key_body_start(before: &str) -> usize {
    let is_b64 = |l: &str| {
        l.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
    };
    let mut start = before.len();
    let mut end = before.trim_end_matches('\n').len();
    loop {
        let line_start = before[..end].rfind('\n').map_or(0, |i| i + 1);
        let line = before[line_start..end].trim();
        if line.is_empty() || !is_b64(line) {
            break;
        }
        start = line_start;
        if line_start == 0 {
            break;
        }
        end = line_start - 1;
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn red(s: &str) -> (String, Counts) {
        let mut c = Counts::new();
        let out = Redactor::default().text(s, &mut c).into_owned();
        (out, c)
    }

    const KEY: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----\n";

    #[test]
    fn private_keys() {
        let (out, c) = red(&format!("before\n{KEY}after\n"));
        assert!(!out.contains("MIIEow"), "{out}");
        assert!(out.contains("before\n") && out.contains("after\n"));
        assert_eq!(c.get("private-key"), Some(&1));
        // BEGIN trimmed away.
        let tail = &KEY[KEY.find('\n').unwrap_or(0) + 1..];
        let (out, c) = red(&format!("{}\nlater line\n", &tail[10..]));
        assert!(!out.contains("VTLw7onLRnrq0"), "{out}");
        assert!(out.contains("later line"));
        assert_eq!(c.get("private-key"), Some(&1));
        // Unterminated.
        let (out, _) = red("x\n-----BEGIN PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHC");
        assert!(!out.contains("MIIEow"));
    }

    #[test]
    fn tokens_passwords_urls() {
        for (input, secret, kind) in [
            (
                "Authorization: Bearer abcdefghijklmnop0123",
                "abcdefghijklmnop0123",
                "bearer-token",
            ),
            ("password=hunter2hunter2 next", "hunter2hunter2", "password"),
            (r#"{"password": "s3cr3t!"}"#, "s3cr3t!", "password"),
            (
                "    token: kubeconfigtoken123456\n",
                "kubeconfigtoken123456",
                "token",
            ),
            (
                "client-key-data: LS0tLS1CRUdJTiBSU0E=\n",
                "LS0tLS1CRUdJTiBSU0E",
                "kubeconfig-credential",
            ),
            (
                "dial https://admin:pa55word@db.example.com/x",
                "pa55word",
                "basic-auth-url",
            ),
            (
                "IBMCLOUD_API_KEY=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdE",
                "AbCdEfGhIjKlMnOp",
                "api-key",
            ),
            (
                "key AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdEF used",
                "AbCdEfGhIjKlMnOp",
                "ibm-api-key",
            ),
            (
                "sa eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlc2lnbmF0dXJl ok",
                "eyJzdWIi",
                "jwt",
            ),
        ] {
            let (out, c) = red(input);
            assert!(!out.contains(secret), "{input} -> {out}");
            assert!(out.contains(MARK), "{input} -> {out}");
            assert!(c.contains_key(kind), "{input}: {c:?}");
        }
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        for input in [
            "2025-03-14 09:30:00.000 [INFO][1] main.go 123: Starting controller ControllerType=\"Node\"",
            "image: quay.io/tigera/kube-controllers:v3.28.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "serviceAccountName: calico-kube-controllers",
            "tokenExpirationSeconds: 3600",
            "uid: 6f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
            "data x+AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdEF/y==",
        ] {
            let (out, c) = red(input);
            assert_eq!(out, input);
            assert!(c.is_empty(), "{input}: {c:?}");
        }
    }

    #[test]
    fn objects() {
        let mut pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"data\":{\"a\":\"b\"}}",
                "example.com/api-token": "abc123abc123",
                "plain": "value"
            }},
            "spec": {"serviceAccountName": "sa", "automountServiceAccountToken": true, "containers": [{"name": "c", "env": [
                {"name": "DB_PASSWORD", "value": "hunter2"},
                {"name": "DATASTORE_TYPE", "value": "kubernetes"},
                {"name": "ENABLE_TOKEN", "value": "true"},
                {"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}
            ], "args": ["--token=abcdefabcdef"]}],
            "volumes": [{"name": "v", "secret": {"secretName": "my-secret"}}]}
        });
        let mut c = Counts::new();
        Redactor::default().value(&mut pod, &mut c);
        let s = pod.to_string();
        for gone in [
            "hunter2",
            "\\\"a\\\":\\\"b\\\"",
            "abc123abc123",
            "abcdefabcdef",
        ] {
            assert!(!s.contains(gone), "{gone} in {s}");
        }
        for kept in [
            "kubernetes",
            "my-secret",
            "\"sa\"",
            "secretKeyRef",
            "\"value\"",
            "ENABLE_TOKEN\",\"value\":\"true",
        ] {
            assert!(s.contains(kept), "{kept} not in {s}");
        }
        assert_eq!(c.get("env-value"), Some(&1));
        assert_eq!(c.get("annotation-secret"), Some(&1));
        assert_eq!(c.get("annotation"), Some(&1));
        assert_eq!(c.get("token"), Some(&1));
    }

    #[test]
    fn embedded_secret_and_configmap_kubeconfig() {
        let mut list = json!({"items": [
            {"kind": "Secret", "data": {"x": "eA=="}},
            {"kind": "ConfigMap", "data": {"kubeconfig": "users:\n- name: u\n  user:\n    token: sha256~abcdefghijkl\n"}}
        ]});
        let mut c = Counts::new();
        Redactor::default().value(&mut list, &mut c);
        let s = list.to_string();
        assert!(!s.contains("eA=="), "{s}");
        assert!(!s.contains("abcdefghijkl"), "{s}");
        assert_eq!(c.get("secret-data"), Some(&1));
    }

    #[test]
    fn last_applied_configuration_of_a_deployment() {
        let applied = json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"spec": {
            "containers": [{"name": "c", "env": [{"name": "ADMIN_PASSWORD", "value": "hunter2hunter2"}]}]}}}});
        let mut d = json!({"metadata": {"annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": applied.to_string()}}});
        let mut c = Counts::new();
        Redactor::default().value(&mut d, &mut c);
        let annotation =
            d.pointer("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration");
        let annotation = annotation.and_then(Value::as_str).unwrap_or_default();
        assert!(!annotation.contains("hunter2"), "{annotation}");
        assert!(annotation.contains("ADMIN_PASSWORD"), "{annotation}");
        assert_eq!(c.get("env-value"), Some(&1));
    }

    #[test]
    fn custom_patterns() {
        let r = Redactor::new(vec![
            Regex::new("customer-[0-9]+").unwrap_or_else(|_| unreachable!()),
        ]);
        let mut c = Counts::new();
        let out = r.text("id customer-42 done", &mut c);
        assert_eq!(out, "id [REDACTED] done");
        assert_eq!(c.get("custom"), Some(&1));
    }
}
