//! Finding the keywords and trigger words in a text: every occurrence, overlapping, ASCII
//! case-insensitive, reported as an Aho-Corasick overlapping search reports them (by end, then
//! longest first, then in pattern order), but without a chain of dependent loads.
//!
//! An automaton walk waits on each transition's load before it can take the next one. This
//! finder instead looks at every position's first four bytes, case-folded by OR-ing 0x20 into
//! each byte (a byte that matches a pattern's byte ASCII case-insensitively has the same folded
//! value, so the fold loses no match): the first two folded bytes pick a 64-bit word of a
//! table, a hash of the third and fourth ([`bit_of`]) a bit of it, five positions at a time
//! from one 8-byte load, without a branch. A position whose bit is set is a candidate: the
//! patterns with its first two folded bytes are compared with the text, on their folded first
//! eight bytes first, then exactly ([`u8::eq_ignore_ascii_case`], the automaton's notion of a
//! match). The matches are then ordered as the automaton's match states list them. About 2%
//! of the positions of ordinary logs are candidates (docs/performance.md, "Collect: CPU per
//! megabyte", third and fifth rounds).
//!
//! On a CPU with AVX-512 VBMI, a vector prefilter ([`wide`]) tests 64 positions at a time
//! first, and only the 1-2% it lets through go to that filter (eighth round).

#[cfg(target_arch = "x86_64")]
mod wide;

/// The folded little-endian value of up to `N` bytes (missing ones as 0x20).
fn window<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut w = [0x20u8; N];
    for (to, from) in w.iter_mut().zip(bytes) {
        *to = *from | 0x20;
    }
    w
}

/// The folded window of the eight bytes from `at` (missing ones as 0x20).
fn folded(haystack: &[u8], at: usize) -> u64 {
    match haystack.get(at..at + 8) {
        Some(b) => {
            let mut x = [0u8; 8];
            x.copy_from_slice(b);
            u64::from_le_bytes(x) | 0x2020_2020_2020_2020
        }
        None => u64::from_le_bytes(window(haystack.get(at..).unwrap_or_default())),
    }
}

/// The bit of a folded window `w` (its first byte in the low bits) in its first two bytes'
/// filter word: the low six bits of `(w >> 16) ^ (w >> 21)`, which mix the third byte with
/// the fourth's low three bits (what `u64::wrapping_shr` keeps of a shift). Only bits 16 to
/// 26 of `w` count, so a wider window shifted to the position gives the same bit.
fn bit_of(w: u64) -> u32 {
    (((w >> 16) ^ (w >> 21)) & 63) as u32
}

/// (pattern, its folded first eight bytes, the mask of those it has).
type Entry = (u32, u64, u64);

