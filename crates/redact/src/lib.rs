//! # kbundle-redact
//!
//! Redaction of credentials in Kubernetes objects and in text (logs, describe output, server
//! messages), for `kbundle collect` and `kbundle redact`. Pure: no I/O but the redaction map
//! file ([`RedactionMap::write`]) and the bundle conversion ([`bundle`]), no async, no network.
//!
//! Two sources of rules, each with a stable id (the `kind` of the manifest's `redactions`):
//!
//! - the **gitleaks** rule set of credential formats (AWS, GitHub, Slack, Stripe, npm, ... ;
//!   `data/gitleaks.toml`, MIT), compiled once behind a keyword prefilter ([`catalog`]); ids as
//!   gitleaks names them (`aws-access-token`, `github-pat`);
//! - kbundle's own rules for what formats cannot show ([`text`] for text; objects here):
//!   `key-name` (a value under a name that says credential, in env, args, flags, properties,
//!   YAML, JSON, INI, URLs, shell assignments, annotations, header lists), `next-arg`,
//!   `authorization-header`, `bearer-token`, `url-userinfo`, `private-key`, `jwt`, `htpasswd`,
//!   `mysql-password-flag`, `prose`, `base64-credential`, `ibm-api-key`, `secret-data` (the data
//!   of an embedded Secret), `embedded-secret` (a `last-applied-configuration` that is a
//!   Secret), `configmap-binary-data`, and `custom` (`--redact REGEX`).
//!
//! Every rule finds byte ranges of the original text; overlapping ranges are merged and each
//! merged range is replaced once and counted once, under the rule that starts it. A range that
//! touches a mark already there (`[REDACTED]`, `[REDACTED:3f9a1c2b]`) is left alone, so
//! redacting twice changes nothing and counts nothing.

#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};

use kbundle_format::json::opt_str_at;
use regex::Regex;
use serde_json::Value;
use sha2::{Digest, Sha256};

pub mod bundle;
pub mod catalog;
mod keys;
pub mod text;
mod words;

use catalog::{Catalog, Hit};
use words::Words;

/// What replaces a redacted value (without `--tokenize`).
pub const MARK: &str = "[REDACTED]";
const MARK_PREFIX: &str = "[REDACTED";

/// Rule id of a value the caller's own pattern matched.
pub const CUSTOM: &str = "custom";
/// Rule id of the data of a Secret embedded in an object.
pub const SECRET_DATA: &str = "secret-data";
/// Rule id of a `last-applied-configuration` annotation that holds a Secret.
pub const EMBEDDED_SECRET: &str = "embedded-secret";
/// Rule id of a ConfigMap's `binaryData` value.
pub const BINARY_DATA: &str = "configmap-binary-data";

static CATALOG: LazyLock<Catalog> = LazyLock::new(Catalog::builtin);

/// One search for the catalog's keywords and the own rules' triggers (patterns from
/// `catalog` on are triggers): a text is searched once for both ([`words`]).
static KEYWORDS: LazyLock<Option<(Words, usize)>> = LazyLock::new(|| {
    let catalog = CATALOG.keywords();
    Words::new(catalog.iter().chain(text::triggers()).map(String::as_str))
        .map(|words| (words, catalog.len()))
});

/// The compiled gitleaks catalog (built on first use).
pub fn gitleaks() -> &'static Catalog {
    &CATALOG
}

/// Whether `text` at byte `at` starts a redaction mark.
pub fn is_mark_at(text: &str, at: usize) -> bool {
    text.get(at..).is_some_and(|t| t.starts_with(MARK_PREFIX))
}

/// Redaction counts by rule, and the tokens made (with `--tokenize`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    rules: BTreeMap<String, u64>,
    tokens: BTreeMap<String, (String, String)>,
}

