// compact_json writes exactly nlohmann's compact dump (api/json/text.hpp): stored quotes and
// answers keep their bytes (tests/golden). Edge cases of each kind, then many random trees.
#include "api/json/text.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tanhui::api {
namespace {

template <class Json>
void expect_as_nlohmann(const Json& j) {
    EXPECT_EQ(compact_json(j), j.dump(-1, ' ', false, Json::error_handler_t::replace)) << j.dump();
}

TEST(CompactJson, WritesEveryKindAsNlohmannDoes) {
    const double inf = std::numeric_limits<double>::infinity();
    const nlohmann::json j = {
        {"null", nullptr}, {"true", true}, {"false", false}, {"empty_object", nlohmann::json::object()},
        {"empty_array", nlohmann::json::array()}, {"zero", 0.0}, {"minus_zero", -0.0}, {"one", 1.0},
        {"big", 1e300}, {"small", 2.5e-7}, {"subnormal", 4.9e-324}, {"tenth", 0.1}, {"third", 1.0 / 3},
        {"1e15", 1e15}, {"1e16", 1e16}, {"1e-5", 1e-5}, {"nan", std::nan("")}, {"inf", inf}, {"-inf", -inf},
        {"int_min", std::numeric_limits<std::int64_t>::min()}, {"int_max", std::numeric_limits<std::int64_t>::max()},
        {"minus_one", -1}, {"uint_max", std::numeric_limits<std::uint64_t>::max()}, {"uint_zero", 0u},
        {"quote\"key", "back\\slash"}, {"control", std::string("a\x01\tb\n\x1f", 7)}, {"del", "\x7f"},
        {"unicode", "碳汇 – ü"}, {"invalid_utf8", std::string("ab\xff\xfe") + "c"}, {"truncated", std::string("x\xe7\xa2")},
        {"nested", {{"a", {1, 2.5, "three", nullptr, {{"b", nlohmann::json::array({nlohmann::json::object()})}}}}}},
        {"binary", nlohmann::json::binary({1, 2, 3}, 7)}};
    expect_as_nlohmann(j);
    expect_as_nlohmann(nlohmann::ordered_json(j));
    expect_as_nlohmann(nlohmann::json("just a string"));
    expect_as_nlohmann(nlohmann::json(12.5));
}

TEST(CompactJson, StrictHandlerStillThrowsOnInvalidUtf8) {
    const nlohmann::json j = {{"bad", std::string("\xff")}};
    EXPECT_THROW(compact_json(j, JsonErrorHandler::strict), nlohmann::json::type_error);
    EXPECT_EQ(compact_json(nlohmann::json{{"good", "ok"}}, JsonErrorHandler::strict), R"({"good":"ok"})");
}

double random_double(std::mt19937_64& rng) {
    switch (rng() % 4) {
    case 0: return std::bit_cast<double>(rng());  // any bits: NaN, inf, subnormal included
    case 1: return static_cast<double>(static_cast<std::int64_t>(rng() % 2000001) - 1000000) / 1000.0;
    case 2: return std::ldexp(std::uniform_real_distribution<double>(-1, 1)(rng), static_cast<int>(rng() % 200) - 100);
    default: return static_cast<double>(rng() % 100000);
    }
}

std::string random_string(std::mt19937_64& rng) {
    std::string s(rng() % 12, ' ');
    for (char& c : s) c = rng() % 8 == 0 ? static_cast<char>(rng() % 256) : static_cast<char>('a' + rng() % 26);
    return s;
}

nlohmann::json random_tree(std::mt19937_64& rng, int depth) {
    switch (rng() % (depth > 0 ? 8 : 6)) {
    case 0: return nullptr;
    case 1: return rng() % 2 == 0;
    case 2: return static_cast<std::int64_t>(rng());
    case 3: return static_cast<std::uint64_t>(rng());
    case 4: return random_double(rng);
    case 5: return random_string(rng);
    case 6: {
        nlohmann::json a = nlohmann::json::array();
        for (std::size_t i = rng() % 5; i > 0; --i) a.push_back(random_tree(rng, depth - 1));
        return a;
    }
    default: {
        nlohmann::json o = nlohmann::json::object();
        for (std::size_t i = rng() % 5; i > 0; --i) o[random_string(rng)] = random_tree(rng, depth - 1);
        return o;
    }
    }
}

TEST(CompactJson, RandomTreesGiveNlohmannsBytes) {
    std::mt19937_64 rng(20261206);
    for (int i = 0; i < 20000; ++i) {
        const nlohmann::json j = random_tree(rng, 4);
        expect_as_nlohmann(j);
        if (HasFailure()) return;
    }
}

TEST(FlatJsonWriter, WritesWhatAnOrderedJsonOfTheSameMembersGives) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 2000; ++i) {
        const std::string text = random_string(rng), other = random_string(rng);
        const double real = random_double(rng);
        const auto integer = static_cast<int>(rng());
        const auto count = static_cast<std::size_t>(rng());
        nlohmann::ordered_json expected;
        expected["time"] = text;
        expected[other] = real;
        expected["status"] = integer;
        expected["bytes"] = count;
        expected["key_id"] = nullptr;
        FlatJsonWriter line;
        line.string("time", text).real(other, real).integer("status", integer).unsigned_integer("bytes", count).null("key_id");
        if (other == "time" || other == "status" || other == "bytes" || other == "key_id") continue;  // one key twice
        ASSERT_EQ(std::move(line).finish(), compact_json(expected));
    }
    EXPECT_EQ(FlatJsonWriter().finish(), "{}");
}


