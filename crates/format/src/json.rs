//! The JSON accessors of the workspace: one field of a Kubernetes object (a `serde_json`
//! value) by JSON pointer (`/metadata/name`, `/spec/containers/0/image`), typed. A field that
//! is absent and a field of another type read the same: the object is untrusted input, and
//! what it does not show as the expected type is not shown.
//!
//! ```
//! use kbundle_format::json;
//! let pod = serde_json::json!({"metadata": {"name": "p", "labels": {"app": "web"}},
//!     "status": {"containerStatuses": [{"restartCount": 3}], "startTime": "2025-03-14T09:00:00Z"}});
//! assert_eq!(json::str_at(&pod, "/metadata/name"), "p");
//! assert_eq!(json::str_at(&pod, "/metadata/namespace"), "");
//! assert_eq!(json::opt_str_at(&pod, "/metadata/namespace"), None);
//! assert_eq!(json::i64_at(&pod, "/status/containerStatuses/0/restartCount"), Some(3));
//! assert_eq!(json::array_at(&pod, "/status/containerStatuses").len(), 1);
//! assert!(json::timestamp_at(&pod, "/status/startTime").is_some());
//! ```

use jiff::Timestamp;
use serde_json::{Map, Value};

/// The string at `pointer`; `""` when absent or not a string (Go's zero value, what
/// kubectl prints for an unset string).
pub fn str_at<'v>(v: &'v Value, pointer: &str) -> &'v str {
    opt_str_at(v, pointer).unwrap_or_default()
}

/// The string at `pointer`, `None` when absent or not a string.
pub fn opt_str_at<'v>(v: &'v Value, pointer: &str) -> Option<&'v str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// The string at `pointer` when it is a string and not empty.
pub fn nonempty_str_at<'v>(v: &'v Value, pointer: &str) -> Option<&'v str> {
    opt_str_at(v, pointer).filter(|s| !s.is_empty())
}

/// The integer at `pointer`, `None` when absent or not an integer that fits `i64`.
pub fn i64_at(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

/// The integer at `pointer`, `None` when absent or not an integer that fits `u64`.
pub fn u64_at(v: &Value, pointer: &str) -> Option<u64> {
    v.pointer(pointer).and_then(Value::as_u64)
}

/// The boolean at `pointer`, `None` when absent or not a boolean.
pub fn bool_at(v: &Value, pointer: &str) -> Option<bool> {
    v.pointer(pointer).and_then(Value::as_bool)
}

/// The array at `pointer`; empty when absent or not an array.
pub fn array_at<'v>(v: &'v Value, pointer: &str) -> &'v [Value] {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The object at `pointer`, `None` when absent or not an object.
pub fn object_at<'v>(v: &'v Value, pointer: &str) -> Option<&'v Map<String, Value>> {
    v.pointer(pointer).and_then(Value::as_object)
}

/// The RFC 3339 time at `pointer`, `None` when absent, not a string or not a time.
pub fn timestamp_at(v: &Value, pointer: &str) -> Option<Timestamp> {
    opt_str_at(v, pointer).and_then(|s| s.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn absent_and_mistyped_read_alike() {
        let v = json!({"a": {"s": "x", "e": "", "n": -3, "u": 7, "b": true, "l": [1, 2], "o": {"k": 1},
            "t": "2025-03-14T09:00:00Z", "bad_t": "yesterday", "big": 1e300}});
        assert_eq!(str_at(&v, "/a/s"), "x");
        assert_eq!(opt_str_at(&v, "/a/s"), Some("x"));
        assert_eq!(nonempty_str_at(&v, "/a/e"), None);
        assert_eq!(opt_str_at(&v, "/a/e"), Some(""));
        assert_eq!(i64_at(&v, "/a/n"), Some(-3));
        assert_eq!(u64_at(&v, "/a/n"), None);
        assert_eq!(u64_at(&v, "/a/u"), Some(7));
        assert_eq!(i64_at(&v, "/a/big"), None);
        assert_eq!(bool_at(&v, "/a/b"), Some(true));
        assert_eq!(array_at(&v, "/a/l").len(), 2);
        assert_eq!(object_at(&v, "/a/o").map(Map::len), Some(1));
        assert!(timestamp_at(&v, "/a/t").is_some());
        assert_eq!(timestamp_at(&v, "/a/bad_t"), None);
        for p in ["/a/missing", "/a/n", "", "/a/l/9", "not-a-pointer"] {
            assert_eq!(str_at(&v, p), "", "{p}");
        }
        for p in ["/a/s", "/a/missing"] {
            assert_eq!(i64_at(&v, p), None);
            assert_eq!(bool_at(&v, p), None);
            assert!(array_at(&v, p).is_empty());
            assert_eq!(object_at(&v, p), None);
        }
    }
}
