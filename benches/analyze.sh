#!/usr/bin/env bash
# Benchmark: `kbundle analyze` on a large archive against `unzip -p` on the same file, in the
# same run, plus cost growth at 1x, 4x and 16x input. Prints ratios; asserts nothing.
#
# usage: benches/analyze.sh [SIZE_MIB]      (default 1024: a 1 GiB uncompressed archive)
# env:   KBUNDLE=path/to/kbundle (default: builds target/release/kbundle)
#        WORK=dir for generated archives (default: /tmp/kbundle-bench)
#        RESULTS=F   append one tab-separated line per target to F (benches/run.sh)
#        CODECS="zst"  the tar.xz / tar.zst comparisons to run (default "xz zst"; making the
#                    1 GiB tar.xz takes minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib="${1:-1024}"
work="${WORK:-/tmp/kbundle-bench}"
results="${RESULTS:-/dev/null}"
result() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results"; }
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
r=$(awk -v a="$k_s" -v b="$u_s" 'BEGIN{printf "%.2f", a/b}')
peak=$(awk -v m="$k_m" 'BEGIN{printf "%.1f", m/1024}')
printf '  ratio analyze/unzip: %s (target <= 0.30, issue #18); peak memory %s MiB (target < 100)\n' "$r" "$peak"
result "analyze ${size_mib} MiB: time vs unzip -p" "$r ($k_s s vs $u_s s)" "<= 0.30" "$(awk -v r="$r" 'BEGIN{print (r<=0.3)?1:0}')"
result "analyze ${size_mib} MiB: peak memory" "$peak MiB" "< 100 MiB" "$(awk -v m="$peak" 'BEGIN{print (m<100)?1:0}')"
echo

echo "== the same archive as a tar.gz (what troubleshoot.sh and most customers send) vs tar -xzOf"
tgz="${big%.zip}.tar.gz"
if [ ! -f "$tgz" ]; then
  python3 - "$big" "$tgz.tmp" <<'PYTAR'
import sys, tarfile, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, tarfile.open(sys.argv[2], "w:gz", compresslevel=6) as t:
    for info in z.infolist():
        ti = tarfile.TarInfo(info.filename)
        ti.size, ti.mtime = info.file_size, 1700000000
        with z.open(info) as f:
            t.addfile(ti, f)
PYTAR
  mv "$tgz.tmp" "$tgz"
fi
read -r t_s t_m < <(measure tar -xzOf "$tgz")
read -r g_s g_m < <(measure "$KBUNDLE" analyze "$tgz")
printf '  tar -xzOf        %6.2f s  %7.1f MiB peak\n' "$t_s" "$(awk -v m="$t_m" 'BEGIN{print m/1024}')"
printf '  kbundle analyze  %6.2f s  %7.1f MiB peak\n' "$g_s" "$(awk -v m="$g_m" 'BEGIN{print m/1024}')"
r=$(awk -v a="$g_s" -v b="$t_s" 'BEGIN{printf "%.2f", a/b}')
echo "  ratio analyze/tar: $r"
result "analyze ${size_mib} MiB tar.gz: time vs tar -xzOf" "$r ($g_s s vs $t_s s)" "<= 1.00" "$(awk -v r="$r" 'BEGIN{print (r<=1)?1:0}')"
echo

echo "== the same tar as tar.xz and tar.zst (pure-Rust lzma-rust2 and ruzstd) vs the C tools"
tar_plain="${tgz%.gz}"
[ -f "$tar_plain" ] || gzip -dc "$tgz" >"$tar_plain"
for codec in ${CODECS:-xz zst}; do
  f="$tar_plain.$codec"
  if [ ! -f "$f" ]; then
    case $codec in
      xz) xz -6 -T1 -c "$tar_plain" >"$f.tmp" ;;
      zst) zstd -q -3 -c "$tar_plain" >"$f.tmp" ;;
    esac
    mv "$f.tmp" "$f"
  fi
  case $codec in
    xz) read -r c_s c_m < <(measure xz -dc "$f") ;;
    zst) read -r c_s c_m < <(measure zstd -dc "$f") ;;
  esac
  read -r k_s k_m < <(measure "$KBUNDLE" analyze "$f")
  printf '  %-4s -dc         %6.2f s  %7.1f MiB peak\n' "$codec" "$c_s" "$(awk -v m="$c_m" 'BEGIN{print m/1024}')"
  printf '  kbundle analyze  %6.2f s  %7.1f MiB peak\n' "$k_s" "$(awk -v m="$k_m" 'BEGIN{print m/1024}')"
  r=$(awk -v a="$k_s" -v b="$c_s" 'BEGIN{printf "%.2f", a/b}')
  echo "  ratio analyze/$codec -dc: $r"
  result "analyze ${size_mib} MiB tar.$codec: time vs $codec -dc" "$r ($k_s s vs $c_s s)" "report" "1"
