//! The deterministic, atomic bundle writer.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;

use crate::entry_path::sanitize;
use crate::error::{Error, Result};
use crate::manifest::{Manifest, ManifestEntry, Truncation};

/// The name of the manifest entry, written last.
pub const MANIFEST_PATH: &str = "manifest.json";

/// Writes a bundle: entries in the order given, each with a fixed timestamp (1980-01-01) and
/// fixed permissions, so the same input gives the same bytes; the manifest last, listing every
/// entry's size and SHA-256.
///
/// [`BundleWriter::create`] writes to `<out>.partial`; [`BundleWriter::finish`] renames it to
/// `<out>` once the manifest is complete. Dropped without `finish`, the partial file is
/// removed, so no file ever claims to be complete when it is not.
pub struct BundleWriter<W: Write + Seek = BufWriter<File>> {
    zip: Option<zip::ZipWriter<Counted<W>>>,
    entries: Vec<ManifestEntry>,
    paths: Option<(PathBuf, PathBuf)>,
    written: u64,
    high_water: Arc<AtomicU64>,
}

/// A sink that remembers the furthest position written, for the size budget.
struct Counted<W> {
    inner: W,
    pos: u64,
    /// Whether `pos` is the sink's position (its start was known, or a seek said it).
    known: bool,
    high_water: Arc<AtomicU64>,
}

impl<W: Write> Write for Counted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.pos += n as u64;
        self.high_water.fetch_max(self.pos, Ordering::Relaxed);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Seek> Seek for Counted<W> {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.pos = self.inner.seek(pos)?;
        self.known = true;
        Ok(self.pos)
    }
    /// The position counted, without asking the sink: `zip` asks it around every entry, and a
    /// `BufWriter` answers by writing out its buffer and an `lseek` (two system calls an entry).
    fn stream_position(&mut self) -> io::Result<u64> {
        if !self.known {
            self.pos = self.inner.stream_position()?;
            self.known = true;
        }
        Ok(self.pos)
    }
}

fn counted<W: Seek>(mut inner: W) -> (Counted<W>, Arc<AtomicU64>) {
    let high_water = Arc::new(AtomicU64::new(0));
    let start = inner.stream_position().ok();
    (
        Counted {
            inner,
            pos: start.unwrap_or(0),
            known: start.is_some(),
            high_water: high_water.clone(),
        },
        high_water,
    )
}

impl std::fmt::Debug for BundleWriter<BufWriter<File>> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BundleWriter")
            .field("entries", &self.entries.len())
            .field("paths", &self.paths)
            .finish()
    }
}

/// The deflate level of an entry: 2 for logs (`.log`), 6 for everything else. Logs are most of a
/// bundle's bytes: on real logs (the troubleshoot.sh bundles' and the fixtures') level 2
/// compresses 1.6 times as fast as 6 for 7% more bytes; objects and texts keep level 6, which
/// is a fifth smaller than 2 on JSON (docs/performance.md, `benches/compress.sh`).
fn level(path: &str) -> u32 {
    if path.ends_with(".log") { 2 } else { 6 }
}

fn options(path: &str) -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(i64::from(level(path))))
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
        .large_file(false)
}

/// Refuses a name that is not a normalized bundle path, or the manifest's.
fn check_name(path: &str) -> Result<()> {
    let clean = sanitize(path, 64).map_err(|reason| Error::InvalidName {
        name: path.to_string(),
        reason,
    })?;
    if clean != path || path == MANIFEST_PATH {
        return Err(Error::InvalidName {
            name: path.to_string(),
            reason: "not a normalized bundle path",
        });
    }
    Ok(())
}

/// One entry compressed ahead of time, so that entries can be compressed on several threads
/// and written in order by [`BundleWriter::add_prepared`]; its exact size in the bundle is
/// known before it is written ([`PreparedEntry::compressed_len`]), which a size budget needs.
///
/// ```
/// use kbundle_format::{BundleWriter, PreparedEntry};
/// let entry = PreparedEntry::new("logs/a.log", b"line 1\nline 2\n")?;
/// assert_eq!(entry.size(), 14);
/// assert_eq!(entry.contents()?, b"line 1\nline 2\n");
/// let mut writer = BundleWriter::new(std::io::Cursor::new(Vec::new()));
/// writer.add_prepared(entry, None)?;
/// # Ok::<(), kbundle_format::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PreparedEntry {
    path: String,
    /// A one-entry zip holding the compressed entry.
    zip: Vec<u8>,
    size: u64,
    sha256: String,
}

