//! The wordings of Calico and TLS failures that the `apiserver-unreachable`, `ipam-exhausted`,
//! `calico-node-not-ready` and `certificate-expired` rules match, in one place: the log scan
//! marks log lines with them (at any level: Calico logs IPAM leaks at INFO) and the rules
//! match event messages with the same function. The rules' documentation gives each wording's
//! source.

use std::sync::LazyLock;

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;

use crate::Context;
use crate::report::{Evidence, Subject, excerpt};

/// What a line or event message tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Mark {
    /// A Calico component cannot reach the Kubernetes API service.
    ApiUnreachable,
    /// Calico IPAM has no address or block to give.
    IpamExhausted,
    /// Calico IPAM garbage collection found or released a leaked address.
    IpamLeak,
    /// BGP not established with a peer.
    BgpNotEstablished,
    /// BIRD's control socket cannot be reached.
    BirdSocket,
    /// Felix is not ready.
    FelixNotReady,
    /// Felix cannot connect to Typha.
    TyphaUnreachable,
    /// `x509: certificate has expired or is not yet valid`.
    CertificateExpired,
}

/// The wordings matched as they are written, each with what it tells, in order of precedence.
const EXACT: &[(&str, Mark)] = &[
    (
        "x509: certificate has expired or is not yet valid",
        Mark::CertificateExpired,
    ),
    ("pools are likely exhausted", Mark::IpamExhausted),
    (
        "cannot allocate new block due to per host block limit",
        Mark::IpamExhausted,
    ),
    ("Candidate IP leak", Mark::IpamLeak),
    ("Confirmed IP leak", Mark::IpamLeak),
    ("Garbage collecting leaked IP address", Mark::IpamLeak),
    ("BGP not established with", Mark::BgpNotEstablished),
    ("Error querying BIRD", Mark::BirdSocket),
    ("Failed to connect to Typha", Mark::TyphaUnreachable),
    ("felix is not ready", Mark::FelixNotReady),
];

/// The datastore and API client wordings of Calico components (kube-controllers, calico-node,
/// the CNI plugin, their probes), in any case.
const CALICO_API_WORDINGS: &[&str] = &[
    "Error getting cluster information config",
    "Failed to initialize datastore",
    "Failed to initialize Calico datastore",
    "Failed to verify datastore",
    "Error verifying datastore",
    "Error initializing datastore",
    "error getting ClusterInformation",
    "Failed to get config from datastore",
    "Failed to reach apiserver",
    "Error reaching apiserver",
];

static CALICO_API: LazyLock<Option<Regex>> = LazyLock::new(|| {
    let words: Vec<String> = CALICO_API_WORDINGS
        .iter()
        .map(|w| regex::escape(w))
        .collect();
    Regex::new(&format!("(?i){}", words.join("|"))).ok()
});

/// Every wording: `EXACT`'s, then the [`CALICO_API_WORDINGS`] (pattern `i` of the searchers
/// below is the `i`-th).
fn all_wordings() -> impl Iterator<Item = &'static str> {
    EXACT
        .iter()
        .map(|(w, _)| *w)
        .chain(CALICO_API_WORDINGS.iter().copied())
}

/// Every wording, in any ASCII case. In a line of ASCII text, what this finds is every
/// wording the line holds (one pass over the line instead of a search per wording). `(?i)` in
/// [`CALICO_API`] also folds two non-ASCII letters to ASCII ones (`K` Kelvin, `ſ`), so other
/// text takes every search. Used where [`LOWER_WORDINGS`] cannot be built (no SIMD).
static ANY_WORDING: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasickBuilder::new()
        .kind(Some(AhoCorasickKind::DFA))
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(all_wordings())
        .ok()
});

/// Every wording in lower case, searched in lower-cased text: what [`ANY_WORDING`] finds, with a
/// packed (SIMD) searcher, many times faster (`ascii_case_insensitive` rules those out).
static LOWER_WORDINGS: LazyLock<Option<aho_corasick::packed::Searcher>> = LazyLock::new(|| {
    aho_corasick::packed::Config::new()
        .builder()
        .extend(all_wordings().map(str::to_ascii_lowercase))
        .build()
});

/// A part of every wording, in lower case, that starts with four letters rarely found at the
/// start of other text (the packed searcher's fingerprint): a line holding a wording in any case
/// holds one of these parts (a test checks), and few other lines do.
const PARTS: &[&str] = &[
    "x509: ",
    "exhausted",
    "block limit",
    "ip leak",
    "garbage coll",
    "bgp not",
    "querying bird",
    "typha",
    "felix is",
    "getting cluster",
    "initializ",
    "verif",
    "get config from",
    "reach",
];

