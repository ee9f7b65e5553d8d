//! The vector prefilter of [`super::Words::find`]: 64 positions at a time (AVX-512 with VBMI),
//! a position let through when each pair of its next bytes is a pair some pattern has at that
//! place ([`Pairs`]). A superset of the filter's positions: the caller still applies the
//! filter, then compares the patterns.
//!
//! A byte's class is its low five bits (`b & 0x1F`, the same for both ASCII cases of a
//! letter), so a pair of classes is 10 bits and a set of pairs 1,024 bits: one 128-byte table
//! for `vpermi2b` (indexed by the first class and the second's top two bits) and a bit of the
//! byte found. Classes merge bytes (a letter from `p` on with a digit, every byte above 0x7F
//! with an ASCII one): a position let through for nothing, never one missed. On ordinary logs
//! 1-2% of the positions go through (2% pass the filter, which tests four bytes exactly but
//! hashes two); six-bit classes (exact ASCII) needed four table lookups a pair, and were slower.
//!
//! The scalar filter runs at some 1.3 GB/s, bound by its per-position arithmetic; this one
//! tests 64 positions in about a hundred instructions (docs/performance.md, "Collect: CPU per
//! megabyte", eighth round).

use std::arch::x86_64::*;

/// The sets of pairs, as bits: pair `(a, b)` is bit `b & 7` of byte `a * 4 + b / 8`. The
/// patterns are in three groups by length, each with a set per pair position: `long` (six
/// bytes or more; five pairs), `mid` (four and five; four pairs) and `short` (two and three;
/// two pairs); a pattern shorter than its group's pairs ends with its last byte and any next
/// one. A position is let through when, in some group, its classes `c0, c1, ...` give each
/// pair `(ck, ck+1)` in the set of position `k`. (Two groups, `long` from four bytes, let 3-4%
/// of an ordinary log's positions through; three, 1-2%.)
pub(crate) struct Pairs {
    long: [[u8; 128]; 5],
    mid: [[u8; 128]; 4],
    short: [[u8; 128]; 2],
}

/// Positions tested per call into the vector code (its tables loaded once per call).
const SEGMENT: usize = 4096;

/// The class (0-31) of a byte.
fn class(b: u8) -> usize {
    usize::from(b & 0x1F)
}

fn set(bits: &mut [u8; 128], a: usize, b: usize) {
    if let Some(byte) = bits.get_mut(a * 4 + b / 8) {
        *byte |= 1 << (b % 8);
    }
}

/// Adds a pattern's pairs to `sets` (one per pair position): its own pairs, then its last
/// byte with any next one.
fn add<const K: usize>(sets: &mut [[u8; 128]; K], pattern: &[u8]) {
    let c: Vec<usize> = pattern.iter().map(|&b| class(b)).collect();
    for (k, bits) in sets.iter_mut().enumerate() {
        match (c.get(k), c.get(k + 1)) {
            (Some(&a), Some(&b)) => set(bits, a, b),
            (Some(&a), None) => (0..32).for_each(|b| set(bits, a, b)),
            _ => {}
        }
    }
}

