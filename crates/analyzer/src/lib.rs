//! # kbundle-analyzer
//!
//! Offline rules over a [`Snapshot`], following the calico-kube-controllers troubleshooting
//! runbook: is the workload running at all, is its node healthy, why does it crash, what
//! changed. No network, no wall clock: every time is relative to the reference time (the
//! `now` option, else the snapshot's [`Snapshot::reference_time`]).
//!
//! ```no_run
//! use kbundle_analyzer::{analyze, Options};
//! use kbundle_format::{ReadOptions, Snapshot};
//!
//! let snapshot = Snapshot::open_many(&["bundle.zip".into()], &ReadOptions::default())?;
//! let report = analyze(&snapshot, &Options::default());
//! print!("{}", report.to_text(false));
//! # Ok::<(), kbundle_format::Error>(())
//! ```
//!
//! The rules work on [`facts::Facts`], a small model built from the snapshot's objects and
//! from the `kubectl describe` texts it holds (for objects it does not hold), so customer
//! archives of describe output and logs feed the same rules.
#![deny(missing_docs)]
#![deny(clippy::indexing_slicing)]

use jiff::{SignedDuration, Timestamp};
use kbundle_format::{ReferenceTimeSource, Snapshot};

mod describe;
pub mod diagnose;
pub mod diff;
pub mod docs;
pub mod facts;
mod html;
mod logscan;
pub mod markdown;
pub mod reading;
pub mod report;
mod rules;
mod table;
mod text;
mod timeline;

pub use diagnose::{Confidence, Diagnosis, FindingRef};
pub use report::{
    Evidence, Finding, Report, RunbookStep, Severity, Subject, UnknownSeverity, runbook_step,
};
pub use rules::{RULES, RUNBOOK_SECTIONS, RuleInfo, rule};

use facts::{Facts, Source};

/// The workload the analysis is about, e.g. `Deployment/calico-system/calico-kube-controllers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadRef {
    /// Kind (`Deployment`).
    pub kind: String,
    /// Namespace; `None` means "kube-system or calico-system, whichever holds it".
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
}

impl Default for WorkloadRef {
    fn default() -> Self {
        WorkloadRef {
            kind: "Deployment".into(),
            namespace: None,
            name: "calico-kube-controllers".into(),
        }
    }
}

/// A workload that is not `Kind/namespace/name`, `Kind/name` or `namespace/name`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "workload {:?} is not Kind/namespace/name",
    kbundle_format::neutral::escape_controls(.0)
)]
pub struct BadWorkload(pub String);

impl std::str::FromStr for WorkloadRef {
    type Err = BadWorkload;
    /// `Kind/namespace/name`, `Kind/name` or `namespace/name` (a Deployment).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        let bad = || BadWorkload(s.to_string());
        match parts.as_slice() {
            [kind, ns, name] if !kind.is_empty() && !name.is_empty() => Ok(WorkloadRef {
                kind: (*kind).to_string(),
                namespace: Some((*ns).to_string()).filter(|n| !n.is_empty()),
                name: (*name).to_string(),
            }),
            [a, name] if !a.is_empty() && !name.is_empty() => {
                if a.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                    Ok(WorkloadRef {
                        kind: (*a).to_string(),
                        namespace: None,
                        name: (*name).to_string(),
                    })
                } else {
                    Ok(WorkloadRef {
                        kind: "Deployment".into(),
                        namespace: Some((*a).to_string()),
                        name: (*name).to_string(),
                    })
                }
            }
            _ => Err(bad()),
        }
    }
}

/// Analysis options: `Options::default()` and the `with_` setters, e.g.
/// `Options::default().with_window(SignedDuration::from_hours(6)).with_skip(["crash-loop"])`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// How far back from the reference time events, restarts and changes count (24h).
    pub window: SignedDuration,
    /// The reference time; `None`: the snapshot's own ([`Snapshot::reference_time`]).
    pub now: Option<Timestamp>,
    /// The expected workload; `None`: the manifest's `request.workload`, else the
    /// calico-kube-controllers Deployment in kube-system or calico-system.
    pub workload: Option<WorkloadRef>,
    /// Restarts at or above which a container counts as restarting often (5).
    pub restart_threshold: i64,
    /// The rules to run, by id; `None`: every rule. See [`Options::select`].
    pub rules: Option<Vec<String>>,
    /// Rules not to run, by id.
    pub skip: Vec<String>,
    /// Who to escalate to, as next steps name them; organisation-specific (`kbundle analyze
    /// --config`). Default: the runbook's, [`DEFAULT_ESCALATION`].
    pub escalation: String,
    /// How far after the reference time a certificate's expiry counts as expiring
    /// (`certificate-expired`, 30 days).
    pub cert_horizon: SignedDuration,
}

