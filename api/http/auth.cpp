#include "api/http/auth.hpp"

#include "data/types.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <ctime>
#include <iomanip>
#include <ostream>
#include <stdexcept>

namespace tanhui::api {

namespace {

constexpr std::size_t id_bytes = 6;       // 12 hex digits
constexpr std::size_t secret_bytes = 32;  // 64 hex digits
constexpr std::size_t salt_bytes = 16;

std::string hex(const unsigned char* p, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(2 * n, '0');
    for (std::size_t i = 0; i < n; ++i) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 0xf];
    }
    return out;
}

bool is_lower_hex(std::string_view s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::vector<unsigned char> random_bytes(std::size_t n) {
    std::vector<unsigned char> out(n);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) throw std::runtime_error("OpenSSL RAND_bytes failed");
    return out;
}

// HMAC-SHA256 keyed by the salt over "<id>:<secret>": binding the id means a row's hash cannot
// be copied onto another id.
std::array<unsigned char, 32> key_hash(const std::vector<unsigned char>& salt, std::string_view id,
                                       std::string_view secret) {
    const std::string message = std::string(id) + ":" + std::string(secret);
    std::array<unsigned char, 32> out{};
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), salt.data(), static_cast<int>(salt.size()),
              reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &len) ||
        len != out.size())
        throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
    return out;
}

std::array<unsigned char, 32> sha256(std::string_view s) {
    std::array<unsigned char, 32> out{};
    SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), out.data());
    return out;
}

// th_<12 hex>_<64 hex>
struct Parsed { std::string_view id, secret; };
std::optional<Parsed> parse_token(std::string_view token) {
    if (token.size() != 3 + 2 * id_bytes + 1 + 2 * secret_bytes) return std::nullopt;
    if (token.substr(0, 3) != "th_" || token[3 + 2 * id_bytes] != '_') return std::nullopt;
    const std::string_view id = token.substr(3, 2 * id_bytes);
    const std::string_view secret = token.substr(4 + 2 * id_bytes);
    if (!is_lower_hex(id) || !is_lower_hex(secret)) return std::nullopt;
    return Parsed{id, secret};
}

}  // namespace

std::string_view to_string(Role role) {
    switch (role) {
    case Role::anyone: return "public";
    case Role::underwriter: return "underwriter";
    case Role::actuary: return "actuary";
    case Role::admin: return "admin";
    }
    return "unknown";
}

std::optional<Role> parse_role(std::string_view name) {
    if (name == "underwriter") return Role::underwriter;
    if (name == "actuary") return Role::actuary;
    if (name == "admin") return Role::admin;
    return std::nullopt;
}

NewKey create_key(data::Store& store, Role role, const std::string& name) {
    if (role == Role::anyone) throw InvalidInput("role", "must be underwriter, actuary or admin");
    if (name.empty()) throw InvalidInput("name", "must not be empty");
    data::Keys keys(store);
    for (int attempt = 0; attempt < 8; ++attempt) {
        const auto id_raw = random_bytes(id_bytes);
        const auto secret_raw = random_bytes(secret_bytes);
        const auto salt = random_bytes(salt_bytes);
        const std::string id = hex(id_raw.data(), id_raw.size());
        const std::string secret = hex(secret_raw.data(), secret_raw.size());
        const auto hash = key_hash(salt, id, secret);
        const data::StoredKey row{id, name, std::string(to_string(role)), salt,
                                  std::vector<unsigned char>(hash.begin(), hash.end()), utc_now_iso8601(), std::nullopt};
        if (!keys.add(row)) continue;  // the id is taken (2^-48 per key): try another
        return {id, "th_" + id + "_" + secret};
    }
    throw std::runtime_error("could not find a free key id");
}

std::vector<KeyInfo> list_keys(data::Store& store) {
    std::vector<KeyInfo> out;
    for (data::StoredKey& row : data::Keys(store).list()) {
        KeyInfo k;
        k.id = std::move(row.id);
        k.name = std::move(row.name);
        k.role = parse_role(row.role).value_or(Role::underwriter);
        k.created = std::move(row.created);
        k.revoked = std::move(row.revoked);
        out.push_back(std::move(k));
    }
    return out;
}

RevokeResult revoke_key(data::Store& store, const std::string& id) { return data::Keys(store).revoke(id); }

long long active_key_count(data::Store& store) { return data::Keys(store).active_count(); }

void print_keys(std::ostream& out, const std::vector<KeyInfo>& keys, bool json) {
    if (json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const KeyInfo& k : keys)
            arr.push_back({{"id", k.id}, {"name", k.name}, {"role", to_string(k.role)}, {"created", k.created},
                           {"revoked", k.revoked ? nlohmann::json(*k.revoked) : nlohmann::json(nullptr)}});
        out << arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        return;
    }
    out << std::left << std::setw(14) << "id" << std::setw(13) << "role" << std::setw(22) << "created"
        << std::setw(22) << "revoked" << "name\n";
    for (const KeyInfo& k : keys)
        out << std::setw(14) << k.id << std::setw(13) << to_string(k.role) << std::setw(22) << k.created
            << std::setw(22) << k.revoked.value_or("-") << k.name << '\n';
    out << std::right;
}

KeyVerifier::KeyVerifier(std::function<data::Keys()> keys, std::chrono::milliseconds cache_ttl)
    : keys_(std::move(keys)), ttl_(cache_ttl) {}

std::optional<Caller> KeyVerifier::verify(std::string_view token) {
    const auto parsed = parse_token(token);
    if (!parsed) return std::nullopt;
    const std::string id(parsed->id);
    const auto digest = sha256(token);
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        if (auto it = cache_.find(id); it != cache_.end()) {
            if (it->second.expires > now &&
                CRYPTO_memcmp(it->second.token_sha256.data(), digest.data(), digest.size()) == 0)
                return Caller{id, it->second.role};
            // Expired, or another secret presented for this id: ask the database again.
        }
    }
    const auto row = keys_().find(id);
    if (!row) return std::nullopt;
    const auto role = parse_role(row->role);
    const auto& stored = row->hash;
    const bool revoked = row->revoked.has_value();
    const auto hash = key_hash(row->salt, parsed->id, parsed->secret);
    const bool match = stored.size() == hash.size() && CRYPTO_memcmp(stored.data(), hash.data(), hash.size()) == 0;
    std::lock_guard lock(mutex_);
    if (!match || revoked || !role) {
        if (revoked) cache_.erase(id);
        return std::nullopt;
    }
    cache_[id] = Cached{digest, *role, now + ttl_};
    return Caller{id, *role};
}

}  // namespace tanhui::api
