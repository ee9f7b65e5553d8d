//! The safe reader: one view over a directory, a zip, a tar, a tar.gz or a single text file.
//!
//! Nothing is ever extracted to disk. Entry names are checked by
//! [`crate::entry_path::sanitize`]; links, devices and duplicates are skipped with a reason;
//! sizes, counts and compression ratios are bounded by [`Limits`]. Every read goes through a
//! reader that fails, rather than truncates, when an entry yields more bytes than it declared.
//! A zip entry whose own data is damaged (CRC-32 mismatch, broken deflate stream) is found when
//! it is read: the import skips it with a reason (`Archive::visit_skipping_bad`); a direct
//! read of it is an [`Error::Entry`].
//!
//! One file per backend, each adding its `open_*` (and read) methods to [`Archive`]:
//! `zip_backend.rs`, `tar_backend.rs` (tar, tar.gz, tar.xz, tar.zst), `dir.rs` (a folder),
//! `single.rs` (one plain or compressed file); the bounded readers every read goes through are
//! in `bounded.rs`.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::entry_path::sanitize;
use crate::error::{Error, Result};
use crate::limits::{Limits, RATIO_FLOOR_BYTES};

mod bounded;
mod dir;
mod single;
mod tar_backend;
mod zip_backend;

pub(crate) use bounded::Bounded;
use bounded::Tracked;

/// What kind of container an input is, detected from its content (not its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ArchiveKind {
    /// A plain folder.
    Directory,
    /// A zip file.
    Zip,
    /// An uncompressed tar file.
    Tar,
    /// A gzip-compressed tar file.
    TarGz,
    /// An xz-compressed tar file.
    TarXz,
    /// A zstd-compressed tar file.
    TarZst,
    /// A single gzip-compressed file that is not a tar.
    Gzip,
    /// A single xz-compressed file that is not a tar.
    Xz,
    /// A single zstd-compressed file that is not a tar.
    Zst,
    /// A single text file (a describe text, a log, a JSON or YAML file).
    File,
}

impl ArchiveKind {
    /// A short lowercase name: `directory`, `zip`, `tar`, `tar.gz`, `tar.xz`, `tar.zst`,
    /// `gzip`, `xz`, `zst`, `file`.
    pub fn name(self) -> &'static str {
        match self {
            ArchiveKind::Directory => "directory",
            ArchiveKind::Zip => "zip",
            ArchiveKind::Tar => "tar",
            ArchiveKind::TarGz => "tar.gz",
            ArchiveKind::TarXz => "tar.xz",
            ArchiveKind::TarZst => "tar.zst",
            ArchiveKind::Gzip => "gzip",
            ArchiveKind::Xz => "xz",
            ArchiveKind::Zst => "zst",
            ArchiveKind::File => "file",
        }
    }

    /// Whether this is a compressed tar, whose entries are read by decompressing the stream
    /// in order (one pass serves many entries, random access costs a pass).
    pub fn is_compressed_tar(self) -> bool {
        matches!(
            self,
            ArchiveKind::TarGz | ArchiveKind::TarXz | ArchiveKind::TarZst
        )
    }

    /// The compression of a compressed tar or a single compressed file.
    fn codec(self) -> Option<Codec> {
        match self {
            ArchiveKind::TarGz | ArchiveKind::Gzip => Some(Codec::Gzip),
            ArchiveKind::TarXz | ArchiveKind::Xz => Some(Codec::Xz),
            ArchiveKind::TarZst | ArchiveKind::Zst => Some(Codec::Zstd),
            _ => None,
        }
    }
}

/// A stream compression, recognised by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Codec {
    Gzip,
    Xz,
    Zstd,
}

/// The most memory an xz stream may ask for, in KiB (`xz -9` needs 65 MiB to decompress).
const XZ_MEM_LIMIT_KIB: u32 = 128 * 1024;
/// The largest zstd window accepted (`zstd --ultra -22` uses 128 MiB).
const ZSTD_MAX_WINDOW: u64 = 128 << 20;

