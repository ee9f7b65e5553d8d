//! The gitleaks rule set (`data/gitleaks.toml`, MIT, see `data/README.md`), compiled once.
//!
//! Every rule has keywords; one search over all of them (ASCII case-insensitive) finds which
//! rules can match a text at all, and only those rules' expressions run, on the lines that hold
//! their keywords. For a few rules whose keywords hit ordinary log lines (`s.` of
//! `resources.go`, `ico-` of `calico-`, `sk` of `task`), an occurrence counts only where a
//! match could start (`SITES`). A finding is kept when its secret (the rule's `secretGroup`,
//! else the first capture group that matched, else the whole match) reaches the rule's entropy
//! and no allowlist of the rule or the global allowlist accepts it. Allowlists that name file
//! paths do not apply (a bundle entry is not a source file).
//!
//! Rules are skipped, never silently: [`Catalog::skipped`] lists each one with its reason (an
//! expression Rust's `regex` cannot compile, a rule on file names only, or a rule that one of
//! kbundle's own rules does better). A test prints and checks that list.

use std::collections::BTreeMap;

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use regex::bytes::{Regex as BytesRegex, RegexBuilder as BytesRegexBuilder};
use serde::Deserialize;

/// The rule set, as copied.
pub const GITLEAKS_TOML: &str = include_str!("../data/gitleaks.toml");
/// The rule set as JSON, converted from [`GITLEAKS_TOML`] at build time (`build.rs`): every
/// process reads it once, and parsing the TOML took about a millisecond, the JSON a tenth.
const GITLEAKS_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/gitleaks.json"));
/// The gitleaks commit the rules come from.
pub const GITLEAKS_COMMIT: &str = "b58d3f102cf3a2c84cb7f923d05c25c9b1aed84b";

/// Rules kbundle's own rules replace, with why.
const SUPERSEDED: &[(&str, &str)] = &[
    (
        "generic-api-key",
        "a key-name heuristic: kbundle's key-name rule does that job with Kubernetes-aware exceptions (secretName, tokenExpirationSeconds), and its keywords (key, api, auth, access) occur on most log lines",
    ),
    (
        "private-key",
        "kbundle's private-key rule also finds a key block whose BEGIN line was trimmed away",
    ),
    ("jwt", "kbundle's jwt rule"),
];

#[derive(Deserialize, Default)]
struct File {
    #[serde(default)]
    allowlist: Option<RawAllow>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
struct RawRule {
    id: String,
    regex: Option<String>,
    #[serde(rename = "secretGroup")]
    secret_group: Option<usize>,
    entropy: Option<f64>,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    allowlists: Vec<RawAllow>,
}

#[derive(Deserialize, Default, Debug)]
struct RawAllow {
    #[serde(default)]
    regexes: Vec<String>,
    #[serde(rename = "regexTarget")]
    regex_target: Option<String>,
    #[serde(default)]
    stopwords: Vec<String>,
    #[serde(default)]
    paths: Vec<String>,
    condition: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Secret,
    Match,
    Line,
}

#[derive(Debug)]
struct Allow {
    regexes: Vec<Regex>,
    target: Target,
    stopwords: Vec<String>,
}

impl Allow {
    /// `None`: this allowlist cannot be evaluated here (it needs a file path in an AND).
    fn compile(raw: &RawAllow) -> Result<Option<Allow>, regex::Error> {
        let and = raw.condition.as_deref() == Some("AND");
        if !raw.paths.is_empty() && (and || (raw.regexes.is_empty() && raw.stopwords.is_empty())) {
            return Ok(None);
        }
        let regexes = raw
            .regexes
            .iter()
            .map(|r| Regex::new(r))
            .collect::<Result<_, _>>()?;
        let target = match raw.regex_target.as_deref() {
            Some("match") => Target::Match,
            Some("line") => Target::Line,
            _ => Target::Secret,
        };
        Ok(Some(Allow {
            regexes,
            target,
            stopwords: raw.stopwords.iter().map(|s| s.to_lowercase()).collect(),
        }))
    }

