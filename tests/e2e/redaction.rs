//! The planted-secrets corpus (issue #15): more than 80 fake but format-valid credentials in a
//! fixture cluster's objects (env, args, command, annotations, probe headers, ConfigMap data
//! and binaryData, a custom resource), the pod's describe text, its log and a server message.
//! Collected through `kbundle serve` + `kbundle collect`, and redacted by `kbundle redact`:
//! zero leaks in every entry, the manifest and the terminal, and exact counts per entry and
//! rule (the counts of the unplanted fixture plus one per planted value and place).
//!
//! Every value here is made up for this test (a fixed pseudo-random generator), never a real
//! credential.

use std::collections::BTreeMap;
use std::path::Path;

use kbundle_format::{Archive, Limits};
use serde_json::{Value, json};

use crate::util::*;

const AT: &str = "2025-03-14T09:30:00Z";
const POD: &str = "calico-kube-controllers-planted";
const NS: &str = "calico-system";

/// A deterministic generator of fake values.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn of(&mut self, charset: &str, len: usize) -> String {
        let c: Vec<char> = charset.chars().collect();
        (0..len)
            .map(|_| c[(self.next() % c.len() as u64) as usize])
            .collect()
    }
    fn alnum(&mut self, len: usize) -> String {
        self.of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            len,
        )
    }
    fn hex(&mut self, len: usize) -> String {
        self.of("0123456789abcdef", len)
    }
    /// A password-like value: letters and digits with a marker, unique.
    fn pw(&mut self) -> String {
        format!("Pl4nt{}", self.alnum(12))
    }
}

fn b64(s: &str) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = s.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Where a planted value lands in the bundle.
#[derive(Clone, Copy, PartialEq)]
enum At {
    /// The pod object: pods.json, pod.json and (when describe shows the field) describe.txt.
    Pod {
        described: bool,
    },
    ConfigMap,
    Felix,
    Log,
    Server,
}

struct Plant {
    /// What must not appear anywhere.
    value: String,
    rule: &'static str,
    at: At,
}

struct Corpus {
    plants: Vec<Plant>,
    pod: Value,
    configmap: Value,
    felix: Value,
    log: String,
    server_message: String,
}

