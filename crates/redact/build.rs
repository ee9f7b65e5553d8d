//! Converts the gitleaks rule set (`data/gitleaks.toml`) to JSON for `catalog::GITLEAKS_JSON`:
//! the same rules, read at run time by serde_json in a tenth of the TOML parser's time.

use std::error::Error;
use std::path::Path;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed=data/gitleaks.toml");
    let text = std::fs::read_to_string("data/gitleaks.toml")?;
    let value: toml::Value = toml::from_str(&text)?;
    let out = Path::new(&std::env::var("OUT_DIR")?).join("gitleaks.json");
    std::fs::write(out, serde_json::to_string(&value)?)?;
    Ok(())
}
