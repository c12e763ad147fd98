// The only list of perils: a static library drops self-registering statics, so it is explicit.
#include "risk/fire.hpp"
#include "risk/peril.hpp"
#include "risk/pest.hpp"

#include <string>

namespace tanhui::risk {

namespace {

const PerilEntry perils[] = {
    {"fire", PerilId::fire, make_fire},
    {"pest", PerilId::pest, make_pest},
};

}  // namespace

std::span<const PerilEntry> peril_registry() { return perils; }

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
void occurrence_words(std::uint64_t seed, std::uint32_t year, PerilId peril, const std::uint32_t* draw_index,
                      std::size_t n, std::uint32_t* out) {
    const auto p = static_cast<std::uint16_t>(peril);
    const auto stream = static_cast<std::uint32_t>(Stream::holding_perils);
    for (std::size_t i = 0; i < n; ++i) out[i] = draw_words(seed, stream, year, draw_index[i], p, 0)[0];
}

std::unique_ptr<Peril> make_peril(std::string_view name, const PerilSetup& setup) {
    std::string known;
    for (const PerilEntry& e : perils) {
        if (e.name == name) return e.make(setup);
        known += (known.empty() ? "" : ", ") + std::string(e.name);
    }
    throw InvalidInput("perils", "unknown peril \"" + std::string(name) + "\"; known: " + known);
}

}  // namespace tanhui::risk
