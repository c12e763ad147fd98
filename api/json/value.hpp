// nlohmann::json <-> risk::Value (risk/model/value.hpp), without loss: null, booleans, signed and
// unsigned integers, reals (a NaN or infinite real becomes JSON null, as nlohmann dumps it),
// strings, arrays and objects (keys in the same byte order). A peril's override and its stored
// calibration cross the api/risk boundary through these two functions only.
#pragma once

#include "risk/model/value.hpp"

#include <nlohmann/json.hpp>

namespace tanhui::api {

risk::Value to_value(const nlohmann::json& j);
nlohmann::json to_json(const risk::Value& v);

}  // namespace tanhui::api