impl Codec {
    fn of(head: &[u8]) -> Option<Codec> {
        if head.starts_with(&[0x1f, 0x8b]) {
            Some(Codec::Gzip)
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Some(Codec::Xz)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Some(Codec::Zstd)
        } else {
            None
        }
    }

    /// `gzip`, `xz`, `zstd`.
    fn name(self) -> &'static str {
        match self {
            Codec::Gzip => "gzip",
            Codec::Xz => "xz",
            Codec::Zstd => "zstd",
        }
    }

    /// The kinds of a tar and of a single file compressed so.
    fn kinds(self) -> (ArchiveKind, ArchiveKind) {
        match self {
            Codec::Gzip => (ArchiveKind::TarGz, ArchiveKind::Gzip),
            Codec::Xz => (ArchiveKind::TarXz, ArchiveKind::Xz),
            Codec::Zstd => (ArchiveKind::TarZst, ArchiveKind::Zst),
        }
    }

    /// A decompressing reader over the whole input (xz and zstd: every stream or frame, one
    /// after another, as their tools write them; memory bounded).
    fn decoder(self, cursor: Cursor) -> Decoder {
        Decoder(match self {
            Codec::Gzip => Box::new(flate2::read::GzDecoder::new(cursor)),
            Codec::Xz => Box::new(lzma_rust2::XzReader::new_mem_limit(
                cursor,
                true,
                XZ_MEM_LIMIT_KIB,
            )),
            Codec::Zstd => Box::new(ZstdFrames {
                source: Some(io::BufReader::new(cursor)),
                frame: None,
            }),
        })
    }
}

/// A decompressing reader of any [`Codec`].
struct Decoder(Box<dyn Read + Send>);

impl Read for Decoder {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Decoder")
    }
}

/// zstd frames one after another (`pzstd` and `zstd -T` write several), decoded in order.
struct ZstdFrames {
    /// The input, while no frame is open.
    source: Option<io::BufReader<Cursor>>,
    /// The open frame.
    frame: Option<
        ruzstd::decoding::StreamingDecoder<io::BufReader<Cursor>, ruzstd::decoding::FrameDecoder>,
    >,
}

impl Read for ZstdFrames {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use io::BufRead;
        loop {
            if let Some(frame) = &mut self.frame {
                let n = frame.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                if let Some(done) = self.frame.take() {
                    self.source = Some(done.into_inner());
                }
                continue;
            }
            let Some(mut source) = self.source.take() else {
                return Ok(0);
            };
            if source.fill_buf()?.is_empty() {
                return Ok(0);
            }
            let frame = ruzstd::decoding::StreamingDecoder::new_with_max_window_size(
                source,
                ZSTD_MAX_WINDOW,
            )
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, one_line(&e)))?;
            self.frame = Some(frame);
        }
    }
}

/// One readable entry of an input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EntryInfo {
    /// The sanitized path, with `/` separators, relative to the input's root.
    pub path: String,
    /// The uncompressed size the container declares, in bytes.
    pub size: u64,
}

/// An entry the reader refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// The name as the container spells it (lossily decoded; control characters escaped).
    pub name: String,
    /// Why it was skipped.
    pub reason: String,
}

/// Where an entry's bytes are.
#[derive(Debug, Clone)]
enum Locator {
    /// A file below the directory root (the sanitized relative path).
    DirFile,
    /// A zip entry by index.
    Zip(usize),
    /// A tar entry: absolute offset of its data in the (uncompressed) tar file.
    TarOffset(u64),
    /// A tar.gz entry: its ordinal among all tar headers (for [`Archive::visit`]'s one pass)
    /// and the offset of its data in the uncompressed stream (for random reads).
    TarOrdinal(usize, u64),
    /// The whole input (a single file), possibly gzip-compressed.
    Whole,
}

/// The bytes behind an input: a file read with positioned reads, or memory.
#[derive(Debug, Clone)]
enum Backing {
    File(Arc<File>),
    Bytes(Arc<[u8]>),
}

