// The route groups of `tanhui serve` beyond api/http/server.hpp's data routes.
#pragma once

#include "api/service/quote_service.hpp"
#include "api/http/server.hpp"

#include <memory>

namespace tanhui::api {

// POST /v1/quotes, GET /v1/quotes/{id}, POST /v1/quotes/{id}/replay, GET /v1/models/current,
// POST /v1/calibrations, POST /v1/portfolio/risk (api/routes/quotes.cpp).
// `models` is the server's one cache of built models, shared with the product routes so that a
// new calibration is seen by all.
void register_quote_routes(Router& router, ServiceContext& ctx, std::shared_ptr<ModelCache> models);

// Parts of register_quote_routes: POST /v1/quotes (api/routes/quote_post.cpp); GET /v1/quotes,
// GET /v1/quotes/{id} and POST /v1/quotes/{id}/replay (api/routes/quote_reads.cpp).
void add_quote_post_route(Router& router, ServiceContext& ctx, std::shared_ptr<ModelCache> models);
void add_quote_read_routes(Router& router, ServiceContext& ctx, std::shared_ptr<ModelCache> models);

}  // namespace tanhui::api
