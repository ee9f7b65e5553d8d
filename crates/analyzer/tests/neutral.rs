//! Neutral output: a hostile input (escape sequences, BiDi overrides, line breaks, `@org/team`,
//! `#123`, URLs, Markdown images and links, HTML tags, `|`, backticks) reaches no sink live.
//! Text is checked for control bytes and forged lines; Markdown is parsed by a GFM parser
//! (comrak, with GitHub's extensions) and its tree checked: no link, image or input HTML, and
//! mention-, reference- and URL-like text only inside code. Markdown of 600 findings fits one
//! GitHub comment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use comrak::nodes::NodeValue;
use comrak::{Arena, Options as MdOptions, parse_document};
use kbundle_analyzer::markdown::{GITHUB_COMMENT_MAX, MIN_MAX_CHARS};
use kbundle_analyzer::report::{SCHEMA_VERSION, Summary, tool};
use kbundle_analyzer::{Evidence, Finding, Options, Report, Severity, Subject, analyze};
use kbundle_format::{ReadOptions, Snapshot};

/// A hostile string: every trick the sinks must defuse.
const H: &str = "\x1b[2J\x1b]52;c;ZXZpbA==\x07 @org/team #123 GH-123 https://evil.example/x \
    ![x](http://evil.example/p.png) [link](http://evil.example) <img src=x onerror=alert(1)> \
    <b>bold</b> a|b ``` ` \u{9b}31m \u{202e}RTL\r\nFORGED LINE www.evil.example";

fn hostile_fixture() -> (Snapshot, Report, Options) {
    let dir = kbundle_testkit::paths::repo("fixtures/hostile-output");
    let snapshot = Snapshot::open(&dir, &ReadOptions::default()).expect("open");
    let options = Options::default().with_now(Some("2025-03-14T10:00:00Z".parse().expect("now")));
    let mut report = analyze(&snapshot, &options);
    report.inputs = vec![format!("fixtures/hostile-output {H}")];
    (snapshot, report, options)
}

fn finding(i: usize, severity: Severity, evidence: usize) -> Finding {
    Finding {
        rule: "crash-loop",
        severity,
        subject: Subject::new("Pod", &format!("ns-{H}"), &format!("pod-{i}-{H}")),
        message: format!("message {i} {H}"),
        evidence: (0..evidence)
            .map(|n| Evidence {
                input: 0,
                path: format!("logs/{H}/{n}.log"),
                line: Some(n as u64 + 1),
                excerpt: format!("{H} {}", "x".repeat(200)),
            })
            .collect(),
        next_steps: vec![format!("kubectl -n {H} delete pod {i}"), H.to_string()],
    }
}

fn synthetic(findings: Vec<Finding>) -> Report {
    let mut summary = Summary::default();
    for f in &findings {
        match f.severity {
            Severity::Critical => summary.critical += 1,
            Severity::Warning => summary.warning += 1,
            Severity::Info => summary.info += 1,
        }
    }
    Report {
        schema_version: SCHEMA_VERSION,
        tool: tool(),
        diagnoses: kbundle_analyzer::diagnose::diagnose(&findings, &Default::default()),
        findings,
        summary,
        reference_time: Some(format!("2025 {H}")),
        reference_time_source: Some(kbundle_format::ReferenceTimeSource::Given),
        window: format!("24h{H}"),
        workload: format!("Deployment/{H}/x"),
        inputs: vec![format!("in {H}"), "second`input".into()],
        rules: vec!["crash-loop"],
    }
}

/// The text holds no control character but line feeds, and no line starts with text the
/// input forged.
fn assert_terminal_safe(text: &str) {
    for (i, c) in text.char_indices() {
        assert!(
            c == '\n' || !kbundle_format::neutral::is_unsafe(c),
            "unsafe {c:?} at {i} in {text}"
        );
    }
    for line in text.lines() {
        assert!(!line.starts_with("FORGED"), "forged line: {line}");
    }
}

/// Removes the colours the text renderer itself paints.
fn strip_own_colours(s: &str) -> String {
    let mut out = s.to_string();
    for code in ["1", "32", "1;31", "1;33", "1;36", "0"] {
        out = out.replace(&format!("\x1b[{code}m"), "");
    }
    out
}

/// Things GitHub would make live when they are outside code.
fn live_markers(s: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    if s.contains('@') {
        found.push("@mention");
    }
    let bytes = s.as_bytes();
    if bytes
        .windows(2)
        .any(|w| w[0] == b'#' && w[1].is_ascii_digit())
    {
        found.push("#reference");
    }
    if s.contains("GH-1") {
        found.push("GH-reference");
    }
    if s.contains("://") || s.contains("www.") {
        found.push("URL");
    }
    if s.contains('<') || s.contains('>') {
        found.push("HTML");
    }
    found
}

