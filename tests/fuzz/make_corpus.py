#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/<target>/ from the project's own inputs:
examples/quotes/*.json (quote decoder), snippets of data/historical/*.csv and the demo holdings
(CSV importer), and HTTP request texts over the service's routes (HTTP path). Run it again when
the inputs change; the seeds are committed, small, and never written by a fuzz run in CI
(tests/fuzz/run fuzzes a copy). Crash inputs found later are added by hand, named crash-*."""
import json, pathlib, shutil

root = pathlib.Path(__file__).resolve().parents[2]
out = root / "tests/fuzz/corpus"

def write(target, name, data: bytes):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)

def reset(target):
    d = out / target
    if d.exists():
        for f in d.iterdir():
            if not f.name.startswith("crash-"):
                f.unlink()

# ---- quote requests and the other request kinds -------------------------------------------
reset("fuzz_quote_request")
quotes = sorted((root / "examples/quotes").glob("*.json"))
for q in quotes:
    write("fuzz_quote_request", q.stem + ".json", q.read_bytes())
longyan = json.loads((root / "examples/quotes/longyan-index.json").read_text())
write("fuzz_quote_request", "array.json", json.dumps([longyan, longyan]).encode())
linear = json.loads(json.dumps(longyan))
linear["cover"] = {"perils": ["fire"], "form": "linear", "sum_insured_cny": 1e6, "trigger": 0.05, "exit": 0.5}
linear["holdings"][0]["area_mu"] = 30000
del linear["holdings"][0]["area_ha"]
write("fuzz_quote_request", "linear-mu.json", json.dumps(linear).encode())
write("fuzz_quote_request", "unknown-field.json", b'{"product":"index_insurance","bogus":1}')
write("fuzz_quote_request", "bad-utf8.json", b'{"policy":{"id":"\xff\xfe"}}')
write("fuzz_quote_request", "deep.json", b"[" * 70 + b"]" * 70)
write("fuzz_quote_request", "numbers.json", b'{"simulation":{"years":1e400,"seed":-1},"holdings":[{"area_ha":-0.0}]}')

# ---- CSV files: byte 0 = kind (data::import_kinds() order), byte 1 = prices market option ------
kinds = ["regions", "forest_area", "markets", "prices", "fire", "disaster", "pest", "forest_types",
         "carbon_density", "assumptions", "holdings"]
files = {"regions": "regions.csv", "forest_area": "forest_area.csv", "markets": "markets.csv",
         "prices": "prices_FJEA.csv", "fire": "fire_history.csv", "disaster": "disaster_history.csv",
         "pest": "pest_history.csv", "forest_types": "forest_types.csv",
         "carbon_density": "carbon_density_by_age.csv", "assumptions": "assumptions.csv"}
reset("fuzz_csv_import")
for i, kind in enumerate(kinds):
    path = root / "data/historical" / files[kind] if kind in files else \
        root / "examples/portfolios/fujian-demo-synthetic-holdings.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    # Fujian rows where the file has them, so that references (regions) resolve.
    rows = [l for l in lines[1:] if l.startswith((b"35", b"CN,"))][:4] or lines[1:5]
    write("fuzz_csv_import", f"{kind}.csv", bytes([i, 0]) + lines[0] + b"".join(rows))
write("fuzz_csv_import", "prices-quoted-crlf.csv",
      bytes([3, 1]) + b'\xef\xbb\xbfdate,close,volume_t,currency,traded,source\r\n"2021-07-16","51.2",,CNY,1,"a ""b"""\r\n')
write("fuzz_csv_import", "holdings-bad-row.csv",
      bytes([10, 0]) + b"id,region,forest_type,area_ha,age_years\nh1,350802,chinese_fir,-5,abc\nh2,350802\n")

# ---- HTTP requests ---------------------------------------------------------------------------
reset("fuzz_http_request")
def req(method, target, body=b"", headers=()):
    h = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"] + list(headers)
    if body:
        h += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(h) + "\r\n\r\n").encode() + body
small = json.loads(json.dumps(longyan))
small["simulation"]["years"] = 500
price = json.loads((root / "examples/quotes/nanping-price.json").read_text())
price["simulation"] = {"years": 500, "seed": 1}
write("fuzz_http_request", "healthz", req("GET", "/healthz"))
write("fuzz_http_request", "metrics", req("GET", "/metrics"))
write("fuzz_http_request", "markets", req("GET", "/v1/markets"))
write("fuzz_http_request", "prices", req("GET", "/v1/markets/FJEA/prices?from=2024-01-01&to=2024-01-31&traded_only=true"))
write("fuzz_http_request", "regions", req("GET", "/v1/regions?level=prefecture"))
write("fuzz_http_request", "fire", req("GET", "/v1/history/fire?region=35&from=2004&to=2006"))
write("fuzz_http_request", "pest", req("GET", "/v1/history/pest?region=CN&pest=pine_wilt"))
write("fuzz_http_request", "quote-index", req("POST", "/v1/quotes", json.dumps(small).encode()))
write("fuzz_http_request", "quote-price", req("POST", "/v1/quotes", json.dumps(price).encode()))
write("fuzz_http_request", "quote-get", req("GET", "/v1/quotes/q-0123456789abcdef0123"))
write("fuzz_http_request", "model", req("GET", "/v1/models/current"))
write("fuzz_http_request", "pipelined", req("GET", "/healthz") + req("GET", "/v1/markets/CEA/prices?from=2021-07-16&to=2021-07-20"))
write("fuzz_http_request", "chunked",
      b"POST /v1/quotes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
      b"5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n\r\n")
write("fuzz_http_request", "expect-continue",
      req("POST", "/v1/quotes", b"{}", ["Expect: 100-continue"]))
write("fuzz_http_request", "http10", b"GET /healthz HTTP/1.0\r\n\r\n")
write("fuzz_http_request", "bad-auth", req("GET", "/v1/markets", headers=["Authorization: Basic abc"]))
write("fuzz_http_request", "percent", req("GET", "/v1/markets/F%4AEA/prices?from=%32024-01-01"))
write("fuzz_http_request", "bad-content-type", req("POST", "/v1/quotes", b"{}").replace(b"application/json", b"text/plain"))
write("fuzz_http_request", "big-length", b"POST /v1/quotes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999\r\n\r\n{")
write("fuzz_http_request", "garbage", b"\x00\x01GET / HTTP/9.9\r\n\r\n")
def small_years(j):
    if isinstance(j, dict):
        return {k: (min(v, 500) if k in ("years", "horizon_years", "paths") and isinstance(v, int) else small_years(v))
                for k, v in j.items()}
    if isinstance(j, list):
        return [small_years(v) for v in j]
    return j
for name, route in [("layer", "/v1/reinsurance/layer"), ("damage", "/v1/valuations/damage"),
                    ("buffer", "/v1/risk/buffer"), ("credibility", "/v1/experience/credibility"),
                    ("metrics", "/v1/risk/metrics"), ("burning-cost", "/v1/experience/burning-cost")]:
    body = json.dumps(small_years(json.loads((root / "examples/quotes" / f"{name}.json").read_text()))).encode()
    write("fuzz_http_request", f"product-{name}", req("POST", route, body))
print("seeds:", {d.name: len(list(d.iterdir())) for d in sorted(out.iterdir())})
