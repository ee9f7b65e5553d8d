#!/usr/bin/env python3
"""Generate a namespace of N pods, each with one log, as a folder `kbundle serve` takes.

Used by benches/collect.sh and benches/profile-collect.sh: `ns/pods.json` (namespace `big`),
`ns/nodes.json` (ten nodes), `ns/namespace.json`, and for every pod `logs/big/<pod>/main.log` and
`main.previous.log` of LOG_KIB KiB each: every pod restarted once, its container's previous
instance ended in a fatal error (the case of issue 18: "50 pods with 256 KiB current and previous
logs each"; `kubectl cluster-info dump` reads only the current ones). PREVIOUS=0 leaves the
previous logs and the restart out (the shape of the benchmarks before 2026-12-07). Deterministic.

The log is chosen by LOG_STYLE:
- `calico` (default): the runbook's calico-kube-controllers log (Calico logrus and klog lines),
  from the generator of benches/gen_archive.py, the one home of generated logs;
- `random-id`: klog lines with a request number, a duration and a random 64-bit id (16 hex
  digits) each, the worst case for deflate.

usage: [LOG_STYLE=calico|random-id] gen_namespace.py PODS DIR LOG_KIB
"""
import json
import os
import random
import sys
from datetime import datetime, timezone

from gen_archive import log_bytes


def random_id_log(rng, size):
    out = []
    written = 0
    line = 0
    while written < size:
        s = f"I0314 09:{line % 60:02d}:00.000000 1 worker.go:42] request {line} took {rng.randint(1, 999)}ms id={rng.getrandbits(64):016x}\n"
        out.append(s)
        written += len(s)
        line += 1
    return "".join(out).encode()


n, root, log_kib = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
style = os.environ.get("LOG_STYLE", "calico")
previous = os.environ.get("PREVIOUS", "1") != "0"
if style not in ("calico", "random-id"):
    sys.exit(f"gen_namespace.py: LOG_STYLE must be calico or random-id, not {style!r}")
os.makedirs(os.path.join(root, "ns"), exist_ok=True)
rng = random.Random(42)
start = datetime(2025, 3, 14, 8, 0, 0, tzinfo=timezone.utc)
items = []
for i in range(n):
    name = f"big-{i:04d}"
    items.append({
        "metadata": {"name": name, "namespace": "big", "uid": f"uid-{i}",
                     "creationTimestamp": "2025-03-14T08:00:00Z", "labels": {"app": "big"}},
        "spec": {"nodeName": f"10.0.0.{i % 10}", "containers": [{"name": "main", "image": "registry.example/app:1.0"}]},
        "status": {"phase": "Running", "startTime": "2025-03-14T08:00:00Z"},
    })
    if previous:
        items[-1]["status"]["containerStatuses"] = [{
            "name": "main", "image": "registry.example/app:1.0", "ready": True, "restartCount": 1,
            "state": {"running": {"startedAt": "2025-03-14T09:00:00Z"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                                         "startedAt": "2025-03-14T08:00:00Z",
                                         "finishedAt": "2025-03-14T08:59:00Z"}},
        }]
    d = os.path.join(root, "logs", "big", name)
    os.makedirs(d, exist_ok=True)
    size = log_kib * 1024
    for file, ended in [("main.log", False)] + ([("main.previous.log", True)] if previous else []):
        log = random_id_log(rng, size) if style == "random-id" else log_bytes(rng, start, size, ended)
        with open(os.path.join(d, file), "wb") as f:
            f.write(log)
with open(os.path.join(root, "ns", "pods.json"), "w") as f:
    json.dump({"apiVersion": "v1", "kind": "PodList", "items": items}, f)
nodes = [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"10.0.0.{i}", "uid": f"node-{i}"},
          "status": {"conditions": [{"type": "Ready", "status": "True"}]}} for i in range(10)]
with open(os.path.join(root, "ns", "nodes.json"), "w") as f:
    json.dump({"apiVersion": "v1", "kind": "List", "items": nodes}, f)
with open(os.path.join(root, "ns", "namespace.json"), "w") as f:
    json.dump({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "big"}}, f)
