// A History that gives chosen labelled assumptions other values and records which assumptions
// were read (issue 16 item 7). Assembly reads assumptions through History, so assembling a
// model version through an overlay is the model under other values of them; and the keys an
// assembly reads are the assumptions a peril uses, with no list kept by hand.
#pragma once

#include "risk/calibration/history.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace tanhui::risk {

class AssumptionOverlay final : public History {
public:
    explicit AssumptionOverlay(History& base) : base_(base) {}

    // From now on assumption(key) is `value` (whether or not the base has it).
    void set(const std::string& key, double value) { values_[key] = value; }
    // From now on assumption_range(key) is `range`.
    void set_range(const std::string& key, AssumptionRange range) { ranges_[key] = range; }
    // Every key assumption() was asked for, in order of name.
    const std::set<std::string>& read() const { return read_; }

    std::optional<double> assumption(const std::string& key) override {
        read_.insert(key);
        const auto it = values_.find(key);
        return it != values_.end() ? std::optional<double>(it->second) : base_.assumption(key);
    }
    std::optional<AssumptionRange> assumption_range(const std::string& key) override {
        const auto it = ranges_.find(key);
        return it != ranges_.end() ? std::optional<AssumptionRange>(it->second) : base_.assumption_range(key);
    }
    std::vector<FireYear> fire_years(const std::string& region, int from_year, int to_year) override {
        return base_.fire_years(region, from_year, to_year);
    }
    std::vector<PestYear> pest_years(const std::string& region, const std::string& pest) override {
        return base_.pest_years(region, pest);
    }
    std::optional<double> forest_area_ha(const std::string& region) override { return base_.forest_area_ha(region); }
    std::vector<Inventory> forest_area_series(const std::string& region) override { return base_.forest_area_series(region); }
    long long county_count(const std::string& province) override { return base_.county_count(province); }
    std::vector<std::string> provinces() override { return base_.provinces(); }
    std::vector<GeoHazardYear> geological_hazard_years(const std::string& province) override {
        return base_.geological_hazard_years(province);
    }
    std::vector<DisasterYear> disaster_years(const std::string& province) override { return base_.disaster_years(province); }
    std::vector<std::string> province_neighbours(const std::string& province) override {
        return base_.province_neighbours(province);
    }
    std::vector<TrackPoint> typhoon_tracks(int from_year, int to_year) override {
        return base_.typhoon_tracks(from_year, to_year);
    }
    std::vector<RegionPoint> region_centroids() override { return base_.region_centroids(); }

private:
    History& base_;
    std::map<std::string, double> values_;
    std::map<std::string, AssumptionRange> ranges_;
    std::set<std::string> read_;
};

}  // namespace tanhui::risk
