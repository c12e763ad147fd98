#include "api/service/request_cost.hpp"

#include "pricing/premium.hpp"
#include "pricing/price_insurance.hpp"

#include <nlohmann/json.hpp>

namespace tanhui::api {

namespace {

const nlohmann::json* member(const nlohmann::json& j, const char* name) {
    if (!j.is_object()) return nullptr;
    const auto it = j.find(name);
    return it == j.end() ? nullptr : &*it;
}

std::string string_member(const nlohmann::json* j, const char* name) {
    const nlohmann::json* v = j ? member(*j, name) : nullptr;
    return v && v->is_string() ? v->get<std::string>() : std::string();
}

// simulation.years, or `fallback` when absent; -1 when it is not an integer in [1, max_years].
long long years_of(const nlohmann::json& element, long long max_years, long long fallback) {
    const nlohmann::json* sim = member(element, "simulation");
    const nlohmann::json* years = sim ? member(*sim, "years") : nullptr;
    if (!years) return fallback;
    if (!years->is_number_integer()) return -1;
    const long long y = years->is_number_unsigned() && years->get<unsigned long long>() > 1ULL << 62
                            ? -1
                            : years->get<long long>();
    return y >= 1 && y <= max_years ? y : -1;
}

double holdings_of(const nlohmann::json& element) {
    const nlohmann::json* h = member(element, "holdings");
    return h && h->is_array() && !h->empty() ? static_cast<double>(h->size()) : 1.0;
}

// A price_insurance quote with no simulation at all (price_insurance.cpp: closed_form_applies).
bool closed_form_price_quote(const nlohmann::json& element) {
    if (string_member(&element, "product") != "price_insurance") return false;
    const nlohmann::json* cover = member(element, "cover");
    const std::string method = string_member(cover, "method");
    if (!method.empty() && method != "risk_neutral") return false;
    pricing::PriceInsuranceTerms terms;
    const std::string engine = string_member(cover, "engine");
    if (!engine.empty()) {
        terms.engine = pricing::find_asian_engine(engine);
        if (!terms.engine) return true;  // unknown: the decoder refuses it
    }
    pricing::PremiumTerms premium;
    const std::string principle = string_member(member(element, "premium"), "principle");
    if (!principle.empty()) {
        const auto p = pricing::parse_principle(principle);
        if (!p) return true;
        premium.principle = *p;
    }
    return pricing::closed_form_applies(premium, pricing::engine_of(terms));
}

std::string with_base(const std::string& base, const char* fields) {
    return base.empty() ? std::string(fields) : base + fields;
}

}  // namespace

RequestCost quote_request_cost(const nlohmann::json& body, long long max_years) {
    RequestCost cost;
    const bool many = body.is_array();
    const std::size_t n = many ? body.size() : 1;
    for (std::size_t i = 0; i < n; ++i) {
        const nlohmann::json& element = many ? body[i] : body;
        if (!element.is_object() || closed_form_price_quote(element)) continue;
        const long long years = years_of(element, max_years, 100'000);
        if (years < 0) continue;
        const double units = static_cast<double>(years) * holdings_of(element);
        cost.units += units;
        if (cost.fields.empty() && units > 0)
            cost.fields = many ? "/" + std::to_string(i) + "/simulation/years, /" + std::to_string(i) + "/holdings"
                               : with_base("", "/simulation/years, /holdings");
    }
    if (many && n > 1 && cost.units > 0) cost.fields = "/*/simulation/years, /*/holdings (summed over the array)";
    return cost;
}

RequestCost simulation_request_cost(const nlohmann::json& body, long long max_years, long long default_years) {
    RequestCost cost;
    if (!body.is_object() || (!member(body, "simulation") && !member(body, "holdings"))) return cost;
    const long long years = years_of(body, max_years, default_years);
    if (years < 0) return cost;
    cost.units = static_cast<double>(years) * holdings_of(body);
    cost.fields = "/simulation/years, /holdings";
    return cost;
}

}  // namespace tanhui::api
