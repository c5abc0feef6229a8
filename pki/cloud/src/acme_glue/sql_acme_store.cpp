#include "cachet/cloud/sql_acme_store.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <sstream>

#include "cachet/cloud/certificate_store.h"
#include "cachet/cloud/database.h"
#include "cachet/pki/error.h"

namespace cachet::cloud {

using namespace Poco::Data::Keywords;
using acme::TimePoint;
using Poco::JSON::Array;
using Poco::JSON::Object;
using pki::Error;
using pki::ErrorCode;

namespace {

// Nanoseconds since the epoch: the records' times round-trip exactly.
Poco::Int64 toInt(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}
TimePoint fromInt(Poco::Int64 ns) {
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(ns)));
}

Array::Ptr strings(const std::vector<std::string>& v) {
    Array::Ptr a = new Array;
    for (const auto& s : v) a->add(s);
    return a;
}
std::vector<std::string> strings(const Array::Ptr& a) {
    std::vector<std::string> v;
    if (a)
        for (size_t i = 0; i < a->size(); ++i) v.push_back(a->getElement<std::string>(static_cast<unsigned>(i)));
    return v;
}

void setOptionalTime(Object& o, const char* key, const std::optional<TimePoint>& t) {
    if (t) o.set(key, toInt(*t));
}
std::optional<TimePoint> optionalTime(const Object::Ptr& o, const char* key) {
    if (!o->has(key)) return std::nullopt;
    return fromInt(o->getValue<Poco::Int64>(key));
}
void setOptionalProblem(Object& o, const std::optional<acme::Problem>& p) {
    if (p) o.set("error", p->toJson());
}
std::optional<acme::Problem> optionalProblem(const Object::Ptr& o) {
    if (!o->has("error")) return std::nullopt;
    return acme::Problem::fromJson(o->getValue<std::string>("error"));
}

std::string text(const Object& o) {
    std::ostringstream out;
    o.stringify(out);
    return out.str();
}
Object::Ptr parse(const std::string& json) {
    return Poco::JSON::Parser().parse(json).extract<Object::Ptr>();
}

std::string accountJson(const acme::AccountRecord& a) {
    Object o;
    o.set("id", a.id);
    o.set("jwk", a.jwk);
    o.set("thumbprint", pki::toHex(a.thumbprint));
    o.set("contact", strings(a.contact));
    o.set("tos", a.termsOfServiceAgreed);
    o.set("status", a.status);
    o.set("createdAt", toInt(a.createdAt));
    return text(o);
}
acme::AccountRecord account(const std::string& json) {
    const auto o = parse(json);
    acme::AccountRecord a;
    a.id = o->getValue<std::string>("id");
    a.jwk = o->getValue<std::string>("jwk");
    a.thumbprint = pki::fromHex(o->getValue<std::string>("thumbprint"));
    a.contact = strings(o->getArray("contact"));
    a.termsOfServiceAgreed = o->getValue<bool>("tos");
    a.status = o->getValue<std::string>("status");
    a.createdAt = fromInt(o->getValue<Poco::Int64>("createdAt"));
    return a;
}

std::string orderJson(const acme::OrderRecord& r) {
    Object o;
    o.set("id", r.id);
    o.set("accountId", r.accountId);
    o.set("status", r.status);
    o.set("emails", strings(r.emails));
    o.set("profile", r.profile);
    o.set("authorizationIds", strings(r.authorizationIds));
    o.set("createdAt", toInt(r.createdAt));
    o.set("expires", toInt(r.expires));
    setOptionalProblem(o, r.error);
    if (r.certificateId) o.set("certificateId", *r.certificateId);
    if (!r.csr.empty()) o.set("csr", pki::toBase64(r.csr));
    setOptionalTime(o, "processingSince", r.processingSince);
    return text(o);
}
acme::OrderRecord order(const std::string& json) {
    const auto o = parse(json);
    acme::OrderRecord r;
    r.id = o->getValue<std::string>("id");
    r.accountId = o->getValue<std::string>("accountId");
    r.status = o->getValue<std::string>("status");
    r.emails = strings(o->getArray("emails"));
    r.profile = o->getValue<std::string>("profile");
    r.authorizationIds = strings(o->getArray("authorizationIds"));
    r.createdAt = fromInt(o->getValue<Poco::Int64>("createdAt"));
    r.expires = fromInt(o->getValue<Poco::Int64>("expires"));
    r.error = optionalProblem(o);
    if (o->has("certificateId")) r.certificateId = o->getValue<std::string>("certificateId");
    if (o->has("csr")) r.csr = pki::fromBase64(o->getValue<std::string>("csr"));
    r.processingSince = optionalTime(o, "processingSince");
    return r;
}

