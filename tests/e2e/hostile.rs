//! The hostile-input corpus through the real binary: `kbundle inspect` and `kbundle analyze`
//! end with one clear error line (exit 2) or a clean partial result, within bounded CPU time
//! and peak memory, and write nothing (the working directory and TMPDIR stay empty).
//!
//! Inputs are built by code (`kbundle_testkit::hostile`, shared with the library's corpus).
//! Peak memory and CPU time (user + system: the work done, which other processes on a busy
//! machine do not stretch as they stretch wall time) are measured with `/usr/bin/time -f "%M
//! %U %S"` when it is installed, else by polling `/proc/<pid>/status` (`VmHWM`) and
//! `/proc/<pid>/stat`. A run is killed only after the kit's `HANG_GUARD`, to end a hung run.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use kbundle_testkit::HANG_GUARD;
use kbundle_testkit::hostile::*;

/// The corpus tests measure memory: one at a time, so they do not skew each other.
static SERIAL: Mutex<()> = Mutex::new(());

/// What one run of the binary did.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// Wall time, for the record only (printed, never judged).
    wall: Duration,
    /// User + system CPU time.
    cpu: Duration,
    peak_mib: u64,
}

/// The peak RSS (KiB) and the user + system CPU time polled from `/proc/<pid>` (the last
/// reading before the exit: short of the last few milliseconds).
fn poll_proc(pid: u32) -> (u64, Duration) {
    let kib = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .unwrap_or(0);
    // utime and stime, in clock ticks (USER_HZ, 100 on Linux), after the command name.
    let ticks = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let fields: Vec<u64> = s
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .skip(11)
                .take(2)
                .map(|f| f.parse().ok())
                .collect::<Option<_>>()?;
            Some(fields.iter().sum::<u64>())
        })
        .unwrap_or(0);
    (kib, Duration::from_millis(ticks * 10))
}

