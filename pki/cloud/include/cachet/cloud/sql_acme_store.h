#pragma once
// The ACME core's Store (cachet/acme/store.h) in the cachet-cloud database
// (SQLite or PostgreSQL): records are JSON documents beside the columns their
// lookups and compare-and-set updates use, so a restart loses nothing and
// several front ends share one state.
#include <memory>

#include "cachet/acme/store.h"

namespace cachet::cloud {

class Database;
// The store in an open database (openDatabase has migrated its schema).
std::unique_ptr<acme::Store> openAcmeStore(std::shared_ptr<Database> db);

}  // namespace cachet::cloud
