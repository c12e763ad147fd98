// The typhoon calibration on the shipped data (data/historical: the CMA best track, the region
// seats, the labelled assumptions) through a FakeHistory: the event set's Fujian landfall rate
// against the history's, and a coastal county against an inland one.
#include "risk/calibration/typhoon_model.hpp"

#include "data/import/csv.hpp"
#include "risk/perils/typhoon.hpp"
#include "tests/risk/calibration/history_fake.hpp"
#include "tests/paths.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace tanhui::risk {
namespace {

data::CsvTable read_table(const std::string& name) {
    std::ifstream in(std::string(TANHUI_SOURCE_DIR) + "/data/historical/" + name, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return data::parse_csv(text.str());
}

std::map<std::string, std::size_t> columns(const data::CsvTable& t) {
    std::map<std::string, std::size_t> c;
    for (std::size_t i = 0; i < t.header.size(); ++i) c[t.header[i]] = i;
    return c;
}

FakeHistory shipped_history() {
    FakeHistory h;
    const auto tracks = read_table("typhoon_tracks.csv");
    auto c = columns(tracks);
    for (const auto& r : tracks.rows) {
        const auto& f = r.fields;
        h.tracks.push_back({f[c["storm"]], std::stoi(f[c["year"]]), f[c["cma_number"]], f[c["time"]],
                            std::stoi(f[c["class"]]), std::stod(f[c["lat"]]), std::stod(f[c["lon"]]),
                            std::stod(f[c["pressure_hpa"]]), std::stod(f[c["wind_ms"]])});
    }
    const auto seats = read_table("region_centroids.csv");
    c = columns(seats);
    for (const auto& r : seats.rows)
        h.centroids.push_back({r.fields[c["region"]], std::stod(r.fields[c["latitude"]]), std::stod(r.fields[c["longitude"]])});
    const auto assumptions = read_table("assumptions.csv");
    c = columns(assumptions);
    for (const auto& r : assumptions.rows) h.assumptions[r.fields[c["key"]]] = std::stod(r.fields[c["value"]]);
    return h;
}

struct Calibrated {
    std::vector<CalibrationRecord> records;
    Model model;
};

const Calibrated& calibrated() {
    static const Calibrated c = [] {
        FakeHistory h = shipped_history();
        Calibrated out;
        out.records = calibrate_typhoon(h, CalibrationScope{});
        assemble_typhoon(out.model, out.records, h);
        return out;
    }();
    return c;
}

// Expected share of the stock lost a year at a place, for a forest type (every season equally likely).
double expected_annual_share(const TyphoonModel& m, double lat, double lon, ForestType t) {
    const auto hz = m.events->hazard_at(lat, lon);
    double sum = 0;
    for (std::uint32_t s = 0; s < m.events->seasons(); ++s) {
        double left = 1;
        for (std::uint32_t e = hz->season_begin[s]; e < hz->season_begin[s + 1]; ++e)
            left -= left * typhoon_share_lost(hz->gust_ms[e], m.vulnerability.threshold_ms, m.vulnerability.half_damage_ms[index(t)]);
        sum += 1 - left;
    }
    return sum / m.events->seasons();
}

TEST(TyphoonCalibration, TheEventSetHasTenThousandSeasonsOfTheHistorysStorms) {
    const auto& c = calibrated();
    ASSERT_EQ(c.records.size(), 1u);
    const TyphoonModel* m = typhoon_model(c.model);
    ASSERT_NE(m, nullptr);
    EXPECT_GE(m->events->seasons(), 10000u);
    const double per_season = c.records[0].model.at("storms_per_season").as_real();
    EXPECT_NEAR(per_season, 1587.0 / 76.0, 0.5);  // 1,587 storms in the box in 76 seasons
    EXPECT_NEAR(double(m->events->storms().size()) / m->events->seasons(), per_season, 0.3);
}

TEST(TyphoonCalibration, FujianLandfallsPerDecadeWithinTheHistorysStandardError) {
    const auto& c = calibrated();
    const TyphoonModel* m = typhoon_model(c.model);
    const LandfallRate hist = historical_landfall_rate(m->events->historical(), 1949, 2024);
    const LandfallRate sim = event_set_landfall_rate(*m->events);
    std::printf("Fujian landfalls per decade: history %.2f (se %.2f, %zu in %zu seasons), event set %.2f (se %.2f)\n",
                hist.per_decade, hist.standard_error, hist.landfalls, hist.seasons, sim.per_decade, sim.standard_error);
    EXPECT_GT(hist.landfalls, 20u);
    EXPECT_LE(std::fabs(sim.per_decade - hist.per_decade), std::hypot(hist.standard_error, sim.standard_error));
}

TEST(TyphoonCalibration, FudingCarriesMoreTyphoonLossThanXinluo) {
    const auto& c = calibrated();
    const TyphoonModel* m = typhoon_model(c.model);
    const auto fuding = m->seats.at("350982"), xinluo = m->seats.at("350802");
    const double f = expected_annual_share(*m, fuding.first, fuding.second, ForestType::chinese_fir);
    const double x = expected_annual_share(*m, xinluo.first, xinluo.second, ForestType::chinese_fir);
    std::printf("expected annual share of stock lost, chinese fir: Fuding %.5f, Xinluo %.5f (ratio %.1f)\n", f, x,
                x > 0 ? f / x : INFINITY);
    EXPECT_GT(f, 2 * x);
    EXPECT_GT(f, 0.0);
}

}  // namespace
}  // namespace tanhui::risk
