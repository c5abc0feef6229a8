#include "browser/app/first_paint_probe.h"

#include <QApplication>
#include <QImage>
#include <QTextStream>

#include "browser/app/application.h"
#include "browser/app/browser_window.h"
#include "browser/tabs/tab_widget.h"
#include "browser/tabs/web_tab.h"

namespace cachet::browser {

FirstPaintProbe::FirstPaintProbe(Application& app, QString screenshotPath, QObject* parent)
    : QObject(parent), screenshotPath_(std::move(screenshotPath)) {
    clock_.start();
    const QList<BrowserWindow*> windows = app.windows();
    tab_ = windows.isEmpty() ? nullptr : windows.first()->tabs()->currentWebTab();
    if (!tab_) {
        QTimer::singleShot(0, this, [this] { finish(1, QStringLiteral("no web tab to watch")); });
        return;
    }
    connect(tab_, &QWebEngineView::loadFinished, this, [this](bool ok) {
        if (!ok) return finish(1, QStringLiteral("%1 did not load").arg(tab_->url().toDisplayString()));
        loaded_ = true;
    });
    // The engine paints asynchronously after loadFinished: look at what the view shows until it has content.
    poll_.setInterval(50);
    connect(&poll_, &QTimer::timeout, this, &FirstPaintProbe::check);
    poll_.start();
}

bool FirstPaintProbe::showsSomething(const QImage& image) {
    if (image.isNull()) return false;
    const QRgb first = image.pixel(0, 0);
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            if (image.pixel(x, y) != first) return true;
    return false;
}

void FirstPaintProbe::check() {
    if (!tab_) return finish(1, QStringLiteral("the tab closed"));
    if (clock_.elapsed() > kDeadlineMs)
        return finish(1, QStringLiteral("nothing painted within %1 s").arg(kDeadlineMs / 1000));
    if (!loaded_ || !showsSomething(tab_->grab().toImage())) return;
    QWidget* window = tab_->window();
    if (!window->grab().save(screenshotPath_))
        return finish(1, QStringLiteral("cannot write %1").arg(screenshotPath_));
    finish(0, QStringLiteral("painted %1 (\"%2\") %3 ms after start; screenshot %4")
                  .arg(tab_->url().toDisplayString(), tab_->title())
                  .arg(clock_.elapsed())
                  .arg(screenshotPath_));
}

void FirstPaintProbe::finish(int exitCode, const QString& message) {
    poll_.stop();
    QTextStream(exitCode == 0 ? stdout : stderr) << "cachet: " << message << Qt::endl;
    QApplication::exit(exitCode);
}

}  // namespace cachet::browser
