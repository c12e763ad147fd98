// The typhoon peril against closed forms: Holland's wind at a known distance computed by hand,
// the vulnerability curve, the event set's counts and determinism, landfall, and one storm's loss
// on a known stock.
#include "risk/perils/typhoon.hpp"

#include "risk/simulation/loss_blocks.hpp"
#include "risk/simulation/simulate.hpp"
#include "tests/risk/one_track.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

namespace tanhui::risk {
namespace {

constexpr double pi = 3.14159265358979323846;

TEST(TyphoonWind, HollandAtAKnownDistanceMatchesTheFormulaByHand) {
    WindField w;
    w.air_density_kg_m3 = 1.15;
    w.surface_factor = 0.75;
    w.gust_factor = 1.5;
    w.translation_factor = 0.5;
    const StormState s{25.0, 120.0, 60.0, 0.0, 0.0};  // 950 hPa at ambient 1010, not moving
    const double site_lat = 25.0 + 100.0 / 111.195;    // 100 km due north
    // By hand: Vickery & Wadhera (2008) Rmax and B, Holland (1980) gradient wind, the factors.
    const double rmax_km = std::exp(3.015 - 6.291e-5 * 60.0 * 60.0 + 0.0337 * 25.0);
    const double b = 1.881 - 0.00557 * rmax_km - 0.01097 * 25.0;
    const double f = 2 * 7.2921e-5 * std::sin(25.0 * pi / 180.0);
    const double r = 100e3, x = std::pow(rmax_km * 1e3 / r, b);
    const double vg = std::sqrt(b / 1.15 * x * 6000.0 * std::exp(-x) + (r * f / 2) * (r * f / 2)) - r * f / 2;
    EXPECT_NEAR(rmax_km, 37.75, 0.01);
    EXPECT_NEAR(b, 1.3965, 0.001);
    EXPECT_NEAR(surface_gust_ms(w, s, site_lat, 120.0), 1.5 * 0.75 * vg, 1e-9);
    EXPECT_NEAR(vg, 35.07, 0.01);
    // At the radius of maximum winds, without Coriolis, V = sqrt(B dp / (rho e)).
    EXPECT_NEAR(holland_gradient_wind(6000.0, rmax_km * 1e3, b, rmax_km * 1e3, 0.0, 1.15), std::sqrt(b * 6000.0 / (1.15 * std::exp(1.0))),
                1e-9);
}

TEST(TyphoonWind, ForwardMotionAddsOnTheRightOfTheTrack) {
    WindField w;
    const StormState north{25.0, 120.0, 50.0, 0.0, 8.0};  // moving north at 8 m/s
    const double east = surface_gust_ms(w, north, 25.0, 120.0 + 0.9), west = surface_gust_ms(w, north, 25.0, 120.0 - 0.9);
    EXPECT_NEAR(east - west, 2 * w.gust_factor * w.translation_factor * 8.0, 1e-6);
}

TEST(TyphoonVulnerability, EmanuelFormClosedForms) {
    EXPECT_EQ(typhoon_share_lost(24.9, 25, 85), 0.0);
    EXPECT_EQ(typhoon_share_lost(25, 25, 85), 0.0);
    EXPECT_DOUBLE_EQ(typhoon_share_lost(85, 25, 85), 0.5);
    const double vn = (55.0 - 25.0) / 60.0;
    EXPECT_DOUBLE_EQ(typhoon_share_lost(55, 25, 85), vn * vn * vn / (1 + vn * vn * vn));
}

TEST(TyphoonEvents, LandfallOnTheFujianCoast) {
    EXPECT_TRUE(fujian_landfall(westward_storm(25.0)));   // crosses near Putian
    EXPECT_FALSE(fujian_landfall(westward_storm(22.0)));  // south of Fujian: Guangdong
    HistoricalStorm weak = westward_storm(25.0);
    for (auto& p : weak.points) p.pressure_hpa = 1000;
    EXPECT_FALSE(fujian_landfall(weak));  // too weak to count
}

TEST(TyphoonEvents, SeasonsAreDeterministicAndCountAsSpecified) {
    EventSetSpec spec;
    spec.seed = 7;
    spec.seasons = 4000;
    spec.storms_per_season = 3.0;
    spec.dispersion = 5.0;
    const EventSet a({westward_storm()}, spec, WindField{}, 25), b({westward_storm()}, spec, WindField{}, 25);
    ASSERT_EQ(a.storms().size(), b.storms().size());
    for (std::size_t j = 0; j < a.storms().size(); ++j) EXPECT_EQ(a.storms()[j].dlat, b.storms()[j].dlat);
    const double mean = double(a.storms().size()) / spec.seasons;
    const double sd = std::sqrt(3.0 + 9.0 / 5.0);  // negative binomial variance m + m^2 / k
    EXPECT_NEAR(mean, 3.0, 4 * sd / std::sqrt(double(spec.seasons)));
}

// A model with one storm in every season passing 30 km north of the place, no perturbation.
Model one_storm_model(double& gust) {
    EventSetSpec spec;
    spec.seasons = 16;
    spec.storms_per_season = 0;  // no storm in any season
    auto events = std::make_shared<EventSet>(std::vector<HistoricalStorm>{westward_storm()}, spec, WindField{}, 25.0);
    TyphoonModel t;
    t.vulnerability.threshold_ms = 25;
    t.vulnerability.half_damage_ms = {85, 85, 85, 85, 85, 85};
    t.seats["350982"] = {25.0 - 30.0 / 111.195, 119.0};
    t.events = events;
    gust = storm_peak_gust_ms(events->historical()[0], SyntheticStorm{}, WindField{}, 25.0 - 30.0 / 111.195, 119.0);
    Model m;
    set_typhoon_model(m, t);
    return m;
}

TEST(TyphoonPeril, NoStormNoLossAndAbsentPerilContributesZero) {
    double gust = 0;
    const Model m = one_storm_model(gust);
    EXPECT_GT(gust, 40);
    Holding h{"a", "350982", ForestType::chinese_fir, 100, 20, 200.0, {}, {}, {}, {}};
    BookOptions none;
    none.perils = {};
    const Book empty = prepare_book(m, std::span<const Holding>(&h, 1), none);
    EXPECT_TRUE(empty.perils.empty());
    BookOptions typhoon;
    typhoon.perils = {"typhoon"};
    const Book book = prepare_book(m, std::span<const Holding>(&h, 1), typhoon);
    // The event set has no storm (storms_per_season 0): nothing is lost in any year.
    const auto* peril = dynamic_cast<const TyphoonPeril*>(book.perils[0].get());
    ASSERT_NE(peril, nullptr);
    EXPECT_TRUE(peril->prepared().empty());
    EXPECT_TRUE(peril->occurrence_holdings().empty());
}

TEST(TyphoonPeril, OneStormTakesItsShareOfAKnownStock) {
    EventSetSpec spec;
    spec.seed = 3;
    spec.seasons = 64;
    spec.storms_per_season = 40;  // almost every season has storms; all are the one track
    spec.position_sd_deg = 0;
    spec.intensity_sd = 0;
    const double lat = 25.0 - 30.0 / 111.195;
    auto events = std::make_shared<EventSet>(std::vector<HistoricalStorm>{westward_storm()}, spec, WindField{}, 25.0);
    const double gust = storm_peak_gust_ms(events->historical()[0], SyntheticStorm{}, WindField{}, lat, 119.0);
    TyphoonModel t;
    t.vulnerability.half_damage_ms = {85, 85, 85, 85, 85, 85};
    t.events = events;
    Model m;
    set_typhoon_model(m, t);
    Holding h{"a", "35", ForestType::chinese_fir, 100, 20, 200.0, {}, {}, lat, 119.0};
    BookOptions o;
    o.perils = {"typhoon"};
    const Book book = prepare_book(m, std::span<const Holding>(&h, 1), o);
    const double share = typhoon_share_lost(gust, 25, 85);
    Simulation sim;
    sim.seed = 11;
    sim.years = 300;
    sim.threads = 1;
    std::size_t years = 0;
    simulate(book, sim, [&](const YearResult& r) {
        const std::uint32_t season = typhoon_season(
            draw_words(sim.seed, 0, r.year, typhoon_season_word, static_cast<std::uint16_t>(PerilId::typhoon), 0)[0],
            spec.seasons);
        const std::uint32_t n = events->season_begin()[season + 1] - events->season_begin()[season];
        // n storms, each taking `share` of what is left of 100 ha x 200 tCO2e/ha.
        EXPECT_NEAR(r.total_tco2e, 20000.0 * (1 - std::pow(1 - share, double(n))), 1e-6);
        ++years;
    });
    EXPECT_EQ(years, 300u);
}

// One event per storm (issue 16): two holdings at one place hit by the same storms make one
// event per storm, storm j of the season 2 x 20 000 s (1 - s)^j with exposure 40 000, numbered
// by its index in the season; OEP is 2 x one holding's first-storm loss. The same on the block
// path (two holdings) and the year path (70 holdings: 70 x).
TEST(TyphoonPeril, HoldingsHitByOneStormAreOneEvent) {
    const Model m = one_track_model(64, 1.5);
    const double s = one_track_share(m), stock = 100 * 200.0;
    const Holding h{"a", "35", ForestType::chinese_fir, 100, 20, 200.0, {}, {}, one_track_lat, one_track_lon};
    BookOptions o;
    o.perils = {"typhoon"};
    for (const std::size_t holdings : {std::size_t{2}, std::size_t{70}}) {
        SCOPED_TRACE(holdings);
        const std::vector<Holding> book_holdings(holdings, h);
        const Book book = prepare_book(m, book_holdings, o);
        std::size_t with_storms = 0;
        simulate(book, {.years = 300, .seed = 11, .record_events = true}, [&](const YearResult& y) {
            const std::uint32_t n = one_track_count(m, 11, y.year);
            ASSERT_EQ(y.events.size(), n);
            double left = stock;
            for (std::uint32_t j = 0; j < n; ++j) {
                const double one = left * s;
                left -= one;
                double loss = 0, exposure = 0;
                for (std::size_t i = 0; i < holdings; ++i) loss += one, exposure += stock;
                EXPECT_EQ(y.events[j].number, j);
                EXPECT_EQ(y.events[j].holding, 0u);
                EXPECT_DOUBLE_EQ(y.events[j].loss_tco2e, loss);
                EXPECT_EQ(y.events[j].exposure_tco2e, exposure);
            }
            EXPECT_EQ(y.max_event_tco2e, n > 0 ? y.events[0].loss_tco2e : 0.0);
            if (holdings == 2 && n > 0) {
                EXPECT_DOUBLE_EQ(y.max_event_tco2e, 2 * stock * s);
            }
            with_storms += n > 0;
        });
        EXPECT_GT(with_storms, 100u);
    }
}

// A block without events reads a book of up to four holdings' seasons from a dense table
// (TyphoonPeril::dense_); with events, from the season lists. Each holding's losses and the year
// totals are the same bits either way, for 1 and 3 holdings (different stocks and places) and for
// a book too big for the table.
TEST(TyphoonPeril, DenseSeasonTableHasTheSeasonListsBits) {
    const Model m = one_track_model(64, 1.5);
    BookOptions o;
    o.perils = {"typhoon"};
    for (const std::size_t holdings : {std::size_t{1}, std::size_t{3}, std::size_t{6}}) {
        SCOPED_TRACE(holdings);
        std::vector<Holding> book_holdings;
        for (std::size_t i = 0; i < holdings; ++i)
            book_holdings.push_back({"h" + std::to_string(i), "35", ForestType::chinese_fir, 100.0 + 37.0 * double(i), 20,
                                     200.0, {}, {}, one_track_lat + 0.05 * double(i), one_track_lon});
        const Book book = prepare_book(m, book_holdings, o);
        const Simulation sim{.years = 700, .seed = 13, .threads = 1};
        std::vector<double> loss(sim.years * holdings), total(sim.years);
        simulate(book, sim, [&](const YearResult& y) {
            std::copy(y.loss_tco2e.begin(), y.loss_tco2e.end(), loss.begin() + std::ptrdiff_t(y.year * holdings));
            total[y.year] = y.total_tco2e;
        });
        const YearLosses quiet = simulate_year_losses(book, sim, false, false);
        ASSERT_EQ(quiet.total_tco2e.size(), total.size());
        EXPECT_EQ(std::memcmp(quiet.total_tco2e.data(), total.data(), total.size() * sizeof(double)), 0);
        std::vector<double> block_loss(sim.years * holdings, -1.0);
        simulate_loss_blocks(book, sim, [&](const LossBlock& b) {
            std::copy(b.loss_tco2e.begin(), b.loss_tco2e.end(), block_loss.begin() + std::ptrdiff_t(b.first_year * holdings));
        });
        EXPECT_EQ(std::memcmp(block_loss.data(), loss.data(), loss.size() * sizeof(double)), 0);
        double sum = 0;
        for (const double t : total) sum += t;
        EXPECT_GT(sum, 0);
    }
}

// A small book's season tables are kept across quotes (TyphoonPeril's cache, keyed by every
// number they come from): the same book again has the same bits, and a book that differs only in
// its stock gets its own tables (twice the area: each storm's loss exactly twice).
TEST(TyphoonPeril, KeptSeasonTablesBelongToTheirBook) {
    const Model m = one_track_model(64, 1.5);
    BookOptions o;
    o.perils = {"typhoon"};
    const auto totals = [&](double area_ha) {
        const Holding h{"a", "35", ForestType::chinese_fir, area_ha, 20, 200.0, {}, {}, one_track_lat, one_track_lon};
        const Book book = prepare_book(m, std::span<const Holding>(&h, 1), o);
        return simulate_year_losses(book, {.years = 500, .seed = 21, .threads = 1}, false, false).total_tco2e;
    };
    const std::vector<double> first = totals(100), doubled = totals(200), again = totals(100);
    EXPECT_EQ(std::memcmp(first.data(), again.data(), first.size() * sizeof(double)), 0);
    double sum = 0;
    for (std::size_t y = 0; y < first.size(); ++y) {
        EXPECT_EQ(doubled[y], 2 * first[y]) << y;
        sum += first[y];
    }
    EXPECT_GT(sum, 0);
}

TEST(TyphoonPeril, AHoldingWithoutPlaceIsAProblem) {
    double gust = 0;
    const Model m = one_storm_model(gust);
    Holding h{"a", "110101", ForestType::chinese_fir, 100, 20, 200.0, {}, {}, {}, {}};
    BookOptions o;
    o.perils = {"typhoon"};
    EXPECT_THROW(prepare_book(m, std::span<const Holding>(&h, 1), o), InvalidInput);
}

}  // namespace
}  // namespace tanhui::risk
