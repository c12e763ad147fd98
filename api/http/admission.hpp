// Admission of authenticated requests: a token bucket per API key (docs/api.md "Rate limits").
//
// Each key has a bucket of `burst` tokens refilled at `tokens_per_second` (its role's budget); a
// request takes `cost` tokens, or is refused with the time after which it would be admitted (the
// 429's Retry-After). Today every request costs 1 token, so the budget is a request rate. The
// cost is a parameter so that cost-based budgets (simulated holding-years per minute) and fair
// lanes can use the same buckets later (issue 20): a lane is one more bucket per key and a cost
// in its own unit. Thread-safe; cheap (one mutex per shard of keys, no allocation once a key is
// known).
#pragma once

#include "api/http/auth.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace tanhui::api {

struct Budget {
    double tokens_per_second = 0;  // 0: unlimited
    double burst = 0;              // bucket size; at least one request's cost
};

// Budgets by role (indexed by Role); Role::anyone (public routes) is never limited.
struct AdmissionConfig {
    std::array<Budget, 4> by_role{};
    // 200 requests a second per key, bursts of 400, for every role (docs/api.md).
    static AdmissionConfig defaults();
    const Budget& of(Role role) const { return by_role[static_cast<std::size_t>(role)]; }
};

// Parses one --rate-limit value: "R", "R:B", "ROLE=R" or "ROLE=R:B" (R requests a second, B the
// burst, default 2R; R = 0 lifts the limit). Applies it to `config` (every key role, or ROLE).
// Throws InvalidInput("--rate-limit", why) for anything else.
void apply_rate_limit(AdmissionConfig& config, std::string_view spec);

class Admission {
public:
    using Clock = std::chrono::steady_clock;
    explicit Admission(AdmissionConfig config) : config_(config) {}

    struct Decision {
        bool admitted = true;
        std::chrono::milliseconds retry_after{0};  // refused: when `cost` tokens will be there
    };
    Decision admit(const std::string& key_id, Role role, double cost = 1, Clock::time_point now = Clock::now());

    const AdmissionConfig& config() const { return config_; }

private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point updated;
    };
    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::string, Bucket> buckets;
    };
    AdmissionConfig config_;
    std::array<Shard, 16> shards_;
};

}  // namespace tanhui::api