/// The runbook's escalation ("Escalation Policy": the armada-network squad and its Slack
/// channel), the default of [`Options::escalation`].
pub const DEFAULT_ESCALATION: &str = "the network squad (#armada-network)";

impl Options {
    /// These options with the look-back [`Options::window`].
    pub fn with_window(mut self, window: SignedDuration) -> Options {
        self.window = window;
        self
    }

    /// These options with the reference time [`Options::now`].
    pub fn with_now(mut self, now: Option<Timestamp>) -> Options {
        self.now = now;
        self
    }

    /// These options with the expected [`Options::workload`].
    pub fn with_workload(mut self, workload: Option<WorkloadRef>) -> Options {
        self.workload = workload;
        self
    }

    /// These options with the [`Options::restart_threshold`].
    pub fn with_restart_threshold(mut self, threshold: i64) -> Options {
        self.restart_threshold = threshold;
        self
    }

    /// These options running only the rules `ids` ([`Options::rules`]; `None`: every rule).
    pub fn with_rules(mut self, ids: Option<Vec<String>>) -> Options {
        self.rules = ids;
        self
    }

    /// These options skipping the rules `ids` ([`Options::skip`]).
    pub fn with_skip<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Options {
        self.skip = ids.into_iter().map(Into::into).collect();
        self
    }

    /// These options with who to escalate to ([`Options::escalation`]).
    pub fn with_escalation(mut self, escalation: impl Into<String>) -> Options {
        self.escalation = escalation.into();
        self
    }

    /// These options with the certificate expiry horizon ([`Options::cert_horizon`]).
    pub fn with_cert_horizon(mut self, horizon: SignedDuration) -> Options {
        self.cert_horizon = horizon;
        self
    }

    /// The rules these options run, in report order: those of [`Options::rules`] (every rule
    /// when `None`) less those of [`Options::skip`]. An id that names no rule is an error
    /// that lists the known ids.
    pub fn select(&self) -> Result<Vec<&'static RuleInfo>, UnknownRule> {
        for id in self.rules.iter().flatten().chain(&self.skip) {
            if rule(id).is_none() {
                return Err(UnknownRule(id.clone()));
            }
        }
        Ok(RULES
            .iter()
            .filter(|r| {
                self.rules
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|i| i == r.id))
                    && !self.skip.iter().any(|i| i == r.id)
            })
            .collect())
    }
}

/// A rule id that names no rule (from [`Options::rules`] or [`Options::skip`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRule(pub String);

impl std::fmt::Display for UnknownRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let known: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        write!(
            f,
            "unknown rule {:?} (known rules: {})",
            kbundle_format::neutral::escape_controls(&self.0),
            known.join(", ")
        )
    }
}

impl std::error::Error for UnknownRule {}

impl Default for Options {
    fn default() -> Self {
        Options {
            window: SignedDuration::from_hours(24),
            now: None,
            workload: None,
            restart_threshold: 5,
            rules: None,
            skip: Vec::new(),
            escalation: DEFAULT_ESCALATION.to_string(),
            cert_horizon: SignedDuration::from_hours(30 * 24),
        }
    }
}

/// The resolved target workload.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// Kind.
    pub kind: String,
    /// Namespace (the expected one when the workload is absent).
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

/// What every rule gets.
pub(crate) struct Context<'a> {
    /// The facts.
    pub facts: &'a Facts,
    /// The snapshot (for streaming logs), when the facts came from one.
    pub snapshot: Option<&'a Snapshot>,
    /// The reference time.
    pub now: Option<Timestamp>,
    /// The look-back window.
    pub window: SignedDuration,
    /// The expected workload.
    pub target: Target,
    /// Restart threshold.
    pub restart_threshold: i64,
    /// Who to escalate to ([`Options::escalation`]).
    pub escalation: &'a str,
    /// Certificate expiry horizon.
    pub cert_horizon: SignedDuration,
    /// One scan per log of `facts.logs`, in the same order (empty without a snapshot).
    pub(crate) scans: Vec<logscan::LogScan>,
}

