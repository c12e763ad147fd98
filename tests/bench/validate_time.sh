#!/usr/bin/env bash
# Benchmark of issue 10: wall time of `tanhui validate` on the shipped data (docs/performance.md).
# Prints the time of a first run on a fresh database (database build + first-use calibration +
# validation) and of a second run on the calibrated database (validation alone).
# Usage: tests/bench/validate_time.sh [path/to/tanhui] [threads]   (default build/tanhui, 2)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tanhui=${1:-$root/build/tanhui}
threads=${2:-2}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TANHUI_DB="$work/v.db"
run() {
  local start end
  start=$(date +%s.%N)
  "$tanhui" validate --threads "$threads" --accept "$root/docs/validation/findings.csv" > /dev/null 2> "$work/err" \
    || { cat "$work/err" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
first=$(run)
second=$(run)
echo "tanhui validate, $threads threads on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1 /proc/loadavg)"
echo "  fresh database (build + calibration + validation): ${first} s"
echo "  calibrated database (validation only):            ${second} s"
