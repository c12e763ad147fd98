#include "risk/pest.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

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

namespace {

// The outbreak threshold of a holding in slot s is word_threshold(p G_s^e). pow costs about 100
// instructions and most words are far from the threshold, so each slot first gets cheap bounds
// L_s <= G_s^e <= U_s (for 0 <= e <= 1: Bernoulli's inequality gives U = 1 + e (G - 1); exp(t) >=
// 1 + t and ln G >= 1 - 1/G give L = 1 + e (1 - 1/G)); a word 2 or more beyond p U 2^32 is no
// outbreak, one 2 or more below p L 2^32 is one, and only words in between take the exact pow.
// The outcomes are those of the exact threshold, bit for bit.
class SlotFactors {
public:
    SlotFactors(std::span<const double> g, std::size_t slots, double elasticity) : g_(g), e_(elasticity) {
        upper_bounds(g, slots, elasticity, upper_.data());
        lower_[0] = exact_[0] = 1.0;
        if (elasticity == 0) return;
        for (std::size_t s = 1; s < slots; ++s) {
            if (bounded(elasticity, g[s])) {
                lower_[s] = 1.0 + elasticity * (1.0 - 1.0 / g[s]);
                exact_[s] = -1.0;  // not computed yet
            } else {
                exact_[s] = lower_[s] = upper_[s];
            }
        }
    }

    // U_s for s < slots into upper (the exact G_s^e where the bounds do not apply).
    static void upper_bounds(std::span<const double> g, std::size_t slots, double elasticity, double* upper) {
        upper[0] = 1.0;
        if (elasticity == 0) return;
        for (std::size_t s = 1; s < slots; ++s)
            upper[s] = bounded(elasticity, g[s]) ? 1.0 + elasticity * (g[s] - 1.0) : std::pow(g[s], elasticity);
    }

    bool outbreak(const PestPeril::Prepared& h, std::uint32_t w) {
        if (h.slot == 0) return w < h.threshold;
        const std::size_t s = h.slot;
        const double word = double(w);
        if (word >= h.probability * upper_[s] * two_to_32 + 2.0) return false;
        if (word + 2.0 < h.probability * lower_[s] * two_to_32) return true;
        if (exact_[s] < 0) exact_[s] = std::pow(g_[s], e_);
        return w < word_threshold(h.probability * exact_[s]);
    }

private:
    static bool bounded(double elasticity, double g) { return elasticity > 0 && elasticity <= 1 && g > 0; }

    std::span<const double> g_;
    double e_;
    std::array<double, PestPeril::max_weather_slots> lower_, upper_, exact_;
};

}  // namespace

