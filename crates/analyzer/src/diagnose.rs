//! Diagnoses: the root cause first.
//!
//! A diagnosis links one *cause* finding to the findings it explains (its *effects*). The links
//! come from one table, [`LINKS`]: a cause rule, an effect rule, how the two findings' subjects
//! must relate ([`Relation`]) and how sure the link is ([`Confidence`]). `docs/rules.md` prints
//! the same table ([`links_markdown`]).
//!
//! Chains (A explains B, B explains C) become one diagnosis whose cause is the root (A) and
//! whose effects are B and C. Each finding is the effect of at most one diagnosis of high or
//! medium confidence: the most likely one (highest confidence, then most effects, then most
//! severe cause, then the report's order). A `low` link (a recent change that came before the
//! findings) never explains a finding away: it gives a separate, low-confidence diagnosis naming
//! the change as a candidate cause of the findings it precedes that no stronger link explains
//! (the root causes, not their effects again).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::facts::Facts;
use crate::report::{Finding, Subject, shorten};

/// How sure a link, or a diagnosis, is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Confidence {
    /// A candidate: the cause came before the effects and concerns them, nothing more.
    Low,
    /// The subjects are related as the link requires, through objects the input shows.
    Medium,
    /// The same object, or the input names the cause in the effect's own events.
    High,
}

impl Confidence {
    /// `low`, `medium` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// How a cause finding's subject must relate to an effect finding's subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Relation {
    /// The same object (the same pod).
    SameObject,
    /// The cause is a Node and the effect is a pod on it (or the same Node).
    PodOnNode,
    /// The cause is a Service (or the webhook configuration itself) and the effect is a webhook
    /// configuration with a webhook whose backend is that Service.
    WebhookService,
    /// The input shows the cause blocking the effect's object or an object it owns (the
    /// Deployment's ReplicaSets and pods): an event about one of them names the cause (a
    /// webhook of the configuration, the ResourceQuota, the PersistentVolumeClaim), or the
    /// cause's subject is one of them.
    Blocks,
    /// The cause (a change) is cluster-scoped or in the effect's namespace; it is inside the
    /// window, so it came before the reference time. A candidate only.
    Precedes,
}

impl Relation {
    /// How the relation reads in the documentation.
    pub fn describe(self) -> &'static str {
        match self {
            Relation::SameObject => "same object (the same pod)",
            Relation::PodOnNode => "the effect's pod runs on the cause's node (or the same node)",
            Relation::WebhookService => {
                "the cause is the webhook's backend Service, or the webhook configuration itself"
            }
            Relation::Blocks => {
                "an event about the effect's object or what it owns (the Deployment's ReplicaSets \
                 and pods) names the cause (a webhook of the configuration, the ResourceQuota, \
                 the PersistentVolumeClaim), or the cause is one of those objects (the owner chain)"
            }
            Relation::Precedes => {
                "the change is cluster-scoped or in the effect's namespace, inside the window"
            }
        }
    }
}

/// One link of the table: findings of `cause` explain findings of `effect` whose subjects
/// relate as `relation` says.
#[derive(Debug, Clone, Copy)]
pub struct Link {
    /// The cause's rule id.
    pub cause: &'static str,
    /// The effect's rule id.
    pub effect: &'static str,
    /// How the subjects must relate.
    pub relation: Relation,
    /// How sure the link is.
    pub confidence: Confidence,
}

const fn link(
    cause: &'static str,
    effect: &'static str,
    relation: Relation,
    confidence: Confidence,
) -> Link {
    Link {
        cause,
        effect,
        relation,
        confidence,
    }
}

use Confidence::{High, Low, Medium};
use Relation::{Blocks, PodOnNode, Precedes, SameObject, WebhookService};

