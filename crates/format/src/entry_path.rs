//! Entry names: the only place that decides whether a name from an archive can be trusted.

/// Checks an entry name from an archive and returns its normalized form (forward slashes, no
/// `.` components, no leading or trailing slash), or the reason it is refused.
///
/// Refused: empty names, absolute paths, drive letters (`C:`), `..` components, backslashes,
/// NUL and other control characters, and paths deeper than `max_depth` components.
pub fn sanitize(name: &str, max_depth: usize) -> Result<String, &'static str> {
    if name.is_empty() {
        return Err("empty name");
    }
    if name.chars().any(|c| c == '\0') {
        return Err("NUL byte in name");
    }
    if name.chars().any(char::is_control) {
        return Err("control character in name");
    }
    if name.contains('\\') {
        return Err("backslash in name");
    }
    if name.starts_with('/') {
        return Err("absolute path");
    }
    if let [letter, b':', ..] = name.as_bytes()
        && letter.is_ascii_alphabetic()
    {
        return Err("drive-letter path");
    }
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => continue,
            ".." => return Err("parent-directory (..) component"),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err("empty name");
    }
    // Again after normalizing: `./C:/x` must not become `C:/x`.
    if let Some([letter, b':', ..]) = parts.first().map(|p| p.as_bytes())
        && letter.is_ascii_alphabetic()
    {
        return Err("drive-letter path");
    }
    if parts.len() > max_depth {
        return Err("nested too deeply");
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn accepts_and_normalizes() {
        assert_eq!(sanitize("a/b/c.log", 8).as_deref(), Ok("a/b/c.log"));
        assert_eq!(sanitize("./a//b/", 8).as_deref(), Ok("a/b"));
    }

    #[test]
    fn refuses_hostile_names() {
        for (name, why) in [
            ("../etc/passwd", "parent-directory (..) component"),
            ("a/../../b", "parent-directory (..) component"),
            ("/etc/passwd", "absolute path"),
            ("C:/Windows/x", "drive-letter path"),
            ("c:x", "drive-letter path"),
            ("./C:/x", "drive-letter path"),
            (".//c:", "drive-letter path"),
            ("a\\..\\b", "backslash in name"),
            ("a\0b", "NUL byte in name"),
            ("a\nb", "control character in name"),
            ("", "empty name"),
            ("./", "empty name"),
        ] {
            assert_eq!(sanitize(name, 8), Err(why), "{name:?}");
        }
        assert_eq!(sanitize("a/b/c/d", 3), Err("nested too deeply"));
    }
}
