// The peril registry is the only list of perils (issue 15, item 3): every entry is complete, its
// names, random-number words and calibration families are distinct, and lookups find it.
#include "risk/perils/registry.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace tanhui::risk {
namespace {

TEST(PerilRegistry, EveryEntryIsCompleteAndDistinct) {
    ASSERT_FALSE(peril_registry().empty());
    std::set<std::string> names, families;
    std::set<PerilId> ids;
    for (const PerilEntry& e : peril_registry()) {
        SCOPED_TRACE(std::string(e.name));
        EXPECT_TRUE(e.make && e.decode_override && e.describe);
        EXPECT_EQ(e.calibrate == nullptr, e.assemble == nullptr);
        EXPECT_EQ(e.calibrate == nullptr, e.families.empty());
        EXPECT_TRUE(e.history || e.history_filters.empty());
        EXPECT_TRUE(names.insert(std::string(e.name)).second);
        EXPECT_TRUE(ids.insert(e.id).second);
        for (std::string_view f : e.families) {
            EXPECT_TRUE(families.insert(std::string(f)).second) << f;
            EXPECT_EQ(peril_of_family(f), &e);
        }
        EXPECT_EQ(find_peril(e.name), &e);
    }
    EXPECT_EQ(find_peril("volcano"), nullptr);
    EXPECT_EQ(peril_of_family("price"), nullptr);
}

TEST(PerilRegistry, ListsAndMessages) {
    EXPECT_EQ(peril_names().size(), peril_registry().size());
    for (const auto& name : default_perils()) EXPECT_TRUE(find_peril(name)->default_cover);
    for (const auto& name : history_peril_names()) EXPECT_NE(find_peril(name)->history, nullptr);
    EXPECT_EQ(join_names({"a"}, " or ", true), "\"a\"");
    EXPECT_EQ(join_names({"a", "b"}, " or ", true), "\"a\" or \"b\"");
    EXPECT_EQ(join_names({"a", "b", "c"}, " and ", false), "a, b and c");
    EXPECT_EQ(join_names({}, " or ", false), "");
}

TEST(PerilRegistry, UnknownPerilNamesTheKnownOnes) {
    const Model model;
    const ModelOverrides overrides;
    try {
        make_peril("volcano", {model, overrides, {}, 1});
        FAIL();
    } catch (const InvalidInput& e) {
        EXPECT_EQ(e.field(), "perils");
        EXPECT_NE(std::string(e.what()).find(join_names(peril_names(), ", ", false)), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace tanhui::risk
