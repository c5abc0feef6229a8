#include "pdf/pdf_loader.h"

#include <QBuffer>

namespace cachet::pdf {
namespace {
constexpr char kSourceName[] = "cachet-pdf-source";
}

QString describePdfError(QPdfDocument::Error error) {
    switch (error) {
    case QPdfDocument::Error::None: return {};
    case QPdfDocument::Error::FileNotFound: return QStringLiteral("the file was not found");
    case QPdfDocument::Error::InvalidFileFormat:
        return QStringLiteral("the file is damaged or is not a PDF");
    case QPdfDocument::Error::IncorrectPassword:
        return QStringLiteral("the PDF is protected by a password");
    case QPdfDocument::Error::UnsupportedSecurityScheme:
        return QStringLiteral("the PDF uses an encryption scheme this viewer does not support");
    case QPdfDocument::Error::DataNotYetAvailable:
        return QStringLiteral("the PDF data is incomplete");
    case QPdfDocument::Error::Unknown: break;
    }
    return QStringLiteral("the PDF could not be read");
}

PdfLoadResult loadPdf(QPdfDocument& document, const QByteArray& bytes) {
    document.close();
    // The buffer of a previous load is no longer read once the document is closed.
    delete document.findChild<QBuffer*>(QString::fromLatin1(kSourceName), Qt::FindDirectChildrenOnly);
    if (bytes.isEmpty()) return {false, 0, QStringLiteral("the file is empty")};
    // A random-access buffer makes QtPdf load synchronously: status is final
    // when load() returns.
    auto* buffer = new QBuffer(&document);
    buffer->setObjectName(QString::fromLatin1(kSourceName));
    buffer->setData(bytes);
    buffer->open(QIODevice::ReadOnly);
    document.load(buffer);
    if (document.status() == QPdfDocument::Status::Ready && document.pageCount() > 0)
        return {true, document.pageCount(), {}};
    const QPdfDocument::Error error = document.error();
    document.close();
    if (error == QPdfDocument::Error::None)
        return {false, 0, QStringLiteral("the PDF has no pages")};
    return {false, 0, describePdfError(error)};
}

}  // namespace cachet::pdf
