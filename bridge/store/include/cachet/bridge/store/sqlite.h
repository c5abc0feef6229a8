#pragma once
// A thin RAII layer over the SQLite C API: a connection, prepared statements
// with typed binds and columns, and a transaction guard. Every failure is a
// StoreError carrying SQLite's own message.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace cachet::bridge::store {

class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Database;

class Statement {
public:
    Statement(Database& db, std::string_view sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&& other) noexcept;

    // Binds are 1-based like SQLite's; each returns *this for chaining.
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, std::string_view text);
    Statement& bindBlob(int index, std::string_view bytes);
    Statement& bindNull(int index);

    bool step();  // true while a row is available
    void run();   // steps to completion, expecting no rows
    void reset();  // for re-use with new binds

    int64_t integer(int column) const;
    std::string text(int column) const;  // "" for NULL
    bool isNull(int column) const;

private:
    Database* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

class Database {
public:
    explicit Database(const std::filesystem::path& file);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(std::string_view sql);  // one or more statements, no results
    int64_t lastInsertRowId() const;
    int changes() const;
    [[noreturn]] void fail(std::string_view what) const;
    sqlite3* handle() const { return db_; }

private:
    sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction (the write lock up front, so no deadlock
// upgrade later), or a SAVEPOINT inside an open transaction; rolled back on
// destruction unless commit() was called.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

private:
    Database& db_;
    bool nested_;
    bool done_ = false;
};

}  // namespace cachet::bridge::store
