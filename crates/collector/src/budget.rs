//! The size budget: estimates the compressed size of the bundle and trims logs, oldest bytes
//! first, in a fixed order (see [`Tier`]), until the estimate fits.

use kbundle_format::PreparedEntry;

/// The order in which logs give way, first to last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tier {
    /// Previous-container logs of context pods (not the targets).
    ContextPrevious = 0,
    /// Current logs of context pods.
    ContextCurrent = 1,
    /// Previous-container logs of the target pods.
    TargetPrevious = 2,
    /// Current logs of the target pods: trimmed last.
    TargetCurrent = 3,
}

const TIERS: [Tier; 4] = [
    Tier::ContextPrevious,
    Tier::ContextCurrent,
    Tier::TargetPrevious,
    Tier::TargetCurrent,
];

/// A log entry that the budget may trim. Its bytes are not held here (logs are spilled to
/// disk while collecting); [`fit`] loads one when it has to trim it.
#[derive(Debug)]
pub(crate) struct Log {
    pub path: String,
    /// The newest bytes kept: the whole log until [`fit`] trims it.
    pub kept: u64,
    pub tier: Tier,
    /// What the entry adds to the bundle, headers included: an estimate from [`estimate`]
    /// until trimmed, then exact.
    pub compressed: u64,
    /// Whether [`fit`] trimmed it.
    pub trimmed: bool,
}

/// What `bytes` as the entry `path` add to the bundle, compressed as the writer compresses that
/// entry (its level, [`PreparedEntry`]); a name the writer refuses counts its bytes.
fn entry_len(path: &str, bytes: &[u8]) -> u64 {
    PreparedEntry::new(path, bytes).map_or(bytes.len() as u64 + entry_overhead(path), |e| {
        e.compressed_len()
    })
}

/// The size of the sample [`estimate`] is given: a log's newest 256 KiB (deflate looks back
/// 32 KiB, so a larger sample hardly changes the ratio of a log, and compressing whole logs to
/// estimate them was most of the time spent on large logs).
pub(crate) const SAMPLE: u64 = 256 << 10;

/// What the entry `path` holding `len` bytes adds to the bundle, estimated from the compressed
/// size of `newest`, their newest [`SAMPLE`] bytes (or all of them when they are fewer).
pub(crate) fn estimate(path: &str, newest: &[u8], len: u64) -> u64 {
    let sample = entry_len(path, newest).saturating_sub(entry_overhead(path));
    let data = if newest.is_empty() {
        sample
    } else {
        (sample as f64 * len as f64 / newest.len() as f64).ceil() as u64
    };
    data + entry_overhead(path)
}

/// Zip overhead of one entry (local header, central directory record).
fn entry_overhead(path: &str) -> u64 {
    100 + 2 * path.len() as u64
}

/// Keeps the newest `keep` bytes, starting at a line start when one is near.
fn keep_newest(bytes: &mut Vec<u8>, keep: usize) {
    if bytes.len() <= keep {
        return;
    }
    let mut cut = bytes.len() - keep;
    if keep > 0 && bytes.get(cut - 1).is_some_and(|&b| b != b'\n') {
        let window = bytes.get(cut..bytes.len().min(cut + 4096)).unwrap_or(&[]);
        if let Some(nl) = window.iter().position(|&b| b == b'\n')
            && cut + nl + 1 < bytes.len()
        {
            cut += nl + 1;
        }
    }
    bytes.drain(..cut);
}

/// How [`fit`] reaches the logs' bytes. Both are called from several threads at once.
pub(crate) trait Source: Sync {
    /// The newest `n` bytes of the log (fewer if it has fewer).
    fn load(&self, log: &Log, n: u64) -> Vec<u8>;
    /// The exact size the log's entry adds to the bundle when it holds `kept` (the buffer
    /// [`Source::load`] gave, trimmed: the source may keep it for its next load).
    fn measure(&self, log: &Log, kept: Vec<u8>) -> u64;
}