impl PreparedEntry {
    /// Compresses `bytes` as the entry `path` (a normalized bundle path), with the settings
    /// [`BundleWriter`] uses.
    pub fn new(path: &str, bytes: &[u8]) -> Result<PreparedEntry> {
        check_name(path)?;
        let crc = crc32fast::hash(bytes);
        let zip = deflate(level(path), bytes, |data| {
            one_entry_zip(path, data, crc, bytes.len())
        })
        .map_err(|e| Error::Write {
            path: PathBuf::from(path),
            message: format!("cannot compress the entry: {e}"),
        })?
        .ok_or_else(|| Error::Write {
            path: PathBuf::from(path),
            message: "the entry is too large for a zip without ZIP64".into(),
        })?;
        Ok(PreparedEntry {
            path: path.to_string(),
            zip,
            size: bytes.len() as u64,
            sha256: hex(&Sha256::digest(bytes)),
        })
    }

    /// The entry's path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Its uncompressed size.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// What it adds to the bundle: compressed bytes, local header and central directory
    /// record (a few bytes more, never less).
    pub fn compressed_len(&self) -> u64 {
        self.zip.len() as u64
    }

    /// Its uncompressed bytes, inflated again (for a caller that kept only the entry).
    pub fn contents(&self) -> Result<Vec<u8>> {
        let err = |e: &dyn std::fmt::Display| Error::Write {
            path: PathBuf::from(&self.path),
            message: format!("cannot read the compressed entry back: {e}"),
        };
        let mut mini =
            zip::ZipArchive::new(io::Cursor::new(self.zip.as_slice())).map_err(|e| err(&e))?;
        let file = mini.by_index(0).map_err(|e| err(&e))?;
        let mut out = Vec::with_capacity(usize::try_from(self.size).unwrap_or(0));
        io::Read::read_to_end(&mut io::Read::take(file, self.size), &mut out)
            .map_err(|e| err(&e))?;
        Ok(out)
    }
}

thread_local! {
    /// One deflate compressor per level and thread, reset between entries: a new one per entry
    /// allocated and zeroed zlib's 300 KiB of state each time (an `mmap`, its page faults and
    /// an `munmap` under the CLI's 128 KiB mmap threshold). And the buffer entries of up to
    /// [`SCRATCH_MAX`] bytes are compressed into.
    static DEFLATE: std::cell::RefCell<Deflaters> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// A thread's compressors, one per level, and its scratch buffer.
type Deflaters = (Vec<(u32, flate2::Compress)>, Vec<u8>);

/// The largest compressed-size bound a thread's scratch buffer is kept for.
const SCRATCH_MAX: usize = 4 << 20;

/// The most deflate can make of `n` bytes (zlib's `compressBound`).
fn deflate_bound(n: usize) -> usize {
    n + (n >> 12) + (n >> 14) + (n >> 25) + 13
}

/// `bytes` as raw deflate at `level` (the stream `zip`'s own writer makes at that level),
/// handed to `then` where it was compressed (the thread's scratch buffer, not copied out).
///
/// Compressed in one call into room for the whole stream: zlib-rs's output depends on where
/// the output buffer ran out (a 32,640-byte entry came out one byte longer when its buffer
/// grew from a third of the input, property test `any_prepared_entry_is_the_zip_crates_bytes`).
fn deflate<T>(level: u32, bytes: &[u8], then: impl FnOnce(&[u8]) -> T) -> io::Result<T> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    DEFLATE.with_borrow_mut(|(compressors, scratch)| {
        let i = match compressors.iter().position(|(l, _)| *l == level) {
            Some(i) => i,
            None => {
                compressors.push((level, Compress::new(Compression::new(level), false)));
                compressors.len() - 1
            }
        };
        let (_, c) = compressors
            .get_mut(i)
            .ok_or_else(|| io::Error::other("no compressor"))?;
        // A new compressor is already in its reset state: resetting zeroes 176 KiB again.
        if c.total_in() != 0 || c.total_out() != 0 {
            c.reset();
        }
        let bound = deflate_bound(bytes.len());
        let mut run = |out: &mut Vec<u8>| match c.compress_vec(bytes, out, FlushCompress::Finish)? {
            Status::StreamEnd => Ok(()),
            _ => Err(io::Error::other("deflate needed more than its bound")),
        };
        if bound > SCRATCH_MAX {
            // A large entry gets a buffer of its own, not kept.
            let mut out = Vec::with_capacity(bound);
            run(&mut out)?;
            return Ok(then(&out));
        }
        scratch.clear();
        scratch.reserve(bound);
        run(scratch)?;
        Ok(then(scratch))
    })
}

