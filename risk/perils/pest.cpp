#include "risk/perils/pest.hpp"

#include "risk/random/beta_batch.hpp"
#include "risk/random/simd_clones.hpp"
#include "risk/random/year_cache.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace tanhui::risk {

// Random-number layout of the pest peril, stream holding_perils, peril word PerilId::pest:
//   block 0         word 0: the outbreak (raw compare with the threshold)
//   blocks 1 .. 8   Gamma(a) tries of the affected fraction (Marsaglia-Tsang, one per block)
//   blocks 9 .. 16  Gamma(b) tries; fraction = X / (X + Y)
//   block 17        word 0: pine-wilt infestation of the holding (its county epidemic)
//   blocks 18 .. 33 the infested share, as blocks 1 .. 16
// and the county's pine-wilt epidemic of the year on stream weather, holding word = the county's
// code as a number, peril word PerilId::pest, block 0, word 0 (the weather's own draws use peril
// word 1): every holding of a county reads the same word, so a county's holdings are infected
// together.
namespace {

constexpr int gamma_blocks = 8;
constexpr std::uint16_t pine_wilt_block = 17;

// The county word of a holding's region: its normalised code as a number (a province or
// prefecture code stands for the whole of it).
std::uint32_t county_word(const std::string& region) {
    const std::string code = normalise_region_code(region);
    std::uint32_t w = 0;
    for (char c : code)
        if (c >= '0' && c <= '9') w = w * 10 + static_cast<std::uint32_t>(c - '0');
    return w;
}

std::string str(double v) { return std::to_string(v); }

}  // namespace


PestPeril::PestPeril(const PerilSetup& setup) : slots_(setup.weather_slots) {
    // A model without a pest calibration has no outbreaks (every probability 0).
    static const PestModel no_model;
    static const PestOverride none;
    const PestModel& m = pest_model(setup.model) ? *pest_model(setup.model) : no_model;
    const PestOverride& o = pest_override(setup.overrides) ? *pest_override(setup.overrides) : none;
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
    elasticity_ = o.probability_per_year ? 0.0 : m.weather_elasticity;
    if (elasticity_ != 0 && slots_ > max_weather_slots)
        throw InvalidInput("holdings", "more than " + std::to_string(max_weather_slots - 1) + " weather regions in one book");

    // An override of the outbreak probability describes the whole peril: no pine-wilt process.
    const PineWiltModel& pw = m.pine_wilt;
    pine_wilt_ = !o.probability_per_year && pw.county_probability > 0 && pw.stand_probability > 0 && pw.dying_fraction > 0;
    county_threshold_ = word_threshold(pw.county_probability);
    stand_threshold_ = word_threshold(pw.stand_probability);

    for (std::size_t i = 0; i < setup.holdings.size(); ++i) {
        const PreparedHolding& h = setup.holdings[i];
        const std::size_t t = index(h.forest_type);
        Prepared p;
        p.probability = o.probability_per_year ? *o.probability_per_year : m.probability_per_year[t];
        p.tco2e_if_all_affected = h.area_ha * h.stock_tco2e_per_ha * (o.mortality ? *o.mortality : m.mortality[t]);
        p.stock_tco2e = h.area_ha * h.stock_tco2e_per_ha;
        p.threshold = word_threshold(p.probability);
        p.draw_index = h.draw_index;
        p.position = static_cast<std::uint32_t>(i);
        p.slot = elasticity_ != 0 ? h.weather_slot : 0;
        p.growth_tco2e_if_all_affected = h.area_ha * h.stock_tco2e_per_ha * m.growth_loss_fraction;
        if (pine_wilt_) p.pine_wilt_tco2e_if_all_infested = h.area_ha * h.stock_tco2e_per_ha * pw.host_share[t] * pw.dying_fraction;
        p.county = county_word(h.region);
        const bool general = p.probability > 0 && (p.tco2e_if_all_affected > 0 || p.growth_tco2e_if_all_affected > 0);
        if (general || p.pine_wilt_tco2e_if_all_infested > 0) {
            holdings_.push_back(p);
            draw_index_.push_back(p.draw_index);
            any_pine_wilt_ = any_pine_wilt_ || p.pine_wilt_tco2e_if_all_infested > 0;
            reduces_growth_ = reduces_growth_ || (p.probability > 0 && p.growth_tco2e_if_all_affected > 0);
        }
    }
    // The block path's books (at most 64 holdings) read their affected shares from cached rows
    // (fraction_row); a bigger book's holdings would only crowd the cache's table of parameters.
    if (holdings_.size() <= block_path_max_holdings)
        for (const Prepared& p : holdings_)
            fraction_row_.push_back(year_draw_cache().intern(
                YearRowParameters("pest_fraction").add(a_).add(b_).add(std::uint64_t{gamma_blocks}).add(std::uint64_t{p.draw_index})));
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
    // L_s and U_s of one slot's G (both the exact G^e where the bounds do not apply).
    static void bounds(double g, double elasticity, double& lower, double& upper) {
        if (elasticity > 0 && elasticity <= 1 && g > 0) {
            upper = 1.0 + elasticity * (g - 1.0);
            lower = 1.0 + elasticity * (1.0 - 1.0 / g);
        } else {
            lower = upper = std::pow(g, elasticity);
        }
    }
    // U_s alone, for slots 0 .. slots - 1 (the screen needs no more).
    static void upper_bounds(const double* g, std::size_t slots, double elasticity, double* upper) {
        upper[0] = 1.0;
        if (elasticity > 0 && elasticity <= 1) {
            for (std::size_t s = 1; s < slots; ++s)
                upper[s] = g[s] > 0 ? 1.0 + elasticity * (g[s] - 1.0) : std::pow(g[s], elasticity);
        } else {
            for (std::size_t s = 1; s < slots; ++s) upper[s] = elasticity == 0 ? 1.0 : std::pow(g[s], elasticity);
        }
    }
    // Bounds of slots 0 .. slots - 1 (slot 0: no factor, 1); all 1 when the elasticity is 0.
    static void bounds(const double* g, std::size_t slots, double elasticity, double* lower, double* upper) {
        lower[0] = upper[0] = 1.0;
        for (std::size_t s = 1; s < slots; ++s) {
            if (elasticity == 0)
                lower[s] = upper[s] = 1.0;
            else
                bounds(g[s], elasticity, lower[s], upper[s]);
        }
    }
    // The rule, given the bounds of the holding's slot.
    static bool outbreak(const PestPeril::Prepared& h, std::uint32_t w, double g, double elasticity, double lower,
                         double upper) {
        if (h.slot == 0) return w < h.threshold;
        const double word = double(w);
        if (word >= h.probability * upper * two_to_32 + 2.0) return false;
        if (word + 2.0 < h.probability * lower * two_to_32) return true;
        return w < word_threshold(h.probability * std::pow(g, elasticity));
    }
};

}  // namespace

