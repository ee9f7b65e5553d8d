//! The bounded readers: an entry read fails, rather than truncates, past its declared size.

use super::*;

/// A reader that yields at most `limit` bytes and fails if the inner reader has more.
pub(crate) struct Bounded<R> {
    pub(super) inner: R,
    pub(super) remaining: u64,
    pub(super) what: &'static str,
}

impl<R: Read> Bounded<R> {
    pub(crate) fn new(inner: R, limit: u64, what: &'static str) -> Self {
        Bounded {
            inner,
            remaining: limit,
            what,
        }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            // Probe for one more byte: more data than allowed is an error, not a truncation.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(io::Error::new(io::ErrorKind::InvalidData, self.what)),
            };
        }
        let max = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let Some(window) = buf.get_mut(..max) else {
            return Ok(0);
        };
        let n = self.inner.read(window)?;
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// A reader that counts what went through it.
pub(super) struct Tracked<R> {
    pub(super) inner: R,
    pub(super) read: u64,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}
