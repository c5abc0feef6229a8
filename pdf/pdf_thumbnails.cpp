#include "pdf/pdf_thumbnails.h"

#include <QPainter>
#include <QPdfDocument>
#include <QTimer>

namespace cachet::pdf {
namespace {
constexpr int kThumbnailWidth = 120;
constexpr int kPagesPerTurn = 4;
}  // namespace

PdfThumbnails::PdfThumbnails(QWidget* parent) : QListWidget(parent) {
    setIconSize(QSize(kThumbnailWidth, kThumbnailWidth * 3 / 2));
    setUniformItemSizes(true);
    setSpacing(6);
    setAccessibleName(tr("Page thumbnails"));
    connect(this, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0) emit pageActivated(row);
    });
}

void PdfThumbnails::setDocument(QPdfDocument* document) {
    ++generation_;
    clear();
    rendered_ = 0;
    document_ = document;
    if (!document_) return;
    // A blank page of the right size first, so the list is laid out before rendering.
    QPixmap blank(iconSize());
    blank.fill(Qt::white);
    for (int page = 0; page < document_->pageCount(); ++page)
        addItem(new QListWidgetItem(QIcon(blank), QString::number(page + 1)));
    const quint64 generation = generation_;
    QTimer::singleShot(0, this, [this, generation] {
        if (generation == generation_) renderSome();
    });
}

void PdfThumbnails::renderSome() {
    if (!document_) return;
    const int end = std::min(rendered_ + kPagesPerTurn, count());
    for (; rendered_ < end; ++rendered_) {
        const QSizeF points = document_->pagePointSize(rendered_);
        if (points.width() <= 0) continue;
        const QSize size(kThumbnailWidth, int(kThumbnailWidth * points.height() / points.width()));
        // PDFium leaves the page transparent; thumbnails show paper.
        QImage page(size, QImage::Format_ARGB32_Premultiplied);
        page.fill(Qt::white);
        QPainter painter(&page);
        painter.drawImage(0, 0, document_->render(rendered_, size));
        painter.end();
        item(rendered_)->setIcon(QIcon(QPixmap::fromImage(page)));
    }
    if (rendered_ < count()) {
        const quint64 generation = generation_;
        QTimer::singleShot(0, this, [this, generation] {
            if (generation == generation_) renderSome();
        });
    }
}

}  // namespace cachet::pdf
