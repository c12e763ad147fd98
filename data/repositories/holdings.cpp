#include "data/repositories/holdings.hpp"

#include "data/import/import.hpp"
#include "data/store/schema.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <stdexcept>

namespace tanhui::data {

namespace {

std::vector<Holding> holdings_of(SQLite::Database& db) {
    SQLite::Statement q(db, "SELECT id, region, forest_type, area_ha, age_years, carbon_stock_tco2e_per_ha, "
                            "sequestration_tco2e_per_ha_yr, credits_tco2e, latitude, longitude FROM holdings ORDER BY rowid");
    std::vector<Holding> out;
    auto optional = [&](int c) -> std::optional<double> {
        if (q.getColumn(c).isNull()) return std::nullopt;
        return q.getColumn(c).getDouble();
    };
    while (q.executeStep()) {
        Holding h;
        h.id = q.getColumn(0).getString();
        h.region = normalise_region_code(q.getColumn(1).getString());
        const auto type = parse_forest_type(q.getColumn(2).getString());
        if (!type) throw std::runtime_error("holdings: unknown forest type of " + h.id);
        h.forest_type = *type;
        h.area_ha = q.getColumn(3).getDouble();
        h.age_years = q.getColumn(4).getDouble();
        h.carbon_stock_tco2e_per_ha = optional(5);
        h.sequestration_tco2e_per_ha_yr = optional(6);
        h.credits_tco2e = optional(7);
        h.latitude = optional(8);
        h.longitude = optional(9);
        out.push_back(std::move(h));
    }
    return out;
}

}  // namespace

std::vector<Holding> Holdings::all() { return holdings_of(db()); }

std::vector<Holding> Holdings::parse_csv(const std::string& file, std::string_view text) {
    // The importer itself, on a private in-memory database holding a copy of the store's regions.
    SQLite::Database mem(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    migrate(mem);
    {
        SQLite::Statement read(db(), "SELECT code, level, name_zh, name_pinyin, parent_code FROM regions");
        SQLite::Statement write(mem, "INSERT INTO regions(code, level, name_zh, name_pinyin, parent_code) VALUES(?,?,?,?,?)");
        mem.exec("BEGIN");
        while (read.executeStep()) {
            write.reset();
            for (int c = 0; c < 5; ++c) {
                if (read.getColumn(c).isNull()) write.bind(c + 1);
                else write.bind(c + 1, read.getColumn(c).getString());
            }
            write.exec();
        }
        mem.exec("COMMIT");
    }
    import_csv(mem, "holdings", file, text);
    return holdings_of(mem);
}

}  // namespace tanhui::data
