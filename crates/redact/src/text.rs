//! kbundle's own text rules: what a format-based catalog cannot see (key names, argument
//! lists, URLs, headers, hashes, prose, base64 of any of these).
//!
//! The rules run on *regions*: the line that holds a trigger word (`pass`, `token`, `://`,
//! `bearer`, a base64 spelling of `password`, ...) and the line after it (a flag's value can be
//! the next line: `- --token` / `- tok`). A text without any trigger costs one Aho-Corasick
//! scan.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use base64::Engine;
use regex::Regex;

use crate::catalog::Hit;
use crate::keys;

fn re(s: &str) -> Regex {
    #[allow(clippy::expect_used)]
    Regex::new(s).expect("built-in pattern")
}

/// Rule ids of this module.
pub const KEY_NAME: &str = "key-name";
/// A value in the argument after a credential flag.
pub const NEXT_ARG: &str = "next-arg";
/// `Authorization` headers of any scheme.
pub const AUTHORIZATION: &str = "authorization-header";
/// `Bearer <token>` anywhere.
pub const BEARER: &str = "bearer-token";
/// A password in a URL's userinfo.
pub const URL_USERINFO: &str = "url-userinfo";
/// `mysql -pPASS`.
pub const MYSQL: &str = "mysql-password-flag";
/// An htpasswd or crypt hash after `user:`.
pub const HTPASSWD: &str = "htpasswd";
/// `the password is X`.
pub const PROSE: &str = "prose";
/// A JSON Web Token.
pub const JWT: &str = "jwt";
/// Base64 whose decoded text holds a credential.
pub const BASE64: &str = "base64-credential";
/// A PEM private key block.
pub const PRIVATE_KEY: &str = "private-key";
/// A 44-character IBM Cloud API key.
pub const IBM_API_KEY: &str = "ibm-api-key";

/// Words that, alone after `token:` in free text, are prose and not a value.
const PROSE_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "is",
    "was",
    "are",
    "be",
    "been",
    "not",
    "no",
    "none",
    "null",
    "nil",
    "empty",
    "missing",
    "required",
    "invalid",
    "expired",
    "failed",
    "failure",
    "error",
    "errors",
    "unable",
    "cannot",
    "refused",
    "denied",
    "found",
    "unknown",
    "true",
    "false",
    "yes",
    "on",
    "off",
    "set",
    "unset",
    "present",
    "absent",
    "provided",
    "given",
    "revoked",
    "rotated",
    "changed",
    "updated",
    "created",
    "deleted",
    "ok",
    "success",
    "successful",
    "mismatch",
    "incorrect",
    "wrong",
    "bad",
    "too",
    "has",
    "have",
    "had",
    "will",
    "would",
    "should",
    "must",
    "may",
    "might",
    "can",
    "could",
    "for",
    "from",
    "with",
    "without",
    "to",
    "of",
    "in",
    "at",
    "by",
    "connection",
    "timeout",
    "exceeded",
    "request",
    "response",
    "redacted",
    "hidden",
    "masked",
    "omitted",
    "see",
    "using",
    "use",
    "generated",
    "rejected",
    "accepted",
    "valid",
    "verified",
    "unauthorized",
    "forbidden",
    "authenticated",
    "refresh",
    "refreshed",
    "file",
    "and",
    "or",
    "it",
    "this",
    "that",
    "needed",
    "expected",
    "ignored",
    "enabled",
    "disabled",
];

/// Trigger groups: which rules a trigger word calls for.
const KEYS: u8 = 1;
const URL: u8 = 2;
const SCHEME: u8 = 4;
const MYSQL_G: u8 = 8;
const HASH: u8 = 16;
const JWT_G: u8 = 32;
const B64: u8 = 64;

