#include "api/http/admission.hpp"

#include "data/types.hpp"

#include <algorithm>
#include <charconv>
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

}  // namespace tanhui::api
