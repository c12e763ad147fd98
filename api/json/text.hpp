// The one way an answer becomes text: compact (no spaces), and a string that is not valid UTF-8
// written with U+FFFD rather than thrown on. HTTP bodies and stored quotes both use it, so that a
// stored answer is the text the client got.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace tanhui::api {

inline std::string compact_json(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
inline std::string compact_json(const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace tanhui::api
