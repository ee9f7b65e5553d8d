use super::*;
use serde_json::json;

fn red(s: &str) -> (String, Counts) {
    let mut c = Counts::new();
    let out = Redactor::default().text(s, &mut c).into_owned();
    (out, c)
}

const KEY: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----\n";

#[test]
fn private_keys() {
    let (out, c) = red(&format!("before\n{KEY}after\n"));
    assert!(!out.contains("MIIEow"), "{out}");
    assert!(out.contains("before\n") && out.contains("after\n"));
    assert!(
        out.contains("-----BEGIN RSA PRIVATE KEY-----\n[REDACTED]\n-----END"),
        "{out}"
    );
    assert_eq!(c.get("private-key"), Some(1));
    // BEGIN trimmed away.
    let tail = &KEY[KEY.find('\n').unwrap_or(0) + 1..];
    let (out, c) = red(&format!("{}\nlater line\n", &tail[10..]));
    assert!(!out.contains("VTLw7onLRnrq0"), "{out}");
    assert!(out.contains("later line"));
    assert_eq!(c.get("private-key"), Some(1));
    // Unterminated.
    let (out, _) = red("x\n-----BEGIN PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHC");
    assert!(!out.contains("MIIEow"));
}

/// Each line holds one planted value; it must go, under the rule named, counted once.
#[test]
fn every_class_of_the_issue() {
    for (input, secret, rule) in [
        (
            "Authorization: Bearer abcdefghijklmnop0123",
            "abcdefghijklmnop0123",
            "authorization-header",
        ),
        (
            "sent Bearer abcdefghijklmnop0123 upstream",
            "abcdefghijklmnop0123",
            "bearer-token",
        ),
        (
            "Authorization: Basic dXNlcjpodW50ZXIy",
            "dXNlcjpodW50ZXIy",
            "authorization-header",
        ),
        (
            "authorization=Digest username=\"u\", response=\"6629fae49393a05397450978507c4ef1\"",
            "6629fae4939",
            "authorization-header",
        ),
        ("password=hunter2hunter2 next", "hunter2hunter2", "key-name"),
        (
            r#"{"password": "s3cr3t! with space"}"#,
            "s3cr3t! with space",
            "key-name",
        ),
        (
            "    token: kubeconfigtoken123456\n",
            "kubeconfigtoken123456",
            "key-name",
        ),
        (
            "client-key-data: LS0tLS1CRUdJTiBSU0E=\n",
            "LS0tLS1CRUdJTiBSU0E",
            "key-name",
        ),
        ("DB_PASS=pl4nted-db-pass", "pl4nted-db-pass", "key-name"),
        (
            "export PGPASSWORD=pl4ntedPG psql -h db",
            "pl4ntedPG",
            "key-name",
        ),
        (
            "java -Djavax.net.ssl.keyStorePassword=changeit2 -jar app.jar",
            "changeit2",
            "key-name",
        ),
        (
            "example.com/basic-auth: admin:pl4nted",
            "admin:pl4nted",
            "key-name",
        ),
        (
            "example.com/client-key: c2VjcmV0LWtleS1ieXRlcw",
            "c2VjcmV0LWtleS1ieXRlcw",
            "key-name",
        ),
        ("[db]\npassword = ini-pl4nted\n", "ini-pl4nted", "key-name"),
        (
            "spring.datasource.password=props-pl4nted",
            "props-pl4nted",
            "key-name",
        ),
        (
            "GET /api?user=a&access_token=qs-pl4nted-123&x=1",
            "qs-pl4nted-123",
            "key-name",
        ),
        ("args: --db-password pl4ntedArg", "pl4ntedArg", "next-arg"),
        (
            r#"["--db-password", "pl4ntedArg2"]"#,
            "pl4ntedArg2",
            "next-arg",
        ),
        (
            "    Args:\n      --token\n      tok-pl4nted-9\n",
            "tok-pl4nted-9",
            "next-arg",
        ),
        (
            "- --token\n- tok-pl4nted-yaml\n",
            "tok-pl4nted-yaml",
            "next-arg",
        ),
        (
            "dial https://admin:pa55word@db.example.com/x",
            "pa55word",
            "url-userinfo",
        ),
        (
            "redis://:r3dis-pl4nted@redis:6379/0",
            "r3dis-pl4nted",
            "url-userinfo",
        ),
        (
            "admin:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/",
            "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/",
            "htpasswd",
        ),
        (
            "u:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
            "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
            "htpasswd",
        ),
        (
            "bob:$2y$05$c4WoMPo3SXsafkva.HHa6uXQZWr7oboPiC2bT/r7q1BB8I2s0BRqC",
            "c4WoMPo3SXsafkva",
            "htpasswd",
        ),
        (
            "cfg cGFzc3dvcmQ9aHVudGVyMmh1bnRlcjI= loaded",
            "cGFzc3dvcmQ9aHVudGVyMmh1bnRlcjI",
            "base64-credential",
        ),
        ("note: the password is Tr0ub4dor&3.", "Tr0ub4dor&3", "prose"),
        (
            "run mysql -u root -pMyPl4nted -h db",
            "MyPl4nted",
            "mysql-password-flag",
        ),
        (
            "key AKIAZ7VRSQ5TLMNQ3XWB",
            "AKIAZ7VRSQ5TLMNQ3XWB",
            "aws-access-token",
        ),
        (
            "GITHUB=ghp_R8kZq2mX9vT4wL6yN3pB7cD1fH5jK0sAeUiO",
            "ghp_R8kZq2mX9vT4wL6yN3pB7cD1fH5jK0sAeUiO",
            "github-pat",
        ),
        (
            "sa eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlc2lnbmF0dXJl ok",
            "eyJzdWIi",
            "jwt",
        ),
        (
            "key AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdEF used",
            "AbCdEfGhIjKlMnOp",
            "ibm-api-key",
        ),
    ] {
        let (out, c) = red(input);
        assert!(!out.contains(secret), "{input} -> {out}");
        assert!(out.contains(MARK), "{input} -> {out}");
        assert!(c.get(rule).is_some(), "{input}: {c:?}");
        assert_eq!(c.total(), 1, "{input}: {c:?} -> {out}");
    }
}