double PestPeril::add_year(const Year& y, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                           EventSink& events) const {
    std::array<double, max_weather_slots> lower, upper;
    SlotFactors::bounds(y.weather.data(), slots_, elasticity_, lower.data(), upper.data());
    std::array<std::uint32_t, occurrence_batch> batch;
    double total = 0;
    for (std::size_t start = 0; start < holdings_.size(); start += occurrence_batch) {
        const std::size_t n = std::min(occurrence_batch, holdings_.size() - start);
        const std::uint32_t* words = occurrence.empty() ? batch.data() : occurrence.data() + start;
        if (occurrence.empty()) occurrence_words(y.seed, y.year, PerilId::pest, draw_index_.data() + start, n, batch.data());
        for (std::size_t i = 0; i < n; ++i) {
            const Prepared& h = holdings_[start + i];
            const double fraction = outbreak_fraction(y, h, words[i], lower.data(), upper.data());
            const bool outbreak = fraction >= 0;
            double loss = outbreak ? fraction * h.tco2e_if_all_affected : 0.0;
            if (loss > 0) events.add(h.position, PerilId::pest, 0, loss, h.stock_tco2e);
            const double pine_wilt = any_pine_wilt_ ? pine_wilt_loss(y, h) : 0.0;
            if (pine_wilt > 0) events.add(h.position, PerilId::pest, loss > 0 ? 1 : 0, pine_wilt, h.stock_tco2e);
            if (!outbreak && !(pine_wilt > 0)) continue;
            loss += pine_wilt;
            loss_tco2e[h.position] += loss;
            total += loss;
        }
    }
    return total;
}