/// A zip of one deflated entry, byte for byte what `zip::ZipWriter` writes for it with
/// [`options`] (a unit test holds the two equal): local header, data, central directory record
/// and end record. `None` when a size needs ZIP64 (the writer refuses those too).
fn one_entry_zip(path: &str, data: &[u8], crc: u32, size: usize) -> Option<Vec<u8>> {
    let name = path.as_bytes();
    let name_len = u16::try_from(name.len()).ok()?;
    let compressed = u32::try_from(data.len()).ok().filter(|&n| n < u32::MAX)?;
    let size = u32::try_from(size).ok().filter(|&n| n < u32::MAX)?;
    // Bit 11: the name is UTF-8 (set for a name that is not ASCII).
    let flags: u16 = if path.is_ascii() { 0 } else { 1 << 11 };
    // Version 2.0 (deflate) needed; made by Unix (3), version 2.0; 1980-01-01 00:00:00.
    let (needed, made_by, time, date): (u16, u16, u16, u16) = (20, 3 << 8 | 20, 0, 0x21);
    let mut out = Vec::with_capacity(data.len() + 2 * name.len() + 98);
    let common = |out: &mut Vec<u8>| {
        for v in [flags, 8, time, date] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [crc, compressed, size] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
    };
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    out.extend_from_slice(&needed.to_le_bytes());
    common(&mut out);
    out.extend_from_slice(name);
    out.extend_from_slice(data);
    let directory = u32::try_from(out.len()).ok()?;
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&made_by.to_le_bytes());
    out.extend_from_slice(&needed.to_le_bytes());
    common(&mut out);
    // Comment length, disk, internal attributes; external: a regular file, rw-r--r--.
    for v in [0u16, 0, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&(0o100_644u32 << 16).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(name);
    let directory_len = u32::try_from(out.len()).ok()? - directory;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, 1, 1] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&directory_len.to_le_bytes());
    out.extend_from_slice(&directory.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Some(out)
}

/// Hashes and counts bytes on their way into the zip.
struct Tee<'a, W: Write> {
    inner: &'a mut W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> Write for Tee<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        self.size += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

impl BundleWriter<BufWriter<File>> {
    /// Starts a bundle at `out`, writing to `<out>.partial` until [`BundleWriter::finish`].
    ///
    /// The partial file is created exclusively (`O_CREAT|O_EXCL`): a file, or a symlink
    /// (even a dangling one), already at `<out>.partial` is an error, never followed nor
    /// overwritten. `out` naming a directory is an error before anything is created.
    pub fn create(out: &Path) -> Result<Self> {
        if out.is_dir() {
            return Err(Error::Write {
                path: out.to_path_buf(),
                message: "is a directory; name the bundle file".into(),
            });
        }
        let mut partial = out.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&partial)
            .map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists {
                    Error::Write {
                        path: partial.clone(),
                        message: "already exists (another run writing it, or left by one that was killed); not overwritten: remove it or choose another output".into(),
                    }
                } else {
                    Error::io(&partial, e)
                }
            })?;
        let (sink, high_water) = counted(BufWriter::new(file));
        Ok(BundleWriter {
            zip: Some(zip::ZipWriter::new(sink)),
            entries: Vec::new(),
            paths: Some((partial, out.to_path_buf())),
            written: 0,
            high_water,
        })
    }
}

impl<W: Write + Seek> BundleWriter<W> {
    /// A writer over any seekable sink (tests, in-memory bundles). `finish` returns the sink.
    pub fn new(sink: W) -> Self {
        let (sink, high_water) = counted(sink);
        BundleWriter {
            zip: Some(zip::ZipWriter::new(sink)),
            entries: Vec::new(),
            paths: None,
            written: 0,
            high_water,
        }
    }

    fn err(&self, message: impl std::fmt::Display) -> Error {
        Error::Write {
            path: self
                .paths
                .as_ref()
                .map(|p| p.1.clone())
                .unwrap_or_else(|| PathBuf::from("<memory>")),
            message: message.to_string(),
        }
    }

    /// Entries written so far.
    pub fn entries(&self) -> &[ManifestEntry] {
        &self.entries
    }

    /// Compressed bytes written so far (an estimate of the final size, short of the manifest
    /// and the central directory).
    pub fn bytes_written(&self) -> u64 {
        self.written
    }

    /// Adds an entry from memory.
    pub fn add(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        self.add_stream(path, &mut &bytes[..], None)
    }

