#include "api/batch/batch.hpp"
#include "api/products/quote_engine.hpp"

#include "api/json/metrics.hpp"
#include "api/batch/ord_csv.hpp"
#include "api/version.hpp"
#include "data/import/csv.hpp"
#include "data/import/import.hpp"
#include "pricing/index_insurance.hpp"
#include "pricing/premium.hpp"
#include "risk/metrics/metrics.hpp"
#include "risk/simulation/parallel.hpp"
#include "risk/simulation/simulate.hpp"

#ifdef TANHUI_HAVE_MPI
#define OMPI_SKIP_MPICXX 1
#include <mpi.h>
#endif

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <unistd.h>

namespace tanhui::api {

namespace fs = std::filesystem;

LayerSpec parse_layer(const std::string& text) {
    LayerSpec spec;
    spec.text = text;
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto colon = text.find(':', start);
        parts.push_back(text.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    auto number = [&](const std::string& s, const char* what) {
        double v = 0;
        const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
        if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(v))
            throw InvalidInput("--layer", "\"" + text + "\": " + what + " is not a number");
        return v;
    };
    if (parts.size() < 2 || parts.size() > 3)
        throw InvalidInput("--layer", "\"" + text + "\": give ATTACHMENT:LIMIT[:occurrence|aggregate] in CNY");
    spec.layer.attachment_cny = number(parts[0], "the attachment");
    spec.layer.limit_cny = number(parts[1], "the limit");
    if (!(spec.layer.attachment_cny >= 0)) throw InvalidInput("--layer", "\"" + text + "\": the attachment must be >= 0");
    if (!(spec.layer.limit_cny > 0)) throw InvalidInput("--layer", "\"" + text + "\": the limit must be > 0");
    if (parts.size() == 3) {
        if (parts[2] == "occurrence") spec.occurrence = true;
        else if (parts[2] != "aggregate")
            throw InvalidInput("--layer", "\"" + text + "\": the type must be occurrence or aggregate, got \"" + parts[2] + "\"");
    }
    return spec;
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint32_t no_policy = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint32_t block_years = risk::years_per_block;
constexpr std::string_view chunk_magic = "TANHUI-BATCH-CHUNK 1\n";
constexpr std::string_view run_magic = "TANHUI-BATCH-RUN 1\n";

// ---------------------------------------------------------------------------------------------
// The portfolio as the simulation sees it.

struct PolicyModel {
    std::vector<std::uint32_t> holdings;
    std::vector<std::uint32_t> perils;  // positions in the book's perils
    bool all_perils = true;
    bool linear = false;
    pricing::PerTonneCover per_tonne;
    pricing::LinearCover linear_cover;
    double stock_tco2e = 0;
    double sum_insured_cny = 0;
    pricing::PremiumTerms premium;
};

struct Prepared {
    risk::Book book;
    std::vector<std::string> perils;  // the book's, registry order
    std::vector<PolicyModel> policies;
    std::vector<double> holding_stock_tco2e;
    std::vector<double> return_periods;  // every policy's, within the years, ascending
};

Prepared prepare(const Portfolio& portfolio, const risk::Model& model, std::uint32_t years) {
    Prepared p;
    std::set<std::string> wanted;
    for (const auto& policy : portfolio.policies)
        for (const auto& name : policy.request.index_cover->perils) wanted.insert(name);
    for (const auto& entry : risk::peril_registry())
        if (wanted.count(std::string(entry.name))) p.perils.emplace_back(entry.name);
    risk::BookOptions options;
    options.perils = p.perils;
    options.overrides = to_risk_overrides(portfolio.model);
    try {
        p.book = risk::prepare_book(model, portfolio.holdings, options);
    } catch (const InvalidInput& e) {
        std::string where = portfolio.source + ": ";
        const std::string& f = e.field();
        if (f.rfind("holdings/", 0) == 0) {
            const std::size_t i = std::strtoul(f.c_str() + 9, nullptr, 10);
            if (i < portfolio.holdings.size()) where += "holding \"" + portfolio.holdings[i].id + "\": ";
        }
        throw PortfolioError({where + e.what()}, 1);
    }
    for (const auto& h : p.book.holdings) p.holding_stock_tco2e.push_back(h.area_ha * h.stock_tco2e_per_ha);

    std::vector<std::string> problems;
    std::set<double> rps;
    for (const auto& policy : portfolio.policies) {
        const QuoteRequest& q = policy.request;
        const IndexCoverRequest& cover = *q.index_cover;
        PolicyModel m;
        m.holdings = policy.holdings;
        for (const auto& name : cover.perils)
            m.perils.push_back(static_cast<std::uint32_t>(std::find(p.perils.begin(), p.perils.end(), name) - p.perils.begin()));
        std::sort(m.perils.begin(), m.perils.end());
        m.all_perils = m.perils.size() == p.perils.size();
        for (double t : q.return_periods)
            if (t <= static_cast<double>(years)) rps.insert(t);
        try {
            if (q.policy.term_months != 12)
                throw InvalidInput("term_months", "the loss model is annual: index insurance needs a 12-month term, got " +
                                                      std::to_string(q.policy.term_months));
            for (std::uint32_t h : m.holdings) m.stock_tco2e += p.holding_stock_tco2e[h];
            if (!(m.stock_tco2e > 0)) throw InvalidInput("holding_ids", "the insured pool holds no carbon (stock 0 tCO2e)");
            if (cover.form == "per_tonne") {
                m.per_tonne.price_cny_per_tco2e = cover.price_cny_per_tco2e;
                m.per_tonne.deductible_tco2e = cover.deductible_tco2e;
                m.sum_insured_cny = cover.sum_insured_cny.value_or(pricing::sum_insured_cny(m.per_tonne, m.stock_tco2e));
                m.per_tonne.limit_cny = cover.limit_cny.value_or(m.sum_insured_cny);
                pricing::validate(m.per_tonne);
            } else {
                m.linear = true;
                m.linear_cover.sum_insured_cny = *cover.sum_insured_cny;
                m.linear_cover.trigger = cover.trigger;
                m.linear_cover.exit = cover.exit;
                m.sum_insured_cny = m.linear_cover.sum_insured_cny;
                pricing::validate(m.linear_cover);
            }
            m.premium = to_premium_terms(q.premium);
            pricing::validate(m.premium);
        } catch (const InvalidInput& e) {
            problems.push_back(policy.where + ": " + e.what());
        }
        p.policies.push_back(std::move(m));
    }
    if (!problems.empty()) {
        const std::size_t total = problems.size();
        if (problems.size() > 20) problems.resize(20);
        throw PortfolioError(std::move(problems), total);
    }
    p.return_periods.assign(rps.begin(), rps.end());
    return p;
}

// ---------------------------------------------------------------------------------------------
// One simulated year of the portfolio. The same draws as risk::simulate on the book (the perils
// are called in book order with the same Year), but each peril's losses are kept apart, so
// that a policy covering only some of the book's perils gets exactly those. A holding's total
// is summed in peril order from 0, as risk/simulation/simulate.cpp does, so the year's total is the same
// bits as risk::simulate_year_losses on the book (tests/api/batch/batch_test.cpp checks it).

class PortfolioYear {
public:
    explicit PortfolioYear(const Prepared& p)
        : p_(p),
          holdings_(p.book.holdings.size()),
          loss_(p.book.perils.size() * holdings_),
          holding_total_(holdings_),
          weather_(p.book.weather.slots()),
          sink_(&events_) {}

    void run(std::uint64_t seed, std::uint32_t year) {
        sink_.reset();
        const double z = p_.book.weather.draw(seed, year, weather_);
        const risk::Year y{seed, year, z, weather_};
        for (std::size_t k = 0; k < p_.book.perils.size(); ++k) {
            const std::span<double> l(loss_.data() + k * holdings_, holdings_);
            std::fill(l.begin(), l.end(), 0.0);
            p_.book.perils[k]->add_year(y, {}, l, sink_);
        }
        total_ = 0;
        for (std::size_t h = 0; h < holdings_; ++h) {
            double t = 0;
            for (std::size_t k = 0; k < p_.book.perils.size(); ++k) t += loss_[k * holdings_ + h];
            holding_total_[h] = t;
            total_ += t;
        }
        max_event_ = sink_.max_event_tco2e();
        max_event_holding_ = no_policy;
        for (const auto& e : events_)
            if (e.loss_tco2e == max_event_) {
                max_event_holding_ = e.holding;
                break;
            }
    }

    double total_tco2e() const { return total_; }
    double max_event_tco2e() const { return max_event_; }
    double max_event_exposure_tco2e() const {
        return max_event_holding_ == no_policy ? 0.0 : p_.holding_stock_tco2e[max_event_holding_];
    }

    double pool_loss_tco2e(const PolicyModel& m) const {
        double s = 0;
        if (m.all_perils) {
            for (std::uint32_t h : m.holdings) s += holding_total_[h];
            return s;
        }
        for (std::uint32_t h : m.holdings) {
            double t = 0;
            for (std::uint32_t k : m.perils) t += loss_[k * holdings_ + h];
            s += t;
        }
        return s;
    }

    // pricing/index_insurance.cpp's payout of one year (payouts_cny does the same per element).
    static double payout_cny(const PolicyModel& m, double pool_loss_tco2e) {
        if (m.linear) return pricing::payout_cny(m.linear_cover, std::min(1.0, pool_loss_tco2e / m.stock_tco2e));
        return pricing::payout_cny(m.per_tonne, pool_loss_tco2e);
    }

private:
    const Prepared& p_;
    std::size_t holdings_;
    std::vector<double> loss_;  // by peril, then holding
    std::vector<double> holding_total_;
    std::vector<double> weather_;
    std::vector<risk::Event> events_;
    risk::EventSink sink_;
    double total_ = 0;
    double max_event_ = 0;
    std::uint32_t max_event_holding_ = no_policy;
};

// ---------------------------------------------------------------------------------------------
// Chunks: what a chunk of years contributes, computed, serialised (checkpoint file and MPI
// message are the same bytes) and read back.

struct Layout {
    std::uint32_t years = 0;
    std::uint32_t chunk_years = 0;
    std::size_t chunks = 0;
    std::size_t policies = 0;
    std::size_t group = 0;  // policies whose payout columns are held at once
    std::size_t passes = 0;
    std::optional<double> occurrence_threshold;  // payouts above it are kept for occurrence layers

    std::uint32_t first_year(std::size_t chunk) const { return static_cast<std::uint32_t>(chunk * chunk_years); }
    std::uint32_t chunk_size(std::size_t chunk) const {
        return static_cast<std::uint32_t>(std::min<std::uint64_t>(chunk_years, years - std::uint64_t{first_year(chunk)}));
    }
    std::size_t group_begin(std::size_t pass) const { return pass * group; }
    std::size_t group_end(std::size_t pass) const { return std::min(policies, (pass + 1) * group); }
};

struct ChunkResult {
    std::uint32_t pass = 0, chunk = 0, first_year = 0, years = 0, group_begin = 0, group_end = 0;
    // Pass 0 only: per year (index = year - first_year) and per policy.
    std::vector<double> total_tco2e, max_event_tco2e, max_event_exposure_tco2e, total_cny, max_payout_cny;
    std::vector<std::uint32_t> max_payout_policy;
    std::vector<double> pool_sum_tco2e, pool_sum_sq_tco2e;  // per policy, years in order, blocks in order
    std::vector<pricing::EventLoss> occurrences;           // (1-based year, payout), year then policy order
    // Every pass: payouts of policies group_begin..group_end, (policy - group_begin) * years + offset.
    std::vector<double> payouts;
};

ChunkResult compute_chunk(const Prepared& prep, const Layout& layout, std::size_t pass, std::size_t chunk,
                          std::uint64_t seed, unsigned threads, std::atomic<std::uint64_t>& progress) {
    ChunkResult r;
    r.pass = static_cast<std::uint32_t>(pass);
    r.chunk = static_cast<std::uint32_t>(chunk);
    r.first_year = layout.first_year(chunk);
    r.years = layout.chunk_size(chunk);
    r.group_begin = static_cast<std::uint32_t>(layout.group_begin(pass));
    r.group_end = static_cast<std::uint32_t>(layout.group_end(pass));
    const std::size_t n = r.years;
    const std::size_t policies = prep.policies.size();
    const bool first = pass == 0;
    if (first) {
        for (auto* v : {&r.total_tco2e, &r.max_event_tco2e, &r.max_event_exposure_tco2e, &r.total_cny, &r.max_payout_cny})
            v->assign(n, 0.0);
        r.max_payout_policy.assign(n, no_policy);
    }
    r.payouts.assign((r.group_end - r.group_begin) * n, 0.0);
    const std::size_t blocks = (n + block_years - 1) / block_years;
    std::vector<double> block_sum(first ? blocks * policies : 0, 0.0), block_sq(first ? blocks * policies : 0, 0.0);
    std::vector<std::vector<pricing::EventLoss>> block_occurrences(first ? blocks : 0);

    risk::parallel_indexed(
        blocks, threads, [&] { return PortfolioYear(prep); },
        [&](PortfolioYear& year, std::size_t b) {
            const std::size_t begin = b * block_years, end = std::min(n, begin + block_years);
            for (std::size_t off = begin; off < end; ++off) {
                const std::uint32_t y = r.first_year + static_cast<std::uint32_t>(off);
                year.run(seed, y);
                if (!first) {
                    for (std::size_t p = r.group_begin; p < r.group_end; ++p) {
                        const PolicyModel& m = prep.policies[p];
                        r.payouts[(p - r.group_begin) * n + off] = PortfolioYear::payout_cny(m, year.pool_loss_tco2e(m));
                    }
                    continue;
                }
                r.total_tco2e[off] = year.total_tco2e();
                r.max_event_tco2e[off] = year.max_event_tco2e();
                r.max_event_exposure_tco2e[off] = year.max_event_exposure_tco2e();
                double cny = 0, largest = 0;
                std::uint32_t largest_policy = no_policy;
                for (std::size_t p = 0; p < policies; ++p) {
                    const PolicyModel& m = prep.policies[p];
                    const double pool = year.pool_loss_tco2e(m);
                    const double pay = PortfolioYear::payout_cny(m, pool);
                    block_sum[b * policies + p] += pool;
                    block_sq[b * policies + p] += pool * pool;
                    cny += pay;
                    if (pay > largest) {
                        largest = pay;
                        largest_policy = static_cast<std::uint32_t>(p);
                    }
                    if (layout.occurrence_threshold && pay > *layout.occurrence_threshold)
                        block_occurrences[b].push_back({std::size_t{y} + 1, pay});
                    if (p >= r.group_begin && p < r.group_end) r.payouts[(p - r.group_begin) * n + off] = pay;
                }
                r.total_cny[off] = cny;
                r.max_payout_cny[off] = largest;
                r.max_payout_policy[off] = largest_policy;
            }
            progress.fetch_add(end - begin);
        });

    if (first) {
        r.pool_sum_tco2e.assign(policies, 0.0);
        r.pool_sum_sq_tco2e.assign(policies, 0.0);
        for (std::size_t b = 0; b < blocks; ++b)
            for (std::size_t p = 0; p < policies; ++p) {
                r.pool_sum_tco2e[p] += block_sum[b * policies + p];
                r.pool_sum_sq_tco2e[p] += block_sq[b * policies + p];
            }
        for (auto& o : block_occurrences) r.occurrences.insert(r.occurrences.end(), o.begin(), o.end());
    }
    return r;
}

class ByteWriter {
public:
    template <class T>
    void put(T v) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto* b = reinterpret_cast<const char*>(&v);
        s.append(b, sizeof v);
    }
    template <class T>
    void put_all(const std::vector<T>& v) {
        put<std::uint64_t>(v.size());
        s.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
    }
    std::string s;
};

class ByteReader {
public:
    explicit ByteReader(std::string_view s) : s_(s) {}
    template <class T>
    T get() {
        T v{};
        if (s_.size() - at_ < sizeof v) {
            ok_ = false;
            return v;
        }
        std::memcpy(&v, s_.data() + at_, sizeof v);
        at_ += sizeof v;
        return v;
    }
    template <class T>
    std::vector<T> get_all(std::size_t expected) {
        const auto n = get<std::uint64_t>();
        if (!ok_ || n != expected || (s_.size() - at_) / sizeof(T) < n) {
            ok_ = false;
            return {};
        }
        std::vector<T> v(n);
        std::memcpy(v.data(), s_.data() + at_, n * sizeof(T));
        at_ += n * sizeof(T);
        return v;
    }
    bool ok() const { return ok_; }
    bool done() const { return at_ == s_.size(); }

private:
    std::string_view s_;
    std::size_t at_ = 0;
    bool ok_ = true;
};

// magic, run hash, fields, pass-0 tables, sparse payouts (policy: count, then (offset, payout)
// for each year that pays), and the SHA-256 of all that: a damaged file is never trusted.
std::string serialise(const ChunkResult& r, const std::string& run_hash) {
    ByteWriter w;
    w.s.append(chunk_magic);
    w.s.append(run_hash);
    w.s += '\n';
    for (std::uint32_t v : {r.pass, r.chunk, r.first_year, r.years, r.group_begin, r.group_end}) w.put(v);
    if (r.pass == 0) {
        for (const auto* v : {&r.total_tco2e, &r.max_event_tco2e, &r.max_event_exposure_tco2e, &r.total_cny, &r.max_payout_cny})
            w.put_all(*v);
        w.put_all(r.max_payout_policy);
        w.put_all(r.pool_sum_tco2e);
        w.put_all(r.pool_sum_sq_tco2e);
        w.put<std::uint64_t>(r.occurrences.size());
        for (const auto& o : r.occurrences) {
            w.put<std::uint64_t>(o.year);
            w.put(o.loss_cny);
        }
    }
    const std::size_t n = r.years;
    for (std::size_t p = 0; p < std::size_t{r.group_end} - r.group_begin; ++p) {
        const double* col = r.payouts.data() + p * n;
        w.put<std::uint64_t>(static_cast<std::uint64_t>(std::count_if(col, col + n, [](double v) { return v != 0; })));
        for (std::size_t i = 0; i < n; ++i)
            if (col[i] != 0) {
                w.put(static_cast<std::uint32_t>(i));
                w.put(col[i]);
            }
    }
    w.s += data::sha256_hex(w.s);
    return std::move(w.s);
}

std::optional<ChunkResult> deserialise(std::string_view bytes, const std::string& run_hash, const Layout& layout,
                                       std::size_t pass, std::size_t chunk) {
    if (bytes.size() < chunk_magic.size() + run_hash.size() + 1 + 64) return std::nullopt;
    const std::string_view body = bytes.substr(0, bytes.size() - 64);
    if (data::sha256_hex(body) != bytes.substr(bytes.size() - 64)) return std::nullopt;
    if (body.substr(0, chunk_magic.size()) != chunk_magic) return std::nullopt;
    if (body.substr(chunk_magic.size(), run_hash.size()) != run_hash) return std::nullopt;
    ByteReader in(body.substr(chunk_magic.size() + run_hash.size() + 1));
    ChunkResult r;
    r.pass = in.get<std::uint32_t>();
    r.chunk = in.get<std::uint32_t>();
    r.first_year = in.get<std::uint32_t>();
    r.years = in.get<std::uint32_t>();
    r.group_begin = in.get<std::uint32_t>();
    r.group_end = in.get<std::uint32_t>();
    if (!in.ok() || r.pass != pass || r.chunk != chunk || r.first_year != layout.first_year(chunk) ||
        r.years != layout.chunk_size(chunk) || r.group_begin != layout.group_begin(pass) || r.group_end != layout.group_end(pass))
        return std::nullopt;
    const std::size_t n = r.years;
    if (pass == 0) {
        for (auto* v : {&r.total_tco2e, &r.max_event_tco2e, &r.max_event_exposure_tco2e, &r.total_cny, &r.max_payout_cny})
            *v = in.get_all<double>(n);
        r.max_payout_policy = in.get_all<std::uint32_t>(n);
        r.pool_sum_tco2e = in.get_all<double>(layout.policies);
        r.pool_sum_sq_tco2e = in.get_all<double>(layout.policies);
        const auto count = in.get<std::uint64_t>();
        for (std::uint64_t i = 0; i < count && in.ok(); ++i) {
            const auto year = in.get<std::uint64_t>();
            const auto loss = in.get<double>();
            r.occurrences.push_back({static_cast<std::size_t>(year), loss});
        }
    }
    r.payouts.assign((std::size_t{r.group_end} - r.group_begin) * n, 0.0);
    for (std::size_t p = 0; p < std::size_t{r.group_end} - r.group_begin && in.ok(); ++p) {
        const auto count = in.get<std::uint64_t>();
        if (count > n) return std::nullopt;
        for (std::uint64_t i = 0; i < count && in.ok(); ++i) {
            const auto off = in.get<std::uint32_t>();
            const auto v = in.get<double>();
            if (off >= n) return std::nullopt;
            r.payouts[p * n + off] = v;
        }
    }
    if (!in.ok() || !in.done()) return std::nullopt;
    return r;
}

std::optional<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// ---------------------------------------------------------------------------------------------
// Progress on stderr: a bar on a terminal, a plain line every few seconds otherwise.

std::string grouped(std::uint64_t v) {
    std::string s = std::to_string(v);
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
    return s;
}

std::string duration_text(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "--:--";
    const auto s = static_cast<long long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
    return buf;
}

class Progress {
public:
    Progress(ProgressStyle style, std::uint64_t total_years) : total_(total_years), start_(Clock::now()) {
        if (style == ProgressStyle::automatic) style = ::isatty(STDERR_FILENO) ? ProgressStyle::bar : ProgressStyle::lines;
        style_ = style;
        if (style_ != ProgressStyle::quiet) thread_ = std::thread([this] { loop(); });
    }
    ~Progress() { stop(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    std::atomic<std::uint64_t>& simulated() { return simulated_; }
    void resumed(std::uint64_t years) { resumed_ += years; }
    void stop() {
        {
            const std::lock_guard lock(mutex_);
            if (stopped_) return;
            stopped_ = true;
        }
        wake_.notify_all();
        if (thread_.joinable()) thread_.join();
        if (style_ == ProgressStyle::bar) {
            print(true);
            std::fputc('\n', stderr);
        }
    }

private:
    void loop() {
        const auto period = style_ == ProgressStyle::bar ? std::chrono::milliseconds(250) : std::chrono::milliseconds(5000);
        std::unique_lock lock(mutex_);
        while (!wake_.wait_for(lock, period, [this] { return stopped_; })) print(false);
    }

    void print(bool final) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
        const std::uint64_t sim = simulated_.load(), done = std::min(total_, sim + resumed_.load());
        const double fraction = total_ ? double(done) / double(total_) : 1.0;
        const double rate = elapsed > 0 ? double(sim) / elapsed : 0.0;
        const double eta = rate > 0 ? double(total_ - done) / rate : NAN;
        char pct[16];
        std::snprintf(pct, sizeof pct, "%5.1f%%", 100 * fraction);
        std::string line;
        if (style_ == ProgressStyle::bar) {
            constexpr int width = 30;
            const int filled = static_cast<int>(fraction * width);
            line = "\r[" + std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(width - filled), '-') + "] ";
            line += std::string(pct) + "  " + grouped(done) + "/" + grouped(total_) + " years  " +
                    grouped(static_cast<std::uint64_t>(rate)) + " years/s  ETA " + (final ? duration_text(0) : duration_text(eta)) + "  ";
        } else {
            line = "tanhui batch: " + std::string(pct) + " (" + std::to_string(done) + "/" + std::to_string(total_) +
                   " years), " + std::to_string(static_cast<std::uint64_t>(rate)) + " years/s, ETA " + duration_text(eta) + "\n";
        }
        std::fputs(line.c_str(), stderr);
        std::fflush(stderr);
    }

