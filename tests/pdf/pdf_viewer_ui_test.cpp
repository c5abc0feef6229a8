// The PDF viewer tab: open, navigate, zoom, fit, search, thumbnails, save,
// and clear errors for damaged files. The PDFs are written by QPdfWriter
// (Qt's own PDF generator) and read by QtPdf (PDFium).
#include <QBuffer>
#include <QLabel>
#include <QDir>
#include <QFile>
#include <QPainter>
#include <QPdfDocument>
#include <QPdfView>
#include <QPdfWriter>
#include <QTemporaryDir>
#include <QTest>

#include "pdf/pdf_loader.h"
#include "pdf/pdf_search_view.h"
#include "pdf/pdf_thumbnails.h"
#include "pdf/pdf_viewer.h"

using cachet::pdf::PdfViewer;

namespace {

// Three A4 pages; "Cachet invoice" appears on pages 2 and 3 (once each).
QByteArray threePagePdf() {
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        writer.setTitle(QStringLiteral("Quarterly statement"));
        writer.setPageSize(QPageSize(QPageSize::A4));
        QPainter painter(&writer);
        QFont font = painter.font();
        font.setPointSize(28);
        painter.setFont(font);
        painter.drawText(QPointF(500, 1200), QStringLiteral("Page one: greetings"));
        writer.newPage();
        painter.drawText(QPointF(500, 1200), QStringLiteral("Cachet invoice 42"));
        writer.newPage();
        painter.drawText(QPointF(500, 3200), QStringLiteral("Another Cachet invoice"));
    }
    return buffer.data();
}

// True once the view shows rendered text (QPdfView renders pages in a thread).
bool showsInk(QWidget* widget) {
    const QImage image = widget->grab().toImage();
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2)
            if (qGray(image.pixel(x, y)) < 60) return true;
    return false;
}

// The highlight's colour as drawn over white paper (translucent amber).
bool isHighlight(QRgb p) { return qRed(p) > 200 && qGreen(p) > 170 && qBlue(p) < 190 && qRed(p) - qBlue(p) > 60; }

// Bounding box of the highlight-coloured pixels of `image`.
QRect highlightedArea(const QImage& image) {
    QRect box;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            if (isHighlight(image.pixel(x, y))) box |= QRect(x, y, 1, 1);
    return box;
}

int darkPixels(const QImage& image, const QRect& area) {
    int dark = 0;
    for (int y = area.top(); y <= area.bottom(); ++y)
        for (int x = area.left(); x <= area.right(); ++x)
            if (image.valid(x, y) && qGray(image.pixel(x, y)) < 100) ++dark;
    return dark;
}

QString screenshotDir() {
    const QString dir = qEnvironmentVariable("CACHET_SCREENSHOTS", QDir::tempPath() + QStringLiteral("/screenshots"));
    QDir().mkpath(dir);
    return dir;
}

}  // namespace

class PdfViewerTest : public QObject {
    Q_OBJECT
private slots:
    void opensNavigatesAndZooms() {
        PdfViewer viewer;
        viewer.resize(1000, 800);
        viewer.show();
        QVERIFY(QTest::qWaitForWindowExposed(&viewer));
        QVERIFY2(viewer.openBytes(threePagePdf(), QStringLiteral("statement.pdf")), qPrintable(viewer.errorText()));
        QVERIFY(viewer.isLoaded());
        QCOMPARE(viewer.pageCount(), 3);
        QCOMPARE(viewer.title(), QStringLiteral("Quarterly statement"));  // from the PDF's metadata
        QCOMPARE(viewer.currentPage(), 0);

        viewer.nextPage();
        QTRY_COMPARE(viewer.currentPage(), 1);
        viewer.goToPage(2);
        QTRY_COMPARE(viewer.currentPage(), 2);
        viewer.nextPage();  // past the end: stays
        QCOMPARE(viewer.currentPage(), 2);
        viewer.previousPage();
        QTRY_COMPARE(viewer.currentPage(), 1);

        viewer.fitPage();
        QCOMPARE(viewer.view()->zoomMode(), QPdfView::ZoomMode::FitInView);
        viewer.zoomIn();
        QCOMPARE(viewer.view()->zoomMode(), QPdfView::ZoomMode::Custom);
        const qreal zoomed = viewer.zoomFactor();
        viewer.zoomOut();
        QVERIFY(viewer.zoomFactor() < zoomed);
        viewer.fitWidth();
        QCOMPARE(viewer.view()->zoomMode(), QPdfView::ZoomMode::FitToWidth);

        QTRY_COMPARE(viewer.thumbnails()->renderedCount(), 3);
        QVERIFY(!viewer.thumbnails()->item(2)->icon().isNull());
        viewer.thumbnails()->setCurrentRow(0);  // clicking a thumbnail goes to its page
        QTRY_COMPARE(viewer.currentPage(), 0);
        QTRY_VERIFY(showsInk(viewer.view()->viewport()));
        viewer.grab().save(screenshotDir() + QStringLiteral("/pdf-viewer.png"));
    }

