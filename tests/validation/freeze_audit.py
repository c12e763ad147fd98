#!/usr/bin/env python3
"""Freeze: the model's implied long-run loss against the evidence (docs/validation.md, "Freeze:
implied long-run loss"; issue 16 items 1 and 9).

Reads the model's freeze parameters from `tanhui model show --json` (or a saved copy), the
shipped data (data/historical: assumptions.csv, forest_area.csv, disaster_history.csv) and the
raw forest-disaster literature (../shared/data/raw/forest_disaster/forest_disaster_literature.csv,
the January 2008 figures), and prints Markdown tables: per province the event-year probability
p, the affected share A given an event (mean, quantiles), the implied expected share of forest
affected and of stock lost a year, the return period of the province's 2008 footprint x_r (the
rows freeze.affected_share_2008[.region] of assumptions.csv), and
beside them what 2008 spread over the assumed return period implies.

Usage: python3 tests/validation/freeze_audit.py [--tanhui build/tanhui | --model model.json]
       [--raw ../shared/data/raw]
Python 3 standard library only.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MU = 1.0 / 15.0  # ha per mu
PROVINCES = [("35", "Fujian"), ("43", "Hunan"), ("33", "Zhejiang"), ("44", "Guangdong"), ("36", "Jiangxi")]


# Regularised incomplete beta I_x(a, b) (continued fraction, Numerical Recipes 6.4).
def _betacf(a, b, x):
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100000):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((a - 1 + m2) * (a + m2)),
                   -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2))):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def beta_sf(a, b, x):
    """P(A > x) for A ~ Beta(a, b)."""
    if x <= 0:
        return 1.0
    if x >= 1:
        return 0.0
    lfront = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1) / (a + b + 2):
        return 1.0 - math.exp(lfront) * _betacf(a, b, x) / a
    return math.exp(lfront) * _betacf(b, a, 1 - x) / b


def beta_quantile(a, b, u):
    lo, hi = 0.0, 1.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if 1.0 - beta_sf(a, b, mid) < u:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_model(args):
    if args.model:
        with open(args.model, encoding="utf-8") as f:
            return json.load(f)
    out = subprocess.run([args.tanhui, "model", "show", "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def evidence(raw_dir, forest):
    """The January 2008 figures: {region: (affected share, note)} and the national volume share."""
    lit = {r["id"]: r for r in read_csv(os.path.join(raw_dir, "forest_disaster", "forest_disaster_literature.csv"))}
    v = lambda k: float(lit[k]["value"])  # noqa: E731
    cn_area, cn_stock = forest[("CN", "NFI7")]
    out = {
        "CN": (v("ice2008_cn_area_ha") / cn_area, "19.4 Mha of 195.5 Mha (NFI7)"),
        "43": (v("ice2008_43_area_mu") * MU / forest[("43", None)][0], "67.88 M mu of 10.53 Mha"),
        "33": (v("ice2008_33_area_mu") * MU / forest[("33", "NFI8")][0],
               "12.43 M mu of 6.01 Mha (early count); public-welfare forest %.2f" % v("ice2008_33pw_affected_share")),
        "44": (0.082, "heavily hit zone 8.2 %% of the forest (%.2f Mha damaged)" % (v("ice2008_44_area_mu") * MU / 1e6)),
    }
    # Jiangxi: only the forestry loss; at Hunan's loss per affected ha (16.5 bn CNY / 4.53 Mha).
    hunan_cny_per_ha = 16.5e9 / (v("ice2008_43_area_mu") * MU)
    out["36"] = (None, "loss 14.28 bn CNY: about %.1f Mha at Hunan's loss per ha (forest area not shipped)"
                 % (v("ice2008_36_loss_cny") / hunan_cny_per_ha / 1e6))
    out["35"] = (None, "qualitative: 8 Wuyi-range counties severely hit")
    volume_share = v("ice2008_cn_volume_m3") / cn_stock
    return out, volume_share, v("ice2008_cn_crop_ha")


def forest_table(path):
    out = {}
    for r in read_csv(path):
        if r["forest_area_ha"]:
            area = float(r["forest_area_ha"])
            stock = float(r["forest_stock_m3"]) if r["forest_stock_m3"] else None
            out[(r["region"], r["inventory"])] = (area, stock)
            out[(r["region"], None)] = (area, stock)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tanhui", default=os.path.join(ROOT, "build", "tanhui"))
    ap.add_argument("--model", help="a saved `tanhui model show --json`")
    ap.add_argument("--raw", default=os.path.join(ROOT, "..", "shared", "data", "raw"))
    args = ap.parse_args()

    hist = os.path.join(ROOT, "data", "historical")
    assumptions = {r["key"]: r for r in read_csv(os.path.join(hist, "assumptions.csv"))}
    a_val = lambda k: float(assumptions[k]["value"]) if k in assumptions else None  # noqa: E731
    T = a_val("freeze.return_period_2008_years")
    stock_lost = a_val("freeze.stock_lost_share_2008")
    forest = forest_table(os.path.join(hist, "forest_area.csv"))
    ev, volume_share, crop_2008_ha = evidence(args.raw, forest)

    model = load_model(args)
    rec = next(c for c in model["calibrations"] if c["family"] == "freeze")["model"]
    lf = rec["loss_fraction"]
    print("Model version %s; T = %g years; loss fraction chinese fir %.3f, generic %.3f\n"
          % (model["model_version"], T, lf["chinese_fir"], stock_lost))

    def anchor(code):
        """The model's 2008 footprint of the province (assumptions.csv), if the model has one."""
        return a_val("freeze.affected_share_2008." + code) or a_val("freeze.affected_share_2008")

    def row(code, name, p, a, b, x_own):
        mean = a / (a + b)
        q = [beta_quantile(a, b, u) for u in (0.5, 0.9, 0.99)]
        ea = p * mean
        rp_own = 1.0 / (p * beta_sf(a, b, x_own))
        return ("| %s %s | %.3f | %.3f, %.2f | %.4f | %.3f / %.3f / %.3f | %.2f %% | %.3f %% | %.3f %% | %s |"
                % (code, name, p, a, b, mean, *q, 100 * ea, 100 * ea * stock_lost, 100 * ea * lf["chinese_fir"],
                   "%.0f y (A > %.3f)" % (rp_own, x_own)))

    print("| province | p (event year) | Beta a, b | mean A given event | A given event: median / 90 % / 99 % "
          "| E[A] a year | stock lost a year (generic) | (chinese fir) | return period of the 2008 share x_r |")
    print("|---|---|---|---|---|---|---|---|---|")
    provinces = rec["provinces"]
    for code, name in PROVINCES:
        pr = provinces[code]
        print(row(code, name, pr["event_probability"], pr["affected_a"], pr["affected_b"], anchor(code)))
    # All provinces, unweighted (the shipped data lack most provinces' forest area).
    ea_all = [pr["event_probability"] * pr["affected_a"] / (pr["affected_a"] + pr["affected_b"]) for pr in provinces.values()]
    mean_all = sum(ea_all) / len(ea_all)
    print("| all %d provinces (unweighted mean) | | | | | %.2f %% | %.3f %% | | |\n"
          % (len(ea_all), 100 * mean_all, 100 * mean_all * stock_lost))

    print("| evidence | 2008 affected share | its share a year over T | stock lost a year over T (generic) | note |")
    print("|---|---|---|---|---|")
    cn = ev["CN"][0]
    print("| China | %.3f | %.3f %% | %.4f %% (volume: %.4f %%) | %s; 340 M m3 of 13.72 bn m3 = %.2f %% of the stock |"
          % (cn, 100 * cn / T, 100 * cn / T * stock_lost, 100 * volume_share / T, ev["CN"][1], 100 * volume_share))
    for code, name in PROVINCES:
        x, note = ev[code]
        if x is None:
            print("| %s %s | - | - | - | %s |" % (code, name, note))
        else:
            print("| %s %s | %.3f | %.3f %% | %.4f %% | %s |" % (code, name, x, 100 * x / T, 100 * x / T * stock_lost, note))

    # NBS crop index: the national freeze/snow crop area 2010-2021 against 2008's 14.32 Mha.
    nat, years = {}, {}
    for r in read_csv(os.path.join(hist, "disaster_history.csv")):
        y = int(r["year"])
        nat[y] = nat.get(y, 0.0) + float(r["lowtemp_freeze_snow_affected_kha"] or 0) * 1e3
        if r["region"] == "35":
            years[y] = float(r["lowtemp_freeze_snow_affected_kha"] or 0)
    crop_mean = sum(nat.values()) / len(nat)
    ratio = (crop_mean + crop_2008_ha / T) / (crop_2008_ha / T)
    top = max(years.values())
    fj_events = sorted(y for y, v in years.items() if v > 0 and v >= a_val("freeze.event_year_share_of_max") * top)
    print("\nNBS crop index: national freeze/snow crop area %d-%d mean %.2f Mha a year, largest %.2f Mha; "
          "2008: %.2f Mha. If 2008 comes once in %g years, 2008-type years carry %.0f %% of the long-run crop "
          "area (long run / 2008 term = %.1f). Fujian's event years: %s (%d of %d)."
          % (min(nat), max(nat), crop_mean / 1e6, max(nat.values()) / 1e6, crop_2008_ha / 1e6, T, 100 / ratio,
             ratio, ", ".join(map(str, fj_events)), len(fj_events), len(years)))
    x35 = a_val("freeze.affected_share_2008.35") or cn  # the new model's Fujian anchor, else the national share
    fj = provinces["35"]
    ea35 = fj["event_probability"] * fj["affected_a"] / (fj["affected_a"] + fj["affected_b"])
    print("Fujian: model E[A] %.2f %% a year = %.1f x its 2008-type term (%.3f / %g = %.3f %%); "
          "all provinces: %.1f x the national 2008 term (%.3f %%), %.1f x that term times the crop ratio."
          % (100 * ea35, ea35 / (x35 / T), x35, T, 100 * x35 / T, mean_all / (cn / T), 100 * cn / T,
             mean_all / (cn / T * ratio)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