    fn allows(&self, secret: &str, whole: &str, line: &str) -> bool {
        let subject = match self.target {
            Target::Secret => secret,
            Target::Match => whole,
            Target::Line => line,
        };
        if self.regexes.iter().any(|r| r.is_match(subject)) {
            return true;
        }
        if !self.stopwords.is_empty() {
            let lower = secret.to_lowercase();
            return self.stopwords.iter().any(|w| lower.contains(w.as_str()));
        }
        false
    }
}

/// One rule: compiled on first use (a text that never holds its keywords never pays for it).
#[derive(Debug)]
pub struct Rule {
    /// The gitleaks id, e.g. `github-pat`.
    pub id: String,
    pattern: String,
    secret_group: Option<usize>,
    entropy: Option<f64>,
    raw_allows: Vec<RawAllow>,
    compiled: OnceLock<Result<Compiled, String>>,
}

#[derive(Debug)]
struct Compiled {
    regex: BytesRegex,
    /// Whether the expression compiled with ASCII classes (the [`SITES`] conditions are read
    /// from it as ASCII).
    ascii: bool,
    allows: Vec<Allow>,
}

/// A condition a rule's match needs at one of its keyword's occurrences, read from the rule's
/// expression by hand: every match of the expression holds, at an occurrence of one of the
/// keywords, `bytes` (case-sensitive) followed by at least `run` bytes of `class`. An
/// occurrence where that does not hold cannot be part of a match, so a line whose occurrences
/// all fail it needs no search. Applied only while the rule's expression is `regex` (a new
/// gitleaks version that changes it drops the condition; a test checks they all apply).
struct Site {
    rule: &'static str,
    regex: &'static str,
    /// (keyword, its bytes as the expression spells them, the run of `class` after them).
    keywords: &'static [(&'static str, &'static [u8], usize)],
    class: fn(&u8) -> bool,
}

/// `[A-Za-z0-9_-]`
fn word_or_dash(b: &u8) -> bool {
    b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-'
}

/// The rules whose keywords occur on ordinary log lines, with the condition of their matches:
/// - `vault-service-token`, `\b((?:hvs\.[\w-]{90,120}|s\.(?i:[a-z0-9]{24})))...`: a match starts
///   with `hvs.` and 90 of `[\w-]`, or with `s.` and 24 of `[a-z0-9]` (both in `[\w-]`);
/// - `twilio-api-key`, `SK[0-9a-fA-F]{32}`;
/// - `infracost-api-token`, `\b(ico-[a-zA-Z0-9]{32})...`.
const SITES: &[Site] = &[
    Site {
        rule: "vault-service-token",
        regex: r#"\b((?:hvs\.[\w-]{90,120}|s\.(?i:[a-z0-9]{24})))(?:[\x60'"\s;]|\\[nr]|$)"#,
        keywords: &[("hvs.", b"hvs.", 90), ("s.", b"s.", 24)],
        class: word_or_dash,
    },
    Site {
        rule: "twilio-api-key",
        regex: "SK[0-9a-fA-F]{32}",
        keywords: &[("sk", b"SK", 32)],
        class: u8::is_ascii_hexdigit,
    },
    Site {
        rule: "infracost-api-token",
        regex: r#"\b(ico-[a-zA-Z0-9]{32})(?:[\x60'"\s;]|\\[nr]|$)"#,
        keywords: &[("ico-", b"ico-", 32)],
        class: u8::is_ascii_alphanumeric,
    },
];

/// One keyword's [`Site`] condition.
#[derive(Debug, Clone, Copy)]
struct SiteCheck {
    bytes: &'static [u8],
    run: usize,
    class: fn(&u8) -> bool,
}

impl SiteCheck {
    /// Whether the condition holds at `at`.
    fn holds(&self, text: &[u8], at: usize) -> bool {
        let from = at + self.bytes.len();
        text.get(at..from) == Some(self.bytes)
            && text
                .get(from..from + self.run)
                .is_some_and(|run| run.iter().all(self.class))
    }
}

impl Rule {
    /// The expression as gitleaks (Go's RE2) means it: `\w`, `\d`, `\s` and `(?i)` are ASCII
    /// there, so they are here (which also keeps `\w{50,1000}` small); Unicode only for an
    /// expression that asks for it.
    fn compiled(&self) -> &Result<Compiled, String> {
        self.compiled.get_or_init(|| {
            let (regex, ascii) = BytesRegexBuilder::new(&self.pattern)
                .unicode(false)
                .build()
                .map(|r| (r, true))
                .or_else(|_| {
                    BytesRegexBuilder::new(&self.pattern)
                        .build()
                        .map(|r| (r, false))
                })
                .map_err(|e| {
                    format!(
                        "expression not supported by Rust's regex: {}",
                        e.to_string().lines().last().unwrap_or_default()
                    )
                })?;
            let mut allows = Vec::new();
            for a in &self.raw_allows {
                match Allow::compile(a) {
                    Ok(Some(a)) => allows.push(a),
                    Ok(None) => {}
                    Err(e) => {
                        return Err(format!(
                            "allowlist expression not supported by Rust's regex: {}",
                            e.to_string().lines().last().unwrap_or_default()
                        ));
                    }
                }
            }
            Ok(Compiled {
                regex,
                ascii,
                allows,
            })
        })
    }
}

/// A rule not compiled, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The gitleaks id.
    pub id: String,
    /// Why.
    pub reason: String,
}

