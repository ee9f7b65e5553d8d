//! Label selectors, as the API server understands them: the text form (`a=b,c in (x,y),!d`,
//! the `labelSelector` query parameter, `kubectl -l`) and `metav1.LabelSelector` objects
//! (`matchLabels`, `matchExpressions`: webhooks, workloads, policies). One matcher for the
//! reader's users: the server's lists, the collector's plans and webhook checks, the
//! analyzer's webhook rules.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::json::{array_at, object_at};

/// Labels, looked up by key.
pub trait Labels {
    /// The value of label `key`, if set.
    fn label(&self, key: &str) -> Option<&str>;
}

impl Labels for BTreeMap<String, String> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).map(String::as_str)
    }
}

impl Labels for BTreeMap<&str, &str> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).copied()
    }
}

/// A `metadata.labels` object (non-string values read as absent).
impl Labels for Map<String, Value> {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }
}

/// A `metadata.labels` value: an object, or anything else for no labels.
impl Labels for Value {
    fn label(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }
}

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

    /// A `metav1.LabelSelector` object: `matchLabels`, and `matchExpressions` with the
    /// operators `In`, `NotIn`, `Exists` and `DoesNotExist` (an expression with another
    /// operator is left out: it matches). Absent, null or empty, it selects everything.
    pub fn from_object(selector: Option<&Value>) -> LabelSelector {
        let Some(sel) = selector else {
            return LabelSelector::default();
        };
        let mut requirements: Vec<(String, LabelOp)> = object_at(sel, "/matchLabels")
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                (
                    k.clone(),
                    LabelOp::Eq(v.as_str().unwrap_or_default().to_string()),
                )
            })
            .collect();
        for e in array_at(sel, "/matchExpressions") {
            let text = |field: &str| e.get(field).and_then(Value::as_str).unwrap_or_default();
            let values = || {
                array_at(e, "/values")
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            };
            let op = match text("operator") {
                "In" => LabelOp::In(values()),
                "NotIn" => LabelOp::NotIn(values()),
                "Exists" => LabelOp::Exists,
                "DoesNotExist" => LabelOp::NotExists,
                _ => continue,
            };
            requirements.push((text("key").to_string(), op));
        }
        LabelSelector { requirements }
    }

    /// Whether the labels satisfy every requirement.
    pub fn matches<L: Labels + ?Sized>(&self, labels: &L) -> bool {
        self.requirements.iter().all(|(key, op)| {
            let v = labels.label(key);
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
                parts.push(s.get(start..i).unwrap_or_default());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(s.get(start..).unwrap_or_default());
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_selectors() {
        let l: BTreeMap<&str, &str> = [("app", "web"), ("tier", "front"), ("n", "5")]
            .into_iter()
            .collect();
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
    fn selector_objects() {
        let labels = json!({
            "k8s-app": "calico-kube-controllers",
            "kubernetes.io/metadata.name": "calico-system",
        });
        let m = |sel: Option<Value>| LabelSelector::from_object(sel.as_ref()).matches(&labels);
        assert!(m(None));
        assert!(m(Some(Value::Null)));
        assert!(m(Some(json!({}))));
        assert!(m(Some(
            json!({"matchLabels": {"k8s-app": "calico-kube-controllers"}})
        )));
        assert!(!m(Some(json!({"matchLabels": {"k8s-app": "x"}}))));
        let expr = |op: &str, values: &[&str]| {
            Some(
                json!({"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": op, "values": values}]}),
            )
        };
        assert!(!m(expr("NotIn", &["kube-system", "calico-system"])));
        assert!(m(expr("NotIn", &["kube-system"])));
        assert!(m(expr("In", &["calico-system"])));
        assert!(!m(expr("In", &["kube-system"])));
        assert!(m(expr("Exists", &[])));
        assert!(!m(expr("DoesNotExist", &[])));
        assert!(m(expr("Unknown", &["x"])));
        // Labels in any of the supported forms.
        let owned: BTreeMap<String, String> =
            [("a".to_string(), "1".to_string())].into_iter().collect();
        let sel = LabelSelector::parse("a=1").unwrap_or_default();
        assert!(sel.matches(&owned));
        assert!(sel.matches(json!({"a": "1"}).as_object().unwrap_or(&Map::new())));
        assert!(!sel.matches(&Value::Null));
    }
}
