//! The zip backend: the central directory at open, each entry read in place.

use super::*;

impl Archive {
    pub(super) fn open_zip(path: PathBuf, backing: Backing, limits: Limits) -> Result<Archive> {
        let corrupt = |e: zip::result::ZipError| Error::Corrupt {
            path: path.clone(),
            format: "zip",
            message: one_line(&e),
        };
        let mut zip = zip::ZipArchive::new(backing.cursor()).map_err(corrupt)?;
        let mut archive = Archive::empty(path.clone(), ArchiveKind::Zip, limits);
        // First pass: what the central directory says of each entry, and the bytes each entry
        // occupies (local header to end of data), to find entries that share bytes.
        struct Record {
            index: usize,
            raw: Vec<u8>,
            size: u64,
            compressed: u64,
            symlink: bool,
            encrypted: bool,
            span: (u64, u64),
        }
        let mut records = Vec::new();
        for index in 0..zip.len() {
            let file = zip.by_index_raw(index).map_err(corrupt)?;
            if file.is_dir() {
                continue;
            }
            let start = file.header_start();
            let data_start = file.data_start().unwrap_or(start);
            let compressed = file.compressed_size();
            records.push(Record {
                index,
                raw: file.name_raw().to_vec(),
                size: file.size(),
                compressed,
                symlink: file.is_symlink(),
                encrypted: file.encrypted(),
                span: (start, data_start.saturating_add(compressed)),
            });
        }
        let overlapping = overlapping_spans(&records.iter().map(|r| r.span).collect::<Vec<_>>());
        let mut total: u64 = 0;
        for (record, overlaps) in records.iter().zip(overlapping) {
            let Record {
                index,
                raw,
                size,
                compressed,
                symlink,
                encrypted,
                ..
            } = record;
            let (size, compressed) = (*size, *compressed);
            if *symlink {
                archive.skip(raw, "symbolic link");
                continue;
            }
            if *encrypted {
                archive.skip(raw, "encrypted entry");
                continue;
            }
            if overlaps {
                archive.skip(
                    raw,
                    "overlaps another entry's data (overlapping zip entries)",
                );
                continue;
            }
            if size > RATIO_FLOOR_BYTES && size / compressed.max(1) > limits.max_ratio {
                archive.skip(
                    raw,
                    format!(
                        "compression ratio {}:1 exceeds the limit of {}:1 (zip bomb?)",
                        size / compressed.max(1),
                        limits.max_ratio
                    ),
                );
                continue;
            }
            if archive.push(raw, size, Locator::Zip(*index))? {
                total = total.saturating_add(size);
                archive.check_total(total)?;
            }
        }
        // Small entries escape the per-entry ratio check; many of them together do not.
        let file_len = backing.len().map_err(|e| Error::io(&path, e))?;
        if total > RATIO_FLOOR_BYTES * 16 && total / file_len.max(1) > limits.max_ratio {
            return Err(Error::Limit {
                path,
                what: "zip compression ratio".into(),
                limit: format!("{}:1", limits.max_ratio),
            });
        }
        archive.backing = Some(backing);
        archive.zip = Some(zip);
        Ok(archive)
    }

    /// Reads zip entry `i` (the zip's own index). `Ok(Err(reason))` when the entry's own data is
    /// bad (CRC mismatch, broken compressed stream, unsupported compression method), which
    /// concerns that entry only; `Err` for anything else (an I/O error, more bytes than
    /// declared, the callback's own error).
    pub(super) fn read_zip<T>(
        &self,
        info: &EntryInfo,
        i: usize,
        f: impl FnOnce(&mut dyn Read) -> io::Result<T>,
    ) -> Result<EntryOutcome<T>> {
        let mut zip = self
            .zip
            .clone()
            .ok_or_else(|| self.entry_error(&info.path, "zip index missing"))?;
        let file = match zip.by_index(i) {
            Ok(file) => file,
            Err(zip::result::ZipError::Io(e)) => return Err(self.entry_error(&info.path, e)),
            Err(e) => return Ok(Err(format!("cannot be read: {}", one_line(&e)))),
        };
        let mut reader = Bounded::new(
            Watch {
                inner: file,
                bad: None,
            },
            info.size,
            "entry yields more bytes than it declares",
        );
        match f(&mut reader) {
            Ok(out) => Ok(Ok(out)),
            Err(e) => match reader.inner.bad.take() {
                Some(reason) => Ok(Err(reason)),
                None => Err(self.entry_error(&info.path, e)),
            },
        }
    }
}

/// The zip crate's message for an entry that inflates to more than it declares: that stays an
/// error of the whole input (a size bound), not a skipped entry.
pub(super) const ZIP_LARGER_THAN_DECLARED: &str =
    "File is larger than its declared uncompressed size";

/// Why a zip entry's own bytes are bad, from an error its decompressing reader returned: a
/// CRC-32 mismatch, a broken compressed stream, data that ends too early. `None` for errors that
/// are not about the entry's data (I/O errors of the file itself, more bytes than declared).
pub(super) fn data_error_reason(e: &io::Error) -> Option<String> {
    let message = e.to_string();
    if message == ZIP_LARGER_THAN_DECLARED {
        return None;
    }
    match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput | io::ErrorKind::UnexpectedEof => {
        }
        _ => return None,
    }
    if message == "Invalid checksum" {
        return Some("corrupt data: CRC-32 mismatch".into());
    }
    Some(format!("corrupt data: {}", one_line(&message)))
}

/// A zip entry's decompressing reader that remembers the first error saying the entry's own
/// data is bad ([`data_error_reason`]), whatever the caller's callback does with the error.
pub(super) struct Watch<R> {
    pub(super) inner: R,
    pub(super) bad: Option<String>,
}

impl<R: Read> Read for Watch<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            if self.bad.is_none() {
                self.bad = data_error_reason(e);
            }
        })
    }
}
