// Chat templates: the hand-written renderers against the official Jinja rendering of the real
// templates (fixtures from @huggingface/jinja, cross-checked with Python jinja2; see
// docs/prompts.md), recognition of the template text, and errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "core/data/chat_template.h"
#include "core/data/dataset.h"
#include "core/data/prompt_format.h"
#include "tests/unit/data/prompt_fixtures.h"
#include "tests/unit/data/test_helpers.h"

namespace {

using ca::data::ChatFamily;
using ca::data::ChatTemplate;
using ca::data::Thinking;
using ca::test::inputErrorOf;
using ca::test::readFileBytes;

const std::string kDeepSeekBos = "<\uff5cbegin\u2581of\u2581sentence\uff5c>";

std::string fixture(const std::string& relative) {
    return readFileBytes(ca::test::promptsDir() + "/" + relative);
}

ChatTemplate templateOfCase(const ca::test::PromptCase& c) {
    const std::string path = ca::test::promptsDir() + "/" + c.template_file;
    if (path.size() > 5 && path.substr(path.size() - 5) == ".json") {
        auto t = ChatTemplate::fromTokenizerConfig(readFileBytes(path), path);
        if (!t) throw std::runtime_error(path + " has no chat template");
        return *t;
    }
    return ChatTemplate::recognise(readFileBytes(path), c.bos_token.value_or(""),
                                   c.eos_token.value_or(""), path);
}

Thinking thinkingOfCase(const ca::test::PromptCase& c) {
    if (!c.enable_thinking) return Thinking::Default;
    return *c.enable_thinking ? Thinking::On : Thinking::Off;
}

TEST(ChatTemplateFixtures, EveryCaseRendersExactlyAsJinja) {
    const auto cases = ca::test::promptCases("chat");
    ASSERT_EQ(cases.size(), 13u);
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const ChatTemplate chat = templateOfCase(c);
        EXPECT_EQ(chat.name(), c.template_name);
        const ChatTemplate::Rendered r =
            chat.render(c.user, c.system.value_or(""), thinkingOfCase(c));
        EXPECT_EQ(r.text, c.expected);
        EXPECT_EQ(r.text.substr(r.content_begin, r.content_end - r.content_begin), c.user);
    }
}

TEST(ChatTemplateFixtures, UserMessagesAreTheAuthorsZeroShotBodies) {
    const std::vector<ca::data::Item> dev = ca::data::embeddedMmluDev();
    int checked = 0;
    for (const auto& c : ca::test::promptCases("chat")) {
        if (c.item.empty()) continue;
        SCOPED_TRACE(c.name);
        bool found = false;
        for (const auto& item : dev) {
            if (item.id != c.item) continue;
            EXPECT_EQ(ca::data::zeroShotBody(item), c.user);
            found = true;
        }
        EXPECT_TRUE(found) << c.item;
        ++checked;
    }
    EXPECT_EQ(checked, 9);
}

TEST(ChatTemplate, RecognisesTheRealTemplateFiles) {
    const auto qwen = ChatTemplate::fromTokenizerConfig(
        fixture("templates/qwen3/tokenizer_config.json"), "qwen3/tokenizer_config.json");
    ASSERT_TRUE(qwen.has_value());
    EXPECT_EQ(qwen->family(), ChatFamily::Qwen3);
    EXPECT_EQ(qwen->eosToken(), "<|im_end|>");
    EXPECT_EQ(qwen->bosToken(), "");  // bos_token is null in Qwen3's config

    const ChatTemplate deepseek = ChatTemplate::recognise(
        fixture("templates/deepseek-v2/deepseek-v2.chat_template.jinja"), kDeepSeekBos, "", "ds");
    EXPECT_EQ(deepseek.family(), ChatFamily::DeepSeekV2);

    const ChatTemplate tulu = ChatTemplate::recognise(
        fixture("templates/olmoe-instruct/chat_template.jinja"), "<|endoftext|>", "<|endoftext|>",
        "olmoe");
    EXPECT_EQ(tulu.family(), ChatFamily::Tulu);
}

TEST(ChatTemplate, EmbeddedReferencesEqualTheFixtureCopies) {
    EXPECT_EQ(ChatTemplate::referenceText(ChatFamily::DeepSeekV2),
              fixture("templates/deepseek-v2/deepseek-v2.chat_template.jinja"));
    EXPECT_EQ(ChatTemplate::referenceText(ChatFamily::Tulu),
              fixture("templates/olmoe-instruct/chat_template.jinja"));
    const auto config = nlohmann::json::parse(fixture("templates/qwen3/tokenizer_config.json"));
    EXPECT_EQ(ChatTemplate::referenceText(ChatFamily::Qwen3),
              config.at("chat_template").get<std::string>());
}