    void searchFindsEveryMatch() {
        PdfViewer viewer;
        viewer.resize(1000, 800);
        viewer.show();
        QVERIFY(viewer.openBytes(threePagePdf(), QStringLiteral("statement.pdf")));
        viewer.search(QStringLiteral("Cachet invoice"));
        QTRY_COMPARE(viewer.searchResultCount(), 2);
        QTRY_COMPARE(viewer.currentSearchResult(), 0);
        QTRY_COMPARE(viewer.currentPage(), 1);  // the first match is shown
        viewer.nextSearchResult();
        QCOMPARE(viewer.currentSearchResult(), 1);
        QTRY_COMPARE(viewer.currentPage(), 2);
        viewer.nextSearchResult();  // wraps around
        QCOMPARE(viewer.currentSearchResult(), 0);
        QTRY_VERIFY(showsInk(viewer.view()->viewport()));
        viewer.grab().save(screenshotDir() + QStringLiteral("/pdf-search.png"));

        viewer.search(QStringLiteral("no such words"));
        QTest::qWait(0);
        QTRY_COMPARE(viewer.searchResultCount(), 0);
        QCOMPARE(viewer.currentSearchResult(), -1);
    }

    // The current match is visibly marked: amber pixels on screen, lying over the
    // matched words' ink, and gone when the search is cleared.
    void searchHighlightsTheCurrentMatch() {
        PdfViewer viewer;
        viewer.resize(1000, 800);
        viewer.show();
        QVERIFY(QTest::qWaitForWindowExposed(&viewer));
        QVERIFY(viewer.openBytes(threePagePdf(), QStringLiteral("statement.pdf")));
        QTRY_VERIFY(showsInk(viewer.view()->viewport()));
        QCOMPARE(highlightedArea(viewer.view()->viewport()->grab().toImage()), QRect());

        for (int result : {0, 1}) {
            viewer.search(QStringLiteral("Cachet invoice"));
            QTRY_COMPARE(viewer.searchResultCount(), 2);
            if (result == 1) viewer.nextSearchResult();
            QTRY_COMPARE(viewer.currentPage(), result + 1);
            const QList<QRect> expected = viewer.view()->highlightRects();
            QCOMPARE(expected.size(), 1);  // one line: the glyph boxes merged
            QImage shot;
            QTRY_VERIFY((shot = viewer.view()->viewport()->grab().toImage(), darkPixels(shot, expected.first()) > 40));
            const QRect area = highlightedArea(shot);
            QVERIFY2(!area.isEmpty(), "no highlight pixels on screen");
            shot.save(screenshotDir() + QStringLiteral("/pdf-search-match-%1.png").arg(result));
            QVERIFY2(expected.first().adjusted(-1, -1, 1, 1).contains(area),
                     qPrintable(QStringLiteral("highlight drawn outside the match: %1,%2 %3x%4 vs %5,%6 %7x%8")
                                    .arg(area.x()).arg(area.y()).arg(area.width()).arg(area.height())
                                    .arg(expected.first().x()).arg(expected.first().y())
                                    .arg(expected.first().width()).arg(expected.first().height())));
            // "Cachet invoice" is one line of 14 characters: far wider than tall.
            QVERIFY(area.width() > 4 * area.height());
            QVERIFY(viewer.view()->viewport()->rect().contains(area));
            // The matched words are the ink under it: the page rendered without the
            // highlight has text in that box, and the word above/below it does not.
            viewer.view()->clearHighlight();
            QImage plain;
            QTRY_VERIFY((plain = viewer.view()->viewport()->grab().toImage(), highlightedArea(plain).isEmpty()));
            QVERIFY(darkPixels(plain, area) > 40);
            QCOMPARE(darkPixels(plain, area.translated(0, 3 * area.height())), 0);
            // Only the match: page 2 reads "Cachet invoice 42" (ink right of the box, none
            // left of it), page 3 "Another Cachet invoice" (ink left, none right).
            const QRect left(area.left() - area.width() / 3, area.top(), area.width() / 3 - 4, area.height());
            const QRect right(area.right() + 4, area.top(), area.width() / 6, area.height());
            if (result == 0) {
                QCOMPARE(darkPixels(plain, left), 0);
                QVERIFY(darkPixels(plain, right) > 20);
            } else {
                QVERIFY(darkPixels(plain, left) > 20);
                QCOMPARE(darkPixels(plain, right), 0);
            }
            viewer.search(QString());
        }

        viewer.search(QStringLiteral("Cachet invoice"));
        QTRY_COMPARE(viewer.currentPage(), 1);
        QTRY_VERIFY(!highlightedArea(viewer.view()->viewport()->grab().toImage()).isEmpty());
        const auto* matchLabel = viewer.findChild<QLabel*>(QStringLiteral("searchStatus"));
        QVERIFY(matchLabel);
        QTRY_COMPARE(matchLabel->text(), QStringLiteral("1 of 2"));
        viewer.grab().save(screenshotDir() + QStringLiteral("/pdf-search-highlight.png"));
        viewer.search(QStringLiteral("no such words"));
        QTRY_VERIFY(highlightedArea(viewer.view()->viewport()->grab().toImage()).isEmpty());
    }

