//! An emulation of Go's `text/tabwriter` as kubectl configures it for
//! `describe` (`minwidth=0, tabwidth=8, padding=2, padchar=' ', flags=0`),
//! plus kubectl's `PrefixWriter` (two spaces of indentation per level and
//! terminal escaping of every write).
//!
//! Semantics reproduced from the Go implementation:
//! - a line is split into cells at each `\t`; every cell but the last one of
//!   a line is "tab-terminated" and takes part in column alignment;
//! - a column block is a run of consecutive lines that all have a
//!   tab-terminated cell in that column; its width is the widest cell plus the
//!   padding; lines without such a cell end the block;
//! - widths are measured in Unicode scalar values (Go counts runes);
//! - text is only aligned within what is buffered between two flushes.

/// Buffered text between flushes, formatted like Go's tabwriter.
#[derive(Debug, Default)]
pub(crate) struct TabWriter {
    out: String,
    buf: String,
}

const PADDING: usize = 2;

impl TabWriter {
    /// Appends raw text to the buffer.
    pub(crate) fn push(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    /// Formats everything buffered so far and moves it to the output.
    pub(crate) fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.buf);
        let mut lines: Vec<&str> = text.split('\n').collect();
        // `split` yields a trailing empty piece when the text ends with a
        // newline: that piece is not a line.
        let ends_with_newline = text.ends_with('\n');
        if ends_with_newline {
            lines.pop();
        }
        let cells: Vec<Vec<&str>> = lines.iter().map(|l| l.split('\t').collect()).collect();
        let mut widths = Vec::new();
        let nlines = cells.len();
        format_block(
            &mut self.out,
            &cells,
            &mut widths,
            0,
            nlines,
            ends_with_newline,
        );
    }

    /// Flushes and returns the formatted text.
    pub(crate) fn finish(mut self) -> String {
        self.flush();
        self.out
    }
}

fn text_width(s: &str) -> usize {
    s.chars().count()
}

fn format_block(
    out: &mut String,
    lines: &[Vec<&str>],
    widths: &mut Vec<usize>,
    line0: usize,
    line1: usize,
    ends_with_newline: bool,
) {
    let column = widths.len();
    let mut start = line0;
    let mut this = line0;
    while this < line1 {
        let ncells = lines.get(this).map_or(0, Vec::len);
        if column + 1 >= ncells {
            this += 1;
            continue;
        }
        write_lines(out, lines, widths, start, this, ends_with_newline);
        start = this;
        let mut width = 0;
        while this < line1 {
            let Some(line) = lines.get(this) else { break };
            if column + 1 >= line.len() {
                break;
            }
            let w = line.get(column).map_or(0, |c| text_width(c)) + PADDING;
            width = width.max(w);
            this += 1;
        }
        widths.push(width);
        format_block(out, lines, widths, start, this, ends_with_newline);
        widths.pop();
        start = this;
    }
    write_lines(out, lines, widths, start, line1, ends_with_newline);
}

fn write_lines(
    out: &mut String,
    lines: &[Vec<&str>],
    widths: &[usize],
    line0: usize,
    line1: usize,
    ends_with_newline: bool,
) {
    for i in line0..line1 {
        let Some(line) = lines.get(i) else { continue };
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if let Some(&w) = widths.get(j) {
                let pad = w.saturating_sub(text_width(cell));
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        if i + 1 < lines.len() || ends_with_newline {
            out.push('\n');
        }
    }
}

/// kubectl's `PrefixWriter`: indents each write by two spaces per level and
/// escapes terminal control characters, in front of a [`TabWriter`].
#[derive(Debug, Default)]
pub(crate) struct PrefixWriter {
    tw: TabWriter,
}

impl PrefixWriter {
    /// Writes `text` prefixed by `level` indentation steps.
    pub(crate) fn write(&mut self, level: usize, text: &str) {
        let mut s = String::with_capacity(text.len() + level * 2);
        for _ in 0..level {
            s.push_str("  ");
        }
        s.push_str(text);
        self.tw.push(&escape_terminal(&s));
    }

    /// Writes `text` followed by a newline, without indentation.
    pub(crate) fn write_line(&mut self, text: &str) {
        let mut s = escape_terminal(text);
        s.push('\n');
        self.tw.push(&s);
    }

    /// Forces alignment of what was written so far.
    pub(crate) fn flush(&mut self) {
        self.tw.flush();
    }

    /// Returns the final text.
    pub(crate) fn finish(self) -> String {
        self.tw.finish()
    }
}

/// kubectl replaces ESC and CR so a describe cannot drive the terminal.
fn escape_terminal(s: &str) -> String {
    if !s.contains(['\x1b', '\r']) {
        return s.to_string();
    }
    s.replace('\x1b', "^[").replace('\r', "\\r")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        let mut t = TabWriter::default();
        t.push(s);
        t.finish()
    }

    #[test]
    fn aligns_a_block() {
        assert_eq!(
            fmt("Name:\tx\nNamespace:\ty\n"),
            "Name:       x\nNamespace:  y\n"
        );
    }

    #[test]
    fn line_without_tab_breaks_block() {
        assert_eq!(
            fmt("A:\t1\nIPs:\n  IP:\t2\nControlled By:\t3\n"),
            "A:  1\nIPs:\n  IP:           2\nControlled By:  3\n"
        );
    }

    #[test]
    fn empty_last_cell_keeps_padding_of_first() {
        assert_eq!(fmt("IP:\t\nLonger:\tx\n"), "IP:      \nLonger:  x\n");
    }

    #[test]
    fn nested_columns_and_empty_middle_cells() {
        assert_eq!(
            fmt("a\tb\t\tc\nlong\tbb\t\tc\n"),
            "a     b     c\nlong  bb    c\n"
        );
    }

    #[test]
    fn escapes_control_characters() {
        let mut w = PrefixWriter::default();
        w.write(1, "x\x1b[31m\r\n");
        assert_eq!(w.finish(), "  x^[[31m\\r\n");
    }
}
