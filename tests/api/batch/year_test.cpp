// A batch year (api/batch/year.hpp) sees a regional event whole (issue 16): two holdings of one
// province under a freeze event every year make one event, the year's largest, whose loss is the
// year's total and whose exposure (ImpactedExposure of the SELT) is the two holdings' stock.
#include "api/batch/year.hpp"

#include "api/batch/portfolio.hpp"
#include "risk/perils/freeze.hpp"
#include "tests/risk/made_up_book.hpp"

#include <gtest/gtest.h>

namespace tanhui::api::batch {
namespace {

TEST(BatchYear, AFreezeOnTwoHoldingsOfAProvinceIsOneEventOnBoth) {
    risk::Model model = risk::made_up_model();
    risk::FreezeModel freeze;
    freeze.provinces["35"] = {1.0, {2, 2}, {}};  // an event every year
    freeze.loss_fraction.fill(0.25);
    risk::set_freeze_model(model, freeze);
    std::vector<Holding> holdings = risk::made_up_holdings(3);  // Xinluo and Nanping (35), Sanming (35)
    const std::string csv =
        "policy_id,holding_ids,product,perils,form,price_cny_per_tco2e,deductible_tco2e,sum_insured_cny,"
        "trigger,exit,principle,parameter,expense_ratio,commission,profit_margin,subsidy_share\n"
        "P0,made-up-0;made-up-1;made-up-2,index_insurance,freeze,per_tonne,20,0,,,,std_dev,0.25,0.15,0.05,0.05,0.5\n";
    const Portfolio portfolio = parse_portfolio("portfolio.csv", csv, holdings, "holdings.csv");
    const Prepared p = prepare(portfolio, model, 100, 7);
    ASSERT_EQ(p.holding_stock_tco2e.size(), 3u);
    const double exposure = p.holding_stock_tco2e[0] + p.holding_stock_tco2e[1] + p.holding_stock_tco2e[2];
    PortfolioYear year(p);
    for (std::uint32_t y = 0; y < 100; ++y) {
        year.run(7, y);
        ASSERT_GT(year.total_tco2e(), 0);
        EXPECT_EQ(year.max_event_tco2e(), year.total_tco2e()) << y;
        EXPECT_EQ(year.max_event_exposure_tco2e(), exposure) << y;
    }
}

}  // namespace
}  // namespace tanhui::api::batch
