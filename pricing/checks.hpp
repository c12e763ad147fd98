// Precondition helpers shared by pricing/*.cpp: each broken precondition throws InvalidInput with
// the field and the offending value. Comparisons are written so that NaN fails them.
#pragma once

#include "data/types.hpp"

#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

namespace tanhui::pricing::checks {

// Shortest round-trip text of a number ("0.05", "1e-12", "nan"), unlike std::to_string's "%f".
inline std::string number(double x) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, x);
    return std::string(buffer, result.ptr);
}

inline std::string indexed(std::string_view field, std::size_t i) {
    return std::string(field) + "[" + std::to_string(i) + "]";
}

[[noreturn]] inline void fail(std::string field, const std::string& message) {
    throw InvalidInput(std::move(field), message);
}

inline void finite(double x, const std::string& field) {
    if (!std::isfinite(x)) fail(field, "must be a finite number, got " + number(x));
}

inline void at_least(double x, double lower, const std::string& field) {
    if (!(x >= lower) || std::isnan(x))
        fail(field, "must be >= " + number(lower) + ", got " + number(x));
}

inline void above(double x, double lower, const std::string& field) {
    if (!(x > lower)) fail(field, "must be > " + number(lower) + ", got " + number(x));
}

// A finite value >= 0.
inline void non_negative(double x, const std::string& field) {
    finite(x, field);
    at_least(x, 0, field);
}

// A finite value > 0.
inline void positive(double x, const std::string& field) {
    finite(x, field);
    above(x, 0, field);
}

// A share in [0, 1].
inline void share(double x, const std::string& field) {
    if (!(x >= 0 && x <= 1)) fail(field, "must lie in [0, 1], got " + number(x));
}

// A probability level strictly inside (0, 1).
inline void open_unit(double x, const std::string& field) {
    if (!(x > 0 && x < 1)) fail(field, "must lie in (0, 1), got " + number(x));
}

}  // namespace tanhui::pricing::checks
