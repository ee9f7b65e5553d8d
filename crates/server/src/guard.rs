//! What a connection must show before it is served: a `Host` naming the server itself.
//!
//! DNS rebinding: a web page from `evil.example` whose name then resolves to 127.0.0.1 makes
//! the browser send requests to the local server, with `Host: evil.example:PORT`. A request is
//! served only when its `Host` (or HTTP/2 `:authority`) is an IP literal the server answers on,
//! `localhost` (when it listens on loopback or on every address), or a name given in
//! [`crate::ServeOptions::allowed_hosts`]. A browser always sends the name it resolved, so
//! a rebound name never passes.

use std::net::IpAddr;

use hyper::Request;
use hyper::header;

/// The host name a request addresses (no port, no brackets, no trailing dot, lower case), or
/// `None` when it names none.
pub(crate) fn requested_host<B>(req: &Request<B>) -> Option<String> {
    let raw = match req.uri().authority() {
        Some(a) => a.host().to_string(),
        None => {
            let v = req.headers().get(header::HOST)?.to_str().ok()?;
            let authority: hyper::http::uri::Authority = v.parse().ok()?;
            authority.host().to_string()
        }
    };
    let host = raw
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// Whether `host` (from [`requested_host`]) names a server listening on `listen`.
pub(crate) fn host_allowed(host: Option<&str>, listen: IpAddr, allowed: &[String]) -> bool {
    let Some(host) = host else {
        return false;
    };
    if allowed
        .iter()
        .any(|a| a.trim_end_matches('.').eq_ignore_ascii_case(host))
    {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(ip) => {
            ip == listen || listen.is_unspecified() || (listen.is_loopback() && ip.is_loopback())
        }
        Err(_) => host == "localhost" && (listen.is_loopback() || listen.is_unspecified()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(host: Option<&str>, uri: &str) -> Request<()> {
        let mut b = Request::builder().uri(uri);
        if let Some(h) = host {
            b = b.header(header::HOST, h);
        }
        b.body(()).unwrap()
    }

    fn allowed(host: Option<&str>, listen: &str, extra: &[&str]) -> bool {
        let r = req(host, "/api/v1/pods");
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        host_allowed(
            requested_host(&r).as_deref(),
            listen.parse().unwrap(),
            &extra,
        )
    }

    #[test]
    fn the_listen_address_and_localhost_pass() {
        assert!(allowed(Some("127.0.0.1:8080"), "127.0.0.1", &[]));
        assert!(allowed(Some("127.0.0.1"), "127.0.0.1", &[]));
        assert!(allowed(Some("localhost:8080"), "127.0.0.1", &[]));
        assert!(allowed(Some("LOCALHOST.:8080"), "127.0.0.1", &[]));
        assert!(allowed(Some("[::1]:8080"), "127.0.0.1", &[]));
        assert!(allowed(Some("[::1]:8080"), "::1", &[]));
        assert!(allowed(Some("10.0.0.5:8080"), "10.0.0.5", &[]));
        assert!(allowed(Some("10.0.0.5:8080"), "0.0.0.0", &[]));
        assert!(allowed(
            Some("bundle.internal:8080"),
            "0.0.0.0",
            &["bundle.internal"]
        ));
        // HTTP/2 and absolute-form requests name the host in the URI.
        let r = req(None, "http://127.0.0.1:8080/version");
        assert_eq!(requested_host(&r).as_deref(), Some("127.0.0.1"));
    }

    #[test]
    fn other_names_are_refused() {
        assert!(!allowed(Some("evil.example:8080"), "127.0.0.1", &[]));
        assert!(!allowed(Some("evil.example"), "0.0.0.0", &[]));
        assert!(!allowed(Some("localhost.evil.example"), "127.0.0.1", &[]));
        assert!(!allowed(Some("10.0.0.6:8080"), "10.0.0.5", &[]));
        assert!(!allowed(Some("localhost"), "10.0.0.5", &[]));
        assert!(!allowed(Some("127.0.0.1"), "10.0.0.5", &[]));
        assert!(!allowed(None, "127.0.0.1", &[]));
        assert!(!allowed(Some(""), "127.0.0.1", &[]));
        assert!(!allowed(Some("a b"), "127.0.0.1", &[]));
    }
}
