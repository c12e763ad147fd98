#!/usr/bin/env python3
"""Soak: the real `tanhui serve` under SECONDS (default 60) of mixed valid and malformed requests
from CONNECTIONS client threads on 127.0.0.1. Fails on any 5xx, any answer other than the one
expected for its kind of request, a server crash or error event, a server that does not stop
cleanly on SIGTERM, or resident memory that grows by more than the bound between the end of the
warm-up and the end of the run. Prints the figures that docs/reliability.md quotes.

    soak.py TANHUI_BINARY WORK_DIR [--seconds 60] [--connections 32] [--sanitized]

--sanitized (an ASan build): memory is printed but bounded loosely, since ASan keeps freed
memory in quarantine (up to 256 MiB) and RSS grows by design."""
import argparse
import json
import os
import random
import threading
import time

import harness
from harness import fail

ap = argparse.ArgumentParser()
ap.add_argument("binary")
ap.add_argument("work")
ap.add_argument("--seconds", type=float, default=60)
ap.add_argument("--connections", type=int, default=32)
ap.add_argument("--sanitized", action="store_true")
args = ap.parse_args()

db = harness.working_db(args.binary, args.work, "soak.db")
server = harness.Server(args.binary, db, harness.SERVE_ARGS)
port = server.port
rss_idle = server.rss_mib()

# A stored quote to read back, and the model warmed up.
k = harness.Keepalive(port)
st, ct, body = k.request("POST", "/v1/quotes", json.dumps(harness.index_quote("SOAK-0")))
if st != 200:
    fail("the first quote: %d %s" % (st, body[:500]))
stored_id = json.loads(body)["quote_id"]
k.close()

valid_quote = json.dumps(harness.index_quote("SOAK-I", years=1000))
valid_price = json.dumps(harness.price_quote())
big_array = json.dumps([harness.price_quote("A-%d" % i) for i in range(1001)])


def req(method, target, body=b"", extra=()):
    head = ["%s %s HTTP/1.1" % (method, target), "Host: 127.0.0.1"] + list(extra)
    if body:
        head += ["Content-Type: application/json", "Content-Length: %d" % len(body)]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


