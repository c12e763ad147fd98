// A made-up history (not the store): risk::History over maps filled by a test.
#pragma once

#include "risk/calibration/history.hpp"

#include <map>
#include <string>
#include <vector>

namespace tanhui::risk {

class FakeHistory final : public History {
public:
    std::map<std::string, std::vector<FireYear>> fire;
    std::map<std::string, std::vector<PestYear>> pest;
    std::map<std::string, double> forest_area;
    std::map<std::string, std::vector<Inventory>> inventories;
    std::map<std::string, double> assumptions;
    std::map<std::string, long long> counties;
    std::vector<std::string> province_codes;
    std::map<std::string, std::vector<GeoHazardYear>> geohazards;
    std::map<std::string, std::vector<DisasterYear>> disasters;
    std::map<std::string, std::vector<std::string>> neighbours;
    std::vector<TrackPoint> tracks;
    std::vector<RegionPoint> centroids;

    std::vector<FireYear> fire_years(const std::string& region, int from, int to) override {
        std::vector<FireYear> out;
        for (const FireYear& y : fire[region])
            if (y.year >= from && y.year <= to) out.push_back(y);
        return out;
    }
    std::vector<PestYear> pest_years(const std::string& region, const std::string& kind) override {
        std::vector<PestYear> out;
        for (const PestYear& y : pest[region])
            if (kind.empty() || y.pest == kind) out.push_back(y);
        return out;
    }
    std::optional<double> forest_area_ha(const std::string& region) override {
        const auto it = forest_area.find(region);
        return it == forest_area.end() ? std::nullopt : std::optional<double>(it->second);
    }
    std::vector<Inventory> forest_area_series(const std::string& region) override { return inventories[region]; }
    std::optional<double> assumption(const std::string& key) override {
        const auto it = assumptions.find(key);
        return it == assumptions.end() ? std::nullopt : std::optional<double>(it->second);
    }
    long long county_count(const std::string& province) override { return counties[province]; }
    std::vector<std::string> provinces() override { return province_codes; }
    std::vector<GeoHazardYear> geological_hazard_years(const std::string& p) override { return geohazards[p]; }
    std::vector<DisasterYear> disaster_years(const std::string& p) override { return disasters[p]; }
    std::vector<std::string> province_neighbours(const std::string& p) override { return neighbours[p]; }
    std::vector<TrackPoint> typhoon_tracks(int from, int to) override {
        std::vector<TrackPoint> out;
        for (const TrackPoint& p : tracks)
            if (p.year >= from && p.year <= to) out.push_back(p);
        return out;
    }
    std::vector<RegionPoint> region_centroids() override { return centroids; }
};

}  // namespace tanhui::risk
