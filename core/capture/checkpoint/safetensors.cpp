#include "core/capture/checkpoint/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <tuple>
#include <utility>

#include "core/capture/checkpoint/json_strict.h"
#include "core/util/input_error.h"

namespace ca::capture {

namespace {

using Json = nlohmann::json;

constexpr std::string_view kMetadataKey = "__metadata__";

// Multiplies with a check against 64-bit overflow.
bool multiplyChecked(uint64_t a, uint64_t b, uint64_t& product) {
    return !__builtin_mul_overflow(a, b, &product);
}

// A JSON integer >= 0 (floats such as 2.0 are rejected, as the reference reader does).
bool asUnsigned(const Json& value, uint64_t& out) {
    if (value.is_number_unsigned()) {
        out = value.get<uint64_t>();
        return true;
    }
    if (value.is_number_integer() && value.get<int64_t>() >= 0) {
        out = static_cast<uint64_t>(value.get<int64_t>());
        return true;
    }
    return false;
}

// A small JSON value for a message, cut short if long.
std::string oneLineDump(const Json& value) {
    std::string text = value.dump(-1, ' ', true, Json::error_handler_t::replace);
    if (text.size() > 80) text = text.substr(0, 77) + "...";
    return text;
}

std::string offsetsToString(uint64_t begin, uint64_t end) {
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

SafetensorsEntry parseEntry(const std::string& name, const Json& info, const std::string& file) {
    const std::string tensor = "tensor " + quotedName(name);
    if (!info.is_object()) throw InputError(file, tensor + ": header entry is not a JSON object");
    SafetensorsEntry entry;
    entry.name = name;

    const auto dtypeIt = info.find("dtype");
    if (dtypeIt == info.end()) throw InputError(file, tensor + ": header entry has no dtype");
    if (!dtypeIt->is_string()) throw InputError(file, tensor + ": dtype is not a string");
    const auto& dtypeName = dtypeIt->get_ref<const std::string&>();
    const auto dtype = parseDType(dtypeName);
    if (!dtype) {
        throw InputError(file, tensor + " has unsupported dtype " + quotedName(dtypeName) +
                                   " (supported: " + std::string(supportedDTypeNames()) + ")");
    }
    entry.dtype = *dtype;

    const auto shapeIt = info.find("shape");
    if (shapeIt == info.end()) throw InputError(file, tensor + ": header entry has no shape");
    if (!shapeIt->is_array()) throw InputError(file, tensor + ": shape is not a JSON array");
    uint64_t numel = 1;
    for (const Json& dim : *shapeIt) {
        uint64_t size = 0;
        if (!asUnsigned(dim, size)) {
            throw InputError(file, tensor + ": shape " + oneLineDump(*shapeIt) +
                                       " has an entry that is not a non-negative integer");
        }
        if (size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
            !multiplyChecked(numel, size, numel)) {
            throw InputError(file, tensor + ": shape " + oneLineDump(*shapeIt) +
                                       " has more elements than fit in 64 bits");
        }
        entry.shape.push_back(static_cast<int64_t>(size));
    }

    const auto offsetsIt = info.find("data_offsets");
    if (offsetsIt == info.end()) {
        throw InputError(file, tensor + ": header entry has no data_offsets");
    }
    if (!offsetsIt->is_array() || offsetsIt->size() != 2 ||
        !asUnsigned((*offsetsIt)[0], entry.begin) || !asUnsigned((*offsetsIt)[1], entry.end)) {
        throw InputError(file, tensor + ": data_offsets " + oneLineDump(*offsetsIt) +
                                   " is not a pair [begin, end] of non-negative integers");
    }
    if (entry.begin > entry.end) {
        throw InputError(file, tensor + ": data_offsets " +
                                   offsetsToString(entry.begin, entry.end) +
                                   " end before they begin");
    }
    uint64_t needed = 0;
    if (!multiplyChecked(numel, dtypeSize(entry.dtype), needed)) {
        throw InputError(file, tensor + ": shape " + shapeToString(entry.shape) +
                                   " needs more bytes than fit in 64 bits");
    }
    if (entry.end - entry.begin != needed) {
        throw InputError(file, tensor + ": data_offsets " +
                                   offsetsToString(entry.begin, entry.end) + " hold " +
                                   std::to_string(entry.end - entry.begin) + " bytes but " +
                                   std::string(dtypeName) + " " + shapeToString(entry.shape) +
                                   " needs " + std::to_string(needed));
    }
    return entry;
}

std::map<std::string, std::string> parseMetadata(const Json& value, const std::string& file) {
    std::map<std::string, std::string> metadata;
    if (value.is_null()) return metadata;
    if (!value.is_object()) throw InputError(file, "__metadata__ is not a JSON object");
    for (const auto& [key, item] : value.items()) {
        if (!item.is_string()) {
            throw InputError(file, "__metadata__ entry " + quotedName(key) + " is not a string");
        }
        metadata.emplace(key, item.get<std::string>());
    }
    return metadata;
}

// The reference reader's layout rule: sorted by offset, the tensors tile the data section
// exactly, from 0 to its end, with no overlap and no hole.
void checkTiling(const std::vector<SafetensorsEntry>& entries, uint64_t data_bytes,
                 const std::string& file) {
    std::vector<const SafetensorsEntry*> byOffset;
    byOffset.reserve(entries.size());
    for (const auto& entry : entries) {
        if (entry.end > data_bytes) {
            throw InputError(file, "tensor " + quotedName(entry.name) + ": data_offsets " +
                                       offsetsToString(entry.begin, entry.end) +
                                       " run past the end of the data section (" +
                                       std::to_string(data_bytes) +
                                       " bytes); the file may be truncated");
        }
        byOffset.push_back(&entry);
    }
    std::sort(byOffset.begin(), byOffset.end(), [](const auto* a, const auto* b) {
        return std::tie(a->begin, a->end) < std::tie(b->begin, b->end);
    });
    uint64_t covered = 0;
    const SafetensorsEntry* previous = nullptr;
    for (const auto* entry : byOffset) {
        if (entry->begin < covered) {
            throw InputError(file, "tensor " + quotedName(entry->name) + ": data_offsets " +
                                       offsetsToString(entry->begin, entry->end) +
                                       " overlap tensor " + quotedName(previous->name) + " " +
                                       offsetsToString(previous->begin, previous->end));
        }
        if (entry->begin > covered) {
            throw InputError(file, "tensor " + quotedName(entry->name) + ": data_offsets " +
                                       offsetsToString(entry->begin, entry->end) +
                                       " leave a gap of " + std::to_string(entry->begin - covered) +
                                       " unused bytes before them");
        }
        covered = entry->end;
        previous = entry;
    }
    if (covered != data_bytes) {
        throw InputError(file, "the data section has " + std::to_string(data_bytes - covered) +
                                   " bytes after the last tensor that no header entry describes");
    }
}

std::string errnoText() { return std::strerror(errno); }

}  // namespace

std::string shapeToString(std::span<const int64_t> shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) out += ", ";
        out += std::to_string(shape[i]);
    }
    return out + "]";
}

