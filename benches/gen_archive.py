#!/usr/bin/env python3
"""Generate a large support archive for the analyze benchmark.

The archive is a zip in kbundle's generic layout (see docs/inputs.md): `pods.json` with the pods,
`describe/<pod>.describe.txt`, and `logs/<ns>/<pod>/<container>[.previous].log` holding realistic
calico-kube-controllers log lines (Calico logrus and klog formats) with one ERROR line in a few
thousand. Deterministic for the same arguments.

usage: gen_archive.py OUT.zip [--bytes N] [--pods N]
"""
import argparse
import json
import random
import zipfile
from datetime import datetime, timedelta, timezone

NS = "calico-system"

INFO = [
    "[INFO][1] main.go 99: Loaded configuration from environment config=&config.Config{LogLevel:\"info\", WorkloadEndpointWorkers:1, ProfileWorkers:1, PolicyWorkers:1, NodeWorkers:1, Kubeconfig:\"\", DatastoreType:\"kubernetes\"}",
    "[INFO][1] resources.go 350: Main client watcher loop",
    "[INFO][1] ipam.go 1018: Checking for leaked IP addresses",
    "[INFO][1] ipam_allocation.go 203: Garbage collecting leaked IP address handle=\"k8s-pod-network.3f2a\" ip=\"172.30.{a}.{b}\" node=\"10.240.0.{c}\"",
    "[INFO][1] watchercache.go 181: Full resync is required ListRoot=\"/calico/resources/v3/projectcalico.org/nodes\"",
    "[INFO][1] watchercache.go 194: Failed to perform list of current data during resync ListRoot=\"/calico/ipam/v2/assignment/\" error=too old resource version: 10234 (10567)",
    "[INFO][1] hostendpoints.go 90: Syncing host endpoints for node node=\"10.240.64.{c}\"",
    "[INFO][1] kdd.go 167: Node and IPAM data is in sync",
    "[INFO][1] node_controller.go 146: Syncer is InSync, kicking sync channel status=in-sync",
    "[INFO][1] runconfig.go 162: Loaded configuration from datastore config=&v3.KubeControllersConfiguration{TypeMeta:v1.TypeMeta{Kind:\"KubeControllersConfiguration\"}}",
]
KLOG = "I{md} {hms}.{us:06d}       1 leaderelection.go:{line}] successfully renewed lease calico-system/calico-kube-controllers"
ERRORS = [
    "[ERROR][1] client.go 272: Error getting cluster information config ClusterInformation=\"default\" error=Get \"https://172.21.0.1:443/apis/crd.projectcalico.org/v1/clusterinformations/default\": context deadline exceeded",
    "[ERROR][1] main.go 297: Received bad status code from apiserver error=an error on the server (\"\") has prevented the request from succeeding status=500",
    "[ERROR][1] resources.go 421: Failed to list resource error=Unauthorized",
]


def log_bytes(rng, start, size, with_fatal):
    out = []
    written = 0
    t = start
    n = 0
    while written < size:
        t += timedelta(milliseconds=rng.randint(1, 400))
        n += 1
        if n % 3000 == 0:
            msg = rng.choice(ERRORS)
        elif n % 17 == 0:
            line = KLOG.format(
                md=t.strftime("%m%d"), hms=t.strftime("%H:%M:%S"), us=t.microsecond, line=rng.randint(200, 300)
            )
            out.append(line)
            written += len(line) + 1
            continue
        else:
            msg = (
                rng.choice(INFO)
                .replace("{a}", str(rng.randint(0, 255)))
                .replace("{b}", str(rng.randint(0, 255)))
                .replace("{c}", str(rng.randint(1, 250)))
            )
        line = f"{t.strftime('%Y-%m-%d %H:%M:%S')}.{t.microsecond // 1000:03d} {msg}"
        out.append(line)
        written += len(line) + 1
    if with_fatal:
        out.append(f"{t.strftime('%Y-%m-%d %H:%M:%S')}.000 [FATAL][1] main.go 142: Failed to initialize Calico datastore error=context deadline exceeded")
    return ("\n".join(out) + "\n").encode()


def pod(i, node):
    name = f"calico-kube-controllers-5f6b8d9c47-b{i:04d}"
    return name, {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": NS,
            "uid": f"00000000-0000-4000-8000-{i:012d}",
            "creationTimestamp": "2025-03-10T08:00:00Z",
            "labels": {"k8s-app": "calico-kube-controllers"},
        },
        "spec": {
            "nodeName": node,
            "containers": [
                {
                    "name": "calico-kube-controllers",
                    "image": "icr.io/ext/calico/kube-controllers:v3.28.2",
                    "resources": {"limits": {"memory": "128Mi"}, "requests": {"cpu": "10m", "memory": "64Mi"}},
                }
            ],
        },
        "status": {
            "phase": "Running",
            "startTime": "2025-03-10T08:00:01Z",
            "containerStatuses": [
                {
                    "name": "calico-kube-controllers",
                    "image": "icr.io/ext/calico/kube-controllers:v3.28.2",
                    "imageID": "",
                    "ready": True,
                    "restartCount": 2,
                    "state": {"running": {"startedAt": "2025-03-14T08:00:00Z"}},
                    "lastState": {
                        "terminated": {
                            "exitCode": 1,
                            "reason": "Error",
                            "startedAt": "2025-03-13T08:00:00Z",
                            "finishedAt": "2025-03-14T07:59:58Z",
                        }
                    },
                }
            ],
        },
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--bytes", type=int, default=1 << 30, help="uncompressed log bytes in all (default 1 GiB)")
    p.add_argument("--pods", type=int, default=16)
    args = p.parse_args()
    rng = random.Random(42)
    per_log = args.bytes // (args.pods * 2)
    start = datetime(2025, 3, 13, 8, 0, 0, tzinfo=timezone.utc)
    pods = []
    with zipfile.ZipFile(args.out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for i in range(args.pods):
            node = f"10.240.0.{i + 1}"
            name, obj = pod(i, node)
            pods.append(obj)
            z.writestr(f"describe/{name}.describe.txt", f"Name:             {name}\nNamespace:        {NS}\nNode:             {node}/{node}\nStatus:           Running\n")
            z.writestr(f"logs/{NS}/{name}/calico-kube-controllers.previous.log", log_bytes(rng, start, per_log, True))
            z.writestr(f"logs/{NS}/{name}/calico-kube-controllers.log", log_bytes(rng, start + timedelta(days=1), per_log, False))
        z.writestr("pods.json", json.dumps({"apiVersion": "v1", "kind": "List", "items": pods}, indent=2))
        z.writestr("version.json", json.dumps({"major": "1", "minor": "30", "gitVersion": "v1.30.6+IKS"}))


if __name__ == "__main__":
    main()