impl Context<'_> {
    /// Whether `t` lies in the window before the reference time (or after it). Unknown times
    /// and an unknown reference time count as inside, so that nothing is hidden for lack of a
    /// clock; rules that need a time check it themselves.
    pub fn in_window(&self, t: Option<Timestamp>) -> bool {
        match (self.now, t) {
            (Some(now), Some(t)) => now.duration_since(t) <= self.window,
            _ => true,
        }
    }

    /// How long before the reference time `t` was.
    pub fn age(&self, t: Option<Timestamp>) -> Option<SignedDuration> {
        Some(self.now?.duration_since(t?))
    }

    /// When `t` was, for a message: `3m19s before the reference time`, `at the reference
    /// time` or `after the reference time`; `None` when either time is unknown.
    pub fn when(&self, t: Option<Timestamp>) -> Option<String> {
        let age = self.age(t)?;
        Some(if age.is_zero() {
            "at the reference time".to_string()
        } else if age.is_negative() {
            "after the reference time".to_string()
        } else {
            format!("{} before the reference time", report_duration(age))
        })
    }

    /// ` for 3h`: how long a state that began at `t` has lasted; empty when that is unknown
    /// or not a positive duration (never `for 0s`).
    pub fn lasting(&self, t: Option<Timestamp>) -> String {
        match self.age(t) {
            Some(age) if age.as_secs() > 0 => {
                format!(" for {}", report_duration(age))
            }
            _ => String::new(),
        }
    }

    /// Evidence pointing at a fact's source.
    pub fn evidence(&self, source: &Source, excerpt: &str) -> Evidence {
        Evidence {
            input: source.input,
            path: source.path.clone(),
            line: source.line,
            excerpt: report::excerpt(excerpt),
        }
    }

    /// The pods of the expected workload.
    pub fn target_pods(&self) -> impl Iterator<Item = &facts::Pod> {
        self.facts.pods.iter().filter(|p| p.target)
    }
}

/// A duration as the report writes it: days and hours (`3d4h`), else hours and minutes
/// (`1h30m`), else minutes and seconds (`4m5s`); `0s` for zero. kubectl's form is
/// [`kbundle_describe::kubectl_duration`].
pub(crate) fn report_duration(d: SignedDuration) -> String {
    let mut secs = d.as_secs().unsigned_abs();
    let sign = if d.is_negative() { "-" } else { "" };
    if secs == 0 {
        return "0s".into();
    }
    let days = secs / 86_400;
    secs %= 86_400;
    let hours = secs / 3600;
    secs %= 3600;
    let mins = secs / 60;
    secs %= 60;
    let mut out = String::from(sign);
    if days > 0 {
        out.push_str(&format!("{days}d"));
    }
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if mins > 0 && days == 0 {
        out.push_str(&format!("{mins}m"));
    }
    if secs > 0 && days == 0 && hours == 0 {
        out.push_str(&format!("{secs}s"));
    }
    out
}

/// A window as given: whole hours as `24h`, else like [`report_duration`].
pub(crate) fn window_text(d: SignedDuration) -> String {
    let secs = d.as_secs();
    if secs > 0 && secs % 3600 == 0 && d.subsec_nanos() == 0 {
        format!("{}h", secs / 3600)
    } else {
        report_duration(d)
    }
}

fn resolve_target(snapshot: Option<&Snapshot>, facts: &Facts, options: &Options) -> Target {
    let wanted = options
        .workload
        .clone()
        .or_else(|| {
            snapshot
                .and_then(Snapshot::manifest)
                .and_then(|m| m.request.workload.as_deref())
                .and_then(|w| w.parse().ok())
        })
        .unwrap_or_default();
    let namespace = match &wanted.namespace {
        Some(ns) => ns.clone(),
        None => {
            let candidates = ["calico-system", "kube-system"];
            let present = candidates
                .iter()
                .find(|ns| facts.workload(&wanted.kind, ns, &wanted.name).is_some())
                .or_else(|| {
                    candidates.iter().find(|ns| {
                        facts.pods.iter().any(|p| {
                            p.namespace == **ns && p.name.starts_with(&format!("{}-", wanted.name))
                        })
                    })
                })
                .or_else(|| {
                    // Where the input shows Calico's other workloads (calico-node pods).
                    let shown = rules::calico::shown(facts)?.namespace?;
                    candidates.iter().find(|ns| **ns == shown)
                })
                .or_else(|| {
                    let asked = snapshot
                        .and_then(Snapshot::manifest)
                        .map(|m| m.request.namespaces.clone())
                        .unwrap_or_default();
                    candidates.iter().find(|ns| asked.iter().any(|a| a == **ns))
                })
                .or_else(|| {
                    candidates.iter().find(|ns| {
                        facts.namespaces.contains_key(**ns)
                            || facts.metas.iter().any(|m| m.namespace == **ns)
                    })
                });
            present.unwrap_or(&"calico-system").to_string()
        }
    };
    Target {
        kind: wanted.kind,
        namespace,
        name: wanted.name,
    }
}