int64_t TensorView::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

bool TensorView::isAligned() const {
    return reinterpret_cast<std::uintptr_t>(data) % dtypeSize(dtype) == 0;
}

SafetensorsLayout parseSafetensorsLayout(std::span<const std::byte> image,
                                         const std::string& file) {
    if (image.size() < 8) {
        throw InputError(file, "too short for a safetensors file (" + std::to_string(image.size()) +
                                   " bytes; the header length alone takes 8)");
    }
    uint64_t headerBytes = 0;
    for (int i = 7; i >= 0; --i) {
        headerBytes = (headerBytes << 8) | std::to_integer<uint64_t>(image[i]);
    }
    if (headerBytes > kMaxSafetensorsHeaderBytes) {
        throw InputError(file, "safetensors header length " + std::to_string(headerBytes) +
                                   " exceeds the limit of " +
                                   std::to_string(kMaxSafetensorsHeaderBytes) + " bytes");
    }
    if (headerBytes > image.size() - 8) {
        throw InputError(file, "safetensors header length " + std::to_string(headerBytes) +
                                   " runs past the end of the file (" +
                                   std::to_string(image.size()) +
                                   " bytes); the file may be truncated");
    }
    const std::string_view headerText(reinterpret_cast<const char*>(image.data() + 8),
                                      static_cast<std::size_t>(headerBytes));
    const Json header = parseJsonStrict(headerText, file, "the safetensors header");
    if (!header.is_object()) throw InputError(file, "the safetensors header is not a JSON object");

    SafetensorsLayout layout;
    layout.header_bytes = headerBytes;
    layout.data_offset = 8 + headerBytes;
    for (const auto& [name, info] : header.items()) {  // items() is in key order
        if (name == kMetadataKey) {
            layout.metadata = parseMetadata(info, file);
            continue;
        }
        layout.tensors.push_back(parseEntry(name, info, file));
    }
    checkTiling(layout.tensors, image.size() - layout.data_offset, file);
    return layout;
}

