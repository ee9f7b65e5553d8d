//! Findings and the report, with their three renderings: text (terminals), JSON (machines,
//! byte-identical for the same input, see `docs/report-schema.json`) and Markdown (GitHub
//! issues).

use std::fmt::Write as _;

use kbundle_format::ReferenceTimeSource;
pub use kbundle_format::manifest::Tool;
use kbundle_format::neutral::escape_controls as t;
use serde::Serialize;

use crate::markdown::GITHUB_COMMENT_MAX;

/// How bad a finding is. Deliberately exhaustive (not `#[non_exhaustive]`): the three levels
/// are the report schema's, and embedders match on them (`--fail-on`); a fourth would be a
/// breaking change of the schema anyway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; not a problem by itself.
    Info,
    /// Likely part of the problem, or a problem about to happen.
    Warning,
    /// The workload is down or cannot recover by itself.
    Critical,
}

impl Severity {
    /// `info`, `warning` or `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = UnknownSeverity;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "warning" | "warn" => Ok(Severity::Warning),
            "critical" | "crit" => Ok(Severity::Critical),
            _ => Err(UnknownSeverity(s.to_string())),
        }
    }
}

/// A severity name that is none of `info`, `warning` (`warn`), `critical` (`crit`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity {:?} (info, warning, critical)", t(.0))]
pub struct UnknownSeverity(pub String);

/// The name of a reference time's source as reports print and serialize it: the source's
/// [`ReferenceTimeSource::name`], or `none` when no reference time was found.
pub fn source_name(source: Option<ReferenceTimeSource>) -> &'static str {
    source.map_or("none", ReferenceTimeSource::name)
}

/// Serializes an optional reference time source as its [`source_name`].
pub(crate) fn serialize_source<S: serde::Serializer>(
    source: &Option<ReferenceTimeSource>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(source_name(*source))
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Subject {
    /// Kind, e.g. `Pod`.
    pub kind: String,
    /// Namespace: empty for cluster-scoped objects, `None` when the input does not show the
    /// namespace of a namespaced object (a pasted table without `-n`, say). Never guessed.
    pub namespace: Option<String>,
    /// Name.
    pub name: String,
}

impl Subject {
    /// A subject. An empty namespace means cluster-scoped for cluster-scoped kinds (and kinds
    /// this crate does not know), and unknown for the namespaced built-in kinds.
    pub fn new(kind: &str, namespace: &str, name: &str) -> Subject {
        let namespaced = kbundle_format::resources::builtin()
            .iter()
            .any(|r| r.kind == kind && r.namespaced);
        Subject {
            kind: kind.to_string(),
            namespace: (!namespace.is_empty() || !namespaced).then(|| namespace.to_string()),
            name: name.to_string(),
        }
    }

    /// The namespace as the facts hold it: empty when cluster-scoped or unknown.
    pub fn namespace_str(&self) -> &str {
        self.namespace.as_deref().unwrap_or("")
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.namespace.as_deref() {
            Some("") => write!(f, "{}/{}", self.kind, self.name),
            Some(ns) => write!(f, "{}/{}/{}", self.kind, ns, self.name),
            None => write!(f, "{}/?/{}", self.kind, self.name),
        }
    }
}

/// One piece of evidence: where in the input, and what it says.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Evidence {
    /// Index of the input (see [`Report::inputs`]).
    pub input: usize,
    /// The entry path inside the input.
    pub path: String,
    /// 1-based line number, for text entries (logs, describe output).
    pub line: Option<u64>,
    /// What it says (one line, shortened).
    pub excerpt: String,
}

/// The longest excerpt kept, in characters.
pub const MAX_EXCERPT: usize = 300;

/// `s` on one line (whitespace runs collapsed), at most [`MAX_EXCERPT`] characters.
pub fn excerpt(s: &str) -> String {
    shorten(s, MAX_EXCERPT)
}

/// `s` on one line (whitespace runs collapsed), at most `max` characters.
pub fn shorten(s: &str, max: usize) -> String {
    let one = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > max {
        let mut cut: String = one.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        one
    }
}

/// One finding of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's id, e.g. `crash-loop`.
    pub rule: &'static str,
    /// How bad.
    pub severity: Severity,
    /// What it is about.
    pub subject: Subject,
    /// One line with the numbers that matter.
    pub message: String,
    /// Where it was seen.
    pub evidence: Vec<Evidence>,
    /// What to do next (from the runbook).
    pub next_steps: Vec<String>,
}

/// Counts by severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Critical findings.
    pub critical: usize,
    /// Warnings.
    pub warning: usize,
    /// Informational findings.
    pub info: usize,
}

