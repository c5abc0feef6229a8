#pragma once
// Shared pieces of the browser UI tests (Qt Test, headless WebEngine).
#include <QApplication>
#include <QString>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <memory>

#include "browser/app/application.h"

class QWidget;
class QWebEnginePage;

namespace cachet::test {

// Before QApplication: offscreen platform, the internal scheme, no sandbox as root.
void prepareUiTestProcess();

// A browser with its own data and downloads folders under CACHET_TEST_TMP.
class TestBrowser {
public:
    // Address bar searches go to http://127.0.0.1:9/search?q=... (nothing listens there).
    explicit TestBrowser(bool restoreSession = false);
    explicit TestBrowser(const QString& dataDirectory, bool restoreSession, const QString& searchTemplate = {});
    ~TestBrowser();
    browser::Application& app() { return *app_; }
    QString dataDirectory() const { return dataDirectory_; }
    QString downloadDirectory() const { return dataDirectory_ + QStringLiteral("/downloads"); }

private:
    std::unique_ptr<QTemporaryDir> dir_;
    QString dataDirectory_;
    std::unique_ptr<browser::Application> app_;
};

QString testTempRoot();

// Runs `script` in the page (world 0 = main, 1 = application) and waits for its result.
QVariant runScript(QWebEnginePage* page, const QString& script, quint32 world = 0, int timeoutMs = 10000);

// Saves the widget as <screenshot dir>/<name>.png and returns the path
// (CACHET_SCREENSHOTS, default <tmp>/screenshots).
QString screenshot(QWidget* widget, const QString& name);

// True once `widget` shows dark text pixels (what the web engine painted, as grab() sees it).
bool showsText(QWidget* widget);

// Waits for loadFinished of `page` after `start` runs; returns the ok flag.
bool loadAndWait(QWebEnginePage* page, const std::function<void()>& start, int timeoutMs = 20000);

}  // namespace cachet::test

#define CACHET_UI_TEST_MAIN(TestClass)                  \
    int main(int argc, char** argv) {                   \
        cachet::test::prepareUiTestProcess();           \
        cachet::browser::Application::prepareProcess(); \
        QApplication app(argc, argv);                   \
        TestClass test;                                 \
        return QTest::qExec(&test, argc, argv);         \
    }
