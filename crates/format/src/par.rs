//! The one ordered parallel map of the workspace: the CPU-bound steps that are independent
//! per item (preparing a bundle's entries, trimming logs, scanning logs, analyzing a batch of
//! inputs) run on scoped threads, and the results come back in the items' order.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` applied to every item on up to one thread per core; results in the items' order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_on(items, cores(), f)
}

/// The number of cores this process may use (at least 1), asked once: the standard library
/// reads the cgroup's CPU quota files on every call.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `f` applied to every item on up to `threads` threads (at least one); results in the
/// items' order. Each thread takes the next item not yet taken, so slow items do not hold
/// up the others. The calling thread is one of them: one thread fewer to start, and what it
/// keeps per thread (compressors, buffers) serves its next calls too. A panic in `f` is
/// re-raised once every thread has stopped.
pub fn map_on<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads.min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            let r = f(item);
            if let Ok(mut out) = out.lock()
                && let Some(slot) = out.get_mut(i)
            {
                *slot = Some(r);
            }
        }
    };
    std::thread::scope(|s| {
        for _ in 1..threads {
            s.spawn(work);
        }
        work();
    });
    out.into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order() {
        let items: Vec<u64> = (0..1000).collect();
        let want: Vec<u64> = (0..1000).map(|x| x * 2).collect();
        assert_eq!(map(&items, |x| x * 2), want);
        for threads in [0, 1, 2, 7, 5000] {
            assert_eq!(map_on(&items, threads, |x| x * 2), want, "{threads}");
        }
        assert!(map(&[] as &[u8], |x| *x).is_empty());
    }

    #[test]
    fn a_panic_is_raised_after_every_thread_stopped() {
        let items: Vec<u64> = (0..64).collect();
        let done = AtomicUsize::new(0);
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            map_on(&items, 4, |&x| {
                if x == 0 {
                    panic!("item 0");
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
                done.fetch_add(1, Ordering::Relaxed);
            })
        }));
        assert!(caught.is_err());
        // Every other item ran: the threads were waited for, whichever one panicked.
        assert_eq!(done.load(Ordering::Relaxed), 63);
    }
}