/// The version of the JSON report's schema (`docs/report-schema.json`). Adding a field keeps
/// it; removing a field or changing what one means increments it.
pub const SCHEMA_VERSION: u32 = 1;

/// The tool that wrote a report: `kbundle` and this crate's version.
pub fn tool() -> Tool {
    Tool {
        name: "kbundle".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

/// The runbook step a finding's rule implements: the runbook section's title and the rule's
/// documentation in `docs/rules.md`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunbookStep {
    /// The runbook section, e.g. `calico-kube-controllers in CrashLoopBackOff or Restarting
    /// Often`.
    pub title: String,
    /// The rule's section of the rules reference, e.g. `docs/rules.md#crash-loop`.
    pub link: String,
}

/// The runbook step of a rule (None for an unknown id, or a rule that quotes no runbook
/// section).
pub fn runbook_step(rule: &str) -> Option<RunbookStep> {
    let info = crate::rules::RULES.iter().find(|r| r.id == rule)?;
    Some(RunbookStep {
        title: info.runbook_step()?.to_string(),
        link: format!("docs/rules.md#{}", info.id),
    })
}

/// Serializes the findings, each with its `runbook` step (additive to schema version 1).
fn findings_with_runbook<S: serde::Serializer>(
    findings: &[Finding],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct WithRunbook<'a> {
        #[serde(flatten)]
        finding: &'a Finding,
        runbook: Option<RunbookStep>,
    }
    serializer.collect_seq(findings.iter().map(|f| WithRunbook {
        finding: f,
        runbook: runbook_step(f.rule),
    }))
}

/// The result of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The version of the JSON schema, [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool that wrote the report ([`tool`]).
    pub tool: Tool,
    /// The root causes, most likely first, each linking a cause finding to the findings it
    /// explains (see [`crate::diagnose`]).
    pub diagnoses: Vec<crate::diagnose::Diagnosis>,
    /// The findings, in triage order (see the rule registry). In JSON each also carries
    /// `runbook`, its rule's [`RunbookStep`].
    #[serde(serialize_with = "findings_with_runbook")]
    pub findings: Vec<Finding>,
    /// Counts by severity.
    pub summary: Summary,
    /// The time the analysis is relative to (RFC 3339), if any was known.
    pub reference_time: Option<String>,
    /// Where the reference time came from ([`ReferenceTimeSource`]: the `now` option, a
    /// kbundle manifest's `collected_at`, a must-gather's `timestamp`, the objects'
    /// observations, the describe texts, the log lines); `None` when none was found. In JSON
    /// its [`source_name`]: `option`, `manifest`, `must-gather-timestamp`, `observations`,
    /// `describe`, `logs` or `none`.
    #[serde(serialize_with = "serialize_source")]
    pub reference_time_source: Option<ReferenceTimeSource>,
    /// The look-back window, e.g. `24h`.
    pub window: String,
    /// The workload the analysis is about, e.g. `Deployment/calico-system/calico-kube-controllers`.
    pub workload: String,
    /// The inputs, as given.
    pub inputs: Vec<String>,
    /// The rules that ran, in order.
    pub rules: Vec<&'static str>,
}

impl Report {
    /// The finding a diagnosis names: the one at index `i` when it is that finding (rule and
    /// subject), else the first with that rule and subject (the findings were changed after
    /// the analysis); with its index.
    pub(crate) fn finding_of(
        &self,
        i: usize,
        r: &crate::diagnose::FindingRef,
    ) -> Option<(usize, &Finding)> {
        let is = |f: &Finding| f.rule == r.rule && f.subject == r.subject;
        match self.findings.get(i) {
            Some(f) if is(f) => Some((i, f)),
            _ => self.findings.iter().enumerate().find(|(_, f)| is(f)),
        }
    }

    /// The highest severity among the findings.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Pretty JSON with a trailing newline; the same input always gives the same bytes.
    pub fn to_json(&self) -> String {
        let mut s =
            serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
        s.push('\n');
        s
    }