#[test]
fn leaves_diagnosis_alone() {
    for input in [
        "2025-03-14 09:30:00.000 [INFO][1] main.go 123: Starting controller ControllerType=\"Node\"",
        "image: quay.io/tigera/kube-controllers:v3.28.1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "serviceAccountName: calico-kube-controllers",
        "tokenExpirationSeconds: 3600",
        "uid: 6f1c2d3e-4a5b-6c7d-8e9f-0a1b2c3d4e5f",
        "resourceVersion: \"123456789\"",
        "podIP: 10.244.1.17 hostIP: 192.168.10.4",
        "data x+AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCdEF/y==",
        "  Reason:       Unauthorized",
        "Warning  FailedMount  kubelet  MountVolume.SetUp failed for volume \"kube-api-access\": failed to fetch token: serviceaccounts \"x\" not found",
        "error refreshing token: connection refused",
        "the token is expired",
        "password is required",
        "secretName: calico-node-token",
        "      --authorization-mode=Node,RBAC",
        "      --token-auth-file=/etc/kubernetes/known_tokens.csv",
        "      --kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
        "automountServiceAccountToken: false",
        "DB_PASSWORD:  <set to the key 'password' in secret 'db'>  Optional: false",
        "PASSWORD: ${DB_PASSWORD}",
        "Basic authentication is disabled",
        "bypass=true passthrough: enabled",
        "Authorization: none",
    ] {
        let (out, c) = red(input);
        assert_eq!(out, input);
        assert!(c.is_empty(), "{input}: {c:?}");
    }
}