    /// Refuses a path that is not a normalized bundle path, the manifest's, or one already
    /// written.
    fn check_path(&self, path: &str) -> Result<()> {
        check_name(path)?;
        if self.entries.iter().any(|e| e.path == path) {
            return Err(Error::InvalidName {
                name: path.to_string(),
                reason: "written twice",
            });
        }
        Ok(())
    }

    /// Adds an entry from a reader, streaming it into the zip. `truncated` records that the
    /// bytes were cut to fit a budget.
    pub fn add_stream(
        &mut self,
        path: &str,
        reader: &mut dyn Read,
        truncated: Option<Truncation>,
    ) -> Result<()> {
        self.check_path(path)?;
        let Some(zip) = self.zip.as_mut() else {
            return Err(self.err("writer already finished"));
        };
        let result = (|| -> io::Result<(u64, String)> {
            zip.start_file(path, options(path))
                .map_err(io::Error::other)?;
            let mut tee = Tee {
                inner: zip,
                hasher: Sha256::new(),
                size: 0,
            };
            io::copy(reader, &mut tee)?;
            let size = tee.size;
            let digest = tee.hasher.finalize();
            Ok((size, hex(&digest)))
        })();
        let (size, sha256) = result.map_err(|e| self.err(format!("entry {path}: {e}")))?;
        self.record(path, size, sha256, truncated);
        Ok(())
    }

    /// Adds an entry compressed ahead of time by [`PreparedEntry::new`] (on any thread): its
    /// compressed bytes are copied, not compressed again. The result is the same as
    /// [`BundleWriter::add_stream`] of the same bytes would give.
    pub fn add_prepared(
        &mut self,
        entry: PreparedEntry,
        truncated: Option<Truncation>,
    ) -> Result<()> {
        self.check_path(&entry.path)?;
        let Some(zip) = self.zip.as_mut() else {
            return Err(self.err("writer already finished"));
        };
        let path = entry.path;
        let result = (|| -> zip::result::ZipResult<()> {
            let mut mini = zip::ZipArchive::new(io::Cursor::new(entry.zip.as_slice()))?;
            let file = mini.by_index_raw(0)?;
            zip.raw_copy_file_touch(file, zip::DateTime::default(), Some(0o644))
        })();
        result.map_err(|e| self.err(format!("entry {path}: {e}")))?;
        self.record(&path, entry.size, entry.sha256, truncated);
        Ok(())
    }

    fn record(&mut self, path: &str, size: u64, sha256: String, truncated: Option<Truncation>) {
        self.written = self.high_water.load(Ordering::Relaxed);
        self.entries.push(ManifestEntry {
            path: path.to_string(),
            size,
            sha256,
            truncated,
        });
    }

    fn write_manifest(&mut self, mut manifest: Manifest) -> Result<W> {
        manifest.entries = std::mem::take(&mut self.entries);
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| self.err(e))?;
        let Some(mut zip) = self.zip.take() else {
            return Err(self.err("writer already finished"));
        };
        let mut sink = (|| -> zip::result::ZipResult<Counted<W>> {
            zip.start_file(MANIFEST_PATH, options(MANIFEST_PATH))?;
            zip.write_all(&json)?;
            zip.write_all(b"\n")?;
            zip.finish()
        })()
        .map_err(|e| self.err(e))?;
        sink.flush().map_err(|e| self.err(e))?;
        Ok(sink.inner)
    }
}

impl BundleWriter<BufWriter<File>> {
    /// Writes the manifest (its `entries` are filled in from what was written), completes the
    /// zip, syncs it and renames `<out>.partial` to `<out>`. Returns the final path.
    pub fn finish(mut self, manifest: Manifest) -> Result<PathBuf> {
        let sink = self.write_manifest(manifest)?;
        let Some((partial, out)) = self.paths.take() else {
            return Err(self.err("no output path"));
        };
        // From here on the partial file is ours to remove on any failure.
        let fail = |e: Error| {
            let _ = std::fs::remove_file(&partial);
            e
        };
        let file = sink.into_inner().map_err(|e| fail(self.err(e.error())))?;
        file.sync_all().map_err(|e| fail(Error::io(&partial, e)))?;
        drop(file);
        std::fs::rename(&partial, &out).map_err(|e| fail(Error::io(&out, e)))?;
        Ok(out)
    }
}