std::string authorizationJson(const acme::AuthorizationRecord& r) {
    Object o;
    o.set("id", r.id);
    o.set("accountId", r.accountId);
    o.set("email", r.email);
    o.set("status", r.status);
    o.set("expires", toInt(r.expires));
    o.set("tokenPart1", r.tokenPart1);
    o.set("tokenPart1IssuedAt", toInt(r.tokenPart1IssuedAt));
    setOptionalTime(o, "validatedAt", r.validatedAt);
    Array::Ptr challenges = new Array;
    for (const auto& c : r.challenges) {
        Object::Ptr co = new Object;
        co->set("id", c.id);
        co->set("type", c.type);
        co->set("tokenPart2", c.tokenPart2);
        co->set("status", c.status);
        setOptionalTime(*co, "validated", c.validated);
        setOptionalProblem(*co, c.error);
        challenges->add(co);
    }
    o.set("challenges", challenges);
    return text(o);
}
acme::AuthorizationRecord authorization(const std::string& json) {
    const auto o = parse(json);
    acme::AuthorizationRecord r;
    r.id = o->getValue<std::string>("id");
    r.accountId = o->getValue<std::string>("accountId");
    r.email = o->getValue<std::string>("email");
    r.status = o->getValue<std::string>("status");
    r.expires = fromInt(o->getValue<Poco::Int64>("expires"));
    r.tokenPart1 = o->getValue<std::string>("tokenPart1");
    r.tokenPart1IssuedAt = fromInt(o->getValue<Poco::Int64>("tokenPart1IssuedAt"));
    r.validatedAt = optionalTime(o, "validatedAt");
    const auto challenges = o->getArray("challenges");
    for (size_t i = 0; challenges && i < challenges->size(); ++i) {
        const auto co = challenges->getObject(static_cast<unsigned>(i));
        acme::ChallengeRecord c;
        c.id = co->getValue<std::string>("id");
        c.type = co->getValue<std::string>("type");
        c.tokenPart2 = co->getValue<std::string>("tokenPart2");
        c.status = co->getValue<std::string>("status");
        c.validated = optionalTime(co, "validated");
        c.error = optionalProblem(co);
        r.challenges.push_back(std::move(c));
    }
    return r;
}

std::string certificateJson(const acme::CertificateRecord& r) {
    Object o;
    o.set("id", r.id);
    o.set("accountId", r.accountId);
    o.set("orderId", r.orderId);
    o.set("pemChain", r.pemChain);
    o.set("leafDer", pki::toBase64(r.leafDer));
    o.set("revoked", r.revoked);
    o.set("revocationReason", r.revocationReason);
    return text(o);
}
acme::CertificateRecord certificate(const std::string& json) {
    const auto o = parse(json);
    acme::CertificateRecord r;
    r.id = o->getValue<std::string>("id");
    r.accountId = o->getValue<std::string>("accountId");
    r.orderId = o->getValue<std::string>("orderId");
    r.pemChain = o->getValue<std::string>("pemChain");
    r.leafDer = pki::fromBase64(o->getValue<std::string>("leafDer"));
    r.revoked = o->getValue<bool>("revoked");
    r.revocationReason = o->getValue<int>("revocationReason");
    return r;
}

class SqlAcmeStore final : public acme::Store {
public:
    explicit SqlAcmeStore(std::shared_ptr<Database> db) : db_(std::move(db)) {}

