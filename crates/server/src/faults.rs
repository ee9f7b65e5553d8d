//! Fault injection, to test how callers (the collector, kube-rs code) handle a difficult API
//! server.
//!
//! The textual form (`kbundle serve --faults SPEC`) is a `;`-separated list of:
//!
//! - `forbid=RES[,RES...]`: `403 Forbidden` on every request for these resources (a plural,
//!   optionally qualified by its group: `pods`, `deployments.apps`, `felixconfigurations.crd.projectcalico.org`).
//! - `vanish=NS/POD[,NS/POD...]`: the pod's `GET` (and its log) answers `404 NotFound` once a list
//!   has returned it: the pod "was deleted" between the list and the get.
//! - `error-every=N`: every N-th request (1-based, counted over all requests) answers `500`.
//! - `delay=DURATION`: every response waits this long first (`250ms`, `2s`, or milliseconds).
//! - `cut-logs=BYTES`: log streams are cut off (the connection is aborted, no clean end of
//!   body) after this many bytes.
//! - `message=TEXT`: appended to the `Status.message` of every `forbid` answer (to test what
//!   callers do with a server's words, e.g. that a credential in them is redacted).

use std::time::Duration;

/// A fault specification that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid fault {part:?}: {why}")]
pub struct FaultParseError {
    /// The offending part.
    pub part: String,
    /// Why.
    pub why: String,
}

/// Faults to inject (see the module docs for the textual syntax).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Resources answered with `403` (plural or `plural.group`).
    pub forbid: Vec<String>,
    /// Pods (`namespace`, `name`) whose `GET` answers `404` once a list has returned them.
    pub vanish: Vec<(String, String)>,
    /// Every n-th request answers `500`.
    pub error_every: Option<u64>,
    /// A delay before every response.
    pub delay: Option<Duration>,
    /// Log streams are aborted after this many bytes.
    pub cut_logs_after: Option<u64>,
    /// Text appended to the message of every `forbid` answer.
    pub message: Option<String>,
}

impl Faults {
    /// Parses the textual form.
    pub fn parse(spec: &str) -> Result<Faults, FaultParseError> {
        let mut faults = Faults::default();
        for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let err = |why: &str| FaultParseError {
                part: part.to_string(),
                why: why.to_string(),
            };
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| err("expected KEY=VALUE"))?;
            let value = value.trim();
            match key.trim() {
                "forbid" => faults.forbid.extend(
                    value
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from),
                ),
                "vanish" => {
                    for pod in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        let (ns, name) = pod
                            .split_once('/')
                            .ok_or_else(|| err("expected NAMESPACE/POD"))?;
                        faults.vanish.push((ns.to_string(), name.to_string()));
                    }
                }
                "error-every" => {
                    let n: u64 = value
                        .parse()
                        .map_err(|_| err("expected a positive integer"))?;
                    if n == 0 {
                        return Err(err("expected a positive integer"));
                    }
                    faults.error_every = Some(n);
                }
                "delay" => {
                    faults.delay = Some(
                        parse_duration(value)
                            .ok_or_else(|| err("expected a duration like 250ms or 2s"))?,
                    )
                }
                "cut-logs" => {
                    faults.cut_logs_after = Some(
                        value
                            .parse()
                            .map_err(|_| err("expected a number of bytes"))?,
                    );
                }
                "message" => faults.message = Some(value.to_string()),
                _ => {
                    return Err(err(
                        "unknown fault (known: forbid, vanish, error-every, delay, cut-logs, message)",
                    ));
                }
            }
        }
        Ok(faults)
    }

    /// Whether no fault is set.
    pub fn is_empty(&self) -> bool {
        *self == Faults::default()
    }

    pub(crate) fn forbids(&self, group: &str, plural: &str) -> bool {
        self.forbid.iter().any(|f| match f.split_once('.') {
            Some((p, g)) => p == plural && g == group,
            None => f == plural,
        })
    }
}

fn parse_duration(s: &str) -> Option<Duration> {
    if let Some(ms) = s.strip_suffix("ms") {
        return ms.trim().parse().ok().map(Duration::from_millis);
    }
    if let Some(secs) = s.strip_suffix('s') {
        return secs
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x >= 0.0 && *x < 3600.0)
            .map(Duration::from_secs_f64);
    }
    s.parse().ok().map(Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse() {
        let f = Faults::parse(
            "forbid=secrets,deployments.apps; vanish=kube-system/p1;error-every=3;delay=250ms;cut-logs=100;message=token=abc def",
        );
        assert_eq!(
            f,
            Ok(Faults {
                forbid: vec!["secrets".into(), "deployments.apps".into()],
                vanish: vec![("kube-system".into(), "p1".into())],
                error_every: Some(3),
                delay: Some(Duration::from_millis(250)),
                cut_logs_after: Some(100),
                message: Some("token=abc def".into()),
            })
        );
        let f = Faults::parse("forbid=secrets,deployments.apps").unwrap_or_default();
        assert!(f.forbids("", "secrets"));
        assert!(f.forbids("apps", "deployments"));
        assert!(!f.forbids("extensions", "deployments"));
        assert_eq!(
            Faults::parse("delay=2s").map(|f| f.delay),
            Ok(Some(Duration::from_secs(2)))
        );
        assert_eq!(Faults::parse(""), Ok(Faults::default()));
        assert!(Faults::parse("error-every=0").is_err());
        assert!(Faults::parse("nope=1").is_err());
        assert!(Faults::parse("vanish=p").is_err());
        assert!(Faults::parse("delay=-1s").is_err());
        assert!(Faults::parse("forbid").is_err());
    }
}
