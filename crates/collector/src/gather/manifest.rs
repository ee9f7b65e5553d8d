//! The manifest, built from the plan, the options and the targets as the phases resolved them
//! (its errors and redactions are added when the bundle is written).

use std::collections::BTreeMap;

use kbundle_format::manifest::{Manifest, Request};
use serde_json::Value;

use super::key_of;
use super::targets::{Targets, Workload};
use crate::{Options, Plan};

/// The manifest of a collection of `plan` with `options`, at `now`.
pub(super) fn build(
    plan: &Plan,
    options: &Options,
    targets: &Targets,
    server_version: Option<Value>,
    now: jiff::Timestamp,
) -> Manifest {
    let mut request = Request {
        preset: plan.preset.clone(),
        namespaces: targets.namespaces.clone(),
        selector: targets.selector.clone(),
        pods: targets
            .pods
            .iter()
            .map(|p| {
                let (ns, name) = key_of(p);
                format!("{ns}/{name}")
            })
            .collect(),
        workload: targets.workload.reference(),
        options: BTreeMap::new(),
    };
    let o = &mut request.options;
    o.insert("max-log-bytes".into(), options.max_log_bytes.to_string());
    o.insert("max-size".into(), options.max_size.to_string());
    o.insert(
        "max-response-bytes".into(),
        options.max_response_bytes.to_string(),
    );
    o.insert("max-objects".into(), options.max_objects.to_string());
    if let Some(since) = options.since {
        o.insert("since".into(), format!("{}s", since.as_secs()));
    }
    if !options.redact.is_empty() {
        o.insert("redact-patterns".into(), options.redact.len().to_string());
    }
    if let Some(sel) = &plan.context_selector {
        o.insert("context-selector".into(), sel.clone());
    }
    if targets.workload == Workload::Missing {
        o.insert("workload-found".into(), "false".into());
    }
    let mut manifest = Manifest::new(&options.tool_version, &now.to_string());
    manifest.cluster.server_version = server_version;
    manifest.cluster.context = options.context.clone();
    manifest.request = request;
    manifest
}
