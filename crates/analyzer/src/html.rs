//! The HTML report: one self-contained page (inline CSS and SVG, no script, no external
//! resource; a Content-Security-Policy forbids loading any) with the findings and the incident
//! timeline.
//!
//! Every string from the input is escaped, in text and in attributes alike, so a pod named
//! `<script>` stays text. The same report and timeline always give the same bytes.

use std::fmt::Write as _;

use jiff::{SignedDuration, Timestamp};

use crate::report::{Evidence, Finding, Report, Severity, shorten};
use crate::timeline::{Group, Kind, Lane, Mark, Timeline};
use crate::window_text;

/// Escapes text for HTML and SVG, in text and in quoted attributes. Control characters other
/// than tab and newline, BiDi controls and invisible format characters become visible escapes
/// (`\x1b`, `\u{202e}`: [`kbundle_format::neutral::escape_controls`]).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if kbundle_format::neutral::is_unsafe(c) => {
                out.push_str(&kbundle_format::neutral::escape_controls(
                    c.encode_utf8(&mut [0; 4]),
                ));
            }
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { color-scheme: light; --crit: #b91c1c; --warn: #b45309; --info: #0369a1; --ok: #15803d;
  --ink: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg-soft: #f9fafb; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 28px 48px; font: 14px/1.5 system-ui, -apple-system, "Segoe UI",
  Roboto, "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1200px; margin: 0 auto; }
h1 { font-size: 22px; margin: 0 0 4px; }
h1 .workload { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-weight: 600; font-size: 19px; }
h2 { font-size: 17px; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 6px; display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
h4 { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted);
  margin: 12px 0 4px; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0 0;
  color: var(--muted); }
dl.meta dt { font-weight: 600; } dl.meta dd { margin: 0; color: var(--ink); }
.counts { display: flex; gap: 12px; margin: 0 0 14px; }
.count { border: 1px solid var(--line); border-left: 6px solid var(--muted); border-radius: 6px;
  padding: 6px 14px; min-width: 120px; }
.count b { font-size: 22px; display: block; line-height: 1.1; }
.count.critical { border-left-color: var(--crit); } .count.critical b { color: var(--crit); }
.count.warning { border-left-color: var(--warn); } .count.warning b { color: var(--warn); }
.count.info { border-left-color: var(--info); } .count.info b { color: var(--info); }
table.findings { border-collapse: collapse; width: 100%; }
table.findings th, table.findings td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line);
  vertical-align: top; }
table.findings th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted);
  background: var(--bg-soft); }
table.findings td.subject { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px;
  overflow-wrap: anywhere; min-width: 19em; }
