#include "browser/tabs/web_tab.h"

#include <array>
#include <cmath>

#include "browser/tabs/web_page.h"

namespace cachet::browser {
namespace {
constexpr std::array kZoomSteps{0.25, 0.33, 0.5, 0.67, 0.75, 0.8, 0.9, 1.0, 1.1, 1.25,
                                1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0};
}

WebTab::WebTab(QWebEngineProfile* profile, QWidget* parent) : QWebEngineView(parent), page_(new WebPage(profile, this)) {
    setPage(page_);
    connect(page_, &QWebEnginePage::loadStarted, this, [this] {
        loading_ = true;
        progress_ = 0;
        emit loadingChanged(true);
    });
    connect(page_, &QWebEnginePage::loadProgress, this, [this](int progress) { progress_ = progress; });
    connect(page_, &QWebEnginePage::loadFinished, this, [this] {
        loading_ = false;
        progress_ = 100;
        emit loadingChanged(false);
    });
}

void WebTab::stepZoom(int direction) {
    const double current = zoomFactor();
    if (direction > 0) {
        for (double step : kZoomSteps)
            if (step > current + 0.001) return setZoomFactor(step);
    } else {
        for (auto it = kZoomSteps.rbegin(); it != kZoomSteps.rend(); ++it)
            if (*it < current - 0.001) return setZoomFactor(*it);
    }
}

void WebTab::zoomIn() { stepZoom(+1); }
void WebTab::zoomOut() { stepZoom(-1); }
void WebTab::resetZoom() { setZoomFactor(1.0); }

}  // namespace cachet::browser
