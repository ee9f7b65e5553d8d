//! A single file: a plain text (JSON, YAML, logs...) or a compressed one (gzip, xz, zstd).

use super::*;

impl Archive {
    pub(super) fn open_single(
        path: PathBuf,
        backing: Backing,
        codec: Option<Codec>,
        limits: Limits,
    ) -> Result<Archive> {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "input".into());
        let (kind, name, size) = if let Some(codec) = codec {
            let name = [".gz", ".gzip", ".xz", ".zst", ".zstd"]
                .iter()
                .find_map(|s| file_name.strip_suffix(s))
                .unwrap_or(&file_name)
                .to_string();
            // The size is only known by decompressing; bound it while counting.
            let compressed = backing.len().map_err(|e| Error::io(&path, e))?;
            let max = limits.max_entry_bytes.min(
                compressed
                    .saturating_mul(limits.max_ratio)
                    .max(RATIO_FLOOR_BYTES),
            );
            let mut reader = Bounded::new(
                codec.decoder(backing.cursor()),
                max,
                "compressed stream exceeds the size or compression-ratio limit",
            );
            let size = io::copy(&mut reader, &mut io::sink()).map_err(|e| Error::Corrupt {
                path: path.clone(),
                format: codec.name(),
                message: one_line(&e),
            })?;
            (codec.kinds().1, name, size)
        } else {
            let size = backing.len().map_err(|e| Error::io(&path, e))?;
            (ArchiveKind::File, file_name, size)
        };
        let mut archive = Archive::empty(path, kind, limits);
        archive.backing = Some(backing);
        archive.push(name.as_bytes(), size, Locator::Whole)?;
        Ok(archive)
    }
}
