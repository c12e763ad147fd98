#include "risk/simulation/simulate.hpp"

#include "risk/model/growth.hpp"
#include "risk/metrics/metrics.hpp"
#include "risk/simulation/loss_blocks.hpp"
#include "risk/simulation/parallel.hpp"
#include "risk/simulation/year_series.hpp"
#include "risk/random/year_cache.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace tanhui::risk {

namespace {

// A thread's scratch for a block of years: no allocation inside the year loop once the event
// list has grown to its largest year. The year-level draws of a block (the weather normals
// and factors; for a book of a few holdings also every peril's occurrence words) are drawn for
// all its years at once, SIMD across years, before the years run one by one: the same bits as
// drawing them year by year, at a fraction of the cost when a quote has one holding.
class YearRunner {
public:
    // A peril's occurrence words are drawn per block when the book is this small (64 holdings x
    // 256 years x 4 bytes = 64 KiB a peril); bigger books draw them per year, SIMD across holdings.
    static constexpr std::size_t max_holdings_for_block_words = block_path_max_holdings;

    YearRunner(const Book& book, bool record_events)
        : book_(book),
          loss_(book.holdings.size()),
          peril_loss_(book.perils.size()),
          slots_(book.weather.slots()),
          weather_normal_(years_per_block),
          weather_(years_per_block * slots_),
          fixings_(book.price ? book.price->fixings() : 0),
          words_(book.perils.size()),
          block_loss_(book.perils.size()),
          block_events_(book.perils.size()),
          next_event_(book.perils.size(), 0),
          block_path_(book.perils.size(), false),
          small_(book.holdings.size() <= max_holdings_for_block_words),
          sink_(record_events ? &events_ : nullptr) {
        if (!small_) return;
        for (std::size_t p = 0; p < book.perils.size(); ++p)
            words_[p].resize(book.perils[p]->occurrence_holdings().size() * years_per_block);
    }

    // Years begin .. end - 1 (at most years_per_block), in order, each passed to visit.
    template <class Visit>
    void run_block(std::uint64_t seed, std::uint32_t begin, std::uint32_t end, Visit&& visit) {
        prepare_block(seed, begin, end, true);
        for (std::size_t k = 0; k < end - begin; ++k) visit(run(seed, begin + static_cast<std::uint32_t>(k), k));
    }

    // The year totals and largest events of years begin .. end - 1 into total[k], max_event[k]
    // (simulate_year_losses): when every peril took the block path and there is no price leg,
    // straight from the block's losses and events, the sums and maxima taken in the order run()
    // takes them, so the same bits; otherwise year by year through run(). max_event may be null
    // (no largest events wanted).
    // With peril (not null), each peril's loss of year k into peril[k * perils + p], as run() sums it.
    void totals_block(std::uint64_t seed, std::uint32_t begin, std::uint32_t end, double* total, double* max_event,
                      double* peril = nullptr) {
        prepare_block(seed, begin, end, max_event != nullptr);
        const std::size_t n = end - begin;
        if (!direct()) {
            for (std::size_t k = 0; k < n; ++k) {
                const YearResult r = run(seed, begin + static_cast<std::uint32_t>(k), k);
                total[k] = r.total_tco2e;
                if (max_event) max_event[k] = r.max_event_tco2e;
                if (peril) std::copy(r.peril_loss_tco2e.begin(), r.peril_loss_tco2e.end(), peril + k * book_.perils.size());
            }
            return;
        }
        direct_sums(n, nullptr, total, peril);
        if (!max_event) return;
        std::fill(max_event, max_event + n, 0.0);
        for (std::size_t p = 0; p < book_.perils.size(); ++p)
            for (const BlockEvent& e : block_events_[p]) {
                // A select, not a branch (whether an event is a year's largest is a coin toss):
                // the same value as `if (loss > m) m = loss`.
                double& m = max_event[e.year_in_block];
                m = e.event.loss_tco2e > m ? e.event.loss_tco2e : m;
            }
    }

