//! A certificate in the input has expired or expires soon (an admission webhook's `caBundle`),
//! or a TLS client reports `x509: certificate has expired or is not yet valid`.
//!
//! ## What it detects
//!
//! - Each certificate of each admission webhook's `clientConfig.caBundle` (base64 PEM, read
//!   with the `x509-parser` crate, at most 16 certificates per bundle; webhooks of one
//!   configuration that share a bundle give one finding that names them all) whose `notAfter` is
//!   before the reference time (critical), or within the horizon after it (warning; 30 days,
//!   `--cert-horizon`), or whose `notBefore` is after the reference time (critical). The
//!   horizon is counted from the input's reference time, never from the wall clock; without a
//!   reference time no expiry is judged. A `caBundle` that does not decode or holds no
//!   certificate is reported as a warning, since the API server cannot verify the webhook with
//!   it.
//! - Within the window, events and log lines (any level) with
//!   `x509: certificate has expired or is not yet valid` (critical), one finding per object.
//!
//! TLS certificates in Secrets are not read: kbundle never collects Secrets. The subject is the
//! webhook configuration, or the object the events or log lines are about.
//!
//! ### Wordings
//!
//! | Wording | Where it comes from |
//! |---|---|
//! | `x509: certificate has expired or is not yet valid: current time 2024-01-02T10:00:00Z is after 2023-12-31T23:59:59Z` | Go `crypto/x509` (`CertificateInvalidError`, `Expired`), Go 1.x; any Kubernetes or Calico component built with it |
//! | `failed calling webhook "X": failed to call webhook: Post "https://...": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: ...` | kube-apiserver 1.27+ (Go 1.20+ adds `tls: failed to verify certificate:`) |
//! | `clientConfig.caBundle` | admissionregistration.k8s.io/v1 `WebhookClientConfig`, K8s 1.16+ |
//!
//! ## Why it matters
//!
//! An expired certificate breaks TLS: the API server cannot call a webhook whose serving
//! certificate or CA has expired, and with `failurePolicy: Fail` every request the webhook
//! covers is refused (see `webhook-unreachable`). Calico components with expired client
//! certificates cannot reach their datastore or Typha. A certificate that expires inside the
//! horizon will break the same way.
//!
//! ## Runbook step
//!
//! Not a runbook step. Renew the certificate (cert-manager: `cmctl renew`; an operator usually
//! regenerates its own on restart) and update the webhook's `caBundle`; check the clocks of the
//! nodes when the certificate is "not yet valid".
//!
//! ## Example
//!
//! ```text
//! CRITICAL [certificate-expired] ValidatingWebhookConfiguration/gatekeeper-validating-webhook-configuration
//!   webhook validation.gatekeeper.sh: caBundle certificate CN=gatekeeper-ca expired 13d10h before the reference time (notAfter 2025-03-01T00:00:00Z)
//!   evidence:
//!     cluster.yaml: webhook validation.gatekeeper.sh caBundle: CN=gatekeeper-ca, notBefore 2024-03-01T00:00:00Z, notAfter 2025-03-01T00:00:00Z
//!   next steps:
//!     - Renew the webhook's serving certificate and its CA, and update the caBundle (cert-manager: cmctl renew; operators usually regenerate theirs on restart)
//! ```

use base64::Engine;
use jiff::Timestamp;
use x509_parser::pem::Pem;

use super::wordings::{Mark, api_address, counted, sightings};
use crate::Context;
use crate::report::{Finding, Severity, Subject};

/// Certificates read from one `caBundle`, at most.
const MAX_CERTS: usize = 16;

/// One certificate of a bundle.
struct Cert {
    subject: String,
    not_before: Option<Timestamp>,
    not_after: Option<Timestamp>,
}

/// The certificates of a base64 PEM bundle, or why it cannot be read.
fn certificates(ca_bundle: &str) -> Result<Vec<Cert>, String> {
    let compact: String = ca_bundle.split_whitespace().collect();
    let pem = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| format!("not base64: {e}"))?;
    let mut out = Vec::new();
    for block in Pem::iter_from_buffer(&pem).take(MAX_CERTS) {
        let block = block.map_err(|e| format!("not PEM: {e}"))?;
        if block.label != "CERTIFICATE" {
            continue;
        }
        let cert = block
            .parse_x509()
            .map_err(|e| format!("not an X.509 certificate: {e}"))?;
        let validity = cert.validity();
        out.push(Cert {
            subject: cert.subject().to_string(),
            not_before: Timestamp::from_second(validity.not_before.timestamp()).ok(),
            not_after: Timestamp::from_second(validity.not_after.timestamp()).ok(),
        });
    }
    if out.is_empty() {
        return Err("no certificate in it".to_string());
    }
    Ok(out)
}

fn time(t: Option<Timestamp>) -> String {
    t.map_or_else(|| "unknown".to_string(), |t| t.to_string())
}

