//! Logs kept on disk while collecting: appended in chunks, as they stream in, to one anonymous
//! temporary file (gone when closed), and read back, newest bytes first, when the bundle is
//! written. Memory holds one chunk buffer (512 KiB at most) per log in flight, whatever the size
//! of the logs; the buffers are reused from log to log (a fresh 256 KiB buffer per log was an
//! `mmap`, its page faults and an `munmap` each time, under the allocator's 128 KiB mmap
//! threshold). A log that ends within its first chunk ([`WHOLE`]) is handed back whole
//! ([`Finished::Whole`]), never written: the caller prepares its entry at once, or spills it
//! ([`Finished::spill`]).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::Mutex;

/// Bytes buffered per log before they are appended to the file.
const CHUNK: usize = 256 << 10;

/// A log of at most this many bytes (two chunks) is never written by its [`LogWriter`]: its
/// first chunk may grow this large.
pub(crate) const WHOLE: usize = 2 * CHUNK;

/// The temporary file, created on the first append.
#[derive(Default)]
pub(crate) struct Spill {
    file: Mutex<Option<File>>,
    /// Chunk buffers of finished logs, for the next ones (at most one per log in flight).
    chunks: Buffers,
}

/// Buffers kept for reuse. A fresh buffer above the allocator's mmap threshold (128 KiB, fixed
/// in `crates/cli/src/malloc.rs` to bound the peak memory) is an `mmap`, a page fault per 4 KiB
/// written and an `munmap` when freed; a reused one is none of these. Holds at most as many
/// buffers as were in use at once.
#[derive(Default)]
pub(crate) struct Buffers(Mutex<Vec<Vec<u8>>>);

impl Buffers {
    /// A buffer given back earlier (its length is whatever it had), else an empty one.
    pub(crate) fn take(&self) -> Vec<u8> {
        self.0
            .lock()
            .ok()
            .and_then(|mut b| b.pop())
            .unwrap_or_default()
    }

    /// Keeps a buffer for the next [`Buffers::take`].
    pub(crate) fn give(&self, buf: Vec<u8>) {
        if buf.capacity() > 0
            && let Ok(mut b) = self.0.lock()
        {
            b.push(buf);
        }
    }
}

/// Where a log's kept bytes are in the [`Spill`]: its newest chunks, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Spilled {
    chunks: VecDeque<(u64, u64)>,
    /// The bytes kept: the newest `len` bytes of the chunks.
    pub len: u64,
}

impl Spill {
    /// Appends bytes; returns where they start.
    fn append(&self, bytes: &[u8]) -> io::Result<u64> {
        let mut file = self.file.lock().map_err(|_| io::Error::other("poisoned"))?;
        let file = match &mut *file {
            Some(f) => f,
            None => file.insert(tempfile::tempfile()?),
        };
        let offset = file.seek(SeekFrom::End(0))?;
        file.write_all(bytes)?;
        Ok(offset)
    }

    /// The newest `n` bytes of a log (all of them if it has fewer).
    #[cfg(test)]
    fn read_newest(&self, log: &Spilled, n: u64) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.read_newest_into(log, n, &mut out)?;
        Ok(out)
    }

    /// The newest `n` bytes of a log (all of them if it has fewer), into `out` (replacing what
    /// it held), so that one buffer can serve log after log. Only the bytes `out` gains are
    /// zeroed before they are read into: a reused buffer is not cleared first.
    pub(crate) fn read_newest_into(
        &self,
        log: &Spilled,
        n: u64,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        let n = n.min(log.len);
        out.resize(usize::try_from(n).map_err(io::Error::other)?, 0);
        let mut file = self.file.lock().map_err(|_| io::Error::other("poisoned"))?;
        let Some(file) = &mut *file else {
            return if n == 0 {
                Ok(())
            } else {
                Err(io::Error::other("the temporary file is missing"))
            };
        };
        // Fill `out` from its end, walking the chunks from the newest.
        let mut end = out.len();
        for &(offset, len) in log.chunks.iter().rev() {
            if end == 0 {
                break;
            }
            let take = usize::try_from(len).unwrap_or(usize::MAX).min(end);
            let dest = out
                .get_mut(end - take..end)
                .ok_or_else(|| io::Error::other("chunk out of range"))?;
            file.seek(SeekFrom::Start(offset + len - take as u64))?;
            file.read_exact(dest)?;
            end -= take;
        }
        if end > 0 {
            return Err(io::Error::other(
                "the log's chunks are shorter than its length",
            ));
        }
        Ok(())
    }

    /// Takes back the buffer of a [`Finished::Whole`] log.
    pub(crate) fn give(&self, buf: Vec<u8>) {
        self.chunks.give(buf);
    }

    /// A chunk buffer: one a finished log gave back, else a new one.
    fn buffer(&self) -> Vec<u8> {
        let mut buf = self.chunks.take();
        buf.clear();
        if buf.capacity() == 0 {
            buf.reserve_exact(WHOLE);
        }
        buf
    }
}

