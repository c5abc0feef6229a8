// Seeds for fuzz_mime: small messages exercising each parser path (multipart
// nesting, message/rfc822, RFC 2047 and 2231, base64/QP, broken boundaries).
#include "fuzz_seeds.h"

namespace cachet::fuzz {

void mimeSeeds(SeedWriter& seeds) {
    seeds.add("fuzz_mime", "nested.eml",
              "From: =?utf-8?q?Zo=C3=AB?= <zoe@example.test>\r\nTo: a@b.test, \"C, D\" <c@d.test>\r\n"
              "Date: Tue, 24 Nov 2026 10:19:13 +0000\r\nSubject: =?iso-8859-1?B?6XTp?= x\r\n"
              "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\npre\r\n--o\r\n"
              "Content-Type: multipart/alternative; boundary=i\r\n\r\n--i\r\n"
              "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
              "caf=E9 =\r\nsoft\r\n--i\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--i--\r\n--o\r\n"
              "Content-Type: message/rfc822\r\n\r\nFrom: x@y.test\r\nSubject: inner\r\n\r\nbody\r\n--o\r\n"
              "Content-Type: application/pdf; name*0*=utf-8''%E4%B8%AD; name*1=\".pdf\"\r\n"
              "Content-Disposition: attachment; filename*=utf-8''a%20b.pdf\r\n"
              "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--o--\r\nepilogue\r\n");
    seeds.add("fuzz_mime", "digest.eml",
              "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nfirst\n--d\n\nSubject: two\n\n--d--\n");
    seeds.add("fuzz_mime", "broken.eml",
              "From alice Tue Nov 24\nSubject: \xE9t\xE9\nContent-Type: multipart/mixed\n\n--guess\nContent-Type: text\n"
              "Content-Transfer-Encoding: x-uue\n\nbody\n--guess\nContent-Type: text/plain; charset=\"unterminated\n\n\xff\xfe");
    seeds.add("fuzz_mime", "signed.eml",
              "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=s\r\n\r\n"
              "--s\r\nContent-Type: text/plain\r\n\r\nsigned\r\n--s\r\nContent-Type: application/pkcs7-signature\r\n"
              "Content-Transfer-Encoding: base64\r\n\r\nMIIB\r\n--s--\r\n");
}

}  // namespace cachet::fuzz