const TRIGGERS: &[(&str, u8)] = &[
    ("pass", KEYS),
    ("pwd", KEYS),
    ("secret", KEYS),
    ("token", KEYS),
    ("apikey", KEYS),
    ("api_key", KEYS),
    ("api-key", KEYS),
    ("credential", KEYS),
    ("creds", KEYS),
    ("private", KEYS),
    ("auth", KEYS),
    ("cookie", KEYS),
    ("key", KEYS),
    ("://", URL),
    ("bearer", SCHEME),
    ("basic ", SCHEME),
    ("mysql", MYSQL_G),
    ("mariadb", MYSQL_G),
    ("$apr1$", HASH),
    ("{sha}", HASH),
    ("$2a$", HASH),
    ("$2b$", HASH),
    ("$2y$", HASH),
    ("$1$", HASH),
    ("$5$", HASH),
    ("$6$", HASH),
    ("eyj", JWT_G),
];

/// Keywords whose base64 spellings are triggers for the base64 rule.
const BASE64_WORDS: &[&str] = &[
    "password", "Password", "PASSWORD", "passwd", "secret", "Secret", "SECRET", "token", "Token",
    "TOKEN", "apikey", "api_key", "API_KEY", "private", "PRIVATE",
];

/// The base64 characters of `word` that do not depend on what comes before or after it, for
/// each of the three alignments.
fn base64_spellings(word: &str) -> Vec<String> {
    let engine = base64::engine::general_purpose::STANDARD_NO_PAD;
    (0..3usize)
        .filter_map(|p| {
            let mut bytes = vec![0u8; p];
            bytes.extend_from_slice(word.as_bytes());
            let encoded = engine.encode(&bytes);
            let first = (8 * p).div_ceil(6);
            let last = 8 * (p + word.len()) / 6;
            encoded.get(first..last).map(str::to_string)
        })
        .filter(|s| s.len() >= 6)
        .collect()
}

/// The trigger words, and each one's group.
static TRIGGER_WORDS: LazyLock<(Vec<String>, Vec<u8>)> = LazyLock::new(|| {
    let mut words: Vec<String> = TRIGGERS.iter().map(|(s, _)| s.to_string()).collect();
    let mut groups: Vec<u8> = TRIGGERS.iter().map(|(_, g)| *g).collect();
    for w in BASE64_WORDS {
        for s in base64_spellings(w) {
            words.push(s);
            groups.push(B64);
        }
    }
    (words, groups)
});

/// The trigger words: pattern `i` of an automaton built from them (ASCII case-insensitive,
/// overlapping) is trigger `i` of [`own_rules_with`].
pub(crate) fn triggers() -> &'static [String] {
    &TRIGGER_WORDS.0
}

/// The trigger automaton.
static TRIGGER_AC: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(triggers())
        .ok()
});

static KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"([A-Za-z0-9_.\-/]*[A-Za-z0-9])(?:\\?["'])?[ \t]*(?::=|=>|:|=)[ \t]*(\\?["'])?"#)
});
static NEXT_ARG_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?:^|[\s"'\[,])(--?[A-Za-z][\w.\-]*)(?:["']?[ \t]*,[ \t]*["']|[ \t]+|[ \t]*\r?\n[ \t]*(?:-[ \t]+)?["']?)([^\s"',\]]+)"#,
    )
});
static AUTH_HEADER: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?i)\b(?:proxy-)?authorization(?:\\?["'])?[ \t]*[:=][ \t]*(\\?["'])?"#));
static AUTH_PAIR: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)\\?"name\\?"\s*:\s*\\?"(?:proxy-)?authorization\\?"\s*,\s*\\?"value\\?"\s*:\s*(\\?")"#,
    )
});
static BEARER_RE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\bbearer\s+([A-Za-z0-9\-._~+/]{8,}=*)"));
static BASIC_RE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bbasic\s+([A-Za-z0-9+/]{8,}={0,2})"));
static URL_RE: LazyLock<Regex> =
    LazyLock::new(|| re(r#"\b[a-zA-Z][a-zA-Z0-9+.\-]*://([^/\s:@"'<>\\]*):([^/\s@"'<>\\]+)@"#));
static MYSQL_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?i)\b(?:mysql|mysqldump|mysqladmin|mariadb)\b[^\n]*?\s(?-i:-p)([^\s'"]+)"#)
});
static HTPASSWD_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"[\w.@\-]+:(\$apr1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}|\{SHA\}[A-Za-z0-9+/]{27}=|",
        r"\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{53}|\$[56]\$(?:rounds=\d+\$)?[./A-Za-z0-9]{1,16}\$[./A-Za-z0-9]{43,86}|",
        r"\$1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22})"
    ))
});
static PROSE_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)\b(?:password|passphrase|passwd|pwd|token|secret|api[ _-]?key)\s+(?:is|was|=|set to|changed to|reset to)\s+["'`]?([^\s"'`]+)"#,
    )
});
static JWT_RE: LazyLock<Regex> =
    LazyLock::new(|| re(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"));
static BASE64_RE: LazyLock<Regex> = LazyLock::new(|| re(r"[A-Za-z0-9+/_-]{16,}={0,2}"));
static PEM: LazyLock<Regex> =
    LazyLock::new(|| re(r"-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----\r?\n?"));
static PEM_END: LazyLock<Regex> =
    LazyLock::new(|| re(r"\r?\n?-----END ([A-Z0-9 ]*PRIVATE KEY)-----"));

/// Whether a value is worth redacting: not empty, not a boolean or a short number, not a
/// placeholder (`$VAR`, `${VAR}`, `{{ .x }}`, `<set to the key ...>`, `***`), not a file path.
pub fn plausible(v: &str) -> bool {
    let t = v.trim();
    if t.is_empty() || crate::is_mark_at(t, 0) {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "true" | "false" | "null" | "nil" | "none" | "yes" | "no" | "on" | "off" | "''" | "\"\""
    ) {
        return false;
    }
    if t.len() < 6 && t.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if t.starts_with('$')
        && t[1..]
            .trim_matches(['{', '}', '(', ')'])
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return false;
    }
    if t.starts_with("{{")
        || t.starts_with('<')
        || t.bytes().all(|b| b == b'*' || b == b'x' || b == b'X')
    {
        return false;
    }
    // An absolute file path (`--kubelet-client-key=/etc/kubernetes/pki/client.key`).
    if t.starts_with('/')
        && t.matches('/').count() >= 2
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'_' | b'-'))
    {
        return false;
    }
    true
}

fn prose(v: &str) -> bool {
    let w = v.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
    PROSE_WORDS.contains(&w.to_ascii_lowercase().as_str())
}

/// `failed to fetch token: serviceaccounts "x" not found`: after `key: ` comes a lowercase
/// word followed by more words on the line; that is a sentence, not a value.
fn in_a_sentence(r: &str, matched: &str, value: &str, vend: usize) -> bool {
    matched.contains(':')
        && matched.ends_with([' ', '\t'])
        && value.bytes().all(|b| b.is_ascii_lowercase())
        && r.get(vend..).is_some_and(|rest| {
            rest.starts_with(' ')
                && rest
                    .trim_start()
                    .starts_with(|c: char| c.is_alphanumeric() || c == '"')
        })
}

/// The end of a value starting at `start`: the closing `quote` (an escaped quote when it is
/// `\"`), else the first separator.
fn value_end(text: &str, start: usize, quote: Option<&str>) -> usize {
    let rest = text.get(start..).unwrap_or_default();
    let line_end = rest.find(['\n', '\r']).unwrap_or(rest.len());
    let rest = rest.get(..line_end).unwrap_or_default();
    let n = match quote {
        Some(q) => rest.find(q).unwrap_or(rest.len()),
        None => rest
            .find(|c: char| c.is_whitespace() || "\"'\\,;&}])".contains(c))
            .unwrap_or(rest.len()),
    };
    start + n
}