#[test]
fn redacting_twice_changes_nothing() {
    let inputs = [
        "--token=abcdefabcdef and DB_PASSWORD: hunter2 [x]".to_string(),
        format!("env:\n  API_TOKEN: tok123456\n{KEY}"),
        "Authorization: Basic dXNlcjpodW50ZXIy\nredis://:pw12345@h".into(),
    ];
    for input in inputs {
        let (once, c1) = red(&input);
        assert!(!c1.is_empty());
        let (twice, c2) = red(&once);
        assert_eq!(once, twice);
        assert!(c2.is_empty(), "{c2:?}: {twice}");
        assert!(!once.contains("]]"), "{once}");
    }
    // Tokens too.
    let r = Redactor::default().tokenized([7; 32]);
    let mut c = Counts::new();
    let once = r.text("password=hunter2hunter2", &mut c).into_owned();
    let mut c2 = Counts::new();
    assert_eq!(r.text(&once, &mut c2), once);
    assert!(c2.is_empty());
}

#[test]
fn tokens_are_stable_per_key_and_value() {
    let r = Redactor::default().tokenized([1; 32]);
    let mut c = Counts::new();
    let out = r
        .text(
            "a password=hunter2hunter2 b token: hunter2hunter2 c password=other-pw",
            &mut c,
        )
        .into_owned();
    let tokens: Vec<&str> = out
        .split_whitespace()
        .filter_map(|w| w.find("[REDACTED:").map(|i| &w[i..]))
        .collect();
    assert_eq!(tokens.len(), 3, "{out}");
    assert_eq!(tokens[0], tokens[1]);
    assert_ne!(tokens[0], tokens[2]);
    assert_eq!(tokens[0].len(), "[REDACTED:".len() + 8 + 1);
    assert_eq!(c.tokens().len(), 2);
    // Another key, another token.
    let mut c = Counts::new();
    let other = Redactor::default()
        .tokenized([2; 32])
        .text("password=hunter2hunter2", &mut c)
        .into_owned();
    assert!(!out.contains(&other["password=".len()..]));
}

#[test]
fn redaction_map_never_holds_values_unless_asked() {
    let r = Redactor::default().tokenized([3; 32]);
    let mut c = Counts::new();
    r.text("password=hunter2hunter2", &mut c);
    let mut map = RedactionMap::new();
    map.record("a.log", &c);
    let without = map.to_json(false).to_string();
    assert!(!without.contains("hunter2"), "{without}");
    assert!(without.contains("a.log") && without.contains("key-name"));
    assert!(map.to_json(true).to_string().contains("hunter2hunter2"));
    let dir = std::env::temp_dir().join(format!("kbundle-redact-map-{}", std::process::id()));
    let _ = std::fs::remove_file(&dir);
    map.write(&dir, false).unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir)
            .map(|m| m.permissions().mode())
            .unwrap_or(0);
        assert_eq!(mode & 0o777, 0o600);
    }
    // Never overwrites.
    assert!(map.write(&dir, false).is_err());
    let _ = std::fs::remove_file(&dir);
}

#[test]
fn objects() {
    let mut pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"data\":{\"a\":\"b\"}}",
            "example.com/api-token": "abc123abc123",
            "example.com/basic-auth": "user:pw",
            "plain": "value"
        }},
        "spec": {"serviceAccountName": "sa", "automountServiceAccountToken": true, "containers": [{"name": "c", "env": [
            {"name": "DB_PASSWORD", "value": "hunter2"},
            {"name": "DB_PASS", "value": "hunter3"},
            {"name": "DATASTORE_TYPE", "value": "kubernetes"},
            {"name": "ENABLE_TOKEN", "value": "true"},
            {"name": "API_KEY", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}
        ], "args": ["--token=abcdefabcdef", "--db-password", "nextpw1", "--verbose", "--token", "nexttok2"],
           "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080, "httpHeaders": [
               {"name": "Authorization", "value": "Basic dXNlcjpwcm9iZQ=="}, {"name": "X-Trace", "value": "1"}]}}}],
        "volumes": [{"name": "v", "secret": {"secretName": "my-secret"}}]}
    });
    let mut c = Counts::new();
    Redactor::default().value(&mut pod, &mut c);
    let s = pod.to_string();
    for gone in [
        "hunter2",
        "hunter3",
        "\\\"a\\\":\\\"b\\\"",
        "abc123abc123",
        "abcdefabcdef",
        "user:pw",
        "nextpw1",
        "nexttok2",
        "dXNlcjpwcm9iZQ",
    ] {
        assert!(!s.contains(gone), "{gone} in {s}");
    }
    for kept in [
        "kubernetes",
        "my-secret",
        "\"sa\"",
        "secretKeyRef",
        "\"value\"",
        "ENABLE_TOKEN\",\"value\":\"true",
        "--verbose",
        "X-Trace\",\"value\":\"1",
    ] {
        assert!(s.contains(kept), "{kept} not in {s}");
    }
    assert_eq!(c.get("embedded-secret"), Some(1));
    assert_eq!(c.get("key-name"), Some(6), "{c:?}");
    assert_eq!(c.get("next-arg"), Some(2), "{c:?}");
    assert_eq!(c.total(), 9, "{c:?}");
}

