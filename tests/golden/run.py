#!/usr/bin/env python3
"""Golden outputs: the same bits before and after a redesign (issue 15, "Open the model").

Every case below runs the real `tanhui` on a fresh database built from data/historical and
compares what it prints (or writes) with tests/golden/expected/, recorded from main before the
first move of the redesign. JSON is compared as canonical text (parsed with Python, whose float
parsing and repr round-trip every double exactly, then dumped with the keys in their order), so
equality means every number has the same bits; CSV and text files are compared byte for byte.
Only fields that cannot repeat are masked: quote_id, created and validate's timings. Outputs
larger than 64 KiB are kept as their SHA-256 (expected/NAME.sha256) to keep the repository small;
the small ones as text, so that a difference shows its first differing line.

Cases added later are recorded from main before the change they guard: the five-peril, coastal
typhoon, sink_loss index and sink cover quotes (index-five-perils*, index-typhoon-coast, sink-*)
from 8f90957, before the typhoon and sink speed work of 2026-12-07.

A commit that must change an answer says so, and re-records with --record; a commit that adds
a field lists it in ADDED with the reason (the older fields must still be byte-identical).

A commit that adds calibrations (a new peril's families) changes the model version, which is a
hash of them, and with it every answer's "model_version". --ignore-version replaces the current
version string by the recorded one (read from expected/model.json) everywhere, takes a batch
manifest's file hashes from the recorded manifest (the files are compared themselves) and leaves
out model.json, so that such a commit can show what else moved before it re-records.

Usage: run.py path/to/tanhui [--record] [--ignore-version]
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
REQ = HERE / "requests"
EXPECTED = HERE / "expected"

# Fields that differ between two runs of the same request.
VOLATILE = {"quote_id", "created", "timings_seconds"}
# Fields added after the recording, with the commit's reason; stripped from new outputs before
# comparing, so that every recorded field must still be there with the same bits.
ADDED = {
    # issue 15 item 4: a batch prices every product; each policy's results also carry the mean of
    # its column of annual payouts (for a risk-neutral price policy the pure premium is the
    # engine's price, so the portfolio's AAL ties to this, not to the pure premium).
    "expected_payout_cny": "batch results: mean of the policy's physical payout column",
    "expected_payout_se_cny": "batch results: its standard error",
    # issue 15 item 8: every quote answer names the effective parameters it used after overrides.
    "model_used": "quote answers: the model's parameters after the request's overrides",
    # issue 18 item 7: batch results flag a policy whose Monte Carlo error exceeds
    # --mc-error-share of its pure premium. (Their new beyond_simulation is absent when every
    # return period lies within the years, as in every golden case; it cannot be listed here:
    # metrics answers have carried a field of that name from the start.)
    "mc_error_flag": "batch results: pure_premium_se_cny > --mc-error-share x pure_premium_cny",
    # issue 17 item 4: every quote answer gives rates a market can compare and says what its sum
    # insured is (docs/products.md "Sink insurance and rates a market can compare").
    "rate_on_limit": "quote answers: gross premium / the most the policy pays over its term",
    "premium_per_ha_cny": "quote answers: gross premium per hectare insured (null without holdings)",
    "premium_per_mu_cny": "quote answers: gross premium per mu (null without holdings)",
    "sum_insured_basis": "quote answers: what the sum insured is",
    # issue 16 item 6: every answer says where its loss and premium come from (objects keyed by
    # peril that add up exactly to their totals; docs/api.md "Where the premium comes from").
    "expected_loss_by_peril_tco2e": "quote answers and batch results: expected_loss_tco2e by peril",
    "pure_premium_by_peril_cny": "quote answers and batch results: pure_premium_cny by peril",
    "expected_subject_loss_by_peril_cny": "layer answers on a simulated portfolio: expected_subject_loss_cny by peril",
    "expected_layer_loss_by_peril_cny": "layer answers on a simulated portfolio: expected_layer_loss_cny by peril",
    "mean_reversal_share_by_peril": "buffer answers: mean_reversal_share by peril",
    "by_peril": "batch metrics.json: the AALs (tco2e, cny) by peril",
    "by_region": "batch metrics.json: the AALs (tco2e, cny) by county and province",
}
HASH_ABOVE = 64 * 1024

QUOTES = sorted(p.stem for p in REQ.glob("*.json")
                if p.stem.split("-")[0] in ("index", "price", "revenue", "sink", "array"))
PRODUCTS = [  # (name, subcommand, request file, extra args)
    ("credibility", "credibility", "credibility.json", []),
    ("credibility-zero-between", "credibility", "credibility-zero-between.json", []),
    ("metrics", "metrics", "metrics.json", []),
    ("metrics-default-levels", "metrics", "metrics-default-levels.json", []),
    ("layer", "layer", "layer.json", []),
    ("layer-table", "layer", "layer-table.json", []),
    ("layer-aggregate-sim", "layer", "layer-aggregate-sim.json", []),
    ("damage", "damage", "damage.json", []),
    ("damage-cea-regrowth", "damage", "damage-cea-regrowth.json", []),
    ("buffer", "buffer", "buffer.json", []),
    ("buffer-fire-only", "buffer", "buffer-fire-only.json", []),
    ("burning-cost", "burning-cost", "burning-cost.json", []),
    ("burning-cost-linear", "burning-cost", "burning-cost-linear.json", []),
]
METRICS_CSV = "year,event,loss\n2,1,1200.0\n3,1,350.5\n3,2,80\n7,1,15000\n11,1,640\n11,2,640\n14,3,4200\n19,1,95\n"
ERRORS = [  # (name, subcommand, stdin): problem+json for requests that are bad today and stay bad
    ("error-no-holdings", "quote",
     '{"product":"index_insurance","policy":{"id":"x","start":"2027-01-01"},"holdings":[],"cover":{}}'),
    ("error-unknown-fields", "quote",
     '{"product":"index_insurance","policy":{"id":"x","start":"2027-13-01","colour":1},"holdings":'
     '[{"id":"h","region":"350802","forest_type":"oak","area_ha":-1,"age_years":5}],'
     '"cover":{"perils":["fire","flood"],"form":"per_tonne","price_cny_per_tco2e":-2}}'),
    ("error-credibility", "credibility",
     '{"groups": [{"id": "a", "ratios": [1, 2], "weights": [1, -1]}, {"id": "b", "ratios": [1], "weights": [1]}], "x": 1}'),
]


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def canonical(value):
    """Drop volatile and added keys (recursively) and dump in key order."""
    def strip(v):
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if k not in VOLATILE and k not in ADDED}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v
    return json.dumps(strip(value), indent=1, ensure_ascii=False, allow_nan=True) + "\n"


def json_text(raw: str) -> str:
    return canonical(json.loads(raw, object_pairs_hook=lambda pairs: dict(pairs)))


def manifest_text(raw: str) -> str:
    """A batch's manifest.json (issue 18) with what depends on the build and the checkout masked:
    the tanhui commit, run_sha256 (it hashes the commit) and the absolute paths of the inputs
    (made relative to the source tree). Every file's bytes and SHA-256 are compared as they are."""
    j = json.loads(raw, object_pairs_hook=lambda pairs: dict(pairs))
    j["tanhui"] = "<build>"
    j["run_sha256"] = "<build>"
    for key in ("portfolio", "holdings_file"):
        if j["parameters"].get(key):
            j["parameters"][key] = os.path.relpath(j["parameters"][key], ROOT)
    return canonical(j)


