// Grouping the samples of an audit by another label than their domain: the subject, or the
// authors' cognitive / difficulty labels. The groups become the audit's "domains".
#include "core/analysis/trace_analysis.h"
#include "core/trace/trace_reader.h"
#include "core/trace/trace_writer.h"
#include "core/util/input_error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace ca {
namespace {

namespace fs = std::filesystem;

// Six one-position samples in two domains; cognitive "recall" / "reasoning" cut across them,
// and samples 4 and 5 carry no difficulty.
fs::path writeLabelledTrace(const std::string& name, bool with_labels) {
    const fs::path dir = fs::temp_directory_path() / ("ca_group_by_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path path = dir / name;
    const ModelInfo m{"tiny", "olmoe", 4, 2, 0, {0, 1}};
    TraceLayout layout;
    layout.store_last_probs = false;  // top-k only, as an imported router-weight file
    TraceWriter w = TraceWriter::create(path, m, layout);
    for (int i = 0; i < 6; ++i) {
        SampleRecord s;
        s.id = "q" + std::to_string(i);
        s.subject = i < 3 ? "anatomy" : "philosophy";
        s.domain = i < 3 ? "STEM" : "Humanities";
        if (with_labels) {
            s.cognitive = i % 2 ? "reasoning" : "recall";
            s.difficulty = i < 4 ? std::to_string(i % 2 + 1) : "";
        }
        s.token_ids = {i};
        s.topk_experts = {i % 4, (i + 1) % 4, i % 4, (i + 2) % 4};
        s.topk_weights = {0.6f, 0.4f, 0.7f, 0.3f};
        w.append(s);
    }
    return path;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

TraceAnalysisRequest groupedBy(SampleLabel label) {
    TraceAnalysisRequest r;
    r.settings.permutations = 0;
    r.settings.bootstrap = 0;
    r.group_by = label;
    return r;
}

TEST(GroupBy, TheChosenLabelsValuesBecomeTheDomains) {
    const TraceReader trace(writeLabelledTrace("labelled.h5", true));
    const TraceAnalysis by_domain = analyzeTrace(trace, groupedBy(SampleLabel::Domain));
    EXPECT_EQ(sorted(by_domain.obs->domain_names), (std::vector<std::string>{"Humanities", "STEM"}));

    const TraceAnalysis by_cognitive = analyzeTrace(trace, groupedBy(SampleLabel::Cognitive));
    EXPECT_EQ(sorted(by_cognitive.obs->domain_names),
              (std::vector<std::string>{"reasoning", "recall"}));
    // Sample i is observation i (one position each): odd samples are "reasoning".
    for (int64_t n = 0; n < by_cognitive.obs->size(); ++n)
        EXPECT_EQ(by_cognitive.obs->domain_names[by_cognitive.obs->obs_domain[n]],
                  n % 2 ? "reasoning" : "recall");

    // Samples without a difficulty form their own "(unlabelled)" group.
    const TraceAnalysis by_difficulty = analyzeTrace(trace, groupedBy(SampleLabel::Difficulty));
    EXPECT_EQ(sorted(by_difficulty.obs->domain_names),
              (std::vector<std::string>{"(unlabelled)", "1", "2"}));

    const TraceAnalysis by_subject = analyzeTrace(trace, groupedBy(SampleLabel::Subject));
    EXPECT_EQ(sorted(by_subject.obs->domain_names),
              (std::vector<std::string>{"anatomy", "philosophy"}));
}

TEST(GroupBy, ALabelNoSampleHasIsAnInputErrorNamingTheTrace) {
    const fs::path path = writeLabelledTrace("unlabelled.h5", false);
    const TraceReader trace(path);
    try {
        analyzeTrace(trace, groupedBy(SampleLabel::Cognitive));
        FAIL() << "expected an InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("cognitive"), std::string::npos) << e.what();
    }
}

TEST(GroupBy, ATaxonomyGoesWithDomainsOnly) {
    const TraceReader trace(writeLabelledTrace("taxonomy.h5", true));
    TraceAnalysisRequest r = groupedBy(SampleLabel::Difficulty);
    r.taxonomy = "mmlu-categories";
    EXPECT_THROW(analyzeTrace(trace, r), InputError);
    EXPECT_EQ(parseSampleLabel("difficulty", "--group-by"), SampleLabel::Difficulty);
    EXPECT_THROW(parseSampleLabel("topic", "--group-by"), InputError);
}

}  // namespace
}  // namespace ca
