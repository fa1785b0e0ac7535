#include "core/data/chat_template.h"

#include <array>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "core/data/dataset.h"
#include "core/data/json_fields.h"
#include "core/util/input_error.h"
#include "resources/resources.h"

namespace ca::data {

namespace {

using json_fields::Json;

constexpr std::array<ChatFamily, 3> kFamilies = {ChatFamily::Tulu, ChatFamily::Qwen3,
                                                 ChatFamily::DeepSeekV2};

const char* const kUnknownTemplateAdvice =
    "use --prompt-format plain (no template) or --prompt-format template:TEXT / "
    "template-file:FILE with a {prompt} slot";

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// A special token in tokenizer_config.json: a string, {"content": "...", ...} or null.
std::string specialToken(const Json& config, const char* key, const std::string& source) {
    const auto it = config.find(key);
    if (it == config.end() || it->is_null()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object()) {
        const auto content = it->find("content");
        if (content != it->end() && content->is_string()) return content->get<std::string>();
    }
    throw InputError(source, std::string("'") + key +
                                 "' must be a string or an object with a string 'content'");
}

}  // namespace

std::string ChatTemplate::normalise(std::string_view jinja) {
    std::string text;
    text.reserve(jinja.size());
    for (size_t i = 0; i < jinja.size(); ++i) {
        if (jinja[i] == '\r') {
            text += '\n';
            if (i + 1 < jinja.size() && jinja[i + 1] == '\n') ++i;
        } else {
            text += jinja[i];
        }
    }
    if (!text.empty() && text.back() == '\n') text.pop_back();

    std::string out;
    out.reserve(text.size());
    size_t i = 0;
    while (i < text.size()) {
        const bool tag_start = text[i] == '{' && i + 1 < text.size() &&
                               (text[i + 1] == '{' || text[i + 1] == '%' || text[i + 1] == '#');
        if (!tag_start) {
            out += text[i++];
            continue;
        }
        const char open = text[i + 1];
        const char close = open == '{' ? '}' : open;  // a tag ends with "}}", "%}" or "#}"
        out += '{';
        out += open;
        i += 2;
        bool pending_space = false;
        bool body_empty = true;
        char quote = 0;
        while (i < text.size()) {
            const char c = text[i];
            if (quote) {  // inside a string literal: verbatim, escapes included
                out += c;
                if (c == '\\' && i + 1 < text.size()) {
                    out += text[i + 1];
                    i += 2;
                    continue;
                }
                if (c == quote) quote = 0;
                ++i;
                continue;
            }
            if (c == close && i + 1 < text.size() && text[i + 1] == '}') {
                i += 2;
                break;
            }
            if (isSpace(c)) {
                pending_space = true;
                ++i;
                continue;
            }
            if (pending_space && !body_empty) out += ' ';
            pending_space = false;
            body_empty = false;
            if (open != '#' && (c == '\'' || c == '"')) quote = c;
            out += c;
            ++i;
        }
        out += close;
        out += '}';
    }
    return out;
}

std::string_view ChatTemplate::referenceText(ChatFamily family) {
    std::string_view name;
    switch (family) {
    case ChatFamily::Tulu: name = "chat_templates/olmoe-tulu.jinja"; break;
    case ChatFamily::Qwen3: name = "chat_templates/qwen3.jinja"; break;
    case ChatFamily::DeepSeekV2: name = "chat_templates/deepseek-v2.jinja"; break;
    }
    const std::string_view text = resources::find(name);
    if (text.empty()) {
        // Only a broken build gets here: resources/CMakeLists.txt embeds chat_templates/.
        throw std::logic_error("chat template " + std::string(name) + " is not embedded");
    }
    return text;
}

ChatTemplate ChatTemplate::ofFamily(ChatFamily family, std::string bos_token,
                                    std::string eos_token) {
    return ChatTemplate(family, std::move(bos_token), std::move(eos_token));
}

ChatTemplate ChatTemplate::recognise(std::string_view jinja, std::string bos_token,
                                     std::string eos_token, const std::string& source) {
    const std::string canonical = normalise(jinja);
    for (ChatFamily family : kFamilies) {
        if (canonical != normalise(referenceText(family))) continue;
        if (family != ChatFamily::Qwen3 && bos_token.empty()) {
            throw InputError(source, "the chat template begins with bos_token, but the tokenizer "
                                     "configuration defines no bos_token");
        }
        return ChatTemplate(family, std::move(bos_token), std::move(eos_token));
    }
    throw InputError(source, "unrecognised chat template (known: OLMoE-1B-7B-0924-Instruct/Tulu, "
                             "Qwen3, DeepSeek-V2-Chat); " + std::string(kUnknownTemplateAdvice));
}

std::optional<ChatTemplate> ChatTemplate::fromTokenizerConfig(std::string_view json_text,
                                                              const std::string& source) {
    const Json config = json_fields::parse(json_text, source);
    if (!config.is_object()) throw InputError(source, "expected a JSON object");
    const auto it = config.find("chat_template");
    if (it == config.end() || it->is_null()) return std::nullopt;

    std::string jinja;
    if (it->is_string()) {
        jinja = it->get<std::string>();
    } else if (it->is_array()) {
        // Newer configs hold named templates [{"name": "default", "template": "..."}, ...];
        // apply_chat_template uses "default" when no name is asked for.
        bool found = false;
        for (const Json& entry : *it) {
            if (entry.is_object() && entry.value("name", Json()) == "default" &&
                entry.contains("template") && entry.at("template").is_string()) {
                jinja = entry.at("template").get<std::string>();
                found = true;
                break;
            }
        }
        if (!found) throw InputError(source, "'chat_template' lists no template named 'default'");
    } else {
        throw InputError(source, "'chat_template' must be a string or a list of named templates");
    }
    return recognise(jinja, specialToken(config, "bos_token", source),
                     specialToken(config, "eos_token", source), source);
}

std::optional<ChatTemplate> ChatTemplate::fromModelDir(const std::string& dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path config_path = fs::path(dir) / "tokenizer_config.json";
    const fs::path jinja_path = fs::path(dir) / "chat_template.jinja";
    const bool has_config = fs::is_regular_file(config_path, ec);
    const bool has_jinja = fs::is_regular_file(jinja_path, ec);
    if (has_jinja) {
        if (!has_config) {
            throw InputError(config_path.string(), "missing; it defines the special tokens that "
                                                   "chat_template.jinja uses");
        }
        const Json config = json_fields::parse(readDatasetFile(config_path.string()),
                                               config_path.string());
        if (!config.is_object()) throw InputError(config_path.string(), "expected a JSON object");
        return recognise(readDatasetFile(jinja_path.string()),
                         specialToken(config, "bos_token", config_path.string()),
                         specialToken(config, "eos_token", config_path.string()),
                         jinja_path.string());
    }
    if (!has_config) return std::nullopt;
    return fromTokenizerConfig(readDatasetFile(config_path.string()), config_path.string());
}

std::string_view ChatTemplate::name() const {
    switch (family_) {
    case ChatFamily::Tulu: return "tulu";
    case ChatFamily::Qwen3: return "qwen3";
    case ChatFamily::DeepSeekV2: return "deepseek-v2";
    }
    return "";
}

std::string_view ChatTemplate::description() const {
    switch (family_) {
    case ChatFamily::Tulu: return "OLMoE-Instruct (Tulu) chat template";
    case ChatFamily::Qwen3: return "Qwen3 chat template";
    case ChatFamily::DeepSeekV2: return "DeepSeek-V2 chat template";
    }
    return "";
}

ChatTemplate::Rendered ChatTemplate::render(std::string_view user, std::string_view system,
                                            Thinking thinking) const {
    if (thinking != Thinking::Default && !supportsThinking()) {
        throw InputError("--prompt-format", "thinking on/off applies to the Qwen3 chat template "
                                            "only; this checkpoint has the " +
                                                std::string(description()));
    }
    Rendered r;
    std::string& t = r.text;
    t.reserve(user.size() + system.size() + 96);
    switch (family_) {
    case ChatFamily::Tulu:
        t += bos_;
        if (!system.empty()) {
            t += "<|system|>\n";
            t += system;
            t += "\n";
        }
        t += "<|user|>\n";
        r.content_begin = t.size();
        t += user;
        r.content_end = t.size();
        t += "\n<|assistant|>\n";
        break;
    case ChatFamily::Qwen3:
        if (!system.empty()) {
            t += "<|im_start|>system\n";
            t += system;
            t += "<|im_end|>\n";
        }
        t += "<|im_start|>user\n";
        r.content_begin = t.size();
        t += user;
        r.content_end = t.size();
        t += "<|im_end|>\n<|im_start|>assistant\n";
        if (thinking == Thinking::Off) t += "<think>\n\n</think>\n\n";
        break;
    case ChatFamily::DeepSeekV2:
        t += bos_;
        if (!system.empty()) {
            t += system;
            t += "\n\n";
        }
        t += "User: ";
        r.content_begin = t.size();
        t += user;
        r.content_end = t.size();
        t += "\n\nAssistant:";
        break;
    }
    return r;
}

std::string_view ChatTemplate::lastTokenNote(Thinking thinking) const {
    switch (family_) {
    case ChatFamily::Tulu: return "the newline after the generation prompt '<|assistant|>'";
    case ChatFamily::Qwen3:
        return thinking == Thinking::Off
                   ? "the blank line after the empty '<think>\\n\\n</think>' block"
                   : "the newline after the generation prompt '<|im_start|>assistant'";
    case ChatFamily::DeepSeekV2: return "the end of the generation prompt 'Assistant:'";
    }
    return "";
}

}  // namespace ca::data
