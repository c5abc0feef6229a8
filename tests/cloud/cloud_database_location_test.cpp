// The config's `database` value: SQLite paths, PostgreSQL URIs and key=value
// strings turned into what Poco's connector takes, refusals with the field
// named, passwords kept out of messages; and the dialect's placeholder rewrite.
#include <gtest/gtest.h>

#include "cachet/cloud/config.h"
#include "cachet/cloud/database.h"
#include "cachet/pki/error.h"
#include "support/process.h"

namespace cachet::cloud {
namespace {

TEST(DatabaseLocation, APathIsSqliteRelativeToTheDataDirectory) {
    const auto relative = DatabaseLocation::parse("cloud.sqlite", "/srv/cachet");
    EXPECT_EQ(relative.kind, DatabaseKind::Sqlite);
    EXPECT_EQ(relative.target, "/srv/cachet/cloud.sqlite");
    EXPECT_EQ(DatabaseLocation::parse("/var/lib/c.db", "/srv/cachet").target, "/var/lib/c.db");
}

TEST(DatabaseLocation, APostgresUriBecomesLibpqPairsWithTheUserInfoDecoded) {
    const auto uri = DatabaseLocation::parse("postgresql://us%40er:p%25ss%3Aword@db.internal:6432/cachet?sslmode=require",
                                             "/srv");
    EXPECT_EQ(uri.kind, DatabaseKind::PostgreSql);
    EXPECT_EQ(uri.target, "host=db.internal port=6432 user=us@er password=p%ss:word dbname=cachet sslmode=require");
    EXPECT_EQ(uri.describe(), "PostgreSQL host=db.internal port=6432 user=us@er dbname=cachet sslmode=require");
    EXPECT_EQ(DatabaseLocation::parse("postgresql://localhost/cachet", "/srv").target, "host=localhost dbname=cachet");
}

TEST(DatabaseLocation, KeyValuePairsPassAsTheyAre) {
    const auto pairs = DatabaseLocation::parse("postgresql:host=/run/postgresql dbname=cachet  password=s3cret", "/srv");
    EXPECT_EQ(pairs.kind, DatabaseKind::PostgreSql);
    EXPECT_EQ(pairs.target, "host=/run/postgresql dbname=cachet password=s3cret");
    EXPECT_EQ(pairs.describe().find("s3cret"), std::string::npos);
}

TEST(DatabaseLocation, WhatTheConnectorCannotTakeIsRefusedWithoutShowingThePassword) {
    for (const char* bad : {"postgresql://u:with%20space@h/db", "postgresql:host=h dbname='quoted'",
                            "postgresql:passwordsecret", "postgresql:", "postgresql://h/db?sslmode=", ""}) {
        try {
            DatabaseLocation::parse(bad, "/srv");
            ADD_FAILURE() << "accepted: " << bad;
        } catch (const pki::Error& e) {
            EXPECT_EQ(e.code(), pki::ErrorCode::InvalidArgument) << bad;
            EXPECT_NE(std::string(e.what()).find("\"database\""), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << e.what();
        }
    }
}

TEST(DatabaseLocation, LoadConfigNamesABadDatabaseAtOnce) {
    cachet::test::TempDir dir;
    cachet::test::writeFile(dir.file(kConfigFileName), R"({"database": "postgresql:host=h user"})");
    try {
        loadConfig(dir.path());
        FAIL() << "a bad connection string was accepted";
    } catch (const pki::Error& e) {
        EXPECT_NE(std::string(e.what()).find("\"database\""), std::string::npos) << e.what();
    }
}

TEST(SqlDialect, PostgresPlaceholdersAreNumberedOutsideLiterals) {
    const SqlDialect postgres(DatabaseKind::PostgreSql), sqlite(DatabaseKind::Sqlite);
    const std::string sql = "UPDATE t SET a = ?, b = 'why?' WHERE c = ? AND d = 'it''s?' AND e = ?";
    EXPECT_EQ(postgres.placeholders(sql), "UPDATE t SET a = $1, b = 'why?' WHERE c = $2 AND d = 'it''s?' AND e = $3");
    EXPECT_EQ(sqlite.placeholders(sql), sql);
}

}  // namespace
}  // namespace cachet::cloud
