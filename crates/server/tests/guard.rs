//! The server's guards, over real sockets: a request whose `Host` does not name the server is
//! refused (DNS rebinding), slow or silent connections are closed after the header timeout,
//! and connections over the cap are closed at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use kbundle_server::ServeOptions;
use kbundle_testkit::{HANG_GUARD, InProcess};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The healthy fixture served in-process; the server stops when the second value is dropped.
async fn start(options: ServeOptions) -> (SocketAddr, InProcess) {
    let server = InProcess::cluster("healthy", options).await;
    (server.addr(), server)
}

/// Sends one request with this Host header (none when `None`) and returns the status line
/// and the body.
async fn get(addr: SocketAddr, host: Option<&str>) -> (String, String) {
    try_get(addr, host)
        .await
        .unwrap_or_else(|e| panic!("GET /version: {e}"))
}

/// [`get`], or the error of a connection the server closed or reset.
async fn try_get(addr: SocketAddr, host: Option<&str>) -> std::io::Result<(String, String)> {
    let mut s = TcpStream::connect(addr).await?;
    let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
    s.write_all(format!("GET /version HTTP/1.1\r\n{host}Connection: close\r\n\r\n").as_bytes())
        .await?;
    let mut out = String::new();
    tokio::time::timeout(HANG_GUARD, s.read_to_string(&mut out))
        .await
        .expect("hung: no answer")?;
    let status = out.lines().next().unwrap_or_default().to_string();
    let body = out.split("\r\n\r\n").nth(1).unwrap_or_default().to_string();
    Ok((status, body))
}

/// Waits until the server closes the connection (EOF or a reset) and returns what it sent
/// first. Panics only after [`HANG_GUARD`]: a server that never closes it fails the test.
async fn closed(s: &mut TcpStream) -> Vec<u8> {
    let mut sent = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        match tokio::time::timeout(HANG_GUARD, s.read(&mut buf)).await {
            Err(_) => panic!("hung: the server did not close the connection"),
            Ok(Ok(0)) | Ok(Err(_)) => return sent,
            Ok(Ok(n)) => sent.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test]
async fn a_host_that_is_not_the_server_is_refused() {
    let (addr, _stop) = start(ServeOptions::default().with_allowed_hosts(["bundle.example"])).await;
    let port = addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "bundle.example".into(),
    ] {
        let (status, body) = get(addr, Some(&host)).await;
        assert!(status.contains(" 200 "), "{host}: {status}");
        assert!(body.contains("gitVersion"), "{body}");
    }
    for host in [
        Some(format!("evil.example:{port}")),
        Some("10.1.2.3".into()),
        None,
    ] {
        let (status, body) = get(addr, host.as_deref()).await;
        assert!(status.contains(" 403 "), "{host:?}: {status}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["kind"], "Status", "{body}");
        assert_eq!(v["reason"], "Forbidden", "{body}");
        assert!(!body.contains("gitVersion"));
    }
}

#[tokio::test]
async fn slow_and_silent_connections_are_closed() {
    let timeout = Duration::from_millis(400);
    let (addr, _stop) = start(ServeOptions::default().with_header_timeout(timeout)).await;
    // Silent: not a byte.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    // Slow: half a request's headers (slowloris), a prefix of the HTTP/2 preface.
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let mut preface = TcpStream::connect(addr).await.unwrap();
    preface.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
    // Closed unanswered, and not before the timeout (a lower bound, which a busy machine
    // cannot break).
    let start = Instant::now();
    for s in [&mut silent, &mut slow, &mut preface] {
        assert_eq!(closed(s).await, b"");
    }
    assert!(start.elapsed() >= timeout / 2, "{:?}", start.elapsed());
    // Idle after a request (HTTP/1 keep-alive): closed too, after its answer.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    idle.write_all(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let answer = closed(&mut idle).await;
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{answer:?}");
    // A prompt client is served.
    let (status, _) = get(addr, Some("127.0.0.1")).await;
    assert!(status.contains(" 200 "), "{status}");
}

#[tokio::test]
async fn connections_over_the_cap_are_closed() {
    // Silent connections hold their slots for the whole test (the header timeout would
    // otherwise free them on a slow machine).
    let (addr, _stop) = start(
        ServeOptions::default()
            .with_max_connections(2)
            .with_header_timeout(HANG_GUARD),
    )
    .await;
    // The server accepts in order and takes a slot as it accepts: by the time it accepts c,
    // a and b hold both slots.
    let a = TcpStream::connect(addr).await.unwrap();
    let _b = TcpStream::connect(addr).await.unwrap();
    let mut c = TcpStream::connect(addr).await.unwrap();
    assert_eq!(closed(&mut c).await, b"");
    // A slot frees when a connection ends (once the server has seen it end: retried).
    drop(a);
    let status = tokio::time::timeout(HANG_GUARD, async {
        loop {
            if let Ok((status, _)) = try_get(addr, Some("127.0.0.1")).await
                && !status.is_empty()
            {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("hung: the slot was not freed");
    assert!(status.contains(" 200 "), "{status}");
}
