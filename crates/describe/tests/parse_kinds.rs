//! The parser on pasted describes of DaemonSets, StatefulSets, Services, Jobs and PVCs: a
//! real kubectl 1.32 session (prompt lines, CRLF, the last describe cut off) and older
//! layouts quoted from public issues (each test names its source).

use kbundle_describe::{Described, parse};

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The one object of a text.
fn one(text: &str) -> Described {
    let mut found = parse(text);
    assert_eq!(found.len(), 1, "{found:#?}");
    found.remove(0)
}

#[test]
fn kubectl132_session_with_prompts_crlf_and_a_cut_off_end() {
    let found = parse(&data("kubectl132_kinds_session_crlf.txt"));
    let [
        Described::StatefulSet(sts),
        Described::Service(svc),
        Described::Job(job),
        Described::DaemonSet(ds),
        Described::PersistentVolumeClaim(pvc),
    ] = found.as_slice()
    else {
        panic!("expected five objects: {found:#?}");
    };
    assert_eq!((sts.line, sts.name.as_str()), (5, "db"));
    assert_eq!(
        (sts.desired, sts.total, sts.partition),
        (Some(3), Some(2), Some(1))
    );
    assert_eq!(sts.volume_claims, ["data", "wal"]);
    assert_eq!(sts.pods_status.as_ref().map(|p| p.waiting), Some(1));
    assert_eq!(sts.events.len(), 2);
    assert_eq!(sts.events[1].reason, "FailedCreate");
    assert_eq!(sts.events[1].count, Some(9));

    assert_eq!(svc.name, "headless");
    assert_eq!(svc.cluster_ip.as_deref(), Some("None"));
    assert_eq!(svc.selector.as_deref(), Some("app=db"));
    assert_eq!(svc.ports.len(), 1);
    assert_eq!(svc.ports[0].target_port.as_deref(), Some("pg"));
    assert_eq!(svc.ports[0].endpoints.len(), 3);
    assert_eq!(svc.ports[0].more_endpoints, 2);
    assert!(svc.events.is_empty());

    assert_eq!(job.name, "migrate");
    assert_eq!(job.backoff_limit, Some(2));
    assert_eq!(job.suspend, Some(false));
    assert_eq!(
        job.pods.as_ref().map(|p| (p.active, p.failed)),
        Some((0, 3))
    );
    assert_eq!(
        job.events.last().map(|e| e.reason.as_str()),
        Some("BackoffLimitExceeded")
    );

    assert_eq!(ds.name, "node-agent");
    assert_eq!(
        (ds.desired_scheduled, ds.available, ds.misscheduled),
        (Some(3), Some(1), Some(1))
    );
    assert_eq!(ds.pods_status.as_ref().map(|p| p.failed), Some(1));
    assert_eq!(ds.events[1].count, Some(5));

    // Cut off after `VolumeMode:    Filesy`: what was read is kept.
    assert_eq!(pvc.name, "data-db-0");
    assert_eq!(pvc.status.as_deref(), Some("Bound"));
    assert_eq!(pvc.capacity.as_deref(), Some("20Gi"));
    assert_eq!(pvc.access_modes, ["RWO"]);
    assert_eq!(pvc.volume_mode.as_deref(), Some("Filesy"));
    assert!(pvc.used_by.is_empty());
}

/// From kubernetes/kubernetes issue #67907 (2018): a Pending claim without a storage class,
/// after a prompt line.
#[test]
fn pending_claim_without_storage_class() {
    let text = "$ kubectl describe pvc hub-db-dir -n jhub 
Name:          hub-db-dir
Namespace:     jhub
StorageClass:  
Status:        Pending
Volume:        
Labels:        <none>
Annotations:   <none>
Finalizers:    [kubernetes.io/pvc-protection]
Capacity:      
Access Modes:  
Events:
  Type    Reason         Age                From                         Message
  ----    ------         ----               ----                         -------
  Normal  FailedBinding  3m (x303 over 1h)  persistentvolume-controller  no persistent volumes available for this claim and no storage class is set
";
    let Described::PersistentVolumeClaim(c) = one(text) else {
        panic!("not one claim");
    };
    assert_eq!(c.line, 2);
    assert_eq!(c.status.as_deref(), Some("Pending"));
    assert_eq!((c.storage_class, c.volume, c.capacity), (None, None, None));
    assert!(c.access_modes.is_empty());
    assert_eq!(c.events.len(), 1);
    assert_eq!(c.events[0].count, Some(303));
}

