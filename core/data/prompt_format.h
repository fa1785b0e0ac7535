// Prompt formats: the text a capture tokenises for each dataset item (docs/prompts.md).
//
// A prompt is a BODY, optionally wrapped:
//   body     zero-shot  the authors' format (router_lens.py), for a multiple-choice item
//                         "Question: {q}\nChoices:\nA. {c0}\nB. {c1}\nC. {c2}\nD. {c3}\nAnswer:"
//                       (one "X. {choice}\n" line per choice); a free-text item is its text
//            5-shot     the MMLU header "The following are multiple choice questions (with
//                       answers) about {subject with spaces}.\n\n", then the subject's first 5
//                       dev examples (less the item itself, if it is one of them), each as a
//                       zero-shot body followed by " {letter}\n\n", then the item's zero-shot
//                       body
//   wrapper  plain      the body as it is
//            chat       the body as the single user message of the checkpoint's chat template
//            template   a user template string in which "{prompt}" is replaced by the body
//
// --prompt-format SPEC, as PromptFormat::parse reads it:
//   auto (default)        chat when the checkpoint has a chat template, else plain
//   plain | chat | chat:think | chat:nothink
//   template:TEXT         TEXT with \n, \t and \\ escapes; must contain {prompt}
//   template-file:FILE    the file's text as it is; must contain {prompt}
//   5shot+W               the 5-shot body inside wrapper W (W one of the above; "5shot" alone
//                         is 5shot+auto)
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/data/chat_template.h"
#include "core/data/dataset.h"

namespace ca::data {

// The authors' zero-shot body for a multiple-choice item; a free-text item's text.
std::string zeroShotBody(const Item& item);

// "high_school_us_history" -> "high school us history".
std::string subjectDisplayName(std::string_view subject);

// The few-shot body: header, shots (each zero-shot body + " {letter}\n\n"), target body.
// InputError when the target or a shot is not multiple choice, or a shot has no answer.
std::string fewShotBody(const Item& target, const std::vector<Item>& shots);

// Replaces every "{prompt}" in `user_template` by `body`. InputError(source, ...) when the
// template has no {prompt} slot.
std::string applyUserTemplate(std::string_view user_template, std::string_view body,
                              const std::string& source);

// The texts of the answer letters as the next token after `prompt`: " A", " B", ... when the
// prompt ends in a visible character (the authors' "Answer:", DeepSeek's "Assistant:"), and
// "A", "B", ... when it ends in whitespace (the Tulu and Qwen3 generation prompts end with a
// newline). Their token ids are what a capture scores as the model's answer.
std::vector<std::string> answerLetterTexts(std::string_view prompt, int num_choices = 4);

// Few-shot examples per subject: the first `shots` items of each subject, in order.
class FewShotPool {
public:
    FewShotPool() = default;
    static FewShotPool fromItems(const std::vector<Item>& items, int shots = 5);
    // The embedded MMLU dev split (5 per subject), the standard MMLU 5-shot examples.
    static FewShotPool mmluDev();

    bool empty() const { return by_subject_.empty(); }
    int shots() const { return shots_; }
    // The examples for `target`: its subject's examples less any with the target's question
    // and choices (so a dev item is never its own example). InputError(item id, ...) when the
    // pool holds fewer than shots() examples for the subject.
    std::vector<Item> examplesFor(const Item& target) const;

private:
    int shots_ = 5;
    std::map<std::string, std::vector<Item>, std::less<>> by_subject_;
};

struct PromptFormat {
    enum class Body { ZeroShot, FiveShot };
    enum class Wrapper { Auto, Plain, Chat, Template };

    Body body = Body::ZeroShot;
    Wrapper wrapper = Wrapper::Auto;
    Thinking thinking = Thinking::Default;  // chat:think / chat:nothink (Qwen3 only)
    std::string user_template;              // Wrapper::Template, escapes already expanded
    std::string system;                     // optional system message for Wrapper::Chat

    // Throws InputError("--prompt-format", ...) for an unknown spec, a template without a
    // {prompt} slot or an unreadable template file.
    static PromptFormat parse(std::string_view spec);
    // A spec that parses back to this format (template:TEXT with escapes).
    std::string toString() const;
};

// One item's prompt.
struct RenderedPrompt {
    std::string text;
    // text.substr(body_begin, body_end - body_begin) is the body (zero- or few-shot).
    size_t body_begin = 0;
    size_t body_end = 0;
};

// Turns items into prompts for one checkpoint.
class PromptBuilder {
public:
    // `chat`: the checkpoint's template (ChatTemplate::fromModelDir). `pool`: the few-shot
    // examples for Body::FiveShot (default: the embedded MMLU dev split). Resolves
    // Wrapper::Auto. Throws InputError("--prompt-format", ...) when chat is asked for but the
    // checkpoint has none, thinking is set for a template without it, or a system message is
    // given without a chat template.
    PromptBuilder(PromptFormat format, std::optional<ChatTemplate> chat,
                  std::optional<FewShotPool> pool = std::nullopt);

    // InputError(item id, ...) when the item does not fit the format (5-shot of a free text,
    // no examples for its subject).
    RenderedPrompt build(const Item& item) const;

    const PromptFormat& format() const { return format_; }  // Wrapper::Auto resolved
    // For the trace's provenance, e.g. "zero-shot (authors' format) in the Qwen3 chat
    // template, enable_thinking=false".
    std::string describe() const;
    // Which token is the last one of every prompt (where routing is read by default).
    std::string lastTokenNote() const;

private:
    PromptFormat format_;
    std::optional<ChatTemplate> chat_;
    FewShotPool pool_;
};

}  // namespace ca::data
