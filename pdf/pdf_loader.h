#pragma once
// Loading PDF bytes into a QPdfDocument with an error a person can read.
// Used by the viewer tab and by tests/fuzz/fuzz_pdf_loader.cpp.
#include <QByteArray>
#include <QPdfDocument>
#include <QString>

namespace cachet::pdf {

struct PdfLoadResult {
    bool ok = false;
    int pageCount = 0;
    QString error;  // empty when ok
};

// The bytes are copied into a buffer owned by `document`; on failure the
// document is left closed (status Null or Error, zero pages).
PdfLoadResult loadPdf(QPdfDocument& document, const QByteArray& bytes);

QString describePdfError(QPdfDocument::Error error);

}  // namespace cachet::pdf
