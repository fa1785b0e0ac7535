// The Session behind every view: documents analysed in the background with the
// current settings, stale work dropped, one shared selection.
#include "core/analysis/trace_analysis.h"
#include "core/synthetic/synthetic_trace.h"
#include "core/trace/trace_reader.h"
#include "ui/session/session.h"

#include <QSignalSpy>

#include <algorithm>
#include <QTemporaryDir>

#include <gtest/gtest.h>

namespace ca::ui {
namespace {

class SessionTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(dir_.isValid());
        SyntheticSpec spec = SyntheticSpec::forShape("olmoe");
        spec.samples_per_domain = 5;
        truth_ = writeSyntheticTrace(spec, path().toStdString());
    }
    QString path() const { return dir_.filePath(QStringLiteral("t.h5")); }
    QTemporaryDir dir_;
    PlantedTruth truth_;
};

TEST_F(SessionTest, AnalysesAnOpenedTraceLikeTheReportDoes) {
    Session session;
    QSignalSpy analysed(&session, &Session::analysisChanged);
    ASSERT_TRUE(session.open(path()));
    ASSERT_TRUE(session.waitForIdle());
    const auto doc = session.document(0);
    ASSERT_TRUE(doc->analysis);
    EXPECT_FALSE(doc->analysis->significance_pending);
    EXPECT_TRUE(doc->audit()->has_significance);  // default settings ask for p-values
    EXPECT_EQ(analysed.count(), 2);               // first without p-values, then with

    // The same request straight through the core gives the same committees.
    TraceAnalysisRequest request;
    request.settings.permutations = 0;
    const TraceAnalysis direct = analyzeTrace(TraceReader(path().toStdString()), request);
    ASSERT_EQ(direct.audit.committee.layers.size(), doc->audit()->committee.layers.size());
    for (size_t l = 0; l < direct.audit.committee.layers.size(); ++l)
        EXPECT_EQ(direct.audit.committee.layers[l].members, doc->audit()->committee.layers[l].members) << l;
    EXPECT_EQ(session.selection()->state().document, 0);
}

TEST_F(SessionTest, ThePValuePhaseSharesTheObservationsOfTheFirstPhase) {
    // They can be most of a trace's memory: phase 2 adds p-values to a copy of phase 1's
    // analysis, which must not duplicate them.
    Session session;
    std::vector<const RoutingObservations*> seen;
    std::vector<bool> had_pvalues;
    QObject::connect(&session, &Session::analysisChanged, [&](int index) {
        const auto doc = session.document(index);
        seen.push_back(doc->analysis->result.obs.get());
        had_pvalues.push_back(doc->audit()->has_significance);
    });
    ASSERT_TRUE(session.open(path()));
    ASSERT_TRUE(session.waitForIdle());
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(had_pvalues, (std::vector<bool>{false, true}));
    EXPECT_EQ(seen[0], seen[1]);
    EXPECT_GT(seen[1]->size(), 0);
}

TEST_F(SessionTest, NewSettingsReplaceTheAnalysisAndStaleResultsAreDropped) {
    Session session;
    ASSERT_TRUE(session.open(path()));
    AnalysisSettings s = session.settings();
    s.permutations = 0;
    s.score = QStringLiteral("frequency");
    session.setSettings(s);  // while the first analysis may still run
    s.score = QStringLiteral("authors");
    session.setSettings(s);
    ASSERT_TRUE(session.waitForIdle());
    const auto doc = session.document(0);
    ASSERT_TRUE(doc->analysis);
    EXPECT_EQ(doc->analysis->settings.score, QStringLiteral("authors"));
    EXPECT_EQ(doc->audit()->settings.variant, EciVariant::Authors);
}

TEST_F(SessionTest, AnUnknownTaxonomyReportsAnErrorInsteadOfCrashing) {
    Session session;
    QSignalSpy failed(&session, &Session::analysisFailed);
    AnalysisSettings s;
    s.taxonomy = QStringLiteral("no-such-taxonomy");
    session.setSettings(s);
    ASSERT_TRUE(session.open(path()));
    ASSERT_TRUE(session.waitForIdle());
    ASSERT_EQ(failed.count(), 1);
    EXPECT_TRUE(failed.at(0).at(1).toString().contains(QStringLiteral("no-such-taxonomy")));
    EXPECT_FALSE(session.document(0)->error.isEmpty());
}

