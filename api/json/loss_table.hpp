// A loss table at the boundary: {"years": N, "losses": [{"year", "event", "loss"}]} in a request
// (the metrics and layer endpoints), or the same as CSV with the header year,event,loss (the CLI's
// `tanhui metrics FILE --years N`). docs/products.md "Metrics of a loss table".
#pragma once

#include "api/json/reader.hpp"
#include "risk/metrics/year_table.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace tanhui::api {

struct LossTableLimits {
    long long max_years = 1'000'000;
    std::size_t max_rows = 5'000'000;
};

// {"years": N, "losses": [...]} read from `r` (the request or a loss_table object): years in
// 2..max_years, each row's year in 1..N, event a whole number up to 2^53, loss a number >= 0.
// nullopt when any of it is bad (each problem named by its pointer).
std::optional<risk::LossTable> decode_loss_table(ObjectReader& r, const LossTableLimits& limits,
                                                 std::vector<FieldProblem>& problems);

// A CSV loss table with the header year,event,loss (in any column order; blank lines skipped), or
// year,loss (a year loss table, e.g. a batch's ylt_cny.csv: each row is one event of event id 1,
// so the OEP equals the AEP; `tanhui metrics --run DIR` reads the run's largest occurrences too)
// into the JSON document decode_loss_table reads: {"years": years, "losses": [...]}. Problems name
// the CSV line: pointer "/losses/<row>/<column>" and a message starting "line N: ".
Decoded<nlohmann::json> loss_csv_to_json(std::string_view text, std::uint64_t years, const LossTableLimits& limits = {});

}  // namespace tanhui::api
