#pragma once
// The cachet-cloud database over Poco::Data: SQLite (one file, WAL; the
// default) or PostgreSQL (several stateless front ends sharing one server).
// Both stores run the same SQL through it; what differs between the two lives
// in SqlDialect.
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace cachet::cloud {

enum class DatabaseKind { Sqlite, PostgreSql };

// Where the database is, from the config's `database`: a file path (SQLite,
// relative to the data directory) or a PostgreSQL connection string, either
// `postgresql://user:password@host:port/dbname?key=value` or `postgresql:`
// followed by libpq key=value pairs. Throws pki::Error(InvalidArgument) for
// what Poco's PostgreSQL connector cannot take (values with spaces or quotes).
struct DatabaseLocation {
    DatabaseKind kind = DatabaseKind::Sqlite;
    std::string target;  // the SQLite file, or libpq key=value pairs
    static DatabaseLocation parse(const std::string& configValue, const std::string& dataDir);
    std::string describe() const;  // for messages: the file, or host/port/dbname without the password
};

// The SQL that differs between the back ends.
class SqlDialect {
public:
    explicit SqlDialect(DatabaseKind kind) : kind_(kind) {}
    DatabaseKind kind() const { return kind_; }
    // Poco's PostgreSQL connector hands SQL to PQprepare as it is, which wants
    // $1..$n: rewrites the `?` placeholders outside string literals.
    std::string placeholders(std::string_view sql) const;
    // Text of a top-level member of a JSON document held in a TEXT column.
    std::string jsonText(std::string_view column, std::string_view member) const;
    // Starts a transaction that writers elsewhere (other connections, other
    // processes) wait for: SQLite takes the write lock at once (BEGIN IMMEDIATE).
    const char* beginWrite() const { return kind_ == DatabaseKind::Sqlite ? "BEGIN IMMEDIATE" : "BEGIN"; }

private:
    DatabaseKind kind_;
};

class Database {
public:
    // One session for the caller's use; while it lives, nobody else uses that
    // session (SQLite: the single session under a mutex; PostgreSQL: a pooled one).
    class Lease {
    public:
        // `release` runs once the session has been let go (unlocks, frees a pool slot).
        Lease(Poco::Data::Session session, const SqlDialect& dialect, std::function<void()> release)
            : session_(std::move(session)), dialect_(&dialect), release_(std::move(release)) {}
        Lease(Lease&& other) noexcept
            : session_(std::exchange(other.session_, std::nullopt)), dialect_(other.dialect_),
              release_(std::exchange(other.release_, nullptr)) {}
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            session_.reset();
            if (release_) release_();
        }
        // A statement of the SQL (written with `?` placeholders) on this session.
        Poco::Data::Statement operator()(std::string_view sql);

    private:
        std::optional<Poco::Data::Session> session_;
        const SqlDialect* dialect_;
        std::function<void()> release_;
    };

    virtual ~Database() = default;
    virtual Lease lease() = 0;
    const SqlDialect& dialect() const { return dialect_; }

    // Runs fn(lease) in a write transaction (SqlDialect::beginWrite), committed
    // when fn returns and rolled back when it throws.
    template <typename Fn>
    auto writeTransaction(Fn fn) {
        Lease l = lease();
        l(dialect_.beginWrite()).execute();
        try {
            if constexpr (std::is_void_v<decltype(fn(l))>) {
                fn(l);
                l("COMMIT").execute();
            } else {
                auto result = fn(l);
                l("COMMIT").execute();
                return result;
            }
        } catch (...) {
            try {
                l("ROLLBACK").execute();
            } catch (...) {
                // The connection is gone: the server has rolled back already.
            }
            throw;
        }
    }

protected:
    explicit Database(DatabaseKind kind) : dialect_(kind) {}

private:
    SqlDialect dialect_;
};

// Opens the database and brings its schema to kSchemaVersion (creating it when
// empty). Safe when several processes start at once: migrations run under a
// lock in the database. Throws pki::Error(Io) naming the database.
std::shared_ptr<Database> openDatabase(const DatabaseLocation& location);

// The schema version this build writes.
inline constexpr int kSchemaVersion = 5;

}  // namespace cachet::cloud
