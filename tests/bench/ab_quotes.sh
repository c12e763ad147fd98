#!/usr/bin/env bash
# Compares the quote latency of two builds on a machine whose speed drifts (docs/performance.md,
# 2026-12-07): runs the two tanhui_bench binaries alternately, ROUNDS times each, and prints for
# every benchmark the median of their per-quote medians, with the range, and the change;
# BM_CoreReference and BM_CacheReference (the clock, the shared cache) say whether the phases matched.
# Usage: tests/bench/ab_quotes.sh BASE_BENCH NEW_BENCH [ROUNDS] [FILTER]
#   e.g. tests/bench/ab_quotes.sh ../base/build/tanhui_bench build/tanhui_bench 3
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,7p "$0"; exit 2; }
base=$1 new=$2 rounds=${3:-3} filter=${4:-BM_(Quote(Index|Sink)|CoreReference|CacheReference)}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for ((i = 1; i <= rounds; i++)); do
  for which in base new; do
    bin=$base; [ "$which" = new ] && bin=$new
    echo "round $i: $which (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    "$bin" --benchmark_filter="$filter" 2>/dev/null | grep '^BM_' \
      | sed -E "s/^(BM_[^/ ]+).*median_ms=([0-9.]+).*/$which \1 \2/" >>"$out"
  done
done
printf "%-50s %22s %22s %7s\n" "benchmark (median of medians, ms)" "base" "new" "change"
awk '
  { v[$1 SUBSEP $2] = v[$1 SUBSEP $2] " " $3; names[$2] = 1 }
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    lo = a[1]; hi = a[n]
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    for (b in names) {
      mb = median(v["base" SUBSEP b]); lb = lo; hb = hi
      mn = median(v["new" SUBSEP b]); ln = lo; hn = hi
      printf "%-50s %7.2f (%5.2f-%5.2f) %7.2f (%5.2f-%5.2f) %+6.0f%%\n", b, mb, lb, hb, mn, ln, hn, 100 * (mn / mb - 1)
    }
  }' "$out" | sort
