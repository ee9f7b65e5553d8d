//! The Markdown report, made for one GitHub comment.
//!
//! **Neutral.** Every string that came from the input (names, messages, evidence, next steps,
//! which quote names) is put in a code span, a fenced block or an HTML `<code>` element, after
//! [`escape_controls`]: code spans and fences are longer than any backtick run inside, `|` is
//! escaped in table cells, text in HTML is entity-escaped. So no `@mention`, `#123`
//! reference, autolinked URL, link, image or raw HTML from the input is live on GitHub, and no
//! control character reaches a terminal that prints the Markdown.
//!
//! **Bounded.** The whole text is at most `max_chars` characters (GitHub refuses comments
//! over [`GITHUB_COMMENT_MAX`]). What is kept, in order: the header, then the findings from
//! the most severe down, each whole (a table row and a `<details>` block with its message,
//! evidence and next steps) if it fits (in half the room when not all fit, so that the table
//! can list more), then the others as table rows if they fit, then a last
//! line saying what was left out and where the rest is. The diagnoses come first, before the
//! findings table: each is taken whole through the same `Budget` before any finding, and the
//! closing line counts those that did not fit. A diagnosis names its cause and effects by rule
//! and subject; each finding's details appear once, in the findings.

use std::fmt::Write as _;

use kbundle_format::neutral::escape_controls;

use crate::diagnose::Diagnosis;
use crate::report::{Finding, Report, evidence_line, shorten};

/// The longest body GitHub accepts for an issue or a comment, in characters.
pub const GITHUB_COMMENT_MAX: usize = 65_536;

/// The smallest `max_chars` that [`render`] honours: the header (whose input-derived parts
/// are clipped) and the closing line always fit in it.
pub const MIN_MAX_CHARS: usize = 4_000;

/// The room kept for the closing line ("left out: ...").
const FOOTER_RESERVE: usize = 600;
/// The longest input-derived string in the header (workload, each input), in characters.
const HEADER_FIELD_MAX: usize = 200;
/// When not every finding fits whole, whole findings take at most 1/WHOLE_SHARE_OF of the
/// room; the rest is for table rows of the others.
const WHOLE_SHARE_OF: usize = 2;
/// No finding's row and details take fewer characters than this.
const MIN_BLOCK: usize = 80;
/// Inputs named in the header; more are counted.
const HEADER_INPUTS_MAX: usize = 5;
/// The longest subject or message in a table row, in characters; the whole text is in the
/// finding's details.
const CELL_MAX: usize = 160;

/// The longest diagnosis summary, in characters (the subjects are in the items below it).
const SUMMARY_MAX: usize = 400;
/// The most effects a diagnosis lists; the others are counted.
const DIAGNOSIS_EFFECTS_MAX: usize = 20;

/// A character budget: pieces are taken while they fit.
#[derive(Debug)]
pub(crate) struct Budget {
    left: usize,
}

impl Budget {
    /// A budget of `chars` characters.
    pub fn new(chars: usize) -> Budget {
        Budget { left: chars }
    }

    /// The characters left.
    pub fn left(&self) -> usize {
        self.left
    }

    /// Takes `cost` characters if they fit; says whether they did.
    pub fn take(&mut self, cost: usize) -> bool {
        if cost <= self.left {
            self.left -= cost;
            true
        } else {
            false
        }
    }
}

/// `s` as an inline code span: control characters escaped, delimited by a backtick run
/// longer than any inside, padded when it starts or ends with a backtick or a space (the
/// padding is not part of the span's content).
pub(crate) fn code(s: &str) -> String {
    let s = escape_controls(s);
    if s.is_empty() {
        return "(empty)".into();
    }
    let ticks = "`".repeat(longest_run(&s, '`') + 1);
    let pad = if s.starts_with(['`', ' ']) || s.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{s}{pad}{ticks}")
}

/// `s` as a code span in a table cell: like `code`, with `|` escaped (a backslash before
/// a `|` is escaped too, so that it cannot un-escape the pipe and split the row).
pub fn cell(s: &str) -> String {
    code(s).replace("\\|", "\\\\|").replace('|', "\\|")
}