impl Counts {
    /// No counts.
    pub fn new() -> Counts {
        Counts::default()
    }
    /// The count of one rule.
    pub fn get(&self, rule: &str) -> Option<u64> {
        self.rules.get(rule).copied()
    }
    /// Whether nothing was redacted.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
    /// Values redacted, all rules.
    pub fn total(&self) -> u64 {
        self.rules.values().sum()
    }
    /// Counts by rule.
    pub fn by_rule(&self) -> &BTreeMap<String, u64> {
        &self.rules
    }
    /// The tokens made: token → (rule, value).
    pub fn tokens(&self) -> &BTreeMap<String, (String, String)> {
        &self.tokens
    }
    /// The tokens made, for [`Redactor::settle`].
    pub fn into_tokens(self) -> BTreeMap<String, (String, String)> {
        self.tokens
    }
    /// The counts of the marks that lie whole in `tail`, the bytes from `from` on of a text
    /// these counts were made for with `marks` ([`Redactor::text_with_marks`]): the counts of
    /// a redacted text's tail, kept when its head was trimmed away. Only the tokens of those
    /// marks are kept.
    pub fn of_tail(&self, tail: &[u8], marks: &[Mark], from: usize) -> Counts {
        let mut counts = Counts::new();
        for m in marks.iter().filter(|m| m.start >= from) {
            counts.bump(&m.rule);
            if let Some(token) = tail.get(m.start - from..m.end - from)
                && let Ok(token) = std::str::from_utf8(token)
                && let Some(t) = self.tokens.get(token)
            {
                counts.tokens.insert(token.to_string(), t.clone());
            }
        }
        counts
    }
    fn bump(&mut self, rule: &str) {
        *self.rules.entry(rule.to_string()).or_insert(0) += 1;
    }
    /// Adds another's counts and tokens.
    pub fn merge(&mut self, other: Counts) {
        for (k, n) in other.rules {
            *self.rules.entry(k).or_insert(0) += n;
        }
        self.tokens.extend(other.tokens);
    }
}

/// Where [`Redactor::text_with_marks`] wrote a mark: its byte range in the redacted text, and
/// the rule it counts under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// The mark's first byte.
    pub start: usize,
    /// The byte after its last.
    pub end: usize,
    /// The rule id.
    pub rule: String,
}

impl IntoIterator for Counts {
    type Item = (String, u64);
    type IntoIter = std::collections::btree_map::IntoIter<String, u64>;
    fn into_iter(self) -> Self::IntoIter {
        self.rules.into_iter()
    }
}

/// Redacts credentials with the built-in rules plus the caller's patterns. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    custom: Vec<Regex>,
    key: Option<[u8; 32]>,
    /// Short string values of objects in which no rule found anything, shared by the clones
    /// (all with the same rules: whether a string is clean does not depend on the key).
    /// Objects repeat their strings (`Running`, `True`, image names, the same pod redacted
    /// for describe, for its own file and in its list): each is searched once.
    clean: Clean,
}

/// The clean strings of a [`Redactor`] and its clones.
#[derive(Clone, Default)]
struct Clean(Arc<Mutex<HashSet<Box<str>>>>);

impl std::fmt::Debug for Clean {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clean")
    }
}

/// The longest string value [`Redactor::value`] remembers as clean, and how many it remembers
/// (then it forgets them all and starts again): at most about 2.5 MiB.
const CLEAN_MAX_LEN: usize = 256;
const CLEAN_MAX: usize = 8_192;

