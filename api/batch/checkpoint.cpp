#include "api/batch/checkpoint.hpp"

#include "data/import/import.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <type_traits>

namespace tanhui::api::batch {

namespace {

constexpr std::string_view chunk_magic = "TANHUI-BATCH-CHUNK 2\n";  // 2: with the split (issue 16)

class ByteWriter {
public:
    template <class T>
    void put(T v) {
        static_assert(std::is_trivially_copyable_v<T>);
        const auto* b = reinterpret_cast<const char*>(&v);
        s.append(b, sizeof v);
    }
    template <class T>
    void put_all(const std::vector<T>& v) {
        put<std::uint64_t>(v.size());
        s.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
    }
    std::string s;
};

class ByteReader {
public:
    explicit ByteReader(std::string_view s) : s_(s) {}
    template <class T>
    T get() {
        T v{};
        if (s_.size() - at_ < sizeof v) {
            ok_ = false;
            return v;
        }
        std::memcpy(&v, s_.data() + at_, sizeof v);
        at_ += sizeof v;
        return v;
    }
    template <class T>
    std::vector<T> get_all(std::size_t expected) {
        const auto n = get<std::uint64_t>();
        if (!ok_ || n != expected || (s_.size() - at_) / sizeof(T) < n) {
            ok_ = false;
            return {};
        }
        std::vector<T> v(n);
        std::memcpy(v.data(), s_.data() + at_, n * sizeof(T));
        at_ += n * sizeof(T);
        return v;
    }
    bool ok() const { return ok_; }
    bool done() const { return at_ == s_.size(); }

private:
    std::string_view s_;
    std::size_t at_ = 0;
    bool ok_ = true;
};

}  // namespace

std::string serialise(const ChunkResult& r, const std::string& run_hash) {
    ByteWriter w;
    w.s.append(chunk_magic);
    w.s.append(run_hash);
    w.s += '\n';
    for (std::uint32_t v : {r.pass, r.chunk, r.first_year, r.years, r.group_begin, r.group_end}) w.put(v);
    if (r.pass == 0) {
        for (const auto* v : {&r.total_tco2e, &r.max_event_tco2e, &r.max_event_exposure_tco2e, &r.total_cny, &r.max_payout_cny})
            w.put_all(*v);
        w.put_all(r.max_payout_policy);
        w.put_all(r.pool_sum_tco2e);
        w.put_all(r.pool_sum_sq_tco2e);
        w.put_all(r.split);
        w.put<std::uint64_t>(r.occurrences.size());
        for (const auto& o : r.occurrences) {
            w.put<std::uint64_t>(o.year);
            w.put(o.loss_cny);
        }
    }
    const std::size_t n = r.years;
    for (std::size_t p = 0; p < std::size_t{r.group_end} - r.group_begin; ++p) {
        const double* col = r.payouts.data() + p * n;
        w.put<std::uint64_t>(static_cast<std::uint64_t>(std::count_if(col, col + n, [](double v) { return v != 0; })));
        for (std::size_t i = 0; i < n; ++i)
            if (col[i] != 0) {
                w.put(static_cast<std::uint32_t>(i));
                w.put(col[i]);
            }
    }
    w.s += data::sha256_hex(w.s);
    return std::move(w.s);
}

std::optional<ChunkResult> deserialise(std::string_view bytes, const std::string& run_hash, const Layout& layout,
                                       std::size_t pass, std::size_t chunk) {
    if (bytes.size() < chunk_magic.size() + run_hash.size() + 1 + 64) return std::nullopt;
    const std::string_view body = bytes.substr(0, bytes.size() - 64);
    if (data::sha256_hex(body) != bytes.substr(bytes.size() - 64)) return std::nullopt;
    if (body.substr(0, chunk_magic.size()) != chunk_magic) return std::nullopt;
    if (body.substr(chunk_magic.size(), run_hash.size()) != run_hash) return std::nullopt;
    ByteReader in(body.substr(chunk_magic.size() + run_hash.size() + 1));
    ChunkResult r;
    r.pass = in.get<std::uint32_t>();
    r.chunk = in.get<std::uint32_t>();
    r.first_year = in.get<std::uint32_t>();
    r.years = in.get<std::uint32_t>();
    r.group_begin = in.get<std::uint32_t>();
    r.group_end = in.get<std::uint32_t>();
    if (!in.ok() || r.pass != pass || r.chunk != chunk || r.first_year != layout.first_year(chunk) ||
        r.years != layout.chunk_size(chunk) || r.group_begin != layout.group_begin(pass) || r.group_end != layout.group_end(pass))
        return std::nullopt;
    const std::size_t n = r.years;
    if (pass == 0) {
        for (auto* v : {&r.total_tco2e, &r.max_event_tco2e, &r.max_event_exposure_tco2e, &r.total_cny, &r.max_payout_cny})
            *v = in.get_all<double>(n);
        r.max_payout_policy = in.get_all<std::uint32_t>(n);
        r.pool_sum_tco2e = in.get_all<double>(layout.policies);
        r.pool_sum_sq_tco2e = in.get_all<double>(layout.policies);
        r.split = in.get_all<double>(layout.split_values);
        const auto count = in.get<std::uint64_t>();
        for (std::uint64_t i = 0; i < count && in.ok(); ++i) {
            const auto year = in.get<std::uint64_t>();
            const auto loss = in.get<double>();
            r.occurrences.push_back({static_cast<std::size_t>(year), loss});
        }
    }
    r.payouts.assign((std::size_t{r.group_end} - r.group_begin) * n, 0.0);
    for (std::size_t p = 0; p < std::size_t{r.group_end} - r.group_begin && in.ok(); ++p) {
        const auto count = in.get<std::uint64_t>();
        if (count > n) return std::nullopt;
        for (std::uint64_t i = 0; i < count && in.ok(); ++i) {
            const auto off = in.get<std::uint32_t>();
            const auto v = in.get<double>();
            if (off >= n) return std::nullopt;
            r.payouts[p * n + off] = v;
        }
    }
    if (!in.ok() || !in.done()) return std::nullopt;
    return r;
}

std::optional<std::string> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string chunk_file(std::size_t pass, std::size_t chunk) {
    return "pass-" + std::to_string(pass) + "-chunk-" + std::to_string(chunk) + ".bin";
}

}  // namespace tanhui::api::batch
