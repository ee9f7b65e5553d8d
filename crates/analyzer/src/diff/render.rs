//! The diff's renderings: JSON, text (terminals), Markdown (GitHub) and HTML. The three human
//! ones are built from one outline of lines, whose input-derived parts are hostile: they go
//! through [`escape_controls`] in the terminal, in code spans in Markdown
//! ([`markdown::code`]) and in escaped `<code>` elements in HTML ([`markdown::html_code`]),
//! as in the analysis report.

use std::fmt::Write as _;

use serde_json::Value;

use kbundle_format::neutral::escape_controls;

use super::fields::FieldChange;
use super::{Diff, InputSummary};
use crate::markdown;
use crate::report::{Finding, shorten};

/// The longest value shown in text, Markdown and HTML (JSON has it whole), in characters.
const MAX_VALUE: usize = 200;

/// A piece of a line.
enum Span {
    /// Our own words.
    Words(String),
    /// Something read from an input.
    Input(String),
    /// A label: `added`, `removed`, `changed`, `new`, `resolved`, `persisting`, a severity.
    Tag(&'static str),
}

enum Line {
    Heading(String),
    Para(Vec<Span>),
    Item(usize, Vec<Span>),
}

use Span::{Input, Tag, Words};

fn w(s: impl Into<String>) -> Span {
    Words(s.into())
}

/// A value the way the human renderings show it: strings JSON-quoted, the rest as compact
/// JSON, shortened.
fn value(v: Option<&Value>) -> String {
    match v {
        None => "(absent)".into(),
        Some(v) => shorten(&v.to_string(), MAX_VALUE),
    }
}

fn side(label: &str, s: &InputSummary) -> Vec<Span> {
    let mut spans = vec![w(format!("{label}: "))];
    for (n, i) in s.inputs.iter().enumerate() {
        if n > 0 {
            spans.push(w(", "));
        }
        spans.push(Input(i.clone()));
    }
    let layouts = if s.layouts.is_empty() {
        String::new()
    } else {
        format!("{}; ", s.layouts.join(", "))
    };
    spans.push(w(format!(
        " ({layouts}{} objects; reference time ",
        s.objects
    )));
    match &s.reference_time {
        Some(t) => spans.push(Input(t.clone())),
        None => spans.push(w("unknown")),
    }
    spans.push(w(format!(
        " from {})",
        crate::report::source_name(s.reference_time_source)
    )));
    spans
}

fn field(f: &FieldChange) -> Vec<Span> {
    vec![
        Input(f.path.clone()),
        w(": "),
        Input(value(f.old.as_ref())),
        w(" -> "),
        Input(value(f.new.as_ref())),
    ]
}

fn finding(tag: &'static str, f: &Finding) -> Vec<Span> {
    vec![
        Tag(tag),
        w(" "),
        Tag(f.severity.as_str()),
        w(format!(" [{}] ", f.rule)),
        Input(f.subject.to_string()),
        w(": "),
        Input(f.message.clone()),
    ]
}

fn outline(d: &Diff) -> Vec<Line> {
    let mut out = vec![
        Line::Heading("kbundle diff".into()),
        Line::Para(side("old", &d.old)),
        Line::Para(side("new", &d.new)),
    ];
    if d.is_empty() {
        out.push(Line::Para(vec![w("No changes.")]));
    }
    let o = &d.objects;
    out.push(Line::Heading(format!(
        "Objects: {} added, {} removed, {} changed",
        o.added.len(),
        o.removed.len(),
        o.changed.len()
    )));
    for (tag, list) in [("added", &o.added), ("removed", &o.removed)] {
        for r in list {
            out.push(Line::Item(0, vec![Tag(tag), w(" "), Input(r.to_string())]));
        }
    }
    for c in &o.changed {
        let mut spans = vec![Tag("changed"), w(" "), Input(c.object().to_string())];
        if c.recreated {
            spans.push(w(" (recreated: uid or creationTimestamp changed)"));
        }
        out.push(Line::Item(0, spans));
        for f in &c.fields {
            out.push(Line::Item(1, field(f)));
        }
        if c.fields_omitted > 0 {
            out.push(Line::Item(
                1,
                vec![w(format!("and {} more fields", c.fields_omitted))],
            ));
        }
    }
    for only_in in ["old", "new"] {
        let mut spans = vec![w(format!(
            "not compared, in {only_in} only (the other side's collection may not hold them):"
        ))];
        for (i, n) in o
            .not_compared
            .iter()
            .filter(|n| n.only_in == only_in)
            .enumerate()
        {
            let sep = if i == 0 { " " } else { ", " };
            spans.push(w(format!("{sep}{} ", n.count)));
            spans.push(Input(n.kind.clone()));
            if !n.namespace.is_empty() {
                spans.push(w(" in "));
                spans.push(Input(n.namespace.clone()));
            }
        }
        if spans.len() > 1 {
            out.push(Line::Item(0, spans));
        }
    }
    if !d.highlights.is_empty() {
        out.push(Line::Heading("Pods, nodes and workloads".into()));
        for h in &d.highlights {
            let mut who = format!("{}/", h.kind);
            if !h.namespace.is_empty() {
                who.push_str(&h.namespace);
                who.push('/');
            }
            who.push_str(&h.name);
            let mut spans = vec![Input(who)];
            if let Some(c) = &h.container {
                spans.push(w(" container "));
                spans.push(Input(c.clone()));
            }
            spans.push(w(": "));
            spans.push(Input(h.message.clone()));
            out.push(Line::Item(0, spans));
        }
    }
    out.push(Line::Heading(format!("Events: {} new", d.events.new.len())));
    for e in &d.events.new {
        let obj = &e.object;
        let who = if obj.namespace.is_empty() {
            format!("{}/{}", obj.kind, obj.name)
        } else {
            format!("{}/{}/{}", obj.kind, obj.namespace, obj.name)
        };
        let mut spans = vec![
            Input(e.type_.clone()),
            w(" "),
            Input(e.reason.clone()),
            w(" on "),
            Input(who),
            w(format!(" (x{}", e.count)),
        ];
        if let Some(t) = &e.last_seen {
            spans.push(w(", last "));
            spans.push(Input(t.clone()));
        }
        spans.push(w("): "));
        spans.push(Input(shorten(&e.message, MAX_VALUE)));
        out.push(Line::Item(0, spans));
    }
    if d.events.not_compared > 0 {
        out.push(Line::Item(
            0,
            vec![w(format!(
                "not compared: {} events in new only, last seen before the old side was taken (its collection may not hold them)",
                d.events.not_compared
            ))],
        ));
    }
    let f = &d.findings;
    out.push(Line::Heading(format!(
        "Findings: {} new, {} resolved, {} persisting",
        f.new.len(),
        f.resolved.len(),
        f.persisting.len()
    )));
    for (tag, list) in [
        ("new", &f.new),
        ("resolved", &f.resolved),
        ("persisting", &f.persisting),
    ] {
        for x in list {
            out.push(Line::Item(0, finding(tag, x)));
        }
    }
    out
}

impl Diff {
    /// Pretty JSON with a trailing newline (`docs/diff-schema.json`); the same inputs always
    /// give the same bytes.
    pub fn to_json(&self) -> String {
        let mut s =
            serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
        s.push('\n');
        s
    }

