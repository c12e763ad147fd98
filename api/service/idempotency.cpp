#include "api/service/idempotency.hpp"

#include <openssl/sha.h>

#include <ctime>

namespace tanhui::api {

std::optional<FieldProblem> check_idempotency_key(std::string_view key) {
    const std::string at = "/headers/idempotency-key";
    if (key.empty() || key.size() > max_idempotency_key_bytes)
        return FieldProblem{at, "must be 1 to " + std::to_string(max_idempotency_key_bytes) + " characters, got " +
                                    std::to_string(key.size())};
    for (char c : key)
        if (c < 0x20 || c > 0x7e) return FieldProblem{at, "must be printable ASCII characters"};
    return std::nullopt;
}

std::string request_digest(const nlohmann::json& body, std::string_view options) {
    std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text += '\n';
    text += options;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : digest) {
        out += hex[b >> 4];
        out += hex[b & 0xf];
    }
    return out;
}

std::string iso8601_after(std::chrono::seconds after) {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + after);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

data::IdempotencyRecord idempotency_record(const std::string& key_id, const std::string& idempotency_key,
                                           const std::string& digest, int status, std::string response) {
    return {key_id,
            idempotency_key,
            digest,
            status,
            std::move(response),
            iso8601_after(std::chrono::seconds(0)),
            iso8601_after(std::chrono::duration_cast<std::chrono::seconds>(idempotency_lifetime))};
}

}  // namespace tanhui::api
