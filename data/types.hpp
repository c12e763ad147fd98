// Plain values shared by every layer: what the store holds and what risk/ and pricing/ compute on.
// No I/O here; data/store/store.hpp reads and writes these.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui {

// A broken precondition in any library: names the field (JSON-pointer-like path) and says why.
class InvalidInput : public std::invalid_argument {
public:
    InvalidInput(std::string field, const std::string& message)
        : std::invalid_argument(field + ": " + message), field_(std::move(field)) {}
    const std::string& field() const noexcept { return field_; }

private:
    std::string field_;
};

enum class ForestType : std::uint8_t { chinese_fir, masson_pine, eucalyptus, broadleaf, bamboo, mixed };
inline constexpr std::array<std::string_view, 6> forest_type_names{
    "chinese_fir", "masson_pine", "eucalyptus", "broadleaf", "bamboo", "mixed"};
std::optional<ForestType> parse_forest_type(std::string_view name);
std::string_view to_string(ForestType type);

// DESIGN "Holdings". Optional fields left empty are filled from the forest-type growth curves.
struct Holding {
    std::string id;
    std::string region;  // GB/T 2260 short code: "35", "3508", "350802"
    ForestType forest_type = ForestType::chinese_fir;
    double area_ha = 0;
    double age_years = 0;
    std::optional<double> carbon_stock_tco2e_per_ha;
    std::optional<double> sequestration_tco2e_per_ha_yr;
    std::optional<double> credits_tco2e;
    // Where the holding is (degrees N, E; both or neither): the typhoon peril uses them, else the
    // seat of its region.
    std::optional<double> latitude, longitude;
};

inline constexpr double mu_per_ha = 15.0;

struct Region {
    std::string code;
    std::string level;  // country, province, prefecture, county
    std::string name_zh;
    std::string name_pinyin;
    std::string parent_code;
};

// One observation of a market. `traded` false: the source carried the last price forward.
struct PricePoint {
    std::string date;  // YYYY-MM-DD
    double close = 0;
    std::optional<double> volume_t;
    bool traded = true;
};

struct FireYear {
    std::string region;
    int year = 0;
    double fires = 0;
    double burned_area_ha = 0;      // 火场总面积
    double forest_damaged_ha = 0;   // 受害森林面积: the carbon-relevant area
    // Fires by NBS severity class (一般/较大/重大/特别重大); NaN where the source has no count.
    double fires_general = 0, fires_larger = 0, fires_major = 0, fires_extreme = 0;
};

// NBS geological hazards of a province-year (geological_hazards.csv): counts of events.
struct GeoHazardYear {
    std::string region;
    int year = 0;
    double hazards_total = 0;
    double landslides = 0;    // 滑坡
    double collapses = 0;     // 崩塌 (rock falls)
    double debris_flows = 0;  // 泥石流
};

// The NBS crop-disaster index of a province-year (disaster_history.csv), 10^3 ha of crops affected.
struct DisasterYear {
    std::string region;
    int year = 0;
    double freeze_affected_kha = 0;             // low temperature, freeze and snow
    double flood_geo_typhoon_affected_kha = 0;  // flood, geological hazards and typhoon
};

struct PestYear {
    std::string region;
    int year = 0;
    std::string pest;  // all, disease, insect, rodent, pine_wilt ...
    double occurrence_area_ha = 0;
};

// One point of a tropical-cyclone best track (typhoon_tracks.csv: CMA, inside the box of
// data/prep/typhoon.py), in time order within its storm.
struct TrackPoint {
    std::string storm;       // "2006-10": year and the storm's serial number in it
    int year = 0;            // the storm's season
    std::string cma_number;  // China's number ("0608" = Saomai), "" if none
    std::string time;        // UTC, "2006-08-10T06"
    int intensity_class = 0;  // CMA class 0-6, 9 extratropical
    double lat = 0, lon = 0;  // degrees N, E
    double pressure_hpa = 0;  // minimum central pressure
    double wind_ms = 0;       // 2-minute mean maximum wind near the centre (0 where not given)
};

// The seat of a region (region_centroids.csv), where a holding without coordinates is placed.
struct RegionPoint {
    std::string region;  // short code ("350982")
    double latitude = 0, longitude = 0;
};

// The current UTC time as ISO 8601, "2027-01-01T08:00:00Z" (records' created/imported times).
std::string utc_now_iso8601();

// Normalise a region code given as short ("3508") or 6-digit padded ("350800") to its short form.
std::string normalise_region_code(std::string_view code);

}  // namespace tanhui
