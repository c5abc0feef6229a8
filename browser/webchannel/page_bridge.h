#pragma once
// The QWebChannel of one page: in QWebEngineScript::ApplicationWorld (page
// scripts run in the main world and never see it) only while the page shows
// an internal page; as soon as a navigation elsewhere starts it moves to an
// empty parking world. The objects on it are this page's own, each behind
// the guard.
#include <QObject>
#include <QUrl>

#include "browser/webchannel/bridge_guard.h"

class QWebChannel;
class QWebEnginePage;

namespace cachet::bridge::service {
class MailBridge;
class MailService;
}  // namespace cachet::bridge::service

namespace cachet::browser {

class VersionBridge;

class PageBridge : public QObject {
    Q_OBJECT
public:
    // The world the channel and the internal pages' own scripts live in.
    static constexpr quint32 kWorld = 1;  // QWebEngineScript::ApplicationWorld
    // Where the channel waits while the page shows anything else: an isolated
    // world in which no script ever runs, neither the page's nor ours.
    static constexpr quint32 kParkingWorld = 200;

    explicit PageBridge(QWebEnginePage* page);

    // The profile's mail service (owned by Application); pages showing
    // cachet:mail get a `mail` object on it. nullptr: no `mail` object.
    static void setMailService(bridge::service::MailService* service);

    // Called for every main-frame navigation before it commits, and again
    // when the URL changes, with the URL the page is going to show.
    void update(const QUrl& url);
    bool isInstalled() const { return installed_; }
    // Moves the channel out and back into ApplicationWorld, so the frame the
    // page shows now gets the transport (see WebPage::checkBridgeArrived).
    void reinstall();

    const BridgeGuard& guard() const { return guard_; }
    VersionBridge* versionBridge() const { return version_; }
    // This page's `mail` object; nullptr until the page first showed cachet:mail.
    bridge::service::MailBridge* mailBridge() const { return mail_; }
    bool offersMail() const { return mailOffered_; }

private:
    void addScripts();
    // `mail` on the channel and the webmail's bundle in ApplicationWorld,
    // only while the page shows cachet:mail.
    void updateMail(const QUrl& url);

    QWebEnginePage* page_;
    BridgeGuard guard_;
    QWebChannel* channel_;
    VersionBridge* version_;
    BridgeGuard mailGuard_;
    bridge::service::MailBridge* mail_ = nullptr;
    bool mailOffered_ = false;
    bool installed_ = false;
};

}  // namespace cachet::browser
