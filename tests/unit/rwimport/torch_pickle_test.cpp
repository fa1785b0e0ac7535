// The restricted unpickler: what torch.save writes is understood, everything else is refused
// with an InputError naming the file.
#include "core/io/torch_pickle.h"
#include "core/util/input_error.h"
#include "tests/unit/rwimport/torch_archive_builder.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ca::torchpkl {
namespace {

using ca::testing::PickleBuilder;

PickleDocument parse(const PickleBuilder& p) { return parseTorchPickle(p.vec(), "x.pth"); }

// The problem text of the InputError that parsing `p` throws ("" if none).
std::string parseError(const PickleBuilder& p) {
    try {
        parse(p);
    } catch (const InputError& e) {
        EXPECT_EQ(e.file(), "x.pth");
        return e.problem();
    }
    return "";
}

TEST(TorchPickle, ReadsScalarsOfEveryKind) {
    PickleBuilder p;
    p.proto().mark().none().boolean(true).boolean(false).int1(200).int4(-7).binfloat(2.5)
        .str("héllo").shortStr("ab").long1({0x00, 0x00, 0x00, 0x00, 0x01}).long1({0xff}).long1({})
        .tuple().stop();
    const PickleDocument doc = parse(p);
    ASSERT_EQ(doc.root.kind, ValueKind::Tuple);
    const auto t = doc.tuple(doc.root);
    ASSERT_EQ(t.size(), 11u);
    EXPECT_EQ(t[0].kind, ValueKind::None);
    EXPECT_EQ(t[1].kind, ValueKind::Bool);
    EXPECT_EQ(t[1].i, 1);
    EXPECT_EQ(t[2].i, 0);
    EXPECT_EQ(t[3].i, 200);
    EXPECT_EQ(t[4].i, -7);
    EXPECT_EQ(t[5].kind, ValueKind::Float);
    EXPECT_EQ(t[5].f, 2.5);
    EXPECT_EQ(doc.string(t[6]), "héllo");
    EXPECT_EQ(doc.string(t[7]), "ab");
    EXPECT_EQ(t[8].i, int64_t{1} << 32);   // LONG1 little-endian bytes 00 00 00 00 01
    EXPECT_EQ(t[9].i, -1);                 // LONG1 ff is -1 (two's complement)
    EXPECT_EQ(t[10].i, 0);                 // LONG1 of zero bytes is 0
}

TEST(TorchPickle, ListWithOneItemUsesAppendLikeTorchSave) {
    PickleBuilder p;
    p.proto().emptyList().put(0).emptyDict().put(1).str("id").int1(5).setitem().append().stop();
    const PickleDocument doc = parse(p);
    ASSERT_EQ(doc.root.kind, ValueKind::List);
    ASSERT_EQ(doc.list(doc.root).size(), 1u);
    const Value rec = doc.list(doc.root)[0];
    ASSERT_NE(doc.find(rec, "id"), nullptr);
    EXPECT_EQ(doc.find(rec, "id")->i, 5);
}

TEST(TorchPickle, MemoSharesMutableContainers) {
    // A list stored in the memo, fetched again and appended to: both references see it.
    PickleBuilder p;
    p.proto().mark().emptyList().put(0).get(0).int1(1).append().get(0).int1(2).append().tuple().stop();
    const PickleDocument doc = parse(p);
    const auto t = doc.tuple(doc.root);
    ASSERT_EQ(t.size(), 3u);
    for (const Value& v : t) ASSERT_EQ(doc.list(v).size(), 2u);
    EXPECT_EQ(doc.list(t[0])[1].i, 2);
}

TEST(TorchPickle, DictKeysMayBeIntegersOrStrings) {
    PickleBuilder p;
    p.proto().emptyDict().mark().int1(3).str("three").str("x").int1(9).setitems().stop();
    const PickleDocument doc = parse(p);
    EXPECT_EQ(doc.string(*doc.find(doc.root, int64_t{3})), "three");
    EXPECT_EQ(doc.find(doc.root, "x")->i, 9);
    EXPECT_EQ(doc.find(doc.root, int64_t{4}), nullptr);
    EXPECT_EQ(doc.find(doc.root, "3"), nullptr);
}

TEST(TorchPickle, RebuildsTensorReferences) {
    PickleBuilder p;
    p.proto().tensor("LongStorage", "17", 12, 2, {2, 3}, {4, 1}).stop();
    const PickleDocument doc = parse(p);
    ASSERT_EQ(doc.root.kind, ValueKind::Tensor);
    const TensorRef& t = doc.tensor(doc.root);
    EXPECT_EQ(t.offset, 2);
    EXPECT_EQ(t.numel, 6);
    EXPECT_EQ(std::vector<int64_t>(doc.sizes(t).begin(), doc.sizes(t).end()), (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(std::vector<int64_t>(doc.strides(t).begin(), doc.strides(t).end()),
              (std::vector<int64_t>{4, 1}));
    const StorageRef& s = doc.storage(t.storage);
    EXPECT_EQ(s.dtype, ScalarType::Int64);
    EXPECT_EQ(doc.storageKey(s), "17");
    EXPECT_EQ(s.numel, 12);
}

TEST(TorchPickle, AcceptsEveryStorageType) {
    const std::pair<const char*, ScalarType> types[] = {
        {"ByteStorage", ScalarType::UInt8},   {"CharStorage", ScalarType::Int8},
        {"ShortStorage", ScalarType::Int16},  {"IntStorage", ScalarType::Int32},
        {"LongStorage", ScalarType::Int64},   {"BoolStorage", ScalarType::Bool},
        {"HalfStorage", ScalarType::Float16}, {"BFloat16Storage", ScalarType::BFloat16},
        {"FloatStorage", ScalarType::Float32}, {"DoubleStorage", ScalarType::Float64}};
    for (const auto& [name, type] : types) {
        PickleBuilder p;
        p.proto().tensor(name, "0", 1, 0, {1}, {1}).stop();
        const PickleDocument doc = parse(p);
        EXPECT_EQ(doc.storage(doc.tensor(doc.root).storage).dtype, type) << name;
    }
}

TEST(TorchPickle, AcceptsTheSevenArgumentRebuildOfTorch2) {
    PickleBuilder p;
    p.proto().global("torch._utils", "_rebuild_tensor_v2").mark();
    p.mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").int1(3).tuple().persid();
    p.int1(0).int1(3).tuple1().int1(1).tuple1().boolean(false);
    p.global("collections", "OrderedDict").emptyTuple().reduce().emptyDict().tuple().reduce().stop();
    EXPECT_EQ(parse(p).tensor(parse(p).root).numel, 3);
}

TEST(TorchPickle, AcceptsProtocolFourFramingAndStackGlobal) {
    PickleBuilder p;
    p.proto(4).byte(0x95).le(uint64_t{20});
    p.shortStr("collections").byte(0x94).shortStr("OrderedDict").byte(0x93).emptyTuple().reduce().byte(0x94).stop();
    EXPECT_EQ(parse(p).root.kind, ValueKind::Dict);
}

TEST(TorchPickle, RefusesGlobalsOutsideTheWhitelist) {
    const std::pair<const char*, const char*> forbidden[] = {
        {"os", "system"}, {"builtins", "eval"}, {"torch", "load"}, {"torch._utils", "_rebuild_parameter"},
        {"collections", "defaultdict"}, {"torch.storage", "_load_from_bytes"}};
    for (const auto& [module, name] : forbidden) {
        PickleBuilder p;
        p.proto().global(module, name).str("echo hi").tuple1().reduce().stop();
        const std::string err = parseError(p);
        EXPECT_NE(err.find("forbidden GLOBAL"), std::string::npos) << module << "." << name << ": " << err;
        EXPECT_NE(err.find(std::string(module) + "." + name), std::string::npos) << err;
    }
}

TEST(TorchPickle, RefusesCallingAStorageType) {
    PickleBuilder p;
    p.proto().global("torch", "FloatStorage").emptyTuple().reduce().stop();
    EXPECT_NE(parseError(p).find("persistent ids"), std::string::npos);
}

TEST(TorchPickle, RefusesOrderedDictWithArguments) {
    PickleBuilder p;
    p.proto().global("collections", "OrderedDict").emptyList().tuple1().reduce().stop();
    EXPECT_NE(parseError(p).find("OrderedDict"), std::string::npos);
}

TEST(TorchPickle, RefusesTensorsReachingBeyondTheirStorage) {
    PickleBuilder ok, past_end, offset_past_end, stride_past_end;
    ok.proto().tensor("FloatStorage", "0", 6, 3, {3}, {1}).stop();               // elements 3..5
    past_end.proto().tensor("FloatStorage", "0", 6, 4, {3}, {1}).stop();         // 4..6
    offset_past_end.proto().tensor("FloatStorage", "0", 6, 7, {0}, {1}).stop();  // empty, offset 7
    stride_past_end.proto().tensor("FloatStorage", "0", 6, 0, {2, 2}, {4, 2}).stop();  // reaches 6
    EXPECT_EQ(parseError(ok), "");
    EXPECT_NE(parseError(past_end).find("beyond its storage"), std::string::npos);
    EXPECT_NE(parseError(offset_past_end).find("beyond its storage"), std::string::npos);
    EXPECT_NE(parseError(stride_past_end).find("beyond its storage"), std::string::npos);
}

TEST(TorchPickle, RefusesOverflowingTensorShapes) {
    PickleBuilder p;
    p.proto().global("torch._utils", "_rebuild_tensor_v2").mark();
    p.mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").int1(3).tuple().persid();
    p.int1(0);
    p.long1({0, 0, 0, 0, 0, 0, 0, 0x40}).long1({0, 0, 0, 0, 0, 0, 0, 0x40}).tuple2();   // 2^62 x 2^62
    p.int1(1).int1(1).tuple2().boolean(false).global("collections", "OrderedDict").emptyTuple().reduce();
    p.tuple().reduce().stop();
    EXPECT_NE(parseError(p).find("overflows"), std::string::npos);
}

TEST(TorchPickle, RefusesMalformedPersistentIds) {
    PickleBuilder not_tuple, bad_key, negative_numel;
    not_tuple.proto().str("storage").persid().stop();
    bad_key.proto().mark().str("storage").global("torch", "FloatStorage").str("../../etc/passwd").str("cpu")
        .int1(1).tuple().persid().stop();
    negative_numel.proto().mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu")
        .int4(-1).tuple().persid().stop();
    EXPECT_NE(parseError(not_tuple).find("persistent id"), std::string::npos);
    EXPECT_NE(parseError(bad_key).find("storage key"), std::string::npos);
    EXPECT_NE(parseError(negative_numel).find("storage size"), std::string::npos);
}

TEST(TorchPickle, RefusesStructuralErrors) {
    struct Case {
        const char* what;
        PickleBuilder p;
        const char* expected;
    };
    std::vector<Case> cases(10);
    cases[0] = {"empty input", PickleBuilder(), "without a STOP"};
    cases[1].what = "no STOP";
    cases[1].p.proto().none();
    cases[1].expected = "without a STOP";
    cases[2].what = "truncated string";
    cases[2].p.proto().raw("X").le(uint32_t{1000}).raw("abc");
    cases[2].expected = "truncated";
    cases[3].what = "stack underflow";
    cases[3].p.proto().append().stop();
    cases[3].expected = "underflow";
    cases[4].what = "memo get of an unset index";
    cases[4].p.proto().get(3).stop();
    cases[4].expected = "never stored";
    cases[5].what = "memo put far out of sequence";
    cases[5].p.proto().none().raw("r").le(uint32_t{0xfffffff0}).stop();
    cases[5].expected = "out of sequence";
    cases[6].what = "append to a dict";
    cases[6].p.proto().emptyDict().int1(1).append().stop();
    cases[6].expected = "not a list";
    cases[7].what = "setitems with odd items";
    cases[7].p.proto().emptyDict().mark().int1(1).setitems().stop();
    cases[7].expected = "odd number";
    cases[8].what = "unknown opcode";
    cases[8].p.proto().raw("I1\n").stop();
    cases[8].expected = "unsupported pickle opcode 0x49";
    cases[9].what = "integer wider than 64 bits";
    cases[9].p.proto().long1(std::vector<uint8_t>(9, 1)).stop();
    cases[9].expected = "wider than 64 bits";
    for (const auto& c : cases) {
        const std::string err = parseError(c.p);
        EXPECT_NE(err.find(c.expected), std::string::npos) << c.what << ": '" << err << "'";
    }
}

TEST(TorchPickle, ReportsTheOffendingByteOffset) {
    PickleBuilder p;
    p.proto().none().none().raw("\xff").stop();
    EXPECT_NE(parseError(p).find("(byte 4)"), std::string::npos) << parseError(p);
}

TEST(TorchPickle, SurvivesCyclesAndDescribesThemFinitely) {
    // A list that contains itself is legal pickle; describing it must terminate.
    PickleBuilder p;
    p.proto().emptyList().put(0).get(0).append().stop();
    const PickleDocument doc = parse(p);
    const std::string text = describe(doc, doc.root);
    EXPECT_EQ(text.rfind("[[", 0), 0u) << text;
    EXPECT_LT(text.size(), 300u);
}

TEST(TorchPickle, DescribesValuesLikePython) {
    PickleBuilder p;
    p.proto().mark().none().int1(3).str("a").boolean(true).emptyList().tuple().stop();
    const PickleDocument doc = parse(p);
    EXPECT_EQ(describe(doc, doc.root), "(None, 3, 'a', True, [])");
}

}  // namespace
}  // namespace ca::torchpkl
