#!/usr/bin/env python3
"""Prepare Tanhui's shipped historical data.

Turns the read-only raw files (see ../shared/data/raw/PROVENANCE.md) into the
clean, normalised CSV files of data/historical/, plus data/historical/PROVENANCE.md
(rendered from data/prep/PROVENANCE.template.md with figures computed here).

    python3 data/prep/prepare.py [--raw ../shared/data/raw] [--out data/historical]

Python 3 standard library only. Deterministic: the same raw files give
byte-identical output (rows are sorted, numbers are printed from their decimal
text, never from binary floats). Every run re-validates the raw files against
the facts the brief and the raw provenance state (row counts, spot values,
derived-vs-original copies) and stops with an error if one does not hold.
"""

import argparse
import csv
import hashlib
import io
import json
import os
import re
import sys
from decimal import Decimal, ROUND_HALF_EVEN, localcontext

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TEMPLATE = os.path.join(HERE, "PROVENANCE.template.md")

# --------------------------------------------------------------------------
# small helpers
# --------------------------------------------------------------------------

FACTS = {}          # figures substituted into the PROVENANCE template
RAW_USED = set()    # raw files read (for the sha256 table)
WRITTEN = {}        # output file -> list of row dicts (for stats)


class PrepError(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise PrepError(msg)


def raw_path(raw, rel):
    p = os.path.join(raw, rel)
    check(os.path.isfile(p), "raw file missing: %s" % rel)
    RAW_USED.add(rel)
    return p


def read_text(raw, rel, encoding="utf-8"):
    with open(raw_path(raw, rel), "rb") as f:
        data = f.read()
    if encoding == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode(encoding)


def read_csv_rows(raw, rel, encoding="utf-8"):
    return list(csv.reader(io.StringIO(read_text(raw, rel, encoding), newline="")))


def read_csv_dicts(raw, rel, encoding="utf-8"):
    rows = read_csv_rows(raw, rel, encoding)
    header = rows[0]
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if not any(x.strip() for x in r):
            continue
        check(len(r) == len(header), "%s line %d: %d fields, header has %d"
              % (rel, i, len(r), len(header)))
        out.append(dict(zip(header, r)))
    return header, out


NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
THOUSANDS_RE = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def dec(text):
    """Decimal from a clean number text; None for empty / '-' / '#N/A'."""
    t = (text or "").strip()
    if t in ("", "-", "#N/A"):
        return None
    if THOUSANDS_RE.match(t):
        t = t.replace(",", "")
    check(NUM_RE.match(t), "not a number: %r" % text)
    return Decimal(t)


def fmt(d):
    """Shortest plain decimal text of a Decimal (no exponent, no trailing 0)."""
    if d is None:
        return ""
    if d == 0:
        return "0"
    s = format(d.normalize(), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def fmt_int(d):
    if d is None:
        return ""
    check(d == d.to_integral_value(), "expected an integer, got %s" % d)
    return str(int(d))


def rounded(d, places):
    """Round a Decimal to `places` decimals (half-even) - used only where a
    conversion does not terminate (mu -> ha, means)."""
    if d is None:
        return None
    return d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def div(a, b):
    with localcontext() as ctx:
        ctx.prec = 34
        return a / b


def iso_from_slashes(d):
    y, m, dd = d.split("/")
    return "%04d-%02d-%02d" % (int(y), int(m), int(dd))


def write_csv(out, name, header, rows):
    """rows: list of dicts with str values. UTF-8, LF, minimal quoting."""
    path = os.path.join(out, name)
    for r in rows:
        check(set(r) == set(header), "%s: row keys %s != header" % (name, sorted(r)))
        for k, v in r.items():
            check(isinstance(v, str), "%s: %s is not text (%r)" % (name, k, v))
            check("\n" not in v and "\r" not in v, "%s: newline in %s" % (name, k))
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        for r in rows:
            w.writerow([r[h] for h in header])
    WRITTEN[name] = rows
    return rows


def clean_text(s):
    return re.sub(r"\s+", " ", (s or "").replace("\ufeff", "")).strip()


# --------------------------------------------------------------------------
# 1. regions
# --------------------------------------------------------------------------

REGIONS_RAW = "regions/regions_gbt2260_provinces_fujian.csv"
SUFFIXES = ["维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"]


def short_code(code6):
    code6 = code6.strip()
    check(re.fullmatch(r"\d{6}", code6), "bad 6-digit code %r" % code6)
    if code6 == "000000":
        return "CN"
    if code6.endswith("0000"):
        return code6[:2]
    if code6.endswith("00"):
        return code6[:4]
    return code6


def build_regions(raw, out):
    header, rows = read_csv_dicts(raw, REGIONS_RAW)
    check(header == ["code", "level", "name_zh", "name_pinyin", "parent_code"],
          "regions header changed: %s" % header)
    res = [{"code": "CN", "level": "country", "name_zh": "中国",
            "name_pinyin": "zhong guo", "parent_code": ""}]
    pinyin_fixed = []
    for r in rows:
        code = short_code(r["code"])
        level = r["level"].strip()
        parent = "CN" if level == "province" else short_code(r["parent_code"])
        pinyin = r["name_pinyin"].strip()
        if code == "61":                      # 陕西: official romanisation Shaanxi
            check(r["name_zh"] == "陕西省", "61 is not 陕西省")
            if pinyin != "shaan xi":
                pinyin_fixed.append((code, pinyin, "shaan xi"))
                pinyin = "shaan xi"
        res.append({"code": code, "level": level, "name_zh": r["name_zh"].strip(),
                    "name_pinyin": pinyin, "parent_code": parent})
    res = [res[0]] + sorted(res[1:], key=lambda r: r["code"])
    levels = {}
    for r in res:
        levels[r["level"]] = levels.get(r["level"], 0) + 1
    check(levels == {"country": 1, "province": 31, "prefecture": 9, "county": 84},
          "region counts: %s" % levels)
    codes = {r["code"] for r in res}
    check(len(codes) == len(res), "duplicate region codes")
    for r in res:
        check(r["parent_code"] == "" or r["parent_code"] in codes,
              "unknown parent %s" % r["parent_code"])
        if r["level"] == "prefecture":
            check(len(r["code"]) == 4 and r["parent_code"] == "35", "bad prefecture %s" % r)
        if r["level"] == "county":
            check(len(r["code"]) == 6 and r["parent_code"] == r["code"][:4], "bad county %s" % r)
    # pinyin must now be unique among provinces
    prov_py = [r["name_pinyin"] for r in res if r["level"] == "province"]
    dup = sorted({p for p in prov_py if prov_py.count(p) > 1})
    check(not dup, "ambiguous province pinyin left: %s" % dup)
    # cross-check names with the modood NBS copy (provinces, Fujian prefectures/counties)
    prov = {r[0]: r[1] for r in read_csv_rows(raw, "regions/modood__Administrative-divisions-of-China/provinces.csv")[1:]}
    for r in res:
        if r["level"] == "province":
            check(prov.get(r["code"]) == r["name_zh"], "province name differs from modood: %s" % r)
    areas = {r[0]: r[1] for r in read_csv_rows(raw, "regions/modood__Administrative-divisions-of-China/areas.csv")[1:]}
    cities = {r[0]: r[1] for r in read_csv_rows(raw, "regions/modood__Administrative-divisions-of-China/cities.csv")[1:]}
    for r in res:
        if r["level"] == "county":
            check(areas.get(r["code"]) == r["name_zh"], "county differs from modood: %s" % r)
        if r["level"] == "prefecture":
            check(cities.get(r["code"]) == r["name_zh"], "prefecture differs from modood: %s" % r)
    write_csv(out, "regions.csv", ["code", "level", "name_zh", "name_pinyin", "parent_code"], res)
    FACTS["regions_pinyin_fixed"] = "; ".join("%s: %r -> %r" % x for x in pinyin_fixed) or "none"
    return res


class ProvinceNames:
    """Chinese province names (full or short) -> 2-digit code."""

    def __init__(self, regions):
        self.map = {}
        for r in regions:
            if r["level"] != "province":
                continue
            full = r["name_zh"]
            self.map[full] = r["code"]
            short = full
            for s in SUFFIXES:
                if short.endswith(s):
                    short = short[: -len(s)]
                    break
            self.map[short] = r["code"]

    def code(self, name):
        name = name.strip()
        if name in self.map:
            return self.map[name]
        # variants such as 宁夏自治区 / 西藏自治区: match on the unique short-name prefix
        hits = {c for n, c in self.map.items() if len(n) >= 2 and name.startswith(n)}
        check(len(hits) == 1, "unknown province name %r" % name)
        return hits.pop()


# --------------------------------------------------------------------------
# 2. forest area
# --------------------------------------------------------------------------

NFI_RAW = "regions/forest_resources_nfi_literature.csv"
NBS_FOREST_RAW = "regions/yiyuezhuo__National-Data/森林资源.csv"

STOCK_FACTORS = {"100 million m3": Decimal(100000000), "10k m3": Decimal(10000)}


def inventory_key(text):
    m = re.match(r"\s*(\d+)th NFI", text)
    check(m, "cannot read inventory %r" % text)
    return "NFI%s" % m.group(1)


def area_to_ha(value, unit):
    v = dec(value)
    if unit == "10k ha":
        return v * 10000
    if unit == "100 million ha":
        return v * 100000000
    if unit == "100 million mu":
        return rounded(div(v * 100000000, Decimal(15)), 2)
    raise PrepError("unknown area unit %r" % unit)


def stock_to_m3(value, unit):
    v = dec(value)
    check(unit in STOCK_FACTORS, "unknown stock unit %r" % unit)
    return v * STOCK_FACTORS[unit]


def build_forest_area(raw, out, regions):
    codes = {r["code"] for r in regions}
    _, lit = read_csv_dicts(raw, NFI_RAW)
    # (region, inventory) -> {field: (Decimal, reference_year)}
    cells = {}
    for r in lit:
        region = short_code(r["region_code"])
        check(region in codes, "NFI literature region %s not in regions" % region)
        inv = inventory_key(r["inventory"])
        ref = r["reference_year"].strip()
        m = re.fullmatch(r"(\d{4})(-(\d{4}))?", ref)
        check(m, "bad reference year %r" % ref)
        ref = m.group(3) or m.group(1)        # a range "2009-2013" -> its end year
        ind = r["indicator"]
        if ind == "forest_area":
            val = area_to_ha(r["value"], r["unit"])
            field = "forest_area_ha"
        elif ind == "forest_cover_rate":
            check(r["unit"] == "%", "cover unit")
            val = dec(r["value"])
            field = "forest_cover_pct"
        elif ind == "forest_stock_volume":
            val = stock_to_m3(r["value"], r["unit"])
            field = "forest_stock_m3"
        else:
            continue
        key = (region, inv)
        cells.setdefault(key, {"ref": ref})
        check(cells[key]["ref"] == ref, "mixed reference years for %s" % (key,))
        check(field not in cells[key], "two values for %s %s" % (key, field))
        cells[key][field] = val
    rows = {}
    for (region, inv), c in cells.items():
        rows[(region, inv)] = {
            "region": region, "inventory": inv, "reference_year": c["ref"],
            "forest_area_ha": fmt(c.get("forest_area_ha")),
            "forest_cover_pct": fmt(c.get("forest_cover_pct")),
            "forest_stock_m3": fmt(c.get("forest_stock_m3")),
            "source": "nfi_lit"}

    # NBS national series: more precise national totals for the 6th and 8th NFI.
    nbs = read_csv_rows(raw, NBS_FOREST_RAW)
    hdr = nbs[0]
    col = {name: hdr.index(name) for name in ["森林面积", "森林覆盖率", "森林蓄积量"]}
    byyear = {r[0].rstrip("年"): r for r in nbs[1:] if r and r[0]}
    picks = {"NFI6": ("2004", "2003"), "NFI8": ("2011", "2013")}   # NBS row, reference year
    for inv, (year, ref) in picks.items():
        r = byyear[year]
        area = dec(r[col["森林面积"]]) * 10000
        cover = dec(r[col["森林覆盖率"]])
        stock = dec(r[col["森林蓄积量"]]) * 100000000
        lit_row = rows.get(("CN", inv))
        check(lit_row is not None, "no literature row for CN %s" % inv)
        # consistency with the (rounder) literature figures
        la = dec(lit_row["forest_area_ha"])
        check(abs(la - area) / area < Decimal("0.01"), "CN %s area NBS vs literature" % inv)
        check(dec(lit_row["forest_cover_pct"]) == cover, "CN %s cover NBS vs literature" % inv)
        ls = dec(lit_row["forest_stock_m3"])
        check(abs(ls - stock) / stock < Decimal("0.001"), "CN %s stock NBS vs literature" % inv)
        check(lit_row["reference_year"] == ref, "CN %s reference year" % inv)
        rows[("CN", inv)] = {"region": "CN", "inventory": inv, "reference_year": ref,
                             "forest_area_ha": fmt(area), "forest_cover_pct": fmt(cover),
                             "forest_stock_m3": fmt(stock), "source": "nbs_forest"}
    # the 2008 NBS row carries the 7th-NFI area/cover: check against the literature
    r = byyear["2008"]
    check(dec(r[col["森林面积"]]) == Decimal("19545.0") and
          rows[("CN", "NFI7")]["forest_area_ha"] == "195452200", "CN NFI7 area check")

    out_rows = sorted(rows.values(), key=lambda r: (r["region"] != "CN", r["region"], r["inventory"]))
    # brief's spot checks
    fj = {r["inventory"]: r for r in out_rows if r["region"] == "35"}
    check(fj["NFI8"]["forest_area_ha"] == "8012700", "Fujian NFI8 area")
    check(fj["NFI9"]["forest_area_ha"] == "8066666.67", "Fujian NFI9 area (1.21e8 mu)")
    write_csv(out, "forest_area.csv",
              ["region", "inventory", "reference_year", "forest_area_ha", "forest_cover_pct",
               "forest_stock_m3", "source"], out_rows)
    with_area = {r["region"] for r in out_rows if r["forest_area_ha"]}
    provs = [r for r in regions if r["level"] == "province"]
    missing = [r for r in provs if r["code"] not in with_area]
    FACTS["forest_area_provinces_with"] = ", ".join(
        "%s %s" % (r["code"], r["name_zh"]) for r in provs if r["code"] in with_area)
    FACTS["forest_area_provinces_missing"] = ", ".join(
        "%s %s" % (r["code"], r["name_zh"]) for r in missing)
    FACTS["forest_area_n_missing"] = str(len(missing))
    return out_rows


# --------------------------------------------------------------------------
# 3. prices
# --------------------------------------------------------------------------

WIND_DIR = "carbon_price/SI-RUI-ZHANG__CarbonTrading/"
ICAP_LONG = "carbon_price/g-dolphin__WorldCarbonPricingDatabase/icap_prices_20260322_long_china_eu.csv"
ICAP_WIDE = "carbon_price/g-dolphin__WorldCarbonPricingDatabase/icap_prices_20260322.csv"
BJ_RAW = "carbon_price/Zzysty__Carbon_Price/北京碳市场数据表格-筛选.csv"
TJ_RAW = "carbon_price/Zzysty__Carbon_Price/天津碳市场数据表格.csv"
DATE_SLASH = re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$")

PRICE_HEADER = ["date", "close", "volume_t", "currency", "traded", "source"]

MARKETS = [
    # market, name_en, name_zh, exchange, currency
    ("BJEA", "Beijing pilot ETS allowance", "北京碳排放配额",
     "Beijing Green Exchange (北京绿色交易所)", "CNY"),
    ("CEA", "China national ETS allowance", "全国碳排放配额",
     "Shanghai Environment and Energy Exchange (上海环境能源交易所)", "CNY"),
    ("CQEA", "Chongqing pilot ETS allowance", "重庆碳排放配额",
     "Chongqing carbon emission trading centre (重庆碳排放权交易中心)", "CNY"),
    ("EUA", "EU ETS allowance, futures settlement (continuous front series)", "欧盟碳排放配额期货结算价(连续)",
     "EUA futures; exchange not stated in the raw file (Wind S5100012)", "EUR"),
    ("FJEA", "Fujian pilot ETS allowance", "福建碳排放配额",
     "Haixia Equity Exchange (海峡股权交易中心)", "CNY"),
    ("GDEA", "Guangdong pilot ETS allowance", "广东碳排放配额",
     "China Emissions Exchange Guangzhou (广州碳排放权交易所)", "CNY"),
    ("HBEA", "Hubei pilot ETS allowance", "湖北碳排放权",
     "Hubei Emissions Exchange (湖北碳排放权交易中心)", "CNY"),
    ("SHEA", "Shanghai pilot ETS allowance", "上海碳排放配额",
     "Shanghai Environment and Energy Exchange (上海环境能源交易所)", "CNY"),
    ("SZEA", "Shenzhen pilot ETS allowance", "深圳碳排放配额",
     "China Emissions Exchange Shenzhen (深圳排放权交易所)", "CNY"),
    ("TJEA", "Tianjin pilot ETS allowance", "天津碳排放配额",
     "Tianjin Climate Exchange (天津排放权交易所)", "CNY"),
]

SZEA_MIXED_TO = "2022-05-19"  # last close of the mixed two-instrument window (build_prices)
SZEA_CLEAN_FROM = "2022-06-08"  # first close after the limit-up run that followed it

ICAP_SYSTEMS = {
    "FJEA": "Fujian (Pilot) Emissions Trading System",
    "SZEA": "Shenzhen (Pilot) Emissions Trading System",
    "SHEA": "Shanghai (Pilot) Emissions Trading System",
    "CQEA": "Chongqing (Pilot) Emissions Trading System",
    "TJEA": "Tianjin (Pilot) Emissions Trading System",
    "BJEA": "Beijing (Pilot) Emissions Trading System",
    "CEA": "China National Emissions Trading System",
}

# Manual corrections, each explained in PROVENANCE.md. (market, date) -> reason.
TJ_PREFER_ICAP = {
    "2024-07-19": "Zzysty auction average 89.34 CNY/t is 2.7x both neighbouring days "
                  "(33.0 on 07-17 and 07-23) and ICAP's 33.43 for the same day; the row "
                  "is internally consistent (turnover/volume = 89.34), so it is possibly another "
                  "product's trade filed under TJEA24. ICAP's value is used (volume left empty).",
}


def wind_series(raw, fname, close_col_hint, vol_col, market):
    rel = WIND_DIR + fname
    rows = read_csv_rows(raw, rel, "gb18030")
    check(rows[0][0] == "指标名称", "%s: unexpected first header line" % fname)
    check(close_col_hint in rows[0][1], "%s: column 1 is %r" % (fname, rows[0][1]))
    check("成交量" in rows[0][vol_col], "%s: volume column is %r" % (fname, rows[0][vol_col]))
    check(rows[2][1] == "元/吨" and rows[2][vol_col] == "吨", "%s: units changed" % fname)
    data = [r for r in rows if r and DATE_SLASH.match(r[0])]
    out, dropped_nonclose = [], []
    calendar = len(data)
    for r in data:
        d = iso_from_slashes(r[0])
        close = dec(r[1])
        if close is None:
            if any((x or "").strip() for x in r[2:vol_col + 1]):
                dropped_nonclose.append(d)
            continue
        vol = dec(r[vol_col])
        traded = "1" if (vol is not None and vol > 0) else "0"
        out.append({"date": d, "close": fmt(close), "volume_t": fmt(vol) if vol is not None else "",
                    "currency": "CNY", "traded": traded, "source": "wind_" + market.lower()})
    out.sort(key=lambda r: r["date"])
    dates = [r["date"] for r in out]
    check(len(set(dates)) == len(dates), "%s: duplicate dates" % fname)
    FACTS["%s_calendar_rows" % market] = str(calendar)
    FACTS["%s_price_rows" % market] = str(len(out))
    FACTS["%s_dropped_no_close" % market] = (", ".join(sorted(dropped_nonclose)) or "none")
    FACTS["%s_n_dropped_no_close" % market] = str(len(dropped_nonclose))
    FACTS["%s_zero_volume_days" % market] = str(sum(1 for r in out if r["traded"] == "0"))
    return out


def eua_series(raw):
    rel = WIND_DIR + "期货结算价(连续)_欧盟排放配额(EUA).csv"
    rows = read_csv_rows(raw, rel, "gb18030")
    check(any(r and r[0] == "单位" and "欧元" in r[1] for r in rows[:10]), "EUA unit changed")
    data = [r for r in rows if r and DATE_SLASH.match(r[0])]
    out, na, pre = [], 0, 0
    for r in data:
        d = iso_from_slashes(r[0])
        v = dec(r[1])
        if v is None:
            na += 1
            continue
        if d < "2008-01-01":
            pre += 1
            continue
        out.append({"date": d, "close": fmt(v), "volume_t": "", "currency": "EUR",
                    "traded": "1", "source": "wind_eua"})
    out.sort(key=lambda r: r["date"])
    dates = [r["date"] for r in out]
    check(len(set(dates)) == len(dates), "EUA duplicate dates")
    FACTS["EUA_raw_rows"] = str(len(data))
    FACTS["EUA_na_rows"] = str(na)
    FACTS["EUA_pre2008_rows"] = str(pre)
    FACTS["EUA_equal_consecutive"] = str(sum(1 for a, b in zip(out, out[1:]) if a["close"] == b["close"]))
    return out


def icap_long(raw):
    header, rows = read_csv_dicts(raw, ICAP_LONG)
    check(header == ["date", "system", "market", "currency", "price_per_tCO2e"], "ICAP long header")
    series = {}
    for r in rows:
        if r["market"] != "secondary":
            continue
        series.setdefault(r["system"], {})
        check(r["date"] not in series[r["system"]], "ICAP duplicate %s %s" % (r["system"], r["date"]))
        series[r["system"]][r["date"]] = (dec(r["price_per_tCO2e"]), r["currency"])
    return series


def icap_wide_secondary(raw, systems):
    """Secondary-market column of each system in the original wide export."""
    rows = read_csv_rows(raw, ICAP_WIDE)
    names, cols = rows[0], rows[1]
    res = {}
    for s in systems:
        check(s in names, "ICAP wide: system %r missing" % s)
        i = names.index(s)
        j = i
        while j < len(cols) and cols[j].strip() != "Secondary Market":
            check(j == i or names[j].strip() == "", "ICAP wide: no secondary column for %s" % s)
            j += 1
        check(j < len(cols), "ICAP wide: no secondary column for %s" % s)
        series = {}
        for r in rows[2:]:
            if len(r) > j and r[j].strip():
                series[r[0]] = dec(r[j])
        res[s] = series
    return res


def icap_prices(series_by_date, market):
    """ICAP long rows -> price rows; a repeat of the previous close is traded=0."""
    out, prev = [], None
    for d in sorted(series_by_date):
        v, cur = series_by_date[d]
        check(cur == "CNY", "ICAP %s currency %s" % (market, cur))
        out.append({"date": d, "close": fmt(v), "volume_t": "", "currency": "CNY",
                    "traded": "0" if (prev is not None and v == prev) else "1",
                    "source": "icap_2026"})
        prev = v
    return out


def turnover_value(text):
    """Parse the Beijing turnover text; None where it is malformed."""
    t = re.sub(r"[\s(（）)]*BEA[\s(（）)]*", "", text.strip())
    t = re.sub(r"[（）()\s]", "", t)
    if THOUSANDS_RE.match(t) or re.fullmatch(r"\d+(\.\d+)?", t):
        return Decimal(t.replace(",", ""))
    return None


def beijing_series(raw):
    rows = read_csv_rows(raw, BJ_RAW)
    check(rows[0] == ["日期", "成交量（吨）", "成交均价（元/吨）", "成交额（元）"], "Beijing header changed")
    byd, exact_dups, merged, bad_turnover, inconsistent = {}, [], [], [], []
    for r in rows[1:]:
        if not r or not r[0].strip():
            continue
        d = r[0].strip()
        check(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d), "Beijing date %r" % d)
        vol, avg = dec(r[1]), dec(r[2])
        check(vol is not None and avg is not None and vol > 0, "Beijing row without volume/price: %s" % r)
        tv = turnover_value(r[3])
        if tv is None:
            bad_turnover.append("%s %r" % (d, r[3]))
        elif abs(tv - vol * avg) > Decimal("0.02") * vol * avg + 1:
            inconsistent.append(d)
        if d in byd:
            prev = byd[d]
            if prev["rows"] and tuple(prev["rows"][0]) == tuple(r):
                exact_dups.append(d)
                continue
            prev["vol"] += vol
            prev["value"] += vol * avg
            prev["rows"].append(r)
            merged.append(d)
        else:
            byd[d] = {"vol": vol, "value": vol * avg, "rows": [r], "avg": avg}
    out = []
    for d in sorted(byd):
        b = byd[d]
        close = b["avg"] if len(b["rows"]) == 1 else rounded(div(b["value"], b["vol"]), 2)
        out.append({"date": d, "close": fmt(close), "volume_t": fmt(b["vol"]), "currency": "CNY",
                    "traded": "1", "source": "zzysty_bj"})
    FACTS["BJ_raw_rows"] = str(len(rows) - 1)
    FACTS["BJ_exact_dups"] = ", ".join(exact_dups) or "none"
    FACTS["BJ_merged"] = ", ".join(merged) or "none"
    FACTS["BJ_bad_turnover"] = "; ".join(bad_turnover) or "none"
    FACTS["BJ_n_bad_turnover"] = str(len(bad_turnover))
    FACTS["BJ_turnover_inconsistent"] = ", ".join(inconsistent) or "none"
    FACTS["BJ_n_turnover_inconsistent"] = str(len(inconsistent))
    return out


def tianjin_series(raw, icap_tj):
    rows = read_csv_rows(raw, TJ_RAW)
    check(rows[0] == ["日期", "品种", "成交量-竞价交易", "成交量-当日汇总", "成交额-竞价交易",
                      "成交额-当日汇总", "成交均价-竞价交易"], "Tianjin header changed")
    zz, no_price, dates_seen = {}, [], set()
    for r in rows[1:]:
        if not r or not r[0].strip():
            continue
        check(len(r) == 8 and r[7] == "-", "Tianjin row layout changed: %s" % r)
        d = r[0].strip()
        check(d not in dates_seen, "Tianjin duplicate date %s" % d)
        dates_seen.add(d)
        avg = dec(r[6])
        if avg is None:
            no_price.append(d)
            continue
        vol = dec(r[2])
        check(vol is not None and vol > 0, "Tianjin price without auction volume: %s" % r)
        zz[d] = (avg, vol, r[1])
    merged, used_icap, dropped, agree, disagree = {}, [], [], 0, []
    for d, (avg, vol, vintage) in zz.items():
        if d in icap_tj:
            iv = icap_tj[d][0]
            if abs(iv - avg) < Decimal("0.015"):
                agree += 1
            else:
                disagree.append("%s %s/%s" % (d, fmt(avg), fmt(iv)))
        if d in TJ_PREFER_ICAP:
            check(d in icap_tj, "override date %s not in ICAP" % d)
            continue
        merged[d] = {"date": d, "close": fmt(avg), "volume_t": fmt(vol), "currency": "CNY",
                     "traded": "1", "source": "zzysty_tj"}
    # ICAP rows keep the flag of the ICAP series itself (a repeat of ICAP's previous
    # close = carried forward), so that 0.01 rounding differences between the two
    # sources cannot turn a carried-forward ICAP day into a "trade".
    icap_rows = {r["date"]: r for r in icap_prices(icap_tj, "TJEA")}
    last_zz = max(zz)
    for d, r in icap_rows.items():
        if d in merged:
            continue
        if min(zz) <= d <= last_zz and d not in dates_seen:
            # the exchange file lists every day with a trade; ICAP only repeats here
            check(r["traded"] == "0", "ICAP Tianjin has a new price on %s, a day without trades "
                  "in the exchange file" % d)
        merged[d] = dict(r)
        used_icap.append(d)
    for d in no_price:
        if d not in merged:
            dropped.append(d)
    out = [merged[d] for d in sorted(merged)]
    FACTS["TJ_zz_rows"] = str(len(rows) - 1)
    FACTS["TJ_zz_price_rows"] = str(len(zz))
    FACTS["TJ_zz_no_price"] = str(len(no_price))
    FACTS["TJ_zz_first"] = min(zz)
    FACTS["TJ_zz_last"] = last_zz
    FACTS["TJ_icap_rows"] = str(len(icap_tj))
    FACTS["TJ_icap_common"] = str(agree + len(disagree))
    FACTS["TJ_icap_agree"] = str(agree)
    FACTS["TJ_icap_disagree"] = "; ".join(sorted(disagree)) or "none"
    FACTS["TJ_rows_from_zz"] = str(sum(1 for r in out if r["source"] == "zzysty_tj"))
    FACTS["TJ_rows_from_icap"] = str(len(used_icap))
    FACTS["TJ_rows_from_icap_within_zz"] = str(sum(1 for d in used_icap if d <= last_zz))
    FACTS["TJ_icap_new_within_zz"] = str(sum(1 for r in out if r["source"] == "icap_2026"
                                              and r["date"] <= last_zz and r["traded"] == "1"))
    FACTS["TJ_rows_from_icap_after_zz"] = str(sum(1 for d in used_icap if d > last_zz))
    FACTS["TJ_dropped_no_price"] = str(len(dropped))
    FACTS["TJ_override"] = "; ".join("%s: %s" % kv for kv in sorted(TJ_PREFER_ICAP.items()))
    return out


def build_prices(raw, out):
    series = {}
    series["CEA"] = wind_series(raw, "CEA_raw.csv", "最新价", 5, "CEA")
    series["GDEA"] = wind_series(raw, "GDEA_raw.csv", "收盘价", 3, "GDEA")
    series["HBEA"] = wind_series(raw, "HBEA_raw.csv", "收盘价", 3, "HBEA")
    series["EUA"] = eua_series(raw)

    icap = icap_long(raw)
    wide = icap_wide_secondary(raw, sorted(set(ICAP_SYSTEMS.values())))
    for m, s in sorted(ICAP_SYSTEMS.items()):
        long_s = {d: v for d, (v, _) in icap[s].items()}
        check(long_s == wide[s], "ICAP long file differs from the wide original for %s" % s)
    FACTS["icap_long_vs_wide"] = "identical for " + ", ".join(sorted(ICAP_SYSTEMS))
    for m in ["FJEA", "SZEA", "SHEA", "CQEA"]:
        series[m] = icap_prices(icap[ICAP_SYSTEMS[m]], m)
    # SZEA (issue 19 item 4): from 2018-11-30 to 2022-05-19 ICAP's one Shenzhen secondary-market
    # column alternates between ~3-10 and ~20-40 CNY (282 closes under 10 CNY): two instruments
    # in one export, and no stored raw source separates them. Only the clean window after the
    # last such close is shipped.
    sz_all = series["SZEA"]
    low = [r["date"] for r in sz_all if dec(r["close"]) < Decimal("10")]
    check(len(low) == 282 and low[0] == "2018-11-30" and low[-1] == "2022-05-19", "SZEA mixed window changed")
    # Right after it the quotes climb from 10.29 to 29.38 CNY by the +10 % daily limit on every
    # one of 12 trading days (2022-05-20..2022-06-07): the low quote being pulled to the
    # allowance's level, not a price path either instrument had. The shipped window starts after it.
    run = [r for r in sz_all if SZEA_MIXED_TO < r["date"] < SZEA_CLEAN_FROM]
    check(len(run) == 12 and all(dec(b["close"]) >= dec(a["close"]) * Decimal("1.095") for a, b in zip(run, run[1:])),
          "SZEA limit-up run after the mixed window changed")
    series["SZEA"] = [dict(r) for r in sz_all if r["date"] >= SZEA_CLEAN_FROM]
    series["SZEA"][0]["traded"] = "1"
    FACTS["SZEA_raw_rows"] = str(len(sz_all))
    FACTS["SZEA_low_closes"] = str(len(low))
    FACTS["SZEA_dropped_rows"] = str(len(sz_all) - len(series["SZEA"]))
    series["BJEA"] = beijing_series(raw)
    series["TJEA"] = tianjin_series(raw, icap[ICAP_SYSTEMS["TJEA"]])

    # ICAP vs Beijing exchange data (documentation only)
    ib = icap[ICAP_SYSTEMS["BJEA"]]
    common = [r for r in series["BJEA"] if r["date"] in ib]
    FACTS["BJ_icap_common"] = str(len(common))
    FACTS["BJ_icap_agree"] = str(sum(1 for r in common if abs(dec(r["close"]) - ib[r["date"]][0]) < Decimal("0.015")))
    FACTS["BJ_icap_last"] = max(ib)
    big = []
    for r in common:
        z, i = dec(r["close"]), ib[r["date"]][0]
        if abs(z - i) > Decimal("0.05") * i:
            big.append("%s %s/%s" % (r["date"], fmt(z), fmt(i)))
    FACTS["BJ_icap_big_diff"] = "; ".join(big) or "none"
    # Wind vs ICAP on CEA's first day
    ic = icap[ICAP_SYSTEMS["CEA"]]
    check(ic["2021-07-16"][0] == dec(series["CEA"][0]["close"]), "CEA Wind vs ICAP first day")

    # brief's spot checks
    fj = series["FJEA"]
    check(fj[0]["date"] == "2016-12-22" and fj[0]["close"] == "34.88", "FJEA first row")
    check(fj[-1]["date"] == "2025-12-31" and fj[-1]["close"] == "19", "FJEA last row")
    check(len(fj) == 1599, "FJEA row count")
    cea = series["CEA"]
    check(cea[0]["date"] == "2021-07-16" and cea[0]["close"] == "51.23"
          and cea[0]["volume_t"] == "4103953", "CEA first row")
    check(series["EUA"][0]["date"] >= "2008-01-01", "EUA pre-2008")

    markets = []
    for code, name_en, name_zh, exchange, cur in MARKETS:
        rows = series[code]
        for r in rows:
            check(r["currency"] == cur, "%s currency" % code)
        write_csv(out, "prices_%s.csv" % code, PRICE_HEADER, rows)
        srcs = sorted({r["source"] for r in rows})
        markets.append({"market": code, "name_en": name_en, "name_zh": name_zh,
                        "exchange": exchange, "currency": cur, "unit": "%s/tCO2e" % cur,
                        "first_date": rows[0]["date"], "last_date": rows[-1]["date"],
                        "observations": str(sum(1 for r in rows if r["traded"] == "1")),
                        "source": "+".join(srcs)})
        FACTS["%s_rows" % code] = str(len(rows))
        FACTS["%s_traded" % code] = str(sum(1 for r in rows if r["traded"] == "1"))
        FACTS["%s_first" % code] = rows[0]["date"]
        FACTS["%s_last" % code] = rows[-1]["date"]
        FACTS["%s_first_close" % code] = rows[0]["close"]
        FACTS["%s_last_close" % code] = rows[-1]["close"]
    write_csv(out, "markets.csv", ["market", "name_en", "name_zh", "exchange", "currency", "unit",
                                   "first_date", "last_date", "observations", "source"], markets)
    return series


# --------------------------------------------------------------------------
# 4. fire history
# --------------------------------------------------------------------------

FIRE_RAW = "fire/minatome__minatome/forest_fire_by_province_2004_2021.csv"
FIRE_JSON = "fire/minatome__minatome/各地区火灾相关数据.json"
FIRE_COLS = [  # raw column, output column, json metric, integer?
    ("fires_total", "fires", "森林火灾次数(次)", True),
    ("fires_general", "fires_general", "一般火灾次数(次)", True),
    ("fires_larger", "fires_larger", "较大火灾次数(次)", True),
    ("fires_major", "fires_major", "重大火灾次数(次)", True),
    ("fires_extreme", "fires_extreme", "特别重大火灾次数(次)", True),
    ("burned_area_ha", "burned_area_ha", "火场总面积(公顷)", False),
    ("forest_damaged_area_ha", "forest_damaged_ha", "受害森林面积(公顷)", False),
    ("casualties_persons", "casualties", "森林火灾伤亡人数(人)", True),
    ("deaths_persons", "deaths", "森林火灾死亡人数(人)", True),
    ("other_losses_10k_cny", "other_losses_10k_cny", "森林火灾其他损失折款(万元)", False),
]


def build_fire(raw, out, names):
    header, rows = read_csv_dicts(raw, FIRE_RAW)
    check(header == ["province_zh", "year"] + [c[0] for c in FIRE_COLS], "fire header changed")
    js = json.loads(read_text(raw, FIRE_JSON))["data"]
    jmap = {}
    for p in js:
        code = names.code(p["地区"])
        for y in range(2003, 2023):
            metrics = {}
            for item in p["%d年" % y]:
                metrics.update(item)
            jmap[(code, y)] = metrics
    for code in {k[0] for k in jmap}:
        for y in (2003, 2022):
            check(all(v == 0 for v in jmap[(code, y)].values()), "%s %d not a zero placeholder" % (code, y))
    res = []
    larger_blanked = 0
    for r in rows:
        code = names.code(r["province_zh"])
        year = int(r["year"])
        o = {"region": code, "year": str(year), "source": "nbs_fire"}
        jm = jmap[(code, year)]
        for rawc, outc, jname, is_int in FIRE_COLS:
            v = dec(r[rawc])
            check(v is not None and v >= 0, "fire %s %d %s empty/negative" % (code, year, rawc))
            check(Decimal(repr(jm[jname])) == v, "fire CSV vs JSON: %s %d %s" % (code, year, rawc))
            if outc == "fires_larger" and year < 2009:
                # the 较大 class was introduced in 2009; the raw 0 means "no such class"
                check(v == 0, "fires_larger before 2009 not zero")
                o[outc] = ""
                larger_blanked += 1
                continue
            o[outc] = fmt_int(v) if is_int else fmt(v)
        res.append(o)
    res.sort(key=lambda r: (r["region"], int(r["year"])))
    provs = {r["region"] for r in res}
    years = {r["year"] for r in res}
    check(len(provs) == 31 and years == {str(y) for y in range(2004, 2022)} and len(res) == 558,
          "fire: expected 31 x 18 rows")
    fj04 = [r for r in res if r["region"] == "35" and r["year"] == "2004"][0]
    check(fj04["fires"] == "1164" and fj04["forest_damaged_ha"] == "13589.8", "Fujian 2004 fire check")
    fj14 = [r for r in res if r["region"] == "35" and r["year"] == "2014"][0]
    check(fj14["other_losses_10k_cny"] == "33773.71", "Fujian 2014 outlier")
    # national sums the raw provenance quotes
    for y, fires, dmg in [("2019", 2345, "13505"), ("2020", 1153, "8526"), ("2021", 616, "4457")]:
        f = sum(int(r["fires"]) for r in res if r["year"] == y)
        a = sum(dec(r["forest_damaged_ha"]) for r in res if r["year"] == y)
        check(f == fires and abs(a - Decimal(dmg)) < 1, "national fire sum %s: %d %s" % (y, f, a))
    write_csv(out, "fire_history.csv", ["region", "year"] + [c[1] for c in FIRE_COLS] + ["source"], res)
    FACTS["fire_larger_blanked"] = str(larger_blanked)
    fj = sorted((r for r in res if r["region"] == "35"), key=lambda r: int(r["year"]))
    FACTS["fire_fj_other_losses"] = ", ".join("%s: %s" % (r["year"], r["other_losses_10k_cny"]) for r in fj)
    return res


# --------------------------------------------------------------------------
# 5. natural disasters
# --------------------------------------------------------------------------

DIS_RAW = "weather_disaster/minatome__minatome/natural_disaster_by_province.csv"
DIS_JSON = "weather_disaster/minatome__minatome/nurture.json"
DIS_JSON_KEYS = {
    "crop_affected_area_kha": "Crops_area1", "crop_failure_area_kha": "Crops_area2",
    "drought_affected_kha": "Drought_area1", "drought_failure_kha": "Drought_area2",
    "flood_geo_typhoon_affected_kha": "zaihai_area1", "flood_geo_typhoon_failure_kha": "zaihai_area2",
    "wind_hail_affected_kha": "Storm_area1", "wind_hail_failure_kha": "Storm_area2",
    "lowtemp_freeze_snow_affected_kha": "Temperature_area1",
    "lowtemp_freeze_snow_failure_kha": "Temperature_area2",
    "affected_population_10k": "Flood_hit_population", "deaths_persons": "Dead_population",
    "direct_economic_loss_100m_cny": "Economic_loss",
}


def build_disaster(raw, out, names):
    header, rows = read_csv_dicts(raw, DIS_RAW)
    cols = header[2:]
    check(header[:2] == ["province_zh", "year"] and set(cols) == set(DIS_JSON_KEYS), "disaster header changed")
    js = json.loads(read_text(raw, DIS_JSON))
    jmap = {}
    for p, lst in js.items():
        for r in lst:
            jmap[(names.code(p), int(r["year"]))] = r
    res = []
    for r in rows:
        code = names.code(r["province_zh"])
        year = int(r["year"])
        check(2010 <= year <= 2021, "disaster year %d" % year)
        jr = jmap[(code, year)]
        o = {"region": code, "year": str(year), "source": "nbs_disaster"}
        for c in cols:
            v = dec(r[c])
            check(v is not None, "disaster empty cell %s %d %s" % (code, year, c))
            check(Decimal(repr(float(jr[DIS_JSON_KEYS[c]]))) == v, "disaster CSV vs JSON %s %d %s" % (code, year, c))
            o[c] = fmt_int(v) if c == "deaths_persons" else fmt(v)
        res.append(o)
    res.sort(key=lambda r: (r["region"], int(r["year"])))
    have = {(r["region"], int(r["year"])) for r in res}
    missing = []
    for (code, year), jr in sorted(jmap.items()):
        if 2010 <= year <= 2021 and (code, year) not in have:
            check(all(float(v) == 0 for k, v in jr.items() if k != "year"),
                  "disaster %s %d dropped but not all-zero" % (code, year))
            missing.append("%s %d" % (code, year))
    write_csv(out, "disaster_history.csv", ["region", "year"] + cols + ["source"], res)
    FACTS["disaster_missing"] = ", ".join(missing) or "none"
    FACTS["disaster_n_missing"] = str(len(missing))
    return res


# --------------------------------------------------------------------------
# 6. pests
# --------------------------------------------------------------------------

PEST_RAW = "pest/forest_pest_national_2004_2014.csv"
PEST_NBS = "pest/yiyuezhuo__National-Data/森林病虫鼠害防治.csv"
PEST_KINDS = [("all", "pest_total", "森林病虫鼠害"), ("disease", "disease", "森林病害"),
              ("insect", "insect", "森林虫害"), ("rodent", "rodent", "森林鼠害")]


def build_pest(raw, out):
    header, rows = read_csv_dicts(raw, PEST_RAW)
    nbs = read_csv_rows(raw, PEST_NBS)
    nh = nbs[0]
    nby = {r[0].rstrip("年"): r for r in nbs[1:] if r and r[0]}
    res = []
    for r in rows:
        y = r["year"]
        for pest, pre, zh in PEST_KINDS:
            occ = dec(r[pre + "_occurrence_area_10kha"])
            ctl = dec(r[pre + "_control_area_10kha"])
            rate = dec(r[pre + "_control_rate_pct"])
            # cross-check with the original wide NBS file
            for val, suffix in [(occ, "发生面积"), (ctl, "防治面积"), (rate, "防治率")]:
                matches = [i for i, h in enumerate(nh) if h.startswith(zh) and h.endswith(suffix)]
                check(len(matches) == 1, "NBS pest column %s%s" % (zh, suffix))
                check(dec(nby[y][matches[0]]) == val, "pest derived vs NBS %s %s%s" % (y, zh, suffix))
            res.append({"region": "CN", "year": y, "pest": pest,
                        "occurrence_area_ha": fmt(occ * 10000 if occ is not None else None),
                        "control_area_ha": fmt(ctl * 10000 if ctl is not None else None),
                        "control_rate_pct": fmt(rate), "source": "nbs_pest"})
    order = {p[0]: i for i, p in enumerate(PEST_KINDS)}
    res.sort(key=lambda r: (int(r["year"]), order[r["pest"]]))
    check(res[0]["occurrence_area_ha"] == "9448372.4", "pest 2004 total occurrence")
    check(len(res) == 44, "pest rows")
    write_csv(out, "pest_history.csv", ["region", "year", "pest", "occurrence_area_ha",
                                        "control_area_ha", "control_rate_pct", "source"], res)
    FACTS["pest_missing_rates"] = ", ".join("%s %s" % (r["year"], r["pest"]) for r in res if not r["control_rate_pct"])
    return res


# --------------------------------------------------------------------------
# 7. literature copies
# --------------------------------------------------------------------------

REGION_EN = {"China": "CN", "Fujian": "35", "Zhejiang": "33", "Anhui": "34", "Guangxi": "45",
             "Hunan": "43", "China (used for Zhejiang)": "CN", "Taojiang, Hunan": "43"}


def region_code_of(text, codes):
    t = text.strip()
    if t in REGION_EN:
        return REGION_EN[t]
    m = re.search(r"\b(\d{6})\b", t)
    if m:
        c = short_code(m.group(1))
        check(c in codes, "region code %s not in regions.csv" % c)
        return c
    return ""


def copy_literature(raw, out, rel, name, codes, region_col, source_key,
                    forest_type_after=None, extra_region_fn=None):
    header, rows = read_csv_dicts(raw, rel)
    new_header = []
    for h in header:
        new_header.append(h)
        if h == region_col:
            new_header.append("region_code")
        if forest_type_after and h == forest_type_after:
            new_header.append("forest_type")
    new_header.append("source")
    res = []
    unmapped = set()
    for r in rows:
        o = {h: clean_text(r[h]) for h in header}
        rc = extra_region_fn(o) if extra_region_fn else region_code_of(o[region_col], codes)
        if not rc:
            unmapped.add(o[region_col])
        o["region_code"] = rc
        if forest_type_after:
            o["forest_type"] = forest_type_of(o["forest_type_zh"])
        o["source"] = source_key
        res.append(o)
    write_csv(out, name, new_header, res)
    FACTS["%s_unmapped" % name] = ", ".join(sorted(unmapped)) or "none"
    return res


FOREST_TYPES = ["chinese_fir", "masson_pine", "eucalyptus", "broadleaf", "bamboo", "mixed"]


def forest_type_of(zh):
    """Tanhui forest type of a Chinese forest-type label, '' if none applies."""
    z = zh.strip()
    if z.startswith("杉木"):
        return "chinese_fir"
    if z.startswith("马尾松"):
        return "masson_pine"
    if "桉" in z:
        return "eucalyptus"
    if z in ("针阔叶混交林", "针阔混交林"):
        return "mixed"
    if z.startswith("毛竹") or z.startswith("竹林"):
        return "bamboo"
    if z in ("阔叶混交林", "常绿阔叶林", "硬阔林", "软阔林", "栎类林", "木荷林", "樟林", "木荷林、樟林"):
        return "broadleaf"
    return ""


def build_literature(raw, out, regions):
    codes = {r["code"] for r in regions}
    copy_literature(raw, out, "pest/pine_wilt_disease_literature.csv", "pine_wilt_literature.csv",
                    codes, "region", "pwd_lit")

    def unit_code(o):
        c = o["code_2023"]
        check(c in codes, "PWD unit code %s not in regions" % c)
        return c
    units = copy_literature(raw, out, "pest/pine_wilt_fujian_epidemic_units_literature.csv",
                            "pine_wilt_fujian_units_literature.csv", codes, "code_2023",
                            "pwd_fj_units_lit", extra_region_fn=unit_code)
    cnt = {}
    for u in units:
        cnt[(u["list_year"], u["status"])] = cnt.get((u["list_year"], u["status"]), 0) + 1
    check(cnt.get(("2014", "epidemic_area")) == 21 and cnt.get(("2015", "epidemic_area")) == 24,
          "PWD unit counts")
    copy_literature(raw, out, "pest/forest_pest_occurrence_literature.csv",
                    "pest_occurrence_literature.csv", codes, "region", "pest_lit")
    dens = copy_literature(raw, out, "forest_carbon/carbon_density_literature.csv",
                           "carbon_density_literature.csv", codes, "region", "carbon_density_lit",
                           forest_type_after="forest_type_en")
    params = copy_literature(raw, out, "forest_carbon/carbon_parameters_literature.csv",
                             "carbon_parameters_literature.csv", codes, "region", "carbon_params_lit",
                             forest_type_after="forest_type_en")
    return dens, params


# --------------------------------------------------------------------------
# 8. carbon density by age, forest types, assumptions
# --------------------------------------------------------------------------

AGE_ORDER = ["young", "middle-aged", "near-mature", "mature", "over-mature"]
AGE_ZH = {"幼龄林": "young", "中龄林": "middle-aged", "近熟林": "near-mature",
          "成熟林": "mature", "过熟林": "over-mature"}

# Representative Zhejiang (李银 2016) type for each Tanhui type in the age table and
# in forest_types.csv (one row per key: other broadleaf sub-types stay in the
# literature copy with forest_type = broadleaf).
REPRESENTATIVE_ZH = {"chinese_fir": "杉木林", "masson_pine": "马尾松林", "broadleaf": "阔叶混交林",
                     "mixed": "针阔叶混交林", "bamboo": "竹林"}

# NFI age-class upper bounds (young, middle-aged, near-mature, mature); over-mature is open.
# Only the plantation bounds of 杉木 / 马尾松 are in the raw data (Guangxi, 韩畅 2017, checked
# against carbon_parameters_literature.csv); all other bounds are rows of assumptions.csv,
# generated from AGE_CLASS_ASSUMPTIONS (defined with the other assumptions below).
AGE_BOUNDS_RAW = {
    ("chinese_fir", "planted"): ((10, 20, 25, 35), "han2017_gx"),
    ("masson_pine", "planted"): ((10, 20, 30, 50), "han2017_gx"),
}
AGE_GROUP_KEYS = ["young_to", "middle_aged_to", "near_mature_to", "mature_to"]


def age_bounds(ft, origin):
    if (ft, origin) in AGE_BOUNDS_RAW:
        return AGE_BOUNDS_RAW[(ft, origin)]
    check((ft, origin) in AGE_CLASS_ASSUMPTIONS, "no age-class bounds for %s %s" % (ft, origin))
    return (AGE_CLASS_ASSUMPTIONS[(ft, origin)][0],
            "assumption:age_class.%s.%s.*" % (ft, origin))


GUANGXI_BOUNDS_TEXT = {"chinese_fir": "<=10 / 11-20 / 21-25 / 26-35 / >=36",
                       "masson_pine": "<=10 / 11-20 / 21-30 / 31-50 / >=51"}


def class_bounds(uppers, group):
    i = AGE_ORDER.index(group)
    lo = 0 if i == 0 else uppers[i - 1] + 1
    hi = uppers[i] if i < 4 else None
    return str(lo), ("" if hi is None else str(hi))


def build_age_table(out, dens, params):
    # verify the Guangxi bounds we rely on are the ones in the raw parameters file
    for p in params:
        if p["parameter"] == "age_group_definition":
            ft = forest_type_of(p["forest_type_zh"])
            check(p["value"] == GUANGXI_BOUNDS_TEXT[ft], "Guangxi age bounds changed for %s" % ft)
    rows = []
    li = [d for d in dens if d["source_title"].startswith("李银") and d["pool"] == "tree layer"
          and d["origin"] in ("natural", "planted") and d["age_group"] in AGE_ORDER]
    for d in li:
        ft = forest_type_of(d["forest_type_zh"])
        if not ft or REPRESENTATIVE_ZH.get(ft) != d["forest_type_zh"]:
            continue
        check(d["unit"] == "t C/ha", "unit %s" % d["unit"])
        uppers, bsrc = age_bounds(ft, d["origin"])
        lo, hi = class_bounds(uppers, d["age_group"])
        rows.append({"forest_type": ft, "origin": d["origin"], "region": "33",
                     "age_group": d["age_group"], "age_from_years": lo, "age_to_years": hi,
                     "tree_carbon_tc_per_ha": fmt(dec(d["value"])), "source": "li2016_zj+" + bsrc})
    # Anhui (汲玉河 2016, all-forest vegetation carbon by age) is not one of the six forest
    # types (the store requires one), so it stays in carbon_density_literature.csv only.
    # Hunan moso bamboo (曹福明 2017): bamboo-layer carbon by culm age
    for d in dens:
        if d["region"] == "Taojiang, Hunan" and d["pool"] == "bamboo layer carbon":
            m = re.fullmatch(r"(\d+)-yr culms", d["age_group"])
            check(m, "bamboo age group %r" % d["age_group"])
            rows.append({"forest_type": "bamboo", "origin": "planted", "region": "43",
                         "age_group": d["age_group"], "age_from_years": m.group(1),
                         "age_to_years": m.group(1), "tree_carbon_tc_per_ha": fmt(dec(d["value"])),
                         "source": "cao2017_hn"})

    def key(r):
        g = AGE_ORDER.index(r["age_group"]) if r["age_group"] in AGE_ORDER else 10 + int(r["age_from_years"])
        return (r["forest_type"], r["origin"], r["region"], g)
    rows.sort(key=key)
    keys = [(r["forest_type"], r["origin"], r["region"], r["age_group"]) for r in rows]
    check(len(set(keys)) == len(keys), "duplicate age-table keys")
    write_csv(out, "carbon_density_by_age.csv",
              ["forest_type", "origin", "region", "age_group", "age_from_years", "age_to_years",
               "tree_carbon_tc_per_ha", "source"], rows)
    return rows


WD_SETS = {  # forest type -> (description, predicate on a GWDD China row)
    "chinese_fir": ("genus Cunninghamia", lambda r: r["genus"] == "Cunninghamia"),
    "masson_pine": ("species Pinus massoniana", lambda r: r["genus"] == "Pinus" and r["species"] == "massoniana"),
    "eucalyptus": ("genus Eucalyptus", lambda r: r["genus"] == "Eucalyptus"),
    "broadleaf": ("rows flagged as target broadleaf taxa in genus_note (Fagaceae, 木荷, 樟, 枫香)",
                  lambda r: r["genus_note"] in ("Fagaceae broadleaf (阔叶)", "木荷", "樟", "枫香")),
}
NAMES = {"chinese_fir": ("杉木", "Chinese fir (Cunninghamia lanceolata)"),
         "masson_pine": ("马尾松", "Masson pine (Pinus massoniana)"),
         "eucalyptus": ("桉树", "Eucalyptus"),
         "broadleaf": ("阔叶林", "broadleaf forest"),
         "bamboo": ("竹林(毛竹)", "bamboo (moso)"),
         "mixed": ("针阔混交林", "mixed conifer-broadleaf forest")}


def build_forest_types(raw, out, dens, params):
    _, wd = read_csv_dicts(raw, "forest_carbon/wood_density_china_extract.csv")
    check(all(r["region"] == "China" for r in wd), "wood density extract not China-only")
    wd_means = {}
    for ft, (desc, pred) in WD_SETS.items():
        vals = [dec(r["wd"]) for r in wd if pred(r)]
        check(vals, "no wood density rows for %s" % ft)
        wd_means[ft] = (rounded(div(sum(vals), Decimal(len(vals))), 3), len(vals), desc,
                        min(vals), max(vals))
    pinus = [dec(r["wd"]) for r in wd if r["genus"] == "Pinus"]
    FACTS["wd_pinus_genus"] = "%s (%d rows)" % (fmt(rounded(div(sum(pinus), Decimal(len(pinus))), 3)), len(pinus))
    FACTS["wd_table"] = "\n".join(
        "  | %s | %s | %d | %s-%s | %s |" % (ft, desc, n, fmt(lo), fmt(hi), fmt(m))
        for ft, (m, n, desc, lo, hi) in sorted(wd_means.items()))

    bef = {}
    for p in params:
        if p["parameter"].startswith("biomass_volume_conversion_"):
            ft = forest_type_of(p["forest_type_zh"])
            if ft and REPRESENTATIVE_ZH.get(ft) == p["forest_type_zh"]:
                bef[(ft, p["parameter"][-1])] = dec(p["value"])
    check(bef[("chinese_fir", "a")] == Decimal("0.4652") and bef[("masson_pine", "b")] == Decimal("20.547"),
          "BEF spot check")
    # bamboo carbon fraction: mean of the three organ means (1/3/5-yr culms), 曹福明 2017
    cf = [dec(p["value"]) for p in params if p["parameter"] == "carbon_fraction"
          and p["form_or_condition"] == "organ mean" and forest_type_of(p["forest_type_zh"]) == "bamboo"]
    check(len(cf) == 3, "bamboo organ-mean carbon fractions")
    bamboo_cf = rounded(div(sum(cf), Decimal(3)), 3)
    FACTS["bamboo_cf"] = "%s (mean of %s)" % (fmt(bamboo_cf), ", ".join(fmt(x) for x in cf))

    zj = {}
    for d in dens:
        if d["source_title"].startswith("李银") and d["origin"] == "all" and d["age_group"] == "all":
            zj[(d["forest_type_zh"], d["pool"])] = dec(d["value"])
    rows = []
    for ft in FOREST_TYPES:
        rep = REPRESENTATIVE_ZH.get(ft)
        srcs = []
        w = wd_means.get(ft)
        if w:
            srcs.append("gwdd")
        tree = zj.get((rep, "tree layer")) if rep else None
        eco = zj.get((rep, "ecosystem total")) if rep else None
        a, b = bef.get((ft, "a")), bef.get((ft, "b"))
        if tree is not None or a is not None:
            srcs.append("li2016_zj")
        c = bamboo_cf if ft == "bamboo" else None
        if c is not None:
            srcs.append("cao2017_hn")
        rows.append({"forest_type": ft, "name_zh": NAMES[ft][0], "name_en": NAMES[ft][1],
                     "wood_density_t_per_m3": fmt(w[0]) if w else "",
                     "bef_a_t_per_m3": fmt(a), "bef_b_t_per_ha": fmt(b),
                     "carbon_fraction": fmt(c), "root_shoot_ratio": "",
                     "tree_carbon_tc_per_ha": fmt(tree), "ecosystem_carbon_tc_per_ha": fmt(eco),
                     "source": "+".join(srcs)})
    write_csv(out, "forest_types.csv",
              ["forest_type", "name_zh", "name_en", "wood_density_t_per_m3", "bef_a_t_per_m3",
               "bef_b_t_per_ha", "carbon_fraction", "root_shoot_ratio", "tree_carbon_tc_per_ha",
               "ecosystem_carbon_tc_per_ha", "source"], rows)
    empty = []
    for r in rows:
        for k, v in r.items():
            if v == "":
                empty.append("%s.%s" % (r["forest_type"], k))
    FACTS["forest_types_empty"] = ", ".join(empty)
    mixed_wd = [a for a in ASSUMPTIONS if a[0] == "wood_density.mixed"][0]
    check(Decimal(mixed_wd[1]) == rounded(div(wd_means["masson_pine"][0] + wd_means["broadleaf"][0], Decimal(2)), 2),
          "wood_density.mixed assumption no longer matches the GWDD means")
    return rows


IPCC_T43 = ("IPCC 2006 Guidelines for National Greenhouse Gas Inventories, Vol. 4 (AFOLU), "
            "Ch. 4, Table 4.3")
IPCC_T44 = ("IPCC 2006 Guidelines for National Greenhouse Gas Inventories, Vol. 4 (AFOLU), "
            "Ch. 4, Table 4.4 (subtropical humid forest row; not in the raw forest_puller "
            "transcription, value to be verified against the published table)")
NFI_STD = ("国家森林资源连续清查技术规定 (2014), age-class table, and LY/T 2908-2017 "
           "主要树种龄级与龄组划分 - not in the raw data; verify against the standard text")
TANHUI = "Tanhui assumption"
CARB_USFP = ("California Air Resources Board (2015), Compliance Offset Protocol U.S. Forest Projects (adopted "
             "June 25, 2015), Appendix D: Determination of a Forest Project's Reversal Risk Rating, natural "
             "disturbance risks (wildfire; disease or insect outbreak) - not in the raw data; verify against the "
             "published protocol")
VERRA_NPRT = ("Verra (2019), VCS AFOLU Non-Permanence Risk Tool v4.0, Section 2 (overall non-permanence risk "
              "rating: minimum 10, a project rated above 60 fails) - not in the raw data; verify against the "
              "published tool (v4.1/4.2 of 2023 changed the minimum withholdings)")
SIX = ";".join(FOREST_TYPES)

# Citations of the sink's labelled assumptions (issue 17, the sink.* rows of ASSUMPTIONS).
SINK_QY = ("Wen X. et al. 2009, Qianyanzhou eddy covariance 2003-2007 (forest_disaster_literature.csv "
           "sink_nep_qianyanzhou); Yu G. et al. 2014 PNAS (sink_nep_east_asia)")
SINK_D22 = ("2022 heat and drought NPP anomaly to 20 Nov vs 2000-2021 (journal 2024; forest_disaster_literature.csv "
            "sink_npp_drought_2022_*)")

# The ONE place for values the data lacks. key, value, unit, applies_to, rationale, citation, and
# (issue 16 item 7) optionally low and high: the band a quote with "uncertainty" recomputes under.
ASSUMPTION_COLUMNS = ["key", "value", "unit", "applies_to", "rationale", "citation", "low", "high"]
ASSUMPTIONS = [
    ("carbon_fraction_default", "0.47", "t C per t dry biomass",
     "chinese_fir;masson_pine;eucalyptus;broadleaf;mixed",
     "Published default used wherever the raw data has no species value (only bamboo has one: "
     "0.475, 曹福明 et al. 2017, in forest_types.csv).", IPCC_T43),
    ("co2_per_c", "3.666666667", "t CO2 per t C", "all",
     "Ratio of molecular weights 44/12 (printed to 10 significant digits; use 44/12 in code).",
     "IPCC 2006 Guidelines, Vol. 4, Ch. 2 (C to CO2 conversion 44/12)"),
    ("root_shoot_ratio.subtropical_humid.agb_lt_125", "0.2", "t below-ground per t above-ground dry biomass",
     "chinese_fir;masson_pine;eucalyptus;broadleaf;mixed",
     "Published default for subtropical humid forest with above-ground biomass < 125 t/ha (Fujian "
     "stands: tree carbon 22-28 t C/ha, i.e. well below 125 t/ha). Needed only when above-ground "
     "biomass is converted; the Fang volume-biomass regressions (bef_a/bef_b) already give total "
     "biomass including roots.", IPCC_T44),
    ("root_shoot_ratio.subtropical_humid.agb_gt_125", "0.24", "t below-ground per t above-ground dry biomass",
     "chinese_fir;masson_pine;eucalyptus;broadleaf;mixed",
     "As above, stands with above-ground biomass > 125 t/ha.", IPCC_T44),
    ("bef.eucalyptus.a", "0.4754", "t per m3", "eucalyptus",
     "Placeholder: the raw volume-biomass table (李银 2016 Table 1) has no eucalyptus row; the "
     "软阔林 (soft broadleaf) coefficients are used because China's NFI groups 桉 with the soft "
     "broadleaves. Replace with the eucalyptus row of Fang et al. (2001) once transcribed.", TANHUI),
    ("bef.eucalyptus.b", "30.603", "t per ha", "eucalyptus",
     "Placeholder paired with bef.eucalyptus.a (软阔林 row of 李银 2016 Table 1).", TANHUI),
    ("tree_carbon.eucalyptus", "19.15", "t C per ha", "eucalyptus",
     "Placeholder: no eucalyptus carbon density in the raw data; Zhejiang 软阔林 tree layer "
     "(李银 2016) used as proxy (same NFI species group). Eucalyptus plantations in Fujian are "
     "young short-rotation stands, so this is an order of magnitude only.", TANHUI),
    ("ecosystem_carbon.eucalyptus", "169.42", "t C per ha", "eucalyptus",
     "Placeholder paired with tree_carbon.eucalyptus (Zhejiang 软阔林 ecosystem total, 李银 2016); "
     "dominated by soil carbon 0-100 cm.", TANHUI),
    ("wood_density.mixed", "0.56", "t dry mass per m3 green volume", "mixed",
     "Placeholder: mean of the masson_pine (0.485) and broadleaf (0.634) GWDD means in "
     "forest_types.csv, i.e. a 50/50 conifer-broadleaf mix. Not needed by the volume-biomass "
     "method (bef_a/bef_b), which Tanhui uses for mixed stands.", TANHUI),
    ("fire_loss_fraction.chinese_fir", "0.9", "fraction of tree-layer carbon lost per ha of damaged forest",
     "chinese_fir",
     "No data. Applied to NBS 受害森林面积 (damaged forest area, which counts stands with tree "
     "mortality), not to 火场总面积. Thin-barked conifer plantations suffer near-total mortality."
     " Band: Tanhui assumption, from a surface fire that kills the smaller stems to a stand-replacing"
     " crown fire.", TANHUI, "0.7", "1"),
    ("fire_loss_fraction.masson_pine", "0.9", "fraction of tree-layer carbon lost per ha of damaged forest",
     "masson_pine", "As chinese_fir: resinous conifer, crown fires kill most stems."
     " Band: as chinese_fir.", TANHUI, "0.7", "1"),
    ("fire_loss_fraction.eucalyptus", "0.8", "fraction of tree-layer carbon lost per ha of damaged forest",
     "eucalyptus", "Oil-rich foliage burns intensely; some stems resprout (epicormic), hence below conifers."
     " Band: Tanhui assumption (resprouting stems at the low end).", TANHUI, "0.6", "0.95"),
    ("fire_loss_fraction.mixed", "0.75", "fraction of tree-layer carbon lost per ha of damaged forest",
     "mixed", "Between conifer (0.9) and broadleaf (0.6) values."
     " Band: Tanhui assumption, between the conifer and broadleaf bands.", TANHUI, "0.55", "0.9"),
    ("fire_loss_fraction.broadleaf", "0.6", "fraction of tree-layer carbon lost per ha of damaged forest",
     "broadleaf", "Evergreen broadleaves (e.g. 木荷, planted as fire belts in south China) burn less "
     "completely and resprout."
     " Band: Tanhui assumption (+-0.2).", TANHUI, "0.4", "0.8"),
    ("fire_loss_fraction.bamboo", "0.7", "fraction of tree-layer carbon lost per ha of damaged forest",
     "bamboo", "Culms are killed but rhizomes survive and regrow within a few years."
     " Band: Tanhui assumption (+-0.2).", TANHUI, "0.5", "0.9"),
    ("flammability.chinese_fir", "1", "relative fire rate per ha (chinese_fir = 1)", "chinese_fir",
     "Reference type by definition.", TANHUI),
    ("flammability.masson_pine", "1.3", "relative fire rate per ha (chinese_fir = 1)", "masson_pine",
     "Resinous needles and litter, plus dead trees left by pine wilt disease."
     " Band: Tanhui assumption: from as flammable as fir to twice fir's excess.", TANHUI, "1", "1.6"),
    ("flammability.eucalyptus", "1.3", "relative fire rate per ha (chinese_fir = 1)", "eucalyptus",
     "Volatile oils and bark litter."
     " Band: as masson_pine.", TANHUI, "1", "1.6"),
    ("flammability.mixed", "1", "relative fire rate per ha (chinese_fir = 1)", "mixed",
     "Between conifer and broadleaf."
     " Band: Tanhui assumption (+-0.2).", TANHUI, "0.8", "1.2"),
    ("flammability.broadleaf", "0.6", "relative fire rate per ha (chinese_fir = 1)", "broadleaf",
     "Moist evergreen broadleaf stands ignite less readily."
     " Band: Tanhui assumption (+-0.2).", TANHUI, "0.4", "0.8"),
    ("flammability.bamboo", "0.7", "relative fire rate per ha (chinese_fir = 1)", "bamboo",
     "Moist stands with sparse litter, but dry culm debris after harvest."
     " Band: Tanhui assumption (+-0.2).", TANHUI, "0.5", "0.9"),
    ("fujian_forest_share.masson_pine_and_mixed", "0.473", "share of Fujian forest area", "35",
     "Published: stands containing Masson pine = 57.21 million mu = 47.3 % of Fujian forest area "
     "(黄金水 et al. 2021, row in pine_wilt_literature.csv). Split into masson_pine and mixed below.",
     "黄金水, 蔡守平, 汤陈生, 何学友 et al. (2021) 福建省松材线虫病防治问题与对策 (via pine_wilt_literature.csv)"),
    ("fujian_forest_share.masson_pine", "0.25", "share of Fujian forest area", "35",
     "Placeholder: about half of the 47.3 % of stands containing Masson pine assumed Masson-pine "
     "dominated; the rest counted as mixed.", TANHUI),
    ("fujian_forest_share.mixed", "0.223", "share of Fujian forest area", "35",
     "Placeholder: 0.473 - 0.25 (stands containing Masson pine but not pine-dominated).", TANHUI),
    ("fujian_forest_share.chinese_fir", "0.25", "share of Fujian forest area", "35",
     "Placeholder: 杉木 is Fujian's main plantation species (plantations = 377.69 of 801.27 x10^4 ha "
     "in the 8th NFI); no Fujian type table in the raw data.", TANHUI),
    ("fujian_forest_share.bamboo", "0.13", "share of Fujian forest area", "35",
     "Placeholder for moso bamboo forest; no Fujian figure in the raw data.", TANHUI),
    ("fujian_forest_share.broadleaf", "0.12", "share of Fujian forest area", "35",
     "Placeholder; remainder after the shares above and eucalyptus.", TANHUI),
    ("fujian_forest_share.eucalyptus", "0.027", "share of Fujian forest area", "35",
     "Placeholder: eucalyptus plantations are mainly in southern coastal Fujian (漳州), a small share; "
     "chosen so that the six shares sum to 1.", TANHUI),
    ("pwd_dead_trees_per_ha_epidemic_area", "125.9", "dead pines per ha of reported epidemic area per season",
     "masson_pine",
     "Derived from literature: Fujian 2020-21 control season 789,000 dead pines removed on 94,000 mu "
     "(= 6,266.7 ha) of epidemic area (rows of pine_wilt_literature.csv).",
     "福建松材线虫病防治实现\"双下降\", 中国绿色时报 2021-09 (via pine_wilt_literature.csv)"),
    ("pwd_mortality_fraction", "1", "fraction of an infected host pine's tree-layer carbon lost (it dies)",
     "masson_pine",
     "Literature value: susceptible pines infected by the pine wood nematode die (mortality close to 100 %); "
     "the pine-wilt model's infested stands die over pwd.stand_death_years."
     " Band: 'close to 100 %' (the literature); 0.9 for stands cut before all infected trees die.",
     "潘佳亮 et al. 2021, 中国森林病虫 (forest_disaster_literature.csv pwd_mortality_infected)", "0.9", "1"),
    ("pwd.stand_death_years", "4", "years in which an infested pine stand dies",
     "masson_pine", "Literature value: 3-5 years for a whole infected pine stand to die (清流县 2022 notice); "
     "the middle value. The infested share dies at 1/4 of it a year; the mean loss does not depend on it."
     " Band: the published 3-5 years.",
     "清流县人民政府 2022 (forest_disaster_literature.csv pwd_stand_death_years)", "3", "5"),
    ("pwd.fujian_dead_pines_per_year", "789000", "dead pines removed in Fujian in a control season",
     "masson_pine", "Literature value: 789,000 dead pines removed in the 2020-21 season (100 % of those found); "
     "the pine-wilt model's annual dying host stock in the epidemic counties."
     " Band: low = the 2013 autumn survey (40多万株 dead pines in the vector-beetle area, 王玲萍 2014); "
     "high = Tanhui assumption, 1.5 x the 2020-21 count (dead pines not found or not removed).",
     "福建松材线虫病防治实现\"双下降\", 中国绿色时报 2021-09 (via pine_wilt_literature.csv)", "400000", "1200000"),
    ("pwd.pines_per_ha", "1200", "pine stems per ha of a Fujian masson pine stand",
     "masson_pine", "Placeholder: middle-aged to mature masson pine stands carry about 800-2,000 stems per ha "
     "(plantations are set at 2,500-3,300 and thinned); turns dead pines into dead stand area. No stand "
     "table is in the raw data."
     " Band: the stem densities of middle-aged to mature masson pine stands (Tanhui assumption).", TANHUI, "800", "2000"),
    ("pwd.fujian_pine_area_ha", "2933333", "ha of pine forest in Fujian",
     "masson_pine", "Literature value: 全省松林面积4,400多万亩 (44 M mu = 2.93 Mha, about 42 % of the "
     "forest land) around 2013."
     " Band: high = stands containing masson pine, 57.21 M mu (黄金水 et al. 2021).",
     "王玲萍 2014, 福建省松材线虫病发生防控类型区划 (pine_wilt_literature.csv pine_forest_area)", "2933333", "3814000"),
    ("risk_free_rate.CNY", "0.015", "per year, continuously compounded", "CNY markets",
     "Placeholder for risk-neutral pricing of CNY price insurance: the one-year Chinese government "
     "bond yield was about 1.3-1.6 % through 2025; no yield curve is in the raw data. Override per "
     "quote with model.price.risk_free_rate."
     " Band: the one-year government bond yield's range through 2025 (the rationale's 1.3-1.6 %).", TANHUI, "0.013", "0.016"),
    ("risk_free_rate.EUR", "0.02", "per year, continuously compounded", "EUR markets",
     "Placeholder: euro short rates (ECB deposit facility) were about 2 % in late 2025; no curve in "
     "the raw data. Override per quote with model.price.risk_free_rate.", TANHUI),
    ("pest.affected_beta_a", "2", "Beta shape a of the share of a holding affected in an outbreak year",
     "all", "Placeholder: no per-outbreak affected shares exist in the raw data; Beta(2, 8) (mean 0.2) is the "
     "design's example. The calibrated outbreak probability is scaled so that p x mean share reproduces "
     "the national occurrence share (NBS), so this choice moves the spread, not the mean."
     " Band: Tanhui assumption; a changes the spread (with b fixed, also the mean share, which the "
     "outbreak probability then offsets).", TANHUI, "1", "4"),
    ("pest.affected_beta_b", "8", "Beta shape b of the share of a holding affected in an outbreak year",
     "all", "Placeholder paired with pest.affected_beta_a."
     " Band: Tanhui assumption, paired with pest.affected_beta_a (mean share 0.11-0.33 with a = 2).", TANHUI, "4", "16"),
    ("pest.severe_share", "0.095", "share of the pest occurrence area that is severe (重度)",
     "all", "Literature value: 1,800 万亩 severe of the 1.9 亿亩 national occurrence forecast for 2012. General "
     "pests lose stock only on this part of the occurrence area."
     " Band: one year's forecast (2012) is the only figure; Tanhui assumption of +-50 % around it.",
     "national forecast 2012 (forest_disaster_literature.csv pest_severe_share_cn)", "0.05", "0.15"),
    ("pest.severe_mortality", "0.1", "fraction of tree-layer carbon lost per ha of severe pest occurrence",
     "all", "Placeholder: no mortality series in the raw data. With the national occurrence share (5.75 %) "
     "and the severe share it makes general pests take 0.055 % of the stock a year, half the national "
     "growth-loss figure (0.11 %, which is forgone growth, not mortality); 0.2 would take all of it."
     " Band: 0.2 is where general pests' stock loss would equal the whole national growth-loss figure"
     " (0.0011 / (0.0575 x 0.095)); 0.05 half the value (Tanhui assumption).",
     TANHUI, "0.05", "0.2"),
    ("pest.growth_loss_share_of_stock", "0.0011", "forgone growth from pests a year, share of the national stock",
     "all", "Literature value: 17 M m3 a year of timber growth lost to forest pests 2000-2010, about 0.11 % "
     "of the national stock (forgone growth, not mortality); the model's defoliation growth loss."
     " Band: 17 M m3 over the national stock of NFI9 (17.56 G m3) and NFI6 (12.46 G m3), "
     "forest_area.csv.",
     "张鹏霞 et al. 2014 (forest_disaster_literature.csv pest_growth_loss_cn)", "0.00097", "0.00136"),
    ("pwd.fujian_epidemic_counties.2014", "21", "county-level epidemic units of pine wilt disease in Fujian",
     "masson_pine", "Literature value: count of 2014 epidemic units in pine_wilt_fujian_units_literature.csv "
     "(国家林业局公告2014年第2号).", "pine_wilt_fujian_units_literature.csv, list_year 2014"),
    ("pwd.fujian_epidemic_counties.2015", "24", "county-level epidemic units of pine wilt disease in Fujian",
     "masson_pine", "Literature value: count of 2015 epidemic units in pine_wilt_fujian_units_literature.csv.",
     "pine_wilt_fujian_units_literature.csv, list_year 2015"),
    ("pwd.fujian_epidemic_counties.2021", "41", "county-level epidemic units of pine wilt disease in Fujian",
     "masson_pine", "Literature value: 41 epidemic county units in the 2020-21 control season (reported "
     "2021-09), pine_wilt_literature.csv."
     " Band: low = Tanhui assumption, revocations continuing (23 township points revoked for 2024, "
     "闽林文〔2025〕6号); high = the fitted county hazard 0.053 projected from 2021 to 2027 (41 + 43 x (1 -"
     " 0.947^6)).", "pine_wilt_literature.csv, Fujian 2020-2021 pwd_epidemic_county_units", "30", "53"),
    # Flat reversal buffers of other programmes: literature values that `tanhui validate` sets beside
    # the model's buffer (docs/validation.md "Reversal buffer"). Not used by any quote.
    ("buffer_literature.carb_us_forest.wildfire", "0.04", "share of a project's credits (reversal risk rating)",
     "all", "Literature value: the default wildfire contribution to a forest project's reversal risk rating "
     "(before any reduction for fuel treatments); a rating for the life of the project (100 years), not a "
     "per-year rate.", CARB_USFP),
    ("buffer_literature.carb_us_forest.disease_insect", "0.03", "share of a project's credits (reversal risk rating)",
     "all", "Literature value: the disease or insect outbreak contribution to a forest project's reversal risk "
     "rating; for the life of the project (100 years).", CARB_USFP),
    ("buffer_literature.verra_nprt.minimum", "0.1", "share of a project's credits (overall non-permanence risk rating)",
     "all", "Literature value: the floor of the overall non-permanence risk rating (internal + external + natural "
     "risks) of an AFOLU project; a rating below 10 is raised to 10.", VERRA_NPRT),
    ("buffer_literature.verra_nprt.maximum", "0.6", "share of a project's credits (overall non-permanence risk rating)",
     "all", "Literature value: the highest overall non-permanence risk rating a project may have; above 60 the "
     "project fails the risk assessment and cannot issue. Together with the minimum: the tool's range.", VERRA_NPRT),
    # Issue 17: the stochastic annual sink (risk/simulation/sink.hpp; tests/risk/simulation/sink_test.cpp
    # compares risk::SinkModel and the drought_2022 scenario with these rows). key, value, unit,
    # applies_to, rationale, citation, low, high.
    ("sink.growth_cv", "0.13", "coefficient of variation of a holding's annual sequestration (lognormal part)", "all",
     "Year-to-year spread of the sink: NEP of the Qianyanzhou subtropical plantation 306-430 gC/m2/yr "
     "(mean 395, sd 50: CV 0.127); across East-Asian monsoon forests 362 +- 39 (0.108). Low: the cross-site "
     "spread; high: a thinner stand's larger relative spread.", SINK_QY, "0.10", "0.16"),
    ("sink.weather_correlation", "0.3", "correlation of the sink normal with minus the weather normal", "all",
     "Hot, dry years raise the fire and pest factor and cut growth (2022: record heat, fires and an NPP "
     "cut together). No joint fit exists; a moderate value, 0 (independent) to 0.6.", "Tanhui judgement; " + SINK_D22,
     "0", "0.6"),
    ("sink.region_correlation", "0.8", "correlation of the sink normals of two holdings of one region", "all",
     "Growth anomalies are regional (the 2022 anomaly covered whole provinces); stands differ by site and age.",
     "Tanhui judgement; " + SINK_D22, "0.5", "1"),
    ("sink.drought_probability", "0.083", "probability a region-year is a drought year", "all",
     "One severe drought region-year in 12: disaster_history.csv 2010-2021 has one year per province with "
     "drought the main crop damage (Zhejiang 2013; Fujian 2011 and 2020 milder); 2022 lies outside the table. "
     "High: Jiangxi's four drought years of 12.", "NBS disaster statistics (data/historical/disaster_history.csv); " + SINK_D22,
     "0.05", "0.25"),
    ("sink.drought_cut", "0.189", "share of a year's sequestration a drought year removes", "all",
     "The 2022 drought's NPP cut in Fujian; Zhejiang 0.141 (low); Qianyanzhou's worst year 23 % below the mean (high).",
     SINK_D22 + "; " + SINK_QY, "0.141", "0.23"),
    ("sink.drought_2022.cut.35", "0.189", "share of 2022 NPP lost (Fujian)", "all",
     "The drought_2022 stress scenario replays it in every simulated year.", SINK_D22),
    ("sink.drought_2022.cut.33", "0.141", "share of 2022 NPP lost (Zhejiang)", "all", "As sink.drought_2022.cut.35.", SINK_D22),
    ("sink.drought_2022.cut.36", "0.168", "share of 2022 NPP lost (Jiangxi)", "all", "As sink.drought_2022.cut.35.", SINK_D22),
    ("sink.drought_2022.cut.elsewhere", "0.061", "share of 2022 GPP lost (Yangtze basin, Jul-Oct)", "all",
     "Provinces without a 2022 NPP figure take the basin's GPP anomaly.",
     "Li et al. 2024, Environmental Research Letters 19:034048 (forest_disaster_literature.csv sink_gpp_yangtze_2022)"),
]

# The regional event perils (issue 16: freeze, landslide; docs/risk-model.md "Freeze", "Landslide"),
# each (key, value, unit, applies_to, rationale, citation, low, high).
LIT_2008 = "forest_disaster_literature.csv (raw PROVENANCE 9.3), rows "
FREEZE_VULN = LIT_2008 + "ice_vuln_* (Geographical Sciences 2011 transect; iForest 10:406, 2017 for the range)"
REGIONAL_ASSUMPTIONS = [
    ("freeze.return_period_2008_years", "50", "years", "freeze",
     "Return period assumed for a January-2008 glaze-ice footprint on a province: CMA and the State Council "
     "called the 2008 storm the worst in 50 years in southern China (a century in parts of Hunan and "
     "Guizhou); the NBS freeze series (2010-2021) has no event of that size, so the period is not estimable "
     "from Tanhui's data. Low 30, high 100.",
     TANHUI + "; 2008 characterisation from contemporary CMA reports (not in the raw data; verify)", "30", "100"),
    ("freeze.affected_share_2008", "0.099", "share of a province's forest", "freeze",
     "Affected share of a province's forest in January 2008 where the province has no figure of its own: the "
     "national share, 19.4 Mha of 195.5 Mha (NFI7) = 0.099 (19 provinces hit; the shares of the provinces with "
     "figures run from Guangdong 0.08 to Hunan 0.43). Low 0.05, high 0.25.",
     LIT_2008 + "ice2008_cn_area_ha; forest_area.csv NFI7", "0.05", "0.25"),
    ("freeze.affected_share_2008.35", "0.10", "share of Fujian's forest", "35",
     "Fujian has no hectare figure for 2008: 8 counties along the Wuyi range were severely hit (a Nanping "
     "village lost 80 % of its trees), the rest of the province much less; Fujian was hit less than Hunan, "
     "Jiangxi or Guizhou. Taken at the national share; low half of it, high a hard-hit province's 0.25.",
     LIT_2008 + "ice2008_35_qualitative, ice2008_cn_area_ha", "0.05", "0.25"),
    ("freeze.affected_share_2008.43", "0.43", "share of Hunan's forest", "43",
     "Hunan, timber and bamboo forest damaged: 67.88 M mu = 4.53 Mha of 10.53 Mha (NFI9) = 0.43. Low 0.3 (a "
     "count of damaged forest that includes light damage), high 0.5.",
     LIT_2008 + "ice2008_43_area_mu; forest_area.csv", "0.3", "0.5"),
    ("freeze.affected_share_2008.33", "0.25", "share of Zhejiang's forest", "33",
     "Zhejiang: forestry area affected by 2 February 2008 (early count) 12.43 M mu = 0.83 Mha of 6.01 Mha = "
     "0.14; public-welfare forest 78.15 of 200 (10^4 ha) = 0.39. Between them; low the early count, high the "
     "public-welfare share.", LIT_2008 + "ice2008_33_area_mu, ice2008_33pw_affected_share; forest_area.csv",
     "0.14", "0.39"),
    ("freeze.affected_share_2008.44", "0.082", "share of Guangdong's forest", "44",
     "Guangdong: more than 11.9 M mu (0.79 Mha) damaged, the heavily hit zone 8.2 % of the province's forest. "
     "Low 0.05, high 0.15.", LIT_2008 + "ice2008_44_area_mu", "0.05", "0.15"),
    ("freeze.affected_share_2008.36", "0.37", "share of Jiangxi's forest", "36",
     "Jiangxi has only its forestry loss (14.28 bn CNY): at Hunan's loss per affected ha (16.5 bn CNY / "
     "4.53 Mha) about 3.9 Mha, on a forest of about 10 Mha (NFI8; not in forest_area.csv) about 0.37-0.39. "
     "Low 0.25, high Hunan's 0.43.", LIT_2008 + "ice2008_36_loss_cny, ice2008_43_area_mu", "0.25", "0.43"),
    ("freeze.long_run_over_2008_term", "4", "ratio", "freeze",
     "Long-run mean affected share of a province's forest a year over its 2008 term (2008 share / return "
     "period): the freeze loss of all other years is 3 times that of 2008-type years. Bounds: the NBS crop "
     "index puts 2008-type years at 12 % of the long-run freeze crop area (ratio 8; an upper bound for forest, "
     "which frost alone rarely damages: forest loss needs glaze ice or wet snow); a Beta footprint cannot "
     "have a ratio below about 3.3 with the 2008 tail held (docs/calibration.md \"Freeze\"). Central "
     "4: 2008-type years carry a quarter of the long-run loss, twice their share in the crop index.",
     TANHUI + "; disaster_history.csv (NBS 2010-2021); ice2008_cn_crop_ha", "3.5", "8"),
    ("freeze.event_year_share_of_max", "0.25", "share of the province's largest year", "freeze",
     "A province-year is a freeze event year when its NBS low-temperature/freeze/snow crop area reaches this "
     "share of the province's largest year (an event-year index, not a severity).", TANHUI, "0.1", "0.5"),
    ("freeze.stock_lost_share_2008", "0.25", "share of standing stock on the affected area", "freeze",
     "Standing volume lost per affected ha in 2008 (340 M m3 / 19.4 Mha = 17.5 m3/ha) over the national stock "
     "density of NFI7 (13.72 bn m3 / 195.5 Mha = 70.2 m3/ha). Low: Fujian's density (90 m3/ha, NFI9); high: "
     "young stands (50 m3/ha).", LIT_2008 + "ice2008_cn_volume_m3, ice2008_cn_area_ha; forest_area.csv NFI7",
     "0.19", "0.35"),
    ("freeze.damage_rate_2008_mean", "0.5316666667", "share of trees damaged", "freeze",
     "Mean of the three measured species damage rates after the 2008 storm (slash pine 0.61, masson pine "
     "0.525, chinese fir 0.46): the damage rate behind freeze.stock_lost_share_2008; a forest type's loss "
     "fraction is stock_lost_share x its damage rate / this mean.", FREEZE_VULN, "0.5316666667", "0.5316666667"),
    ("freeze.damage_rate.chinese_fir", "0.46", "share of trees damaged", "chinese_fir",
     "Measured after the 2008 ice storm; range across stand types.", FREEZE_VULN, "0.25", "0.81"),
    ("freeze.damage_rate.masson_pine", "0.525", "share of trees damaged", "masson_pine",
     "Measured after the 2008 ice storm; range across stand types.", FREEZE_VULN, "0.25", "0.81"),
    ("freeze.damage_rate.eucalyptus", "0.61", "share of trees damaged", "eucalyptus",
     "No eucalyptus figure in the raw data: slash pine's 0.61, the exotic fast-grown plantation species "
     "measured (eucalyptus is frost-sensitive, so not lower than the pines); high the top of the range.",
     FREEZE_VULN, "0.46", "0.81"),
    ("freeze.damage_rate.broadleaf", "0.5316666667", "share of trees damaged", "broadleaf",
     "No broadleaf figure in the raw data: the mean of the three measured species.", FREEZE_VULN, "0.25", "0.81"),
    ("freeze.damage_rate.bamboo", "0.81", "share of trees damaged", "bamboo",
     "Bamboo bends and splits under ice (Fujian 2008: nearly all bamboo affected in a Nanping village): the top "
     "of the measured range.", FREEZE_VULN + "; ice2008_35_qualitative", "0.53", "0.81"),
    ("freeze.damage_rate.mixed", "0.5316666667", "share of trees damaged", "mixed",
     "No mixed-stand figure: the mean of the three measured species.", FREEZE_VULN, "0.25", "0.81"),
    ("landslide.area_per_event_ha", "1", "ha of forest per event", "landslide",
     "Forest area lost per NBS geological-hazard event (landslide, rock fall, debris flow): no inventory exists "
     "(raw PROVENANCE 9.3, not found). Most reported events are small slope failures of 10^3-10^4 m2; debris "
     "flows run longer. Low 0.2, high 5.", TANHUI, "0.2", "5"),
    ("landslide.stock_lost_fraction", "1", "share of standing stock on the area lost", "landslide",
     "A slide or debris flow removes the stand on its track; low: trees partly left standing at the margins.",
     TANHUI, "0.5", "1"),
]


# (forest type, origin) -> (upper bounds of young, middle-aged, near-mature, mature; rationale; citation)
AGE_CLASS_ASSUMPTIONS = {
    ("chinese_fir", "natural"): (
        (10, 20, 25, 35),
        "The NFI rules give 杉木 bounds for southern plantations only; the same bounds (also those "
        "of the Guangxi study, 韩畅 2017, in the raw data) are applied to natural Chinese fir.", TANHUI),
    ("masson_pine", "natural"): (
        (20, 30, 40, 60), "NFI southern natural-forest bounds for 马尾松 (pines group).", NFI_STD),
    ("broadleaf", "natural"): (
        (20, 40, 50, 70),
        "Mixed broadleaf stands take the age group of their dominant species, unknown here; the NFI "
        "southern natural bounds of the 木荷/枫香 group (common dominants of evergreen broadleaf "
        "forest in Fujian/Zhejiang) are used.", TANHUI + "; bounds per " + NFI_STD),
    ("broadleaf", "planted"): (
        (10, 20, 30, 50), "As broadleaf natural; plantation bounds of the same group.",
        TANHUI + "; bounds per " + NFI_STD),
    ("mixed", "natural"): (
        (20, 30, 40, 60),
        "Dominant species of mixed stands unknown; Masson pine bounds used (马尾松 is the most "
        "widespread conifer of the region: largest coniferous type in Zhejiang's 8th NFI, 李银 2016).",
        TANHUI + "; bounds per " + NFI_STD),
    ("mixed", "planted"): (
        (10, 20, 30, 50),
        "As mixed natural; Masson pine plantation bounds (these are in the raw data, 韩畅 2017).", TANHUI),
}


def age_class_assumption_rows():
    rows = []
    for (ft, origin), (uppers, why, cite) in sorted(AGE_CLASS_ASSUMPTIONS.items()):
        for i, (k, v) in enumerate(zip(AGE_GROUP_KEYS, uppers)):
            group = k[:-3].replace("_", "-")
            rows.append(("age_class.%s.%s.%s" % (ft, origin, k), str(v),
                         "years (inclusive upper bound of the %s class)" % group, ft,
                         why if i == 0 else "Same set as age_class.%s.%s.young_to." % (ft, origin),
                         cite))
    return rows


def typhoon_assumption_rows():
    """The typhoon peril's rows, kept beside its data in data/prep/typhoon.py."""
    sys.path.insert(0, HERE)
    import typhoon  # noqa: E402
    return list(typhoon.ASSUMPTIONS)


def build_assumptions(out):
    # A row is (key, value, unit, applies_to, rationale, citation) or the same with the low and
    # high value of its band appended (strings; low <= value <= high). Rows without a band get
    # empty low/high columns (NULL in the store).
    rows = [dict(zip(ASSUMPTION_COLUMNS, tuple(a) + ("", "") if len(a) == 6 else a))
            for a in ASSUMPTIONS + age_class_assumption_rows() + REGIONAL_ASSUMPTIONS + typhoon_assumption_rows()]
    for r in rows:
        check(len(r) == len(ASSUMPTION_COLUMNS), "assumption %s: 6 or 8 fields" % r["key"])
        check(NUM_RE.match(r["value"]), "assumption %s: value must be a number" % r["key"])
        check((r["low"] == "") == (r["high"] == ""), "assumption %s: give both low and high, or neither" % r["key"])
        if r["low"]:
            check(NUM_RE.match(r["low"]) and NUM_RE.match(r["high"]), "assumption %s: low/high must be numbers" % r["key"])
            check(Decimal(r["low"]) <= Decimal(r["value"]) <= Decimal(r["high"]),
                  "assumption %s: low <= value <= high" % r["key"])
    keys = [r["key"] for r in rows]
    check(len(set(keys)) == len(keys), "duplicate assumption keys")
    shares = [Decimal(r["value"]) for r in rows if r["key"].startswith("fujian_forest_share.")
              and not r["key"].endswith("masson_pine_and_mixed")]
    check(sum(shares) == 1, "forest shares do not sum to 1: %s" % sum(shares))
    mp = sum(Decimal(r["value"]) for r in rows if r["key"] in ("fujian_forest_share.masson_pine",
                                                              "fujian_forest_share.mixed"))
    check(mp == Decimal("0.473"), "masson pine + mixed share != 0.473")
    check(round(789000 / (94000 / 15.0), 1) == 125.9, "PWD dead-tree density")
    write_csv(out, "assumptions.csv", ASSUMPTION_COLUMNS, rows)
    return rows


def check_assumption_refs(age_rows):
    keys = {a[0] for a in ASSUMPTIONS + age_class_assumption_rows() + REGIONAL_ASSUMPTIONS + typhoon_assumption_rows()}
    for r in age_rows:
        for part in r["source"].split("+"):
            if part.startswith("assumption:"):
                k = part[len("assumption:"):]
                if k.endswith(".*"):
                    check(any(x.startswith(k[:-1]) for x in keys), "unknown assumption %s" % part)
                else:
                    check(k in keys, "unknown assumption %s" % part)


# --------------------------------------------------------------------------
# 9. PROVENANCE.md
# --------------------------------------------------------------------------

def date_range(rows, col):
    vals = sorted(r[col] for r in rows if r[col])
    return "%s - %s" % (vals[0], vals[-1]) if vals else ""


def build_china_holidays(out):
    """china_holidays.csv from data/prep/china_holidays.py (notices typed there, rule years computed)."""
    sys.path.insert(0, HERE)
    import china_holidays  # noqa: E402  (the script beside this one)
    check(china_holidays.check_quiet() == 0, "china_holidays: the rule no longer reproduces the 2025/2026 notices")
    WRITTEN["china_holidays.csv"] = china_holidays.write(os.path.join(out, "china_holidays.csv"))


def build_regional(raw, out, regions):
    """geological_hazards.csv and province_neighbours.csv from data/prep/regional.py (beside this one)."""
    sys.path.insert(0, HERE)
    import regional  # noqa: E402
    regional.build(raw, out, regions, (read_csv_dicts, read_text, write_csv, check, fmt_int, FACTS))


def build_typhoon(raw, out, regions):
    """typhoon_tracks.csv and region_centroids.csv from data/prep/typhoon.py (the script beside this one)."""
    sys.path.insert(0, HERE)
    import typhoon  # noqa: E402
    typhoon.build(raw, out, regions, (raw_path, write_csv, check, FACTS))


def render_provenance(raw, out):
    for name, rows in WRITTEN.items():
        FACTS["rows:" + name] = str(len(rows))
    for name in ["fire_history.csv", "disaster_history.csv", "pest_history.csv", "geological_hazards.csv"]:
        FACTS["range:" + name] = date_range(WRITTEN[name], "year")
    for m in [m[0] for m in MARKETS]:
        FACTS["range:prices_%s.csv" % m] = date_range(WRITTEN["prices_%s.csv" % m], "date")
    lines = []
    for rel in sorted(RAW_USED):
        with open(os.path.join(raw, rel), "rb") as f:
            h = hashlib.sha256(f.read()).hexdigest()
        lines.append("| `%s` | `%s` |" % (rel, h))
    FACTS["raw_sha256_table"] = "\n".join(lines)
    with open(TEMPLATE, encoding="utf-8") as f:
        tpl = f.read()

    def sub(m):
        k = m.group(1)
        check(k in FACTS, "PROVENANCE template: unknown placeholder {{%s}}" % k)
        return FACTS[k]
    text = re.sub(r"\{\{([^{}]+)\}\}", sub, tpl)
    with open(os.path.join(out, "PROVENANCE.md"), "w", encoding="utf-8", newline="") as f:
        f.write(text)


# --------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--raw", default=os.path.join(REPO, "..", "shared", "data", "raw"),
                    help="raw data folder (default: ../shared/data/raw from the repo root)")
    ap.add_argument("--out", default=os.path.join(REPO, "data", "historical"),
                    help="output folder (default: data/historical)")
    ap.add_argument("--quiet", action="store_true", help="do not print the row counts")
    args = ap.parse_args(argv)
    raw, out = os.path.abspath(args.raw), os.path.abspath(args.out)
    if not os.path.isdir(raw):
        print("raw data folder not found: %s" % raw, file=sys.stderr)
        return 2
    os.makedirs(out, exist_ok=True)
    try:
        regions = build_regions(raw, out)
        names = ProvinceNames(regions)
        build_forest_area(raw, out, regions)
        build_prices(raw, out)
        build_fire(raw, out, names)
        build_disaster(raw, out, names)
        build_pest(raw, out)
        dens, params = build_literature(raw, out, regions)
        age_rows = build_age_table(out, dens, params)
        build_forest_types(raw, out, dens, params)
        build_assumptions(out)
        build_china_holidays(out)
        build_regional(raw, out, regions)
        build_typhoon(raw, out, regions)
        check_assumption_refs(age_rows)
        render_provenance(raw, out)
        if os.environ.get("PREP_DUMP_FACTS"):
            for k in sorted(FACTS):
                print("%s = %s" % (k, FACTS[k]))
    except PrepError as e:
        print("prepare.py: ERROR: %s" % e, file=sys.stderr)
        return 1
    if not args.quiet:
        for name in sorted(WRITTEN):
            print("%-45s %6d rows" % (name, len(WRITTEN[name])))
        print("%-45s (rendered)" % "PROVENANCE.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
