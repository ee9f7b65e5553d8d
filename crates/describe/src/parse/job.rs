//! Jobs: the mirror of `render/job.rs`.

use crate::facts::{Described, JobFacts, JobPodsFacts};

use super::apps::count_before;
use super::{At, Keys, Kind, Line, opt, parse_date, walk};

/// Jobs: `Pods Statuses:` (plural), or `Completions:` without a CronJob's `Schedule:`.
pub(super) const JOB: Kind = Kind {
    name: "Job",
    names: &["job", "jobs"],
    recognise: |k: &Keys<'_>| {
        k.has("Pods Statuses") || (k.has("Completions") && !k.has("Schedule"))
    },
    parse: |block| Described::Job(parse_job(block)),
};

/// `1 Active (0 Ready) / 0 Succeeded / 2 Failed`, with or without the ready count, or
/// `1 Running / 0 Succeeded / 2 Failed` as kubectl printed it before 1.23.
fn parse_job_pods(v: &str) -> Option<JobPodsFacts> {
    let parts: Vec<&str> = v.split('/').collect();
    let first = parts.first()?;
    let ready = match first.split_once('(') {
        Some((_, r)) => Some(count_before(r.trim().trim_end_matches(')'), "Ready")?),
        None => None,
    };
    Some(JobPodsFacts {
        active: count_before(first, "Active").or_else(|| count_before(first, "Running"))?,
        ready,
        succeeded: count_before(parts.get(1)?, "Succeeded")?,
        failed: count_before(parts.get(2)?, "Failed")?,
    })
}

fn parse_job(block: &[Line<'_>]) -> JobFacts {
    let mut j = JobFacts::default();
    let events = walk(block, |at: At<'_, '_>| {
        if !at.top {
            return;
        }
        let v = at.value;
        match at.key {
            "Name" if j.name.is_empty() => {
                j.name = v.to_string();
                j.line = at.line.no;
            }
            "Namespace" => j.namespace = opt(v),
            "Selector" => j.selector = opt(v),
            "Controlled By" => j.controlled_by = opt(v),
            "Parallelism" => j.parallelism = v.parse().ok(),
            "Completions" => j.completions = v.parse().ok(),
            "Completion Mode" => j.completion_mode = opt(v),
            "Suspend" => j.suspend = v.parse().ok(),
            "Backoff Limit" => j.backoff_limit = v.parse().ok(),
            "Start Time" => j.start_time = parse_date(v),
            "Completed At" => j.completed_at = parse_date(v),
            "Duration" => j.duration = opt(v),
            "Active Deadline Seconds" => {
                j.active_deadline_seconds = v.strip_suffix('s').unwrap_or(v).parse().ok();
            }
            "Pods Statuses" => j.pods = parse_job_pods(v),
            "Completed Indexes" => j.completed_indexes = opt(v),
            _ => {}
        }
    });
    j.events = events;
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pods_statuses_with_and_without_ready() {
        let p = parse_job_pods("1 Active (0 Ready) / 3 Succeeded / 2 Failed");
        assert_eq!(
            p,
            Some(JobPodsFacts {
                active: 1,
                ready: Some(0),
                succeeded: 3,
                failed: 2
            })
        );
        let p = parse_job_pods("0 Active / 0 Succeeded / 6 Failed");
        assert_eq!(p.map(|p| (p.ready, p.failed)), Some((None, 6)));
        assert_eq!(parse_job_pods("0 Active / 0 Succeeded"), None);
        let p = parse_job_pods("0 Running / 2 Succeeded / 3 Failed");
        assert_eq!(p.map(|p| (p.active, p.succeeded)), Some((0, 2)));
    }
}
