// Read-only, memory-mapped access to one .safetensors file.
//
// Format (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of
// JSON {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}},
// then the data section; offsets are relative to its start (file offset 8 + N).
//
// The whole header is validated when the file is opened, with the rules of the reference
// reader, so that every TensorView handed out lies inside the mapping and has exactly the
// bytes its dtype and shape need. Tensor data is never copied: TensorView::data points into
// a private read-only mapping that lives as long as the SafetensorsFile (moving the object
// keeps the pointers valid). No torch types here; the model code wraps the views with
// torch::from_blob.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/capture/checkpoint/dtype.h"

namespace ca::capture {

// The reference reader's limit on the JSON header (safetensors MAX_HEADER_SIZE).
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

// One tensor inside a mapped file.
struct TensorView {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;  // row-major (C order), little-endian elements
    const void* data = nullptr;  // inside the mapping; never written
    std::size_t bytes = 0;       // == numel() * dtypeSize(dtype)

    int64_t numel() const;
    // True when data is aligned to the element size. Files written by the Hugging Face
    // writer always are (it pads the header to a multiple of 8); a third-party file may not
    // be, and then a consumer that needs alignment must copy.
    bool isAligned() const;
};

// A header entry before it is tied to memory; offsets are relative to the data section.
struct SafetensorsEntry {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    uint64_t begin = 0;
    uint64_t end = 0;
};

// The validated header of a safetensors file image.
struct SafetensorsLayout {
    uint64_t header_bytes = 0;                    // N
    uint64_t data_offset = 0;                     // 8 + N
    std::vector<SafetensorsEntry> tensors;        // sorted by name
    std::map<std::string, std::string> metadata;  // "__metadata__", often {"format": "pt"}
};

// Validates a whole file image (only the first 8 + N bytes are read, but the size matters:
// every tensor must lie inside it). Throws ca::InputError(file, problem) naming the rule
// broken. Used by SafetensorsFile::open and directly by the fuzzer.
SafetensorsLayout parseSafetensorsLayout(std::span<const std::byte> file_image,
                                         const std::string& file);

class SafetensorsFile {
public:
    // Maps the file read-only (MAP_PRIVATE) and validates its header.
    // Throws ca::InputError(path, problem) for a missing, unreadable or malformed file.
    static SafetensorsFile open(const std::string& path);

    SafetensorsFile(SafetensorsFile&& other) noexcept;
    SafetensorsFile& operator=(SafetensorsFile&& other) noexcept;
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;
    ~SafetensorsFile();

    const std::string& path() const { return path_; }
    std::size_t fileSize() const { return size_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

    // All tensors, sorted by name.
    const std::vector<TensorView>& tensors() const { return tensors_; }
    std::vector<std::string> tensorNames() const;
    bool contains(std::string_view name) const { return find(name) != nullptr; }
    // nullptr when absent.
    const TensorView* find(std::string_view name) const;
    // Throws ca::InputError(path, "no tensor 'name'") when absent.
    const TensorView& tensor(std::string_view name) const;

private:
    SafetensorsFile() = default;
    void unmap() noexcept;

    std::string path_;
    void* mapping_ = nullptr;
    std::size_t size_ = 0;
    std::vector<TensorView> tensors_;
    std::map<std::string, std::string> metadata_;
};

// "[2, 3]" for messages.
std::string shapeToString(std::span<const int64_t> shape);

}  // namespace ca::capture