// The affected share of the general outbreak of a holding-year, -1 when there is none.
double PestPeril::outbreak_fraction(const Year& y, const Prepared& h, std::uint32_t word, const double* lower,
                                    const double* upper) const {
    if (!SlotFactors::outbreak(h, word, y.weather[h.slot], elasticity_, lower[h.slot], upper[h.slot])) return -1;
    const auto pest = static_cast<std::uint16_t>(PerilId::pest);
    const DrawAddress at{y.seed, Stream::holding_perils, y.year, h.draw_index, pest};
    return beta_from_gammas(a_, b_, [&](int b) { return at(static_cast<std::uint16_t>(1 + b)); }, gamma_blocks);
}

// The pine-wilt loss of a holding-year: its county epidemic (one word per county and year), its
// infestation, the infested share of its host stock dying.
double PestPeril::pine_wilt_loss(const Year& y, const Prepared& h) const {
    if (!(h.pine_wilt_tco2e_if_all_infested > 0)) return 0;
    const auto pest = static_cast<std::uint16_t>(PerilId::pest);
    const auto county = draw_words(y.seed, static_cast<std::uint32_t>(Stream::weather), y.year, h.county, pest, 0);
    if (!(county[0] < county_threshold_)) return 0;
    const DrawAddress at{y.seed, Stream::holding_perils, y.year, h.draw_index, pest};
    if (!(at(pine_wilt_block)[0] < stand_threshold_)) return 0;
    const double infested = beta_from_gammas(
        a_, b_, [&](int b) { return at(static_cast<std::uint16_t>(pine_wilt_block + 1 + b)); }, gamma_blocks);
    return infested * h.pine_wilt_tco2e_if_all_infested;
}

double PestPeril::add_forgone_growth(const Year& y, std::span<double> growth_tco2e) const {
    std::array<double, max_weather_slots> lower, upper;
    SlotFactors::bounds(y.weather.data(), slots_, elasticity_, lower.data(), upper.data());
    std::array<std::uint32_t, occurrence_batch> words;
    double total = 0;
    for (std::size_t start = 0; start < holdings_.size(); start += occurrence_batch) {
        const std::size_t n = std::min(occurrence_batch, holdings_.size() - start);
        occurrence_words(y.seed, y.year, PerilId::pest, draw_index_.data() + start, n, words.data());
        for (std::size_t i = 0; i < n; ++i) {
            const Prepared& h = holdings_[start + i];
            const double fraction = outbreak_fraction(y, h, words[i], lower.data(), upper.data());
            if (fraction < 0) continue;
            const double growth = fraction * h.growth_tco2e_if_all_affected;
            growth_tco2e[h.position] += growth;
            total += growth;
        }
    }
    return total;
}

// The affected shares of a holding's general outbreaks over a block of years, one for every
// year whether or not it has an outbreak: add_year's outbreak_fraction draws (the same bits), a
// function of the seed, the years, the holding's draw index and the Beta(a, b) shape alone. Kept
// in the year-draw cache (risk/random/year_cache.hpp): a warm quote reads its outbreaks' shares
// instead of drawing two gammas for each (a one-holding quote has about 25,000 outbreaks).
YearRow PestPeril::fraction_row(const YearBlock& block, std::size_t i) const {
    const YearRowKey key{fraction_row_[i], block.seed, block.first_year, static_cast<std::uint32_t>(block.years), 0};
    return year_draw_cache().get(key, [&](std::vector<double>& row) {
        // The first Marsaglia-Tsang tries of both gammas of every year at once
        // (beta_first_tries, blocks 1 and 1 + gamma_blocks); the years whose try the squeeze
        // does not accept, and every one when a shape is below 1, take the scalar beta_from_gammas.
        const std::size_t n = block.years;
        thread_local std::vector<std::uint32_t> year, draw_index;
        thread_local std::vector<unsigned char> accepted;
        year.resize(n);
        draw_index.assign(n, holdings_[i].draw_index);
        accepted.resize(n);
        for (std::size_t k = 0; k < n; ++k) year[k] = block.first_year + static_cast<std::uint32_t>(k);
        beta_first_tries(block.seed, Stream::holding_perils, PerilId::pest, 1, gamma_blocks, a_, b_, year.data(),
                         draw_index.data(), n, row.data(), accepted.data());
        const auto pest = static_cast<std::uint16_t>(PerilId::pest);
        for (std::size_t k = 0; k < n; ++k) {
            if (accepted[k]) continue;
            const DrawAddress at{block.seed, Stream::holding_perils, year[k], draw_index[k], pest};
            row[k] = beta_from_gammas(a_, b_, [&](int b) { return at(static_cast<std::uint16_t>(1 + b)); }, gamma_blocks);
        }
    });
}

