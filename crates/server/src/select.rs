//! Label and field selectors, as the API server understands them.

use std::collections::BTreeMap;

use serde_json::Value;

/// A selector that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unable to parse requirement: {0}")]
pub struct SelectorError(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
enum LabelOp {
    Eq(String),
    NotEq(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    NotExists,
    Gt(i64),
    Lt(i64),
}

/// A label selector: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x,y)`, `a`, `!a`, `a>1`,
/// `a<1`, joined by commas (all must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    requirements: Vec<(String, LabelOp)>,
}

impl LabelSelector {
    /// Parses a selector; the empty string selects everything.
    pub fn parse(s: &str) -> Result<LabelSelector, SelectorError> {
        let mut requirements = Vec::new();
        for part in split_top_level(s) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            requirements.push(parse_label_requirement(part)?);
        }
        Ok(LabelSelector { requirements })
    }

    /// Whether the labels satisfy every requirement.
    pub fn matches(&self, labels: &BTreeMap<&str, &str>) -> bool {
        self.requirements.iter().all(|(key, op)| {
            let v = labels.get(key.as_str()).copied();
            match op {
                LabelOp::Eq(x) => v == Some(x.as_str()),
                LabelOp::NotEq(x) => v != Some(x.as_str()),
                LabelOp::In(xs) => v.is_some_and(|v| xs.iter().any(|x| x == v)),
                LabelOp::NotIn(xs) => v.is_none_or(|v| !xs.iter().any(|x| x == v)),
                LabelOp::Exists => v.is_some(),
                LabelOp::NotExists => v.is_none(),
                LabelOp::Gt(n) => v
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v > *n),
                LabelOp::Lt(n) => v
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v < *n),
            }
        })
    }

    /// Whether it selects everything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }
}

/// Splits at commas outside parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 317
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

fn valid_value(v: &str) -> bool {
    v.len() <= 63
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn parse_set(rest: &str, whole: &str) -> Result<Vec<String>, SelectorError> {
    let rest = rest.trim();
    let inner = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| {
            SelectorError(format!("{whole}: expected a set of values in parentheses"))
        })?;
    let values: Vec<String> = inner
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if let Some(bad) = values.iter().find(|v| !valid_value(v)) {
        return Err(SelectorError(format!(
            "{whole}: invalid label value {bad:?}"
        )));
    }
    Ok(values)
}

fn parse_label_requirement(part: &str) -> Result<(String, LabelOp), SelectorError> {
    let err = |why: &str| SelectorError(format!("{part}: {why}"));
    if let Some(key) = part.strip_prefix('!') {
        let key = key.trim();
        if !valid_key(key) {
            return Err(err("invalid label key"));
        }
        return Ok((key.to_string(), LabelOp::NotExists));
    }
    // Set-based: `key in (..)`, `key notin (..)`.
    let mut words = part.splitn(2, char::is_whitespace);
    let first = words.next().unwrap_or_default();
    let rest = words.next().unwrap_or_default().trim_start();
    if !rest.is_empty() && valid_key(first) {
        if let Some(set) = rest.strip_prefix("notin") {
            return Ok((first.to_string(), LabelOp::NotIn(parse_set(set, part)?)));
        }
        if let Some(set) = rest.strip_prefix("in") {
            return Ok((first.to_string(), LabelOp::In(parse_set(set, part)?)));
        }
    }
    for (token, kind) in [("==", 0), ("!=", 1), ("=", 2), (">", 3), ("<", 4)] {
        if let Some((k, v)) = part.split_once(token) {
            let (k, v) = (k.trim(), v.trim());
            if !valid_key(k) {
                return Err(err("invalid label key"));
            }
            return match kind {
                0 | 2 if valid_value(v) => Ok((k.to_string(), LabelOp::Eq(v.to_string()))),
                1 if valid_value(v) => Ok((k.to_string(), LabelOp::NotEq(v.to_string()))),
                3 => v
                    .parse()
                    .map(|n| (k.to_string(), LabelOp::Gt(n)))
                    .map_err(|_| err("expected an integer")),
                4 => v
                    .parse()
                    .map(|n| (k.to_string(), LabelOp::Lt(n)))
                    .map_err(|_| err("expected an integer")),
                _ => Err(err("invalid label value")),
            };
        }
    }
    if valid_key(part) {
        return Ok((part.to_string(), LabelOp::Exists));
    }
    Err(err("invalid label key"))
}

