#include "core/capture/tokenizer/tokenizer.h"

#include "core/capture/tokenizer/tokenizer_impl.h"
#include "core/capture/tokenizer/utf8.h"
#include "core/util/input_error.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace ca::tok {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxFileBytes = 1ull << 30;  // 1 GiB: far above any real tokenizer

std::string readFile(const fs::path& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) throw InputError(path.string(), "cannot read: " + ec.message());
    if (size > kMaxFileBytes) throw InputError(path.string(), "is larger than 1 GiB");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path.string(), "cannot open for reading");
    std::string text(static_cast<std::size_t>(size), '\0');
    in.read(text.data(), static_cast<std::streamsize>(size));
    if (in.gcount() != static_cast<std::streamsize>(size))
        throw InputError(path.string(), "could not be read completely");
    return text;
}

}  // namespace

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::fromFile(const std::string& path) {
    std::error_code ec;
    fs::path file = path;
    if (fs::is_directory(file, ec)) {
        file /= "tokenizer.json";
        if (!fs::exists(file, ec)) throw InputError(path, "directory holds no tokenizer.json");
    } else if (!fs::exists(file, ec)) {
        throw InputError(path, "no such file or directory");
    }
    const std::string json = readFile(file);
    const fs::path configPath = file.parent_path() / "tokenizer_config.json";
    std::string config;
    if (fs::is_regular_file(configPath, ec)) config = readFile(configPath);
    return Tokenizer(loadTokenizer(json, file.string(), config, configPath.string()));
}

Tokenizer Tokenizer::fromJson(std::string_view tokenizerJson, const std::string& sourceName,
                              std::string_view tokenizerConfigJson) {
    return Tokenizer(loadTokenizer(tokenizerJson, sourceName, tokenizerConfigJson));
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool addSpecialTokens) const {
    if (!isValidUtf8(text)) throw InputError("", "text to tokenize is not valid UTF-8");
    const Impl& im = *impl_;
    std::vector<int32_t> ids;
    ids.reserve(text.size() / 3 + 4);

    thread_local std::vector<AddedSplit> rawSplits;
    thread_local std::vector<AddedSplit> normSplits;
    thread_local PieceList pieces;
    std::string normalized;

    im.rawMatcher.split(text, rawSplits);
    for (const AddedSplit& raw : rawSplits) {
        if (raw.tokenId >= 0) {
            ids.push_back(raw.tokenId);
            continue;
        }
        std::string_view segment = text.substr(raw.begin, raw.end - raw.begin);
        if (segment.empty()) continue;
        if (im.normalizer.normalize(segment, normalized)) segment = normalized;
        im.normalizedMatcher.split(segment, normSplits);
        for (const AddedSplit& part : normSplits) {
            if (part.tokenId >= 0) {
                ids.push_back(part.tokenId);
                continue;
            }
            const std::string_view piece = segment.substr(part.begin, part.end - part.begin);
            if (piece.empty()) continue;
            try {
                im.preTokenizer->run(piece, pieces);
            } catch (const RegexMatchError& e) {
                throw InputError(im.source, e.what());
            }
            for (std::string_view word : pieces.pieces)
                im.model->encodeWord(word, ids);
        }
    }
    if (addSpecialTokens) return im.postProcessor.apply(std::move(ids));
    return ids;
}

std::optional<std::string> Tokenizer::pieceBytes(int32_t id) const {
    if (auto it = impl_->addedById.find(id); it != impl_->addedById.end())
        return impl_->addedTokens[it->second].content;
    if (const std::string* bytes = impl_->model->idToBytes(id)) return *bytes;
    // A vocab entry outside the byte-level alphabet: the ByteLevel decoder keeps its text.
    if (const std::string* token = impl_->model->idToToken(id)) return *token;
    return std::nullopt;
}

std::string Tokenizer::decodePiece(int32_t id) const {
    const auto bytes = pieceBytes(id);
    if (!bytes) return "<unk:" + std::to_string(id) + ">";
    return bytesForDisplay(*bytes);
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool skipSpecialTokens) const {
    std::string bytes;
    for (int32_t id : ids) {
        if (skipSpecialTokens && isSpecial(id)) continue;
        if (const auto piece = pieceBytes(id)) bytes += *piece;
    }
    return bytesToUtf8Lossy(bytes);
}

std::optional<int32_t> Tokenizer::tokenToId(std::string_view token) const {
    if (auto it = impl_->addedByContent.find(token); it != impl_->addedByContent.end())
        return it->second;
    return impl_->model->tokenToId(token);
}

std::optional<std::string> Tokenizer::idToToken(int32_t id) const {
    if (auto it = impl_->addedById.find(id); it != impl_->addedById.end())
        return impl_->addedTokens[it->second].content;
    if (const std::string* token = impl_->model->idToToken(id)) return *token;
    return std::nullopt;
}

const std::vector<AddedToken>& Tokenizer::addedTokens() const {
    return impl_->addedTokens;
}

std::vector<AddedToken> Tokenizer::specialTokens() const {
    std::vector<AddedToken> out;
    for (const AddedToken& a : impl_->addedTokens)
        if (a.special) out.push_back(a);
    return out;
}

bool Tokenizer::isSpecial(int32_t id) const {
    auto it = impl_->addedById.find(id);
    return it != impl_->addedById.end() && impl_->addedTokens[it->second].special;
}

int32_t Tokenizer::idLimit() const {
    return impl_->idLimit;
}
std::size_t Tokenizer::mergeCount() const {
    return impl_->model->mergeCount();
}

std::vector<int32_t> Tokenizer::specialPrefix() const {
    // Apply the post-processor to a marker sequence and cut around it.
    const std::vector<int32_t> marked = impl_->postProcessor.apply({-1});
    std::vector<int32_t> prefix;
    for (int32_t id : marked) {
        if (id == -1) break;
        prefix.push_back(id);
    }
    return prefix;
}

std::vector<int32_t> Tokenizer::specialSuffix() const {
    const std::vector<int32_t> marked = impl_->postProcessor.apply({-1});
    std::vector<int32_t> suffix;
    bool after = false;
    for (int32_t id : marked) {
        if (after) suffix.push_back(id);
        if (id == -1) after = true;
    }
    return suffix;
}

void Tokenizer::clearCache() const {
    impl_->model->clearCache();
}

const std::string& Tokenizer::source() const {
    return impl_->source;
}

}  // namespace ca::tok
