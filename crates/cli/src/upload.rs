//! `kbundle collect --upload URL`: PUTs the finished bundle to a pre-signed object-storage URL
//! (S3, GCS, Azure Blob with a SAS, IBM COS...), so that an in-cluster Job needs no `kubectl
//! cp`. The URL's query string (the signature) is never printed: messages show
//! `scheme://host/path?…`.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// The URL as it may be shown: without its query (which holds the signature) or user info.
pub fn shown(url: &http::Uri) -> String {
    let scheme = url.scheme_str().unwrap_or("?");
    let host = url.host().unwrap_or("?");
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let query = if url.query().is_some() { "?…" } else { "" };
    format!("{scheme}://{host}{port}{}{query}", url.path())
}

/// Parses and checks an upload URL (http or https, with a host).
pub fn parse_url(s: &str) -> Result<http::Uri, String> {
    let url: http::Uri = s
        .parse()
        .map_err(|_| "not a URL (expected https://HOST/PATH?SIGNATURE)".to_string())?;
    match url.scheme_str() {
        Some("https" | "http") if url.host().is_some() => Ok(url),
        _ => Err("expected an https:// (or http://) URL with a host".to_string()),
    }
}

/// PUTs the file at `path` to `url`; transient failures (connection errors, timeouts, 5xx,
/// 429) are retried `retries` times with a growing pause. Returns the HTTP status.
pub async fn put(
    url: &http::Uri,
    path: &Path,
    retries: u32,
    timeout: Duration,
) -> Result<u16, String> {
    let body = Bytes::from(
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
    );
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| {
            format!(
                "no CA certificates to check {} with ({e}); set SSL_CERT_FILE",
                shown(url)
            )
        })?
        .https_or_http()
        .enable_http1()
        .build();
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(https);
    let mut attempt = 0u32;
    loop {
        tracing::info!(url = %shown(url), bytes = body.len(), attempt, "upload");
        let request = http::Request::put(url.clone())
            .header(http::header::CONTENT_TYPE, "application/zip")
            .header(http::header::CONTENT_LENGTH, body.len())
            .body(Full::new(body.clone()))
            .map_err(|e| format!("cannot build the request: {e}"))?;
        let outcome = match tokio::time::timeout(timeout, client.request(request)).await {
            Err(_) => (true, format!("no answer within {}s", timeout.as_secs())),
            Ok(Err(e)) => (true, scrub(&e.to_string(), url)),
            Ok(Ok(resp)) => {
                let status = resp.status();
                if status.is_success() {
                    return Ok(status.as_u16());
                }
                // A little of the answer says why (an expired signature, a wrong method).
                let text = match tokio::time::timeout(timeout, resp.into_body().collect()).await {
                    Ok(Ok(b)) => {
                        let b = b.to_bytes();
                        String::from_utf8_lossy(b.get(..b.len().min(300)).unwrap_or_default())
                            .into_owned()
                    }
                    _ => String::new(),
                };
                let transient = status.is_server_error() || status.as_u16() == 429;
                (
                    transient,
                    format!("HTTP {status}: {}", scrub(text.trim(), url)),
                )
            }
        };
        let (transient, message) = outcome;
        if !transient || attempt >= retries {
            return Err(format!(
                "upload to {} failed: {}",
                shown(url),
                crate::safe(&message)
            ));
        }
        attempt += 1;
        eprintln!(
            "kbundle: upload failed ({}); retry {attempt} of {retries}",
            crate::safe(&message)
        );
        tokio::time::sleep(Duration::from_millis(500 << attempt.min(5))).await;
    }
}

/// A message with the URL's query removed wherever it appears, and each of its values (an
/// object store may echo the signature it was given in its error answer).
fn scrub(message: &str, url: &http::Uri) -> String {
    let Some(query) = url.query().filter(|q| !q.is_empty()) else {
        return message.to_string();
    };
    let mut out = message.replace(query, "…");
    for value in query
        .split('&')
        .filter_map(|kv| kv.split_once('=').map(|(_, v)| v))
    {
        if value.len() >= 4 {
            out = out.replace(value, "…");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_never_shown() {
        let url =
            parse_url("https://bucket.example.com/b.zip?X-Amz-Signature=s3cr3t&X-Amz-Expires=60")
                .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(shown(&url), "https://bucket.example.com/b.zip?…");
        let m = scrub("error for X-Amz-Signature=s3cr3t&X-Amz-Expires=60", &url);
        assert!(!m.contains("s3cr3t"), "{m}");
        let m = scrub("<SignatureProvided>s3cr3t</SignatureProvided>", &url);
        assert_eq!(m, "<SignatureProvided>…</SignatureProvided>");
    }

    #[test]
    fn only_http_urls() {
        assert!(parse_url("ftp://h/x").is_err());
        assert!(parse_url("/just/a/path").is_err());
        assert!(parse_url("http://127.0.0.1:9/x").is_ok());
    }
}
