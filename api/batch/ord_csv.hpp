// Output formats of the batch runner: Oasis ORD v1 tables (headers byte for byte as ktools writes
// them, DESIGN "Risk metrics"), year loss tables, numbers in their shortest round-trip text
// (std::to_chars) so that a rerun writes the same bytes, JSON with the same numbers, and files
// that are never seen half-written under their final name. docs/batch.md describes each table.
#pragma once

#include "risk/metrics/metrics.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>

namespace tanhui::api {

inline constexpr std::string_view selt_header = "EventId,SummaryId,SampleId,Loss,ImpactedExposure";
inline constexpr std::string_view splt_header =
    "Period,PeriodWeight,EventId,Year,Month,Day,Hour,Minute,SummaryId,SampleId,Loss,ImpactedExposure";
inline constexpr std::string_view alt_header = "SummaryId,SampleType,MeanLoss,SDLoss";
inline constexpr std::string_view alct_header =
    "SummaryId,MeanLoss,SDLoss,SampleSize,LowerCI,UpperCI,StandardError,RelativeError,VarElementHaz,"
    "StandardErrorHaz,RelativeErrorHaz,VarElementVuln,StandardErrorVuln,RelativeErrorVuln";
inline constexpr std::string_view ept_header = "SummaryId,EPCalc,EPType,ReturnPeriod,Loss";
inline constexpr std::string_view ylt_header = "year,loss";

// Numbers in CSV: plain decimal (no exponent: 0.00001, not 1e-05), the shortest such text that
// reads back as the same double (std::to_chars with chars_format::fixed and no precision); -0 is
// written 0. NaN and infinities have no CSV spelling here: they throw std::domain_error. (JSON
// keeps the shortest text with an exponent where shorter: dump_json below.)
void append_number(std::string& out, double v);
void append_number(std::string& out, std::uint64_t v);
std::string format_number(double v);

// One row per simulated year that has a loss: the year's largest occurrence (docs/batch.md).
struct OrdOccurrence {
    std::uint32_t period = 0;     // 1-based simulated year
    double loss = 0;
    double impacted_exposure = 0;
};

// The rows of each table, header first, "\n" line ends.
std::string alt_csv(const risk::AltRow& row);
std::string alct_csv(const risk::AlctRow& row);
std::string ept_csv(std::span<const risk::EptRow> rows);

// A file written under a temporary name in its folder and renamed into place by commit(): a
// reader never sees a half-written file under the final name. Without commit() the temporary
// file is removed.
class AtomicFile {
public:
    explicit AtomicFile(std::filesystem::path path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    void write(std::string_view bytes);
    void commit();  // flush, fsync, rename

private:
    std::filesystem::path path_, temporary_;
    int fd_ = -1;
    std::string buffer_;
    void flush();
};

void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// Table writers that stream (a year loss table of 10^6 years never sits in memory as text).
// SELT and SPLT: EventId = Period (one occurrence per year), SummaryId 1, SampleId 1; SPLT: Year
// = Period, Month, Day, Hour and Minute 0 (the model is annual), PeriodWeight = 1 / years.
void write_ylt(const std::filesystem::path& path, std::span<const double> annual_loss);
void write_selt(const std::filesystem::path& path, std::span<const OrdOccurrence> rows);
void write_splt(const std::filesystem::path& path, std::span<const OrdOccurrence> rows, std::size_t years);

// JSON text like nlohmann's dump(indent) but with every floating-point number by std::to_chars,
// so that the same values give the same bytes on any build. Object keys keep nlohmann's order.
// indent < 0: one line.
std::string dump_json(const nlohmann::json& j, int indent = 2);
std::string dump_json(const nlohmann::ordered_json& j, int indent = 2);

}  // namespace tanhui::api
