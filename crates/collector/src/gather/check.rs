//! The options and the plan, checked once before anything is asked of the server.

use std::path::Path;

use jiff::Timestamp;
use kbundle_format::selector::LabelSelector;

use super::{safe_name, shown};
use crate::{Error, Options, Plan, Result, Target};

/// What the checks made of the plan and the options.
pub(super) struct Checked {
    /// The selector of the target pods of a [`Target::Namespaces`] plan.
    pub pod_selector: Option<LabelSelector>,
    /// The selector of the context pods ([`Plan::context_selector`]).
    pub context_selector: Option<LabelSelector>,
    /// The collection time, to the second.
    pub now: Timestamp,
}

impl Checked {
    /// Checks the options, the output path and the plan: an error names the first thing wrong.
    pub(super) fn new(plan: &Plan, options: &Options, out: &Path) -> Result<Checked> {
        let invalid = |what: String| Err(Error::Invalid(what));
        if options.jobs == 0 {
            return invalid("jobs must be at least 1".into());
        }
        if options.max_size < 64 * 1024 {
            return invalid("max-size must be at least 64KiB".into());
        }
        if options.max_response_bytes < 64 * 1024 {
            return invalid("max-response-bytes must be at least 64KiB".into());
        }
        if options.max_objects == 0 {
            return invalid("max-objects must be at least 1".into());
        }
        if out.is_dir() {
            return invalid(format!(
                "the output {} is a directory; name the bundle file",
                out.display()
            ));
        }
        let (namespaces, deployment) = match &plan.target {
            Target::Namespaces { namespaces, .. } => (namespaces, None),
            Target::Workload {
                namespaces,
                deployment,
                ..
            } => (namespaces, Some(deployment)),
        };
        if let Some(bad) = namespaces.iter().find(|ns| !safe_name(ns)) {
            return invalid(format!(
                "namespace \"{}\" is not a Kubernetes name",
                shown(bad)
            ));
        }
        if let Some(bad) = deployment.filter(|d| !safe_name(d)) {
            return invalid(format!(
                "deployment \"{}\" is not a Kubernetes name",
                shown(bad)
            ));
        }
        if let Some(bad) = plan.pods.iter().find(|p| {
            p.split_once('/')
                .is_none_or(|(ns, name)| !safe_name(ns) || !safe_name(name))
        }) {
            return invalid(format!("pod \"{}\" is not NAMESPACE/NAME", shown(bad)));
        }
        let parse_selector = |s: &str| {
            LabelSelector::parse(s).map_err(|source| Error::Selector {
                selector: s.to_string(),
                source,
            })
        };
        let pod_selector = match &plan.target {
            Target::Namespaces {
                selector: Some(s), ..
            } => Some(parse_selector(s)?),
            _ => None,
        };
        let context_selector = plan
            .context_selector
            .as_deref()
            .map(parse_selector)
            .transpose()?;
        let now = options
            .collected_at
            .unwrap_or_else(Timestamp::now)
            .round(jiff::Unit::Second)
            .map_err(Error::Time)?;
        Ok(Checked {
            pod_selector,
            context_selector,
            now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(plan: &Plan, options: &Options) -> Result<Checked> {
        Checked::new(plan, options, Path::new("bundle.zip"))
    }

    #[test]
    fn every_name_of_the_plan_is_checked() {
        let options = Options::default();
        let workload = |deployment: &str, namespace: &str| Plan {
            target: Target::Workload {
                deployment: deployment.into(),
                selector: "app=x".into(),
                namespaces: vec![namespace.into()],
            },
            ..Plan::preset_calico_kube_controllers()
        };
        assert!(check(&workload("x", "ns"), &options).is_ok());
        let e = check(&workload("../x", "ns"), &options).err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("invalid option: deployment \"../x\" is not a Kubernetes name")
        );
        let plan = workload("x", "a/b");
        assert!(matches!(check(&plan, &options), Err(Error::Invalid(_))));
        let plan = Plan::namespaces(["ok"]).with_selector("a in b");
        let e = check(&plan, &options).err();
        assert!(e.as_ref().is_some_and(Error::is_invalid_option), "{e:?}");
        assert!(
            e.as_ref()
                .and_then(|e| std::error::Error::source(e))
                .is_some(),
            "the selector's error is the source"
        );
        let mut options = Options::default().with_jobs(0);
        assert!(check(&Plan::namespaces(["ok"]), &options).is_err());
        options.jobs = 1;
        assert!(check(&Plan::namespaces(["ok"]), &options).is_ok());
    }
}
