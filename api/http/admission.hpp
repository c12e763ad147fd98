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

// ---- Cost budgets (issue 20) ------------------------------------------------------------------

// What a key of a role may spend on simulations: expensive requests running at once, and cost
// (simulated holding-years, api/service/request_cost.hpp) a minute. 0: unlimited.
struct CostBudget {
    unsigned concurrent_expensive = 0;
    double cost_per_minute = 0;
};

struct CostBudgetConfig {
    std::array<CostBudget, 4> by_role{};
    // Underwriter 2 expensive requests at once and 3e9 holding-years a minute; actuary and admin 4
    // and 6e9 (docs/reliability.md).
    static CostBudgetConfig defaults();
    const CostBudget& of(Role role) const { return by_role[static_cast<std::size_t>(role)]; }
};

// Parses one --key-budget value: "N:C" or "ROLE=N:C" (N expensive requests at once, C cost a
// minute; 0 lifts either). Throws InvalidInput("--key-budget", why) for anything else.
void apply_key_budget(CostBudgetConfig& config, std::string_view spec);

// The keys' cost budgets: the cost a minute is a token bucket of Admission (tokens = cost,
// refilled at C/60 a second, bursts of C), the expensive requests at once a counter per key.
class CostBudgets {
public:
    explicit CostBudgets(CostBudgetConfig config);

    struct Decision {
        bool admitted = true;
        std::chrono::milliseconds retry_after{0};
        std::string why;  // refused: which budget, for the 429's detail
    };
    // Charges `cost` to the key and, when `expensive`, takes one of its slots (give it back with
    // release()). A refused request is charged nothing.
    Decision admit(const std::string& key_id, Role role, double cost, bool expensive);
    void release(const std::string& key_id);  // an expensive request of the key ended

    const CostBudgetConfig& config() const { return config_; }

private:
    CostBudgetConfig config_;
    Admission cost_;
    std::mutex mutex_;
    std::unordered_map<std::string, unsigned> running_;
};

}  // namespace tanhui::api