/// The patterns, and the filter and lists that find them.
pub(crate) struct Words {
    patterns: Vec<Vec<u8>>,
    /// For each folded 2-byte value: bit [`bit_of`] of the folded window is set if a pattern
    /// may start there (every bit its third and fourth bytes can give; all bits for a 2-byte
    /// pattern).
    filter: Box<[u64; 1 << 16]>,
    /// Patterns whose folded first two bytes are `v`: `ids[starts[v]..starts[v + 1]]`.
    starts: Vec<u32>,
    ids: Vec<Entry>,
    /// The vector prefilter, when the CPU has what it needs ([`wide::Pairs`]).
    #[cfg(target_arch = "x86_64")]
    wide: Option<wide::Pairs>,
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
        // Zeroed by the allocator: pages no text pair reaches are never touched.
        let mut filter: Box<[u64; 1 << 16]> =
            vec![0u64; 1 << 16].into_boxed_slice().try_into().ok()?;
        // (pair, entry) per pattern, then sorted by pair (stably: by pattern within a pair).
        let mut entries: Vec<(usize, Entry)> = Vec::with_capacity(patterns.len());
        for (id, p) in (0u32..).zip(&patterns) {
            let w = u64::from_le_bytes(window(p));
            let pair = (w & 0xFFFF) as usize;
            let word = &mut filter[pair];
            *word |= match p.len() {
                2 => u64::MAX,
                // Any fourth byte, folded (or none: the text's end reads as 0x20).
                3 => (0..=255u64).fold(0, |bits, b| {
                    bits | 1 << bit_of(w & 0xFF_FFFF | (b | 0x20) << 24)
                }),
                _ => 1 << bit_of(w),
            };
            let mask = u64::MAX >> (8 * 8usize.saturating_sub(p.len()));
            entries.push((pair, (id, w & mask, mask)));
        }
        entries.sort_by_key(|&(pair, _)| pair);
        // starts[v + 1] counts the patterns of pair v, then sums them.
        let mut starts = vec![0u32; (1 << 16) + 1];
        for &(pair, _) in &entries {
            if let Some(n) = starts.get_mut(pair + 1) {
                *n += 1;
            }
        }
        let mut sum = 0;
        for n in &mut starts {
            sum += *n;
            *n = sum;
        }
        let ids = entries.into_iter().map(|(_, e)| e).collect();
        Some(Words {
            #[cfg(target_arch = "x86_64")]
            wide: wide::Pairs::new(&patterns),
            patterns,
            filter,
            starts,
            ids,
        })
    }

    /// The longest pattern's length.
    #[cfg(test)]
    pub(crate) fn longest(&self) -> usize {
        self.patterns.iter().map(Vec::len).max().unwrap_or(0)
    }

    /// Whether the filter passes a position whose folded window is `w`.
    fn passes(&self, w: u64) -> bool {
        self.filter[(w & 0xFFFF) as usize] >> bit_of(w) & 1 == 1
    }

    /// Every match in `haystack`, overlapping, as (pattern, start): by end, then longest first,
    /// then by pattern (the order of `AhoCorasick::find_overlapping_iter` with
    /// `MatchKind::Standard`: a match state lists its own patterns, then its failure state's).
    #[inline(never)] // its own line in profiles (benches/profile-collect.sh)
    pub(crate) fn find(&self, haystack: &[u8], mut each: impl FnMut(usize, usize)) {
        // (end, length, pattern) of every match.
        let mut found: Vec<(usize, usize, u32)> = Vec::new();
        // The patterns starting with `w`'s first two bytes, compared with the text at `at`
        // (`w`: its folded window there).
        let mut candidate = |at: usize, w: u64| {
            let pair = (w & 0xFFFF) as usize;
            let from = self.starts.get(pair).copied().unwrap_or(0) as usize;
            let to = self.starts.get(pair + 1).copied().unwrap_or(0) as usize;
            for &(id, prefix, mask) in self.ids.get(from..to).unwrap_or_default() {
                if w & mask != prefix {
                    continue;
                }
                let Some(p) = self.patterns.get(id as usize) else {
                    continue;
                };
                if let Some(t) = haystack.get(at..at + p.len())
                    && t.eq_ignore_ascii_case(p)
                {
                    found.push((at + p.len(), p.len(), id));
                }
            }
        };
        let mut at = 0;
        // 64 positions at a time through the vector prefilter, then the filter for those it
        // lets through (a few percent).
        #[cfg(target_arch = "x86_64")]
        if let Some(wide) = &self.wide {
            at = wide.scan(haystack, |at| {
                let w = folded(haystack, at);
                if self.passes(w) {
                    candidate(at, w);
                }
            });
        }
        // Five positions (four bytes each) from eight bytes, then one at a time.
        while let Some(block) = haystack.get(at..at + 8) {
            let mut x = [0u8; 8];
            x.copy_from_slice(block);
            let x = u64::from_le_bytes(x) | 0x2020_2020_2020_2020;
            // Every position's bit at once: bit_of(x >> 8j) is bit_of's hash of `y >> 8j`.
            let y = (x >> 16) ^ (x >> 21);
            let mut hits = 0u32;
            for j in 0..5 {
                let word = self.filter[usize::from((x >> (8 * j)) as u16)];
                hits |= ((word.wrapping_shr((y >> (8 * j)) as u32) & 1) as u32) << j;
            }
            while hits != 0 {
                let at = at + hits.trailing_zeros() as usize;
                candidate(at, folded(haystack, at));
                hits &= hits - 1;
            }
            at += 5;
        }
        for at in at..haystack.len() {
            let w = folded(haystack, at);
            if self.passes(w) {
                candidate(at, w);
            }
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

    /// What [`WORDS`] finds, checked against the same finder without its vector prefilter
    /// (every test runs both paths on a CPU that has it).
    fn found(haystack: &[u8]) -> Vec<(usize, usize)> {
        let run = |w: &Words| {
            let mut got = Vec::new();
            w.find(haystack, |p, s| got.push((p, s)));
            got
        };
        let got = run(&WORDS);
        assert_eq!(got, run(&SCALAR), "the prefilter changed what is found");
        got
    }

    static PATTERNS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(patterns);
    static WORDS: std::sync::LazyLock<Words> =
        std::sync::LazyLock::new(|| Words::new(PATTERNS.iter().map(String::as_str)).unwrap());
    /// The finder without its vector prefilter.
    static SCALAR: std::sync::LazyLock<Words> = std::sync::LazyLock::new(|| {
        #[allow(unused_mut)]
        let mut words = Words::new(PATTERNS.iter().map(String::as_str)).unwrap();
        #[cfg(target_arch = "x86_64")]
        {
            words.wide = None;
        }
        words
    });

    #[test]
    fn the_search_is_the_one_redaction_uses() {
        assert!(crate::KEYWORDS.is_some());
        assert!(WORDS.longest() >= 34);
        assert!(Words::new(["ab", "c"]).is_none());
        assert!(Words::new(["ab", ""]).is_none());
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
                assert_eq!(found(&form), reference(&PATTERNS, &form));
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
        assert_eq!(found(&text), reference(&PATTERNS, &text));
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
            prop_assert_eq!(found(&text), reference(&PATTERNS, &text));
        }

        /// The same on long texts (many matches, sorted across the whole text).
        #[test]
        fn finds_what_the_automaton_finds_in_long_texts(pieces in proptest::collection::vec(piece(), 0..1500)) {
            let text = pieces.concat();
            prop_assert_eq!(found(&text), reference(&PATTERNS, &text));
        }

        /// Short texts, any bytes (shorter than a window, the end handled apart).
        #[test]
        fn finds_what_the_automaton_finds_in_short_texts(text in proptest::collection::vec(prop_oneof![any::<u8>(), proptest::sample::select(b"eEyYsSkK.aApPiI@`[]^_{}".to_vec())], 0..8)) {
            prop_assert_eq!(found(&text), reference(&PATTERNS, &text));
        }
    }
}
