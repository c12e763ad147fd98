// Stored quote text (data/store/stored_text.hpp): every text comes back byte for byte, answers
// shrink, damaged or unknown BLOBs are refused with a message and never crash, and the frozen
// dictionary of version 1 is the one rows were written with.
#include "data/store/stored_text.hpp"
#include "tests/paths.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

using namespace tanhui::data;

namespace {

std::span<const std::byte> bytes(const std::string& s) { return {reinterpret_cast<const std::byte*>(s.data()), s.size()}; }

std::string file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A stored price answer as the server wrote one on 2026-12-07 (its numbers are not the
// dictionary's: the dictionary holds the example's, this is another quote's).
const std::string price_answer =
    R"({"created":"2026-12-07T22:37:10Z","currency":"CNY","discount_factor":0.9849904949325944,)"
    R"("distribution":"lognormal average (Turnbull-Wakeman moments), no simulation","engine":"turnbull_wakeman",)"
    R"("expected_average_price":15.626946054107504,"expected_loss_tco2e":0.0,"fixings":["2027-02-01","2027-03-01",)"
    R"("2027-04-01","2027-05-06","2027-06-01","2027-07-01","2027-08-02","2027-09-01","2027-10-08","2027-11-01",)"
    R"("2027-12-01","2028-01-04"],"gross_premium_cny":148442.7506586215,"insured_pays_cny":148442.7506586215,)"
    R"("market":"FJEA","method":"risk_neutral","model_used":{"price":{"correlation_with_weather":0.0,)"
    R"("dividend_yield":0.0,"drift":0.4962302827729526,"jump_intensity":0.0,"jump_mean":0.0,"jump_std":0.0,)"
    R"("long_run_price":1.0,"market":"FJEA","mean_reversion":0.0,"noise_sd":0.025084863751781344,"process":"gbm",)"
    R"("risk_free_rate":0.015,"risk_neutral_volatility":1.062269108631036,"spot":15.5,"spot_date":"2025-12-26",)"
    R"("volatility":0.35},"risk_neutral":{"dividend_yield":0.0,"risk_free_rate":0.015,"volatility":0.35}},)"
    R"("model_version":"m-bd581eef0740","option_value_per_tco2e":1.0121096635815099,"option_value_se_per_tco2e":0.0,)"
    R"("payout_at_return_period_cny":{"10":337490.6600761688,"100":567873.2995829898,"200":615610.5855022297},)"
    R"("policy_id":"NP-2027-001","premium_parameter":0.1,"premium_principle":"expected_value",)"
    R"("probability_of_payout":0.4675397528287116,"product":"price_insurance","pure_premium_cny":101210.966358151,)"
    R"("quote_id":"q-01a252a76069a730c73a478f70fa0bd9","rate_on_sum_insured":0.09896183377241433,)"
    R"("risk_load_cny":10121.0966358151,"seed":20270101,"sum_insured_cny":1500000.0,"years":0})";

}  // namespace

TEST(StoredText, EveryTextComesBackByteForByte) {
    std::mt19937_64 rng(20261207);
    std::string random(1 << 20, '\0');
    for (char& c : random) c = static_cast<char>(rng());
    const std::vector<std::string> texts{"",
                                         "{}",
                                         price_answer,
                                         std::string("a\0b\0c", 5),
                                         "{\"region\":\"龙岩市新罗区\",\"note\":\"碳汇保\"}",
                                         std::string(300000, 'x'),
                                         random};
    for (const std::string& text : texts) {
        SCOPED_TRACE(text.size());
        const std::string blob = pack_stored_text(text);
        ASSERT_FALSE(blob.empty());
        EXPECT_EQ(static_cast<std::uint8_t>(blob[0]), stored_text_version);
        EXPECT_EQ(unpack_stored_text(bytes(blob)), text);
    }
}

TEST(StoredText, AStoredAnswerShrinksToAThirdOrLess) {
    const std::string blob = pack_stored_text(price_answer);
    EXPECT_LE(blob.size() * 3, price_answer.size()) << blob.size() << " of " << price_answer.size();
}

TEST(StoredText, BlobsThatAreNotOnesItWroteAreRefusedWithAMessage) {
    const std::string good = pack_stored_text(price_answer);
    std::string newer = good;
    newer[0] = 2;
    std::string cut = good.substr(0, good.size() / 2);
    std::string flipped = good;
    flipped[good.size() / 2] = static_cast<char>(flipped[good.size() / 2] ^ 0x5a);
    const std::vector<std::string> bad{std::string(), std::string(1, '\1'), newer, cut, flipped,
                                       std::string("\1not a zstd frame at all"), std::string(1, '\0') + good.substr(1)};
    for (const std::string& blob : bad) {
        SCOPED_TRACE(blob.size());
        try {
            const std::string text = unpack_stored_text(bytes(blob));
            // A flipped byte inside the compressed data can still decode; the text is then not the
            // answer, and that is all that may happen.
            EXPECT_NE(text, price_answer);
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("stored text"), std::string::npos) << e.what();
        }
    }
    EXPECT_THROW(unpack_stored_text(bytes(std::string())), std::runtime_error);
    EXPECT_THROW(unpack_stored_text(bytes(newer)), std::runtime_error);
    EXPECT_THROW(unpack_stored_text(bytes(cut)), std::runtime_error);
}

// Rows written with version 1 can only be read with these bytes: the compiled-in dictionary is the
// committed file, and the file is the one made on 2026-12-07 (FNV-1a 64 of its 27,734 bytes).
TEST(StoredText, TheDictionaryOfVersionOneIsFrozen) {
    const auto d = stored_text_dictionary(1);
    const std::string committed = file(std::string(TANHUI_SOURCE_DIR) + "/data/store/stored_text_v1.dict");
    ASSERT_EQ(d.size(), committed.size());
    EXPECT_TRUE(std::equal(d.begin(), d.end(), committed.begin(), [](unsigned char a, char b) { return a == static_cast<unsigned char>(b); }));
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char b : d) h = (h ^ b) * 0x100000001b3ull;
    EXPECT_EQ(d.size(), 27734u);
    EXPECT_EQ(h, 0x0d419f5d97ab4beaull);
    EXPECT_TRUE(stored_text_dictionary(2).empty());
}
