#!/usr/bin/env python3
"""Writes the Fujian demonstration portfolio of `tanhui batch` (SYNTHETIC: made-up holdings).

    python3 examples/portfolios/make_fujian_demo.py            # rewrites the two CSV files here
    python3 examples/portfolios/make_fujian_demo.py --check    # exits 1 if they differ

Deterministic: a fixed SplitMix64 stream (no `random` module, whose algorithms may change
between Python versions), so the committed files are exactly what this script writes.
PROVENANCE.md says what is real (region codes, forest types) and what is made up (the rest).

Outputs
  fujian-demo-synthetic-holdings.csv   the holdings import format (`tanhui data import holdings`)
  fujian-demo-synthetic-portfolio.csv  one carbon-sink index policy per row, holdings by id
"""

import csv
import io
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REGIONS = HERE.parent.parent / "data" / "historical" / "regions.csv"
HOLDINGS = HERE / "fujian-demo-synthetic-holdings.csv"
PORTFOLIO = HERE / "fujian-demo-synthetic-portfolio.csv"

SEED = 20270101
TARGET_HOLDINGS = 1200
HOLDINGS_PER_POLICY = 6

# Made-up weights: the inland, forest-rich prefectures (Nanping, Sanming, Longyan, Ningde) hold
# most of the stands, as Fujian's forest does; the coastal ones fewer.
PREFECTURE_WEIGHT = {
    "3501": 1.0, "3502": 0.3, "3503": 0.6, "3504": 2.2, "3505": 0.9,
    "3506": 1.0, "3507": 2.4, "3508": 2.0, "3509": 1.5,
}
INLAND = {"3504", "3507", "3508", "3509"}

# Forest-type mix (made-up shares in the spirit of Fujian's inventory: Chinese fir and Masson pine
# plantations inland, moso bamboo in the north-west, eucalyptus and broadleaf near the coast),
# with plausible stand ages (years) and stand areas (ha) for each type.
MIX_INLAND = [("chinese_fir", 0.38), ("masson_pine", 0.22), ("bamboo", 0.15), ("broadleaf", 0.12),
              ("mixed", 0.10), ("eucalyptus", 0.03)]
MIX_COAST = [("chinese_fir", 0.18), ("masson_pine", 0.24), ("bamboo", 0.06), ("broadleaf", 0.16),
             ("mixed", 0.14), ("eucalyptus", 0.22)]
AGES = {"chinese_fir": (4, 35), "masson_pine": (8, 45), "eucalyptus": (2, 9), "broadleaf": (15, 80),
        "bamboo": (3, 10), "mixed": (10, 60)}
AREA_MEDIAN_HA = {"chinese_fir": 180, "masson_pine": 220, "eucalyptus": 120, "broadleaf": 260,
                  "bamboo": 90, "mixed": 200}


