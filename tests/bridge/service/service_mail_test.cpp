// MailBridge end to end on the real Postfix + Dovecot of the mail bed, as
// the webmail calls it, with passwords in a real Secret Service (run through
// tests/support/with_keyring.sh). Python's imaplib checks what the server
// holds; the curl CLI and Postfix deliver the mail we read.
#include <gtest/gtest.h>

#include <QDirIterator>
#include <QFile>

#include "cachet/bridge/mime/composer.h"
#include "cachet/keyring/secret_store.h"
#include "service_harness.h"
#include "support/cutting_proxy.h"
#include "support/mail_bed.h"
#include "support/process.h"

namespace cachet::service_test {
namespace {

using namespace std::chrono_literals;

// What the server holds in a folder, through imaplib: "<flags>|<subject>" per message.
const char* kListFolder = R"py(
import imaplib, os, ssl, sys
user, password, folder = sys.argv[1:4]
ctx = ssl.create_default_context(cafile=os.environ["MAILBED_CA_FILE"])
imap = imaplib.IMAP4_SSL(os.environ["MAILBED_HOST"], int(os.environ["MAILBED_IMAPS_PORT"]), ssl_context=ctx)
imap.login(user, password)
typ, _ = imap.select('"' + folder + '"', readonly=True)
if typ != "OK":
    sys.exit("no folder " + folder)
typ, data = imap.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
for item in data:
    if isinstance(item, tuple):
        meta = item[0].decode()
        flags = meta[meta.index("FLAGS (") + 7:]
        flags = flags[:flags.index(")")]
        subject = item[1].decode().strip().replace("Subject: ", "")
        print(" ".join(sorted(f for f in flags.split() if f != "\\Recent")) + "|" + subject)
imap.logout()
)py";

class ServiceMailTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        std::string why;
        bed_ = test::MailBed::shared(&why);
        if (bed_) keyring_ = keyring::openOsKeyring("Cachet service test").release();
    }
    void SetUp() override {
        if (!bed_) GTEST_SKIP() << "no mail bed";
        if (!std::getenv("CACHET_TEST_KEYRING_DIR")) GTEST_SKIP() << "run through tests/support/with_keyring.sh";
    }
    test::MailBed& bed() { return *bed_; }

    ServiceOptions options(const std::string& name) {
        ServiceOptions o;
        o.dataDirectory = dir_.file(name);
        o.caFile = bed().caFile();
        o.idleSlice = 1s;
        return o;
    }
    QJsonObject endpoint(const char* portKey, const char* security, uint16_t port = 0) {
        return QJsonObject{{"host", QString::fromStdString(bed().host())},
                           {"port", port ? port : bed().port(portKey)},
                           {"security", security}};
    }
    QJsonObject addRequest(const std::string& user, const std::string& password) {
        return QJsonObject{{"address", QString::fromStdString(bed().address(user))},
                           {"password", QString::fromStdString(password)},
                           {"displayName", QString::fromStdString(user)},
                           {"imap", endpoint("MAILBED_IMAPS_PORT", "tls")},
                           {"smtp", endpoint("MAILBED_SUBMISSION_PORT", "starttls")}};
    }
    // An account added through the bridge, its first sync done.
    QString addAccount(Harness& h, const std::string& user) {
        const QJsonObject added = h.call("addAccount", addRequest(user, bed().password(user)));
        EXPECT_FALSE(added.contains("error")) << json(added).toStdString();
        const QString address = QString::fromStdString(bed().address(user));
        EXPECT_FALSE(h.call("sync", {{"account", address}}).contains("error"));
        return address;
    }
    std::vector<std::string> serverFolder(const std::string& user, const std::string& folder) {
        const std::string out = bed().python(kListFolder, {bed().address(user), bed().password(user), folder});
        std::vector<std::string> lines;
        size_t pos = 0;
        while (pos < out.size()) {
            const size_t end = out.find('\n', pos);
            lines.push_back(out.substr(pos, end - pos));
            pos = end == std::string::npos ? out.size() : end + 1;
        }
        return lines;
    }
    // The server's line for the message with that subject in the folder; "" when absent.
    std::string onServer(const std::string& user, const std::string& folder, const std::string& subject) {
        for (const auto& line : serverFolder(user, folder))
            if (line.ends_with("|" + subject)) return line;
        return "";
    }
    int countOnServer(const std::string& user, const std::string& folder, const std::string& subject) {
        int n = 0;
        for (const auto& line : serverFolder(user, folder)) n += line.ends_with("|" + subject);
        return n;
    }
    std::string unique(const std::string& what) { return what + " " + std::to_string(++serial_) + "-" + std::to_string(::getpid()); }
    // The UID of the message with that subject in the account's folder (after sync), 0 when absent.
    double uidOf(Harness& h, const QString& account, const QString& folder, const std::string& subject) {
        const QJsonObject page = h.result("messages", {{"account", account}, {"folder", folder}, {"limit", 1000}}).toObject();
        for (const QJsonValue& item : page.value("items").toArray())
            if (str(item.toObject().value("subject")) == subject) return item.toObject().value("uid").toDouble();
        return 0;
    }
    std::string plainMessage(const std::string& from, const std::string& to, const std::string& subject) {
        bridge::mime::OutgoingMessage m;
        m.from = {"", from};
        m.to = {{"", to}};
        m.subject = subject;
        m.text = "Body of " + subject + "\n";
        return bridge::mime::compose(m);
    }

    static test::MailBed* bed_;
    static keyring::SecretStore* keyring_;
    test::TempDir dir_;
    int serial_ = 0;
};
test::MailBed* ServiceMailTest::bed_ = nullptr;
keyring::SecretStore* ServiceMailTest::keyring_ = nullptr;

