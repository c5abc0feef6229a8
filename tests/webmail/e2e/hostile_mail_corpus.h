#pragma once
// Hostile HTML mail for the reader in the real engine: each case tries to run
// script or to touch the network in its own way. Every URL points at the
// test's loopback server under /hit/<case>..., so any load or any script that
// ran shows up there; `%BASE%` is replaced by the server's http://127.0.0.1:port.
// Each body also carries a harmless marker text "hostile-case-<name>", which
// the reader must still show (the sanitiser keeps text, not the attacks).
#include <QString>
#include <QList>

namespace cachet::test {

struct HostileCase {
    QString name;
    QString html;
};

inline QList<HostileCase> hostileMailCorpus() {
    // What a script that ran would do: report to the server, and reach for
    // the bridge of the page around it.
    const QString ran = QStringLiteral(
        "new Image().src='%BASE%/hit/ran-%1';"
        "try{if(window.qt||parent.qt||top.qt)new Image().src='%BASE%/hit/bridge-%1'}catch(e){};"
        "try{parent.document.documentElement.dataset.pwned='%1'}catch(e){};"
        "try{top.document.title='pwned-%1'}catch(e){}");
    return {
        {QStringLiteral("script"),
         QStringLiteral("<p>hostile-case-script</p><script>%1</script><SCRIPT SRC='%BASE%/hit/script-src.js'></SCRIPT>")
             .arg(ran.arg(QStringLiteral("script")))},
        {QStringLiteral("handlers"),
         QStringLiteral("<body onload=\"%1\"><p>hostile-case-handlers</p><img src=x onerror=\"%2\">"
                        "<div onmouseover=\"%3\" style=\"width:400px;height:300px\">hover</div>"
                        "<input autofocus onfocus=\"%4\"><details open ontoggle=\"%5\"><summary>s</summary></details></body>")
             .arg(ran.arg(QStringLiteral("onload")), ran.arg(QStringLiteral("onerror")), ran.arg(QStringLiteral("onmouseover")),
                  ran.arg(QStringLiteral("onfocus")), ran.arg(QStringLiteral("ontoggle")))},
        {QStringLiteral("javascript-url"),
         QStringLiteral("<p>hostile-case-javascript-url</p><a id=j href=\"javascript:%1\">click me</a>"
                        "<a href=\"JaVaScRiPt&colon;%2\">entity</a><iframe src=\"javascript:%3\"></iframe>"
                        "<form action=\"javascript:%4\"><button>go</button></form>")
             .arg(ran.arg(QStringLiteral("jsurl-a")), ran.arg(QStringLiteral("jsurl-entity")), ran.arg(QStringLiteral("jsurl-iframe")),
                  ran.arg(QStringLiteral("jsurl-form")))},
        {QStringLiteral("css-url"),
         QStringLiteral("<style>body{background-image:url('%BASE%/hit/css-style-url')}"
                        "p[data-secret^='a']{background:url(%BASE%/hit/css-exfiltrate-a)}</style>"
                        "<p data-secret='abc' style=\"background:url('%BASE%/hit/css-inline-url')\">hostile-case-css-url</p>"
                        "<div style=\"list-style-image:url(%BASE%/hit/css-list)\"><li>x</li></div>"
                        "<p style=\"font-family:x;src:url(%BASE%/hit/css-font)\">f</p>"
                        "<style>@font-face{font-family:e;src:url(%BASE%/hit/css-font-face)}p{font-family:e}</style>")},
        {QStringLiteral("css-import"),
         QStringLiteral("<style>@import url('%BASE%/hit/css-import');@import '%BASE%/hit/css-import-bare';</style>"
                        "<p>hostile-case-css-import</p><link rel=stylesheet href='%BASE%/hit/css-link'>"
                        "<link rel=prefetch href='%BASE%/hit/prefetch'><link rel=dns-prefetch href='%BASE%/hit/dns'>")},
        {QStringLiteral("remote-images"),
         QStringLiteral("<p>hostile-case-remote-images</p><img src='%BASE%/hit/img' width=1 height=1>"
                        "<img srcset='%BASE%/hit/srcset 2x'><picture><source srcset='%BASE%/hit/picture'><img></picture>"
                        "<table background='%BASE%/hit/table-background'><tr><td>t</td></tr></table>"
                        "<video poster='%BASE%/hit/poster' src='%BASE%/hit/video' autoplay></video>"
                        "<audio src='%BASE%/hit/audio' autoplay></audio>")},
        {QStringLiteral("forms"),
         QStringLiteral("<p>hostile-case-forms</p><form id=f action='%BASE%/hit/form' method=post>"
                        "<input name=password type=password value=secret><input type=submit value='Verify your account'>"
                        "</form><button form=f formaction='%BASE%/hit/formaction'>x</button>"
                        "<isindex action='%BASE%/hit/isindex'>")},
        {QStringLiteral("meta-refresh"),
         QStringLiteral("<html><head><meta http-equiv=refresh content=\"0;url=%BASE%/hit/meta-refresh\">"
                        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src *\"></head>"
                        "<body><p>hostile-case-meta-refresh</p></body></html>")},
        {QStringLiteral("svg-script"),
         QStringLiteral("<p>hostile-case-svg-script</p><svg xmlns='http://www.w3.org/2000/svg' onload=\"%1\">"
                        "<script>%2</script><image href='%BASE%/hit/svg-image' width=10 height=10/>"
                        "<a xlink:href=\"javascript:%3\"><text y=20>svg link</text></a>"
                        "<animate attributeName=href to='javascript:%3'/><foreignObject><iframe src='%BASE%/hit/svg-fo'></iframe>"
                        "</foreignObject></svg><img src=\"data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'>"
                        "<script>new Image().src='%BASE%/hit/svg-data'</script></svg>\">")
             .arg(ran.arg(QStringLiteral("svg-onload")), ran.arg(QStringLiteral("svg-script")), ran.arg(QStringLiteral("svg-link")))},
        {QStringLiteral("frames-objects"),
         QStringLiteral("<p>hostile-case-frames-objects</p><iframe src='%BASE%/hit/iframe'></iframe>"
                        "<iframe srcdoc=\"<script>%1</script>\"></iframe>"
                        "<object data='%BASE%/hit/object'></object><embed src='%BASE%/hit/embed'>"
                        "<frameset><frame src='%BASE%/hit/frame'></frameset><portal src='%BASE%/hit/portal'></portal>")
             .arg(ran.arg(QStringLiteral("srcdoc")))},
        {QStringLiteral("base-href"),
         QStringLiteral("<base href='%BASE%/hit/base/'><p>hostile-case-base-href</p><img src='relative.png'>"
                        "<a href='relative-link'>relative</a><link rel=stylesheet href='relative.css'>")},
    };
}

}  // namespace cachet::test
