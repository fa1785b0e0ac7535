// The desktop app on a large trace (issue 4, deliverable 5): a 1,000,000-position
// OLMoE-shaped trace (tests/bench/large_olmoe_trace.h) opened in the main window to its
// first heatmap; hover (the heatmap's tooltip text) and click (a cell selected in the
// shared selection, every view redrawn) timed; peak RSS against the file size.
//
//   build/tests/gui_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Runs on Qt's offscreen platform. Times are wall clock, GUI thread included.
#include "tests/bench/large_olmoe_trace.h"
#include "ui/gui_main.h"
#include "ui/main_window/main_window.h"
#include "ui/session/session.h"
#include "ui/views/heatmap_view.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QSettings>

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <filesystem>
#include <memory>

namespace {

using namespace ca;

QApplication& app() {
    static int argc = 1;
    static char name[] = "gui_bench";
    static char* argv[] = {name, nullptr};
    static std::unique_ptr<QApplication> instance = [] {
        qputenv("QT_QPA_PLATFORM", "offscreen");
        auto a = std::make_unique<QApplication>(argc, argv);
        ui::configureApplication();
        QApplication::setOrganizationName(QStringLiteral("CommitteeAudit-bench"));
        QSettings().clear();
        return a;
    }();
    return *instance;
}

double peakRssGiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / (1024.0 * 1024.0);
}

// Processes events until the heatmap shows data (the first analysis has arrived and drawn).
bool waitForHeatmap(ui::MainWindow& window) {
    auto* heatmap = static_cast<ui::HeatmapView*>(window.view(QStringLiteral("heatmap")));
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 120000) {
        QApplication::processEvents(QEventLoop::AllEvents, 5);
        if (heatmap->panelCount() > 0 && heatmap->panelData(0)) return true;
    }
    return false;
}

// From an empty window to the first heatmap on screen (p-values are computed afterwards in
// the background and are not part of it).
void BM_OpenToFirstHeatmap(benchmark::State& state) {
    app();
    const std::string& path = bench::olmoeTrace();
    for (auto _ : state) {
        // Timed by hand: from the file opened in a shown window to its heatmap on screen.
        // Closing the window afterwards waits for the p-value job and is left out.
        ui::MainWindow window;
        window.show();
        QApplication::processEvents();
        QElapsedTimer timer;
        timer.start();
        window.openFile(QString::fromStdString(path));
        if (!waitForHeatmap(window)) state.SkipWithError("no heatmap after 120 s");
        state.SetIterationTime(timer.nsecsElapsed() / 1e9);
    }
    state.counters["peak_rss_GiB"] = peakRssGiB();
    state.counters["file_GiB"] = std::filesystem::file_size(path) / (1024.0 * 1024.0 * 1024.0);
}
BENCHMARK(BM_OpenToFirstHeatmap)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(5);

struct OpenWindow {
    ui::MainWindow window;
    ui::HeatmapView* heatmap = nullptr;
    OpenWindow() {
        window.resize(1600, 1000);
        window.show();
        window.openFile(QString::fromStdString(bench::olmoeTrace()));
        waitForHeatmap(window);
        window.session()->waitForIdle(600000);  // p-values too: nothing runs during the timing
        heatmap = static_cast<ui::HeatmapView*>(window.view(QStringLiteral("heatmap")));
    }
};

OpenWindow& openWindow() {
    app();
    static OpenWindow* w = new OpenWindow;  // lives to the end of the process
    return *w;
}

// Hover: the tooltip text of a heatmap cell under the mouse (what a mouse move computes).
void BM_HoverTooltip(benchmark::State& state) {
    OpenWindow& w = openWindow();
    int i = 0;
    for (auto _ : state) {
        const QString text = w.heatmap->cellToolTip(0, i % bench::kLayers, (i * 7) % bench::kExperts);
        benchmark::DoNotOptimize(text.size());
        ++i;
    }
}
BENCHMARK(BM_HoverTooltip)->Unit(benchmark::kMicrosecond)->UseRealTime();

// Click: a cell becomes the shared selection and every view redraws (the token inspector's
// text read runs in the background afterwards and is not part of it).
void BM_ClickCell(benchmark::State& state) {
    OpenWindow& w = openWindow();
    int i = 0;
    for (auto _ : state) {
        w.window.session()->selection()->setCell(i % bench::kLayers, (i * 11) % bench::kExperts);
        QApplication::processEvents();
        ++i;
    }
    state.counters["peak_rss_GiB"] = peakRssGiB();
}
BENCHMARK(BM_ClickCell)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