/// The regions of `text` the own rules look at: each line holding a trigger and the next line,
/// merged, with the groups of the triggers found.
#[cfg(test)]
fn regions(text: &str) -> Vec<(usize, usize, u8)> {
    match TRIGGER_AC.as_ref() {
        Some(ac) => regions_with(
            text,
            ac.find_overlapping_iter(text)
                .map(|m| (m.pattern().as_usize(), m.start())),
        ),
        None => vec![(0, text.len(), u8::MAX)],
    }
}

/// [`regions`] given where the triggers are: (trigger, start), every occurrence, in the order
/// an overlapping search reports them.
fn regions_with(
    text: &str,
    triggers: impl Iterator<Item = (usize, usize)>,
) -> Vec<(usize, usize, u8)> {
    let groups = &TRIGGER_WORDS.1;
    let bytes = text.as_bytes();
    let mut out: Vec<(usize, usize, u8)> = Vec::new();
    let mut line_of_last = usize::MAX;
    for (trigger, hit) in triggers {
        let group = groups.get(trigger).copied().unwrap_or(u8::MAX);
        let start = memchr::memrchr(b'\n', &bytes[..hit]).map_or(0, |i| i + 1);
        if start == line_of_last
            && let Some(last) = out.last_mut()
        {
            last.2 |= group;
            continue;
        }
        line_of_last = start;
        let line_end = memchr::memchr(b'\n', &bytes[hit..]).map_or(text.len(), |i| hit + i);
        let end = if line_end < text.len() {
            memchr::memchr(b'\n', &bytes[line_end + 1..]).map_or(text.len(), |i| line_end + 1 + i)
        } else {
            line_end
        };
        match out.last_mut() {
            Some(last) if start <= last.1 => {
                last.1 = last.1.max(end);
                last.2 |= group;
            }
            _ => out.push((start, end, group)),
        }
    }
    out
}

/// PEM private-key blocks (the body between BEGIN and END, or to the end of the text; a body
/// whose BEGIN line was trimmed away before its END line).
pub fn private_keys(text: &str, hits: &mut Vec<Hit>) {
    // memchr's searcher (a vector scan for a rare pair of its bytes): 12.7 M instructions on
    // 26 MB of logs where `str::contains` took 16.5 M (docs/performance.md).
    if memchr::memmem::find(text.as_bytes(), b"PRIVATE KEY-----").is_none() {
        return;
    }
    let mut covered = 0;
    for begin in PEM.find_iter(text) {
        let body = begin.end();
        let end = PEM_END
            .find_at(text, body)
            .map_or(text.len(), |m| m.start());
        hits.push(Hit {
            start: body,
            end,
            rule: PRIVATE_KEY.into(),
        });
        covered = covered.max(end);
    }
    // An END line with no BEGIN before it: the base64 lines right above it.
    if let Some(end) = PEM_END.find(text)
        && !text[..end.start()].contains("-----BEGIN")
    {
        let before = &text[..end.start()];
        let start = key_body_start(before);
        if start < before.len() && looks_like_key_body(before) {
            hits.push(Hit {
                start,
                end: end.start(),
                rule: PRIVATE_KEY.into(),
            });
        }
    }
}

/// Whether the text right before an `-----END ... PRIVATE KEY-----` line ends with base64 lines.
fn looks_like_key_body(before: &str) -> bool {
    let tail: Vec<&str> = before.trim_end().lines().rev().take(2).collect();
    !tail.is_empty()
        && tail.iter().all(|l| {
            let l = l.trim();
            l.len() >= 16 && is_b64(l)
        })
}

fn is_b64(l: &str) -> bool {
    l.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

/// Where the base64 body before an END line starts (the first of the contiguous base64 lines).
fn key_body_start(before: &str) -> usize {
    let mut start = before.len();
    let mut end = before.trim_end_matches(['\n', '\r']).len();
    loop {
        let line_start = before[..end].rfind('\n').map_or(0, |i| i + 1);
        let line = before[line_start..end].trim();
        if line.is_empty() || !is_b64(line) {
            break;
        }
        start = line_start;
        if line_start == 0 {
            break;
        }
        end = line_start - 1;
    }
    start
}

/// Whether a byte is a key character of [`ibm_keys`] (`A-Za-z0-9_-`).
static KEY_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
        b += 1;
    }
    t
};

