#include "data/store/schema.hpp"

#include <SQLiteCpp/Transaction.h>

#include <stdexcept>
#include <string>

namespace tanhui::data {

namespace {

// Version 1: the historical reference data shipped in data/historical/.
constexpr std::string_view v1 = R"sql(
CREATE TABLE regions (
  code        TEXT PRIMARY KEY,
  level       TEXT NOT NULL CHECK (level IN ('country','province','prefecture','county')),
  name_zh     TEXT NOT NULL,
  name_pinyin TEXT NOT NULL,
  parent_code TEXT REFERENCES regions(code)
);
CREATE TABLE forest_area (
  region          TEXT NOT NULL REFERENCES regions(code),
  inventory       TEXT NOT NULL,
  reference_year  INTEGER,
  forest_area_ha  REAL CHECK (forest_area_ha IS NULL OR forest_area_ha >= 0),
  forest_cover_pct REAL,
  forest_stock_m3 REAL,
  source          TEXT NOT NULL,
  PRIMARY KEY (region, inventory)
);
CREATE TABLE markets (
  market     TEXT PRIMARY KEY,
  name_en    TEXT NOT NULL,
  name_zh    TEXT NOT NULL,
  exchange   TEXT NOT NULL,
  currency   TEXT NOT NULL,
  unit       TEXT NOT NULL,
  source     TEXT NOT NULL
);
CREATE TABLE price_history (
  market   TEXT NOT NULL REFERENCES markets(market),
  date     TEXT NOT NULL,
  close    REAL NOT NULL CHECK (close > 0),
  volume_t REAL CHECK (volume_t IS NULL OR volume_t >= 0),
  currency TEXT NOT NULL,
  traded   INTEGER NOT NULL CHECK (traded IN (0, 1)),
  source   TEXT NOT NULL,
  PRIMARY KEY (market, date)
) WITHOUT ROWID;
CREATE TABLE fire_history (
  region   TEXT NOT NULL REFERENCES regions(code),
  year     INTEGER NOT NULL,
  fires    REAL NOT NULL CHECK (fires >= 0),
  fires_general REAL, fires_larger REAL, fires_major REAL, fires_extreme REAL,
  burned_area_ha    REAL NOT NULL CHECK (burned_area_ha >= 0),
  forest_damaged_ha REAL NOT NULL CHECK (forest_damaged_ha >= 0),
  casualties REAL, deaths REAL, other_losses_10k_cny REAL,
  source   TEXT NOT NULL,
  PRIMARY KEY (region, year)
) WITHOUT ROWID;
CREATE TABLE disaster_history (
  region TEXT NOT NULL REFERENCES regions(code),
  year   INTEGER NOT NULL,
  crop_affected_area_kha REAL, crop_failure_area_kha REAL,
  drought_affected_kha REAL, drought_failure_kha REAL,
  flood_geo_typhoon_affected_kha REAL, flood_geo_typhoon_failure_kha REAL,
  wind_hail_affected_kha REAL, wind_hail_failure_kha REAL,
  lowtemp_freeze_snow_affected_kha REAL, lowtemp_freeze_snow_failure_kha REAL,
  affected_population_10k REAL, deaths_persons REAL, direct_economic_loss_100m_cny REAL,
  source TEXT NOT NULL,
  PRIMARY KEY (region, year)
) WITHOUT ROWID;
CREATE TABLE pest_history (
  region TEXT NOT NULL REFERENCES regions(code),
  year   INTEGER NOT NULL,
  pest   TEXT NOT NULL,
  occurrence_area_ha REAL NOT NULL CHECK (occurrence_area_ha >= 0),
  control_area_ha    REAL,
  control_rate_pct   REAL,
  source TEXT NOT NULL,
  PRIMARY KEY (region, year, pest)
) WITHOUT ROWID;
CREATE TABLE forest_types (
  forest_type TEXT PRIMARY KEY,
  name_zh TEXT NOT NULL,
  name_en TEXT NOT NULL,
  wood_density_t_per_m3 REAL, bef_a_t_per_m3 REAL, bef_b_t_per_ha REAL,
  carbon_fraction REAL, root_shoot_ratio REAL,
  tree_carbon_tc_per_ha REAL, ecosystem_carbon_tc_per_ha REAL,
  source TEXT NOT NULL
);
CREATE TABLE carbon_density_by_age (
  forest_type TEXT NOT NULL REFERENCES forest_types(forest_type),
  origin      TEXT NOT NULL,
  region      TEXT NOT NULL,
  age_group   TEXT NOT NULL,
  age_from_years REAL, age_to_years REAL,
  tree_carbon_tc_per_ha REAL NOT NULL CHECK (tree_carbon_tc_per_ha >= 0),
  source TEXT NOT NULL,
  PRIMARY KEY (forest_type, origin, region, age_group)
);
CREATE TABLE assumptions (
  key        TEXT PRIMARY KEY,
  value      REAL NOT NULL,
  unit       TEXT NOT NULL,
  applies_to TEXT NOT NULL,
  rationale  TEXT NOT NULL,
  citation   TEXT NOT NULL
);
)sql";

// Version 2: what users bring and what calibration produces.
constexpr std::string_view v2 = R"sql(
CREATE TABLE holdings (
  id          TEXT PRIMARY KEY,
  region      TEXT NOT NULL REFERENCES regions(code),
  forest_type TEXT NOT NULL CHECK (forest_type IN
                ('chinese_fir','masson_pine','eucalyptus','broadleaf','bamboo','mixed')),
  area_ha     REAL NOT NULL CHECK (area_ha > 0),
  age_years   REAL NOT NULL CHECK (age_years >= 0),
  carbon_stock_tco2e_per_ha      REAL CHECK (carbon_stock_tco2e_per_ha IS NULL OR carbon_stock_tco2e_per_ha >= 0),
  sequestration_tco2e_per_ha_yr  REAL,
  credits_tco2e                  REAL CHECK (credits_tco2e IS NULL OR credits_tco2e >= 0)
);
CREATE TABLE calibrations (
  id        TEXT PRIMARY KEY,
  family    TEXT NOT NULL,
  scope     TEXT NOT NULL,
  created   TEXT NOT NULL,
  data_hash TEXT NOT NULL,
  report    TEXT NOT NULL
);
CREATE TABLE model_versions (
  version      TEXT PRIMARY KEY,
  created      TEXT NOT NULL,
  calibrations TEXT NOT NULL,
  is_current   INTEGER NOT NULL DEFAULT 0 CHECK (is_current IN (0, 1))
);
CREATE UNIQUE INDEX model_versions_one_current ON model_versions(is_current) WHERE is_current = 1;
)sql";