impl Backing {
    fn len(&self) -> io::Result<u64> {
        match self {
            Backing::File(f) => Ok(f.metadata()?.len()),
            Backing::Bytes(b) => Ok(b.len() as u64),
        }
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<usize> {
        match self {
            Backing::File(f) => file_read_at(f, buf, offset),
            Backing::Bytes(b) => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX).min(b.len());
                let src = b.get(start..).unwrap_or_default();
                let n = src.len().min(buf.len());
                match (buf.get_mut(..n), src.get(..n)) {
                    (Some(dst), Some(src)) => dst.copy_from_slice(src),
                    _ => return Ok(0),
                }
                Ok(n)
            }
        }
    }

    fn cursor(&self) -> Cursor {
        Cursor {
            backing: self.clone(),
            pos: 0,
        }
    }
}

#[cfg(unix)]
fn file_read_at(f: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(f, buf, offset)
}

#[cfg(windows)]
fn file_read_at(f: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(f, buf, offset)
}

/// An independent read position over a [`Backing`]: cheap to clone, safe to share.
#[derive(Debug, Clone)]
struct Cursor {
    backing: Backing,
    pos: u64,
}

impl Read for Cursor {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.backing.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for Cursor {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let new = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.backing.len()?.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos =
            new.ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "seek out of range"))?;
        Ok(self.pos)
    }
}

/// (a zip entry with a CRC mismatch, say), which concerns that entry only.
pub(crate) type EntryOutcome<T> = std::result::Result<T, String>;

/// An opened input: its entries, what was skipped, and random access to each entry's bytes.
///
/// `Archive` is `Send + Sync`; reads from several threads at once are fine.
#[derive(Debug)]
pub struct Archive {
    path: PathBuf,
    kind: ArchiveKind,
    limits: Limits,
    entries: Vec<EntryInfo>,
    locators: Vec<Locator>,
    by_path: HashMap<String, usize>,
    skipped: Vec<Skipped>,
    backing: Option<Backing>,
    zip: Option<zip::ZipArchive<Cursor>>,
    /// tar.gz: a decoder left where the last read stopped (its position in the uncompressed
    /// stream), so that reading entries in order costs one pass, not one pass per entry.
    resume: std::sync::Mutex<Option<(u64, Decoder)>>,
    /// tar.gz: the bytes of small entries, kept while the stream is read at open (by entry
    /// index), so that reading many small entries in any order costs no further pass.
    small: HashMap<usize, Box<[u8]>>,
}

/// Escapes control characters so a hostile name prints on one line.
fn display_name(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).escape_debug().to_string()
}

