#include "cachet/aecm/enrolment.h"

#include <algorithm>

#include "cachet/aecm/error.h"
#include "cachet/pki/certificate_builder.h"
#include "cachet/pki/error.h"
#include "sqlite_util.h"

namespace cachet::aecm {
namespace {

const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS aecm_accounts (
  mailbox TEXT NOT NULL, device TEXT NOT NULL, directory TEXT NOT NULL,
  key_id INTEGER NOT NULL REFERENCES vault_keys(id), account_url TEXT,
  PRIMARY KEY (mailbox, device, directory));
CREATE TABLE IF NOT EXISTS aecm_enrolments (
  id INTEGER PRIMARY KEY,
  mailbox TEXT NOT NULL, device TEXT NOT NULL, role TEXT NOT NULL, algorithm TEXT NOT NULL, directory TEXT NOT NULL,
  key_id INTEGER REFERENCES vault_keys(id), order_url TEXT, step TEXT NOT NULL);
)";

// Orders are re-placed when their authorization died (expired token, wrong answer); bounded.
constexpr int kMaxOrders = 3;

pki::CertificatePurpose purposeOf(KeyRole role) {
    return role == KeyRole::Signing ? pki::CertificatePurpose::Signing : pki::CertificatePurpose::Encryption;
}

}  // namespace

std::string_view profileFor(KeyRole role) { return role == KeyRole::Signing ? kProfileSigning : kProfileEncryption; }

struct Enrolment::Row {
    int64_t id = 0;
    KeyRole role = KeyRole::Signing;
    pki::KeyType algorithm = pki::KeyType::EcP256;
    std::string device;
    int64_t keyId = 0;
    std::optional<std::string> orderUrl;
    std::string step;
};

Enrolment::Enrolment(KeyVault& vault, HttpTransport& transport, ChallengeInbox& inbox, EnrolmentSettings settings)
    : vault_(vault), transport_(transport), inbox_(inbox), settings_(std::move(settings)) {
    sql::exec(vault_.database(), kSchema);
}

void Enrolment::step(std::string_view name) const {
    if (settings_.afterStep) settings_.afterStep(name);
}

AcmeClient& Enrolment::client() {
    if (client_) return *client_;
    sqlite3* db = vault_.database();
    const auto account = [&]() -> std::optional<std::pair<int64_t, std::optional<std::string>>> {
        sql::Statement s(db, "SELECT key_id, account_url FROM aecm_accounts WHERE mailbox = ? AND device = ? AND directory = ?");
        s.bind(1, settings_.mailbox).bind(2, settings_.device).bind(3, settings_.directoryUrl);
        if (!s.step()) return std::nullopt;
        return std::pair{s.integer(0), s.optionalText(1)};
    };
    auto row = account();
    if (!row) {
        vault_.store(settings_.mailbox, KeyRole::AcmeAccount, settings_.device,
                     pki::PrivateKey::generate(pki::KeyType::EcP256), [&](int64_t id) {
                         sql::Statement(db, "INSERT INTO aecm_accounts (mailbox, device, directory, key_id) VALUES (?, ?, ?, ?)")
                             .bind(1, settings_.mailbox)
                             .bind(2, settings_.device)
                             .bind(3, settings_.directoryUrl)
                             .bind(4, id)
                             .run();
                     });
        step("account-key");
        row = account();
    }
    AcmeClientOptions options;
    options.directoryUrl = settings_.directoryUrl;
    options.processingTimeout = settings_.processingTimeout;
    client_ = std::make_unique<AcmeClient>(transport_, AccountKey(vault_.key(row->first)), options);
    if (row->second) {
        client_->useAccount(*row->second);
        return *client_;
    }
    // A crash may have come after the server made the account: ask before creating.
    std::string url;
    if (auto existing = client_->findAccount())
        url = *existing;
    else
        url = client_->createAccount({"mailto:" + settings_.mailbox});
    sql::Statement(db, "UPDATE aecm_accounts SET account_url = ? WHERE mailbox = ? AND device = ? AND directory = ?")
        .bind(1, url)
        .bind(2, settings_.mailbox)
        .bind(3, settings_.device)
        .bind(4, settings_.directoryUrl)
        .run();
    client_->useAccount(url);
    step("account");
    return *client_;
}