impl Pairs {
    /// The prefilter of `patterns` (each at least two bytes, ASCII-folded when compared), if
    /// this CPU runs it; `None` on other CPUs (the scalar filter alone then).
    pub(crate) fn new(patterns: &[Vec<u8>]) -> Option<Pairs> {
        if !(is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512vbmi"))
        {
            return None;
        }
        Some(Pairs::of(patterns))
    }

    /// The tables (whatever the CPU).
    fn of(patterns: &[Vec<u8>]) -> Pairs {
        let mut pairs = Pairs {
            long: [[0; 128]; 5],
            mid: [[0; 128]; 4],
            short: [[0; 128]; 2],
        };
        for p in patterns {
            if p.len() >= 6 {
                add(&mut pairs.long, p);
            } else if p.len() >= 4 {
                add(&mut pairs.mid, p);
            } else {
                add(&mut pairs.short, p);
            }
        }
        pairs
    }

    /// Calls `each` with every position the prefilter lets through, in order, for the
    /// positions `0..n` with 69 bytes from each (n a multiple of 64); returns `n`, where the
    /// caller goes on.
    pub(crate) fn scan(&self, haystack: &[u8], mut each: impl FnMut(usize)) -> usize {
        let n = haystack.len().saturating_sub(5) / 64 * 64;
        let mut from = 0;
        while from < n {
            let to = (from + SEGMENT).min(n);
            let mut found = [0u64; SEGMENT / 64];
            // SAFETY: `Pairs::new` made `self` only where the CPU has AVX-512F, AVX-512BW and
            // AVX-512VBMI, what `masks` is compiled for; it takes no pointers and reads its
            // arguments only through slices (bounds-checked).
            #[allow(unsafe_code)]
            unsafe {
                masks(self, haystack, from, to, &mut found);
            }
            for (i, mut m) in (0..).zip(found) {
                while m != 0 {
                    each(from + 64 * i + m.trailing_zeros() as usize);
                    m &= m - 1;
                }
            }
            from = to;
        }
        n
    }

    /// Whether the prefilter lets position `at` through (the vector code's model, for tests).
    #[cfg(test)]
    fn lets_through(&self, text: &[u8], at: usize) -> bool {
        let c: Vec<usize> = (0..6).map(|k| class(text[at + k])).collect();
        let has =
            |bits: &[u8; 128], k: usize| bits[c[k] * 4 + c[k + 1] / 8] >> (c[k + 1] % 8) & 1 == 1;
        (0..5).all(|k| has(&self.long[k], k))
            || (0..4).all(|k| has(&self.mid[k], k))
            || (0..2).all(|k| has(&self.short[k], k))
    }
}

/// 64 bytes from `at` (zeros past the end).
#[target_feature(enable = "avx512f,avx512bw")]
fn load(bytes: &[u8], at: usize) -> __m512i {
    match bytes
        .get(at..at + 64)
        .and_then(|b| <&[u8; 64]>::try_from(b).ok())
    {
        // SAFETY: `b` is 64 bytes to read; the load has no alignment requirement.
        #[allow(unsafe_code)]
        Some(b) => unsafe { _mm512_loadu_si512(b.as_ptr().cast()) },
        None => _mm512_setzero_si512(),
    }
}

/// The 64 bytes from `at` as the two halves of a pair: the index of their byte in a table
/// when first, and the mask of their bit when second.
#[target_feature(enable = "avx512f,avx512bw")]
fn halves(bytes: &[u8], at: usize) -> (__m512i, __m512i, __m512i) {
    let c = _mm512_and_si512(load(bytes, at), _mm512_set1_epi8(0x1F));
    // 16-bit shifts: a class (five bits) shifted left by two stays in its byte; bits shifted
    // right from the next byte are masked off.
    let first = _mm512_slli_epi16::<2>(c);
    let top = _mm512_and_si512(_mm512_srli_epi16::<3>(c), _mm512_set1_epi8(0x03));
    let bit = _mm512_shuffle_epi8(
        _mm512_set1_epi64(0x8040_2010_0804_0201_u64 as i64),
        _mm512_and_si512(c, _mm512_set1_epi8(0x07)),
    );
    (first, top, bit)
}

/// A set of pairs (128 bytes) as two registers.
#[target_feature(enable = "avx512f,avx512bw")]
fn table(bits: &[u8; 128]) -> (__m512i, __m512i) {
    (load(bits, 0), load(bits, 64))
}

/// Which of 64 class pairs are in the set `t`: the first classes as `first`, the second as
/// `top` and `bit` ([`halves`]).
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
fn member(
    t: (__m512i, __m512i),
    first: __m512i,
    (_, top, bit): (__m512i, __m512i, __m512i),
) -> u64 {
    let byte = _mm512_permutex2var_epi8(t.0, _mm512_or_si512(first, top), t.1);
    _mm512_test_epi8_mask(byte, bit)
}

/// The positions let through, 64 to a mask, of the blocks `from..to` (69 bytes from each
/// block's start are in `bytes`).
#[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
fn masks(pairs: &Pairs, bytes: &[u8], from: usize, to: usize, found: &mut [u64; SEGMENT / 64]) {
    let long = pairs.long.each_ref().map(|t| table(t));
    let mid = pairs.mid.each_ref().map(|t| table(t));
    let short = pairs.short.each_ref().map(|t| table(t));
    for (at, m) in (from..to).step_by(64).zip(found.iter_mut()) {
        let h = [
            halves(bytes, at),
            halves(bytes, at + 1),
            halves(bytes, at + 2),
            halves(bytes, at + 3),
            halves(bytes, at + 4),
            halves(bytes, at + 5),
        ];
        let long = member(long[0], h[0].0, h[1])
            & member(long[1], h[1].0, h[2])
            & member(long[2], h[2].0, h[3])
            & member(long[3], h[3].0, h[4])
            & member(long[4], h[4].0, h[5]);
        let mid = member(mid[0], h[0].0, h[1])
            & member(mid[1], h[1].0, h[2])
            & member(mid[2], h[2].0, h[3])
            & member(mid[3], h[3].0, h[4]);
        let short = member(short[0], h[0].0, h[1]) & member(short[1], h[1].0, h[2]);
        *m = long | mid | short;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The prefilter lets through every position where a pattern starts, and those its
    /// scalar model does, no others.
    #[test]
    fn lets_through_every_start_and_only_the_model_s() {
        let patterns: Vec<Vec<u8>> = ["key", "sk", "password", "$1$", "a3-", "eyJh", "ghp_"]
            .iter()
            .map(|p| p.as_bytes().to_vec())
            .collect();
        let Some(pairs) = Pairs::new(&patterns) else {
            return; // not this CPU
        };
        let mut text =
            b"x KEY=1 sK pass PassWord $1$ a3- \xC3\xA9key \x7Fsk\x00 eyjH GHP_".repeat(90);
        text.extend(
            (0..=255u8).flat_map(|b| [b, b'k', b'e', b'y', b's', b'k', b'E', b'Y', b'J', b'h']),
        );
        let mut got = Vec::new();
        let n = pairs.scan(&text, |at| got.push(at));
        assert!(n >= SEGMENT && n + 69 > text.len(), "{n}");
        let want: Vec<usize> = (0..n).filter(|&i| pairs.lets_through(&text, i)).collect();
        assert_eq!(got, want);
        for i in 0..n {
            for p in &patterns {
                if text[i..].len() >= p.len() && text[i..i + p.len()].eq_ignore_ascii_case(p) {
                    assert!(got.contains(&i), "{i}");
                }
            }
        }
        // An ordinary log line lets few positions through.
        let line =
            b"2025-03-14 08:00:00.443 [INFO][1] ipam.go 1018: Checking for leaked IP addresses\n";
        let text = line.repeat(100);
        let mut got = 0;
        let n = pairs.scan(&text, |_| got += 1);
        assert!(got * 20 < n, "{got} of {n}");
    }
}
