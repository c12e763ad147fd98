#include "risk/perils/fire.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace tanhui::risk {

// Random-number layout of the fire peril, stream holding_perils, peril word PerilId::fire:
//   block 0                 word 0: the count (raw compare for "no fire", then inversion)
//   blocks 1 .. 0x7fff      fire j's burned area: block 1 + j / 2, words 2 (j % 2) and 2 (j % 2) + 1
//   blocks 0x8000 .. 0x800f PTRS tries for the count when its mean exceeds 50
// (The weather normals use peril word 1 too, in their own stream: risk/simulation/weather.cpp.)
namespace {

constexpr std::uint16_t first_area_block = 1;
constexpr std::uint32_t max_fires_per_holding_year = 2 * 0x7fff;  // blocks 1 .. 0x7fff
constexpr std::uint16_t first_ptrs_block = 0x8000;

std::string str(double v) { return std::to_string(v); }

}  // namespace

BurnedAreaSampler::BurnedAreaSampler(const BurnedAreaModel& m) : model_(m) {
    has_tail_ = m.threshold_ha > 0 && m.tail_probability > 0;
    if (has_tail_) {
        const double z = (std::log(m.threshold_ha) - m.mu) / m.sigma;
        body_scale_ = 0.5 * std::erfc(-z / std::sqrt(2.0)) / (1.0 - m.tail_probability);
    }
}

double BurnedAreaSampler::quantile_ha(double u, double one_minus_u) const {
    if (has_tail_ && one_minus_u < model_.tail_probability) {
        const double survival = one_minus_u / model_.tail_probability;  // P(excess > y) of the GPD
        const double excess = model_.gpd_xi != 0
                                  ? model_.gpd_beta / model_.gpd_xi * (std::pow(survival, -model_.gpd_xi) - 1.0)
                                  : -model_.gpd_beta * std::log(survival);
        return model_.threshold_ha + excess;
    }
    const double p = has_tail_ ? u * body_scale_ : u;
    return std::exp(model_.mu + model_.sigma * normal_quantile_as241(p));
}

FirePeril::FirePeril(const PerilSetup& setup) {
    static const FireOverride none;
    const FireOverride* given = fire_override(setup.overrides);
    const FireOverride& o = given ? *given : none;
    if (o.frequency && !(o.frequency->rate_per_year >= 0 && std::isfinite(o.frequency->rate_per_year)))
        throw InvalidInput("model/fire/frequency/rate_per_year", "must be >= 0, got " + str(o.frequency->rate_per_year));
    if (o.loss_fraction && !(*o.loss_fraction >= 0 && *o.loss_fraction <= 1))
        throw InvalidInput("model/fire/loss_fraction", "must be in [0, 1], got " + str(*o.loss_fraction));
    if (o.burned_area_ha) {
        validate(*o.burned_area_ha, "model/fire/burned_area_ha");
        severities_.emplace_back(*o.burned_area_ha);
    }
    static const FireModels no_models;
    const FireModels* calibrated = fire_models(setup.model);
    const FireModels& models = calibrated ? *calibrated : no_models;
    std::map<std::string, std::uint16_t> severity_of;  // by region of `models`
    std::map<std::string, bool> validated;

    for (std::size_t i = 0; i < setup.holdings.size(); ++i) {
        const PreparedHolding& h = setup.holdings[i];
        const std::string region = region_key(models, h.region);
        const FireModel* fm = nullptr;
        if (!region.empty()) {
            fm = &models.at(region);
            if (!validated[region]) {
                validate(*fm, "model/fire/" + region);
                validated[region] = true;
            }
        }
        const bool needs_model = !o.frequency || !o.burned_area_ha || !o.loss_fraction;
        if (needs_model && !fm)
            throw InvalidInput("holdings/" + std::to_string(i) + "/region",
                               "no fire model for region \"" + h.region + "\" and no model.fire override");
        const std::size_t t = index(h.forest_type);

        Prepared p;
        p.area_ha = h.area_ha;
        p.draw_index = h.draw_index;
        p.position = static_cast<std::uint32_t>(i);
        if (o.frequency) {
            p.rate_per_year = o.frequency->rate_per_year;
            p.slot = 0;
        } else {
            p.rate_per_year = fm->rate_per_ha_year * h.area_ha * fm->flammability[t];
            p.slot = h.weather_slot;
            if (p.slot >= setup.weather_slots) throw InvalidInput("holdings/" + std::to_string(i), "weather slot out of range");
        }
        p.tco2e_per_burned_ha = h.stock_tco2e_per_ha * (o.loss_fraction ? *o.loss_fraction : fm->loss_fraction[t]);
        p.stock_tco2e = h.area_ha * h.stock_tco2e_per_ha;
        if (o.burned_area_ha) {
            p.severity = 0;
        } else {
            auto [it, added] = severity_of.try_emplace(region, static_cast<std::uint16_t>(severities_.size()));
            if (added) severities_.emplace_back(fm->burned_area);
            p.severity = it->second;
        }
        p.zero_threshold = word_threshold(std::exp(-p.rate_per_year));
        if (p.rate_per_year > 0 && p.area_ha > 0 && p.tco2e_per_burned_ha > 0) {
            holdings_.push_back(p);
            draw_index_.push_back(p.draw_index);
        }
    }
}