Enrolment::Row Enrolment::loadOrCreate(KeyRole role, pki::KeyType algorithm, bool renew) {
    sqlite3* db = vault_.database();
    Row row;
    row.role = role;
    row.algorithm = algorithm;
    row.device = role == KeyRole::Encryption ? std::string() : settings_.device;
    const auto find = [&](bool finished) {
        sql::Statement s(db, std::string("SELECT id, key_id, order_url, step FROM aecm_enrolments WHERE mailbox = ? AND "
                                         "device = ? AND role = ? AND algorithm = ? AND directory = ? AND step ") +
                                 (finished ? "= 'done'" : "<> 'done'") + " ORDER BY id DESC LIMIT 1");
        s.bind(1, settings_.mailbox)
            .bind(2, row.device)
            .bind(3, toString(role))
            .bind(4, pki::toString(algorithm))
            .bind(5, settings_.directoryUrl);
        if (!s.step()) return false;
        row.id = s.integer(0);
        row.keyId = s.integer(1);
        row.orderUrl = s.optionalText(2);
        row.step = s.text(3);
        return true;
    };
    if (find(false)) return row;
    if (!renew && find(true)) return row;
    const pki::PrivateKey key = pki::PrivateKey::generate(algorithm);
    row.keyId = vault_.store(settings_.mailbox, role, row.device, key, [&](int64_t keyId) {
        sql::Statement(db, "INSERT INTO aecm_enrolments (mailbox, device, role, algorithm, directory, key_id, step) "
                           "VALUES (?, ?, ?, ?, ?, ?, 'key')")
            .bind(1, settings_.mailbox)
            .bind(2, row.device)
            .bind(3, toString(role))
            .bind(4, pki::toString(algorithm))
            .bind(5, settings_.directoryUrl)
            .bind(6, keyId)
            .run();
        row.id = sqlite3_last_insert_rowid(db);
    });
    row.step = "key";
    step("key");
    return row;
}

void Enrolment::saveStep(Row& row, const std::string& name) {
    sql::Statement(vault_.database(), "UPDATE aecm_enrolments SET step = ?, order_url = ? WHERE id = ?")
        .bind(1, name)
        .bindOptional(2, row.orderUrl)
        .bind(3, row.id)
        .run();
    row.step = name;
}

std::string Enrolment::placeOrder(Row& row) {
    AcmeClient& acme = client();
    const std::string_view profile = profileFor(row.role);
    // An order the server made just before a crash (its URL never stored):
    // adopt it rather than cause a second challenge mail.
    std::vector<std::string> claimed;
    {
        sql::Statement s(vault_.database(), "SELECT order_url FROM aecm_enrolments WHERE order_url IS NOT NULL");
        while (s.step()) claimed.push_back(s.text(0));
    }
    for (const auto& url : acme.orders()) {
        if (std::find(claimed.begin(), claimed.end(), url) != claimed.end()) continue;
        const Order candidate = acme.order(url);
        if ((candidate.status == "pending" || candidate.status == "ready") &&
            candidate.emails == std::vector<std::string>{settings_.mailbox} && candidate.profile == profile)
            return url;
    }
    std::string url = acme.newOrder(settings_.mailbox, profile).url;
    step("order-placed");  // crash tests: the server has the order, we do not yet
    return url;
}

void Enrolment::answerChallenges(Row& row, const Order& order) {
    AcmeClient& acme = client();
    for (const auto& authzUrl : order.authorizations) {
        const Authorization authz = acme.authorization(authzUrl);
        if (authz.status == "valid") continue;
        if (authz.status != "pending")
            throw AecmError(ErrorKind::Challenge, "authorization for " + authz.identifierValue + " is " + authz.status);
        const Challenge* challenge = authz.find(kEmailToken);
        if (!challenge) throw AecmError(ErrorKind::Protocol, "the server offers no email-token-00 challenge");
        const auto deadline = imap::Clock::now() + settings_.challengeTimeout;
        const auto mail = inbox_.waitFor(authz.identifierValue, challenge->from, deadline);
        if (!mail)
            throw AecmError(ErrorKind::Challenge, "no verifiable challenge mail for " + authz.identifierValue + " within " +
                                                      std::to_string(settings_.challengeTimeout.count()) + " s");
        const Challenge answered = acme.answerEmailToken(*challenge, mail->tokenPart1);
        if (answered.status == "invalid") {
            // That mail's token did not match (an older challenge's): never use it again; the
            // order is invalid now and run() places a new one.
            inbox_.ignore(mail->uid, "its token was refused by the server");
            return;
        }
        if (answered.status != "valid")
            throw AecmError(ErrorKind::Challenge, "email-token-00 answer for " + authz.identifierValue + " is " +
                                                      answered.status);
    }
    saveStep(row, "answered");
    step("answered");
}

