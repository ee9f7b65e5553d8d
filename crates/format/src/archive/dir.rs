//! A folder: its files, walked at open, read in place.

use super::*;

impl Archive {
    pub(super) fn open_dir(root: &Path, limits: Limits) -> Result<Archive> {
        let mut archive = Archive::empty(root.to_path_buf(), ArchiveKind::Directory, limits);
        let mut total: u64 = 0;
        let mut stack: Vec<(PathBuf, String, usize)> = vec![(root.to_path_buf(), String::new(), 0)];
        let mut files: Vec<(String, u64)> = Vec::new();
        while let Some((dir, rel, depth)) = stack.pop() {
            let mut children: Vec<_> = std::fs::read_dir(&dir)
                .map_err(|e| Error::io(&dir, e))?
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| Error::io(&dir, e))?;
            children.sort_by_key(|c| c.file_name());
            for child in children {
                let name = child.file_name();
                let rel_child = match name.to_str() {
                    Some(n) if rel.is_empty() => n.to_string(),
                    Some(n) => format!("{rel}/{n}"),
                    None => {
                        let shown = format!("{rel}/{}", name.to_string_lossy());
                        archive.skip(shown.as_bytes(), "name is not valid UTF-8");
                        continue;
                    }
                };
                let meta = std::fs::symlink_metadata(child.path())
                    .map_err(|e| Error::io(child.path(), e))?;
                if meta.file_type().is_symlink() {
                    archive.skip(rel_child.as_bytes(), "symbolic link");
                } else if meta.is_dir() {
                    if depth + 1 >= limits.max_depth {
                        archive.skip(rel_child.as_bytes(), "nested too deeply");
                    } else {
                        stack.push((child.path(), rel_child, depth + 1));
                    }
                } else if meta.is_file() {
                    files.push((rel_child, meta.len()));
                    if files.len() > limits.max_entries {
                        return Err(Error::Limit {
                            path: root.to_path_buf(),
                            what: "number of entries".into(),
                            limit: limits.max_entries.to_string(),
                        });
                    }
                } else {
                    archive.skip(rel_child.as_bytes(), "not a regular file");
                }
            }
        }
        files.sort();
        for (rel, size) in files {
            if archive.push(rel.as_bytes(), size, Locator::DirFile)? {
                total = total.saturating_add(size);
                archive.check_total(total)?;
            }
        }
        Ok(archive)
    }
}
