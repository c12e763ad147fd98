// libFuzzer target: a request body as the server receives it, through the JSON reader
// (parse_json_body: UTF-8, depth, syntax) and every request decoder and validator of the API
// (decode_quote for single requests and arrays, and the product decoders of api/products/).
//
// Invariants besides "no crash, no sanitizer report":
//   - a decoder gives a value or problems, never both and never neither;
//   - every problem names its field as a JSON pointer ("" or starting with '/');
//   - the problem+json of any outcome renders (the server would otherwise answer 500).
#include "api/json/problem.hpp"
#include "api/products/buffer.hpp"
#include "api/products/burning_cost.hpp"
#include "api/products/credibility.hpp"
#include "api/products/damage.hpp"
#include "api/products/layer.hpp"
#include "api/products/metrics.hpp"
#include "api/json/quote_request.hpp"
#include "api/service/quote_service.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace tanhui::api;

namespace {

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "fuzz_quote_request: invariant broken: %s\n", what.c_str());
    std::abort();
}

template <class T>
void check(const Decoded<T>& d, const char* decoder) {
    if (d.value.has_value() == !d.problems.empty())
        fail(std::string(decoder) + ": value and problems must exclude each other");
    for (const auto& p : d.problems)
        if (!p.pointer.empty() && p.pointer.front() != '/') fail(std::string(decoder) + ": path \"" + p.pointer + "\" is no JSON pointer");
    if (!d.problems.empty()) (void)problem_body(make_problem(400, "fuzz", d.problems));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Request req;
    req.method = "POST";
    req.content_type = "application/json";
    req.body.assign(reinterpret_cast<const char*>(data), size);
    nlohmann::json body;
    if (auto problem = parse_json_body(req, body)) {
        if (problem->status < 400 || problem->status >= 500) fail("parse_json_body answered " + std::to_string(problem->status));
        return 0;
    }
    const DecodeLimits limits{.max_years = 1'000'000, .max_holdings = 1'000};
    if (body.is_array()) {
        for (std::size_t i = 0; i < body.size() && i < 16; ++i)
            check(decode_quote(body[i], limits, "/" + std::to_string(i)), "decode_quote[i]");
    } else {
        check(decode_quote(body, limits), "decode_quote");
    }
    const ProductLimits product_limits{.max_years = 100'000, .max_simulated_years = 1'000'000, .max_holdings = 1'000,
                                       .max_rows = 100'000, .threads = 1};
    check(decode_credibility(body), "decode_credibility");
    check(decode_metrics(body, product_limits), "decode_metrics");
    check(decode_layer(body, product_limits), "decode_layer");
    check(decode_damage(body), "decode_damage");
    check(decode_buffer(body, product_limits), "decode_buffer");
    check(decode_burning_cost(body), "decode_burning_cost");
    check(decode_holding(body, ""), "decode_holding");
    return 0;
}