/// A decoder's message on one line: decoders quote raw header bytes (newlines, escape
/// sequences) in their messages, and every error must print on one line.
fn one_line(message: &impl std::fmt::Display) -> String {
    let text = message.to_string();
    if !text.chars().any(char::is_control) {
        return text;
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_debug().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

impl Archive {
    /// Opens a path: a directory, or a file whose content is zip, tar, tar.gz, gzip or text.
    pub fn open(path: &Path, limits: Limits) -> Result<Archive> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            return Archive::open_dir(path, limits);
        }
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Archive::from_backing(path.to_path_buf(), Backing::File(Arc::new(file)), limits)
    }

    /// Opens an in-memory input (a zip, tar, tar.gz, gzip or text file); `name` is used in
    /// messages and, for a single file, as its entry name.
    pub fn from_bytes(name: &str, bytes: Vec<u8>, limits: Limits) -> Result<Archive> {
        Archive::from_backing(PathBuf::from(name), Backing::Bytes(bytes.into()), limits)
    }

    fn empty(path: PathBuf, kind: ArchiveKind, limits: Limits) -> Archive {
        Archive {
            path,
            kind,
            limits,
            entries: Vec::new(),
            locators: Vec::new(),
            by_path: HashMap::new(),
            skipped: Vec::new(),
            backing: None,
            zip: None,
            resume: std::sync::Mutex::new(None),
            small: HashMap::new(),
        }
    }

    /// The input's path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The detected container kind.
    pub fn kind(&self) -> ArchiveKind {
        self.kind
    }

    /// The limits this input was opened with.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Every readable entry, in the container's order (a directory's in path order).
    pub fn entries(&self) -> &[EntryInfo] {
        &self.entries
    }

    /// Entries that were refused, with the reason.
    pub fn skipped(&self) -> &[Skipped] {
        &self.skipped
    }

    /// Looks an entry up by its sanitized path.
    pub fn entry(&self, path: &str) -> Option<&EntryInfo> {
        self.by_path.get(path).and_then(|&i| self.entries.get(i))
    }

    fn skip(&mut self, raw: &[u8], reason: impl Into<String>) {
        self.skipped.push(Skipped {
            name: display_name(raw),
            reason: reason.into(),
        });
    }

    /// Moves entries found bad when read (`(path, reason)`, from [`Archive::visit_skipping_bad`])
    /// from the entries to the skipped ones.
    pub(crate) fn refuse(&mut self, bad: &[(String, String)]) {
        let drop: std::collections::HashSet<usize> = bad
            .iter()
            .filter_map(|(path, _)| self.by_path.get(path).copied())
            .collect();
        if drop.is_empty() {
            return;
        }
        for (path, reason) in bad {
            self.skip(path.as_bytes(), reason.clone());
        }
        let entries = std::mem::take(&mut self.entries);
        let locators = std::mem::take(&mut self.locators);
        let mut small = std::mem::take(&mut self.small);
        self.by_path.clear();
        for (old, (entry, locator)) in entries.into_iter().zip(locators).enumerate() {
            if drop.contains(&old) {
                continue;
            }
            let new = self.entries.len();
            if let Some(bytes) = small.remove(&old) {
                self.small.insert(new, bytes);
            }
            self.by_path.insert(entry.path.clone(), new);
            self.entries.push(entry);
            self.locators.push(locator);
        }
    }

    /// Adds an entry after the per-entry checks; returns false if it was skipped.
    fn push(&mut self, raw: &[u8], size: u64, locator: Locator) -> Result<bool> {
        let name = match std::str::from_utf8(raw) {
            Ok(n) => n,
            Err(_) => {
                self.skip(raw, "name is not valid UTF-8");
                return Ok(false);
            }
        };
        let path = match sanitize(name, self.limits.max_depth) {
            Ok(p) => p,
            Err(reason) => {
                self.skip(raw, reason);
                return Ok(false);
            }
        };
        if size > self.limits.max_entry_bytes {
            self.skip(
                raw,
                format!(
                    "declared size {size} bytes exceeds the per-entry limit of {} bytes",
                    self.limits.max_entry_bytes
                ),
            );
            return Ok(false);
        }
        if self.by_path.contains_key(&path) {
            self.skip(raw, "duplicate name (the first entry of that name is kept)");
            return Ok(false);
        }
        if self.entries.len() >= self.limits.max_entries {
            return Err(Error::Limit {
                path: self.path.clone(),
                what: "number of entries".into(),
                limit: self.limits.max_entries.to_string(),
            });
        }
        self.by_path.insert(path.clone(), self.entries.len());
        self.entries.push(EntryInfo { path, size });
        self.locators.push(locator);
        Ok(true)
    }

    fn check_total(&self, total: u64) -> Result<()> {
        if total > self.limits.max_total_bytes {
            return Err(Error::Limit {
                path: self.path.clone(),
                what: "total uncompressed size".into(),
                limit: format!("{} bytes", self.limits.max_total_bytes),
            });
        }
        Ok(())
    }

    fn from_backing(path: PathBuf, backing: Backing, limits: Limits) -> Result<Archive> {
        let len = backing.len().map_err(|e| Error::io(&path, e))?;
        if len == 0 {
            return Err(Error::Empty { path });
        }
        let mut head = [0u8; 512];
        let n = read_full(&mut backing.cursor(), &mut head).map_err(|e| Error::io(&path, e))?;
        let head = head.get(..n).unwrap_or_default();
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            return Archive::open_zip(path, backing, limits);
        }
        if let Some(codec) = Codec::of(head) {
            let mut inner = [0u8; 512];
            let m = read_full(&mut codec.decoder(backing.cursor()), &mut inner).map_err(|e| {
                Error::Corrupt {
                    path: path.clone(),
                    format: codec.name(),
                    message: one_line(&e),
                }
            })?;
            if is_tar_header(inner.get(..m).unwrap_or_default()) {
                return Archive::open_tar(path, backing, Some(codec), limits);
            }
            return Archive::open_single(path, backing, Some(codec), limits);
        }
        if is_tar_header(head) {
            return Archive::open_tar(path, backing, None, limits);
        }
        if looks_like_text(head) {
            return Archive::open_single(path, backing, None, limits);
        }
        Err(Error::Unsupported {
            path,
            reason: "binary data that is not zip, tar, tar.gz, tar.xz, tar.zst, gzip, xz or zstd"
                .into(),
        })
    }

    fn entry_error(&self, entry: &str, message: impl std::fmt::Display) -> Error {
        Error::Entry {
            path: self.path.clone(),
            entry: entry.to_string(),
            message: one_line(&message),
        }
    }

    /// Runs `f` over a bounded reader of one entry's bytes. The reader fails (it never silently
    /// truncates) if the entry yields more than its declared size.
    pub fn read_with<T>(
        &self,
        path: &str,
        f: impl FnOnce(&mut dyn Read) -> io::Result<T>,
    ) -> Result<T> {
        let index = *self
            .by_path
            .get(path)
            .ok_or_else(|| self.entry_error(path, "no such entry"))?;
        self.read_index(index, f)
    }

    fn read_index<T>(
        &self,
        index: usize,
        f: impl FnOnce(&mut dyn Read) -> io::Result<T>,
    ) -> Result<T> {
        let (info, locator) = match (self.entries.get(index), self.locators.get(index)) {
            (Some(i), Some(l)) => (i, l),
            _ => return Err(self.entry_error("?", "no such entry")),
        };
        let bound = info.size;
        const TOO_BIG: &str = "entry yields more bytes than it declares";
        let wrap = |e: io::Error| self.entry_error(&info.path, e);
        if let Some(bytes) = self.small.get(&index) {
            return f(&mut &**bytes).map_err(wrap);
        }
        match (locator, &self.backing) {
            (Locator::DirFile, _) => {
                let full = info
                    .path
                    .split('/')
                    .fold(self.path.clone(), |p, part| p.join(part));
                let meta = std::fs::symlink_metadata(&full).map_err(wrap)?;
                if !meta.is_file() {
                    return Err(self.entry_error(&info.path, "no longer a regular file"));
                }
                let file = File::open(&full).map_err(wrap)?;
                // A file that grew since it was listed is read up to its listed size.
                f(&mut file.take(bound)).map_err(wrap)
            }
            (Locator::Zip(i), _) => self
                .read_zip(info, *i, f)?
                .map_err(|reason| self.entry_error(&info.path, reason)),
            (Locator::TarOffset(offset), Some(backing)) => {
                let mut cursor = backing.cursor();
                cursor.pos = *offset;
                f(&mut cursor.take(bound)).map_err(wrap)
            }
            (Locator::TarOrdinal(_, offset), Some(backing)) => {
                // Resume the last decoder if it has not gone past this entry, else start over.
                let cached = self
                    .resume
                    .lock()
                    .ok()
                    .and_then(|mut r| r.take())
                    .filter(|(pos, _)| *pos <= *offset);
                let Some(codec) = self.kind.codec() else {
                    return Err(self.entry_error(&info.path, "input is not readable"));
                };
                let (pos, mut gz) = cached.unwrap_or_else(|| (0, codec.decoder(backing.cursor())));
                let skip = offset - pos;
                let skipped = io::copy(&mut (&mut gz).take(skip), &mut io::sink()).map_err(wrap)?;
                if skipped != skip {
                    return Err(self.entry_error(&info.path, "entry vanished"));
                }
                let mut reader = Tracked {
                    inner: (&mut gz).take(bound),
                    read: 0,
                };
                let out = f(&mut reader).map_err(wrap)?;
                let at = offset + reader.read;
                if let Ok(mut r) = self.resume.lock() {
                    *r = Some((at, gz));
                }
                Ok(out)
            }
            (Locator::Whole, Some(backing)) => {
                if let Some(codec) = self.kind.codec() {
                    let decoder = codec.decoder(backing.cursor());
                    f(&mut Bounded::new(decoder, bound, TOO_BIG)).map_err(wrap)
                } else {
                    f(&mut backing.cursor().take(bound)).map_err(wrap)
                }
            }
            _ => Err(self.entry_error(&info.path, "input is not readable")),
        }
    }

    /// [`Archive::read_index`], but a zip entry whose own data is bad is `Ok(Err(reason))`.
    fn read_index_or_bad<T>(
        &self,
        index: usize,
        f: impl FnOnce(&mut dyn Read) -> io::Result<T>,
    ) -> Result<EntryOutcome<T>> {
        if let (Some(info), Some(Locator::Zip(i))) =
            (self.entries.get(index), self.locators.get(index))
        {
            return self.read_zip(info, *i, f);
        }
        self.read_index(index, f).map(Ok)
    }

    /// Reads a whole entry into memory, refusing entries larger than `max` bytes.
    pub fn read_bytes(&self, path: &str, max: u64) -> Result<Vec<u8>> {
        self.read_bytes_or_bad(path, max)?
            .map_err(|reason| self.entry_error(path, reason))
    }

    /// [`Archive::read_bytes`], but a zip entry whose own data is bad (CRC mismatch, say) is
    /// `Ok(Err(reason))`.
    pub(crate) fn read_bytes_or_bad(&self, path: &str, max: u64) -> Result<EntryOutcome<Vec<u8>>> {
        let (index, size) = self
            .by_path
            .get(path)
            .and_then(|&i| self.entries.get(i).map(|e| (i, e.size)))
            .ok_or_else(|| self.entry_error(path, "no such entry"))?;
        if size > max {
            return Err(self.entry_error(
                path,
                format!("{size} bytes is more than the {max}-byte limit for reading in memory"),
            ));
        }
        self.read_index_or_bad(index, |r| {
            let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            r.read_to_end(&mut buf)?;
            Ok(buf)
        })
    }

    /// Visits the entries `wanted` selects, in the container's order, in one pass over a tar.gz
    /// stream (random access everywhere else). `f` gets each entry's bounded reader.
    pub fn visit(
        &self,
        wanted: impl Fn(&EntryInfo) -> bool,
        f: impl FnMut(&EntryInfo, &mut dyn Read) -> io::Result<()>,
    ) -> Result<()> {
        self.visit_inner(wanted, f, &mut |info, reason| {
            Err(self.entry_error(&info.path, reason))
        })
    }

    /// [`Archive::visit`], except that a zip entry whose own data is bad (CRC mismatch, broken
    /// compressed stream, unsupported compression method) is no error: the visit goes on, and
    /// the entry is returned with the reason (`(path, reason)`, for [`Archive::refuse`]).
    pub(crate) fn visit_skipping_bad(
        &self,
        wanted: impl Fn(&EntryInfo) -> bool,
        f: impl FnMut(&EntryInfo, &mut dyn Read) -> io::Result<()>,
    ) -> Result<Vec<(String, String)>> {
        let mut bad = Vec::new();
        self.visit_inner(wanted, f, &mut |info, reason| {
            bad.push((info.path.clone(), reason));
            Ok(())
        })?;
        Ok(bad)
    }

    fn visit_inner(
        &self,
        wanted: impl Fn(&EntryInfo) -> bool,
        mut f: impl FnMut(&EntryInfo, &mut dyn Read) -> io::Result<()>,
        bad: &mut dyn FnMut(&EntryInfo, String) -> Result<()>,
    ) -> Result<()> {
        let all_small = || {
            self.entries
                .iter()
                .enumerate()
                .all(|(i, info)| !wanted(info) || self.small.contains_key(&i))
        };
        if !self.kind.is_compressed_tar() || all_small() {
            for (i, info) in self.entries.iter().enumerate() {
                if wanted(info)
                    && let Err(reason) = self.read_index_or_bad(i, |r| f(info, r))?
                {
                    bad(info, reason)?;
                }
            }
            return Ok(());
        }
        let Some(backing) = &self.backing else {
            return Ok(());
        };
        let mut by_ordinal: HashMap<usize, usize> = HashMap::new();
        for (i, (info, loc)) in self.entries.iter().zip(&self.locators).enumerate() {
            if let Locator::TarOrdinal(o, _) = loc
                && wanted(info)
            {
                by_ordinal.insert(*o, i);
            }
        }
        if by_ordinal.is_empty() {
            return Ok(());
        }
        let wrap = |e: io::Error| Error::Corrupt {
            path: self.path.clone(),
            format: self.kind.name(),
            message: one_line(&e),
        };
        let Some(codec) = self.kind.codec() else {
            return Ok(());
        };
        let mut tar = tar::Archive::new(codec.decoder(backing.cursor()));
        for (ordinal, entry) in tar.entries().map_err(wrap)?.enumerate() {
            let entry = entry.map_err(wrap)?;
            if let Some(&i) = by_ordinal.get(&ordinal)
                && let Some(info) = self.entries.get(i)
            {
                let mut bounded =
                    Bounded::new(entry, info.size, "entry yields more bytes than it declares");
                f(info, &mut bounded).map_err(|e| self.entry_error(&info.path, e))?;
                by_ordinal.remove(&ordinal);
                if by_ordinal.is_empty() {
                    break;
                }
            }
        }
        Ok(())
    }
}

