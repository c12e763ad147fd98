// A batch portfolio: the policies of `tanhui batch` and the distinct holdings they insure.
// Read from CSV (one policy per row, holdings by id from a holdings file or the store) or
// from a JSON array of quote requests (DESIGN "JSON contract"). Every policy is checked with the
// same decoder as a quote (api/json/quote_request.hpp); docs/batch.md lists the CSV columns.
#pragma once

#include "api/json/quote_request.hpp"
#include "api/json/references.hpp"
#include "data/store/store.hpp"
#include "data/types.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tanhui::api {

struct BatchPolicy {
    QuoteRequest request;                 // decoded; request.holdings as given or looked up
    std::vector<std::uint32_t> holdings;  // positions in Portfolio::holdings, in the policy's order
    std::string where;                    // "portfolio.csv:17" or "portfolio.json: /3", for messages
    bool csv = false;                     // a CSV row: problems name its column
};

// A problem of a policy at a request's JSON pointer: "portfolio.csv:17: holding_ids: message"
// (the CSV column behind the pointer) or "portfolio.json: /3/holdings: message".
std::string policy_problem(const BatchPolicy& policy, const std::string& pointer, const std::string& message);

struct Portfolio {
    std::string source;             // the file as given
    std::string holdings_source;    // where a CSV portfolio's holdings came from ("" for JSON: inline)
    std::vector<Holding> holdings;  // distinct by id, in order of first appearance
    std::vector<BatchPolicy> policies;
    ModelOverrides model;           // JSON "model": one for the whole portfolio (it is simulated once)
    std::string model_json;         // its text, "" when none
    // The portfolio as canonical JSON text (policies, holdings, overrides): hashed into checkpoints.
    std::string canonical() const;
};

// Every problem found, one per line "FILE:LINE: column: message" (CSV) or
// "FILE: /pointer: message" (JSON), at most `max_reported` of them.
class PortfolioError : public std::runtime_error {
public:
    PortfolioError(std::vector<std::string> lines, std::size_t total);
    const std::vector<std::string>& lines() const noexcept { return lines_; }
    std::size_t total() const noexcept { return total_; }

private:
    std::vector<std::string> lines_;
    std::size_t total_;
};

// The CSV columns (docs/batch.md). Required: policy_id and product; the others as the rows'
// products need them.
const std::vector<std::string>& portfolio_csv_columns();

// What a portfolio is checked against besides the quote decoder.
struct PortfolioChecks {
    // The batch's --years and --seed: a JSON request's "simulation" must give the same or none.
    std::optional<std::uint32_t> years;
    std::optional<std::uint64_t> seed;
    // The store's regions and markets (a holding's region and a cover's market must exist, the
    // market be quoted in CNY); null: not checked.
    const ReferenceData* references = nullptr;
};

// Parses a portfolio. `name` is used in messages. A text whose first non-blank character is '['
// is a JSON array of quote requests; anything else is CSV, whose holding_ids are looked up in
// `holdings` (`holdings_name` says where they come from). Every product of the registry is
// priced; a product without holdings (price_insurance) adds none to the book. Throws
// PortfolioError.
Portfolio parse_portfolio(const std::string& name, std::string_view text, const std::vector<Holding>& holdings,
                          const std::string& holdings_name, const PortfolioChecks& checks = {});

// Holdings in the store's import format (data/import/import.cpp kind "holdings": id, region,
// forest_type, area_ha, age_years and the optional carbon columns), checked exactly as
// `tanhui data import holdings` checks them (regions from `store`), without writing the store.
// Throws PortfolioError ("FILE:LINE: column: message"), the importer's own findings.
std::vector<Holding> read_holdings_csv(data::Store& store, const std::string& name, std::string_view text);
// The store's holdings table.
std::vector<Holding> store_holdings(data::Store& store);

// Holding as quote-request JSON (the keys of DESIGN "Holdings").
nlohmann::json holding_json(const Holding& h);

}  // namespace tanhui::api