/// A field selector: `field=value`, `field==value`, `field!=value`, joined by commas (all must
/// hold). Values may escape `,`, `=` and `\` with a backslash. Matching reads any field path
/// of the object (`metadata.name`, `spec.nodeName`, `involvedObject.uid`, ...; a missing field
/// reads as the empty string, `source` on events means `source.component`); which field labels
/// are allowed is the server's business (it refuses those a real API server refuses).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSelector {
    requirements: Vec<(String, bool, String)>,
}

impl FieldSelector {
    /// Parses a selector; the empty string selects everything.
    pub fn parse(s: &str) -> Result<FieldSelector, SelectorError> {
        let mut requirements = Vec::new();
        for part in split_escaped(s) {
            if part.trim().is_empty() {
                continue;
            }
            let (field, equal, value) = split_field_requirement(&part).ok_or_else(|| {
                SelectorError(format!("{part}: expected field=value or field!=value"))
            })?;
            if field.is_empty() {
                return Err(SelectorError(format!("{part}: empty field name")));
            }
            requirements.push((field, equal, value));
        }
        Ok(FieldSelector { requirements })
    }

    /// Whether the object satisfies every requirement.
    pub fn matches(&self, object: &Value) -> bool {
        self.requirements
            .iter()
            .all(|(field, equal, value)| (field_value(object, field) == *value) == *equal)
    }

    /// The value required for `field` with `=`, if any (to narrow a search).
    pub fn required(&self, field: &str) -> Option<&str> {
        self.requirements
            .iter()
            .find(|(f, eq, _)| f == field && *eq)
            .map(|(_, _, v)| v.as_str())
    }

    /// Whether it selects everything.
    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// The fields it uses.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.requirements.iter().map(|(f, _, _)| f.as_str())
    }
}

/// The field labels the real API server accepts in field selectors for a built-in kind
/// (besides `metadata.name` and `metadata.namespace`); `None` when any field is accepted
/// (kinds whose labels are not known here).
pub(crate) fn supported_fields(group: &str, kind: &str) -> Option<&'static [&'static str]> {
    Some(match (group, kind) {
        ("", "Pod") => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
        ],
        ("", "Event") => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        ("", "Node") => &["spec.unschedulable"],
        ("", "Namespace") => &["status.phase"],
        ("", "Secret") => &["type"],
        ("", "ReplicationController") | ("apps", "ReplicaSet") => &["status.replicas"],
        ("batch", "Job") => &["status.successful"],
        ("certificates.k8s.io", "CertificateSigningRequest") => &["spec.signerName"],
        ("events.k8s.io", _) => return None,
        (g, _) if g.is_empty() || !g.contains('.') || g.ends_with(".k8s.io") => &[],
        _ => return None,
    })
}

/// Splits at unescaped commas, keeping escapes in the parts.
fn split_escaped(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ',' => parts.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    parts.push(cur);
    parts
}

/// (field, is-equality, unescaped value)
fn split_field_requirement(part: &str) -> Option<(String, bool, String)> {
    let chars: Vec<char> = part.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '\\' => i += 2,
            '!' if chars.get(i + 1) == Some(&'=') => {
                let field: String = chars.get(..i).unwrap_or_default().iter().collect();
                return Some((
                    field.trim().to_string(),
                    false,
                    unescape(chars.get(i + 2..).unwrap_or_default()),
                ));
            }
            '=' => {
                let skip = if chars.get(i + 1) == Some(&'=') { 2 } else { 1 };
                let field: String = chars.get(..i).unwrap_or_default().iter().collect();
                return Some((
                    field.trim().to_string(),
                    true,
                    unescape(chars.get(i + skip..).unwrap_or_default()),
                ));
            }
            _ => i += 1,
        }
    }
    None
}

