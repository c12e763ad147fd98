#include "api/service/price_choice.hpp"

#include <map>

namespace tanhui::api {

std::optional<std::string> shipped_price_family(const std::string& market) {
    // docs/validation.md "Carbon price" has the scores behind each choice.
    static const std::map<std::string, std::string> chosen{
        {"BJEA", "gbm_t"}, {"CEA", "gbm"},       {"CQEA", "ou_noise"}, {"EUA", "gbm_t"},      {"FJEA", "gbm_noise"},
        {"GDEA", "gbm_t"}, {"HBEA", "gbm_t"},    {"SHEA", "gbm_t"},     {"TJEA", "gbm_noise"},
    };
    const auto it = chosen.find(market);
    if (it == chosen.end()) return std::nullopt;
    return it->second;
}

}  // namespace tanhui::api
