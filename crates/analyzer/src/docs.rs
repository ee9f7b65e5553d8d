//! Generated documentation: `docs/rules.md` comes from the rule registry. A test compares the
//! committed file with [`rules_markdown`]; `UPDATE_DOCS=1 cargo test -p kbundle-analyzer`
//! rewrites it.

use std::fmt::Write as _;

use crate::RULES;

/// `docs/rules.md`: a table of every rule, then each rule's documentation.
pub fn rules_markdown() -> String {
    let mut out = String::new();
    out.push_str("# Analyzer rules\n\n");
    out.push_str(
        "<!-- Generated from crates/analyzer/src/rules/*.rs; do not edit. \
         Regenerate with `UPDATE_DOCS=1 cargo test -p kbundle-analyzer`. -->\n\n",
    );
    out.push_str(
        "`kbundle analyze` runs these rules in this order, which is the order of the \
         calico-kube-controllers runbook's triage: is it running at all, is its node healthy, \
         why does it crash, what changed. `kbundle rules ID` prints one of them.\n\n",
    );
    out.push_str("| Rule | Severities | Detects |\n|---|---|---|\n");
    for r in RULES {
        let _ = writeln!(
            out,
            "| [`{}`](#{}) | {} | {} |",
            r.id,
            r.id,
            r.severities,
            r.summary()
        );
    }
    out.push('\n');
    out.push_str(&crate::diagnose::links_markdown());
    for r in RULES {
        let _ = writeln!(out, "\n## {}\n", r.id);
        let _ = writeln!(out, "Severities: {}.\n", r.severities);
        for line in r.documentation().lines() {
            if line.starts_with('#') {
                let _ = writeln!(out, "#{line}");
            } else {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_rules_md_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/rules.md");
        let want = rules_markdown();
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, &want).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
            return;
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/rules.md is out of date: run `UPDATE_DOCS=1 cargo test -p kbundle-analyzer`"
        );
    }
}
