#pragma once
// The ACME core's Store (cachet/acme/store.h) in the cachet-cloud SQLite
// database: records are JSON documents beside the columns their lookups use,
// so a restart loses no account, order, authorization or certificate.
#include <filesystem>
#include <memory>

#include "cachet/acme/store.h"

namespace cachet::cloud {

// Opens the database (migrating the schema like openSqliteStore).
std::unique_ptr<acme::Store> openSqliteAcmeStore(const std::filesystem::path& path);

}  // namespace cachet::cloud