// The writer's members, written in a random order by the method their kind calls for, give the
// bytes compact_json gives the tree (nlohmann sorts keys byte by byte); tree() gives the tree
// back (numbers compared by their text: 5 and 5u are one number); the first non-finite number
// is the tree's, depth first; a key twice is refused.
void write_member(SortedJsonWriter& w, const std::string& key, const nlohmann::json& v, std::mt19937_64& rng) {
    switch (v.type()) {
    case nlohmann::json::value_t::null: w.null(key); return;
    case nlohmann::json::value_t::number_integer: w.integer(key, v.get<std::int64_t>()); return;
    case nlohmann::json::value_t::number_unsigned: w.unsigned_integer(key, v.get<std::uint64_t>()); return;
    case nlohmann::json::value_t::number_float: w.real(key, v.get<double>()); return;
    case nlohmann::json::value_t::string: w.string(key, v.get_ref<const std::string&>()); return;
    case nlohmann::json::value_t::object:
        if (rng() % 2 == 0) {
            SortedJsonWriter inner;
            std::vector<std::pair<std::string, const nlohmann::json*>> members;
            for (const auto& [k, m] : v.items()) members.emplace_back(k, &m);
            std::shuffle(members.begin(), members.end(), rng);
            for (const auto& [k, m] : members) write_member(inner, k, *m, rng);
            w.object(key, inner);
            return;
        }
        break;
    case nlohmann::json::value_t::array:
        if (std::all_of(v.begin(), v.end(), [](const nlohmann::json& e) { return e.is_string(); })) {
            w.strings(key, v.get<std::vector<std::string>>());
            return;
        }
        break;
    default: break;
    }
    w.json(key, v);
}

double first_non_finite(const nlohmann::json& j) {
    if (j.is_number_float() && !std::isfinite(j.get<double>())) return j.get<double>();
    if (j.is_structured())
        for (const auto& v : j)
            if (const double x = first_non_finite(v); x != 0) return x;
    return 0;
}

TEST(SortedJsonWriter, WritesWhatCompactJsonGivesTheTree) {
    std::mt19937_64 rng(20261207);
    for (int i = 0; i < 5000; ++i) {
        nlohmann::json tree = nlohmann::json::object();
        for (std::size_t n = rng() % 12; n > 0; --n) tree[random_string(rng)] = random_tree(rng, 3);
        if (rng() % 4 == 0) tree["pure_premium_cny"] = random_double(rng);
        std::vector<std::pair<std::string, const nlohmann::json*>> members;
        for (const auto& [k, m] : tree.items()) members.emplace_back(k, &m);
        std::shuffle(members.begin(), members.end(), rng);
        SortedJsonWriter w;
        for (const auto& [k, m] : members) write_member(w, k, *m, rng);
        const std::string expected = compact_json(tree);
        ASSERT_EQ(w.text(), expected);
        const double x = first_non_finite(tree), y = w.first_non_finite();
        ASSERT_TRUE(std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y) || (std::isnan(x) && std::isnan(y)));
        ASSERT_EQ(compact_json(w.tree()), compact_json(nlohmann::json::parse(expected)));
        for (const auto& [k, m] : members) ASSERT_TRUE(w.contains(k));
        if (tree.contains("pure_premium_cny") && tree["pure_premium_cny"].is_number_float()) {
            const double p = tree["pure_premium_cny"].get<double>();
            if (!std::isnan(p)) {
                ASSERT_EQ(w.real_at("pure_premium_cny"), p);
            }
        }
    }
}

TEST(SortedJsonWriter, RefusesAKeyTwiceAndReadsOnlyNumbers) {
    SortedJsonWriter w;
    w.real("b", 1.5).string("a", "x");
    EXPECT_THROW(w.real("b", 2.0), std::logic_error);
    EXPECT_EQ(w.real_at("b"), 1.5);
    EXPECT_THROW((void)w.real_at("a"), std::out_of_range);
    EXPECT_THROW((void)w.real_at("c"), std::out_of_range);
    EXPECT_EQ(w.text(), R"({"a":"x","b":1.5})");
    EXPECT_EQ(SortedJsonWriter().text(), "{}");
}

}  // namespace
}  // namespace tanhui::api
