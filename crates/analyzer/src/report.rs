//! Findings and the report, with their three renderings: text (terminals), JSON (machines,
//! byte-identical for the same input, see `docs/report-schema.json`) and Markdown (GitHub
//! issues).

use std::fmt::Write as _;

pub use kbundle_format::manifest::Tool;
use kbundle_format::neutral::escape_controls as t;
use serde::Serialize;

use crate::markdown::GITHUB_COMMENT_MAX;

/// How bad a finding is.
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
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "warning" | "warn" => Ok(Severity::Warning),
            "critical" | "crit" => Ok(Severity::Critical),
            _ => Err(format!("unknown severity {s:?} (info, warning, critical)")),
        }
    }
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

/// The result of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The version of the JSON schema, [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool that wrote the report ([`tool`]).
    pub tool: Tool,
    /// The findings, in triage order (see the rule registry).
    pub findings: Vec<Finding>,
    /// Counts by severity.
    pub summary: Summary,
    /// The time the analysis is relative to (RFC 3339), if any was known.
    pub reference_time: Option<String>,
    /// Where the reference time came from: `option` (`--now`), `manifest` (a kbundle
    /// manifest's `collected_at`), `must-gather-timestamp`, `observations` (the newest
    /// observation time the objects record, see `kbundle_format::ReferenceTimeSource`),
    /// `describe` (the newest date in the describe texts), `logs` (the newest dated log line)
    /// or `none`.
    pub reference_time_source: &'static str,
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
                Some(rt) => format!("{} from {}", t(rt), self.reference_time_source),
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
        for f in &self.findings {
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
    out
}