class SplitMix64:
    """Steele, Lea & Flood (2014) SplitMix64: 64-bit outputs from a counter."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def uniform(self):
        return ((self.next() >> 11) + 0.5) / float(1 << 53)

    def choice(self, weighted):
        u = self.uniform() * sum(w for _, w in weighted)
        for item, w in weighted:
            u -= w
            if u < 0:
                return item
        return weighted[-1][0]

    def normal(self):
        # Box-Muller on two uniforms in (0, 1).
        return math.sqrt(-2.0 * math.log(self.uniform())) * math.cos(2.0 * math.pi * self.uniform())


def counties():
    with REGIONS.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["level"] == "county" and r["parent_code"] in PREFECTURE_WEIGHT]
    return sorted(rows, key=lambda r: r["code"])


def holdings(rng, county_rows):
    weights = [PREFECTURE_WEIGHT[r["parent_code"]] for r in county_rows]
    total = sum(weights)
    # Every county gets at least 3 stands; the rest follow the prefecture weights.
    counts = [max(3, round(TARGET_HOLDINGS * w / total)) for w in weights]
    out = []
    for row, n in zip(county_rows, counts):
        mix = MIX_INLAND if row["parent_code"] in INLAND else MIX_COAST
        for i in range(n):
            t = rng.choice(mix)
            lo, hi = AGES[t]
            age = lo + (hi - lo) * rng.uniform()
            area = AREA_MEDIAN_HA[t] * math.exp(0.9 * rng.normal())
            area = min(5000.0, max(5.0, area))
            credits = ""
            if rng.uniform() < 0.25:  # a quarter hold issued credits (FFCER): 1-3 years of sequestration
                credits = f"{area * (2 + 6 * rng.uniform()):.0f}"
            out.append({
                "id": f"fj-demo-{row['code']}-{i + 1:03d}",
                "region": row["code"],
                "forest_type": t,
                "area_ha": f"{area:.1f}",
                "age_years": f"{age:.0f}",
                "carbon_stock_tco2e_per_ha": "",
                "sequestration_tco2e_per_ha_yr": "",
                "credits_tco2e": credits,
            })
    return out


def policies(rng, holding_rows):
    by_county = {}
    for h in holding_rows:
        by_county.setdefault(h["region"], []).append(h)
    out = []
    for county in sorted(by_county):
        stands = by_county[county]
        groups = max(1, round(len(stands) / HOLDINGS_PER_POLICY))
        for g in range(groups):
            members = stands[g::groups]
            area = sum(float(h["area_ha"]) for h in members)
            policy = {
                "policy_id": f"FJ-DEMO-{county}-{g + 1:02d}",
                "holding_ids": ";".join(h["id"] for h in members),
                "product": "index_insurance",
                "perils": "fire;pest" if rng.uniform() < 0.8 else "fire",
                "form": "", "price_cny_per_tco2e": "", "deductible_tco2e": "", "limit_cny": "",
                "sum_insured_cny": "", "trigger": "", "exit": "",
                "start": "2027-01-01",
                "principle": "std_dev", "parameter": "0.25",
                "expense_ratio": "0.15", "commission": "0.05", "profit_margin": "0.05", "subsidy_share": "0.5",
            }
            if rng.uniform() < 0.6:
                # Per tonne (the Longyan Xinluo form): an agreed carbon price; a deductible of about
                # 0.1-0.5 % of the pool's stock (taken as ~150 tCO2e/ha here only to size it).
                policy["form"] = "per_tonne"
                policy["price_cny_per_tco2e"] = f"{rng.choice([(15, 1), (20, 2), (25, 1), (30, 1)])}"
                policy["deductible_tco2e"] = f"{area * 150 * (0.001 + 0.004 * rng.uniform()):.0f}"
            else:
                # Linear on the pool's loss ratio, sum insured ~ 150 tCO2e/ha x 20 CNY x 30 %.
                policy["form"] = "linear"
                policy["sum_insured_cny"] = f"{round(area * 150 * 20 * 0.3, -3):.0f}"
                policy["trigger"] = f"{rng.choice([(0.005, 1), (0.01, 2), (0.02, 1)])}"
                policy["exit"] = f"{rng.choice([(0.2, 1), (0.3, 2), (0.5, 1)])}"
            out.append(policy)
    return out


def to_csv(rows, columns):
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def main(argv):
    rng = SplitMix64(SEED)
    county_rows = counties()
    h = holdings(rng, county_rows)
    p = policies(rng, h)
    files = {
        HOLDINGS: to_csv(h, ["id", "region", "forest_type", "area_ha", "age_years", "carbon_stock_tco2e_per_ha",
                             "sequestration_tco2e_per_ha_yr", "credits_tco2e"]),
        PORTFOLIO: to_csv(p, ["policy_id", "holding_ids", "product", "perils", "form", "price_cny_per_tco2e",
                              "deductible_tco2e", "limit_cny", "sum_insured_cny", "trigger", "exit", "start",
                              "principle", "parameter", "expense_ratio", "commission", "profit_margin",
                              "subsidy_share"]),
    }
    if "--check" in argv:
        stale = [str(path) for path, text in files.items() if not path.exists() or path.read_text(encoding="utf-8") != text]
        if stale:
            print("out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
    counties_used = len({row["region"] for row in h})
    print(f"{len(h)} holdings in {counties_used} counties, {len(p)} policies", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
