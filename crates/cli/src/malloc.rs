//! Allocator tuning, done once at start, before any other thread exists.
//!
//! glibc's malloc raises its mmap threshold to the size of every large block that is freed (up
//! to 32 MiB); after that, large buffers come from per-thread arenas, which keep the memory
//! once the buffers are freed. `kbundle collect` frees many such buffers (log chunks, logs read
//! back, compressed entries) on several threads: its peak RSS on 200 pods with 5 MiB logs
//! (`LOG_KIB=5120 benches/collect.sh 200`) went from 80 to 210 MiB between identical runs. A
//! fixed threshold (glibc's default 128 KiB, no longer raised) returns large blocks to the
//! system as they are freed: 47 MiB, run after run, for a few percent more time. (mimalloc as
//! the global allocator gave 110 MiB.)

/// Fixes glibc's mmap threshold (see the module documentation).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn tune() {
    // SAFETY: `mallopt` only sets an allocator parameter; it is called before any other
    // thread exists, and its result (0 when refused) leaves the defaults in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Nothing to tune on other platforms.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn tune() {}