/// HMAC-SHA-256 (RFC 2104).
fn hmac(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    let mut ipad = [0x36u8; 64];
    let mut opad = [0x5cu8; 64];
    for (i, k) in key.iter().enumerate() {
        if let (Some(a), Some(b)) = (ipad.get_mut(i), opad.get_mut(i)) {
            *a ^= k;
            *b ^= k;
        }
    }
    let inner = Sha256::new()
        .chain_update(ipad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(opad)
        .chain_update(inner)
        .finalize()
        .into()
}

impl Redactor {
    /// A redactor with the built-in rules and the given extra patterns (`--redact REGEX`):
    /// every match of an extra pattern is replaced.
    pub fn new(custom: Vec<Regex>) -> Redactor {
        Redactor {
            custom,
            key: None,
            clean: Clean::default(),
        }
    }

    /// Replaces each value with `[REDACTED:<8 hex>]`, the first 32 bits of HMAC-SHA-256 of the
    /// value under `key`: the same value gets the same token everywhere in one run, and nobody
    /// without the key can test a guess against a token. Give a fresh random key per run.
    pub fn tokenized(mut self, key: [u8; 32]) -> Redactor {
        self.key = Some(key);
        self
    }

    /// Whether values become tokens.
    pub fn tokenizes(&self) -> bool {
        self.key.is_some()
    }

    fn mark(&self, value: &str, rule: &str, counts: &mut Counts) -> String {
        counts.bump(rule);
        match &self.key {
            None => MARK.to_string(),
            Some(key) => {
                let mac = hmac(key, value.as_bytes());
                let token = format!(
                    "[REDACTED:{}]",
                    kbundle_format::hex(mac.get(..4).unwrap_or_default())
                );
                counts
                    .tokens
                    .entry(token.clone())
                    .or_insert_with(|| (rule.to_string(), value.to_string()));
                token
            }
        }
    }

    /// Every range of `text` some rule finds (not merged).
    fn find(&self, text: &str, decode: bool, hits: &mut Vec<Hit>) {
        text::private_keys(text, hits);
        let nested = |decoded: &str| {
            let mut inner = Vec::new();
            self.find(decoded, false, &mut inner);
            !inner.is_empty()
        };
        match &*KEYWORDS {
            Some((words, split)) => {
                let (mut keywords, mut triggers) = (Vec::new(), Vec::new());
                words.find(text.as_bytes(), |pattern, start| {
                    match pattern.checked_sub(*split) {
                        None => keywords.push((pattern, start)),
                        Some(trigger) => triggers.push((trigger, start)),
                    }
                });
                CATALOG.find_with(text, keywords.into_iter(), hits);
                text::own_rules_with(text, triggers.into_iter(), decode, &nested, hits);
            }
            None => {
                CATALOG.find(text, hits);
                text::own_rules(text, decode, &nested, hits);
            }
        }
        text::ibm_keys(text, hits);
        for pattern in &self.custom {
            for m in pattern.find_iter(text) {
                if !m.is_empty() {
                    hits.push(Hit {
                        start: m.start(),
                        end: m.end(),
                        rule: CUSTOM.into(),
                    });
                }
            }
        }
    }

    /// Redacts text; counts what it replaced.
    pub fn text<'a>(&self, text: &'a str, counts: &mut Counts) -> Cow<'a, str> {
        self.text_marked(text, counts, None)
    }

    /// Redacts text like [`Redactor::text`], and adds to `marks` where each mark it wrote is in
    /// the redacted text, so the counts of a part of it can be told ([`Counts::of_tail`]).
    pub fn text_with_marks<'a>(
        &self,
        text: &'a str,
        counts: &mut Counts,
        marks: &mut Vec<Mark>,
    ) -> Cow<'a, str> {
        self.text_marked(text, counts, Some(marks))
    }

    fn text_marked<'a>(
        &self,
        text: &'a str,
        counts: &mut Counts,
        mut written: Option<&mut Vec<Mark>>,
    ) -> Cow<'a, str> {
        let mut hits = Vec::new();
        self.find(text, true, &mut hits);
        if hits.is_empty() {
            return Cow::Borrowed(text);
        }
        // Ranges that touch a mark already there are left alone (idempotence).
        let marks: Vec<(usize, usize)> = if text.contains(MARK_PREFIX) {
            text.match_indices(MARK_PREFIX)
                .map(|(i, _)| {
                    let end = text
                        .get(i..)
                        .and_then(|t| t.find(']'))
                        .map_or(text.len(), |j| i + j + 1);
                    (i, end)
                })
                .collect()
        } else {
            Vec::new()
        };
        // A range that cuts a character (an ASCII rule next to UTF-8) grows to whole ones.
        for h in &mut hits {
            while !text.is_char_boundary(h.start) {
                h.start -= 1;
            }
            while h.end < text.len() && !text.is_char_boundary(h.end) {
                h.end += 1;
            }
            h.end = h.end.min(text.len());
        }
        hits.retain(|h| h.start < h.end && !marks.iter().any(|&(s, e)| h.start < e && s < h.end));
        if hits.is_empty() {
            return Cow::Borrowed(text);
        }
        hits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut merged: Vec<Hit> = Vec::new();
        for h in hits {
            match merged.last_mut() {
                Some(last) if h.start < last.end => last.end = last.end.max(h.end),
                _ => merged.push(h),
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for h in merged {
            out.push_str(text.get(at..h.start).unwrap_or_default());
            let value = text.get(h.start..h.end).unwrap_or_default();
            let start = out.len();
            out.push_str(&self.mark(value, &h.rule, counts));
            if let Some(written) = written.as_deref_mut() {
                written.push(Mark {
                    start,
                    end: out.len(),
                    rule: h.rule,
                });
            }
            at = h.end;
        }
        out.push_str(text.get(at..).unwrap_or_default());
        Cow::Owned(out)
    }

    /// Counts the tokens of `known` found in `text` (values redacted earlier by a tokenizing
    /// redactor, e.g. from the objects a describe text was rendered from) under their rules,
    /// and writes each as this redactor would have: the same token, or [`MARK`]. So a text
    /// made from redacted data is counted exactly once.
    pub fn settle<'a>(
        &self,
        text: &'a str,
        known: &BTreeMap<String, (String, String)>,
        counts: &mut Counts,
    ) -> Cow<'a, str> {
        if known.is_empty() || !text.contains("[REDACTED:") {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (i, _) in text.match_indices("[REDACTED:") {
            if i < at {
                continue;
            }
            let Some(end) = text.get(i..).and_then(|t| t.find(']')).map(|j| i + j + 1) else {
                break;
            };
            let Some(token) = text.get(i..end) else {
                continue;
            };
            let Some((rule, value)) = known.get(token) else {
                continue;
            };
            out.push_str(text.get(at..i).unwrap_or_default());
            out.push_str(&self.mark(value, rule, counts));
            at = end;
        }
        out.push_str(text.get(at..).unwrap_or_default());
        Cow::Owned(out)
    }

    /// Redacts a Kubernetes object (or any JSON value) in place; counts what it replaced.
    pub fn value(&self, value: &mut Value, counts: &mut Counts) {
        match value {
            Value::String(s) => self.string(s, counts),
            Value::Array(items) => self.array(items, counts),
            Value::Object(map) => self.object(map, counts),
            _ => {}
        }
    }

    /// A string value, redacted as text; one found clean before is not searched again.
    fn string(&self, s: &mut String, counts: &mut Counts) {
        let short = s.len() <= CLEAN_MAX_LEN;
        if short
            && self
                .clean
                .0
                .lock()
                .is_ok_and(|clean| clean.contains(s.as_str()))
        {
            return;
        }
        match self.text(s, counts) {
            Cow::Owned(new) => *s = new,
            Cow::Borrowed(_) if short => {
                if let Ok(mut clean) = self.clean.0.lock() {
                    if clean.len() >= CLEAN_MAX {
                        clean.clear();
                    }
                    clean.insert(s.as_str().into());
                }
            }
            Cow::Borrowed(_) => {}
        }
    }

    /// Replaces a whole string value (not already a mark) with a mark.
    fn whole(&self, s: &mut String, rule: &str, counts: &mut Counts) {
        if !is_mark_at(s, 0) {
            *s = self.mark(s, rule, counts);
        }
    }

    /// An argument list: the element after a credential flag (`"--token", "tok"`) is a value.
    fn array(&self, items: &mut [Value], counts: &mut Counts) {
        let mut after_flag = false;
        for item in items.iter_mut() {
            if let Value::String(s) = item {
                let flag = s.starts_with('-')
                    && !s.contains('=')
                    && !s.contains(char::is_whitespace)
                    && keys::sensitive(s.trim_start_matches('-'));
                if after_flag && !s.starts_with('-') && text::plausible(s) {
                    self.whole(s, text::NEXT_ARG, counts);
                    after_flag = false;
                    continue;
                }
                after_flag = flag;
            } else {
                after_flag = false;
            }
            self.value(item, counts);
        }
    }

    fn object(&self, map: &mut serde_json::Map<String, Value>, counts: &mut Counts) {
        let kind = map.get("kind").and_then(Value::as_str).unwrap_or_default();
        let is_secret = kind == "Secret";
        let is_configmap = kind == "ConfigMap";
        // `{"name": X, "value": Y}`: an env var or an HTTP header.
        let pair_name = pair_name(map);
        for (key, child) in map.iter_mut() {
            if is_secret && (key == "data" || key == "stringData") {
                self.all_strings(child, SECRET_DATA, counts);
                continue;
            }
            if is_configmap && key == "binaryData" {
                self.all_strings(child, BINARY_DATA, counts);
                continue;
            }
            if key == "value"
                && let Some(name) = &pair_name
                && keys::sensitive(name)
                && let Value::String(s) = child
                && text::plausible(s)
            {
                self.whole(s, text::KEY_NAME, counts);
                continue;
            }
            if key == "annotations"
                && let Value::Object(annotations) = child
            {
                for (name, v) in annotations.iter_mut() {
                    if let Value::String(s) = v {
                        self.annotation(name, s, counts);
                    }
                }
                continue;
            }
            if let Value::String(s) = child
                && keys::sensitive(key)
                && text::plausible(s)
            {
                self.whole(s, text::KEY_NAME, counts);
                continue;
            }
            self.value(child, counts);
        }
    }

    fn annotation(&self, name: &str, value: &mut String, counts: &mut Counts) {
        if keys::sensitive(name) {
            if text::plausible(value) {
                self.whole(value, text::KEY_NAME, counts);
            }
            return;
        }
        if let Ok(mut embedded) = serde_json::from_str::<Value>(value)
            && embedded.is_object()
        {
            if opt_str_at(&embedded, "/kind") == Some("Secret") {
                self.whole(value, EMBEDDED_SECRET, counts);
                return;
            }
            let mut inner = Counts::new();
            self.value(&mut embedded, &mut inner);
            if !inner.is_empty() {
                if let Ok(s) = serde_json::to_string(&embedded) {
                    *value = s;
                    counts.merge(inner);
                } else {
                    self.whole(value, EMBEDDED_SECRET, counts);
                }
            }
            return;
        }
        if let Cow::Owned(new) = self.text(value, counts) {
            *value = new;
        }
    }

    fn all_strings(&self, value: &mut Value, rule: &str, counts: &mut Counts) {
        match value {
            Value::Object(map) => map
                .values_mut()
                .for_each(|v| self.all_strings(v, rule, counts)),
            Value::Array(items) => items
                .iter_mut()
                .for_each(|v| self.all_strings(v, rule, counts)),
            Value::String(s) => self.whole(s, rule, counts),
            _ => {}
        }
    }
}

