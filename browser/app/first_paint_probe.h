#pragma once
// A check for scripts (scripts/run.sh's smoke mode): once the first window's
// page has loaded and painted something other than a blank area, saves a
// screenshot, prints one line and quits with 0; a failed load or nothing
// painted before the deadline quits with 1. Off unless CACHET_EXIT_AFTER_PAINT
// names the screenshot file.
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

namespace cachet::browser {

class Application;
class WebTab;

class FirstPaintProbe : public QObject {
    Q_OBJECT
public:
    static constexpr char kEnvironmentVariable[] = "CACHET_EXIT_AFTER_PAINT";
    static constexpr int kDeadlineMs = 60000;

    // Watches the current tab of the application's first window; call after Application::start().
    FirstPaintProbe(Application& app, QString screenshotPath, QObject* parent = nullptr);

    // True when `image` is more than one flat colour (text, lines, a picture).
    static bool showsSomething(const QImage& image);

private:
    void check();
    void finish(int exitCode, const QString& message);

    QString screenshotPath_;
    QPointer<WebTab> tab_;
    bool loaded_ = false;
    QElapsedTimer clock_;
    QTimer poll_;
};

}  // namespace cachet::browser