    /// Text for terminals; ANSI colours when `color`.
    pub fn to_text(&self, color: bool) -> String {
        let paint = |code: &str, s: &str| {
            if color {
                format!("\x1b[{code}m{s}\x1b[0m")
            } else {
                s.to_string()
            }
        };
        let mut out = String::new();
        for (n, line) in outline(self).into_iter().enumerate() {
            let spans = match line {
                Line::Heading(h) => {
                    if n > 0 {
                        out.push('\n');
                    }
                    let _ = writeln!(out, "{}", paint("1", &h));
                    continue;
                }
                Line::Para(spans) => spans,
                Line::Item(depth, spans) => {
                    out.push_str(&"    ".repeat(depth + 1));
                    spans
                }
            };
            for span in spans {
                match span {
                    Words(s) => out.push_str(&s),
                    Input(s) => out.push_str(&escape_controls(&s)),
                    Tag(t) => {
                        let code = match t {
                            "added" | "new" | "critical" => "1;31",
                            "removed" | "resolved" => "32",
                            "warning" => "1;33",
                            _ => "36",
                        };
                        out.push_str(&paint(code, t));
                    }
                }
            }
            out.push('\n');
        }
        out
    }

    /// Markdown for a GitHub issue or pull request: every input-derived string in a code
    /// span; at most [`markdown::GITHUB_COMMENT_MAX`] characters (see
    /// [`Diff::to_markdown_within`]).
    pub fn to_markdown(&self) -> String {
        self.to_markdown_within(markdown::GITHUB_COMMENT_MAX)
    }

