#!/usr/bin/env bash
# Benchmark: `kbundle diff OLD NEW` against analyzing OLD and NEW one after the other
# (`kbundle analyze OLD` + `kbundle analyze NEW`), on two large log-heavy archives from
# gen_archive.py and on two object-heavy folders (PODS pods, 1% changed, 1% replaced). Prints
# ratios and diff's peak memory; asserts nothing.
#
# usage: benches/diff.sh [SIZE_MIB] [PODS]   (defaults 1024: two 1 GiB archives; 50000 pods)
# env:   KBUNDLE=path/to/kbundle (default: builds target/release/kbundle)
#        WORK=dir for generated inputs (default: /tmp/kbundle-bench)
#        RESULTS=F   append one tab-separated line per target to F (benches/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-1024}"
pods="${2:-50000}"
work="${WORK:-/tmp/kbundle-bench}"
results="${RESULTS:-/dev/null}"
result() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results"; }
mkdir -p "$work"
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }

if [ -z "${KBUNDLE:-}" ]; then
  cargo build --release -q -p kbundle
  KBUNDLE="$PWD/target/release/kbundle"
fi

# gen MIB PODS -> path (the same archive analyze.sh uses for 16 pods)
gen() {
  local f="$work/archive-$1MiB.zip"
  [ "$2" = 16 ] || f="$work/archive-$1MiB-$2pods.zip"
  [ -f "$f" ] || { python3 benches/gen_archive.py "$f.tmp" --bytes $(($1 << 20)) --pods "$2" >&2 && mv "$f.tmp" "$f"; }
  echo "$f"
}

# objects PODS VARIANT -> folder with PODS pods; variant 1 changes 1% and replaces 1%.
objects() {
  local d="$work/objects-$1-$2"
  if [ ! -d "$d" ]; then
    mkdir -p "$d.tmp"
    python3 - "$1" "$2" "$d.tmp" <<'PY'
import json, sys
n, variant, root = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
items = []
for i in range(n):
    changed, replaced = variant and i % 100 == 1, variant and i % 100 == 2
    name = f"pod-{i:06d}" + ("-new" if replaced else "")
    items.append({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": f"ns-{i % 50}", "uid": f"uid-{i}-{int(replaced)}",
                     "resourceVersion": str(1000 + i + variant), "creationTimestamp": "2025-03-14T08:00:00Z",
                     "labels": {"app": f"app-{i % 20}"}},
        "spec": {"nodeName": f"10.0.0.{i % 100}",
                 "containers": [{"name": "main", "image": "registry.example/app:" + ("1.1" if changed else "1.0"),
                                 "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}}}]},
        "status": {"phase": "Running",
                   "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": None}],
                   "containerStatuses": [{"name": "main", "ready": True, "restartCount": i % 3 + (2 if changed else 0),
                                          "state": {"running": {"startedAt": "2025-03-14T08:00:05Z"}}}]},
    })
with open(f"{root}/pods.json", "w") as f:
    json.dump({"apiVersion": "v1", "kind": "PodList", "items": items}, f)
PY
    mv "$d.tmp" "$d"
  fi
  echo "$d"
}

# measure CMD... -> "seconds cpu_seconds peak_kib" (best of 3 runs: least disturbed by other
# load; CPU time is user + system, which other load disturbs less than wall time)
measure() {
  local best_s="" best_c="" best_m=""
  for _ in 1 2 3; do
    if ! /usr/bin/time -o "$work/time.txt" -f '%e %U %S %M' "$@" >/dev/null 2>"$work/stderr.txt"; then
      echo "failed: $* ($(tail -1 "$work/stderr.txt"))" >&2
      exit 1
    fi
    local s u k m
    read -r s u k m < <(tail -1 "$work/time.txt")
    if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN{exit !(a<b)}'; then
      best_s=$s; best_c=$(awk -v u="$u" -v k="$k" 'BEGIN{printf "%.2f", u+k}'); best_m=$m
    fi
  done
  echo "$best_s $best_c $best_m"
}

analyze_both() { "$KBUNDLE" analyze "$1" >/dev/null && "$KBUNDLE" analyze "$2" >/dev/null; }

compare() { # compare LABEL OLD NEW
  read -r a_s a_c _ < <(measure bash -c "$(declare -f analyze_both); KBUNDLE='$KBUNDLE' analyze_both '$2' '$3'")
  read -r d_s d_c d_m < <(measure "$KBUNDLE" diff "$2" "$3")
  local r rc peak
  r=$(awk -v a="$d_s" -v b="$a_s" 'BEGIN{printf "%.2f", a/b}')
  rc=$(awk -v a="$d_c" -v b="$a_c" 'BEGIN{printf "%.2f", a/b}')
  peak=$(awk -v m="$d_m" 'BEGIN{printf "%.1f", m/1024}')
  printf '  analyze OLD; analyze NEW  %6.2f s  (CPU %5.2f s)\n' "$a_s" "$a_c"
  printf '  kbundle diff OLD NEW      %6.2f s  (CPU %5.2f s)  %7.1f MiB peak\n' "$d_s" "$d_c" "$peak"
  printf '  ratio diff/(analyze both): %s wall (target <= 1.00), %s CPU\n' "$r" "$rc"
  result "diff $1: time vs analyzing both" "$r wall ($d_s s vs $a_s s), $rc CPU" "<= 1.00" "$(awk -v r="$r" 'BEGIN{print (r<=1)?1:0}')"
  result "diff $1: peak memory" "$peak MiB" "(no goal)" "-"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m)"
echo "kbundle: $("$KBUNDLE" --version)"
echo

old=$(gen "$size_mib" 16)
new=$(gen "$size_mib" 17)
echo "== two ${size_mib} MiB archives (16 and 17 pods, logs of every pod differ)"
compare "${size_mib} MiB archives" "$old" "$new"
echo

old=$(objects "$pods" 0)
new=$(objects "$pods" 1)
echo "== two folders of $pods pods ($(du -h "$old/pods.json" | cut -f1) each; 1% changed, 1% replaced)"
compare "$pods pods" "$old" "$new"
