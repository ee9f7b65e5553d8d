//! The analyzer (its log signature scanner and every rule) on a snapshot whose
//! calico-kube-controllers log, and a describe text, are the fuzz input.
#![no_main]

use kbundle_analyzer::{Options, analyze};
use kbundle_format::{Archive, BundleWriter, Limits, Manifest, Snapshot};
use libfuzzer_sys::fuzz_target;

const POD: &[u8] = br#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"calico-kube-controllers-7d4f","namespace":"calico-system","creationTimestamp":"2025-03-14T09:00:00Z","labels":{"k8s-app":"calico-kube-controllers"}},"spec":{"nodeName":"10.0.0.1","containers":[{"name":"calico-kube-controllers","image":"calico/kube-controllers:v3.28.0"}]},"status":{"phase":"Running","containerStatuses":[{"name":"calico-kube-controllers","restartCount":3,"ready":false}]}}"#;

fn bundle(log: &[u8]) -> Option<Vec<u8>> {
    let mut w = BundleWriter::new(std::io::Cursor::new(Vec::new()));
    w.add(
        "namespaces/calico-system/pods/calico-kube-controllers-7d4f/pod.json",
        POD,
    )
    .ok()?;
    w.add(
        "namespaces/calico-system/pods/calico-kube-controllers-7d4f/logs/calico-kube-controllers.log",
        log,
    )
    .ok()?;
    w.add(
        "namespaces/calico-system/pods/calico-kube-controllers-7d4f/logs/calico-kube-controllers.previous.log",
        log,
    )
    .ok()?;
    w.add(
        "namespaces/calico-system/pods/calico-kube-controllers-7d4f/describe.txt",
        log,
    )
    .ok()?;
    Some(
        w.finish_into(Manifest::new("0.1.0", "2025-03-14T09:30:00Z"))
            .ok()?
            .into_inner(),
    )
}

fuzz_target!(|data: &[u8]| {
    let Some(zip) = bundle(data) else {
        return;
    };
    let Ok(archive) = Archive::from_bytes("fuzz.zip", zip, Limits::default()) else {
        return;
    };
    let mut snapshot = Snapshot::new();
    if snapshot.add_archive(archive).is_ok() {
        let _ = analyze(&snapshot, &Options::default());
    }
});