/// `{"name": "...", "value": "..."}` (an env var, an HTTP header): its name.
fn pair_name(map: &serde_json::Map<String, Value>) -> Option<String> {
    let name = map.get("name")?.as_str()?;
    if !map.contains_key("value")
        || map
            .keys()
            .any(|k| !matches!(k.as_str(), "name" | "value" | "valueFrom"))
    {
        return None;
    }
    Some(name.to_string())
}

/// Where each token was used, for `--redaction-map`.
#[derive(Debug, Default, Clone)]
pub struct RedactionMap {
    tokens: BTreeMap<String, MapEntry>,
}

#[derive(Debug, Default, Clone)]
struct MapEntry {
    rules: BTreeSet<String>,
    locations: BTreeSet<String>,
    value: String,
}

impl RedactionMap {
    /// An empty map.
    pub fn new() -> RedactionMap {
        RedactionMap::default()
    }

    /// Records the tokens of one location's counts (a bundle entry, `manifest.json`, ...).
    pub fn record(&mut self, location: &str, counts: &Counts) {
        for (token, (rule, value)) in &counts.tokens {
            let e = self.tokens.entry(token.clone()).or_default();
            e.rules.insert(rule.clone());
            e.locations.insert(location.to_string());
            if e.value.is_empty() {
                e.value = value.clone();
            }
        }
    }