namespace {

// Whether word w0 of a holding-year can mean a fire, and the year's mean count (rate x G).
bool fire_possible(const FirePeril::Prepared& h, std::uint32_t w0, double g, double& mean) {
    mean = h.rate_per_year;
    if (h.slot == 0) return w0 >= h.zero_threshold;
    mean *= g;
    // exp(-x) >= 1 - x: words this far below (1 - x) 2^32 are below the exact threshold, so the
    // exp is only taken in the thin band where the two differ.
    if (double(w0) + 2.0 < (1.0 - mean) * two_to_32) return false;
    return w0 >= word_threshold(std::exp(-mean));
}

// The fires of a holding-year with at least one: their count, then each burned area capped by
// what is left of the holding. Calls emit(j, loss) for each fire; returns the holding's loss.
template <class Emit>
double burn(const FirePeril::Prepared& h, const BurnedAreaSampler& severity, std::uint32_t w0, double mean,
            std::uint64_t seed, std::uint32_t year, Emit&& emit) {
    const DrawAddress at{seed, Stream::holding_perils, year, h.draw_index, static_cast<std::uint16_t>(PerilId::fire)};
    std::uint64_t fires;
    if (mean <= poisson_inversion_max_mean)
        fires = std::max<std::uint64_t>(1, poisson_inversion(uniform32(w0), mean));
    else
        fires = poisson_ptrs(mean, [&](int b) { return at(static_cast<std::uint16_t>(first_ptrs_block + b)); });
    if (fires > max_fires_per_holding_year) fires = max_fires_per_holding_year;

    double remaining_ha = h.area_ha;
    double holding_loss = 0;
    Words w{};
    for (std::uint32_t j = 0; j < fires && remaining_ha > 0; ++j) {
        if (j % 2 == 0) w = at(static_cast<std::uint16_t>(first_area_block + j / 2));
        const double u = uniform52(w[2 * (j % 2)], w[2 * (j % 2) + 1]);
        const double burned = std::min(severity.quantile_ha(u, 1.0 - u), remaining_ha);
        remaining_ha -= burned;
        const double loss = burned * h.tco2e_per_burned_ha;
        emit(j, loss);
        holding_loss += loss;
    }
    return holding_loss;
}

}  // namespace

double FirePeril::add_year(const Year& y, std::span<const std::uint32_t> occurrence, std::span<double> loss_tco2e,
                           EventSink& events) const {
    std::array<std::uint32_t, occurrence_batch> batch;
    double total = 0;
    for (std::size_t start = 0; start < holdings_.size(); start += occurrence_batch) {
        const std::size_t n = std::min(occurrence_batch, holdings_.size() - start);
        const std::uint32_t* words = occurrence.empty() ? batch.data() : occurrence.data() + start;
        if (occurrence.empty()) occurrence_words(y.seed, y.year, PerilId::fire, draw_index_.data() + start, n, batch.data());
        for (std::size_t i = 0; i < n; ++i) {
            const Prepared& h = holdings_[start + i];
            double mean;
            if (!fire_possible(h, words[i], y.weather[h.slot], mean)) continue;
            const double holding_loss = burn(h, severities_[h.severity], words[i], mean, y.seed, y.year,
                                             [&](std::uint32_t j, double loss) { events.add(h.position, PerilId::fire, j, loss, h.stock_tco2e); });
            loss_tco2e[h.position] += holding_loss;
            total += holding_loss;
        }
    }
    return total;
}

