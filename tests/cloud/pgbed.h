#pragma once
// A private PostgreSQL server for the tests (tests/pgbed/pgbed.sh): started
// once per test binary on first use, stopped when the binary exits. Every
// test takes a fresh database of its own.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

#include "cachet/cloud/database.h"
#include "support/process.h"

namespace cachet::cloud::test {

class PgBed {
public:
    // The bed of this test binary; throws (failing the test) when it cannot start.
    static PgBed& shared() {
        static PgBed bed;
        return bed;
    }
    ~PgBed() { cachet::test::run({"bash", CACHET_PGBED_SCRIPT, "stop", dir_.path().string()}); }
    PgBed(const PgBed&) = delete;
    PgBed& operator=(const PgBed&) = delete;

    // postgresql://cachet:<password>@127.0.0.1:<port>/<a new, empty database>
    std::string freshDatabase() {
        const std::string name = "test_" + std::to_string(++databases_);
        const auto created = cachet::test::run({"psql", url_, "-q", "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE " + name});
        if (created.exitCode != 0) throw std::runtime_error("pgbed: CREATE DATABASE failed: " + created.output);
        return url_.substr(0, url_.rfind('/') + 1) + name;
    }
    // Runs one SQL statement with psql and returns its unaligned output.
    std::string query(const std::string& databaseUrl, const std::string& sql) {
        const auto result = cachet::test::run({"psql", databaseUrl, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql});
        if (result.exitCode != 0) throw std::runtime_error("pgbed: query failed: " + result.output);
        std::string out = result.output;
        while (!out.empty() && out.back() == '\n') out.pop_back();
        return out;
    }

private:
    PgBed() {
        const auto started = cachet::test::run({"bash", CACHET_PGBED_SCRIPT, "start", dir_.path().string()});
        if (started.exitCode != 0) throw std::runtime_error("pgbed start failed (pgbed.sh stops what it started): " + started.output);
        url_ = cachet::test::readFile(dir_.file("connection"));
        while (!url_.empty() && url_.back() == '\n') url_.pop_back();
    }

    cachet::test::TempDir dir_;
    std::string url_;
    std::atomic<int> databases_{0};
};

// Test names for suites parameterized over the back ends.
inline std::string backendName(const ::testing::TestParamInfo<DatabaseKind>& param) {
    return param.param == DatabaseKind::Sqlite ? "Sqlite" : "PostgreSql";
}

}  // namespace cachet::cloud::test
