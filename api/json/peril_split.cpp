#include "api/json/peril_split.hpp"

#include <stdexcept>

namespace tanhui::api {

nlohmann::ordered_json split_json(const std::vector<std::string>& perils, const risk::PerilShares& shares, double total,
                                  bool other) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [name, value] : risk::split_means(perils, shares, total, other ? other_key : ""))
        j[name] = value;
    return j;
}

nlohmann::ordered_json split_by_peril(const std::vector<std::string>& perils, std::span<const double> peril_loss,
                                      std::span<const double> amounts, double total, bool other) {
    const std::size_t n = perils.size();
    if (peril_loss.size() != n * amounts.size()) throw std::logic_error("split_by_peril: one row of peril losses per year");
    risk::PerilShares acc = risk::peril_shares(n);
    risk::add_years(acc, peril_loss, amounts);
    return split_json(perils, acc, total, other);
}

}  // namespace tanhui::api
