//! The parser takes whatever people paste: it must never panic, and damage
//! to one part of a describe must not lose the rest.

use kbundle_describe::{Described, parse};
use proptest::prelude::*;

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const FILES: &[&str] = &[
    "s8_1_pod_pending_coredns.txt",
    "s8_2_pod_running_nginx.txt",
    "s8_3_node_not_ready.txt",
    "kubectl132_node_k3d.txt",
    "kubectl132_deployment_and_replicaset.txt",
    "s1_2_oomkilled_running.txt",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_text_never_panics(s in any::<String>()) {
        let _ = parse(&s);
    }

    #[test]
    fn describe_like_noise_never_panics(lines in proptest::collection::vec(
        "( {0,8})(Name|Events|Type|State|Last State|Limits|Conditions|Taints|Replicas|Pods Status|Non-terminated Pods|Allocated resources|Warning|Normal|cpu|  )(:)?( {1,3})([A-Za-z0-9 ,:()/%<>=.-]{0,40})",
        0..40,
    )) {
        let _ = parse(&lines.join("\n"));
    }

    #[test]
    fn damaged_real_describes_never_panic(
        file in 0..FILES.len(),
        deletions in proptest::collection::vec(any::<prop::sample::Index>(), 0..5),
        tabs in any::<bool>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let text = data(FILES[file]);
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        for d in deletions {
            if !lines.is_empty() {
                let i = d.index(lines.len());
                lines.remove(i);
            }
        }
        let mut joined = lines.join("\r\n");
        if tabs {
            joined = joined.replace("  ", "\t");
        }
        let end = cut.index(joined.len() + 1);
        let mut end_ok = end;
        while !joined.is_char_boundary(end_ok) {
            end_ok -= 1;
        }
        let _ = parse(&joined[..end_ok]);
    }
}

#[test]
fn a_damaged_block_keeps_the_next_one() {
    let pod = data("s8_2_pod_running_nginx.txt");
    let node = data("s8_3_node_not_ready.txt");
    // Cut the pod in the middle of its container section.
    let half: String = pod.lines().take(25).collect::<Vec<_>>().join("\n");
    let found = parse(&format!("{half}\n{node}"));
    assert_eq!(found.len(), 2);
    assert!(
        matches!(&found[0], Described::Pod(p) if p.containers.len() == 1 && p.events.is_empty())
    );
    assert!(
        matches!(&found[1], Described::Node(n) if n.conditions.len() == 5 && n.pods.len() == 4)
    );
}

#[test]
fn k9s_box_borders_are_ignored() {
    let text = "│ Events:                                                       │\n\
                │   Type     Reason     Age                 From     Message     │\n\
                │   ----     ------     ----                ----     -------     │\n\
                │   Warning  Unhealthy  10m (x29 over 15m)  kubelet  Liveness probe failed: unknown shorthand flag: 'l' in -l      │\n";
    let found = parse(text);
    let [Described::Pod(p)] = found.as_slice() else {
        panic!("{found:#?}")
    };
    assert_eq!(p.events.len(), 1);
    assert_eq!(p.events[0].count, Some(29));
    assert_eq!(
        p.events[0].message,
        "Liveness probe failed: unknown shorthand flag: 'l' in -l"
    );
}

/// Wraps every line longer than `width` at `width` columns, the way a terminal copy does:
/// continuation lines start at the left edge, without indentation.
fn terminal_wrapped(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        for chunk in chars.chunks(width) {
            out.extend(chunk);
            out.push('\n');
        }
        if chars.is_empty() {
            out.push('\n');
        }
    }
    out
}

/// A describe copied from an 80-column terminal (real text: signatures.md 8.1, 8.2 and 1.4):
/// the event messages, wrapped without indentation, still belong to their events, and the
/// command that follows is not part of them.
#[test]
fn terminal_wrapped_events_keep_the_events_section() {
    for file in [
        "s8_1_pod_pending_coredns.txt",
        "s8_2_pod_running_nginx.txt",
        "s1_4_systemoom_events.txt",
    ] {
        let original = data(file);
        // And rows elided by whoever pasted it (`……` at the left edge, under the header).
        let elided = original.replacen("  ----", "……\n  ----", 1);
        let wrapped = terminal_wrapped(&elided, 80) + "$ kubectl get pods -n kube-system\n";
        let events = |text: &str| match parse(text).into_iter().next() {
            Some(Described::Pod(p)) => p.events,
            Some(Described::Node(n)) => n.events,
            other => panic!("{file}: {other:?}"),
        };
        let (want, got) = (events(&original), events(&wrapped));
        assert!(!want.is_empty(), "{file}");
        assert_eq!(got.len(), want.len(), "{file}");
        for (w, g) in want.iter().zip(&got) {
            assert_eq!(
                (&g.type_, &g.reason, &g.age),
                (&w.type_, &w.reason, &w.age),
                "{file}"
            );
            // Wrapping may split a word; the words of the message are all there.
            assert_eq!(
                g.message.replace(' ', ""),
                w.message.replace(' ', ""),
                "{file}"
            );
        }
    }
}