/// From kubevious/helm issue #6 (2020): kubectl before 1.20 printed `Mounted By:`, and the
/// paste lost the trailing spaces of empty values.
#[test]
fn claim_mounted_by_in_the_older_layout() {
    let text = "kubectl describe pvc -n kubevious
Name:          data-kubevious-mysql-0
Namespace:     kubevious
StorageClass:
Status:        Pending
Volume:
Labels:        k8s-app=kubevious-mysql
Annotations:   <none>
Finalizers:    [kubernetes.io/pvc-protection]
Capacity:
Access Modes:
VolumeMode:    Filesystem
Mounted By:    kubevious-mysql-0
Events:
  Type    Reason         Age                        From                         Message
  ----    ------         ----                       ----                         -------
  Normal  FailedBinding  4m54s (x16624 over 2d21h)  persistentvolume-controller  no persistent volumes available for this claim and no storage class is set
";
    let Described::PersistentVolumeClaim(c) = one(text) else {
        panic!("not one claim");
    };
    assert_eq!(c.used_by, ["kubevious-mysql-0"]);
    assert_eq!(c.storage_class, None);
    assert_eq!(c.events[0].count, Some(16624));
}

/// From kubernetes/kubernetes issue #30206 (2016, kubectl 1.2): a DaemonSet with a failed
/// pod, in the layout of the time (`Image(s):`, `No events.`).
#[test]
fn daemonset_in_the_kubectl_1_2_layout() {
    let text = "➜  trident kubectl describe ds dd-agent
Name:       dd-agent
Image(s):   datadog/docker-dd-agent:kubernetes
Selector:   app=dd-agent
Node-Selector:  <none>
Labels:     app=dd-agent
Desired Number of Nodes Scheduled: 3
Current Number of Nodes Scheduled: 3
Number of Nodes Misscheduled: 0
Pods Status:    2 Running / 0 Waiting / 0 Succeeded / 1 Failed
No events.
";
    let Described::DaemonSet(d) = one(text) else {
        panic!("not one daemonset");
    };
    assert_eq!(d.name, "dd-agent");
    assert_eq!(d.node_selector, None);
    assert_eq!((d.desired_scheduled, d.updated_scheduled), (Some(3), None));
    assert_eq!(d.pods_status.map(|p| (p.running, p.failed)), Some((2, 1)));
}

/// From kubernetes/kubernetes issue #96630 (2020, kubectl 1.19): `Pods Statuses:` counted
/// `Running` pods before kubectl 1.23 called them `Active`.
#[test]
fn job_pods_statuses_in_the_older_layout() {
    let text = " kubectl describe jobs test-job
Name:           test-job
Namespace:      default
Selector:       controller-uid=9ea8a3a5-0dae-4fba-af33-7124b4148e53
Labels:         controller-uid=9ea8a3a5-0dae-4fba-af33-7124b4148e53
                job-name=test-job
Annotations:    <none>
Parallelism:    1
Completions:    4
Start Time:     Thu, 19 Nov 2020 15:17:19 +0000
Pods Statuses:  0 Running / 2 Succeeded / 3 Failed
Pod Template:
  Labels:  controller-uid=9ea8a3a5-0dae-4fba-af33-7124b4148e53
           job-name=test-job
  Containers:
   random-error:
    Image:      busybox
Events:
  Type     Reason                Age    From            Message
  ----     ------                ----   ----            -------
  Normal   SuccessfulCreate      2m25s  job-controller  Created pod: test-job-r5s6b
";
    let Described::Job(j) = one(text) else {
        panic!("not one job");
    };
    assert_eq!(j.completions, Some(4));
    assert_eq!(
        j.start_time.map(|t| t.to_string()).as_deref(),
        Some("2020-11-19T15:17:19Z")
    );
    assert_eq!(
        j.pods.map(|p| (p.active, p.ready, p.succeeded, p.failed)),
        Some((0, None, 2, 3))
    );
    assert_eq!(j.events.len(), 1);
}

/// From kubernetes/website issue #6276 (2017): a LoadBalancer service whose paste collapsed
/// `<unset>  80/TCP` to one space and wrapped the pre-1.11 events table at the terminal's
/// width.
#[test]
fn service_with_a_wrapped_pre_1_11_events_table() {
    let text = "Name:                   hippo-cms-service
Namespace:              default
Labels:                 <none>
Annotations:            <none>
Selector:               app=hippo-cms-web
Type:                   LoadBalancer
IP:                     10.43.199.209
Port:                   <unset> 80/TCP
NodePort:               <unset> 30416/TCP
Endpoints:              10.42.106.64:8080,10.42.87.183:8080
Session Affinity:       ClientIP
Events:
  FirstSeen     LastSeen        Count   From                    SubObjectPath   Type            Reason                 M
essage

  50s           15s             4       service-controller                      Normal          CreatingLoadBalancer   C
reating load balancer
";
    let Described::Service(s) = one(text) else {
        panic!("not one service");
    };
    assert_eq!(s.type_.as_deref(), Some("LoadBalancer"));
    assert_eq!(s.session_affinity.as_deref(), Some("ClientIP"));
    assert_eq!(s.ports.len(), 1);
    let p = &s.ports[0];
    assert_eq!(
        (p.name.clone(), p.port, p.node_port),
        (None, Some(80), Some(30416))
    );
    assert_eq!(p.endpoints, ["10.42.106.64:8080", "10.42.87.183:8080"]);
    assert_eq!(s.events.len(), 1);
    assert_eq!(s.events[0].reason, "CreatingLoadBalancer");
    assert_eq!(s.events[0].count, Some(4));
}
