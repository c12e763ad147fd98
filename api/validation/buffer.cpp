#include "api/validation/buffer.hpp"

#include "api/products/buffer.hpp"
#include "api/validation/gate.hpp"
#include "pricing/buffer.hpp"
#include "risk/metrics/order_statistics.hpp"
#include "risk/perils/fire.hpp"
#include "risk/perils/pest.hpp"
#include "risk/simulation/parallel.hpp"
#include "risk/simulation/reversal.hpp"
#include "risk/simulation/simulate.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>

namespace tanhui::api::validation {

namespace {

constexpr std::uint32_t horizon = 40;
constexpr double alpha = 0.99;

struct FlatBuffer {
    std::string key;
    double value = 0;
    std::string unit, citation;
};

std::optional<FlatBuffer> flat_buffer(data::Store& store, const std::string& key) {
    const auto a = store.labelled_assumption(key);
    if (!a) return std::nullopt;
    return FlatBuffer{key, a->value, a->unit, a->citation};
}

// The project: the first Fujian chinese_fir holding of the buffer request.
Holding buffer_project(const ValidationOptions& o) {
    std::ifstream in(o.buffer_file);
    if (!in) throw std::runtime_error("cannot read the buffer request " + o.buffer_file.string());
    const auto decoded = decode_buffer(nlohmann::json::parse(in));
    if (!decoded.value) throw std::runtime_error(o.buffer_file.string() + " is not a valid buffer request");
    for (const auto& h : decoded.value->holdings)
        if (h.forest_type == ForestType::chinese_fir && normalise_region_code(h.region).substr(0, 2) == "35") return h;
    throw std::runtime_error(o.buffer_file.string() + " has no Fujian chinese_fir holding");
}

struct PerilSet {
    std::string name;
    std::vector<std::string> perils;
    std::vector<double> shares;
    pricing::BufferResult r;
};

// The peril sets the literature's buffers cover: wildfire is the fire peril, disease and insect
// outbreaks the pest peril.
const std::string fire(risk::fire_peril_name), pest(risk::pest_peril_name), fire_and_pest = fire + "_and_" + pest;

// Each flat buffer against the perils it covers, with its probability of being exhausted.
ojson flat_buffers(data::Store& store, const std::vector<PerilSet>& sets) {
    struct Compare { std::string key, label, set; };
    const std::vector<Compare> compare{
        {"buffer_literature.carb_us_forest.wildfire", "CARB U.S. Forest: wildfire", fire},
        {"buffer_literature.carb_us_forest.disease_insect", "CARB U.S. Forest: disease or insect outbreak", pest},
        {"", "CARB U.S. Forest: wildfire + disease/insect", fire_and_pest},
        {"buffer_literature.verra_nprt.minimum", "Verra AFOLU NPRT: minimum overall rating", fire_and_pest},
        {"buffer_literature.verra_nprt.maximum", "Verra AFOLU NPRT: maximum before failing", fire_and_pest}};
    const auto carb_fire = flat_buffer(store, compare[0].key);
    const auto carb_pest = flat_buffer(store, compare[1].key);
    ojson flats = ojson::array();
    for (const auto& c : compare) {
        std::optional<FlatBuffer> f;
        if (c.key.empty()) {
            if (carb_fire && carb_pest)
                f = FlatBuffer{"sum of the two CARB rows", carb_fire->value + carb_pest->value, carb_fire->unit,
                               carb_fire->citation};
        } else {
            f = flat_buffer(store, c.key);
        }
        if (!f)
            throw std::runtime_error("assumption " + c.key + " is missing from the store: rebuild the database "
                                     "(TANHUI_DB=new path) from data/historical");
        const auto& s = *std::find_if(sets.begin(), sets.end(), [&](const PerilSet& x) { return x.name == c.set; });
        const auto r = pricing::reversal_buffer(s.shares, {.horizon_years = horizon, .alpha = alpha, .buffer_share = f->value});
        flats.push_back({{"label", c.label}, {"key", f->key}, {"buffer_share", f->value}, {"model_perils", c.set},
                         {"probability_exhausted", r.probability_exhausted->value},
                         {"probability_exhausted_se", r.probability_exhausted->standard_error},
                         {"citation", f->citation}});
    }
    return flats;
}

std::string quantiles_csv(const std::vector<PerilSet>& sets) {
    std::ostringstream q;
    q << "probability";
    for (const auto& s : sets) q << ',' << s.name;
    q << '\n';
    std::vector<std::vector<double>> sorted;
    for (const auto& s : sets) {
        sorted.push_back(s.shares);
        std::sort(sorted.back().begin(), sorted.back().end());
    }
    for (int k = 1; k < 1000; ++k) {
        const double p = k / 1000.0;
        q << csv(p);
        for (const auto& v : sorted) q << ',' << csv(risk::quantile_above(risk::OrderStatistics::smallest_first(v), p));
        q << '\n';
    }
    return q.str();
}

std::string flat_csv(const ojson& flats) {
    std::ostringstream fb;
    fb << "label,buffer_share,model_perils,probability_exhausted,probability_exhausted_se\n";
    for (const auto& f : flats)
        fb << '"' << f["label"].get<std::string>() << "\"," << csv(f["buffer_share"].get<double>()) << ','
           << f["model_perils"].get<std::string>() << ',' << csv(f["probability_exhausted"].get<double>()) << ','
           << csv(f["probability_exhausted_se"].get<double>()) << '\n';
    return fb.str();
}

}  // namespace

ojson buffer_section(data::Store& store, const risk::Model& model, const ValidationOptions& o, std::vector<CsvFile>& files) {
    const Holding project = buffer_project(o);
    std::vector<PerilSet> sets{{fire_and_pest, {fire, pest}, {}, {}}, {fire, {fire}, {}, {}}, {pest, {pest}, {}, {}}};
    for (auto& s : sets) {
        risk::BookOptions bo;
        bo.perils = s.perils;
        const risk::Book book = risk::prepare_book(model, std::vector<Holding>{project}, bo);
        s.shares = risk::cumulative_reversal_shares(book, horizon, o.buffer_paths, mix(o.seed, 5), risk::thread_count(o.threads));
        s.r = pricing::reversal_buffer(s.shares, {.horizon_years = horizon, .alpha = alpha, .buffer_share = std::nullopt});
    }
    const ojson flats = flat_buffers(store, sets);
    files.push_back({"buffer_quantiles.csv", quantiles_csv(sets)});
    files.push_back({"buffer_flat.csv", flat_csv(flats)});

    ojson j;
    j["project"] = {{"id", project.id}, {"region", project.region}, {"forest_type", "chinese_fir"},
                    {"area_ha", project.area_ha}, {"age_years", project.age_years},
                    {"from", o.buffer_file.filename().string()}};
    j["horizon_years"] = horizon;
    j["alpha"] = alpha;
    j["paths"] = o.buffer_paths;
    j["seed"] = mix(o.seed, 5);
    j["reversal_definition"] = "cumulative gross carbon lost over the horizon / stock at the start, capped at 1";
    j["model"] = ojson::object();
    for (const auto& s : sets)
        j["model"][s.name] = {{"buffer_share", s.r.buffer_share.value}, {"buffer_share_se", s.r.buffer_share.standard_error},
                              {"mean_reversal_share", s.r.mean_reversal_share.value},
                              {"mean_reversal_share_se", s.r.mean_reversal_share.standard_error}};
    j["flat_buffers"] = flats;
    return j;
}

}  // namespace tanhui::api::validation
