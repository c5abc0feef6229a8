// The browser's parts that need no web engine: address bar input, history
// and bookmarks store, session file, padlock state, certificate summary
// (checked against the openssl CLI).
#include <QFile>
#include <QProcess>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTest>

#include "browser/app/session_store.h"
#include "browser/history/history_store.h"
#include "browser/navigation/address_input.h"
#include "browser/pageinfo/certificate_summary.h"
#include "browser/pageinfo/security_state.h"
#include "browser/scheme/internal_scheme.h"
#include "browser/tabs/tab_label.h"

using namespace cachet::browser;

namespace {

QByteArray runOpenssl(const QStringList& arguments, const QByteArray& input = {}) {
    QProcess process;
    process.start(QStringLiteral("openssl"), arguments);
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(30000) || process.exitCode() != 0)
        qWarning("openssl %s failed: %s", qPrintable(arguments.join(' ')), process.readAllStandardError().constData());
    return process.readAllStandardOutput();
}

}  // namespace

class CoreTest : public QObject {
    Q_OBJECT
private slots:
    void addressInputTakesUrls() {
        QCOMPARE(urlFromUserInput(QStringLiteral("https://example.org/a?b=c")), QUrl(QStringLiteral("https://example.org/a?b=c")));
        QCOMPARE(urlFromUserInput(QStringLiteral("  example.org/path ")), QUrl(QStringLiteral("https://example.org/path")));
        QCOMPARE(urlFromUserInput(QStringLiteral("localhost:8080/x")), QUrl(QStringLiteral("http://localhost:8080/x")));
        QCOMPARE(urlFromUserInput(QStringLiteral("127.0.0.1:9/")), QUrl(QStringLiteral("http://127.0.0.1:9/")));
        QCOMPARE(urlFromUserInput(QStringLiteral("cachet:mail")), QUrl(QStringLiteral("cachet:mail")));
        QVERIFY(!urlFromUserInput(QStringLiteral("   ")).isValid());
    }

    void addressInputSearchesTheRest() {
        const QString search = QStringLiteral("https://search.test/?q=%s");
        QCOMPARE(urlFromUserInput(QStringLiteral("s/mime email"), search),
                 QUrl(QStringLiteral("https://search.test/?q=s%2Fmime%20email")));
        QCOMPARE(urlFromUserInput(QStringLiteral("cachet"), search), QUrl(QStringLiteral("https://search.test/?q=cachet")));
        QCOMPARE(urlFromUserInput(QStringLiteral("what is 1+1?"), search).query(QUrl::FullyDecoded),
                 QStringLiteral("q=what is 1+1?"));
    }

    void tabLabelIsTheTitleElseWhereThePageIs() {
        const QUrl page(QStringLiteral("http://127.0.0.1:8080/docs/notes.html?x=1#top"));
        QCOMPARE(tabLabel(QStringLiteral("  Release\n notes "), page), QStringLiteral("Release notes"));
        // Chromium reports the URL as the title of a document without <title>.
        QCOMPARE(tabLabel(page.toString(), page), QStringLiteral("127.0.0.1:8080/docs/notes.html"));
        QCOMPARE(tabLabel(QStringLiteral("127.0.0.1:8080/docs/notes.html?x=1#top"), page),
                 QStringLiteral("127.0.0.1:8080/docs/notes.html"));
        QCOMPARE(tabLabel({}, page), QStringLiteral("127.0.0.1:8080/docs/notes.html"));
        QCOMPARE(tabLabel({}, QUrl(QStringLiteral("https://user:pw@example.org/"))), QStringLiteral("example.org"));
        // Not decoded outside QUrl's IDN allow-list of top-level domains (homograph safety).
        QCOMPARE(tabLabel({}, QUrl(QStringLiteral("https://xn--bcher-kva.example/"))), QStringLiteral("xn--bcher-kva.example"));
        QCOMPARE(tabLabel({}, QUrl::fromLocalFile(QStringLiteral("/tmp/report.html"))), QStringLiteral("report.html"));
        QCOMPARE(tabLabel({}, QUrl(QStringLiteral("data:text/html,hi"))), QStringLiteral("data:text/html,hi"));
        QCOMPARE(tabLabel({}, QUrl()), QStringLiteral("New tab"));
        QCOMPARE(tabLabel(QStringLiteral("about:blank"), QUrl(QStringLiteral("about:blank"))), QStringLiteral("New tab"));
    }