fn mark_targets(facts: &mut Facts, target: &Target) {
    let workload = facts
        .workload(&target.kind, &target.namespace, &target.name)
        .cloned();
    let rs_names: Vec<String> = facts
        .replica_sets
        .iter()
        .filter(|rs| {
            rs.namespace == target.namespace
                && rs
                    .owner
                    .as_ref()
                    .is_some_and(|o| o.kind == target.kind && o.name == target.name)
        })
        .map(|rs| rs.name.clone())
        .collect();
    let prefix = format!("{}-", target.name);
    for pod in &mut facts.pods {
        // A pod whose namespace the input does not show (a pasted table without `-n`) may
        // still be the workload's by its name; it keeps its unknown namespace.
        if !pod.namespace.is_empty() && pod.namespace != target.namespace {
            continue;
        }
        let by_owner = pod.owner.as_ref().is_some_and(|o| {
            (o.kind == "ReplicaSet" && rs_names.contains(&o.name))
                || (o.kind == target.kind && o.name == target.name)
                || (o.kind == "ReplicaSet"
                    && o.name.starts_with(&prefix)
                    && o.name[prefix.len()..]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric()))
        });
        let by_selector = workload.as_ref().is_some_and(|w| {
            !w.selector.is_empty() && w.selector.iter().all(|(k, v)| pod.labels.get(k) == Some(v))
        });
        let by_name = pod.owner.is_none()
            && workload.is_none()
            && (pod.name.starts_with(&prefix)
                || pod.labels.get("k8s-app").is_some_and(|a| *a == target.name));
        pod.target = by_owner || by_selector || by_name;
    }
}

/// The most evidence a finding keeps (the first and the last halves).
pub const MAX_EVIDENCE: usize = 20;

/// Why an analysis could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Nothing in the input was recognised: no Kubernetes object, `kubectl describe` output,
    /// `kubectl get` table, event or log.
    #[error(
        "nothing recognised in {inputs}: no Kubernetes object, kubectl describe output, kubectl get table, event or log"
    )]
    NothingRecognised {
        /// The inputs, comma-separated.
        inputs: String,
    },
}

/// Analyzes a snapshot, refusing one of which nothing was recognised ([`Error::NothingRecognised`]):
/// an empty report would read as "no findings".
pub fn try_analyze(snapshot: &Snapshot, options: &Options) -> Result<Report, Error> {
    let (report, recognised) = analyze_snapshot(snapshot, options);
    if recognised {
        Ok(report)
    } else {
        Err(Error::NothingRecognised {
            inputs: report.inputs.join(", "),
        })
    }
}

/// Analyzes a snapshot with the rules [`Options::select`] chooses (of which nothing may have
/// been recognised: see [`try_analyze`]). When the selection names an unknown id, every rule runs
/// (never silently fewer): check the options with [`Options::select`] first to report the error.
pub fn analyze(snapshot: &Snapshot, options: &Options) -> Report {
    analyze_snapshot(snapshot, options).0
}

/// The report, and whether anything in the snapshot was recognised.
fn analyze_snapshot(snapshot: &Snapshot, options: &Options) -> (Report, bool) {
    let reference = match options.now {
        Some(t) => Some((t, ReferenceTimeSource::Given)),
        None => snapshot.reference(),
    };
    // The describe texts, parsed once: for the reference time, the facts and whether anything
    // was recognised.
    let described = describe::parse_describe_texts(snapshot);
    // Without a clock of its own, the input's newest dated observation in text: describe
    // dates (container starts and ends, node heartbeats) or log lines, whichever is newer.
    let reference = reference.or_else(|| {
        let described = describe::newest_described(&described);
        let logged = text::newest_log_time(snapshot);
        match (described, logged) {
            (Some(d), Some(l)) if l > d => Some((l, ReferenceTimeSource::Logs)),
            (Some(d), _) => Some((d, ReferenceTimeSource::Describe)),
            (None, Some(l)) => Some((l, ReferenceTimeSource::Logs)),
            (None, None) => None,
        }
    });
    let now = reference.map(|(t, _)| t);
    let mut facts = Facts::from_snapshot(snapshot);
    facts.add_parsed_describe_texts(described, now);
    let inputs = snapshot
        .inputs()
        .iter()
        .map(|i| i.path().display().to_string())
        .collect();
    let from_objects = !snapshot.is_empty()
        || snapshot.manifest().is_some()
        || !snapshot.logs().is_empty()
        || snapshot.server_version().is_some()
        || snapshot
            .texts()
            .iter()
            .any(|t| t.kind != kbundle_format::TextKind::Other);
    let (report, facts_any) = analyze_all(facts, Some(snapshot), reference, inputs, options);
    // Texts the reader could not tell may still hold describe excerpts or tables the
    // analyzer reads. Without objects, logs or a server version the facts hold only what
    // the describe texts and the tables gave.
    (report, from_objects || facts_any)
}