// Version 3: the service's audit trail, keys and import log.
constexpr std::string_view v3 = R"sql(
CREATE TABLE api_keys (
  id       TEXT PRIMARY KEY,
  name     TEXT NOT NULL,
  role     TEXT NOT NULL CHECK (role IN ('underwriter','actuary','admin')),
  salt     BLOB NOT NULL,
  hash     BLOB NOT NULL,
  created  TEXT NOT NULL,
  revoked  TEXT
);
CREATE TABLE quotes (
  quote_id      TEXT PRIMARY KEY,
  created       TEXT NOT NULL,
  product       TEXT NOT NULL,
  request       TEXT NOT NULL,
  response      TEXT NOT NULL,
  model_version TEXT NOT NULL,
  seed          INTEGER NOT NULL,
  years         INTEGER NOT NULL,
  key_id        TEXT REFERENCES api_keys(id)
);
CREATE TABLE imports (
  kind        TEXT NOT NULL,
  file        TEXT NOT NULL,
  sha256      TEXT NOT NULL,
  rows        INTEGER NOT NULL,
  imported_at TEXT NOT NULL,
  PRIMARY KEY (kind, sha256)
);
)sql";

// Version 4: finding stored quotes (GET /v1/quotes by policy, key and time) and idempotent
// retries (Idempotency-Key on POST /v1/quotes, docs/api.md). Quotes list newest first by rowid.
constexpr std::string_view v4 = R"sql(
ALTER TABLE quotes ADD COLUMN policy_id TEXT;
UPDATE quotes SET policy_id = json_extract(request, '$.policy.id');
CREATE INDEX quotes_by_policy ON quotes(policy_id);
CREATE INDEX quotes_by_key ON quotes(key_id);
CREATE INDEX quotes_by_created ON quotes(created);
CREATE TABLE idempotency_keys (
  key_id          TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  request_sha256  TEXT NOT NULL,
  status          INTEGER NOT NULL,
  response        TEXT NOT NULL,
  created         TEXT NOT NULL,
  expires         TEXT NOT NULL,
  PRIMARY KEY (key_id, idempotency_key)
);
CREATE INDEX idempotency_by_expiry ON idempotency_keys(expires);
)sql";