#[test]
fn configmaps_secrets_and_applied_configuration() {
    let applied = json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"template": {"spec": {
        "containers": [{"name": "c", "env": [{"name": "ADMIN_PASSWORD", "value": "hunter2hunter2"}]}]}}}});
    let mut list = json!({"items": [
        {"kind": "Secret", "data": {"x": "eA=="}},
        {"kind": "ConfigMap", "data": {"kubeconfig": "users:\n- name: u\n  user:\n    token: sha256~abcdefghijkl\n",
            "users": "admin:$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/\n"},
         "binaryData": {"keystore.jks": "/u3+7QAAAAIAAAAB"}},
        {"kind": "Deployment", "metadata": {"annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": applied.to_string()}}}
    ]});
    let mut c = Counts::new();
    Redactor::default().value(&mut list, &mut c);
    let s = list.to_string();
    for gone in [
        "eA==",
        "abcdefghijkl",
        "HqJZimcKQFAMYayBlzkrA",
        "/u3+7QAAAAIAAAAB",
        "hunter2hunter2",
    ] {
        assert!(!s.contains(gone), "{gone} in {s}");
    }
    assert!(s.contains("ADMIN_PASSWORD"), "{s}");
    assert_eq!(c.get("secret-data"), Some(1));
    assert_eq!(c.get("configmap-binary-data"), Some(1));
    assert_eq!(c.get("htpasswd"), Some(1));
    assert_eq!(c.get("key-name"), Some(2), "{c:?}");
    // Again: nothing more.
    let mut c2 = Counts::new();
    let before = list.clone();
    Redactor::default().value(&mut list, &mut c2);
    assert_eq!(before, list);
    assert!(c2.is_empty(), "{c2:?}");
}

#[test]
fn clean_strings_are_remembered_not_secrets() {
    let r = Redactor::default();
    let object = || {
        json!({"kind": "Pod", "status": {"phase": "Running", "message": "token ghp_1234567890abcdefghijABCDEFGHIJ123456 here"},
            "spec": {"containers": [{"name": "c", "env": [{"name": "DB_PASSWORD", "value": "hunter2"}]}]}})
    };
    let (mut first, mut c1) = (object(), Counts::new());
    r.value(&mut first, &mut c1);
    // A clone (same rules) knows what the original found clean; the secrets are redacted
    // again, and counted again.
    let clone = r.clone().tokenized([7; 32]);
    assert!(
        clone
            .clean
            .0
            .lock()
            .is_ok_and(|c| c.contains("Running") && !c.iter().any(|s| s.contains("ghp_")))
    );
    let (mut second, mut c2) = (object(), Counts::new());
    r.value(&mut second, &mut c2);
    assert_eq!(first, second);
    assert_eq!(c1.by_rule(), c2.by_rule());
    assert_eq!(c1.total(), 2, "{c1:?}");
    // Other rules, other memory: what the default rules found clean a custom pattern redacts.
    let custom = Redactor::new(vec![Regex::new("Runn").unwrap_or_else(|_| unreachable!())]);
    let (mut third, mut c3) = (object(), Counts::new());
    custom.value(&mut third, &mut c3);
    assert_eq!(third["status"]["phase"], "[REDACTED]ing");
    assert_eq!(c3.get("custom"), Some(1));
    // Bounded: it forgets when full.
    for i in 0..CLEAN_MAX + 10 {
        r.value(&mut json!(format!("plain value {i}")), &mut Counts::new());
    }
    assert!(r.clean.0.lock().is_ok_and(|c| c.len() <= CLEAN_MAX));
}

