// Prompt formats: the authors' zero-shot body, 5-shot MMLU, user templates and the
// --prompt-format spec, against hand-written strings and the fixtures built by
// tests/data/prompts/render_expected.mjs (an independent JavaScript implementation).
#include <gtest/gtest.h>

#include "core/data/dataset.h"
#include "core/data/prompt_format.h"
#include "tests/unit/data/prompt_fixtures.h"
#include "tests/unit/data/test_helpers.h"

namespace {

using ca::data::ChatFamily;
using ca::data::ChatTemplate;
using ca::data::FewShotPool;
using ca::data::Item;
using ca::data::PromptBuilder;
using ca::data::PromptFormat;
using ca::data::Thinking;
using ca::test::inputErrorOf;

Item mc(std::string id, std::string subject, std::string q, std::vector<std::string> choices,
        int answer) {
    Item item;
    item.id = std::move(id);
    item.subject = std::move(subject);
    item.question = std::move(q);
    item.choices = std::move(choices);
    item.answer = answer;
    return item;
}

Item itemById(const std::string& id, const std::string& split) {
    const std::vector<Item> items =
        split == "test" ? ca::data::loadDataset("mmlu:" + ca::test::testDataDir() + "/mmlu:test")
                        : ca::data::embeddedMmluDev();
    for (const Item& item : items) {
        if (item.id == id) return item;
    }
    throw std::runtime_error("no item " + id);
}

TEST(ZeroShotBody, IsTheAuthorsFormatExactly) {
    const Item item = mc("t/0", "toy", "What is 2+2?", {"3", "4", "5", "6"}, 1);
    EXPECT_EQ(ca::data::zeroShotBody(item),
              "Question: What is 2+2?\nChoices:\nA. 3\nB. 4\nC. 5\nD. 6\nAnswer:");
}

TEST(ZeroShotBody, HasOneLetteredLinePerChoiceAndPassesTextThrough) {
    EXPECT_EQ(ca::data::zeroShotBody(mc("t/1", "toy", "Yes?", {"yes", "no"}, 0)),
              "Question: Yes?\nChoices:\nA. yes\nB. no\nAnswer:");
    Item text;
    text.text = "Die Katze sitzt auf der Matte.";
    EXPECT_EQ(ca::data::zeroShotBody(text), "Die Katze sitzt auf der Matte.");
}

TEST(ZeroShotBody, MatchesTheFixtures) {
    const auto cases = ca::test::promptCases("plain");
    ASSERT_EQ(cases.size(), 2u);
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(ca::data::zeroShotBody(itemById(c.item, "dev")), c.expected);
    }
}

TEST(FewShot, HeaderShotsWithAnswersThenTheQuestion) {
    const std::vector<Item> shots = {mc("s/0", "high_school_physics", "Q1", {"a", "b"}, 1),
                                     mc("s/1", "high_school_physics", "Q2", {"c", "d"}, 0)};
    const Item target = mc("t/0", "high_school_physics", "Q3", {"e", "f"}, -1);
    EXPECT_EQ(ca::data::fewShotBody(target, shots),
              "The following are multiple choice questions (with answers) about high school "
              "physics.\n\n"
              "Question: Q1\nChoices:\nA. a\nB. b\nAnswer: B\n\n"
              "Question: Q2\nChoices:\nA. c\nB. d\nAnswer: A\n\n"
              "Question: Q3\nChoices:\nA. e\nB. f\nAnswer:");
}

TEST(FewShot, MatchesTheFixturesWithTheEmbeddedDevExamples) {
    const auto cases = ca::test::promptCases("fewshot");
    ASSERT_EQ(cases.size(), 2u);
    const PromptBuilder builder(PromptFormat::parse("5shot+plain"), std::nullopt);
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const auto prompt = builder.build(itemById(c.item, c.split));
        EXPECT_EQ(prompt.text, c.expected);
    }
}

TEST(FewShot, ADevItemIsNeverItsOwnExample) {
    const Item target = itemById("high_school_us_history/dev/2", "dev");
    const auto examples = FewShotPool::mmluDev().examplesFor(target);
    ASSERT_EQ(examples.size(), 4u);
    for (const Item& e : examples) EXPECT_NE(e.id, target.id);
    const Item test_item = itemById("abstract_algebra/test/0", "test");
    EXPECT_EQ(FewShotPool::mmluDev().examplesFor(test_item).size(), 5u);
}

