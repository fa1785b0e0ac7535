// Reads tests/data/prompts/cases.json, the prompt fixtures written by render_expected.mjs
// (@huggingface/jinja for chat templates; see docs/prompts.md).
#pragma once

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/unit/data/data_test_paths.h"

namespace ca::test {

inline std::string readFileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

struct PromptCase {
    std::string name;
    std::string kind;  // chat, plain, fewshot, template
    std::string template_name;
    std::string template_file;
    std::optional<std::string> bos_token, eos_token, system;
    std::optional<bool> enable_thinking;
    std::string user;
    std::string item;  // dataset id of the item the prompt is built from ("" if none)
    std::string split;
    std::string user_template;
    std::string expected;  // the expected text
};

inline std::vector<PromptCase> promptCases(const std::string& kind) {
    const auto root = nlohmann::json::parse(readFileBytes(promptsDir() + "/cases.json"));
    const auto opt = [](const nlohmann::json& j, const char* key) -> std::optional<std::string> {
        if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
        return j.at(key).get<std::string>();
    };
    std::vector<PromptCase> cases;
    for (const auto& c : root.at("cases")) {
        if (c.at("kind") != kind) continue;
        PromptCase pc;
        pc.name = c.at("name");
        pc.kind = c.at("kind");
        pc.template_name = opt(c, "template").value_or("");
        pc.template_file = opt(c, "template_file").value_or("");
        pc.bos_token = opt(c, "bos_token");
        pc.eos_token = opt(c, "eos_token");
        pc.system = opt(c, "system");
        if (c.contains("enable_thinking") && !c.at("enable_thinking").is_null()) {
            pc.enable_thinking = c.at("enable_thinking").get<bool>();
        }
        pc.user = opt(c, "user").value_or("");
        pc.item = opt(c, "user_item").value_or(opt(c, "item").value_or(""));
        pc.split = opt(c, "split").value_or("");
        pc.user_template = opt(c, "user_template").value_or("");
        pc.expected = readFileBytes(promptsDir() + "/" + c.at("expected").get<std::string>());
        cases.push_back(std::move(pc));
    }
    return cases;
}

}  // namespace ca::test
