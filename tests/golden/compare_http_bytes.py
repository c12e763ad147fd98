#!/usr/bin/env python3
"""The raw bytes two tanhui binaries answer over HTTP, compared byte for byte.

tests/golden/run.py compares JSON as parsed values: a change of number format ("15.0" for "15")
or key order that parses alike would pass it. This sends the same requests to `serve` of each
binary (each on a fresh database from data/historical, so the same model version) and compares
the bodies and statuses as bytes, with only the values of quote_id and created masked (and the
ids in the paths of GET /v1/quotes/{id} and replay mapped from one server's ids to the other's):
single quotes of every example, arrays (atomic and not, with a bad element), problems, stored
quotes read back, replays and a search.

Usage: compare_http_bytes.py OLD_TANHUI NEW_TANHUI
"""
import http.client
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = ROOT / "examples" / "quotes"
QUOTES = ["longyan-index.json", "longyan-index-fire-pest.json", "nanping-price.json", "sanming-revenue.json",
          "gaochun-sink.json", "longli-growth.json"]
MASK = re.compile(rb'"(quote_id|created)":"[^"]*"')


def price_variants():
    base = json.loads((EXAMPLES / "nanping-price.json").read_text())
    out = []
    for principle, parameter in [("expected_value", 0.1), ("std_dev", 0.3), ("wang", 0.25), ("cost_of_capital", 0.1)]:
        r = json.loads(json.dumps(base))
        r["premium"] = {"principle": principle, "parameter": parameter}
        out.append(r)
    r = json.loads(json.dumps(base))
    r["return_periods"] = [2.5, 10, 1000, 1e7]
    out.append(r)
    r = json.loads(json.dumps(base))
    r["cover"]["engine"] = "monte_carlo"
    r["simulation"] = {"years": 2000, "seed": 5}
    out.append(r)
    r = json.loads(json.dumps(base))
    r["cover"]["method"] = "actuarial"
    r["cover"].pop("engine", None)
    r["simulation"] = {"years": 5000, "seed": 5}
    out.append(r)
    r = json.loads(json.dumps(base))
    r["uncertainty"] = True
    out.append(r)
    return out


def requests():
    """(method, path, body bytes or None) in order; {ID0} .. are the ids of earlier answers."""
    bodies = [(EXAMPLES / name).read_bytes() for name in QUOTES]
    bodies += [json.dumps(r).encode() for r in price_variants()]
    out = [("POST", "/v1/quotes", b) for b in bodies]
    price = json.loads((EXAMPLES / "nanping-price.json").read_text())
    bad = json.loads(json.dumps(price))
    bad["cover"]["quantity_tco2e"] = -1
    out.append(("POST", "/v1/quotes", json.dumps([price, price]).encode()))
    out.append(("POST", "/v1/quotes?atomic=false", json.dumps([price, bad, price]).encode()))
    out.append(("POST", "/v1/quotes", json.dumps([price, bad]).encode()))
    out.append(("POST", "/v1/quotes", b'{"product": "price_insurance"'))
    for i in range(len(bodies)):
        out.append(("GET", "/v1/quotes/{ID%d}" % i, None))
    for i in [0, 2, 7, 11]:
        out.append(("POST", "/v1/quotes/{ID%d}/replay" % i, b""))
    out.append(("GET", "/v1/quotes?limit=5", None))
    return out


class Server:
    def __init__(self, binary, folder):
        db = Path(folder) / "db.sqlite"
        subprocess.run([binary, "--db", str(db), "quote", "--no-store", str(EXAMPLES / "nanping-price.json")],
                       check=True, stdout=subprocess.DEVNULL)
        self.log = open(Path(folder) / "serve.log", "w+")
        self.proc = subprocess.Popen([binary, "--db", str(db), "serve", "--listen", "127.0.0.1", "--port", "0",
                                      "--threads", "1", "--io-threads", "1"], stderr=self.log)
        for _ in range(600):
            self.log.seek(0)
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.log.read())
            if m:
                self.port = int(m.group(1))
                return
            time.sleep(0.1)
        raise SystemExit("%s did not start" % binary)

    def send(self, method, path, body):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        c.request(method, path, body, {"Content-Type": "application/json"} if body is not None else {})
        r = c.getresponse()
        return r.status, r.read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def run(binary, folder):
    server = Server(binary, folder)
    ids, answers = [], []
    try:
        for method, path, body in requests():
            path = re.sub(r"\{ID(\d+)\}", lambda m: ids[int(m.group(1))], path)
            status, data = server.send(method, path, body)
            if method == "POST" and path.startswith("/v1/quotes") and not path.endswith("replay"):
                m = re.match(rb'\{.*?"quote_id":"(q-[0-9a-f]+)"', data)
                if m and body and body.startswith(b"{"):
                    ids.append(m.group(1).decode())
            answers.append((method, path, status, data))
    finally:
        server.stop()
    return answers


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        old, new = run(sys.argv[1], a), run(sys.argv[2], b)
    differ = 0
    for (method, path, s1, d1), (_, _, s2, d2) in zip(old, new):
        # Search results and problems carry ids or request ids of their own run.
        m1 = re.sub(rb'q-[0-9a-f]{32}', b"q-ID", MASK.sub(rb'"\1":"*"', d1))
        m2 = re.sub(rb'q-[0-9a-f]{32}', b"q-ID", MASK.sub(rb'"\1":"*"', d2))
        m1 = re.sub(rb'(request|"instance":")[^"]*', rb"\1*", m1)
        m2 = re.sub(rb'(request|"instance":")[^"]*', rb"\1*", m2)
        same = s1 == s2 and m1 == m2
        differ += not same
        print("%s %s %s %d, %d bytes" % ("same  " if same else "DIFFER", method, re.sub(r"q-[0-9a-f]+", "q-ID", path),
                                         s2, len(d2)))
        if not same:
            print("  old:", d1[:400])
            print("  new:", d2[:400])
    print("compare_http_bytes: %d of %d answers differ" % (differ, len(old)))
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