TEST(FewShot, ErrorsForFreeTextAndUnknownSubjects) {
    Item text;
    text.id = "c4/3";
    text.subject = "abstract_algebra";
    text.text = "free";
    const PromptBuilder builder(PromptFormat::parse("5shot+plain"), std::nullopt);
    EXPECT_EQ(inputErrorOf([&] { builder.build(text); }),
              "item 'c4/3': few-shot prompts need multiple-choice items");
    const Item odd = mc("x/1", "astrology", "Q", {"a", "b"}, 0);
    EXPECT_EQ(inputErrorOf([&] { builder.build(odd); }),
              "item 'x/1': needs 5 few-shot examples of subject 'astrology', the pool has 0");
}

TEST(UserTemplate, ReplacesEverySlotAndMatchesTheFixture) {
    EXPECT_EQ(ca::data::applyUserTemplate("[{prompt}|{prompt}]", "x", "t"), "[x|x]");
    const auto cases = ca::test::promptCases("template");
    ASSERT_EQ(cases.size(), 1u);
    const auto& c = cases[0];
    const PromptBuilder builder(PromptFormat::parse("template:" + c.user_template), std::nullopt);
    const auto prompt = builder.build(itemById(c.item, "dev"));
    EXPECT_EQ(prompt.text, c.expected);
    EXPECT_EQ(prompt.text.substr(prompt.body_begin, prompt.body_end - prompt.body_begin),
              ca::data::zeroShotBody(itemById(c.item, "dev")));
}

TEST(PromptFormatSpec, ParsesEveryForm) {
    PromptFormat f = PromptFormat::parse("auto");
    EXPECT_EQ(f.wrapper, PromptFormat::Wrapper::Auto);
    EXPECT_EQ(f.body, PromptFormat::Body::ZeroShot);
    EXPECT_EQ(PromptFormat::parse("plain").wrapper, PromptFormat::Wrapper::Plain);
    f = PromptFormat::parse("chat:nothink");
    EXPECT_EQ(f.wrapper, PromptFormat::Wrapper::Chat);
    EXPECT_EQ(f.thinking, Thinking::Off);
    EXPECT_EQ(PromptFormat::parse("chat:think").thinking, Thinking::On);
    EXPECT_EQ(PromptFormat::parse("chat").thinking, Thinking::Default);
    f = PromptFormat::parse("5shot");
    EXPECT_EQ(f.body, PromptFormat::Body::FiveShot);
    EXPECT_EQ(f.wrapper, PromptFormat::Wrapper::Auto);
    f = PromptFormat::parse("5shot+template:<s>\\n{prompt}\\t\\\\n+x");
    EXPECT_EQ(f.body, PromptFormat::Body::FiveShot);
    EXPECT_EQ(f.user_template, "<s>\n{prompt}\t\\n+x");
}

TEST(PromptFormatSpec, ToStringParsesBack) {
    for (const char* spec : {"auto", "plain", "chat", "chat:think", "chat:nothink", "5shot+plain",
                             "5shot+chat:nothink", "template:a\\n{prompt}\\\\b"}) {
        EXPECT_EQ(PromptFormat::parse(spec).toString(), spec);
    }
}

TEST(PromptFormatSpec, TemplateFileIsReadVerbatim) {
    const std::string path = ca::test::testDataDir() + "/prompts/templates/user_template.txt";
    const PromptFormat f = PromptFormat::parse("template-file:" + path);
    EXPECT_EQ(f.user_template,
              "### Instruction (\\n is not an escape here)\n{prompt}\n### Response:");
}

TEST(PromptFormatSpecErrors, NameTheOption) {
    EXPECT_EQ(inputErrorOf([] { PromptFormat::parse("jinja"); }),
              "--prompt-format: unknown prompt format 'jinja': expected auto, plain, chat, "
              "chat:think, chat:nothink, template:TEXT or template-file:FILE, optionally after "
              "5shot+");
    EXPECT_EQ(inputErrorOf([] { PromptFormat::parse("template:no slot"); }),
              "--prompt-format: the prompt template has no {prompt} slot");
    EXPECT_EQ(inputErrorOf([] { PromptFormat::parse("template-file:/nonexistent/t.txt"); }),
              "/nonexistent/t.txt: no such file");
    EXPECT_EQ(inputErrorOf([] { PromptFormat::parse("3shot+plain"); }).substr(0, 40),
              "--prompt-format: unknown prompt format '");
}