double PestPeril::add_year(const Year& y, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                           EventSink& events) const {
    const auto pest = static_cast<std::uint16_t>(PerilId::pest);
    SlotFactors factors(y.fire_weather, slots_, elasticity_);
    std::array<std::uint32_t, occurrence_batch> batch;
    double total = 0;
    for (std::size_t start = 0; start < holdings_.size(); start += occurrence_batch) {
        const std::size_t n = std::min(occurrence_batch, holdings_.size() - start);
        const std::uint32_t* words = occurrence.empty() ? batch.data() : occurrence.data() + start;
        if (occurrence.empty()) occurrence_words(y.seed, y.year, PerilId::pest, draw_index_.data() + start, n, batch.data());
        for (std::size_t i = 0; i < n; ++i) {
            const Prepared& h = holdings_[start + i];
            if (!factors.outbreak(h, words[i])) continue;
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

bool PestPeril::add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                          std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const {
    const std::size_t n_holdings = holdings_.size();
    if (occurrence.size() != block.years * n_holdings || loss_tco2e.size() != block.years * book_holdings) return false;

    // The outbreaks of the block, in year then holding order (per-thread scratch: a block of a
    // one-holding quote has about 75 outbreaks, and allocating it each block cost more).
    thread_local struct {
        std::vector<std::uint32_t> year, draw_index, which, year_in_block, w0, w1, w2;
        std::vector<std::size_t> cell;  // index into loss_tco2e
        std::vector<double> x, y, z;
        std::vector<unsigned char> accepted;
        std::vector<double> upper;
        std::vector<std::uint32_t> candidates;
    } scratch;
    auto& [year, draw_index, which, year_in_block, w0, w1, w2, cell, x, y, z, accepted, upper, candidates] = scratch;
    for (auto* v : {&year, &draw_index, &which, &year_in_block}) v->clear();
    cell.clear();
    // The block's words are first screened without a branch per word (an outbreak a year in
    // four is a branch no predictor learns): a word below its holding's threshold at the year's
    // upper bound U_s is a candidate; SlotFactors::outbreak then decides each candidate exactly.
    upper.resize(block.years * slots_);
    for (std::size_t k = 0; k < block.years; ++k)
        SlotFactors::upper_bounds(std::span<const double>(block.fire_weather + k * block.slots, block.slots), slots_,
                                  elasticity_, upper.data() + k * slots_);
    candidates.resize(block.years * n_holdings);
    std::size_t count = 0;
    for (std::size_t k = 0; k < block.years; ++k)
        for (std::size_t i = 0; i < n_holdings; ++i) {
            const Prepared& h = holdings_[i];
            candidates[count] = static_cast<std::uint32_t>(k * n_holdings + i);
            count += double(occurrence[k * n_holdings + i]) < h.probability * upper[k * slots_ + h.slot] * two_to_32 + 2.0 ? 1 : 0;
        }
    std::optional<SlotFactors> factors;
    std::size_t factors_year = block.years;
    for (std::size_t c = 0; c < count; ++c) {
        const std::size_t k = candidates[c] / n_holdings, i = candidates[c] % n_holdings;
        if (k != factors_year) {
            factors.emplace(std::span<const double>(block.fire_weather + k * block.slots, block.slots), slots_, elasticity_);
            factors_year = k;
        }
        const Prepared& h = holdings_[i];
        if (!factors->outbreak(h, occurrence[candidates[c]])) continue;
        year.push_back(block.first_year + static_cast<std::uint32_t>(k));
        draw_index.push_back(h.draw_index);
        which.push_back(static_cast<std::uint32_t>(i));
        year_in_block.push_back(static_cast<std::uint32_t>(k));
        cell.push_back(k * book_holdings + h.position);
    }
    const std::size_t n = year.size();
    if (n == 0) return true;

    // First Marsaglia-Tsang try of Gamma(a) (block 1) and Gamma(b) (block 1 + gamma_blocks) of
    // each outbreak, as gamma_marsaglia_tsang computes it: accepted when t > 0 and the squeeze
    // u < 1 - 0.0331 z^4 holds; X = d t^3. Shapes below 1 (the U^(1/shape) boost) and the
    // outbreaks whose try is not accepted by the squeeze take the scalar beta_from_gammas.
    for (auto* v : {&x, &y, &z}) v->resize(n);
    for (auto* v : {&w0, &w1, &w2}) v->resize(n);
    accepted.assign(n, 1);
    const auto first_try = [&](double shape, std::uint16_t first_block, std::vector<double>& out) {
        words_at(block.seed, Stream::holding_perils, PerilId::pest, first_block, year.data(), draw_index.data(), n, w0.data(),
                 w1.data(), w2.data());
        normals_from_words(w0.data(), w1.data(), n, z.data());
        const double d = shape - 1.0 / 3.0;
        const double c = 1.0 / std::sqrt(9.0 * d);
        for (std::size_t e = 0; e < n; ++e) {
            const double t = 1.0 + c * z[e];
            const double v = t * t * t;
            const double u = uniform32(w2[e]);
            const bool ok = t > 0 && u < 1.0 - 0.0331 * (z[e] * z[e]) * (z[e] * z[e]) && v > 0;
            out[e] = d * v;
            accepted[e] = static_cast<unsigned char>(accepted[e] & static_cast<unsigned char>(ok));
        }
    };
    if (a_ >= 1 && b_ >= 1) {
        first_try(a_, 1, x);
        first_try(b_, static_cast<std::uint16_t>(1 + gamma_blocks), y);
    } else {
        std::fill(accepted.begin(), accepted.end(), 0);
    }
    const auto pest = static_cast<std::uint16_t>(PerilId::pest);
    for (std::size_t e = 0; e < n; ++e) {
        double fraction;
        if (accepted[e]) {
            fraction = x[e] / (x[e] + y[e]);
        } else {
            const DrawAddress at{block.seed, Stream::holding_perils, year[e], draw_index[e], pest};
            fraction = beta_from_gammas(a_, b_, [&](int b) { return at(static_cast<std::uint16_t>(1 + b)); }, gamma_blocks);
        }
        const Prepared& h = holdings_[which[e]];
        const double loss = fraction * h.tco2e_if_all_affected;
        if (loss > 0) events.push_back({year_in_block[e], {h.position, PerilId::pest, 0, loss}});
        loss_tco2e[cell[e]] = loss;
    }
    return true;
}

std::unique_ptr<Peril> make_pest(const PerilSetup& setup) { return std::make_unique<PestPeril>(setup); }

}  // namespace tanhui::risk
