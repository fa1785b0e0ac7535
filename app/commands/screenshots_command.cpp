// `committee-audit screenshots TRACE --out DIR`: opens TRACE in the desktop app, selects
// a committee member of the middle layer and the first sample, and saves a PNG of the
// main window and of every view. CI runs it under Xvfb (tests/cli/gui_screenshots.sh);
// docs/user-guide.md shows its pictures. Each picture is checked to be of the asked size
// and not blank; a failed check is exit code 1.
#include "app/commands/command.h"
#include "core/util/input_error.h"
#include "ui/gui_main.h"
#include "ui/main_window/main_window.h"
#include "ui/session/session.h"

#include <QApplication>
#include <QColor>
#include <QDir>
#include <QImage>
#include <QSettings>

#include <cstdio>
#include <memory>

namespace ca::cli {

namespace {

struct ScreenshotArgs {
    std::string trace, out;
    int width = 1600, height = 1000;
};

// Share of sampled pixels that differ from the picture's most common colour.
double nonBackgroundFraction(const QImage& image) {
    if (image.isNull()) return 0;
    const QRgb background = image.pixel(0, 0);
    long differ = 0, sampled = 0;
    for (int y = 0; y < image.height(); y += 4)
        for (int x = 0; x < image.width(); x += 4, ++sampled)
            differ += image.pixel(x, y) != background;
    return sampled ? static_cast<double>(differ) / sampled : 0;
}

QSize viewSize(const QString& view) {
    if (view == QLatin1String("documents") || view == QLatin1String("settings")) return {480, 320};
    if (view == QLatin1String("committee")) return {760, 620};
    return {1300, 820};  // plots and the token inspector
}

int runScreenshots(const ScreenshotArgs& a) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "committee-audit";
    static char* argv[] = {name, nullptr};
    QApplication app(argc, argv);
    ui::configureApplication();
    // A settings file of its own, emptied: screenshots never depend on (or change) the
    // user's layout, theme or recent files.
    QApplication::setOrganizationName(QStringLiteral("CommitteeAudit-screenshots"));
    QSettings().clear();

    ui::MainWindow window;
    window.resize(a.width, a.height);
    window.show();
    if (!window.openFile(QString::fromStdString(a.trace)))
        throw InputError(a.trace, window.lastError().toStdString());
    ui::Session* session = window.session();
    if (!session->waitForIdle(600000)) throw std::runtime_error("the analysis did not finish in 10 minutes");
    const auto doc = session->document(0);
    if (!doc->analysis) throw InputError(a.trace, doc->error.toStdString());

    // Something to look at in every view: the middle layer, its first committee member,
    // the first sample and its last token.
    const AuditResult& audit = doc->analysis->result.audit;
    ui::SelectionState s;
    s.document = 0;
    s.layer = audit.num_layers / 2;
    const auto& members = audit.committee.layers[static_cast<size_t>(s.layer)].members;
    s.expert = members.empty() ? 0 : members.front();
    s.sample = 0;
    if (doc->reader && doc->reader->numSamples() > 0) s.token = doc->reader->tokenOffsets()[1] - 1;
    session->selection()->set(s);
    QApplication::processEvents();
    session->waitForIdle(60000);
    // Views that read token text do it in the background: give them a moment.
    for (int i = 0; i < 50; ++i) {
        QApplication::processEvents(QEventLoop::AllEvents, 20);
    }

    QDir().mkpath(QString::fromStdString(a.out));
    const QDir out(QString::fromStdString(a.out));
    bool ok = true;
    auto save = [&](const QString& file, const QImage& image, const QSize& expected) {
        const QString path = out.filePath(file);
        const double ink = nonBackgroundFraction(image);
        const bool size_ok = expected.isEmpty() || image.size() == expected;
        if (!image.save(path)) throw InputError(path.toStdString(), "cannot write the screenshot");
        std::printf("%s %dx%d non-background %.1f%%%s%s\n", qPrintable(path), image.width(), image.height(),
                    100 * ink, size_ok ? "" : " WRONG SIZE", ink < 0.01 ? " BLANK" : "");
        ok = ok && size_ok && ink >= 0.01;
    };
    const QSize device_size = QSize(a.width, a.height) * window.devicePixelRatio();
    save(QStringLiteral("main_window.png"), window.grab().toImage(), device_size);
    for (const QString& view : window.viewNames()) {
        // Docked views get a picture of a useful size of their own; the heatmap is the
        // central widget and keeps the size it has in the window.
        const QImage image = window.grabView(view, view == QLatin1String("heatmap") ? QSize() : viewSize(view));
        save(view + QStringLiteral(".png"), image, {});
    }
    window.close();
    return ok ? kExitOk : kExitInternal;
}

}  // namespace

void registerScreenshots(CLI::App& app, std::function<int()>& run) {
    auto* cmd = app.add_subcommand("screenshots", "Save a picture of the desktop app's window and every view");
    auto a = std::make_shared<ScreenshotArgs>();
    cmd->add_option("trace", a->trace, "Trace (.h5) or authors' table (.csv) to show")->required();
    cmd->add_option("--out", a->out, "Folder for the PNG files")->required();
    cmd->add_option("--width", a->width, "Window width in pixels")->capture_default_str();
    cmd->add_option("--height", a->height, "Window height in pixels")->capture_default_str();
    cmd->callback([&run, a] { run = [a] { return runScreenshots(*a); }; });
}

}  // namespace ca::cli