TEST(PromptBuilder, AutoUsesTheChatTemplateWhenThereIsOne) {
    const Item item = mc("t/0", "toy", "Q?", {"a", "b", "c", "d"}, 0);
    const auto deepseek = ChatTemplate::ofFamily(
        ChatFamily::DeepSeekV2, "<\uff5cbegin\u2581of\u2581sentence\uff5c>", "");
    const PromptBuilder with_chat(PromptFormat::parse("auto"), deepseek);
    EXPECT_EQ(with_chat.format().wrapper, PromptFormat::Wrapper::Chat);
    const auto prompt = with_chat.build(item);
    EXPECT_EQ(prompt.text, deepseek.render(ca::data::zeroShotBody(item)).text);
    EXPECT_EQ(prompt.text.substr(prompt.body_begin, prompt.body_end - prompt.body_begin),
              ca::data::zeroShotBody(item));
    EXPECT_EQ(with_chat.lastTokenNote(), "the end of the generation prompt 'Assistant:'");

    const PromptBuilder without(PromptFormat::parse("auto"), std::nullopt);
    EXPECT_EQ(without.format().wrapper, PromptFormat::Wrapper::Plain);
    EXPECT_EQ(without.build(item).text, ca::data::zeroShotBody(item));
}

TEST(PromptBuilder, FiveShotInsideAChatTemplateIsOneUserMessage) {
    const auto qwen = ChatTemplate::ofFamily(ChatFamily::Qwen3, "", "<|im_end|>");
    const PromptBuilder builder(PromptFormat::parse("5shot+chat:nothink"), qwen);
    const Item target = itemById("abstract_algebra/test/0", "test");
    const auto prompt = builder.build(target);
    const std::string body =
        ca::data::fewShotBody(target, FewShotPool::mmluDev().examplesFor(target));
    EXPECT_EQ(prompt.text, "<|im_start|>user\n" + body +
                               "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
    EXPECT_EQ(builder.describe(), "5-shot MMLU (dev examples, authors' question format) in the "
                                  "Qwen3 chat template, enable_thinking=false");
}

TEST(PromptBuilder, SystemMessageGoesIntoTheChatTemplate) {
    PromptFormat format = PromptFormat::parse("chat");
    format.system = "Be brief.";
    const auto tulu = ChatTemplate::ofFamily(ChatFamily::Tulu, "<|endoftext|>", "<|endoftext|>");
    Item text;
    text.id = "0";
    text.text = "Hello";
    EXPECT_EQ(PromptBuilder(format, tulu).build(text).text,
              "<|endoftext|><|system|>\nBe brief.\n<|user|>\nHello\n<|assistant|>\n");
}

TEST(PromptBuilderErrors, ChatNeedsATemplateThinkingNeedsQwen3SystemNeedsChat) {
    EXPECT_EQ(inputErrorOf([] { PromptBuilder(PromptFormat::parse("chat"), std::nullopt); }),
              "--prompt-format: chat asks for the checkpoint's chat template, but it has none (no "
              "chat_template in tokenizer_config.json); use plain or template:");
    const auto tulu = ChatTemplate::ofFamily(ChatFamily::Tulu, "<|endoftext|>", "<|endoftext|>");
    EXPECT_EQ(inputErrorOf([&] { PromptBuilder(PromptFormat::parse("chat:nothink"), tulu); }),
              "--prompt-format: thinking on/off applies to the Qwen3 chat template only; this "
              "checkpoint has the OLMoE-Instruct (Tulu) chat template");
    PromptFormat plain = PromptFormat::parse("plain");
    plain.system = "Be brief.";
    EXPECT_EQ(inputErrorOf([&] { PromptBuilder(plain, tulu); }),
              "--prompt-format: a system message needs a chat template");
}

}  // namespace

namespace {

TEST(AnswerLetters, HaveALeadingSpaceUnlessThePromptEndsInWhitespace) {
    EXPECT_EQ(ca::data::answerLetterTexts("...\nAnswer:"),
              (std::vector<std::string>{" A", " B", " C", " D"}));
    EXPECT_EQ(ca::data::answerLetterTexts("User: q\n\nAssistant:", 2),
              (std::vector<std::string>{" A", " B"}));
    EXPECT_EQ(ca::data::answerLetterTexts("<|im_start|>assistant\n"),
              (std::vector<std::string>{"A", "B", "C", "D"}));
    EXPECT_EQ(ca::data::answerLetterTexts("<think>\n\n</think>\n\n", 3),
              (std::vector<std::string>{"A", "B", "C"}));
}

}  // namespace
