#include "risk/pest.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

namespace tanhui::risk {

// Random-number layout of the pest peril, stream holding_perils, peril word PerilId::pest:
//   block 0         word 0: the outbreak (raw compare with the threshold)
//   blocks 1 .. 8   Gamma(a) tries of the affected fraction (Marsaglia-Tsang, one per block)
//   blocks 9 .. 16  Gamma(b) tries; fraction = X / (X + Y)
namespace {

constexpr int gamma_blocks = 8;

std::string str(double v) { return std::to_string(v); }

}  // namespace

PestPeril::PestPeril(const PerilSetup& setup) : slots_(setup.weather_slots) {
    const PestModel& m = setup.model.pest;
    const PestOverride& o = setup.overrides.pest;
    const bool calibrated_needed = !o.probability_per_year || !o.affected_fraction || !o.mortality;
    if (calibrated_needed) validate(m, "model/pest");
    if (o.probability_per_year && !(*o.probability_per_year >= 0 && *o.probability_per_year <= 1))
        throw InvalidInput("model/pest/probability_per_year", "must be in [0, 1], got " + str(*o.probability_per_year));
    if (o.mortality && !(*o.mortality >= 0 && *o.mortality <= 1))
        throw InvalidInput("model/pest/mortality", "must be in [0, 1], got " + str(*o.mortality));
    if (o.affected_fraction) {
        if (!(o.affected_fraction->a > 0 && std::isfinite(o.affected_fraction->a)))
            throw InvalidInput("model/pest/affected_fraction/a", "must be > 0, got " + str(o.affected_fraction->a));
        if (!(o.affected_fraction->b > 0 && std::isfinite(o.affected_fraction->b)))
            throw InvalidInput("model/pest/affected_fraction/b", "must be > 0, got " + str(o.affected_fraction->b));
        a_ = o.affected_fraction->a;
        b_ = o.affected_fraction->b;
    } else {
        a_ = m.affected_a;
        b_ = m.affected_b;
    }
    elasticity_ = o.probability_per_year ? 0.0 : m.fire_weather_elasticity;
    if (elasticity_ != 0 && slots_ > max_weather_slots)
        throw InvalidInput("holdings", "more than " + std::to_string(max_weather_slots - 1) + " fire regions in one book");

    for (std::size_t i = 0; i < setup.holdings.size(); ++i) {
        const PreparedHolding& h = setup.holdings[i];
        const std::size_t t = index(h.forest_type);
        Prepared p;
        p.probability = o.probability_per_year ? *o.probability_per_year : m.probability_per_year[t];
        p.tco2e_if_all_affected = h.area_ha * h.stock_tco2e_per_ha * (o.mortality ? *o.mortality : m.mortality[t]);
        p.threshold = word_threshold(p.probability);
        p.draw_index = h.draw_index;
        p.position = static_cast<std::uint32_t>(i);
        p.slot = elasticity_ != 0 ? h.weather_slot : 0;
        if (p.probability > 0 && p.tco2e_if_all_affected > 0) {
            holdings_.push_back(p);
            draw_index_.push_back(p.draw_index);
        }
    }
}

double PestPeril::add_year(const Year& y, std::span<double> loss_tco2e, EventSink& events) const {
    const auto pest = static_cast<std::uint16_t>(PerilId::pest);
    std::array<double, max_weather_slots> factor;
    factor[0] = 1.0;
    if (elasticity_ != 0)
        for (std::size_t s = 1; s < slots_; ++s) factor[s] = std::pow(y.fire_weather[s], elasticity_);

    std::array<std::uint32_t, occurrence_batch> words;
    double total = 0;
    for (std::size_t start = 0; start < holdings_.size(); start += occurrence_batch) {
        const std::size_t n = std::min(occurrence_batch, holdings_.size() - start);
        occurrence_words(y.seed, y.year, PerilId::pest, draw_index_.data() + start, n, words.data());
        for (std::size_t i = 0; i < n; ++i) {
            const Prepared& h = holdings_[start + i];
            const std::uint64_t threshold =
                h.slot == 0 ? h.threshold : word_threshold(h.probability * factor[h.slot]);
            if (words[i] >= threshold) continue;
            const DrawAddress at{y.seed, Stream::holding_perils, y.year, h.draw_index, pest};
            const double fraction =
                beta_from_gammas(a_, b_, [&](int b) { return at(static_cast<std::uint16_t>(1 + b)); }, gamma_blocks);
            const double loss = fraction * h.tco2e_if_all_affected;
            if (loss > 0) events.add(h.position, PerilId::pest, 0, loss);
            loss_tco2e[h.position] += loss;
            total += loss;
        }
    }
    return total;
}

std::unique_ptr<Peril> make_pest(const PerilSetup& setup) { return std::make_unique<PestPeril>(setup); }

}  // namespace tanhui::risk