    // The losses of years begin .. end - 1 by holding into loss[k * holdings + i] and their totals
    // into total[k] (simulate_loss_blocks), the sums taken in the order run() takes them (the same
    // bits); year by year through run() when a peril has no block path or there is a price leg.
    // The block's weather normals are then weather_normal()[k]. With peril (not null), each
    // peril's loss of year k into peril[k * perils + p], as totals_block sums it (the same bits).
    // With growth, also the forgone growth of the perils that reduce growth (forgone_growth()).
    void losses_block(std::uint64_t seed, std::uint32_t begin, std::uint32_t end, double* loss, double* total,
                      double* peril = nullptr, bool growth = false) {
        prepare_block(seed, begin, end, false, growth);
        const std::size_t n = end - begin;
        const std::size_t h_count = loss_.size();
        const std::size_t perils = book_.perils.size();
        if (!direct()) {
            for (std::size_t k = 0; k < n; ++k) {
                const YearResult r = run(seed, begin + static_cast<std::uint32_t>(k), k);
                std::copy(r.loss_tco2e.begin(), r.loss_tco2e.end(), loss + k * h_count);
                total[k] = r.total_tco2e;
                if (peril) std::copy(r.peril_loss_tco2e.begin(), r.peril_loss_tco2e.end(), peril + k * perils);
            }
            return;
        }
        direct_sums(n, loss, total, peril);
    }
    const std::vector<double>& weather_normal() const { return weather_normal_; }
    // The forgone growth of the block prepared last with growth: year k, holding i at
    // [k * holdings + i], each peril that reduces growth added in book order (Peril::add_forgone_growth).
    const std::vector<double>& forgone_growth() const { return growth_; }
    // The block's weather factors: G of year k, slot s at weather()[k * slots() + s].
    const std::vector<double>& weather() const { return weather_; }
    std::size_t slots() const { return slots_; }

private:
    static constexpr std::size_t max_direct_perils = 8;

    // The direct path's sums of the block (totals_block, losses_block), as run() takes them: each
    // holding's loss of year k, its perils added in book order, into loss[k * holdings + i] (loss
    // may be null), the year's total 0 + the holdings' in book order into total[k], and with peril
    // (not null) each peril's loss (peril_sums).
    void direct_sums(std::size_t n, double* loss, double* total, double* peril) const {
        const std::size_t h_count = loss_.size();
        const std::size_t perils = book_.perils.size();
        if (h_count == 1 && perils <= max_direct_perils) {
            one_holding_sums(n, loss, total, peril);
            return;
        }
        for (std::size_t k = 0; k < n; ++k) {
            double sum = 0;
            for (std::size_t i = 0; i < h_count; ++i) {
                double l = block_loss_[0][k * h_count + i];
                for (std::size_t p = 1; p < perils; ++p) l += block_loss_[p][k * h_count + i];
                if (loss) loss[k * h_count + i] = l;
                sum += l;
            }
            total[k] = sum;
        }
        if (peril) peril_sums(n, peril);
    }

