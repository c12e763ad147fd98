"""Typhoon inputs of data/historical, called by prepare.py.

- typhoon_tracks.csv: the CMA tropical-cyclone best track (raw PROVENANCE 9.2), every 6-hourly
  (3-hourly near some landfalls) point of 1949-2024 inside the box BOX around south-east China.
  One row a point: storm (year and the storm's serial number in the year, "2006-10"; ".2" added
  to the second storm a serial heads, a split such as "Della(-)1"), year,
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
        seen = {}
        for serial, cma, points in read_year(raw_path(raw, rel), year, check):
            total_points += len(points)
            # A serial may head two storms (a split, "Della(-)1"): the second is "-31.2".
            seen[serial] = seen.get(serial, 0) + 1
            suffix = "" if seen[serial] == 1 else ".%d" % seen[serial]
            for p in points:
                lat, lon = int(p[2]), int(p[3])
                if not (BOX[0] <= lat <= BOX[1] and BOX[2] <= lon <= BOX[3]):
                    continue
                t = p[0]
                storm = "%d-%02d%s" % (year, int(serial), suffix)
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
    rows.sort(key=lambda r: (int(r["year"]), float(r["storm"].split("-")[1]), r["time"]))
    keys = [(r["storm"], r["time"]) for r in rows]
    check(len(set(keys)) == len(keys), "typhoon: a storm has two points at one time")
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


# Labelled assumptions of the typhoon peril (rows of assumptions.csv, appended by prepare.py):
# key, value, unit, applies_to, rationale, citation, low, high.
TANHUI = "Tanhui assumption"
SAOMAI_SOURCE = ("International Journal of Remote Sensing 2013 (typhoon Saomai), "
                 "https://informahealthcare.com/doi/abs/10.1080/01431161.2013.827344 "
                 "(raw forest_disaster/forest_disaster_literature.csv, row typhoon_saomai_2006)")
HARPER = ("Harper, Kepert & Ginger (2010), Guidelines for converting between various wind averaging periods in "
          "tropical cyclone conditions, WMO/TD-1555 - not in the raw data; verify the factor against its tables")
RELATIVE = ("Tanhui assumption; ranking after Everham & Brokaw (1996), Forest damage and recovery from catastrophic "
            "wind, Botanical Review 62, 113-185 (fast-growing plantation species and shallow-rooted conifers more "
            "damaged than broadleaves) - not in the raw data")
ASSUMPTIONS = [
    ("typhoon.events.seasons", "10000", "seasons", "typhoon",
     "Synthetic seasons of the event set (issue 16: at least 10,000). A simulated year plays season "
     "floor(word x seasons / 2^32) of its season word.", TANHUI, "10000", "10000"),
    ("typhoon.events.seed", "20060810", "seed", "typhoon",
     "Philox key of the event set (the date of Saomai's landfall): the event set is a pure function of it and "
     "the best track.", TANHUI, "20060810", "20060810"),
    ("typhoon.events.position_sd_deg", "0.5", "degrees", "typhoon",
     "SD of the constant northward and eastward shift of a resampled track: spreads each historical track over "
     "about +-100 km, so that neighbouring coastal counties share its risk.",
     "Tanhui assumption; cf. CLIMADA's tc_tracks_synth.py (Aznar-Siguan & Bresch 2019, Geosci. Model Dev. 12, "
     "3085-3097), which perturbs tracks by random walks", "0.25", "1.0"),
    ("typhoon.events.intensity_sd", "0.1", "log factor", "typhoon",
     "SD of the normal log factor (mean factor 1) on a resampled track's pressure deficit.", TANHUI, "0.05", "0.2"),
    ("typhoon.wind.air_density_kg_m3", "1.15", "kg/m3", "typhoon",
     "Air density of the cyclone's boundary layer in Holland's profile.",
     "Holland (1980), Mon. Wea. Rev. 108, 1212-1218", "1.10", "1.20"),
    ("typhoon.wind.ambient_pressure_hpa", "1010", "hPa", "typhoon",
     "Environmental pressure: pressure deficit = ambient - central pressure.",
     "Vickery & Wadhera (2008), J. Appl. Meteor. Climatol. 47, 2497-2517 (1013 hPa in the Atlantic; the "
     "western North Pacific's is lower)", "1008", "1013"),
    ("typhoon.wind.surface_factor", "0.75", "ratio", "typhoon",
     "Gradient-level wind to the 10-m 10-minute mean wind over land (the sea-to-land roughness change included).",
     HARPER + "; Franklin, Black & Valde (2003), Wea. Forecasting 18, 32-44", "0.65", "0.85"),
    ("typhoon.wind.gust_factor", "1.5", "ratio", "typhoon",
     "10-minute mean to 3-second gust over rough (forested) land.", HARPER, "1.35", "1.65"),
    ("typhoon.wind.translation_factor", "0.5", "ratio", "typhoon",
     "Share of the forward speed added along the cyclonic wind direction (stronger right of the track).",
     "Tanhui assumption; cf. Phadke et al. (2003), Ocean Engineering 30, 553-578", "0.3", "0.7"),
    ("typhoon.vulnerability.threshold_ms", "25", "m/s (3-s gust)", "typhoon",
     "No stock is lost below this gust (Beaufort force 10, 24.5-28.4 m/s: trees uprooted).",
     "WMO Beaufort scale; the threshold form of Emanuel (2011), Weather Clim. Soc. 3, 261-268", "20", "30"),
    ("typhoon.saomai.cangnan_latitude", "27.5", "degrees N", "typhoon",
     "Seat of Cangnan county (Zhejiang), where typhoon Saomai (CMA 0608) made landfall on 2006-08-10.",
     "sfyc23/China-zip-code-latitude-and-longitude resource/region.csv, row 浙江省,温州市,苍南县 (MIT)", "27.5", "27.5"),
    ("typhoon.saomai.cangnan_longitude", "120.4", "degrees E", "typhoon",
     "Seat of Cangnan county (see cangnan_latitude).",
     "sfyc23/China-zip-code-latitude-and-longitude resource/region.csv, row 浙江省,温州市,苍南县 (MIT)", "120.4", "120.4"),
    ("typhoon.saomai.cangnan_damaged_forest_ha", "18300", "ha", "typhoon",
     "Forest area damaged by Saomai in Cangnan county (183 km2), the vulnerability's anchor.",
     SAOMAI_SOURCE, "18300", "18300"),
    ("typhoon.saomai.cangnan_forest_ha", "70000", "ha", "typhoon",
     "Forest area of Cangnan county in 2006: about 1,260 km2 of county times a forest cover of about 55 % "
     "(no inventory figure in the raw data).", TANHUI, "55000", "85000"),
    ("typhoon.saomai.stock_lost_on_damaged_area", "0.3", "share", "typhoon",
     "Share of the standing stock lost (stems broken or uprooted) on the area remote sensing classed as damaged.",
     TANHUI, "0.1", "0.6"),
    ("typhoon.vulnerability.relative_half.chinese_fir", "1.0", "ratio", "chinese_fir",
     "(half-damage gust - threshold) relative to the Saomai anchor (Cangnan's conifer plantations).", RELATIVE,
     "0.9", "1.1"),
    ("typhoon.vulnerability.relative_half.masson_pine", "1.0", "ratio", "masson_pine",
     "As chinese_fir: the anchor's conifer plantations.", RELATIVE, "0.9", "1.1"),
    ("typhoon.vulnerability.relative_half.eucalyptus", "0.8", "ratio", "eucalyptus",
     "Tall, fast-grown, shallow-rooted plantations: damaged at lower gusts.", RELATIVE, "0.7", "0.95"),
    ("typhoon.vulnerability.relative_half.broadleaf", "1.15", "ratio", "broadleaf",
     "Evergreen broadleaf stands: deeper roots, more resistant.", RELATIVE, "1.0", "1.3"),
    ("typhoon.vulnerability.relative_half.bamboo", "1.1", "ratio", "bamboo",
     "Flexible culms bend rather than break (lodging at the highest gusts).", RELATIVE, "0.95", "1.25"),
    ("typhoon.vulnerability.relative_half.mixed", "1.05", "ratio", "mixed",
     "Between the conifers and broadleaf.", RELATIVE, "0.95", "1.2"),
]
