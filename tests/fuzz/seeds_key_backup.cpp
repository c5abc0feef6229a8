// Seeds for fuzz_key_backup: a backup message as Cachet writes it (a real
// PKCS#12 of the seed identities inside), and near misses of it.
#include "cachet/pki/pkcs12.h"
#include "fuzz_seeds.h"

namespace cachet::fuzz {

void keyBackupSeeds(SeedWriter& seeds) {
    std::vector<pki::Pkcs12Entry> entries;
    std::string keys;
    for (const auto& id : seedIdentities()) {
        entries.push_back({id.key, id.cert, {id.ca}, id.name, {}});
        keys += "\r\n " + pki::toHex(id.cert.fingerprintSha256());
    }
    const std::string p12 = pki::toBase64(pki::writePkcs12(entries, "ABCD-EFGH", {.iterations = 1}));
    std::string body;
    for (size_t at = 0; at < p12.size(); at += 76) body += p12.substr(at, 76) + "\r\n";
    const std::string head = "From: a@example.test\r\nTo: a@example.test\r\nSubject: Cachet key backup\r\n"
                             "X-Cachet-Key-Backup: 1\r\nX-Cachet-Key-Backup-Keys:" + keys +
                             "\r\nX-Cachet-Key-Backup-Recovery-Key-Id: 0123456789abcdef\r\nMIME-Version: 1.0\r\n";
    const std::string multipart = "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
                                  "Content-Type: text/plain\r\n\r\nnote\r\n--b\r\n"
                                  "Content-Type: application/pkcs12; name=\"cachet-keys.p12\"\r\n"
                                  "Content-Transfer-Encoding: base64\r\n\r\n" + body + "--b--\r\n";
    seeds.add("fuzz_key_backup", "backup.eml", head + multipart);
    seeds.add("fuzz_key_backup", "single-part.eml",
              head + "Content-Type: application/pkcs12\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body);
    seeds.add("fuzz_key_backup", "two-parts.eml",
              head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/pkcs12\r\n\r\nx\r\n"
                     "--b\r\nContent-Type: application/pkcs12\r\n\r\ny\r\n--b--\r\n");
    seeds.add("fuzz_key_backup", "no-marker.eml", "Subject: hello\r\n\r\nhi\r\n");
}

}  // namespace cachet::fuzz
