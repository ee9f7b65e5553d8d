#!/usr/bin/env bash
# Deflate level against size and speed, on one core, for the bundle writer's level choice
# (docs/performance.md): real logs (the troubleshoot.sh bundles under ../shared/data and the
# fixtures' logs), the generated logs of benches/collect.sh (calico-kube-controllers lines, and
# LOG_STYLE=random-id), and real objects (the troubleshoot.sh bundle's JSON). Asserts nothing.
#
# usage: benches/compress.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --release -q -p kbundle-format --example deflate_levels
run() { taskset -c 0 target/release/examples/deflate_levels "$@" 2>/dev/null || target/release/examples/deflate_levels "$@"; }
shared="$(cd .. && pwd)/shared/data/troubleshoot"
for b in support-bundle baseline; do
  mkdir -p "$work/$b"
  tar -xzf "$shared/$b.tar.gz" -C "$work/$b" --wildcards '*.log' '*.json' 2>/dev/null || true
done
LOG_STYLE=calico python3 benches/gen_namespace.py 4 "$work/gen" 256
LOG_STYLE=random-id python3 benches/gen_namespace.py 4 "$work/gen-random-id" 256
echo "== real logs (troubleshoot.sh bundles and fixtures)"
# shellcheck disable=SC2046
run $(find "$work/support-bundle" "$work/baseline" -name '*.log' -type f -size +1k) $(find fixtures -name '*.log')
echo "== the generated log of benches/collect.sh (the runbook's calico-kube-controllers lines)"
run "$work"/gen/logs/big/*/main.log
echo "== LOG_STYLE=random-id: the generated log with a random 64-bit id on every line"
run "$work"/gen-random-id/logs/big/*/main.log
echo "== real objects (the troubleshoot.sh bundle's JSON)"
# shellcheck disable=SC2046
run $(find "$work/support-bundle" -name '*.json' -type f -size +4k)