/// Lines as a fenced code block: each line's control characters escaped, the fence a
/// backtick run longer than any inside (at least three).
pub(crate) fn fenced<'a>(lines: impl IntoIterator<Item = &'a str>, info: &str) -> String {
    let lines: Vec<String> = lines
        .into_iter()
        .map(|l| escape_controls(l).into_owned())
        .collect();
    let run = lines.iter().map(|l| longest_run(l, '`')).max().unwrap_or(0);
    let fence = "`".repeat((run + 1).max(3));
    let mut out = format!("{fence}{info}\n");
    for l in &lines {
        out.push_str(l);
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

/// `s` as an HTML `<code>` element: control characters escaped, then entity-escaped.
pub(crate) fn html_code(s: &str) -> String {
    format!("<code>{}</code>", crate::html::escape(&escape_controls(s)))
}

fn longest_run(s: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for x in s.chars() {
        if x == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

fn clip(s: &str) -> String {
    shorten(&escape_controls(s), HEADER_FIELD_MAX)
}

fn header(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## kbundle analyze: {}\n",
        code(&clip(&report.workload))
    );
    let mut inputs: Vec<String> = report
        .inputs
        .iter()
        .take(HEADER_INPUTS_MAX)
        .map(|i| code(&clip(i)))
        .collect();
    if report.inputs.len() > HEADER_INPUTS_MAX {
        inputs.push(format!(
            "and {} more",
            report.inputs.len() - HEADER_INPUTS_MAX
        ));
    }
    let _ = writeln!(
        out,
        "Reference time: {} ({}), window: {}. Inputs: {}.\n",
        report
            .reference_time
            .as_deref()
            .map_or("unknown".to_string(), |t| code(&clip(t))),
        crate::report::source_name(report.reference_time_source),
        code(&clip(&report.window)),
        inputs.join(", ")
    );
    if report.findings.is_empty() {
        out.push_str("No findings.\n");
    } else {
        let s = &report.summary;
        let _ = writeln!(
            out,
            "**{} findings**: {} critical, {} warning, {} info.",
            report.findings.len(),
            s.critical,
            s.warning,
            s.info
        );
    }
    out
}

const TABLE_HEAD: &str = "\n| Severity | Rule | Subject | Message |\n|---|---|---|---|\n";

fn row(f: &Finding) -> String {
    format!(
        "| {} | `{}` | {} | {} |\n",
        f.severity,
        f.rule,
        cell(&shorten(&escape_controls(&f.subject.to_string()), CELL_MAX)),
        cell(&shorten(&escape_controls(&f.message), CELL_MAX))
    )
}

fn details(f: &Finding, inputs: &[String]) -> String {
    let mut out = format!(
        "\n<details>\n<summary><b>{}</b> <code>{}</code> {}</summary>\n\n{}\n",
        f.severity,
        f.rule,
        html_code(&f.subject.to_string()),
        code(&f.message)
    );
    if !f.evidence.is_empty() {
        let lines: Vec<String> = f
            .evidence
            .iter()
            .map(|e| evidence_line(e, inputs))
            .collect();
        out.push_str("\nEvidence:\n\n");
        out.push_str(&fenced(lines.iter().map(String::as_str), "text"));
    }
    if !f.next_steps.is_empty() {
        out.push_str("\nNext steps:\n\n");
        for s in &f.next_steps {
            let _ = writeln!(out, "- {}", code(s));
        }
    }
    if let Some(step) = crate::report::runbook_step(f.rule) {
        let _ = writeln!(
            out,
            "\nRunbook step: {} ({})",
            code(&step.title),
            code(&step.link)
        );
    }
    out.push_str("\n</details>\n");
    out
}

/// How much of each finding a rendering kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kept {
    Whole,
    Row,
    Out,
}

/// The report as Markdown of at most `max_chars` characters (at least [`MIN_MAX_CHARS`]):
/// see the module docs for what is kept.
pub fn render(report: &Report, max_chars: usize) -> String {
    let max_chars = max_chars.max(MIN_MAX_CHARS);
    let mut out = header(report);
    if report.findings.is_empty() {
        return out;
    }
    let room = max_chars.saturating_sub(out.chars().count() + TABLE_HEAD.len() + FOOTER_RESERVE);
    let mut budget = Budget::new(room);
    let mut diagnoses_out = 0usize;
    if !report.diagnoses.is_empty() {
        let head = "\n### Diagnoses (most likely first)\n\n";
        if budget.take(head.chars().count()) {
            out.push_str(head);
            for (n, d) in report.diagnoses.iter().enumerate() {
                let block = diagnosis(n + 1, d);
                if diagnoses_out == 0 && budget.take(block.chars().count()) {
                    out.push_str(&block);
                } else {
                    diagnoses_out += 1;
                }
            }
        } else {
            diagnoses_out = report.diagnoses.len();
        }
    }
    // Most severe first; within a severity, in the report's (triage) order.
    let mut order: Vec<usize> = (0..report.findings.len()).collect();
    order.sort_by_key(|&i| {
        (
            std::cmp::Reverse(report.findings.get(i).map(|f| f.severity)),
            i,
        )
    });
    let rows: Vec<String> = report.findings.iter().map(row).collect();
    let mut kept = vec![Kept::Out; report.findings.len()];
    let mut blocks: Vec<Option<String>> = vec![None; report.findings.len()];
    // Whole if they fit, most severe first: all of them when they all fit, else in at most
    // 1/WHOLE_SHARE_OF of the room, so that the table can list more; then rows for the
    // others. Blocks are built one at a time: a report may hold many findings.
    let cost = |i: usize| -> Option<(usize, String)> {
        let block = details(report.findings.get(i)?, &report.inputs);
        Some((rows.get(i)?.chars().count() + block.chars().count(), block))
    };
    let mut total = 0usize;
    let all_fit = order.iter().all(|&i| {
        total += cost(i).map_or(0, |(c, _)| c);
        total <= room
    });
    let mut share = Budget::new(if all_fit { room } else { room / WHOLE_SHARE_OF });
    for &i in &order {
        if share.left() < MIN_BLOCK {
            break;
        }
        if let Some((c, block)) = cost(i)
            && share.take(c)
            && budget.take(c)
            && let (Some(k), Some(b)) = (kept.get_mut(i), blocks.get_mut(i))
        {
            *k = Kept::Whole;
            *b = Some(block);
        }
    }
    for &i in &order {
        if kept.get(i) == Some(&Kept::Out)
            && let Some(r) = rows.get(i)
            && budget.take(r.chars().count())
            && let Some(k) = kept.get_mut(i)
        {
            *k = Kept::Row;
        }
    }
    out.push_str(TABLE_HEAD);
    for (r, k) in rows.iter().zip(&kept) {
        if *k != Kept::Out {
            out.push_str(r);
        }
    }
    for b in blocks.iter().flatten() {
        out.push_str(b);
    }
    let rows_only = kept.iter().filter(|k| **k == Kept::Row).count();
    let left_out: Vec<&Finding> = report
        .findings
        .iter()
        .zip(&kept)
        .filter(|(_, k)| **k == Kept::Out)
        .map(|(f, _)| f)
        .collect();
    if rows_only > 0 || !left_out.is_empty() || diagnoses_out > 0 {
        out.push_str(&footer(max_chars, diagnoses_out, rows_only, &left_out));
    }
    out
}

/// One diagnosis: a numbered item with its confidence and summary, then its cause and effects.
fn diagnosis(n: usize, d: &Diagnosis) -> String {
    let subject = |s: &crate::Subject| code(&shorten(&escape_controls(&s.to_string()), CELL_MAX));
    let mut out = format!(
        "{n}. **{}** confidence: {}\n   - cause: `{}` {}\n",
        d.confidence.as_str(),
        code(&shorten(&escape_controls(&d.summary), SUMMARY_MAX)),
        d.cause.rule,
        subject(&d.cause.subject)
    );
    for e in d.effects.iter().take(DIAGNOSIS_EFFECTS_MAX) {
        let _ = writeln!(out, "   - explains: `{}` {}", e.rule, subject(&e.subject));
    }
    if d.effects.len() > DIAGNOSIS_EFFECTS_MAX {
        let _ = writeln!(
            out,
            "   - and {} more (in the findings)",
            d.effects.len() - DIAGNOSIS_EFFECTS_MAX
        );
    }
    out
}

fn footer(
    max_chars: usize,
    diagnoses_out: usize,
    rows_only: usize,
    left_out: &[&Finding],
) -> String {
    let mut parts = Vec::new();
    if diagnoses_out > 0 {
        parts.push(format!("{diagnoses_out} diagnoses"));
    }
    if rows_only > 0 {
        parts.push(format!(
            "the details (message, evidence, next steps) of {rows_only} findings listed in the table"
        ));
    }
    if !left_out.is_empty() {
        let n = |s| left_out.iter().filter(|f| f.severity == s).count();
        use crate::Severity::*;
        parts.push(format!(
            "{} findings entirely ({} critical, {} warning, {} info)",
            left_out.len(),
            n(Critical),
            n(Warning),
            n(Info)
        ));
    }
    format!(
        "\n---\n\n**Left out** to fit in {max_chars} characters: {}. The whole report is in the \
         attached bundle: `kbundle analyze BUNDLE --format json` (or `--format text`) shows every \
         finding.\n",
        parts.join(", and ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_outlast_the_backticks_inside() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("``x"), "``` ``x ```");
        assert_eq!(code("x "), "` x  `");
        assert_eq!(code(""), "(empty)");
        assert_eq!(code("a\x1b[2Jb"), "`a\\x1b[2Jb`");
        assert_eq!(cell("a|b"), "`a\\|b`");
        assert_eq!(cell("a\\|b"), "`a\\\\\\|b`");
    }

    #[test]
    fn fences_outlast_the_backticks_inside() {
        assert_eq!(fenced(["x"], "text"), "```text\nx\n```\n");
        assert_eq!(fenced(["a ```` b"], ""), "`````\na ```` b\n`````\n");
        assert_eq!(fenced(["a\nb"], ""), "```\na\\nb\n```\n");
    }

    #[test]
    fn budgets_take_while_they_fit() {
        let mut b = Budget::new(10);
        assert!(b.take(6));
        assert!(!b.take(5));
        assert!(b.take(4));
        assert!(!b.take(1));
    }
}
