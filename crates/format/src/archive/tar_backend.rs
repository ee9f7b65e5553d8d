//! The tar family (tar, tar.gz, tar.xz, tar.zst): one pass at open, small entries kept in memory.

use super::*;

/// tar.gz entries up to this size are kept in memory when the input is opened...
pub(super) const SMALL_ENTRY_BYTES: u64 = 64 << 10;
/// ...up to this much in all.
pub(super) const SMALL_ENTRIES_BUDGET: u64 = 32 << 20;

/// A counting reader, for the whole-stream ratio check of tar.gz: it fails once more than
/// `limit` bytes came out, so that a bomb inside one entry (whose data the tar reader skips by
/// reading it) is stopped in the middle, not after.
pub(super) struct Counting<R> {
    pub(super) inner: R,
    pub(super) count: Arc<std::sync::atomic::AtomicU64>,
    pub(super) limit: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let seen = self
            .count
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed)
            .saturating_add(n as u64);
        if seen > self.limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "compression ratio exceeded",
            ));
        }
        Ok(n)
    }
}

impl Archive {
    pub(super) fn open_tar(
        path: PathBuf,
        backing: Backing,
        codec: Option<Codec>,
        limits: Limits,
    ) -> Result<Archive> {
        let kind = codec.map_or(ArchiveKind::Tar, |c| c.kinds().0);
        let format = kind.name();
        let gz = codec.is_some();
        let corrupt = |e: io::Error| Error::Corrupt {
            path: path.clone(),
            format,
            message: one_line(&e),
        };
        let compressed = backing.len().map_err(|e| Error::io(&path, e))?;
        let max_stream = compressed
            .saturating_mul(limits.max_ratio)
            .max(RATIO_FLOOR_BYTES * 16);
        let count = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let reader: Box<dyn Read> = match codec {
            Some(codec) => Box::new(Counting {
                inner: codec.decoder(backing.cursor()),
                count: count.clone(),
                limit: max_stream,
            }),
            None => Box::new(backing.cursor()),
        };
        let ratio_exceeded = || gz && count.load(std::sync::atomic::Ordering::Relaxed) > max_stream;
        let ratio_error = |path: PathBuf| Error::Limit {
            path,
            what: format!("{} compression ratio", codec.map_or("tar", Codec::name)),
            limit: format!("{}:1", limits.max_ratio),
        };
        let mut tar = tar::Archive::new(reader);
        let mut archive = Archive::empty(path.clone(), kind, limits);
        let mut total: u64 = 0;
        let entries = match tar.entries() {
            Ok(entries) => entries,
            Err(_) if ratio_exceeded() => return Err(ratio_error(path)),
            Err(e) => return Err(corrupt(e)),
        };
        let mut small_total: u64 = 0;
        for (ordinal, entry) in entries.enumerate() {
            let mut entry = match entry {
                Ok(entry) => entry,
                Err(_) if ratio_exceeded() => return Err(ratio_error(path)),
                Err(e) => return Err(corrupt(e)),
            };
            if ratio_exceeded() {
                return Err(ratio_error(path));
            }
            let raw = entry.path_bytes().into_owned();
            let kind = entry.header().entry_type();
            let size = entry.size();
            use tar::EntryType as T;
            match kind {
                T::Regular | T::Continuous => {}
                T::Directory | T::XGlobalHeader | T::XHeader | T::GNULongName | T::GNULongLink => {
                    continue;
                }
                T::Symlink => {
                    archive.skip(&raw, "symbolic link");
                    continue;
                }
                T::Link => {
                    archive.skip(&raw, "hard link");
                    continue;
                }
                other => {
                    archive.skip(&raw, format!("not a regular file ({other:?})"));
                    continue;
                }
            }
            let locator = if gz {
                Locator::TarOrdinal(ordinal, entry.raw_file_position())
            } else {
                Locator::TarOffset(entry.raw_file_position())
            };
            if !gz && entry.raw_file_position().saturating_add(size) > compressed {
                return Err(Error::Corrupt {
                    path,
                    format,
                    message: format!("entry {} runs past the end of the file", display_name(&raw)),
                });
            }
            if archive.push(&raw, size, locator)? {
                total = total.saturating_add(size);
                archive.check_total(total)?;
                if gz
                    && size <= SMALL_ENTRY_BYTES
                    && small_total.saturating_add(size) <= SMALL_ENTRIES_BUDGET
                {
                    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                    match (&mut entry).take(size).read_to_end(&mut bytes) {
                        Ok(_) => {}
                        Err(_) if ratio_exceeded() => return Err(ratio_error(path)),
                        Err(e) => return Err(corrupt(e)),
                    }
                    small_total = small_total.saturating_add(size);
                    let index = archive.entries.len().saturating_sub(1);
                    archive.small.insert(index, bytes.into_boxed_slice());
                }
            }
        }
        archive.backing = Some(backing);
        Ok(archive)
    }
}