fn unescape(chars: &[char]) -> String {
    let mut out = String::new();
    let mut it = chars.iter();
    while let Some(&c) = it.next() {
        if c == '\\' {
            if let Some(&n) = it.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The string value of a field path of an object, as field selectors see it.
pub(crate) fn field_value(object: &Value, field: &str) -> String {
    let kind = object.get("kind").and_then(Value::as_str);
    let field = match (kind, field) {
        (Some("Event"), "source") => "source.component",
        (Some("Job"), "status.successful") => "status.succeeded",
        _ => field,
    };
    if (kind, field) == (Some("Pod"), "status.podIPs") {
        // The API server joins the pod's IPs with commas.
        let ips: Vec<&str> = object
            .pointer("/status/podIPs")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|ip| ip.get("ip").and_then(Value::as_str))
                    .collect()
            })
            .unwrap_or_default();
        return ips.join(",");
    }
    let mut cur = object;
    for piece in field.split('.') {
        match cur.get(piece) {
            Some(v) => cur = v,
            None => {
                // What the API server's field sets give for an unset field.
                return match field {
                    "spec.hostNetwork" | "spec.unschedulable" => "false".into(),
                    "status.replicas" | "status.succeeded" => "0".into(),
                    _ => String::new(),
                };
            }
        }
    }
    match cur {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels<'a>(pairs: &[(&'a str, &'a str)]) -> BTreeMap<&'a str, &'a str> {
        pairs.iter().copied().collect()
    }

    #[test]
    fn label_selectors() {
        let l = labels(&[("app", "web"), ("tier", "front"), ("n", "5")]);
        let m = |s: &str| LabelSelector::parse(s).map(|sel| sel.matches(&l));
        assert_eq!(m(""), Ok(true));
        assert_eq!(m("app=web"), Ok(true));
        assert_eq!(m("app==web"), Ok(true));
        assert_eq!(m("app!=web"), Ok(false));
        assert_eq!(m("app!=db"), Ok(true));
        assert_eq!(m("missing!=x"), Ok(true));
        assert_eq!(m("app in (db, web)"), Ok(true));
        assert_eq!(m("app in (db)"), Ok(false));
        assert_eq!(m("app notin (db)"), Ok(true));
        assert_eq!(m("missing notin (db)"), Ok(true));
        assert_eq!(m("app,tier=front"), Ok(true));
        assert_eq!(m("!app"), Ok(false));
        assert_eq!(m("!missing"), Ok(true));
        assert_eq!(m("missing"), Ok(false));
        assert_eq!(m("n>4,n<6"), Ok(true));
        assert_eq!(m("app in (db,web),tier notin (back)"), Ok(true));
        assert!(m("app in db").is_err());
        assert!(m("a b c").is_err());
        assert!(m("=x").is_err());
        assert!(m("app=we b").is_err());
        assert!(m("n>x").is_err());
    }

    #[test]
    fn field_selectors() {
        let pod = json!({"kind":"Pod","metadata":{"name":"p","namespace":"ns"},"spec":{"nodeName":"10.0.0.1"},"status":{"phase":"Running"}});
        let m = |s: &str| FieldSelector::parse(s).map(|sel| sel.matches(&pod));
        assert_eq!(m(""), Ok(true));
        assert_eq!(m("metadata.name=p"), Ok(true));
        assert_eq!(m("metadata.name==p,metadata.namespace=ns"), Ok(true));
        assert_eq!(
            m("spec.nodeName=10.0.0.1,status.phase!=Succeeded,status.phase!=Failed"),
            Ok(true)
        );
        assert_eq!(m("status.phase!=Running"), Ok(false));
        assert_eq!(m("spec.schedulerName="), Ok(true));
        assert_eq!(m("spec.hostNetwork=false"), Ok(true));
        assert!(m("novalue").is_err());
        let ev = json!({"kind":"Event","source":{"component":"kubelet"},"involvedObject":{"name":"a,b"}});
        let sel =
            FieldSelector::parse(r"involvedObject.name=a\,b,source=kubelet").unwrap_or_default();
        assert!(sel.matches(&ev));
        assert_eq!(sel.required("involvedObject.name"), Some("a,b"));
    }
}
