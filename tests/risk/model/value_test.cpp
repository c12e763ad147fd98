#include "risk/model/record_reader.hpp"
#include "risk/model/value.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace tanhui::risk {
namespace {

TEST(Value, KeepsTheKindOfEachNumber) {
    EXPECT_EQ(Value(3).kind(), Value::Kind::integer);
    EXPECT_EQ(Value(std::size_t{3}).kind(), Value::Kind::unsigned_integer);
    EXPECT_EQ(Value(3.0).kind(), Value::Kind::real);
    EXPECT_EQ(Value(true).kind(), Value::Kind::boolean);
    EXPECT_EQ(Value("x").kind(), Value::Kind::text);
    EXPECT_EQ(Value().kind(), Value::Kind::null);
    EXPECT_EQ(Value(std::vector<int>{1, 2}).as_list()[1].kind(), Value::Kind::integer);
    EXPECT_EQ(Value(std::vector<double>{1, 2}).as_list()[1].kind(), Value::Kind::real);
    EXPECT_EQ(Value(3).as_real(), 3.0);
    EXPECT_EQ(Value(std::uint64_t{7}).as_integer(), 7);
    EXPECT_THROW(Value(-1).as_unsigned(), std::invalid_argument);
    EXPECT_THROW(Value("x").as_real(), std::invalid_argument);
}

TEST(Value, RecordsKeepTheirKeysInByteOrder) {
    Value r;
    r["b"] = 1;
    r["a"] = 2;
    r["B"] = 3;
    std::vector<std::string> keys;
    for (const auto& [k, v] : r.as_record()) keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"B", "a", "b"}));
    EXPECT_EQ(r.at("a"), Value(2));
    EXPECT_EQ(r.find("c"), nullptr);
    EXPECT_THROW(r.at("c"), std::invalid_argument);
    EXPECT_THROW(Value(1)["x"], std::invalid_argument);
}

TEST(Value, SpecialRealsAsStoredCalibrationsWriteThem) {
    EXPECT_TRUE(real_or_special(std::nan("")).is_null());
    EXPECT_EQ(real_or_special(INFINITY), Value("inf"));
    EXPECT_EQ(real_or_special(-INFINITY), Value("-inf"));
    EXPECT_EQ(real_or_special(0.25), Value(0.25));
    EXPECT_TRUE(std::isnan(real_or_special(Value())));
    EXPECT_EQ(real_or_special(Value("inf")), INFINITY);
    EXPECT_EQ(real_or_special(Value("-inf")), -INFINITY);
    EXPECT_EQ(real_or_special(Value(2)), 2.0);
}

// The messages are the request decoder's (api/json/reader.cpp uses the same range rule).
TEST(RecordReader, NamesEveryBadFieldAndEveryUnknownOne) {
    Value v;
    v["rate"] = 2.0;
    v["shape"] = "big";
    v["colour"] = 1;
    v["gone"] = nullptr;
    v["dist"] = "gamma";
    std::vector<FieldProblem> problems;
    RecordReader r(v, "/model/x", problems);
    EXPECT_FALSE(r.number("rate", true, {0, 1}));
    EXPECT_FALSE(r.number("shape", true, {0, INFINITY, true}));
    EXPECT_FALSE(r.number("gone", true));
    EXPECT_FALSE(r.number("absent", false));
    EXPECT_FALSE(r.one_of("dist", false, {"beta"}));
    r.finish();
    ASSERT_EQ(problems.size(), 5u);
    EXPECT_EQ(problems[0].pointer, "/model/x/rate");
    EXPECT_EQ(problems[0].message, "must be in [0, 1], got 2");
    EXPECT_EQ(problems[1].message, "must be a number, got a string");
    EXPECT_EQ(problems[2].pointer, "/model/x/gone");
    EXPECT_EQ(problems[2].message, "is required");
    EXPECT_EQ(problems[3].message, "must be one of \"beta\", got \"gamma\"");
    EXPECT_EQ(problems[4].pointer, "/model/x/colour");
    EXPECT_EQ(problems[4].message, "unknown field");
}

TEST(RecordReader, ANonRecordIsOneProblem) {
    std::vector<FieldProblem> problems;
    RecordReader r(Value(3), "/model/fire", problems);
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(r.number("x", true));
    r.finish();
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].message, "must be an object, got a number");
}

TEST(RecordReader, RangeMessages) {
    EXPECT_EQ(range_problem(-1, {0, INFINITY, true}), "must be > 0, got -1");
    EXPECT_EQ(range_problem(2e9, {0, 1e8, true}), "must be in (0, 1e+08], got 2e+09");
    EXPECT_EQ(range_problem(6, {-INFINITY, 5}), "must be <= 5, got 6");
    EXPECT_TRUE(range_problem(std::nan(""), {}));
    EXPECT_FALSE(range_problem(0.5, {0, 1}));
    EXPECT_EQ(escape_pointer_token("a/b~c"), "a~1b~0c");
}

}  // namespace
}  // namespace tanhui::risk
