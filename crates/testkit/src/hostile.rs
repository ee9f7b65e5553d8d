//! Builders for the hostile-input corpus, without dependencies: raw zip (with zip64, aliases
//! and any name bytes), raw tar (any name, any entry type), gzip around a deflate stream, and a
//! fixed-Huffman deflate encoder for long runs of one byte.
//!
//! Used by format's `hostile_corpus.rs` and `hostile_proptest.rs` (library level) and by
//! `tests/e2e/hostile.rs` (the real binary).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

/// CRC-32 (IEEE), table-driven; `crc32_update(0, data)` is the CRC of `data`.
pub fn crc32_update(crc: u32, data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        t
    });
    let mut c = !crc;
    for &b in data {
        c = table[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// CRC-32 of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    crc32_update(0, data)
}

/// CRC-32 of 2 GiB (2^31 bytes) of `a`, and of 2 GiB of NUL (computed once with zlib).
pub const CRC_2GIB_A: u32 = 0x971a_5a74;
pub const CRC_2GIB_NUL: u32 = 0x4dbd_f21c;

/// One zip entry: the name as raw bytes, and its (already compressed) data.
#[derive(Debug, Clone)]
pub struct ZipEntry {
    pub name: Vec<u8>,
    /// 0 stored, 8 deflated.
    pub method: u16,
    pub crc: u32,
    /// The uncompressed size the headers declare.
    pub size: u64,
    /// The bytes as stored (compressed for method 8).
    pub data: Vec<u8>,
    /// Unix mode in the external attributes (e.g. 0o120777 for a symbolic link).
    pub unix_mode: Option<u32>,
}

impl ZipEntry {
    /// A stored (uncompressed) entry.
    pub fn stored(name: impl AsRef<[u8]>, data: &[u8]) -> ZipEntry {
        ZipEntry {
            name: name.as_ref().to_vec(),
            method: 0,
            crc: crc32(data),
            size: data.len() as u64,
            data: data.to_vec(),
            unix_mode: None,
        }
    }

    /// A deflated entry from a raw deflate stream of `size` bytes with CRC `crc`.
    pub fn deflated(name: impl AsRef<[u8]>, deflate: Vec<u8>, crc: u32, size: u64) -> ZipEntry {
        ZipEntry {
            name: name.as_ref().to_vec(),
            method: 8,
            crc,
            size,
            data: deflate,
            unix_mode: None,
        }
    }
}

fn u16le(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn u32le(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn u64le(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}

const Z32: u64 = 0xFFFF_FFFF;

/// A zip of `entries`, plus `aliases`: extra central-directory records, each with its own name,
/// that point at the local header of `entries[target]` (overlapping entries).
pub fn zip(entries: &[ZipEntry], aliases: &[(Vec<u8>, usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut offsets = Vec::with_capacity(entries.len());
    for e in entries {
        let offset = out.len() as u64;
        offsets.push(offset);
        let csize = e.data.len() as u64;
        let big = e.size >= Z32 || csize >= Z32;
        u32le(&mut out, 0x0403_4b50);
        u16le(&mut out, if big { 45 } else { 20 });
        u16le(&mut out, 0x0800); // UTF-8 names
        u16le(&mut out, e.method);
        u16le(&mut out, 0);
        u16le(&mut out, 0x21); // 1980-01-01
        u32le(&mut out, e.crc);
        u32le(&mut out, if big { Z32 as u32 } else { csize as u32 });
        u32le(&mut out, if big { Z32 as u32 } else { e.size as u32 });
        u16le(&mut out, e.name.len() as u16);
        u16le(&mut out, if big { 20 } else { 0 });
        out.extend_from_slice(&e.name);
        if big {
            u16le(&mut out, 1);
            u16le(&mut out, 16);
            u64le(&mut out, e.size);
            u64le(&mut out, csize);
        }
        out.extend_from_slice(&e.data);
    }
    let cd_start = out.len() as u64;
    let records = entries
        .iter()
        .zip(&offsets)
        .map(|(e, &o)| (e.name.clone(), e, o))
        .chain(
            aliases
                .iter()
                .map(|(name, target)| (name.clone(), &entries[*target], offsets[*target])),
        )
        .collect::<Vec<_>>();
    for (name, e, offset) in &records {
        let csize = e.data.len() as u64;
        let big = e.size >= Z32 || csize >= Z32 || *offset >= Z32;
        u32le(&mut out, 0x0201_4b50);
        u16le(&mut out, 0x0300 | 45); // made by unix
        u16le(&mut out, if big { 45 } else { 20 });
        u16le(&mut out, 0x0800);
        u16le(&mut out, e.method);
        u16le(&mut out, 0);
        u16le(&mut out, 0x21);
        u32le(&mut out, e.crc);
        u32le(&mut out, if big { Z32 as u32 } else { csize as u32 });
        u32le(&mut out, if big { Z32 as u32 } else { e.size as u32 });
        u16le(&mut out, name.len() as u16);
        u16le(&mut out, if big { 28 } else { 0 });
        u16le(&mut out, 0); // comment
        u16le(&mut out, 0); // disk
        u16le(&mut out, 0); // internal attributes
        u32le(&mut out, e.unix_mode.unwrap_or(0o100644) << 16);
        u32le(&mut out, if big { Z32 as u32 } else { *offset as u32 });
        out.extend_from_slice(name);
        if big {
            u16le(&mut out, 1);
            u16le(&mut out, 24);
            u64le(&mut out, e.size);
            u64le(&mut out, csize);
            u64le(&mut out, *offset);
        }
    }
    let cd_end = out.len() as u64;
    let count = records.len() as u64;
    let zip64 = count >= 0xFFFF || cd_start >= Z32;
    if zip64 {
        let eocd64 = out.len() as u64;
        u32le(&mut out, 0x0606_4b50);
        u64le(&mut out, 44);
        u16le(&mut out, 45);
        u16le(&mut out, 45);
        u32le(&mut out, 0);
        u32le(&mut out, 0);
        u64le(&mut out, count);
        u64le(&mut out, count);
        u64le(&mut out, cd_end - cd_start);
        u64le(&mut out, cd_start);
        u32le(&mut out, 0x0706_4b50);
        u32le(&mut out, 0);
        u64le(&mut out, eocd64);
        u32le(&mut out, 1);
    }
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    let c16 = if zip64 { 0xFFFF } else { count as u16 };
    u16le(&mut out, c16);
    u16le(&mut out, c16);
    u32le(&mut out, (cd_end - cd_start).min(Z32) as u32);
    u32le(&mut out, if zip64 { Z32 as u32 } else { cd_start as u32 });
    u16le(&mut out, 0);
    out
}

/// Tar entry types.
pub const TAR_FILE: u8 = b'0';
pub const TAR_HARDLINK: u8 = b'1';
pub const TAR_SYMLINK: u8 = b'2';
pub const TAR_CHAR: u8 = b'3';
pub const TAR_DIR: u8 = b'5';
pub const TAR_FIFO: u8 = b'6';
pub const TAR_PAX: u8 = b'x';
pub const TAR_GNU_LONGNAME: u8 = b'L';

/// One raw ustar header. Names longer than 100 bytes are cut (use [`tar_entry`], which writes a
/// GNU long-name entry first).
pub fn tar_header(name: &[u8], kind: u8, size: u64, link: &[u8]) -> [u8; 512] {
    let mut h = [0u8; 512];
    let n = name.len().min(100);
    h[..n].copy_from_slice(&name[..n]);
    h[100..107].copy_from_slice(b"0000644");
    h[108..115].copy_from_slice(b"0000000");
    h[116..123].copy_from_slice(b"0000000");
    let size = format!("{size:011o}");
    h[124..135].copy_from_slice(size.as_bytes());
    h[136..147].copy_from_slice(b"00000000000");
    h[156] = kind;
    let l = link.len().min(100);
    h[157..157 + l].copy_from_slice(&link[..l]);
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    let sum = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(sum.as_bytes());
    h
}

/// Appends one entry (a GNU long-name entry first when the name is over 100 bytes), its data
/// padded to 512 bytes.
pub fn tar_entry(out: &mut Vec<u8>, name: &[u8], kind: u8, data: &[u8], link: &[u8]) {
    if name.len() > 100 {
        let mut long = name.to_vec();
        long.push(0);
        tar_entry(out, b"././@LongLink", TAR_GNU_LONGNAME, &long, b"");
    }
    out.extend_from_slice(&tar_header(name, kind, data.len() as u64, link));
    out.extend_from_slice(data);
    let pad = (512 - data.len() % 512) % 512;
    out.extend(std::iter::repeat_n(0u8, pad));
}

/// Appends a PAX extended header that sets `path` for the next entry.
pub fn tar_pax_path(out: &mut Vec<u8>, path: &[u8]) {
    let body_len = " path=\n".len() + path.len();
    let mut len = body_len + 1;
    while format!("{len}").len() + body_len != len {
        len += 1;
    }
    let mut record = format!("{len} path=").into_bytes();
    record.extend_from_slice(path);
    record.push(b'\n');
    tar_entry(out, b"PaxHeader", TAR_PAX, &record, b"");
}

/// The end of a tar: two zero blocks.
pub fn tar_end(out: &mut Vec<u8>) {
    out.extend(std::iter::repeat_n(0u8, 1024));
}

/// A deflate stream of stored blocks (no compression): lets gzip be built without a
/// compressor.
pub fn deflate_stored(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 65535 * 5 + 5);
    let mut chunks = data.chunks(65535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        u16le(&mut out, len);
        u16le(&mut out, !len);
        out.extend_from_slice(chunk);
    }
    out
}

/// A gzip member around a raw deflate stream.
pub fn gzip(deflate: &[u8], crc: u32, size: u64) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    out.extend_from_slice(deflate);
    u32le(&mut out, crc);
    u32le(&mut out, size as u32);
    out
}

/// gzip of `data`, uncompressed (stored blocks).
pub fn gzip_stored(data: &[u8]) -> Vec<u8> {
    gzip(&deflate_stored(data), crc32(data), data.len() as u64)
}

/// LSB-first bit writer for deflate.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u64, bits: u32) {
        self.acc |= value << self.n;
        self.n += bits;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }
    /// A Huffman code: written most significant bit first.
    fn code(&mut self, code: u32, bits: u32) {
        let mut rev = 0u64;
        for i in 0..bits {
            rev |= u64::from((code >> i) & 1) << (bits - 1 - i);
        }
        self.put(rev, bits);
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A deflate stream (one fixed-Huffman block) of `len` copies of `byte`: a literal, then
/// back-references of length 258 at distance 1. About 158:1, so under a 200:1 ratio limit.
pub fn deflate_run(byte: u8, len: u64) -> Vec<u8> {
    let mut w = Bits {
        out: Vec::with_capacity((len / 158 + 16) as usize),
        acc: 0,
        n: 0,
    };
    w.put(1, 1); // BFINAL
    w.put(1, 2); // fixed Huffman
    let literal = |w: &mut Bits, b: u8| {
        if b < 144 {
            w.code(0x30 + u32::from(b), 8);
        } else {
            w.code(0x190 + u32::from(b - 144), 9);
        }
    };
    let mut left = len;
    if left > 0 {
        literal(&mut w, byte);
        left -= 1;
    }
    while left >= 258 {
        w.code(0xC5, 8); // length code 285 = 258
        w.code(0, 5); // distance code 0 = 1
        left -= 258;
    }
    for _ in 0..left {
        literal(&mut w, byte);
    }
    w.code(0, 7); // end of block
    w.finish()
}

/// A small but realistic generic-layout input: a pod list, a log and a describe text.
pub fn sample_files() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        (
            "cluster/pods.json",
            br#"{"apiVersion":"v1","kind":"PodList","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"calico-kube-controllers-7d4f","namespace":"calico-system","creationTimestamp":"2025-03-14T09:00:00Z"},"status":{"phase":"Running"}}]}"#.to_vec(),
        ),
        (
            "cluster/nodes.yaml",
            b"apiVersion: v1\nkind: NodeList\nitems:\n- apiVersion: v1\n  kind: Node\n  metadata:\n    name: 10.0.0.1\n".to_vec(),
        ),
        (
            "logs/calico-system/calico-kube-controllers-7d4f/calico-kube-controllers.log",
            b"2025-03-14 09:12:01.123 [INFO][1] main.go 99: Starting\n2025-03-14 09:12:02.123 [ERROR][1] main.go 120: Failed to reach apiserver\n".to_vec(),
        ),
        (
            "describe/pod.txt",
            b"Name:         calico-kube-controllers-7d4f\nNamespace:    calico-system\nStatus:       Running\n".to_vec(),
        ),
    ]
}

/// [`sample_files`] as a stored zip.
pub fn sample_zip() -> Vec<u8> {
    let entries: Vec<ZipEntry> = sample_files()
        .iter()
        .map(|(n, d)| ZipEntry::stored(n, d))
        .collect();
    zip(&entries, &[])
}

/// [`sample_files`] as a tar.
pub fn sample_tar() -> Vec<u8> {
    let mut out = Vec::new();
    for (n, d) in sample_files() {
        tar_entry(&mut out, n.as_bytes(), TAR_FILE, &d, b"");
    }
    tar_end(&mut out);
    out
}

#[cfg(test)]
#[test]
fn generators_are_consistent() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
    // The run encoder: 158:1 or so.
    let d = deflate_run(b'a', 1 << 20);
    assert!((6_000..7_000).contains(&d.len()), "{}", d.len());
    assert_eq!(deflate_stored(b"").len(), 5);
}
