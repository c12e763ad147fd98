#include "api/validation/uncertainty.hpp"

#include "api/json/quote_request.hpp"
#include "api/products/quote_engine.hpp"
#include "api/service/calibration.hpp"
#include "api/service/uncertainty.hpp"

#include <fstream>
#include <iomanip>
#include <ostream>
#include <stdexcept>

namespace tanhui::api::validation {

ojson uncertainty_section(data::Store& store, const ModelVersion& version, const ValidationOptions& o) {
    std::ifstream in(o.band_policy_file);
    if (!in) throw std::runtime_error("cannot read the example policy " + o.band_policy_file.string());
    auto decoded = decode_quote(nlohmann::json::parse(in));
    if (!decoded.value) throw std::runtime_error(o.band_policy_file.string() + " is not a valid quote request");
    decoded.value->uncertainty = true;
    const risk::Model model = build_model(store, version);
    const QuoteContext context{&model, version.version, o.threads};
    const nlohmann::json quote = compute_answer_with_band(store, *decoded.value, context).tree();
    ojson j;
    j["policy_id"] = decoded.value->policy.id;
    j["policy_file"] = o.band_policy_file.filename().string();
    j["band"] = ojson::parse(quote.at("uncertainty").dump());
    return j;
}

void write_uncertainty(const ojson& s, std::ostream& t, std::ostream& m) {
    const ojson& b = s["band"];
    const auto g = &number_or_nan;
    t << "\n== Parameter uncertainty: " << s["policy_id"].get<std::string>() << " pure premium "
      << fixed(g(b["pure_premium_cny"]), 0) << " CNY; all low " << fixed(g(b["all_low_pure_premium_cny"]), 0) << ", all high "
      << fixed(g(b["all_high_pure_premium_cny"]), 0) << ", range " << fixed(g(b["range_cny"]["low"]), 0) << " - "
      << fixed(g(b["range_cny"]["high"]), 0) << "\n";
    m << "\n## Parameter uncertainty\n\n" << s["policy_id"].get<std::string>() << " (" << s["policy_file"].get<std::string>()
      << "), pure premium " << fixed(g(b["pure_premium_cny"]), 0) << " CNY; each labelled assumption its perils read at "
      << "its low and high value (same seed and years).\n\n| assumption | value | low | high | premium at low | premium at high |\n"
      << "|---|---|---|---|---|---|\n";
    for (const auto& a : b["assumptions"]) {
        t << "   " << std::left << std::setw(40) << a["key"].get<std::string>() << std::right << " low "
          << std::setw(12) << fixed(g(a["pure_premium_at_low_cny"]), 0) << "  high " << std::setw(12)
          << fixed(g(a["pure_premium_at_high_cny"]), 0) << "\n";
        m << "| " << a["key"].get<std::string>() << " | " << a["value"].dump() << " | " << a["low"].dump() << " | "
          << a["high"].dump() << " | " << fixed(g(a["pure_premium_at_low_cny"]), 0) << " | "
          << fixed(g(a["pure_premium_at_high_cny"]), 0) << " |\n";
    }
    m << "| all low / all high | | | | " << fixed(g(b["all_low_pure_premium_cny"]), 0) << " | "
      << fixed(g(b["all_high_pure_premium_cny"]), 0) << " |\n";
}

}  // namespace tanhui::api::validation