class Runner:
    def __init__(self, tanhui, work):
        self.tanhui = tanhui
        self.env = dict(os.environ, TANHUI_DB=str(work / "golden.db"))
        self.env.pop("TANHUI_THREADS", None)
        self.work = work

    def run(self, args, stdin=None, ok=(0,)):
        p = subprocess.run([self.tanhui, *args], input=stdin, capture_output=True, text=True, env=self.env,
                           cwd=self.work)
        if p.returncode not in ok:
            raise SystemExit(f"golden: tanhui {' '.join(args)} exited {p.returncode}:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
        return p.stdout


def outputs(tanhui, work):
    """Yields (relative name, text) of every golden output."""
    r = Runner(tanhui, work)
    yield "model.json", json_text(r.run(["model", "show", "--json"]))
    for name in QUOTES:
        yield f"quotes/{name}.json", json_text(r.run(["quote", "--no-store", str(REQ / f"{name}.json")]))
    for name, sub, req, extra in PRODUCTS:
        yield f"products/{name}.json", json_text(r.run([sub, str(REQ / req), *extra]))
    yield "products/metrics-csv.json", json_text(
        r.run(["metrics", "-", "--years", "20", "--levels", "0.9,0.95", "--return-periods", "2,5,10,20"], stdin=METRICS_CSV))
    for name, sub, body in ERRORS:
        yield f"errors/{name}.json", json_text(r.run([sub, "-"], stdin=body, ok=(2,)))
    portfolios = ROOT / "examples" / "portfolios"
    for name, args in [
        ("csv", [str(portfolios / "fujian-demo-synthetic-portfolio.csv"), "--holdings",
                 str(portfolios / "fujian-demo-synthetic-holdings.csv"), "--years", "3000", "--seed", "20270101",
                 "--chunk-years", "1000", "--layer", "5000000:20000000", "--layer", "500000:2000000:occurrence",
                 "--policy-ylt"]),
        ("json", [str(HERE / "portfolio.json"), "--years", "3000", "--seed", "7", "--layer", "10000:100000"]),
    ]:
        out = work / f"batch-{name}"
        r.run(["batch", *args, "--out", str(out), "--progress", "none", "--quiet"])
        for f in sorted(p for p in out.rglob("*") if p.is_file()):
            rel = f.relative_to(out)
            text = f.read_text()
            if str(rel) == "manifest.json":
                yield f"batch-{name}/{rel}", manifest_text(text)
            else:
                yield f"batch-{name}/{rel}", json_text(text) if f.suffix == ".json" else text
    out = work / "validate"
    r.run(["validate", "--out", str(out), "--no-figures", "--accept", str(ROOT / "docs/validation/findings.csv")])
    for f in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = f.relative_to(out)
        text = f.read_text()
        yield f"validate/{rel}", json_text(text) if f.suffix == ".json" else text


def mask_file_hashes(text, recorded):
    """The manifest `text` with each file's sha256 taken from the recorded manifest."""
    now = json.loads(text)
    was = {f.get("name"): f.get("sha256") for f in recorded.get("files", [])}
    for f in now.get("files", []):
        if f.get("name") in was and "sha256" in f:
            text = text.replace(f["sha256"], was[f["name"]])
    return text


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    record = "--record" in sys.argv
    ignore_version = "--ignore-version" in sys.argv and not record
    if len(args) != 1:
        raise SystemExit(__doc__)
    tanhui = str(Path(args[0]).resolve())
    work = Path(tempfile.mkdtemp(prefix="tanhui-golden-"))
    failures = []
    seen = set()
    try:
        if record and EXPECTED.exists():
            shutil.rmtree(EXPECTED)
        recorded_version = now_version = None
        if ignore_version:
            recorded_version = json.loads((EXPECTED / "model.json").read_text())["model_version"]
        for rel, text in outputs(tanhui, work):
            seen.add(rel)
            if ignore_version:
                if rel == "model.json":
                    now_version = json.loads(text)["model_version"]
                    continue
                text = text.replace(now_version, recorded_version)
                if rel.endswith("manifest.json"):
                    # A batch manifest hashes its files, and they carry the version: the files
                    # themselves are compared (version replaced), so their hashes are not.
                    want_path = EXPECTED / rel
                    if want_path.exists():
                        text = mask_file_hashes(text, json.loads(want_path.read_text()))
            path = EXPECTED / rel
            digest = EXPECTED / (rel + ".sha256")
            big = len(text.encode()) > HASH_ABOVE
            if record:
                path.parent.mkdir(parents=True, exist_ok=True)
                if big:
                    digest.write_text(f"{sha256(text)}  {len(text.encode())} bytes\n")
                else:
                    path.write_text(text)
                continue
            if digest.exists():
                if digest.read_text().split()[0] != sha256(text):
                    failures.append(f"{rel}: SHA-256 differs from the golden one ({len(text.encode())} bytes now, "
                                    f"{digest.read_text().split()[1]} then)")
                continue
            if not path.exists():
                failures.append(f"{rel}: new output, not in the golden set")
                continue
            want = path.read_text()
            if want != text:
                wl, gl = want.splitlines(), text.splitlines()
                at = next((i for i, (a, b) in enumerate(zip(wl, gl)) if a != b), min(len(wl), len(gl)))
                failures.append(f"{rel}: differs at line {at + 1}:\n  golden: {wl[at] if at < len(wl) else '<end>'}\n"
                                f"  now:    {gl[at] if at < len(gl) else '<end>'}")
        if not record and not ignore_version:
            for p in sorted(EXPECTED.rglob("*")):
                rel = str(p.relative_to(EXPECTED)).removesuffix(".sha256")
                if p.is_file() and rel not in seen:
                    failures.append(f"{p.relative_to(EXPECTED)}: golden output no longer produced")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if record:
        print(f"golden: recorded {len(seen)} outputs in {EXPECTED}")
        return 0
    for f in failures:
        print("golden: " + f)
    print(f"golden: {len(seen) - len([f for f in failures if 'new output' not in f])} of {len(seen)} outputs identical"
          if failures else f"golden: all {len(seen)} outputs identical")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