/// Every link, the one table diagnoses come from; a test checks every id is a rule of the
/// registry.
pub static LINKS: &[Link] = &[
    // The container's own termination reason (OOMKilled) names this cause: high.
    link("memory-limit-hit", "crash-loop", SameObject, High),
    // A crash loop's kill reason does not name probes or the network: medium, so that an
    // OOM kill of the same pod, when the input shows one, is the diagnosis of the crash loop.
    link("probe-failure", "crash-loop", SameObject, Medium),
    link("apiserver-unreachable", "probe-failure", SameObject, High),
    link("apiserver-unreachable", "crash-loop", SameObject, Medium),
    link(
        "service-no-endpoints",
        "webhook-unreachable",
        WebhookService,
        High,
    ),
    link(
        "certificate-expired",
        "webhook-unreachable",
        WebhookService,
        High,
    ),
    link("webhook-unreachable", "workload-missing", Blocks, High),
    link("webhook-unreachable", "pod-pending", Blocks, High),
    link("webhook-denied", "workload-missing", Blocks, High),
    link("quota-exceeded", "workload-missing", Blocks, High),
    link("pvc-pending", "pod-pending", Blocks, High),
    link("node-not-ready", "pod-evicted", PodOnNode, Medium),
    link("node-not-ready", "pod-pending", PodOnNode, Medium),
    link("node-pressure", "pod-evicted", PodOnNode, Medium),
    link("node-pressure", "pod-pending", PodOnNode, Medium),
    link("drain-blocked", "recent-cluster-update", PodOnNode, Medium),
    link("recent-config-change", "crash-loop", Precedes, Low),
    link("recent-config-change", "memory-limit-hit", Precedes, Low),
    link("recent-config-change", "probe-failure", Precedes, Low),
    link("recent-config-change", "workload-missing", Precedes, Low),
    link("recent-config-change", "pod-pending", Precedes, Low),
    link("recent-config-change", "webhook-denied", Precedes, Low),
    link("recent-config-change", "webhook-unreachable", Precedes, Low),
    link(
        "recent-config-change",
        "calico-node-not-ready",
        Precedes,
        Low,
    ),
    link(
        "recent-config-change",
        "apiserver-unreachable",
        Precedes,
        Low,
    ),
];

/// A finding named by its rule and subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRef {
    /// The rule's id.
    pub rule: &'static str,
    /// The finding's subject.
    pub subject: Subject,
}

/// A root cause and the findings it explains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    /// One line: the cause's message, then what it explains. Built from input strings.
    pub summary: String,
    /// The cause finding.
    pub cause: FindingRef,
    /// The findings it explains, in the report's order.
    pub effects: Vec<FindingRef>,
    /// How sure: the lowest confidence of the links it follows.
    pub confidence: Confidence,
    /// Indexes of the cause and the effects in the report's findings (for the renderings).
    #[serde(skip)]
    pub(crate) cause_index: usize,
    #[serde(skip)]
    pub(crate) effect_indexes: Vec<usize>,
}

impl Diagnosis {
    /// The cause, then the effects, each with its index in the report's findings at the time
    /// of the analysis.
    pub(crate) fn findings(&self) -> impl Iterator<Item = (usize, &FindingRef)> {
        std::iter::once((self.cause_index, &self.cause))
            .chain(self.effect_indexes.iter().copied().zip(&self.effects))
    }
}

/// The longest summary, in characters.
const SUMMARY_MAX: usize = 600;
/// The longest cause message in a summary, in characters.
const SUMMARY_CAUSE_MAX: usize = 200;
/// The most effects a summary names; the others are counted.
const SUMMARY_EFFECTS_MAX: usize = 3;

/// Whether a link of `link`'s kind holds between `cause` and `effect`.
fn holds(link: &Link, cause: &Finding, effect: &Finding, facts: &Facts) -> bool {
    let (c, e) = (&cause.subject, &effect.subject);
    match link.relation {
        SameObject => c == e,
        PodOnNode => {
            c.kind == "Node"
                && ((e.kind == "Node" && e.name == c.name)
                    || (e.kind == "Pod"
                        && facts.pods.iter().any(|p| {
                            p.namespace == e.namespace_str()
                                && p.name == e.name
                                && p.node.as_deref() == Some(c.name.as_str())
                        })))
        }
        WebhookService => {
            c == e
                || (c.kind == "Service"
                    && facts.webhook_configs.iter().any(|w| {
                        w.kind == e.kind
                            && w.name == e.name
                            && w.webhooks.iter().any(|h| {
                                h.service.as_ref().is_some_and(|(ns, name)| {
                                    ns == c.namespace_str() && *name == c.name
                                })
                            })
                    }))
        }
        Blocks => blocks(c, e, facts),
        Precedes => c.namespace_str().is_empty() || c.namespace == e.namespace,
    }
}

/// The objects an effect's subject stands for: itself, and for a workload its ReplicaSets and
/// their pods (by owner, or named after it when the input shows no owner).
fn owned(e: &Subject, facts: &Facts) -> Vec<Subject> {
    let mut out = vec![e.clone()];
    if e.kind == "Pod" {
        return out;
    }
    let prefix = format!("{}-", e.name);
    let mut sets: BTreeSet<String> = facts
        .replica_sets
        .iter()
        .filter(|rs| {
            rs.namespace == e.namespace_str()
                && rs
                    .owner
                    .as_ref()
                    .is_some_and(|o| o.kind == e.kind && o.name == e.name)
        })
        .map(|rs| rs.name.clone())
        .collect();
    for ev in &facts.events {
        let r = &ev.regarding;
        if r.kind == "ReplicaSet" && r.namespace == e.namespace_str() && r.name.starts_with(&prefix)
        {
            sets.insert(r.name.clone());
        }
    }
    for p in &facts.pods {
        let by_owner = p
            .owner
            .as_ref()
            .is_some_and(|o| o.kind == "ReplicaSet" && sets.contains(&o.name));
        if p.namespace == e.namespace_str() && (by_owner || p.name.starts_with(&prefix)) {
            out.push(Subject::new("Pod", &p.namespace, &p.name));
        }
    }
    out.extend(
        sets.iter()
            .map(|s| Subject::new("ReplicaSet", e.namespace_str(), s)),
    );
    out
}

