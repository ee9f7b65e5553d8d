//! Parsing of request pieces: percent-decoding (the `percent-encoding` crate), the query string, the `Accept` header.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// Decodes `%XX` escapes (and `+` as a space when `plus` is set, as in a query string).
/// Invalid escapes are kept as they are; invalid UTF-8 is replaced.
pub(crate) fn percent_decode(s: &str, plus: bool) -> String {
    let s = if plus {
        Cow::Owned(s.replace('+', " "))
    } else {
        Cow::Borrowed(s)
    };
    percent_encoding::percent_decode_str(&s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The query parameters; a parameter given twice keeps its last value.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query(BTreeMap<String, String>);

impl Query {
    pub(crate) fn parse(q: Option<&str>) -> Query {
        let mut map = BTreeMap::new();
        for pair in q.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            map.insert(percent_decode(k, true), percent_decode(v, true));
        }
        Query(map)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// A boolean parameter: `true`/`1` are true.
    pub(crate) fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true" | "1" | "True" | "TRUE"))
    }
}

/// One media type of an `Accept` header, with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MediaType {
    pub(crate) essence: String,
    pub(crate) params: BTreeMap<String, String>,
}

impl MediaType {
    pub(crate) fn param(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }
}

/// Parses an `Accept` header into its media types, in order.
pub(crate) fn parse_accept(accept: &str) -> Vec<MediaType> {
    accept
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let essence = pieces.next()?.trim().to_ascii_lowercase();
            if essence.is_empty() {
                return None;
            }
            let params = pieces
                .filter_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    Some((
                        k.trim().to_ascii_lowercase(),
                        v.trim().trim_matches('"').to_string(),
                    ))
                })
                .collect();
            Some(MediaType { essence, params })
        })
        .collect()
}

/// What representation the client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// The plain object or list.
    Plain,
    /// A `meta.k8s.io` Table, of this version (`v1` or `v1beta1`).
    Table(&'static str),
    /// `PartialObjectMetadata` / `PartialObjectMetadataList`, of this version.
    Metadata(&'static str),
    /// Aggregated discovery (`apidiscovery.k8s.io`), of this version (`v2` or `v2beta1`).
    Discovery(&'static str),
}

/// The first representation of the `Accept` header this server can give.
pub(crate) fn want(accept: &str) -> Want {
    for m in parse_accept(accept) {
        if !(m.essence == "application/json" || m.essence == "*/*" || m.essence == "application/*")
        {
            continue;
        }
        let g = m.param("g").unwrap_or_default();
        let v = m.param("v").unwrap_or_default();
        let as_ = m.param("as").unwrap_or_default();
        match (g, v, as_) {
            ("", _, "") => return Want::Plain,
            ("meta.k8s.io", "v1", "Table") => return Want::Table("v1"),
            ("meta.k8s.io", "v1beta1", "Table") => return Want::Table("v1beta1"),
            ("meta.k8s.io", "v1", "PartialObjectMetadata" | "PartialObjectMetadataList") => {
                return Want::Metadata("v1");
            }
            ("meta.k8s.io", "v1beta1", "PartialObjectMetadata" | "PartialObjectMetadataList") => {
                return Want::Metadata("v1beta1");
            }
            ("apidiscovery.k8s.io", "v2", _) => return Want::Discovery("v2"),
            ("apidiscovery.k8s.io", "v2beta1", _) => return Want::Discovery("v2beta1"),
            _ => continue,
        }
    }
    Want::Plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        assert_eq!(percent_decode("a%3Db%2Cc", false), "a=b,c");
        assert_eq!(percent_decode("a+b", true), "a b");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(percent_decode("a%2Bb+c", true), "a+b c");
        assert_eq!(percent_decode("%", false), "%");
        assert_eq!(percent_decode("%4", false), "%4");
        assert_eq!(percent_decode("%zz%41", false), "%zzA");
        assert_eq!(percent_decode("%ff", false), "\u{fffd}");
    }

    #[test]
    fn query() {
        let q = Query::parse(Some(
            "fieldSelector=involvedObject.name%3Dp%2CinvolvedObject.namespace%3Dns&limit=500&watch=true&x",
        ));
        assert_eq!(
            q.get("fieldSelector"),
            Some("involvedObject.name=p,involvedObject.namespace=ns")
        );
        assert_eq!(q.get("limit"), Some("500"));
        assert!(q.flag("watch"));
        assert_eq!(q.get("x"), Some(""));
    }

    #[test]
    fn accept() {
        let kubectl = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(want(kubectl), Want::Table("v1"));
        assert_eq!(want("application/json"), Want::Plain);
        assert_eq!(want(""), Want::Plain);
        assert_eq!(
            want(
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
            ),
            Want::Discovery("v2")
        );
        assert_eq!(
            want("application/vnd.kubernetes.protobuf, */*"),
            Want::Plain
        );
        assert_eq!(
            want("application/json;as=Table;v=v9;g=meta.k8s.io"),
            Want::Plain
        );
    }
}
