#include "api/validation/format.hpp"

#include <charconv>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace tanhui::api::validation {

ojson num(double v) { return std::isfinite(v) ? ojson(v) : ojson(nullptr); }

std::string csv(double v) {
    if (!std::isfinite(v)) return "";
    char buffer[64];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
    return std::string(buffer, r.ptr);
}

std::string fixed(double v, int digits) {
    if (!std::isfinite(v)) return "-";
    std::ostringstream o;
    o << std::fixed << std::setprecision(digits) << v;
    return o.str();
}

std::string pct(double v, int digits) { return std::isfinite(v) ? fixed(100 * v, digits) + " %" : "-"; }

std::string pval(double p) {
    if (!std::isfinite(p)) return "-";
    if (p < 1e-6) return "<1e-6";
    std::ostringstream o;
    o << std::setprecision(3) << p;
    return o.str();
}

double number_or_nan(const ojson& v) { return v.is_number() ? v.get<double>() : NAN; }

}  // namespace tanhui::api::validation