/// Parses Markdown as GitHub does and checks the tree.
fn assert_markdown_neutral(md: &str) {
    assert_terminal_safe(md);
    let arena = Arena::new();
    let mut options = MdOptions::default();
    options.extension.table = true;
    options.extension.autolink = true;
    options.extension.strikethrough = true;
    options.extension.tagfilter = true;
    options.extension.tasklist = true;
    options.extension.footnotes = true;
    let root = parse_document(&arena, md, &options);
    let tags = regex::Regex::new(r"</?([a-zA-Z]+)[^>]*>").unwrap();
    let mut code = 0;
    for node in root.descendants() {
        match &node.data.borrow().value {
            NodeValue::Link(l) => panic!("link to {} in\n{md}", l.url),
            NodeValue::Image(l) => panic!("image {} in\n{md}", l.url),
            NodeValue::Text(t) => {
                assert!(
                    live_markers(t).is_empty(),
                    "{:?} in text {t:?}",
                    live_markers(t)
                );
            }
            NodeValue::HtmlInline(h) => panic!("inline HTML {h:?} in\n{md}"),
            NodeValue::HtmlBlock(b) => {
                // Only the report's own tags; input text only inside <code>, entity-escaped.
                let mut rest = b.literal.as_str();
                let mut outside = String::new();
                while let Some(start) = rest.find("<code>") {
                    outside.push_str(&rest[..start]);
                    let end = rest[start..].find("</code>").expect("closed <code>") + start;
                    assert!(!rest[start + 6..end].contains('<'), "{b:?}");
                    rest = &rest[end + 7..];
                    code += 1;
                }
                outside.push_str(rest);
                for t in tags.captures_iter(&outside) {
                    assert!(
                        ["details", "summary", "b"].contains(&&t[1]),
                        "tag {} in {b:?}",
                        &t[0]
                    );
                }
                let text = tags.replace_all(&outside, "");
                assert!(live_markers(&text).is_empty(), "{text:?}");
            }
            NodeValue::Code(_) | NodeValue::CodeBlock(_) => code += 1,
            NodeValue::FootnoteReference(_) | NodeValue::FootnoteDefinition(_) => {
                panic!("footnote in\n{md}")
            }
            _ => {}
        }
    }
    assert!(code > 0, "no code at all in\n{md}");
}

#[test]
fn the_hostile_fixture_reaches_no_sink_live() {
    let (snapshot, report, options) = hostile_fixture();
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert!(rules.contains(&"crash-loop"), "{rules:?}");
    assert!(rules.contains(&"node-not-ready"), "{rules:?}");
    // The fixture is hostile where it matters: findings quote the hostile strings.
    let json = report.to_json();
    assert!(json.contains("\\u001b]52;c;"), "{json}");
    assert!(json.contains("@org/team"), "{json}");
    assert_terminal_safe(&report.to_text(false));
    assert_terminal_safe(&strip_own_colours(&report.to_text(true)));
    assert!(report.to_text(false).contains("\\x1b]52;c;ZXZpbA==\\x07"));
    let md = report.to_markdown();
    assert_markdown_neutral(&md);
    assert!(md.contains("@org/team"), "{md}");
    // HTML keeps its guarantees: no tag from the input, no control character.
    let html = report.to_html(&snapshot, &options);
    assert!(html.contains("id=\"timeline-overview\""), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>bold"), "{html}");
    assert!(!html.contains('\x1b'));
    assert!(!html.contains('\u{202e}'));
}

#[test]
fn every_field_is_neutral_in_every_sink() {
    let report = synthetic(vec![
        finding(0, Severity::Critical, 3),
        finding(1, Severity::Info, 0),
    ]);
    let text = report.to_text(false);
    assert_terminal_safe(&text);
    assert_terminal_safe(&strip_own_colours(&report.to_text(true)));
    // Each finding is its header, message, evidence, steps and runbook step: nothing more.
    // Header and counts; per finding a blank line, its header, message, evidence (title and
    // lines), next steps (title and steps) and the runbook line.
    assert_eq!(
        text.lines().count(),
        2 + (1 + 1 + 1 + (1 + 3) + (1 + 2) + 1) + (1 + 1 + 1 + (1 + 2) + 1),
        "{text}"
    );
    assert_markdown_neutral(&report.to_markdown());
    // JSON stays exact.
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["findings"][0]["message"], format!("message 0 {H}"));
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["tool"]["name"], "kbundle");
    assert_eq!(json["tool"]["version"], env!("CARGO_PKG_VERSION"));
}

