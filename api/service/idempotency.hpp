// Idempotency-Key on POST /v1/quotes (docs/api.md "Retries after a time-out"): a client that
// lost an answer sends the same request again with the same key and gets the stored answer,
// while nothing is stored twice. The key is scoped to the API key that sent it.
#pragma once

#include "api/json/field_problem.hpp"
#include "data/repositories/idempotency.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tanhui::api {

// How long a stored answer is kept for retries. After it, the same key is a new request.
inline constexpr std::chrono::hours idempotency_lifetime{24};
inline constexpr std::size_t max_idempotency_key_bytes = 255;

// The header's value: 1 to 255 printable ASCII characters (no controls); else the problem,
// at /headers/idempotency-key.
std::optional<FieldProblem> check_idempotency_key(std::string_view key);

// The SHA-256 (hex) of what makes two requests the same: the body as canonical JSON (keys
// sorted, no spaces: the same document however it is spaced or ordered) and the options of the
// query string that change the answer (`options`, e.g. "atomic=false").
std::string request_digest(const nlohmann::json& body, std::string_view options);

// UTC now and `after` from now, as ISO 8601 (2027-01-01T08:00:00Z).
std::string iso8601_after(std::chrono::seconds after);

// A record of the answer `response` (status, body) to store with the request's quotes.
data::IdempotencyRecord idempotency_record(const std::string& key_id, const std::string& idempotency_key,
                                           const std::string& digest, int status, std::string response);

}  // namespace tanhui::api
