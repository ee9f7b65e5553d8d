//! The redaction scan rate on one core: `cargo run --release -p kbundle-redact --example
//! scan_rate -- [MB] [LOG...]` (used by `benches/redact.sh`).
//!
//! Three texts of MB megabytes each (default 32): ordinary logs (the given log files repeated,
//! else a built-in calico-like log), the same with one credential every 100 lines, and
//! secret-dense text (a credential on every line, of ten shapes). Prints MB/s per text: the
//! best of three runs of `Redactor::text` over the whole text, on this thread only.

use std::time::Instant;

use kbundle_redact::{Counts, Redactor};

const BUILTIN: &str = "\
2025-03-14 09:30:00.123 [INFO][1] main.go 148: Loaded configuration from environment config=&config.Config{LogLevel:\"info\", WorkloadEndpointWorkers:1, ProfileWorkers:1, PolicyWorkers:1, NodeWorkers:1, Kubeconfig:\"\", DatastoreType:\"kubernetes\"}
2025-03-14 09:30:00.456 [INFO][1] resources.go 350: Main client watcher loop
2025-03-14 09:30:01.001 [INFO][1] ipam.go 285: Synchronizing IPAM data
2025-03-14 09:30:01.017 [INFO][1] ipam.go 294: Node and IPAM data is in sync
2025-03-14 09:30:02.550 [ERROR][1] client.go 290: Error getting cluster information config ClusterInformation=\"default\" error=Get \"https://10.96.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default\": dial tcp 10.96.0.1:443: i/o timeout
2025-03-14 09:30:02.551 [INFO][1] watchersyncer.go 89: Start called
2025-03-14 09:30:03.000 [WARNING][1] runconfig.go 162: unable to get KubeControllersConfiguration(default) error=connection refused
I0314 09:30:04.120381       1 leaderelection.go:250] attempting to acquire leader lease kube-system/kube-controller-manager...
E0314 09:30:05.220381       1 reflector.go:147] k8s.io/client-go/informers/factory.go:159: Failed to watch *v1.Pod: failed to list *v1.Pod: Unauthorized
{\"level\":\"info\",\"ts\":\"2025-03-14T09:30:06.123Z\",\"logger\":\"controller\",\"msg\":\"Reconciling\",\"namespace\":\"calico-system\",\"name\":\"calico-node-mx4r9\",\"resourceVersion\":\"123456789\"}
";

const SECRETS: &[&str] = &[
    "Authorization: Bearer abcdefghijklmnop0123456789",
    "connecting with password=Pl4ntedPassw0rd!",
    "GITHUB_TOKEN=ghp_R8kZq2mX9vT4wL6yN3pB7cD1fH5jK0sAeUiO",
    "key AKIAZ7VRSQ5TLMNQ3XWB used",
    "redis://:r3disPl4nted@redis:6379/0",
    "args: [\"--db-password\", \"Pl4ntedArg\"]",
    "cfg cGFzc3dvcmQ9aHVudGVyMmh1bnRlcjI= loaded",
    "the password is Tr0ub4dor&3",
    "mysql -u root -pMyPl4nted -h db",
    "sa eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlc2lnbmF0dXJl ok",
];

fn fill(base: &str, mb: usize, every: usize) -> String {
    let target = mb << 20;
    let mut out = String::with_capacity(target + 4096);
    let mut n = 0usize;
    while out.len() < target {
        for line in base.lines() {
            if every > 0 && n.is_multiple_of(every) {
                out.push_str("2025-03-14 09:30:07.000 [INFO][1] client.go 42: ");
                out.push_str(SECRETS[(n / every.max(1)) % SECRETS.len()]);
                out.push('\n');
            }
            out.push_str(line);
            out.push('\n');
            n += 1;
        }
    }
    out
}

fn rate(name: &str, text: &str, r: &Redactor) {
    let mut best = f64::MAX;
    let mut redacted = 0;
    for _ in 0..3 {
        let mut c = Counts::new();
        let t = Instant::now();
        let out = r.text(text, &mut c);
        best = best.min(t.elapsed().as_secs_f64());
        redacted = c.total();
        std::hint::black_box(out);
    }
    let mb = text.len() as f64 / (1 << 20) as f64;
    println!(
        "{name:<32} {mb:>6.1} MiB  {:>8.1} MB/s per core  ({redacted} values redacted)",
        text.len() as f64 / 1e6 / best
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mb: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(32);
    let files: Vec<String> = args.collect();
    let mut base = String::new();
    for f in &files {
        match std::fs::read_to_string(f) {
            Ok(t) => base.push_str(&t),
            Err(e) => eprintln!("scan_rate: {f}: {e}"),
        }
    }
    if base.is_empty() {
        base = BUILTIN.to_string();
    }
    let r = Redactor::default();
    // Compile the catalog outside the timing.
    let t = Instant::now();
    r.text("warm up password=x", &mut Counts::new());
    println!(
        "catalog compiled in {:.0} ms ({} gitleaks rules)",
        t.elapsed().as_secs_f64() * 1e3,
        kbundle_redact::gitleaks().rules().len()
    );
    let clean = fill(&base, mb, 0);
    if std::env::var_os("SCAN_RATE_PARTS").is_some() {
        let part = |name: &str, f: &dyn Fn(&str)| {
            let t = Instant::now();
            f(&clean);
            println!(
                "  part {name:<20} {:>8.1} MB/s",
                clean.len() as f64 / 1e6 / t.elapsed().as_secs_f64()
            );
        };
        part("gitleaks", &|t| {
            kbundle_redact::gitleaks().find(t, &mut Vec::new())
        });
        part("own rules", &|t| {
            kbundle_redact::text::own_rules(t, true, &|_| false, &mut Vec::new())
        });
        part("ibm keys", &|t| {
            kbundle_redact::text::ibm_keys(t, &mut Vec::new())
        });
        part("private keys", &|t| {
            kbundle_redact::text::private_keys(t, &mut Vec::new())
        });
    }
    rate("ordinary logs", &clean, &r);
    rate("one credential per 100 lines", &fill(&base, mb, 100), &r);
    rate("a credential on every line", &fill(&base, mb, 1), &r);
}