    // direct_sums for a one-holding book, the same operations (the holding's loss; 0 + it; each
    // peril's 0 + its loss) in loops over the years that read through local pointers, so that
    // they vectorise; the peril count a template argument (1 to max_direct_perils), so that the
    // loops over the perils unroll inside the loops over the years.
    void one_holding_sums(std::size_t n, double* loss, double* total, double* peril) const {
        switch (book_.perils.size()) {
        case 1: return one_holding_sums_of<1>(n, loss, total, peril);
        case 2: return one_holding_sums_of<2>(n, loss, total, peril);
        case 3: return one_holding_sums_of<3>(n, loss, total, peril);
        case 4: return one_holding_sums_of<4>(n, loss, total, peril);
        case 5: return one_holding_sums_of<5>(n, loss, total, peril);
        case 6: return one_holding_sums_of<6>(n, loss, total, peril);
        case 7: return one_holding_sums_of<7>(n, loss, total, peril);
        default: return one_holding_sums_of<max_direct_perils>(n, loss, total, peril);
        }
    }
    template <std::size_t P>
    void one_holding_sums_of(std::size_t n, double* __restrict loss, double* __restrict total, double* __restrict peril) const {
        static_assert(P >= 1 && P <= max_direct_perils);
        std::array<const double*, P> from{};
        for (std::size_t p = 0; p < P; ++p) from[p] = block_loss_[p].data();
        for (std::size_t k = 0; k < n; ++k) {
            double l = from[0][k];
            for (std::size_t p = 1; p < P; ++p) l += from[p][k];
            if (loss) loss[k] = l;
            total[k] = 0.0 + l;
        }
        if (!peril) return;
        // Year by year, so that the stores run along peril[] (a peril at a time, they strided
        // across the whole block: a twentieth of a five-peril quote's time).
        for (std::size_t k = 0; k < n; ++k)
            for (std::size_t p = 0; p < P; ++p) peril[k * P + p] = 0.0 + from[p][k];
    }

    // Each peril's loss of the block's year k, summed over the holdings in book order (as run()
    // sums it), into peril[k * perils + p]: the direct path only.
    void peril_sums(std::size_t n, double* peril) const {
        const std::size_t h_count = loss_.size();
        const std::size_t perils = book_.perils.size();
        for (std::size_t k = 0; k < n; ++k)
            for (std::size_t p = 0; p < perils; ++p) {
                double sum = 0;
                for (std::size_t i = 0; i < h_count; ++i) sum += block_loss_[p][k * h_count + i];
                peril[k * perils + p] = sum;
            }
    }

    // Every peril took the block path this block and there is no price leg: a block's sums can be
    // taken straight from block_loss_.
    bool direct() const {
        return !book_.price && !book_.perils.empty() && std::all_of(block_path_.begin(), block_path_.end(), [](bool b) { return b; });
    }

    // The year-level draws of years begin .. end - 1, and the block path of each peril that has
    // one. Without events (the caller reads no event figure) the perils keep none: run() then
    // reports no events of the block-path perils (the direct paths read the losses alone).
    // With growth, the block's forgone growth too (forgone_growth()): from add_block's pass where
    // the peril has one, else its add_forgone_growth_block, else year by year; each peril in book
    // order, so the sums are the same bits whichever way each peril took.
    void prepare_block(std::uint64_t seed, std::uint32_t begin, std::uint32_t end, bool events, bool growth = false) {
        const std::size_t n = end - begin;
        const std::size_t holdings = book_.holdings.size();
        book_.weather.draw_block(seed, begin, n, weather_normal_.data(), weather_.data(), slots_);
        if (growth) growth_.assign(n * holdings, 0.0);
        if (!small_) {
            if (growth)
                for (std::size_t p = 0; p < book_.perils.size(); ++p)
                    if (book_.perils[p]->reduces_growth()) add_growth_by_year(p, seed, begin, n);
            return;
        }
        for (std::size_t p = 0; p < book_.perils.size(); ++p) {
            const Peril& peril = *book_.perils[p];
            const auto drawn = peril.occurrence_holdings();
            const std::size_t h_count = drawn.size();
            occurrence_words_block(seed, begin, n, peril.id(), drawn, words_[p].data());
            const std::span<const std::uint32_t> words(words_[p].data(), n * h_count);
            YearBlock block{seed, begin, n, slots_, weather_.data(), weather_normal_.data(), events};
            const bool wants_growth = growth && peril.reduces_growth();
            if (wants_growth) block.growth = growth_.data();
            block_loss_[p].assign(n * holdings, 0.0);
            block_events_[p].clear();
            next_event_[p] = 0;
            block_path_[p] = peril.add_block(block, words, holdings, block_loss_[p], block_events_[p]);
            if (!wants_growth || block_path_[p]) continue;
            block.growth = nullptr;
            if (!peril.add_forgone_growth_block(block, words, holdings, growth_)) add_growth_by_year(p, seed, begin, n);
        }
    }

