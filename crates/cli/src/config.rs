//! The optional organisation config: strings that differ between organisations (who to
//! escalate to), defaulting to the runbook's. Found at `--config FILE`, else `$KBUNDLE_CONFIG`,
//! else `$XDG_CONFIG_HOME/kbundle/config.toml` (`~/.config/kbundle/config.toml`). A file named
//! by the flag or the variable must exist; the XDG one is optional. See docs/analyze.md.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// Largest config file read.
const MAX_BYTES: u64 = 64 << 10;

/// The config file's keys.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Who to escalate to, as next steps name them (default: the runbook's).
    pub escalation: Option<String>,
}

/// The XDG path of the config file.
fn xdg_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("kbundle").join("config.toml"))
}

/// Loads the config: `flag`, else `$KBUNDLE_CONFIG`, else the XDG path if it exists.
pub fn load(flag: Option<&Path>) -> anyhow::Result<Config> {
    let named = flag.map(Path::to_path_buf).or_else(|| {
        std::env::var_os("KBUNDLE_CONFIG")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    let path = match named {
        Some(p) => p,
        None => match xdg_path().filter(|p| p.is_file()) {
            Some(p) => p,
            None => return Ok(Config::default()),
        },
    };
    let shown = crate::safe(&path.display().to_string()).into_owned();
    let file = std::fs::File::open(&path).with_context(|| format!("config {shown}"))?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_BYTES + 1), &mut text)
        .with_context(|| format!("config {shown}"))?;
    if text.len() as u64 > MAX_BYTES {
        anyhow::bail!("config {shown}: over {MAX_BYTES} bytes");
    }
    let config: Config =
        toml::from_str(&text).map_err(|e| anyhow::anyhow!("config {shown}: {}", e.message()))?;
    if let Some(e) = &config.escalation
        && (e.trim().is_empty() || e.chars().count() > 200 || e.chars().any(char::is_control))
    {
        anyhow::bail!("config {shown}: escalation must be one line of 1 to 200 characters");
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_keys_and_refuses_unknown_ones_and_bad_values() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "escalation = \"the SRE team (#sre-oncall)\"\n").unwrap_or_default();
        let c = load(Some(&p)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.escalation.as_deref(), Some("the SRE team (#sre-oncall)"));
        std::fs::write(&p, "escalaton = \"typo\"\n").unwrap_or_default();
        assert!(load(Some(&p)).is_err());
        std::fs::write(&p, "escalation = \"two\\nlines\"\n").unwrap_or_default();
        assert!(load(Some(&p)).is_err());
        assert!(load(Some(&dir.path().join("missing.toml"))).is_err());
    }
}
