// What every endpoint of api/products/endpoints.hpp shares: its limits, what it may use (the store
// and the model cache), its answer, and run_endpoint, the decode -> compute -> answer step with its
// problems: 400 naming every bad field, 422 for an InvalidInput the libraries raise.
#pragma once

#include "api/json/problem.hpp"
#include "api/json/reader.hpp"
#include "data/types.hpp"
#include "risk/simulation/cancel.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tanhui::data {
class Store;
}

namespace tanhui::api {

class ModelCache;

// An endpoint's answer: the response document or the problem to send.
struct ProductOutcome {
    std::optional<nlohmann::ordered_json> response;
    std::optional<Problem> problem;
    std::uint64_t simulated_years = 0;  // for the service's counters
};

struct ProductLimits {
    long long max_years = 1'000'000;               // loss-table years, layer simulation years
    long long max_simulated_years = 10'000'000;    // buffer: paths x horizon (one double each in memory)
    std::size_t max_holdings = 100'000;
    std::size_t max_rows = 5'000'000;              // rows of a loss table
    unsigned threads = 0;                          // simulation threads unless the request says; 0 = all cores
};

// What a handler may use besides the request. `store` gives the caller's store (the worker
// thread's on HTTP; the CLI's, opened on first use); `models` keeps the models alive, the cache
// the quote and calibration routes use, so that a new calibration reaches these endpoints too.
// `cancel`: the request's flag on HTTP (set when its client hangs up or its deadline passes);
// every endpoint that simulates hands it to risk/ or pricing/ (risk/simulation/cancel.hpp), whose
// risk::Cancelled the server answers. Null for the CLI.
struct EndpointContext {
    std::function<data::Store&()> store;
    ModelCache& models;
    ProductLimits limits;
    risk::CancelFlag cancel = nullptr;
};

// 400 "N invalid field(s) in the <what>".
Problem decode_problem(std::vector<FieldProblem> problems, std::string_view what);
// 422 "the <what> is valid JSON but cannot be computed: ..." naming `pointer`.
Problem unprocessable_problem(const InvalidInput& e, std::string_view what, const std::string& pointer);

// decode(body) -> Decoded<Request>; compute(request, outcome) -> the response document, may throw
// InvalidInput, whose field becomes a JSON pointer, mapped by pointer_of when the library names a
// field relative to a request object (e.g. "/limit_cny" -> "/layer/limit_cny").
template <class Decode, class Compute>
ProductOutcome run_endpoint(const nlohmann::json& body, std::string_view what, Decode decode, Compute compute,
                            const std::function<std::string(const std::string&)>& pointer_of = {}) {
    ProductOutcome outcome;
    auto decoded = decode(body);
    if (!decoded.problems.empty()) {
        outcome.problem = decode_problem(std::move(decoded.problems), what);
        return outcome;
    }
    try {
        outcome.response = compute(*decoded.value, outcome);
    } catch (const InvalidInput& e) {
        const std::string pointer = field_to_pointer(e.field());
        outcome.response.reset();
        outcome.problem = unprocessable_problem(e, what, pointer_of ? pointer_of(pointer) : pointer);
    }
    return outcome;
}

}  // namespace tanhui::api
