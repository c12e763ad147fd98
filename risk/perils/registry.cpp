// The only list of perils: a static library drops self-registering statics, so it is explicit.
// A new peril is one line here (name, random-number word, default cover, and its functions).
#include "risk/perils/registry.hpp"

#include "risk/calibration/fire_model.hpp"
#include "risk/calibration/freeze_model.hpp"
#include "risk/calibration/landslide_model.hpp"
#include "risk/calibration/pest_model.hpp"
#include "risk/calibration/typhoon_model.hpp"
#include "risk/perils/fire.hpp"
#include "risk/perils/freeze.hpp"
#include "risk/perils/landslide.hpp"
#include "risk/perils/pest.hpp"
#include "risk/perils/typhoon.hpp"

#include <string>

namespace tanhui::risk {

namespace {

const PerilEntry perils[] = {
    {fire_peril_name, PerilId::fire, true, make_fire, decode_fire_override, describe_fire, fire_families, calibrate_fire,
     assemble_fire, fire_history_rows, {}},
    {pest_peril_name, PerilId::pest, true, make_pest, decode_pest_override, describe_pest, pest_families, calibrate_pest,
     assemble_pest, pest_history_rows, pest_history_filters},
    {freeze_peril_name, PerilId::freeze, false, make_freeze, decode_freeze_override, describe_freeze, freeze_families,
     calibrate_freeze, assemble_freeze, freeze_history_rows, {}},
    {landslide_peril_name, PerilId::landslide, false, make_landslide, decode_landslide_override, describe_landslide,
     landslide_families, calibrate_landslide, assemble_landslide, landslide_history_rows, {}},
    {typhoon_peril_name, PerilId::typhoon, false, make_typhoon, decode_typhoon_override, describe_typhoon, typhoon_families,
     calibrate_typhoon, assemble_typhoon, typhoon_history_rows, typhoon_history_filters},
};

std::vector<std::string> names_where(bool (*keep)(const PerilEntry&)) {
    std::vector<std::string> out;
    for (const PerilEntry& e : perils)
        if (keep(e)) out.emplace_back(e.name);
    return out;
}

}  // namespace

std::span<const PerilEntry> peril_registry() { return perils; }

const PerilEntry* find_peril(std::string_view name) {
    for (const PerilEntry& e : perils)
        if (e.name == name) return &e;
    return nullptr;
}

const PerilEntry* peril_of_family(std::string_view family) {
    for (const PerilEntry& e : perils)
        for (std::string_view f : e.families)
            if (f == family) return &e;
    return nullptr;
}

std::vector<std::string> peril_names() {
    return names_where([](const PerilEntry&) { return true; });
}
std::vector<std::string> history_peril_names() {
    return names_where([](const PerilEntry& e) { return e.history != nullptr; });
}
std::vector<std::string> default_perils() {
    return names_where([](const PerilEntry& e) { return e.default_cover; });
}

std::string join_names(const std::vector<std::string>& names, std::string_view last_separator, bool quoted) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += i + 1 == names.size() ? last_separator : std::string_view(", ");
        out += quoted ? "\"" + names[i] + "\"" : names[i];
    }
    return out;
}

std::unique_ptr<Peril> make_peril(std::string_view name, const PerilSetup& setup) {
    if (const PerilEntry* e = find_peril(name)) return e->make(setup);
    throw InvalidInput("perils", "unknown peril \"" + std::string(name) + "\"; known: " + join_names(peril_names(), ", ", false));
}

}  // namespace tanhui::risk