TEST(ChatTemplateRecognition, IgnoresWhitespaceThatCannotChangeTheRendering) {
    const std::string deepseek(ChatTemplate::referenceText(ChatFamily::DeepSeekV2));
    // Spaces inside tags, a final newline, CRLF line ends: same template.
    std::string variant = deepseek;
    variant.replace(variant.find("{{ bos_token }}"), 15, "{{bos_token}}");
    variant.replace(variant.find("{% endfor %}"), 12, "{%   endfor\n%}");
    variant += "\n";
    EXPECT_EQ(ChatTemplate::recognise(variant, kDeepSeekBos, "", "v").family(),
              ChatFamily::DeepSeekV2);

    std::string qwen(ChatTemplate::referenceText(ChatFamily::Qwen3));
    std::string crlf;
    for (char c : qwen) {
        if (c == '\n') crlf += '\r';
        crlf += c;
    }
    EXPECT_EQ(ChatTemplate::recognise(crlf, "", "<|im_end|>", "v").family(), ChatFamily::Qwen3);
}

TEST(ChatTemplateRecognition, AnyChangeThatCouldRenderDifferentlyIsUnknown) {
    const std::string deepseek(ChatTemplate::referenceText(ChatFamily::DeepSeekV2));
    const std::string advice =
        "v: unrecognised chat template (known: OLMoE-1B-7B-0924-Instruct/Tulu, Qwen3, "
        "DeepSeek-V2-Chat); use --prompt-format plain (no template) or --prompt-format "
        "template:TEXT / template-file:FILE with a {prompt} slot";
    // Whitespace inside a string literal is content.
    std::string in_string = deepseek;
    in_string.replace(in_string.find("'User: '"), 8, "'User:  '");
    EXPECT_EQ(inputErrorOf([&] { ChatTemplate::recognise(in_string, kDeepSeekBos, "", "v"); }),
              advice);
    // Text between tags is content.
    EXPECT_EQ(inputErrorOf([&] { ChatTemplate::recognise(" " + deepseek, kDeepSeekBos, "", "v"); }),
              advice);
    EXPECT_EQ(inputErrorOf([&] { ChatTemplate::recognise("{{ messages }}", "", "", "v"); }),
              advice);
}

TEST(ChatTemplateRecognition, NormaliseKeepsStringLiteralsAndCollapsesTagWhitespace) {
    EXPECT_EQ(ChatTemplate::normalise("{{  'a  b' +\n x }} text  {%- if y  -%}\n"),
              "{{'a  b' + x}} text  {%- if y -%}");
    EXPECT_EQ(ChatTemplate::normalise("{{ \"q\\\"  }}\" }}x"), "{{\"q\\\"  }}\"}}x");
    EXPECT_EQ(ChatTemplate::normalise("a\r\nb\rc"), "a\nb\nc");
    EXPECT_EQ(ChatTemplate::normalise("{# a   comment #}"), "{#a comment#}");
    EXPECT_EQ(ChatTemplate::normalise("{{ unterminated"), "{{unterminated}}");
}

TEST(ChatTemplate, GenerationPromptEndsEveryRendering) {
    const auto tulu = ChatTemplate::ofFamily(ChatFamily::Tulu, "<|endoftext|>", "<|endoftext|>");
    const auto qwen = ChatTemplate::ofFamily(ChatFamily::Qwen3, "", "<|im_end|>");
    const auto deepseek = ChatTemplate::ofFamily(ChatFamily::DeepSeekV2, kDeepSeekBos, "");
    EXPECT_EQ(tulu.render("Q").text, "<|endoftext|><|user|>\nQ\n<|assistant|>\n");
    EXPECT_EQ(qwen.render("Q").text, "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n");
    EXPECT_EQ(qwen.render("Q", "", Thinking::On).text, qwen.render("Q").text);
    EXPECT_EQ(qwen.render("Q", "", Thinking::Off).text,
              "<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
    EXPECT_EQ(deepseek.render("Q").text, kDeepSeekBos + "User: Q\n\nAssistant:");
    EXPECT_EQ(deepseek.lastTokenNote(), "the end of the generation prompt 'Assistant:'");
}

TEST(ChatTemplateErrors, ThinkingSwitchIsForQwen3Only) {
    const auto deepseek = ChatTemplate::ofFamily(ChatFamily::DeepSeekV2, kDeepSeekBos, "");
    EXPECT_EQ(inputErrorOf([&] { deepseek.render("Q", "", Thinking::Off); }),
              "--prompt-format: thinking on/off applies to the Qwen3 chat template only; this "
              "checkpoint has the DeepSeek-V2 chat template");
}

TEST(ChatTemplateErrors, TemplatesThatUseBosNeedOne) {
    EXPECT_EQ(inputErrorOf([] {
                  ChatTemplate::recognise(ChatTemplate::referenceText(ChatFamily::DeepSeekV2), "",
                                          "", "tokenizer_config.json");
              }),
              "tokenizer_config.json: the chat template begins with bos_token, but the tokenizer "
              "configuration defines no bos_token");
}

class ChatTemplateModelDir : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("ca_data_tests_model_" + std::to_string(::getpid()));
        std::filesystem::remove_all(dir_);
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    void write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name, std::ios::binary) << text;
    }
    std::filesystem::path dir_;
};

