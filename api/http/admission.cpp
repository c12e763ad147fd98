#include "api/http/admission.hpp"

#include "data/types.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <functional>

namespace tanhui::api {

AdmissionConfig AdmissionConfig::defaults() {
    AdmissionConfig c;
    for (Role r : {Role::underwriter, Role::actuary, Role::admin}) c.by_role[static_cast<std::size_t>(r)] = {200, 400};
    return c;
}

namespace {

std::optional<double> parse_number(std::string_view s) {
    double v = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size() || !std::isfinite(v) || v < 0) return std::nullopt;
    return v;
}

}  // namespace

void apply_rate_limit(AdmissionConfig& config, std::string_view spec) {
    const std::string why = "must be R, R:BURST, ROLE=R or ROLE=R:BURST (R requests a second >= 0, BURST >= 1, ROLE "
                            "underwriter, actuary or admin), got \"" + std::string(spec) + "\"";
    std::optional<Role> only;
    if (const std::size_t eq = spec.find('='); eq != std::string_view::npos) {
        only = parse_role(spec.substr(0, eq));
        if (!only) throw InvalidInput("--rate-limit", why);
        spec.remove_prefix(eq + 1);
    }
    const std::size_t colon = spec.find(':');
    const auto rate = parse_number(spec.substr(0, colon));
    const auto burst = colon == std::string_view::npos ? std::optional<double>(rate ? 2 * *rate : 0)
                                                       : parse_number(spec.substr(colon + 1));
    if (!rate || !burst || (*rate > 0 && *burst < 1)) throw InvalidInput("--rate-limit", why);
    for (Role r : {Role::underwriter, Role::actuary, Role::admin})
        if (!only || *only == r) config.by_role[static_cast<std::size_t>(r)] = {*rate, *burst};
}

Admission::Decision Admission::admit(const std::string& key_id, Role role, double cost, Clock::time_point now) {
    const Budget& budget = config_.of(role);
    if (role == Role::anyone || budget.tokens_per_second <= 0) return {};
    Shard& shard = shards_[std::hash<std::string>{}(key_id) % shards_.size()];
    std::lock_guard lock(shard.mutex);
    auto [it, fresh] = shard.buckets.try_emplace(key_id, Bucket{budget.burst, now});
    Bucket& b = it->second;
    if (!fresh) {
        const double elapsed = std::chrono::duration<double>(now - b.updated).count();
        b.tokens = std::min(budget.burst, b.tokens + std::max(0.0, elapsed) * budget.tokens_per_second);
        b.updated = std::max(b.updated, now);
    }
    if (b.tokens >= cost) {
        b.tokens -= cost;
        return {};
    }
    const double wait_s = (cost - b.tokens) / budget.tokens_per_second;
    return {false, std::chrono::milliseconds(static_cast<long long>(std::ceil(wait_s * 1000)))};
}

// ---- CostBudgets ---------------------------------------------------------------------------

CostBudgetConfig CostBudgetConfig::defaults() {
    CostBudgetConfig c;
    c.by_role[static_cast<std::size_t>(Role::underwriter)] = {2, 3e9};
    c.by_role[static_cast<std::size_t>(Role::actuary)] = {4, 6e9};
    c.by_role[static_cast<std::size_t>(Role::admin)] = {4, 6e9};
    return c;
}

void apply_key_budget(CostBudgetConfig& config, std::string_view spec) {
    const std::string why = "must be N:C or ROLE=N:C (N expensive requests at once >= 0, C cost a minute >= 0 in "
                            "simulated holding-years, 0 = unlimited; ROLE underwriter, actuary or admin), got \"" +
                            std::string(spec) + "\"";
    std::optional<Role> only;
    if (const std::size_t eq = spec.find('='); eq != std::string_view::npos) {
        only = parse_role(spec.substr(0, eq));
        if (!only) throw InvalidInput("--key-budget", why);
        spec.remove_prefix(eq + 1);
    }
    const std::size_t colon = spec.find(':');
    if (colon == std::string_view::npos) throw InvalidInput("--key-budget", why);
    const auto n = parse_number(spec.substr(0, colon));
    const auto c = parse_number(spec.substr(colon + 1));
    if (!n || !c || *n != std::floor(*n) || *n > 1e6) throw InvalidInput("--key-budget", why);
    for (Role r : {Role::underwriter, Role::actuary, Role::admin})
        if (!only || *only == r) config.by_role[static_cast<std::size_t>(r)] = {static_cast<unsigned>(*n), *c};
}

namespace {

AdmissionConfig cost_buckets(const CostBudgetConfig& config) {
    AdmissionConfig a;
    for (std::size_t r = 0; r < a.by_role.size(); ++r)
        a.by_role[r] = {config.by_role[r].cost_per_minute / 60.0, config.by_role[r].cost_per_minute};
    return a;
}

}  // namespace

CostBudgets::CostBudgets(CostBudgetConfig config) : config_(config), cost_(cost_buckets(config)) {}

CostBudgets::Decision CostBudgets::admit(const std::string& key_id, Role role, double cost, bool expensive) {
    const CostBudget& budget = config_.of(role);
    if (role == Role::anyone) return {};
    if (expensive && budget.concurrent_expensive > 0) {
        std::lock_guard lock(mutex_);
        unsigned& running = running_[key_id];
        if (running >= budget.concurrent_expensive) {
            if (running == 0) running_.erase(key_id);
            return {false, std::chrono::milliseconds(1000),
                    "already runs " + std::to_string(running) + " expensive request(s), its limit"};
        }
        ++running;
    } else if (expensive) {
        std::lock_guard lock(mutex_);
        ++running_[key_id];
    }
    if (cost > 0 && budget.cost_per_minute > 0) {
        // A request may cost more than a minute's budget (the ceiling is separate): it then needs a full bucket.
        const auto d = cost_.admit(key_id, role, std::min(cost, budget.cost_per_minute));
        if (!d.admitted) {
            if (expensive) release(key_id);
            char text[96];
            std::snprintf(text, sizeof text, "is over its budget of %g simulated holding-years a minute",
                          budget.cost_per_minute);
            return {false, d.retry_after, text};
        }
    }
    return {};
}

void CostBudgets::release(const std::string& key_id) {
    std::lock_guard lock(mutex_);
    const auto it = running_.find(key_id);
    if (it == running_.end()) return;
    if (--it->second == 0) running_.erase(it);
}

}  // namespace tanhui::api
