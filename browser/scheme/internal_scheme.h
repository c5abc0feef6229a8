#pragma once
// cachet: — the internal secure scheme. Built-in pages come from Qt
// resources; only the pages in the allow-list exist, anything else fails.
#include <QByteArray>
#include <QHash>
#include <QList>
#include <QStringList>
#include <QUrl>
#include <QWebEngineUrlSchemeHandler>

namespace cachet::browser {

inline constexpr char kInternalScheme[] = "cachet";

// Registers the scheme with Chromium: secure (a secure context, no mixed
// content from it) and local (web pages can neither link to nor embed it).
// Must run before the QApplication is created.
void registerInternalScheme();

const QStringList& internalPages();  // mail, settings, about, downloads, history
bool isInternalUrl(const QUrl& url);  // any cachet: URL, allowed or not
// "mail" for cachet:mail; empty for other schemes and for pages not in the allow-list.
QString internalPageName(const QUrl& url);
QUrl internalUrl(const QString& page);

class InternalSchemeHandler : public QWebEngineUrlSchemeHandler {
    Q_OBJECT
public:
    explicit InternalSchemeHandler(QObject* parent = nullptr);
    void requestStarted(QWebEngineUrlRequestJob* job) override;

    // Replaces the bytes served for an allowed page (the later webmail build,
    // and tests that need a hostile mail page); the allow-list is unchanged.
    void setPageContent(const QString& page, const QByteArray& html);

    int servedCount() const { return served_; }
    const QList<QUrl>& refusedUrls() const { return refused_; }

private:
    QByteArray pageContent(const QString& page) const;

    QHash<QString, QByteArray> overrides_;
    int served_ = 0;
    QList<QUrl> refused_;
};

}  // namespace cachet::browser
