//! Just enough protobuf to read the access reviews kubectl sends as
//! `application/vnd.kubernetes.protobuf` (`kubectl auth can-i`). Answers are always JSON.

use serde_json::{Value, json};

/// The length-delimited fields (number, bytes) of a protobuf message, in order; `None` when
/// the bytes are not a well-formed message.
fn fields(mut b: &[u8]) -> Option<Vec<(u64, &[u8])>> {
    fn varint(b: &mut &[u8]) -> Option<u64> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = b.split_first()?;
            *b = rest;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    let mut out = Vec::new();
    while !b.is_empty() {
        let key = varint(&mut b)?;
        match key & 7 {
            0 => {
                varint(&mut b)?;
            }
            1 => b = b.get(8..)?,
            5 => b = b.get(4..)?,
            2 => {
                let len = usize::try_from(varint(&mut b)?).ok()?;
                let (field, rest) = (b.get(..len)?, b.get(len..)?);
                out.push((key >> 3, field));
                b = rest;
            }
            _ => return None,
        }
    }
    Some(out)
}

fn field(b: &[u8], number: u64) -> Option<&[u8]> {
    fields(b)?
        .into_iter()
        .find(|(n, _)| *n == number)
        .map(|(_, v)| v)
}

fn string(b: &[u8], number: u64) -> String {
    field(b, number)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .unwrap_or_default()
}

/// Decodes a `k8s\0`-enveloped `SelfSubjectAccessReview` or `SelfSubjectRulesReview` into
/// the JSON form (spec only).
pub(crate) fn decode_review(body: &[u8]) -> Option<Value> {
    let unknown = body.strip_prefix(b"k8s\0")?;
    let type_meta = field(unknown, 1)?;
    let (api_version, kind) = (string(type_meta, 1), string(type_meta, 2));
    let raw = field(unknown, 2)?;
    let spec = field(raw, 2).unwrap_or_default();
    let spec_json = match kind.as_str() {
        "SelfSubjectAccessReview" => {
            if let Some(ra) = field(spec, 1) {
                json!({"resourceAttributes": {
                    "namespace": string(ra, 1), "verb": string(ra, 2), "group": string(ra, 3),
                    "version": string(ra, 4), "resource": string(ra, 5), "subresource": string(ra, 6),
                    "name": string(ra, 7),
                }})
            } else if let Some(nra) = field(spec, 2) {
                json!({"nonResourceAttributes": {"path": string(nra, 1), "verb": string(nra, 2)}})
            } else {
                json!({})
            }
        }
        "SelfSubjectRulesReview" => json!({"namespace": string(spec, 1)}),
        _ => return None,
    };
    Some(json!({"kind": kind, "apiVersion": api_version, "metadata": {}, "spec": spec_json}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_auth_can_i() {
        // What kubectl 1.32 sends for `auth can-i list pods -n foo`.
        let body = b"k8s\x00\n2\n\x17authorization.k8s.io/v1\x12\x17SelfSubjectAccessReview\x129\n\x10\n\x00\x12\x00\x1a\x00\"\x00*\x002\x008\x00B\x00\x12\x1b\n\x19\n\x03foo\x12\x04list\x1a\x00\"\x00*\x04pods2\x00:\x00\x1a\x08\x08\x00\x12\x00\x1a\x00 \x00\x1a\x00\"\x00";
        let v = decode_review(body).unwrap();
        assert_eq!(v["kind"], "SelfSubjectAccessReview");
        assert_eq!(v["spec"]["resourceAttributes"]["verb"], "list");
        assert_eq!(v["spec"]["resourceAttributes"]["resource"], "pods");
        assert_eq!(v["spec"]["resourceAttributes"]["namespace"], "foo");
        assert!(decode_review(b"k8s\x00\xff\xff").is_none());
        assert!(decode_review(b"{}").is_none());
        assert!(decode_review(b"k8s\x00\n\x80").is_none());
    }
}