#[test]
fn custom_patterns() {
    let r = Redactor::new(vec![
        Regex::new("customer-[0-9]+").unwrap_or_else(|_| unreachable!()),
    ]);
    let mut c = Counts::new();
    let out = r.text("id customer-42 done", &mut c);
    assert_eq!(out, "id [REDACTED] done");
    assert_eq!(c.get("custom"), Some(1));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any text: no panic, and redacting the result again changes nothing.
        #[test]
        fn idempotent_on_any_text(s in "(?s)[ -~\n\t\u{e9}\u{1F600}]{0,200}", pick in 0usize..6) {
            let planted = ["password=x9y8z7w6", "Bearer abcdefgh12345678", " --token tk12345678\n", "redis://:pw998877@h", "ghp_R8kZq2mX9vT4wL6yN3pB7cD1fH5jK0sAeUiO", ""][pick];
            let input = format!("{s}{planted}{s}");
            let (once, _) = red(&input);
            let (twice, c) = red(&once);
            prop_assert_eq!(&once, &twice);
            prop_assert!(c.is_empty());
        }

        /// A planted value between arbitrary lines never survives.
        #[test]
        fn planted_values_never_survive(a in "[a-z \n]{0,80}", b in "[a-z \n]{0,80}", v in "[A-Za-z0-9]{10,24}") {
            for template in ["password={v}", "Authorization: Bearer {v}", "export DB_PASS={v}", "redis://:{v}@host"] {
                let input = format!("{a}\n{}\n{b}", template.replace("{v}", &v));
                let (out, _) = red(&input);
                prop_assert!(!out.contains(&v), "{} -> {}", input, out);
            }
        }
    }
}

#[test]
fn marks_tell_the_counts_of_a_tail() {
    let text = "first password=hunter2hunter2\n\
                then GITHUB_TOKEN=ghp_R8kZq2mX9vT4wL6yN3pB7cD1fH5jK0sAeUiO\n\
                last Authorization: Bearer abcdefghijklmnop0123456789 and password=hunter2hunter2\n";
    for r in [Redactor::default(), Redactor::default().tokenized([3; 32])] {
        let mut whole = Counts::new();
        let plain = r.text(text, &mut whole).into_owned();
        let mut counts = Counts::new();
        let mut marks = Vec::new();
        let out = r
            .text_with_marks(text, &mut counts, &mut marks)
            .into_owned();
        assert_eq!((&out, &counts), (&plain, &whole), "the same redaction");
        assert_eq!(marks.len() as u64, counts.total());
        for m in &marks {
            assert!(is_mark_at(&out, m.start), "{m:?} in {out}");
            assert_eq!(out.as_bytes()[m.end - 1], b']');
        }
        // Every line start: the tail's counts are those of the marks left in it.
        for (from, _) in std::iter::once((0, "")).chain(out.match_indices('\n')) {
            let tail = counts.of_tail(&out.as_bytes()[from..], &marks, from);
            let left = &out[from..];
            assert_eq!(
                tail.total() as usize,
                left.matches("[REDACTED").count(),
                "{left}"
            );
            assert_eq!(tail.tokens().len(), {
                let mut t: Vec<&str> = r
                    .tokenizes()
                    .then(|| counts.tokens().keys().filter(|k| left.contains(k.as_str())))
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                t.dedup();
                t.len()
            });
        }
        // A cut inside a mark counts it no more.
        let last = marks.last().unwrap();
        assert_eq!(
            counts
                .of_tail(&out.as_bytes()[last.start + 1..], &marks, last.start + 1)
                .total(),
            0,
            "{out}"
        );
        let from = last.start;
        let tail = counts.of_tail(&out.as_bytes()[from..], &marks, from);
        assert_eq!(tail.get(&last.rule), Some(1));
    }
}