    void addNonce(const std::string& nonce, TimePoint expires) override {
        auto l = db_->lease();
        l("INSERT INTO acme_nonces (nonce, expires) VALUES (?, ?)"), bind(nonce), bind(toInt(expires)), now;
    }
    bool consumeNonce(const std::string& nonce, TimePoint at) override {
        auto l = db_->lease();
        l("DELETE FROM acme_nonces WHERE expires <= ?"), bind(toInt(at)), now;
        auto del = l("DELETE FROM acme_nonces WHERE nonce = ?");
        del, bind(nonce);
        return del.execute() == 1;  // single use: of all front ends, only one DELETE removes it
    }

    void insertAccount(const acme::AccountRecord& a) override {
        auto l = db_->lease();
        l("INSERT INTO acme_accounts (id, thumbprint, record) VALUES (?, ?, ?)"), bind(a.id),
            bind(pki::toHex(a.thumbprint)), bind(accountJson(a)), now;
    }
    void updateAccount(const acme::AccountRecord& a) override {
        auto l = db_->lease();
        auto update = l("UPDATE acme_accounts SET thumbprint = ?, record = ? WHERE id = ?");
        update, bind(pki::toHex(a.thumbprint)), bind(accountJson(a)), bind(a.id);
        updated(update);
    }
    std::optional<acme::AccountRecord> account(const std::string& id) override {
        return one<acme::AccountRecord>("SELECT record FROM acme_accounts WHERE id = ?", id, cloud::account);
    }
    std::optional<acme::AccountRecord> accountByThumbprint(pki::ByteView thumbprint) override {
        return one<acme::AccountRecord>("SELECT record FROM acme_accounts WHERE thumbprint = ?",
                                        pki::toHex(thumbprint), cloud::account);
    }

    void insertOrder(const acme::OrderRecord& r) override {
        auto l = db_->lease();
        l("INSERT INTO acme_orders (id, account_id, status, created_at, record) VALUES (?, ?, ?, ?, ?)"), bind(r.id),
            bind(r.accountId), bind(r.status), bind(toInt(r.createdAt)), bind(orderJson(r)), now;
    }
    void updateOrder(const acme::OrderRecord& r) override {
        auto l = db_->lease();
        auto update = l("UPDATE acme_orders SET status = ?, record = ? WHERE id = ?");
        update, bind(r.status), bind(orderJson(r)), bind(r.id);
        updated(update);
    }
    bool updateOrderIf(const acme::OrderRecord& r, std::string_view expectedStatus) override {
        auto l = db_->lease();
        // One statement: of several front ends, exactly one sees its row change.
        auto update = l("UPDATE acme_orders SET status = ?, record = ? WHERE id = ? AND status = ?");
        update, bind(r.status), bind(orderJson(r)), bind(r.id), bind(std::string(expectedStatus));
        return update.execute() == 1;
    }
    std::optional<acme::OrderRecord> order(const std::string& id) override {
        return one<acme::OrderRecord>("SELECT record FROM acme_orders WHERE id = ?", id, cloud::order);
    }
    std::vector<std::string> orderIdsOfAccount(const std::string& accountId) override {
        auto l = db_->lease();
        std::vector<std::string> ids;
        l("SELECT id FROM acme_orders WHERE account_id = ? ORDER BY created_at, id"), into(ids), bind(accountId), now;
        return ids;
    }