/// 44-character IBM Cloud API keys (mixed case and digits), anywhere in the text: a run of
/// exactly 44 key characters (`A-Za-z0-9_-`) not touching other base64 characters (`+/=`).
///
/// The text is read as windows of 44 bytes, each from its end backwards (as Boyer-Moore reads
/// a pattern): a byte that is not a key character ends the window's chances, and those of every
/// window that holds it, so the next window starts right after it. In ordinary text that byte
/// (a space, a dot, a colon) is a few bytes from the window's end, so most bytes are never
/// read. A window of key characters only starts a run (the byte before it is not one): the run
/// is measured, and the scan goes on after it. Every byte is read at most twice.
pub fn ibm_keys(text: &str, hits: &mut Vec<Hit>) {
    const LEN: usize = 44;
    let key = |b: &u8| KEY_BYTE[usize::from(*b)];
    let b64 = |b: u8| matches!(b, b'+' | b'/' | b'=');
    let bytes = text.as_bytes();
    // The byte before `from` is not a key character (or `from` is 0): every run that starts at
    // or after it is still to be found.
    let mut from = 0;
    while let Some(window) = bytes.get(from..from + LEN) {
        if let Some(i) = window.iter().rposition(|b| !key(b)) {
            from += i + 1;
            continue;
        }
        let start = from;
        let end = bytes
            .get(start + LEN..)
            .unwrap_or_default()
            .iter()
            .position(|b| !key(b))
            .map_or(bytes.len(), |i| start + LEN + i);
        from = end + 1;
        if end - start != LEN {
            continue;
        }
        let touches = |i: Option<usize>| i.and_then(|i| bytes.get(i)).is_some_and(|&b| b64(b));
        if touches(start.checked_sub(1)) || touches(Some(end)) {
            continue;
        }
        let run = bytes.get(start..end).unwrap_or_default();
        if run.iter().any(u8::is_ascii_uppercase)
            && run.iter().any(u8::is_ascii_lowercase)
            && run.iter().any(u8::is_ascii_digit)
        {
            hits.push(Hit {
                start,
                end,
                rule: IBM_API_KEY.into(),
            });
        }
    }
}

fn push(hits: &mut Vec<Hit>, offset: usize, start: usize, end: usize, rule: &str) {
    if end > start {
        hits.push(Hit {
            start: offset + start,
            end: offset + end,
            rule: rule.to_string(),
        });
    }
}

/// The own rules over every region of `text`. `decode`: also look into base64 (not inside
/// base64 already).
pub fn own_rules(text: &str, decode: bool, nested: &dyn Fn(&str) -> bool, hits: &mut Vec<Hit>) {
    match TRIGGER_AC.as_ref() {
        Some(ac) => {
            let triggers = ac
                .find_overlapping_iter(text)
                .map(|m| (m.pattern().as_usize(), m.start()));
            own_rules_with(text, triggers, decode, nested, hits);
        }
        None => region_rules(text, 0, u8::MAX, decode, nested, hits),
    }
}

/// [`own_rules`] given where the triggers are ([`regions_with`]).
pub(crate) fn own_rules_with(
    text: &str,
    triggers: impl Iterator<Item = (usize, usize)>,
    decode: bool,
    nested: &dyn Fn(&str) -> bool,
    hits: &mut Vec<Hit>,
) {
    for (start, end, groups) in regions_with(text, triggers) {
        let Some(region) = text.get(start..end) else {
            continue;
        };
        region_rules(region, start, groups, decode, nested, hits);
    }
}

/// The captures of `re` in `region`; none without a region, and `re` is then not touched, so
/// it is compiled only when a region needs it (most texts need few of these expressions, and
/// each costs up to 2 M instructions to compile).
fn captures<'r>(
    re: &'r LazyLock<Regex>,
    region: Option<&'r str>,
) -> impl Iterator<Item = regex::Captures<'r>> + 'r {
    region.into_iter().flat_map(move |r| re.captures_iter(r))
}

