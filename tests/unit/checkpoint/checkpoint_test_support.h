// Shared helpers for the checkpoint tests: scratch directories, hand-built safetensors
// bytes, and an assertion for one-line ca::InputError messages.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "core/util/input_error.h"

namespace ca::capture::test {

// A fresh directory under the test temp dir, removed when the object goes. Named after the
// test plus a counter, so that one test can hold several.
class ScratchDir {
public:
    ScratchDir() {
        static int created = 0;
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = std::string(info->test_suite_name()) + "_" + info->name();
        for (char& c : name) {
            if (c == '/') c = '_';  // parameterised test names
        }
        path_ = std::filesystem::path(::testing::TempDir()) /
                ("ca_checkpoint_" + name + "_" + std::to_string(++created));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

inline void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// 8-byte little-endian length, the header text as given, then the data bytes.
inline std::string safetensorsImage(const std::string& header, const std::string& data,
                                    uint64_t declaredLength) {
    std::string out;
    for (int i = 0; i < 8; ++i) out += static_cast<char>((declaredLength >> (8 * i)) & 0xff);
    return out + header + data;
}
inline std::string safetensorsImage(const std::string& header, const std::string& data) {
    return safetensorsImage(header, data, header.size());
}

// Runs `action`, which must throw ca::InputError whose file is `file` and whose problem
// contains `problemPart`; the whole message must be one line naming the file.
inline void expectInputError(const std::function<void()>& action, const std::string& file,
                             const std::string& problemPart) {
    try {
        action();
        ADD_FAILURE() << "expected an InputError about " << file << ": " << problemPart;
    } catch (const InputError& error) {
        const std::string message = error.what();
        EXPECT_EQ(error.file(), file) << message;
        EXPECT_NE(error.problem().find(problemPart), std::string::npos)
            << "message: " << message << "\nexpected to contain: " << problemPart;
        EXPECT_EQ(message.find('\n'), std::string::npos) << "not one line: " << message;
        EXPECT_EQ(message.find(file), 0u) << "does not start with the file: " << message;
    }
}

}  // namespace ca::capture::test
