// The token inspector on a hand-made trace with text: the tokens listed for a (layer,
// expert) are exactly those a naive loop over the fixture finds, with the right pieces,
// contexts, domains and weights; the filters narrow the list; a row click opens the
// sample, whose tokens are shaded by the hand-computed committee share.
#include "tests/unit/ui/token_trace_fixture.h"
#include "ui/session/session.h"
#include "ui/views/expert_tokens_model.h"
#include "ui/views/expert_tokens_view.h"
#include "ui/views/sample_token_flow.h"
#include "ui/views/sample_tokens_view.h"
#include "ui/views/token_inspector_view.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QTableWidget>
#include <QTest>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <tuple>

namespace ca::ui {
namespace {

namespace fs = std::filesystem;
using test::handFirstRows;
using test::handSamples;
using test::scratchPath;
using test::waitUntil;

// What the list should hold for one routed token, found by a naive loop.
struct Expected {
    int64_t sample, row;
    std::string piece, domain, subject, context;
    float weight;
    int rank;
    bool operator<(const Expected& o) const { return row < o.row; }
};

std::string visible(const std::string& piece) { return piece == "\n" ? "\u21b5" : piece; }

// Every position of every sample (positions = "all") whose top-2 at `layer` holds `expert`.
std::vector<Expected> naiveRouted(int layer, int expert) {
    std::vector<Expected> out;
    const auto samples = handSamples();
    const auto first = handFirstRows();
    for (size_t s = 0; s < samples.size(); ++s) {
        const auto& tokens = samples[s].tokens;
        for (size_t p = 0; p < tokens.size(); ++p) {
            const auto* top2 = layer == 0 ? tokens[p].layer0 : tokens[p].layer1;
            for (int j = 0; j < 2; ++j) {
                if (top2[j].first != expert) continue;
                std::string context;  // 4 tokens either side, within the sample
                for (size_t q = p >= 4 ? p - 4 : 0; q < std::min(tokens.size(), p + 5); ++q)
                    context += q == p ? "\u27e6" + visible(tokens[q].piece) + "\u27e7" : visible(tokens[q].piece);
                out.push_back({static_cast<int64_t>(s), first[s] + static_cast<int64_t>(p), tokens[p].piece,
                               samples[s].domain, samples[s].subject, context, top2[j].second, j + 1});
            }
        }
    }
    return out;
}

class TokenInspectorTest : public ::testing::Test {
protected:
    void SetUp() override {
        trace_ = scratchPath("token_inspector.h5");
        test::writeHandTrace(trace_);
        AnalysisSettings settings;
        settings.positions = QStringLiteral("all");
        settings.permutations = 0;
        session_.setSettings(settings);
        ASSERT_TRUE(session_.open(QString::fromStdString(trace_.string())));
        ASSERT_TRUE(session_.waitForIdle());
        view_ = std::make_unique<TokenInspectorView>(&session_);
        view_->resize(1000, 800);
        view_->show();
        ASSERT_TRUE(QTest::qWaitForWindowExposed(view_.get()));
    }

    ExpertTokensView* experts() const { return view_->expertTokens(); }
    SampleTokensView* sample() const { return view_->sampleTokens(); }
    const AuditResult& audit() const { return *session_.document(0)->audit(); }

    // Selects (layer, expert) and waits for its list.
    void selectExpert(int layer, int expert) {
        session_.selection()->setCell(layer, expert);
        ASSERT_TRUE(waitUntil([&] {
            const auto* list = experts()->model()->list();
            return !experts()->isLoading() && list && list->layer == layer && list->expert == expert;
        }));
    }
    // The rows shown (after the filter), as Expected records.
    std::vector<Expected> shownRows() const {
        std::vector<Expected> rows;
        const auto* proxy = experts()->filter();
        for (int r = 0; r < proxy->rowCount(); ++r) {
            const ExpertTokenRow* row = experts()->model()->rowAt(proxy->mapToSource(proxy->index(r, 0)).row());
            const auto& list = *experts()->model()->list();
            rows.push_back({row->sample, row->token_row, row->piece, list.domain_names[static_cast<size_t>(row->domain)],
                            row->subject, contextSnippet(*row), row->weight, row->rank});
        }
        std::sort(rows.begin(), rows.end());
        return rows;
    }