fn corpus() -> Corpus {
    let mut g = Gen(0x9e3779b97f4a7c15);
    let plants: std::cell::RefCell<Vec<Plant>> = std::cell::RefCell::new(Vec::new());
    let plant = |value: String, rule: &'static str, at: At| {
        plants.borrow_mut().push(Plant {
            value: value.clone(),
            rule,
            at,
        });
        value
    };
    let pod_env = At::Pod { described: true };
    let hidden = At::Pod { described: false };

    // The pod: env, args, command, annotations, probe headers.
    let env = |name: &str, value: String| json!({"name": name, "value": value});
    let ghp = format!("ghp_{}", g.alnum(36));
    let aws_secret = g.alnum(40);
    let slack_hook = format!("https://hooks.slack.com/services/{}", g.alnum(44));
    let stripe = format!("sk_live_{}", g.alnum(24));
    let npm = format!("npm_{}", g.of("abcdefghijklmnopqrstuvwxyz0123456789", 36));
    let envs = vec![
        env("DB_PASSWORD", plant(g.pw(), "key-name", pod_env)),
        env("DB_PASS", plant(g.pw(), "key-name", pod_env)),
        env("PGPASSWORD", plant(g.pw(), "key-name", pod_env)),
        env("REDIS_AUTH", plant(g.pw(), "key-name", pod_env)),
        env("GITHUB_TOKEN", plant(ghp, "key-name", pod_env)),
        env(
            "AWS_SECRET_ACCESS_KEY",
            plant(aws_secret, "key-name", pod_env),
        ),
        env("API_KEY", plant(g.pw(), "key-name", pod_env)),
        env("CLIENT_SECRET", plant(g.pw(), "key-name", pod_env)),
        env(
            "JAVA_OPTS",
            format!(
                "-Xmx1g -Djavax.net.ssl.keyStorePassword={} -Dfile.encoding=UTF-8",
                plant(g.pw(), "key-name", pod_env)
            ),
        ),
        env(
            "DATABASE_URL",
            format!(
                "postgres://app:{}@db.internal:5432/app",
                plant(g.pw(), "url-userinfo", pod_env)
            ),
        ),
        env(
            "REDIS_URL",
            format!(
                "redis://:{}@redis:6379/0",
                plant(g.pw(), "url-userinfo", pod_env)
            ),
        ),
        env(
            "SLACK_WEBHOOK",
            plant(slack_hook, "slack-webhook-url", pod_env),
        ),
        env("PAYMENTS", plant(stripe, "stripe-access-token", pod_env)),
        env(
            "NPM_CONFIG",
            format!(
                "//registry.npmjs.org/:_authToken={}",
                plant(npm, "npm-access-token", pod_env)
            ),
        ),
        env("MODE", "plain".to_string()),
    ];
    let args = vec![
        "--db-password".to_string(),
        plant(g.pw(), "next-arg", pod_env),
        "--token".to_string(),
        plant(g.pw(), "next-arg", pod_env),
        format!("--api-key={}", plant(g.pw(), "key-name", pod_env)),
        "--verbose".to_string(),
        "--log-level=info".to_string(),
    ];
    // gitleaks' curl rule finds it first.
    let basic_cmd = plant(g.pw(), "curl-auth-header", pod_env);
    let command = vec![
        "sh".to_string(),
        "-c".to_string(),
        format!(
            "mysql -u root -p{} -h db && curl -H 'Authorization: Basic {}' http://svc",
            plant(g.pw(), "mysql-password-flag", pod_env),
            b64(&format!("admin:{basic_cmd}"))
        ),
    ];
    let probe_basic = plant(g.pw(), "key-name", hidden);
    let probe_bearer = plant(g.pw(), "key-name", hidden);
    let annotations = json!({
        "example.com/basic-auth": format!("admin:{}", plant(g.pw(), "key-name", pod_env)),
        "example.com/client-key": plant(b64(&g.pw()), "key-name", pod_env),
        "example.com/api-token": plant(g.pw(), "key-name", pod_env),
        "example.com/notes": format!("rotate soon: the password is {}.", plant(g.pw(), "prose", pod_env)),
        "example.com/owner": "team-network",
    });
    let probe_key = plant(g.pw(), "key-name", hidden);
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": POD, "namespace": NS, "uid": "0c4b1a2e-1111-4222-8333-944455556666",
            "creationTimestamp": "2025-03-14T09:00:00Z",
            "labels": {"k8s-app": "calico-kube-controllers"}, "annotations": annotations},
        "spec": {"nodeName": "10.240.0.15", "containers": [{"name": "c", "image": "quay.io/tigera/kube-controllers:v3.28.1",
            "command": command, "args": args, "env": envs,
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 9094,
                "httpHeaders": [{"name": "Authorization", "value": format!("Basic {}", b64(&format!("probe:{probe_basic}")))}]}},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 9094,
                "httpHeaders": [{"name": "Authorization", "value": format!("Bearer {probe_bearer}")},
                                {"name": "X-Api-Key", "value": probe_key}]}}}]},
        "status": {"phase": "Running"}
    });

    // A ConfigMap: files of every shape, and binaryData.
    let pem_body: Vec<String> = (0..4).map(|_| g.alnum(64)).collect();
    let pem = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
        pem_body.join("\n")
    );
    let apr1 = format!(
        "$apr1${}${}",
        g.alnum(8),
        g.of(
            "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            22
        )
    );
    let sha = format!("{{SHA}}{}=", g.alnum(27));
    let akia = format!("AKIA{}", g.of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
    let jwt = format!(
        "eyJhbGciOiJSUzI1NiJ9.{}.{}",
        b64(&format!("{{\"sub\":\"{}\"}}", g.alnum(12))).trim_end_matches('='),
        g.alnum(43)
    );
    let configmap = json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "planted", "namespace": NS},
        "data": {
            "kubeconfig": format!("apiVersion: v1\nusers:\n- name: u\n  user:\n    token: {}\n    client-key-data: {}\n",
                plant(g.pw(), "key-name", At::ConfigMap), plant(b64(&g.pw()), "key-name", At::ConfigMap)),
            "users": format!("admin:{}\nbob:{}\n", plant(apr1, "htpasswd", At::ConfigMap), plant(sha, "htpasswd", At::ConfigMap)),
            "application.properties": format!("spring.datasource.password={}\nspring.mail.password={}\nmanagement.port=8081\n",
                plant(g.pw(), "key-name", At::ConfigMap), plant(g.pw(), "key-name", At::ConfigMap)),
            "config.json": format!("{{\"apikey\": \"{}\", \"endpoint\": \"https://api.example.com\"}}", plant(g.pw(), "key-name", At::ConfigMap)),
            "settings.ini": format!("[db]\npassword = {}\nhost = db\n", plant(g.pw(), "key-name", At::ConfigMap)),
            "env.sh": format!("export DB_PASS={}\nexport MODE=prod\n", plant(g.pw(), "key-name", At::ConfigMap)),
            "encoded": plant(b64(&format!("password={}", g.pw())), "base64-credential", At::ConfigMap),
            "aws": format!("region = eu-west-1\nkey = {}\n", plant(akia, "aws-access-token", At::ConfigMap)),
            "gitlab": format!("GL {}\n", plant(format!("glpat-{}", g.alnum(20)), "gitlab-pat", At::ConfigMap)),
            "gcp": format!("maps {}\n", plant(format!("AIza{}", g.alnum(35)), "gcp-api-key", At::ConfigMap)),
            "sendgrid": format!("mail {}\n", plant(format!("SG.{}", g.alnum(66)), "sendgrid-api-token", At::ConfigMap)),
            "key.pem": pem,
            "sa": format!("sa {}\n", plant(jwt, "jwt", At::ConfigMap)),
            "hf": format!("model {}\n", plant(format!("hf_{}", g.of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", 34)), "huggingface-access-token", At::ConfigMap)),
        },
        "binaryData": {
            "keystore.jks": plant(b64(&g.alnum(48)), "configmap-binary-data", At::ConfigMap),
            "truststore.p12": plant(b64(&g.alnum(48)), "configmap-binary-data", At::ConfigMap),
        }
    });
    for line in &pem_body {
        plants.borrow_mut().push(Plant {
            value: line.clone(),
            rule: "",
            at: At::ConfigMap,
        });
    }
    plants.borrow_mut().push(Plant {
        value: String::new(),
        rule: "private-key",
        at: At::ConfigMap,
    });

    // A custom resource.
    let felix = json!({
        "apiVersion": "crd.projectcalico.org/v1", "kind": "FelixConfiguration",
        "metadata": {"name": "planted"},
        "spec": {
            "logSeverityScreen": "Info",
            "prometheusMetricsPassword": plant(g.pw(), "key-name", At::Felix),
            "healthCheckTarget": format!("https://felix:{}@auth.example.com/", plant(g.pw(), "url-userinfo", At::Felix)),
            "bootstrapToken": plant(g.pw(), "key-name", At::Felix),
            "wireguardPrivateKey": plant(b64(&g.alnum(32)), "key-name", At::Felix),
        }
    });

    // The pod's log.
    let mut log =
        String::from("2025-03-14 09:01:00.000 [INFO][1] main.go 100: Starting controller\n");
    let mut line = |text: String| {
        log.push_str("2025-03-14 09:01:01.000 [INFO][1] client.go 42: ");
        log.push_str(&text);
        log.push('\n');
    };
    line(format!(
        "Authorization: Bearer {}",
        plant(g.pw(), "authorization-header", At::Log)
    ));
    let basic_log = plant(g.pw(), "authorization-header", At::Log);
    line(format!(
        "Authorization: Basic {}",
        b64(&format!("admin:{basic_log}"))
    ));
    line(format!(
        "pat {}",
        plant(
            format!("github_pat_{}", g.alnum(82)),
            "github-fine-grained-pat",
            At::Log
        )
    ));
    line(format!(
        "slack {}",
        plant(
            format!(
                "xoxb-{}-{}-{}",
                g.of("0123456789", 12),
                g.of("0123456789", 12),
                g.alnum(24)
            ),
            "slack-bot-token",
            At::Log
        )
    ));
    line(format!(
        "posting to {}",
        plant(
            format!("https://hooks.slack.com/services/{}", g.alnum(44)),
            "slack-webhook-url",
            At::Log
        )
    ));
    line(format!(
        "charge with {}",
        plant(
            format!("sk_live_{}", g.alnum(24)),
            "stripe-access-token",
            At::Log
        )
    ));
    line(format!(
        "npm {}",
        plant(
            format!("npm_{}", g.of("abcdefghijklmnopqrstuvwxyz0123456789", 36)),
            "npm-access-token",
            At::Log
        )
    ));
    line(format!(
        "aws key {}",
        plant(
            format!("AKIA{}", g.of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)),
            "aws-access-token",
            At::Log
        )
    ));
    line(format!(
        "connecting to redis://:{}@redis:6379",
        plant(g.pw(), "url-userinfo", At::Log)
    ));
    let inner = g.pw();
    plants.borrow_mut().push(Plant {
        value: inner.clone(),
        rule: "",
        at: At::Log,
    });
    line(format!(
        "decoded config {}",
        plant(
            b64(&format!("password={inner}")),
            "base64-credential",
            At::Log
        )
    ));
    line(format!(
        "note: the password is {}",
        plant(g.pw(), "prose", At::Log)
    ));
    line(format!(
        "running mysql -uroot -p{} appdb",
        plant(g.pw(), "mysql-password-flag", At::Log)
    ));
    line(format!(
        "env PGPASSWORD={} psql -h db",
        plant(g.pw(), "key-name", At::Log)
    ));
    line(format!(
        "java -Djavax.net.ssl.keyStorePassword={} -jar app.jar",
        plant(g.pw(), "key-name", At::Log)
    ));
    line(format!(
        "token {}",
        plant(
            format!(
                "eyJhbGciOiJIUzI1NiJ9.{}.{}",
                b64("{\"sub\":\"planted\"}").trim_end_matches('='),
                g.alnum(43)
            ),
            "jwt",
            At::Log
        )
    ));
    line(format!(
        "htpasswd bob:$2y$05${}",
        plant(
            g.of(
                "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                53
            ),
            "htpasswd",
            At::Log
        )
    ));
    line(format!(
        "args: [\"--token\", \"{}\"]",
        plant(g.pw(), "next-arg", At::Log)
    ));
    line(format!(
        "{{\"level\":\"info\",\"password\":\"{}\"}}",
        plant(g.pw(), "key-name", At::Log)
    ));
    line(format!(
        "GET /callback?code=1&access_token={}&state=x",
        plant(g.pw(), "key-name", At::Log)
    ));
    line(format!(
        "vault {}",
        plant(
            format!("hvs.{}", g.alnum(95)),
            "vault-service-token",
            At::Log
        )
    ));
    line(format!(
        "do {}",
        plant(format!("dop_v1_{}", g.hex(64)), "digitalocean-pat", At::Log)
    ));
    line(format!(
        "shop {}",
        plant(
            format!("shpat_{}", g.hex(32)),
            "shopify-access-token",
            At::Log
        )
    ));
    line(format!(
        "linear {}",
        plant(
            format!("lin_api_{}", g.alnum(40)),
            "linear-api-key",
            At::Log
        )
    ));
    line(format!(
        "grafana {}",
        plant(
            format!("glsa_{}_{}", g.alnum(32), g.hex(8)),
            "grafana-service-account-token",
            At::Log
        )
    ));
    line(format!(
        "claude {}",
        plant(
            format!("sk-ant-api03-{}AA", g.alnum(93)),
            "anthropic-api-key",
            At::Log
        )
    ));
    line(format!("x-api-key: {}", plant(g.pw(), "key-name", At::Log)));
    line(format!(
        "client_secret={}",
        plant(g.pw(), "key-name", At::Log)
    ));
    line(format!(
        "starting with --db-password {} --verbose",
        plant(g.pw(), "next-arg", At::Log)
    ));
    line(format!(
        "proxy-authorization: Digest username=\"u\", response=\"{}\"",
        plant(g.hex(32), "authorization-header", At::Log)
    ));
    line(format!(
        "MYSQL_PWD={} mysqladmin status",
        plant(g.pw(), "key-name", At::Log)
    ));
    line(format!("secret: {}", plant(g.pw(), "key-name", At::Log)));
    line("Reason: Unauthorized; failed to refresh token: connection refused".into());

    // A server message (a 403's Status.message): manifest errors and the terminal.
    let server_message = format!(
        "retry with token={} or Authorization: Bearer {} ({})",
        plant(g.pw(), "key-name", At::Server),
        plant(g.pw(), "authorization-header", At::Server),
        plant(format!("ghp_{}", g.alnum(36)), "github-pat", At::Server),
    );

    Corpus {
        plants: plants.into_inner(),
        pod,
        configmap,
        felix,
        log,
        server_message,
    }
}