TEST_F(ServiceMailTest, DiscoverReadsTheAutoconfigFileThenTheNetworkHooks) {
    const std::string xml = dir_.file("autoconfig.xml");
    test::writeFile(xml, "<?xml version=\"1.0\"?><clientConfig version=\"1.1\"><emailProvider id=\"example.test\">"
                         "<domain>example.test</domain>"
                         "<incomingServer type=\"imap\"><hostname>" + bed().host() + "</hostname><port>" +
                         bed().env("MAILBED_IMAPS_PORT") + "</port><socketType>SSL</socketType>"
                         "<username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></incomingServer>"
                         "<outgoingServer type=\"smtp\"><hostname>" + bed().host() + "</hostname><port>" +
                         bed().env("MAILBED_SUBMISSION_PORT") + "</port><socketType>STARTTLS</socketType>"
                         "<username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication></outgoingServer>"
                         "</emailProvider></clientConfig>");
    ServiceOptions o = options("discover");
    o.autoconfigFile = xml;
    Harness h(o, *keyring_);
    const QJsonObject found = h.result("discover", {{"address", QString::fromStdString(bed().address("alice"))}}).toObject();
    EXPECT_EQ(str(found.value("source")), "autoconfig");
    EXPECT_EQ(found.value("imap").toObject().value("port").toInt(), bed().port("MAILBED_IMAPS_PORT"));
    EXPECT_EQ(str(found.value("imap").toObject().value("security")), "tls");
    EXPECT_EQ(str(found.value("smtp").toObject().value("security")), "starttls");
    EXPECT_EQ(str(found.value("imap").toObject().value("username")), bed().address("alice"));

    // addAccount without servers uses what discovery found, and logs in.
    const QJsonObject added = h.call("addAccount", {{"address", QString::fromStdString(bed().address("carol"))},
                                                    {"password", QString::fromStdString(bed().password("carol"))}});
    ASSERT_FALSE(added.contains("error")) << json(added).toStdString();
    EXPECT_EQ(added.value("result").toObject().value("smtp").toObject().value("port").toInt(), bed().port("MAILBED_SUBMISSION_PORT"));

    // No file: the network steps (here hooks that find only the bed by guessing).
    ServiceOptions guessing = options("guess");
    guessing.discoveryHooks = [] {
        account::DiscoveryHooks hooks;
        hooks.fetch = [](const std::string&) { return std::optional<std::string>(); };
        hooks.srv = [](const std::string&) { return std::vector<account::SrvRecord>(); };
        hooks.probe = [](const account::Endpoint& e, bool smtp) {
            return e.host.starts_with(smtp ? "smtp." : "imap.") && (e.port == 993 || e.port == 587);
        };
        return hooks;
    };
    Harness g(guessing, *keyring_);
    const QJsonObject guessed = g.result("discover", {{"address", "dana@example.test"}}).toObject();
    EXPECT_EQ(str(guessed.value("source")), "guess") << json(guessed).toStdString();
    EXPECT_EQ(str(guessed.value("imap").toObject().value("host")), "imap.example.test");
    EXPECT_FALSE(guessed.value("attempts").toArray().isEmpty());
}