/// Streams one log into the [`Spill`], keeping its newest `max` bytes.
pub(crate) struct LogWriter<'a> {
    spill: &'a Spill,
    max: u64,
    buf: Vec<u8>,
    log: Spilled,
    /// Bytes in `log.chunks`.
    stored: u64,
}

impl<'a> LogWriter<'a> {
    pub(crate) fn new(spill: &'a Spill, max: u64) -> LogWriter<'a> {
        LogWriter {
            spill,
            max,
            buf: Vec::new(),
            log: Spilled::default(),
            stored: 0,
        }
    }

    /// Adds the next bytes of the log. A full chunk is written when more bytes come, so a log
    /// of exactly [`WHOLE`] bytes stays whole.
    pub(crate) fn push(&mut self, mut data: &[u8]) -> io::Result<()> {
        if self.buf.capacity() == 0 && !data.is_empty() {
            self.buf = self.spill.buffer();
        }
        while !data.is_empty() {
            // The first chunk holds a whole small log; the next ones are smaller.
            let chunk = if self.log.chunks.is_empty() {
                WHOLE
            } else {
                CHUNK
            };
            if self.buf.len() >= chunk {
                self.flush()?;
                continue;
            }
            let room = chunk - self.buf.len();
            let (now, rest) = data.split_at(room.min(data.len()));
            self.buf.extend_from_slice(now);
            data = rest;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let offset = self.spill.append(&self.buf)?;
        let len = self.buf.len() as u64;
        self.log.chunks.push_back((offset, len));
        self.stored += len;
        self.buf.clear();
        // Chunks older than the newest `max` bytes are forgotten (their disk space is not
        // reclaimed: the file is gone at the end of the collection).
        while let Some(&(_, first)) = self.log.chunks.front()
            && self.stored - first >= self.max
        {
            self.stored -= first;
            self.log.chunks.pop_front();
        }
        Ok(())
    }

    /// The log's newest `max` bytes: whole in memory if it never filled a chunk, else spilled.
    pub(crate) fn finish(mut self) -> io::Result<Finished> {
        if self.log.chunks.is_empty() {
            let mut whole = std::mem::take(&mut self.buf);
            let max = usize::try_from(self.max).unwrap_or(usize::MAX);
            whole.drain(..whole.len().saturating_sub(max));
            return Ok(Finished::Whole(whole));
        }
        self.flush()?;
        self.log.len = self.stored.min(self.max);
        Ok(Finished::Spilled(std::mem::take(&mut self.log)))
    }
}

/// A finished log's newest bytes.
pub(crate) enum Finished {
    /// In memory, at most [`WHOLE`] bytes, in a buffer of the spill's pool (back with
    /// [`Spill::give`]).
    Whole(Vec<u8>),
    /// In the spill file.
    Spilled(Spilled),
}

impl Finished {
    /// The log in the spill file: a whole one is written now (its buffer goes back).
    pub(crate) fn spill(self, spill: &Spill) -> io::Result<Spilled> {
        match self {
            Finished::Spilled(s) => Ok(s),
            Finished::Whole(bytes) => {
                let len = bytes.len() as u64;
                let written = if len > 0 {
                    spill
                        .append(&bytes)
                        .map(|offset| VecDeque::from([(offset, len)]))
                } else {
                    Ok(VecDeque::new())
                };
                spill.give(bytes);
                Ok(Spilled {
                    chunks: written?,
                    len,
                })
            }
        }
    }
}

impl Drop for LogWriter<'_> {
    /// The chunk buffer goes back to the spill, finished or not.
    fn drop(&mut self) {
        self.spill.chunks.give(std::mem::take(&mut self.buf));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spill_one(spill: &Spill, bytes: &[u8], max: u64, piece: usize) -> Spilled {
        let mut w = LogWriter::new(spill, max);
        for p in bytes.chunks(piece.max(1)) {
            w.push(p).unwrap();
        }
        w.finish().unwrap().spill(spill).unwrap()
    }

    #[test]
    fn keeps_the_newest_bytes_of_interleaved_logs() {
        let spill = Spill::default();
        let a: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let b: Vec<u8> = (0..700_000u32).map(|i| (i % 13) as u8 + b'a').collect();
        // Interleave two logs' chunks in the file.
        let mut wa = LogWriter::new(&spill, 1 << 20);
        let mut wb = LogWriter::new(&spill, 10 << 20);
        for (pa, pb) in a
            .chunks(100_000)
            .zip(b.chunks(30_000).chain(std::iter::repeat(&[][..])))
        {
            wa.push(pa).unwrap();
            wb.push(pb).unwrap();
        }
        let (la, lb) = (
            wa.finish().unwrap().spill(&spill).unwrap(),
            wb.finish().unwrap().spill(&spill).unwrap(),
        );
        assert_eq!(la.len, 1 << 20);
        assert_eq!(lb.len, b.len() as u64);
        assert_eq!(
            spill.read_newest(&la, u64::MAX).unwrap(),
            a[a.len() - (1 << 20)..]
        );
        assert_eq!(spill.read_newest(&lb, u64::MAX).unwrap(), b);
        assert_eq!(spill.read_newest(&la, 10).unwrap(), a[a.len() - 10..]);
        assert_eq!(
            spill.read_newest(&lb, 300_000).unwrap(),
            b[b.len() - 300_000..]
        );
        // Old chunks are forgotten: a few more than max are referenced at most.
        assert!(
            la.chunks.len() <= (1 << 20) / CHUNK + 1,
            "{}",
            la.chunks.len()
        );
    }

    #[test]
    fn a_reused_buffer_holds_only_the_log_read_into_it() {
        let spill = Spill::default();
        let big: Vec<u8> = (0..600_000u32).map(|i| (i % 241) as u8).collect();
        let small = spill_one(&spill, b"short log\n", 100, 4);
        let big_log = spill_one(&spill, &big, 1 << 20, 70_000);
        let mut buf = b"stale bytes".to_vec();
        for (log, want) in [
            (&small, &b"short log\n"[..]),
            (&big_log, &big[..]),
            (&small, &b"short log\n"[..]),
            (&big_log, &big[..]),
        ] {
            spill.read_newest_into(log, u64::MAX, &mut buf).unwrap();
            assert_eq!(buf, want);
        }
        spill.read_newest_into(&big_log, 3, &mut buf).unwrap();
        assert_eq!(buf, big[big.len() - 3..]);
    }

    #[test]
    fn a_log_of_one_chunk_at_most_stays_whole() {
        let spill = Spill::default();
        for (len, max, whole) in [
            (0, 100, true),
            (10, 4, true),
            (CHUNK + 1, u64::MAX, true),
            (WHOLE, u64::MAX, true),
            (WHOLE + 1, u64::MAX, false),
            (WHOLE + 1, 10, false),
        ] {
            let bytes: Vec<u8> = (0..len).map(|i| (i % 7) as u8 + b'a').collect();
            for piece in [1000, CHUNK, WHOLE + 1] {
                let mut w = LogWriter::new(&spill, max);
                for p in bytes.chunks(piece) {
                    w.push(p).unwrap();
                }
                let want = &bytes[len - len.min(max as usize)..];
                match w.finish().unwrap() {
                    Finished::Whole(b) => {
                        assert!(whole, "{len} {max}");
                        assert_eq!(b, want);
                        spill.give(b);
                    }
                    Finished::Spilled(s) => {
                        assert!(!whole, "{len} {max}");
                        assert_eq!(spill.read_newest(&s, u64::MAX).unwrap(), want);
                    }
                }
            }
        }
    }

    #[test]
    fn empty_and_small_logs() {
        let spill = Spill::default();
        let empty = spill_one(&spill, b"", 100, 1);
        assert_eq!(empty.len, 0);
        assert!(spill.read_newest(&empty, 10).unwrap().is_empty());
        let small = spill_one(&spill, b"hello\nworld\n", 5, 3);
        assert_eq!(spill.read_newest(&small, 100).unwrap(), b"orld\n");
    }
}