TEST_F(SessionTest, GroupingBySubjectOrByALabelTheTraceLacks) {
    Session session;
    QSignalSpy failed(&session, &Session::analysisFailed);
    ASSERT_TRUE(session.open(path()));
    ASSERT_TRUE(session.waitForIdle());
    AnalysisSettings s = session.settings();
    s.permutations = 0;
    s.group_by = QStringLiteral("subject");
    session.setSettings(s);
    ASSERT_TRUE(session.waitForIdle());
    ASSERT_TRUE(session.document(0)->analysis) << session.document(0)->error.toStdString();
    const auto& groups = session.document(0)->analysis->result.obs->domain_names;
    const auto subjects = TraceReader(path().toStdString()).sampleSubjects();
    for (const std::string& g : groups)
        EXPECT_NE(std::find(subjects.begin(), subjects.end(), g), subjects.end()) << g;
    EXPECT_EQ(failed.count(), 0);

    s.group_by = QStringLiteral("cognitive");  // synthetic traces carry no cognitive labels
    session.setSettings(s);
    ASSERT_TRUE(session.waitForIdle());
    ASSERT_EQ(failed.count(), 1);
    EXPECT_TRUE(failed.at(0).at(1).toString().contains(QStringLiteral("cognitive")));
}

TEST(SessionTables, AnXlsxTableOpensLikeItsCsv) {
    Session session;
    ASSERT_TRUE(session.open(QStringLiteral(CA_TEST_DATA_DIR "/authors/worked_example_input.csv")));
    ASSERT_TRUE(session.open(QStringLiteral(CA_TEST_DATA_DIR "/authors/worked_example_input.xlsx")));
    ASSERT_TRUE(session.waitForIdle());
    for (int i : {0, 1}) ASSERT_TRUE(session.document(i)->analysis) << session.document(i)->error.toStdString();
    const auto& csv = session.document(0)->audit()->committee.layers;
    const auto& xlsx = session.document(1)->audit()->committee.layers;
    ASSERT_EQ(csv.size(), xlsx.size());
    for (size_t l = 0; l < csv.size(); ++l) EXPECT_EQ(csv[l].members, xlsx[l].members) << l;
}

TEST_F(SessionTest, ClosingTheSelectedDocumentMovesTheSelection) {
    Session session;
    ASSERT_TRUE(session.open(path()));
    session.selection()->setCell(2, 5);
    session.close(0);
    EXPECT_EQ(session.documentCount(), 0);
    EXPECT_EQ(session.selection()->state().document, -1);
    EXPECT_EQ(session.selection()->state().expert, -1);
}

TEST(SelectionTest, EmitsOnceAndOnlyForWhatChanged) {
    Selection selection;
    QSignalSpy spy(&selection, &Selection::changed);
    selection.setCell(1, 2);
    selection.setCell(1, 2);  // no change, no signal
    selection.setExpert(3);
    ASSERT_EQ(spy.count(), 2);
    const auto first = spy.at(0).at(1).value<Selection::Fields>();
    EXPECT_TRUE(first.testFlag(Selection::Layer) && first.testFlag(Selection::Expert));
    const auto second = spy.at(1).at(1).value<Selection::Fields>();
    EXPECT_EQ(second, Selection::Fields(Selection::Expert));
}

}  // namespace
}  // namespace ca::ui

namespace ca::ui {
namespace {

TEST_F(SessionTest, OneTraceUnderTwoSettingsSideBySide) {
    Session session;
    AnalysisSettings s = session.settings();
    s.permutations = 0;
    session.setSettings(s);
    ASSERT_TRUE(session.open(path()));
    const int copy = session.openCopy(0);
    ASSERT_EQ(copy, 1);
    EXPECT_EQ(session.document(1)->name, QStringLiteral("t.h5 [2]"));

    // With "apply to all" off, new settings go to the current document only.
    session.setApplyToAll(false);
    session.selection()->setDocument(1);
    s.score = QStringLiteral("frequency");
    session.setSettings(s);
    ASSERT_TRUE(session.waitForIdle());
    EXPECT_EQ(session.document(0)->audit()->settings.variant, EciVariant::Paper);  // auto: softmax recorded
    EXPECT_EQ(session.document(1)->audit()->settings.variant, EciVariant::Frequency);
    EXPECT_EQ(session.settings(0).score, QStringLiteral("auto"));
    EXPECT_EQ(session.settings().score, QStringLiteral("frequency"));  // the current one's

    // Back to "apply to all": the next change reaches both.
    session.setApplyToAll(true);
    s.score = QStringLiteral("authors");
    session.setSettings(s);
    ASSERT_TRUE(session.waitForIdle());
    EXPECT_EQ(session.document(0)->audit()->settings.variant, EciVariant::Authors);
    EXPECT_EQ(session.document(1)->audit()->settings.variant, EciVariant::Authors);
}

}  // namespace
}  // namespace ca::ui