TEST_F(ServiceMailTest, WrongPasswordIsAuthAndNothingIsStored) {
    Harness h(options("wrong"), *keyring_);
    const QJsonObject answer = h.call("addAccount", addRequest("bob", "not-the-password"));
    EXPECT_EQ(errorCode(answer), "auth") << json(answer).toStdString();
    EXPECT_EQ(h.result("accounts").toArray().size(), 0);
    EXPECT_EQ(keyring_->read("mail-password:" + bed().address("bob")), std::nullopt);
}

TEST_F(ServiceMailTest, AddedAccountKeepsThePasswordInTheKeyringOnlyAndReadsMail) {
    Harness h(options("read"), *keyring_);
    const QString alice = addAccount(h, "alice");
    EXPECT_EQ(keyring_->read("mail-password:" + bed().address("alice")), bed().password("alice"));
    // Nothing under the data directory holds the password.
    QDirIterator files(QString::fromStdString(dir_.file("read")), QDir::Files, QDirIterator::Subdirectories);
    int seen = 0;
    while (files.hasNext()) {
        QFile f(files.next());
        ASSERT_TRUE(f.open(QIODevice::ReadOnly));
        EXPECT_FALSE(f.readAll().contains(QByteArray::fromStdString(bed().password("alice")))) << f.fileName().toStdString();
        ++seen;
    }
    EXPECT_GE(seen, 2);  // accounts.json and the store

    // A mail with an inline image and a PDF arrives: IDLE reports it, no sync asked.
    const std::string subject = unique("Quarterly figures");
    bridge::mime::OutgoingMessage m;
    m.from = {"Dana Sender", "dana@example.test"};
    m.to = {{"", bed().address("alice")}};
    m.subject = subject;
    m.text = "See the chart.\n";
    m.html = "<p>See the <b>chart</b>: <img src=\"cid:chart@cachet\"></p>";
    const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDRfake", 20);
    m.attachments.push_back({"chart.png", "image/png", png, "chart@cachet", true});
    m.attachments.push_back({"report.pdf", "application/pdf", "%PDF-1.4\n%fake\n", "", false});
    h.drain();
    h.events.clear();  // from here on, only what the delivery causes
    bed().deliver("dana@example.test", bed().address("alice"), bridge::mime::compose(m));
    ASSERT_TRUE(h.waitForEvent([&](const QJsonObject& e) {
        return e.value("type") == "folderChanged" && e.value("folder") == "INBOX" && e.value("account") == alice;
    }, 30s)) << "no folderChanged after delivery";

    // Only the watcher writes new mail into the store here: no sync is asked.
    double uid = 0;
    ASSERT_TRUE(h.waitFor([&] { return (uid = uidOf(h, alice, "INBOX", subject)) > 0; }, 10s));
    QJsonObject inbox;
    for (const QJsonValue& f : h.result("folders", {{"account", alice}}).toArray())
        if (f.toObject().value("name") == "INBOX") inbox = f.toObject();
    EXPECT_GE(inbox.value("unread").toInt(), 1);
    EXPECT_GE(inbox.value("total").toInt(), inbox.value("unread").toInt());
    EXPECT_EQ(str(inbox.value("displayName")), "Inbox");

    const QJsonArray hits = h.result("search", {{"account", alice}, {"words", QString::fromStdString(subject.substr(0, 9))}}).toArray();
    bool found = false;
    for (const QJsonValue& hit : hits) found = found || str(hit.toObject().value("subject")) == subject;
    EXPECT_TRUE(found) << json(QJsonObject{{"hits", hits}}).toStdString();
    const QJsonArray contacts = h.result("contacts", {{"prefix", "dan"}}).toArray();
    ASSERT_FALSE(contacts.isEmpty());
    EXPECT_EQ(str(contacts[0].toObject().value("address")), "dana@example.test");
    EXPECT_EQ(str(contacts[0].toObject().value("name")), "Dana Sender");

    const QJsonObject read = h.result("message", {{"account", alice}, {"folder", "INBOX"}, {"uid", uid}}).toObject();
    EXPECT_EQ(str(read.value("subject")), subject);
    EXPECT_NE(str(read.value("html")).find("cid:chart@cachet"), std::string::npos);
    EXPECT_EQ(str(read.value("text")), "See the chart.\n");
    const std::string dataUrl = str(read.value("inlineImages").toObject().value("chart@cachet"));
    EXPECT_EQ(dataUrl, "data:image/png;base64," + QByteArray::fromStdString(png).toBase64().toStdString());
    const QJsonArray attachments = read.value("attachments").toArray();
    ASSERT_EQ(attachments.size(), 2) << json(read).toStdString();
    EXPECT_EQ(str(attachments[1].toObject().value("filename")), "report.pdf");
    EXPECT_EQ(str(attachments[1].toObject().value("mimeType")), "application/pdf");
    EXPECT_TRUE(attachments[0].toObject().value("inline").toBool());
    EXPECT_FALSE(read.value("remoteContentAllowed").toBool());
    EXPECT_EQ(str(read.value("security").toObject().value("signature")), "none");
    // Reading set \Seen on the server.
    EXPECT_TRUE(h.waitFor([&] { return onServer("alice", "INBOX", subject).starts_with("\\Seen"); }, 10s))
        << onServer("alice", "INBOX", subject);

    // The PDF goes to the browser's handler, never to the page.
    std::vector<AttachmentFile> handed;
    h.service->setAttachmentHandler([&](const AttachmentFile& f) {
        handed.push_back(f);
        return std::string("/downloads/") + f.filename;
    });
    const QJsonObject opened =
        h.result("openAttachment", {{"account", alice}, {"folder", "INBOX"}, {"uid", uid}, {"index", 1}}).toObject();
    ASSERT_EQ(handed.size(), 1u);
    EXPECT_TRUE(handed[0].open);
    EXPECT_EQ(handed[0].data, "%PDF-1.4\n%fake\n");
    EXPECT_EQ(str(opened.value("location")), "/downloads/report.pdf");
    EXPECT_FALSE(opened.contains("data"));
    EXPECT_EQ(errorCode(h.call("saveAttachment", {{"account", alice}, {"folder", "INBOX"}, {"uid", uid}, {"index", 7}})), "not-found");

    // allowRemoteContent: the next read of that sender says so.
    h.result("allowRemoteContent", {{"account", alice}, {"sender", "Dana@Example.test"}});
    EXPECT_TRUE(h.result("message", {{"account", alice}, {"folder", "INBOX"}, {"uid", uid}}).toObject().value("remoteContentAllowed").toBool());
}