    // Peril p's forgone growth of the block's years, one year at a time (Peril::add_forgone_growth).
    void add_growth_by_year(std::size_t p, std::uint64_t seed, std::uint32_t begin, std::size_t n) {
        const std::size_t holdings = book_.holdings.size();
        for (std::size_t k = 0; k < n; ++k) {
            const Year y{seed, begin + static_cast<std::uint32_t>(k), weather_normal_[k],
                         std::span<const double>(weather_.data() + k * slots_, slots_)};
            book_.perils[p]->add_forgone_growth(y, std::span<double>(growth_.data() + k * holdings, holdings));
        }
    }

    YearResult run(std::uint64_t seed, std::uint32_t year, std::size_t k) {
        // A first peril on the block path sets the losses (0 + x is x); otherwise start from 0.
        const bool first_sets = !book_.perils.empty() && block_path_[0];
        if (!first_sets) std::fill(loss_.begin(), loss_.end(), 0.0);
        sink_.reset();
        const double z = weather_normal_[k];
        const std::span<const double> g(weather_.data() + k * slots_, slots_);
        const Year y{seed, year, z, g};
        for (std::size_t p = 0; p < book_.perils.size(); ++p) {
            if (block_path_[p]) {
                // What the peril's add_year does in this year (Peril::add_block).
                const std::size_t n_holdings = loss_.size();
                const double* l = block_loss_[p].data() + k * n_holdings;
                double sum = 0;
                for (std::size_t i = 0; i < n_holdings; ++i) {
                    loss_[i] = p == 0 ? l[i] : loss_[i] + l[i];
                    sum += l[i];
                }
                peril_loss_[p] = sum;
                const auto& events = block_events_[p];
                std::size_t& e = next_event_[p];
                for (; e < events.size() && events[e].year_in_block == k; ++e) {
                    sink_.add(events[e].event);
                }
                continue;
            }
            std::span<const std::uint32_t> words;
            if (!words_[p].empty()) {
                const std::size_t h_count = book_.perils[p]->occurrence_holdings().size();
                words = std::span<const std::uint32_t>(words_[p].data() + k * h_count, h_count);
            }
            peril_loss_[p] = book_.perils[p]->add_year(y, words, loss_, sink_);
        }
        double total = 0;
        for (double l : loss_) total += l;
        if (book_.price) book_.price->simulate(seed, year, z, fixings_);
        YearResult r;
        r.year = year;
        r.loss_tco2e = loss_;
        r.peril_loss_tco2e = peril_loss_;
        r.total_tco2e = total;
        r.max_event_tco2e = sink_.max_event_tco2e();
        r.event_count = sink_.count();
        r.events = events_;
        r.price_fixings = fixings_;
        r.weather_normal = z;
        r.weather = g;
        return r;
    }

    const Book& book_;
    std::vector<double> loss_;
    std::vector<double> peril_loss_;
    std::size_t slots_;
    std::vector<double> weather_normal_;  // by year of the block
    std::vector<double> weather_;         // by year of the block, then slot
    std::vector<double> growth_;          // forgone growth (prepare_block with growth): by year, then holding
    std::vector<double> fixings_;
    std::vector<std::vector<std::uint32_t>> words_;  // by peril: by year of the block, then holding
    std::vector<std::vector<double>> block_loss_;    // by peril (Peril::add_block): by year, then holding
    std::vector<std::vector<BlockEvent>> block_events_;  // by peril (Peril::add_block), in year order
    std::vector<std::size_t> next_event_;            // by peril: the first event not yet reported
    std::vector<bool> block_path_;                   // by peril: add_block filled block_loss_ this block
    bool small_;                                     // few enough holdings for the block path
    std::vector<Event> events_;
    EventSink sink_;
};

}  // namespace

