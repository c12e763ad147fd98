// risk::History (risk/calibration/history.hpp) over the store: what a peril's calibration and its
// history route read. One per thread, like the Store it borrows.
#pragma once

#include "data/store/store.hpp"
#include "risk/calibration/history.hpp"

namespace tanhui::api {

class StoreHistory final : public risk::History {
public:
    explicit StoreHistory(data::Store& store) : store_(store) {}

    std::vector<FireYear> fire_years(const std::string& region, int from_year, int to_year) override {
        return store_.fire_history(region, from_year, to_year);
    }
    std::vector<PestYear> pest_years(const std::string& region, const std::string& pest) override {
        return store_.pest_history(region, pest);
    }
    std::optional<double> forest_area_ha(const std::string& region) override { return store_.forest_area_ha(region); }
    std::vector<Inventory> forest_area_series(const std::string& region) override;
    std::optional<double> assumption(const std::string& key) override { return store_.assumption(key); }
    std::optional<AssumptionRange> assumption_range(const std::string& key) override {
        const auto a = store_.labelled_assumption(key);
        if (!a || !a->low || !a->high) return std::nullopt;
        return AssumptionRange{*a->low, *a->high};
    }
    long long county_count(const std::string& province) override { return store_.region_count("county", province); }
    std::vector<std::string> provinces() override;
    std::vector<GeoHazardYear> geological_hazard_years(const std::string& province) override {
        return store_.geological_hazards(province);
    }
    std::vector<DisasterYear> disaster_years(const std::string& province) override {
        return store_.disaster_history(province);
    }
    std::vector<std::string> province_neighbours(const std::string& province) override {
        return store_.province_neighbours(province);
    }
    std::vector<TrackPoint> typhoon_tracks(int from_year, int to_year) override {
        return store_.typhoon_tracks(from_year, to_year);
    }
    std::vector<RegionPoint> region_centroids() override { return store_.region_centroids(); }

private:
    data::Store& store_;
};

}  // namespace tanhui::api
