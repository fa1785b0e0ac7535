#include "core/data/prompt_format.h"

#include "core/util/input_error.h"

namespace ca::data {

namespace {

constexpr std::string_view kSlot = "{prompt}";
const char* const kSpecHelp =
    "expected auto, plain, chat, chat:think, chat:nothink, template:TEXT or "
    "template-file:FILE, optionally after 5shot+";

std::string itemSource(const Item& item) { return "item " + quoteForError(item.id); }

// template:TEXT escapes: \n, \t and \\ (other backslashes stay as they are).
std::string expandEscapes(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            const char next = text[i + 1];
            if (next == 'n' || next == 't' || next == '\\') {
                out += next == 'n' ? '\n' : next == 't' ? '\t' : '\\';
                ++i;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

std::string escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else out += c;
    }
    return out;
}

bool sameQuestion(const Item& a, const Item& b) {
    return a.question == b.question && a.choices == b.choices;
}

}  // namespace

std::string zeroShotBody(const Item& item) {
    if (!item.isMultipleChoice()) return item.text;
    // router_lens.py: f"Question: {text}\nChoices:\n" + "".join(f"{chr(65+i)}. {choice}\n") +
    // "Answer:"
    std::string body = "Question: " + item.question + "\nChoices:\n";
    for (size_t i = 0; i < item.choices.size(); ++i) {
        body += static_cast<char>('A' + i);
        body += ". ";
        body += item.choices[i];
        body += '\n';
    }
    body += "Answer:";
    return body;
}

std::string subjectDisplayName(std::string_view subject) {
    std::string out(subject);
    for (char& c : out) {
        if (c == '_') c = ' ';
    }
    return out;
}

std::string fewShotBody(const Item& target, const std::vector<Item>& shots) {
    if (!target.isMultipleChoice()) {
        throw InputError(itemSource(target), "few-shot prompts need multiple-choice items");
    }
    std::string body = "The following are multiple choice questions (with answers) about " +
                       subjectDisplayName(target.subject) + ".\n\n";
    for (const Item& shot : shots) {
        if (!shot.isMultipleChoice() || shot.answer < 0 ||
            shot.answer >= static_cast<int>(shot.choices.size())) {
            throw InputError(itemSource(shot), "a few-shot example needs choices and an answer");
        }
        body += zeroShotBody(shot);
        body += ' ';
        body += static_cast<char>('A' + shot.answer);
        body += "\n\n";
    }
    body += zeroShotBody(target);
    return body;
}

std::string applyUserTemplate(std::string_view user_template, std::string_view body,
                              const std::string& source) {
    if (user_template.find(kSlot) == std::string_view::npos) {
        throw InputError(source, "the prompt template has no {prompt} slot");
    }
    std::string out;
    size_t pos = 0;
    while (true) {
        const size_t slot = user_template.find(kSlot, pos);
        if (slot == std::string_view::npos) break;
        out += user_template.substr(pos, slot - pos);
        out += body;
        pos = slot + kSlot.size();
    }
    out += user_template.substr(pos);
    return out;
}

std::vector<std::string> answerLetterTexts(std::string_view prompt, int num_choices) {
    const bool ends_in_space =
        !prompt.empty() && (prompt.back() == ' ' || prompt.back() == '\n' ||
                            prompt.back() == '\t' || prompt.back() == '\r');
    std::vector<std::string> letters;
    for (int i = 0; i < num_choices && i < kMaxChoices; ++i) {
        letters.push_back((ends_in_space ? "" : " ") + std::string(1, static_cast<char>('A' + i)));
    }
    return letters;
}

FewShotPool FewShotPool::fromItems(const std::vector<Item>& items, int shots) {
    FewShotPool pool;
    pool.shots_ = shots;
    for (const Item& item : items) {
        std::vector<Item>& list = pool.by_subject_[item.subject];
        if (static_cast<int>(list.size()) < shots) list.push_back(item);
    }
    return pool;
}

FewShotPool FewShotPool::mmluDev() { return fromItems(embeddedMmluDev(), 5); }

std::vector<Item> FewShotPool::examplesFor(const Item& target) const {
    const auto it = by_subject_.find(target.subject);
    const size_t have = it == by_subject_.end() ? 0 : it->second.size();
    if (have < static_cast<size_t>(shots_)) {
        throw InputError(itemSource(target), "needs " + std::to_string(shots_) +
                                                 " few-shot examples of subject " +
                                                 quoteForError(target.subject) + ", the pool has " +
                                                 std::to_string(have));
    }
    std::vector<Item> examples;
    for (const Item& shot : it->second) {
        if (!sameQuestion(shot, target)) examples.push_back(shot);
    }
    return examples;
}

PromptFormat PromptFormat::parse(std::string_view spec) {
    PromptFormat format;
    std::string_view rest = spec;
    if (rest == "5shot") {
        format.body = Body::FiveShot;
        rest = "auto";
    } else if (rest.substr(0, 6) == "5shot+") {
        format.body = Body::FiveShot;
        rest.remove_prefix(6);
    }
    if (rest == "auto") {
        format.wrapper = Wrapper::Auto;
    } else if (rest == "plain") {
        format.wrapper = Wrapper::Plain;
    } else if (rest == "chat") {
        format.wrapper = Wrapper::Chat;
    } else if (rest == "chat:think") {
        format.wrapper = Wrapper::Chat;
        format.thinking = Thinking::On;
    } else if (rest == "chat:nothink") {
        format.wrapper = Wrapper::Chat;
        format.thinking = Thinking::Off;
    } else if (rest.substr(0, 9) == "template:") {
        format.wrapper = Wrapper::Template;
        format.user_template = expandEscapes(rest.substr(9));
    } else if (rest.substr(0, 14) == "template-file:") {
        format.wrapper = Wrapper::Template;
        const std::string path(rest.substr(14));
        if (path.empty()) throw InputError("--prompt-format", "template-file: names no file");
        format.user_template = readDatasetFile(path);
    } else {
        throw InputError("--prompt-format", "unknown prompt format '" + std::string(spec) +
                                                "': " + kSpecHelp);
    }
    if (format.wrapper == Wrapper::Template &&
        format.user_template.find(kSlot) == std::string::npos) {
        throw InputError("--prompt-format", "the prompt template has no {prompt} slot");
    }
    return format;
}

std::string PromptFormat::toString() const {
    std::string wrapper;
    switch (this->wrapper) {
    case Wrapper::Auto: wrapper = "auto"; break;
    case Wrapper::Plain: wrapper = "plain"; break;
    case Wrapper::Chat:
        wrapper = thinking == Thinking::On    ? "chat:think"
                  : thinking == Thinking::Off ? "chat:nothink"
                                              : "chat";
        break;
    case Wrapper::Template: wrapper = "template:" + escape(user_template); break;
    }
    return body == Body::FiveShot ? "5shot+" + wrapper : wrapper;
}

PromptBuilder::PromptBuilder(PromptFormat format, std::optional<ChatTemplate> chat,
                             std::optional<FewShotPool> pool)
    : format_(std::move(format)), chat_(std::move(chat)) {
    if (format_.wrapper == PromptFormat::Wrapper::Auto) {
        format_.wrapper = chat_ ? PromptFormat::Wrapper::Chat : PromptFormat::Wrapper::Plain;
    }
    if (format_.wrapper == PromptFormat::Wrapper::Chat) {
        if (!chat_) {
            throw InputError("--prompt-format",
                             "chat asks for the checkpoint's chat template, but it has none "
                             "(no chat_template in tokenizer_config.json); use plain or template:");
        }
        if (format_.thinking != Thinking::Default && !chat_->supportsThinking()) {
            throw InputError("--prompt-format", "thinking on/off applies to the Qwen3 chat "
                                                "template only; this checkpoint has the " +
                                                    std::string(chat_->description()));
        }
    } else {
        chat_.reset();  // not used: keep describe() honest
        if (!format_.system.empty()) {
            throw InputError("--prompt-format", "a system message needs a chat template");
        }
    }
    if (format_.body == PromptFormat::Body::FiveShot) {
        pool_ = pool && !pool->empty() ? std::move(*pool) : FewShotPool::mmluDev();
    }
}

RenderedPrompt PromptBuilder::build(const Item& item) const {
    const std::string body = format_.body == PromptFormat::Body::FiveShot
                                 ? fewShotBody(item, pool_.examplesFor(item))
                                 : zeroShotBody(item);
    RenderedPrompt out;
    switch (format_.wrapper) {
    case PromptFormat::Wrapper::Auto:  // resolved in the constructor
    case PromptFormat::Wrapper::Plain:
        out.text = body;
        out.body_begin = 0;
        out.body_end = body.size();
        break;
    case PromptFormat::Wrapper::Template:
        out.body_begin = format_.user_template.find(kSlot);
        out.text = applyUserTemplate(format_.user_template, body, "--prompt-format");
        out.body_end = out.body_begin + body.size();
        break;
    case PromptFormat::Wrapper::Chat: {
        ChatTemplate::Rendered r = chat_->render(body, format_.system, format_.thinking);
        out.text = std::move(r.text);
        out.body_begin = r.content_begin;
        out.body_end = r.content_end;
        break;
    }
    }
    return out;
}

std::string PromptBuilder::describe() const {
    std::string text = format_.body == PromptFormat::Body::FiveShot
                           ? "5-shot MMLU (dev examples, authors' question format)"
                           : "zero-shot (authors' question format)";
    switch (format_.wrapper) {
    case PromptFormat::Wrapper::Auto:
    case PromptFormat::Wrapper::Plain: text += ", no chat template"; break;
    case PromptFormat::Wrapper::Template: text += ", in the user template"; break;
    case PromptFormat::Wrapper::Chat:
        text += " in the " + std::string(chat_->description());
        if (format_.thinking == Thinking::On) text += ", enable_thinking=true";
        if (format_.thinking == Thinking::Off) text += ", enable_thinking=false";
        if (!format_.system.empty()) text += ", with a system message";
        break;
    }
    return text;
}

std::string PromptBuilder::lastTokenNote() const {
    switch (format_.wrapper) {
    case PromptFormat::Wrapper::Chat: return std::string(chat_->lastTokenNote(format_.thinking));
    case PromptFormat::Wrapper::Template:
        return "the last token of the filled-in user template";
    default: return "the end of the body's final 'Answer:' (or of the free text)";
    }
}

}  // namespace ca::data