SafetensorsFile SafetensorsFile::open(const std::string& path) {
    SafetensorsFile result;
    result.path_ = path;

    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw InputError(path, "cannot open safetensors file: " + errnoText());
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const std::string problem = "cannot stat safetensors file: " + errnoText();
        ::close(fd);
        throw InputError(path, problem);
    }
    if (!S_ISREG(info.st_mode)) {
        ::close(fd);
        throw InputError(path, "not a regular file");
    }
    result.size_ = static_cast<std::size_t>(info.st_size);
    if (result.size_ < 8) {
        ::close(fd);
        throw InputError(path, "too short for a safetensors file (" + std::to_string(result.size_) +
                                   " bytes; the header length alone takes 8)");
    }
    void* mapping = ::mmap(nullptr, result.size_, PROT_READ, MAP_PRIVATE, fd, 0);
    const int mapErrno = errno;
    ::close(fd);  // the mapping keeps its own reference to the file
    if (mapping == MAP_FAILED) {
        throw InputError(
            path, std::string("cannot memory-map safetensors file: ") + std::strerror(mapErrno));
    }
    result.mapping_ = mapping;  // from here on the destructor unmaps

    const auto* base = static_cast<const std::byte*>(mapping);
    SafetensorsLayout layout = parseSafetensorsLayout({base, result.size_}, path);
    result.metadata_ = std::move(layout.metadata);
    result.tensors_.reserve(layout.tensors.size());
    for (auto& entry : layout.tensors) {
        TensorView view;
        view.name = std::move(entry.name);
        view.dtype = entry.dtype;
        view.shape = std::move(entry.shape);
        view.data = base + layout.data_offset + entry.begin;
        view.bytes = static_cast<std::size_t>(entry.end - entry.begin);
        result.tensors_.push_back(std::move(view));
    }
    return result;
}

SafetensorsFile::SafetensorsFile(SafetensorsFile&& other) noexcept
    : path_(std::move(other.path_)),
      mapping_(std::exchange(other.mapping_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      tensors_(std::move(other.tensors_)),
      metadata_(std::move(other.metadata_)) {}

SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&& other) noexcept {
    if (this != &other) {
        unmap();
        path_ = std::move(other.path_);
        mapping_ = std::exchange(other.mapping_, nullptr);
        size_ = std::exchange(other.size_, 0);
        tensors_ = std::move(other.tensors_);
        metadata_ = std::move(other.metadata_);
    }
    return *this;
}

SafetensorsFile::~SafetensorsFile() { unmap(); }

void SafetensorsFile::unmap() noexcept {
    if (mapping_) ::munmap(mapping_, size_);
    mapping_ = nullptr;
}

std::vector<std::string> SafetensorsFile::tensorNames() const {
    std::vector<std::string> names;
    names.reserve(tensors_.size());
    for (const auto& view : tensors_) names.push_back(view.name);
    return names;
}

const TensorView* SafetensorsFile::find(std::string_view name) const {
    const auto it = std::lower_bound(
        tensors_.begin(), tensors_.end(), name,
        [](const TensorView& view, std::string_view key) { return view.name < key; });
    if (it == tensors_.end() || it->name != name) return nullptr;
    return &*it;
}

const TensorView& SafetensorsFile::tensor(std::string_view name) const {
    if (const TensorView* view = find(name)) return *view;
    throw InputError(path_, "no tensor " + quotedName(name));
}

}  // namespace ca::capture