impl<W: Write + Seek> BundleWriter<W> {
    /// Like `finish`, for a writer made with [`BundleWriter::new`]: returns the sink.
    pub fn finish_into(mut self, manifest: Manifest) -> Result<W> {
        self.write_manifest(manifest)
    }
}

impl<W: Write + Seek> Drop for BundleWriter<W> {
    fn drop(&mut self) {
        if let Some((partial, _)) = self.paths.take() {
            self.zip = None;
            let _ = std::fs::remove_file(partial);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest::new("test", "2025-03-14T09:30:00Z")
    }

    /// What `zip`'s own writer makes of one entry: the zip [`PreparedEntry::new`] must equal.
    fn zip_crate_entry(path: &str, bytes: &[u8]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        zip.start_file(path, options(path)).unwrap();
        zip.write_all(bytes).unwrap();
        zip.finish().unwrap().into_inner()
    }

    /// Log-like text of `n` bytes that deflate cannot squeeze to nothing.
    fn log_text(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        let mut out = Vec::with_capacity(n + 80);
        while out.len() < n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            out.extend_from_slice(
                format!(
                    "I0314 09:00:00 worker.go:42] request {} id={x:x}\n",
                    x % 1000
                )
                .as_bytes(),
            );
        }
        out.truncate(n);
        out
    }

    #[test]
    fn prepared_entries_are_the_zip_crates_bytes() {
        // On one thread, so the compressors are reused (reset) from entry to entry and level
        // to level.
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("logs/ns/pod/c.log", Vec::new()),
            ("logs/ns/pod/c.log", b"one line\n".to_vec()),
            (
                "cluster/pods.json",
                br#"{"kind":"List","items":[]}"#.repeat(500),
            ),
            ("logs/ns/pod/c.log", log_text(700_000, 7)),
            ("logs/ns/p\u{f6}d/c.log", log_text(5_000, 3)),
            ("describe/ns/pod.txt", log_text(200_000, 11)),
            ("logs/ns/pod/c.previous.log", vec![0u8; 300_000]),
            // Above SCRATCH_MAX: its own buffer.
            ("logs/ns/pod/big.log", log_text(SCRATCH_MAX + 1, 5)),
        ];
        for (path, bytes) in &cases {
            let entry = PreparedEntry::new(path, bytes).unwrap();
            assert_eq!(
                entry.zip,
                zip_crate_entry(path, bytes),
                "{path}, {} bytes",
                bytes.len()
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn any_prepared_entry_is_the_zip_crates_bytes(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..20_000),
            log in proptest::prelude::any::<bool>(),
            repeat in 1usize..8,
        ) {
            let bytes = bytes.repeat(repeat);
            let path = if log { "logs/a/b/c.log" } else { "cluster/x.json" };
            let entry = PreparedEntry::new(path, &bytes).unwrap();
            proptest::prop_assert_eq!(entry.zip, zip_crate_entry(path, &bytes));
        }
    }

    #[cfg(unix)]
    #[test]
    fn never_writes_through_a_symlink_at_the_partial_path() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("victim");
        std::fs::write(&target, b"precious").unwrap();
        let out = dir.path().join("b.zip");
        std::os::unix::fs::symlink(&target, dir.path().join("b.zip.partial")).unwrap();
        let err = BundleWriter::create(&out).unwrap_err().to_string();
        assert!(err.contains("already exists"), "{err}");
        assert_eq!(std::fs::read(&target).unwrap(), b"precious");
        // A dangling link is not followed either (it would create its target).
        std::fs::remove_file(&target).unwrap();
        assert!(BundleWriter::create(&out).is_err());
        assert!(!target.exists());
        assert!(!out.exists());
    }

    #[test]
    fn a_directory_output_is_refused_and_nothing_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let err = BundleWriter::create(dir.path()).unwrap_err().to_string();
        assert!(err.contains("is a directory"), "{err}");
        // The output becomes a directory while the bundle is written: the rename fails and
        // the partial file is removed.
        let out = dir.path().join("b.zip");
        let mut w = BundleWriter::create(&out).unwrap();
        w.add("a.txt", b"a").unwrap();
        std::fs::create_dir(&out).unwrap();
        assert!(w.finish(manifest()).is_err());
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("b.zip")]);
    }

    #[test]
    fn finished_bundle_replaces_nothing_but_its_own_partial() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("b.zip");
        let mut w = BundleWriter::create(&out).unwrap();
        w.add("a.txt", b"a").unwrap();
        assert_eq!(w.finish(manifest()).unwrap(), out);
        assert!(out.is_file());
        assert!(!dir.path().join("b.zip.partial").exists());
    }
}