fn plant_cluster(dir: &Path, c: &Corpus) -> std::path::PathBuf {
    let cluster = dir.join("cluster");
    copy_dir(&fixture("healthy"), &cluster);
    let list = |items: Vec<&Value>| {
        serde_json::to_vec(&json!({"apiVersion": "v1", "kind": "List", "items": items})).unwrap()
    };
    std::fs::write(
        cluster.join("calico-system/planted.json"),
        list(vec![&c.pod, &c.configmap]),
    )
    .unwrap();
    std::fs::write(cluster.join("cluster/planted.json"), list(vec![&c.felix])).unwrap();
    let log_dir = cluster.join(format!("logs/{NS}/{POD}"));
    std::fs::create_dir_all(&log_dir).unwrap();
    std::fs::write(log_dir.join("c.log"), &c.log).unwrap();
    cluster
}

const FORBID: &str = "forbid=validatingwebhookconfigurations.admissionregistration.k8s.io";

fn collect(
    cluster: &Path,
    out: &Path,
    server_message: Option<&str>,
) -> (std::process::Output, Archive) {
    let faults = match server_message {
        Some(m) => format!("{FORBID};message={m}"),
        None => FORBID.to_string(),
    };
    let s = Serve::start(kbundle(), &[cluster], &["--faults", &faults]);
    let o = run(kbundle()
        .arg("collect")
        .arg("--kubeconfig")
        .arg(&s.kubeconfig)
        .arg("-o")
        .arg(out)
        .args(["--collected-at", AT, "--timeout", "600s"]));
    assert_eq!(code(&o), 3, "{}\n{}", stdout(&o), stderr(&o));
    (o, Archive::open(out, Limits::default()).unwrap())
}

