#!/usr/bin/env python3
"""Slow clients cannot exhaust the server. Against the real `tanhui serve` (default limits: the
whole request must arrive within 30 s, a response must be written within 30 s), on 127.0.0.1:
  - SLOW clients send a request header one byte per second (slowloris), never finishing it;
  - SLOW/5 clients send a complete header and then the body one byte per second;
  - READERS clients pipeline 20 requests for a large price history and never read the answers;
while a normal client opens a new connection every 100 ms for a market list or a quote.
Passes when every normal request is answered 200 within the latency bound, every trickling
client is answered 408 (problem+json) and disconnected 30 s after it connected (a byte a second
does not extend the deadline), every non-reading client is disconnected too (within 65 s: each
stalled write has its own 30 s), and the server's
open-connection gauge is back to the normal client's own afterwards. Prints the figures.

    slow_clients.py TANHUI_BINARY WORK_DIR [--slow 200] [--readers 20] [--sanitized]"""
import argparse
import json
import os
import re
import selectors
import socket
import threading
import time

import harness
from harness import fail

ap = argparse.ArgumentParser()
ap.add_argument("binary")
ap.add_argument("work")
ap.add_argument("--slow", type=int, default=200)
ap.add_argument("--readers", type=int, default=20)
ap.add_argument("--sanitized", action="store_true")
args = ap.parse_args()

READ_TIMEOUT = 30.0  # docs/api.md "Limits"
db = harness.working_db(args.binary, args.work, "slow.db")
server = harness.Server(args.binary, db, harness.SERVE_ARGS)
port = server.port
quote = json.dumps(harness.price_quote("SLOW-P")).encode()
if harness.Keepalive(port).request("POST", "/v1/quotes", quote)[0] != 200:
    fail("the first quote failed")
rss_before = server.rss_mib()


class Slow:
    def __init__(self, kind, payload, prefix=b""):
        self.kind, self.payload = kind, payload
        self.sock = socket.create_connection((harness.LOOPBACK, port), timeout=10)
        self.sock.setblocking(False)
        self.start = time.monotonic()
        self.sent = 0
        self.answer = b""
        self.closed_at = None
        if prefix:
            self._send(prefix)

    def _send(self, data):
        try:
            self.sock.send(data)
        except (BlockingIOError, BrokenPipeError, ConnectionResetError, OSError):
            pass

    def trickle(self):
        if self.closed_at is None and self.sent < len(self.payload):
            self._send(self.payload[self.sent:self.sent + 1])
            self.sent += 1

    def on_readable(self):
        try:
            b = self.sock.recv(65536)
        except BlockingIOError:
            return
        except (ConnectionResetError, OSError):
            b = b""
        if b:
            self.answer += b
        else:
            self.closed_at = time.monotonic()