TEST_F(ServiceMailTest, FlagsMoveRemoveArchiveReachTheServer) {
    Harness h(options("organise"), *keyring_);
    const QString bob = addAccount(h, "bob");
    const std::string flagged = unique("Flag me"), moved = unique("Move me"), removed = unique("Remove me"), archived = unique("Archive me");
    for (const auto& s : {flagged, moved, removed, archived}) bed().deliver("dana@example.test", bed().address("bob"), plainMessage("dana@example.test", bed().address("bob"), s));
    ASSERT_TRUE(h.waitFor([&] {
        h.call("sync", {{"account", bob}, {"folder", "INBOX"}});
        return uidOf(h, bob, "INBOX", archived) > 0 && uidOf(h, bob, "INBOX", flagged) > 0 && uidOf(h, bob, "INBOX", moved) > 0 &&
               uidOf(h, bob, "INBOX", removed) > 0;
    }, 30s));

    // A page the guard refuses changes nothing.
    MailBridge refused(*h.service, [](const char*) { return false; });
    const QJsonObject no = parse(refused.setFlags(json({{"account", bob}, {"folder", "INBOX"},
                                                        {"uids", QJsonArray{uidOf(h, bob, "INBOX", flagged)}}, {"flag", "\\Flagged"}, {"set", true}})));
    EXPECT_EQ(errorCode(no), "refused");
    EXPECT_EQ(onServer("bob", "INBOX", flagged).find("\\Flagged"), std::string::npos);

    h.result("setFlags", {{"account", bob}, {"folder", "INBOX"}, {"uids", QJsonArray{uidOf(h, bob, "INBOX", flagged)}}, {"flag", "\\Flagged"}, {"set", true}});
    EXPECT_NE(onServer("bob", "INBOX", flagged).find("\\Flagged"), std::string::npos);
    EXPECT_EQ(errorCode(h.call("setFlags", {{"account", bob}, {"folder", "INBOX"}, {"uids", QJsonArray{1}}, {"flag", "bad flag("}, {"set", true}})), "bad-request");

    const std::string projects = "Projects " + std::to_string(::getpid()) + "-" + std::to_string(++serial_);
    h.result("createFolder", {{"account", bob}, {"name", QString::fromStdString(projects)}});
    h.result("move", {{"account", bob}, {"folder", "INBOX"}, {"uids", QJsonArray{uidOf(h, bob, "INBOX", moved)}}, {"destination", QString::fromStdString(projects)}});
    EXPECT_EQ(countOnServer("bob", projects, moved), 1);
    EXPECT_EQ(countOnServer("bob", "INBOX", moved), 0);
    EXPECT_GT(uidOf(h, bob, QString::fromStdString(projects), moved), 0);

    const QJsonObject trashed = h.result("remove", {{"account", bob}, {"folder", "INBOX"}, {"uids", QJsonArray{uidOf(h, bob, "INBOX", removed)}}}).toObject();
    EXPECT_EQ(str(trashed.value("destination")), "Trash");
    EXPECT_EQ(countOnServer("bob", "Trash", removed), 1);
    EXPECT_EQ(countOnServer("bob", "INBOX", removed), 0);
    // From Trash: gone for good.
    const QJsonObject gone = h.result("remove", {{"account", bob}, {"folder", "Trash"}, {"uids", QJsonArray{uidOf(h, bob, "Trash", removed)}}}).toObject();
    EXPECT_TRUE(gone.value("expunged").toBool());
    EXPECT_EQ(countOnServer("bob", "Trash", removed), 0);

    h.result("archive", {{"account", bob}, {"folder", "INBOX"}, {"uids", QJsonArray{uidOf(h, bob, "INBOX", archived)}}});
    EXPECT_EQ(countOnServer("bob", "Archive", archived), 1);
    EXPECT_EQ(countOnServer("bob", "INBOX", archived), 0);
}