/// Runs `kbundle ARGS...` in an empty working directory with an empty TMPDIR; checks that both
/// stay empty.
fn run_bounded(args: &[OsString]) -> Run {
    let cwd = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let stats = tempfile::NamedTempFile::new().unwrap();
    let bin = env!("CARGO_BIN_EXE_kbundle");
    let time = Path::new("/usr/bin/time");
    let timeout = find_on_path("timeout");
    let mut cmd = if let (true, Some(timeout)) = (time.is_file(), &timeout) {
        let mut c = Command::new(time);
        c.args(["-f", "%M %U %S", "-o"])
            .arg(stats.path())
            .arg(timeout)
            .args(["-s", "KILL", &HANG_GUARD.as_secs().to_string()])
            .arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.args(args)
        .current_dir(cwd.path())
        .env("TMPDIR", tmp.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let pid = child.id();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let (mut polled_kib, mut polled_cpu) = (0u64, Duration::ZERO);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        let (kib, cpu) = poll_proc(pid);
        polled_kib = polled_kib.max(kib);
        polled_cpu = polled_cpu.max(cpu);
        if started.elapsed() > HANG_GUARD + Duration::from_secs(5) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("hung: kbundle {args:?} still running after {HANG_GUARD:?}");
        }
        // Sampling for the fallback measurement, not synchronisation.
        std::thread::sleep(Duration::from_millis(5));
    };
    let wall = started.elapsed();
    let stdout = String::from_utf8_lossy(&t_out.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&t_err.join().unwrap()).into_owned();
    // `/usr/bin/time` writes "KiB user system" last (after any note about the status).
    let timed = std::fs::read_to_string(stats.path()).ok().and_then(|s| {
        let line = s.lines().last()?.to_string();
        let mut f = line.split_whitespace();
        let kib = f.next()?.parse::<u64>().ok()?;
        let user = f.next()?.parse::<f64>().ok()?;
        let system = f.next()?.parse::<f64>().ok()?;
        Some((kib, Duration::from_secs_f64(user + system)))
    });
    let (peak_kib, cpu) = timed.unwrap_or((polled_kib, polled_cpu));
    assert_ne!(
        status.code(),
        Some(137),
        "hung: kbundle {args:?} was killed after {HANG_GUARD:?}"
    );
    assert!(
        status.code().is_some(),
        "kbundle {args:?} died of a signal: {stderr}"
    );
    for dir in [cwd.path(), tmp.path()] {
        let left: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(left.is_empty(), "kbundle {args:?} wrote {left:?}");
    }
    Run {
        code: status.code(),
        stdout,
        stderr,
        wall,
        cpu,
        peak_mib: peak_kib / 1024,
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

/// What a case must end with.
#[derive(Debug, Clone, Copy)]
enum Expect<'a> {
    /// Exit 0; stdout holds this text (inspect) .
    Partial(&'a str),
    /// Exit 2, one line on stderr, holding this text.
    Error(&'a str),
    /// Either: exit 0, or exit 2 with one line.
    Either,
}

/// Runs `inspect` (text and JSON) and `analyze` on `path`, checking the outcome, the CPU time
/// (at most `cpu_s` seconds) and the peak memory (at most `limit_mib`). Prints one line per
/// run, for the record in docs/security.md.
fn check(case: &str, path: &Path, inspect: Expect<'_>, cpu_s: u64, limit_mib: u64) {
    check_only(
        &["inspect", "inspect-json", "analyze"],
        case,
        path,
        inspect,
        cpu_s,
        limit_mib,
    );
}

/// [`check`] with only some of `inspect`, `inspect-json` and `analyze`.
fn check_only(
    subs: &[&str],
    case: &str,
    path: &Path,
    inspect: Expect<'_>,
    cpu_s: u64,
    limit_mib: u64,
) {
    let limit = Duration::from_secs(cpu_s);
    for &sub in subs {
        let mut args: Vec<OsString> = match sub {
            "inspect-json" => vec!["inspect".into(), "--format".into(), "json".into()],
            s => vec![s.into()],
        };
        args.push(path.into());
        let r = run_bounded(&args);
        let first = r.stderr.lines().next().unwrap_or_default();
        eprintln!(
            "corpus {case:<22} {sub:<12} exit {:?} {:>6.2}s ({:>6.2}s CPU) {:>5} MiB  {}",
            r.code,
            r.wall.as_secs_f64(),
            r.cpu.as_secs_f64(),
            r.peak_mib,
            if r.code == Some(0) {
                "(partial result)"
            } else {
                first
            }
        );
        assert!(
            r.peak_mib <= limit_mib,
            "{case} {sub}: peak {} MiB over {limit_mib} MiB",
            r.peak_mib
        );
        assert!(
            r.cpu <= limit,
            "{case} {sub}: {:?} of CPU, over {limit:?}",
            r.cpu
        );
        assert!(!r.stderr.contains("panicked"), "{case} {sub}: {}", r.stderr);
        let one_line_error = |want: &str| {
            assert_eq!(r.code, Some(2), "{case} {sub}: {}{}", r.stdout, r.stderr);
            assert_eq!(r.stderr.lines().count(), 1, "{case} {sub}: {}", r.stderr);
            assert!(
                r.stderr.starts_with("kbundle: ") && r.stderr.contains(want),
                "{case} {sub}: {}",
                r.stderr
            );
        };
        match (sub, inspect) {
            ("inspect", Expect::Partial(want)) => {
                assert_eq!(r.code, Some(0), "{case} {sub}: {}", r.stderr);
                assert!(r.stdout.contains(want), "{case}: {}", r.stdout);
            }
            ("inspect-json", Expect::Partial(_)) => {
                assert_eq!(r.code, Some(0), "{case} {sub}: {}", r.stderr);
                let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
                assert!(json["inputs"].is_array());
            }
            (_, Expect::Error(want)) => one_line_error(want),
            // analyze of a partial input: a report, or "no objects" when nothing was usable.
            ("analyze", Expect::Partial(_)) | (_, Expect::Either) => {
                if r.code != Some(0) {
                    assert_eq!(r.stderr.lines().count(), 1, "{case} {sub}: {}", r.stderr);
                    assert!(
                        r.stderr.starts_with("kbundle: "),
                        "{case} {sub}: {}",
                        r.stderr
                    );
                }
            }
            _ => unreachable!(),
        }
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A raw deflate stream of `data`, made by the bundle writer (the e2e tests have no
/// compression library of their own): (stream, crc).
fn deflate(data: &[u8]) -> (Vec<u8>, u32) {
    let mut w = kbundle_format::BundleWriter::new(std::io::Cursor::new(Vec::new()));
    w.add("x", data).unwrap();
    let zip = w
        .finish_into(kbundle_format::Manifest::new("0", "2025-01-01T00:00:00Z"))
        .unwrap()
        .into_inner();
    let cd = zip.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    let u32_at = |at: usize| u32::from_le_bytes(zip[at..at + 4].try_into().unwrap());
    let u16_at = |at: usize| usize::from(u16::from_le_bytes(zip[at..at + 2].try_into().unwrap()));
    let (crc, csize, local) = (
        u32_at(cd + 16),
        u32_at(cd + 20) as usize,
        u32_at(cd + 42) as usize,
    );
    let start = local + 30 + u16_at(local + 26) + u16_at(local + 28);
    (zip[start..start + csize].to_vec(), crc)
}

const NS_JSON: &[u8] =
    br#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"calico-system"}}"#;

/// A pod of the default workload, so that the analyzer reads its logs.
const POD_JSON: &[u8] = br#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"calico-kube-controllers-7d4f","namespace":"calico-system","creationTimestamp":"2025-03-14T09:00:00Z","labels":{"k8s-app":"calico-kube-controllers"}},"spec":{"nodeName":"10.0.0.1","containers":[{"name":"calico-kube-controllers","image":"calico/kube-controllers:v3.28.0"}]},"status":{"phase":"Running"}}"#;

const LOG: &str = "logs/calico-system/calico-kube-controllers-7d4f/calico-kube-controllers.log";

#[test]
fn hostile_names_links_and_nesting() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let names: [&[u8]; 9] = [
        b"../../etc/passwd",
        b"/etc/shadow",
        b"C:/Windows/win.ini",
        b"a\\..\\b.log",
        b"a\0b.log",
        b"a\x1b[2Jclear.log",
        b"a\nb.log",
        b"\xff\xfe.log",
        b"ns.json",
    ];
    let mut entries: Vec<ZipEntry> = names.iter().map(|n| ZipEntry::stored(n, NS_JSON)).collect();
    entries.push(ZipEntry::stored(
        format!("{}x.json", "d/".repeat(5_000)),
        NS_JSON,
    ));
    let p = write(dir.path(), "names.zip", &zip(&entries, &[]));
    check(
        "zip-slip names",
        &p,
        Expect::Partial("parent-directory"),
        60,
        256,
    );
    let r = run_bounded(&["inspect".into(), p.clone()].map(OsString::from));
    assert!(
        !r.stdout.contains('\x1b'),
        "escape sequences reach the terminal"
    );

    let mut t = Vec::new();
    tar_entry(&mut t, b"b/link", TAR_SYMLINK, b"", b"/etc");
    tar_entry(&mut t, b"b/hard", TAR_HARDLINK, b"", b"/etc/shadow");
    tar_entry(&mut t, b"b/link/passwd", TAR_FILE, NS_JSON, b"");
    tar_entry(&mut t, b"../../escape.json", TAR_FILE, NS_JSON, b"");
    tar_entry(&mut t, b"b/fifo", TAR_FIFO, b"", b"");
    tar_end(&mut t);
    let p = write(dir.path(), "links.tar", &t);
    check("tar links", &p, Expect::Partial("symbolic link"), 60, 256);
    let p = write(dir.path(), "links.tar.gz", &gzip_stored(&t));
    check("tar.gz links", &p, Expect::Partial("hard link"), 60, 256);

    let deep = dir.path().join("deep");
    let mut d = deep.clone();
    for _ in 0..100 {
        d.push("d");
    }
    std::fs::create_dir_all(&d).unwrap();
    write(&d, "x.json", NS_JSON);
    write(&deep, "ns.json", NS_JSON);
    check(
        "deep folder",
        &deep,
        Expect::Partial("nested too deeply"),
        60,
        256,
    );
}

#[test]
fn hundred_thousand_entries() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let entries: Vec<ZipEntry> = (0..100_000)
        .map(|i| {
            ZipEntry::stored(
                format!("logs/calico-system/p{}/c{}.log", i / 100, i % 100),
                b"2025-03-14 09:12:01.123 [ERROR][1] main.go 1: x\n",
            )
        })
        .chain([ZipEntry::stored("pod.json", POD_JSON)])
        .take(100_000)
        .collect();
    let p = write(dir.path(), "many.zip", &zip(&entries, &[]));
    check(
        "100,000 entries zip",
        &p,
        Expect::Partial("entries"),
        120,
        1024,
    );
    let p = write(dir.path(), "many.tar.gz", &many_tar_gz());
    check_only(
        &["inspect", "inspect-json"],
        "100,000 entries tar.gz",
        &p,
        Expect::Partial("entries"),
        240,
        1024,
    );
    let too_many: Vec<ZipEntry> = (0..100_001)
        .map(|i| ZipEntry::stored(format!("{i}.log"), b"x"))
        .collect();
    let p = write(dir.path(), "too-many.zip", &zip(&too_many, &[]));
    check(
        "100,001 entries zip",
        &p,
        Expect::Error("number of entries exceeds the limit of 100000"),
        60,
        1024,
    );
}

/// 100,000 logs in a tar.gz.
fn many_tar_gz() -> Vec<u8> {
    let mut t = Vec::new();
    for i in 0..100_000 {
        tar_entry(
            &mut t,
            format!("logs/calico-system/p{}/c{}.log", i / 100, i % 100).as_bytes(),
            TAR_FILE,
            b"2025-03-14 09:12:01.123 [ERROR][1] main.go 1: x\n",
            b"",
        );
    }
    tar_end(&mut t);
    gzip_stored(&t)
}

/// `kbundle analyze` reads every log, in its own order (not the container's): over a tar.gz,
/// small entries are kept in memory at open, so this costs no further pass.
#[test]
fn hundred_thousand_entries_tar_gz_analyze() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "many.tar.gz", &many_tar_gz());
    check_only(
        &["analyze"],
        "100,000 entries tar.gz",
        &p,
        Expect::Partial(""),
        240,
        1024,
    );
}

#[test]
fn bombs_and_lying_sizes() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // 10 GiB declared in the zip64 fields of both headers.
    let (small, crc) = deflate(b"small");
    let big = ZipEntry::deflated(LOG, small.clone(), crc, 10 << 30);
    let p = write(
        dir.path(),
        "10g.zip",
        &zip(&[big, ZipEntry::stored("pod.json", POD_JSON)], &[]),
    );
    check("10 GiB declared", &p, Expect::Partial("zip bomb"), 60, 256);

    // 1000:1: 64 MiB of zeros in 64 KiB.
    let (bomb, crc) = deflate(&vec![0u8; 64 << 20]);
    assert!((64u64 << 20) / bomb.len() as u64 > 1000);
    let entries = [
        ZipEntry::deflated(LOG, bomb.clone(), crc, 64 << 20),
        ZipEntry::stored("pod.json", POD_JSON),
    ];
    let p = write(dir.path(), "bomb.zip", &zip(&entries, &[]));
    check("1000:1 zip bomb", &p, Expect::Partial("zip bomb"), 60, 256);

    // The same ratio in 1 MiB entries (under the per-entry floor): the archive's ratio.
    let (mib, crc) = deflate(&vec![0u8; 1 << 20]);
    let entries: Vec<ZipEntry> = (0..1024)
        .map(|i| {
            ZipEntry::deflated(
                format!("logs/calico-system/p/c{i}.log"),
                mib.clone(),
                crc,
                1 << 20,
            )
        })
        .collect();
    let p = write(dir.path(), "spread-bomb.zip", &zip(&entries, &[]));
    check(
        "1000:1 in 1 MiB entries",
        &p,
        Expect::Error("zip compression ratio exceeds the limit of 200:1"),
        60,
        256,
    );

    // Overlapping entries: 10,000 central-directory records for one local header.
    let entries = [
        ZipEntry::deflated(LOG, mib.clone(), crc, 1 << 20),
        ZipEntry::stored("pod.json", POD_JSON),
    ];
    let aliases: Vec<(Vec<u8>, usize)> = (0..10_000)
        .map(|i| (format!("logs/calico-system/p{i}/c.log").into_bytes(), 0))
        .collect();
    let p = write(dir.path(), "overlap.zip", &zip(&entries, &aliases));
    check(
        "overlapping entries",
        &p,
        Expect::Partial("overlapping zip entries"),
        60,
        256,
    );

    // tar.gz whose one entry is a bomb: stopped in the middle of the entry.
    let mut t = tar_header(b"logs/calico-system/p/c.log", TAR_FILE, 256 << 20, b"").to_vec();
    t.resize(512 + (256 << 20) + 1024, 0);
    let (stream, crc) = deflate(&t);
    drop(t);
    let p = write(
        dir.path(),
        "bomb.tar.gz",
        &gzip(&stream, crc, 512 + (256 << 20) + 1024),
    );
    check(
        "1000:1 tar.gz bomb",
        &p,
        Expect::Error("gzip compression ratio exceeds the limit of 200:1"),
        60,
        256,
    );

    // An entry that yields more than it declares.
    let body = vec![b' '; 1 << 20];
    let (stream, crc) = deflate(&body);
    let lie = ZipEntry::deflated("pods.json", stream, crc, 10);
    let p = write(dir.path(), "lie.zip", &zip(&[lie], &[]));
    check("more than declared", &p, Expect::Either, 60, 256);

    // A zip inside a zip is an entry, not opened.
    let p = write(
        dir.path(),
        "outer.zip",
        &zip(
            &[
                ZipEntry::stored("inner.zip", &sample_zip()),
                ZipEntry::stored("pod.json", POD_JSON),
            ],
            &[],
        ),
    );
    check("zip in zip", &p, Expect::Partial("Pod (v1)"), 60, 256);
}

#[test]
fn truncated_flipped_and_trailing_garbage() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let z = sample_zip();
    let p = write(dir.path(), "cut.zip", &z[..z.len() / 2]);
    check(
        "truncated zip",
        &p,
        Expect::Error("corrupt or truncated zip archive"),
        60,
        256,
    );
    let tgz = gzip_stored(&sample_tar());
    let p = write(dir.path(), "cut.tar.gz", &tgz[..tgz.len() * 2 / 3]);
    check(
        "truncated tar.gz",
        &p,
        Expect::Error("corrupt or truncated"),
        60,
        256,
    );
    let t = sample_tar();
    let p = write(dir.path(), "cut.tar", &t[..1000]);
    check(
        "truncated tar",
        &p,
        Expect::Error("corrupt or truncated tar archive"),
        60,
        256,
    );
    for (i, at) in [10usize, 200, 700, 1500].into_iter().enumerate() {
        let mut b = t.clone();
        b[at] ^= 0x5a;
        let p = write(dir.path(), &format!("flip{i}.tar"), &b);
        check("bit-flipped tar", &p, Expect::Either, 60, 256);
        let mut b = z.clone();
        let at = at % b.len();
        b[at] ^= 0x5a;
        let p = write(dir.path(), &format!("flip{i}.zip"), &b);
        check("bit-flipped zip", &p, Expect::Either, 60, 256);
    }
    let mut gz = gzip_stored(&sample_tar());
    gz.extend_from_slice(b"\0\0 trailing garbage \xff\xff");
    let p = write(dir.path(), "garbage.tar.gz", &gz);
    check(
        "gzip trailing garbage",
        &p,
        Expect::Partial("Pod (v1)"),
        60,
        256,
    );
}

