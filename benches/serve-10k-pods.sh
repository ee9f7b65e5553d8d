#!/usr/bin/env bash
# Benchmark: `kubectl get pods -A` against `kbundle serve` on a 10,000-pod snapshot, compared
# with jq (and python3's json module) reading the same objects.
#
# Usage: benches/serve-10k-pods.sh [PODS]   (builds kbundle in release mode first)
# env:   KBUNDLE=path/to/kbundle (default: builds target/release/kbundle)
#        RESULTS=F   append one tab-separated line per target to F (benches/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
pods="${1:-10000}"
work="$(mktemp -d)"
results="${RESULTS:-/dev/null}"
server_pid=""
paged_pid=""
cleanup() {
  for pid in $server_pid $paged_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

kubectl_bin="$(command -v kubectl.1.32 || true)"
if [ -z "$kubectl_bin" ]; then
  kubectl_bin="$(dirname "$(readlink -f "$(command -v kubectl)")")/kubectl.1.32"
fi
[ -x "$kubectl_bin" ] || { echo "kubectl.1.32 not found" >&2; exit 1; }

echo "== generating $pods pods in $work/snapshot"
mkdir -p "$work/snapshot/cluster"
python3 - "$pods" "$work/snapshot" <<'PY'
import json, sys
n, root = int(sys.argv[1]), sys.argv[2]
items = []
for i in range(n):
    ns = f"ns-{i % 50}"
    items.append({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": f"pod-{i:05d}", "namespace": ns, "uid": f"uid-{i}",
                     "resourceVersion": str(1000 + i), "creationTimestamp": "2025-03-14T08:00:00Z",
                     "labels": {"app": f"app-{i % 20}"}},
        "spec": {"nodeName": f"10.0.0.{i % 100}",
                 "containers": [{"name": "main", "image": "registry.example/app:1.0",
                                 "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}}}]},
        "status": {"phase": "Running", "podIP": f"172.30.{i // 250}.{i % 250}",
                   "conditions": [{"type": "Ready", "status": "True"}],
                   "containerStatuses": [{"name": "main", "ready": True, "restartCount": i % 3,
                                          "state": {"running": {"startedAt": "2025-03-14T08:00:05Z"}},
                                          "lastState": ({"terminated": {"exitCode": 1, "reason": "Error",
                                                         "finishedAt": "2025-03-14T08:00:04Z"}} if i % 3 else {})}]},
    })
with open(f"{root}/cluster/pods.json", "w") as f:
    json.dump({"apiVersion": "v1", "kind": "PodList", "items": items}, f)
with open(f"{root}/version.json", "w") as f:
    json.dump({"major": "1", "minor": "32", "gitVersion": "v1.32.0"}, f)
PY
ls -la "$work/snapshot/cluster/pods.json"

if [ -z "${KBUNDLE:-}" ]; then
  echo "== building kbundle (release)"
  cargo build --release -p kbundle --quiet
  KBUNDLE="target/release/kbundle"
fi
kbundle="$KBUNDLE"

time_it() { # label, command...
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$@" > "$work/out.txt"
  end=$(date +%s.%N)
  last=$(echo "$end - $start" | bc)
  printf '%-48s %8.3f s  (%s lines)\n' "$label" "$last" "$(wc -l < "$work/out.txt")"
}

echo "== starting kbundle serve"
start=$(date +%s.%N)
"$kbundle" serve "$work/snapshot" --kubeconfig-out "$work/kubeconfig" > "$work/serve.out" &
server_pid=$!
for _ in $(seq 1 600); do grep -q '^listening on' "$work/serve.out" 2>/dev/null && break; sleep 0.05; done
end=$(date +%s.%N)
printf '%-48s %8.3f s\n' "kbundle serve: read + index until listening" "$(echo "$end - $start" | bc)"

export KUBECONFIG="$work/kubeconfig"
time_it "kubectl get pods -A (table)" "$kubectl_bin" get pods -A
time_it "kubectl get pods -A (second run)" "$kubectl_bin" get pods -A
whole=$last
time_it "kubectl get pods -A --chunk-size=0 (one list)" "$kubectl_bin" get pods -A --chunk-size=0
time_it "kubectl get pods -A -o json" "$kubectl_bin" get pods -A -o json
time_it "kubectl get pods -A -l app=app-3" "$kubectl_bin" get pods -A -l app=app-3
time_it "kubectl get pods -A --field-selector spec.nodeName=10.0.0.7" "$kubectl_bin" get pods -A --field-selector spec.nodeName=10.0.0.7
if command -v jq >/dev/null; then
  time_it "jq: name/namespace/phase of every pod" jq -r '.items[] | [.metadata.namespace, .metadata.name, .status.phase] | @tsv' "$work/snapshot/cluster/pods.json"
fi

time_it "python3 json.load + print every pod" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["items"]:
    print(p["metadata"]["namespace"], p["metadata"]["name"], p["status"]["phase"])
' "$work/snapshot/cluster/pods.json"

# The same server paging every list at kubectl's 500 (--whole-list-max 0): kubectl throttles
# itself to 5 requests a second after a burst of 10.
"$kbundle" serve "$work/snapshot" --whole-list-max 0 --kubeconfig-out "$work/kubeconfig-paged" > "$work/paged.out" &
paged_pid=$!
for _ in $(seq 1 600); do grep -q '^listening on' "$work/paged.out" 2>/dev/null && break; sleep 0.05; done
KUBECONFIG="$work/kubeconfig-paged" time_it "kubectl get pods -A, paged by 500 (--whole-list-max 0)" "$kubectl_bin" get pods -A
paged=$last
printf 'serve: kubectl get pods -A over %s pods in %.2f s (paged by 500: %.2f s)\n' "$pods" "$whole" "$paged"
printf '%s\t%.2f s (paged by 500: %.2f s)\t%s\t%s\n' "serve: kubectl get pods -A, $pods pods" "$whole" "$paged" "well under 1 s" \
  "$(awk -v w="$whole" 'BEGIN{print (w<1)?1:0}')" >>"$results"
