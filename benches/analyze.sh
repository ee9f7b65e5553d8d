#!/usr/bin/env bash
# Benchmark: `kbundle analyze` on a large archive against `unzip -p` on the same file, in the
# same run, plus cost growth at 1x, 4x and 16x input. Prints ratios; asserts nothing.
#
# usage: benches/analyze.sh [SIZE_MIB]      (default 1024: a 1 GiB uncompressed archive)
# env:   KBUNDLE=path/to/kbundle (default: builds target/release/kbundle)
#        WORK=dir for generated archives (default: /tmp/kbundle-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-1024}"
work="${WORK:-/tmp/kbundle-bench}"
mkdir -p "$work"
command -v /usr/bin/time >/dev/null || { apt-get install -y -qq time >/dev/null; }
command -v unzip >/dev/null || { apt-get install -y -qq unzip >/dev/null; }

if [ -z "${KBUNDLE:-}" ]; then
  cargo build --release -q -p kbundle
  KBUNDLE="$PWD/target/release/kbundle"
fi

gen() { # gen MIB -> path
  local f="$work/archive-$1MiB.zip"
  [ -f "$f" ] || { python3 benches/gen_archive.py "$f.tmp" --bytes $(($1 << 20)) >&2 && mv "$f.tmp" "$f"; }
  echo "$f"
}

# measure CMD... -> "seconds peak_kib" (best of 3 runs: least disturbed by other load)
measure() {
  local best_s="" best_m=""
  for _ in 1 2 3; do
    local out
    if ! /usr/bin/time -o "$work/time.txt" -f '%e %M' "$@" >/dev/null 2>"$work/stderr.txt"; then
      echo "failed: $* ($(tail -1 "$work/stderr.txt"))" >&2
      exit 1
    fi
    out=$(tail -1 "$work/time.txt")
    local s=${out% *} m=${out#* }
    if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN{exit !(a<b)}'; then best_s=$s; best_m=$m; fi
  done
  echo "$best_s $best_m"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m)"
echo "kbundle: $("$KBUNDLE" --version)"
echo

big=$(gen "$size_mib")
echo "== analyze vs unzip -p on $(basename "$big") ($(du -h "$big" | cut -f1) compressed, ${size_mib} MiB uncompressed)"
read -r u_s u_m < <(measure unzip -p "$big")
read -r k_s k_m < <(measure "$KBUNDLE" analyze "$big")
printf '  unzip -p         %6.2f s  %7.1f MiB peak\n' "$u_s" "$(awk -v m="$u_m" 'BEGIN{print m/1024}')"
printf '  kbundle analyze  %6.2f s  %7.1f MiB peak\n' "$k_s" "$(awk -v m="$k_m" 'BEGIN{print m/1024}')"
printf '  ratio analyze/unzip: %.2f (target <= 1.00); peak memory %.1f MiB (target < 100)\n' \
  "$(awk -v a="$k_s" -v b="$u_s" 'BEGIN{print a/b}')" "$(awk -v m="$k_m" 'BEGIN{print m/1024}')"
echo

echo "== cost growth (analyze)"
base=$((size_mib / 16)); [ "$base" -ge 4 ] || base=4
for mult in 1 4 16; do
  f=$(gen $((base * mult)))
  read -r s m < <(measure "$KBUNDLE" analyze "$f")
  printf '  %3dx (%5d MiB)  %6.2f s  %7.1f MiB peak  %6.1f MiB/s\n' "$mult" $((base * mult)) "$s" \
    "$(awk -v m="$m" 'BEGIN{print m/1024}')" "$(awk -v s="$s" -v b=$((base * mult)) 'BEGIN{print (s>0)?b/s:0}')"
done
