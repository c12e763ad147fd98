#include "risk/calibration/fit_report.hpp"

#include "data/types.hpp"

#include <bit>
#include <cmath>
#include <limits>

namespace tanhui::risk {

namespace {

std::size_t parameter_index(const FitReport& report, std::string_view parameter) {
    for (std::size_t i = 0; i < report.parameter_names.size(); ++i)
        if (report.parameter_names[i] == parameter) return i;
    throw InvalidInput("parameter", "no parameter '" + std::string(parameter) + "' in a " +
                                        report.family + " fit");
}

constexpr std::uint64_t fnv1a_64_prime = 1099511628211ull;

std::uint64_t feed_word(std::uint64_t hash, std::uint64_t word) {
    for (int byte = 0; byte < 8; ++byte) {
        hash ^= (word >> (8 * byte)) & 0xffu;
        hash *= fnv1a_64_prime;
    }
    return hash;
}

}  // namespace

double estimate(const FitReport& report, std::string_view parameter) {
    return report.estimates.at(parameter_index(report, parameter));
}

double standard_error(const FitReport& report, std::string_view parameter) {
    const std::size_t i = parameter_index(report, parameter);
    return i < report.standard_errors.size() ? report.standard_errors[i]
                                             : std::numeric_limits<double>::quiet_NaN();
}

void set_information_criteria(FitReport& report) {
    const double p = static_cast<double>(report.estimates.size());
    const double n = static_cast<double>(report.rows);
    report.aic = 2 * p - 2 * report.log_likelihood;
    report.bic = (n > 0 ? p * std::log(n) : 0.0) - 2 * report.log_likelihood;
}

std::uint64_t fnv1a_64(std::span<const double> values, std::uint64_t basis) {
    std::uint64_t hash = basis;
    for (double v : values) hash = feed_word(hash, std::bit_cast<std::uint64_t>(v));
    return hash;
}

std::uint64_t data_hash(std::initializer_list<std::span<const double>> columns) {
    std::uint64_t hash = fnv1a_64_offset_basis;
    for (std::span<const double> column : columns) {
        hash = feed_word(hash, static_cast<std::uint64_t>(column.size()));
        hash = fnv1a_64(column, hash);
    }
    return hash;
}

std::string hex_hash(std::uint64_t hash) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(16, '0');
    for (int i = 15; i >= 0; --i, hash >>= 4) out[static_cast<std::size_t>(i)] = digits[hash & 0xfu];
    return out;
}

Value report_value(const FitReport& r) {
    Value j;
    j["family"] = r.family;
    j["parameters"] = Value::record();
    for (std::size_t i = 0; i < r.parameter_names.size(); ++i) {
        Value p;
        p["estimate"] = real_or_special(r.estimates[i]);
        p["standard_error"] = real_or_special(i < r.standard_errors.size() ? r.standard_errors[i] : NAN);
        j["parameters"][r.parameter_names[i]] = std::move(p);
    }
    j["log_likelihood"] = real_or_special(r.log_likelihood);
    j["aic"] = real_or_special(r.aic);
    j["bic"] = real_or_special(r.bic);
    j["goodness_of_fit"] = Value::list();
    for (const auto& g : r.goodness_of_fit) {
        Value t;
        t["test"] = g.name;
        t["statistic"] = real_or_special(g.statistic);
        t["p_value"] = real_or_special(g.p_value);
        if (g.degrees_of_freedom) t["degrees_of_freedom"] = real_or_special(*g.degrees_of_freedom);
        if (!g.note.empty()) t["note"] = g.note;
        j["goodness_of_fit"].push_back(std::move(t));
    }
    j["data_from"] = r.data_from;
    j["data_to"] = r.data_to;
    j["rows"] = r.rows;
    j["data_fnv1a64"] = hex_hash(r.data_hash);
    j["optimiser"] = r.optimiser;
    j["converged"] = r.converged;
    j["notes"] = r.notes;
    if (!r.at_bound.empty()) j["at_bound"] = r.at_bound;  // only then: a fit inside its bounds keeps its id
    return j;
}

}  // namespace tanhui::risk