/// Which spans (start, end) share bytes with a span that starts earlier (or at the same place
/// with a lower index): those are the ones to refuse, so the first is kept.
fn overlapping_spans(spans: &[(u64, u64)]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..spans.len()).collect();
    order.sort_by_key(|&i| (spans.get(i).map(|s| s.0), i));
    let mut out = vec![false; spans.len()];
    let mut end_so_far: Option<u64> = None;
    for i in order {
        let Some(&(start, end)) = spans.get(i) else {
            continue;
        };
        if end_so_far.is_some_and(|e| start < e)
            && let Some(o) = out.get_mut(i)
        {
            *o = true;
        }
        end_so_far = Some(end_so_far.map_or(end, |e| e.max(end)));
    }
    out
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let Some(rest) = buf.get_mut(n..) else {
            break;
        };
        match r.read(rest) {
            Ok(0) => break,
            Ok(m) => n += m,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn is_tar_header(head: &[u8]) -> bool {
    head.get(257..262) == Some(b"ustar")
}

/// Text, for detection: no NUL byte and valid UTF-8 (a multi-byte character cut at the end of
/// the sample is allowed).
fn looks_like_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && e.valid_up_to() + 4 > head.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_fails_on_excess() {
        let mut r = Bounded::new(&b"abcdef"[..], 3, "too big");
        let mut out = Vec::new();
        let err = r.read_to_end(&mut out).err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("too big"));
        let mut r = Bounded::new(&b"abc"[..], 3, "too big");
        let mut out = Vec::new();
        assert_eq!(r.read_to_end(&mut out).ok(), Some(3));
    }

    #[test]
    fn text_detection() {
        assert!(looks_like_text(b"Name: x\n"));
        assert!(!looks_like_text(b"\x00\x01\x02"));
        assert!(!looks_like_text(&[
            0xff, 0xfe, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46
        ]));
        // a multi-byte character cut by the sample's end
        assert!(looks_like_text(
            "aaaa\u{e9}"
                .as_bytes()
                .split_last()
                .map(|x| x.1)
                .unwrap_or_default()
        ));
    }
}
