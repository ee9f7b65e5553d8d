#!/usr/bin/env bash
# Every performance target in one run (about 4 minutes on the project's 2-core machine, most of
# it the kubectl baselines and generating inputs): analyze against `unzip -p`, batch throughput,
# collect against the runbook's kubectl loop and `kubectl cluster-info dump` (on the runbook's
# calico-kube-controllers logs; also on random-id logs, deflate's worst case, reported with no
# goal), collect memory with 5 MiB logs, cost growth of analyze and collect at 1x, 4x and 16x, serve under
# `kubectl get pods -A` on 10,000 pods, collect of 50 pods against a server that answers after
# 0, 5, 20 and 50 ms per response (`kbundle serve --faults delay=...`; LATENCIES=... to change
# the list) against the kubectl loop and cluster-info dump at the same latency, and diff of two
# 1 GiB archives against analyzing both; last, collect's CPU per MB of logs fitted over every
# 256 KiB-log collect (the pipeline's rate and a collect's fixed cost apart). Prints each
# script's output, then one table of every target, measured against its baseline in this same
# run. Asserts nothing: exits 0 unless a script fails.
#
# usage: benches/run.sh        (builds kbundle in release mode first)
# env:   WORK=dir for the analyze archives, kept between runs (default: /tmp/kbundle-bench)
#        SIZE_MIB=N  size of the analyze archive (default 1024; 256 on a short run)
#        DIFF_MIB=N  size of the diff archives (default: SIZE_MIB)
#        LATENCIES="0 20"  the server latencies of the collect rows (default "0 5 20 50")
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
results="$(mktemp)"
trap 'rm -f "$results"' EXIT

cargo build --release -q -p kbundle
export KBUNDLE="$PWD/target/release/kbundle"
export RESULTS="$results"
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m); $("$KBUNDLE" --version)"

section() { printf '\n######## %s\n' "$*"; }
size_mib="${SIZE_MIB:-1024}"
section "analyze (benches/analyze.sh $size_mib)"
bash benches/analyze.sh "$size_mib"
section "collect, 200 pods with 256 KiB logs (benches/collect.sh 200)"
bash benches/collect.sh 200
section "collect, 200 pods with random-id logs, deflate's worst case (LOG_STYLE=random-id LOOPS=0 benches/collect.sh 200)"
LOG_STYLE=random-id LOOPS=0 bash benches/collect.sh 200
section "collect, 200 pods with 5 MiB logs (LOG_KIB=5120 benches/collect.sh 200)"
LOG_KIB=5120 bash benches/collect.sh 200
for pods in 25 100 400; do
  section "collect cost growth: $pods pods (LOOPS=0 benches/collect.sh $pods)"
  LOOPS=0 bash benches/collect.sh "$pods"
done
for ms in ${LATENCIES:-0 5 20 50}; do
  section "collect at $ms ms per response: 50 pods (LATENCY=$ms benches/collect.sh 50)"
  LATENCY="$ms" bash benches/collect.sh 50
done
section "serve (benches/serve-10k-pods.sh)"
bash benches/serve-10k-pods.sh
section "diff (benches/diff.sh ${DIFF_MIB:-$size_mib})"
bash benches/diff.sh "${DIFF_MIB:-$size_mib}"

section "collect's pipeline: CPU per MB of logs, fitted over every 256 KiB-log collect at 0 ms"
# CPU = fixed + MB / rate, least squares over the CPU rows above (25 to 400 pods): the rate is
# what each further megabyte costs (receiving, redacting, hashing, compressing, and the pods'
# objects and describes that come with it), the fixed part what any collect costs.
python3 - "$results" <<'PY'
import re, sys
path = sys.argv[1]
points = []
for line in open(path):
    name, measured, *_ = line.rstrip("\n").split("\t")
    if re.fullmatch(r"collect \d+ pods x 256 KiB: CPU per MB of logs", name):
        m = re.search(r"\(([\d.]+)\+([\d.]+) s, ([\d.]+) MB", measured)
        if m:
            points.append((float(m[3]), float(m[1]) + float(m[2])))
if len(points) < 2 or len({mb for mb, _ in points}) < 2:
    print("fewer than two collect sizes: no fit")
    sys.exit(0)
n = len(points)
mx = sum(mb for mb, _ in points) / n
my = sum(cpu for _, cpu in points) / n
slope = sum((mb - mx) * (cpu - my) for mb, cpu in points) / sum((mb - mx) ** 2 for mb, _ in points)
fixed = my - slope * mx
rate = 1 / slope if slope > 0 else float("inf")
# The ratio of a whole collect reaches 200 MB/CPU-s from fixed / (1/200 - slope) MB on.
reach = fixed / (1 / 200 - slope) if slope < 1 / 200 else float("inf")
for mb, cpu in sorted(points):
    print(f"{mb:8.1f} MB  {cpu:.4f} CPU-s  fit {fixed + slope * mb:.4f}")
print(f"rate {rate:.0f} MB per CPU-second, fixed {fixed:.4f} CPU-seconds a collect; "
      f"a whole collect reaches 200 MB/CPU-s from {reach:.0f} MB of logs")
lo, hi = min(mb for mb, _ in points), max(mb for mb, _ in points)
with open(path, "a") as out:
    out.write(
        f"collect pipeline: CPU per MB of logs (fit, {n} collects, {lo:.0f}-{hi:.0f} MB)\t"
        f"{rate:.0f} MB/CPU-s + {fixed:.3f} CPU-s a collect (200 overall from {reach:.0f} MB)\t"
        f">= 200\t{1 if rate >= 200 else 0}\n"
    )
PY

section "summary ($(( $(date +%s) - start )) s; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
python3 - "$results" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
w = [max(len(r[i]) for r in rows) for i in range(3)]
print(f"{'target':<{w[0]}}  {'measured':<{w[1]}}  {'goal':<{w[2]}}  met")
for name, measured, goal, met in rows:
    mark = {"1": "yes", "0": "NO", "-": ""}.get(met, met)
    print(f"{name:<{w[0]}}  {measured:<{w[1]}}  {goal:<{w[2]}}  {mark}")
PY