TEST_F(ServiceMailTest, SendArrivesWithOneSentCopyAndDraftsReplaceTheirServerCopy) {
    Harness h(options("send"), *keyring_);
    const QString alice = addAccount(h, "alice");
    const std::string draftSubject = unique("Draft v");
    QJsonObject fields{{"account", alice}, {"to", QJsonArray{QString::fromStdString(bed().address("bob"))}},
                       {"subject", QString::fromStdString(draftSubject + "1")}, {"text", "first words"}};
    const QJsonObject saved = h.result("saveDraft", fields).toObject();
    ASSERT_TRUE(saved.value("savedOnServer").toBool()) << json(saved).toStdString();
    const QString draftId = saved.value("draftId").toString();
    EXPECT_EQ(countOnServer("alice", "Drafts", draftSubject + "1"), 1);
    fields.insert("draftId", draftId);
    fields.insert("subject", QString::fromStdString(draftSubject + "2"));
    h.result("saveDraft", fields);
    EXPECT_EQ(countOnServer("alice", "Drafts", draftSubject + "1"), 0);
    EXPECT_EQ(countOnServer("alice", "Drafts", draftSubject + "2"), 1);
    const QJsonArray drafts = h.result("drafts", {{"account", alice}}).toArray();
    ASSERT_EQ(drafts.size(), 1);
    EXPECT_EQ(drafts[0].toObject().value("draftId").toString(), draftId);
    EXPECT_EQ(str(drafts[0].toObject().value("content").toObject().value("subject")), draftSubject + "2");

    // Sent from the draft: bob has it, Sent has one copy, the draft is gone here and there.
    fields.insert("cc", QJsonArray{QString::fromStdString(bed().address("carol"))});
    const QJsonObject sent = h.result("send", fields).toObject();
    const std::string messageId = str(sent.value("messageId"));
    ASSERT_FALSE(messageId.empty()) << json(sent).toStdString();
    EXPECT_EQ(sent.value("accepted").toArray().size(), 2);
    EXPECT_FALSE(sent.value("encrypted").toBool());  // no S/MIME hooks here
    EXPECT_TRUE(bed().waitForMessageId("bob", messageId, 30s).has_value());
    EXPECT_EQ(countOnServer("alice", "Sent", draftSubject + "2"), 1);
    EXPECT_EQ(countOnServer("alice", "Drafts", draftSubject + "2"), 0);
    EXPECT_EQ(h.result("drafts", {{"account", alice}}).toArray().size(), 0);

    // A refused recipient: the server's verdict per address.
    const QJsonObject partly = h.result("send", {{"account", alice}, {"to", QJsonArray{QString::fromStdString(bed().address("bob")), "nobody@example.test"}},
                                                 {"subject", QString::fromStdString(unique("Partly"))}, {"text", "x"}}).toObject();
    EXPECT_EQ(partly.value("refused").toArray(), QJsonArray{"nobody@example.test"});
}

