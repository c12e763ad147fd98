#!/usr/bin/env bash
# Instructions per request through the whole server, counted by callgrind (docs/performance.md
# "The request path counted, not timed"): load on a shared machine moves wall-clock figures by
# 20 %, instruction counts not at all. `tanhui serve --threads 1 --io-threads 1` runs under
# valgrind over a fresh database; two warm-up requests calibrate the model and fill the caches;
# then instrumentation is switched on and N identical requests are sent one after another on one
# keep-alive connection. Every thread counts: Beast's I/O, decode, price, answer, the quote
# writer's commit, the access log. Prints the instructions per request, and with TOP=n the n
# functions (inclusive) that cost most.
#
#   tests/bench/request_instructions.sh [TANHUI_BINARY] [price|index] [N]    # default build/tanhui price 200
#   TOP=40 tests/bench/request_instructions.sh build/tanhui price 200
set -euo pipefail

binary=${1:-build/tanhui}
kind=${2:-price}
count=${3:-200}
top=${TOP:-0}
here=$(cd "$(dirname "$0")" && pwd)

for tool in valgrind callgrind_control callgrind_annotate python3; do
    command -v "$tool" >/dev/null || { echo "request_instructions: $tool is not installed" >&2; exit 2; }
done
[[ -x $binary ]] || { echo "request_instructions: $binary is not an executable" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tanhui-callgrind.XXXXXX")
server=
cleanup() {
    if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then kill -TERM "$server"; wait "$server" || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# The bodies of tests/bench/http_load.sh (a Turnbull-Wakeman price quote; a 2-holding index quote
# at 10,000 years).
sed -n "/^cat >\"\$tmp\/$kind.json\" <<'EOF'$/,/^EOF$/p" "$here/http_load.sh" | sed '1d;$d' >"$tmp/body.json"
[[ -s $tmp/body.json ]] || { echo "request_instructions: no $kind body in http_load.sh" >&2; exit 2; }

# The database is built (and the model calibrated) outside valgrind, which would take minutes.
"$binary" --db "$tmp/db.sqlite" quote "$tmp/body.json" >/dev/null

valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$tmp/callgrind.out" \
    "$binary" --db "$tmp/db.sqlite" serve --listen 127.0.0.1 --port 0 --threads 1 --io-threads 1 \
    2>"$tmp/serve.log" &
server=$!
port=
for _ in $(seq 1 1200); do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' "$tmp/serve.log" | head -n 1)
    [[ -n $port ]] && break
    kill -0 "$server" 2>/dev/null || { cat "$tmp/serve.log" >&2; exit 1; }
    sleep 0.1
done
[[ -n $port ]] || { echo "request_instructions: the server did not start" >&2; exit 1; }

send() {
    python3 - "$port" "$tmp/body.json" "$1" <<'EOF'
import http.client, sys
port, body, n = int(sys.argv[1]), open(sys.argv[2], "rb").read(), int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
for _ in range(n):
    c.request("POST", "/v1/quotes", body, {"Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("answered %d" % r.status)
EOF
}
send 2
callgrind_control -i on "$server" >/dev/null
send "$count"
callgrind_control -i off "$server" >/dev/null
kill -TERM "$server"
wait "$server" || true
server=

total=$(callgrind_annotate "$tmp"/callgrind.out* 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",", "", $1); print $1; done = 1}')
echo "$kind quote: $count requests, $total instructions, $(( total / count )) per request"
if (( top > 0 )); then
    callgrind_annotate --inclusive=yes "$tmp"/callgrind.out* 2>/dev/null | sed -n '/Ir.*file:function/,$p' | awk -v n=$((top + 2)) 'NR <= n'
fi