    /// Adds another map.
    pub fn merge(&mut self, other: RedactionMap) {
        for (token, o) in other.tokens {
            let e = self.tokens.entry(token).or_default();
            e.rules.extend(o.rules);
            e.locations.extend(o.locations);
            if e.value.is_empty() {
                e.value = o.value;
            }
        }
    }

    /// How many tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether there is no token.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The map as JSON: `{"format": "kbundle-redaction-map/1", "tokens": {token: {"rules":
    /// [...], "locations": [...], "value"?: "..."}}}`; the values only when `with_values`.
    pub fn to_json(&self, with_values: bool) -> Value {
        let tokens: serde_json::Map<String, Value> = self
            .tokens
            .iter()
            .map(|(t, e)| {
                let mut o = serde_json::json!({"rules": e.rules, "locations": e.locations});
                if with_values && let Some(m) = o.as_object_mut() {
                    m.insert("value".into(), Value::String(e.value.clone()));
                }
                (t.clone(), o)
            })
            .collect();
        serde_json::json!({"format": "kbundle-redaction-map/1", "tokens": tokens})
    }

    /// Writes the map to a new file of mode 0600 (refusing to overwrite or follow a link).
    pub fn write(&self, path: &Path, with_values: bool) -> std::io::Result<()> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(path)?;
        let mut bytes = serde_json::to_vec_pretty(&self.to_json(with_values))?;
        bytes.push(b'\n');
        f.write_all(&bytes)?;
        f.sync_all()
    }
}

#[cfg(test)]
mod tests;