Book prepare_book(const Model& model, std::span<const Holding> holdings, const BookOptions& options) {
    if (holdings.size() > 0xffffffffu) throw InvalidInput("holdings", "too many holdings");
    Book book;
    std::vector<WeatherRegion> regions;
    std::map<std::string, std::uint16_t> slot_of;
    for (std::size_t i = 0; i < holdings.size(); ++i) {
        const Holding& h = holdings[i];
        const std::string at = "holdings/" + std::to_string(i);
        const HoldingCarbon carbon = holding_carbon(h, model.growth, options.overrides.carbon, at);
        PreparedHolding p;
        p.draw_index = static_cast<std::uint32_t>(i);
        p.forest_type = h.forest_type;
        p.area_ha = h.area_ha;
        p.stock_tco2e_per_ha = carbon.stock_tco2e_per_ha;
        p.sequestration_tco2e_per_ha_yr = carbon.sequestration_tco2e_per_ha_yr;
        p.region = h.region;
        p.latitude = h.latitude;
        p.longitude = h.longitude;
        p.weather_region = region_key(model.weather.year_factor_shape, h.region);
        if (!p.weather_region.empty()) {
            auto [it, added] = slot_of.try_emplace(p.weather_region, static_cast<std::uint16_t>(regions.size() + 1));
            if (added) regions.push_back({p.weather_region, model.weather.year_factor_shape.at(p.weather_region)});
            p.weather_slot = it->second;
        }
        book.holdings.push_back(std::move(p));
    }
    book.weather = Weather(std::move(regions), model.weather.cross_region_correlation);

    const PerilSetup setup{model, options.overrides, book.holdings, book.weather.slots()};
    std::set<std::string> seen;
    for (const std::string& name : options.perils) {
        if (!seen.insert(name).second) throw InvalidInput("perils", "\"" + name + "\" is listed twice");
        book.perils.push_back(make_peril(name, setup));
    }
    if (options.price)
        book.price.emplace(options.price->model, options.price->fixing_times_years, options.price->market_number);
    return book;
}

namespace {

// A run of at least this many years reads its year-draw cache rows ahead (YearDrawCache::
// ReadAhead): a one-holding sink quote's rows are about 40 bytes a year, so 250,000 years of them
// (10 MB) and the run's own output no longer stay in a 32 MB shared cache; 100,000 years do.
constexpr std::uint32_t read_ahead_years = 250'000;

// Runs work(runner, begin, end) for every block of years of sim, blocks shared out to threads,
// each thread with its own runner. The first exception stops the run and is rethrown.
template <class Work>
void for_each_block(const Book& book, const Simulation& sim, Work&& work_on) {
    if (std::uint64_t{sim.first_year} + sim.years > (std::uint64_t{1} << 32))
        throw InvalidInput("simulation/years", "first_year + years must not exceed 2^32");
    parallel_indexed(
        block_count(sim), sim.threads, [&] { return YearRunner(book, sim.record_events); },
        [&](YearRunner& runner, std::size_t b) {
            stop_if_cancelled(sim.cancel);
            const YearDrawCache::ReadAhead ahead(sim.years >= read_ahead_years);
            const std::uint64_t begin = std::uint64_t{sim.first_year} + b * years_per_block;
            const std::uint64_t end =
                std::min<std::uint64_t>(begin + years_per_block, std::uint64_t{sim.first_year} + sim.years);
            work_on(runner, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end));
        });
}

}  // namespace

void simulate(const Book& book, const Simulation& sim, const YearVisitor& visit) {
    for_each_block(book, sim, [&](YearRunner& runner, std::uint32_t begin, std::uint32_t end) {
        runner.run_block(sim.seed, begin, end, visit);
    });
}

