// Chat templates of the supported model families, rendered by hand-written C++ for one user
// message (optionally after a system message) with add_generation_prompt=true.
//
// A checkpoint's template (tokenizer_config.json "chat_template", or chat_template.jinja) is
// recognised by comparing it with the reference texts in resources/chat_templates/ after
// normalise(), which only removes differences that cannot change what Jinja renders. An
// unknown template is an InputError that says to use --prompt-format plain or template:.
// The renderers equal the official Jinja rendering (transformers' apply_chat_template, Jinja
// with trim_blocks and lstrip_blocks) for these inputs: tests compare them with strings
// rendered by @huggingface/jinja (tests/data/prompts, docs/prompts.md).
//
//   family     single user turn, generation prompt on                        last text
//   Tulu       BOS "<|user|>\n" U "\n<|assistant|>\n"                        "<|assistant|>\n"
//   Qwen3      "<|im_start|>user\n" U "<|im_end|>\n<|im_start|>assistant\n"   "assistant\n"
//              + "<think>\n\n</think>\n\n" when thinking is off                "</think>\n\n"
//   DeepSeekV2 BOS "User: " U "\n\nAssistant:"                                "Assistant:"
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ca::data {

enum class ChatFamily {
    Tulu,        // OLMoE-1B-7B-0924-Instruct (open-instruct's Tulu format, BOS first)
    Qwen3,       // Qwen3 incl. Qwen3-30B-A3B (ChatML with enable_thinking)
    DeepSeekV2,  // DeepSeek-V2(-Lite)-Chat
};

// Qwen3's enable_thinking: Default = not passed (the template then behaves as On).
enum class Thinking { Default, On, Off };

class ChatTemplate {
public:
    // The template of a checkpoint directory: DIR/chat_template.jinja when present (newer
    // transformers save it there), else "chat_template" of DIR/tokenizer_config.json; the
    // special tokens come from tokenizer_config.json. nullopt when the checkpoint has no chat
    // template. InputError for an unreadable or malformed file or an unknown template.
    static std::optional<ChatTemplate> fromModelDir(const std::string& dir);
    // The same from the text of a tokenizer_config.json (`source` names it in errors).
    static std::optional<ChatTemplate> fromTokenizerConfig(std::string_view json_text,
                                                           const std::string& source);
    // Recognises a template text. bos/eos: the tokenizer's special token strings ("" if none).
    static ChatTemplate recognise(std::string_view jinja, std::string bos_token,
                                  std::string eos_token, const std::string& source);
    // A known family with the given special tokens (for tests and synthetic checkpoints).
    static ChatTemplate ofFamily(ChatFamily family, std::string bos_token, std::string eos_token);

    // The reference template text of a family (resources/chat_templates/*.jinja).
    static std::string_view referenceText(ChatFamily family);
    // Canonical form used for recognition: line ends unified to "\n"; inside {{ }}, {% %} and
    // {# #} tags, outside string literals, whitespace runs become one space and are trimmed at
    // the tag ends; one final "\n" of the template is dropped (Jinja's keep_trailing_newline
    // is off). None of these changes what the template renders.
    static std::string normalise(std::string_view jinja);

    ChatFamily family() const { return family_; }
    // "tulu", "qwen3" or "deepseek-v2".
    std::string_view name() const;
    // Human description, e.g. "DeepSeek-V2 chat template".
    std::string_view description() const;
    bool supportsThinking() const { return family_ == ChatFamily::Qwen3; }
    const std::string& bosToken() const { return bos_; }
    const std::string& eosToken() const { return eos_; }

    struct Rendered {
        std::string text;
        size_t content_begin = 0;  // the user message is text.substr(content_begin,
        size_t content_end = 0;    //                                content_end - content_begin)
    };
    // One user turn (after a system turn when `system` is non-empty), generation prompt on.
    // InputError when `thinking` is On/Off for a family without a thinking switch.
    Rendered render(std::string_view user, std::string_view system = {},
                    Thinking thinking = Thinking::Default) const;

    // What the last prompt token is with this template (routing is read there by default).
    std::string_view lastTokenNote(Thinking thinking = Thinking::Default) const;

private:
    ChatTemplate(ChatFamily family, std::string bos, std::string eos)
        : family_(family), bos_(std::move(bos)), eos_(std::move(eos)) {}

    ChatFamily family_;
    std::string bos_;
    std::string eos_;
};

}  // namespace ca::data