fn region_rules(
    r: &str,
    off: usize,
    groups: u8,
    decode: bool,
    nested: &dyn Fn(&str) -> bool,
    hits: &mut Vec<Hit>,
) {
    // An expression is only touched, and so compiled on first use, for a region whose
    // triggers call for it: `within` gives the region to the groups' expressions, nothing to
    // the others (see `captures`).
    let within = |group: u8| (groups & group != 0).then_some(r);
    // key = value, key: value, "key": "value", -Dkey=value, KEY=value
    for c in captures(&KEY_VALUE, within(KEYS)) {
        let (Some(whole), Some(key)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let k = key.as_str();
        // Headers are the authorization rule's (it keeps the scheme).
        if !keys::sensitive(k)
            || k.eq_ignore_ascii_case("authorization")
            || k.eq_ignore_ascii_case("proxy-authorization")
        {
            continue;
        }
        let quote = c.get(2).map(|q| q.as_str());
        let vstart = whole.end();
        let vend = value_end(r, vstart, quote);
        let value = &r[vstart..vend];
        if !plausible(value)
            || (quote.is_none() && (prose(value) || in_a_sentence(r, whole.as_str(), value, vend)))
        {
            continue;
        }
        push(hits, off, vstart, vend, KEY_NAME);
    }
    // --flag value, "--flag", "value", - --flag\n- value
    for c in captures(&NEXT_ARG_RE, within(KEYS)) {
        let (Some(flag), Some(value)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let v = value.as_str();
        if keys::sensitive(flag.as_str().trim_start_matches('-'))
            && !v.starts_with('-')
            && plausible(v)
            && !prose(v)
        {
            push(hits, off, value.start(), value.end(), NEXT_ARG);
        }
    }
    // Authorization: <scheme> <credentials>
    for c in captures(&AUTH_HEADER, within(KEYS)).chain(captures(&AUTH_PAIR, within(KEYS))) {
        let Some(whole) = c.get(0) else { continue };
        let quote = c.get(1).map(|q| q.as_str());
        let mut vstart = whole.end();
        let rest = &r[vstart..];
        let line = &rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())];
        // Keep the scheme (`Basic`, `Bearer`, `Digest`, ...).
        if let Some(sp) = line.find(' ')
            && line[..sp]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            vstart += sp + 1;
        }
        let rest = &r[vstart..];
        // Parameters (`Digest username="u", response="..."`) run to the end of the line.
        let params = rest.find("=\"").is_some_and(|i| {
            rest[..i]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        let vend = match quote {
            Some(q) if !params => value_end(r, vstart, Some(q)),
            _ if params => {
                vstart
                    + line
                        .len()
                        .min(rest.find(['\n', '\r']).unwrap_or(rest.len()))
            }
            _ => {
                vstart
                    + rest
                        .find(|c: char| c.is_whitespace() || c == '"' || c == '\'')
                        .unwrap_or(rest.len())
            }
        };
        let value = r[vstart..vend].trim_end();
        if plausible(value) && !(quote.is_none() && prose(value)) {
            push(hits, off, vstart, vstart + value.len(), AUTHORIZATION);
        }
    }
    for c in captures(&BEARER_RE, within(SCHEME)) {
        if let Some(m) = c.get(1) {
            push(hits, off, m.start(), m.end(), BEARER);
        }
    }
    for c in captures(&BASIC_RE, within(SCHEME)) {
        if let Some(m) = c.get(1)
            && decode_b64(m.as_str()).is_some_and(|d| d.contains(':'))
        {
            push(hits, off, m.start(), m.end(), AUTHORIZATION);
        }
    }
    for c in captures(&URL_RE, within(URL)) {
        if let Some(m) = c.get(2)
            && plausible(m.as_str())
        {
            push(hits, off, m.start(), m.end(), URL_USERINFO);
        }
    }
    for (re, rule, group) in [
        (&MYSQL_RE, MYSQL, MYSQL_G),
        (&HTPASSWD_RE, HTPASSWD, HASH),
        (&PROSE_RE, PROSE, KEYS),
    ] {
        for c in captures(re, within(group)) {
            if let Some(m) = c.get(1) {
                let v = m
                    .as_str()
                    .trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
                if plausible(v) && (rule != PROSE || !prose(v)) {
                    push(hits, off, m.start(), m.start() + v.len(), rule);
                }
            }
        }
    }
    for m in within(JWT_G)
        .map(|r| JWT_RE.find_iter(r))
        .into_iter()
        .flatten()
    {
        push(hits, off, m.start(), m.end(), JWT);
    }
    if decode && groups & (B64 | SCHEME) != 0 {
        for m in BASE64_RE.find_iter(r) {
            if let Some(decoded) = decode_b64(m.as_str())
                && nested(&decoded)
            {
                push(hits, off, m.start(), m.end(), BASE64);
            }
        }
    }
}

/// Decodes standard or URL-safe base64 (padded or not) into text, when it is mostly printable
/// UTF-8.
pub fn decode_b64(s: &str) -> Option<String> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let t = s.trim_end_matches('=');
    let bytes = STANDARD_NO_PAD
        .decode(t)
        .or_else(|_| URL_SAFE_NO_PAD.decode(t))
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let printable = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    (text.len() >= 6 && printable * 10 >= text.chars().count() * 9).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_spellings_are_found_in_any_alignment() {
        let engine = base64::engine::general_purpose::STANDARD;
        let spellings = base64_spellings("password");
        for prefix in ["", "x", "xy", "db_password=1"] {
            let encoded = engine.encode(format!("{prefix}password=hunter2"));
            assert!(
                spellings.iter().any(|s| encoded.contains(s.as_str())),
                "{encoded} {spellings:?}"
            );
        }
    }

    #[test]
    fn regions_are_trigger_lines_and_the_next_line() {
        let text = "a\nb token\nc\nd\ne\n";
        let r = regions(text);
        assert_eq!(r.len(), 1);
        let (s, e, g) = r[0];
        assert_eq!(&text[s..e], "b token\nc");
        assert_eq!(g, KEYS);
        assert!(regions("nothing here\nat all\n").is_empty());
    }

    /// The 44-character key scan as first written (every byte, every run): what the skipping
    /// scan must find.
    fn ibm_keys_every_byte(text: &str) -> Vec<(usize, usize)> {
        let key = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
        let b64 = |b: u8| matches!(b, b'+' | b'/' | b'=');
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if !key(bytes[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && key(bytes[i]) {
                i += 1;
            }
            let run = &bytes[start..i];
            if run.len() == 44
                && !(start > 0 && b64(bytes[start - 1]))
                && !(i < bytes.len() && b64(bytes[i]))
                && run.iter().any(u8::is_ascii_uppercase)
                && run.iter().any(u8::is_ascii_lowercase)
                && run.iter().any(u8::is_ascii_digit)
            {
                out.push((start, i));
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Runs of 40 to 48 key characters between separators (base64 ones included), and
        /// non-ASCII text: the skipping scan finds exactly what the every-byte scan finds.
        #[test]
        fn ibm_key_scan_finds_what_every_byte_finds(
            parts in proptest::collection::vec(
                ("[A-Za-z0-9_-]{0,6}", 38usize..50, "[ +/=.:\"é\n]{1,2}"),
                0..12,
            ),
        ) {
            let mut text = String::new();
            let alphabet = b"aZ3_-kQ9xY0b";
            for (lead, n, sep) in &parts {
                text.push_str(lead);
                for i in 0..*n {
                    text.push(char::from(alphabet[(i * 7 + n) % alphabet.len()]));
                }
                text.push_str(sep);
            }
            let mut hits = Vec::new();
            ibm_keys(&text, &mut hits);
            let found: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
            proptest::prop_assert_eq!(found, ibm_keys_every_byte(&text));
        }
    }
}