/// Analyzes facts that did not come from objects (parsed describe text, say). `snapshot`
/// gives access to logs when there is one; `reference` is the reference time and where it
/// came from (`None`: unknown; [`Options::now`] is not read here).
pub fn analyze_facts(
    facts: Facts,
    snapshot: Option<&Snapshot>,
    reference: Option<(Timestamp, ReferenceTimeSource)>,
    inputs: Vec<String>,
    options: &Options,
) -> Report {
    analyze_all(facts, snapshot, reference, inputs, options).0
}

/// [`analyze_facts`], and whether the facts, tables added, hold anything ([`Facts::has_any`]).
fn analyze_all(
    mut facts: Facts,
    snapshot: Option<&Snapshot>,
    reference: Option<(Timestamp, ReferenceTimeSource)>,
    inputs: Vec<String>,
    options: &Options,
) -> (Report, bool) {
    let now = reference.map(|(t, _)| t);
    if let Some(s) = snapshot {
        facts.add_tables(s, now);
    }
    let facts_any = facts.has_any();
    let target = resolve_target(snapshot, &facts, options);
    mark_targets(&mut facts, &target);
    let scans = snapshot
        .map(|s| logscan::scan_all(s, &facts.logs, now))
        .unwrap_or_default();
    let cx = Context {
        facts: &facts,
        snapshot,
        now,
        window: options.window,
        target: target.clone(),
        restart_threshold: options.restart_threshold,
        escalation: &options.escalation,
        cert_horizon: options.cert_horizon,
        scans,
    };
    let selected = options.select().unwrap_or_else(|_| RULES.iter().collect());
    let mut findings = Vec::new();
    for (order, rule) in selected.iter().enumerate() {
        let mut found = Vec::new();
        (rule.check)(&cx, &mut found);
        for mut f in found {
            f.rule = rule.id;
            f.evidence.dedup();
            // Keep reports readable whatever the input: the first and the last pieces.
            if f.evidence.len() > MAX_EVIDENCE {
                let tail = f.evidence.split_off(f.evidence.len() - MAX_EVIDENCE / 2);
                f.evidence.truncate(MAX_EVIDENCE / 2);
                f.evidence.extend(tail);
            }
            findings.push((order, f));
        }
    }
    findings.sort_by(|(oa, a), (ob, b)| {
        (oa, std::cmp::Reverse(a.severity), &a.subject, &a.message).cmp(&(
            ob,
            std::cmp::Reverse(b.severity),
            &b.subject,
            &b.message,
        ))
    });
    let findings: Vec<Finding> = findings.into_iter().map(|(_, f)| f).collect();
    let diagnoses = diagnose::diagnose(&findings, &facts);
    let mut summary = report::Summary::default();
    for f in &findings {
        match f.severity {
            Severity::Critical => summary.critical += 1,
            Severity::Warning => summary.warning += 1,
            Severity::Info => summary.info += 1,
        }
    }
    let report = Report {
        schema_version: report::SCHEMA_VERSION,
        tool: report::tool(),
        diagnoses,
        findings,
        summary,
        reference_time: now.map(|t| t.to_string()),
        reference_time_source: reference.map(|(_, source)| source),
        window: window_text(options.window),
        workload: target.to_string(),
        inputs,
        rules: selected.iter().map(|r| r.id).collect(),
    };
    (report, facts_any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(report_duration(SignedDuration::from_hours(50)), "2d2h");
        assert_eq!(report_duration(SignedDuration::from_mins(90)), "1h30m");
        assert_eq!(report_duration(SignedDuration::from_secs(45)), "45s");
    }

    #[test]
    fn workload_refs() {
        let w: WorkloadRef = "Deployment/calico-system/calico-kube-controllers"
            .parse()
            .unwrap_or_default();
        assert_eq!(w.namespace.as_deref(), Some("calico-system"));
        let w: WorkloadRef = "kube-system/foo".parse().unwrap_or_default();
        assert_eq!((w.kind.as_str(), w.name.as_str()), ("Deployment", "foo"));
        assert!("a/b/c/d".parse::<WorkloadRef>().is_err());
    }
}
