#pragma once
// The few SQLite calls the vault and the enrolment need: RAII statements with
// typed binds, a transaction guard, every failure an AecmError naming SQLite's message.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cachet/aecm/error.h"

namespace cachet::aecm::sql {

[[noreturn]] inline void fail(sqlite3* db, std::string_view what, ErrorKind kind = ErrorKind::State) {
    throw AecmError(kind, std::string(what) + ": " + sqlite3_errmsg(db));
}

inline void exec(sqlite3* db, const char* statements) {
    char* message = nullptr;
    if (sqlite3_exec(db, statements, nullptr, nullptr, &message) != SQLITE_OK) {
        std::string text = message ? message : "unknown error";
        sqlite3_free(message);
        throw AecmError(ErrorKind::State, std::string("SQLite: ") + text);
    }
}

class Statement {
public:
    Statement(sqlite3* db, std::string_view sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
            fail(db, "preparing " + std::string(sql));
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
    Statement& bind(int i, std::string_view v) {
        return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    Statement& bindBlob(int i, std::string_view v) {
        return check(sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    Statement& bindOptional(int i, const std::optional<std::string>& v) {
        return v ? bind(i, std::string_view(*v)) : check(sqlite3_bind_null(stmt_, i));
    }
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        fail(db_, "SQLite step");
    }
    void run() {
        while (step()) {
        }
    }
    int64_t integer(int c) const { return sqlite3_column_int64(stmt_, c); }
    bool isNull(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
    std::string text(int c) const {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, c));
        return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))) : std::string();
    }
    std::optional<std::string> optionalText(int c) const { return isNull(c) ? std::nullopt : std::optional(text(c)); }

private:
    Statement& check(int rc) {
        if (rc != SQLITE_OK) fail(db_, "SQLite bind");
        return *this;
    }
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE; rolled back unless committed.
class Transaction {
public:
    explicit Transaction(sqlite3* db) : db_(db) { exec(db_, "BEGIN IMMEDIATE"); }
    ~Transaction() {
        if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        exec(db_, "COMMIT");
        done_ = true;
    }

private:
    sqlite3* db_;
    bool done_ = false;
};

}  // namespace cachet::aecm::sql
