// Reading the authors' two table schemas as their script does with pandas.
#include "core/io/authors_table.h"
#include "core/util/input_error.h"

#include <gtest/gtest.h>

#include <cmath>

namespace {

using namespace ca::authors;
using Ints = std::vector<int64_t>;
using Doubles = std::vector<double>;

Table read(const std::string& csv, LongFormatOptions options = {}, Schema* schema = nullptr) {
    return parseCsvTable(csv, "t.csv", options, schema);
}

TEST(ExcelLikeTable, ReadsTheAuthorsColumnsAndIgnoresOthers) {
    Schema schema{};
    const Table t = read("domain,idx,topk_mean,topk_values,topk_indices,extra\n"
                         "math,1,0.5,\"0.9, 0.5\",\"3, 1\",zzz\n",
                         {}, &schema);
    EXPECT_EQ(schema, Schema::ExcelLike);
    ASSERT_EQ(t.size(), 1u);
    EXPECT_EQ(t[0].idx, 1);
    EXPECT_EQ(t[0].domain, "math");
    EXPECT_EQ(t[0].indices, (Ints{3, 1}));
    EXPECT_EQ(t[0].values, (Doubles{0.9, 0.5}));
}

TEST(ExcelLikeTable, PrefersTheExcelLikeSchemaWhenBothFit) {
    Schema schema{};
    read("idx,domain,topk_indices,topk_values,layer,expert_idx,expert_weight\n1,a,1,0.5,1,1,0.5\n", {},
         &schema);
    EXPECT_EQ(schema, Schema::ExcelLike);
}

TEST(ExcelLikeTable, ConvertsColumnsLikePandas) {
    // idx: a float column is truncated by astype(int); domain: astype(str) of a numeric
    // column writes Python's repr; missing list cells are empty lists; scalars are lists.
    const Table t = read("idx,domain,topk_indices,topk_values\n"
                         "1.0,1,5,0.5\n"
                         "2.9,2.5,,\n"
                         "3,,7,1\n");
    ASSERT_EQ(t.size(), 3u);
    EXPECT_EQ(t[0].idx, 1);
    EXPECT_EQ(t[1].idx, 2);
    EXPECT_EQ(t[0].domain, "1.0");  // the column holds 1, 2.5 and a missing value: float64
    EXPECT_EQ(t[1].domain, "2.5");
    EXPECT_EQ(t[2].domain, "nan");
    EXPECT_EQ(t[0].indices, (Ints{5}));
    EXPECT_TRUE(t[1].indices.empty());
    EXPECT_TRUE(t[1].values.empty());
    EXPECT_EQ(t[2].values, (Doubles{1.0}));
}

TEST(ExcelLikeTable, ReadsAnIntegerDomainColumnAsDigitsAndBooleansAsPythonNames) {
    const Table ints = read("idx,domain,topk_indices,topk_values\n1,007,1,1\n1,2,1,1\n");
    EXPECT_EQ(ints[0].domain, "7");
    const Table bools = read("idx,domain,topk_indices,topk_values\n1,TRUE,1,1\n1,false,1,1\n");
    EXPECT_EQ(bools[0].domain, "True");
    EXPECT_EQ(bools[1].domain, "False");
    const Table text = read("idx,domain,topk_indices,topk_values\n1,None,1,1\n1,news,1,1\n");
    EXPECT_EQ(text[0].domain, "nan");  // "None" is a missing value to pandas >= 2
}

TEST(ExcelLikeTable, RejectsUnconvertibleCellsNamingLineAndColumn) {
    try {
        read("idx,domain,topk_indices,topk_values\n1,a,1,1\n,b,1,1\n");
        FAIL();
    } catch (const ca::InputError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("t.csv"), std::string::npos);
        EXPECT_NE(msg.find("line 3"), std::string::npos) << msg;
        EXPECT_NE(msg.find("idx"), std::string::npos) << msg;
    }
    EXPECT_THROW(read("idx,domain,topk_indices,topk_values\nx,a,1,1\n"), ca::InputError);
    EXPECT_THROW(read("idx,domain,topk_indices,topk_values\n1,a,\"[1, y]\",1\n"), ca::InputError);
}

TEST(TableSchema, RejectsUnknownColumnsAndSuffixes) {
    EXPECT_THROW(read("a,b\n1,2\n"), ca::InputError);
    EXPECT_THROW(readTable("/nonexistent/table.csv"), ca::InputError);
    try {
        readTable("sheet.xls");  // .xlsx is read (xlsx_sheet_test.cpp), the legacy format not
        FAIL();
    } catch (const ca::InputError& e) {
        EXPECT_NE(std::string(e.what()).find("save the sheet as .xlsx or CSV"), std::string::npos);
    }
    EXPECT_THROW(readTable("/nonexistent/sheet.xlsx"), ca::InputError);
    EXPECT_THROW(readTable("table.txt"), ca::InputError);
}

