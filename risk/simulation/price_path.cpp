#include "risk/simulation/price_path.hpp"

#include "risk/random/draws.hpp"

#include <cmath>
#include <string>

namespace tanhui::risk {

namespace {

constexpr std::uint16_t normals_word = 0;
constexpr std::uint16_t jump_count_word = 1;
constexpr std::uint16_t ptrs_word = 0x10;
constexpr std::uint16_t first_tail_word = 0x20;  // 0x20 .. 0x27: the t innovation's gamma tries
constexpr std::uint16_t first_jump_word = 0x100;
constexpr std::uint64_t max_jumps_per_step = 0xffff - first_jump_word;

}  // namespace

PricePath::PricePath(const PriceModel& model, std::vector<double> times, std::uint32_t market_number)
    : model_(model), times_(std::move(times)), market_(market_number) {
    validate(model_, "model/price");
    if (times_.size() > 0xffff)
        throw InvalidInput("fixings", "at most 65535 fixings, got " + std::to_string(times_.size()));
    double previous = 0;
    const double k = model_.mean_reversion;
    const double vol = model_.volatility;
    const bool ou = model_.process == PriceProcess::ou;
    for (std::size_t j = 0; j < times_.size(); ++j) {
        const double t = times_[j];
        if (!(t >= previous && std::isfinite(t)))
            throw InvalidInput("fixings/" + std::to_string(j),
                               "fixing times must be finite, >= 0 and non-decreasing; got " + std::to_string(t));
        Step s;
        s.h = t - previous;
        if (ou && k > 0) {
            s.decay = std::exp(-k * s.h);
            s.mean_shift = model_.long_run_log_price * -std::expm1(-k * s.h);
            s.sd = vol * std::sqrt(-std::expm1(-2 * k * s.h) / (2 * k));
        } else if (ou) {  // k = 0: driftless Brownian log price
            s.sd = vol * std::sqrt(s.h);
        } else {
            s.mean_shift = (model_.drift - 0.5 * vol * vol) * s.h;
            s.sd = vol * std::sqrt(s.h);
        }
        s.jump_mean = model_.jump_intensity * s.h;
        steps_.push_back(s);
        previous = t;
    }
    // Weight of step j's normal in ln S at the last fixing: sd_j x the decays after it.
    unit_.assign(steps_.size(), 0.0);
    double after = 1, norm2 = 0;
    for (std::size_t j = steps_.size(); j-- > 0;) {
        unit_[j] = steps_[j].sd * after;
        norm2 += unit_[j] * unit_[j];
        after *= steps_[j].decay;
    }
    const double norm = std::sqrt(norm2);
    for (double& u : unit_) u = norm > 0 ? u / norm : 0;
}

void PricePath::simulate(std::uint64_t seed, std::uint32_t year, double weather_normal, std::span<double> out) const {
    if (out.size() != steps_.size())
        throw InvalidInput("fixings", "output has " + std::to_string(out.size()) + " slots for " +
                                          std::to_string(steps_.size()) + " fixings");
    const DrawAddress normals{seed, Stream::price, year, market_, normals_word};
    // Independent normals n into out, and u.n.
    double un = 0;
    Words w{};
    for (std::size_t j = 0; j < steps_.size(); ++j) {
        if (j % 2 == 0) w = normals(static_cast<std::uint16_t>(j / 2));
        out[j] = normal_from_words(w[2 * (j % 2)], w[2 * (j % 2) + 1]);
        un += unit_[j] * out[j];
    }
    const double rho = model_.correlation_with_weather;
    const double shift = rho != 0 ? rho * weather_normal + std::sqrt(1 - rho * rho) * un - un : 0.0;

    const double k = model_.process == PriceProcess::ou ? model_.mean_reversion : 0.0;
    double x = std::log(model_.spot);
    for (std::size_t j = 0; j < steps_.size(); ++j) {
        const Step& s = steps_[j];
        double e = out[j] + shift * unit_[j];
        if (model_.tail_dof > 0) {  // Student-t: N(0, 1) x sqrt((dof - 2) / chi2_dof), chi2_dof = 2 Gamma(dof / 2)
            const auto block = static_cast<std::uint16_t>(j);
            const double g = gamma_marsaglia_tsang(model_.tail_dof / 2, [&](int i) {
                return draw_words(seed, static_cast<std::uint32_t>(Stream::price), year, market_,
                                  static_cast<std::uint16_t>(first_tail_word + i), block);
            });
            e *= std::sqrt((model_.tail_dof - 2) / (2 * g));
        }
        x = x * s.decay + s.mean_shift + s.sd * e;
        if (s.jump_mean > 0) {
            const auto block = static_cast<std::uint16_t>(j);
            const Words wc = draw_words(seed, static_cast<std::uint32_t>(Stream::price), year, market_, jump_count_word, block);
            std::uint64_t n = s.jump_mean <= poisson_inversion_max_mean
                                  ? poisson_inversion(uniform32(wc[0]), s.jump_mean)
                                  : poisson_ptrs(s.jump_mean, [&](int i) {
                                        return draw_words(seed, static_cast<std::uint32_t>(Stream::price), year, market_,
                                                          static_cast<std::uint16_t>(ptrs_word + i), block);
                                    });
            if (n > max_jumps_per_step) n = max_jumps_per_step;
            for (std::uint64_t i = 0; i < n; ++i) {
                const Words wj = draw_words(seed, static_cast<std::uint32_t>(Stream::price), year, market_,
                                            static_cast<std::uint16_t>(first_jump_word + i), block);
                double jump = model_.jump_mean + model_.jump_std * normal_from_words(wj[0], wj[1]);
                if (k > 0) jump *= std::exp(-k * s.h * (1.0 - uniform32(wj[2])));  // decays from its time to the fixing
                x += jump;
            }
        }
        out[j] = std::exp(x);
    }
}

std::vector<double> PricePath::simulate(std::uint64_t seed, std::uint32_t year, double weather_normal) const {
    std::vector<double> out(steps_.size());
    simulate(seed, year, weather_normal, out);
    return out;
}

}  // namespace tanhui::risk