    fs::path trace_;
    Session session_;
    std::unique_ptr<TokenInspectorView> view_;
};

void expectSameRows(const std::vector<Expected>& shown, std::vector<Expected> expected) {
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(shown.size(), expected.size());
    for (size_t i = 0; i < shown.size(); ++i) {
        SCOPED_TRACE("token row " + std::to_string(expected[i].row));
        EXPECT_EQ(shown[i].sample, expected[i].sample);
        EXPECT_EQ(shown[i].row, expected[i].row);
        EXPECT_EQ(shown[i].piece, expected[i].piece);
        EXPECT_EQ(shown[i].domain, expected[i].domain);
        EXPECT_EQ(shown[i].subject, expected[i].subject);
        EXPECT_EQ(shown[i].context, expected[i].context);
        EXPECT_FLOAT_EQ(shown[i].weight, expected[i].weight);
        EXPECT_EQ(shown[i].rank, expected[i].rank);
    }
}

TEST_F(TokenInspectorTest, ListsExactlyTheTokensRoutedToTheExpert) {
    for (int layer = 0; layer < 2; ++layer)
        for (int expert = 0; expert < 4; ++expert) {
            SCOPED_TRACE("layer " + std::to_string(layer) + ", expert " + std::to_string(expert));
            selectExpert(layer, expert);
            expectSameRows(shownRows(), naiveRouted(layer, expert));
        }
}

TEST_F(TokenInspectorTest, SummarySaysHowOftenTheExpertIsRoutedAndItsCommitteeStatus) {
    selectExpert(0, 1);  // HF layer 3, expert 1: 8 of the 9 tokens (hand count: all but " ran")
    const QString summary = experts()->summaryLabel()->text();
    const auto& members = audit().committee.layers[0].members;
    const bool member = std::find(members.begin(), members.end(), 1) != members.end();
    EXPECT_TRUE(summary.startsWith(QStringLiteral("Layer 3, expert 1: routed 8 of 9 observations (88.9 %); ") +
                                   (member ? "committee member" : "peripheral")))
        << summary.toStdString();
    // STEM's top tokens: "The" and " cat" twice each, " sat" once.
    EXPECT_TRUE(summary.contains(QStringLiteral("STEM (5): \u201cThe\u201d \u00d72, \u201c cat\u201d \u00d72, \u201c sat\u201d \u00d71")))
        << summary.toStdString();
    const int committee_column = ExpertTokensModel::Committee;
    EXPECT_EQ(experts()->filter()->index(0, committee_column).data().toString(),
              member ? QStringLiteral("member") : QStringLiteral("peripheral"));
}

TEST_F(TokenInspectorTest, TextAndDomainFiltersNarrowTheList) {
    selectExpert(0, 1);
    const auto all = naiveRouted(0, 1);
    experts()->filterEdit()->setText(QStringLiteral("DOG"));  // case-insensitive; every q1 context holds " dog"
    std::vector<Expected> dog;
    for (const auto& e : all)
        if (e.context.find("dog") != std::string::npos) dog.push_back(e);
    ASSERT_FALSE(dog.empty());
    ASSERT_LT(dog.size(), all.size());
    expectSameRows(shownRows(), dog);

    experts()->filterEdit()->clear();
    QComboBox* domains = experts()->domainCombo();
    const int stem = domains->findText(QStringLiteral("STEM"));
    ASSERT_GE(stem, 0);
    domains->setCurrentIndex(stem);
    std::vector<Expected> stem_rows;
    for (const auto& e : all)
        if (e.domain == "STEM") stem_rows.push_back(e);
    expectSameRows(shownRows(), stem_rows);

    experts()->filterEdit()->setText(QStringLiteral("sat"));  // STEM and " sat" in the context: q0 only
    std::vector<Expected> sat;
    for (const auto& e : stem_rows)
        if (e.context.find("sat") != std::string::npos) sat.push_back(e);
    expectSameRows(shownRows(), sat);
}

TEST_F(TokenInspectorTest, SortsByGateWeightAsNumbers) {
    selectExpert(0, 1);
    experts()->tableView()->sortByColumn(ExpertTokensModel::GateWeight, Qt::DescendingOrder);
    const auto* proxy = experts()->filter();
    for (int r = 0; r + 1 < proxy->rowCount(); ++r)
        EXPECT_GE(proxy->index(r, ExpertTokensModel::GateWeight).data(ExpertTokensModel::SortRole).toDouble(),
                  proxy->index(r + 1, ExpertTokensModel::GateWeight).data(ExpertTokensModel::SortRole).toDouble());
    EXPECT_EQ(proxy->index(0, ExpertTokensModel::GateWeight).data().toString(), QStringLiteral("0.8500"));
}

TEST_F(TokenInspectorTest, ClickingARowSelectsItsSampleAndToken) {
    selectExpert(0, 3);  // expert 3 at HF layer 3: "A" (q1, row 3), "\n" (q1, row 5), "The" (q2, row 7)
    QTableView* table = experts()->tableView();
    table->sortByColumn(ExpertTokensModel::Token, Qt::AscendingOrder);  // "\n" < "A" < "The"
    ASSERT_EQ(experts()->filter()->rowCount(), 3);
    const QModelIndex index = experts()->filter()->index(2, ExpertTokensModel::Token);
    ASSERT_EQ(index.data().toString(), QStringLiteral("The"));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(index).center());
    EXPECT_EQ(session_.selection()->state().sample, 2);
    EXPECT_EQ(session_.selection()->state().token, 7);
}

TEST_F(TokenInspectorTest, SampleTokensAreShadedByTheHandComputedCommitteeShare) {
    session_.selection()->setLayer(1);
    session_.selection()->setSample(1);  // q1: "A", " dog", "\n", " ran"
    ASSERT_TRUE(waitUntil([&] { return sample()->showsSample() && !sample()->isLoading(); }));
    const auto& tokens = sample()->tokenFlow()->tokens();
    const auto hand = handSamples()[1].tokens;
    ASSERT_EQ(tokens.size(), hand.size());
    const auto& members = audit().committee.layers[1].members;
    ASSERT_FALSE(members.empty());  // else every share would be 0 and the check says little
    for (size_t p = 0; p < hand.size(); ++p) {
        double committee = 0, total = 0;
        for (int j = 0; j < 2; ++j) {
            const auto [e, w] = hand[p].layer1[j];
            total += w;
            if (std::find(members.begin(), members.end(), e) != members.end()) committee += w;
        }
        SCOPED_TRACE("position " + std::to_string(p));
        EXPECT_EQ(tokens[p].piece, hand[p].piece);
        EXPECT_EQ(tokens[p].row, 3 + static_cast<int64_t>(p));
        EXPECT_NEAR(tokens[p].share, committee / total, 1e-12);
        EXPECT_TRUE(sample()->tokenFlow()->tooltipText(static_cast<int>(p)).contains(
            QString::number(committee / total, 'f', 4)));
    }
    // No token selected: the strip shows the last token (" ran") at every layer.
    EXPECT_EQ(sample()->tokenFlow()->selectedPosition(), 3);
    QTableWidget* strip = sample()->layerStrip();
    ASSERT_EQ(strip->rowCount(), 2);
    ASSERT_EQ(strip->columnCount(), 2);
    EXPECT_TRUE(strip->item(0, 0)->text().startsWith(QStringLiteral("E0 ")));  // " ran" at layer 3: 0 (0.70), 2
    EXPECT_TRUE(strip->item(1, 1)->text().startsWith(QStringLiteral("E2 ")));  // at layer 7: 3 (0.60), 2 (0.40)
    for (int l = 0; l < 2; ++l)
        for (int j = 0; j < 2; ++j) {
            const int e = l == 0 ? hand[3].layer0[j].first : hand[3].layer1[j].first;
            const auto& m = audit().committee.layers[static_cast<size_t>(l)].members;
            const bool member = std::find(m.begin(), m.end(), e) != m.end();
            EXPECT_EQ(strip->item(l, j)->font().bold(), member) << "layer " << l << " slot " << j;
        }
}

TEST_F(TokenInspectorTest, ClickingATokenSelectsItAndTheStripFollows) {
    session_.selection()->setSample(1);
    ASSERT_TRUE(waitUntil([&] { return sample()->showsSample() && !sample()->isLoading(); }));
    SampleTokenFlow* flow = sample()->tokenFlow();
    const QRect rect = flow->tokenRect(1);  // " dog"
    ASSERT_FALSE(rect.isEmpty());
    QTest::mouseClick(flow, Qt::LeftButton, {}, rect.center());
    EXPECT_EQ(session_.selection()->state().token, 4);
    EXPECT_EQ(flow->selectedPosition(), 1);
    // " dog" at layer 3: experts 1 (0.60) and 2 (0.40).
    EXPECT_TRUE(sample()->layerStrip()->item(0, 0)->text().startsWith(QStringLiteral("E1 ")));
    EXPECT_TRUE(sample()->layerStrip()->item(0, 1)->text().startsWith(QStringLiteral("E2 ")));
    // A strip cell selects that (layer, expert).
    QTableWidget* strip = sample()->layerStrip();
    QTest::mouseClick(strip->viewport(), Qt::LeftButton, {}, strip->visualItemRect(strip->item(0, 1)).center());
    EXPECT_EQ(session_.selection()->state().layer, 0);
    EXPECT_EQ(session_.selection()->state().expert, 2);
}

TEST(TokenInspectorDefaults, LastPromptTokensAreTheObservationsByDefault) {
    const fs::path trace = scratchPath("token_inspector_last.h5");
    test::writeHandTrace(trace);
    Session session;
    ASSERT_TRUE(session.open(QString::fromStdString(trace.string())));
    ASSERT_TRUE(session.waitForIdle());
    TokenInspectorView view(&session);
    // HF layer 7, expert 3: the last tokens " sat" (0.65, rank 1), " ran" (0.60, rank 1), " cat" (0.42, rank 2)
    session.selection()->setCell(1, 3);
    ASSERT_TRUE(waitUntil([&] {
        const auto* list = view.expertTokens()->model()->list();
        return !view.expertTokens()->isLoading() && list && list->expert == 3;
    }));
    const auto* list = view.expertTokens()->model()->list();
    EXPECT_EQ(list->observations, 3);
    ASSERT_EQ(list->rows.size(), 3u);
    EXPECT_EQ(list->routed, 3);
    EXPECT_EQ(list->rows[0].piece, " sat");
    EXPECT_FLOAT_EQ(list->rows[0].weight, 0.65f);
    EXPECT_EQ(list->rows[1].piece, " ran");
    EXPECT_EQ(contextSnippet(list->rows[1]), "A dog\u21b5\u27e6 ran\u27e7");
    EXPECT_EQ(list->rows[2].piece, " cat");
    EXPECT_EQ(list->rows[2].rank, 2);
    EXPECT_FLOAT_EQ(list->rows[2].weight, 0.42f);
}

TEST(TokenInspectorDefaults, ATraceWithoutTextShowsTokenIds) {
    const fs::path trace = scratchPath("token_inspector_no_text.h5");
    test::writeHandTrace(trace, false);
    Session session;
    AnalysisSettings settings;
    settings.positions = QStringLiteral("all");
    settings.permutations = 0;
    session.setSettings(settings);
    ASSERT_TRUE(session.open(QString::fromStdString(trace.string())));
    ASSERT_TRUE(session.waitForIdle());
    TokenInspectorView view(&session);
    session.selection()->setCell(0, 3);
    ASSERT_TRUE(waitUntil([&] {
        const auto* list = view.expertTokens()->model()->list();
        return !view.expertTokens()->isLoading() && list && list->expert == 3;
    }));
    const auto* list = view.expertTokens()->model()->list();
    ASSERT_EQ(list->rows.size(), 3u);
    EXPECT_FALSE(list->has_text);
    EXPECT_EQ(list->rows[0].piece, "#20");  // "A" of q1
    EXPECT_TRUE(view.expertTokens()->summaryLabel()->text().contains(QStringLiteral("token ids are shown")));
    session.selection()->setSample(1);
    ASSERT_TRUE(waitUntil([&] { return view.sampleTokens()->showsSample() && !view.sampleTokens()->isLoading(); }));
    EXPECT_EQ(view.sampleTokens()->tokenFlow()->tokens()[1].piece, "#21");
}

TEST(TokenInspectorDefaults, AnAuthorsTableShowsPlaceholders) {
    Session session;
    ASSERT_TRUE(session.open(QStringLiteral(CA_TEST_DATA_DIR "/authors/worked_example_input.csv")));
    ASSERT_TRUE(session.waitForIdle());
    TokenInspectorView view(&session);
    session.selection()->setCell(0, 1);
    session.selection()->setSample(0);
    EXPECT_TRUE(view.expertTokens()->summaryLabel()->text().contains(QStringLiteral("authors' tables")));
    EXPECT_FALSE(view.sampleTokens()->showsSample());
    EXPECT_TRUE(view.sampleTokens()->placeholderLabel()->text().contains(QStringLiteral("authors' tables")));
    EXPECT_EQ(view.expertTokens()->model()->rowCount(), 0);
}

TEST(TokenInspectorDefaults, StaleResultsAreDroppedWhenTheSelectionMovesOn) {
    const fs::path trace = scratchPath("token_inspector_stale.h5");
    test::writeHandTrace(trace);
    Session session;
    ASSERT_TRUE(session.open(QString::fromStdString(trace.string())));
    ASSERT_TRUE(session.waitForIdle());
    TokenInspectorView view(&session);
    for (int e = 0; e < 4; ++e) session.selection()->setCell(0, e);  // only the last one counts
    ASSERT_TRUE(waitUntil([&] { return !view.expertTokens()->isLoading(); }));
    ASSERT_NE(view.expertTokens()->model()->list(), nullptr);
    EXPECT_EQ(view.expertTokens()->model()->list()->expert, 3);
}

}  // namespace
}  // namespace ca::ui