TEST_F(ServiceMailTest, ServerDownIsUnreachableAndTheStoreStillReads) {
    auto imapProxy = std::make_unique<test::CuttingProxy>(bed().host(), bed().port("MAILBED_IMAPS_PORT"));
    auto smtpProxy = std::make_unique<test::CuttingProxy>(bed().host(), bed().port("MAILBED_SUBMISSION_PORT"));
    ServiceOptions o = options("down");
    o.watchInbox = false;
    Harness h(o, *keyring_);
    const std::string subject = unique("Read me offline");
    bed().deliver("dana@example.test", bed().address("carol"), plainMessage("dana@example.test", bed().address("carol"), subject));
    QJsonObject request = addRequest("carol", bed().password("carol"));
    request.insert("imap", endpoint("", "tls", imapProxy->port()));
    request.insert("smtp", endpoint("", "starttls", smtpProxy->port()));
    ASSERT_FALSE(h.call("addAccount", request).contains("error"));
    const QString carol = QString::fromStdString(bed().address("carol"));
    ASSERT_TRUE(h.waitFor([&] {
        h.call("sync", {{"account", carol}, {"folder", "INBOX"}});
        return uidOf(h, carol, "INBOX", subject) > 0;
    }, 30s));
    const double uid = uidOf(h, carol, "INBOX", subject);
    ASSERT_FALSE(h.call("message", {{"account", carol}, {"folder", "INBOX"}, {"uid", uid}}).contains("error"));

    imapProxy.reset();  // the servers are gone
    smtpProxy.reset();
    EXPECT_EQ(errorCode(h.call("sync", {{"account", carol}})), "unreachable");
    ASSERT_TRUE(h.waitForEvent([&](const QJsonObject& e) {
        return e.value("type") == "accountStatus" && e.value("status").toObject().value("sync") == "offline";
    }, 10s));
    // Offline: the list, search and the cached message still answer.
    EXPECT_GT(uidOf(h, carol, "INBOX", subject), 0);
    EXPECT_FALSE(h.result("search", {{"account", carol}, {"words", "offline"}}).toArray().isEmpty());
    const QJsonObject read = h.result("message", {{"account", carol}, {"folder", "INBOX"}, {"uid", uid}}).toObject();
    EXPECT_EQ(str(read.value("text")), "Body of " + subject + "\n");
    // A send that cannot reach the server keeps its draft.
    const QJsonObject failed = h.call("send", {{"account", carol}, {"to", QJsonArray{QString::fromStdString(bed().address("bob"))}},
                                               {"subject", "kept"}, {"text", "not lost"}});
    EXPECT_EQ(errorCode(failed), "unreachable") << json(failed).toStdString();
    const QString draftId = failed.value("error").toObject().value("draftId").toString();
    ASSERT_FALSE(draftId.isEmpty());
    const QJsonArray drafts = h.result("drafts", {{"account", carol}}).toArray();
    ASSERT_EQ(drafts.size(), 1);
    EXPECT_EQ(drafts[0].toObject().value("draftId").toString(), draftId);
    EXPECT_EQ(str(drafts[0].toObject().value("content").toObject().value("text")), "not lost");
}

