// Reading safetensors files: round trips through the writer, and one hand-built header per
// validation rule, each expected to fail with a one-line message naming the file.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/capture/checkpoint/float_convert.h"
#include "core/capture/checkpoint/safetensors.h"
#include "core/capture/checkpoint/safetensors_writer.h"
#include "tests/unit/checkpoint/checkpoint_test_support.h"

namespace ca::capture {
namespace {

using test::expectInputError;
using test::safetensorsImage;
using test::ScratchDir;
using test::writeBytes;

std::vector<float> decode(const TensorView& view) {
    std::vector<float> out(static_cast<std::size_t>(view.numel()));
    decodeFloats(view.data, view.dtype, out.size(), out.data());
    return out;
}

// --- round trips -------------------------------------------------------------------------

TEST(SafetensorsRoundTrip, WriterOutputReadsBackWithDtypesShapesAndValues) {
    ScratchDir dir;
    const std::string path = dir.file("round.safetensors");
    SafetensorsWriter writer;
    const std::vector<float> weights{1.0f, -2.0f, 0.5f, 0.25f, -0.125f, 3.0f};
    writer.addFloats("a.f32", DType::F32, {2, 3}, weights);
    writer.addFloats("b.bf16", DType::BF16, {3, 2}, weights);
    writer.addFloats("c.f16", DType::F16, {6}, weights);
    std::vector<std::byte> ids(3 * 8);
    const int64_t idValues[3] = {7, -1, 1LL << 40};
    std::memcpy(ids.data(), idValues, sizeof idValues);
    writer.addBytes("d.i64", DType::I64, {3}, ids);
    writer.write(path);

    const SafetensorsFile file = SafetensorsFile::open(path);
    EXPECT_EQ(file.path(), path);
    EXPECT_EQ(file.tensorNames(), (std::vector<std::string>{"a.f32", "b.bf16", "c.f16", "d.i64"}));
    EXPECT_EQ(file.metadata().at("format"), "pt");

    const TensorView& a = file.tensor("a.f32");
    EXPECT_EQ(a.dtype, DType::F32);
    EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(a.bytes, 24u);
    EXPECT_EQ(decode(a), weights);
    EXPECT_EQ(file.tensor("b.bf16").shape, (std::vector<int64_t>{3, 2}));
    EXPECT_EQ(decode(file.tensor("b.bf16")), weights);
    EXPECT_EQ(decode(file.tensor("c.f16")), weights);
    const TensorView& d = file.tensor("d.i64");
    int64_t back[3];
    std::memcpy(back, d.data, sizeof back);
    EXPECT_EQ(back[0], 7);
    EXPECT_EQ(back[1], -1);
    EXPECT_EQ(back[2], 1LL << 40);
}

TEST(SafetensorsRoundTrip, HeaderIsPaddedToEightBytesAndTensorsAreAligned) {
    ScratchDir dir;
    const std::string path = dir.file("aligned.safetensors");
    SafetensorsWriter writer;
    const std::vector<float> values(5, 1.0f);
    writer.addFloats("x", DType::BF16, {5}, values);  // 10 bytes
    writer.addFloats("longer_name", DType::F32, {5}, values);
    writer.write(path);

    const std::string bytes = test::readBytes(path);
    uint64_t headerLength = 0;
    std::memcpy(&headerLength, bytes.data(), 8);
    EXPECT_EQ(headerLength % 8, 0u);
    const std::string header = bytes.substr(8, headerLength);
    const nlohmann::json parsed = nlohmann::json::parse(header);  // trailing spaces are fine
    // The reference writer lays out larger element types first.
    EXPECT_EQ(parsed["longer_name"]["data_offsets"], nlohmann::json({0, 20}));
    EXPECT_EQ(parsed["x"]["data_offsets"], nlohmann::json({20, 30}));
    EXPECT_EQ(bytes.size(), 8 + headerLength + 30);

    const SafetensorsFile file = SafetensorsFile::open(path);
    for (const TensorView& view : file.tensors()) EXPECT_TRUE(view.isAligned()) << view.name;
}

TEST(SafetensorsRoundTrip, ScalarsAndEmptyTensorsAreAllowed) {
    ScratchDir dir;
    const std::string path = dir.file("edge.safetensors");
    writeBytes(path,
               safetensorsImage(R"({"scalar":{"dtype":"F32","shape":[],"data_offsets":[0,4]},)"
                                R"("empty":{"dtype":"BF16","shape":[0,7],"data_offsets":[4,4]}})",
                                std::string(4, '\0')));
    const SafetensorsFile file = SafetensorsFile::open(path);
    EXPECT_EQ(file.tensor("scalar").numel(), 1);
    EXPECT_EQ(file.tensor("empty").numel(), 0);
    EXPECT_EQ(file.tensor("empty").bytes, 0u);
}

TEST(SafetensorsRoundTrip, MovingTheFileKeepsViewsValid) {
    ScratchDir dir;
    const std::string path = dir.file("move.safetensors");
    SafetensorsWriter writer;
    const std::vector<float> values{4.0f, 5.0f};
    writer.addFloats("w", DType::F32, {2}, values);
    writer.write(path);
    SafetensorsFile first = SafetensorsFile::open(path);
    const void* data = first.tensor("w").data;
    SafetensorsFile second = std::move(first);
    EXPECT_EQ(second.tensor("w").data, data);
    EXPECT_EQ(decode(second.tensor("w")), values);
}

TEST(SafetensorsRoundTrip, MissingTensorLookupNamesTheFile) {
    ScratchDir dir;
    const std::string path = dir.file("one.safetensors");
    SafetensorsWriter writer;
    writer.addFloats("w", DType::F32, {1}, std::vector<float>{1.0f});
    writer.write(path);
    const SafetensorsFile file = SafetensorsFile::open(path);
    EXPECT_EQ(file.find("v"), nullptr);
    expectInputError([&] { (void)file.tensor("v"); }, path, "no tensor 'v'");
}

// --- validation: one rule each -------------------------------------------------------------

class SafetensorsValidation : public ::testing::Test {
protected:
    // Writes the image and expects opening it to fail with problemPart.
    void expectRejected(const std::string& image, const std::string& problemPart) {
        const std::string path = dir_.file("bad.safetensors");
        writeBytes(path, image);
        expectInputError([&] { (void)SafetensorsFile::open(path); }, path, problemPart);
    }
    ScratchDir dir_;
};

TEST_F(SafetensorsValidation, RejectsAFileShorterThanTheLengthField) {
    expectRejected(std::string("\x05\x00\x00", 3), "too short for a safetensors file (3 bytes");
}

TEST_F(SafetensorsValidation, RejectsAnEmptyFile) {
    expectRejected("", "too short for a safetensors file (0 bytes");
}

TEST_F(SafetensorsValidation, RejectsAHeaderLengthPastTheEndOfTheFile) {
    expectRejected(safetensorsImage("{}", "", 1000),
                   "header length 1000 runs past the end of the file (10 bytes)");
}

TEST_F(SafetensorsValidation, RejectsAHeaderLengthAboveTheLimit) {
    expectRejected(safetensorsImage("{}", "", 100'000'001), "exceeds the limit of 100000000");
    expectRejected(safetensorsImage("{}", "", ~0ull), "exceeds the limit");
}

TEST_F(SafetensorsValidation, RejectsAHeaderThatIsNotJson) {
    expectRejected(safetensorsImage("{\"a\": ", ""), "the safetensors header is not valid JSON");
}

TEST_F(SafetensorsValidation, RejectsInvalidUtf8InTheHeader) {
    expectRejected(safetensorsImage("{\"a\xff\": 1}", ""), "not valid JSON");
}

TEST_F(SafetensorsValidation, RejectsAHeaderThatIsNotAnObject) {
    expectRejected(safetensorsImage("[1, 2]", ""), "header is not a JSON object");
}

TEST_F(SafetensorsValidation, RejectsDuplicateTensorNames) {
    expectRejected(safetensorsImage(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                    R"("w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                    std::string(8, '\0')),
                   "duplicate key 'w'");
}

TEST_F(SafetensorsValidation, RejectsOffsetsOutsideTheDataSection) {
    expectRejected(safetensorsImage(R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})",
                                    std::string(8, '\0')),
                   "tensor 'w': data_offsets [0, 16] run past the end of the data section (8 "
                   "bytes); the file may be truncated");
}