done
echo

echo "== cost growth (analyze)"
base=$((size_mib / 16)); [ "$base" -ge 4 ] || base=4
for mult in 1 4 16; do
  f=$(gen $((base * mult)))
  read -r s m < <(measure "$KBUNDLE" analyze "$f")
  printf '  %3dx (%5d MiB)  %6.2f s  %7.1f MiB peak  %6.1f MiB/s\n' "$mult" $((base * mult)) "$s" \
    "$(awk -v m="$m" 'BEGIN{print m/1024}')" "$(awk -v s="$s" -v b=$((base * mult)) 'BEGIN{print (s>0)?b/s:0}')"
  result "growth: analyze ${mult}x ($((base * mult)) MiB)" \
    "$s s, $(awk -v m="$m" 'BEGIN{printf "%.1f", m/1024}') MiB, $(awk -v s="$s" -v b=$((base * mult)) 'BEGIN{printf "%.0f", (s>0)?b/s:0}') MiB/s" "linear" "-"
done
echo

echo "== batch: a support queue"
# 10 copies each of the two real troubleshoot.sh bundles, 20 generated 64 MiB archives, and 5
# unreadable files (truncated zips and random bytes): 45 inputs. Hard links, no extra disk.
queue="$work/queue"
rm -rf "$queue" "$queue.reports"
mkdir -p "$queue"
small=$(gen 64)
shared="$(cd .. && pwd)/shared/data/troubleshoot"
for i in $(seq -w 1 10); do
  for b in baseline support-bundle; do ln "$shared/$b.tar.gz" "$queue/$b-$i.tar.gz" 2>/dev/null || cp "$shared/$b.tar.gz" "$queue/$b-$i.tar.gz"; done
done
for i in $(seq -w 1 20); do ln "$small" "$queue/generated-$i.zip" 2>/dev/null || cp "$small" "$queue/generated-$i.zip"; done
for i in 1 2 3; do head -c $((i * 100000)) "$small" >"$queue/truncated-$i.zip"; done
head -c 65536 /dev/urandom >"$queue/random-1.zip"
head -c 4096 /dev/urandom >"$queue/random-2.tar.gz"
inputs=$(find "$queue" -maxdepth 1 -type f | wc -l)
t0=$(date +%s.%N)
for f in "$queue"/*; do
  case "$f" in
    *.zip) unzip -p "$f" >/dev/null 2>&1 || true ;;
    *.tar.gz) gzip -dc "$f" >/dev/null 2>&1 || true ;;
  esac
done
t1=$(date +%s.%N)
base_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
/usr/bin/time -o "$work/time.txt" -f '%e %M' "$KBUNDLE" analyze --batch "$queue" --out "$queue.reports" >"$work/batch.txt" 2>"$work/stderr.txt" || true
read -r b_s b_m < <(tail -1 "$work/time.txt")
tail -1 "$work/batch.txt" | sed 's/^/  /'
reports=$(find "$queue.reports" -maxdepth 1 -type f ! -name summary.md | wc -l)
errors=$(grep -c '| error: ' "$queue.reports/summary.md" || true)
printf '  %d inputs: %d reports, %d error rows in summary.md; %.2f s (decompressing them all one after another: %s s); %.1f MiB peak\n' \
  "$inputs" "$reports" "$errors" "$b_s" "$base_s" "$(awk -v m="$b_m" 'BEGIN{print m/1024}')"
result "batch: $inputs archives" "$(awk -v n="$inputs" -v s="$b_s" 'BEGIN{printf "%.1f archives/s", n/s}') ($b_s s; decompressing all: $base_s s)" \
  "a report per readable input, the 5 unreadable as rows" "$( [ $((reports + errors)) -eq "$inputs" ] && [ "$errors" -eq 5 ] && echo 1 || echo 0)"