header_forever = b"GET /v1/markets HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"z" * 200 + b"\r\n\r\n"
body = json.dumps(harness.index_quote("SLOW-B")).encode()
body_head = (b"POST /v1/quotes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             b"Content-Length: %d\r\n\r\n" % len(body))
trickling = [Slow("header", header_forever) for _ in range(args.slow)]
trickling += [Slow("body", body, prefix=body_head) for _ in range(max(1, args.slow // 5))]

# Readers: a small receive buffer, 20 requests for the whole FJEA history, nothing read.
readers = []
pipeline = b"".join(b"GET /v1/markets/FJEA/prices HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" for _ in range(20))
for _ in range(args.readers):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((harness.LOOPBACK, port))
    s.sendall(pipeline)
    readers.append(s)
opened = time.monotonic()

# The normal client: a new connection every 100 ms, markets and quotes alternately.
normal = {"ok": 0, "bad": [], "lat": []}
stop_normal = threading.Event()


def normal_client():
    i = 0
    while not stop_normal.is_set():
        t0 = time.monotonic()
        try:
            k = harness.Keepalive(port, timeout=20)
            st = (k.request("GET", "/v1/markets") if i % 2 == 0 else k.request("POST", "/v1/quotes", quote))[0]
            k.close()
        except Exception as e:  # noqa: BLE001
            st = repr(e)
        normal["lat"].append(time.monotonic() - t0)
        if st == 200:
            normal["ok"] += 1
        else:
            normal["bad"].append(st)
        i += 1
        time.sleep(0.1)


nt = threading.Thread(target=normal_client)
nt.start()

sel = selectors.DefaultSelector()
for c in trickling:
    sel.register(c.sock, selectors.EVENT_READ, c)
gauge_peak = 0
rss_peak = rss_before
next_tick = time.monotonic()
limit = opened + READ_TIMEOUT + 15
while time.monotonic() < limit and any(c.closed_at is None for c in trickling):
    now = time.monotonic()
    if now >= next_tick:
        for c in trickling:
            c.trickle()
        next_tick += 1.0
        rss_peak = max(rss_peak, server.rss_mib())
        m = harness.Keepalive(port).request("GET", "/metrics")[2].decode()
        g = re.search(r"^tanhui_http_connections_open (\d+)", m, re.M)
        gauge_peak = max(gauge_peak, int(g.group(1)) if g else 0)
    for key, _ in sel.select(timeout=max(0.0, next_tick - time.monotonic())):
        c = key.data
        c.on_readable()
        if c.closed_at is not None:
            sel.unregister(c.sock)

# The readers: the server must give up on them too (a response write stalls on a full buffer and
# times out 30 s after it began, or the idle keep-alive time-out ends the connection). Seen from
# the server, whose open-connections gauge must fall back to the normal client's own: a client
# cannot tell without reading, since the server's FIN waits behind the unread answers.
def open_connections():
    m = harness.Keepalive(port).request("GET", "/metrics")[2].decode()
    g = re.search(r"^tanhui_http_connections_open (\d+)", m, re.M)
    return int(g.group(1)) if g else -1


readers_deadline = opened + 2 * READ_TIMEOUT + 5
readers_dropped_s = None
while time.monotonic() < readers_deadline:
    if open_connections() <= 3:  # this /metrics connection and the normal client's
        readers_dropped_s = time.monotonic() - opened
        break
    time.sleep(0.5)
readers_open = 0 if readers_dropped_s is not None else args.readers
for s in readers:
    s.close()
stop_normal.set()
nt.join()
time.sleep(1)
m = harness.Keepalive(port).request("GET", "/metrics")[2].decode()
g = re.search(r"^tanhui_http_connections_open (\d+)", m, re.M)
gauge_after = int(g.group(1)) if g else -1
rss_end = server.rss_mib()
code = server.stop()

held = [c.closed_at - c.start for c in trickling if c.closed_at is not None]
statuses = {}
for c in trickling:
    st = harness.parse_status(c.answer)
    statuses[st] = statuses.get(st, 0) + 1
figures = {
    "slow_header_clients": args.slow, "slow_body_clients": max(1, args.slow // 5), "non_reading_clients": args.readers,
    "trickling_answers": {str(k): v for k, v in statuses.items()},
    "held_s_min": round(min(held), 1) if held else None, "held_s_max": round(max(held), 1) if held else None,
    "still_open_after_45_s": sum(1 for c in trickling if c.closed_at is None),
    "readers_dropped_after_s": round(readers_dropped_s, 1) if readers_dropped_s is not None else None,
    "connections_gauge_peak": gauge_peak, "connections_gauge_after": gauge_after,
    "normal_requests": normal["ok"] + len(normal["bad"]), "normal_not_200": len(normal["bad"]),
    "normal_p50_ms": round(1000 * harness.percentile(normal["lat"], 50), 1),
    "normal_p99_ms": round(1000 * harness.percentile(normal["lat"], 99), 1),
    "normal_max_ms": round(1000 * max(normal["lat"]), 1) if normal["lat"] else None,
    "rss_mib_before": round(rss_before, 1), "rss_mib_peak": round(rss_peak, 1), "rss_mib_end": round(rss_end, 1),
    "5xx_in_server_log": sum(n for s, n in server.statuses.items() if s >= 500),
    "exit_code_after_sigterm": code,
}
print("slow clients figures: " + json.dumps(figures), flush=True)

problems = []
if normal["bad"]:
    problems.append("normal requests not answered 200: %s" % normal["bad"][:10])
if normal["ok"] < 100:
    problems.append("only %d normal requests were answered" % normal["ok"])
p99_bound = 5.0 if args.sanitized else 2.0
if harness.percentile(normal["lat"], 99) > p99_bound:
    problems.append("normal requests' p99 latency %.2f s is over %.1f s" % (harness.percentile(normal["lat"], 99), p99_bound))
if statuses.get(408, 0) != len(trickling):
    problems.append("trickling clients' answers %s: every one must be 408" % statuses)
for c in trickling:
    if c.answer and b"application/problem+json" not in c.answer:
        problems.append("a 408 that is not problem+json: %r" % c.answer[:200])
        break
if held and (min(held) < READ_TIMEOUT - 1 or max(held) > READ_TIMEOUT + 6):
    problems.append("trickling clients were held %.1f to %.1f s, not %.0f s" % (min(held), max(held), READ_TIMEOUT))
if any(c.closed_at is None for c in trickling):
    problems.append("%d trickling clients still connected" % sum(1 for c in trickling if c.closed_at is None))
if readers_open:
    problems.append("the non-reading clients were still connected %.0f s after they connected" % (2 * READ_TIMEOUT + 5))
if gauge_after > 2:
    problems.append("the server still counts %d open connections" % gauge_after)
if figures["5xx_in_server_log"]:
    problems.append("5xx answers in the server log")
if server.errors():
    problems.append("error events: %s" % server.errors()[:5])
if code != 0:
    problems.append("exit code %s after SIGTERM" % code)
if problems:
    fail("\n".join(problems))
print("slow clients: ok", flush=True)
