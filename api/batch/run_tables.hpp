// The tables of a finished batch run read back (docs/batch.md "Working on a finished run"): the
// year loss table and each year's largest occurrence of a unit (ylt_<unit>.csv, selt_<unit>.csv)
// for `tanhui metrics --run DIR`, and every policy's annual payout (policy_ylt_cny.csv) for
// occurrence layers of `tanhui layer --run DIR`. Numbers in the files read back as the doubles
// the run computed, so metrics and layers on a run are the run's own (metrics.json, layers.json).
#pragma once

#include "pricing/layers.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace tanhui::api::batch {

struct RunTables {
    std::vector<double> annual;   // ylt: the year loss, years 1..N in order
    std::vector<double> largest;  // selt: the year's largest occurrence, 0 in a year without one
};

// unit "tco2e" or "cny". Throws InvalidInput("--run", ...) for a missing or malformed file.
RunTables read_run_tables(const std::filesystem::path& dir, const std::string& unit);

// policy_ylt_cny.csv as occurrences in year order, and within a year in policy order (the
// order a batch keeps them in). Throws InvalidInput("--run", ...) when the run was written
// without --policy-ylt.
std::vector<pricing::EventLoss> read_run_occurrences(const std::filesystem::path& dir, std::size_t years);

}  // namespace tanhui::api::batch