    ProgressStyle style_ = ProgressStyle::quiet;
    std::uint64_t total_;
    Clock::time_point start_;
    std::atomic<std::uint64_t> simulated_{0}, resumed_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopped_ = false;
    std::thread thread_;
};

// ---------------------------------------------------------------------------------------------
// MPI messages (rank r -> rank 0): the chunk's serialised bytes.

#ifdef TANHUI_HAVE_MPI
void send_bytes(const std::string& bytes) {
    std::uint64_t n = bytes.size();
    MPI_Send(&n, 1, MPI_UINT64_T, 0, 1, MPI_COMM_WORLD);
    constexpr std::size_t piece = std::size_t{1} << 30;
    for (std::size_t at = 0; at < bytes.size(); at += piece)
        MPI_Send(bytes.data() + at, static_cast<int>(std::min(piece, bytes.size() - at)), MPI_CHAR, 0, 2, MPI_COMM_WORLD);
}
std::string receive_bytes(int from) {
    std::uint64_t n = 0;
    MPI_Recv(&n, 1, MPI_UINT64_T, from, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    std::string bytes(n, '\0');
    constexpr std::size_t piece = std::size_t{1} << 30;
    for (std::size_t at = 0; at < bytes.size(); at += piece)
        MPI_Recv(bytes.data() + at, static_cast<int>(std::min(piece, bytes.size() - at)), MPI_CHAR, from, 2, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    return bytes;
}
#else
[[noreturn]] void no_mpi() { throw std::runtime_error("this tanhui was built without MPI (OpenMPI not found at build time)"); }
void send_bytes(const std::string&) { no_mpi(); }
std::string receive_bytes(int) { no_mpi(); }
#endif

// ---------------------------------------------------------------------------------------------
// Outputs.

std::string key_of(double v) { return format_number(v); }

std::vector<OrdOccurrence> occurrences_of(std::span<const double> largest, std::span<const double> exposure) {
    std::vector<OrdOccurrence> rows;
    for (std::size_t y = 0; y < largest.size(); ++y)
        if (largest[y] > 0) rows.push_back({static_cast<std::uint32_t>(y + 1), largest[y], exposure[y]});
    return rows;
}

std::string joined(const std::vector<std::string>& v, char sep) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : std::string(1, sep)) + x;
    return s;
}

struct PolicyResult {
    pricing::PremiumQuote quote;
    double expected_loss_tco2e = 0;
    double expected_loss_se_tco2e = 0;
    double tvar_contribution_cny = 0;
};

// The per-year tables rank 0 gathers.
struct Gathered {
    std::vector<double> total_tco2e, max_event_tco2e, max_event_exposure_tco2e, total_cny, max_payout_cny,
        max_payout_exposure_cny;
    std::vector<std::vector<double>> pool_sum_tco2e, pool_sum_sq_tco2e;  // by chunk, then policy
    std::vector<std::vector<pricing::EventLoss>> occurrences;           // by chunk
    std::vector<double> columns;                                        // the pass's payout columns
};

void apply(const ChunkResult& r, const Prepared& prep, Gathered& g, std::uint32_t years) {
    const std::size_t n = r.years;
    if (r.pass == 0) {
        std::copy(r.total_tco2e.begin(), r.total_tco2e.end(), g.total_tco2e.begin() + r.first_year);
        std::copy(r.max_event_tco2e.begin(), r.max_event_tco2e.end(), g.max_event_tco2e.begin() + r.first_year);
        std::copy(r.max_event_exposure_tco2e.begin(), r.max_event_exposure_tco2e.end(),
                  g.max_event_exposure_tco2e.begin() + r.first_year);
        std::copy(r.total_cny.begin(), r.total_cny.end(), g.total_cny.begin() + r.first_year);
        std::copy(r.max_payout_cny.begin(), r.max_payout_cny.end(), g.max_payout_cny.begin() + r.first_year);
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint32_t p = r.max_payout_policy[i];
            g.max_payout_exposure_cny[r.first_year + i] = p == no_policy ? 0.0 : prep.policies.at(p).sum_insured_cny;
        }
        g.pool_sum_tco2e[r.chunk] = r.pool_sum_tco2e;
        g.pool_sum_sq_tco2e[r.chunk] = r.pool_sum_sq_tco2e;
        g.occurrences[r.chunk] = r.occurrences;
    }
    for (std::size_t p = 0; p < std::size_t{r.group_end} - r.group_begin; ++p)
        std::copy(r.payouts.begin() + static_cast<std::ptrdiff_t>(p * n), r.payouts.begin() + static_cast<std::ptrdiff_t>((p + 1) * n),
                  g.columns.begin() + static_cast<std::ptrdiff_t>(p * years + r.first_year));
}

