// API keys and roles. DESIGN "Interfaces (api/)": `Authorization: Bearer <key>`; roles
// underwriter (quote, read) < actuary (+ calibrate, portfolio, layers) < admin (+ import, keys).
//
// A key is `th_<id>_<secret>`: id 12 hex digits (6 random bytes), secret 64 hex digits (32 bytes
// from OpenSSL RAND_bytes). The table api_keys keeps the id, a 16-byte random salt and
// HMAC-SHA256(salt, secret), never the secret. A fast keyed hash is enough here, unlike for
// passwords: a 256-bit random secret cannot be guessed however fast each guess is, so a slow
// KDF (PBKDF2, scrypt) would only slow down every cache miss of the server and add nothing.
// Hashes are compared with CRYPTO_memcmp (constant time).
#pragma once

#include "data/repositories/keys.hpp"
#include "data/store/store.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tanhui::api {

// Ordered: a route that needs `actuary` admits actuary and admin. `anyone` marks public routes
// (/healthz, /metrics); no key has it.
enum class Role : std::uint8_t { anyone = 0, underwriter = 1, actuary = 2, admin = 3 };

std::string_view to_string(Role role);  // "public", "underwriter", "actuary", "admin"
std::optional<Role> parse_role(std::string_view name);  // the three key roles only
inline bool role_allows(Role caller, Role required) { return caller >= required; }

struct NewKey {
    std::string id;
    std::string key;  // th_<id>_<secret>: shown once, never stored
};

// Stores a new key (salted hash only) and returns it. Throws InvalidInput for an empty name or
// Role::anyone.
NewKey create_key(data::Store& store, Role role, const std::string& name);

struct KeyInfo {
    std::string id, name;
    Role role = Role::underwriter;
    std::string created;                 // ISO 8601 UTC
    std::optional<std::string> revoked;  // when revoked
};
std::vector<KeyInfo> list_keys(data::Store& store);

using data::RevokeResult;
RevokeResult revoke_key(data::Store& store, const std::string& id);

// Keys that are not revoked. None: the server runs in local mode (loopback only, everyone admin).
long long active_key_count(data::Store& store);

// `tanhui keys list`: a table or JSON; ids, names, roles and dates only.
void print_keys(std::ostream& out, const std::vector<KeyInfo>& keys, bool json);

struct Caller {
    std::string key_id;  // empty in local mode
    Role role = Role::anyone;
};

// Checks bearer tokens against api_keys. Verified keys are cached in memory (by id, with the
// SHA-256 of the whole token, compared in constant time) for `cache_ttl`, so a revocation takes
// effect on a running server within that time. Thread-safe.
class KeyVerifier {
public:
    // `keys` returns the key repository on the calling thread's Store (each thread its own).
    explicit KeyVerifier(std::function<data::Keys()> keys,
                         std::chrono::milliseconds cache_ttl = std::chrono::seconds(5));

    // The key's id and role, or nothing for a malformed, unknown, wrong or revoked key.
    std::optional<Caller> verify(std::string_view token);

private:
    struct Cached {
        std::array<unsigned char, 32> token_sha256;
        Role role;
        std::chrono::steady_clock::time_point expires;
    };
    std::function<data::Keys()> keys_;
    std::chrono::milliseconds ttl_;
    std::mutex mutex_;
    std::unordered_map<std::string, Cached> cache_;
};

}  // namespace tanhui::api
