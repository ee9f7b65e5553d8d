#!/usr/bin/env bash
# Benchmark: `kbundle collect` against `kbundle serve`, compared with a shell loop of the
# equivalent kubectl 1.32 commands (describe pod, describe node, logs, logs --previous, get -o json
# of the context objects).
#
#   1. the default preset on the crashloop-oom fixture;
#   2. a generated 200-pod namespace (`-n big`), every pod with a 256 KiB log (LOG_KIB=N to
#      change it: LOG_KIB=5120 for the 5 MiB-per-pod memory check).
#
# Usage: benches/collect.sh [PODS]   (builds kbundle in release mode first)
set -euo pipefail
cd "$(dirname "$0")/.."
pods="${1:-200}"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

kubectl_bin="$(command -v kubectl.1.32 || true)"
if [ -z "$kubectl_bin" ]; then
  kubectl_bin="$(dirname "$(readlink -f "$(command -v kubectl)")")/kubectl.1.32"
fi
[ -x "$kubectl_bin" ] || { echo "kubectl.1.32 not found" >&2; exit 1; }

echo "== building kbundle (release)"
cargo build --release -q -p kbundle
kbundle="$PWD/target/release/kbundle"

echo "== generating a $pods-pod namespace in $work/big"
mkdir -p "$work/big/ns"
python3 - "$pods" "$work/big" "${LOG_KIB:-256}" <<'PY'
import json, os, random, sys
n, root, log_kib = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
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
PY

"$kbundle" serve fixtures/clusters/crashloop-oom "$work/big" --addr 127.0.0.1:0 --kubeconfig-out "$work/kc" >"$work/serve.out" 2>&1 &
server_pid=$!
for _ in $(seq 50); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
k() { "$kubectl_bin" --kubeconfig "$work/kc" "$@"; }

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }

ns=calico-system
pod=calico-kube-controllers-5f6b8d9c47-q4wzn
node=10.240.64.11

echo "== preset calico-kube-controllers"
t0=$(now)
"$kbundle" collect --kubeconfig "$work/kc" -o "$work/preset.zip" --quiet || [ $? -eq 3 ]
t1=$(now)
mkdir -p "$work/kubectl-preset"
(
  cd "$work/kubectl-preset"
  k get deployment -n kube-system calico-kube-controllers -o json >kube-system-deploy.json 2>/dev/null || true
  k get deployment -n $ns calico-kube-controllers -o json >deploy.json
  k get pods -n $ns -l k8s-app=calico-kube-controllers -o json >pods.json
  k describe pod -n $ns $pod >describe-pod.txt
  k describe node $node >describe-node.txt
  k logs -n $ns $pod >pod.log
  k logs -n $ns $pod --previous >pod.previous.log || true
  k get nodes -o json >nodes.json
  for r in events configmaps services pods deployments.apps replicasets.apps daemonsets.apps networkpolicies.networking.k8s.io; do
    k get "$r" -n $ns -o json >"$r.json"
  done
  for r in validatingwebhookconfigurations mutatingwebhookconfigurations felixconfigurations.crd.projectcalico.org \
    ippools.crd.projectcalico.org bgpconfigurations.crd.projectcalico.org kubecontrollersconfigurations.crd.projectcalico.org \
    clusterinformations.crd.projectcalico.org installations.operator.tigera.io; do
    k get "$r" -o json >"$r.json" 2>/dev/null || true
  done
)
t2=$(now)
preset_kbundle=$(elapsed "$t0" "$t1")
preset_kubectl=$(elapsed "$t1" "$t2")

echo "== $pods-pod namespace"
t0=$(now)
"$kbundle" collect --kubeconfig "$work/kc" -n big -o "$work/big.zip" --quiet || [ $? -eq 3 ]
t1=$(now)
mkdir -p "$work/kubectl-big"
(
  cd "$work/kubectl-big"
  k get pods -n big -o json >pods.json
  k get events -n big -o json >events.json
  for p in $(k get pods -n big -o name); do
    n=${p#pod/}
    k describe pod -n big "$n" >"$n.describe.txt"
    k logs -n big "$n" >"$n.log"
    k logs -n big "$n" --previous >"$n.previous.log" 2>/dev/null || true
  done
  for i in $(seq 0 9); do k describe node "10.0.0.$i" >"node-$i.txt"; done
)
t2=$(now)
big_kbundle=$(elapsed "$t0" "$t1")
big_kubectl=$(elapsed "$t1" "$t2")

echo "== kubectl cluster-info dump of the $pods-pod namespace (current logs only, no describe text)"
t0=$(now)
k cluster-info dump --namespaces big --output-directory "$work/dump" >/dev/null
t1=$(now)
dump_kubectl=$(elapsed "$t0" "$t1")

echo "== peak memory of kbundle collect on the $pods-pod namespace"
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
/usr/bin/time -o "$work/time.txt" -f '%M' "$kbundle" collect --kubeconfig "$work/kc" -n big -o "$work/big2.zip" --quiet || [ $? -eq 3 ]
peak_kib=$(tail -1 "$work/time.txt")

printf '\n%-28s %10s %10s %8s\n' "" "kbundle" "kubectl" "ratio"
printf '%-28s %9ss %9ss %7sx\n' "preset (crashloop-oom)" "$preset_kbundle" "$preset_kubectl" \
  "$(python3 -c "print(f'{$preset_kubectl / max($preset_kbundle, 0.001):.1f}')")"
printf '%-28s %9ss %9ss %7sx\n' "$pods-pod namespace" "$big_kbundle" "$big_kubectl" \
  "$(python3 -c "print(f'{$big_kubectl / max($big_kbundle, 0.001):.1f}')")"
printf '%-28s %9ss %9ss %7sx  (kubectl cluster-info dump --namespaces big)\n' "$pods-pod namespace" "$big_kbundle" "$dump_kubectl" \
  "$(python3 -c "print(f'{$dump_kubectl / max($big_kbundle, 0.001):.1f}')")"
echo "peak memory of kbundle collect -n big: $((peak_kib / 1024)) MiB"
ls -l "$work/preset.zip" "$work/big.zip" | awk '{print $5, $9}'
