// The product registry is the only list of products (issue 15, items 4 and 6): api/openapi.yaml's
// product enum equals it, the decoder's product names are it, and each entry is complete.
#include "api/json/quote_request.hpp"
#include "api/products/registry.hpp"
#include "pricing/index_insurance.hpp"
#include "tests/paths.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sstream>

namespace tanhui::api {
namespace {

// The enum of QuoteRequest's "product" in api/openapi.yaml, read as text: the line
// "enum: [a, b, c]" that follows "product:" inside the QuoteRequest schema.
std::vector<std::string> openapi_product_enum() {
    std::ifstream in(std::string(TANHUI_SOURCE_DIR) + "/api/openapi.yaml");
    const std::string yaml(std::istreambuf_iterator<char>(in), {});
    const auto schema = yaml.find("\n    QuoteRequest:");
    EXPECT_NE(schema, std::string::npos);
    const auto product = yaml.find("        product:", schema);
    const auto open = yaml.find("enum: [", product), close = yaml.find(']', open);
    EXPECT_LT(open, yaml.find("        policy:", schema)) << "the enum is not inside QuoteRequest.product";
    std::vector<std::string> names;
    std::stringstream list(yaml.substr(open + 7, close - open - 7));
    for (std::string item; std::getline(list, item, ',');) {
        const auto b = item.find_first_not_of(' '), e = item.find_last_not_of(' ');
        names.push_back(item.substr(b, e - b + 1));
    }
    return names;
}

TEST(ProductRegistry, OpenApiEnumIsTheRegistry) { EXPECT_EQ(openapi_product_enum(), product_names()); }

TEST(ProductRegistry, EveryEntryIsCompleteAndFoundByName) {
    ASSERT_FALSE(product_registry().empty());
    for (const ProductEntry& p : product_registry()) {
        SCOPED_TRACE(std::string(p.name));
        EXPECT_EQ(find_product(p.name), &p);
        EXPECT_TRUE(p.decode_cover && p.facts && p.canonical_cover && p.quote && p.plan_batch);
    }
    EXPECT_EQ(find_product("sink"), nullptr);
}

// The decoder names the registry's products when one is unknown, and holds the product's terms.
TEST(ProductRegistry, TheDecoderReadsTheRegistry) {
    const auto d = decode_quote(nlohmann::json::parse(R"({"product": "weather_insurance", "policy": {"id": "x", "start": "2027-01-01"},
                                                         "cover": {"anything": 1}})"));
    ASSERT_EQ(d.problems.size(), 1u) << d.problems[1].pointer;
    EXPECT_EQ(d.problems[0].pointer, "/product");
    for (const auto& name : product_names()) EXPECT_NE(d.problems[0].message.find(name), std::string::npos) << d.problems[0].message;
    const auto ok = decode_quote(nlohmann::json::parse(R"({"product": "price_insurance", "policy": {"id": "x", "start": "2027-01-01"},
        "cover": {"market": "FJEA", "quantity_tco2e": 10, "target_price_cny": 15, "fixings": "quarterly", "method": "actuarial"}})"));
    ASSERT_TRUE(ok.value);
    EXPECT_EQ(ok.value->product, find_product("price_insurance"));
    const auto& terms = terms_of<pricing::PriceInsuranceTerms>(ok.value->cover);
    EXPECT_EQ(terms.method, pricing::PriceMethod::actuarial);
    EXPECT_EQ(terms.fixings.frequency, pricing::FixingFrequency::quarterly);
    EXPECT_THROW(terms_of<pricing::IndexInsuranceTerms>(ok.value->cover), std::logic_error);
}

}  // namespace
}  // namespace tanhui::api
