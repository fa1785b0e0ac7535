// The BPE merge loop on tiny hand-made vocabularies where the result can be followed by hand.
// Tokens are byte-level strings; for ASCII letters that is the letter itself.
#include "core/capture/tokenizer/bpe_model.h"

#include <gtest/gtest.h>

namespace ca::tok {
namespace {

using Ids = std::vector<int32_t>;
using Merges = std::vector<std::pair<std::string, std::string>>;

Ids encode(const BpeModel& m, const std::string& word) {
    Ids out;
    m.encodeWord(word, out);
    return out;
}

TEST(BpeModel, AppliesMergesInRankOrderNotLeftToRight) {
    // The example of tokenizers' BPE tests: "unrelated" merges all the way to one token.
    VocabList vocab{{"u", 0},     {"n", 1},    {"r", 2},        {"e", 3},
                    {"l", 4},     {"a", 5},    {"t", 6},        {"d", 7},
                    {"re", 8},    {"at", 9},   {"ed", 10},      {"un", 11},
                    {"ated", 12}, {"rel", 13}, {"related", 14}, {"unrelated", 15}};
    Merges merges{{"r", "e"},   {"a", "t"},  {"e", "d"},      {"u", "n"},
                  {"at", "ed"}, {"re", "l"}, {"rel", "ated"}, {"un", "related"}};
    BpeModel m(vocab, merges, {});
    EXPECT_EQ(encode(m, "unrelated"), (Ids{15}));
    // "bc" (rank 0) beats "ab" (rank 1) although "ab" is further left.
    BpeModel m2(VocabList{{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"bc", 4}},
                Merges{{"b", "c"}, {"a", "b"}}, {});
    EXPECT_EQ(encode(m2, "abc"), (Ids{0, 4}));
}

TEST(BpeModel, BreaksRankTiesTowardsTheLeft) {
    BpeModel m(VocabList{{"a", 0}, {"aa", 1}}, Merges{{"a", "a"}}, {});
    EXPECT_EQ(encode(m, "aaa"), (Ids{1, 0}));
    EXPECT_EQ(encode(m, "aaaa"), (Ids{1, 1}));
}

TEST(BpeModel, GivesTheSameIdsFromTheCache) {
    BpeModel m(VocabList{{"a", 0}, {"b", 1}, {"ab", 2}}, Merges{{"a", "b"}}, {});
    EXPECT_EQ(encode(m, "abab"), (Ids{2, 2}));
    EXPECT_EQ(encode(m, "abab"), (Ids{2, 2}));
}

TEST(BpeModel, DropsUnknownBytesWithoutAnUnkToken) {
    BpeModel m(VocabList{{"a", 0}}, Merges{}, {});
    EXPECT_EQ(encode(m, "axa"), (Ids{0, 0}));
}

TEST(BpeModel, UsesTheUnkTokenFusedOrNot) {
    VocabList vocab{{"<unk>", 0}, {"a", 1}, {"b", 2}};
    BpeOptions separate;
    separate.unkToken = "<unk>";
    EXPECT_EQ(encode(BpeModel(vocab, {}, separate), "accb"), (Ids{1, 0, 0, 2}));
    BpeOptions fused = separate;
    fused.fuseUnk = true;
    EXPECT_EQ(encode(BpeModel(vocab, {}, fused), "accb"), (Ids{1, 0, 2}));
}

TEST(BpeModel, IgnoreMergesTakesWholeWordsFromTheVocab) {
    // Without ignore_merges "abc" would need merges; with it the vocab entry wins.
    VocabList vocab{{"a", 0}, {"b", 1}, {"c", 2}, {"abc", 3}};
    BpeOptions opts;
    opts.ignoreMerges = true;
    EXPECT_EQ(encode(BpeModel(vocab, {}, opts), "abc"), (Ids{3}));
    EXPECT_EQ(encode(BpeModel(vocab, {}, {}), "abc"), (Ids{0, 1, 2}));
}

TEST(BpeModel, WorksOnRawBytesOfByteLevelTokens) {
    // "Ġ" is the space byte; "Ġa" is the two bytes " a".
    BpeModel m(VocabList{{"\xC4\xA0", 0},
                         {"a", 1},
                         {"\xC4\xA0"
                          "a",
                          2}},
               Merges{{"\xC4\xA0", "a"}}, {});
    EXPECT_EQ(encode(m, " a"), (Ids{2}));
    ASSERT_NE(m.idToBytes(2), nullptr);
    EXPECT_EQ(*m.idToBytes(2), " a");
    EXPECT_EQ(*m.idToToken(2),
              "\xC4\xA0"
              "a");
}

TEST(BpeModel, RejectsMergesOutsideTheVocab) {
    VocabList vocab{{"a", 0}, {"b", 1}};
    EXPECT_THROW(BpeModel(vocab, Merges{{"a", "b"}}, {}), std::invalid_argument);  // "ab" missing
    EXPECT_THROW(BpeModel(vocab, Merges{{"a", "z"}}, {}), std::invalid_argument);
}

TEST(MergeTable, KeepsTheLastRankOfARepeatedPair) {
    MergeTable t;
    t.insert(1, 2, 0, 7);
    t.insert(1, 2, 5, 8);
    ASSERT_NE(t.find(1, 2), nullptr);
    EXPECT_EQ(t.find(1, 2)->rank, 5u);
    EXPECT_EQ(t.find(2, 1), nullptr);
    for (int i = 0; i < 1000; ++i)
        t.insert(i, i + 1, static_cast<uint32_t>(i), i);
    EXPECT_EQ(t.find(999, 1000)->mergedId, 999);
}

}  // namespace
}  // namespace ca::tok