table.findings td.rule { white-space: nowrap; }
.badge { display: inline-block; border-radius: 4px; padding: 1px 8px; font-size: 11.5px; font-weight: 700;
  letter-spacing: .04em; text-transform: uppercase; color: #fff; white-space: nowrap; }
.badge.critical { background: var(--crit); } .badge.warning { background: var(--warn); }
.badge.info { background: var(--info); }
a { color: inherit; }
.none { border: 1px solid #bbf7d0; background: #f0fdf4; color: var(--ok); padding: 10px 14px;
  border-radius: 6px; font-weight: 600; }
article.finding { border: 1px solid var(--line); border-left: 6px solid var(--muted); border-radius: 6px;
  padding: 12px 16px; margin: 0 0 14px; }
article.finding.critical { border-left-color: var(--crit); }
article.finding.warning { border-left-color: var(--warn); }
article.finding.info { border-left-color: var(--info); }
article.finding .rule { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px;
  background: var(--bg-soft); border: 1px solid var(--line); border-radius: 4px; padding: 0 6px; }
article.finding .subject { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px;
  font-weight: 600; overflow-wrap: anywhere; }
article.finding p.message { margin: 4px 0; }
ul.evidence { list-style: none; padding: 0; margin: 0; }
ul.evidence li { margin: 0 0 6px; }
ul.evidence .loc { font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
ul.evidence pre { margin: 2px 0 0; padding: 6px 8px; background: var(--bg-soft); border: 1px solid var(--line);
  border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; }
ol.steps { margin: 0; padding-left: 22px; }
.timeline { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px 4px; margin: 0 0 16px; }
.timeline h3 { margin: 0 0 2px; }
.timeline p.range { margin: 0 0 6px; color: var(--muted); font-size: 12.5px; }
.timeline svg { display: block; width: 100%; height: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; color: var(--muted); margin: 0 0 12px; }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.legend svg { width: 22px; height: 14px; }
p.note { color: var(--muted); font-size: 12.5px; margin: 4px 0 10px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
"#;

/// Colours of the marks (stroke/fill).
fn colour(kind: Kind) -> &'static str {
    match kind {
        Kind::Run => "#64748b",
        Kind::OomKilled => "#dc2626",
        Kind::Terminated => "#374151",
        Kind::Started => "#16a34a",
        Kind::Waiting => "#dc2626",
        Kind::NormalEvent => "#2563eb",
        Kind::WarningEvent => "#d97706",
        Kind::ConditionBad => "#dc2626",
        Kind::ConditionGood => "#16a34a",
        Kind::Change | Kind::Created => "#7c3aed",
    }
}

impl Report {
    /// One self-contained HTML page (no script, no external resource): the report and the
    /// incident timeline of `snapshot` in the window of `options` (the snapshot and options the
    /// report was made from). The same input always gives the same bytes.
    pub fn to_html(&self, snapshot: &kbundle_format::Snapshot, options: &crate::Options) -> String {
        render_html(
            self,
            &crate::timeline::from_snapshot(snapshot, self, options),
        )
    }
}

/// Renders a report and its timeline as one HTML page.
pub(crate) fn render_html(report: &Report, timeline: &Timeline) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let title = format!("kbundle analyze: {}", report.workload);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; img-src data:\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(&title));
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>\n<main>");

    // Header.
    let _ = writeln!(
        out,
        "<header>\n<h1>kbundle analyze: <span class=\"workload\">{}</span></h1>",
        escape(&report.workload)
    );
    out.push_str("<dl class=\"meta\">\n");
    let _ = writeln!(
        out,
        "<dt>Reference time</dt><dd>{} <span class=\"src\">(source: {})</span></dd>",
        escape(report.reference_time.as_deref().unwrap_or("unknown")),
        escape(crate::report::source_name(report.reference_time_source))
    );
    let _ = writeln!(out, "<dt>Window</dt><dd>{}</dd>", escape(&report.window));
    let inputs = if report.inputs.is_empty() {
        "none".to_string()
    } else {
        report
            .inputs
            .iter()
            .map(|i| format!("<code>{}</code>", escape(i)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(out, "<dt>Inputs</dt><dd>{inputs}</dd>");
    let _ = writeln!(
        out,
        "<dt>Rules</dt><dd>{} run</dd>\n</dl>\n</header>",
        report.rules.len()
    );

    let order = by_severity(&report.findings);
    // Diagnoses, most likely first; their findings link to the findings below.
    if !report.diagnoses.is_empty() {
        // The finding's number in the findings section, when the report holds it.
        let anchor = |i: usize, r: &crate::diagnose::FindingRef| {
            let (_, g) = report.finding_of(i, r)?;
            order
                .iter()
                .find(|(_, f)| std::ptr::eq(*f, g))
                .map(|(n, _)| *n)
        };
        let item = |i: usize, r: &crate::diagnose::FindingRef| {
            let name = format!(
                "<code>{}</code> <code>{}</code>",
                escape(r.rule),
                escape(&r.subject.to_string())
            );
            match anchor(i, r) {
                Some(n) => format!("<a href=\"#finding-{n}\">{name}</a>"),
                None => name,
            }
        };
        out.push_str("<section id=\"diagnoses\">\n<h2>Diagnoses</h2>\n<ol>\n");
        for d in &report.diagnoses {
            let _ = writeln!(
                out,
                "<li><p><b>{}</b> confidence: {}</p>\n<p>Cause: {}</p>",
                d.confidence.as_str(),
                escape(&d.summary),
                item(d.cause_index, &d.cause)
            );
            out.push_str("<ul>\n");
            for (i, e) in d.findings().skip(1) {
                let _ = writeln!(out, "<li>Explains: {}</li>", item(i, e));
            }
            out.push_str("</ul></li>\n");
        }
        out.push_str("</ol>\n</section>\n");
    }

    // Summary.
    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
    out.push_str("<div class=\"counts\">\n");
    for (sev, n) in [
        (Severity::Critical, report.summary.critical),
        (Severity::Warning, report.summary.warning),
        (Severity::Info, report.summary.info),
    ] {
        let _ = writeln!(
            out,
            "<div class=\"count {s}\"><b>{n}</b>{s}</div>",
            s = sev.as_str()
        );
    }
    out.push_str("</div>\n");
    if order.is_empty() {
        out.push_str("<p class=\"none\">No findings.</p>\n");
    } else {
        out.push_str(
            "<table class=\"findings\">\n<thead><tr><th>Severity</th><th>Rule</th>\
             <th>Subject</th><th>Message</th></tr></thead>\n<tbody>\n",
        );
        for (n, f) in &order {
            let _ = writeln!(
                out,
                "<tr class=\"{s}\"><td><span class=\"badge {s}\">{s}</span></td>\
                 <td class=\"rule\"><a href=\"#finding-{n}\"><code>{rule}</code></a></td>\
                 <td class=\"subject\">{subject}</td><td>{message}</td></tr>",
                s = f.severity.as_str(),
                rule = escape(f.rule),
                subject = escape(&f.subject.to_string()),
                message = escape(&f.message),
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");

    // Timeline.
    out.push_str("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
    render_timeline(&mut out, timeline);
    out.push_str("</section>\n");

    // Findings.
    if !order.is_empty() {
        out.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
        for (n, f) in &order {
            render_finding(&mut out, *n, f, report);
        }
        out.push_str("</section>\n");
    }
    out.push_str(
        "<footer>Generated by <code>kbundle analyze --format html</code>. Self-contained: no \
         script, no external resource. Times are UTC.</footer>\n</main>\n</body>\n</html>\n",
    );
    out
}

/// Findings by severity (critical first), triage order within a severity, numbered from 1.
fn by_severity(findings: &[Finding]) -> Vec<(usize, &Finding)> {
    let mut v: Vec<&Finding> = findings.iter().collect();
    v.sort_by_key(|f| std::cmp::Reverse(f.severity));
    v.into_iter().enumerate().map(|(i, f)| (i + 1, f)).collect()
}

fn render_finding(out: &mut String, n: usize, f: &Finding, report: &Report) {
    let s = f.severity.as_str();
    let _ = writeln!(
        out,
        "<article class=\"finding {s}\" id=\"finding-{n}\">\n<h3><span class=\"badge {s}\">{s}</span> \
         <span class=\"rule\">{}</span> <span class=\"subject\">{}</span></h3>\n<p class=\"message\">{}</p>",
        escape(f.rule),
        escape(&f.subject.to_string()),
        escape(&f.message)
    );
    if !f.evidence.is_empty() {
        out.push_str("<h4>Evidence</h4>\n<ul class=\"evidence\">\n");
        for e in &f.evidence {
            let _ = writeln!(
                out,
                "<li><div class=\"loc\"><code>{}</code></div><pre>{}</pre></li>",
                escape(&location(e, report)),
                escape(&e.excerpt)
            );
        }
        out.push_str("</ul>\n");
    }
    if !f.next_steps.is_empty() {
        out.push_str("<h4>Next steps</h4>\n<ol class=\"steps\">\n");
        for step in &f.next_steps {
            let _ = writeln!(out, "<li>{}</li>", escape(step));
        }
        out.push_str("</ol>\n");
    }
    if let Some(step) = crate::report::runbook_step(f.rule) {
        let _ = writeln!(
            out,
            "<p class=\"runbook\">Runbook step: {} (<code>{}</code>)</p>",
            escape(&step.title),
            escape(&step.link)
        );
    }
    out.push_str("</article>\n");
}

/// `path:line`, prefixed with the input when there are several.
fn location(e: &Evidence, report: &Report) -> String {
    let mut s = String::new();
    if report.inputs.len() > 1
        && let Some(input) = report.inputs.get(e.input)
    {
        s.push_str(input);
        s.push_str(": ");
    }
    s.push_str(&e.path);
    if let Some(l) = e.line {
        let _ = write!(s, ":{l}");
    }
    s
}

// ---- the timeline ----

/// The SVG's coordinate width.
const WIDTH: f64 = 1160.0;
/// Where the plot starts (after the lane labels) and ends.
const PLOT_X0: f64 = 350.0;
const PLOT_X1: f64 = 1140.0;
/// Heights.
const AXIS_H: f64 = 40.0;
const GROUP_H: f64 = 24.0;
const LANE_H: f64 = 34.0;
/// Estimated width of a character of the 11px mark labels.
const CHAR_W: f64 = 6.4;
/// Characters of a lane title and subtitle that fit beside the plot.
const TITLE_CHARS: usize = 44;
const SUBTITLE_CHARS: usize = 58;
/// Height of the reference-time caption under the lanes.
const FOOT_H: f64 = 22.0;

/// `s` on one line, at most `max` characters, cut in the middle (pod names differ at the end).
fn middle(s: &str, max: usize) -> String {
    let one = shorten(s, usize::MAX);
    let n = one.chars().count();
    if n <= max || max < 5 {
        return one;
    }
    let head = (max - 1) / 2;
    let tail = max - 1 - head;
    let mut out: String = one.chars().take(head).collect();
    out.push('…');
    out.extend(one.chars().skip(n - tail));
    out
}

fn legend(out: &mut String) {
    let items: [(&str, String); 10] = [
        ("OOMKilled", point_glyph(Kind::OomKilled, 11.0, 7.0)),
        ("other termination", point_glyph(Kind::Terminated, 11.0, 7.0)),
        ("container run", span_glyph(Kind::Run, 2.0, 20.0, 7.0)),
        ("waiting (back-off)", span_glyph(Kind::Waiting, 2.0, 20.0, 7.0)),
        ("started", point_glyph(Kind::Started, 11.0, 7.0)),
        ("Warning event (span: ×count)", span_glyph(Kind::WarningEvent, 2.0, 20.0, 7.0)),
        ("Normal event", span_glyph(Kind::NormalEvent, 2.0, 20.0, 7.0)),
        ("condition bad / good", {
            let mut g = point_glyph(Kind::ConditionBad, 6.0, 7.0);
            g.push_str(&point_glyph(Kind::ConditionGood, 16.0, 7.0));
            g
        }),
        ("configuration change", point_glyph(Kind::Change, 11.0, 7.0)),
        ("reference time", "<line x1=\"11\" y1=\"0\" x2=\"11\" y2=\"14\" class=\"ref\" stroke=\"#dc2626\" stroke-width=\"2\" stroke-dasharray=\"4 2\"/>".to_string()),
    ];
    out.push_str("<div class=\"legend\">");
    for (label, glyph) in items {
        let _ = write!(
            out,
            "<span><svg viewBox=\"0 0 22 14\" aria-hidden=\"true\">{glyph}</svg>{label}</span>"
        );
    }
    out.push_str("</div>\n");
}

fn point_glyph(kind: Kind, x: f64, y: f64) -> String {
    let c = colour(kind);
    match kind {
        Kind::OomKilled => format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"{c}\" stroke=\"#fff\" stroke-width=\"1.5\"/>\
             <path d=\"M{:.1} {:.1}l6 6m0 -6l-6 6\" stroke=\"#fff\" stroke-width=\"1.6\"/>",
            x - 3.0,
            y - 3.0
        ),
        Kind::Terminated => format!(
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\" fill=\"{c}\" stroke=\"#fff\" stroke-width=\"1.5\"/>"
        ),
        Kind::Started => format!(
            "<path d=\"M{:.1} {:.1}l9 5l-9 5z\" fill=\"{c}\"/>",
            x - 4.0,
            y - 5.0
        ),
        Kind::ConditionBad | Kind::ConditionGood => format!(
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"9\" height=\"9\" fill=\"{c}\"/>",
            x - 4.5,
            y - 4.5
        ),
        Kind::Change => format!(
            "<path d=\"M{x:.1} {:.1}l6 6l-6 6l-6 -6z\" fill=\"{c}\" stroke=\"#fff\" stroke-width=\"1\"/>",
            y - 6.0
        ),
        Kind::Created => format!(
            "<path d=\"M{x:.1} {:.1}l6 6l-6 6l-6 -6z\" fill=\"#fff\" stroke=\"{c}\" stroke-width=\"2\"/>",
            y - 6.0
        ),
        Kind::NormalEvent | Kind::WarningEvent | Kind::Run | Kind::Waiting => {
            format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4.5\" fill=\"{c}\"/>")
        }
    }
}

fn span_glyph(kind: Kind, x0: f64, x1: f64, y: f64) -> String {
    let c = colour(kind);
    let w = (x1 - x0).max(2.0);
    match kind {
        Kind::Waiting => format!(
            "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"8\" fill=\"#fee2e2\" stroke=\"{c}\" \
             stroke-width=\"1\" stroke-dasharray=\"3 2\"/>",
            y - 4.0
        ),
        Kind::Run => format!(
            "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"8\" rx=\"2\" fill=\"{c}\"/>",
            y - 4.0
        ),
        _ => format!(
            "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"10\" rx=\"2\" fill=\"{c}\" \
             fill-opacity=\"0.3\" stroke=\"{c}\" stroke-width=\"1.2\"/>",
            y - 5.0
        ),
    }
}

/// Tick spacing: the smallest that gives at most 12 ticks.
fn tick_step(span: SignedDuration) -> SignedDuration {
    const MINUTES: [i64; 14] = [
        1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080,
    ];
    let secs = span.as_secs().max(1);
    for m in MINUTES {
        if secs / (m * 60) <= 12 {
            return SignedDuration::from_mins(m);
        }
    }
    SignedDuration::from_secs(secs / 12 + 1)
}

/// A detail range when everything in the window lies in its last part: the smallest of a few
/// round durations holding every mark, if it is at most a third of the window.
fn detail_span(tl: &Timeline, start: Timestamp, end: Timestamp) -> Option<SignedDuration> {
    let earliest = tl
        .lanes
        .iter()
        .flat_map(|l| l.marks.iter())
        .map(|m| m.at.max(start))
        .min()?;
    let needed = end.duration_since(earliest).as_secs_f64() * 1.08;
    const MINUTES: [i64; 10] = [10, 15, 30, 60, 90, 120, 180, 240, 360, 720];
    let d = MINUTES
        .iter()
        .map(|m| SignedDuration::from_mins(*m))
        .find(|d| d.as_secs_f64() >= needed)?;
    (d.as_secs_f64() * 3.0 <= tl.window.as_secs_f64()).then_some(d)
}

fn render_timeline(out: &mut String, tl: &Timeline) {
    let (Some(end), Some(start)) = (tl.reference_time, tl.start()) else {
        out.push_str(
            "<p class=\"note\">No reference time is known, so there is no timeline to draw.</p>\n",
        );
        return;
    };
    legend(out);
    if tl.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"note\">Nothing happened in the {} before the reference time: no \
             restart, termination, event, node condition change or configuration change.</p>",
            escape(&window_text(tl.window))
        );
    }
    chart(
        out,
        tl,
        start,
        end,
        &format!(
            "Window: the {} before the reference time",
            window_text(tl.window)
        ),
        "overview",
    );
    if let Some(d) = detail_span(tl, start, end)
        && let Ok(s) = end.checked_sub(d)
    {
        chart(
            out,
            tl,
            s,
            end,
            &format!("Detail: the last {}", window_text(d)),
            "detail",
        );
    }
    for (group, n) in &tl.omitted {
        let _ = writeln!(
            out,
            "<p class=\"note\">{n} more lane{} of “{}” not drawn.</p>",
            if *n == 1 { "" } else { "s" },
            escape(group.title())
        );
    }
}

fn x_of(t: Timestamp, start: Timestamp, end: Timestamp) -> f64 {
    let total = end.duration_since(start).as_secs_f64().max(1.0);
    let f = t.duration_since(start).as_secs_f64() / total;
    PLOT_X0 + f.clamp(0.0, 1.0) * (PLOT_X1 - PLOT_X0)
}

/// Label priority: lower first.
fn priority(kind: Kind) -> u8 {
    match kind {
        Kind::OomKilled => 0,
        Kind::Terminated | Kind::ConditionBad => 1,
        Kind::Change | Kind::Created => 2,
        Kind::WarningEvent => 3,
        Kind::Waiting => 4,
        Kind::NormalEvent | Kind::ConditionGood => 5,
        Kind::Started => 6,
        Kind::Run => 7,
    }
}

fn chart(out: &mut String, tl: &Timeline, start: Timestamp, end: Timestamp, title: &str, id: &str) {
    // Quiet nodes share one lane.
    let quiet = (tl.quiet_nodes > 0).then(|| Lane {
        group: Group::Nodes,
        title: format!(
            "{} {}node{}",
            tl.quiet_nodes,
            if tl.lanes_of(Group::Nodes).next().is_some() {
                "other "
            } else {
                ""
            },
            if tl.quiet_nodes == 1 { "" } else { "s" }
        ),
        subtitle: "no condition change in the window".into(),
        marks: Vec::new(),
    });
    let groups: Vec<(Group, Vec<&Lane>)> = Group::ALL
        .iter()
        .map(|g| {
            let mut lanes: Vec<&Lane> = tl.lanes_of(*g).collect();
            if *g == Group::Nodes
                && let Some(q) = &quiet
            {
                lanes.push(q);
            }
            (*g, lanes)
        })
        .filter(|(_, lanes)| !lanes.is_empty())
        .collect();
    let lanes_n: usize = groups.iter().map(|(_, l)| l.len()).sum();
    let lanes_bottom = AXIS_H + groups.len() as f64 * GROUP_H + lanes_n as f64 * LANE_H;
    let height = lanes_bottom + FOOT_H;
    let _ = writeln!(
        out,
        "<div class=\"timeline\" id=\"timeline-{id}\">\n<h3>{}</h3>\n<p class=\"range\">{} → {} (UTC)</p>",
        escape(title),
        start.strftime("%Y-%m-%d %H:%M:%S"),
        end.strftime("%Y-%m-%d %H:%M:%S")
    );
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {WIDTH:.0} {height:.0}\" \
         width=\"{WIDTH:.0}\" height=\"{height:.0}\" role=\"img\" aria-label=\"{}\" \
         font-family=\"system-ui, 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif\">",
        escape(title)
    );

    // Axis: ticks back from the reference time.
    let step = tick_step(end.duration_since(start));
    let bottom = lanes_bottom;
    let mut tick_boxes: Vec<(f64, f64)> = Vec::new();
    out.push_str("<g class=\"axis\">\n");
    // At most 1000 ticks, whatever the window.
    for k in 0..1000_i32 {
        let Some(back) = step.checked_mul(k) else {
            break;
        };
        let Ok(t) = end.checked_sub(back) else { break };
        if t < start {
            break;
        }
        let x = x_of(t, start, end);
        let (rel, colour, weight) = if k == 0 {
            ("ref".to_string(), "#dc2626", "700")
        } else {
            (format!("−{}", window_text(back)), "#374151", "400")
        };
        let _ = writeln!(
            out,
            "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke=\"#e5e7eb\"/>",
            AXIS_H - 6.0,
        );
        // Labels that would touch a neighbour's are left out (the grid line stays).
        let w = rel.chars().count().max(5) as f64 * CHAR_W;
        let (anchor, l, r) = if x > PLOT_X1 - w / 2.0 {
            ("end", x - w, x)
        } else if x < PLOT_X0 + w / 2.0 {
            ("start", x, x + w)
        } else {
            ("middle", x - w / 2.0, x + w / 2.0)
        };
        if tick_boxes
            .iter()
            .all(|(pl, pr)| r + 8.0 <= *pl || l >= pr + 8.0)
        {
            tick_boxes.push((l, r));
            let _ = writeln!(
                out,
                "<text x=\"{x:.1}\" y=\"14\" font-size=\"11\" text-anchor=\"{anchor}\" fill=\"{colour}\" \
                 font-weight=\"{weight}\">{rel}</text>\
                 <text x=\"{x:.1}\" y=\"28\" font-size=\"10.5\" text-anchor=\"{anchor}\" fill=\"#6b7280\">{}</text>",
                t.strftime("%H:%M")
            );
        }
    }
    let _ = writeln!(
        out,
        "<line x1=\"{PLOT_X0:.1}\" y1=\"{a:.1}\" x2=\"{PLOT_X1:.1}\" y2=\"{a:.1}\" stroke=\"#9ca3af\"/>",
        a = AXIS_H - 6.0
    );
    out.push_str("</g>\n");

    // Lanes.
    let mut y = AXIS_H;
    let mut stripe = false;
    for (group, lanes) in &groups {
        let _ = writeln!(
            out,
            "<g class=\"group\"><rect x=\"0\" y=\"{y:.1}\" width=\"{WIDTH:.0}\" height=\"{GROUP_H:.0}\" fill=\"#f3f4f6\"/>\
             <text x=\"8\" y=\"{:.1}\" font-size=\"12\" font-weight=\"700\" fill=\"#374151\">{}</text></g>",
            y + 16.0,
            escape(group.title())
        );
        y += GROUP_H;
        for lane in lanes {
            lane_svg(out, lane, y, stripe, start, end);
            stripe = !stripe;
            y += LANE_H;
        }
    }

    // The reference time, over everything.
    let _ = writeln!(
        out,
        "<line class=\"ref\" x1=\"{PLOT_X1:.1}\" y1=\"{:.1}\" x2=\"{PLOT_X1:.1}\" y2=\"{bottom:.1}\" \
         stroke=\"#dc2626\" stroke-width=\"2\" stroke-dasharray=\"5 3\"><title>reference time {t}</title></line>\
         <text class=\"ref-label\" x=\"{PLOT_X1:.1}\" y=\"{:.1}\" font-size=\"11\" font-weight=\"700\" \
         text-anchor=\"end\" fill=\"#dc2626\">reference time {t}</text>",
        AXIS_H - 6.0,
        bottom + 15.0,
        t = escape(&end.to_string())
    );
    out.push_str("</svg>\n</div>\n");
}

fn lane_svg(out: &mut String, lane: &Lane, y: f64, stripe: bool, start: Timestamp, end: Timestamp) {
    let _ = writeln!(out, "<g class=\"lane\">");
    if stripe {
        let _ = writeln!(
            out,
            "<rect x=\"0\" y=\"{y:.1}\" width=\"{WIDTH:.0}\" height=\"{LANE_H:.0}\" fill=\"#fafafa\"/>"
        );
    }
    let _ = writeln!(
        out,
        "<line x1=\"0\" y1=\"{b:.1}\" x2=\"{WIDTH:.0}\" y2=\"{b:.1}\" stroke=\"#f1f1f1\"/>",
        b = y + LANE_H
    );
    let _ = writeln!(
        out,
        "<text class=\"lane-title\" x=\"8\" y=\"{:.1}\" font-size=\"12\" font-weight=\"600\" fill=\"#111827\">\
         <title>{}</title>{}</text>\
         <text class=\"lane-subtitle\" x=\"8\" y=\"{:.1}\" font-size=\"10.5\" fill=\"#6b7280\">{}</text>",
        y + 15.0,
        escape(&format!("{}\n{}", lane.title, lane.subtitle)),
        escape(&middle(&lane.title, TITLE_CHARS)),
        y + 28.0,
        escape(&middle(&lane.subtitle, SUBTITLE_CHARS)),
    );
    if lane.marks.is_empty() {
        let _ = writeln!(
            out,
            "<text class=\"quiet\" x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" font-style=\"italic\" \
             fill=\"#9ca3af\">no change in the window</text>",
            PLOT_X0 + 8.0,
            y + 21.0
        );
    }
    // A faint baseline for the marks.
    let my = y + 24.0;
    if lane.marks.is_empty() {
        out.push_str("</g>\n");
        return;
    }
    let _ = writeln!(
        out,
        "<line x1=\"{PLOT_X0:.1}\" y1=\"{my:.1}\" x2=\"{PLOT_X1:.1}\" y2=\"{my:.1}\" stroke=\"#e5e7eb\" stroke-dasharray=\"2 3\"/>"
    );
    let visible: Vec<&Mark> = lane
        .marks
        .iter()
        .filter(|m| m.end.unwrap_or(m.at) >= start && m.at <= end)
        .collect();
    // Spans under points.
    let mut ordered = visible.clone();
    ordered.sort_by_key(|m| (m.end.is_none(), std::cmp::Reverse(priority(m.kind)), m.at));
    for m in &ordered {
        let x0 = x_of(m.at, start, end);
        let glyph = match m.end {
            Some(e) => span_glyph(m.kind, x0, x_of(e, start, end), my),
            None => point_glyph(m.kind, x0, my),
        };
        let _ = writeln!(
            out,
            "<g class=\"mark {}\"><title>{}</title>{glyph}</g>",
            m.kind.as_str(),
            escape(&m.detail)
        );
    }
    // Labels above the marks, most important first, never overlapping each other.
    let mut labelled = visible;
    labelled.sort_by_key(|m| (priority(m.kind), m.at));
    let mut placed: Vec<(f64, f64)> = Vec::new();
    for m in labelled.into_iter().filter(|m| !m.label.is_empty()) {
        let x0 = x_of(m.at, start, end);
        let x1 = m.end.map_or(x0, |e| x_of(e, start, end));
        // Important points say when, if there is room.
        let short = shorten(&m.label, 40);
        let mut texts = vec![short.clone()];
        if m.end.is_none() && priority(m.kind) <= 2 {
            texts.insert(0, format!("{short} · {}", m.at.strftime("%H:%M:%S")));
        }
        // Right of the mark's start, else ending at the span's end, else ending at the start.
        let candidates = texts.iter().flat_map(|t| {
            [
                (t, x0 - 2.0, "start"),
                (t, x1 + 2.0, "end"),
                (t, x0 + 2.0, "end"),
            ]
        });
        for (label, ax, anchor) in candidates {
            let w = label.chars().count() as f64 * CHAR_W;
            // Clear of the reference line.
            let limit = PLOT_X1 - 5.0;
            let ax = if anchor == "end" { ax.min(limit) } else { ax };
            let (l, r) = if anchor == "start" {
                (ax, ax + w)
            } else {
                (ax - w, ax)
            };
            if l < PLOT_X0 || r > limit {
                continue;
            }
            if placed.iter().any(|(pl, pr)| l < pr + 6.0 && r + 6.0 > *pl) {
                continue;
            }
            placed.push((l, r));
            let (fill, weight) = match m.kind {
                Kind::OomKilled | Kind::ConditionBad => ("#b91c1c", "700"),
                Kind::WarningEvent => ("#92400e", "600"),
                Kind::Change | Kind::Created => ("#5b21b6", "600"),
                _ => ("#374151", "400"),
            };
            let _ = writeln!(
                out,
                "<text class=\"label {}\" x=\"{ax:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"{anchor}\" \
                 fill=\"{fill}\" font-weight=\"{weight}\">{}</text>",
                m.kind.as_str(),
                y + 13.0,
                escape(label)
            );
            break;
        }
    }
    out.push_str("</g>\n");
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::Options;
    use crate::report::{Evidence, Subject, Summary};
    use crate::timeline::{self, Lane};

    fn fixture_html() -> String {
        let dir = kbundle_testkit::paths::cluster("crashloop-oom");
        let snapshot =
            kbundle_format::Snapshot::open(&dir, &kbundle_format::ReadOptions::default()).unwrap();
        let report = crate::analyze(&snapshot, &Options::default());
        let tl = timeline::from_snapshot(&snapshot, &report, &Options::default());
        render_html(&report, &tl)
    }

    fn hostile_report() -> (Report, Timeline) {
        let evil = "<script>alert('x')</script>\"&";
        let report = Report {
            schema_version: crate::report::SCHEMA_VERSION,
            tool: crate::report::tool(),
            diagnoses: Vec::new(),
            findings: vec![Finding {
                rule: "crash-loop",
                severity: Severity::Critical,
                subject: Subject::new("Pod", "ns", evil),
                message: format!("message {evil}"),
                evidence: vec![Evidence {
                    input: 0,
                    path: format!("logs/{evil}.log"),
                    line: Some(3),
                    excerpt: format!("excerpt {evil}"),
                }],
                next_steps: vec![format!("step {evil}")],
            }],
            summary: Summary {
                critical: 1,
                warning: 0,
                info: 0,
            },
            reference_time: Some("2025-03-14T09:30:00Z".into()),
            reference_time_source: Some(kbundle_format::ReferenceTimeSource::Given),
            window: "24h".into(),
            workload: format!("Deployment/ns/{evil}"),
            inputs: vec![evil.to_string()],
            rules: vec!["crash-loop"],
        };
        let now: Timestamp = "2025-03-14T09:30:00Z".parse().unwrap();
        let tl = Timeline {
            reference_time: Some(now),
            window: SignedDuration::from_hours(24),
            lanes: vec![Lane {
                group: Group::Containers,
                title: evil.to_string(),
                subtitle: evil.to_string(),
                marks: vec![Mark {
                    kind: Kind::OomKilled,
                    at: "2025-03-14T09:00:00Z".parse().unwrap(),
                    end: None,
                    label: evil.to_string(),
                    detail: evil.to_string(),
                }],
            }],
            omitted: Default::default(),
            quiet_nodes: 0,
        };
        (report, tl)
    }

    #[test]
    fn escapes_everything() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>\u{0}\u{202e}\t"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;\\x00\\u{202e}\t"
        );
        let (report, tl) = hostile_report();
        let html = render_html(&report, &tl);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("alert('x')"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"));
        // No script, no external resource.
        for bad in ["src=", "<link", "url(", "@import", "https://"] {
            assert!(!html.contains(bad), "{bad}");
        }
        assert_eq!(
            html.matches("http://").count(),
            html.matches("http://www.w3.org/2000/svg").count()
        );
    }

    #[test]
    fn deterministic() {
        assert_eq!(fixture_html(), fixture_html());
    }

    #[test]
    fn structure() {
        let html = fixture_html();
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.ends_with("</html>\n"));
        // Summary, in severity order, then the findings.
        let summary = html.find("id=\"summary\"").unwrap();
        let timeline = html.find("id=\"timeline\"").unwrap();
        let findings = html.find("id=\"findings\"").unwrap();
        assert!(summary < timeline && timeline < findings);
        assert_eq!(html.matches("<article class=\"finding").count(), 6);
        assert!(html.contains("<div class=\"count critical\"><b>3</b>critical</div>"));
        assert!(html.contains("<div class=\"count warning\"><b>3</b>warning</div>"));
        let crit = html.find("<tr class=\"critical\">").unwrap();
        let warn = html.find("<tr class=\"warning\">").unwrap();
        assert!(crit < warn);
        // Evidence with path:line.
        assert!(html.contains(
            "logs/calico-system/calico-kube-controllers-5f6b8d9c47-q4wzn/calico-kube-controllers.previous.log:62"
        ));
        assert!(html.contains("<h4>Next steps</h4>"));
        // The timeline: overview and detail, OOM marked, BackOff span, the Felix change.
        assert!(html.contains("id=\"timeline-overview\""));
        assert!(html.contains("id=\"timeline-detail\""));
        assert!(html.contains("Detail: the last 3h"));
        assert!(html.contains("<g class=\"mark oom-killed\">"));
        assert!(html.contains(">OOMKilled (exit 137) · 09:26:13</text>"));
        assert!(html.contains(">Warning BackOff ×193</text>"));
        assert!(html.contains(">FelixConfiguration default</text>"));
        assert!(html.contains(">kubectl-edit Update · 07:29:41</text>"));
        assert!(html.contains("class=\"ref\""));
        assert!(html.contains(">−2h</text>"));
        assert!(html.contains(">2 other nodes</text>"));
        assert!(html.contains(">node 10.240.64.11</text>"));
        assert!(html.contains(">reference time 2025-03-14T09:30:00Z</text>"));
    }

    #[test]
    fn no_findings_no_reference_time() {
        let (mut report, mut tl) = hostile_report();
        report.findings.clear();
        report.reference_time = None;
        tl.reference_time = None;
        let html = render_html(&report, &tl);
        assert!(html.contains("No findings."));
        assert!(html.contains("no timeline to draw"));
        assert!(!html.contains("id=\"findings\""));
    }

    #[test]
    fn ticks() {
        assert_eq!(
            tick_step(SignedDuration::from_hours(24)),
            SignedDuration::from_hours(2)
        );
        assert_eq!(
            tick_step(SignedDuration::from_hours(3)),
            SignedDuration::from_mins(15)
        );
        assert_eq!(
            tick_step(SignedDuration::from_hours(24 * 30)),
            SignedDuration::from_hours(24 * 7)
        );
    }
}