    void savesTheExactBytes() {
        QTemporaryDir dir;
        const QByteArray pdf = threePagePdf();
        PdfViewer viewer;
        QVERIFY(viewer.openBytes(pdf, QStringLiteral("statement.pdf")));
        const QString path = dir.filePath(QStringLiteral("saved.pdf"));
        QVERIFY2(viewer.saveTo(path), qPrintable(viewer.lastSaveError()));
        QFile saved(path);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QCOMPARE(saved.readAll(), pdf);
        QVERIFY(!viewer.saveTo(dir.filePath(QStringLiteral("missing-dir/saved.pdf"))));
        QVERIFY(!viewer.lastSaveError().isEmpty());
    }

    void malformedPdfsGiveClearErrors_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        const QByteArray good = threePagePdf();
        QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
        QTest::newRow("not a pdf") << QByteArray("<html>hello</html>") << QStringLiteral("damaged or is not a PDF");
        QTest::newRow("truncated") << good.left(good.size() / 3) << QStringLiteral("cannot be shown");
        QByteArray garbled = good;
        for (qsizetype i = 20; i < garbled.size(); i += 7) garbled[i] = char(garbled[i] ^ 0x5a);
        QTest::newRow("garbled") << garbled << QStringLiteral("cannot be shown");
        QTest::newRow("header only") << QByteArray("%PDF-1.7\n%%EOF\n") << QStringLiteral("cannot be shown");
    }

    void malformedPdfsGiveClearErrors() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        PdfViewer viewer;
        viewer.resize(800, 600);
        viewer.show();
        QVERIFY(!viewer.openBytes(bytes, QStringLiteral("broken.pdf")));
        QVERIFY(!viewer.isLoaded());
        QCOMPARE(viewer.pageCount(), 0);
        QVERIFY2(viewer.errorText().contains(expected), qPrintable(viewer.errorText()));
        QVERIFY(!viewer.saveTo(QDir::tempPath() + QStringLiteral("/cachet-never-written.pdf")));
        if (QByteArray(QTest::currentDataTag()) == "not a pdf")
            viewer.grab().save(screenshotDir() + QStringLiteral("/pdf-error.png"));
        // The same viewer opens a good document afterwards.
        QVERIFY(viewer.openBytes(threePagePdf(), QStringLiteral("good.pdf")));
        QCOMPARE(viewer.pageCount(), 3);
        QVERIFY(viewer.errorText().isEmpty());
    }

    void missingFileIsAnError() {
        PdfViewer viewer;
        QVERIFY(!viewer.openFile(QStringLiteral("/nonexistent/cachet.pdf")));
        QVERIFY2(viewer.errorText().contains(QStringLiteral("Cannot open cachet.pdf")), qPrintable(viewer.errorText()));
    }

    void loaderReportsPageCount() {
        QPdfDocument document;
        const auto result = cachet::pdf::loadPdf(document, threePagePdf());
        QVERIFY(result.ok);
        QCOMPARE(result.pageCount, 3);
        const auto again = cachet::pdf::loadPdf(document, QByteArray("junk"));
        QVERIFY(!again.ok);
        QCOMPARE(document.pageCount(), 0);
    }
};

QTEST_MAIN(PdfViewerTest)
#include "pdf_viewer_ui_test.moc"
