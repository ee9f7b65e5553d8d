//! What changed between two snapshots: objects added, removed and changed (field by field,
//! noise left out), what that means for pods and nodes, new events, and which findings are
//! new, resolved or persisting. See `docs/diff.md`.
//!
//! ```no_run
//! use kbundle_analyzer::diff::{DiffOptions, diff};
//! use kbundle_format::{ReadOptions, Snapshot};
//!
//! let old = Snapshot::open(std::path::Path::new("before.zip"), &ReadOptions::default())?;
//! let new = Snapshot::open(std::path::Path::new("after.tar.gz"), &ReadOptions::default())?;
//! let d = diff(&old, &new, &DiffOptions::default());
//! print!("{}", d.to_text(false));
//! # Ok::<(), kbundle_format::Error>(())
//! ```
//!
//! Objects are compared by API group, kind, namespace and name (not version), walking both
//! snapshots' objects in that order once; only the changes are kept. Both analyses run at the
//! same time as the comparison, each with its own snapshot's reference time.

use serde::Serialize;

use kbundle_format::Snapshot;

use crate::report::{Finding, Severity};
use crate::{Options, analyze};

mod events;
mod fields;
mod highlights;
mod objects;
mod render;

pub use events::{EventGroup, EventObject};
pub use fields::{FieldChange, MAX_FIELDS};
pub use highlights::{Change, Highlight};
pub use objects::{ChangedObject, NotCompared, ObjectRef};

/// The version of the JSON output (`docs/diff-schema.json`).
pub const SCHEMA_VERSION: u32 = 1;

/// Options of a diff: `DiffOptions::default().with_analysis(options)`.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DiffOptions {
    /// The analysis options for both sides. `now` should stay `None`, so that each side is
    /// analyzed at its own reference time.
    pub analysis: Options,
}

impl DiffOptions {
    /// These options with the analysis options of both sides.
    pub fn with_analysis(mut self, analysis: Options) -> DiffOptions {
        self.analysis = analysis;
        self
    }
}

/// What one side was.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputSummary {
    /// The inputs, as given.
    pub inputs: Vec<String>,
    /// The layout each input was recognised as (`kbundle`, `troubleshoot`, ...).
    pub layouts: Vec<&'static str>,
    /// How many objects were read.
    pub objects: usize,
    /// The side's reference time (RFC 3339), if known.
    pub reference_time: Option<String>,
    /// Where it came from (see the analysis report's
    /// [`reference_time_source`](crate::Report::reference_time_source)).
    #[serde(serialize_with = "crate::report::serialize_source")]
    pub reference_time_source: Option<kbundle_format::ReferenceTimeSource>,
    /// The workload the analysis was about.
    pub workload: String,
}

/// Objects added, removed and changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ObjectsDiff {
    /// In NEW only.
    pub added: Vec<ObjectRef>,
    /// In OLD only.
    pub removed: Vec<ObjectRef>,
    /// In both, with different fields, or recreated.
    pub changed: Vec<ChangedObject>,
    /// Objects in one side only, of a kind and namespace the other side holds none of (a
    /// narrower collection, not a deletion): counted, not compared.
    pub not_compared: Vec<NotCompared>,
}

/// Events new in NEW.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EventsDiff {
    /// Grouped by type, reason and object.
    pub new: Vec<EventGroup>,
    /// Events of NEW in namespaces OLD holds nothing of (not compared).
    pub not_compared: usize,
}

/// Findings of both analyses, matched by rule and subject.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FindingsDiff {
    /// In NEW's analysis only.
    pub new: Vec<Finding>,
    /// In OLD's analysis only.
    pub resolved: Vec<Finding>,
    /// In both (NEW's reading).
    pub persisting: Vec<Finding>,
}

/// The difference between two snapshots.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The old side.
    pub old: InputSummary,
    /// The new side.
    pub new: InputSummary,
    /// Objects.
    pub objects: ObjectsDiff,
    /// What the object changes mean for pods, nodes and workloads: restarts gained, state
    /// changes, new terminations, images and versions, cordons, taints, conditions.
    pub highlights: Vec<Highlight>,
    /// Events.
    pub events: EventsDiff,
    /// Findings.
    pub findings: FindingsDiff,
}

impl Diff {
    /// Whether nothing changed: no object added, removed or changed, no new event, no new or
    /// resolved finding. (Objects not compared are not changes.)
    pub fn is_empty(&self) -> bool {
        self.objects.added.is_empty()
            && self.objects.removed.is_empty()
            && self.objects.changed.is_empty()
            && self.events.new.is_empty()
            && self.findings.new.is_empty()
            && self.findings.resolved.is_empty()
    }

    /// The highest severity among the new findings.
    pub fn max_new_severity(&self) -> Option<Severity> {
        self.findings.new.iter().map(|f| f.severity).max()
    }

    /// Replaces the input names (as the user gave them, say).
    pub fn set_inputs(&mut self, old: Vec<String>, new: Vec<String>) {
        self.old.inputs = old;
        self.new.inputs = new;
    }
}

fn summary(snapshot: &Snapshot, report: &crate::Report) -> InputSummary {
    InputSummary {
        inputs: report.inputs.clone(),
        layouts: snapshot.inputs().iter().map(|i| i.layout.name()).collect(),
        objects: snapshot.len(),
        reference_time: report.reference_time.clone(),
        reference_time_source: report.reference_time_source,
        workload: report.workload.clone(),
    }
}

/// Compares two snapshots. The two analyses and the object walk run on three threads.
pub fn diff(old: &Snapshot, new: &Snapshot, options: &DiffOptions) -> Diff {
    let (old_report, new_report, (objects, highlights, events)) = std::thread::scope(|s| {
        let a = s.spawn(|| analyze(old, &options.analysis));
        let b = s.spawn(|| analyze(new, &options.analysis));
        let scope = objects::Scope::of(old, new);
        let old_time = objects::OldTime::new(old);
        let walked = objects::walk(old, new, scope, &old_time);
        let events = events::new_events(old, new, scope, &old_time);
        (a.join(), b.join(), (walked.0, walked.1, events))
    });
    // A rule that panicked is a bug: it goes on panicking here, as `analyze` would.
    let old_report = old_report.unwrap_or_else(|e| std::panic::resume_unwind(e));
    let new_report = new_report.unwrap_or_else(|e| std::panic::resume_unwind(e));
    Diff {
        schema_version: SCHEMA_VERSION,
        old: summary(old, &old_report),
        new: summary(new, &new_report),
        objects,
        highlights,
        events,
        findings: match_findings(old_report.findings, new_report.findings),
    }
}

/// Findings are the same finding when rule and subject match (messages carry numbers that
/// move); several of one rule and subject pair up in order.
fn match_findings(old: Vec<Finding>, new: Vec<Finding>) -> FindingsDiff {
    let mut old: Vec<Option<Finding>> = old.into_iter().map(Some).collect();
    let mut out = FindingsDiff::default();
    for f in new {
        let twin = old.iter_mut().find(|o| {
            o.as_ref()
                .is_some_and(|o| o.rule == f.rule && o.subject == f.subject)
        });
        match twin {
            Some(slot) => {
                *slot = None;
                out.persisting.push(f);
            }
            None => out.new.push(f),
        }
    }
    out.resolved = old.into_iter().flatten().collect();
    out
}

#[cfg(test)]
mod tests;