    void internalPagesAllowList() {
        QCOMPARE(internalPageName(QUrl(QStringLiteral("cachet:mail"))), QStringLiteral("mail"));
        QCOMPARE(internalPageName(QUrl(QStringLiteral("cachet:mail?folder=INBOX"))), QStringLiteral("mail"));
        QVERIFY(internalPageName(QUrl(QStringLiteral("cachet:secrets"))).isEmpty());
        QVERIFY(internalPageName(QUrl(QStringLiteral("cachet:Mail"))).isEmpty());
        QVERIFY(internalPageName(QUrl(QStringLiteral("https://mail/"))).isEmpty());
        QVERIFY(isInternalUrl(QUrl(QStringLiteral("cachet:secrets"))));
    }

    void securityState() {
        QCOMPARE(securityStateFor(QUrl(QStringLiteral("https://a.test/")), false).level, SecurityLevel::Secure);
        QCOMPARE(securityStateFor(QUrl(QStringLiteral("https://a.test/")), true).level, SecurityLevel::CertificateError);
        QCOMPARE(securityStateFor(QUrl(QStringLiteral("http://a.test/")), false).level, SecurityLevel::NotSecure);
        QCOMPARE(securityStateFor(QUrl(QStringLiteral("cachet:about")), false).level, SecurityLevel::Internal);
        QCOMPARE(securityStateFor(QUrl(), false).level, SecurityLevel::None);
    }