# (name, weight, how, expected status(es)). "keep": on the thread's keep-alive connection;
# "raw": bytes on a new connection that is half-closed after them.
KINDS = [
    ("healthz", 6, ("keep", "GET", "/healthz", None), {200}),
    ("metrics", 1, ("keep", "GET", "/metrics", None), {200}),
    ("markets", 4, ("keep", "GET", "/v1/markets", None), {200}),
    ("prices", 4, ("keep", "GET", "/v1/markets/FJEA/prices?from=2024-01-01&to=2024-06-30", None), {200}),
    ("regions", 2, ("keep", "GET", "/v1/regions?level=prefecture", None), {200}),
    ("fire", 2, ("keep", "GET", "/v1/history/fire?region=35", None), {200}),
    ("quote_index", 6, ("keep", "POST", "/v1/quotes", valid_quote), {200}),
    ("quote_price", 4, ("keep", "POST", "/v1/quotes", valid_price), {200}),
    ("quote_get", 3, ("keep", "GET", "/v1/quotes/" + stored_id, None), {200}),
    # malformed, on the keep-alive connection (the connection stays open after these)
    ("json_syntax", 3, ("keep", "POST", "/v1/quotes", '{"product": "index_insurance",'), {400}),
    ("json_unknown_field", 2, ("keep", "POST", "/v1/quotes", '{"product":"index_insurance","bogus":1}'), {400}),
    ("json_wrong_types", 2, ("keep", "POST", "/v1/quotes",
                             json.dumps({**harness.index_quote(), "holdings": [{"area_ha": "many"}]})), {400}),
    ("json_deep", 1, ("keep", "POST", "/v1/quotes", "[" * 100 + "]" * 100), {400}),
    ("json_empty", 1, ("keep", "POST", "/v1/quotes", ""), {400}),
    ("array_1001", 1, ("keep", "POST", "/v1/quotes", big_array), {400}),
    ("years_over_cap", 1, ("keep", "POST", "/v1/quotes",
                           json.dumps(harness.index_quote(years=10 ** 9))), {400}),
    ("unknown_path", 2, ("keep", "GET", "/v1/nothing/here", None), {404}),
    ("unknown_market", 1, ("keep", "GET", "/v1/markets/NOPE/prices", None), {404}),
    ("wrong_method", 1, ("keep", "DELETE", "/v1/markets", None), {405}),
    ("bad_query", 2, ("keep", "GET", "/v1/markets/FJEA/prices?from=2016-13-01&x=1", None), {400}),
    ("unknown_quote", 1, ("keep", "GET", "/v1/quotes/q-00000000000000000000", None), {404}),
    # malformed, raw bytes on their own connection (the server closes most of these)
    ("bad_utf8", 2, ("raw", req("POST", "/v1/quotes", b'{"policy":{"id":"\xff\xfe"}}')), {400}),
    ("bad_content_type", 1, ("raw", req("POST", "/v1/quotes", b"{}").replace(b"application/json", b"text/csv")), {415}),
    ("header_431", 1, ("raw", req("GET", "/healthz", extra=["X-Pad: " + "a" * 9000])), {431}),
    ("length_413", 1, ("raw", b"POST /v1/quotes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              b"Content-Length: 50000000\r\n\r\n{"), {413}),
    ("truncated_body", 2, ("raw", b"POST /v1/quotes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                  b"Content-Length: 100\r\n\r\n{\"product\""), {400}),
    ("garbage", 2, ("raw", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http at all\r\n\r\n"), {400}),
    ("bad_request_line", 1, ("raw", b"GET  /healthz HTTP/1.1\r\n\r\n"), {400}),
    ("bad_target", 1, ("raw", b"GET /v1/markets/%zz HTTP/1.1\r\nHost: x\r\n\r\n"), {400}),
    ("http10", 1, ("raw", b"GET /healthz HTTP/1.0\r\n\r\n"), {200}),
    ("pipelined", 1, ("raw", req("GET", "/healthz") + req("GET", "/v1/markets")), {200}),
    ("connect_and_close", 1, ("raw", b""), {None}),
]
weights = [k[1] for k in KINDS]

lock = threading.Lock()
counts = {}  # name -> number sent
unexpected = []  # (name, status, answer head)
latency = {"valid": [], "malformed": []}
failures = []
deadline = time.monotonic() + args.seconds
warm_end = time.monotonic() + min(10.0, args.seconds / 6)
rss = {"warm": None}
VALID = {"healthz", "metrics", "markets", "prices", "regions", "fire", "quote_index", "quote_price", "quote_get"}


def client(seed):
    rnd = random.Random(seed)
    keep = harness.Keepalive(port)
    while time.monotonic() < deadline:
        name, _, how, expected = rnd.choices(KINDS, weights)[0]
        t0 = time.monotonic()
        try:
            if how[0] == "keep":
                _, method, target, body = how
                status, ctype, data = keep.request(method, target, body)
                if status >= 400 and ctype != "application/problem+json":
                    with lock:
                        unexpected.append((name, status, "content type " + ctype))
            else:
                status, ctype, data = harness.raw_exchange(port, how[1])
        except Exception as e:  # noqa: BLE001 - every failure of the server counts
            with lock:
                failures.append("%s: %s: %s" % (name, type(e).__name__, e))
            keep.close()
            time.sleep(0.05)
            continue
        dt = time.monotonic() - t0
        with lock:
            counts[name] = counts.get(name, 0) + 1
            latency["valid" if name in VALID else "malformed"].append(dt)
            if status not in expected:
                unexpected.append((name, status, data[:300]))
    keep.close()


threads = [threading.Thread(target=client, args=(i,)) for i in range(args.connections)]
start = time.monotonic()
for t in threads:
    t.start()
samples = []
while any(t.is_alive() for t in threads):
    time.sleep(1)
    if server.alive():
        samples.append(server.rss_mib())
        if rss["warm"] is None and time.monotonic() >= warm_end:
            rss["warm"] = samples[-1]
for t in threads:
    t.join()
elapsed = time.monotonic() - start

alive = server.alive()
rss_end = server.rss_mib() if alive else float("nan")
final = harness.Keepalive(port).request("GET", "/healthz")[0] if alive else None
code = server.stop() if alive else server.proc.returncode
total = sum(counts.values())
five = sum(n for s, n in server.statuses.items() if s >= 500)
rss_warm = rss["warm"] if rss["warm"] is not None else (samples[0] if samples else float("nan"))
figures = {
    "seconds": round(elapsed, 1), "connections": args.connections, "requests": total,
    "requests_per_s": round(total / elapsed), "valid": sum(counts.get(n, 0) for n in VALID),
    "malformed": sum(n for k2, n in counts.items() if k2 not in VALID),
    "status_counts_server_log": dict(sorted(server.statuses.items())), "5xx": five,
    "unexpected": len(unexpected), "client_errors": len(failures),
    "p50_ms_valid": round(1000 * harness.percentile(latency["valid"], 50), 1),
    "p99_ms_valid": round(1000 * harness.percentile(latency["valid"], 99), 1),
    "p99_ms_malformed": round(1000 * harness.percentile(latency["malformed"], 99), 1),
    "rss_mib_idle": round(rss_idle, 1), "rss_mib_after_warmup": round(rss_warm, 1),
    "rss_mib_peak": round(max(samples), 1) if samples else None, "rss_mib_end": round(rss_end, 1),
    "exit_code_after_sigterm": code, "sanitized": args.sanitized,
}
print("soak figures: " + json.dumps(figures), flush=True)

problems = []
if not alive:
    problems.append("the server died: exit %s\n%s" % (server.proc.returncode, "\n".join(server.tail)))
if five:
    problems.append("%d answers were 5xx" % five)
if unexpected:
    problems.append("%d unexpected answers, e.g. %s" % (len(unexpected), unexpected[:5]))
if failures:
    problems.append("%d requests failed at the client, e.g. %s" % (len(failures), failures[:5]))
if server.errors():
    problems.append("error events in the server log: %s" % server.errors()[:5])
if final != 200:
    problems.append("/healthz after the soak: %s" % final)
if code != 0:
    problems.append("exit code %s after SIGTERM" % code)
if total < 1000:
    problems.append("only %d requests in %.0f s" % (total, elapsed))
# Memory: after the warm-up (model loaded, caches and pools at their size) the resident set may
# move by allocator noise, not grow with the number of requests.
bound = 256.0 if args.sanitized else max(24.0, 0.25 * rss_warm)
if alive and rss_end - rss_warm > bound:
    problems.append("resident memory grew from %.1f MiB after the warm-up to %.1f MiB at the end (bound +%.0f MiB)"
                    % (rss_warm, rss_end, bound))
if problems:
    fail("\n".join(problems))
print("soak: ok", flush=True)
