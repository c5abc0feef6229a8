// Encrypted mail with no click, end to end in the real engine (issue 6, the
// first scenario): the browser's cachet:mail with the real MailService and its
// S/MIME factories (bridge/secure_factories), the real mail bed and the real
// cachet-cloud (ACME CA, key directory, TSA). alice and bob are added with
// address and password only; each account gets its certificates by itself
// ("Ready to send encrypted mail"); alice's compose shows bob's chip "will be
// encrypted"; what the server stores for bob is ciphertext (read by Python's
// imaplib); bob's reader shows it decrypted, signed by alice and timestamped.
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QWebEngineHistory>

#include "browser/app/browser_window.h"
#include "browser/scheme/internal_scheme.h"
#include "browser/tabs/tab_widget.h"
#include "browser/tabs/web_tab.h"
#include "mailbed_cloud.h"
#include "support/mail_bed.h"
#include "support/ui_test.h"
#include "webmail_page.h"

using namespace cachet::browser;
using cachet::test::jsString;
using cachet::test::MailBed;

class WebmailSecureEndToEndTest : public QObject {
    Q_OBJECT
private:
    MailBed* bed_ = nullptr;
    std::unique_ptr<cachet::cloud::test::CloudOnBed> cloud_;
    QTemporaryDir files_{cachet::test::testTempRoot() + QStringLiteral("/webmail-secure-XXXXXX")};
    std::unique_ptr<cachet::test::TestBrowser> browser_;
    BrowserWindow* window_ = nullptr;
    WebTab* mail_ = nullptr;
    bool ready_ = false;  // both accounts have their certificates
    const QString subject_ = QStringLiteral("Contract draft, encrypted");
    const QString secretWord_ = QStringLiteral("marzipan%1").arg(QRandomGenerator::global()->bounded(100000, 999999));

    QString address(const char* user) const { return QString::fromStdString(bed_->address(user)); }
    cachet::test::WebmailPage page() const { return {mail_ ? mail_->page() : nullptr, window_, QStringLiteral("webmail-secure-")}; }
    bool check(const QString& expression) const { return page().check(expression); }
    QString str(const QString& expression) const { return page().str(expression); }

    // The sidebar's key state of the account shown.
    QString securityPhase() const { return str(QStringLiteral("$('#account-security').dataset.phase || ''")); }
    QString securityText() const { return str(QStringLiteral("text('#account-security')")); }

    void switchTo(const char* user) {
        QVERIFY(check(QStringLiteral("(() => { const s = $('#account-select'); s.value = %1; "
                                     "s.dispatchEvent(new Event('change', {bubbles: true})); return s.value === %1; })()")
                          .arg(jsString(address(user)))));
        QTRY_COMPARE_WITH_TIMEOUT(str(QStringLiteral("$('#account-select').value")), address(user), 10000);
    }

    // Fills the setup form and waits until the account is ready to send encrypted mail.
    void addAccount(const char* user) {
        if (check(QStringLiteral("!shown($('#setup-address'))"))) QVERIFY(check(QStringLiteral("click('#add-account')")));
        QTRY_VERIFY_WITH_TIMEOUT(check(QStringLiteral("shown($('#setup-address'))")), 10000);
        QVERIFY(check(QStringLiteral("type('#setup-address', %1)").arg(jsString(address(user)))));
        QVERIFY(check(QStringLiteral("type('#setup-password', %1)").arg(jsString(QString::fromStdString(bed_->password(user))))));
        QVERIFY(check(QStringLiteral("click('#setup-submit')")));
        QTRY_VERIFY2_WITH_TIMEOUT(check(QStringLiteral("$('#folder-list [data-folder=\"INBOX\"]') && !shown($('#setup-address'))")),
                                  qPrintable(str(QStringLiteral("text('#setup-error') + ' | ' + text('#setup-discovery') + ' | ' + text('#status-bar')"))),
                                  90000);
        QTRY_COMPARE_WITH_TIMEOUT(str(QStringLiteral("$('#account-select').value")), address(user), 10000);
        // Enrolment (four certificates, each with a challenge mail) and the key backup.
        QTRY_VERIFY2_WITH_TIMEOUT(securityPhase() == QLatin1String("ready") || securityPhase() == QLatin1String("error"),
                                  qPrintable(securityPhase() + QStringLiteral(": ") + securityText()), 300000);
        QVERIFY2(securityPhase() == QLatin1String("ready"), qPrintable(securityText()));
        page().shot(QStringLiteral("ready-") + QLatin1String(user));
    }