void write_outputs(const fs::path& dir, const Portfolio& portfolio, const Prepared& prep, const Layout& layout,
                   const BatchOptions& options, const std::string& model_version, const std::string& portfolio_hash,
                   const Gathered& g, const std::vector<PolicyResult>& results, const std::vector<double>& euler_holdings,
                   double euler_level) {
    const std::uint32_t years = layout.years;
    // Per policy.
    {
        std::string csv = "policy_id,product,form,perils,holdings,carbon_stock_tco2e,sum_insured_cny,expected_loss_tco2e,"
                          "expected_loss_se_tco2e,pure_premium_cny,pure_premium_se_cny,risk_load_cny,risk_load_se_cny,"
                          "gross_premium_cny,subsidy_cny,insured_pays_cny,rate_on_sum_insured,probability_of_payout,"
                          "probability_of_payout_se,payout_std_dev_cny";
        for (double t : prep.return_periods) csv += ",payout_rp_" + key_of(t) + "_cny";
        csv += ",tvar_contribution_cny\n";
        nlohmann::ordered_json json = nlohmann::ordered_json::array();
        for (std::size_t p = 0; p < results.size(); ++p) {
            const QuoteRequest& q = portfolio.policies[p].request;
            const PolicyModel& m = prep.policies[p];
            const PolicyResult& r = results[p];
            const auto& pq = r.quote;
            csv += data::csv_escape(q.policy.id) + ',' + q.product + ',' + q.index_cover->form + ',' +
                   joined(q.index_cover->perils, ';') + ',' + std::to_string(m.holdings.size());
            for (double v : {m.stock_tco2e, pq.sum_insured_cny, r.expected_loss_tco2e, r.expected_loss_se_tco2e, pq.pure_premium_cny,
                             pq.pure_premium_se_cny, pq.risk_load_cny, pq.risk_load_se_cny, pq.gross_premium_cny, pq.subsidy_cny,
                             pq.insured_pays_cny, pq.rate_on_sum_insured, pq.probability_of_payout, pq.probability_of_payout_se,
                             pq.std_dev_cny}) {
                csv += ',';
                append_number(csv, v);
            }
            for (const auto& rp : pq.payout_at_return_period_cny) {
                csv += ',';
                append_number(csv, rp.payout_cny);
            }
            csv += ',';
            append_number(csv, r.tvar_contribution_cny);
            csv += '\n';

            nlohmann::ordered_json j;
            j["policy_id"] = q.policy.id;
            j["product"] = q.product;
            j["currency"] = "CNY";
            j["form"] = q.index_cover->form;
            j["perils"] = q.index_cover->perils;
            j["holdings"] = m.holdings.size();
            j["carbon_stock_tco2e"] = m.stock_tco2e;
            j["sum_insured_cny"] = pq.sum_insured_cny;
            j["expected_loss_tco2e"] = r.expected_loss_tco2e;
            j["expected_loss_se_tco2e"] = r.expected_loss_se_tco2e;
            j["pure_premium_cny"] = pq.pure_premium_cny;
            j["pure_premium_se_cny"] = pq.pure_premium_se_cny;
            j["risk_load_cny"] = pq.risk_load_cny;
            j["risk_load_se_cny"] = pq.risk_load_se_cny;
            j["gross_premium_cny"] = pq.gross_premium_cny;
            j["subsidy_cny"] = pq.subsidy_cny;
            j["insured_pays_cny"] = pq.insured_pays_cny;
            j["rate_on_sum_insured"] = pq.rate_on_sum_insured;
            j["probability_of_payout"] = pq.probability_of_payout;
            j["probability_of_payout_se"] = pq.probability_of_payout_se;
            j["payout_std_dev_cny"] = pq.std_dev_cny;
            nlohmann::ordered_json rps = nlohmann::ordered_json::object();
            for (const auto& rp : pq.payout_at_return_period_cny) rps[key_of(rp.return_period_years)] = rp.payout_cny;
            j["payout_at_return_period_cny"] = rps;
            j["tvar_contribution_cny"] = r.tvar_contribution_cny;
            j["premium_principle"] = q.premium.principle;
            j["premium_parameter"] = q.premium.parameter;
            j["model_version"] = model_version;
            j["seed"] = options.seed;
            j["years"] = years;
            json.push_back(std::move(j));
        }
        write_file_atomic(dir / "results.csv", csv);
        write_file_atomic(dir / "results.json", dump_json(json) + "\n");
    }

    // Year loss tables and ORD tables, in tCO2e (carbon lost) and CNY (payouts).
    write_ylt(dir / "ylt_tco2e.csv", g.total_tco2e);
    write_ylt(dir / "ylt_cny.csv", g.total_cny);
    const risk::Metrics tco2e = risk::compute_metrics(g.total_tco2e, g.max_event_tco2e);
    const risk::Metrics cny = risk::compute_metrics(g.total_cny, g.max_payout_cny);
    for (const auto& [unit, m, largest, exposure] :
         {std::tuple{std::string("tco2e"), &tco2e, &g.max_event_tco2e, &g.max_event_exposure_tco2e},
          std::tuple{std::string("cny"), &cny, &g.max_payout_cny, &g.max_payout_exposure_cny}}) {
        const auto rows = occurrences_of(*largest, *exposure);
        write_selt(dir / ("selt_" + unit + ".csv"), rows);
        write_splt(dir / ("splt_" + unit + ".csv"), rows, years);
        write_file_atomic(dir / ("alt_" + unit + ".csv"), alt_csv(risk::alt_row(*m)));
        write_file_atomic(dir / ("alct_" + unit + ".csv"), alct_csv(risk::alct_row(*m)));
        const auto ept = risk::ept_rows(*m);
        write_file_atomic(dir / ("ept_" + unit + ".csv"), ept_csv(ept));
    }

    // Metrics with Euler contributions.
    {
        nlohmann::ordered_json j;
        j["model_version"] = model_version;
        j["seed"] = options.seed;
        j["years"] = years;
        j["portfolio_sha256"] = portfolio_hash;
        j["policies"] = prep.policies.size();
        j["holdings"] = prep.book.holdings.size();
        j["perils"] = prep.perils;
        j["chunk_years"] = layout.chunk_years;
        j["tco2e"] = metrics_json(tco2e, MetricsFields::batch);
        j["cny"] = metrics_json(cny, MetricsFields::batch);
        nlohmann::ordered_json e;
        e["level"] = euler_level;
        e["tvar_tco2e"] = risk::tail_value_at_risk(g.total_tco2e, euler_level);
        e["tvar_cny"] = risk::tail_value_at_risk(g.total_cny, euler_level);
        nlohmann::ordered_json hs = nlohmann::ordered_json::array();
        for (std::size_t h = 0; h < euler_holdings.size(); ++h)
            hs.push_back({{"id", portfolio.holdings[h].id}, {"tvar_contribution_tco2e", euler_holdings[h]}});
        e["holdings"] = hs;
        nlohmann::ordered_json ps = nlohmann::ordered_json::array();
        for (std::size_t p = 0; p < results.size(); ++p)
            ps.push_back({{"id", portfolio.policies[p].request.policy.id}, {"tvar_contribution_cny", results[p].tvar_contribution_cny}});
        e["policies"] = ps;
        j["euler"] = e;
        write_file_atomic(dir / "metrics.json", dump_json(j) + "\n");
    }

    // Reinsurance layers on the CNY portfolio.
    if (!options.layers.empty()) {
        std::vector<pricing::EventLoss> occurrences;
        for (const auto& o : g.occurrences) occurrences.insert(occurrences.end(), o.begin(), o.end());
        std::string csv = "layer,type,attachment_cny,limit_cny,expected_layer_loss_cny,expected_layer_loss_se_cny,std_dev_cny,"
                          "probability_of_attaching,probability_of_exhausting,rate_on_line,annual_cap_cny\n";
        nlohmann::ordered_json json = nlohmann::ordered_json::array();
        for (std::size_t i = 0; i < options.layers.size(); ++i) {
            const LayerSpec& spec = options.layers[i];
            const pricing::LayerResult r = spec.occurrence ? pricing::per_occurrence_layer(years, occurrences, spec.layer)
                                                           : pricing::aggregate_layer(g.total_cny, spec.layer);
            const std::string type = spec.occurrence ? "occurrence" : "aggregate";
            csv += std::to_string(i + 1) + ',' + type;
            for (double v : {spec.layer.attachment_cny, spec.layer.limit_cny, r.expected_layer_loss_cny, r.expected_layer_loss_se_cny,
                             r.std_dev_cny, r.probability_of_attaching, r.probability_of_exhausting, r.rate_on_line, r.annual_cap_cny}) {
                csv += ',';
                if (std::isfinite(v)) append_number(csv, v);  // an uncapped occurrence layer: empty cap
            }
            csv += '\n';
            json.push_back({{"layer", i + 1}, {"type", type}, {"attachment_cny", spec.layer.attachment_cny},
                            {"limit_cny", spec.layer.limit_cny}, {"expected_layer_loss_cny", r.expected_layer_loss_cny},
                            {"expected_layer_loss_se_cny", r.expected_layer_loss_se_cny}, {"std_dev_cny", r.std_dev_cny},
                            {"probability_of_attaching", r.probability_of_attaching},
                            {"probability_of_exhausting", r.probability_of_exhausting}, {"rate_on_line", r.rate_on_line},
                            {"annual_cap_cny", std::isfinite(r.annual_cap_cny) ? nlohmann::ordered_json(r.annual_cap_cny) : nullptr},
                            {"years", r.years}});
        }
        write_file_atomic(dir / "layers.csv", csv);
        write_file_atomic(dir / "layers.json", dump_json(json) + "\n");
    }
}