// The general outbreaks of a block (at most 64 holdings; occurrence: the block's words of
// occurrence_holdings(), year-major), in year then holding order, each with the affected share
// add_year's outbreak_fraction draws for it (the same bits): scratch valid until the next call on
// this thread.
namespace {
// One holding's column of the block's screen (block_outbreaks): marks[k * stride] = 1 when the
// word of year k is below the holding's threshold at the year's upper bound U = 1 + e (G - 1)
// (G > 0 always; a G <= 0 makes the word a candidate, and the exact rule decides). weather and
// words are the holding's first entries, weather[k * slots] and words[k * stride] its year k.
// Plain pointers and locals: stores through unsigned char may alias anything, so the loop reads
// nothing through a pointer it could be storing to; cloned for SIMD (the unsigned word to a double
// takes AVX-512's conversion; IEEE arithmetic and no contraction: the same marks in every clone).
TANHUI_SIMD_CLONES
void screen_holding(const double* weather, std::size_t slots, const std::uint32_t* words, std::size_t stride,
                    std::size_t years, double e, double p, unsigned char* marks) {
    for (std::size_t k = 0; k < years; ++k) {
        const double g = weather[k * slots];
        const double u = g > 0 ? 1.0 + e * (g - 1.0) : std::numeric_limits<double>::infinity();
        marks[k * stride] = double(words[k * stride]) < p * u * two_to_32 + 2.0 ? 1 : 0;
    }
}
}  // namespace

std::span<const PestPeril::BlockOutbreak> PestPeril::block_outbreaks(const YearBlock& block,
                                                                     std::span<const std::uint32_t> occurrence) const {
    const std::size_t n_holdings = holdings_.size();
    thread_local std::vector<BlockOutbreak> out;

    // The outbreaks of the block, in year then holding order (per-thread scratch: a block of a
    // one-holding quote has about 75 outbreaks, and allocating it each block cost more).
    thread_local struct {
        std::vector<double> upper;
        std::vector<std::uint32_t> candidates;
        std::vector<unsigned char> screen;
    } scratch;
    auto& [upper, candidates, screen] = scratch;
    screen.resize(block.years * n_holdings);
    out.clear();
    // The block's words are first screened without a branch per word (an outbreak a year in
    // four is a branch no predictor learns): a word below its holding's threshold at the year's
    // upper bound U_s is a candidate. A candidate below the threshold at the lower bound L_s is
    // an outbreak; the rest take the exact pow (SlotFactors::outbreak).
    // Candidates are coded k * 64 + i (a block book has at most 64 holdings): no division.
    candidates.resize(block.years * n_holdings);
    std::size_t count = 0;
    if (elasticity_ > 0 && elasticity_ <= 1) {
        // U = 1 + e (G - 1) inline (G > 0 always; a G <= 0 makes the word a candidate, and the
        // exact rule decides).
        // Plain locals: stores through unsigned char may alias anything, so the loop reads
        // nothing through a pointer it could be storing to, and vectorises.
        for (std::size_t i = 0; i < n_holdings; ++i)
            screen_holding(block.weather + holdings_[i].slot, block.slots, occurrence.data() + i, n_holdings, block.years,
                           holdings_[i].slot == 0 ? 0.0 : elasticity_, holdings_[i].probability, screen.data() + i);
    } else {
        upper.resize(block.years * slots_);
        for (std::size_t k = 0; k < block.years; ++k)
            SlotFactors::upper_bounds(block.weather + k * block.slots, slots_, elasticity_, upper.data() + k * slots_);
        for (std::size_t k = 0; k < block.years; ++k)
            for (std::size_t i = 0; i < n_holdings; ++i) {
                const Prepared& h = holdings_[i];
                screen[k * n_holdings + i] =
                    double(occurrence[k * n_holdings + i]) < h.probability * upper[k * slots_ + h.slot] * two_to_32 + 2.0;
            }
    }
    for (std::size_t k = 0; k < block.years; ++k)
        for (std::size_t i = 0; i < n_holdings; ++i) {
            candidates[count] = static_cast<std::uint32_t>(k * 64 + i);
            count += screen[k * n_holdings + i];
        }
    // Each holding's shares are read from its row (fraction_row), fetched on its first outbreak.
    static_assert(block_path_max_holdings <= 64, "candidates are coded year x 64 + holding");
    std::array<YearRow, block_path_max_holdings> rows;
    for (std::size_t c = 0; c < count; ++c) {
        const std::size_t k = candidates[c] >> 6, i = candidates[c] & 63;
        const Prepared& h = holdings_[i];
        const double g = block.weather[k * block.slots + h.slot];
        double lower = 1.0, upper_s = 1.0;
        if (h.slot != 0) SlotFactors::bounds(g, elasticity_, lower, upper_s);
        if (!SlotFactors::outbreak(h, occurrence[k * n_holdings + i], g, elasticity_, lower, upper_s)) continue;
        if (!rows[i]) rows[i] = fraction_row(block, i);
        out.push_back({static_cast<std::uint32_t>(k), static_cast<std::uint32_t>(i), (*rows[i])[k]});
    }
    return out;
}

