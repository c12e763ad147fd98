#include "data/import/csv.hpp"

#include <gtest/gtest.h>

using namespace tanhui::data;

TEST(Csv, QuotedFieldsWithCommasQuotesAndNewlines) {
    const auto t = parse_csv("a,b\n\"x, y\",\"he said \"\"hi\"\"\"\n\"multi\nline\",2\n");
    ASSERT_TRUE(t.errors.empty());
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].fields[0], "x, y");
    EXPECT_EQ(t.rows[0].fields[1], "he said \"hi\"");
    EXPECT_EQ(t.rows[1].fields[0], "multi\nline");
    EXPECT_EQ(t.rows[1].line, 3u);
}

TEST(Csv, LineNumbersCountPhysicalLinesAndSkipBlankLines) {
    const auto t = parse_csv("\xEF\xBB\xBF" "a,b\r\n1,2\r\n\r\n3,4\r\n");
    ASSERT_TRUE(t.errors.empty());
    EXPECT_EQ(t.header[0], "a");  // the byte-order mark is not part of the name
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0].line, 2u);
    EXPECT_EQ(t.rows[1].line, 4u);
}

TEST(Csv, RaggedRowsAndBadQuotingAreReportedWithTheirLine) {
    const auto t = parse_csv("a,b\n1\n\"x\"y,2\n4,\"open\n");
    ASSERT_EQ(t.errors.size(), 3u);
    EXPECT_EQ(t.errors[0].line, 2u);
    EXPECT_EQ(t.errors[1].line, 3u);
    EXPECT_EQ(t.errors[2].line, 4u);
}

TEST(Csv, InvalidUtf8IsRejected) {
    EXPECT_TRUE(valid_utf8("杉木 chinese fir"));
    EXPECT_FALSE(valid_utf8("\xC3\x28"));          // broken 2-byte sequence
    EXPECT_FALSE(valid_utf8("\xE0\x80\xAF"));      // overlong
    EXPECT_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate
    EXPECT_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
    const auto t = parse_csv("a,b\n1,\xFF\n");
    ASSERT_EQ(t.errors.size(), 1u);
    EXPECT_EQ(t.errors[0].line, 2u);
    EXPECT_EQ(t.errors[0].message, "invalid UTF-8");
}

TEST(Csv, EscapeRoundTrips) {
    EXPECT_EQ(csv_escape("plain"), "plain");
    EXPECT_EQ(csv_escape("a,b"), "\"a,b\"");
    const auto t = parse_csv("x\n" + csv_escape("say \"x\", ok") + "\n");
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0].fields[0], "say \"x\", ok");
}