/// 600 findings, most with 20 long evidence lines: ~3 MB of Markdown unbounded.
fn many() -> Report {
    let findings = (0..600)
        .map(|i| {
            let severity = match i % 12 {
                0 => Severity::Critical,
                1..=3 => Severity::Warning,
                _ => Severity::Info,
            };
            finding(i, severity, 20)
        })
        .collect();
    synthetic(findings)
}

#[test]
fn six_hundred_findings_fit_one_github_comment() {
    let report = many();
    for max in [GITHUB_COMMENT_MAX, 20_000, MIN_MAX_CHARS, 10] {
        let md = report.to_markdown_within(max);
        let chars = md.chars().count();
        assert!(chars <= max.max(MIN_MAX_CHARS), "{chars} > {max}");
        assert_markdown_neutral(&md);
        let last = md.lines().last().unwrap_or_default();
        assert!(last.starts_with("**Left out**"), "{last}");
        assert!(last.contains("--format json"), "{last}");
    }
    let md = report.to_markdown();
    assert_eq!(md, report.to_markdown_within(GITHUB_COMMENT_MAX));
    // Whole findings are the most severe: every critical one before any warning or info.
    let whole: Vec<&str> = md
        .lines()
        .filter_map(|l| l.strip_prefix("<summary><b>"))
        .map(|l| l.split('<').next().unwrap_or_default())
        .collect();
    assert!(!whole.is_empty());
    assert!(whole.iter().all(|s| *s == "critical"), "{whole:?}");
    // The table lists more findings than are whole; the last line counts the rest exactly.
    let rows = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Severity"))
        .count();
    assert!(rows > whole.len(), "{rows} rows, {} whole", whole.len());
    let last = md.lines().last().unwrap_or_default();
    assert!(
        last.contains(&format!(
            "of {} findings listed in the table",
            rows - whole.len()
        )),
        "{last}"
    );
    assert!(
        last.contains(&format!("{} findings entirely", 600 - rows)),
        "{last}"
    );
}

#[test]
fn a_small_report_is_whole() {
    let report = synthetic(vec![finding(0, Severity::Warning, 2)]);
    let md = report.to_markdown();
    assert!(!md.contains("Left out"), "{md}");
    assert_eq!(md.matches("<details>").count(), 1);
}

#[test]
fn diagnoses_are_neutral_and_first_within_the_budget() {
    // 300 hostile pods, each OOM-killed (memory-limit-hit) and crash-looping: 300 diagnoses
    // whose summaries quote the hostile strings.
    let mut findings = Vec::new();
    for i in 0..300 {
        let mut oom = finding(i, Severity::Critical, 20);
        oom.rule = "memory-limit-hit";
        findings.push(oom);
        findings.push(finding(i, Severity::Critical, 20));
    }
    let report = synthetic(findings);
    assert_eq!(report.diagnoses.len(), 300);
    assert!(report.diagnoses[0].summary.contains("@org/team"));
    let text = report.to_text(false);
    assert_terminal_safe(&text);
    assert!(text.starts_with("kbundle analyze:"));
    assert_eq!(text.matches("\nDIAGNOSIS ").count(), 300);
    // Every finding once.
    assert_eq!(text.matches("CRITICAL [crash-loop]").count(), 300);
    assert_eq!(text.matches("CRITICAL [memory-limit-hit]").count(), 300);
    assert!(!text.contains("NOT EXPLAINED"));
    for max in [GITHUB_COMMENT_MAX, 20_000, MIN_MAX_CHARS] {
        let md = report.to_markdown_within(max);
        assert!(md.chars().count() <= max, "{max}");
        assert_markdown_neutral(&md);
        let diagnoses = md.find("### Diagnoses").expect("diagnoses");
        assert!(md.find("| Severity |").is_none_or(|t| diagnoses < t));
        let items = md
            .lines()
            .filter(|l| l.contains(". **high** confidence:"))
            .count();
        assert!(items > 0, "{max}");
        let last = md.lines().last().unwrap_or_default();
        // Diagnoses before findings: while one is left out, no finding is kept whole.
        assert!(
            last.contains(&format!("{} diagnoses", 300 - items)),
            "{last}"
        );
        assert_eq!(md.matches("<details>").count(), 0, "{max}");
    }
    let (snapshot, _, options) = hostile_fixture();
    let html = report.to_html(&snapshot, &options);
    assert!(html.find("id=\"diagnoses\"") < html.find("id=\"summary\""));
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>bold"));
    assert!(!html.contains('\x1b'));
}
