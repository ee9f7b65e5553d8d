//! A `kbundle-server` running in this process (on a tokio runtime the test owns), and clients.

use std::net::SocketAddr;
use std::sync::Arc;

use kbundle_format::{ReadOptions, Snapshot};
use kbundle_server::{ServeOptions, Server};

/// A server bound to `127.0.0.1:0`, serving until dropped. It accepts connections from the
/// moment [`InProcess::start`] returns (the socket is bound and listening before).
pub struct InProcess {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl InProcess {
    /// Serves `snapshot` with `options`.
    pub async fn start(snapshot: Snapshot, options: ServeOptions) -> InProcess {
        let server = Server::bind(
            Arc::new(snapshot),
            SocketAddr::from(([127, 0, 0, 1], 0)),
            options,
        )
        .await
        .expect("bind 127.0.0.1:0");
        let addr = server.local_addr();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server.run_until(async move {
            let _ = stopped.await;
        }));
        InProcess {
            addr,
            stop: Some(stop),
        }
    }

    /// Serves the fixture cluster `fixtures/clusters/<name>` with `options`.
    pub async fn cluster(name: &str, options: ServeOptions) -> InProcess {
        let path = crate::paths::cluster(name);
        let snapshot = Snapshot::open(&path, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        InProcess::start(snapshot, options).await
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A kube client for the server's URL (no kubeconfig).
    pub fn client(&self) -> kube::Client {
        let url: http::Uri = format!("http://{}", self.addr).parse().expect("server URL");
        kube::Client::try_from(kube::Config::new(url)).expect("kube client")
    }

    /// A kube client configured from the kubeconfig the server writes for kubectl
    /// (`kbundle_server::kubeconfig`), as a user would.
    pub async fn kubeconfig_client(&self) -> kube::Client {
        let kubeconfig =
            kube::config::Kubeconfig::from_yaml(&kbundle_server::kubeconfig(self.addr))
                .expect("kubeconfig");
        let config = kube::Config::from_custom_kubeconfig(
            kubeconfig,
            &kube::config::KubeConfigOptions::default(),
        )
        .await
        .expect("kube config");
        kube::Client::try_from(config).expect("kube client")
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
