// The holdings repository: stored holdings, and a holdings file checked as an import without
// writing the store.
#include "data/import/import.hpp"
#include "data/repositories/holdings.hpp"
#include "tests/data/test_db.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace tanhui;
using namespace tanhui::data;

namespace {

const std::string header = "id,region,forest_type,area_ha,age_years,carbon_stock_tco2e_per_ha,"
                           "sequestration_tco2e_per_ha_yr,credits_tco2e\n";

class HoldingsRepository : public ::testing::Test {
protected:
    tanhui::testing::TempDir dir;
    Store store{tanhui::testing::empty_database(dir / "holdings.db")};
    Holdings holdings{store};
    void SetUp() override {
        import_csv(store, "regions", "regions.csv",
                   "code,level,name_zh,name_pinyin,parent_code\n"
                   "CN,country,中国,zhong guo,\n"
                   "35,province,福建省,fu jian,CN\n"
                   "3508,prefecture,龙岩市,long yan,35\n");
    }
};

}  // namespace

TEST_F(HoldingsRepository, StoredHoldingsComeBackInImportOrder) {
    EXPECT_TRUE(holdings.all().empty());
    import_csv(store, "holdings", "h.csv", header + "z-last-id,350800,masson_pine,5,10,,,\n"
                                                    "a-first-id,35,chinese_fir,12.5,7,150,6.5,30\n");
    const auto all = holdings.all();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, "z-last-id");
    EXPECT_EQ(all[0].region, "3508");  // stored short
    EXPECT_EQ(all[0].forest_type, ForestType::masson_pine);
    EXPECT_EQ(all[0].area_ha, 5);
    EXPECT_EQ(all[0].age_years, 10);
    EXPECT_FALSE(all[0].carbon_stock_tco2e_per_ha);
    EXPECT_FALSE(all[0].sequestration_tco2e_per_ha_yr);
    EXPECT_FALSE(all[0].credits_tco2e);
    EXPECT_EQ(all[1].id, "a-first-id");
    EXPECT_EQ(all[1].area_ha, 12.5);
    EXPECT_EQ(all[1].carbon_stock_tco2e_per_ha, 150);
    EXPECT_EQ(all[1].sequestration_tco2e_per_ha_yr, 6.5);
    EXPECT_EQ(all[1].credits_tco2e, 30);
}

TEST_F(HoldingsRepository, AParsedFileIsCheckedLikeAnImportAndNotWritten) {
    const auto parsed = holdings.parse_csv("mine.csv", header + "h1,3508,bamboo,3,2,,,\n");
    ASSERT_EQ(parsed.size(), 1u);
    EXPECT_EQ(parsed[0].id, "h1");
    EXPECT_EQ(parsed[0].forest_type, ForestType::bamboo);
    EXPECT_TRUE(holdings.all().empty());

    try {
        holdings.parse_csv("bad.csv", header + "h1,3508,bamboo,0,2,,,\nh2,4401,bamboo,1,2,,,\n");
        ADD_FAILURE() << "a bad file was accepted";
    } catch (const ImportError& e) {
        ASSERT_EQ(e.issues().size(), 2u) << e.what();
        EXPECT_EQ(e.issues()[0].line, 2u);
        EXPECT_EQ(e.issues()[0].column, "area_ha");
        EXPECT_EQ(e.issues()[0].message, "must be > 0, got 0");
        EXPECT_EQ(e.issues()[1].line, 3u);
        EXPECT_EQ(e.issues()[1].column, "region");  // 4401 is not in the store's regions
        EXPECT_EQ(e.file(), "bad.csv");
    }
    EXPECT_TRUE(holdings.all().empty());
}
