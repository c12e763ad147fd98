// How the quotes table keeps a quote's request and answer (docs/data.md "Stored quotes"): as a
// BLOB of a version byte and a zstd frame, compressed with that version's dictionary; rows
// written before 2026-12-07 are TEXT and read as they are. JSON answers repeat the same keys,
// units and model fields in every row; with the dictionary a price quote's 2.3 KB become about
// 0.6 KB, and the server's disk writes a quarter of what it wrote (docs/performance.md, issue 18
// item 5: wrk's p99 on this project's virtual machine followed the bytes written).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace SQLite {
class Column;
}

namespace tanhui::data {

// The version byte written now. Version 1: zstd level 1, dictionary data/store/stored_text_v1.dict
// (made once by scripts/make-stored-text-dictionary; never changed, a new one is a new version).
inline constexpr std::uint8_t stored_text_version = 1;

// The BLOB stored for text: the version byte, then a zstd frame (with its content size).
std::string pack_stored_text(std::string_view text);

// The text of a BLOB written by pack_stored_text (any version this build knows).
// std::runtime_error naming what is wrong for any other bytes: an unknown version, a frame that
// is cut short or damaged, or a size that does not match.
std::string unpack_stored_text(std::span<const std::byte> blob);

// A request or answer column as text: TEXT as it is, a BLOB unpacked.
std::string stored_text(const SQLite::Column& column);

// The dictionary of a version (empty for a version this build does not know).
std::span<const unsigned char> stored_text_dictionary(std::uint8_t version);

}  // namespace tanhui::data
