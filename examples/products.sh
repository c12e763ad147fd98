#!/usr/bin/env bash
# The product requests of examples/quotes (docs/products.md) through the CLI: each exits 0 and
# answers with its key field; bad input exits 2 with problem+json naming the field or CSV line.
# Usage: TANHUI=build/tanhui examples/products.sh   (examples/run sets TANHUI and a fresh TANHUI_DB)
set -euo pipefail
tanhui=${TANHUI:?set TANHUI to the tanhui binary}
quotes=$(cd "$(dirname "$0")" && pwd)/quotes
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "products: $*" >&2; exit 1; }

# run NAME EXPRESSION COMMAND...: COMMAND exits 0 and the Python EXPRESSION on its JSON (r) holds.
run() {
  local name=$1 check=$2
  shift 2
  "$@" > "$work/$name.json" || fail "$name: exit $? ($(head -c 400 "$work/$name.json"))"
  python3 - "$work/$name.json" "$check" <<'PY' || fail "$name: check failed: $check"
import json, sys
r = json.load(open(sys.argv[1]))
ok = eval(sys.argv[2], {"r": r})
sys.exit(0 if ok else 1)
PY
  echo "  $name ok"
}

run credibility 'len(r["groups"]) == 4 and r["collective_premium"] > 0 and all(0 <= g["credibility_factor"] <= 1 for g in r["groups"])' \
  "$tanhui" credibility "$quotes/credibility.json"
# By hand: annual losses 1200, 430.5, 15000, 1280, 4200, 95 in 6 of 20 years (year 11 has two
# events of 640): AAL 22205.5 / 20; AEP(5) = 4th largest year 1200, OEP(5) = 4th largest event 640.
run metrics 'abs(r["aal"] - 22205.5 / 20) < 1e-9 and r["aep"]["5"] == 1200 and r["oep"]["5"] == 640 and r["aep"]["20"] == 15000 and r["tvar"]["0.95"] == 15000 and r["var"]["0.9"] == 1280' \
  "$tanhui" metrics "$quotes/metrics.json"
# The same table as CSV, with the levels and return periods on the command line.
python3 - "$quotes/metrics.json" > "$work/metrics.csv" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
print("year,event,loss")
for row in t["losses"]:
    print(f'{row["year"]},{row["event"]},{row["loss"]}')
PY
run metrics-csv 'abs(r["aal"] - 22205.5 / 20) < 1e-9 and list(r["var"]) == ["0.9", "0.95"] and list(r["aep"]) == ["2", "5", "10", "20"]' \
  "$tanhui" metrics "$work/metrics.csv" --years 20 --levels 0.9,0.95 --return-periods 2,5,10,20
run layer 'r["source"] == "simulation" and 0 < r["expected_layer_loss_cny"] < r["limit_cny"] * 2 and 0 < r["probability_of_attaching"] <= 1' \
  "$tanhui" layer "$quotes/layer.json"
run layer-table 'abs(r["expected_layer_loss_cny"] - 8) < 1e-9 and abs(r["probability_of_exhausting"] - 0.2) < 1e-12' \
  "$tanhui" layer "$quotes/layer-table.json"
run damage 'r["total_tco2e"] > r["stock_lost_tco2e"] > 0 and r["replacement_cost_range_cny"]["0.05"] < r["replacement_cost_cny"] < r["replacement_cost_range_cny"]["0.95"]' \
  "$tanhui" damage "$quotes/damage.json"
run buffer '0 < r["buffer_share"] <= 1 and r["horizon_years"] == 40 and "probability_exhausted" in r' \
  "$tanhui" buffer "$quotes/buffer.json"
run burning-cost 'r["years"] >= 5 and r["burning_cost_cny"] >= 0 and r["trend"]["adjusted_to_year"] <= 2027' \
  "$tanhui" burning-cost "$quotes/burning-cost.json"

# Bad input: exit 2, problem+json on stdout naming the field, or the CSV line.
set +e
printf 'year,event,loss\n1,1,10\n2,x,5\n' | "$tanhui" metrics - --years 10 > "$work/bad.json"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad CSV: exit $rc, expected 2"
grep -q '"path":"/losses/1/event","message":"line 3: ' "$work/bad.json" || fail "bad CSV: $(cat "$work/bad.json")"
set +e
echo '{"groups": [{"id": "a", "ratios": [1, 2], "weights": [1, -1]}, {"id": "b", "ratios": [1], "weights": [1]}], "x": 1}' \
  | "$tanhui" credibility - > "$work/bad.json"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad credibility: exit $rc, expected 2"
grep -q '"path":"/groups/0/weights/1"' "$work/bad.json" && grep -q '"path":"/x"' "$work/bad.json" \
  || fail "bad credibility: $(cat "$work/bad.json")"
echo "products ok"