/// [`PARTS`], for [`Candidates`].
static LOWER_PARTS: LazyLock<Option<aho_corasick::packed::Searcher>> =
    LazyLock::new(|| aho_corasick::packed::Searcher::new(PARTS));

/// Where the wordings may be in a block of log lines: every line of ASCII text that [`mark`]
/// marks holds one of the [`PARTS`] in some ASCII case, so a line that holds none, and is
/// ASCII, is not marked. One search over the whole block instead of one per line.
#[derive(Default)]
pub(crate) struct Candidates {
    /// The block, lower-cased.
    lower: Vec<u8>,
}

impl Candidates {
    /// Takes the next block.
    pub(crate) fn load(&mut self, block: &[u8]) {
        self.lower.clear();
        if LOWER_PARTS.is_some() {
            self.lower.extend(block.iter().map(u8::to_ascii_lowercase));
        }
    }

    /// Where the first of the [`PARTS`], in any ASCII case, at or after `from` in `block` (the
    /// block last loaded) starts. A part holds no line end, so it lies within one line.
    pub(crate) fn next(&self, block: &[u8], from: usize) -> Option<usize> {
        if from >= block.len() {
            return None;
        }
        if let Some(searcher) = LOWER_PARTS.as_ref() {
            let span = aho_corasick::Span::from(from..self.lower.len());
            return searcher.find_in(&self.lower, span).map(|m| m.start());
        }
        match ANY_WORDING.as_ref() {
            Some(ac) => ac
                .find(aho_corasick::Input::new(block).range(from..))
                .map(|m| m.start()),
            None => Some(from),
        }
    }
}

/// A network failure, not an answer from the API server (`Unauthorized` is a credential
/// problem, `etcdserver: leader changed` an API server one).
static NETWORK: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)i/o timeout|context deadline exceeded|connection refused|no route to host|network is unreachable|Client\.Timeout exceeded|TLS handshake timeout")
        .ok()
});

/// Whether `re` (when it compiled) matches `text`.
fn matches(re: &LazyLock<Option<Regex>>, text: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(text))
}

/// What a line or message tells, if it is one of the wordings.
pub(crate) fn mark(text: &str) -> Option<Mark> {
    if text.is_ascii() {
        if let Some(searcher) = LOWER_WORDINGS.as_ref() {
            // Every wording, overlaps included: no wording starts another (a test checks), so
            // at most one starts at each position, and searching again one byte after each
            // start finds them all.
            let lower = text.to_ascii_lowercase();
            let mut at = 0;
            let found = std::iter::from_fn(|| {
                let m = searcher.find_in(&lower, aho_corasick::Span::from(at..lower.len()))?;
                at = m.start() + 1;
                Some((m.pattern().as_usize(), m.range()))
            });
            return ascii_mark(text, found);
        }
        if let Some(ac) = ANY_WORDING.as_ref() {
            let found = ac
                .find_overlapping_iter(text)
                .map(|m| (m.pattern().as_usize(), m.range()));
            return ascii_mark(text, found);
        }
    }
    if let Some((_, mark)) = EXACT.iter().find(|(w, _)| text.contains(w)) {
        return Some(*mark);
    }
    if matches(&CALICO_API, text) && matches(&NETWORK, text) {
        return Some(Mark::ApiUnreachable);
    }
    None
}

/// What an ASCII text tells, from every wording found in it in any case (pattern index as in
/// [`ANY_WORDING`], range): an exact one as written (the first in `EXACT` order), else a
/// datastore wording in any case, which is what `CALICO_API` matches in ASCII text.
fn ascii_mark(
    text: &str,
    found: impl Iterator<Item = (usize, std::ops::Range<usize>)>,
) -> Option<Mark> {
    let mut exact: Option<usize> = None;
    let mut calico_api = false;
    for (i, range) in found {
        match EXACT.get(i) {
            Some((w, _)) if text.get(range) == Some(*w) => {
                exact = Some(exact.map_or(i, |e| e.min(i)));
            }
            Some(_) => {}
            None => calico_api = true,
        }
    }
    if let Some((_, mark)) = exact.and_then(|i| EXACT.get(i)) {
        return Some(*mark);
    }
    (calico_api && matches(&NETWORK, text)).then_some(Mark::ApiUnreachable)
}

/// The API server address a message names (`172.21.0.1:443`), from its `dial tcp` or its URL.
pub(crate) fn api_address(text: &str) -> Option<&str> {
    static ADDR: LazyLock<Option<Regex>> = LazyLock::new(|| {
        Regex::new(
            r#"dial tcp (\[?[0-9A-Fa-f.:]+\]?:[0-9]{1,5})|https://([^/"\s:]+(:[0-9]{1,5})?)/"#,
        )
        .ok()
    });
    let caps = ADDR.as_ref()?.captures(text)?;
    caps.get(1).or_else(|| caps.get(2)).map(|m| m.as_str())
}

