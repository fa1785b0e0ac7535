#include "core/capture/checkpoint/json_strict.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "core/util/input_error.h"

namespace ca::capture {

namespace {

constexpr std::size_t kMaxDepth = 64;

// Thrown from inside the parser callback to stop parsing early.
struct JsonRejected {
    std::string problem;
};

std::string oneLine(std::string_view text) {
    std::string out;
    for (char c : text) out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    return out;
}

}  // namespace

std::string quotedName(std::string_view text) {
    constexpr std::size_t kMaxShown = 120;
    std::string out = "'";
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i == kMaxShown) {
            out += "...";
            break;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
            out += escaped;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "'";
}

nlohmann::json parseJsonStrict(std::string_view text, const std::string& file,
                               std::string_view what) {
    using Json = nlohmann::json;
    // One entry per open container: the keys seen so far in an object, nullopt for an array.
    std::vector<std::optional<std::set<std::string>>> open;
    auto callback = [&open](int /*depth*/, Json::parse_event_t event, Json& parsed) {
        switch (event) {
        case Json::parse_event_t::object_start:
        case Json::parse_event_t::array_start:
            if (open.size() >= kMaxDepth) {
                throw JsonRejected{"nesting deeper than " + std::to_string(kMaxDepth) + " levels"};
            }
            if (event == Json::parse_event_t::object_start) {
                open.emplace_back(std::set<std::string>{});
            } else {
                open.emplace_back(std::nullopt);
            }
            break;
        case Json::parse_event_t::object_end:
        case Json::parse_event_t::array_end:
            if (!open.empty()) open.pop_back();
            break;
        case Json::parse_event_t::key:
            if (!open.empty() && open.back()) {
                const auto& key = parsed.get_ref<const std::string&>();
                if (!open.back()->insert(key).second) {
                    throw JsonRejected{"duplicate key " + quotedName(key)};
                }
            }
            break;
        case Json::parse_event_t::value: break;
        }
        return true;
    };
    try {
        return Json::parse(text.begin(), text.end(), callback);
    } catch (const JsonRejected& rejected) {
        throw InputError(file, std::string(what) + " is not acceptable JSON: " + rejected.problem);
    } catch (const Json::exception& error) {
        throw InputError(file, std::string(what) + " is not valid JSON: " + oneLine(error.what()));
    }
}

std::string readTextFile(const std::string& path, std::string_view what) {
    // Real config and index files are at most a few MB (DeepSeek-V2-Lite's index: 480 kB).
    constexpr std::uintmax_t kMaxTextFileBytes = 100'000'000;
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (error || !std::filesystem::exists(status)) {
        throw InputError(path, std::string(what) + " does not exist");
    }
    if (!std::filesystem::is_regular_file(status)) {
        throw InputError(path, std::string(what) + " is not a regular file");
    }
    const std::uintmax_t size = std::filesystem::file_size(path, error);
    if (!error && size > kMaxTextFileBytes) {
        throw InputError(path, std::string(what) + " is implausibly large (" +
                                   std::to_string(size) + " bytes, limit " +
                                   std::to_string(kMaxTextFileBytes) + ")");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path, "cannot open " + std::string(what));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) throw InputError(path, "cannot read " + std::string(what));
    return std::move(buffer).str();
}

}  // namespace ca::capture
