//! Neutral text: input-derived strings made harmless for a terminal (and for any sink that
//! shows text to a person), by one function, [`escape_controls`].
//!
//! A pod name, a condition message or a log line may hold escape sequences (screen clear,
//! OSC 52 clipboard writes, OSC 8 links), C1 controls, bare carriage returns, newlines that
//! forge report lines, or BiDi overrides that make text read differently than it is. Each such
//! character is replaced by a visible escape: `\n`, `\r`, `\t`, `\x1b` (C0 controls and DEL),
//! `\u{9b}` (C1 controls) and `\u{202e}` (BiDi controls, invisible format characters, line and
//! paragraph separators). Everything else, backslashes included, is left as it is, so ordinary
//! text (and every Kubernetes name) is unchanged.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal (or a rendered page) as itself.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // BiDi marks, embeddings, overrides and isolates (Trojan Source).
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            // Zero-width and invisible format characters, the byte order mark.
            | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{feff}'
            // Line and paragraph separators (line breaks to some terminals and viewers).
            | '\u{2028}' | '\u{2029}'
            // Interlinear annotations.
            | '\u{fff9}'..='\u{fffb}'
        )
}

/// `s` with every control character, escape sequence introducer, BiDi control and invisible
/// format character replaced by a visible escape (see the module docs). Borrowed when there
/// was nothing to replace. The result holds no character for which [`is_unsafe`] is true, and
/// no line break: it prints on one line.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x80 && is_unsafe(c) => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_what_a_terminal_would_act_on() {
        assert_eq!(escape_controls("calico-node-x2x7k"), "calico-node-x2x7k");
        assert!(matches!(escape_controls("plain"), Cow::Borrowed(_)));
        assert_eq!(escape_controls("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(
            escape_controls("\x1b]52;c;ZXZpbA==\x07"),
            "\\x1b]52;c;ZXZpbA==\\x07"
        );
        assert_eq!(
            escape_controls("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\"),
            "\\x1b]8;;http://x\\x1b\\link\\x1b]8;;\\x1b\\"
        );
        assert_eq!(escape_controls("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(escape_controls("ok\rFORGED"), "ok\\rFORGED");
        assert_eq!(escape_controls("a\nb\tc\x7f"), "a\\nb\\tc\\x7f");
        assert_eq!(escape_controls("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(
            escape_controls("x\u{2028}y\u{feff}"),
            "x\\u{2028}y\\u{feff}"
        );
        // Ordinary non-ASCII text is kept.
        assert_eq!(escape_controls("Größe 3µs …"), "Größe 3µs …");
    }

    proptest! {
        #[test]
        fn output_is_always_safe(s in any::<String>()) {
            let out = escape_controls(&s);
            prop_assert!(!out.chars().any(is_unsafe), "{out:?}");
            prop_assert!(!out.contains('\n'));
        }

        #[test]
        fn safe_text_is_unchanged(s in "[a-zA-Z0-9 ./:_\\\\-]{0,40}") {
            prop_assert_eq!(escape_controls(&s), s.as_str());
        }
    }
}