// Stand-ins for issue 6's S/MIME (tests only): they mark what passes through them.
class FakeProtection : public bridge::secure::MailProtection {
public:
    explicit FakeProtection(std::string knows) : knows_(std::move(knows)) {}
    std::vector<bridge::secure::RecipientKeyStatus> lookup(const std::vector<std::string>& addresses) override {
        std::vector<bridge::secure::RecipientKeyStatus> out;
        for (const auto& a : addresses) {
            bridge::secure::RecipientKeyStatus s;
            s.address = a;
            s.canEncrypt = a == knows_;
            s.algorithm = s.canEncrypt ? "ec" : "";
            s.source = s.canEncrypt ? bridge::secure::CertificateSource::Directory : bridge::secure::CertificateSource::None;
            out.push_back(s);
        }
        return out;
    }
    bridge::secure::ProtectResult protect(const std::string& message, const std::string&, const std::vector<std::string>& recipients,
                                          const bridge::secure::ProtectOptions&) override {
        bridge::secure::ProtectResult r;
        r.message = "X-Fake-Protection: " + std::to_string(recipients.size()) + " recipients\r\n" + message;
        r.isSigned = r.isTimestamped = true;
        r.isEncrypted = recipients.size() == 1 && recipients[0] == knows_;
        r.note = "fake protection";
        return r;
    }
    bridge::secure::OpenedMessage open(const std::string& raw) override {
        bridge::secure::OpenedMessage o{raw, {}};
        if (raw.starts_with("X-Fake-Protection:")) o.report.signature = "valid";
        return o;
    }

private:
    std::string knows_;
};

class FakeSecurity : public bridge::secure::AccountSecurity {
public:
    bridge::secure::SecurityState ensureReady(const std::function<void(const bridge::secure::SecurityState&)>& progress) override {
        state_.phase = "enrolling";
        progress(state_);
        state_.phase = "ready";
        state_.backupUpToDate = true;
        return state_;
    }
    bridge::secure::SecurityState renewIfDue() override { return state_; }
    bridge::secure::SecurityState state() override { return state_; }
    bridge::secure::SecurityState provideRecoveryKey(const std::string&) override { return state_; }
    std::string recoveryKey() override { return "fake"; }
    std::string exportBackup() override { return "PKCS12-BYTES"; }

private:
    bridge::secure::SecurityState state_;
};

