// Where a batch's losses and payouts come from (api/batch/split.hpp, issue 16 item 6): each
// policy's split in results.json and the book's by peril and by region in metrics.json add up,
// in key order as printed, to the figures they split; perils a policy does not cover are no keys.
#include "api/batch/batch.hpp"
#include "api/batch/portfolio.hpp"
#include "tests/data/test_db.hpp"
#include "tests/risk/made_up_book.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <iterator>
#include <set>
#include <string>

namespace tanhui::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using tanhui::testing::TempDir;

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

double sum_in_key_order(const json& object) {
    double s = 0;
    for (const auto& [k, v] : object.items()) s += v.get<double>();
    return s;
}

std::set<std::string> keys(const json& object) {
    std::set<std::string> out;
    for (const auto& [k, v] : object.items()) out.insert(k);
    return out;
}

json policy(const std::string& id, const json& perils, const json& holdings) {
    json j = json::parse(R"({
      "product": "index_insurance", "policy": {"start": "2027-01-01"},
      "cover": {"form": "per_tonne", "price_cny_per_tco2e": 20, "deductible_tco2e": 20},
      "premium": {"principle": "std_dev", "parameter": 0.25}})");
    j["policy"]["id"] = id;
    j["cover"]["perils"] = perils;
    j["holdings"] = holdings;
    return j;
}

TEST(BatchSplit, PoliciesAndTheBookSplitExactlyByPerilAndRegion) {
    const json a = json::parse(R"([{"id": "a", "region": "350802", "forest_type": "masson_pine", "area_ha": 800, "age_years": 20},
                                   {"id": "b", "region": "3507", "forest_type": "chinese_fir", "area_ha": 1200, "age_years": 15}])");
    const json c = json::parse(R"([{"id": "c", "region": "360100", "forest_type": "bamboo", "area_ha": 300, "age_years": 6}])");
    json a2 = a;  // the same stands under their own ids
    a2[0]["id"] = "a2";
    a2[1]["id"] = "b2";
    const json portfolio_json = json::array({policy("BOTH", {"fire", "pest"}, a), policy("FIRE", {"fire"}, c),
                                             policy("PEST", {"pest"}, a2)});
    const Portfolio portfolio = parse_portfolio("split.json", portfolio_json.dump(), {}, "");
    TempDir dir;
    BatchOptions o;
    o.years = 3000;
    o.seed = 5;
    o.threads = 2;
    o.out = dir / "out";
    o.chunk_years = 700;
    o.progress = ProgressStyle::quiet;
    run_batch(portfolio, risk::made_up_model(), "made-up", o);

    const json results = json::parse(read(dir / "out" / "results.json"));
    ASSERT_EQ(results.size(), 3u);
    const std::set<std::string> expected_keys[] = {{"fire", "pest"}, {"fire"}, {"pest"}};
    for (std::size_t p = 0; p < 3; ++p) {
        const json& r = results[p];
        SCOPED_TRACE(r["policy_id"].get<std::string>());
        EXPECT_EQ(sum_in_key_order(r["expected_loss_by_peril_tco2e"]), r["expected_loss_tco2e"].get<double>());
        EXPECT_EQ(sum_in_key_order(r["pure_premium_by_peril_cny"]), r["pure_premium_cny"].get<double>());
        EXPECT_EQ(keys(r["expected_loss_by_peril_tco2e"]), expected_keys[p]);
        EXPECT_EQ(keys(r["pure_premium_by_peril_cny"]), expected_keys[p]);
        for (const auto& [k, v] : r["pure_premium_by_peril_cny"].items()) EXPECT_GT(v.get<double>(), 0) << k;
    }

    const json m = json::parse(read(dir / "out" / "metrics.json"));
    const double aal_tco2e = m["tco2e"]["aal"].get<double>(), aal_cny = m["cny"]["aal"].get<double>();
    ASSERT_GT(aal_cny, 0);
    EXPECT_EQ(keys(m["by_peril"]["tco2e"]), (std::set<std::string>{"fire", "pest"}));
    EXPECT_EQ(sum_in_key_order(m["by_peril"]["tco2e"]), aal_tco2e);
    EXPECT_EQ(sum_in_key_order(m["by_peril"]["cny"]), aal_cny);
    EXPECT_EQ(keys(m["by_region"]["county"]["tco2e"]), (std::set<std::string>{"3507", "350802", "3601"}));
    EXPECT_EQ(keys(m["by_region"]["province"]["cny"]), (std::set<std::string>{"35", "36"}));
    for (const char* level : {"county", "province"}) {
        EXPECT_EQ(sum_in_key_order(m["by_region"][level]["tco2e"]), aal_tco2e) << level;
        EXPECT_EQ(sum_in_key_order(m["by_region"][level]["cny"]), aal_cny) << level;
    }
    // The book's payouts by peril are the policies' shares added up (to rounding).
    double fire = 0;
    for (const json& r : results)
        if (r["pure_premium_by_peril_cny"].contains("fire")) fire += r["pure_premium_by_peril_cny"]["fire"].get<double>();
    EXPECT_NEAR(m["by_peril"]["cny"]["fire"].get<double>(), fire, 1e-9 * aal_cny);
    // (Region codes as the portfolio normalises them: 360100 is 3601.) Jiangxi (36) only has the fire-only policy's holding: its payouts are that policy's.
    EXPECT_NEAR(m["by_region"]["province"]["cny"]["36"].get<double>(), results[1]["pure_premium_cny"].get<double>(),
                1e-9 * aal_cny);
}

}  // namespace
}  // namespace tanhui::api
