// The shipped data (data/historical) imported and calibrated once per ctest run, for the API tests
// that need the calibrated model: ctest's calibrated_database test makes it (fixture calibrated_db,
// tests/CMakeLists.txt) and names it in $TANHUI_CALIBRATED_DB; each test copies it to a file of its
// own. A test run outside ctest (the test binary by hand) finds no variable and builds and
// calibrates its own database as before, so every test stays runnable alone.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>

namespace tanhui::testing {

// The fixture's database, when ctest made it for this run.
inline std::optional<std::filesystem::path> calibrated_fixture() {
    const char* path = std::getenv("TANHUI_CALIBRATED_DB");
    if (!path || !*path || !std::filesystem::is_regular_file(path)) return std::nullopt;
    return std::filesystem::path(path);
}

// Copies the fixture's database to `to` (no -wal or -shm beside it: the fixture was closed
// cleanly); false, copying nothing, when there is no fixture.
inline bool copy_calibrated_fixture(const std::filesystem::path& to) {
    const auto from = calibrated_fixture();
    if (!from) return false;
    std::filesystem::copy_file(*from, to, std::filesystem::copy_options::overwrite_existing);
    for (const char* suffix : {"-wal", "-shm"}) {
        std::error_code ec;
        std::filesystem::remove(to.string() + suffix, ec);
    }
    return true;
}

}  // namespace tanhui::testing
