#pragma once
// QPdfView that highlights the current search match. QtPdf 6.4's view has no
// search highlighting (that came in 6.6), so this one draws the match's
// rectangles over the rendered page itself.
#include <QList>
#include <QPdfView>
#include <QRect>
#include <QRectF>

namespace cachet::pdf {

class PdfSearchView : public QPdfView {
    Q_OBJECT
public:
    explicit PdfSearchView(QWidget* parent = nullptr);

    // `rects` in page points (origin top left), as QPdfLink::rectangles() gives them.
    void setHighlight(int page, const QList<QRectF>& rects);
    void clearHighlight();
    // Scrolls so the highlighted match sits in the upper third of the view.
    void scrollToHighlight();

    // Where the page / the highlight is drawn, in viewport() coordinates.
    QRect pageRect(int page) const;
    QList<QRect> highlightRects() const;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    // The page's rectangle in document coordinates, laid out as QPdfView 6.4 does
    // (qpdfview.cpp, calculateDocumentLayout): pages stacked pageSpacing apart,
    // centred, documentMargins around; in single-page mode the current page alone.
    QRect documentPageRect(int page) const;
    QSize pageSizeInPixels(int page) const;

    int highlightPage_ = -1;
    QList<QRectF> highlight_;
};

}  // namespace cachet::pdf
