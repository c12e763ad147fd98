#!/usr/bin/env bash
# `tanhui batch` on the Fujian demonstration portfolio (synthetic, examples/portfolios) at 2,000
# years: every output exists, the ORD tables carry DESIGN's headers byte for byte, the per-policy
# results cover every policy, a rerun with --resume writes the same bytes, and a bad row names
# its line and writes nothing. Then the mixed demonstration (index, price and revenue insurance in
# one JSON portfolio): the portfolio's CNY loss is the sum of the policies' expected payouts, and
# a request whose "simulation" differs from the batch's is refused. docs/batch.md describes the files.
# Usage: TANHUI=build/tanhui examples/batch.sh   (examples/run sets TANHUI and a fresh TANHUI_DB)
set -euo pipefail
tanhui=${TANHUI:?set TANHUI to the tanhui binary}
here=$(cd "$(dirname "$0")" && pwd)
portfolios=$here/portfolios
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "batch: $*" >&2; exit 1; }

python3 "$portfolios/make_fujian_demo.py" --check || fail "the demo CSVs differ from what make_fujian_demo.py writes"

batch() {
  "$tanhui" batch "$portfolios/fujian-demo-synthetic-portfolio.csv" \
    --holdings "$portfolios/fujian-demo-synthetic-holdings.csv" \
    --years 2000 --seed 20270101 --chunk-years 500 --layer 5000000:20000000 --layer 500000:2000000:occurrence "$@"
}
batch --out "$work/out" --progress none 2> "$work/summary.txt" || { cat "$work/summary.txt"; fail "batch failed"; }
grep -q '^tanhui batch: 222 policies on 1190 holdings, 2,000 years' "$work/summary.txt" || fail "summary: $(cat "$work/summary.txt")"

header() {  # header FILE EXPECTED
  [ -f "$work/out/$1" ] || fail "missing $1"
  [ "$(head -n 1 "$work/out/$1")" = "$2" ] || fail "$1 header: $(head -n 1 "$work/out/$1")"
}
for unit in tco2e cny; do
  header "selt_$unit.csv" 'EventId,SummaryId,SampleId,Loss,ImpactedExposure'
  header "splt_$unit.csv" 'Period,PeriodWeight,EventId,Year,Month,Day,Hour,Minute,SummaryId,SampleId,Loss,ImpactedExposure'
  header "alt_$unit.csv" 'SummaryId,SampleType,MeanLoss,SDLoss'
  header "alct_$unit.csv" 'SummaryId,MeanLoss,SDLoss,SampleSize,LowerCI,UpperCI,StandardError,RelativeError,VarElementHaz,StandardErrorHaz,RelativeErrorHaz,VarElementVuln,StandardErrorVuln,RelativeErrorVuln'
  header "ept_$unit.csv" 'SummaryId,EPCalc,EPType,ReturnPeriod,Loss'
  header "ylt_$unit.csv" 'year,loss'
  [ "$(wc -l < "$work/out/ylt_$unit.csv")" -eq 2001 ] || fail "ylt_$unit.csv has $(wc -l < "$work/out/ylt_$unit.csv") lines"
done
for f in results.csv results.json metrics.json layers.csv layers.json; do [ -s "$work/out/$f" ] || fail "missing $f"; done
[ ! -e "$work/out/.checkpoint" ] || fail "checkpoints left behind"

python3 - "$work/out" <<'PY' || fail "results or metrics do not add up"
import csv, json, sys
out = sys.argv[1]
results = json.load(open(f"{out}/results.json"))
metrics = json.load(open(f"{out}/metrics.json"))
assert len(results) == 222 and len(list(csv.DictReader(open(f"{out}/results.csv")))) == 222
assert all(r["gross_premium_cny"] >= r["pure_premium_cny"] >= 0 for r in results)
pure = sum(r["pure_premium_cny"] for r in results)
assert abs(pure - metrics["cny"]["aal"]) <= 1e-9 * metrics["cny"]["aal"], (pure, metrics["cny"]["aal"])
assert len(metrics["euler"]["holdings"]) == 1190
layers = json.load(open(f"{out}/layers.json"))
assert [l["type"] for l in layers] == ["aggregate", "occurrence"]
print(f"  {len(results)} policies, portfolio AAL {metrics['cny']['aal']:.0f} CNY, "
      f"{metrics['tco2e']['aal']:.0f} tCO2e a year")
