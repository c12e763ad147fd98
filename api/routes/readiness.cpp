// GET /readyz: whether this server can do its work now, and promptly (docs/api.md "Health and readiness").
// Liveness (GET /healthz) says the process answers; readiness says it can also store: the
// database file is where it was opened and takes a write within a second. A load balancer takes
// a server whose readiness fails out of rotation and puts it back when it passes again.
#include "api/json/problem.hpp"
#include "api/http/server.hpp"
#include "api/version.hpp"
#include "data/store/storage_error.hpp"
#include "data/store/store.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace tanhui::api {

namespace {

constexpr int write_wait_ms = 1'000;

Response not_ready(std::string cause) {
    return service_unavailable("not ready: " + cause + "; quotes cannot be stored now", 5);
}

Response readiness(ServiceContext& ctx) {
    // Cheap requests waiting too long for a worker: this server cannot quote promptly now
    // (docs/reliability.md "Cost, lanes and budgets"); a load balancer sends the traffic elsewhere.
    if (auto overloaded = ctx.overloaded())
        return service_unavailable("not ready: " + *overloaded + "; quotes would wait", 1);
    std::error_code ec;
    if (!std::filesystem::exists(ctx.db_path(), ec))
        return not_ready("the database file " + ctx.db_path().string() + " is gone");
    try {
        ctx.store().check_writable(write_wait_ms);
    } catch (const std::exception& e) {
        const auto storage = data::storage_error(e);
        return not_ready(storage && !storage->cause.empty() ? storage->cause
                                                            : std::string("the database failed: ") + e.what());
    }
    return json_response(nlohmann::json{{"status", "ready"}, {"version", version}, {"schema_version", ctx.schema_version()}});
}

}  // namespace

void register_readiness_route(Router& router, ServiceContext& ctx) {
    // In the cheap lane, unlike /healthz: it reads the database, and it waits in the queue
    // like a cheap quote, so its own wait counts.
    router.add("GET", "/readyz", Role::anyone, [&ctx](const Request& req) {
        if (auto p = check_query(req, {})) return *p;
        return readiness(ctx);
    });
}

}  // namespace tanhui::api
