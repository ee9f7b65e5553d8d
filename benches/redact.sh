#!/usr/bin/env bash
# Redaction scan rate (MB/s on one core): ordinary logs, logs with a credential every 100
# lines, and secret-dense text. Asserts nothing.
#
# usage: benches/redact.sh [MB]     (default 32 MB per text; the fixtures' calico logs as the
#                                    ordinary text)
set -euo pipefail
cd "$(dirname "$0")/.."
mb="${1:-32}"
cargo build --release -q -p kbundle-redact --example scan_rate
logs=$(find fixtures/clusters -name '*.log' | sort)
# shellcheck disable=SC2086
taskset -c 0 target/release/examples/scan_rate "$mb" $logs 2>/dev/null \
  || target/release/examples/scan_rate "$mb" $logs
