#pragma once

// Where a test, benchmark or fuzz target finds the sources (data/historical, api/openapi.yaml,
// tests/golden ...) and the build (the tanhui executable). The two folders are defined in one
// small file that CMake generates into the build folder (tests/paths.cpp.in), not passed as -D
// to every test: an object that does not embed its clone's path is the same in every clone, so
// the compiler cache (scripts/build) serves a fresh clone from the objects of an earlier one.
namespace tanhui::test {
const char* source_dir();
const char* binary_dir();
}  // namespace tanhui::test

#define TANHUI_SOURCE_DIR (::tanhui::test::source_dir())
#define TANHUI_BINARY_DIR (::tanhui::test::binary_dir())