std::string chunk_file(std::size_t pass, std::size_t chunk) {
    return "pass-" + std::to_string(pass) + "-chunk-" + std::to_string(chunk) + ".bin";
}

std::string join_numbers(const std::vector<std::size_t>& v) {
    std::string s;
    for (std::size_t x : v) s += std::to_string(x) + ' ';
    return s;
}

std::vector<std::size_t> split_numbers(const std::string& s) {
    std::vector<std::size_t> v;
    std::size_t at = 0;
    while (at < s.size()) {
        const auto sp = s.find(' ', at);
        v.push_back(std::stoull(s.substr(at, sp - at)));
        at = sp + 1;
    }
    return v;
}

}  // namespace

BatchSummary run_batch(const Portfolio& portfolio, const risk::Model& model, const std::string& model_version,
                       const BatchOptions& options, const Cluster& cluster) {
    const auto started = Clock::now();
    if (options.years < 1) throw InvalidInput("--years", "must be >= 1");
    if (options.chunk_years < 1) throw InvalidInput("--chunk-years", "must be >= 1");
    if (!(options.euler_level > 0 && options.euler_level < 1)) throw InvalidInput("--euler-level", "must lie in (0, 1)");
    if (options.out.empty()) throw InvalidInput("--out", "is required");
    if (portfolio.policies.empty()) throw InvalidInput("portfolio", "has no policies");
    const bool root = cluster.rank == 0;

    const Prepared prep = prepare(portfolio, model, options.years);

    Layout layout;
    layout.years = options.years;
    layout.chunk_years = options.chunk_years;
    layout.chunks = (std::size_t{options.years} + options.chunk_years - 1) / options.chunk_years;
    layout.policies = prep.policies.size();
    const std::uint64_t per_policy = (std::uint64_t{options.years} + std::min(options.years, options.chunk_years)) * sizeof(double);
    layout.group = static_cast<std::size_t>(std::clamp<std::uint64_t>(options.column_budget_bytes / per_policy, 1, layout.policies));
    layout.passes = (layout.policies + layout.group - 1) / layout.group;
    for (const auto& l : options.layers)
        if (l.occurrence)
            layout.occurrence_threshold = std::min(layout.occurrence_threshold.value_or(l.layer.attachment_cny), l.layer.attachment_cny);

    const std::string portfolio_hash = data::sha256_hex(portfolio.canonical());
    // The program is part of the run: a rebuilt tanhui may simulate other numbers.
    std::string description = std::string("program tanhui ") + version + " " + git_commit + "\nportfolio_sha256 " +
                              portfolio_hash + "\nmodel_version " + model_version + "\nyears " +
                              std::to_string(options.years) + "\nseed " + std::to_string(options.seed) + "\nchunk_years " +
                              std::to_string(options.chunk_years) + "\npolicy_group " + std::to_string(layout.group) +
                              "\noccurrence_threshold " +
                              (layout.occurrence_threshold ? format_number(*layout.occurrence_threshold) : "none") + "\n";
    const std::string run_hash = data::sha256_hex(description);
    const fs::path checkpoints = options.out / ".checkpoint";

    // Rank 0 prepares DIR; a failure there must stop every rank, not leave them waiting.
    std::string status;
    if (root) {
        try {
            fs::create_directories(options.out);
            if (!options.resume) fs::remove_all(checkpoints);
            // Temporary files of a killed run (AtomicFile names them NAME.tmp-PID).
            for (const fs::path& d : {options.out, checkpoints}) {
                std::error_code ec;
                for (const auto& e : fs::directory_iterator(d, ec))
                    if (e.path().filename().string().find(".tmp-") != std::string::npos) fs::remove(e.path(), ec);
            }
            if (const auto existing = read_file(checkpoints / "run.txt")) {
                if (existing->find(run_hash) == std::string::npos)
                    throw std::runtime_error("--resume: " + checkpoints.string() +
                                             " holds checkpoints of another run (portfolio, years, seed, model version, layout or "
                                             "tanhui build differ); run without --resume to start afresh");
            }
            fs::create_directories(checkpoints);
            write_file_atomic(checkpoints / "run.txt", std::string(run_magic) + run_hash + "\n" + description);
        } catch (const std::exception& e) {
            status = e.what();
            if (status.empty()) status = "cannot prepare " + options.out.string();
        }
    }
    if (cluster.size > 1) mpi_broadcast(cluster, status);
    if (!status.empty()) throw std::runtime_error(status);

    const unsigned threads = risk::thread_count(options.threads);
    Gathered g;
    if (root) {
        for (auto* v : {&g.total_tco2e, &g.max_event_tco2e, &g.max_event_exposure_tco2e, &g.total_cny, &g.max_payout_cny,
                        &g.max_payout_exposure_cny})
            v->assign(options.years, 0.0);
        g.pool_sum_tco2e.resize(layout.chunks);
        g.pool_sum_sq_tco2e.resize(layout.chunks);
        g.occurrences.resize(layout.chunks);
    }
    std::vector<PolicyResult> results(layout.policies);
    BatchSummary summary;
    summary.years = options.years;
    summary.policies = layout.policies;
    summary.holdings = prep.book.holdings.size();
    summary.chunks = layout.chunks;
    summary.passes = layout.passes;
    summary.column_bytes = std::uint64_t{layout.group} * options.years * sizeof(double);
    summary.processes = cluster.size;

    // Per-policy year payouts, written pass by pass (policy order, then year): sparse, as most
    // policy-years pay nothing.
    std::optional<AtomicFile> policy_ylt;
    if (root && options.policy_ylt) {
        policy_ylt.emplace(options.out / "policy_ylt_cny.csv");
        policy_ylt->write("policy_id,year,payout_cny\n");
    }

    Progress progress(root ? options.progress : ProgressStyle::quiet, std::uint64_t{options.years} * layout.passes);
    for (std::size_t pass = 0; pass < layout.passes; ++pass) {
        const std::size_t g0 = layout.group_begin(pass), g1 = layout.group_end(pass);
        std::string pending_text;
        if (root) {
            g.columns.assign((g1 - g0) * std::size_t{options.years}, 0.0);
            std::vector<std::size_t> pending;
            for (std::size_t c = 0; c < layout.chunks; ++c) {
                std::optional<ChunkResult> done;
                if (options.resume)
                    if (const auto bytes = read_file(checkpoints / chunk_file(pass, c)))
                        done = deserialise(*bytes, run_hash, layout, pass, c);
                if (done) {
                    apply(*done, prep, g, options.years);
                    progress.resumed(done->years);
                    ++summary.chunks_resumed;
                } else {
                    pending.push_back(c);
                }
            }
            pending_text = join_numbers(pending);
        }
        if (cluster.size > 1) mpi_broadcast(cluster, pending_text);
        const std::vector<std::size_t> pending = split_numbers(pending_text);

        const auto size = static_cast<std::size_t>(cluster.size), rank = static_cast<std::size_t>(cluster.rank);
        for (std::size_t k = 0; k < pending.size(); k += size) {
            std::string bytes;
            if (k + rank < pending.size()) {
                const ChunkResult r = compute_chunk(prep, layout, pass, pending[k + rank], options.seed, threads, progress.simulated());
                bytes = serialise(r, run_hash);
                if (root) {
                    write_file_atomic(checkpoints / chunk_file(pass, r.chunk), bytes);
                    apply(r, prep, g, options.years);
                } else {
                    send_bytes(bytes);
                }
            }
            if (!root) continue;
            for (std::size_t from = 1; from < size && k + from < pending.size(); ++from) {
                const std::size_t c = pending[k + from];
                const std::string received = receive_bytes(static_cast<int>(from));
                const auto r = deserialise(received, run_hash, layout, pass, c);
                if (!r) throw std::runtime_error("rank " + std::to_string(from) + " sent a damaged chunk " + std::to_string(c));
                write_file_atomic(checkpoints / chunk_file(pass, c), received);
                apply(*r, prep, g, options.years);
                progress.simulated() += r->years;
            }
        }
        if (!root) continue;
        // Each policy's quote sorts its column (VaR, Wang, return periods): threads take policies.
        risk::parallel_for(g1 - g0, threads, [&](std::size_t i) {
            const std::size_t p = g0 + i;
            const std::span<const double> column(g.columns.data() + i * std::size_t{options.years}, options.years);
            results[p].quote = pricing::quote_premium(column, prep.policies[p].sum_insured_cny, prep.policies[p].premium,
                                                      prep.return_periods);
        });
        for (std::size_t p = g0; p < g1 && policy_ylt; ++p) {
            const std::span<const double> column(g.columns.data() + (p - g0) * std::size_t{options.years}, options.years);
            const std::string id = data::csv_escape(portfolio.policies[p].request.policy.id) + ',';
            std::string rows;
            for (std::size_t y = 0; y < column.size(); ++y) {
                if (column[y] == 0) continue;
                rows += id;
                append_number(rows, std::uint64_t{y + 1});
                rows += ',';
                append_number(rows, column[y]);
                rows += '\n';
            }
            policy_ylt->write(rows);
        }
    }
    progress.stop();
    if (!root) {
        summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
        return summary;
    }
    g.columns.clear();
    g.columns.shrink_to_fit();

    // Expected pool losses: chunk sums in chunk order.
    const double n = options.years;
    for (std::size_t p = 0; p < layout.policies; ++p) {
        double sum = 0, sq = 0;
        for (std::size_t c = 0; c < layout.chunks; ++c) {
            sum += g.pool_sum_tco2e[c][p];
            sq += g.pool_sum_sq_tco2e[c][p];
        }
        results[p].expected_loss_tco2e = sum / n;
        const double var = n > 1 ? std::max(0.0, (sq - sum * sum / n) / (n - 1)) : 0.0;
        results[p].expected_loss_se_tco2e = std::sqrt(var / n);
    }

    // Euler TVaR contributions: the tail years are regenerated, never stored (STYLE).
    risk::Simulation sim;
    sim.years = options.years;
    sim.seed = options.seed;
    sim.threads = threads;
    const std::vector<double> euler_holdings = risk::euler_tvar_tco2e(prep.book, sim, g.total_tco2e, options.euler_level);
    {
        const risk::TailYears tail = risk::tail_years(g.total_cny, options.euler_level);
        std::vector<double> c(layout.policies, 0.0);
        PortfolioYear year(prep);
        for (std::size_t t = 0; t < tail.index.size(); ++t) {
            year.run(options.seed, static_cast<std::uint32_t>(tail.index[t]));
            for (std::size_t p = 0; p < layout.policies; ++p) {
                const PolicyModel& m = prep.policies[p];
                c[p] += tail.weight[t] * PortfolioYear::payout_cny(m, year.pool_loss_tco2e(m));
            }
        }
        for (std::size_t p = 0; p < layout.policies; ++p) results[p].tvar_contribution_cny = c[p] / tail.tail_mass;
    }

    write_outputs(options.out, portfolio, prep, layout, options, model_version, portfolio_hash, g, results, euler_holdings,
                  options.euler_level);
    if (policy_ylt) policy_ylt->commit();
    if (!options.keep_checkpoints) fs::remove_all(checkpoints);
    summary.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return summary;
}

