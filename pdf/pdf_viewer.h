#pragma once
// The PDF viewer tab: page navigation, zoom, fit width/page, text search,
// thumbnails and save, on QtPdf (QPdfDocument + QPdfView + QPdfSearchModel);
// the current match is highlighted by PdfSearchView.
#include <QByteArray>
#include <QUrl>
#include <QWidget>

class QLabel;
class QLineEdit;
class QPdfDocument;
class QPdfSearchModel;
class QSpinBox;
class QStackedWidget;
class QToolBar;

namespace cachet::pdf {

class PdfSearchView;
class PdfThumbnails;

class PdfViewer : public QWidget {
    Q_OBJECT
public:
    explicit PdfViewer(QWidget* parent = nullptr);
    ~PdfViewer() override;

    // Shows the document, or a clear error in place of it; never throws.
    bool openBytes(const QByteArray& bytes, const QString& name, const QUrl& source = {});
    bool openFile(const QString& path, const QUrl& source = {});

    bool isLoaded() const;
    QString errorText() const { return error_; }
    QString title() const { return title_; }
    QUrl source() const { return source_; }

    int pageCount() const;
    int currentPage() const;
    void goToPage(int page);
    void nextPage();
    void previousPage();

    qreal zoomFactor() const;
    void zoomIn();
    void zoomOut();
    void fitWidth();
    void fitPage();

    // Search runs page by page in QPdfSearchModel; results grow as it goes.
    void search(const QString& text);
    int searchResultCount() const;
    int currentSearchResult() const { return currentResult_; }
    void nextSearchResult();
    void previousSearchResult();

    // Writes the exact bytes that were opened (atomically); false + lastSaveError on failure.
    bool saveTo(const QString& path);
    QString lastSaveError() const { return lastSaveError_; }
    void saveWithDialog();

    QPdfDocument* document() const { return document_; }
    PdfSearchView* view() const { return view_; }
    PdfThumbnails* thumbnails() const { return thumbnails_; }

signals:
    void titleChanged(const QString& title);

private:
    void buildToolBar();
    void showError(const QString& message);
    void showSearchResult(int index);
    void updatePageControls();
    void setZoom(qreal factor);

    QPdfDocument* document_;
    QPdfSearchModel* searchModel_;
    PdfSearchView* view_;
    PdfThumbnails* thumbnails_;
    QStackedWidget* stack_;
    QLabel* errorLabel_;
    QToolBar* toolBar_ = nullptr;
    QSpinBox* pageBox_ = nullptr;
    QLabel* pageCountLabel_ = nullptr;
    QLineEdit* searchField_ = nullptr;
    QLabel* searchLabel_ = nullptr;
    QByteArray bytes_;
    QString title_;
    QString error_;
    QString lastSaveError_;
    QUrl source_;
    int currentResult_ = -1;
};

}  // namespace cachet::pdf