bool PestPeril::add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                          std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const {
    const std::size_t n_holdings = holdings_.size();
    if (any_pine_wilt_ || n_holdings > block_path_max_holdings || occurrence.size() != block.years * n_holdings || loss_tco2e.size() != block.years * book_holdings)
        return false;
    for (const BlockOutbreak& o : block_outbreaks(block, occurrence)) {
        const Prepared& h = holdings_[o.holding];
        const double loss = o.fraction * h.tco2e_if_all_affected;
        if (block.events && loss > 0) events.push_back({o.year_in_block, {h.position, PerilId::pest, 0, loss, h.stock_tco2e}});
        loss_tco2e[o.year_in_block * book_holdings + h.position] = loss;
        // add_forgone_growth_block's addition, on the same outbreak.
        if (block.growth) block.growth[o.year_in_block * book_holdings + h.position] += o.fraction * h.growth_tco2e_if_all_affected;
    }
    return true;
}

bool PestPeril::add_forgone_growth_block(const YearBlock& block, std::span<const std::uint32_t> occurrence,
                                         std::size_t book_holdings, std::span<double> growth_tco2e) const {
    const std::size_t n_holdings = holdings_.size();
    if (n_holdings > block_path_max_holdings || occurrence.size() != block.years * n_holdings || growth_tco2e.size() != block.years * book_holdings)
        return false;
    for (const BlockOutbreak& o : block_outbreaks(block, occurrence)) {
        const Prepared& h = holdings_[o.holding];
        growth_tco2e[o.year_in_block * book_holdings + h.position] += o.fraction * h.growth_tco2e_if_all_affected;
    }
    return true;
}

void validate(const PestModel& m, const std::string& at) {
    for (std::size_t i = 0; i < forest_type_count; ++i) {
        const std::string t(forest_type_names[i]);
        require_parameter(m.probability_per_year[i] >= 0 && m.probability_per_year[i] <= 1, at + "/probability_per_year/" + t,
                          "in [0, 1]", m.probability_per_year[i]);
        require_parameter(m.mortality[i] >= 0 && m.mortality[i] <= 1, at + "/mortality/" + t, "in [0, 1]", m.mortality[i]);
    }
    require_parameter(m.affected_a > 0 && std::isfinite(m.affected_a), at + "/affected_a", "> 0", m.affected_a);
    require_parameter(m.affected_b > 0 && std::isfinite(m.affected_b), at + "/affected_b", "> 0", m.affected_b);
    require_parameter(std::isfinite(m.weather_elasticity) && m.weather_elasticity >= 0, at + "/weather_elasticity", ">= 0",
                      m.weather_elasticity);
    require_parameter(m.growth_loss_fraction >= 0 && m.growth_loss_fraction <= 1, at + "/growth_loss_fraction", "in [0, 1]",
                      m.growth_loss_fraction);
    const PineWiltModel& pw = m.pine_wilt;
    for (std::size_t i = 0; i < forest_type_count; ++i)
        require_parameter(pw.host_share[i] >= 0 && pw.host_share[i] <= 1,
                          at + "/pine_wilt/host_share/" + std::string(forest_type_names[i]), "in [0, 1]", pw.host_share[i]);
    require_parameter(pw.county_probability >= 0 && pw.county_probability <= 1, at + "/pine_wilt/county_probability",
                      "in [0, 1]", pw.county_probability);
    require_parameter(pw.stand_probability >= 0 && pw.stand_probability <= 1, at + "/pine_wilt/stand_probability",
                      "in [0, 1]", pw.stand_probability);
    require_parameter(pw.dying_fraction >= 0 && pw.dying_fraction <= 1, at + "/pine_wilt/dying_fraction", "in [0, 1]",
                      pw.dying_fraction);
}