TEST(LongTable, RebuildsTopKListsByWeightThenRankPaddingWithMinusOne) {
    // Hand-built: layer 1 / domain a has experts 3 (mean of 0.5 and 0.7 = 0.6), 4 (0.6, rank 0),
    // 5 (0.1); domain b has only expert 9. k = max(topk_rank) + 1 = 3.
    const Table t = read("layer,domain,expert_idx,expert_weight,topk_rank\n"
                         "1,a,3,0.5,1\n"
                         "1,a,4,0.6,0\n"
                         "1,b,9,0.2,0\n"
                         "1,a,3,0.7,1\n"
                         "1,a,5,0.1,2\n");
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0].domain, "a");
    // 3 and 4 tie on weight (0.6); 4 has the lower mean rank.
    EXPECT_EQ(t[0].indices, (Ints{4, 3, 5}));
    EXPECT_DOUBLE_EQ(t[0].values[1], 0.6);
    EXPECT_EQ(t[1].domain, "b");
    EXPECT_EQ(t[1].indices, (Ints{9, -1, -1}));
    EXPECT_EQ(t[1].values, (Doubles{0.2, 0.0, 0.0}));
}

TEST(LongTable, InfersKFromTheMostDistinctExpertsWithoutRanks) {
    const Table t = read("layer,domain,expert_idx,expert_weight\n"
                         "0,b,1,0.5\n0,b,2,0.25\n0,b,2,0.75\n0,a,7,0.5\n");
    ASSERT_EQ(t.size(), 2u);
    EXPECT_EQ(t[0].domain, "a");  // groups come out sorted
    EXPECT_EQ(t[0].indices, (Ints{7, -1}));
    // Without ranks, equal weights keep ascending expert id: 1 (0.5) and 2 (mean 0.5).
    EXPECT_EQ(t[1].indices, (Ints{1, 2}));
}

TEST(LongTable, AggregatesWithSumAndMedianAndHonoursK) {
    const std::string csv = "layer,domain,expert_idx,expert_weight\n"
                            "0,a,1,0.1\n0,a,1,0.2\n0,a,1,0.9\n0,a,2,0.5\n0,a,3,0.45\n";
    LongFormatOptions sum;
    sum.aggregation = WeightAggregation::Sum;
    const Table s = read(csv, sum);
    EXPECT_EQ(s[0].indices, (Ints{1, 2, 3}));
    EXPECT_DOUBLE_EQ(s[0].values[0], 1.2);
    LongFormatOptions median;
    median.aggregation = WeightAggregation::Median;
    median.k = 2;
    median.k_given = true;
    const Table m = read(csv, median);
    EXPECT_EQ(m[0].indices, (Ints{2, 3}));  // median of expert 1 is 0.2
    EXPECT_EQ(m[0].values, (Doubles{0.5, 0.45}));
}

TEST(LongTable, MeanSkipsMissingWeightsAndSortsNaNLast) {
    const Table t = read("layer,domain,expert_idx,expert_weight\n"
                         "0,a,1,\n0,a,2,0.3\n0,a,2,\n0,a,3,0.1\n");
    EXPECT_EQ(t[0].indices, (Ints{2, 3, 1}));
    EXPECT_EQ(t[0].values[0], 0.3);
    EXPECT_TRUE(std::isnan(t[0].values[2]));
}

TEST(LongTable, MeanUsesCompensatedSummationAsPandasGroupby) {
    // Naive left-to-right: ((1e16 + 1) + 1) - 1e16 = 0; Kahan keeps the two ones: 2 / 4.
    const Table t = read("layer,domain,expert_idx,expert_weight\n"
                         "0,a,1,1e16\n0,a,1,1\n0,a,1,1\n0,a,1,-1e16\n");
    EXPECT_EQ(t[0].values[0], 0.5);
}

TEST(LongTable, RejectsANonPositiveK) {
    LongFormatOptions zero;
    zero.k_given = true;
    EXPECT_THROW(read("layer,domain,expert_idx,expert_weight\n0,a,1,0.5\n", zero), ca::InputError);
    EXPECT_THROW(read("layer,domain,expert_idx,expert_weight\n"), ca::InputError);
}

}  // namespace
