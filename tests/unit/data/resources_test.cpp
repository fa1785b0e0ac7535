// The files compiled into the binary (resources/): the demo data and built-in taxonomies must
// be there byte for byte, without the source tree.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "resources/resources.h"
#include "tests/unit/data/data_test_paths.h"

namespace {

std::string readSourceFile(const std::string& relative) {
    std::ifstream in(ca::test::resourcesDir() + "/" + relative, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

TEST(Resources, EmbedsTheMmluDevSplitAndItsLicence) {
    const auto dev = ca::resources::list("demo/mmlu/dev/");
    EXPECT_EQ(dev.size(), 57u);
    EXPECT_TRUE(ca::resources::contains("demo/mmlu/LICENSE.hendrycks-test.txt"));
    EXPECT_NE(ca::resources::find("demo/mmlu/LICENSE.hendrycks-test.txt").find("MIT License"),
              std::string_view::npos);
}

TEST(Resources, EmbeddedBytesEqualTheSourceFiles) {
    for (const char* name : {"demo/mmlu/dev/college_mathematics_dev.csv",
                             "taxonomies/paper-9-domains.json", "chat_templates/qwen3.jinja"}) {
        SCOPED_TRACE(name);
        const std::string expected = readSourceFile(name);
        ASSERT_FALSE(expected.empty());
        EXPECT_EQ(ca::resources::find(name), expected);
    }
}

TEST(Resources, EmbeddedFilesAreFollowedByANulByte) {
    const std::string_view text = ca::resources::find("taxonomies/mmlu-categories.json");
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.data()[text.size()], '\0');
}

TEST(Resources, UnknownNameGivesAnEmptyView) {
    EXPECT_FALSE(ca::resources::contains("demo/mmlu/dev/no_such_subject_dev.csv"));
    EXPECT_EQ(ca::resources::find("no/such/file").data(), nullptr);
    EXPECT_TRUE(ca::resources::list("no/such/prefix/").empty());
}

TEST(Resources, ListsTheBuiltInTaxonomiesAndChatTemplates) {
    const auto taxonomies = ca::resources::list("taxonomies/");
    ASSERT_EQ(taxonomies.size(), 3u);
    EXPECT_EQ(taxonomies[0], "taxonomies/mmlu-categories.json");
    EXPECT_EQ(taxonomies[1], "taxonomies/mmlu-subcategories.json");
    EXPECT_EQ(taxonomies[2], "taxonomies/paper-9-domains.json");
    EXPECT_EQ(ca::resources::list("chat_templates/").size(), 3u);
}

}  // namespace