/// Trims logs so that `fixed` (everything else, compressed, with overheads) plus the logs
/// fits in `budget`. Returns whether it fits. Only the logs being trimmed are loaded, one per
/// thread at a time, and measured exactly once trimmed.
pub(crate) fn fit(fixed: u64, logs: &mut [Log], budget: u64, source: &dyn Source) -> bool {
    let total = |logs: &[Log]| fixed + logs.iter().map(|l| l.compressed).sum::<u64>();
    for tier in TIERS {
        for round in 0..4 {
            let now = total(logs);
            if now <= budget {
                return true;
            }
            let excess = now - budget;
            // The logs of this tier that still have bytes to give.
            let in_tier = |l: &Log| l.tier == tier && l.kept > 0;
            if !logs.iter().any(in_tier) {
                break;
            }
            let tier_compressed: u64 = logs
                .iter()
                .filter(|l| in_tier(l))
                .map(|l| l.compressed)
                .sum();
            let target = tier_compressed.saturating_sub(excess);
            // The largest per-log cap K (raw bytes) with sum(min(len, K) * ratio) <= target.
            let est = |k: u64| -> u64 {
                logs.iter()
                    .filter(|l| in_tier(l))
                    .map(|l| {
                        let len = l.kept;
                        let ratio = l.compressed as f64 / len.max(1) as f64;
                        (len.min(k) as f64 * ratio) as u64
                    })
                    .sum()
            };
            let (mut lo, mut hi) = (
                0u64,
                logs.iter()
                    .filter(|l| in_tier(l))
                    .map(|l| l.kept)
                    .max()
                    .unwrap_or(0),
            );
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if est(mid) <= target {
                    lo = mid
                } else {
                    hi = mid - 1
                }
            }
            // Aim a little lower on later rounds, when the estimate was optimistic.
            let cap = if round == 0 {
                lo
            } else {
                lo.saturating_sub(lo / 20)
            };
            let keep = usize::try_from(cap).unwrap_or(usize::MAX);
            // Membership is decided per log before it is trimmed, so this is the same set
            // of logs as above.
            let to_trim: Vec<&mut Log> = logs
                .iter_mut()
                .filter(|l| in_tier(l) && l.kept > cap)
                .collect();
            let trimmed = kbundle_format::par::map(&to_trim, |log| {
                // A little more than the cap, to start at a line.
                let mut bytes = source.load(log, cap.saturating_add(4096));
                keep_newest(&mut bytes, keep);
                (bytes.len() as u64, source.measure(log, bytes))
            });
            for (log, (kept, compressed)) in to_trim.into_iter().zip(trimmed) {
                log.kept = kept;
                log.compressed = compressed;
                log.trimmed = true;
            }
        }
    }
    total(logs) <= budget
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(n: usize, seed: u64) -> Vec<u8> {
        // Poorly compressible lines.
        let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let c = b"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+/"
                [(x >> 58) as usize];
            out.push(if out.len() % 100 == 99 { b'\n' } else { c });
        }
        out
    }

    /// Logs held in memory for the tests.
    struct Raw(Vec<(&'static str, Vec<u8>, Tier)>);

    impl Raw {
        fn logs(&self) -> Vec<Log> {
            self.0
                .iter()
                .map(|(path, bytes, tier)| Log {
                    path: path.to_string(),
                    kept: bytes.len() as u64,
                    tier: *tier,
                    compressed: estimate(
                        path,
                        &bytes[bytes.len().saturating_sub(SAMPLE as usize)..],
                        bytes.len() as u64,
                    ),
                    trimmed: false,
                })
                .collect()
        }

        /// The bytes `log` keeps.
        fn kept(&self, log: &Log) -> Vec<u8> {
            self.load(log, log.kept)
        }
    }

    impl Source for Raw {
        fn load(&self, log: &Log, n: u64) -> Vec<u8> {
            let bytes = &self.0.iter().find(|r| r.0 == log.path).unwrap().1;
            let n = (n as usize).min(bytes.len());
            bytes[bytes.len() - n..].to_vec()
        }
        fn measure(&self, log: &Log, kept: Vec<u8>) -> u64 {
            entry_len(&log.path, &kept)
        }
    }

    #[test]
    fn trims_context_before_targets_and_oldest_first() {
        let raw = Raw(vec![
            ("t.log", noise(300_000, 1), Tier::TargetCurrent),
            ("c.log", noise(300_000, 2), Tier::ContextCurrent),
        ]);
        let mut logs = raw.logs();
        let newest = raw.0[0].1[raw.0[0].1.len() - 1000..].to_vec();
        let budget = entry_len("t.log", &raw.0[0].1) + 50_000;
        assert!(fit(1000, &mut logs, budget, &raw));
        assert!(logs[1].trimmed);
        assert!(!logs[0].trimmed || logs[1].kept == 0);
        assert!(raw.kept(&logs[0]).ends_with(&newest));
        let total: u64 = 1000
            + logs
                .iter()
                .map(|l| raw.measure(l, raw.kept(l)))
                .sum::<u64>();
        assert!(total <= budget);
        // Trimmed logs start at a line.
        assert!(
            raw.kept(&logs[1]).is_empty()
                || raw.0[1].1[raw.0[1].1.len() - logs[1].kept as usize - 1] == b'\n'
        );
    }

    #[test]
    fn many_logs_trimmed_in_parallel_fit_exactly() {
        let raw = Raw((0..40)
            .map(|i| {
                let path: &'static str = Box::leak(format!("l{i:02}.log").into_boxed_str());
                (
                    path,
                    noise(50_000 + i * 3_000, i as u64),
                    Tier::TargetCurrent,
                )
            })
            .collect());
        let mut logs = raw.logs();
        let budget = 400_000;
        assert!(fit(10_000, &mut logs, budget, &raw));
        let total: u64 = 10_000
            + logs
                .iter()
                .map(|l| raw.measure(l, raw.kept(l)))
                .sum::<u64>();
        assert!(total <= budget, "{total}");
        // Not trimmed to nothing: the budget is used.
        assert!(total > budget * 8 / 10, "{total}");
        assert!(logs.iter().all(|l| l.trimmed && l.kept > 0));
    }

    #[test]
    fn estimates_large_logs_from_their_newest_bytes() {
        let log = noise(3 << 20, 7);
        let exact = entry_len("a.log", &log);
        let est = estimate(
            "a.log",
            &log[log.len() - SAMPLE as usize..],
            log.len() as u64,
        );
        let error = est.abs_diff(exact) as f64 / exact as f64;
        assert!(error < 0.02, "estimate {est}, exact {exact}");
    }

    #[test]
    fn keeps_whole_lines() {
        let mut b = b"old line\nnewer line\nnewest\n".to_vec();
        keep_newest(&mut b, 15);
        assert_eq!(b, b"newest\n");
    }

    #[test]
    fn impossible_budget_reports() {
        let raw = Raw(vec![("a", noise(1000, 3), Tier::TargetCurrent)]);
        let mut logs = raw.logs();
        assert!(!fit(10_000, &mut logs, 5_000, &raw));
        assert_eq!(logs[0].kept, 0);
    }
}