YearOutcome simulate_year(const Book& book, std::uint64_t seed, std::uint32_t year, bool record_events) {
    YearRunner runner(book, record_events);
    YearOutcome o;
    runner.run_block(seed, year, year + 1, [&](const YearResult& r) {
        o.year = r.year;
        o.loss_tco2e.assign(r.loss_tco2e.begin(), r.loss_tco2e.end());
        o.peril_loss_tco2e.assign(r.peril_loss_tco2e.begin(), r.peril_loss_tco2e.end());
        o.total_tco2e = r.total_tco2e;
        o.max_event_tco2e = r.max_event_tco2e;
        o.event_count = r.event_count;
        o.events.assign(r.events.begin(), r.events.end());
        o.price_fixings.assign(r.price_fixings.begin(), r.price_fixings.end());
        o.weather_normal = r.weather_normal;
        o.weather.assign(r.weather.begin(), r.weather.end());
    });
    return o;
}

namespace {
// v holds n zeros; a large table is first advised as huge pages (year_series.hpp), before the
// zeros touch it.
void zeros(std::vector<double>& v, std::size_t n) {
    v.reserve(n);
    advise_huge_pages(v.data(), n * sizeof(double));
    v.assign(n, 0.0);
}
}  // namespace

YearLosses simulate_year_losses(const Book& book, const Simulation& sim, bool by_peril, bool largest_events) {
    YearLosses out;
    zeros(out.total_tco2e, sim.years);
    if (largest_events) zeros(out.max_event_tco2e, sim.years);
    const std::size_t perils = book.perils.size();
    if (by_peril) zeros(out.peril_tco2e, std::size_t{sim.years} * perils);
    Simulation s = sim;
    s.record_events = false;
    for_each_block(book, s, [&](YearRunner& runner, std::uint32_t begin, std::uint32_t end) {
        runner.totals_block(sim.seed, begin, end, out.total_tco2e.data() + (begin - sim.first_year),
                            largest_events ? out.max_event_tco2e.data() + (begin - sim.first_year) : nullptr,
                            by_peril ? out.peril_tco2e.data() + std::size_t{begin - sim.first_year} * perils : nullptr);
    });
    return out;
}

void simulate_loss_blocks(const Book& book, const Simulation& sim, const LossBlockVisitor& visit, bool by_peril,
                          bool forgone_growth) {
    Simulation s = sim;
    s.record_events = false;
    const std::size_t h_count = book.holdings.size();
    const std::size_t perils = by_peril ? book.perils.size() : 0;
    for_each_block(book, s, [&](YearRunner& runner, std::uint32_t begin, std::uint32_t end) {
        thread_local std::vector<double> loss, total, peril;
        const std::size_t n = end - begin;
        loss.resize(n * h_count);
        total.resize(n);
        peril.resize(n * perils);
        runner.losses_block(sim.seed, begin, end, loss.data(), total.data(), by_peril ? peril.data() : nullptr, forgone_growth);
        visit(LossBlock{begin, n, loss, total, std::span<const double>(runner.weather_normal().data(), n),
                        std::span<const double>(runner.weather().data(), n * runner.slots()), runner.slots(),
                        std::span<const double>(peril.data(), n * perils),
                        forgone_growth ? std::span<const double>(runner.forgone_growth().data(), n * h_count)
                                       : std::span<const double>()});
    });
}

std::vector<double> euler_tvar_tco2e(const Book& book, const Simulation& sim, std::span<const double> annual,
                                     double level) {
    if (annual.size() != sim.years)
        throw InvalidInput("losses", "has " + std::to_string(annual.size()) + " years, the simulation " +
                                         std::to_string(sim.years));
    const TailYears tail = tail_years(annual, level);
    const std::size_t n = book.holdings.size();
    std::vector<double> rows(tail.index.size() * n);
    YearRunner runner(book, false);
    for (std::size_t t = 0; t < tail.index.size(); ++t) {
        const auto year = sim.first_year + static_cast<std::uint32_t>(tail.index[t]);
        runner.run_block(sim.seed, year, year + 1, [&](const YearResult& r) {
            std::copy(r.loss_tco2e.begin(), r.loss_tco2e.end(), rows.begin() + static_cast<std::ptrdiff_t>(t * n));
        });
    }
    return euler_contributions(tail, rows, n);
}

}  // namespace tanhui::risk
