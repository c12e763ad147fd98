#include "data/types.hpp"

#include <ctime>

namespace tanhui {

std::optional<ForestType> parse_forest_type(std::string_view name) {
    for (std::size_t i = 0; i < forest_type_names.size(); ++i)
        if (forest_type_names[i] == name) return static_cast<ForestType>(i);
    return std::nullopt;
}

std::string_view to_string(ForestType type) { return forest_type_names[static_cast<std::size_t>(type)]; }

std::string utc_now_iso8601() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string normalise_region_code(std::string_view code) {
    std::string c(code);
    if (c.size() == 6 && c.find_first_not_of("0123456789") == std::string::npos) {
        if (c.compare(2, 4, "0000") == 0) return c.substr(0, 2);
        if (c.compare(4, 2, "00") == 0) return c.substr(0, 4);
    }
    return c;
}

}  // namespace tanhui
