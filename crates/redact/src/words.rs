//! Finding the keywords and trigger words in a text: every occurrence, overlapping, ASCII
//! case-insensitive, reported as an Aho-Corasick overlapping search reports them (by end, then
//! longest first, then in pattern order), but without a chain of dependent loads.
//!
//! An automaton walk waits on each transition's load before it can take the next one (about
//! 750 MB/s here). This finder instead looks at every position's 4-byte window, case-folded by
//! OR-ing 0x20 into each byte (a byte that matches a pattern's byte ASCII case-insensitively has
//! the same folded value, so the fold loses no match): the first two folded bytes index a bitmap
//! of the 2-byte words' folded values, a hash of the first three folded bytes and one of all
//! four index a bitmap of the 3-byte words' and the longer words' folded prefixes. The loads do
//! not depend on each other and the bitmaps (12 KB) stay in L1. A position whose bit is set is a
//! candidate: the words of its bucket are compared with the text exactly
//! ([`u8::eq_ignore_ascii_case`], the automaton's notion of a match). The matches are then
//! ordered as the automaton's match states list them.

/// Bits of the hash bucket of 3- and 4-byte prefixes (4 KB of bitmap).
const HASH_BITS: u32 = 15;

/// The bucket of a folded 3-byte prefix (`w` < 2^24) or 4-byte prefix (`w` >= 2^24: a folded
/// byte is never 0). Multiplicative: a 4-byte prefix's product differs from its 3-byte
/// prefix's by `fourth * K << 24`, a nonzero multiple of 2^24 below 2^32 (K is odd and the
/// fourth byte 0x20..=0xFF), so their top 15 bits differ: never the same bucket.
fn bucket(w: u32) -> usize {
    (w.wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize
}

/// Words of the bitmap of folded 2-byte values.
const TWO_WORDS: usize = 1 << 10;
/// Words of the bitmap of hash buckets.
const HASH_WORDS: usize = 1 << (HASH_BITS - 6);

/// Whether bit `i` of `bits` is set (`i` below 64 times the length: 16 and 15 bits wide).
#[inline(always)]
fn bit<const N: usize>(bits: &[u64; N], i: usize) -> bool {
    bits[(i >> 6) % N] >> (i & 63) & 1 == 1
}

fn set<const N: usize>(bits: &mut [u64; N], i: usize) {
    bits[(i >> 6) % N] |= 1 << (i & 63);
}

/// The folded little-endian value of up to four bytes (missing ones as 0x20).
fn window(bytes: &[u8]) -> u32 {
    let mut w = [0u8; 4];
    for (to, from) in w.iter_mut().zip(bytes) {
        *to = *from;
    }
    u32::from_le_bytes(w) | 0x2020_2020
}

/// The patterns, and the filter and buckets that find them.
pub(crate) struct Words {
    patterns: Vec<Vec<u8>>,
    /// Folded 2-byte values of the 2-byte patterns (65536 bits).
    two: Box<[u64; TWO_WORDS]>,
    /// The 2-byte patterns (few): folded value and pattern.
    twos: Vec<(u16, u32)>,
    /// Hash buckets of the 3-byte patterns' and the longer patterns' folded prefixes.
    hashed: Box<[u64; HASH_WORDS]>,
    /// Patterns of bucket `b`: `ids[starts[b]..starts[b + 1]]`.
    starts: Vec<u32>,
    ids: Vec<u32>,
}

impl Words {
    /// The finder of `patterns` (pattern `i` is reported as `i`); `None` if one is shorter
    /// than 2 bytes (the catalog has none) or there are 2^32 of them.
    pub(crate) fn new<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Option<Words> {
        let patterns: Vec<Vec<u8>> = patterns
            .into_iter()
            .map(|p| p.as_bytes().to_vec())
            .collect();
        if patterns.iter().any(|p| p.len() < 2) || u32::try_from(patterns.len()).is_err() {
            return None;
        }
        let mut two = Box::new([0u64; TWO_WORDS]);
        let mut twos = Vec::new();
        let mut hashed = Box::new([0u64; HASH_WORDS]);
        let mut buckets: Vec<Vec<u32>> = vec![Vec::new(); 1 << HASH_BITS];
        for (id, p) in (0u32..).zip(&patterns) {
            let w = window(p);
            match p.len() {
                0 | 1 => return None,
                2 => {
                    let v = (w & 0xFFFF) as u16;
                    set(&mut two, usize::from(v));
                    twos.push((v, id));
                }
                len => {
                    let b = bucket(if len == 3 { w & 0x00FF_FFFF } else { w });
                    set(&mut hashed, b);
                    if let Some(list) = buckets.get_mut(b) {
                        list.push(id);
                    }
                }
            }
        }
        let mut starts = Vec::with_capacity(buckets.len() + 1);
        let mut ids = Vec::new();
        for list in &buckets {
            starts.push(ids.len() as u32);
            ids.extend_from_slice(list);
        }
        starts.push(ids.len() as u32);
        Some(Words {
            patterns,
            two,
            twos,
            hashed,
            starts,
            ids,
        })
    }

    /// The longest pattern's length.
    #[cfg(test)]
    pub(crate) fn longest(&self) -> usize {
        self.patterns.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// Every match in `haystack`, overlapping, as (pattern, start): by end, then longest first,
    /// then by pattern (the order of `AhoCorasick::find_overlapping_iter` with
    /// `MatchKind::Standard`: a match state lists its own patterns, then its failure state's).
    #[inline(never)] // its own line in profiles (benches/profile-collect.sh)
    pub(crate) fn find(&self, haystack: &[u8], mut each: impl FnMut(usize, usize)) {
        // (end, length, pattern) of every match.
        let mut found: Vec<(usize, usize, u32)> = Vec::new();
        let mut check = |id: u32, at: usize| {
            let Some(p) = self.patterns.get(id as usize) else {
                return;
            };
            if let Some(t) = haystack.get(at..at + p.len())
                && t.eq_ignore_ascii_case(p)
            {
                found.push((at + p.len(), p.len(), id));
            }
        };
        let candidate = |w: u32, at: usize, check: &mut dyn FnMut(u32, usize)| {
            let v = (w & 0xFFFF) as u16;
            if bit(&self.two, usize::from(v)) {
                for &(value, id) in &self.twos {
                    if value == v {
                        check(id, at);
                    }
                }
            }
            let (three, four) = (bucket(w & 0x00FF_FFFF), bucket(w));
            // Both buckets hold patterns of any length: a bucket is looked at once.
            for b in [Some(three), (four != three).then_some(four)]
                .into_iter()
                .flatten()
            {
                if bit(&self.hashed, b) {
                    let from = self.starts.get(b).copied().unwrap_or(0) as usize;
                    let to = self.starts.get(b + 1).copied().unwrap_or(0) as usize;
                    for &id in self.ids.get(from..to).unwrap_or_default() {
                        check(id, at);
                    }
                }
            }
        };
        let full = haystack.len().saturating_sub(3);
        for (at, w) in haystack.windows(4).enumerate() {
            let w = u32::from_le_bytes([w[0], w[1], w[2], w[3]]) | 0x2020_2020;
            let v = (w & 0xFFFF) as usize;
            if bit(&self.two, v)
                || bit(&self.hashed, bucket(w & 0x00FF_FFFF))
                || bit(&self.hashed, bucket(w))
            {
                candidate(w, at, &mut check);
            }
        }
        // The last positions, whose window runs past the end (a pattern that fits is at most 3
        // bytes long there).
        for at in full..haystack.len() {
            candidate(
                window(haystack.get(at..).unwrap_or_default()),
                at,
                &mut check,
            );
        }
        // The keys are distinct: (end, pattern) fixes the start.
        found.sort_unstable_by_key(|&(end, len, id)| (end, std::cmp::Reverse(len), id));
        for (end, len, id) in found {
            each(id as usize, end - len);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasickBuilder, AhoCorasickKind, MatchKind};
    use proptest::prelude::*;

    /// The words of the redaction's search.
    fn patterns() -> Vec<String> {
        let catalog = crate::CATALOG.keywords();
        assert!(catalog.len() > 200, "the catalog's keywords");
        catalog
            .iter()
            .chain(crate::text::triggers())
            .cloned()
            .collect()
    }

    /// The reference: the library's overlapping search (its DFA walk), ASCII case-insensitive.
    fn reference(patterns: &[String], haystack: &[u8]) -> Vec<(usize, usize)> {
        let ac = AhoCorasickBuilder::new()
            .kind(Some(AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(patterns)
            .unwrap();
        ac.find_overlapping_iter(haystack)
            .map(|m| (m.pattern().as_usize(), m.start()))
            .collect()
    }

    fn found(words: &Words, haystack: &[u8]) -> Vec<(usize, usize)> {
        let mut got = Vec::new();
        words.find(haystack, |p, s| got.push((p, s)));
        got
    }

    static PATTERNS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(patterns);
    static WORDS: std::sync::LazyLock<Words> =
        std::sync::LazyLock::new(|| Words::new(PATTERNS.iter().map(String::as_str)).unwrap());

    #[test]
    fn the_search_is_the_one_redaction_uses() {
        assert!(crate::KEYWORDS.is_some());
        assert!(WORDS.longest() >= 34);
        assert!(Words::new(["ab", "c"]).is_none());
        assert!(Words::new(["ab", ""]).is_none());
    }

    /// A 3-byte prefix and a 4-byte prefix that extends it never share a bucket (so a
    /// candidate looks at each pattern once): checked for every fourth byte, on the words'
    /// prefixes and a spread of other values.
    #[test]
    fn a_prefix_and_its_extension_never_share_a_bucket() {
        let prefixes = PATTERNS.iter().map(|p| window(p.as_bytes()) & 0x00FF_FFFF);
        let spread = (0u32..1 << 16).map(|n| n.wrapping_mul(0x2545_F491) & 0x00FF_FFFF);
        for three in prefixes.chain(spread) {
            for fourth in 0x20u32..=0xFF {
                assert_ne!(bucket(three), bucket(three | fourth << 24));
            }
        }
    }

    /// Every word alone, in both cases and with a neighbour on each side, and every pair of
    /// words back to back: every suffix and prefix relation between the real words (where the
    /// order of matches that end together is decided).
    #[test]
    fn every_word_and_every_pair() {
        let words: Vec<&[u8]> = PATTERNS.iter().map(|w| w.as_bytes()).collect();
        let mut text = Vec::new();
        for w in &words {
            for form in [
                w.to_vec(),
                w.to_ascii_uppercase(),
                [b"x", *w, b"_"].concat(),
            ] {
                assert_eq!(found(&WORDS, &form), reference(&PATTERNS, &form));
                text.extend_from_slice(&form);
            }
        }
        // All pairs in one text, cut at every word.
        for a in &words {
            for b in &words {
                text.extend_from_slice(a);
                text.extend_from_slice(b);
                text.push(b'\n');
            }
        }
        assert_eq!(found(&WORDS, &text), reference(&PATTERNS, &text));
    }

    /// A piece of a generated text.
    fn piece() -> impl Strategy<Value = Vec<u8>> {
        let odd: &[&str] = &[
            "\u{212A}",                 // KELVIN SIGN, folds to k in Unicode
            "\u{17F}",                  // LONG S, folds to s
            "\u{130}",                  // I WITH DOT ABOVE
            "\u{131}",                  // DOTLESS I
            "\u{DF}",                   // SHARP S
            "\u{FF4B}\u{FF45}\u{FF59}", // fullwidth key
            "@",
            "`",
            "[",
            "\\",
            "]",
            "^",
            "_",
            "{",
            "|",
            "}",
            "~",
            "\u{7F}",
            "\0",
            "\n",
            ".",
        ];
        let odd: Vec<Vec<u8>> = odd.iter().map(|s| s.as_bytes().to_vec()).collect();
        prop_oneof![
            // A word, each letter in a random case.
            (0..PATTERNS.len(), any::<u64>()).prop_map(|(i, case)| {
                let w = PATTERNS[i].as_bytes();
                w.iter()
                    .enumerate()
                    .map(|(j, b)| {
                        if case >> (j % 64) & 1 == 1 {
                            b.to_ascii_uppercase()
                        } else {
                            *b
                        }
                    })
                    .collect()
            }),
            // A word with one byte replaced by its OR-0x20 confusion or another byte.
            (
                0..PATTERNS.len(),
                any::<usize>(),
                prop_oneof![Just(0x20u8), Just(0x40), any::<u8>()]
            )
                .prop_map(|(i, at, x)| {
                    let mut w = PATTERNS[i].as_bytes().to_vec();
                    let at = at % w.len();
                    w[at] = if x == 0x20 || x == 0x40 { w[at] ^ x } else { x };
                    w
                }),
            proptest::sample::select(odd),
            "[ -~\n]{0,8}".prop_map(String::into_bytes),
            proptest::collection::vec(any::<u8>(), 0..4),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The finder finds what the library's overlapping search finds, in its order.
        #[test]
        fn finds_what_the_automaton_finds(pieces in proptest::collection::vec(piece(), 0..40)) {
            let text = pieces.concat();
            prop_assert_eq!(found(&WORDS, &text), reference(&PATTERNS, &text));
        }

        /// The same on long texts (many matches, sorted across the whole text).
        #[test]
        fn finds_what_the_automaton_finds_in_long_texts(pieces in proptest::collection::vec(piece(), 0..1500)) {
            let text = pieces.concat();
            prop_assert_eq!(found(&WORDS, &text), reference(&PATTERNS, &text));
        }

        /// Short texts, any bytes (shorter than a window, the end handled apart).
        #[test]
        fn finds_what_the_automaton_finds_in_short_texts(text in proptest::collection::vec(prop_oneof![any::<u8>(), proptest::sample::select(b"eEyYsSkK.aApPiI@`[]^_{}".to_vec())], 0..8)) {
            prop_assert_eq!(found(&WORDS, &text), reference(&PATTERNS, &text));
        }
    }
}
