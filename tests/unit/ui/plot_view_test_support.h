// What the plot-view tests share: a small seeded synthetic OLMoE-shaped trace in a
// temporary folder, opened in a Session and analysed, and a shown widget so that
// QCustomPlot has laid out its axes (pixels of cells are then known).
#pragma once

#include "core/synthetic/synthetic_trace.h"
#include "ui/session/session.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace ca::ui::test {

// A trace per seed, written once per test program (writing takes a moment).
inline QString syntheticTracePath(uint64_t seed = 7) {
    static QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("synthetic_olmoe_%1.h5").arg(seed));
    if (!QFileInfo::exists(path)) {
        SyntheticSpec spec = SyntheticSpec::forShape("olmoe");
        spec.samples_per_domain = 4;
        spec.seed = seed;
        writeSyntheticTrace(spec, path.toStdString());
    }
    return path;
}

class PlotViewTest : public ::testing::Test {
protected:
    void SetUp() override {
        session = std::make_unique<Session>();
        ASSERT_TRUE(session->open(syntheticTracePath()));
        ASSERT_TRUE(session->waitForIdle());
        ASSERT_TRUE(doc() && doc()->analysis) << doc()->error.toStdString();
    }
    void TearDown() override { session.reset(); }

    std::shared_ptr<const Document> doc(int index = 0) const { return session->document(index); }
    const AuditResult& audit(int index = 0) const { return doc(index)->analysis->result.audit; }
    const RoutingObservations& obs(int index = 0) const { return *doc(index)->analysis->result.obs; }

    // Shows the view at a size where every cell is several pixels wide, and lets it lay out.
    static void show(QWidget& view) {
        view.resize(1500, 1000);
        view.show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(&view));
        QCoreApplication::processEvents();
    }

    std::unique_ptr<Session> session;
};

}  // namespace ca::ui::test