#[test]
fn deep_documents_invalid_utf8_and_big_texts() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let n = 10_000;
    let entries = [
        ZipEntry::stored(
            "deep.json",
            format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n)).as_bytes(),
        ),
        ZipEntry::stored(
            "deep.yaml",
            format!("{}{}", "[".repeat(n), "]".repeat(n)).as_bytes(),
        ),
        ZipEntry::stored("bad-utf8.json", b"{\"apiVersion\":\"v1\xff\xfe\"}"),
        ZipEntry::stored(LOG, b"2025-03-14 09:12:01.123 [ERROR][1] \xff\xfe\xc0 x\n"),
        ZipEntry::stored("pod.json", POD_JSON),
    ];
    let p = write(dir.path(), "deep.zip", &zip(&entries, &[]));
    check("JSON 10,000 deep", &p, Expect::Partial("Pod (v1)"), 60, 256);

    // A 100 MB describe text, alone and in a folder.
    let text = dir.path().join("describe");
    std::fs::create_dir(&text).unwrap();
    let path = text.join("describe-pod.txt");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(b"Name:         calico-kube-controllers-7d4f\nNamespace:    calico-system\nStatus:       Running\nEvents:\n  Type     Reason   Age   From     Message\n  ----     ------   ----  ----     -------\n").unwrap();
    let line = b"  Warning  BackOff  2m    kubelet  Back-off restarting failed container calico-kube-controllers in pod calico-kube-controllers-7d4f\n";
    let mut written = 0;
    while written < 100_000_000 {
        f.write_all(line).unwrap();
        written += line.len();
    }
    f.flush().unwrap();
    drop(f);
    check(
        "describe 100 MB",
        &path,
        Expect::Partial("describe"),
        120,
        512,
    );
    check(
        "describe 100 MB folder",
        &text,
        Expect::Partial("describe"),
        120,
        512,
    );

    // Just under the analyzer's 16 MiB limit for a describe text, so it is parsed: 15 MB of
    // pod descriptions (about 50,000 objects).
    let many = dir.path().join("describe-pods.txt");
    let block = "Name:         calico-kube-controllers-7d4f\nNamespace:    calico-system\nStatus:       Running\nContainers:\n  c:\n    State:   Waiting\n      Reason:  CrashLoopBackOff\nEvents:\n  Type     Reason   Age   From     Message\n  ----     ------   ----  ----     -------\n  Warning  BackOff  2m    kubelet  Back-off\n";
    std::fs::write(&many, block.repeat(15_000_000 / block.len())).unwrap();
    check(
        "describe 15 MB parsed",
        &many,
        Expect::Partial("describe"),
        120,
        1024,
    );
}