pub(crate) fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for config in &cx.facts.webhook_configs {
        // Webhooks of one configuration usually share one caBundle: one finding per bundle.
        let mut bundles: Vec<(&str, Vec<&str>)> = Vec::new();
        for w in &config.webhooks {
            let Some(bundle) = w.ca_bundle.as_deref() else {
                continue;
            };
            match bundles.iter_mut().find(|(b, _)| *b == bundle) {
                Some((_, names)) => names.push(&w.name),
                None => bundles.push((bundle, vec![&w.name])),
            }
        }
        for (bundle, names) in bundles {
            let webhooks = if names.len() == 1 {
                format!("webhook {}", names.join(""))
            } else {
                format!("webhooks {}", names.join(", "))
            };
            let subject = Subject::new(&config.kind, "", &config.name);
            let certs = match certificates(bundle) {
                Ok(c) => c,
                Err(why) => {
                    out.push(Finding {
                        rule: "",
                        severity: Severity::Warning,
                        subject,
                        message: format!("{webhooks}: caBundle cannot be read: {why}"),
                        evidence: vec![
                            cx.evidence(&config.source, &format!("{webhooks} caBundle: {why}")),
                        ],
                        next_steps: vec![format!(
                            "Check the caBundle: kubectl get {} {} -o yaml",
                            config.kind.to_ascii_lowercase(),
                            config.name
                        )],
                    });
                    continue;
                }
            };
            let Some(now) = cx.now else { continue };
            for c in certs {
                let (severity, what) = match (c.not_before, c.not_after) {
                    (_, Some(after)) if after <= now => (
                        Severity::Critical,
                        format!("expired {}", cx.when(Some(after)).unwrap_or_default()),
                    ),
                    (Some(before), _) if before > now => {
                        (Severity::Critical, "is not yet valid".to_string())
                    }
                    (_, Some(after)) if now.duration_until(after) <= cx.cert_horizon => (
                        Severity::Warning,
                        format!(
                            "expires in {}",
                            crate::report_duration(now.duration_until(after))
                        ),
                    ),
                    _ => continue,
                };
                let name = if c.subject.is_empty() {
                    "(no subject)"
                } else {
                    &c.subject
                };
                out.push(Finding {
                    rule: "",
                    severity,
                    subject: subject.clone(),
                    message: format!(
                        "{webhooks}: caBundle certificate {name} {what} (notAfter {})",
                        time(c.not_after)
                    ),
                    evidence: vec![cx.evidence(
                        &config.source,
                        &format!(
                            "{webhooks} caBundle: {name}, notBefore {}, notAfter {}",
                            time(c.not_before),
                            time(c.not_after)
                        ),
                    )],
                    next_steps: vec![
                        "Renew the webhook's serving certificate and its CA, and update the caBundle (cert-manager: cmctl renew; operators usually regenerate theirs on restart)".to_string(),
                        format!(
                            "See the webhook: kubectl get {} {} -o yaml",
                            config.kind.to_ascii_lowercase(),
                            config.name
                        ),
                    ],
                });
            }
        }
    }
    for s in sightings(cx, &[Mark::CertificateExpired]) {
        out.push(Finding {
            rule: "",
            severity: Severity::Critical,
            message: format!(
                "a TLS certificate has expired or is not yet valid{}: {}",
                api_address(&s.sample)
                    .map(|a| format!(" (calling {a})"))
                    .unwrap_or_default(),
                counted(&s)
            ),
            subject: s.subject,
            evidence: s.evidence,
            next_steps: vec![
                "Find which certificate: the server the failing request went to is named before the x509 error; check its serving certificate and the CA the client trusts".to_string(),
                "Renew it; if it is \"not yet valid\", check the clocks of the nodes".to_string(),
            ],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EXPIRED: &str =
        include_str!("../../tests/fixtures/certificate-expired/certs/expired.pem");

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    #[test]
    fn reads_a_bundle() {
        let certs = certificates(&b64(format!("{EXPIRED}{EXPIRED}").as_bytes())).unwrap();
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[0].subject, "CN=gatekeeper-ca");
        assert_eq!(
            certs[0].not_after,
            Some("2025-03-01T00:00:00Z".parse().unwrap())
        );
        assert!(certificates("not base64!").is_err());
        assert!(certificates(&b64(b"no pem here")).is_err());
    }

    proptest! {
        /// Any bytes, and the real certificate cut anywhere or with a byte changed: an error
        /// or certificates, never a panic.
        #[test]
        fn any_bundle(bytes in prop::collection::vec(any::<u8>(), 0..400), cut in 0usize..700, at in 0usize..700, byte in any::<u8>()) {
            let _ = certificates(&b64(&bytes));
            let pem = EXPIRED.as_bytes();
            let _ = certificates(&b64(&pem[..cut.min(pem.len())]));
            let mut changed = pem.to_vec();
            if let Some(b) = changed.get_mut(at) {
                *b = byte;
            }
            let _ = certificates(&b64(&changed));
        }
    }
}