bool FirePeril::add_block(const YearBlock& block, std::span<const std::uint32_t> occurrence, std::size_t book_holdings,
                          std::span<double> loss_tco2e, std::vector<BlockEvent>& events) const {
    const std::size_t n = holdings_.size();
    static_assert(block_path_max_holdings <= 64, "candidates are coded year x 64 + holding");
    if (n > block_path_max_holdings || occurrence.size() != block.years * n || loss_tco2e.size() != block.years * book_holdings) return false;
    // Most holding-years have no fire: the block's words are screened without a branch per word
    // (a word is a candidate unless fire_possible's first test already rules a fire out), then
    // each candidate takes add_year's code.
    thread_local std::vector<std::uint32_t> candidates;
    thread_local std::vector<unsigned char> screen;
    candidates.resize(block.years * n);
    screen.resize(block.years * n);
    {
        // Plain locals: stores through unsigned char may alias anything, so the loop reads
        // nothing through a pointer it could be storing to, and vectorises.
        const double* weather = block.weather;
        const std::size_t slots = block.slots, years = block.years;
        const std::uint32_t* words = occurrence.data();
        unsigned char* out = screen.data();
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t slot = holdings_[i].slot;
            const double rate = holdings_[i].rate_per_year;
            const std::uint64_t zero_threshold = holdings_[i].zero_threshold;
            for (std::size_t k = 0; k < years; ++k) {
                const std::uint32_t w0 = words[k * n + i];
                const double mean = rate * weather[k * slots + slot];
                const bool candidate = slot == 0 ? w0 >= zero_threshold : !(double(w0) + 2.0 < (1.0 - mean) * two_to_32);
                out[k * n + i] = candidate ? 1 : 0;
            }
        }
    }
    std::size_t count = 0;
    for (std::size_t k = 0; k < block.years; ++k)
        for (std::size_t i = 0; i < n; ++i) {
            candidates[count] = static_cast<std::uint32_t>(k * 64 + i);  // at most 64 holdings: no division below
            count += screen[k * n + i];
        }
    for (std::size_t t = 0; t < count; ++t) {
        const std::size_t k = candidates[t] >> 6, i = candidates[t] & 63;
        const Prepared& h = holdings_[i];
        const std::uint32_t w0 = occurrence[k * n + i];
        double mean;
        if (!fire_possible(h, w0, block.weather[k * block.slots + h.slot], mean)) continue;
        loss_tco2e[k * book_holdings + h.position] =
            burn(h, severities_[h.severity], w0, mean, block.seed, block.first_year + static_cast<std::uint32_t>(k),
                 [&](std::uint32_t j, double loss) {
                     if (block.events)
                         events.push_back({static_cast<std::uint32_t>(k), {h.position, PerilId::fire, j, loss, h.stock_tco2e}});
                 });
    }
    return true;
}

void validate(const BurnedAreaModel& m, const std::string& at) {
    require_parameter(std::isfinite(m.mu), at + "/mu", "finite", m.mu);
    require_parameter(m.sigma > 0 && std::isfinite(m.sigma), at + "/sigma", "> 0", m.sigma);
    require_parameter(m.threshold_ha >= 0, at + "/threshold_ha", ">= 0", m.threshold_ha);
    require_parameter(m.tail_probability >= 0 && m.tail_probability < 1, at + "/tail_probability", "in [0, 1)",
                      m.tail_probability);
    require_parameter(m.gpd_xi > -1 && m.gpd_xi < 1, at + "/gpd_xi", "in (-1, 1) for a finite mean", m.gpd_xi);
    require_parameter(m.gpd_beta > 0, at + "/gpd_beta", "> 0", m.gpd_beta);
}

void validate(const FireModel& m, const std::string& at) {
    require_parameter(m.rate_per_ha_year >= 0 && std::isfinite(m.rate_per_ha_year), at + "/rate_per_ha_year", ">= 0",
                      m.rate_per_ha_year);
    require_parameter(m.year_factor_shape > 0, at + "/year_factor_shape", "> 0 (infinity: no year factor)", m.year_factor_shape);
    validate(m.burned_area, at + "/burned_area");
    for (std::size_t i = 0; i < forest_type_count; ++i) {
        const std::string t(forest_type_names[i]);
        require_parameter(m.flammability[i] >= 0 && std::isfinite(m.flammability[i]), at + "/flammability/" + t, ">= 0",
                          m.flammability[i]);
        require_parameter(m.loss_fraction[i] >= 0 && m.loss_fraction[i] <= 1, at + "/loss_fraction/" + t, "in [0, 1]",
                          m.loss_fraction[i]);
    }
}

const FireModels* fire_models(const Model& model) { return model.perils.find<FireModels>(PerilId::fire); }

