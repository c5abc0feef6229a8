#pragma once
// A web tab: the view, its page, zoom steps and find in page.
#include <QWebEngineView>

class QWebEngineProfile;

namespace cachet::browser {

class WebPage;

class WebTab : public QWebEngineView {
    Q_OBJECT
public:
    WebTab(QWebEngineProfile* profile, QWidget* parent);

    WebPage* webPage() const { return page_; }
    int loadProgress() const { return progress_; }
    bool isLoading() const { return loading_; }

    // Chromium's zoom steps, 25 % to 500 %.
    void zoomIn();
    void zoomOut();
    void resetZoom();

signals:
    void loadingChanged(bool loading);

private:
    void stepZoom(int direction);

    WebPage* page_;
    int progress_ = 0;
    bool loading_ = false;
};

}  // namespace cachet::browser
