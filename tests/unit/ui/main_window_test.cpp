// The main window as a user meets it: open files (command line, drop, recent list),
// bad files give a message and no crash, and the views share one selection.
#include "core/synthetic/synthetic_trace.h"
#include "ui/main_window/main_window.h"
#include "ui/session/session.h"

#include <QApplication>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QSettings>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QUrl>

#include <gtest/gtest.h>

namespace ca::ui {
namespace {

class MainWindowTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(dir_.isValid());
        // Settings (layout, recent files) go to this test's own folder: tests running in
        // parallel never share them, and the user's are never touched.
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir_.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir_.path());
        SyntheticSpec spec = SyntheticSpec::forShape("olmoe");
        spec.samples_per_domain = 4;
        truth_ = writeSyntheticTrace(spec, trace_path().toStdString());
    }
    QString trace_path() const { return dir_.filePath(QStringLiteral("trace.h5")); }

    QTemporaryDir dir_;
    PlantedTruth truth_;
};

TEST_F(MainWindowTest, OpensATraceAndEveryViewExists) {
    MainWindow window;
    ASSERT_TRUE(window.openFile(trace_path()));
    ASSERT_TRUE(window.session()->waitForIdle());
    const auto doc = window.session()->document(0);
    ASSERT_TRUE(doc && doc->analysis);
    for (const char* name : {"heatmap", "documents", "settings", "committee", "gini", "jaccard", "tokens"})
        EXPECT_NE(window.view(QString::fromLatin1(name)), nullptr) << name;
    EXPECT_TRUE(window.windowTitle().startsWith(QStringLiteral("trace.h5")));
}

TEST_F(MainWindowTest, ABadFileGivesAOneLineMessageAndOpensNothing) {
    const QString bad = dir_.filePath(QStringLiteral("corrupt.h5"));
    QFile f(bad);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("this is not an HDF5 file");
    f.close();
    MainWindow window;
    EXPECT_FALSE(window.openFile(bad));
    EXPECT_EQ(window.session()->documentCount(), 0);
    EXPECT_TRUE(window.lastError().contains(QStringLiteral("corrupt.h5"))) << window.lastError().toStdString();
    EXPECT_FALSE(window.lastError().contains(QLatin1Char('\n')));
}

TEST_F(MainWindowTest, DroppingFilesOpensThem) {
    MainWindow window;
    EXPECT_TRUE(window.acceptDrops());
    // What a drop of a file and a web link delivers: the file opens, the link is ignored.
    EXPECT_EQ(window.openUrls({QUrl::fromLocalFile(trace_path()), QUrl(QStringLiteral("https://example.org/t.h5"))}), 1);
    EXPECT_EQ(window.session()->documentCount(), 1);
    window.session()->waitForIdle();
}

TEST_F(MainWindowTest, OpenedFilesJoinTheRecentList) {
    {
        MainWindow window;
        ASSERT_TRUE(window.openFile(trace_path()));
        window.session()->waitForIdle();
    }
    const QStringList recent = QSettings().value(QStringLiteral("recentFiles")).toStringList();
    ASSERT_FALSE(recent.isEmpty());
    EXPECT_EQ(recent.front(), QFileInfo(trace_path()).absoluteFilePath());
}

TEST_F(MainWindowTest, TheStatusBarFollowsTheSharedSelection) {
    MainWindow window;
    ASSERT_TRUE(window.openFile(trace_path()));
    ASSERT_TRUE(window.session()->waitForIdle());
    window.session()->selection()->setCell(3, 17);
    const QList<QLabel*> labels = window.statusBar()->findChildren<QLabel*>();
    bool found = false;
    for (QLabel* label : labels)
        found = found || (label->text().contains(QStringLiteral("layer 3")) &&
                          label->text().contains(QStringLiteral("expert 17")));
    EXPECT_TRUE(found);
}

TEST_F(MainWindowTest, AnAuthorsTableOpensWithItsCommittees) {
    // The worked example of the authors' README: their audit finds {3, 18} at layer 0.
    const QString table = dir_.filePath(QStringLiteral("input.csv"));
    QFile f(table);
    ASSERT_TRUE(f.open(QIODevice::WriteOnly));
    f.write("idx,domain,topk_indices,topk_values\n"
            "1,news,\"[3, 18, 42, 7]\",\"[0.31, 0.22, 0.19, 0.14]\"\n"
            "1,code,\"[18, 3, 5, 42]\",\"[0.28, 0.24, 0.21, 0.15]\"\n"
            "2,news,\"[9, 12, 3, 40]\",\"[0.35, 0.20, 0.17, 0.11]\"\n");
    f.close();
    MainWindow window;
    ASSERT_TRUE(window.openFile(table));
    ASSERT_TRUE(window.session()->waitForIdle());
    const auto doc = window.session()->document(0);
    ASSERT_TRUE(doc->analysis) << doc->error.toStdString();
    EXPECT_EQ(doc->audit()->committee.layers.at(0).members, (std::vector<int>{3, 18}));
    window.session()->selection()->setCell(0, 3);  // every view copes with a table
    QApplication::processEvents();
}

TEST(MainWindowHelp, FindsTheUserGuide) {
    EXPECT_TRUE(userGuidePath().endsWith(QStringLiteral("docs/user-guide.md"))) << userGuidePath().toStdString();
}

TEST_F(MainWindowTest, TheSameFileOpensOnce) {
    MainWindow window;
    ASSERT_TRUE(window.openFile(trace_path()));
    ASSERT_TRUE(window.openFile(trace_path()));
    EXPECT_EQ(window.session()->documentCount(), 1);
    window.session()->waitForIdle();
}

}  // namespace
}  // namespace ca::ui
