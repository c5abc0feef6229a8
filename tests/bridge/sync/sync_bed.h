#pragma once
// What the sync tests share: the mail bed (tests/support/mail_bed.h), an
// engine for one of its users over a fresh store with an in-memory
// SecretStore, python imaplib as the independent peer, and a comparable
// snapshot of a store.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "cachet/bridge/store/account_store.h"
#include "cachet/bridge/sync/memory_secret_store.h"
#include "cachet/bridge/sync/sync_engine.h"
#include "support/mail_bed.h"
#include "support/process.h"

namespace cachet::sync_test {

using bridge::store::AccountStore;
using bridge::sync::MailAccount;
using bridge::sync::SyncEngine;
using bridge::sync::SyncOptions;

// The bed's settings for a user: IMAPS and submission (STARTTLS), its CA only.
MailAccount bedAccount(const test::MailBed& bed, const std::string& user);

// An engine for a user with its own store file in `dir`.
struct Client {
    Client(const test::MailBed& bed, const std::string& user, const std::string& storeFile, SyncOptions options = {});
    bridge::sync::MemorySecretStore secrets;
    std::unique_ptr<AccountStore> store;
    std::unique_ptr<SyncEngine> engine;
    int64_t folderId(const std::string& name);
};

// Runs imap_peer.py as `user`; fails the test (with its output) on error.
std::string peer(const test::MailBed& bed, const std::string& user, const std::vector<std::string>& args);
// The peer's "uids" answer for a folder, e.g. "1 \\Seen\n2 \n".
std::string peerUids(const test::MailBed& bed, const std::string& user, const std::string& folder);
// The same shape from the store: "<uid> <sorted flags>" lines.
std::string storeUids(AccountStore& store, int64_t folderId);

// Everything the sync owns of a store, as text: folders with their state and
// every message with flags, envelope, structure and cached body.
std::string snapshot(AccountStore& store, bool withModseq = true);

// `bash mailbed.sh fill <dir> <user> <count>`.
void fill(const test::MailBed& bed, const std::string& user, int count);

// A small RFC 5322 message with this Message-ID.
std::string sampleMessage(const std::string& from, const std::string& to, const std::string& subject,
                          const std::string& messageId, const std::string& text = "Hello.\r\n");

// Starts the bed once per test binary; tests skip when it cannot run (not root).
class SyncBedTest : public ::testing::Test {
protected:
    static void SetUpTestSuite();
    static void TearDownTestSuite();
    void SetUp() override;
    static test::MailBed& bed() { return *bed_; }
    std::string storeFile(const std::string& name) const { return dir_.file(name); }

private:
    static std::unique_ptr<test::MailBed> bed_;
    test::TempDir dir_;
};

}  // namespace cachet::sync_test
