//! Child processes: a running `kbundle serve`, kubectl by version, and waiting for a condition.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long a wait goes on before the test is declared hung. Generous on purpose: it ends a
/// test that would otherwise never finish and is never what a test checks.
pub const HANG_GUARD: Duration = Duration::from_secs(600);

/// Polls `ready` (every 10 ms) until it returns `Some`; panics naming `what` after
/// [`HANG_GUARD`].
pub fn wait_for<T>(what: &str, mut ready: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(t) = ready() {
            return t;
        }
        assert!(
            started.elapsed() < HANG_GUARD,
            "hung: {what} not after {HANG_GUARD:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits for `child` to exit (killing it and panicking after [`HANG_GUARD`]).
pub fn wait_exit(child: &mut Child, what: &str) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for a child") {
            return status;
        }
        if started.elapsed() >= HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hung: {what} did not exit after {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A specific kubectl version, e.g. `kubectl_version("1.32")`. The versioned binaries lie
/// beside the `kubectl` dispatcher (which is on PATH). Panics, failing the test, when missing:
/// tests that need kubectl must not silently skip.
pub fn kubectl_version(version: &str) -> PathBuf {
    let name = format!("kubectl.{version}");
    let on_path = |file: &str| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|p| p.join(file))
                .find(|p| p.is_file())
        })
    };
    if let Some(p) = on_path(&name) {
        return p;
    }
    let dispatcher = on_path("kubectl")
        .unwrap_or_else(|| panic!("kubectl is not on PATH: the end-to-end tests need it"));
    let real = std::fs::canonicalize(&dispatcher).unwrap_or(dispatcher);
    let beside = real.parent().map(|d| d.join(&name)).filter(|p| p.is_file());
    beside.unwrap_or_else(|| panic!("{name} not found beside {}", real.display()))
}

/// kubectl 1.32, the describe oracle.
pub fn kubectl() -> PathBuf {
    kubectl_version("1.32")
}

/// A running `kbundle serve`, killed on drop.
pub struct Serve {
    /// The server process.
    pub child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// The kubeconfig it wrote.
    pub kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
}

impl Serve {
    /// Runs `kbundle` (the command `kbundle`, e.g. `Command::new(env!("CARGO_BIN_EXE_kbundle"))`
    /// with its environment) as `serve PATHS... --addr 127.0.0.1:0 --kubeconfig-out <tmp>
    /// EXTRA...`, and returns once it is ready: when it prints its `listening on http://ADDR`
    /// line, which it does after binding the socket and writing the kubeconfig.
    pub fn start(mut kbundle: Command, paths: &[&Path], extra: &[&str]) -> Serve {
        let dir = tempfile::tempdir().expect("temporary directory");
        let kubeconfig = dir.path().join("kubeconfig");
        kbundle.arg("serve");
        for p in paths {
            kbundle.arg(p);
        }
        kbundle
            .args(["--addr", "127.0.0.1:0", "--kubeconfig-out"])
            .arg(&kubeconfig)
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = kbundle.spawn().expect("start kbundle serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        // Blocks until the line comes or the process ends (end of file).
        let _ = BufReader::new(stdout).read_line(&mut line);
        let Some(addr) = line.trim().strip_prefix("listening on http://") else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("unexpected first line from kbundle serve: {line:?}");
        };
        Serve {
            addr: addr.to_string(),
            child,
            kubeconfig,
            _dir: dir,
        }
    }

    /// A kubectl 1.32 command pointed at this server.
    pub fn kubectl(&self) -> Command {
        let mut cmd = Command::new(kubectl());
        cmd.arg("--kubeconfig").arg(&self.kubeconfig);
        cmd
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