TEST_F(SafetensorsValidation, RejectsATruncatedFile) {
    // A valid two-tensor file cut short in its data section.
    const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                               R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})";
    expectRejected(safetensorsImage(header, std::string(11, '\0')),
                   "tensor 'b': data_offsets [8, 16] run past the end of the data section (11");
}

TEST_F(SafetensorsValidation, RejectsOverlappingTensors) {
    expectRejected(safetensorsImage(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                    R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                                    std::string(12, '\0')),
                   "tensor 'b': data_offsets [4, 12] overlap tensor 'a' [0, 8]");
}

TEST_F(SafetensorsValidation, RejectsTwoTensorsSharingBytes) {
    expectRejected(safetensorsImage(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                    R"("b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                                    std::string(8, '\0')),
                   "overlap tensor");
}

TEST_F(SafetensorsValidation, RejectsAHoleBetweenTensors) {
    expectRejected(safetensorsImage(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                    R"("b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}})",
                                    std::string(20, '\0')),
                   "tensor 'b': data_offsets [12, 20] leave a gap of 4 unused bytes");
}

TEST_F(SafetensorsValidation, RejectsBytesAfterTheLastTensor) {
    expectRejected(safetensorsImage(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
                                    std::string(12, '\0')),
                   "4 bytes after the last tensor");
}