/// A 2 GiB line: in a zip at 158:1 (under the ratio limit, so it is read), and as a sparse file
/// in a folder. `inspect` never reads logs.
#[test]
fn two_gib_single_line_log() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    for (case, path) in two_gib_inputs(dir.path()) {
        check_only(
            &["inspect", "inspect-json"],
            case,
            &path,
            Expect::Partial("Pod (v1)"),
            300,
            512,
        );
    }
}

/// `kbundle analyze` streams logs: a 2 GiB line is not held in memory.
#[test]
fn two_gib_single_line_log_analyze() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    for (case, path) in two_gib_inputs(dir.path()) {
        check_only(
            &["analyze"],
            case,
            &path,
            Expect::Partial("Pod (v1)"),
            300,
            512,
        );
    }
}

fn two_gib_inputs(dir: &Path) -> Vec<(&'static str, PathBuf)> {
    const TWO_GIB: u64 = 1 << 31;
    let folder = dir.join("sparse");
    let log = folder.join(LOG);
    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
    std::fs::File::create(&log)
        .unwrap()
        .set_len(TWO_GIB)
        .unwrap();
    write(&folder, "pod.json", POD_JSON);
    let entries = [
        ZipEntry::deflated(LOG, deflate_run(b'a', TWO_GIB), CRC_2GIB_A, TWO_GIB),
        ZipEntry::stored("pod.json", POD_JSON),
    ];
    let zipped = write(dir, "line.zip", &zip(&entries, &[]));
    vec![
        ("2 GiB line (folder)", folder),
        ("2 GiB line (zip 158:1)", zipped),
    ]
}
