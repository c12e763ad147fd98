#!/usr/bin/env bash
# HTTP load on loopback (issue 6, "Benchmarks"): wrk against `tanhui serve` for a bounded time per
# scenario, printing requests per second and p50/p99 latency for
#   1. price-insurance quotes, Turnbull-Wakeman, expected-value principle (closed form; target
#      >= 5,000 requests/s on 2 cores),
#   2. index quotes at 10,000 simulated years (fire and pest on the calibrated model),
#   3. GET /healthz,
#   4. mixed (issue 20): price quotes as in 1 while heavy index quotes (200 holdings x 100,000
#      years = 2e7 simulated holding-years each, under the default --max-request-cost) run beside
#      them on 4 more connections; the price quotes' rate and p99 say whether cheap work waits
#      behind expensive work.
# Builds nothing: give it a built binary. The server listens on 127.0.0.1 only, on a port of its
# choosing, over a fresh database in a temp folder (built from data/historical and calibrated by
# the warm-up quote), and gets SIGTERM at the end. Every quote is stored, as in production, and
# every request is access-logged (to a file in the temp folder).
#
# Scenario 4 also times one heavy quote alone first (its quiet time), so that the heavy quotes'
# latency beside the price quotes reads as a multiple of it.
#
#   tests/bench/http_load.sh [TANHUI_BINARY]      # default build/tanhui
#   DURATION=30s THREADS=2 CONNECTIONS=64 tests/bench/http_load.sh
#   SCENARIOS=4 HEAVY_HOLDINGS=50 SERVE_ARGS="--expensive-nice 5" tests/bench/http_load.sh
#   SCENARIOS=1 DURATION=60s tests/bench/http_load.sh   # the steady state: write-back included
#                                                        (docs/performance.md, "The WAL that never restarted")
#   TMPDIR=/dev/shm SCENARIOS=1 CONNECTIONS=16 tests/bench/http_load.sh
#       # the same run with the database on tmpfs: what the disk adds to wrk's p99 (on the
#       # development machine 4.0-4.3 ms there against 9.4-12.6 on its virtual disk,
#       # docs/performance.md 2026-12-07 night); a diagnosis, not a deployment
set -euo pipefail

binary=${1:-build/tanhui}
duration=${DURATION:-10s}
threads=${THREADS:-2}
connections=${CONNECTIONS:-32}
scenarios=${SCENARIOS:-1 2 3 4}
heavy_holdings=${HEAVY_HOLDINGS:-200}
read -r -a serve_args <<<"${SERVE_ARGS:-}"

if [[ ! -x $binary ]]; then
    echo "http_load: $binary is not an executable (build it first: scripts/build)" >&2
    exit 2
fi
for tool in wrk curl; do
    if ! command -v "$tool" >/dev/null; then
        echo "http_load: $tool is not installed (Debian: apt-get install -y $tool)" >&2
        exit 2
    fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tanhui-http-load.XXXXXX")
server=
cleanup() {
    if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

"$binary" --db "$tmp/bench.db" serve --listen 127.0.0.1 --port 0 "${serve_args[@]}" 2>"$tmp/serve.log" &
server=$!

port=
for _ in $(seq 1 600); do  # up to 60 s: the first start builds the database
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$tmp/serve.log" | head -n 1)
    [[ -n $port ]] && break
    if ! kill -0 "$server" 2>/dev/null; then
        echo "http_load: the server exited:" >&2
        cat "$tmp/serve.log" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z $port ]]; then
    echo "http_load: no 'listening on' line after 60 s:" >&2
    cat "$tmp/serve.log" >&2
    exit 1
fi
base=http://127.0.0.1:$port

# examples/quotes/nanping-price.json with the expected-value principle: the closed-form path.
cat >"$tmp/price.json" <<'EOF'
{"product": "price_insurance",
 "policy": {"id": "NP-2027-001", "start": "2027-01-01", "term_months": 12},
 "cover": {"market": "FJEA", "quantity_tco2e": 100000, "target_price_cny": 15.0,
           "fixings": "monthly", "method": "risk_neutral", "engine": "turnbull_wakeman"},
 "premium": {"principle": "expected_value", "parameter": 0.1, "expense_ratio": 0.15,
             "commission": 0.05, "profit_margin": 0.05},
 "simulation": {"years": 100000, "seed": 20270101},
 "model": {"price": {"spot": 15.5, "volatility": 0.35}}}