void add_fire_model(Model& model, const std::string& region, const FireModel& fire) {
    FireModels* models = model.perils.find<FireModels>(PerilId::fire);
    if (!models) models = &model.perils.set(PerilId::fire, FireModels{});
    (*models)[region] = fire;
    model.weather.year_factor_shape[region] = fire.year_factor_shape;
}

const FireOverride* fire_override(const ModelOverrides& overrides) {
    return overrides.perils.find<FireOverride>(PerilId::fire);
}

void set_fire_override(ModelOverrides& overrides, const FireOverride& fire) { overrides.perils.set(PerilId::fire, fire); }

// model.fire: {"frequency": {"distribution": "poisson", "rate_per_year"}, "burned_area_ha":
// {"distribution": "lognormal", "mu", "sigma"}, "loss_fraction"}, each optional; a distribution
// given is given whole.
void decode_fire_override(const Value& block, const std::string& at, ModelOverrides& overrides,
                          std::vector<FieldProblem>& problems) {
    RecordReader fr(block, at, problems);
    FireOverride fire;
    if (const Value* freq = fr.get("frequency")) {
        RecordReader qr(*freq, fr.at("frequency"), problems);
        qr.one_of("distribution", false, {"poisson"});
        if (auto v = qr.number("rate_per_year", true, {0, 1000})) fire.frequency = PoissonFrequency{*v};
        qr.finish();
    }
    if (const Value* ba = fr.get("burned_area_ha")) {
        RecordReader br(*ba, fr.at("burned_area_ha"), problems);
        br.one_of("distribution", false, {"lognormal"});
        const auto mu = br.number("mu", true, {-50, 50});
        const auto sigma = br.number("sigma", true, {0, 10, true});
        if (mu && sigma) fire.burned_area_ha = BurnedAreaModel{.mu = *mu, .sigma = *sigma};
        br.finish();
    }
    if (auto v = fr.number("loss_fraction", false, {0, 1})) fire.loss_fraction = *v;
    fr.finish();
    set_fire_override(overrides, fire);
}

namespace {

Value burned_area_value(const BurnedAreaModel& b) {
    Value v;
    v["distribution"] = "lognormal";
    v["mu"] = b.mu;
    v["sigma"] = b.sigma;
    v["threshold_ha"] = b.threshold_ha;
    v["tail_probability"] = b.tail_probability;
    v["gpd_xi"] = b.gpd_xi;
    v["gpd_beta"] = b.gpd_beta;
    return v;
}

Value finite_or_null(double v) { return std::isfinite(v) ? Value(v) : Value(); }

}  // namespace

// As the constructor prepares it: one entry per distinct (fire region, forest type).
Value describe_fire(const Model& model, const ModelOverrides& overrides, std::span<const PreparedHolding> holdings) {
    static const FireOverride none;
    static const FireModels no_models;
    const FireOverride& o = fire_override(overrides) ? *fire_override(overrides) : none;
    const FireModels& models = fire_models(model) ? *fire_models(model) : no_models;
    std::map<std::tuple<std::string, std::size_t>, int> groups;
    for (const auto& h : holdings) ++groups[{region_key(models, h.region), index(h.forest_type)}];
    Value out = Value::list();
    for (const auto& [key, count] : groups) {
        const auto& [region, t] = key;
        const FireModel* fm = region.empty() ? nullptr : &models.at(region);
        Value g;
        g["region"] = region.empty() ? Value() : Value(region);
        g["forest_type"] = forest_type_names[t];
        g["holdings"] = count;
        if (o.frequency) {
            g["frequency"]["distribution"] = "poisson";
            g["frequency"]["rate_per_year"] = o.frequency->rate_per_year;
        } else if (fm) {
            const auto shape = model.weather.year_factor_shape.find(region);
            g["frequency"]["rate_per_ha_year"] = fm->rate_per_ha_year;
            g["frequency"]["flammability"] = fm->flammability[t];
            g["frequency"]["year_factor_shape"] =
                finite_or_null(shape == model.weather.year_factor_shape.end() ? INFINITY : shape->second);
        }
        if (o.burned_area_ha) g["burned_area_ha"] = burned_area_value(*o.burned_area_ha);
        else if (fm) g["burned_area_ha"] = burned_area_value(fm->burned_area);
        if (o.loss_fraction) g["loss_fraction"] = *o.loss_fraction;
        else if (fm) g["loss_fraction"] = fm->loss_fraction[t];
        out.push_back(std::move(g));
    }
    return out;
}

std::unique_ptr<Peril> make_fire(const PerilSetup& setup) { return std::make_unique<FirePeril>(setup); }

}  // namespace tanhui::risk
