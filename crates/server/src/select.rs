//! Label and field selectors, as the API server understands them.

use kbundle_format::json::{array_at, opt_str_at};
use serde_json::Value;

pub use kbundle_format::selector::{LabelSelector, SelectorError};

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
    let kind = opt_str_at(object, "/kind");
    let field = match (kind, field) {
        (Some("Event"), "source") => "source.component",
        (Some("Job"), "status.successful") => "status.succeeded",
        _ => field,
    };
    if (kind, field) == (Some("Pod"), "status.podIPs") {
        // The API server joins the pod's IPs with commas.
        let ips: Vec<&str> = array_at(object, "/status/podIPs")
            .iter()
            .filter_map(|ip| opt_str_at(ip, "/ip"))
            .collect();
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
        // The escaped comma is part of the value, not a separator.
        let a =
            json!({"kind":"Event","source":{"component":"kubelet"},"involvedObject":{"name":"a"}});
        assert!(!sel.matches(&a));
    }
}