/// What an event message says when the cause blocks something: the quoted names of a webhook
/// configuration's webhooks, `quota: NAME` for a ResourceQuota, the quoted claim name for a
/// PersistentVolumeClaim.
fn names_of(c: &Subject, facts: &Facts) -> Vec<String> {
    match c.kind.as_str() {
        "ResourceQuota" => vec![format!("quota: {}", c.name)],
        "PersistentVolumeClaim" => vec![format!("\"{}\"", c.name)],
        _ => facts
            .webhook_configs
            .iter()
            .filter(|w| w.kind == c.kind && w.name == c.name)
            .flat_map(|w| w.webhooks.iter().map(|h| format!("\"{}\"", h.name)))
            .collect(),
    }
}

fn blocks(c: &Subject, e: &Subject, facts: &Facts) -> bool {
    let objects = owned(e, facts);
    if objects.contains(c) {
        return true;
    }
    let names = names_of(c, facts);
    if names.is_empty() {
        return false;
    }
    facts.events.iter().any(|ev| {
        let r = &ev.regarding;
        objects
            .iter()
            .any(|o| o.kind == r.kind && o.name == r.name && o.namespace_str() == r.namespace)
            && names.iter().any(|n| ev.message.contains(n.as_str()))
            && (c.namespace_str().is_empty() || c.namespace_str() == r.namespace)
    })
}

/// The diagnoses of `findings` (in the report's order), most likely first.
pub fn diagnose(findings: &[Finding], facts: &Facts) -> Vec<Diagnosis> {
    let n = findings.len();
    // edges[i]: (j, confidence) for each link from finding i to finding j.
    let mut edges: Vec<Vec<(usize, Confidence)>> = vec![Vec::new(); n];
    let mut explained = vec![false; n];
    for (i, cause) in findings.iter().enumerate() {
        for l in LINKS.iter().filter(|l| l.cause == cause.rule) {
            for (j, effect) in findings.iter().enumerate() {
                if i != j && effect.rule == l.effect && holds(l, cause, effect, facts) {
                    if let Some(v) = edges.get_mut(i) {
                        v.push((j, l.confidence));
                    }
                    if l.confidence > Low
                        && let Some(x) = explained.get_mut(j)
                    {
                        *x = true;
                    }
                }
            }
        }
    }
    // Strong roots: explain something, explained by nothing (the rule graph has no cycle).
    let mut candidates: Vec<(Confidence, Vec<usize>, usize)> = Vec::new();
    for i in 0..n {
        if explained.get(i) == Some(&true) {
            continue;
        }
        let (confidence, reach) = reachable(i, &edges, false);
        if !reach.is_empty() {
            candidates.push((confidence, reach, i));
        }
    }
    let rank = |cands: &mut Vec<(Confidence, Vec<usize>, usize)>| {
        cands.sort_by_key(|(conf, reach, i)| {
            (
                std::cmp::Reverse(*conf),
                std::cmp::Reverse(reach.len()),
                std::cmp::Reverse(findings.get(*i).map(|f| f.severity)),
                *i,
            )
        })
    };
    rank(&mut candidates);
    let mut claimed = vec![false; n];
    let mut out = Vec::new();
    for (confidence, reach, i) in candidates {
        let effects: Vec<usize> = reach
            .into_iter()
            .filter(|&j| claimed.get(j) == Some(&false))
            .collect();
        if effects.is_empty() {
            continue;
        }
        for &j in &effects {
            if let Some(c) = claimed.get_mut(j) {
                *c = true;
            }
        }
        if let Some(c) = claimed.get_mut(i) {
            *c = true;
        }
        // The confidence of the links that reach what this diagnosis explains, not of those
        // that reach findings a stronger diagnosis took.
        let confidence = std::iter::once(i)
            .chain(effects.iter().copied())
            .flat_map(|k| edges.get(k).into_iter().flatten())
            .filter(|(j, c)| *c > Low && effects.contains(j))
            .map(|&(_, c)| c)
            .min()
            .unwrap_or(confidence);
        out.extend(diagnosis(findings, i, effects, confidence));
    }
    // Candidate causes: low links from findings no diagnosis holds.
    let mut low = Vec::new();
    for i in 0..n {
        if claimed.get(i) == Some(&true) {
            continue;
        }
        // What no stronger diagnosis explains: the roots, not their effects again.
        let (_, mut reach) = reachable(i, &edges, true);
        reach.retain(|&j| explained.get(j) == Some(&false));
        if !reach.is_empty() {
            low.push((Low, reach, i));
        }
    }
    rank(&mut low);
    for (confidence, reach, i) in low {
        out.extend(diagnosis(findings, i, reach, confidence));
    }
    out
}