    // bob's copy as the server stores it, read by Python's imaplib (not taken out).
    QString storedAtBob() {
        const std::string code = R"PY(
import imaplib, ssl, sys, time
ctx = ssl.create_default_context(cafile=os.environ['MAILBED_CA_FILE'])
deadline = time.monotonic() + 30
while True:
    with imaplib.IMAP4_SSL(os.environ['MAILBED_HOST'], int(os.environ['MAILBED_IMAPS_PORT']), ssl_context=ctx) as m:
        m.login(os.environ['MAILBED_BOB_ADDRESS'], os.environ['MAILBED_BOB_PASSWORD'])
        m.select('INBOX', readonly=True)
        status, data = m.uid('SEARCH', None, 'HEADER', 'Subject', '"' + sys.argv[1] + '"')
        uids = data[0].split()
        if uids:
            status, parts = m.uid('FETCH', uids[-1], '(BODY.PEEK[])')
            sys.stdout.write(next(p[1] for p in parts if isinstance(p, tuple)).decode('latin-1'))
            sys.exit(0)
    if time.monotonic() > deadline:
        sys.exit('no such message at bob')
)PY";
        return QString::fromStdString(bed_->python(code, {subject_.toStdString()}));
    }

private slots:
    void initTestCase() {
        std::string why;
        try {
            bed_ = MailBed::shared(&why);
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        if (!bed_) QSKIP(why.c_str());
        QVERIFY(files_.isValid());
        cloud_ = std::make_unique<cachet::cloud::test::CloudOnBed>(*bed_);
        const std::string down = cloud_->waitUntilUp();
        QVERIFY2(down.empty(), down.c_str());
        // The cloud's roots (RSA/EC and SM2) in one PEM file, as scripts/run.sh gives them.
        const QString roots = files_.filePath(QStringLiteral("cloud-roots.pem"));
        {
            QFile out(roots);
            QVERIFY(out.open(QIODevice::WriteOnly));
            for (const char* stem : {"smime-root", "sm2-root"}) {
                QFile in(QString::fromStdString(cloud_->caFile(stem)));
                QVERIFY2(in.open(QIODevice::ReadOnly), stem);
                out.write(in.readAll());
            }
        }
        const QString autoconfig = files_.filePath(QStringLiteral("autoconfig.xml"));
        QVERIFY(cachet::test::writeBedAutoconfig(*bed_, autoconfig));
        qputenv("CACHET_MAIL_CA_FILE", bed_->caFile().c_str());
        qputenv("CACHET_AUTOCONFIG_FILE", autoconfig.toUtf8());
        qputenv("CACHET_CLOUD_URL", QByteArray("http://127.0.0.1:") + QByteArray::number(cloud_->port()));
        qputenv("CACHET_CLOUD_ROOTS", roots.toUtf8());

        browser_ = std::make_unique<cachet::test::TestBrowser>();
        window_ = browser_->app().newWindow(false, {});
        window_->resize(1280, 800);
        QVERIFY(QTest::qWaitForWindowExposed(window_));
        mail_ = window_->newTab();
        QVERIFY(cachet::test::loadAndWait(mail_->page(), [&] { mail_->setUrl(internalUrl(QStringLiteral("mail"))); }));
        QTRY_COMPARE_WITH_TIMEOUT(str(QStringLiteral("document.documentElement.dataset.webmail")), QStringLiteral("ready"), 20000);
    }

    void cleanupTestCase() {
        if (window_) window_->close();
        browser_.reset();
        cloud_.reset();
    }

    void aliceAndBobGetTheirCertificatesWithNoClick() {
        // A helper's failed check returns from the helper only.
        addAccount("bob");
        if (QTest::currentTestFailed()) return;
        addAccount("alice");
        if (QTest::currentTestFailed()) return;
        ready_ = true;
    }

    void aliceSeesBobWillBeEncryptedAndSends() {
        if (!ready_) QSKIP("the accounts are not ready");
        QCOMPARE(str(QStringLiteral("$('#account-select').value")), address("alice"));
        QVERIFY(check(QStringLiteral("click('#compose-button')")));
        QTRY_VERIFY_WITH_TIMEOUT(check(QStringLiteral("shown($('#compose-to')) && shown($('#compose-send'))")), 10000);
        QVERIFY(check(QStringLiteral("type('#compose-to', %1) && key('#compose-to', 'Enter')").arg(jsString(address("bob")))));
        const QString chip = QStringLiteral("$('#compose-to-chips .chip[data-address=%1]')").arg(jsString(address("bob")));
        QTRY_VERIFY2_WITH_TIMEOUT(check(chip + QStringLiteral(" && /will be encrypted/i.test(") + chip + QStringLiteral(".textContent)")),
                                  qPrintable(str(chip + QStringLiteral(" ? ") + chip + QStringLiteral(".textContent : 'no chip'"))), 30000);
        QVERIFY(check(chip + QStringLiteral(".classList.contains('encrypted')")));
        QVERIFY(check(QStringLiteral("type('#compose-subject', %1)").arg(jsString(subject_))));
        QVERIFY(check(QStringLiteral("type('#compose-body', %1)").arg(jsString(QStringLiteral("The word is %1.").arg(secretWord_)))));
        page().shot(QStringLiteral("compose-will-be-encrypted"));
        QVERIFY(check(QStringLiteral("click('#compose-send')")));
        QTRY_VERIFY2_WITH_TIMEOUT(check(QStringLiteral("!shown($('#compose-send'))")),
                                  qPrintable(str(QStringLiteral("text('#compose-status') + ' | ' + text('#status-bar')"))), 60000);
        const QString status = str(QStringLiteral("text('#status-bar')"));
        QVERIFY2(status.contains(QStringLiteral("encrypted")) && status.contains(QStringLiteral("signed")), qPrintable(status));
        page().shot(QStringLiteral("sent-encrypted"));

        // What the server holds for bob: S/MIME ciphertext, the word nowhere.
        QString stored;
        try {
            stored = storedAtBob();
        } catch (const std::exception& e) {
            QFAIL(e.what());
        }
        QVERIFY2(stored.contains(QStringLiteral("application/pkcs7-mime"), Qt::CaseInsensitive) ||
                     stored.contains(QStringLiteral("application/x-pkcs7-mime"), Qt::CaseInsensitive),
                 qPrintable(stored.left(1500)));
        QVERIFY2(!stored.contains(secretWord_), qPrintable(stored.left(1500)));
    }

    void bobReadsItDecryptedSignedAndTimestamped() {
        if (!ready_) QSKIP("the accounts are not ready");
        switchTo("bob");
        if (QTest::currentTestFailed()) return;
        QVERIFY(page().openMessage(subject_));
        QTRY_COMPARE_WITH_TIMEOUT(str(QStringLiteral("$('#security-panel').dataset.decryption")), QStringLiteral("ok"), 10000);
        QCOMPARE(str(QStringLiteral("$('#security-panel').dataset.signature")), QStringLiteral("valid"));
        QCOMPARE(str(QStringLiteral("$('#security-panel').dataset.timestamp")), QStringLiteral("valid"));
        const QString panel = str(QStringLiteral("text('#security-panel')"));
        QVERIFY2(panel.contains(QStringLiteral("Encrypted to you")) && panel.contains(address("alice")) &&
                     panel.contains(QStringLiteral("Timestamped")),
                 qPrintable(panel));
        QTRY_VERIFY_WITH_TIMEOUT(check(QStringLiteral("($('#reader-frame').srcdoc || '').includes(%1)").arg(jsString(secretWord_))), 10000);
        page().shot(QStringLiteral("bob-reads-encrypted"));
    }
};

CACHET_UI_TEST_MAIN(WebmailSecureEndToEndTest)
#include "webmail_secure_e2e_ui_test.moc"
