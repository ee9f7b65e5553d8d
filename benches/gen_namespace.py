#!/usr/bin/env python3
"""Generate a namespace of N pods, each with one log, as a folder `kbundle serve` takes.

Used by benches/collect.sh and benches/profile-collect.sh: `ns/pods.json` (namespace `big`),
`ns/nodes.json` (ten nodes), `ns/namespace.json`, and `logs/big/<pod>/main.log` of LOG_KIB KiB
each, klog lines with a request number, a duration and a random 64-bit id. Deterministic.

usage: gen_namespace.py PODS DIR LOG_KIB
"""
import json
import os
import random
import sys

n, root, log_kib = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
os.makedirs(os.path.join(root, "ns"), exist_ok=True)
rng = random.Random(42)
items = []
for i in range(n):
    name = f"big-{i:04d}"
    items.append({
        "metadata": {"name": name, "namespace": "big", "uid": f"uid-{i}",
                     "creationTimestamp": "2025-03-14T08:00:00Z", "labels": {"app": "big"}},
        "spec": {"nodeName": f"10.0.0.{i % 10}", "containers": [{"name": "main", "image": "registry.example/app:1.0"}]},
        "status": {"phase": "Running", "startTime": "2025-03-14T08:00:00Z"},
    })
    d = os.path.join(root, "logs", "big", name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "main.log"), "w") as f:
        line = 0
        size = 0
        while size < log_kib * 1024:
            s = f"I0314 09:{line % 60:02d}:00.000000 1 worker.go:42] request {line} took {rng.randint(1, 999)}ms id={rng.getrandbits(64):016x}\n"
            f.write(s)
            size += len(s)
            line += 1
with open(os.path.join(root, "ns", "pods.json"), "w") as f:
    json.dump({"apiVersion": "v1", "kind": "PodList", "items": items}, f)
nodes = [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"10.0.0.{i}", "uid": f"node-{i}"},
          "status": {"conditions": [{"type": "Ready", "status": "True"}]}} for i in range(10)]
with open(os.path.join(root, "ns", "nodes.json"), "w") as f:
    json.dump({"apiVersion": "v1", "kind": "List", "items": nodes}, f)
with open(os.path.join(root, "ns", "namespace.json"), "w") as f:
    json.dump({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "big"}}, f)
