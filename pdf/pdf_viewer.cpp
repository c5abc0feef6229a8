#include "pdf/pdf_viewer.h"

#include <QAction>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPdfDocument>
#include <QPdfPageNavigator>
#include <QPdfSearchModel>
#include <QPdfView>
#include <QSaveFile>
#include <QShortcut>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QToolBar>
#include <QVBoxLayout>

#include "pdf/pdf_loader.h"
#include "pdf/pdf_search_view.h"
#include "pdf/pdf_thumbnails.h"

namespace cachet::pdf {
namespace {
constexpr qreal kZoomStep = 1.25;
constexpr qreal kMinZoom = 0.1;
constexpr qreal kMaxZoom = 8.0;
}  // namespace

PdfViewer::PdfViewer(QWidget* parent)
    : QWidget(parent),
      document_(new QPdfDocument(this)),
      searchModel_(new QPdfSearchModel(this)),
      view_(new PdfSearchView(this)),
      thumbnails_(new PdfThumbnails(this)),
      stack_(new QStackedWidget(this)),
      errorLabel_(new QLabel(this)) {
    view_->setPageMode(QPdfView::PageMode::MultiPage);
    view_->setZoomMode(QPdfView::ZoomMode::FitToWidth);
    view_->setAccessibleName(tr("PDF document"));
    searchModel_->setDocument(document_);

    errorLabel_->setAlignment(Qt::AlignCenter);
    errorLabel_->setWordWrap(true);
    errorLabel_->setAccessibleName(tr("PDF error"));

    auto* splitter = new QSplitter(this);
    splitter->addWidget(thumbnails_);
    splitter->addWidget(view_);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({190, 800});
    stack_->addWidget(splitter);
    stack_->addWidget(errorLabel_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    buildToolBar();
    layout->addWidget(toolBar_);
    layout->addWidget(stack_, 1);

    connect(thumbnails_, &PdfThumbnails::pageActivated, this, &PdfViewer::goToPage);
    connect(view_->pageNavigator(), &QPdfPageNavigator::currentPageChanged, this,
            &PdfViewer::updatePageControls);
    connect(searchModel_, &QAbstractItemModel::rowsInserted, this, [this] {
        // Results grow page by page: keep "n of m" current as m grows.
        if (currentResult_ < 0 && searchResultCount() > 0) showSearchResult(0);
        else if (currentResult_ >= 0) searchLabel_->setText(tr("%1 of %2").arg(currentResult_ + 1).arg(searchResultCount()));
    });
    connect(searchModel_, &QAbstractItemModel::modelReset, this, [this] {
        currentResult_ = -1;
        view_->clearHighlight();
        searchLabel_->setText(searchModel_->searchString().isEmpty() ? QString() : tr("No matches"));
    });
    updatePageControls();
}

PdfViewer::~PdfViewer() {
    // ~QWidget deletes the children before ~QObject drops our connections:
    // the search model would otherwise signal into half-destroyed widgets.
    searchModel_->disconnect(this);
    view_->pageNavigator()->disconnect(this);
    thumbnails_->disconnect(this);
    delete searchModel_;
}

void PdfViewer::buildToolBar() {
    toolBar_ = new QToolBar(this);
    toolBar_->setAccessibleName(tr("PDF tools"));
    toolBar_->addAction(tr("Previous page"), this, &PdfViewer::previousPage);
    pageBox_ = new QSpinBox(toolBar_);
    pageBox_->setAccessibleName(tr("Page number"));
    pageBox_->setKeyboardTracking(false);
    connect(pageBox_, &QSpinBox::valueChanged, this, [this](int value) {
        if (value - 1 != currentPage()) goToPage(value - 1);
    });
    toolBar_->addWidget(pageBox_);
    pageCountLabel_ = new QLabel(toolBar_);
    toolBar_->addWidget(pageCountLabel_);
    toolBar_->addAction(tr("Next page"), this, &PdfViewer::nextPage);
    toolBar_->addSeparator();
    toolBar_->addAction(tr("Zoom out"), this, &PdfViewer::zoomOut);
    toolBar_->addAction(tr("Zoom in"), this, &PdfViewer::zoomIn);
    toolBar_->addAction(tr("Fit width"), this, &PdfViewer::fitWidth);
    toolBar_->addAction(tr("Fit page"), this, &PdfViewer::fitPage);
    toolBar_->addSeparator();
    searchField_ = new QLineEdit(toolBar_);
    searchField_->setPlaceholderText(tr("Find in document"));
    searchField_->setAccessibleName(tr("Find in document"));
    searchField_->setClearButtonEnabled(true);
    searchField_->setMaximumWidth(240);
    connect(searchField_, &QLineEdit::returnPressed, this, [this] {
        if (searchField_->text() == searchModel_->searchString()) nextSearchResult();
        else search(searchField_->text());
    });
    toolBar_->addWidget(searchField_);
    toolBar_->addAction(tr("Previous match"), this, &PdfViewer::previousSearchResult);
    toolBar_->addAction(tr("Next match"), this, &PdfViewer::nextSearchResult);
    searchLabel_ = new QLabel(toolBar_);
    searchLabel_->setObjectName(QStringLiteral("searchStatus"));
    toolBar_->addWidget(searchLabel_);
    toolBar_->addSeparator();
    toolBar_->addAction(tr("Thumbnails"), this, [this] { thumbnails_->setVisible(!thumbnails_->isVisible()); });
    toolBar_->addAction(tr("Save…"), this, &PdfViewer::saveWithDialog);

    auto* find = new QShortcut(QKeySequence::Find, this);
    connect(find, &QShortcut::activated, this, [this] { searchField_->setFocus(); searchField_->selectAll(); });
    auto* save = new QShortcut(QKeySequence::Save, this);
    connect(save, &QShortcut::activated, this, &PdfViewer::saveWithDialog);
}

bool PdfViewer::openFile(const QString& path, const QUrl& source) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        title_ = QFileInfo(path).fileName();
        source_ = source;
        showError(tr("Cannot open %1: %2").arg(title_, file.errorString()));
        return false;
    }
    return openBytes(file.readAll(), QFileInfo(path).fileName(), source.isEmpty() ? QUrl::fromLocalFile(path) : source);
}

