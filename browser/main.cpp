// cachet: the browser. Everything lives in cachet_browser; this only reads
// the command line.
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <memory>

#include "browser/app/application.h"
#include "browser/app/first_paint_probe.h"
#include "browser/navigation/address_input.h"

int main(int argc, char** argv) {
    cachet::browser::Application::prepareProcess();
    QApplication qtApp(argc, argv);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Cachet: a web browser with encrypted mail built in"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption profile(QStringLiteral("profile"), QStringLiteral("Profile folder (history, session, site data)."),
                                     QStringLiteral("dir"));
    const QCommandLineOption noRestore(QStringLiteral("no-restore"), QStringLiteral("Do not restore the last session."));
    parser.addOption(profile);
    parser.addOption(noRestore);
    parser.addPositionalArgument(QStringLiteral("urls"), QStringLiteral("Addresses, files or searches to open."), QStringLiteral("[urls...]"));
    parser.process(qtApp);

    cachet::browser::ApplicationOptions options;
    options.dataDirectory = parser.value(profile);
    options.restoreSession = !parser.isSet(noRestore);
    for (const QString& argument : parser.positionalArguments()) {
        const bool isFile = QFileInfo::exists(argument);
        options.urls.append(isFile ? QUrl::fromLocalFile(QFileInfo(argument).absoluteFilePath())
                                   : cachet::browser::urlFromUserInput(argument));
    }
    cachet::browser::Application app(options);
    app.start();
    std::unique_ptr<cachet::browser::FirstPaintProbe> probe;
    if (const QString shot = qEnvironmentVariable(cachet::browser::FirstPaintProbe::kEnvironmentVariable); !shot.isEmpty())
        probe = std::make_unique<cachet::browser::FirstPaintProbe>(app, shot);
    return QApplication::exec();
}
