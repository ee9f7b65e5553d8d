//! The work the calling thread does, from Linux's per-thread accounting: what a test bounds
//! instead of wall-clock time, which other processes on a busy machine stretch at will. Panics
//! (failing the test, never skipping it) where `/proc/thread-self` is missing.

use std::time::Duration;

/// What a closure cost the calling thread.
#[derive(Debug, Clone, Copy)]
pub struct Work {
    /// Time on a CPU (`/proc/thread-self/schedstat`, first field), not counting the time
    /// spent waiting for one.
    pub cpu: Duration,
    /// Bytes read by `read`-like system calls (`rchar` of `/proc/thread-self/io`).
    pub bytes_read: u64,
}

/// Runs `f` on this thread and returns its result and what it cost this thread. Work `f`
/// hands to other threads is not counted: measure code that runs on the caller's thread.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Work) {
    let (cpu, read) = (cpu_time(), bytes_read());
    let t = f();
    let work = Work {
        cpu: cpu_time().saturating_sub(cpu),
        bytes_read: bytes_read().saturating_sub(read),
    };
    (t, work)
}

/// This thread's time on a CPU since it started.
pub fn cpu_time() -> Duration {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat")
        .expect("/proc/thread-self/schedstat (Linux) to measure CPU time");
    let ns = text
        .split_whitespace()
        .next()
        .and_then(|v| v.parse::<u64>().ok())
        .expect("a number of nanoseconds in /proc/thread-self/schedstat");
    Duration::from_nanos(ns)
}

/// Bytes this thread has read by system calls since it started.
pub fn bytes_read() -> u64 {
    let text = std::fs::read_to_string("/proc/thread-self/io")
        .expect("/proc/thread-self/io (Linux) to count bytes read");
    text.lines()
        .find_map(|l| l.strip_prefix("rchar:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("rchar in /proc/thread-self/io")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_this_threads_reads_and_cpu() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), vec![7u8; 1 << 20]).unwrap();
        let (sum, work) = measure(|| {
            let bytes = std::fs::read(file.path()).unwrap();
            (0..50u64).fold(0u64, |acc, i| {
                acc ^ bytes.iter().map(|&b| u64::from(b) * i).sum::<u64>()
            })
        });
        assert!(sum > 0);
        // The file once, plus the few bytes the accounting itself reads.
        assert!(
            (1 << 20..(1 << 20) + (1 << 16)).contains(&work.bytes_read),
            "{work:?}"
        );
        assert!(work.cpu > Duration::ZERO, "{work:?}");
    }
}
