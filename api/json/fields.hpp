// Decoding helpers the product endpoints share (api/products/*.cpp): checked number arrays,
// holdings, seeds, and the number keys of response objects. Every problem is named by its JSON
// pointer, as api/json/reader.hpp's ObjectReader does.
#pragma once

#include "api/json/reader.hpp"
#include "data/types.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::api {

namespace range {
inline constexpr NumberRange any_finite{};
inline constexpr NumberRange non_negative{0, INFINITY};
inline constexpr NumberRange positive{0, INFINITY, true};
inline constexpr NumberRange unit_share{0, 1};
inline constexpr NumberRange open_unit{0, 1, true, true};
}  // namespace range

// The key of a level or return period in a response object: the shortest fixed decimal that reads
// back the same double ("0.99", "0.995", "100", "1000000").
std::string number_key(double x);

// An object {number_key(keys[i]): value(i)} in the order of keys.
nlohmann::ordered_json keyed(std::span<const double> keys, const std::function<double(std::size_t)>& value);

// The number, or null when it is not finite.
nlohmann::json finite_or_null(double x);

// r[key]: an array of min_size to max_size numbers, each in `range` and named by its pointer.
std::optional<std::vector<double>> number_array(ObjectReader& r, std::string_view key, bool required, NumberRange range,
                                                std::size_t min_size, std::size_t max_size,
                                                std::vector<FieldProblem>& problems);

// Levels or return periods (optional, 1 to 64): distinct by number_key, as they become object keys.
std::optional<std::vector<double>> distinct_numbers(ObjectReader& r, std::string_view key, NumberRange range,
                                                    std::vector<FieldProblem>& problems);

// r[key]: 1 to max_holdings holdings with distinct ids (api/json/quote_request.hpp decode_holding).
std::vector<Holding> decode_holdings(ObjectReader& r, std::string_view key, std::size_t max_holdings,
                                     std::vector<FieldProblem>& problems);

// r["seed"]: a whole number >= 0, or nullopt when absent.
std::optional<std::uint64_t> decode_seed(ObjectReader& r);

}  // namespace tanhui::api