EOF
# examples/quotes/longyan-index-fire-pest.json at 10,000 years.
cat >"$tmp/index.json" <<'EOF'
{"product": "index_insurance",
 "policy": {"id": "LY-2027-001", "start": "2027-01-01", "term_months": 12},
 "holdings": [
   {"id": "xinluo-fir-1", "region": "350802", "forest_type": "chinese_fir", "area_ha": 2000, "age_years": 18},
   {"id": "xinluo-pine-2", "region": "350802", "forest_type": "masson_pine", "area_ha": 1200, "age_years": 25}],
 "cover": {"perils": ["fire", "pest"], "form": "per_tonne", "price_cny_per_tco2e": 20,
           "deductible_tco2e": 500, "limit_cny": 2000000},
 "premium": {"principle": "std_dev", "parameter": 0.25, "expense_ratio": 0.15,
             "commission": 0.05, "profit_margin": 0.05, "subsidy_share": 0.5},
 "simulation": {"years": 10000, "seed": 20270101}}
EOF

# A wrk script that POSTs one JSON file.
post_script() {
    cat >"$tmp/$1.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open("$tmp/$1.json", "rb"))
wrk.body = f:read("*a")
f:close()
EOF
}
# The heavy index quote of scenario 4: index.json with 200 (HEAVY_HOLDINGS) holdings and 100,000 years.
python3 - "$tmp" "$heavy_holdings" <<'EOF'
import json, sys
d = sys.argv[1]
q = json.load(open(d + "/index.json"))
two = q["holdings"]
q["holdings"] = [dict(two[i % 2], id="h%d" % i) for i in range(int(sys.argv[2]))]
q["simulation"]["years"] = 100000
json.dump(q, open(d + "/heavy.json", "w"))
EOF
post_script price
post_script index
post_script heavy

# Warm-up: the first quote calibrates the model (seconds); each must answer 200.
for kind in index price; do
    status=$(curl -s -o "$tmp/$kind.out" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data-binary "@$tmp/$kind.json" "$base/v1/quotes")
    if [[ $status != 200 ]]; then
        echo "http_load: warm-up $kind quote answered $status:" >&2
        cat "$tmp/$kind.out" >&2
        exit 1
    fi
done
echo "tanhui serve on $base (pid $server), $(nproc) cores; wrk -t$threads -c$connections -d$duration --latency"
echo "price quote: pure premium $(sed -n 's/.*"pure_premium_cny":\([^,}]*\).*/\1/p' "$tmp/price.out") CNY"

summary=()
failed=0
acknowledged=2  # the warm-up quotes
run() {
    local name=$1 url=$2 script=${3:-}
    echo
    echo "== $name"
    local args=(-t"$threads" -c"$connections" -d"$duration" --latency --timeout 10s)
    [[ -n $script ]] && args+=(-s "$script")
    local logged
    logged=$(wc -l <"$tmp/serve.log")
    wrk "${args[@]}" "$url" | tee "$tmp/wrk.out"
    local rps p50 p99 bad
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.out")
    p50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk.out")
    p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk.out")
    bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$tmp/wrk.out")
    bad=${bad:-0}
    if [[ -n $script ]]; then
        acknowledged=$((acknowledged + $(awk '/requests in/ {print $1}' "$tmp/wrk.out") - bad))
    fi
    if grep -q 'Socket errors' "$tmp/wrk.out" || [[ $bad != 0 ]]; then failed=1; fi
    summary+=("$(printf '%-42s %10s req/s   p50 %9s   p99 %9s   non-2xx %s' "$name" "$rps" "$p50" "$p99" "$bad")")
    local timed sp50 sp99
    read -r timed _ sp50 sp99 <<<"$(server_side "$logged" "${url#"$base"}")"
    summary+=("$(printf '%-42s %10s timed p50 %9s   p99 %9s' "  as the server timed them" "$timed" "$sp50" "$sp99")")
}
# The same requests' latency as the server measured it (the access log's duration_ms: from the
# request's header read to its answer written), so the load generator's share of the cores and the
# wait before the server reads a request are told apart from the service's own time.
server_side() {
    tail -n +"$(($1 + 1))" "$tmp/serve.log" | python3 -c '
import json, sys
target = sys.argv[1]
d = []
for line in sys.stdin:
    if line.startswith("{"):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("target") == target and "duration_ms" in r:
            d.append(r["duration_ms"])
d.sort()
q = lambda f: "%.2fms" % d[min(len(d) - 1, int(f * len(d)))] if d else "-"
print("%d logged" % len(d), q(0.5), q(0.99))' "$2"
}
wanted() { [[ " $scenarios " == *" $1 "* ]]; }
wanted 1 && run "price quote (Turnbull-Wakeman)" "$base/v1/quotes" "$tmp/price.lua"
wanted 2 && run "index quote (10,000 years)" "$base/v1/quotes" "$tmp/index.lua"
wanted 3 && run "GET /healthz" "$base/healthz"

# 4. Mixed: one heavy quote alone (its quiet time); then the heavy quotes start a second before the
# price quotes and end after them.
if wanted 4; then
alone=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H 'Content-Type: application/json' \
    --data-binary "@$tmp/heavy.json" "$base/v1/quotes")
