#!/usr/bin/env bash
# Each quote example through `tanhui quote`: exit 0 and a positive gross premium; a bad request
# exits 2 with problem+json naming the field; replay is bit-identical.
set -euo pipefail
tanhui=${TANHUI:?set TANHUI to the tanhui binary}
root=$(cd "$(dirname "$0")/.." && pwd)
for f in longyan-index longyan-index-fire-pest nanping-price sanming-revenue gaochun-sink longli-growth; do
  out=$("$tanhui" quote "$root/examples/quotes/$f.json")
  python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["gross_premium_cny"] > 0, d; print("  '"$f"'", d["quote_id"], round(d["gross_premium_cny"], 2))' "$out"
done
id=$("$tanhui" quote "$root/examples/quotes/longyan-index.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["quote_id"])')
"$tanhui" quote replay "$id" | python3 -c 'import json,sys; assert json.load(sys.stdin)["bit_identical"]'
set +e
bad=$(echo '{"product":"index_insurance","policy":{"id":"x","start":"2027-01-01"},"holdings":[],"cover":{}}' | "$tanhui" quote -)
code=$?
set -e
[ $code -eq 2 ] || { echo "bad request exited $code"; exit 1; }
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["status"]==400 and any(e["path"]=="/holdings" for e in d["errors"]), d' "$bad"
echo "  quotes ok"
