// The backup message: composed, read back by our parser and by Python's email
// package (an implementation we did not write), and refused when it is not one.
#include "cachet/bridge/secure/key_backup_message.h"

#include <gtest/gtest.h>

#include "support/process.h"

namespace cachet::bridge::secure {
namespace {

using cachet::test::run;

KeyBackupMessage sample() {
    KeyBackupMessage m;
    m.certificates = {std::string(64, 'a'), std::string(64, 'b')};
    m.recoveryKeyId = recoveryKeyId("ABCD-EFGH");
    for (int i = 0; i < 3000; ++i) m.pkcs12.push_back(static_cast<uint8_t>(i * 7));
    return m;
}

TEST(KeyBackupMessage, RoundTripsThroughOurParser) {
    const KeyBackupMessage m = sample();
    const std::string raw = composeKeyBackup("alice@example.org", m, 1'790'000'000);
    EXPECT_NE(raw.find("\r\nX-Cachet-Key-Backup: 1\r\n"), std::string::npos);
    EXPECT_NE(raw.find("Message-ID: <" + keyBackupMessageId(m, 1'790'000'000) + ">\r\n"), std::string::npos);
    for (size_t at = 0, next; (next = raw.find("\r\n", at)) != std::string::npos; at = next + 2)
        EXPECT_LE(next - at, 78u) << "line too long at " << at;
    const KeyBackupMessage back = parseKeyBackup(raw);
    EXPECT_EQ(back.certificates, m.certificates);
    EXPECT_EQ(back.recoveryKeyId, m.recoveryKeyId);
    EXPECT_EQ(back.pkcs12, m.pkcs12);
}

TEST(KeyBackupMessage, PythonsEmailPackageFindsTheMarkerTheKeysAndTheAttachment) {
    const KeyBackupMessage m = sample();
    cachet::test::TempDir dir;
    cachet::test::writeFile(dir.file("m.eml"), composeKeyBackup("alice@example.org", m, 1'790'000'000));
    const auto r = run({CACHET_PYTHON3, "-c",
                        "import email,sys,hashlib\n"
                        "m=email.message_from_binary_file(open(sys.argv[1],'rb'))\n"
                        "print(m['X-Cachet-Key-Backup'])\n"
                        "print(' '.join(m['X-Cachet-Key-Backup-Keys'].split()))\n"
                        "p=[x for x in m.walk() if x.get_content_type()=='application/pkcs12'][0]\n"
                        "print(p.get_filename(), hashlib.sha256(p.get_payload(decode=True)).hexdigest())\n",
                        dir.file("m.eml")});
    ASSERT_EQ(r.exitCode, 0) << r.output;
    EXPECT_EQ(r.output, "1\n" + m.certificates[0] + " " + m.certificates[1] + "\ncachet-keys.p12 " +
                            pki::toHex(pki::sha256(m.pkcs12)) + "\n");
}

TEST(KeyBackupMessage, RefusesMessagesThatAreNotBackups) {
    const std::string good = composeKeyBackup("alice@example.org", sample(), 1);
    auto without = [&](const std::string& what, const std::string& by) {
        std::string s = good;
        s.replace(s.find(what), what.size(), by);
        return s;
    };
    EXPECT_THROW(parseKeyBackup("Subject: hello\r\n\r\nhi\r\n"), KeyBackupError);
    EXPECT_THROW(parseKeyBackup(without("X-Cachet-Key-Backup: 1", "X-Cachet-Key-Backup: 2")), KeyBackupError);
    EXPECT_THROW(parseKeyBackup(without(std::string(64, 'a'), "not-hex")), KeyBackupError);
    EXPECT_THROW(parseKeyBackup(without("application/pkcs12", "application/octet-stream")), KeyBackupError);
    try {
        parseKeyBackup(without("application/pkcs12", "text/plain"));
        FAIL();
    } catch (const KeyBackupError& e) {
        EXPECT_NE(std::string(e.what()).find("no PKCS#12"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace cachet::bridge::secure