    /// Text for terminals; ANSI colours when `color`.
    pub fn to_text(&self, color: bool) -> String {
        let mut out = String::new();
        let paint = |code: &str, s: &str| {
            if color {
                format!("\x1b[{code}m{s}\x1b[0m")
            } else {
                s.to_string()
            }
        };
        let _ = writeln!(
            out,
            "{} {}  (reference time {}, window {})",
            paint("1", "kbundle analyze:"),
            t(&self.workload),
            match self.reference_time.as_deref() {
                Some(rt) => format!("{} from {}", t(rt), source_name(self.reference_time_source)),
                None => "unknown".to_string(),
            },
            t(&self.window)
        );
        if self.findings.is_empty() {
            let _ = writeln!(out, "{}", paint("32", "No findings."));
            return out;
        }
        let _ = writeln!(
            out,
            "{} critical, {} warning, {} info",
            self.summary.critical, self.summary.warning, self.summary.info
        );
        // The diagnoses first, each with its cause and effects; then the findings no
        // diagnosis holds. Every finding is printed once.
        let mut printed = vec![false; self.findings.len()];
        for (n, d) in self.diagnoses.iter().enumerate() {
            let _ = writeln!(
                out,
                "\n{} {} ({} confidence): {}",
                paint("1", "DIAGNOSIS"),
                n + 1,
                d.confidence.as_str(),
                t(&d.summary)
            );
            for (i, r) in d.findings() {
                let Some((i, f)) = self.finding_of(i, r) else {
                    continue;
                };
                if printed.get(i) == Some(&true) {
                    let _ = writeln!(
                        out,
                        "\n  (above) [{}] {}",
                        f.rule,
                        t(&f.subject.to_string())
                    );
                    continue;
                }
                if let Some(p) = printed.get_mut(i) {
                    *p = true;
                }
                out.push('\n');
                out.push_str(&finding_text_of(f, color, &self.inputs));
            }
        }
        let rest: Vec<&Finding> = self
            .findings
            .iter()
            .zip(&printed)
            .filter(|(_, p)| !**p)
            .map(|(f, _)| f)
            .collect();
        if !self.diagnoses.is_empty() && !rest.is_empty() {
            let _ = writeln!(out, "\n{}", paint("1", "NOT EXPLAINED BY A DIAGNOSIS"));
        }
        for f in rest {
            out.push('\n');
            out.push_str(&finding_text_of(f, color, &self.inputs));
        }
        out
    }

    /// Markdown for a GitHub issue or comment, at most [`GITHUB_COMMENT_MAX`] characters: a
    /// summary table, then one `<details>` block per finding (see [`crate::markdown`]).
    pub fn to_markdown(&self) -> String {
        crate::markdown::render(self, GITHUB_COMMENT_MAX)
    }

    /// Markdown of at most `max_chars` characters (at least
    /// [`crate::markdown::MIN_MAX_CHARS`]): the most severe findings whole, then more as
    /// table rows, then a line saying what was left out.
    pub fn to_markdown_within(&self, max_chars: usize) -> String {
        crate::markdown::render(self, max_chars)
    }
}

/// `path:line: excerpt`; with several inputs the path is prefixed with its input
/// (`input#path`), so that evidence of different inputs can be told apart.
pub(crate) fn evidence_line(e: &Evidence, inputs: &[String]) -> String {
    let path = match inputs.get(e.input) {
        Some(input) if inputs.len() > 1 => format!("{input}#{}", e.path),
        _ => e.path.clone(),
    };
    match e.line {
        Some(l) => format!("{path}:{l}: {}", e.excerpt),
        None => format!("{path}: {}", e.excerpt),
    }
}

/// One finding as text, the way `kbundle analyze` prints it (for a single input).
pub fn finding_text(f: &Finding, color: bool) -> String {
    finding_text_of(f, color, &[])
}

fn finding_text_of(f: &Finding, color: bool, inputs: &[String]) -> String {
    let mut out = String::new();
    let sev = match (color, f.severity) {
        (false, s) => s.as_str().to_ascii_uppercase(),
        (true, Severity::Critical) => "\x1b[1;31mCRITICAL\x1b[0m".into(),
        (true, Severity::Warning) => "\x1b[1;33mWARNING\x1b[0m".into(),
        (true, Severity::Info) => "\x1b[1;36mINFO\x1b[0m".into(),
    };
    let _ = writeln!(out, "{sev} [{}] {}", f.rule, t(&f.subject.to_string()));
    let _ = writeln!(out, "  {}", t(&f.message));
    if !f.evidence.is_empty() {
        let _ = writeln!(out, "  evidence:");
        for e in &f.evidence {
            let _ = writeln!(out, "    {}", t(&evidence_line(e, inputs)));
        }
    }
    if !f.next_steps.is_empty() {
        let _ = writeln!(out, "  next steps:");
        for s in &f.next_steps {
            let _ = writeln!(out, "    - {}", t(s));
        }
    }
    if let Some(step) = runbook_step(f.rule) {
        let _ = writeln!(out, "  runbook: \"{}\" ({})", t(&step.title), t(&step.link));
    }
    out
}