/// The findings reachable from `i` (sorted) and the lowest confidence on the way; with `low`,
/// only `i`'s own low links, else only links above low.
fn reachable(i: usize, edges: &[Vec<(usize, Confidence)>], low: bool) -> (Confidence, Vec<usize>) {
    let mut seen = BTreeSet::new();
    let mut confidence = High;
    if low {
        for &(j, c) in edges.get(i).into_iter().flatten() {
            if c == Low {
                seen.insert(j);
                confidence = Low;
            }
        }
        return (confidence, seen.into_iter().collect());
    }
    let mut stack = vec![i];
    while let Some(k) = stack.pop() {
        for &(j, c) in edges.get(k).into_iter().flatten() {
            if c > Low && j != i && seen.insert(j) {
                confidence = confidence.min(c);
                stack.push(j);
            }
        }
    }
    (confidence, seen.into_iter().collect())
}

fn diagnosis(
    findings: &[Finding],
    cause: usize,
    effects: Vec<usize>,
    confidence: Confidence,
) -> Option<Diagnosis> {
    let c = findings.get(cause)?;
    let refs: Vec<FindingRef> = effects
        .iter()
        .filter_map(|&j| findings.get(j))
        .map(|f| FindingRef {
            rule: f.rule,
            subject: f.subject.clone(),
        })
        .collect();
    let mut explained: Vec<String> = refs
        .iter()
        .take(SUMMARY_EFFECTS_MAX)
        .map(|r| format!("{} on {}", r.rule, r.subject))
        .collect();
    if refs.len() > SUMMARY_EFFECTS_MAX {
        explained.push(format!("{} more", refs.len() - SUMMARY_EFFECTS_MAX));
    }
    let verb = if confidence == Low {
        "may explain"
    } else {
        "explains"
    };
    let summary = shorten(
        &format!(
            "{} {}: {} — {verb} {}",
            c.rule,
            c.subject,
            shorten(&c.message, SUMMARY_CAUSE_MAX),
            explained.join(", ")
        ),
        SUMMARY_MAX,
    );
    Some(Diagnosis {
        summary,
        cause: FindingRef {
            rule: c.rule,
            subject: c.subject.clone(),
        },
        effects: refs,
        confidence,
        cause_index: cause,
        effect_indexes: effects,
    })
}

/// The link table as Markdown, for `docs/rules.md`.
pub fn links_markdown() -> String {
    let mut out = String::from(
        "## Diagnoses\n\n\
         A diagnosis links one cause finding to the findings it explains; the report lists \
         them first, most likely first. A chain (A explains B, B explains C) is one diagnosis \
         whose cause is A. Each finding is explained by at most one high or medium diagnosis; \
         a low link (a change that came before) gives a separate candidate diagnosis.\n\n\
         | Cause | Effect | Subjects | Confidence |\n|---|---|---|---|\n",
    );
    let mark = |id: &str| format!("[`{id}`](#{id})");
    for l in LINKS {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            mark(l.cause),
            mark(l.effect),
            l.relation.describe(),
            l.confidence.as_str()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_names_a_known_rule() {
        for l in LINKS {
            for id in [l.cause, l.effect] {
                assert!(
                    crate::rule(id).is_some(),
                    "link {} -> {}: unknown rule {id}",
                    l.cause,
                    l.effect
                );
            }
            assert_ne!(l.cause, l.effect);
        }
    }

    #[test]
    fn the_rule_graph_has_no_cycle() {
        // Depth-first from every rule: no path comes back to it.
        for start in LINKS.iter().map(|l| l.cause) {
            let mut stack = vec![start];
            let mut seen = BTreeSet::new();
            while let Some(r) = stack.pop() {
                for l in LINKS.iter().filter(|l| l.cause == r) {
                    assert_ne!(l.effect, start, "cycle through {start}");
                    if seen.insert(l.effect) {
                        stack.push(l.effect);
                    }
                }
            }
        }
    }

    #[test]
    fn low_links_only_from_changes() {
        for l in LINKS {
            assert_eq!(
                l.confidence == Low,
                l.relation == Precedes,
                "{} -> {}",
                l.cause,
                l.effect
            );
        }
    }
}
