#include "support/ui_test.h"

#include <QDir>
#include <QImage>
#include <QSignalSpy>
#include <QWebEnginePage>
#include <QWidget>
#include <unistd.h>

#include <memory>

namespace cachet::test {
namespace {
// Tests never reach the internet: searches go to a loopback port nobody serves.
const QString kTestSearch = QStringLiteral("http://127.0.0.1:9/search?q=%s");
}

void prepareUiTestProcess() {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    // Root (containers, CI) cannot use Chromium's sandbox.
    if (geteuid() == 0) {
        QByteArray flags = qgetenv("QTWEBENGINE_CHROMIUM_FLAGS");
        if (!flags.contains("--no-sandbox")) qputenv("QTWEBENGINE_CHROMIUM_FLAGS", flags + " --no-sandbox");
    }
}

QString testTempRoot() {
    const QString root = qEnvironmentVariable("CACHET_TEST_TMP", QDir::tempPath());
    QDir().mkpath(root);
    return root;
}

TestBrowser::TestBrowser(bool restoreSession)
    : dir_(std::make_unique<QTemporaryDir>(testTempRoot() + QStringLiteral("/browser-XXXXXX"))) {
    dataDirectory_ = dir_->path();
    app_ = std::make_unique<browser::Application>(
        browser::ApplicationOptions{dataDirectory_, downloadDirectory(), restoreSession, {}, kTestSearch});
}

TestBrowser::TestBrowser(const QString& dataDirectory, bool restoreSession, const QString& searchTemplate)
    : dataDirectory_(dataDirectory) {
    app_ = std::make_unique<browser::Application>(browser::ApplicationOptions{
        dataDirectory_, downloadDirectory(), restoreSession, {}, searchTemplate.isEmpty() ? kTestSearch : searchTemplate});
}

TestBrowser::~TestBrowser() = default;

QVariant runScript(QWebEnginePage* page, const QString& script, quint32 world, int timeoutMs) {
    // The callback may run after a timeout (a page that is destroyed answers
    // every pending script): it must not write into this frame then.
    struct Answer {
        QVariant result;
        bool done = false;
    };
    auto answer = std::make_shared<Answer>();
    page->runJavaScript(script, world, [answer](const QVariant& value) {
        answer->result = value;
        answer->done = true;
    });
    // On timeout the empty result makes the caller's comparison fail.
    if (!QTest::qWaitFor([&] { return answer->done; }, timeoutMs)) qWarning("runScript: no result within %d ms", timeoutMs);
    return answer->result;
}

QString screenshot(QWidget* widget, const QString& name) {
    const QString dir = qEnvironmentVariable("CACHET_SCREENSHOTS", testTempRoot() + QStringLiteral("/screenshots"));
    QDir().mkpath(dir);
    const QString path = dir + QLatin1Char('/') + name + QStringLiteral(".png");
    widget->grab().save(path);
    return path;
}

bool showsText(QWidget* widget) {
    const QImage image = widget->grab().toImage();
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            if (qGray(image.pixel(x, y)) < 80) return true;
    return false;
}

bool loadAndWait(QWebEnginePage* page, const std::function<void()>& start, int timeoutMs) {
    QSignalSpy finished(page, &QWebEnginePage::loadFinished);
    start();
    if (!finished.wait(timeoutMs) && finished.isEmpty()) return false;
    return finished.last().value(0).toBool();
}

}  // namespace cachet::test