    void insertAuthorization(const acme::AuthorizationRecord& r) override {
        auto l = db_->lease();
        l("INSERT INTO acme_authorizations (id, account_id, email, status, validated_at, token_part1, record)"
          " VALUES (?, ?, ?, ?, ?, ?, ?)"),
            bind(r.id), bind(r.accountId), bind(addressKey(r.email)), bind(r.status), bind(validatedAt(r)),
            bind(r.tokenPart1), bind(authorizationJson(r)), now;
    }
    void updateAuthorization(const acme::AuthorizationRecord& r) override {
        auto l = db_->lease();
        auto update = l("UPDATE acme_authorizations SET status = ?, validated_at = ?, token_part1 = ?, record = ?"
                        " WHERE id = ?");
        update, bind(r.status), bind(validatedAt(r)), bind(r.tokenPart1), bind(authorizationJson(r)), bind(r.id);
        updated(update);
    }
    bool updateAuthorizationIf(const acme::AuthorizationRecord& r, std::string_view expectedStatus) override {
        auto l = db_->lease();
        auto update = l("UPDATE acme_authorizations SET status = ?, validated_at = ?, token_part1 = ?, record = ?"
                        " WHERE id = ? AND status = ?");
        update, bind(r.status), bind(validatedAt(r)), bind(r.tokenPart1), bind(authorizationJson(r)), bind(r.id),
            bind(std::string(expectedStatus));
        return update.execute() == 1;
    }
    std::optional<acme::AuthorizationRecord> authorization(const std::string& id) override {
        return one<acme::AuthorizationRecord>("SELECT record FROM acme_authorizations WHERE id = ?", id,
                                              cloud::authorization);
    }
    std::optional<acme::AuthorizationRecord> authorizationByTokenPart1(const std::string& tokenPart1) override {
        return one<acme::AuthorizationRecord>("SELECT record FROM acme_authorizations WHERE token_part1 = ?",
                                              tokenPart1, cloud::authorization);
    }
    std::optional<acme::AuthorizationRecord> reusableAuthorization(const std::string& accountId,
                                                                   const std::string& email,
                                                                   TimePoint validatedSince) override {
        auto l = db_->lease();
        std::vector<std::string> records;
        l("SELECT record FROM acme_authorizations WHERE account_id = ? AND email = ? AND status = 'valid'"
          " AND validated_at >= ? ORDER BY validated_at DESC LIMIT 1"),
            into(records), bind(accountId), bind(addressKey(email)), bind(toInt(validatedSince)), now;
        if (records.empty()) return std::nullopt;
        return cloud::authorization(records.front());
    }

    void insertCertificate(const acme::CertificateRecord& r) override {
        auto l = db_->lease();
        l("INSERT INTO acme_certificates (id, leaf_sha256, record) VALUES (?, ?, ?)"), bind(r.id),
            bind(pki::toHex(pki::sha256(r.leafDer))), bind(certificateJson(r)), now;
    }
    void updateCertificate(const acme::CertificateRecord& r) override {
        auto l = db_->lease();
        auto update = l("UPDATE acme_certificates SET leaf_sha256 = ?, record = ? WHERE id = ?");
        update, bind(pki::toHex(pki::sha256(r.leafDer))), bind(certificateJson(r)), bind(r.id);
        updated(update);
    }
    std::optional<acme::CertificateRecord> certificate(const std::string& id) override {
        return one<acme::CertificateRecord>("SELECT record FROM acme_certificates WHERE id = ?", id,
                                            cloud::certificate);
    }
    std::optional<acme::CertificateRecord> certificateByLeaf(pki::ByteView leafDer) override {
        return one<acme::CertificateRecord>("SELECT record FROM acme_certificates WHERE leaf_sha256 = ?",
                                            pki::toHex(pki::sha256(leafDer)), cloud::certificate);
    }

private:
    static Poco::Nullable<Poco::Int64> validatedAt(const acme::AuthorizationRecord& r) {
        Poco::Nullable<Poco::Int64> validated;
        if (r.validatedAt) validated = toInt(*r.validatedAt);
        return validated;
    }

    // An update of a record that does not exist is a bug in the caller, not a silent no-op.
    static void updated(Poco::Data::Statement& statement) {
        if (statement.execute() != 1) throw Error(ErrorCode::InvalidArgument, "ACME store: update of an unknown record");
    }

    template <typename Record, typename Decode>
    std::optional<Record> one(const char* sql, const std::string& key, Decode decode) {
        std::vector<std::string> records;
        {
            auto l = db_->lease();
            l(sql), into(records), bind(key), now;
        }
        if (records.empty()) return std::nullopt;
        return decode(records.front());
    }

    std::shared_ptr<Database> db_;
};

}  // namespace

std::unique_ptr<acme::Store> openAcmeStore(std::shared_ptr<Database> db) {
    return std::make_unique<SqlAcmeStore>(std::move(db));
}

}  // namespace cachet::cloud