/// The BGP peer a `BGP not established with` message names (`10.0.0.2`, or several).
pub(crate) fn bgp_peers(text: &str) -> Option<&str> {
    let rest = text.split("BGP not established with").nth(1)?;
    let peers = rest
        .trim_start()
        .split(|c: char| !(c.is_ascii_hexdigit() || matches!(c, '.' | ':' | ',' | ' ')))
        .next()?
        .trim()
        .trim_end_matches(',');
    (!peers.is_empty()).then_some(peers)
}

/// Where the input shows some of the wordings: the object an event is about, or the pod whose
/// log holds the lines.
#[derive(Debug, Clone)]
pub(crate) struct Sighting {
    /// The object (`Pod`, `Node`, ...).
    pub subject: Subject,
    /// The wordings seen.
    pub marks: BTreeSet<Mark>,
    /// Events (counting their `count`) within the window.
    pub events: u64,
    /// Log lines.
    pub lines: u64,
    /// The first message or line seen, for the finding's message.
    pub sample: String,
    /// The events and the first and last lines.
    pub evidence: Vec<Evidence>,
}

/// Every object the input shows some of `marks` about, within the window: events about it,
/// lines of its logs (current and previous), in input order.
pub(crate) fn sightings(cx: &Context<'_>, marks: &[Mark]) -> Vec<Sighting> {
    let mut out: Vec<Sighting> = Vec::new();
    let mut at = |kind: &str, namespace: &str, name: &str| -> usize {
        let subject = Subject::new(kind, namespace, name);
        match out.iter().position(|s| s.subject == subject) {
            Some(i) => i,
            None => {
                out.push(Sighting {
                    subject,
                    marks: BTreeSet::new(),
                    events: 0,
                    lines: 0,
                    sample: String::new(),
                    evidence: Vec::new(),
                });
                out.len() - 1
            }
        }
    };
    let mut found: Vec<(usize, Mark, u64, u64, String, Vec<Evidence>)> = Vec::new();
    for e in &cx.facts.events {
        if !cx.in_window(e.last) {
            continue;
        }
        let Some(m) = mark(&e.message).filter(|m| marks.contains(m)) else {
            continue;
        };
        let r = &e.regarding;
        let i = at(&r.kind, &r.namespace, &r.name);
        found.push((
            i,
            m,
            e.count.max(1),
            0,
            e.message.clone(),
            vec![cx.evidence(&e.source, &e.summary())],
        ));
    }
    // The kubelet serves the same file as the previous and the current log of a container in
    // CrashLoopBackOff: the same lines seen twice count once.
    let mut logged = std::collections::HashSet::new();
    for (log, scan) in cx.facts.logs.iter().zip(&cx.scans) {
        for m in scan.marks.iter().filter(|m| marks.contains(&m.mark)) {
            let last = m.last.as_ref().unwrap_or(&m.first);
            if !cx.in_window(last.1) {
                continue;
            }
            let same = (
                &log.namespace,
                &log.pod,
                &log.container,
                m.mark,
                m.count,
                &m.first.2,
                &last.2,
            );
            if !logged.insert(same) {
                continue;
            }
            let i = at("Pod", &log.namespace, &log.pod);
            let line = |(n, _, text): &(u64, Option<jiff::Timestamp>, String)| Evidence {
                input: log.origin.input,
                path: log.origin.path.clone(),
                line: Some(*n),
                excerpt: excerpt(text),
            };
            let mut evidence = vec![line(&m.first)];
            evidence.extend(m.last.as_ref().map(line));
            found.push((i, m.mark, 0, m.count, m.first.2.clone(), evidence));
        }
    }
    for (i, m, events, lines, sample, evidence) in found {
        if let Some(s) = out.get_mut(i) {
            s.marks.insert(m);
            s.events += events;
            s.lines += lines;
            if s.sample.is_empty() {
                s.sample = sample;
            }
            s.evidence.extend(evidence);
        }
    }
    out.retain(|s| !s.marks.is_empty());
    out
}