    void historyAndBookmarks() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        {
            HistoryStore store(path);
            QVERIFY2(store.isOpen(), qPrintable(store.lastError()));
            QVERIFY(store.recordVisit(QUrl(QStringLiteral("https://a.test/1")), QStringLiteral("First")));
            QVERIFY(store.recordVisit(QUrl(QStringLiteral("https://b.test/100%_off")), QString()));
            QVERIFY(store.updateTitle(QUrl(QStringLiteral("https://b.test/100%_off")), QStringLiteral("Sale")));
            QVERIFY(store.addBookmark(QUrl(QStringLiteral("https://a.test/1")), QStringLiteral("A")));
            QVERIFY(store.addBookmark(QUrl(QStringLiteral("https://a.test/1")), QStringLiteral("A renamed")));
        }
        HistoryStore store(path);  // reopened: everything persisted
        const auto recent = store.recentVisits(10);
        QCOMPARE(recent.size(), 2);
        QCOMPARE(recent[0].title, QStringLiteral("Sale"));  // newest first
        QCOMPARE(recent[1].url, QUrl(QStringLiteral("https://a.test/1")));
        // LIKE wildcards in the search text are literal.
        QCOMPARE(store.search(QStringLiteral("1_0"), 10).size(), 0);  // "_" would match "100" as a wildcard
        QCOMPARE(store.search(QStringLiteral("%25_o"), 10).size(), 1);
        QCOMPARE(store.search(QStringLiteral("first"), 10).size(), 1);
        QCOMPARE(store.search(QStringLiteral("nothing"), 10).size(), 0);
        QCOMPARE(store.bookmarks().size(), 1);
        QCOMPARE(store.bookmarks()[0].title, QStringLiteral("A renamed"));
        QVERIFY(store.isBookmarked(QUrl(QStringLiteral("https://a.test/1"))));
        QVERIFY(store.removeBookmark(QUrl(QStringLiteral("https://a.test/1"))));
        QVERIFY(!store.removeBookmark(QUrl(QStringLiteral("https://a.test/1"))));
        QVERIFY(store.clearHistory());
        QCOMPARE(store.recentVisits(10).size(), 0);
    }

    void historyDisabledOnUnwritablePath() {
        HistoryStore store(QStringLiteral("/proc/cachet-no-such-dir/history.sqlite"));
        QVERIFY(!store.isOpen());
        QVERIFY(!store.lastError().isEmpty());
        QVERIFY(!store.recordVisit(QUrl(QStringLiteral("https://a.test/")), QString()));
    }

    void sessionRoundTripAndDamage() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("session.json"));
        QVERIFY(readSession(path).isEmpty());
        const QList<SessionWindow> windows{{{QUrl(QStringLiteral("https://a.test/")), QUrl(QStringLiteral("cachet:mail"))}, 1},
                                           {{QUrl(QStringLiteral("http://127.0.0.1:1/x?y=%20"))}, 0}};
        QVERIFY(writeSession(path, windows));
        const auto read = readSession(path);
        QCOMPARE(read.size(), 2);
        QCOMPARE(read[0].tabs, windows[0].tabs);
        QCOMPARE(read[0].currentTab, 1);
        QCOMPARE(read[1].tabs, windows[1].tabs);

        QFile damaged(path);
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write("{\"format\": 1, \"windows\": [");
        damaged.close();
        QVERIFY(readSession(path).isEmpty());
        QVERIFY(QFile::exists(path + QStringLiteral(".damaged")));  // kept, not lost
    }

    void certificateSummaryMatchesOpenssl() {
        QTemporaryDir dir;
        const QString key = dir.filePath(QStringLiteral("key.pem"));
        const QString cert = dir.filePath(QStringLiteral("cert.pem"));
        runOpenssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                    QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-nodes"),
                    QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("30"),
                    QStringLiteral("-subj"), QStringLiteral("/C=CN/O=Cachet Test/CN=mail.cachet.test"),
                    QStringLiteral("-addext"), QStringLiteral("subjectAltName=DNS:mail.cachet.test")});
        QFile file(cert);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray pem = file.readAll();
        const auto certificates = QSslCertificate::fromData(pem);
        QCOMPARE(certificates.size(), 1);
        const CertificateSummary summary = summarizeCertificate(certificates[0]);

        // Fingerprint and SPKI hash as the openssl CLI computes them.
        const QByteArray fingerprint = runOpenssl({QStringLiteral("x509"), QStringLiteral("-in"), cert, QStringLiteral("-noout"),
                                                   QStringLiteral("-fingerprint"), QStringLiteral("-sha256")});
        QCOMPARE(summary.sha256Fingerprint, QString::fromLatin1(fingerprint.trimmed().split('=').last()));
        const QByteArray spki = runOpenssl({QStringLiteral("x509"), QStringLiteral("-in"), cert, QStringLiteral("-noout"),
                                            QStringLiteral("-pubkey")});
        const QByteArray spkiDer = runOpenssl({QStringLiteral("pkey"), QStringLiteral("-pubin"), QStringLiteral("-outform"),
                                               QStringLiteral("DER")}, spki);
        QCOMPARE(summary.publicKeySha256, colonHex(QCryptographicHash::hash(spkiDer, QCryptographicHash::Sha256)));
        const QByteArray serial = runOpenssl({QStringLiteral("x509"), QStringLiteral("-in"), cert, QStringLiteral("-noout"),
                                              QStringLiteral("-serial")});
        QCOMPARE(QString(summary.serialNumber).remove(QLatin1Char(':')),
                 QString::fromLatin1(serial.trimmed().split('=').last()).toUpper());
        QCOMPARE(summary.commonName, QStringLiteral("mail.cachet.test"));
        QVERIFY2(summary.subject.contains(QStringLiteral("O=Cachet Test")), qPrintable(summary.subject));
        QCOMPARE(summary.issuer, summary.subject);
        QVERIFY(summary.selfSigned);
        QCOMPARE(summary.keyAlgorithm, QStringLiteral("EC 256 bits"));
        QCOMPARE(summary.subjectAlternativeNames, QStringList{QStringLiteral("mail.cachet.test")});
        QCOMPARE(summary.notBefore.daysTo(summary.notAfter), 30);
    }
};

QTEST_GUILESS_MAIN(CoreTest)
#include "core_test.moc"
