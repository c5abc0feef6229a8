#pragma once
// The thumbnail strip beside a PDF: one icon per page, rendered a few pages
// per event-loop turn so a long document never blocks the window.
#include <QListWidget>
#include <QPointer>

class QPdfDocument;

namespace cachet::pdf {

class PdfThumbnails : public QListWidget {
    Q_OBJECT
public:
    explicit PdfThumbnails(QWidget* parent = nullptr);
    void setDocument(QPdfDocument* document);  // nullptr clears
    int renderedCount() const { return rendered_; }

signals:
    void pageActivated(int page);

private:
    void renderSome();

    QPointer<QPdfDocument> document_;
    int rendered_ = 0;
    quint64 generation_ = 0;  // invalidates pending batches of a previous document
};

}  // namespace cachet::pdf