PY

# --resume on a finished run recomputes the same bytes.
batch --out "$work/again" --progress none --resume --quiet
diff -r "$work/out" "$work/again" > /dev/null || fail "rerun differs"

# A bad row: its line is named and nothing is written.
sed '3s/,fire;pest,/,fire;flood,/; 3s/,fire,/,flood,/' "$portfolios/fujian-demo-synthetic-portfolio.csv" > "$work/bad.csv"
set +e
"$tanhui" batch "$work/bad.csv" --holdings "$portfolios/fujian-demo-synthetic-holdings.csv" --years 100 --seed 1 \
  --out "$work/bad-out" 2> "$work/bad.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "bad portfolio: exit $rc, expected 2"
grep -q "bad.csv:3: perils: " "$work/bad.txt" || fail "bad portfolio message: $(cat "$work/bad.txt")"
[ ! -e "$work/bad-out" ] || fail "bad portfolio wrote $work/bad-out"
# Every product in one portfolio (examples/portfolios/fujian-demo-mixed.json).
"$tanhui" batch "$portfolios/fujian-demo-mixed.json" --years 2000 --seed 20270101 --layer 500000:2000000 \
  --out "$work/mixed" --progress none 2> "$work/mixed.txt" || { cat "$work/mixed.txt"; fail "mixed batch failed"; }
grep -q '^tanhui batch: 7 policies on 5 holdings, 2,000 years' "$work/mixed.txt" || fail "mixed summary: $(cat "$work/mixed.txt")"
python3 - "$work/mixed" <<'PY' || fail "the mixed portfolio does not add up"
import csv, json, sys
out = sys.argv[1]
results = json.load(open(f"{out}/results.json"))
metrics = json.load(open(f"{out}/metrics.json"))
assert sorted({r["product"] for r in results}) == ["index_insurance", "price_insurance", "revenue_insurance"]
rows = list(csv.DictReader(open(f"{out}/results.csv")))
assert len(rows) == 7 and rows[2]["market"] == "FJEA" and rows[2]["method"] == "risk_neutral", rows[2]
paid = sum(r["expected_payout_cny"] for r in results)
assert abs(paid - metrics["cny"]["aal"]) <= 1e-9 * paid, (paid, metrics["cny"]["aal"])
rn = next(r for r in results if r["policy_id"] == "MIX-PRICE-RN")
assert rn["pure_premium_cny"] != rn["expected_payout_cny"]  # the engine's price, not the physical mean
assert [l["market"] for l in metrics["price_legs"]] == ["FJEA", "CEA", "FJEA"], metrics["price_legs"]
print(f"  mixed: {len(results)} policies, {len(metrics['price_legs'])} price legs, AAL {metrics['cny']['aal']:.0f} CNY")
PY

# A request's "simulation" must be the batch's: refused by pointer, nothing written.
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); p[0]["simulation"]={"years": 100000}; json.dump(p, open(sys.argv[2], "w"))' \
  "$portfolios/fujian-demo-mixed.json" "$work/sim.json"
set +e
"$tanhui" batch "$work/sim.json" --years 2000 --seed 20270101 --out "$work/sim-out" 2> "$work/sim.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "a differing simulation: exit $rc, expected 2"
grep -q "sim.json: /0/simulation: " "$work/sim.txt" || fail "differing simulation message: $(cat "$work/sim.txt")"
[ ! -e "$work/sim-out" ] || fail "a refused portfolio wrote $work/sim-out"
echo "  batch ok"
