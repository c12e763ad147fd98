#include "data/store/stored_text.hpp"

#include <SQLiteCpp/Column.h>
#include <zstd.h>

#include <memory>
#include <stdexcept>

namespace tanhui::data {

// The bytes of data/store/stored_text_v1.dict, compiled in (data/CMakeLists.txt).
extern const unsigned char stored_text_dictionary_v1[];
extern const std::size_t stored_text_dictionary_v1_size;

namespace {

constexpr int level = 1;

struct FreeCDict {
    void operator()(ZSTD_CDict* d) const { ZSTD_freeCDict(d); }
};
struct FreeDDict {
    void operator()(ZSTD_DDict* d) const { ZSTD_freeDDict(d); }
};
struct FreeCCtx {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct FreeDCtx {
    void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

// The dictionary of the version written now (the only one so far, so also the only one read).
// Built once per process (a few hundred microseconds); read-only afterwards, so threads share them.
const ZSTD_CDict* compression_dictionary() {
    static const auto bytes = stored_text_dictionary(stored_text_version);
    static const std::unique_ptr<ZSTD_CDict, FreeCDict> d(ZSTD_createCDict(bytes.data(), bytes.size(), level));
    if (!d) throw std::runtime_error("stored text: zstd could not load its dictionary");
    return d.get();
}
const ZSTD_DDict* decompression_dictionary() {
    static const auto bytes = stored_text_dictionary(stored_text_version);
    static const std::unique_ptr<ZSTD_DDict, FreeDDict> d(ZSTD_createDDict(bytes.data(), bytes.size()));
    if (!d) throw std::runtime_error("stored text: zstd could not load its dictionary");
    return d.get();
}

// A context per thread, reused: making one costs more than compressing a quote.
ZSTD_CCtx* compression_context() {
    thread_local const std::unique_ptr<ZSTD_CCtx, FreeCCtx> c(ZSTD_createCCtx());
    if (!c) throw std::runtime_error("stored text: out of memory for a zstd context");
    return c.get();
}
ZSTD_DCtx* decompression_context() {
    thread_local const std::unique_ptr<ZSTD_DCtx, FreeDCtx> c(ZSTD_createDCtx());
    if (!c) throw std::runtime_error("stored text: out of memory for a zstd context");
    return c.get();
}

// Decompressed texts beyond this are refused: a stored request or answer is one quote's JSON,
// kilobytes to a few megabytes, so a larger stated size is a damaged frame, not a quote (and is
// not allocated).
constexpr unsigned long long max_text_bytes = 1ull << 30;

}  // namespace

std::span<const unsigned char> stored_text_dictionary(std::uint8_t version) {
    if (version == 1) return {stored_text_dictionary_v1, stored_text_dictionary_v1_size};
    return {};
}

std::string pack_stored_text(std::string_view text) {
    std::string out(1 + ZSTD_compressBound(text.size()), '\0');
    out[0] = static_cast<char>(stored_text_version);
    const std::size_t n = ZSTD_compress_usingCDict(compression_context(), out.data() + 1, out.size() - 1, text.data(),
                                                   text.size(), compression_dictionary());
    if (ZSTD_isError(n)) throw std::runtime_error(std::string("stored text: zstd: ") + ZSTD_getErrorName(n));
    out.resize(1 + n);
    return out;
}

std::string unpack_stored_text(std::span<const std::byte> blob) {
    if (blob.empty()) throw std::runtime_error("stored text: an empty BLOB");
    const auto version = static_cast<std::uint8_t>(blob[0]);
    if (version != stored_text_version)
        throw std::runtime_error("stored text: version " + std::to_string(version) + " is not one this build reads");
    const void* frame = blob.data() + 1;
    const std::size_t frame_size = blob.size() - 1;
    const unsigned long long size = ZSTD_getFrameContentSize(frame, frame_size);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > max_text_bytes)
        throw std::runtime_error("stored text: not a zstd frame with its size");
    std::string text(static_cast<std::size_t>(size), '\0');
    const std::size_t n = ZSTD_decompress_usingDDict(decompression_context(), text.data(), text.size(), frame, frame_size,
                                                     decompression_dictionary());
    if (ZSTD_isError(n)) throw std::runtime_error(std::string("stored text: zstd: ") + ZSTD_getErrorName(n));
    if (n != text.size()) throw std::runtime_error("stored text: the frame holds fewer bytes than it says");
    return text;
}

std::string stored_text(const SQLite::Column& column) {
    if (!column.isBlob()) return column.getString();
    const auto* at = static_cast<const std::byte*>(column.getBlob());
    return unpack_stored_text({at, static_cast<std::size_t>(column.getBytes())});
}

}  // namespace tanhui::data