/// `3 events and 2 log lines`: what a sighting counts, only what it holds.
pub(crate) fn counted(s: &Sighting) -> String {
    let plural = |n: u64, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    match (s.events, s.lines) {
        (0, l) => plural(l, "log line", "log lines"),
        (e, 0) => plural(e, "event", "events"),
        (e, l) => format!(
            "{} and {}",
            plural(e, "event", "events"),
            plural(l, "log line", "log lines")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text(text in "(.{0,40}(BGP not established with|dial tcp |https://|i/o timeout|Error verifying datastore|pools are likely exhausted| |,|:|\\[)){0,4}.{0,40}") {
            let _ = mark(&text);
            if let Some(a) = api_address(&text) {
                prop_assert!(text.contains(a));
            }
            if let Some(p) = bgp_peers(&text) {
                prop_assert!(!p.is_empty() && text.contains(p));
            }
        }
    }

    /// [`mark`] without the one-pass filter: a search per wording.
    fn mark_every_search(text: &str) -> Option<Mark> {
        if let Some((_, mark)) = EXACT.iter().find(|(w, _)| text.contains(w)) {
            return Some(*mark);
        }
        (matches(&CALICO_API, text) && matches(&NETWORK, text)).then_some(Mark::ApiUnreachable)
    }

    proptest! {
        /// Wordings in any case, cut, joined, next to non-ASCII letters (the Kelvin sign and
        /// the long s fold to `k` and `s` in a case-insensitive expression): the filter never
        /// changes what a line tells.
        #[test]
        fn filter_changes_nothing(
            parts in proptest::collection::vec(
                (0usize..20, 0usize..60, 0usize..60, any::<bool>(), "[ a-z:\u{212a}\u{17f}é]{0,3}"),
                0..5,
            ),
        ) {
            let words: Vec<&str> = EXACT
                .iter()
                .map(|(w, _)| *w)
                .chain(CALICO_API_WORDINGS.iter().copied())
                .chain(["i/o timeout", "connection refused", "context deadline exceeded"])
                .collect();
            let mut text = String::new();
            for (i, from, len, upper, sep) in &parts {
                let w = words[i % words.len()];
                let piece: String = w.chars().skip(from % 4).take(w.len() - (len % 3)).collect();
                text.push_str(&if *upper { piece.to_uppercase() } else { piece });
                text.push_str(sep);
            }
            prop_assert_eq!(mark(&text), mark_every_search(&text), "{}", text);
        }
    }

    #[test]
    fn every_wording_holds_a_part() {
        for w in all_wordings() {
            let w = w.to_ascii_lowercase();
            assert!(PARTS.iter().any(|p| w.contains(p)), "{w}");
        }
    }

    #[test]
    fn no_wording_starts_another() {
        let words: Vec<String> = all_wordings().map(str::to_ascii_lowercase).collect();
        for (i, a) in words.iter().enumerate() {
            assert!(a.is_ascii() && !a.contains('\n'), "{a}");
            for (j, b) in words.iter().enumerate() {
                assert!(i == j || !b.starts_with(a.as_str()), "{a} starts {b}");
            }
        }
    }

    #[test]
    fn filter_keeps_case_folded_letters() {
        // `(?i)` matches the Kelvin sign for `k` and the long s for `s`: not ASCII, so no
        // filter.
        let text = "Failed to reach apiserver: connection refu\u{17f}ed";
        assert_eq!(mark(text), mark_every_search(text));
        let text = "Error getting clu\u{17f}ter information config: i/o timeout";
        assert_eq!(mark(text), Some(Mark::ApiUnreachable));
    }

    #[test]
    fn real_wordings() {
        for (text, want) in [
            (
                r#"2020-09-10 07:52:16.827 [ERROR][1] client.go 261: Error getting cluster information config ClusterInformation="default" error=Get "https://10.96.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": context deadline exceeded"#,
                Some(Mark::ApiUnreachable),
            ),
            (
                r#"Liveness probe failed: Error initializing datastore: Get "https://10.96.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default": dial tcp 10.96.0.1:443: i/o timeout"#,
                Some(Mark::ApiUnreachable),
            ),
            (
                "[FATAL][1] main.go 118: Failed to initialize Calico datastore error=connection is unauthorized: Unauthorized",
                None,
            ),
            (
                "Readiness probe failed: Error verifying datastore: etcdserver: request timed out",
                None,
            ),
            (
                "Failed to create pod sandbox: plugin type=\"calico\" failed (add): error adding host side routes for interface: Unable to autoassign an address - pools are likely exhausted",
                Some(Mark::IpamExhausted),
            ),
            (
                "Readiness probe failed: calico/node is not ready: BIRD is not ready: BGP not established with 10.0.0.2",
                Some(Mark::BgpNotEstablished),
            ),
            (
                "x509: certificate has expired or is not yet valid: current time 2025-03-14T10:00:00Z is after 2025-03-01T00:00:00Z",
                Some(Mark::CertificateExpired),
            ),
            ("everything is fine", None),
        ] {
            assert_eq!(mark(text), want, "{text}");
        }
        assert_eq!(
            api_address(r#"Get "https://10.96.0.1:443/apis": dial tcp 10.96.0.1:443: i/o timeout"#),
            Some("10.96.0.1:443")
        );
        assert_eq!(
            bgp_peers("BIRD is not ready: BGP not established with 10.0.0.2,10.0.0.3"),
            Some("10.0.0.2,10.0.0.3")
        );
    }
}