// Version 5: every labelled assumption may carry the low and high value of its band (issue 16
// item 7: a quote shows what the band does to its premium). NULL where no band is given.
constexpr std::string_view v5 = R"sql(
ALTER TABLE assumptions ADD COLUMN low REAL;
ALTER TABLE assumptions ADD COLUMN high REAL;
)sql";

// Version 6: the regional event perils' history (issue 16): NBS geological hazards by province
// (landslide) and the provinces' land neighbours (freeze's spatial correlation).
constexpr std::string_view v6 = R"sql(
CREATE TABLE geological_hazards (
  region TEXT NOT NULL REFERENCES regions(code),
  year   INTEGER NOT NULL,
  hazards_total REAL NOT NULL CHECK (hazards_total >= 0),
  landslides REAL NOT NULL CHECK (landslides >= 0),
  collapses REAL NOT NULL CHECK (collapses >= 0),
  debris_flows REAL NOT NULL CHECK (debris_flows >= 0),
  ground_subsidence REAL, deaths REAL, casualties REAL, direct_loss_10k_cny REAL,
  source TEXT NOT NULL,
  PRIMARY KEY (region, year)
) WITHOUT ROWID;
CREATE TABLE province_neighbours (
  region    TEXT NOT NULL REFERENCES regions(code),
  neighbour TEXT NOT NULL REFERENCES regions(code),
  seat_distance_km REAL,
  source TEXT NOT NULL,
  PRIMARY KEY (region, neighbour)
) WITHOUT ROWID;
)sql";

// Version 7: the typhoon best track and the regions' seat coordinates (data/prep/typhoon.py), and
// a holding's own coordinates.
constexpr std::string_view v7 = R"sql(
CREATE TABLE typhoon_tracks (
  storm        TEXT NOT NULL,
  year         INTEGER NOT NULL,
  cma_number   TEXT,
  time         TEXT NOT NULL,
  class        INTEGER NOT NULL,
  lat          REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon          REAL NOT NULL CHECK (lon BETWEEN -180 AND 360),
  pressure_hpa REAL NOT NULL CHECK (pressure_hpa > 0),
  wind_ms      REAL NOT NULL CHECK (wind_ms >= 0),
  PRIMARY KEY (storm, time)
) WITHOUT ROWID;
CREATE TABLE region_centroids (
  region     TEXT PRIMARY KEY REFERENCES regions(code),
  level      TEXT NOT NULL,
  latitude   REAL NOT NULL CHECK (latitude BETWEEN -90 AND 90),
  longitude  REAL NOT NULL CHECK (longitude BETWEEN -180 AND 180),
  matched_as TEXT NOT NULL
);
ALTER TABLE holdings ADD COLUMN latitude REAL CHECK (latitude IS NULL OR latitude BETWEEN -90 AND 90);
ALTER TABLE holdings ADD COLUMN longitude REAL CHECK (longitude IS NULL OR longitude BETWEEN -180 AND 180);
)sql";

}  // namespace

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> list{
        {1, "historical reference data", v1},
        {2, "holdings, calibrations, model versions", v2},
        {3, "api keys, stored quotes, import log", v3},
        {4, "quotes found by policy, key and time; idempotency keys", v4},
        {5, "low and high values of the labelled assumptions", v5},
        {6, "geological hazards and province neighbours (regional event perils)", v6},
        {7, "typhoon best track, region seat coordinates, holding coordinates", v7},
    };
    return list;
}

int latest_schema_version() { return migrations().back().version; }

void configure_connection(SQLite::Database& db) {
    // The busy handler first: a connection opened while another rebuilds the WAL index (the
    // first requests of several workers at once) must wait, not fail with "database is locked".
    db.setBusyTimeout(busy_timeout_ms);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("PRAGMA synchronous = NORMAL");
}

void migrate(SQLite::Database& db, int target) {
    if (target < 0) target = latest_schema_version();
    const int current = db.execAndGet("PRAGMA user_version").getInt();
    if (current > latest_schema_version())
        throw std::runtime_error("database schema version " + std::to_string(current) +
                                 " is newer than this program (" +
                                 std::to_string(latest_schema_version()) + ")");
    for (const Migration& m : migrations()) {
        if (m.version <= current || m.version > target) continue;
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        db.exec(std::string(m.sql));
        db.exec("PRAGMA user_version = " + std::to_string(m.version));
        tx.commit();
    }
}

}  // namespace tanhui::data