bool PdfViewer::openBytes(const QByteArray& bytes, const QString& name, const QUrl& source) {
    searchModel_->setSearchString({});
    view_->clearHighlight();
    thumbnails_->setDocument(nullptr);
    source_ = source;
    bytes_ = bytes;
    const PdfLoadResult result = loadPdf(*document_, bytes);
    const QString docTitle = result.ok ? document_->metaData(QPdfDocument::MetaDataField::Title).toString() : QString();
    title_ = docTitle.isEmpty() ? name : docTitle;
    emit titleChanged(title_);
    if (!result.ok) {
        bytes_.clear();
        showError(tr("This PDF cannot be shown: %1.").arg(result.error));
        return false;
    }
    error_.clear();
    view_->setDocument(document_);
    thumbnails_->setDocument(document_);
    stack_->setCurrentIndex(0);
    updatePageControls();
    return true;
}

void PdfViewer::showError(const QString& message) {
    error_ = message;
    view_->setDocument(nullptr);
    errorLabel_->setText(message);
    stack_->setCurrentWidget(errorLabel_);
    updatePageControls();
}

bool PdfViewer::isLoaded() const { return error_.isEmpty() && document_->status() == QPdfDocument::Status::Ready; }

int PdfViewer::pageCount() const { return isLoaded() ? document_->pageCount() : 0; }

int PdfViewer::currentPage() const { return view_->pageNavigator()->currentPage(); }

void PdfViewer::goToPage(int page) {
    if (page < 0 || page >= pageCount()) return;
    view_->pageNavigator()->jump(page, {}, view_->zoomFactor());
}

void PdfViewer::nextPage() { goToPage(currentPage() + 1); }
void PdfViewer::previousPage() { goToPage(currentPage() - 1); }

void PdfViewer::updatePageControls() {
    const int count = pageCount();
    const QSignalBlocker block(pageBox_);
    pageBox_->setRange(count > 0 ? 1 : 0, count);
    pageBox_->setValue(count > 0 ? currentPage() + 1 : 0);
    pageBox_->setEnabled(count > 0);
    pageCountLabel_->setText(tr(" of %1 ").arg(count));
    const QSignalBlocker blockThumbs(thumbnails_);
    if (currentPage() < thumbnails_->count()) thumbnails_->setCurrentRow(currentPage());
}

qreal PdfViewer::zoomFactor() const { return view_->zoomFactor(); }

void PdfViewer::setZoom(qreal factor) {
    view_->setZoomMode(QPdfView::ZoomMode::Custom);
    view_->setZoomFactor(std::clamp(factor, kMinZoom, kMaxZoom));
}

void PdfViewer::zoomIn() { setZoom(zoomFactor() * kZoomStep); }
void PdfViewer::zoomOut() { setZoom(zoomFactor() / kZoomStep); }
void PdfViewer::fitWidth() { view_->setZoomMode(QPdfView::ZoomMode::FitToWidth); }
void PdfViewer::fitPage() { view_->setZoomMode(QPdfView::ZoomMode::FitInView); }

void PdfViewer::search(const QString& text) {
    if (searchField_->text() != text) searchField_->setText(text);
    currentResult_ = -1;
    view_->clearHighlight();
    searchModel_->setSearchString(text);
}

int PdfViewer::searchResultCount() const { return searchModel_->rowCount({}); }

void PdfViewer::showSearchResult(int index) {
    const int count = searchResultCount();
    if (count == 0) return;
    currentResult_ = (index % count + count) % count;
    const QPdfLink link = searchModel_->resultAtIndex(currentResult_);
    view_->setHighlight(link.page(), link.rectangles());
    view_->pageNavigator()->jump(link.page(), link.location(), view_->zoomFactor());
    view_->scrollToHighlight();
    searchLabel_->setText(tr("%1 of %2").arg(currentResult_ + 1).arg(count));
}

void PdfViewer::nextSearchResult() { showSearchResult(currentResult_ + 1); }
void PdfViewer::previousSearchResult() { showSearchResult(currentResult_ - 1); }

bool PdfViewer::saveTo(const QString& path) {
    if (bytes_.isEmpty()) {
        lastSaveError_ = tr("Nothing to save: no PDF is open.");
        return false;
    }
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes_) != bytes_.size() || !file.commit()) {
        lastSaveError_ = tr("Cannot save %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void PdfViewer::saveWithDialog() {
    if (bytes_.isEmpty()) return;
    const QString suggested = title_.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive) ? title_ : title_ + QStringLiteral(".pdf");
    const QString path = QFileDialog::getSaveFileName(this, tr("Save PDF"), suggested, tr("PDF files (*.pdf)"));
    if (path.isEmpty()) return;
    // A failed save keeps the document shown and says why next to the tools.
    if (!saveTo(path)) searchLabel_->setText(lastSaveError_);
}

}  // namespace cachet::pdf
