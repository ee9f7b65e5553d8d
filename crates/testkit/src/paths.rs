//! Paths to the repository's test material, independent of the crate a test belongs to.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A path below the repository root, e.g. `repo("crates/analyzer/tests/fixtures")`.
pub fn repo(relative: impl AsRef<Path>) -> PathBuf {
    root().join(relative)
}

/// A fixture cluster folder: `fixtures/clusters/<name>`.
pub fn cluster(name: &str) -> PathBuf {
    repo("fixtures/clusters").join(name)
}

/// The fixture clusters.
pub const CLUSTERS: &[&str] = &["healthy", "crashloop-oom", "webhook-denied"];

/// The corpus of real material: `fixtures/real`.
pub fn real() -> PathBuf {
    repo("fixtures/real")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_are_found() {
        for name in CLUSTERS {
            assert!(cluster(name).is_dir(), "{}", cluster(name).display());
        }
        assert!(real().is_dir());
        assert!(repo("Cargo.toml").is_file());
    }
}
