// cachet_webmail carries the page and the bundle the browser serves and
// injects (BRIEF "Webmail packaging convention"): both present, the CSS
// inlined, DOMPurify first in the bundle and the webmail's files after it.
#include <gtest/gtest.h>

#include <QFile>

namespace {

QByteArray resource(const char* path) {
    QFile file(QString::fromLatin1(path));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

TEST(WebmailResources, PageHasItsStyleAndTheContractIds) {
    const QByteArray page = resource(":/webmail/index.html");
    ASSERT_FALSE(page.isEmpty());
    EXPECT_FALSE(page.contains("@WEBMAIL_CSS@"));
    EXPECT_TRUE(page.contains("prefers-color-scheme: dark"));
    EXPECT_TRUE(page.contains("default-src 'none'"));
    EXPECT_FALSE(page.contains("<script"));  // the code is injected, never loaded by the page
    for (const char* id : {"setup-address", "setup-password", "setup-submit", "setup-error", "folder-list", "message-list",
                           "reader-subject", "reader-from", "reader-frame", "reader-attachments", "security-panel",
                           "compose-button", "compose-to", "compose-cc", "compose-subject", "compose-body", "compose-send",
                           "compose-status", "search-input", "status-bar"}) {
        EXPECT_TRUE(page.contains(QByteArray("id=\"") + id + '"')) << id;
    }
}

TEST(WebmailResources, BundleIsDomPurifyThenTheWebmailInOrder) {
    const QByteArray bundle = resource(":/webmail/bundle.js");
    ASSERT_FALSE(bundle.isEmpty());
    const auto purify = bundle.indexOf("// ---- purify.min.js");
    const auto util = bundle.indexOf("// ---- util.js");
    const auto api = bundle.indexOf("// ---- api.js");
    const auto app = bundle.indexOf("// ---- app.js");
    ASSERT_GE(purify, 0);
    EXPECT_LT(purify, util);
    EXPECT_LT(util, api);
    EXPECT_LT(api, app);
    EXPECT_TRUE(bundle.contains("DOMPurify"));
}

}  // namespace
