#include "api/service/store_history.hpp"

namespace tanhui::api {

std::vector<risk::History::Inventory> StoreHistory::forest_area_series(const std::string& region) {
    std::vector<Inventory> out;
    for (const auto& inv : store_.forest_area_series(region)) out.push_back({inv.reference_year, inv.forest_area_ha});
    return out;
}

std::vector<std::string> StoreHistory::provinces() {
    std::vector<std::string> out;
    for (const Region& r : store_.regions("province")) out.push_back(r.code);
    return out;
}

}  // namespace tanhui::api
