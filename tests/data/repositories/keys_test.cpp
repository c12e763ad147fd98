// The key repository: what is stored of a key, listing order, revocation, active count.
#include "data/repositories/keys.hpp"
#include "tests/data/test_db.hpp"

#include <SQLiteCpp/Exception.h>
#include <gtest/gtest.h>

using namespace tanhui::data;

namespace {

StoredKey key(std::string id, std::string created, std::string role = "underwriter") {
    return {id, "name of " + id, std::move(role), {1, 2, 3}, std::vector<unsigned char>(32, 0xab), std::move(created),
            std::nullopt};
}

class KeysRepository : public ::testing::Test {
protected:
    tanhui::testing::TempDir dir;
    Store store{tanhui::testing::empty_database(dir / "keys.db")};
    Keys keys{store};
};

}  // namespace

TEST_F(KeysRepository, AddedKeyReadsBackByteForByte) {
    StoredKey k = key("0123456789ab", "2027-01-01T00:00:00Z", "actuary");
    k.salt = {0x00, 0xff, 0x10, 0x00};  // a NUL inside a blob survives
    ASSERT_TRUE(keys.add(k));
    const auto found = keys.find("0123456789ab");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->name, k.name);
    EXPECT_EQ(found->role, "actuary");
    EXPECT_EQ(found->salt, k.salt);
    EXPECT_EQ(found->hash, k.hash);
    EXPECT_EQ(found->created, k.created);
    EXPECT_FALSE(found->revoked);
    EXPECT_FALSE(keys.find("ffffffffffff"));
}

TEST_F(KeysRepository, ATakenIdIsRefusedAndTheFirstKeyKept) {
    ASSERT_TRUE(keys.add(key("0123456789ab", "2027-01-01T00:00:00Z")));
    StoredKey other = key("0123456789ab", "2027-02-01T00:00:00Z", "admin");
    other.name = "intruder";
    EXPECT_FALSE(keys.add(other));
    EXPECT_EQ(keys.find("0123456789ab")->name, "name of 0123456789ab");
    EXPECT_EQ(keys.find("0123456789ab")->role, "underwriter");
    EXPECT_EQ(keys.list().size(), 1u);
}

TEST_F(KeysRepository, TheTableRefusesARoleThatIsNoneOfTheThree) {
    EXPECT_THROW(keys.add(key("0123456789ab", "2027-01-01T00:00:00Z", "root")), SQLite::Exception);
    EXPECT_TRUE(keys.list().empty());
}

TEST_F(KeysRepository, ListIsOldestFirstThenByIdWithoutSecrets) {
    ASSERT_TRUE(keys.add(key("bbbbbbbbbbbb", "2027-01-02T00:00:00Z")));
    ASSERT_TRUE(keys.add(key("cccccccccccc", "2027-01-01T00:00:00Z")));
    ASSERT_TRUE(keys.add(key("aaaaaaaaaaaa", "2027-01-02T00:00:00Z")));
    const auto list = keys.list();
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].id, "cccccccccccc");
    EXPECT_EQ(list[1].id, "aaaaaaaaaaaa");
    EXPECT_EQ(list[2].id, "bbbbbbbbbbbb");
    for (const auto& k : list) {
        EXPECT_TRUE(k.salt.empty());
        EXPECT_TRUE(k.hash.empty());
    }
}

TEST_F(KeysRepository, RevokeOnceKeepsTheFirstDateAndLowersTheActiveCount) {
    ASSERT_TRUE(keys.add(key("aaaaaaaaaaaa", "2027-01-01T00:00:00Z")));
    ASSERT_TRUE(keys.add(key("bbbbbbbbbbbb", "2027-01-01T00:00:00Z")));
    EXPECT_EQ(keys.active_count(), 2);
    EXPECT_EQ(keys.revoke("aaaaaaaaaaaa"), RevokeResult::revoked);
    const auto first = keys.find("aaaaaaaaaaaa")->revoked;
    ASSERT_TRUE(first);
    EXPECT_EQ(first->size(), 20u) << *first;  // ISO 8601 UTC, "2027-01-01T08:00:00Z"
    EXPECT_EQ(keys.revoke("aaaaaaaaaaaa"), RevokeResult::already_revoked);
    EXPECT_EQ(keys.find("aaaaaaaaaaaa")->revoked, first);
    EXPECT_EQ(keys.revoke("ffffffffffff"), RevokeResult::not_found);
    EXPECT_EQ(keys.active_count(), 1);
    EXPECT_FALSE(keys.find("bbbbbbbbbbbb")->revoked);
}