TEST_F(ServiceMailTest, SecureHooksLookUpProtectOpenAndRunTheKeyLifecycle) {
    ServiceOptions o = options("secure");
    o.secure.cloudUrl = "http://127.0.0.1:9";
    std::string factorySawCloud;
    o.protection = [&](const bridge::sync::MailAccount&, const SecureSettings& settings) {
        factorySawCloud = settings.cloudUrl;
        return std::make_unique<FakeProtection>(bed().address("bob"));
    };
    o.security = [](const bridge::sync::MailAccount&, const SecureSettings&) { return std::make_unique<FakeSecurity>(); };
    Harness h(o, *keyring_);
    const QString alice = addAccount(h, "alice");
    EXPECT_EQ(factorySawCloud, "http://127.0.0.1:9");
    ASSERT_TRUE(h.waitForEvent([&](const QJsonObject& e) {
        return e.value("type") == "security" && e.value("state").toObject().value("phase") == "ready";
    }));
    bool sawEnrolling = false;
    for (const auto& e : h.events) sawEnrolling = sawEnrolling || e.value("state").toObject().value("phase") == "enrolling";
    EXPECT_TRUE(sawEnrolling);
    EXPECT_EQ(str(h.result("accounts").toArray()[0].toObject().value("security").toObject().value("phase")), "ready");

    const QJsonArray status = h.result("recipientStatus", {{"account", alice}, {"addresses", QJsonArray{QString::fromStdString(bed().address("bob")), "x@example.test"}}}).toArray();
    ASSERT_EQ(status.size(), 2);
    EXPECT_TRUE(status[0].toObject().value("canEncrypt").toBool());
    EXPECT_EQ(str(status[0].toObject().value("source")), "directory");
    EXPECT_FALSE(status[1].toObject().value("canEncrypt").toBool());

    const std::string subject = unique("Protected");
    const QJsonObject sent = h.result("send", {{"account", alice}, {"to", QJsonArray{QString::fromStdString(bed().address("bob"))}},
                                               {"subject", QString::fromStdString(subject)}, {"text", "secret"}}).toObject();
    EXPECT_TRUE(sent.value("signed").toBool());
    EXPECT_TRUE(sent.value("encrypted").toBool());
    EXPECT_EQ(sent.value("notes").toArray(), QJsonArray{"fake protection"});
    // What bob got and what Sent keeps are the protected bytes.
    const auto bobUid = bed().waitForMessageId("bob", str(sent.value("messageId")), 30s);
    ASSERT_TRUE(bobUid.has_value());
    EXPECT_NE(bed().fetch("bob", *bobUid, dir_.file("bob.eml")).find("X-Fake-Protection: 1 recipients"), std::string::npos);
    ASSERT_TRUE(h.waitFor([&] {
        h.call("sync", {{"account", alice}, {"folder", "Sent"}});
        return uidOf(h, alice, "Sent", subject) > 0;
    }, 20s));
    const QJsonObject read = h.result("message", {{"account", alice}, {"folder", "Sent"}, {"uid", uidOf(h, alice, "Sent", subject)}}).toObject();
    EXPECT_EQ(str(read.value("security").toObject().value("signature")), "valid");

    // The backup goes to the browser's handler, not to the page.
    std::string saved;
    h.service->setAttachmentHandler([&](const AttachmentFile& f) {
        saved = f.data;
        return f.filename;
    });
    const QJsonObject exported = h.result("exportBackup", {{"account", alice}}).toObject();
    EXPECT_EQ(saved, "PKCS12-BYTES");
    EXPECT_FALSE(exported.contains("data"));
}

}  // namespace
}  // namespace cachet::service_test