    /// Markdown in at most `max_chars` characters (at least [`markdown::MIN_MAX_CHARS`]):
    /// lines in order while they fit, then one line saying how many were left out.
    pub fn to_markdown_within(&self, max_chars: usize) -> String {
        const FOOTER: usize = 200;
        let room = max_chars.max(markdown::MIN_MAX_CHARS) - FOOTER;
        let lines = outline(self);
        let total = lines.len();
        let (mut out, mut used) = (String::new(), 0);
        for (n, line) in lines.into_iter().enumerate() {
            let block = !matches!(line, Line::Item(..));
            let mut piece = String::new();
            if block && !out.is_empty() && !out.ends_with("\n\n") {
                piece.push('\n');
            }
            let spans = match line {
                Line::Heading(h) => {
                    let level = if n == 0 { "##" } else { "###" };
                    let _ = write!(piece, "{level} {h}");
                    Vec::new()
                }
                Line::Para(spans) => spans,
                Line::Item(depth, spans) => {
                    piece.push_str(&"  ".repeat(depth));
                    piece.push_str("- ");
                    spans
                }
            };
            for span in spans {
                match span {
                    Words(s) => piece.push_str(&s),
                    Input(s) => piece.push_str(&markdown::code(&s)),
                    Tag(t) => {
                        let _ = write!(piece, "**{t}**");
                    }
                }
            }
            piece.push_str(if block { "\n\n" } else { "\n" });
            let cost = piece.chars().count();
            if used + cost > room {
                if !out.ends_with("\n\n") {
                    out.push('\n');
                }
                let _ = writeln!(
                    out,
                    "_Left out: {} more lines, to stay within {max_chars} characters; `--format json` has the whole diff._",
                    total - n
                );
                break;
            }
            used += cost;
            out.push_str(&piece);
        }
        out
    }

    /// One self-contained HTML page (no script, no external resource).
    pub fn to_html(&self) -> String {
        // Our own words need entity escaping only; input strings go through html_code.
        let esc = crate::html::escape;
        let mut out = String::with_capacity(16 * 1024);
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'\">\n",
        );
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        out.push_str("<title>kbundle diff</title>\n<style>");
        out.push_str(CSS);
        out.push_str("</style>\n</head>\n<body>\n<main>\n");
        // The list depth open now (its last `<li>` still open), `None` outside lists.
        let mut depth: Option<usize> = None;
        let close_to = |out: &mut String, depth: &mut Option<usize>, to: Option<usize>| {
            while let Some(d) = *depth {
                if to.is_some_and(|t| t >= d) {
                    break;
                }
                out.push_str("</li>\n</ul>\n");
                *depth = d.checked_sub(1);
            }
        };
        for (n, line) in outline(self).into_iter().enumerate() {
            let spans = match line {
                Line::Heading(h) => {
                    close_to(&mut out, &mut depth, None);
                    let tag = if n == 0 { "h1" } else { "h2" };
                    let _ = writeln!(out, "<{tag}>{}</{tag}>", esc(&h));
                    continue;
                }
                Line::Para(spans) => {
                    close_to(&mut out, &mut depth, None);
                    out.push_str("<p>");
                    spans
                }
                Line::Item(d, spans) => {
                    close_to(&mut out, &mut depth, Some(d));
                    if depth == Some(d) {
                        out.push_str("</li>\n");
                    }
                    // Deeper lists go inside the open item.
                    while depth.is_none_or(|x| x < d) {
                        out.push_str("<ul>\n");
                        depth = Some(depth.map_or(0, |x| x + 1));
                    }
                    out.push_str("<li>");
                    spans
                }
            };
            let para = depth.is_none();
            for span in spans {
                match span {
                    Words(s) => out.push_str(&esc(&s)),
                    Input(s) => out.push_str(&markdown::html_code(&s)),
                    Tag(t) => {
                        let _ = write!(out, "<span class=\"tag {t}\">{t}</span>");
                    }
                }
            }
            if para {
                out.push_str("</p>\n");
            }
        }
        close_to(&mut out, &mut depth, None);
        out.push_str("</main>\n</body>\n</html>\n");
        out
    }
}

const CSS: &str = "body{font:14px/1.5 system-ui,sans-serif;margin:24px;color:#1f2937}\
code{font-family:ui-monospace,monospace;font-size:12.5px;background:#f3f4f6;padding:0 3px;\
border-radius:3px;overflow-wrap:anywhere}\
h2{font-size:17px;border-bottom:2px solid #e5e7eb;margin-top:24px}\
.tag{display:inline-block;border-radius:4px;padding:0 6px;font-size:11.5px;font-weight:700;\
text-transform:uppercase;color:#fff;background:#0369a1}\
.tag.added,.tag.new,.tag.critical{background:#b91c1c}.tag.removed,.tag.resolved{background:#15803d}\
.tag.warning{background:#b45309}.tag.changed{background:#6b7280}";
