#include "risk/simulate.hpp"

#include "risk/growth.hpp"
#include "risk/metrics.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace tanhui::risk {

namespace {

// The longest prefix of the region code (6-digit codes normalised first) that is a key of
// model.fire: county, then prefecture, then province.
std::string fire_region_of(const Model& model, const std::string& region) {
    const std::string code = normalise_region_code(region);
    for (std::size_t len : {code.size(), std::size_t{4}, std::size_t{2}}) {
        if (len > code.size() || len == 0) continue;
        const std::string key = code.substr(0, len);
        if (model.fire.count(key)) return key;
    }
    return {};
}

// A thread's scratch for one year at a time: no allocation inside the year loop once the
// event list has grown to its largest year.
class YearRunner {
public:
    YearRunner(const Book& book, bool record_events)
        : book_(book),
          loss_(book.holdings.size()),
          peril_loss_(book.perils.size()),
          fire_weather_(book.weather.slots()),
          fixings_(book.price ? book.price->fixings() : 0),
          sink_(record_events ? &events_ : nullptr) {}

    YearResult run(std::uint64_t seed, std::uint32_t year) {
        std::fill(loss_.begin(), loss_.end(), 0.0);
        sink_.reset();
        const double z = book_.weather.draw(seed, year, fire_weather_);
        const Year y{seed, year, z, fire_weather_};
        for (std::size_t p = 0; p < book_.perils.size(); ++p) peril_loss_[p] = book_.perils[p]->add_year(y, loss_, sink_);
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
        r.fire_weather = fire_weather_;
        return r;
    }

private:
    const Book& book_;
    std::vector<double> loss_;
    std::vector<double> peril_loss_;
    std::vector<double> fire_weather_;
    std::vector<double> fixings_;
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
        p.fire_region = fire_region_of(model, h.region);
        if (!p.fire_region.empty()) {
            auto [it, added] = slot_of.try_emplace(p.fire_region, static_cast<std::uint16_t>(regions.size() + 1));
            if (added) regions.push_back({p.fire_region, model.fire.at(p.fire_region).year_factor_shape});
            p.weather_slot = it->second;
        }
        book.holdings.push_back(std::move(p));
    }
    book.weather = FireWeather(std::move(regions), model.fire_weather_cross_region_correlation);

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

void simulate(const Book& book, const Simulation& sim, const YearVisitor& visit) {
    if (std::uint64_t{sim.first_year} + sim.years > (std::uint64_t{1} << 32))
        throw InvalidInput("simulation/years", "first_year + years must not exceed 2^32");
    const std::size_t blocks = block_count(sim);
    if (blocks == 0) return;
    unsigned threads = sim.threads ? sim.threads : std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, blocks));

    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&] {
        try {
            YearRunner runner(book, sim.record_events);
            for (;;) {
                const std::size_t b = next.fetch_add(1);
                if (b >= blocks || stop.load()) break;
                const std::uint64_t begin = std::uint64_t{sim.first_year} + b * years_per_block;
                const std::uint64_t end = std::min<std::uint64_t>(begin + years_per_block, std::uint64_t{sim.first_year} + sim.years);
                for (std::uint64_t y = begin; y < end; ++y) visit(runner.run(sim.seed, static_cast<std::uint32_t>(y)));
            }
        } catch (...) {
            const std::lock_guard lock(error_mutex);
            if (!error) error = std::current_exception();
            stop = true;
        }
    };
    if (threads == 1) {
        work();
    } else {
        std::vector<std::thread> pool;
        pool.reserve(threads - 1);
        for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
        work();
        for (std::thread& t : pool) t.join();
    }
    if (error) std::rethrow_exception(error);
}

YearOutcome simulate_year(const Book& book, std::uint64_t seed, std::uint32_t year, bool record_events) {
    YearRunner runner(book, record_events);
    const YearResult r = runner.run(seed, year);
    YearOutcome o;
    o.year = r.year;
    o.loss_tco2e.assign(r.loss_tco2e.begin(), r.loss_tco2e.end());
    o.peril_loss_tco2e.assign(r.peril_loss_tco2e.begin(), r.peril_loss_tco2e.end());
    o.total_tco2e = r.total_tco2e;
    o.max_event_tco2e = r.max_event_tco2e;
    o.event_count = r.event_count;
    o.events.assign(r.events.begin(), r.events.end());
    o.price_fixings.assign(r.price_fixings.begin(), r.price_fixings.end());
    o.weather_normal = r.weather_normal;
    o.fire_weather.assign(r.fire_weather.begin(), r.fire_weather.end());
    return o;
}

YearLosses simulate_year_losses(const Book& book, const Simulation& sim) {
    YearLosses out;
    out.total_tco2e.assign(sim.years, 0.0);
    out.max_event_tco2e.assign(sim.years, 0.0);
    Simulation s = sim;
    s.record_events = false;
    simulate(book, s, [&](const YearResult& y) {
        out.total_tco2e[y.year - sim.first_year] = y.total_tco2e;
        out.max_event_tco2e[y.year - sim.first_year] = y.max_event_tco2e;
    });
    return out;
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
        const YearResult r = runner.run(sim.seed, sim.first_year + static_cast<std::uint32_t>(tail.index[t]));
        std::copy(r.loss_tco2e.begin(), r.loss_tco2e.end(), rows.begin() + static_cast<std::ptrdiff_t>(t * n));
    }
    return euler_contributions(tail, rows, n);
}

}  // namespace tanhui::risk
