// What a peril's calibration reads and what it returns (DESIGN "Calibration"). The history is an
// interface so that risk/ stays pure: api/ implements it over the store (data/), tests over
// vectors. A peril's calibration (risk/calibration/<p>_model.hpp) reads the history, fits, and
// returns one record per family and scope; api/ stores each record with an id, and a model
// version is a set of them. Assembly reads the records back into a Model.
#pragma once

#include "data/types.hpp"
#include "risk/model/value.hpp"

#include <optional>
#include <string>
#include <vector>

namespace tanhui::risk {

class History {
public:
    virtual ~History() = default;
    // Annual fire statistics of a region (fire_history.csv), years from..to, oldest first.
    virtual std::vector<FireYear> fire_years(const std::string& region, int from_year, int to_year) = 0;
    // Annual pest occurrence of a region (pest_history.csv); `pest` "" for every pest.
    virtual std::vector<PestYear> pest_years(const std::string& region, const std::string& pest) = 0;
    // Forest area (ha) of a region from its latest inventory that reports one.
    virtual std::optional<double> forest_area_ha(const std::string& region) = 0;
    // Every inventory of a region that reports a forest area, oldest first.
    struct Inventory {
        int reference_year = 0;
        double forest_area_ha = 0;
    };
    virtual std::vector<Inventory> forest_area_series(const std::string& region) = 0;
    // A labelled assumption of data/historical/assumptions.csv.
    virtual std::optional<double> assumption(const std::string& key) = 0;
    // Its low and high value (the published range, or the band the row argues for); none when
    // the row gives no band (a quote's uncertainty band leaves it out).
    struct AssumptionRange {
        double low = 0;
        double high = 0;
    };
    virtual std::optional<AssumptionRange> assumption_range(const std::string& key) {
        (void)key;
        return std::nullopt;
    }
    // Counties of a province (GB/T 2260 codes under its prefix).
    virtual long long county_count(const std::string& province) = 0;
    // Codes of every province, in the store's order.
    virtual std::vector<std::string> provinces() = 0;
    // The regional event perils (issue 16): NBS geological hazards of a province
    // (geological_hazards.csv) and its freeze / flood crop-disaster index (disaster_history.csv),
    // oldest first; the provinces sharing a land border with it (province_neighbours.csv).
    virtual std::vector<GeoHazardYear> geological_hazard_years(const std::string& province) = 0;
    virtual std::vector<DisasterYear> disaster_years(const std::string& province) = 0;
    virtual std::vector<std::string> province_neighbours(const std::string& province) = 0;
    // Typhoon best-track points (typhoon_tracks.csv) of the seasons from..to, by storm and time.
    virtual std::vector<TrackPoint> typhoon_tracks(int from_year, int to_year) = 0;
    // The regions' seat coordinates (region_centroids.csv), by code.
    virtual std::vector<RegionPoint> region_centroids() = 0;
};

// What a calibration run is asked for: regions (a peril that calibrates by region: empty for its
// default set; codes already normalised and known) and the years of data used.
struct CalibrationScope {
    std::vector<std::string> regions;
    int from_year = 0, to_year = 9999;
};

// One calibration: `family` is a constant of the peril's calibration file ("fire"), scope a
// region code or "all". `data` are the values the fit used, in order (api/ stores their SHA-256
// as the calibration's data hash); `report` the fit reports, `model` exactly the parameters the
// model takes from it. Stored as JSON, whose text the model version hashes: a record's values
// keep their kinds (an integer stays an integer).
struct CalibrationRecord {
    std::string family;
    std::string scope;
    std::vector<double> data;
    Value report;
    Value model;
};

}  // namespace tanhui::risk