TEST_F(ChatTemplateModelDir, TokenizerConfigWithTokenObjects) {
    nlohmann::json config;
    config["bos_token"] = {{"__type", "AddedToken"}, {"content", kDeepSeekBos}, {"lstrip", false}};
    config["eos_token"] = {{"content", "<\uff5cend\u2581of\u2581sentence\uff5c>"}};
    config["chat_template"] = std::string(ChatTemplate::referenceText(ChatFamily::DeepSeekV2));
    write("tokenizer_config.json", config.dump());
    const auto chat = ChatTemplate::fromModelDir(dir_.string());
    ASSERT_TRUE(chat.has_value());
    EXPECT_EQ(chat->family(), ChatFamily::DeepSeekV2);
    EXPECT_EQ(chat->bosToken(), kDeepSeekBos);
}

TEST_F(ChatTemplateModelDir, ChatTemplateJinjaFileTakesPrecedence) {
    nlohmann::json config;
    config["bos_token"] = "<|endoftext|>";
    config["eos_token"] = "<|endoftext|>";
    config["chat_template"] = std::string(ChatTemplate::referenceText(ChatFamily::DeepSeekV2));
    write("tokenizer_config.json", config.dump());
    write("chat_template.jinja", std::string(ChatTemplate::referenceText(ChatFamily::Tulu)) + "\n");
    const auto chat = ChatTemplate::fromModelDir(dir_.string());
    ASSERT_TRUE(chat.has_value());
    EXPECT_EQ(chat->family(), ChatFamily::Tulu);
}

TEST_F(ChatTemplateModelDir, NamedTemplateListUsesDefault) {
    nlohmann::json config;
    config["eos_token"] = "<|im_end|>";
    config["chat_template"] = nlohmann::json::array(
        {{{"name", "tool_use"}, {"template", "{{ x }}"}},
         {{"name", "default"},
          {"template", std::string(ChatTemplate::referenceText(ChatFamily::Qwen3))}}});
    write("tokenizer_config.json", config.dump());
    EXPECT_EQ(ChatTemplate::fromModelDir(dir_.string())->family(), ChatFamily::Qwen3);
}

TEST_F(ChatTemplateModelDir, NoChatTemplateMeansNone) {
    EXPECT_FALSE(ChatTemplate::fromModelDir(dir_.string()).has_value());  // no config at all
    write("tokenizer_config.json", R"({"bos_token": null, "eos_token": "<|endoftext|>"})");
    EXPECT_FALSE(ChatTemplate::fromModelDir(dir_.string()).has_value());
}

TEST_F(ChatTemplateModelDir, UnknownOrMalformedTemplatesAreInputErrors) {
    write("tokenizer_config.json", R"({"chat_template": "{{ messages[0].content }}"})");
    const std::string path = (dir_ / "tokenizer_config.json").string();
    EXPECT_EQ(inputErrorOf([&] { ChatTemplate::fromModelDir(dir_.string()); })
                  .rfind(path + ": unrecognised chat template", 0),
              0u);
    write("tokenizer_config.json", R"({"chat_template": 7})");
    EXPECT_EQ(inputErrorOf([&] { ChatTemplate::fromModelDir(dir_.string()); }),
              path + ": 'chat_template' must be a string or a list of named templates");
    write("tokenizer_config.json", R"({"chat_template": [{"name": "rag", "template": "x"}]})");
    EXPECT_EQ(inputErrorOf([&] { ChatTemplate::fromModelDir(dir_.string()); }),
              path + ": 'chat_template' lists no template named 'default'");
    write("tokenizer_config.json", R"({"bos_token": 5, "chat_template": "x"})");
    EXPECT_EQ(inputErrorOf([&] { ChatTemplate::fromModelDir(dir_.string()); }),
              path + ": 'bos_token' must be a string or an object with a string 'content'");
    write("tokenizer_config.json", "{not json");
    EXPECT_EQ(inputErrorOf([&] { ChatTemplate::fromModelDir(dir_.string()); })
                  .rfind(path + ": not valid JSON: ", 0),
              0u);
    std::filesystem::remove(dir_ / "tokenizer_config.json");
    write("chat_template.jinja", "{{ x }}");
    EXPECT_EQ(inputErrorOf([&] { ChatTemplate::fromModelDir(dir_.string()); }),
              path + ": missing; it defines the special tokens that chat_template.jinja uses");
}

}  // namespace