void Enrolment::moveChallengeMails() {
    std::vector<uint32_t> uids;
    for (const auto& found : inbox_.find(settings_.mailbox, {})) uids.push_back(found.uid);
    if (uids.empty()) return;
    movedTo_ = inbox_.moveOut(uids);
    moved_.insert(moved_.end(), uids.begin(), uids.end());
}

void Enrolment::installCertificate(const Row& row, const std::string& pemChain) {
    std::vector<pki::Certificate> chain;
    try {
        chain = pki::Certificate::listFromPem(pemChain);
    } catch (const pki::Error& e) {
        throw AecmError(ErrorKind::Certificate, std::string("the issued chain does not parse: ") + e.what());
    }
    const pki::PrivateKey key = vault_.key(row.keyId);
    if (chain.front().publicKey().toDer() != key.publicKey().toDer())
        throw AecmError(ErrorKind::Certificate, "the issued certificate is not for our key");
    pki::ChainVerifyOptions options;
    options.purpose = purposeOf(row.role);
    options.email = settings_.mailbox;
    const pki::ChainResult verdict =
        pki::verifyChain(chain.front(), {chain.begin() + 1, chain.end()}, settings_.caRoots, options);
    if (!verdict.ok())
        throw AecmError(ErrorKind::Certificate, "the issued certificate does not verify against the enrolled CA: " +
                                                    verdict.detail);
    vault_.setCertificate(row.keyId, pemChain);
}

int64_t Enrolment::run(KeyRole role, pki::KeyType algorithm, bool renew) {
    if (role == KeyRole::AcmeAccount) throw AecmError(ErrorKind::State, "the ACME account key is not enrolled");
    Row row = loadOrCreate(role, algorithm, renew);
    for (int orders = 0; row.step != "done";) {
        if (!row.orderUrl) {
            if (++orders > kMaxOrders)
                throw AecmError(ErrorKind::Challenge, "gave up after " + std::to_string(kMaxOrders) + " orders");
            row.orderUrl = placeOrder(row);
            saveStep(row, "ordered");
            step("ordered");
        }
        AcmeClient& acme = client();
        Order order = acme.order(*row.orderUrl);
        if (order.status == "pending") {
            answerChallenges(row, order);
            order = acme.order(*row.orderUrl);
        }
        // After the answer (or a crash right after it was accepted): the challenge mails leave the INBOX.
        if (order.status != "pending" && (row.step == "ordered" || row.step == "answered")) {
            moveChallengeMails();
            saveStep(row, "mail-moved");
            step("challenge-mail-moved");
        }
        if (order.status == "ready") {
            const pki::PrivateKey key = vault_.key(row.keyId);
            const auto csr = pki::CertificateRequest::create(key, {settings_.mailbox}, purposeOf(role)).toDer();
            saveStep(row, "finalizing");  // a crash now: the order URL tells on restart whether it went through
            order = acme.finalize(order, csr);
            step("finalize-sent");
            saveStep(row, "finalized");
            step("finalized");
        }
        if (order.status == "processing") order = acme.waitWhileProcessing(*row.orderUrl, order);
        if (order.status == "valid") {
            if (!order.certificate) throw AecmError(ErrorKind::Protocol, "a valid order without a certificate URL");
            installCertificate(row, acme.downloadCertificate(*order.certificate));
            saveStep(row, "done");
            step("done");
        } else if (order.status == "invalid") {
            row.orderUrl.reset();  // a new order, a new challenge mail; the key stays
            saveStep(row, "key");
        } else if (order.status != "pending" && order.status != "ready") {
            throw AecmError(ErrorKind::Protocol, "order " + *row.orderUrl + " is " + order.status);
        }
    }
    return row.keyId;
}

}  // namespace cachet::aecm