/// The rule set: rules compiled on first use behind one keyword search.
#[derive(Debug)]
pub struct Catalog {
    rules: Vec<Rule>,
    /// Keyword automaton of [`Catalog::find`], built on first use (redaction searches the
    /// keywords with its own finder); pattern `i` (`words[i]`) belongs to rule
    /// `keyword_rule[i]`.
    keywords: OnceLock<Option<AhoCorasick>>,
    words: Vec<String>,
    keyword_rule: Vec<usize>,
    /// The [`Site`] condition of keyword `i`, if its rule has one.
    keyword_site: Vec<Option<SiteCheck>>,
    /// Rules without keywords: always tried.
    always: Vec<usize>,
    /// The global allowlist, compiled when a rule first matches (most texts never need it).
    raw_global: Option<RawAllow>,
    global: OnceLock<Vec<Allow>>,
    skipped: Vec<Skipped>,
}

/// A secret found: its byte range in the text and the rule's id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Start of the secret.
    pub start: usize,
    /// End of the secret.
    pub end: usize,
    /// The rule.
    pub rule: String,
}

/// Shannon entropy (bits per character) of a text.
pub fn entropy(s: &str) -> f64 {
    let mut freq: BTreeMap<char, usize> = BTreeMap::new();
    let mut n = 0usize;
    for c in s.chars() {
        *freq.entry(c).or_insert(0) += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    freq.values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// The line of `text` around byte `at`: (start, end), end before the newline.
fn line_at(text: &[u8], at: usize) -> (usize, usize) {
    let start = memchr::memrchr(b'\n', text.get(..at).unwrap_or_default()).map_or(0, |i| i + 1);
    let end =
        memchr::memchr(b'\n', text.get(at..).unwrap_or_default()).map_or(text.len(), |i| at + i);
    (start, end)
}

impl Catalog {
    /// Reads a gitleaks TOML rule set. A rule that cannot be used is listed in
    /// [`Catalog::skipped`] (expressions are checked when a rule is first used, or all at once
    /// by [`Catalog::compile_all`]); a file that is not a rule set at all is an error.
    pub fn compile(toml_text: &str) -> Result<Catalog, toml::de::Error> {
        Ok(Catalog::of(toml::from_str(toml_text)?))
    }

    /// The built-in rule set ([`GITLEAKS_TOML`], read from its JSON form; a test checks that
    /// both give the same catalog).
    pub(crate) fn builtin() -> Catalog {
        let file = serde_json::from_str(GITLEAKS_JSON)
            .or_else(|_| toml::from_str(GITLEAKS_TOML))
            .unwrap_or_default();
        Catalog::of(file)
    }

    fn of(file: File) -> Catalog {
        let mut rules = Vec::new();
        let mut skipped = Vec::new();
        let mut words: Vec<String> = Vec::new();
        let mut keyword_rule = Vec::new();
        let mut keyword_site = Vec::new();
        let mut always = Vec::new();
        for raw in file.rules {
            if let Some((_, why)) = SUPERSEDED.iter().find(|(id, _)| *id == raw.id) {
                skipped.push(Skipped {
                    id: raw.id,
                    reason: format!("superseded: {why}"),
                });
                continue;
            }
            let Some(pattern) = raw.regex else {
                skipped.push(Skipped {
                    id: raw.id,
                    reason: "no expression: the rule matches file names only".into(),
                });
                continue;
            };
            let index = rules.len();
            if raw.keywords.is_empty() {
                always.push(index);
            }
            let site = SITES
                .iter()
                .find(|s| s.rule == raw.id && s.regex == pattern);
            for k in &raw.keywords {
                let k = k.to_lowercase();
                keyword_site.push(site.and_then(|s| {
                    s.keywords
                        .iter()
                        .find(|(w, _, _)| *w == k)
                        .map(|&(_, bytes, run)| SiteCheck {
                            bytes,
                            run,
                            class: s.class,
                        })
                }));
                words.push(k);
                keyword_rule.push(index);
            }
            rules.push(Rule {
                id: raw.id,
                pattern,
                secret_group: raw.secret_group,
                entropy: raw.entropy,
                raw_allows: raw.allowlists,
                compiled: OnceLock::new(),
            });
        }
        Catalog {
            rules,
            keywords: OnceLock::new(),
            words,
            keyword_rule,
            keyword_site,
            always,
            raw_global: file.allowlist,
            global: OnceLock::new(),
            skipped,
        }
    }

    /// The global allowlist (compiled on first use).
    fn global(&self) -> &[Allow] {
        self.global.get_or_init(|| {
            self.raw_global
                .as_ref()
                .and_then(|a| Allow::compile(a).ok().flatten())
                .into_iter()
                .collect()
        })
    }

    /// Compiles every rule and the global allowlist now; the rules that cannot be compiled join
    /// [`Catalog::skipped`] (and are never tried).
    pub fn compile_all(&mut self) {
        self.global();
        for r in &self.rules {
            if let Err(reason) = r.compiled()
                && !self.skipped.iter().any(|s| s.id == r.id)
            {
                self.skipped.push(Skipped {
                    id: r.id.clone(),
                    reason: reason.clone(),
                });
            }
        }
    }

    /// How many rules compile (after [`Catalog::compile_all`]: how many are used).
    pub fn usable(&self) -> usize {
        self.rules.iter().filter(|r| r.compiled().is_ok()).count()
    }

    /// The rules (not yet compiled ones included).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rules not used, and why.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// Every secret the rules find in `text`, in no particular order. A rule runs only on the
    /// lines that hold one of its keywords (on the whole text when those lines are most of it).
    pub fn find(&self, text: &str, hits: &mut Vec<Hit>) {
        let keywords = self.keywords.get_or_init(|| {
            AhoCorasickBuilder::new()
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .build(&self.words)
                .ok()
        });
        match keywords {
            Some(ac) => self.find_with(
                text,
                ac.find_overlapping_iter(text)
                    .map(|m| (m.pattern().as_usize(), m.start())),
                hits,
            ),
            None => self.find_with(text, std::iter::empty(), hits),
        }
    }

    /// The keywords, lowercase: pattern `i` of an automaton built from them (ASCII
    /// case-insensitive, overlapping) is keyword `i` of [`Catalog::find_with`].
    pub(crate) fn keywords(&self) -> &[String] {
        &self.words
    }

    /// [`Catalog::find`] given where the keywords are: (keyword, start), every occurrence, in
    /// the order an overlapping search reports them.
    pub(crate) fn find_with(
        &self,
        text: &str,
        keywords: impl Iterator<Item = (usize, usize)>,
        hits: &mut Vec<Hit>,
    ) {
        let bytes = text.as_bytes();
        let whole = (0, text.len());
        // (rule, line, whether an occurrence in it passes its keyword's site condition), in
        // the order found; `last[rule]`: the index of the rule's last line here.
        let mut spans: Vec<(usize, (usize, usize), bool)> = Vec::new();
        let mut last = vec![usize::MAX; self.rules.len()];
        for &i in &self.always {
            if let Some(l) = last.get_mut(i) {
                *l = spans.len();
                spans.push((i, whole, true));
            }
        }
        // Overlapping search: a keyword inside another (`xoxb` in `xoxb-`) still counts.
        for (keyword, start) in keywords {
            let Some((rule, l)) = self
                .keyword_rule
                .get(keyword)
                .and_then(|&r| Some((r, last.get_mut(r)?)))
            else {
                continue;
            };
            let site = match self.keyword_site.get(keyword) {
                Some(Some(check)) => check.holds(bytes, start),
                _ => true,
            };
            if let Some((_, (s, e), passes)) = spans.get_mut(*l)
                && start >= *s
                && start <= *e
            {
                *passes |= site;
                continue;
            }
            *l = spans.len();
            spans.push((rule, line_at(bytes, start), site));
        }
        // Each rule's lines in the order found (a stable sort), the rules in their order.
        spans.sort_by_key(|&(rule, _, _)| rule);
        for group in spans.chunk_by(|a, b| a.0 == b.0) {
            let Some(rule) = group.first().and_then(|&(r, _, _)| self.rules.get(r)) else {
                continue;
            };
            let Ok(compiled) = rule.compiled() else {
                continue;
            };
            let covered: usize = group.iter().map(|(_, (s, e), _)| e - s).sum();
            let mut lines: Vec<((usize, usize), bool)> =
                group.iter().map(|&(_, span, site)| (span, site)).collect();
            if covered > text.len() / 4 {
                lines = vec![(whole, lines.iter().any(|&(_, site)| site))];
            } else {
                lines.sort_unstable();
                lines.dedup_by(|b, a| {
                    let same = a.0 == b.0;
                    a.1 |= same && b.1;
                    same
                });
            }
            for ((s, e), site) in lines {
                // No occurrence can start a match: the expression cannot match here.
                if compiled.ascii && !site {
                    continue;
                }
                let Some(hay) = bytes.get(s..e) else { continue };
                self.run(rule, compiled, text, hay, s, hits);
            }
        }
    }

    fn run(
        &self,
        rule: &Rule,
        compiled: &Compiled,
        text: &str,
        hay: &[u8],
        offset: usize,
        hits: &mut Vec<Hit>,
    ) {
        for caps in compiled.regex.captures_iter(hay) {
            let Some(whole) = caps.get(0) else { continue };
            let secret = match rule.secret_group {
                Some(g) => caps.get(g),
                None => caps.iter().skip(1).flatten().next(),
            }
            .unwrap_or(whole);
            let s = String::from_utf8_lossy(secret.as_bytes());
            if s.is_empty() || rule.entropy.is_some_and(|e| entropy(&s) < e) {
                continue;
            }
            let (ls, le) = line_at(text.as_bytes(), offset + whole.start());
            let line = text.get(ls..le).unwrap_or_default();
            let matched = String::from_utf8_lossy(whole.as_bytes());
            if compiled
                .allows
                .iter()
                .chain(self.global())
                .any(|a| a.allows(&s, &matched, line))
            {
                continue;
            }
            hits.push(Hit {
                start: offset + secret.start(),
                end: offset + secret.end(),
                rule: rule.id.clone(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let mut c = Catalog::compile(GITLEAKS_TOML).unwrap_or_else(|e| panic!("{e}"));
        c.compile_all();
        c
    }

    /// The built-in catalog, read from the JSON made at build time, is the TOML's, field for
    /// field (expressions, keywords, entropies, allowlists, skipped rules).
    #[test]
    fn the_built_in_json_is_the_toml() {
        let toml = Catalog::compile(GITLEAKS_TOML).unwrap_or_else(|e| panic!("{e}"));
        let json: File = serde_json::from_str(GITLEAKS_JSON).unwrap_or_else(|e| panic!("{e}"));
        assert!(json.rules.len() > 200);
        assert_eq!(format!("{:?}", Catalog::builtin()), format!("{toml:?}"));
    }

    /// Every rule of the file is either compiled or listed as skipped with its reason; the
    /// skipped list is exactly this one (a new gitleaks version that adds a rule Rust's regex
    /// cannot take fails here until it is looked at).
    #[test]
    fn every_rule_is_compiled_or_listed_as_skipped() {
        let c = catalog();
        let total = GITLEAKS_TOML.matches("\n[[rules]]").count();
        assert_eq!(c.usable() + c.skipped().len(), total);
        let mut skipped: Vec<(&str, &str)> = c
            .skipped()
            .iter()
            .map(|s| {
                (
                    s.id.as_str(),
                    s.reason.split(':').next().unwrap_or_default(),
                )
            })
            .collect();
        skipped.sort();
        assert_eq!(
            skipped,
            [
                (
                    "curl-auth-user",
                    "allowlist expression not supported by Rust's regex"
                ),
                ("generic-api-key", "superseded"),
                ("jwt", "superseded"),
                ("pkcs12-file", "no expression"),
                ("private-key", "superseded"),
            ],
            "{:#?}",
            c.skipped()
        );
        assert!(c.usable() > 200);
    }

    fn ids(text: &str) -> Vec<String> {
        let mut hits = Vec::new();
        catalog().find(text, &mut hits);
        hits.into_iter().map(|h| h.rule).collect()
    }

    #[test]
    fn formats_found() {
        for (text, id) in [
            ("key AKIAZ7VRSQ5TLMNQ3XWB used", "aws-access-token"),
            (
                "GITHUB=ghp_R8kZq2mX9vT4wL6yN3pB7cD1fH5jK0sAeUiO",
                "github-pat",
            ),
            (
                "github_pat_11ABCDEFG0123456789abc_9aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789aBcDeFgHiJkLmNoPqRsT7Q",
                "github-fine-grained-pat",
            ),
            (
                "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
                "npm-access-token",
            ),
        ] {
            assert!(
                ids(text).contains(&id.to_string()),
                "{text}: {:?}",
                ids(text)
            );
        }
    }

    #[test]
    fn ordinary_text_finds_nothing() {
        for text in [
            "2025-03-14 09:30:00.000 [INFO][1] main.go 123: Starting controller ControllerType=\"Node\"",
            "image: quay.io/tigera/kube-controllers:v3.28.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "uid: 6f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f resourceVersion: 123456789",
        ] {
            assert!(ids(text).is_empty(), "{text}: {:?}", ids(text));
        }
    }

    /// Every site condition applies to the rule set as copied (an update of the rules that
    /// changes one of these expressions fails here until its condition is read again).
    #[test]
    fn every_site_condition_applies() {
        let c = catalog();
        for site in SITES {
            let rule = c.rules().iter().position(|r| r.id == site.rule);
            let rule = rule.unwrap_or_else(|| panic!("{}", site.rule));
            assert_eq!(c.rules()[rule].pattern, site.regex, "{}", site.rule);
            assert!(matches!(c.rules()[rule].compiled(), Ok(k) if k.ascii));
            for (keyword, _, _) in site.keywords {
                let i = c.words.iter().position(|w| w == keyword);
                let i = i.unwrap_or_else(|| panic!("{keyword}"));
                assert_eq!(c.keyword_rule[i], rule);
                assert!(c.keyword_site[i].is_some(), "{keyword}");
            }
        }
        let sited = c.keyword_site.iter().filter(|s| s.is_some()).count();
        assert_eq!(sited, SITES.iter().map(|s| s.keywords.len()).sum::<usize>());
    }

    static SITED: std::sync::LazyLock<Catalog> = std::sync::LazyLock::new(catalog);
    static UNSITED: std::sync::LazyLock<Catalog> = std::sync::LazyLock::new(|| {
        let mut c = catalog();
        c.keyword_site.iter_mut().for_each(|s| *s = None);
        c
    });

    /// A piece of a text near the sited rules' matches: their keywords in any case, followed
    /// by runs of their classes around the lengths they need, and ordinary log words.
    fn piece() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            (
                proptest::sample::select(vec![
                    "s.", "S.", "hvs.", "HVS.", "hVs.", "sk", "SK", "Sk", "ico-", "ICO-", "Ico-",
                    "xs.", "_s.", "calico-", "resources.go",
                ]),
                "[A-Za-z0-9]{20,36}|[A-Fa-f0-9]{30,34}|[A-Fa-f0-9_-]{22,36}|[A-Za-z0-9_-]{85,125}|[a-z0-9]{24}"
            )
                .prop_map(|(k, run)| format!("{k}{run}")),
            proptest::sample::select(vec![
                " ", "\n", "\n", "\"", "'", ";", "`", "\\n", ".", "-", "=", ":", "é", "\r\n",
            ])
            .prop_map(str::to_string),
            "[a-zA-Z0-9 ._-]{0,12}",
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// The site conditions skip only lines where the rules cannot match: the same hits,
        /// in the same order, as the catalog without them (short texts, where a rule's lines
        /// are often more than a quarter of the text and it runs on the whole text, and long
        /// ones, where it runs line by line).
        #[test]
        fn sites_skip_only_lines_without_matches(
            pieces in proptest::collection::vec(piece(), 0..400),
        ) {
            let text = pieces.concat();
            let (mut with, mut without) = (Vec::new(), Vec::new());
            SITED.find(&text, &mut with);
            UNSITED.find(&text, &mut without);
            proptest::prop_assert_eq!(with, without);
        }
    }

    #[test]
    fn entropy_of_simple_texts() {
        assert_eq!(entropy(""), 0.0);
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("abcd") - 2.0).abs() < 1e-9);
    }
}