echo
echo "== one heavy index quote ($heavy_holdings holdings x 100,000 years) alone: status ${alone% *}, ${alone#* } s"
summary+=("$(printf '%-42s %10s s' "heavy index quote alone" "${alone#* }")")
[[ ${alone% *} == 200 ]] && acknowledged=$((acknowledged + 1))
heavy_duration=$(( ${duration%s} + 3 ))s
wrk -t1 -c4 -d"$heavy_duration" --latency --timeout 60s -s "$tmp/heavy.lua" "$base/v1/quotes" >"$tmp/heavy.out" &
heavy=$!
sleep 1
run "price quote beside 4 heavy index quotes" "$base/v1/quotes" "$tmp/price.lua"
wait "$heavy"
echo
echo "== heavy index quotes ($heavy_holdings holdings x 100,000 years) beside them, wrk -t1 -c4 -d$heavy_duration"
cat "$tmp/heavy.out"
heavy_done=$(awk '/requests in/ {print $1}' "$tmp/heavy.out")
heavy_bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$tmp/heavy.out")
acknowledged=$((acknowledged + heavy_done - ${heavy_bad:-0}))
summary+=("$(printf '%-42s %10s done    p50 %9s   p99 %9s   non-2xx %s' "  heavy index quotes beside them" "$heavy_done" \
    "$(awk '$1 == "50%" {print $2}' "$tmp/heavy.out")" "$(awk '$1 == "99%" {print $2}' "$tmp/heavy.out")" "${heavy_bad:-0}")")
fi

# The WAL as the load left it (docs/reliability.md "A bounded WAL"): its size, and its header's
# checkpoint sequence (bytes 12-15), which counts the restarts since the file was created.
wal_line=$(python3 -c '
import os, struct, sys
p = sys.argv[1] + "-wal"
try:
    with open(p, "rb") as f:
        seq = struct.unpack(">I", f.read(16)[12:16])[0]
    print("WAL before shutdown: %.0f MB, restarted %d times" % (os.path.getsize(p) / 1e6, seq))
except (OSError, struct.error):
    print("WAL before shutdown: none")' "$tmp/bench.db")
kill -TERM "$server"
status=0
wait "$server" || status=$?
server=
# Durability: every quote answered 200 is in the database (the server has exited; nothing to
# flush). More rows than answers is fine (stored, answer not read before wrk stopped).
stored=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from quotes").fetchone()[0])' "$tmp/bench.db")
echo
echo "== summary ($(nproc) cores, $duration each, wrk -t$threads -c$connections; server exit status $status)"
printf '%s\n' "${summary[@]}"
echo "quotes acknowledged (200) $acknowledged, stored $stored"
echo "$wal_line"
if (( stored < acknowledged )); then
    echo "http_load: fewer quotes stored than acknowledged" >&2
    failed=1
fi
if [[ $failed != 0 || $status != 0 ]]; then
    echo "http_load: errors or non-2xx answers under load, or the server did not exit 0" >&2
    exit 1
fi