const PestModel* pest_model(const Model& model) { return model.perils.find<PestModel>(PerilId::pest); }

void set_pest_model(Model& model, const PestModel& pest) { model.perils.set(PerilId::pest, pest); }

const PestOverride* pest_override(const ModelOverrides& overrides) {
    return overrides.perils.find<PestOverride>(PerilId::pest);
}

void set_pest_override(ModelOverrides& overrides, const PestOverride& pest) { overrides.perils.set(PerilId::pest, pest); }

// model.pest: {"probability_per_year", "affected_fraction": {"distribution": "beta", "a", "b"},
// "mortality"}, each optional; a distribution given is given whole.
void decode_pest_override(const Value& block, const std::string& at, ModelOverrides& overrides,
                          std::vector<FieldProblem>& problems) {
    RecordReader pr(block, at, problems);
    PestOverride pest;
    pest.probability_per_year = pr.number("probability_per_year", false, {0, 1});
    if (const Value* af = pr.get("affected_fraction")) {
        RecordReader ar(*af, pr.at("affected_fraction"), problems);
        ar.one_of("distribution", false, {"beta"});
        const auto a = ar.number("a", true, {0, 1e4, true});
        const auto b = ar.number("b", true, {0, 1e4, true});
        if (a && b) pest.affected_fraction = BetaDistribution{*a, *b};
        ar.finish();
    }
    pest.mortality = pr.number("mortality", false, {0, 1});
    pr.finish();
    set_pest_override(overrides, pest);
}

// As the constructor prepares it: one entry per forest type.
Value describe_pest(const Model& model, const ModelOverrides& overrides, std::span<const PreparedHolding> holdings) {
    static const PestModel no_model;
    static const PestOverride none;
    const PestModel& m = pest_model(model) ? *pest_model(model) : no_model;
    const PestOverride& o = pest_override(overrides) ? *pest_override(overrides) : none;
    std::map<std::size_t, int> groups;
    for (const auto& h : holdings) ++groups[index(h.forest_type)];
    Value out = Value::list();
    for (const auto& [t, count] : groups) {
        const BetaDistribution ab = o.affected_fraction ? *o.affected_fraction : BetaDistribution{m.affected_a, m.affected_b};
        Value g;
        g["forest_type"] = forest_type_names[t];
        g["holdings"] = count;
        g["probability_per_year"] = o.probability_per_year ? *o.probability_per_year : m.probability_per_year[t];
        g["weather_elasticity"] = o.probability_per_year ? 0.0 : m.weather_elasticity;
        g["affected_fraction"]["distribution"] = "beta";
        g["affected_fraction"]["a"] = ab.a;
        g["affected_fraction"]["b"] = ab.b;
        g["mortality"] = o.mortality ? *o.mortality : m.mortality[t];
        // What the calibrated model adds (an override of the probability describes the whole peril).
        if (!o.probability_per_year && pest_model(model)) {
            g["growth_loss_fraction"] = m.growth_loss_fraction;
            const PineWiltModel& pw = m.pine_wilt;
            if (pw.host_share[t] > 0 && pw.county_probability > 0) {
                Value& p = g["pine_wilt"];
                p["host_share"] = pw.host_share[t];
                p["county_probability"] = pw.county_probability;
                p["stand_probability"] = pw.stand_probability;
                p["infested_fraction"]["distribution"] = "beta";
                p["infested_fraction"]["a"] = ab.a;
                p["infested_fraction"]["b"] = ab.b;
                p["dying_fraction"] = pw.dying_fraction;
            }
        }
        out.push_back(std::move(g));
    }
    return out;
}

std::unique_ptr<Peril> make_pest(const PerilSetup& setup) { return std::make_unique<PestPeril>(setup); }

}  // namespace tanhui::risk
