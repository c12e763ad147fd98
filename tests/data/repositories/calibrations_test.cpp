// The calibration repository: calibrations and model versions, the version's name, the current
// version, and a store that fails half-way writing nothing.
#include "data/repositories/calibrations.hpp"
#include "tests/data/test_db.hpp"

#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

using namespace tanhui::data;

namespace {

StoredCalibration calibration(std::string id, std::string family, std::string scope) {
    return {id, std::move(family), std::move(scope), "2027-01-01T00:00:00Z", "d41d8cd98f00",
            R"({"model":{"rate":0.25},"report":{"id":")" + id + R"(","note":"\"quoted\" and 中文"}})"};
}

class CalibrationsRepository : public ::testing::Test {
protected:
    tanhui::testing::TempDir dir;
    std::filesystem::path path = tanhui::testing::empty_database(dir / "calibrations.db");
    Store store{path};
    Calibrations calibrations{store};
};

}  // namespace

// Version names: "m-" + the first 12 hex digits of SHA-256("<id>\n" per sorted id), computed
// independently with Python: hashlib.sha256(b"fire-35-aaa\nprice-FJEA-bbb\n").hexdigest()[:12].
TEST_F(CalibrationsRepository, AVersionIsNamedByItsIdsAndReadsBack) {
    EXPECT_FALSE(calibrations.current_version());
    const std::vector<StoredCalibration> set{calibration("price-FJEA-bbb", "price", "FJEA"),
                                            calibration("fire-35-aaa", "fire", "35")};
    const std::string v = calibrations.store_version(set);
    EXPECT_EQ(v, "m-a83d0393471d");
    const auto current = calibrations.current_version();
    ASSERT_TRUE(current);
    EXPECT_EQ(current->version, v);
    EXPECT_TRUE(current->current);
    EXPECT_EQ(current->calibration_ids, (std::vector<std::string>{"fire-35-aaa", "price-FJEA-bbb"}));
    EXPECT_EQ(calibrations.version(v)->calibration_ids, current->calibration_ids);
    EXPECT_FALSE(calibrations.version("m-000000000000"));
    for (const auto& c : set) {
        const auto found = calibrations.find(c.id);
        ASSERT_TRUE(found);
        EXPECT_EQ(found->family, c.family);
        EXPECT_EQ(found->scope, c.scope);
        EXPECT_EQ(found->created, c.created);
        EXPECT_EQ(found->data_hash, c.data_hash);
        EXPECT_EQ(found->document, c.document);  // the JSON text, byte for byte
    }
    // The ids column is a JSON array as api/ wrote it before data/ owned it.
    SQLite::Database raw(path.string(), SQLite::OPEN_READONLY);
    EXPECT_EQ(raw.execAndGet("SELECT calibrations FROM model_versions").getString(),
              R"(["fire-35-aaa","price-FJEA-bbb"])");
}

TEST_F(CalibrationsRepository, ANewCalibrationReplacesItsFamilyAndScopeOnly) {
    const std::string v1 = calibrations.store_version(std::vector<StoredCalibration>{
        calibration("fire-35-aaa", "fire", "35"), calibration("price-FJEA-bbb", "price", "FJEA")});
    const std::string v2 = calibrations.store_version(std::vector<StoredCalibration>{calibration("fire-35-ccc", "fire", "35")});
    EXPECT_EQ(v2, "m-c1a6ac0feae1");
    EXPECT_EQ(calibrations.current_version()->calibration_ids,
              (std::vector<std::string>{"fire-35-ccc", "price-FJEA-bbb"}));
    EXPECT_FALSE(calibrations.version(v1)->current);
    EXPECT_TRUE(calibrations.find("fire-35-aaa"));  // kept for replays of older quotes

    // The earlier set again: the same name, made current again, no new version.
    EXPECT_EQ(calibrations.store_version(std::vector<StoredCalibration>{calibration("fire-35-aaa", "fire", "35")}), v1);
    EXPECT_EQ(calibrations.current_version()->version, v1);
    const auto all = calibrations.versions();
    ASSERT_EQ(all.size(), 2u);
    int current = 0;
    for (const auto& v : all) current += v.current;
    EXPECT_EQ(current, 1);
}

TEST_F(CalibrationsRepository, AnIdAlreadyStoredKeepsItsFirstDocument) {
    calibrations.store_version(std::vector<StoredCalibration>{calibration("fire-35-aaa", "fire", "35")});
    StoredCalibration again = calibration("fire-35-aaa", "fire", "35");
    again.document = R"({"model":{},"report":{}})";
    calibrations.store_version(std::vector<StoredCalibration>{again});
    EXPECT_EQ(calibrations.find("fire-35-aaa")->document, calibration("fire-35-aaa", "fire", "35").document);
}

TEST_F(CalibrationsRepository, AFailureAfterTheCalibrationsWritesNothing) {
    const std::string v1 = calibrations.store_version(std::vector<StoredCalibration>{calibration("fire-35-aaa", "fire", "35")});
    {
        // Every new model version is refused: the calibrations are written first, inside the same
        // transaction, and must go with it.
        SQLite::Database raw(path.string(), SQLite::OPEN_READWRITE);
        raw.exec("CREATE TRIGGER refuse_versions BEFORE INSERT ON model_versions "
                 "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    }
    EXPECT_ANY_THROW(calibrations.store_version(std::vector<StoredCalibration>{calibration("fire-35-ccc", "fire", "35")}));
    EXPECT_FALSE(calibrations.find("fire-35-ccc"));
    ASSERT_TRUE(calibrations.current_version());
    EXPECT_EQ(calibrations.current_version()->version, v1);  // is_current = 0 was rolled back too
    EXPECT_EQ(calibrations.versions().size(), 1u);
}

TEST_F(CalibrationsRepository, ACurrentVersionNamingAMissingCalibrationIsAnError) {
    {
        SQLite::Database raw(path.string(), SQLite::OPEN_READWRITE);
        raw.exec(R"(INSERT INTO model_versions VALUES('m-broken', '2027-01-01T00:00:00Z', '["gone"]', 1))");
    }
    EXPECT_EQ(calibrations.current_version()->calibration_ids, std::vector<std::string>{"gone"});
    try {
        calibrations.store_version(std::vector<StoredCalibration>{calibration("fire-35-aaa", "fire", "35")});
        ADD_FAILURE() << "stored a version on top of a broken one";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("missing calibration gone"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(calibrations.find("fire-35-aaa"));
}