fn manifest(a: &Archive) -> Value {
    serde_json::from_slice(&a.read_bytes("manifest.json", 64 << 20).unwrap()).unwrap()
}

fn counts(m: &Value) -> BTreeMap<(String, String), u64> {
    let mut out = BTreeMap::new();
    for r in m["redactions"].as_array().unwrap() {
        out.insert(
            (
                r["path"].as_str().unwrap().to_string(),
                r["kind"].as_str().unwrap().to_string(),
            ),
            r["count"].as_u64().unwrap(),
        );
    }
    out
}

/// Fails on any planted value in any entry of `a` or in `extra` texts.
fn assert_no_leak(plants: &[Plant], a: &Archive, extra: &[(&str, &str)]) {
    let mut leaks = Vec::new();
    let mut texts: Vec<(String, String)> = a
        .entries()
        .iter()
        .map(|e| {
            let bytes = a.read_bytes(&e.path, 1 << 30).unwrap();
            (e.path.clone(), String::from_utf8_lossy(&bytes).into_owned())
        })
        .collect();
    texts.extend(extra.iter().map(|(n, t)| (n.to_string(), t.to_string())));
    for (name, text) in &texts {
        for p in plants.iter().filter(|p| !p.value.is_empty()) {
            if text.contains(&p.value) {
                leaks.push(format!("{} ({}) in {name}", p.value, p.rule));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}

#[test]
fn planted_secrets_never_reach_the_bundle_the_manifest_or_the_terminal() {
    let c = corpus();
    let counted = c.plants.iter().filter(|p| !p.rule.is_empty()).count();
    assert!(counted >= 80, "only {counted} planted values");
    let dir = tempfile::tempdir().unwrap();

    // The fixture as it is (same fault, no message): its own counts.
    let (_, base) = collect(&fixture("healthy"), &dir.path().join("base.zip"), None);
    let mut want = counts(&manifest(&base));

    let cluster = plant_cluster(dir.path(), &c);
    let out = dir.path().join("planted.zip");
    let (o, bundle) = collect(&cluster, &out, Some(&c.server_message));
    assert_no_leak(
        &c.plants,
        &bundle,
        &[("stdout", &stdout(&o)), ("stderr", &stderr(&o))],
    );
    let m = manifest(&bundle);
    // The server's message is there, redacted.
    let errors = m["errors"].to_string();
    assert!(errors.contains("retry with token=[REDACTED]"), "{errors}");
    assert!(
        stdout(&o).contains("retry with token=[REDACTED]"),
        "{}",
        stdout(&o)
    );

    // Exact counts: the fixture's, plus one per planted value and entry.
    let pod_dir = format!("namespaces/{NS}/pods/{POD}");
    for p in c.plants.iter().filter(|p| !p.rule.is_empty()) {
        let paths: Vec<String> = match p.at {
            At::Pod { described } => {
                let mut v = vec![
                    format!("namespaces/{NS}/core/pods.json"),
                    format!("{pod_dir}/pod.json"),
                ];
                if described {
                    v.push(format!("{pod_dir}/describe.txt"));
                }
                v
            }
            At::ConfigMap => vec![format!("namespaces/{NS}/core/configmaps.json")],
            At::Felix => vec!["cluster/crd.projectcalico.org/felixconfigurations.json".into()],
            At::Log => vec![format!("{pod_dir}/logs/c.log")],
            At::Server => vec!["manifest.json".into()],
        };
        for path in paths {
            *want.entry((path, p.rule.to_string())).or_insert(0) += 1;
        }
    }
    let got = counts(&m);
    let diff: Vec<String> = want
        .keys()
        .chain(got.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|k| want.get(*k) != got.get(*k))
        .map(|k| format!("{k:?}: want {:?}, got {:?}", want.get(k), got.get(k)))
        .collect();
    assert!(diff.is_empty(), "counts differ:\n{}", diff.join("\n"));

    // Diagnosis survives.
    let log = String::from_utf8(
        bundle
            .read_bytes(&format!("{pod_dir}/logs/c.log"), 1 << 20)
            .unwrap(),
    )
    .unwrap();
    assert!(
        log.contains("Reason: Unauthorized; failed to refresh token: connection refused"),
        "{log}"
    );
    assert!(log.contains("Starting controller"));
    let pods = String::from_utf8(
        bundle
            .read_bytes(&format!("namespaces/{NS}/core/pods.json"), 1 << 24)
            .unwrap(),
    )
    .unwrap();
    for kept in [
        "\"MODE\"",
        "--verbose",
        "--log-level=info",
        "team-network",
        "/healthz",
    ] {
        assert!(pods.contains(kept), "{kept} was lost");
    }

    // Collecting the redacted bundle's own input again gives the same counts (idempotent
    // describe texts: no `[REDACTED]]`).
    for e in bundle.entries() {
        let text =
            String::from_utf8_lossy(&bundle.read_bytes(&e.path, 1 << 30).unwrap()).into_owned();
        assert!(!text.contains("[REDACTED]]"), "{}", e.path);
    }
}

#[test]
fn kbundle_redact_cleans_the_planted_folder_with_tokens_and_a_map() {
    let c = corpus();
    let dir = tempfile::tempdir().unwrap();
    let cluster = plant_cluster(dir.path(), &c);
    let out = dir.path().join("clean.zip");
    let map = dir.path().join("map.json");
    let o = run(kbundle()
        .arg("redact")
        .arg(&cluster)
        .arg("-o")
        .arg(&out)
        .arg("--tokenize")
        .arg("--redaction-map")
        .arg(&map));
    assert!(matches!(code(&o), 0 | 3), "{}\n{}", stdout(&o), stderr(&o));
    let bundle = Archive::open(&out, Limits::default()).unwrap();
    let map_text = std::fs::read_to_string(&map).unwrap();
    assert_no_leak(
        &c.plants,
        &bundle,
        &[
            ("stdout", &stdout(&o)),
            ("stderr", &stderr(&o)),
            ("map", &map_text),
        ],
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&map).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(
        !bundle
            .entries()
            .iter()
            .any(|e| e.path.ends_with("map.json"))
    );
    // The same value, the same token, in every entry; every token in the map.
    let map: Value = serde_json::from_str(&map_text).unwrap();
    let tokens = map["tokens"].as_object().unwrap();
    assert!(tokens.len() >= 60, "{}", tokens.len());
    let pods = String::from_utf8(
        bundle
            .read_bytes(&format!("namespaces/{NS}/core/pods.json"), 1 << 24)
            .unwrap(),
    )
    .unwrap();
    let db = pods.find("DB_PASSWORD").unwrap();
    let token = &pods[db..][pods[db..].find("[REDACTED:").unwrap()..];
    let token = &token[..token.find(']').unwrap() + 1];
    assert!(tokens.contains_key(token), "{token}");
    // The output reads back as a kbundle: same objects, logs at their place.
    let i = run(kbundle().args(["inspect", "--format", "json"]).arg(&out));
    assert!(i.status.success(), "{}", stderr(&i));
    let json: Value = serde_json::from_slice(&i.stdout).unwrap();
    assert_eq!(json["inputs"][0]["layout"], "kbundle", "{json}");
    assert!(json["logs"].to_string().contains(POD), "{}", json["logs"]);
    // Values asked for: in the map only.
    let map2 = dir.path().join("map2.json");
    let o = run(kbundle()
        .arg("redact")
        .arg(&cluster)
        .arg("-o")
        .arg(dir.path().join("clean2.zip"))
        .args(["--tokenize", "--redaction-map-values", "--redaction-map"])
        .arg(&map2));
    assert!(matches!(code(&o), 0 | 3), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(&map2)
            .unwrap()
            .contains(&c.plants[0].value)
    );
    // An existing map file is refused before any work.
    let o = run(kbundle()
        .arg("redact")
        .arg(&cluster)
        .arg("-o")
        .arg(dir.path().join("clean3.zip"))
        .args(["--tokenize", "--redaction-map"])
        .arg(&map2));
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(!dir.path().join("clean3.zip").exists());
}

#[test]
fn kbundle_redact_reads_the_real_troubleshoot_bundles() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["support-bundle.tar.gz", "baseline.tar.gz"] {
        let input = root().join("../shared/data/troubleshoot").join(name);
        let out = dir.path().join(format!("{name}.zip"));
        let o = run(kbundle().arg("redact").arg(&input).arg("-o").arg(&out));
        assert!(matches!(code(&o), 0 | 3), "{name}: {}", stderr(&o));
        let before = run(kbundle().args(["inspect", "--format", "json"]).arg(&input));
        let after = run(kbundle().args(["inspect", "--format", "json"]).arg(&out));
        assert!(after.status.success(), "{name}: {}", stderr(&after));
        let before: Value = serde_json::from_slice(&before.stdout).unwrap();
        let after: Value = serde_json::from_slice(&after.stdout).unwrap();
        assert_eq!(after["inputs"][0]["layout"], "kbundle");
        // Every object and every log is still there.
        assert_eq!(before["kinds"], after["kinds"], "{name}");
        assert_eq!(
            before["logs"].as_array().map(Vec::len),
            after["logs"].as_array().map(Vec::len),
            "{name}"
        );
        // Redacting the result again finds nothing more.
        let again = dir.path().join(format!("{name}.again.zip"));
        let o = run(kbundle().arg("redact").arg(&out).arg("-o").arg(&again));
        assert!(matches!(code(&o), 0 | 3), "{}", stderr(&o));
        let m = manifest(&Archive::open(&again, Limits::default()).unwrap());
        assert_eq!(m["redactions"], json!([]), "{name}: {}", m["redactions"]);
    }
}
