#include "api/service/request_cost.hpp"

#include "pricing/premium.hpp"
#include "pricing/price_insurance.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <vector>

namespace tanhui::api {

namespace {

constexpr const char* price_what = "simulated holding-years and price path fixings (years x holdings, paths x fixings)";

const nlohmann::json* member(const nlohmann::json& j, const char* name) {
    if (!j.is_object()) return nullptr;
    const auto it = j.find(name);
    return it == j.end() ? nullptr : &*it;
}

std::string string_member(const nlohmann::json* j, const char* name) {
    const nlohmann::json* v = j ? member(*j, name) : nullptr;
    return v && v->is_string() ? v->get<std::string>() : std::string();
}

// An integer member of `object` in [low, high], `fallback` when absent, -1 otherwise.
long long integer_member(const nlohmann::json* object, const char* name, long long low, long long high, long long fallback) {
    const nlohmann::json* v = object ? member(*object, name) : nullptr;
    if (!v) return fallback;
    if (!v->is_number_integer()) return -1;
    if (v->is_number_unsigned() && v->get<unsigned long long>() > 1ULL << 62) return -1;
    const long long n = v->get<long long>();
    return n >= low && n <= high ? n : -1;
}

// simulation.years, or `fallback` when absent; -1 when it is not an integer in [1, max_years].
long long years_of(const nlohmann::json& element, long long max_years, long long fallback) {
    return integer_member(member(element, "simulation"), "years", 1, max_years, fallback);
}

double holdings_of(const nlohmann::json& element) {
    const nlohmann::json* h = member(element, "holdings");
    return h && h->is_array() && !h->empty() ? static_cast<double>(h->size()) : 1.0;
}

int term_months_of(const nlohmann::json& element) {
    const long long t = integer_member(member(element, "policy"), "term_months", 1, 120, 12);
    return t < 0 ? 12 : static_cast<int>(t);
}

// The number of fixings of cover.fixings (pricing::fixing_schedule's count; at least 1).
double fixings_of(const nlohmann::json& element) {
    const nlohmann::json* f = member(element, "cover") ? member(*member(element, "cover"), "fixings") : nullptr;
    if (f && f->is_array()) return std::max<double>(1, static_cast<double>(f->size()));
    const int term = term_months_of(element);
    const auto frequency = f && f->is_string() ? pricing::parse_fixing_frequency(f->get<std::string>())
                                               : std::optional(pricing::FixingFrequency::monthly);
    if (!frequency) return 1;  // the decoder refuses it
    switch (*frequency) {
    case pricing::FixingFrequency::monthly: return term;
    case pricing::FixingFrequency::quarterly: return (term - 1) / 3 + 1;
    case pricing::FixingFrequency::at_expiry: break;
    }
    return 1;
}

// How a price_insurance quote runs (price_insurance.cpp): closed form throughout, or a simulated
// table of `years` paths, and for the monte_carlo engine QuantLib's paths beside it.
struct PriceRuns {
    bool simulated = false;
    bool quantlib_paths = false;
};

PriceRuns price_runs(const nlohmann::json& element) {
    const nlohmann::json* cover = member(element, "cover");
    const std::string method = string_member(cover, "method");
    if (!method.empty() && method != "risk_neutral") return {true, false};  // actuarial (or refused)
    pricing::PriceInsuranceTerms terms;
    const std::string engine = string_member(cover, "engine");
    if (!engine.empty()) {
        terms.engine = pricing::find_asian_engine(engine);
        if (!terms.engine) return {};  // unknown: the decoder refuses it
    }
    pricing::PremiumTerms premium;
    const std::string principle = string_member(member(element, "premium"), "principle");
    if (!principle.empty()) {
        const auto p = pricing::parse_principle(principle);
        if (!p) return {};
        premium.principle = *p;
    }
    const auto& entry = pricing::engine_of(terms);
    return {!pricing::closed_form_applies(premium, entry), !entry.closed_form};
}

// One quote request's cost; its fields relative to the element.
RequestCost element_cost(const nlohmann::json& element, long long max_years, std::size_t banded_assumptions) {
    RequestCost cost;
    const long long years_or_bad = years_of(element, max_years, 100'000);
    if (years_or_bad < 0) return cost;
    const auto years = static_cast<double>(years_or_bad);
    const std::string product = string_member(&element, "product");
    if (product == "price_insurance") {
        const PriceRuns runs = price_runs(element);
        const double fixings = fixings_of(element);
        if (runs.simulated) cost.units += years * fixings;
        if (runs.quantlib_paths) cost.units += std::min(years, 1e6) * fixings;
        if (cost.units > 0) cost.fields = "/simulation/years, /cover/fixings";
        cost.what = price_what;
        return cost;  // no perils: an uncertainty band adds nothing
    }
    if (product == "revenue_insurance") {
        cost.units = years * (holdings_of(element) + fixings_of(element));
        cost.fields = "/simulation/years, /holdings, /cover/fixings";
        cost.what = price_what;
    } else if (product == "sink_insurance") {
        const int term_months = term_months_of(element);
        const double term_years = term_months % 12 == 0 ? term_months / 12 : 1;  // else the decoder's 422
        cost.units = years * holdings_of(element) * term_years;
        cost.fields = "/simulation/years, /holdings, /policy/term_months";
        cost.what = "simulated holding-years (years x holdings x term years)";
    } else {
        cost.units = years * holdings_of(element);
        cost.fields = "/simulation/years, /holdings";
    }
    const nlohmann::json* band = member(element, "uncertainty");
    if (band && band->is_boolean() && band->get<bool>() && banded_assumptions > 0) {
        cost.units *= 3 + 2 * static_cast<double>(banded_assumptions);
        cost.fields += ", /uncertainty";
        cost.what += ", x (3 + 2 x " + std::to_string(banded_assumptions) + " banded assumptions) for the uncertainty band";
    }
    return cost;
}

// "/simulation/years, /holdings" under "/3".
std::string under(const std::string& base, const std::string& fields) {
    std::string out;
    for (std::size_t start = 0; start < fields.size();) {
        std::size_t end = fields.find(", ", start);
        if (end == std::string::npos) end = fields.size();
        out += (out.empty() ? "" : ", ") + base + fields.substr(start, end - start);
        start = end + 2;
    }
    return out;
}

}  // namespace

RequestCost quote_request_cost(const nlohmann::json& body, long long max_years, std::size_t banded_assumptions) {
    if (!body.is_array()) return body.is_object() ? element_cost(body, max_years, banded_assumptions) : RequestCost{};
    RequestCost cost;
    std::vector<std::string> fields;  // the costly elements' fields, each once, in order
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (!body[i].is_object()) continue;
        const RequestCost e = element_cost(body[i], max_years, banded_assumptions);
        if (e.units <= 0) continue;
        if (cost.units <= 0) {
            cost.fields = under("/" + std::to_string(i), e.fields);
            cost.what = e.what;
        } else if (e.what != cost.what) {
            cost.what = price_what;
        }
        cost.units += e.units;
        for (std::size_t start = 0; start < e.fields.size();) {
            const std::size_t end = std::min(e.fields.find(", ", start), e.fields.size());
            const std::string f = e.fields.substr(start, end - start);
            if (std::find(fields.begin(), fields.end(), f) == fields.end()) fields.push_back(f);
            start = end + 2;
        }
    }
    if (body.size() > 1 && cost.units > 0) {
        cost.fields.clear();
        for (const std::string& f : fields) cost.fields += (cost.fields.empty() ? "/*" : ", /*") + f;
        cost.what += ", summed over the array";
    }
    return cost;
}

RequestCost simulation_request_cost(const nlohmann::json& body, long long max_years, long long default_years, double passes) {
    RequestCost cost;
    if (!body.is_object() || (!member(body, "simulation") && !member(body, "holdings"))) return cost;
    const long long years = years_of(body, max_years, default_years);
    if (years < 0) return cost;
    cost.units = static_cast<double>(years) * holdings_of(body) * passes;
    cost.fields = "/simulation/years, /holdings";
    if (passes != 1) cost.what = "simulated holding-years (years x holdings, simulated twice)";
    return cost;
}

RequestCost buffer_request_cost(const nlohmann::json& body, long long) {
    RequestCost cost;
    if (!body.is_object()) return cost;
    const long long paths = integer_member(member(body, "simulation"), "paths", 2, 1'000'000, 10'000);
    const long long horizon = integer_member(&body, "horizon_years", 1, 200, 40);
    if (paths < 0 || horizon < 0) return cost;
    cost.units = 2 * static_cast<double>(paths) * static_cast<double>(horizon) * holdings_of(body);
    cost.fields = "/simulation/paths, /horizon_years, /holdings";
    cost.what = "simulated holding-years (paths x horizon years x holdings, simulated twice)";
    return cost;
}

RequestCost damage_request_cost(const nlohmann::json& body, long long) {
    RequestCost cost;
    if (!body.is_object()) return cost;
    const long long paths = integer_member(member(body, "price"), "paths", 1000, 1'000'000, 100'000);
    if (paths < 0) return cost;
    cost.units = static_cast<double>(paths);
    cost.fields = "/price/paths";
    cost.what = "price path fixings (paths of one fixing; simulated for a price model with jumps)";
    return cost;
}

}  // namespace tanhui::api
