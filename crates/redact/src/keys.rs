//! Which key, variable, flag, annotation or header names say that their value is a credential.

/// Name segments that mark a credential (`DB_PASS`, `api-token`, `example.com/basic-auth`).
const WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "pass",
    "passphrase",
    "secret",
    "secrets",
    "token",
    "tokens",
    "apikey",
    "credential",
    "credentials",
    "creds",
    "private",
    "auth",
    "htpasswd",
];

/// Substrings that mark a credential wherever they are (`PGPASSWORD`, `keyStorePassword`).
const INSIDE: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "credential",
];

/// `<qualifier>` followed by a `key` segment: `client-key`, `secretKey`, `ssh_key`.
const KEY_QUALIFIERS: &[&str] = &[
    "client",
    "private",
    "secret",
    "access",
    "signing",
    "encryption",
    "master",
    "ssh",
    "tls",
    "api",
    "account",
];

/// Whole names that hold a credential (HTTP headers).
const EXACT: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "x-auth-token",
];

/// A last segment that makes the name describe the credential rather than hold it
/// (`secretName`, `tokenExpirationSeconds`, `--token-auth-file`, `authorization-mode`).
const DESCRIBES: &[&str] = &[
    "name",
    "names",
    "ref",
    "refs",
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "id",
    "ids",
    "type",
    "types",
    "mode",
    "kind",
    "length",
    "len",
    "size",
    "count",
    "seconds",
    "ttl",
    "enabled",
    "disabled",
    "expiration",
    "expiry",
    "namespace",
    "url",
    "uri",
    "endpoint",
    "endpoints",
    "policy",
    "method",
    "methods",
    "provider",
    "version",
    "format",
    "audience",
    "audiences",
    "issuer",
    "header",
    "source",
    "selector",
    "required",
    "mount",
    "volume",
    "template",
    "webhook",
    "ca",
    "cache",
];

/// A segment anywhere that makes the value a digest of something, not a credential
/// (`hash.operator.tigera.io/tigera-ca-private`, `checksum/secret`).
const DIGESTS: &[&str] = &[
    "hash",
    "checksum",
    "digest",
    "sha",
    "sha1",
    "sha256",
    "fingerprint",
];

/// Names that contain a word above but are never credentials.
const NEVER: &[&str] = &[
    "pwd",
    "oldpwd",
    "kubectl.kubernetes.io/last-applied-configuration",
];

/// The name's segments, lowercase: split at every non-alphanumeric character and at camelCase
/// boundaries (`keyStorePassword` → key, store, password; `APIKey` → api, key).
pub fn segments(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether `name` holds, in any case, `auth`, `cookie`, `cred`, `key`, `pass`, `private`,
/// `pwd`, `secret` or `token`: one of them is a piece of every entry of [`EXACT`], [`WORDS`]
/// and [`INSIDE`] and of `key`, so a name holds one wherever [`sensitive`] can say yes (each
/// segment is a piece of the name). Most names (`image`, `restartCount`) hold none and are
/// answered without more work.
fn has_part(name: &str) -> bool {
    let b = name.as_bytes();
    (0..b.len()).any(|i| {
        let parts: &[&[u8]] = match b.get(i).map(|c| c | 0x20) {
            Some(b'a') => &[b"auth"],
            Some(b'c') => &[b"cookie", b"cred"],
            Some(b'k') => &[b"key"],
            Some(b'p') => &[b"pass", b"private", b"pwd"],
            Some(b's') => &[b"secret"],
            Some(b't') => &[b"token"],
            _ => return false,
        };
        parts.iter().any(|p| {
            b.get(i..i + p.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(p))
        })
    })
}

/// Whether a value under this name is a credential.
pub fn sensitive(name: &str) -> bool {
    has_part(name) && by_segments(name)
}

/// [`sensitive`] without the [`has_part`] shortcut.
fn by_segments(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if EXACT.contains(&lower.as_str()) {
        return true;
    }
    if NEVER.contains(&lower.as_str()) {
        return false;
    }
    let segs = segments(name);
    let Some(last) = segs.last() else {
        return false;
    };
    if DESCRIBES.contains(&last.as_str()) || segs.iter().any(|s| DIGESTS.contains(&s.as_str())) {
        return false;
    }
    segs.iter().any(|s| WORDS.contains(&s.as_str()))
        || INSIDE.iter().any(|w| lower.contains(w))
        || segs
            .windows(2)
            .any(|w| w[1] == "key" && KEY_QUALIFIERS.contains(&w[0].as_str()))
        || segs.iter().any(|s| {
            s.strip_suffix("key")
                .is_some_and(|q| KEY_QUALIFIERS.contains(&q))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_names() {
        for n in [
            "DB_PASS",
            "PGPASSWORD",
            "password",
            "-Djavax.net.ssl.keyStorePassword",
            "example.com/basic-auth",
            "example.com/client-key",
            "clientSecret",
            "api_key",
            "APIKey",
            "x-api-key",
            "Authorization",
            "--db-password",
            "--token",
            "GITHUB_TOKEN",
            "aws_secret_access_key",
            "secretKey",
            "privateKey",
            "client-key-data",
            "REDIS_AUTH",
            "oauth-token",
            "credentials",
        ] {
            assert!(sensitive(n), "{n}");
        }
    }

    #[test]
    fn names_that_only_talk_about_credentials() {
        for n in [
            "secretName",
            "secretKeyRef",
            "tokenExpirationSeconds",
            "--token-auth-file",
            "authorization-mode",
            "--authorization-mode",
            "serviceAccountName",
            "author",
            "authority",
            "passthrough",
            "bypass",
            "compass",
            "PWD",
            "key",
            "name",
            "reason",
            "kubectl.kubernetes.io/last-applied-configuration",
            "--service-account-private-key-file",
            "monkey",
            "ControllerType",
            "tigera-operator.hash.operator.tigera.io/tigera-ca-private",
            "checksum/secret",
        ] {
            assert!(!sensitive(n), "{n}");
        }
    }

    #[test]
    fn every_credential_word_holds_a_part() {
        for w in EXACT.iter().chain(WORDS).chain(INSIDE).chain(&["key"]) {
            assert!(has_part(w), "{w}");
            assert!(has_part(&w.to_ascii_uppercase()), "{w}");
        }
        for q in KEY_QUALIFIERS {
            assert!(has_part(&format!("{q}Key")), "{q}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The shortcut never says no where the segments say yes.
        #[test]
        fn the_shortcut_agrees_with_the_segments(
            parts in proptest::collection::vec(proptest::sample::select(&[
                "pass", "Word", "PWD", "secret", "S", "token", "KEY", "api", "_", "-", ".", "/",
                "client", "cred", "entials", "private", "auth", "Cookie", "set", "x", "name",
                "ref", "hash", "ssh", "é", "K", "ey", "Au", "th", "to", "ken", "A", "ö",
            ][..]), 0..8),
        ) {
            let name = parts.concat();
            proptest::prop_assert_eq!(sensitive(&name), by_segments(&name), "{}", name);
        }
    }

    #[test]
    fn segments_split_camel_case_and_separators() {
        assert_eq!(segments("keyStorePassword"), ["key", "store", "password"]);
        assert_eq!(segments("APIKey"), ["api", "key"]);
        assert_eq!(
            segments("example.com/basic-auth"),
            ["example", "com", "basic", "auth"]
        );
        assert_eq!(segments("DB_PASS"), ["db", "pass"]);
    }
}
