// libFuzzer: the PDF viewer's loader path (cachet::pdf::loadPdf on QtPdf's
// PDFium), then what opening a document does next: page sizes, rendering the
// first page small. A clear error is fine; a crash, leak or
// sanitizer report is a bug. Only our code is instrumented: PDFium inside
// libQt6Pdf is Debian's build, so coverage guidance stops at its boundary
// (ASan still catches what reaches our side). QPdfDocument::getAllText() is
// left out: Qt 6.4's leaks the page's text object on every call (found here);
// the viewer does not use it.
#include <QCoreApplication>
#include <QImage>
#include <QPdfDocument>
#include <cstddef>
#include <cstdint>

#include "pdf/pdf_loader.h"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
    static QCoreApplication app(*argc, *argv);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    QPdfDocument document;
    const auto result = cachet::pdf::loadPdf(
        document, QByteArray(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size)));
    if (!result.ok) return 0;
    for (int page = 0; page < std::min(document.pageCount(), 4); ++page) (void)document.pagePointSize(page);
    (void)document.render(0, QSize(48, 64));
    return 0;
}