TEST_F(SafetensorsValidation, RejectsAByteCountThatDoesNotMatchDtypeAndShape) {
    expectRejected(safetensorsImage(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})",
                                    std::string(8, '\0')),
                   "tensor 'w': data_offsets [0, 8] hold 8 bytes but F32 [3] needs 12");
}

TEST_F(SafetensorsValidation, RejectsAnUnknownDtype) {
    expectRejected(safetensorsImage(R"({"w":{"dtype":"F7","shape":[1],"data_offsets":[0,1]}})",
                                    std::string(1, '\0')),
                   "tensor 'w' has unsupported dtype 'F7' (supported: F32, F16, BF16");
}

TEST_F(SafetensorsValidation, RejectsFloat8WhichNoModelHereUses) {
    expectRejected(safetensorsImage(R"({"w":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})",
                                    std::string(1, '\0')),
                   "unsupported dtype 'F8_E4M3'");
}

TEST_F(SafetensorsValidation, RejectsADtypeThatIsNotAString) {
    expectRejected(safetensorsImage(R"({"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}})",
                                    std::string(4, '\0')),
                   "tensor 'w': dtype is not a string");
}

TEST_F(SafetensorsValidation, RejectsANegativeDimension) {
    expectRejected(safetensorsImage(R"({"w":{"dtype":"F32","shape":[-1,2],"data_offsets":[0,8]}})",
                                    std::string(8, '\0')),
                   "tensor 'w': shape [-1,2] has an entry that is not a non-negative integer");
}

TEST_F(SafetensorsValidation, RejectsAFractionalDimension) {
    expectRejected(safetensorsImage(R"({"w":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})",
                                    std::string(8, '\0')),
                   "not a non-negative integer");
}

TEST_F(SafetensorsValidation, RejectsAShapeWhoseElementCountOverflows) {
    expectRejected(
        safetensorsImage(
            R"({"w":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", ""),
        "tensor 'w': shape [4294967296,4294967296] has more elements than fit in 64 bits");
}

TEST_F(SafetensorsValidation, RejectsADimensionAboveInt64) {
    expectRejected(
        safetensorsImage(
            R"({"w":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,0]}})", ""),
        "more elements than fit in 64 bits");
}

