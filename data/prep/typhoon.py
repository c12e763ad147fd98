"""Typhoon inputs of data/historical, called by prepare.py.

- typhoon_tracks.csv: the CMA tropical-cyclone best track (raw PROVENANCE 9.2), every 6-hourly
  (3-hourly near some landfalls) point of 1949-2024 inside the box BOX around south-east China.
  One row a point: storm (year and the storm's serial number in the year, "2006-10"), year,
  cma_number (China's number, e.g. 0608 = Saomai; "" if none), time (UTC, "2006-08-10T06"),
  class (CMA intensity class 0-6, 9 = extratropical), lat and lon (degrees, 0.1 resolution),
  pressure_hpa (minimum central pressure), wind_ms (2-minute mean maximum wind near the centre).
- region_centroids.csv: the seat coordinates of the 124 regions of regions.csv (raw PROVENANCE
  9.4, MIT), for holdings that give no latitude/longitude.

Python standard library only; deterministic (numbers are written from their text).
"""

import os
import re

TRACK_DIR = "typhoon/lzcapp__TropicalCyclone-Data/CMABST"
CENTROIDS = "regions/region_centroids_derived.csv"
CENTROIDS_LICENCE = "regions/sfyc23__China-zip-code-latitude-and-longitude/LICENSE"
# The box (0.1 degrees): 15-35 N, 108-132 E, about 1,000 km around Fujian on every side.
BOX = (150, 350, 1080, 1320)
FIRST_YEAR, LAST_YEAR = 1949, 2024


def tenths(text):
    """'1185' (tenths of a degree) as '118.5'."""
    v = int(text)
    return "%s%d.%d" % ("-" if v < 0 else "", abs(v) // 10, abs(v) % 10)


def read_year(path, year, check):
    """(storm header fields, points) of one CH<year>BST.txt."""
    storms = []
    with open(path, encoding="ascii") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    i = 0
    while i < len(lines):
        head = lines[i].split()
        check(head[0] == "66666", "%s: line %d is not a storm header" % (path, i + 1))
        n = int(head[2])
        serial, cma = head[3], head[4]
        points = []
        for line in lines[i + 1:i + 1 + n]:
            p = line.split()
            check(len(p) in (6, 7) and len(p[0]) == 10, "%s: bad point line %r" % (path, line))
            points.append(p)
        check(len(points) == n, "%s: storm %s has %d of %d lines" % (path, serial, len(points), n))
        storms.append((serial, cma, points))
        i += 1 + n
    check(all(p[0][:4] in (str(year - 1), str(year), str(year + 1)) for _, _, pts in storms for p in pts),
          "%s: a point outside its year" % path)
    return storms


def build_tracks(raw, out, helpers):
    raw_path, write_csv, check, facts = helpers
    rows = []
    storms_in_box = set()
    total_points = 0
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        rel = "%s/CH%dBST.txt" % (TRACK_DIR, year)
        for serial, cma, points in read_year(raw_path(raw, rel), year, check):
            total_points += len(points)
            for p in points:
                lat, lon = int(p[2]), int(p[3])
                if not (BOX[0] <= lat <= BOX[1] and BOX[2] <= lon <= BOX[3]):
                    continue
                t = p[0]
                storm = "%d-%02d" % (year, int(serial))
                storms_in_box.add(storm)
                rows.append({"storm": storm, "year": str(year), "cma_number": "" if cma == "0000" else cma,
                             "time": "%s-%s-%sT%s" % (t[:4], t[4:6], t[6:8], t[8:10]), "class": p[1],
                             "lat": tenths(p[2]), "lon": tenths(p[3]), "pressure_hpa": str(int(p[4])),
                             "wind_ms": str(int(p[5]))})
    # Spot checks against the raw provenance: Saomai (0608) is storm 10 of 2006, 915 hPa at its peak.
    saomai = [r for r in rows if r["cma_number"] == "0608"]
    check(saomai and saomai[0]["storm"] == "2006-10", "typhoon: Saomai (0608) is not storm 2006-10")
    check(min(int(r["pressure_hpa"]) for r in saomai) == 915, "typhoon: Saomai's minimum pressure is not 915 hPa")
    check(all(850 <= int(r["pressure_hpa"]) <= 1020 for r in rows), "typhoon: a central pressure outside 850-1020 hPa")
    rows.sort(key=lambda r: (int(r["year"]), int(r["storm"].split("-")[1]), r["time"]))
    write_csv(out, "typhoon_tracks.csv",
              ["storm", "year", "cma_number", "time", "class", "lat", "lon", "pressure_hpa", "wind_ms"], rows)
    facts["typhoon_points_total"] = str(total_points)
    facts["typhoon_points_in_box"] = str(len(rows))
    facts["typhoon_storms_in_box"] = str(len(storms_in_box))
    facts["range:typhoon_tracks.csv"] = "%d - %d" % (FIRST_YEAR, LAST_YEAR)


def build_centroids(raw, out, regions, helpers):
    raw_path, write_csv, check, facts = helpers
    import csv
    with open(raw_path(raw, CENTROIDS), encoding="utf-8", newline="") as f:
        src = list(csv.DictReader(f))
    with open(raw_path(raw, CENTROIDS_LICENCE), encoding="utf-8") as f:
        check(f.readline().strip() == "MIT License", "region centroids: the licence is no longer MIT")
    codes = {r["code"] for r in regions}
    rows = []
    for r in src:
        code = r["code"]
        check(re.fullmatch(r"\d{6}", code), "region centroids: bad code %r" % code)
        short = code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code
        check(short in codes, "region centroids: %s is not a region of regions.csv" % short)
        lat, lon = float(r["latitude"]), float(r["longitude"])
        check(18 <= lat <= 54 and 73 <= lon <= 135, "region centroids: %s outside China" % code)
        rows.append({"region": short, "level": r["level"], "latitude": r["latitude"], "longitude": r["longitude"],
                     "matched_as": r["matched_as"]})
    check(len(rows) == 124, "region centroids: %d rows, expected 124" % len(rows))
    fd = [r for r in rows if r["region"] == "350982"][0]
    check((fd["latitude"], fd["longitude"]) == ("27.33", "120.22"), "region centroids: Fuding moved")
    rows.sort(key=lambda r: (len(r["region"]), r["region"]))
    write_csv(out, "region_centroids.csv", ["region", "level", "latitude", "longitude", "matched_as"], rows)


def build(raw, out, regions, helpers):
    """helpers: (raw_path, write_csv, check, FACTS) of prepare.py."""
    build_tracks(raw, out, helpers)
    build_centroids(raw, out, regions, helpers)
