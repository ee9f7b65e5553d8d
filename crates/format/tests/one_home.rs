//! One home per concept (docs/architecture.md): the helpers that used to be written two or
//! three times, and drifted apart, have one implementation each. This test reads every Rust
//! source of the workspace and fails when a second copy of one of them appears, naming the
//! file and the home to use instead.

use std::path::{Path, PathBuf};

/// A concept, the marks of an implementation of it, and the files allowed to hold them.
struct Home {
    concept: &'static str,
    /// Substrings of a source with all whitespace removed.
    marks: &'static [&'static str],
    homes: &'static [&'static str],
}

const HOMES: &[Home] = &[
    Home {
        concept: "the duration and size grammar of flags (kbundle_format::units)",
        marks: &["fnparse_duration(", "fnparse_size("],
        homes: &["crates/format/src/units.rs"],
    },
    Home {
        concept: "kubectl's HumanDuration (kbundle_describe::kubectl_duration) and its reader",
        marks: &[
            "\"<invalid>\".to_string()",
            "\"<invalid>\".into()",
            "fnhuman_duration",
            "'y'=>365",
        ],
        homes: &["crates/describe/src/timefmt.rs"],
    },
    Home {
        concept: "the report's durations (the analyzer's report_duration and window_text)",
        marks: &["fnreport_duration(", "fnwindow_text("],
        homes: &["crates/analyzer/src/lib.rs"],
    },
    Home {
        concept: "Kubernetes quantities (kbundle-describe's Quantity)",
        marks: &["\"Mi\"=>", "\"Mi\"|", "fnquantity_bytes("],
        homes: &["crates/describe/src/quantity.rs"],
    },
    Home {
        concept: "percent-decoding (the percent-encoding crate)",
        marks: &["b'%'", "fnpercent_decode_bytes("],
        homes: &[],
    },
    Home {
        concept: "percent-encoding (the percent-encoding crate; describe prints Go's url.URL form, \
                  and may depend on nothing new)",
        marks: &["%{b:02X}", "%{:02X}", "%{:02x}", "%{b:02x}"],
        homes: &["crates/describe/src/render/pod.rs"],
    },
    Home {
        concept: "the resource type (kbundle_format::resources::ResourceType)",
        marks: &["plural:String"],
        homes: &["crates/format/src/resources.rs"],
    },
    Home {
        concept: "the ordered parallel map (kbundle_format::par)",
        marks: &["available_parallelism"],
        homes: &["crates/format/src/par.rs"],
    },
];

/// The workspace's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`, but build output.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `.pointer(P).and_then(Value::as_*)` and `.pointer(P)?.as_*()`: a typed JSON accessor, whose
/// home is kbundle_format::json.
fn typed_pointer_reads(text: &str) -> usize {
    let mut n = 0;
    let mut rest = text;
    while let Some(at) = rest.find(".pointer(") {
        rest = &rest[at + ".pointer(".len()..];
        let mut depth = 1;
        let close = rest.char_indices().find_map(|(i, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(i)
        });
        let Some(close) = close else { break };
        let after = &rest[close + 1..];
        if [
            "and_then(Value::as_",
            "and_then(serde_json::Value::as_",
            "?.as_",
        ]
        .iter()
        .any(|m| after.trim_start_matches('.').starts_with(m))
        {
            n += 1;
        }
        rest = after;
    }
    n
}

#[test]
fn every_helper_has_one_home() {
    let root = root();
    let mut files = Vec::new();
    for dir in ["crates", "tests", "benches", "fuzz"] {
        sources(&root.join(dir), &mut files);
    }
    assert!(
        files.len() > 100,
        "{} sources under {}",
        files.len(),
        root.display()
    );
    let me = Path::new(file!()).file_name();
    let mut copies = Vec::new();
    for file in &files {
        if file.file_name() == me {
            continue;
        }
        let name = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let text: String = std::fs::read_to_string(file)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        for home in HOMES {
            if home.homes.contains(&name.as_str()) {
                continue;
            }
            for mark in home.marks {
                if text.contains(mark) {
                    copies.push(format!("{name}: `{mark}`: use {}", home.concept));
                }
            }
        }
        if name != "crates/format/src/json.rs" && typed_pointer_reads(&text) > 0 {
            copies.push(format!(
                "{name}: `.pointer(..)` read as a type: use kbundle_format::json's accessors"
            ));
        }
    }
    assert!(copies.is_empty(), "second copies:\n{}", copies.join("\n"));
}

#[test]
fn the_marks_find_what_they_mark() {
    assert_eq!(
        typed_pointer_reads(".pointer(\"/a\").and_then(Value::as_str)"),
        1
    );
    assert_eq!(
        typed_pointer_reads("v.pointer(&format!(\"/{f}\"))?.as_array()?"),
        1
    );
    assert_eq!(typed_pointer_reads("v.pointer(\"/a\").cloned()"), 0);
    // Each home holds its marks: a mark that matched nothing would guard nothing.
    let root = root();
    for home in HOMES {
        for file in home.homes {
            let text: String = std::fs::read_to_string(root.join(file))
                .unwrap_or_default()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            assert!(
                home.marks.iter().any(|m| text.contains(m)),
                "{file} holds none of {:?}",
                home.marks
            );
        }
    }
}
