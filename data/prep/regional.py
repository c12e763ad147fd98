"""Inputs of the regional event perils (freeze, landslide) in data/historical, called by prepare.py.

- geological_hazards.csv: the NBS provincial geological-hazard series (raw PROVENANCE 9.1, the
  DERIVED tidy CSV of dizhi.json, checked against the JSON): region, year, hazards_total,
  landslides (滑坡), collapses (崩塌), debris_flows (泥石流), ground_subsidence (地面塌陷), deaths,
  casualties, direct_loss_10k_cny. 2003, 2014 and 2022 are all-zero placeholders in the JSON and
  are not in the tidy file: no row is invented.
- province_neighbours.csv: each province's neighbours, provinces that share a land border with it
  (the 31 provinces of regions.csv; Hainan has none by land). Written from the list NEIGHBOURS
  below (the standard map of the People's Republic of China), checked symmetric and against the
  seat coordinates of the raw region_centroids_derived.csv (the seat distance of each pair is
  written beside it, so a wrong pair stands out: every pair is within MAX_KM).

Python standard library only; deterministic.
"""

import json
import math

GEO_RAW = "weather_disaster/minatome__minatome/geological_hazards_by_province.csv"
GEO_JSON = "weather_disaster/minatome__minatome/dizhi.json"
GEO_JSON_KEYS = {
    "hazards_total": "Geological_hazards", "landslides": "Landslide_disaster", "collapses": "Collapse_disaster",
    "debris_flows": "landslides", "ground_subsidence": "Ground_collapses", "deaths": "death_toll",
    "casualties": "Casualties_number", "direct_loss_10k_cny": "Economic_losses",
}
CENTROIDS = "regions/region_centroids_derived.csv"
MAX_KM = 2000  # Lhasa-Urumqi (Tibet and Xinjiang border in the far west) is the longest

# Land borders of the 31 provinces (two-digit GB/T 2260 codes).
NEIGHBOURS = {
    "11": "12 13", "12": "11 13", "13": "11 12 14 15 21 37 41", "14": "13 15 41 61",
    "15": "13 14 21 22 23 61 62 64", "21": "13 15 22", "22": "15 21 23", "23": "15 22",
    "31": "32 33", "32": "31 33 34 37", "33": "31 32 34 35 36", "34": "32 33 36 37 41 42",
    "35": "33 36 44", "36": "33 34 35 42 43 44", "37": "13 32 34 41", "41": "13 14 34 37 42 61",
    "42": "34 36 41 43 50 61", "43": "36 42 44 45 50 52", "44": "35 36 43 45", "45": "43 44 52 53",
    "46": "", "50": "42 43 51 52 61", "51": "50 52 53 54 61 62 63", "52": "43 45 50 51 53",
    "53": "45 51 52 54", "54": "51 53 63 65", "61": "14 15 41 42 50 51 62 64", "62": "15 51 61 63 64 65",
    "63": "51 54 62 65", "64": "15 61 62", "65": "54 62 63",
}


def build_geological(raw, out, helpers):
    read_csv_dicts, read_text, write_csv, check, fmt_int, facts = helpers
    header, rows = read_csv_dicts(raw, GEO_RAW)
    cols = ["hazards_total", "landslides", "collapses", "debris_flows", "ground_subsidence", "deaths", "casualties",
            "direct_loss_10k_cny"]
    check(header == ["region", "province_zh", "year"] + cols, "geological hazards header changed")
    js = json.loads(read_text(raw, GEO_JSON))
    by_name = {name: {int(str(r["year"]).rstrip("年")): r for r in lst} for name, lst in js.items()}
    res = []
    short = 0  # rows whose four kinds fall short of the total by more than 4 or 2 % (other kinds)
    for r in rows:
        year = int(r["year"])
        check(2004 <= year <= 2021 and year != 2014, "geological hazards: placeholder year %d kept" % year)
        name = r["province_zh"] if r["province_zh"] in by_name else None
        check(name is not None, "geological hazards: %s not in the JSON" % r["province_zh"])
        jr = by_name[name][year]
        o = {"region": r["region"], "year": str(year), "source": "nbs_geohazard"}
        for c in cols:
            v = int(float(r[c]))
            check(v >= 0, "geological hazards: negative %s %s %d" % (c, r["region"], year))
            check(int(float(jr[GEO_JSON_KEYS[c]])) == v, "geological hazards CSV vs JSON %s %d %s" % (r["region"], year, c))
            o[c] = str(v)
        parts = sum(int(o[c]) for c in ("landslides", "collapses", "debris_flows", "ground_subsidence"))
        check(parts <= int(o["hazards_total"]) + 4, "geological hazards: parts exceed the total %s %d" % (r["region"], year))
        short += parts + max(4, int(o["hazards_total"]) // 50) < int(o["hazards_total"])
        res.append(o)
    res.sort(key=lambda r: (r["region"], int(r["year"])))
    check(len(res) == 31 * 17, "geological hazards: %d rows, expected 527" % len(res))
    write_csv(out, "geological_hazards.csv", ["region", "year"] + cols + ["source"], res)
    fj = {int(r["year"]): int(r["hazards_total"]) for r in res if r["region"] == "35"}
    facts["geo_rows_short"] = str(short)
    facts["geo_fujian_2005"] = str(fj[2005])
    facts["geo_fujian_2020"] = str(fj[2020])
    return res


def haversine_km(a, b):
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def build_neighbours(raw, out, regions, helpers):
    read_csv_dicts, _, write_csv, check, _, facts = helpers
    provinces = sorted(r["code"] for r in regions if r["level"] == "province")
    check(sorted(NEIGHBOURS) == provinces, "NEIGHBOURS must list exactly the provinces of regions.csv")
    _, cents = read_csv_dicts(raw, CENTROIDS)
    seat = {c["code"][:2]: (float(c["longitude"]), float(c["latitude"])) for c in cents if c["level"] == "province"}
    res = []
    longest = 0
    for p in provinces:
        for n in NEIGHBOURS[p].split():
            check(p in NEIGHBOURS[n].split(), "NEIGHBOURS not symmetric: %s %s" % (p, n))
            km = haversine_km(seat[p], seat[n])
            check(km <= MAX_KM, "neighbours %s %s are %.0f km apart" % (p, n, km))
            longest = max(longest, km)
            res.append({"region": p, "neighbour": n, "seat_distance_km": "%.0f" % km, "source": "map_borders"})
    write_csv(out, "province_neighbours.csv", ["region", "neighbour", "seat_distance_km", "source"], res)
    facts["neighbour_pairs"] = str(len(res) // 2)
    facts["neighbour_longest_km"] = "%.0f" % longest
    return res


def build(raw, out, regions, helpers):
    build_geological(raw, out, helpers)
    build_neighbours(raw, out, regions, helpers)
