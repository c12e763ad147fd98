#!/usr/bin/env bash
# A client generated from api/openapi.yaml by a standard generator compiles the requests users
# send (issue 18, item 1): openapi-typescript turns the spec into TypeScript types, and `tsc
# --strict` type-checks the README's request and every examples/quotes request against the request
# body type of the operation it is sent to. The npm packages are pinned in package.json and
# installed by scripts/setup into a per-user cache (${TANHUI_CLIENT_CHECK_DIR:-~/.cache/tanhui/
# client-check}, used when its package.json is this one) or found in tests/api/client/node_modules;
# without them (no network, no npm) the test says so and is skipped (exit 77), so that CI without
# network does not fail.
#
#   tests/api/client/check.sh [SOURCE_DIR]
set -euo pipefail
root=${1:-$(cd "$(dirname "$0")/../../.." && pwd)}
here=$root/tests/api/client
cache=${TANHUI_CLIENT_CHECK_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tanhui/client-check}
bin=$here/node_modules/.bin
if [[ ! -x $bin/tsc ]] && cmp -s "$here/package.json" "$cache/package.json"; then
    bin=$cache/node_modules/.bin
fi
if [[ ! -x $bin/openapi-typescript || ! -x $bin/tsc ]] || ! command -v node >/dev/null; then
    echo "client check skipped: openapi-typescript and typescript are installed neither in $cache" \
         "nor in $here/node_modules (scripts/setup installs them with npm when npm and the network are there)"
    exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tanhui-client.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$bin/openapi-typescript" "$root/api/openapi.yaml" -o "$tmp/api.d.ts" --silent 2>"$tmp/gen.log" || {
    cat "$tmp/gen.log"; echo "client check: openapi-typescript failed on api/openapi.yaml"; exit 1; }

# Each example request, typed as the body of its operation (by operationId).
declare -A operation=(
    [longyan-index]=createQuotes [longyan-index-fire-pest]=createQuotes [nanping-price]=createQuotes [sanming-revenue]=createQuotes
    [gaochun-sink]=createQuotes [longli-growth]=createQuotes
    [buffer]=riskBuffer [burning-cost]=burningCost [credibility]=credibility [damage]=damageValuation
    [layer]=reinsuranceLayer [layer-table]=reinsuranceLayer [metrics]=riskMetrics
)
{
    echo 'import type { operations } from "./api";'
    echo 'type Body<K extends keyof operations> = operations[K] extends { requestBody: { content: { "application/json": infer B } } } ? B : never;'
    for file in "$root"/examples/quotes/*.json; do
        name=$(basename "$file" .json)
        op=${operation[$name]:-}
        if [[ -z $op ]]; then
            echo "client check: examples/quotes/$name.json is sent to which operation? (add it to check.sh)" >&2
            exit 1
        fi
        echo "export const ${name//-/_}: Body<\"$op\"> = $(cat "$file");"
    done
    # The array form of POST /v1/quotes.
    echo "export const quote_array: Body<\"createQuotes\"> = [$(cat "$root/examples/quotes/nanping-price.json")];"
} >"$tmp/check.ts"

if ! "$bin/tsc" --strict --noEmit --target es2020 --moduleResolution node "$tmp/check.ts" >"$tmp/tsc.log" 2>&1; then
    sed "s|^.*check\.ts|check.ts|" "$tmp/tsc.log" | head -60
    echo "(the generated check.ts: each examples/quotes file in turn, in name order)"
    echo "client check: the example requests do not compile against the client generated from api/openapi.yaml"
    exit 1
fi
echo "client check: $(ls "$root"/examples/quotes/*.json | wc -l) example requests compile against the generated client (tsc --strict)"
