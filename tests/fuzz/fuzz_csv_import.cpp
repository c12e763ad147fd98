// libFuzzer target: the CSV importer (`tanhui data import KIND FILE`): data::parse_csv and
// data::import_csv of every kind on an in-memory SQLite database that holds the schema and a few
// reference rows (regions, markets, three of the six forest types), fresh for each input.
//
// Input: byte 0 picks the kind (import_kinds() modulo), byte 1 the prices market option (from the
// file name prices_FJEA.csv, "FJEA", or an unknown one); the rest is the file's text.
// Invariants besides "no crash, no sanitizer report":
//   - a bad file is an ImportError (with line numbers), never another exception: anything else
//     escapes and libFuzzer reports it;
//   - after an ImportError nothing of the file is written (DESIGN "Import": one transaction);
//   - the importer's own checks catch every bad row: the database's constraints (its last
//     resort, reported without a line) never have to.
#include "data/import/csv.hpp"
#include "data/import/import.hpp"
#include "data/store/schema.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "fuzz_csv_import: invariant broken: %s\n", what.c_str());
    std::abort();
}

// The schema and the reference rows, serialized once.
struct Template {
    unsigned char* bytes = nullptr;
    sqlite3_int64 size = 0;
};

const Template& database_template() {
    static const Template t = [] {
        SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec("PRAGMA foreign_keys = ON");
        tanhui::data::migrate(db);
        tanhui::data::import_csv(db, "regions", "regions.csv",
                                 "code,level,name_zh,name_pinyin,parent_code\n"
                                 "CN,country,中国,zhong guo,\n35,province,福建省,fu jian,CN\n"
                                 "3508,prefecture,龙岩市,long yan,35\n350802,county,新罗区,xin luo,3508\n");
        tanhui::data::import_csv(db, "markets", "markets.csv",
                                 "market,name_en,name_zh,exchange,currency,unit,first_date,last_date,observations,source\n"
                                 "FJEA,Fujian,福建,Haixia,CNY,CNY/tCO2e,,,,fuzz\nCEA,National,全国,SEEE,CNY,CNY/tCO2e,,,,fuzz\n");
        tanhui::data::import_csv(db, "forest_types", "forest_types.csv",
                                 "forest_type,name_zh,name_en,wood_density_t_per_m3,bef_a_t_per_m3,bef_b_t_per_ha,"
                                 "carbon_fraction,root_shoot_ratio,tree_carbon_tc_per_ha,ecosystem_carbon_tc_per_ha,source\n"
                                 "chinese_fir,杉木,Chinese fir,0.307,,,,,,,fuzz\nmasson_pine,马尾松,Masson pine,,,,,,,,fuzz\n"
                                 "bamboo,毛竹,Moso bamboo,,,,0.475,,,,fuzz\n");
        Template out;
        out.bytes = sqlite3_serialize(db.getHandle(), "main", &out.size, 0);
        if (!out.bytes) fail("sqlite3_serialize");
        return out;
    }();
    return t;
}

// Every row of every table as text: equal before and after a rejected import.
std::string fingerprint(SQLite::Database& db) {
    std::string out;
    SQLite::Statement tables(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
    while (tables.executeStep()) {
        const std::string name = tables.getColumn(0).getString();
        out += name + ":";
        SQLite::Statement rows(db, "SELECT * FROM \"" + name + "\"");
        while (rows.executeStep()) {
            for (int c = 0; c < rows.getColumnCount(); ++c) out += rows.getColumn(c).getString() + "\x1f";
            out += "\n";
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const auto& kinds = tanhui::data::import_kinds();
    const std::string kind = kinds[data[0] % kinds.size()];
    const std::string_view text(reinterpret_cast<const char*>(data + 2), size - 2);

    // The parser alone, as `tanhui data import` runs it first.
    (void)tanhui::data::valid_utf8(text);
    (void)tanhui::data::parse_csv(text);

    const Template& t = database_template();
    SQLite::Database db(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(static_cast<sqlite3_uint64>(t.size)));
    std::memcpy(copy, t.bytes, static_cast<std::size_t>(t.size));
    if (sqlite3_deserialize(db.getHandle(), "main", copy, t.size, t.size,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) != SQLITE_OK)
        fail("sqlite3_deserialize");
    db.exec("PRAGMA foreign_keys = ON");

    tanhui::data::ImportOptions options;
    std::string file = kind + ".csv";
    if (kind == "prices") {
        switch (data[1] % 3) {
            case 0: file = "prices_FJEA.csv"; break;
            case 1: options.market = "CEA"; break;
            default: options.market = "NOPE"; break;
        }
    }
    const std::string before = fingerprint(db);
    try {
        (void)tanhui::data::import_csv(db, kind, file, text, options);
    } catch (const tanhui::data::ImportError& e) {
        if (e.issues().empty()) fail("an ImportError without an issue");
        // The importer's last resort (a constraint its own checks missed): still a finding.
        if (e.issues().front().message.rfind("the database refused the file", 0) == 0)
            fail("a " + kind + " file passed the checks but the database refused it: " + e.issues().front().message);
        if (fingerprint(db) != before) fail("a rejected " + kind + " file wrote to the database");
    }
    return 0;
}
