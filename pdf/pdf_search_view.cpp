#include "pdf/pdf_search_view.h"

#include <algorithm>

#include <QGuiApplication>
#include <QPainter>
#include <QPdfDocument>
#include <QPdfPageNavigator>
#include <QScreen>
#include <QScrollBar>

namespace cachet::pdf {
namespace {
// Translucent so the matched words stay readable under it.
const QColor kHighlightFill(255, 190, 0, 110);
const QColor kHighlightEdge(230, 120, 0);

// PDFium gives one rectangle per glyph; a match reads better as one box per line.
QList<QRectF> mergeLines(const QList<QRectF>& glyphs) {
    QList<QRectF> lines;
    for (const QRectF& g : glyphs) {
        auto sameLine = [&g](const QRectF& line) {
            const qreal overlap = std::min(line.bottom(), g.bottom()) - std::max(line.top(), g.top());
            return overlap > 0.5 * std::min(line.height(), g.height());
        };
        auto it = std::find_if(lines.begin(), lines.end(), sameLine);
        if (it == lines.end()) lines.append(g);
        else *it = it->united(g);
    }
    return lines;
}
}  // namespace

PdfSearchView::PdfSearchView(QWidget* parent) : QPdfView(parent) {}

void PdfSearchView::setHighlight(int page, const QList<QRectF>& rects) {
    highlightPage_ = page;
    highlight_ = mergeLines(rects);
    viewport()->update();
}

void PdfSearchView::clearHighlight() { setHighlight(-1, {}); }

QSize PdfSearchView::pageSizeInPixels(int page) const {
    // QPdfView scales points by the primary screen's logical DPI / 72, then by the zoom.
    const qreal pixelsPerPoint = QGuiApplication::primaryScreen()->logicalDotsPerInch() / 72.0;
    const QSize natural = (document()->pagePointSize(page) * pixelsPerPoint).toSize();
    const QMargins margins = documentMargins();
    switch (zoomMode()) {
    case ZoomMode::FitToWidth: {
        const qreal factor = qreal(viewport()->width() - margins.left() - margins.right()) / natural.width();
        return natural * factor;
    }
    case ZoomMode::FitInView: {
        const QSize room = viewport()->size() - QSize(margins.left() + margins.right(), pageSpacing());
        return natural.scaled(room, Qt::KeepAspectRatio);
    }
    case ZoomMode::Custom:
        break;
    }
    return (document()->pagePointSize(page) * pixelsPerPoint * zoomFactor()).toSize();
}

QRect PdfSearchView::documentPageRect(int page) const {
    if (!document() || document()->status() != QPdfDocument::Status::Ready || page < 0 ||
        page >= document()->pageCount())
        return {};
    const QMargins margins = documentMargins();
    int widest = 0;
    int top = margins.top();
    QSize size;
    // Single-page mode lays out the current page alone.
    const bool single = pageMode() == PageMode::SinglePage;
    if (single && page != pageNavigator()->currentPage()) return {};
    for (int p = single ? page : 0; p < (single ? page + 1 : document()->pageCount()); ++p) {
        const QSize s = pageSizeInPixels(p);
        widest = std::max(widest, s.width());
        if (p < page) top += s.height() + pageSpacing();
        if (p == page) size = s;
    }
    const int documentWidth = widest + margins.left() + margins.right();
    const int left = (std::max(documentWidth, viewport()->width()) - size.width()) / 2;
    return {QPoint(left, top), size};
}

QRect PdfSearchView::pageRect(int page) const {
    return documentPageRect(page).translated(-horizontalScrollBar()->value(), -verticalScrollBar()->value());
}

QList<QRect> PdfSearchView::highlightRects() const {
    QList<QRect> out;
    const QRect page = pageRect(highlightPage_);
    if (page.isEmpty()) return out;
    const QSizeF points = document()->pagePointSize(highlightPage_);
    const qreal sx = page.width() / points.width();
    const qreal sy = page.height() / points.height();
    for (const QRectF& r : highlight_)
        out.append(QRectF(page.left() + r.left() * sx, page.top() + r.top() * sy, r.width() * sx, r.height() * sy)
                       .toAlignedRect()
                       .adjusted(-2, -1, 2, 1));
    return out;
}

void PdfSearchView::scrollToHighlight() {
    const QRect page = documentPageRect(highlightPage_);
    if (page.isEmpty() || highlight_.isEmpty()) return;
    const QList<QRect> shown = highlightRects();
    const int matchTop = shown.first().top() + verticalScrollBar()->value();
    // Keep the page current: QPdfView calls "current" the page under the line at 40 % of the height.
    const int wanted = matchTop - viewport()->height() / 3;
    const int lowest = page.top();
    const int highest = std::max(lowest, page.bottom() - viewport()->height() * 2 / 5 - 2);
    verticalScrollBar()->setValue(std::clamp(wanted, lowest, highest));
}

void PdfSearchView::paintEvent(QPaintEvent* event) {
    QPdfView::paintEvent(event);
    const QList<QRect> rects = highlightRects();
    if (rects.isEmpty()) return;
    QPainter painter(viewport());
    painter.setPen(QPen(kHighlightEdge, 1));
    painter.setBrush(kHighlightFill);
    for (const QRect& r : rects) painter.drawRect(r);
}

}  // namespace cachet::pdf
