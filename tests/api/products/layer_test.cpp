// The per-occurrence layer on a simulated portfolio (api/products/layer.hpp) sees a storm whole:
// two holdings at one place hit by the same storms make one event per storm with their summed
// loss, so a layer attaching above one holding's loss but below two pays (issue 16).
#include "api/products/layer.hpp"

#include "tests/risk/one_track.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace tanhui::api {
namespace {

Holding at_the_storm(std::string id) {
    Holding h;
    h.id = std::move(id);
    h.region = "35";
    h.forest_type = ForestType::chinese_fir;
    h.area_ha = 100;
    h.age_years = 20;
    h.carbon_stock_tco2e_per_ha = 200.0;
    h.latitude = risk::one_track_lat;
    h.longitude = risk::one_track_lon;
    return h;
}

// Storm j of a season takes share s of what is left of each holding's 20 000 tCO2e: the event is
// 2 x 20 000 s (1 - s)^j on the two holdings. A layer from 1.5 x the first storm's loss on one
// holding pays 2 x 20 000 s - attachment on every season's first storm (and whatever later
// storms reach above it); before issue 16 each holding's storm was its own event and the layer
// paid nothing.
TEST(ProductLayer, PerOccurrenceLayerSeesTheStormOnBothHoldings) {
    const risk::Model model = risk::one_track_model(64, 1.5);
    const double s = risk::one_track_share(model), stock = 100 * 200.0;
    ASSERT_GT(s, 0.05);
    LayerRequest q;
    q.basis = pricing::LayerBasis::occurrence;
    q.layer.attachment_cny = 1.5 * stock * s;
    q.layer.limit_cny = 1e9;
    q.holdings = {at_the_storm("a"), at_the_storm("b")};
    q.perils = {"typhoon"};
    q.price_cny_per_tco2e = 1;
    q.years = 500;
    q.seed = 11;
    q.threads = 1;
    const auto r = compute_layer(q, &model, "test");
    double expected = 0, attaching = 0;
    for (std::uint32_t y = 0; y < q.years; ++y) {
        const std::uint32_t n = risk::one_track_count(model, q.seed, y);
        double left = stock, paid = 0;
        for (std::uint32_t j = 0; j < n; ++j) {
            const double loss = left * s;
            left -= loss;
            paid += std::max(0.0, 2 * loss - q.layer.attachment_cny);
        }
        expected += paid;
        attaching += paid > 0;
    }
    expected /= q.years;
    ASSERT_GT(attaching, 100);
    EXPECT_NEAR(r["expected_layer_loss_cny"].get<double>(), expected, 1e-9 * expected);
    EXPECT_NEAR(r["probability_of_attaching"].get<double>(), attaching / q.years, 1e-12);
    // One holding alone: no storm reaches the attachment.
    q.holdings.pop_back();
    EXPECT_EQ(compute_layer(q, &model, "test")["expected_layer_loss_cny"].get<double>(), 0.0);
}

}  // namespace
}  // namespace tanhui::api