#ifdef TANHUI_HAVE_MPI
bool mpi_built() { return true; }

Cluster mpi_start() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) {
        MPI_Init(nullptr, nullptr);
        std::atexit([] {
            int finalised = 0;
            MPI_Finalized(&finalised);
            if (!finalised) MPI_Finalize();
        });
    }
    Cluster c;
    MPI_Comm_rank(MPI_COMM_WORLD, &c.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &c.size);
    return c;
}

void mpi_broadcast(const Cluster& cluster, std::string& text) {
    if (cluster.size <= 1) return;
    std::uint64_t n = text.size();
    MPI_Bcast(&n, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    text.resize(n);
    if (n > 0) MPI_Bcast(text.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD);
}

void mpi_barrier(const Cluster& cluster) {
    if (cluster.size > 1) MPI_Barrier(MPI_COMM_WORLD);
}

void mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); std::abort(); }
#else
bool mpi_built() { return false; }
Cluster mpi_start() { no_mpi(); }
void mpi_broadcast(const Cluster& cluster, std::string&) {
    if (cluster.size > 1) no_mpi();
}
void mpi_barrier(const Cluster& cluster) {
    if (cluster.size > 1) no_mpi();
}
void mpi_abort(int code) { std::_Exit(code); }
#endif

}  // namespace tanhui::api