TEST_F(SafetensorsValidation, RejectsAShapeWhoseByteCountOverflows) {
    expectRejected(
        safetensorsImage(
            R"({"w":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}})", ""),
        "tensor 'w': shape [4611686018427387904] needs more bytes than fit in 64 bits");
}

TEST_F(SafetensorsValidation, RejectsOffsetsThatEndBeforeTheyBegin) {
    expectRejected(safetensorsImage(R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}})",
                                    std::string(8, '\0')),
                   "tensor 'w': data_offsets [8, 0] end before they begin");
}

TEST_F(SafetensorsValidation, RejectsOffsetsThatAreNotAPair) {
    expectRejected(safetensorsImage(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}})",
                                    std::string(1, '\0')),
                   "is not a pair [begin, end] of non-negative integers");
    expectRejected(safetensorsImage(R"({"w":{"dtype":"U8","shape":[1],"data_offsets":[-1,0]}})",
                                    std::string(1, '\0')),
                   "is not a pair");
}

TEST_F(SafetensorsValidation, RejectsEntriesWithMissingFields) {
    expectRejected(safetensorsImage(R"({"w":{"shape":[1],"data_offsets":[0,1]}})", "x"),
                   "tensor 'w': header entry has no dtype");
    expectRejected(safetensorsImage(R"({"w":{"dtype":"U8","data_offsets":[0,1]}})", "x"),
                   "tensor 'w': header entry has no shape");
    expectRejected(safetensorsImage(R"({"w":{"dtype":"U8","shape":[1]}})", "x"),
                   "tensor 'w': header entry has no data_offsets");
    expectRejected(safetensorsImage(R"({"w":[1]})", ""),
                   "tensor 'w': header entry is not a JSON object");
}

TEST_F(SafetensorsValidation, RejectsMetadataThatIsNotStringToString) {
    expectRejected(safetensorsImage(R"({"__metadata__":{"format":"pt","step":5}})", ""),
                   "__metadata__ entry 'step' is not a string");
    expectRejected(safetensorsImage(R"({"__metadata__":[1]})", ""),
                   "__metadata__ is not a JSON object");
}

TEST_F(SafetensorsValidation, KeepsMessagesOnOneLineWhenANameHoldsControlCharacters) {
    expectRejected(safetensorsImage("{\"bad\\nname\":{\"dtype\":\"F7\",\"shape\":[1],"
                                    "\"data_offsets\":[0,1]}}",
                                    "x"),
                   "tensor 'bad\\x0aname' has unsupported dtype");
}

TEST_F(SafetensorsValidation, RejectsAbsurdNesting) {
    expectRejected(safetensorsImage(std::string(1000, '[') + std::string(1000, ']'), ""),
                   "nesting deeper than 64 levels");
}

TEST_F(SafetensorsValidation, RejectsAMissingFileAndADirectory) {
    const std::string missing = dir_.file("missing.safetensors");
    expectInputError([&] { (void)SafetensorsFile::open(missing); }, missing,
                     "cannot open safetensors file: No such file or directory");
    const std::string directory = dir_.path().string();
    expectInputError([&] { (void)SafetensorsFile::open(directory); }, directory,
                     "not a regular file");
}

TEST(SafetensorsLayout, ParsesAnImageInMemoryWithoutAFile) {
    const std::string image = safetensorsImage(
        R"({"w":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,8]}}  )", std::string(8, '\0'));
    const auto layout = parseSafetensorsLayout(
        {reinterpret_cast<const std::byte*>(image.data()), image.size()}, "memory");
    ASSERT_EQ(layout.tensors.size(), 1u);
    EXPECT_EQ(layout.tensors[0].name, "w");
    EXPECT_EQ(layout.tensors[0].dtype, DType::BF16);
    EXPECT_EQ(layout.data_offset, image.size() - 8);
}

}  // namespace
}  // namespace ca::capture
