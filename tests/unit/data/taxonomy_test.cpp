// Taxonomies: the three built-in maps cover all 57 MMLU subjects, MMLU's own category counts
// on the test split (published: STEM 3,018; humanities 4,705; social sciences 3,077; other
// 3,242), user files in both forms, and errors.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core/data/dataset.h"
#include "core/data/taxonomy.h"
#include "tests/unit/data/data_test_paths.h"
#include "tests/unit/data/test_helpers.h"

namespace {

using ca::data::Item;
using ca::data::Taxonomy;
using ca::test::inputErrorOf;

const std::vector<Item>& testSplit() {
    static const std::vector<Item> items =
        ca::data::loadDataset("mmlu:" + ca::test::testDataDir() + "/mmlu:test");
    return items;
}

std::map<std::string, int> domainCounts(const Taxonomy& taxonomy) {
    std::vector<Item> items = testSplit();
    taxonomy.apply(items, true, "test split");
    std::map<std::string, int> counts;
    for (const Item& item : items) ++counts[item.domain];
    return counts;
}

std::set<std::string> mmluSubjects() {
    std::set<std::string> subjects;
    for (const Item& item : testSplit()) subjects.insert(item.subject);
    return subjects;
}

TEST(Taxonomy, BuiltInsMapEveryMmluSubjectAndNothingElse) {
    const std::set<std::string> subjects = mmluSubjects();
    ASSERT_EQ(subjects.size(), 57u);
    for (const std::string& name : Taxonomy::builtinNames()) {
        SCOPED_TRACE(name);
        const Taxonomy taxonomy = Taxonomy::builtin(name);
        EXPECT_EQ(taxonomy.name(), name);
        std::set<std::string> mapped;
        for (const auto& [subject, domain] : taxonomy.subjects()) mapped.insert(subject);
        EXPECT_EQ(mapped, subjects);
    }
}

TEST(Taxonomy, MmluCategoriesGiveThePublishedTestCounts) {
    const Taxonomy taxonomy = Taxonomy::builtin("mmlu-categories");
    EXPECT_EQ(taxonomy.domains(),
              (std::vector<std::string>{"STEM", "humanities", "social sciences",
                                        "other (business, health, misc.)"}));
    const auto counts = domainCounts(taxonomy);
    EXPECT_EQ(counts.size(), 4u);
    EXPECT_EQ(counts.at("STEM"), 3018);
    EXPECT_EQ(counts.at("humanities"), 4705);
    EXPECT_EQ(counts.at("social sciences"), 3077);
    EXPECT_EQ(counts.at("other (business, health, misc.)"), 3242);
}

TEST(Taxonomy, MmluSubcategoriesHave17DomainsThatNestInTheCategories) {
    const Taxonomy sub = Taxonomy::builtin("mmlu-subcategories");
    const Taxonomy cat = Taxonomy::builtin("mmlu-categories");
    EXPECT_EQ(sub.domains().size(), 17u);
    EXPECT_EQ(domainCounts(sub).size(), 17u);
    // Every subcategory lies inside exactly one category (categories.py is a tree).
    std::map<std::string, std::set<std::string>> parents;
    for (const auto& [subject, subcategory] : sub.subjects()) {
        parents[subcategory].insert(*cat.domainOf(subject));
    }
    for (const auto& [subcategory, categories] : parents) {
        EXPECT_EQ(categories.size(), 1u) << subcategory;
    }
    EXPECT_EQ(*sub.domainOf("abstract_algebra"), "math");
    EXPECT_EQ(*sub.domainOf("human_sexuality"), "culture");
    EXPECT_EQ(*sub.domainOf("professional_accounting"), "other");
}

TEST(Taxonomy, PaperReconstructionHasNineNonEmptyDomains) {
    const Taxonomy taxonomy = Taxonomy::builtin("paper-9-domains");
    const std::vector<std::string> expected = {
        "STEM\u2013Math", "STEM\u2013Physics", "STEM\u2013Chemistry", "STEM\u2013BioMed",
        "CS\u2013Eng",    "SocSci",            "Humanities",          "Lang\u2013Ling",
        "Biz\u2013Law"};
    EXPECT_EQ(taxonomy.domains(), expected);
    const auto counts = domainCounts(taxonomy);
    ASSERT_EQ(counts.size(), 9u);
    int total = 0;
    for (const auto& [domain, count] : counts) total += count;
    EXPECT_EQ(total, 14042);
    // Counts of the reconstruction, as tabulated in docs/taxonomies.md.
    EXPECT_EQ(counts.at("STEM\u2013Math"), 1064);
    EXPECT_EQ(counts.at("STEM\u2013Physics"), 640);
    EXPECT_EQ(counts.at("STEM\u2013Chemistry"), 303);
    EXPECT_EQ(counts.at("STEM\u2013BioMed"), 2094);
    EXPECT_EQ(counts.at("CS\u2013Eng"), 557);
    EXPECT_EQ(counts.at("SocSci"), 3077);
    EXPECT_EQ(counts.at("Humanities"), 3536);
    EXPECT_EQ(counts.at("Lang\u2013Ling"), 289);
    EXPECT_EQ(counts.at("Biz\u2013Law"), 2482);
}

TEST(Taxonomy, PaperReconstructionExplainsItsUncertainChoices) {
    const Taxonomy taxonomy = Taxonomy::builtin("paper-9-domains");
    // The subjects paper-spec d2 lists as unresolved by name, and the empty-looking Lang–Ling.
    for (const char* key : {"Lang\u2013Ling", "formal_logic", "logical_fallacies", "miscellaneous",
                            "high_school_geography", "human_sexuality", "security_studies",
                            "computer_security", "business_ethics", "moral_disputes",
                            "moral_scenarios", "global_facts"}) {
        EXPECT_FALSE(taxonomy.note(key).empty()) << key;
    }
    EXPECT_EQ(*taxonomy.domainOf("formal_logic"), "Lang\u2013Ling");
    EXPECT_EQ(*taxonomy.domainOf("computer_security"), "CS\u2013Eng");
    EXPECT_EQ(*taxonomy.domainOf("security_studies"), "SocSci");
    EXPECT_EQ(*taxonomy.domainOf("professional_law"), "Biz\u2013Law");
    EXPECT_FALSE(taxonomy.domainOf("no_such_subject").has_value());
}

TEST(Taxonomy, ApplyKeepsGivenDomainsUnlessAskedToOverwrite) {
    const Taxonomy taxonomy = Taxonomy::parse(R"({"a": "X", "b": "Y"})", "flat.json");
    std::vector<Item> items(2);
    items[0].subject = "a";
    items[1].subject = "b";
    items[1].domain = "given";
    taxonomy.apply(items, false, "data");
    EXPECT_EQ(items[0].domain, "X");
    EXPECT_EQ(items[1].domain, "given");
    taxonomy.apply(items, true, "data");
    EXPECT_EQ(items[1].domain, "Y");
}

TEST(Taxonomy, ApplyNamesUnmappedSubjects) {
    const Taxonomy taxonomy = Taxonomy::parse(R"({"a": "X"})", "flat.json");
    std::vector<Item> items(4);
    items[0].subject = "a";
    items[1].subject = "zz";
    items[2].subject = "yy";
    items[3].subject = "zz";
    EXPECT_EQ(inputErrorOf([&] { taxonomy.apply(items, true, "data.jsonl"); }),
              "data.jsonl: taxonomy 'flat' has no domain for subject 'zz', 'yy' (3 items)");
}

TEST(Taxonomy, FlatFormTakesItsNameFromTheFileAndDomainsInOrderOfAppearance) {
    const Taxonomy t = Taxonomy::parse(R"({"s1": "B", "s2": "A", "s3": "B"})", "/x/my-map.json");
    EXPECT_EQ(t.name(), "my-map");
    EXPECT_EQ(t.domains(), (std::vector<std::string>{"B", "A"}));
    EXPECT_EQ(*t.domainOf("s2"), "A");
}

TEST(Taxonomy, LoadsAUserFileOrABuiltInName) {
    EXPECT_EQ(Taxonomy::load("mmlu-categories").domains().size(), 4u);
    const Taxonomy from_file =
        Taxonomy::load(ca::test::resourcesDir() + "/taxonomies/paper-9-domains.json");
    EXPECT_EQ(from_file.name(), "paper-9-domains");
    EXPECT_EQ(from_file.subjects(), Taxonomy::builtin("paper-9-domains").subjects());
}

TEST(TaxonomyErrors, AreOneLineAndNameTheFile) {
    const auto parse = [](const std::string& text) {
        return inputErrorOf([&] { Taxonomy::parse(text, "t.json"); });
    };
    EXPECT_EQ(parse("[]"), "t.json: a taxonomy must be a JSON object, not array");
    EXPECT_EQ(parse("{}"), "t.json: maps no subject");
    EXPECT_EQ(parse(R"({"a": 1})"),
              "t.json: the domain of subject 'a' must be a string, not number (a flat taxonomy "
              "maps subject -> domain)");
    EXPECT_EQ(parse(R"({"subjects": {"a": ["X"]}})"),
              "t.json: the domain of subject 'a' must be a string, not array");
    EXPECT_EQ(parse(R"({"subjects": []})"),
              "t.json: 'subjects' must be an object {subject: domain}, not array");
    EXPECT_EQ(parse(R"({"a": ""})"), "t.json: subject 'a' has an empty domain");
    EXPECT_EQ(parse(R"({"subjects": {"a": "X", "b": "Y"}, "domains": ["X"]})"),
              "t.json: domain 'Y' is used in 'subjects' but missing from 'domains'");
    EXPECT_EQ(parse(R"({"subjects": {"a": "X"}, "domains": ["X", "X"]})"),
              "t.json: 'domains' lists 'X' twice");
    EXPECT_EQ(parse(R"({"subjects": {"a": "X"}, "name": 3})"),
              "t.json: taxonomy: field 'name' must be a string, not number");
    EXPECT_EQ(inputErrorOf([] { Taxonomy::builtin("mmlu-domains"); }),
              "mmlu-domains: no built-in taxonomy of that name (built in: mmlu-categories, "
              "mmlu-subcategories, paper-9-domains; or give a JSON file)");
    EXPECT_EQ(inputErrorOf([] { Taxonomy::load("/nonexistent/taxonomy.json"); }),
              "/nonexistent/taxonomy.json: no such file");
}

}  // namespace
