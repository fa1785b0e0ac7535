// Shared helpers for the tokenizer tests: fixture paths, loaded tokenizers (loaded once per
// test program; the Qwen3 file is 11 MB) and the llama.cpp vector files.
#pragma once

#include "core/capture/tokenizer/tokenizer.h"

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace ca::tok::testing {

inline std::string fixturePath(const std::string& relative) {
    return std::string(CA_TEST_DATA_DIR) + "/tokenizers/" + relative;
}

inline std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline const Tokenizer& qwen3() {
    static const Tokenizer t = Tokenizer::fromFile(fixturePath("qwen3"));
    return t;
}
inline const Tokenizer& deepseek() {
    static const Tokenizer t = Tokenizer::fromFile(fixturePath("deepseek-v2"));
    return t;
}
inline const Tokenizer& olmoe() {
    static const Tokenizer t = Tokenizer::fromFile(fixturePath("olmoe-1b-7b-0924"));
    return t;
}

struct Vector {
    std::string text;
    std::vector<int32_t> ids;
};

// llama.cpp's test-tokenizer-0 format: texts separated by "\n__ggml_vocab_test__\n" (the file
// ends with one), and one line of space-separated ids per text.
inline std::vector<Vector> readVectors(const std::string& stem) {
    const std::string inp = readText(stem + ".inp");
    const std::string out = readText(stem + ".out");
    const std::string sep = "\n__ggml_vocab_test__\n";
    std::vector<std::string> texts;
    std::size_t start = 0;
    for (std::size_t pos; (pos = inp.find(sep, start)) != std::string::npos;
         start = pos + sep.size())
        texts.push_back(inp.substr(start, pos - start));
    std::vector<Vector> vectors;
    std::istringstream lines(out);
    std::string line;
    for (const std::string& text : texts) {
        if (!std::getline(lines, line)) break;
        Vector v{text, {}};
        std::istringstream ids(line);
        for (long id; ids >> id;)
            v.ids.push_back(static_cast<int32_t>(id));
        vectors.push_back(std::move(v));
    }
    return vectors;
}

}  // namespace ca::tok::testing
